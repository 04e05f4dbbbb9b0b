"""The administration share of CIL (regulation 61 of the CIL Regulations 2010, SI 2010/948).

A charging authority may apply part of the CIL it collects in a year to the
costs of administering it, up to 5% (``data/parameters/planning/admin_share_max_pct.yaml``).
Model layer.
"""

from __future__ import annotations

from sv_helpers.core.errors import InputError
from sv_helpers.core.formatting import format_pct
from sv_helpers.core.parameters import parameter_value


def max_admin_share_pct() -> float:
    """The largest administration share the regulations allow, in per cent (5)."""
    return float(parameter_value("planning.admin_share_max_pct"))


def administration_amount(receipts_total: float, share_pct: float) -> float:
    """Return the administration share of a year's CIL receipts, refusing a share above the legal maximum.

    >>> administration_amount(200_000, 5)
    10000.0
    >>> administration_amount(200_000, 5.5)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    sv_helpers.core.errors.InputError: The administration share is 5.5%; regulation 61 ... allows at most 5.0% ...
    """
    limit = max_admin_share_pct()
    if share_pct < 0:
        raise InputError(f"The administration share is {format_pct(share_pct)}; it cannot be negative.")
    if share_pct > limit + 1e-9:
        raise InputError(
            f"The administration share is {format_pct(share_pct)}; regulation 61 of the CIL Regulations 2010 "
            f"allows at most {format_pct(limit)} of the CIL collected in the year. Choose {limit:g}% or less."
        )
    return round(float(receipts_total) * share_pct / 100, 2)
