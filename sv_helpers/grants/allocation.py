"""The one allocator: any table of bids under :class:`AllocationRules` (grant applications, CIL bids).

Three named allocation methods:

``rank``
    Applications with ``score >= min_score``, in descending (equity-weighted)
    score, ties by ``application_id``; each gets its request (capped at
    ``max_award``) if it fits in what is left of the budget, else it is
    skipped and the next is tried.
``pro_rata``
    Every application with ``score >= min_score`` gets the same fraction of
    its capped request: the largest fraction, at most 1, that fits the budget.
``optimal``
    The awards that maximise the total (equity-weighted) score of funded
    applications within the budget, solved exactly as an integer programme
    with ``scipy.optimize.milp`` (HiGHS).  Optional: partial awards between
    ``minimum_award`` and the capped request (score weighted by the fraction
    funded), a minimum share of the budget per theme, and a maximum per ward.

The allocator, :func:`allocate`, takes any table of bids and an
:class:`AllocationRules` (or a :class:`Settings`), with the grouping column for
floors and the ward column for caps configurable, so the planning area's
CIL bids are allocated by the same code.

Money is in pounds.  Awards are rounded down to whole pence.

Examples
--------
>>> bids = pd.DataFrame({"application_id": ["A", "B", "C"], "theme": ["x", "x", "y"], "ward": ["Hextable"] * 3,
...                      "amount_requested": [100.0, 50.0, 50.0], "score": [90.0, 80.0, 70.0]})
>>> allocate(bids, AllocationRules(method="rank", available=100))["awarded"].tolist()
[100.0, 0.0, 0.0]
>>> allocate(bids, AllocationRules(method="optimal", available=100))["awarded"].tolist()
[0.0, 50.0, 50.0]
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
import pandas as pd

from sv_helpers.core.errors import Finding, InputError, raise_for_errors
from sv_helpers.core.formatting import format_money, sentence_list
from sv_helpers.grants import deprivation

log = logging.getLogger("sv_helpers")

METHODS: tuple[str, ...] = ("rank", "pro_rata", "optimal")
METHOD_LABELS: dict[str, str] = {
    "rank": "Rank by score",
    "pro_rata": "Pro rata",
    "optimal": "Optimal (best total score)",
}


#: Tolerance for comparing sums of money (pounds).
PENNY = 0.005

#: Columns of every allocation table, in order (the impact report reads these from allocations.csv).
ALLOCATION_COLUMNS: tuple[str, ...] = (
    "application_id",
    "organisation",
    "project",
    "theme",
    "ward",
    "imd_decile",
    "amount_requested",
    "minimum_award",
    "capped_request",
    "score",
    "weighted_score",
    "eligible",
    "awarded",
    "funded",
    "fraction_funded",
    "beneficiaries",
)


# --------------------------------------------------------------------------- the rules of one allocation


class HasRules(Protocol):
    """Anything that gives allocation rules (the grants area's ``Settings``; planning's CIL settings)."""

    def rules(self, name: str | None = None) -> AllocationRules: ...


@dataclass(frozen=True)
class AllocationRules:
    """The rules of one allocation, whatever is being allocated (grant applications, CIL bids).

    Parameters
    ----------
    method : str
        ``rank``, ``pro_rata`` or ``optimal``.
    available : float
        The money to allocate, in pounds (after any committed items).
    max_award : float or None
        The largest award to any one bid; ``None`` for no cap.
    min_score : float
        The lowest score considered (0 considers every bid).
    decile_factors : mapping of int to float or None
        A score multiplier per IMD decile (bids need an ``imd_decile`` column); ``None`` for no weighting.
    partial : bool
        ``optimal`` only: allow awards between ``minimum_award`` and the capped request.
    group_floors : mapping of str to float
        ``optimal`` only: the least share (0 to 1) of ``available`` for each value of the grouping column.
    ward_cap : float or None
        ``optimal`` only: the most awarded in any one ward, in pounds.
    name : str
        Shown in comparisons.
    """

    method: str
    available: float
    max_award: float | None = None
    min_score: float = 0.0
    decile_factors: Mapping[int, float] | None = None
    partial: bool = False
    group_floors: Mapping[str, float] = field(default_factory=dict)
    ward_cap: float | None = None
    name: str = "Scenario"


def check_rules(rules: AllocationRules) -> list[Finding]:
    """Check allocation rules: a known method, money to allocate, sensible caps and shares.

    Returns
    -------
    list of Finding
        Errors for an unknown method, nothing to allocate, a cap of zero or
        less, shares outside 0 to 1 or adding up to more than 1, a factor of
        zero or less; a warning when rules only the optimal method uses are
        given to another method.
    """
    out: list[Finding] = []
    if rules.method not in METHODS:
        out.append(
            Finding("error", f"The method '{rules.method}' is not known; choose one of {sentence_list(list(METHODS))}.")
        )
    if not np.isfinite(rules.available) or rules.available <= 0:
        out.append(
            Finding("error", f"The money to allocate is {format_money(rules.available)}; it must be more than £0.")
        )
    if rules.max_award is not None and (not np.isfinite(rules.max_award) or rules.max_award <= 0):
        out.append(
            Finding(
                "error",
                f"The maximum award is {format_money(rules.max_award)}; it must be more than £0 (leave it empty for "
                "no cap).",
            )
        )
    if not 0 <= rules.min_score <= 100:
        out.append(Finding("error", f"The minimum score is {rules.min_score:g}; it must be between 0 and 100."))
    for decile, factor in (rules.decile_factors or {}).items():
        if not np.isfinite(factor) or factor <= 0:
            out.append(
                Finding(
                    "error",
                    f"The factor for decile {decile} is {factor:g}; it must be more than 0 (1 leaves the score "
                    "unchanged).",
                )
            )
    if rules.ward_cap is not None and (not np.isfinite(rules.ward_cap) or rules.ward_cap <= 0):
        out.append(
            Finding(
                "error",
                f"The maximum per ward is {format_money(rules.ward_cap)}; it must be more than £0 (leave it empty "
                "for no cap).",
            )
        )
    for group, share in rules.group_floors.items():
        if not 0 <= share <= 1:
            out.append(
                Finding(
                    "error",
                    f"The minimum share for '{group}' is {share:g}; give it as a fraction between 0 and 1 (0.2 for "
                    "20%).",
                )
            )
    if sum(rules.group_floors.values()) > 1 + 1e-9:
        out.append(
            Finding(
                "error",
                "The minimum shares add up to more than the whole budget; lower them so they add up to 100% or less.",
            )
        )
    if rules.method != "optimal" and (
        rules.partial or any(v > 0 for v in rules.group_floors.values()) or rules.ward_cap is not None
    ):
        out.append(
            Finding(
                "warning",
                "Partial awards, minimum shares and ward caps are used by the optimal method only; "
                f"'{rules.name}' uses {METHOD_LABELS.get(rules.method, rules.method)}, which ignores them.",
            )
        )
    return out


# --------------------------------------------------------------------------- allocation


def _floor_pence(values: np.ndarray) -> np.ndarray:
    return np.floor(np.round(values * 100, 6)) / 100


def _as_rules(rules: AllocationRules | HasRules) -> AllocationRules:
    if isinstance(rules, AllocationRules):
        return rules
    if hasattr(rules, "rules"):
        return rules.rules()
    raise TypeError(f"allocate() needs AllocationRules or Settings, not {type(rules).__name__}")


@dataclass(frozen=True)
class _Columns:
    id: str
    group: str
    ward: str
    score: str

    def output(self) -> tuple[str, ...]:
        names = {"application_id": self.id, "theme": self.group, "ward": self.ward}
        return tuple(dict.fromkeys(names.get(c, c) for c in ALLOCATION_COLUMNS))


def _base_frame(apps: pd.DataFrame, rules: AllocationRules, cols: _Columns) -> pd.DataFrame:
    # Built as one dict of columns (one DataFrame made, not one column inserted at a time: a redraw makes three).
    columns: dict[str, Any] = {}
    for col in dict.fromkeys((cols.id, "organisation", "project", cols.group, cols.ward)):
        columns[col] = apps[col].astype(object) if col in apps.columns else None
    columns["imd_decile"] = apps["imd_decile"] if "imd_decile" in apps.columns else pd.NA
    requested = apps["amount_requested"].astype("float64")
    columns["amount_requested"] = requested
    minimum = apps["minimum_award"] if "minimum_award" in apps.columns else apps["amount_requested"]
    columns["minimum_award"] = minimum.astype("float64").fillna(requested)
    cap = np.inf if rules.max_award is None else float(rules.max_award)
    columns["capped_request"] = np.minimum(requested, cap)
    score = apps[cols.score].astype("float64")
    columns["score"] = score
    deciles = apps["imd_decile"] if "imd_decile" in apps.columns else pd.Series(np.nan, index=apps.index)
    columns["weighted_score"] = score * deprivation.factor_for(deciles, rules.decile_factors)
    columns["eligible"] = score >= rules.min_score
    if "beneficiaries" in apps.columns:
        columns["beneficiaries"] = apps["beneficiaries"]
    return pd.DataFrame(columns, index=apps.index)


def _finish(out: pd.DataFrame, awarded: np.ndarray, cols: _Columns) -> pd.DataFrame:
    out["awarded"] = _floor_pence(np.asarray(awarded, dtype="float64"))
    out["funded"] = out["awarded"] > 0
    out["fraction_funded"] = np.where(out["capped_request"] > 0, out["awarded"] / out["capped_request"], 0.0).round(4)
    keep = [c for c in cols.output() if c in out.columns]
    return out[keep].reset_index(drop=True)


def _rank(out: pd.DataFrame, rules: AllocationRules, cols: _Columns) -> np.ndarray:
    """Fund eligible bids in descending weighted score (ties by id), skipping any that no longer fit.

    Budget £100; requests £60 (score 90), £50 (score 80), £40 (score 70): the
    first is funded, the second does not fit in the £40 left, the third does.
    """
    order = (
        out[out["eligible"]].sort_values(["weighted_score", cols.id], ascending=[False, True], kind="mergesort").index
    )
    left = rules.available
    awarded = pd.Series(0.0, index=out.index)
    for i in order:
        amount = out.at[i, "capped_request"]
        if amount <= left + PENNY:
            awarded[i] = amount
            left -= amount
    return awarded.to_numpy()


def _pro_rata(out: pd.DataFrame, rules: AllocationRules, cols: _Columns) -> np.ndarray:
    """Give every eligible bid the same fraction of its capped request: the largest (at most 1) within the budget."""
    demand = out.loc[out["eligible"], "capped_request"].sum()
    fraction = 1.0 if demand <= rules.available else rules.available / demand
    return np.where(out["eligible"], out["capped_request"] * fraction, 0.0)


def _optimal(out: pd.DataFrame, rules: AllocationRules, cols: _Columns, time_limit: float = 60.0) -> np.ndarray:
    """Maximise the total weighted score of funded bids within the budget (integer programme, HiGHS).

    All or nothing by default; with ``rules.partial`` an award may lie between
    the (capped) minimum award and the capped request, and counts its score
    times the fraction funded.  ``group_floors`` give a group at least a share
    of the money; ``ward_cap`` limits the total to any one ward.
    """
    from scipy.optimize import Bounds, LinearConstraint, milp  # loaded when an optimal allocation is asked for
    from scipy.sparse import csr_matrix, diags, hstack, identity

    n = len(out)
    cap = out["capped_request"].to_numpy(float)
    lower = np.minimum(out["minimum_award"].to_numpy(float), cap)  # under a cap the least award is the smaller
    value = out["weighted_score"].to_numpy(float)
    eligible = out["eligible"].to_numpy(bool) & (cap > 0)
    budget = rules.available
    awarded = np.zeros(n)
    idx = np.flatnonzero(eligible)
    group_word = cols.group.replace("_", " ")
    floors = {g: s for g, s in rules.group_floors.items() if s > 0}
    known = sorted({str(t) for t in out[cols.group]})
    for group in floors:
        if group not in known:
            raise InputError(
                f"No application has the {group_word} '{group}', so it cannot have a minimum share. "
                f"The values of {group_word} in this round are: {', '.join(known)}."
            )
    if len(idx) == 0:
        return awarded
    m = len(idx)
    c, lo, v = cap[idx], lower[idx], value[idx]
    groups = out[cols.group].astype(str).to_numpy(object)[idx]
    wards = out[cols.ward].to_numpy(object)[idx]
    rows: list[np.ndarray] = []
    lb: list[float] = []
    ub: list[float] = []
    if rules.partial:
        # Variables: x (m binaries: funded) then a (m awards in pounds).
        cost = np.concatenate([np.zeros(m), -v / c])
        integrality = np.concatenate([np.ones(m), np.zeros(m)])
        bounds = Bounds(np.zeros(2 * m), np.concatenate([np.ones(m), c]))
        eye = identity(m, format="csr")
        link_lo = hstack([diags(-lo), eye], format="csr")  # a - lo*x >= 0
        link_hi = hstack([diags(-c), eye], format="csr")  # a - c*x <= 0
        constraints = [LinearConstraint(link_lo, 0, np.inf), LinearConstraint(link_hi, -np.inf, 0)]
        money = np.concatenate([np.zeros(m), np.ones(m)])  # a row picks the awards
    else:
        cost = -v
        integrality = np.ones(m)
        bounds = Bounds(np.zeros(m), np.ones(m))
        constraints = []
        money = c

    def picks(mask: np.ndarray) -> np.ndarray:
        return money * np.concatenate([mask, mask]) if rules.partial else money * mask

    rows.append(money)
    lb.append(-np.inf)
    ub.append(budget)
    for group, share in floors.items():
        rows.append(picks(groups == group))
        lb.append(share * budget)
        ub.append(np.inf)
    if rules.ward_cap is not None:
        for ward in sorted({w for w in wards if w is not None}):
            rows.append(picks(wards == ward))
            lb.append(-np.inf)
            ub.append(float(rules.ward_cap))
    constraints.append(LinearConstraint(csr_matrix(np.vstack(rows)), lb, ub))
    result = milp(
        cost,
        integrality=integrality,
        bounds=bounds,
        constraints=constraints,
        options={"mip_rel_gap": 0.0, "time_limit": time_limit, "presolve": True},
    )
    if result.status == 2:
        shown = ", ".join(f"{g} {s:.0%}" for g, s in floors.items())
        parts = ([f"minimum shares: {shown}"] if shown else []) + (
            [f"at most {format_money(rules.ward_cap)} per ward"] if rules.ward_cap is not None else []
        )
        raise InputError(
            f"No allocation meets all the rules together ({'; '.join(parts)}). "
            f"There may not be enough eligible requests in each {group_word} (after the score threshold and the cap) "
            "to reach its minimum share"
            + (", or the ward cap may stop it" if rules.ward_cap is not None else "")
            + f". Lower the minimum for a {group_word}"
            + (" or raise the ward cap." if rules.ward_cap is not None else ".")
        )
    if result.status != 0:
        raise InputError(
            f"The optimal allocation was not found within {time_limit:g} seconds. Try fewer rules, or the rank method."
        )
    x = np.round(result.x[:m])
    award = np.clip(result.x[m:], 0, c) * x if rules.partial else c * x
    awarded[idx] = award
    if awarded.sum() > budget + PENNY * max(1, m):  # pragma: no cover - a solver tolerance problem, not the user's
        raise RuntimeError(f"optimal allocation {awarded.sum()} exceeds the budget {budget}")
    return awarded


_METHODS = {"rank": _rank, "pro_rata": _pro_rata, "optimal": _optimal}


def allocate(
    bids: pd.DataFrame,
    rules: AllocationRules | HasRules,
    *,
    group_column: str = "theme",
    ward_column: str = "ward",
    id_column: str = "application_id",
    score_column: str = "score",
) -> pd.DataFrame:
    """Allocate money to a table of bids under a named rule: the one allocator of the workbook.

    Parameters
    ----------
    bids : DataFrame
        One row per bid, with ``id_column``, ``amount_requested``, ``score_column``
        (0 to 100), ``group_column`` (for minimum shares) and ``ward_column``
        (for ward caps); optional ``minimum_award`` (the least viable award,
        default the request), ``imd_decile`` (for equity factors),
        ``organisation``, ``project`` and ``beneficiaries`` (carried through).
    rules : AllocationRules or Settings
        The method and its rules; a grants :class:`Settings` gives its :meth:`Settings.rules`.
    group_column, ward_column, id_column, score_column : str
        The names of those columns (``infrastructure_type`` for CIL bids, say).

    Returns
    -------
    DataFrame
        One row per bid in input order: the id, ``organisation``, ``project``,
        the group and ward columns, ``imd_decile, amount_requested,
        minimum_award, capped_request, score, weighted_score, eligible,
        awarded, funded, fraction_funded`` (and ``beneficiaries`` when given);
        ``awarded`` in pounds, rounded down to the penny; ``funded`` is ``awarded > 0``.

    Raises
    ------
    InputError
        When the rules cannot work (:func:`check_rules`), a floor names a group
        no bid has, or no allocation meets the floors and caps together.
    """
    rules = _as_rules(rules)
    raise_for_errors(check_rules(rules))
    missing = [
        c for c in (id_column, "amount_requested", score_column, group_column, ward_column) if c not in bids.columns
    ]
    if missing:
        raise InputError(
            f"The bids have no column {sentence_list([repr(m) for m in missing])}; the allocation needs it."
        )
    cols = _Columns(id=id_column, group=group_column, ward=ward_column, score=score_column)
    out = _base_frame(bids, rules, cols)
    return _finish(out, _METHODS[rules.method](out, rules, cols), cols)


def brute_force_best_score(bids: pd.DataFrame, rules: AllocationRules | HasRules) -> float:
    """Return the best total weighted score of any all-or-nothing set within the budget, by trying every subset.

    For checking the optimal method on small instances (at most ~16 bids).
    """
    rules = _as_rules(rules)
    base = _base_frame(bids, rules, _Columns("application_id", "theme", "ward", "score"))
    base = base[base["eligible"]]
    c = base["capped_request"].to_numpy(float)
    v = base["weighted_score"].to_numpy(float)
    best = 0.0
    for mask in range(1 << len(c)):
        chosen = np.array([(mask >> k) & 1 for k in range(len(c))], dtype=bool)
        if c[chosen].sum() <= rules.available + PENNY:
            best = max(best, float(v[chosen].sum()))
    return best
