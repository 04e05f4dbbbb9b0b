"""CIL spending scenarios through the grants area's allocator: the one place that knows its interface.

Strategic CIL is often shared by inviting bids from infrastructure providers,
scored by a board against a budget: the shape of a grants round.  This module
maps bids onto the grants allocator (:func:`sv_helpers.grants.allocate` with a
:class:`sv_helpers.grants.Scenario`) and back, so the allocation rules (rank,
pro rata, optimal with partial awards, floors by group, caps by ward) are the
grants area's own, never copied.  When the grants core changes, only this
adapter changes.

What it calls: ``grants.AllocationRules(method, available, min_score, partial,
group_floors, ward_cap, name)`` and ``grants.allocate(applications, rules,
group_column="infrastructure_type")`` on a table with ``application_id,
organisation, project, infrastructure_type, ward, amount_requested,
minimum_award, score``; the result's ``application_id`` and ``awarded`` columns
are read back.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from sv_helpers import grants
from sv_helpers.core.errors import InputError

#: The methods compared side by side, in order, with their names on screen.
METHODS: tuple[str, ...] = grants.METHODS
METHOD_LABELS: dict[str, str] = dict(grants.METHOD_LABELS)

#: The columns of ``cil_allocation.csv``, in order.
ALLOCATION_COLUMNS: tuple[str, ...] = (
    "bid_id",
    "organisation",
    "project",
    "infrastructure_type",
    "ward",
    "amount_requested",
    "score",
    *(f"awarded_{m}" for m in METHODS),
)


def _as_applications(bids: pd.DataFrame) -> pd.DataFrame:
    """Bids in the grants allocator's columns (``infrastructure_type`` is the group column for floors)."""
    return pd.DataFrame(
        {
            "application_id": bids["bid_id"].astype(str).to_numpy(),
            "organisation": bids["organisation"].to_numpy(object),
            "project": bids["project"].to_numpy(object),
            "infrastructure_type": bids["infrastructure_type"].astype(str).to_numpy(),
            "ward": bids["ward"].where(bids["ward"].notna(), "District-wide").to_numpy(object),
            "amount_requested": bids["amount_requested"].astype("float64").to_numpy(),
            "minimum_award": bids["minimum_award"].astype("float64").fillna(bids["amount_requested"]).to_numpy(),
            "score": bids["score"].astype("float64").to_numpy(),
        }
    )


def _in_planning_terms(message: str) -> str:
    for grants_word, planning_word in (
        ("theme minimums", "least shares by infrastructure type"),
        ("A theme", "An infrastructure type"),
        ("a theme minimum", "a least share"),
        ("theme", "infrastructure type"),
        ("requests", "bids"),
    ):
        message = message.replace(grants_word, planning_word)
    return message


def allocate_bids(
    bids: pd.DataFrame,
    budget: float,
    method: str,
    *,
    min_score: float = 0.0,
    partial: bool = False,
    type_floors: Mapping[str, float] | None = None,
    ward_cap: float | None = None,
    applications: pd.DataFrame | None = None,
) -> pd.Series:
    """Allocate the strategic CIL budget to bids with one of the grants area's methods.

    Parameters
    ----------
    bids : DataFrame
        As loaded with :data:`sv_helpers.planning.schemas.CIL_BIDS`.
    budget : float
        The strategic CIL available, in pounds.
    method : str
        ``rank``, ``pro_rata`` or ``optimal``.
    min_score : float
        Bids scoring below it are not funded.
    partial, type_floors, ward_cap
        Used by ``optimal`` only (as in the grants area): partial awards down
        to ``minimum_award``, the least share (0 to 1) of the budget for an
        infrastructure type, the most to any one ward.
    applications : DataFrame, optional
        The bids already in the grants allocator's columns (when allocating the same bids more than once).

    Returns
    -------
    Series
        The award to each bid in pounds, indexed by ``bid_id``, in the bids' order.

    Raises
    ------
    InputError
        When the rules cannot all be met (from the grants allocator), or the budget is not positive.
    """
    if len(bids) == 0:
        return pd.Series(dtype="float64", name="awarded")
    if budget <= 0:
        raise InputError(
            f"There is no strategic CIL to allocate (the budget is £{budget:,.2f}); "
            "add the money carried forward or check the receipts."
        )
    optimal = method == "optimal"
    floors = {str(k): float(v) for k, v in (type_floors or {}).items()} if optimal else {}
    known = set(bids["infrastructure_type"].astype(str))
    unknown = sorted(set(floors) - known)
    if unknown:
        raise InputError(
            f"No bid has the infrastructure type '{unknown[0]}', so it cannot have a minimum share. "
            f"The types bid for are: {', '.join(sorted(known))}."
        )
    rules = grants.AllocationRules(
        method=method,
        available=float(budget),
        min_score=float(min_score),
        partial=bool(partial) and optimal,
        group_floors=floors,
        ward_cap=float(ward_cap) if (ward_cap is not None and optimal) else None,
        name=METHOD_LABELS.get(method, method),
    )
    try:
        allocation = grants.allocate(
            _as_applications(bids) if applications is None else applications, rules, group_column="infrastructure_type"
        )
    except InputError as exc:  # the grants area speaks of themes; here they are infrastructure types
        raise InputError(_in_planning_terms(str(exc))) from None
    return allocation.set_index("application_id")["awarded"].rename("awarded")


def compare_methods(bids: pd.DataFrame, budget: float, **rules) -> pd.DataFrame:
    """Allocate the bids with every method and return ``cil_allocation.csv``: one award column per method."""
    out = pd.DataFrame(
        {
            "bid_id": bids["bid_id"].astype(str).to_numpy(),
            "organisation": bids["organisation"].to_numpy(object),
            "project": bids["project"].to_numpy(object),
            "infrastructure_type": bids["infrastructure_type"].to_numpy(object),
            "ward": bids["ward"].to_numpy(object),
            "amount_requested": bids["amount_requested"].astype("float64").to_numpy(),
            "score": bids["score"].astype("float64").to_numpy(),
        }
    )
    applications = _as_applications(bids)
    for method in METHODS:
        awards = (
            allocate_bids(bids, budget, method, applications=applications, **rules)
            if len(bids)
            else pd.Series(dtype="float64")
        )
        out[f"awarded_{method}"] = awards.reindex(out["bid_id"]).to_numpy(float) if len(bids) else []
    return out[list(ALLOCATION_COLUMNS)]


def method_summary(allocation: pd.DataFrame, budget: float) -> pd.DataFrame:
    """One row per method: total awarded, bids funded, left unallocated and requests not met."""
    rows = []
    for method in METHODS:
        awarded = allocation[f"awarded_{method}"]
        total = float(awarded.sum())
        rows.append(
            {
                "method": METHOD_LABELS[method],
                "budget": round(float(budget), 2),
                "total_awarded": round(total, 2),
                "bids_funded": int((awarded > 0).sum()),
                "bids": int(len(allocation)),
                "unallocated": round(float(budget) - total, 2),
                "unfunded_demand": round(float(allocation["amount_requested"].sum()) - total, 2),
            }
        )
    return pd.DataFrame(rows)


def awarded_by_type(allocation: pd.DataFrame) -> pd.DataFrame:
    """Awards per infrastructure type, one column per method (for the side-by-side chart)."""
    cols = [f"awarded_{m}" for m in METHODS]
    if len(allocation) == 0:
        return pd.DataFrame(columns=["infrastructure_type", *cols])
    return allocation.groupby("infrastructure_type", sort=True)[cols].sum().round(2).reset_index()
