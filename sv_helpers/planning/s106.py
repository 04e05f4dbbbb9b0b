"""Section 106 money held, and the money at risk of being repaid if not spent by its deadline (model layer).

An agreement under section 106 of the Town and Country Planning Act 1990 may
require money to be spent by a date and repaid to the developer if it is not.
A sum is **at risk** when money received and not spent (nor repaid) has a
``spend_by_date`` within ``at_risk_months`` of the as-of date (the deadline
day itself still counts as in time), and **past deadline** once that date has
gone by.  ``at_risk_months`` defaults to 12 (``data/parameters/planning/at_risk_months.yaml``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: The columns of ``s106_at_risk.csv``, in order.
AT_RISK_COLUMNS: tuple[str, ...] = (
    "agreement_id",
    "obligation",
    "ward",
    "unspent",
    "spend_by_date",
    "months_left",
    "status",
)
AT_RISK, PAST_DEADLINE = "at risk", "past deadline"
#: Days in an average month, for ``months_left``.
DAYS_PER_MONTH = 365.25 / 12


def unspent(s106: pd.DataFrame) -> pd.Series:
    """Money received and neither spent nor repaid, per obligation (never below zero)."""
    held = s106["amount_received"].fillna(0) - s106["amount_spent"].fillna(0) - s106["amount_repaid"].fillna(0)
    return held.clip(lower=0).round(2)


def deadline_status(spend_by: pd.Timestamp | None, as_of: pd.Timestamp, at_risk_months: int) -> str | None:
    """``past deadline``, ``at risk`` or ``None`` (no deadline, or not within the window).

    >>> as_of = pd.Timestamp("2026-03-31")
    >>> deadline_status(pd.Timestamp("2026-04-01"), as_of, 12), deadline_status(pd.Timestamp("2026-03-30"), as_of, 12)
    ('at risk', 'past deadline')
    >>> deadline_status(pd.Timestamp("2026-03-31"), as_of, 12), deadline_status(pd.Timestamp("2027-04-01"), as_of, 12)
    ('at risk', None)
    """
    if spend_by is None or pd.isna(spend_by):
        return None
    spend_by, as_of = pd.Timestamp(spend_by), pd.Timestamp(as_of)
    if spend_by < as_of:
        return PAST_DEADLINE
    if spend_by <= as_of + pd.DateOffset(months=int(at_risk_months)):
        return AT_RISK
    return None


def s106_at_risk(s106: pd.DataFrame, as_of: pd.Timestamp, at_risk_months: int) -> pd.DataFrame:
    """Return the S106 money at risk or past its deadline: the table written as ``s106_at_risk.csv``.

    ``unspent`` is the amount that would be repaid; ``months_left`` the months
    from the as-of date to the deadline (negative once past), to one decimal.
    Rows are ordered by deadline, then agreement id.
    """
    held = unspent(s106)
    status = [deadline_status(d, as_of, at_risk_months) for d in s106["spend_by_date"]]
    out = pd.DataFrame(
        {
            "agreement_id": s106["agreement_id"].to_numpy(object),
            "obligation": s106["obligation"].to_numpy(object),
            "ward": s106["ward"].to_numpy(object),
            "unspent": held.to_numpy(float),
            "spend_by_date": pd.to_datetime(s106["spend_by_date"]).to_numpy(),
            "status": status,
        }
    )
    out = out[out["status"].notna() & (out["unspent"] > 0)].copy()
    days = (out["spend_by_date"] - pd.Timestamp(as_of)).dt.days
    out["months_left"] = (days / DAYS_PER_MONTH).round(1) + 0.0  # + 0.0 turns -0.0 into 0.0
    out = out.sort_values(["spend_by_date", "agreement_id"], kind="mergesort")
    out["spend_by_date"] = out["spend_by_date"].dt.strftime("%Y-%m-%d")
    return out[list(AT_RISK_COLUMNS)].reset_index(drop=True)


def s106_totals(s106: pd.DataFrame, by: str) -> pd.DataFrame:
    """Return money agreed, received, spent, repaid and held per value of ``by`` (``obligation`` or ``ward``)."""
    table = s106.assign(held=unspent(s106), **{by: s106[by].fillna("Not given")})
    grouped = table.groupby(by, sort=True).agg(
        agreements=("agreement_id", "size"),
        amount_agreed=("amount_agreed", "sum"),
        amount_received=("amount_received", "sum"),
        amount_spent=("amount_spent", "sum"),
        amount_repaid=("amount_repaid", "sum"),
        held=("held", "sum"),
    )
    return grouped.round(2).reset_index()


def months_between(start: pd.Timestamp, end: pd.Timestamp) -> float:
    """Months from ``start`` to ``end`` (average month length), one decimal."""
    return float(np.round((pd.Timestamp(end) - pd.Timestamp(start)).days / DAYS_PER_MONTH, 1))
