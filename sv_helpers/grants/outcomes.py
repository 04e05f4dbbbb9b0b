"""The results of one allocation: its headline figures, the funding by theme, decile and ward, why a bid was
not funded, and how scenarios differ."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from sv_helpers.core.formatting import format_money
from sv_helpers.core.parameters import parameter_value
from sv_helpers.core.scenario import SettingsBase
from sv_helpers.grants import deprivation
from sv_helpers.grants.allocation import PENNY, allocate

log = logging.getLogger("sv_helpers")


@lru_cache(maxsize=1)
def most_deprived_threshold() -> int:
    """The highest IMD decile counted as most deprived (``data/parameters/grants``, read once)."""
    return int(parameter_value("grants.most_deprived_decile"))


# --------------------------------------------------------------------------- results of one allocation


def summarise_allocation(
    allocation: pd.DataFrame,
    settings: SettingsBase,
    *,
    name: str | None = None,
    most_deprived_decile: int | None = None,
) -> dict[str, Any]:
    """Return the headline figures of one allocation.

    Returns
    -------
    dict
        ``scenario, method, budget, committed, available, total_awarded,
        unallocated, number_funded, number_of_applications, unfunded_demand``
        (requests not met), ``most_deprived_share`` (percentage of the
        awarded total going to areas in deciles up to ``most_deprived_decile``),
        ``wards_reached`` and ``total_score_funded``.
    """
    if most_deprived_decile is None:
        most_deprived_decile = most_deprived_threshold()
    total = float(allocation["awarded"].sum())
    deprived = float(
        allocation.loc[allocation["imd_decile"].astype("float64") <= most_deprived_decile, "awarded"].sum()
    )
    return {
        "scenario": name or settings.name,
        "method": settings.method,
        "budget": float(settings.budget),
        "committed": settings.committed_total,
        "available": settings.available,
        "total_awarded": round(total, 2),
        "unallocated": round(settings.available - total, 2),
        "number_funded": int(allocation["funded"].sum()),
        "number_of_applications": int(len(allocation)),
        "unfunded_demand": round(float(allocation["amount_requested"].sum()) - total, 2),
        "most_deprived_share": round(100 * deprived / total, 1) if total > 0 else 0.0,
        "wards_reached": int(allocation.loc[allocation["funded"], "ward"].nunique()),
        "total_score_funded": round(float((allocation["weighted_score"] * allocation["fraction_funded"]).sum()), 2),
    }


def outcome_differences(allocations: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """Return the applications whose award differs between the allocations (one award column per scenario)."""
    if not allocations:
        return pd.DataFrame(columns=["application_id", "organisation", "ward", "amount_requested"])
    first = next(iter(allocations.values()))
    table = first[["application_id", "organisation", "ward", "amount_requested"]].copy()
    for name, alloc in allocations.items():
        table[name] = alloc.set_index("application_id").loc[table["application_id"], "awarded"].to_numpy()
    awards = table[list(allocations)].to_numpy(float)
    differs = (np.abs(awards - awards[:, :1]) > PENNY).any(axis=1)
    return table[differs].reset_index(drop=True)


def compare_scenarios(
    applications: pd.DataFrame, scenarios: Mapping[str, SettingsBase]
) -> tuple[pd.DataFrame, dict[str, pd.DataFrame], pd.DataFrame]:
    """Run several scenarios (name → settings) on the same applications and compare them.

    Returns
    -------
    summary : DataFrame
        One row per scenario: :func:`summarise_allocation`'s figures.
    allocations : dict of str to DataFrame
        Each scenario's allocation, by name.
    differences : DataFrame
        The applications whose award differs between scenarios:
        ``application_id, organisation, ward, amount_requested`` and one
        column of awards per scenario.
    """
    allocations = {name: allocate(applications, s.rules(name)) for name, s in scenarios.items()}
    summary = pd.DataFrame([summarise_allocation(allocations[n], s, name=n) for n, s in scenarios.items()])
    return summary, allocations, outcome_differences(allocations)


def funding_by(allocation: pd.DataFrame, column: str) -> pd.DataFrame:
    """Return the awarded total, number funded and amount requested per value of ``column`` (theme, ward, decile)."""
    groups = allocation.groupby(column, dropna=False)
    sums = groups[["awarded", "funded", "amount_requested"]].sum()
    out = pd.DataFrame(
        {
            "awarded": sums["awarded"],
            "number_funded": sums["funded"],
            "amount_requested": sums["amount_requested"],
            "applications": groups.size(),
        }
    ).reset_index()
    out["awarded"] = out["awarded"].round(2)
    out["number_funded"] = out["number_funded"].astype("int64")
    return out


def funding_by_decile(allocation: pd.DataFrame) -> pd.DataFrame:
    """Return :func:`funding_by` for IMD deciles 1 to 10, with zero rows for deciles no application is in."""
    table = funding_by(allocation, "imd_decile").set_index("imd_decile")
    table = table.reindex(range(1, 11), fill_value=0)
    table.index.name = "imd_decile"
    return table.reset_index()


def funding_by_ward(allocation: pd.DataFrame, *, edition: int | None = None) -> pd.DataFrame:
    """Return :func:`funding_by` for every Sevenoaks ward (zero for wards with none), with each ward's code and decile
    in the IMD ``edition`` (the default edition when None)."""
    wards = deprivation.ward_deciles(edition)[["ward_code", "ward", "imd_decile"]]
    table = funding_by(allocation, "ward")
    out = wards.merge(table, on="ward", how="left")
    for col in ("awarded", "amount_requested"):
        out[col] = out[col].fillna(0.0)
    for col in ("number_funded", "applications"):
        out[col] = out[col].fillna(0).astype("int64")
    return out


def why_not_funded(allocation: pd.DataFrame, settings: SettingsBase) -> pd.DataFrame:
    """Return the applications not funded, each with the reason in plain English.

    Columns: ``application_id, organisation, theme, ward, amount_requested, score, weighted_score, reason``.
    """
    rules = settings.rules()
    reasons: dict[int, str] = {}
    if rules.method == "rank":
        order = (
            allocation[allocation["eligible"]]
            .sort_values(["weighted_score", "application_id"], ascending=[False, True], kind="mergesort")
            .index
        )
        left = rules.available
        for i in order:
            if allocation.at[i, "funded"]:
                left -= float(allocation.at[i, "awarded"])
            else:
                reasons[i] = (
                    f"Its request ({format_money(allocation.at[i, 'capped_request'])}) did not fit in the "
                    f"{format_money(max(left, 0.0))} left when its turn came in score order."
                )
    for i, row in allocation.iterrows():
        if row["funded"] or i in reasons:
            continue
        if not row["eligible"]:
            reasons[i] = f"Its score ({row['score']:g}) is below the minimum score ({rules.min_score:g})."
        elif rules.method == "optimal":
            reasons[i] = "Not in the set of awards with the best total score that fits the budget" + (
                " and the minimum shares and ward cap." if rules.group_floors or rules.ward_cap else "."
            )
        else:
            reasons[i] = "Its pro rata share rounds to nothing."
    unfunded = allocation[~allocation["funded"]]
    out = unfunded[
        ["application_id", "organisation", "theme", "ward", "amount_requested", "score", "weighted_score"]
    ].copy()
    out["reason"] = [reasons[i] for i in unfunded.index]
    return out.sort_values(["weighted_score", "application_id"], ascending=[False, True]).reset_index(drop=True)


def headline(summary: Mapping[str, Any]) -> str:
    """Return one plain sentence about an allocation, for the notebook and the app."""
    return (
        f"{summary['scenario']}: {format_money(summary['total_awarded'])} awarded to {summary['number_funded']} of "
        f"{summary['number_of_applications']} applications from {format_money(summary['available'])} available"
        + (
            f" ({format_money(summary['budget'])} less {format_money(summary['committed'])} committed)"
            if summary["committed"]
            else ""
        )
        + "; "
        f"{format_money(summary['unfunded_demand'])} of requests unfunded; {summary['wards_reached']} wards reached; "
        f"{summary['most_deprived_share']:.1f}% to the most deprived areas."
    )
