"""The neighbourhood portion of CIL: what passes to each parish or town council, with its instalments.

The rule (CIL Regulations 2010, SI 2010/948, as amended; parameters in ``data/parameters/planning``):

* 25% of the receipts from a development whose planning permission first
  permitted it when the parish's neighbourhood development plan was in effect
  (``neighbourhood_plan_made`` on or before ``permission_date``), uncapped
  (regulation 59A(3));
* 15% of the other receipts, the 15% share capped at £100 per council tax
  dwelling in the parish in each financial year (regulation 59A(5) and (7)).
  The cap is used up across the year in the order receipts arrive (date, then
  receipt id), so a late receipt is the one cut back;
* a receipt in an unparished area (blank ``parish``): the same share is kept
  by the council to spend with the community (regulation 59F), and reported
  apart; no dwelling count, so no cap is applied;
* instalments (regulation 59D): receipts of 1 April to 30 September are due
  to the parish by 28 October of the same financial year, those of 1 October
  to 31 March by 28 April of the next.

Model layer: pure functions on DataFrames.
"""

from __future__ import annotations

from decimal import ROUND_DOWN, Decimal
from functools import lru_cache

import numpy as np
import pandas as pd

from sv_helpers.core.errors import Finding, InputError, raise_for_errors
from sv_helpers.core.formatting import financial_year_bounds, format_money
from sv_helpers.core.parameters import parameter_value

#: The row of the output table for receipts in an unparished area.
UNPARISHED = "Unparished area (kept by the council, regulation 59F)"

#: The columns of ``neighbourhood_portion.csv``, in order.
PORTION_COLUMNS: tuple[str, ...] = (
    "parish",
    "cil_receipts",
    "receipts_at_25pct",
    "receipts_at_15pct",
    "cap",
    "neighbourhood_portion",
    "due_by_28_october",
    "due_by_28_april",
)


def rates() -> dict[str, float]:
    """Return the rule's parameters: ``plan_rate`` (0.25), ``rate`` (0.15) and ``cap_per_dwelling`` (£100)."""
    return dict(_rates())


@lru_cache(maxsize=1)
def _rates() -> tuple[tuple[str, float], ...]:
    """The rule's parameters, read once per process (they are data shipped with the code)."""
    return tuple(
        {
            "plan_rate": float(parameter_value("planning.neighbourhood_plan_share_pct")) / 100,
            "rate": float(parameter_value("planning.neighbourhood_share_pct")) / 100,
            "cap_per_dwelling": float(parameter_value("planning.neighbourhood_cap_per_dwelling")),
        }.items()
    )


def has_plan_in_effect(plan_made: pd.Timestamp | None, permission_date: pd.Timestamp) -> bool:
    """Whether a neighbourhood plan made on ``plan_made`` was in effect when permission was first granted.

    >>> has_plan_in_effect(pd.Timestamp("2024-05-01"), pd.Timestamp("2024-05-01"))
    True
    >>> has_plan_in_effect(pd.Timestamp("2024-05-02"), pd.Timestamp("2024-05-01"))
    False
    >>> has_plan_in_effect(None, pd.Timestamp("2024-05-01"))
    False
    """
    return plan_made is not None and not pd.isna(plan_made) and pd.Timestamp(plan_made) <= pd.Timestamp(permission_date)


@lru_cache(maxsize=1)
def instalment_days() -> tuple[str, str]:
    """The two due days as month-day text (``"10-28"``, ``"04-28"``), from ``data/parameters/planning`` (read once)."""
    return str(parameter_value("planning.first_instalment_due")), str(parameter_value("planning.second_instalment_due"))


def instalment_due(date_received: pd.Timestamp, days: tuple[str, str] | None = None) -> pd.Timestamp:
    """Return the date the neighbourhood portion of a receipt is due to the parish (regulation 59D).

    >>> instalment_due(pd.Timestamp("2025-09-30")).date()
    datetime.date(2025, 10, 28)
    >>> instalment_due(pd.Timestamp("2025-10-01")).date()
    datetime.date(2026, 4, 28)
    """
    d = pd.Timestamp(date_received)
    first, second = days or instalment_days()
    start = d.year if d.month >= 4 else d.year - 1  # the financial year's first calendar year
    if pd.Timestamp(start, 4, 1) <= d <= pd.Timestamp(start, 9, 30):
        return pd.Timestamp(f"{start}-{first}")
    return pd.Timestamp(f"{start + 1}-{second}")


def check_receipts(
    receipts: pd.DataFrame, parishes: pd.DataFrame, *, filename: str = "the CIL receipts file"
) -> list[Finding]:
    """Check that every receipt's parish is in the parishes file and that permission came before receipt."""
    out: list[Finding] = []
    known = {str(p).strip().lower(): str(p) for p in parishes["parish"]}
    for row, r in receipts.iterrows():
        parish = r["parish"]
        if isinstance(parish, str) and parish.strip() and parish.strip().lower() not in known:
            names = ", ".join(sorted(known.values())[:8]) + (" …" if len(known) > 8 else "")
            out.append(
                Finding(
                    "error",
                    f"{filename}, row {row}, column 'parish': '{parish}' is not in the parishes file "
                    f"({names or 'which is empty'}). Check the spelling, or leave it blank for an unparished area.",
                )
            )
        if (
            pd.notna(r["permission_date"])
            and pd.notna(r["date_received"])
            and r["permission_date"] > r["date_received"]
        ):
            out.append(
                Finding(
                    "warning",
                    f"{filename}, row {row}: the permission date ({r['permission_date']:%d/%m/%Y}) is after the date "
                    f"the CIL was received ({r['date_received']:%d/%m/%Y}); check both.",
                )
            )
    return out


def receipts_in_year(receipts: pd.DataFrame, financial_year: str) -> pd.DataFrame:
    """Return the receipts dated within a financial year (1 April to 31 March), oldest first (ties by receipt id)."""
    start, end = financial_year_bounds(financial_year)
    inside = receipts[(receipts["date_received"] >= start) & (receipts["date_received"] <= end)]
    return inside.sort_values(["date_received", "receipt_id"], kind="mergesort")


def share_to_the_penny(amount: float, rate: float) -> float:
    """``rate`` of ``amount``, rounded down to the penny: the parish is never passed more than the percentage
    regulation 59A gives (rounding each receipt to the nearest penny could pass a penny more per receipt).

    >>> share_to_the_penny(1.5, 0.25), share_to_the_penny(1234, 0.15), share_to_the_penny(1000.01, 0.15)
    (0.37, 185.1, 150.0)
    """
    exact = Decimal(repr(float(amount))) * Decimal(repr(float(rate)))
    return float(exact.quantize(Decimal("0.01"), rounding=ROUND_DOWN))


def portion_by_receipt(receipts: pd.DataFrame, parishes: pd.DataFrame, financial_year: str) -> pd.DataFrame:
    """Apply the rule to each receipt of a financial year, the cap used up in the order receipts arrive.

    Returns
    -------
    DataFrame
        One row per receipt of the year: ``receipt_id, date_received, parish``
        (``None`` when unparished), ``amount, rate`` (0.25 or 0.15),
        ``share_before_cap, portion, capped_by`` (the part the cap removed),
        ``due_date`` and ``kept_by_council`` (unparished).

    Raises
    ------
    InputError
        When a receipt names a parish the parishes file does not have.
    """
    in_year = receipts_in_year(receipts, financial_year)
    raise_for_errors(check_receipts(in_year, parishes))
    r = rates()
    days = instalment_days()
    lookup = {str(p).strip().lower(): row for p, row in parishes.set_index("parish", drop=False).iterrows()}
    cap_left: dict[str, float] = {}
    rows = []
    for _, rec in in_year.iterrows():
        parish = rec["parish"].strip() if isinstance(rec["parish"], str) and rec["parish"].strip() else None
        info = lookup.get(parish.lower()) if parish else None
        name = str(info["parish"]) if info is not None else None
        plan = info["neighbourhood_plan_made"] if info is not None else None
        rate = r["plan_rate"] if has_plan_in_effect(plan, rec["permission_date"]) else r["rate"]
        share = share_to_the_penny(rec["amount"], rate)
        portion = share
        if name is not None and rate == r["rate"]:
            left = cap_left.setdefault(name, round(float(info["council_tax_dwellings"]) * r["cap_per_dwelling"], 2))
            portion = min(share, left)
            cap_left[name] = round(left - portion, 2)
        rows.append(
            {
                "receipt_id": rec["receipt_id"],
                "date_received": rec["date_received"],
                "parish": name,
                "amount": float(rec["amount"]),
                "rate": rate,
                "share_before_cap": round(share, 2),
                "portion": round(portion, 2),
                "capped_by": round(share - portion, 2),
                "due_date": instalment_due(rec["date_received"], days),
                "kept_by_council": name is None,
            }
        )
    columns = [
        "receipt_id",
        "date_received",
        "parish",
        "amount",
        "rate",
        "share_before_cap",
        "portion",
        "capped_by",
        "due_date",
        "kept_by_council",
    ]
    return pd.DataFrame(rows, columns=columns)


def portion_by_parish(by_receipt: pd.DataFrame, parishes: pd.DataFrame, financial_year: str) -> pd.DataFrame:
    """Sum :func:`portion_by_receipt` by parish: the table written as ``neighbourhood_portion.csv``.

    Every parish in the parishes file has a row (in name order, zeros when it
    had no receipts), then one row for receipts in an unparished area if there
    were any.  ``cap`` is £100 × dwellings (blank for the unparished row);
    ``due_by_28_october`` and ``due_by_28_april`` split the portion by instalment.
    """
    r = rates()
    start, _ = financial_year_bounds(financial_year)
    october = pd.Timestamp(f"{start.year}-{instalment_days()[0]}")
    names = sorted(parishes["parish"].astype(str), key=str.lower)
    dwellings = dict(zip(parishes["parish"].astype(str), parishes["council_tax_dwellings"], strict=True))
    key = by_receipt["parish"].where(~by_receipt["kept_by_council"], UNPARISHED)
    at25 = by_receipt["rate"] == r["plan_rate"]
    first = by_receipt["due_date"] == october
    sums = (
        pd.DataFrame(
            {
                "cil_receipts": by_receipt["amount"],
                "receipts_at_25pct": by_receipt["amount"].where(at25, 0.0),
                "receipts_at_15pct": by_receipt["amount"].where(~at25, 0.0),
                "neighbourhood_portion": by_receipt["portion"],
                "due_by_28_october": by_receipt["portion"].where(first, 0.0),
                "due_by_28_april": by_receipt["portion"].where(~first, 0.0),
            }
        )
        .groupby(key.to_numpy(object))
        .sum()
    )
    order = names + ([UNPARISHED] if UNPARISHED in sums.index else [])
    out = sums.reindex(order, fill_value=0.0).astype("float64").round(2)
    out.insert(0, "parish", order)
    out["cap"] = [float(dwellings[n]) * r["cap_per_dwelling"] if n in dwellings else np.nan for n in order]
    rows = out.reset_index(drop=True)
    return rows[list(PORTION_COLUMNS)]


def neighbourhood_portion(
    receipts: pd.DataFrame, parishes: pd.DataFrame, financial_year: str
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return ``(by_parish, by_receipt)`` for a financial year (see the two functions above)."""
    by_receipt = portion_by_receipt(receipts, parishes, financial_year)
    return portion_by_parish(by_receipt, parishes, financial_year), by_receipt


def describe_cap(by_receipt: pd.DataFrame) -> list[str]:
    """Sentences naming each parish whose 15% share the cap cut back (for the findings)."""
    capped = by_receipt[by_receipt["capped_by"] > 0].groupby("parish")["capped_by"].sum()
    return [
        f"{p}: the 15% share reached the cap of £100 per council tax dwelling, so {format_money(v, 2)} "
        "stays with the council (regulation 59A(7))."
        for p, v in capped.items()
    ]


def require_parishes(receipts: pd.DataFrame, parishes: pd.DataFrame) -> None:
    """Raise when receipts name parishes but no parishes file was given."""
    named = receipts["parish"].map(lambda p: isinstance(p, str) and p.strip() != "")
    if named.any() and len(parishes) == 0:
        raise InputError(
            "The CIL receipts name parishes, but no parishes file was given: give the parishes file "
            "(parish, council_tax_dwellings, neighbourhood_plan_made) so the cap and the 25% rate can be worked out."
        )
