"""Community grant allocation: load applications, check them, allocate a budget and compare scenarios (model layer).

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

Money is in pounds.  Awards are rounded down to whole pence.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Iterable, Mapping

import numpy as np
import pandas as pd
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import csr_matrix, diags, hstack, identity

from sv_helpers import deprivation
from sv_helpers.errors import Finding, InputError, raise_for_errors
from sv_helpers.formatting import format_money, sentence_list
from sv_helpers.parameters import parameter_value
from sv_helpers.tables import Column, TableSchema, load_table

METHODS: tuple[str, ...] = ("rank", "pro_rata", "optimal")
METHOD_LABELS: dict[str, str] = {
    "rank": "Rank by score",
    "pro_rata": "Pro rata",
    "optimal": "Optimal (best total score)",
}
CRITERIA: tuple[str, ...] = ("need", "community_benefit", "deliverability", "value_for_money")

#: Tolerance for comparing sums of money (pounds).
PENNY = 0.005

APPLICATIONS = TableSchema(
    "applications",
    (
        Column("application_id", "text", unique=True, description="A unique reference for the application."),
        Column("organisation", "text", description="The applying group's name."),
        Column("project", "text", description="What the grant would pay for."),
        Column("theme", "text", description="The scheme theme the project serves, e.g. Older people."),
        Column("ward", "text", required=False, allow_blank=True, description="The Sevenoaks ward (2013 names) where the project's beneficiaries live; or give lsoa_code."),
        Column("lsoa_code", "text", required=False, allow_blank=True, label="LSOA code", description="The LSOA (2011 code) of the project, used for its deprivation decile when given."),
        Column("amount_requested", "money", minimum=1, description="The grant asked for, in pounds."),
        Column("score", "number", required=False, allow_blank=True, minimum=0, maximum=100, description="The moderated assessment score, 0 to 100; computed from the criterion scores when blank."),
        Column("minimum_award", "money", required=False, allow_blank=True, minimum=0, description="The least that keeps the project viable; blank means the full request (all or nothing)."),
        Column("beneficiaries", "integer", required=False, allow_blank=True, minimum=0, description="The number of people the project would benefit."),
        Column("need", "number", required=False, allow_blank=True, minimum=0, maximum=100, description="Assessors' score for need, 0 to 100."),
        Column("community_benefit", "number", required=False, allow_blank=True, minimum=0, maximum=100, description="Assessors' score for community benefit, 0 to 100."),
        Column("deliverability", "number", required=False, allow_blank=True, minimum=0, maximum=100, description="Assessors' score for deliverability, 0 to 100."),
        Column("value_for_money", "number", required=False, allow_blank=True, minimum=0, maximum=100, description="Assessors' score for value for money, 0 to 100."),
        Column("charity_number", "text", required=False, allow_blank=True, description="Registered charity number, if any."),
        Column("postcode", "text", required=False, allow_blank=True, description="The organisation's postcode."),
    ),
    description="One row per grant application.",
)

#: Columns of every allocation table, in order (the impact report reads these from allocations.csv).
ALLOCATION_COLUMNS: tuple[str, ...] = (
    "application_id", "organisation", "project", "theme", "ward", "imd_decile", "amount_requested",
    "minimum_award", "capped_request", "score", "weighted_score", "eligible", "awarded", "funded",
    "fraction_funded", "beneficiaries",
)


# --------------------------------------------------------------------------- settings


def _left_after_sla() -> float:
    """The scheme's budget less the Citizens Advice SLA (``data/parameters/grants``): the default budget of a scenario."""
    return float(parameter_value("grants.scheme_budget")) - float(parameter_value("grants.citizens_advice_sla"))


@dataclass(frozen=True)
class Scenario:
    """One allocation scenario.

    Parameters
    ----------
    name : str
        A short name shown in the comparison.
    method : str
        ``rank``, ``pro_rata`` or ``optimal``.
    budget : float
        The scheme's budget for the round in pounds, before committed items
        (default: the 2012/13 scheme budget less the Citizens Advice SLA).
    committed : mapping of str to float
        Items paid first (e.g. a service-level agreement), by name.
    max_award : float or None
        The largest award to any one application; ``None`` for no cap.
    min_score : float
        The lowest moderated score considered.
    equity_weight : float
        Score multiplier for decile 1, tapering to 1 at decile 10 (1 = none).
    decile_factors : mapping of int to float
        A score multiplier chosen for each IMD decile (1 to 10); when given it
        replaces the taper of ``equity_weight``, and deciles left out get 1.
    partial : bool
        ``optimal`` only: allow awards between ``minimum_award`` and the capped request.
    theme_floors : mapping of str to float
        ``optimal`` only: the least share (0 to 1) of the available budget for a theme.
    ward_cap : float or None
        ``optimal`` only: the most awarded in any one ward, in pounds.
    """

    name: str = "Scenario"
    method: str = "rank"
    budget: float = field(default_factory=lambda: _left_after_sla())
    committed: Mapping[str, float] = field(default_factory=dict)
    max_award: float | None = None
    min_score: float = 0.0
    equity_weight: float = 1.0
    decile_factors: Mapping[int, float] = field(default_factory=dict)
    partial: bool = False
    theme_floors: Mapping[str, float] = field(default_factory=dict)
    ward_cap: float | None = None

    @property
    def committed_total(self) -> float:
        return float(sum(self.committed.values()))

    @property
    def available(self) -> float:
        """The budget left for grants after committed items."""
        return float(self.budget) - self.committed_total

    def as_parameters(self) -> dict[str, Any]:
        """Return the scenario as plain values for a provenance record."""
        return {
            "name": self.name, "method": self.method, "budget": self.budget, "committed": dict(self.committed),
            "available": self.available, "max_award": self.max_award, "min_score": self.min_score,
            "equity_weight": self.equity_weight, "decile_factors": {str(k): float(v) for k, v in self.decile_factors.items()},
            "partial": self.partial,
            "theme_floors": dict(self.theme_floors), "ward_cap": self.ward_cap,
        }


def default_scenario(**changes: Any) -> Scenario:
    """Return the scheme's 2012/13 set-up from ``data/parameters/grants``: £153,331 less the Citizens Advice SLA, ranked."""
    base = Scenario(
        name="Rank by score",
        method="rank",
        budget=float(parameter_value("grants.scheme_budget")),
        committed={"Citizens Advice service-level agreement": float(parameter_value("grants.citizens_advice_sla"))},
        min_score=float(parameter_value("grants.min_score")),
        equity_weight=float(parameter_value("grants.equity_weight")),
    )
    return replace(base, **changes)


def _decile_number(value: Any) -> int | None:
    """Return a decile 1 to 10 given as a number or as text ("3", from papermill or a link), else ``None``."""
    text = str(value).strip()
    return int(text) if text.isdigit() and 1 <= int(text) <= 10 else None


def equity_factors_of(scenario: Scenario) -> dict[int, float] | None:
    """Return the score multiplier per IMD decile a scenario uses (``None`` for no weighting)."""
    if scenario.decile_factors:
        return {_decile_number(k): float(v) for k, v in scenario.decile_factors.items()}
    if scenario.equity_weight != 1:
        return deprivation.equity_factors(scenario.equity_weight)
    return None


def criterion_weights() -> dict[str, float]:
    """Return the declared weights of the four criterion scores (from ``data/parameters/grants``)."""
    return {c: float(parameter_value(f"grants.criterion_weight_{c}")) for c in CRITERIA}


# --------------------------------------------------------------------------- loading and checks


def check_settings(scenario: Scenario) -> list[Finding]:
    """Check a scenario's settings: a budget left after committed items, sensible caps and shares.

    Returns
    -------
    list of Finding
        Errors for a budget of zero or less (before or after committed items),
        an unknown method, a cap of zero or less, a negative committed item,
        a score threshold outside 0 to 100, theme floors outside 0 to 1 or
        adding up to more than 1, and an equity weight below 1.
    """
    out: list[Finding] = []
    if scenario.method not in METHODS:
        out.append(Finding("error", f"The method '{scenario.method}' is not known; choose one of {sentence_list(list(METHODS))}."))
    if not np.isfinite(scenario.budget) or scenario.budget <= 0:
        out.append(Finding("error", f"The budget is {format_money(scenario.budget)}; it must be more than £0. Enter the money available for this round."))
    for name, amount in scenario.committed.items():
        if not np.isfinite(amount) or amount < 0:
            out.append(Finding("error", f"The committed item '{name}' is {format_money(amount)}; committed amounts cannot be negative."))
    if scenario.budget > 0 and scenario.available <= 0:
        out.append(Finding(
            "error",
            f"The committed items ({format_money(scenario.committed_total)}) use up the whole budget ({format_money(scenario.budget)}), "
            "leaving nothing to allocate. Raise the budget or remove a committed item.",
        ))
    if scenario.max_award is not None and (not np.isfinite(scenario.max_award) or scenario.max_award <= 0):
        out.append(Finding("error", f"The maximum award is {format_money(scenario.max_award)}; it must be more than £0 (leave it empty for no cap)."))
    if not 0 <= scenario.min_score <= 100:
        out.append(Finding("error", f"The minimum score is {scenario.min_score:g}; it must be between 0 and 100."))
    if scenario.equity_weight < 1:
        out.append(Finding("error", f"The equity weight is {scenario.equity_weight:g}; it must be 1 (no weighting) or more."))
    for decile, factor in scenario.decile_factors.items():
        if _decile_number(decile) is None:
            out.append(Finding("error", f"'{decile}' is not an IMD decile; deciles are whole numbers from 1 (most deprived) to 10."))
        elif not np.isfinite(factor) or factor <= 0:
            out.append(Finding("error", f"The factor for decile {decile} is {factor:g}; it must be more than 0 (1 leaves the score unchanged)."))
    if scenario.decile_factors and scenario.equity_weight != 1:
        out.append(Finding("warning", "Factors are given for each decile, so they are used and the equity weight is not."))
    if scenario.ward_cap is not None and scenario.ward_cap <= 0:
        out.append(Finding("error", f"The maximum per ward is {format_money(scenario.ward_cap)}; it must be more than £0 (leave it empty for no cap)."))
    for theme, share in scenario.theme_floors.items():
        if not 0 <= share <= 1:
            out.append(Finding("error", f"The minimum share for the theme '{theme}' is {share:g}; give it as a fraction between 0 and 1 (0.2 for 20%)."))
    if sum(scenario.theme_floors.values()) > 1 + 1e-9:
        out.append(Finding("error", "The minimum shares of the themes add up to more than the whole budget; lower them so they add up to 100% or less."))
    if scenario.method != "optimal" and (scenario.partial or scenario.theme_floors or scenario.ward_cap is not None):
        out.append(Finding("warning", f"Partial awards, theme minimums and ward caps are used by the optimal method only; '{scenario.name}' uses {METHOD_LABELS.get(scenario.method, scenario.method)}, which ignores them."))
    return out


def check_applications(applications: pd.DataFrame, *, filename: str = "the applications file") -> list[Finding]:
    """Check loaded applications beyond what the loader checks.

    Finds unknown wards and LSOA codes, rows with neither, a minimum award
    above the request, and rows with no score and incomplete criterion scores.
    The loader itself refuses duplicate ids, non-numeric or negative amounts
    and scores outside 0 to 100.

    Parameters
    ----------
    applications : DataFrame
        As returned by :func:`sv_helpers.tables.load_table` with :data:`APPLICATIONS`
        (its index holds the spreadsheet row numbers).
    filename : str
        The file's name, for messages.

    Returns
    -------
    list of Finding
    """
    out: list[Finding] = []
    lsoas = deprivation.lsoa_deciles().set_index("lsoa_code")
    for row, app in applications.iterrows():
        where = f"{filename}, row {row} ({app['application_id']})"
        ward, lsoa = app.get("ward"), app.get("lsoa_code")
        has_ward = isinstance(ward, str) and ward.strip() != ""
        has_lsoa = isinstance(lsoa, str) and lsoa.strip() != ""
        if not has_ward and not has_lsoa:
            out.append(Finding("error", f"{where}: give the ward (a Sevenoaks ward name) or the lsoa_code; both are empty."))
        if has_ward and deprivation.match_ward(ward) is None:
            out.append(Finding("error", f"{where}, column 'ward': '{ward}' is not a Sevenoaks ward (2013 ward names). Check the spelling against the template's ward list."))
        if has_lsoa and lsoa.strip().upper() not in lsoas.index:
            out.append(Finding("error", f"{where}, column 'lsoa_code': '{lsoa}' is not a Sevenoaks LSOA (2011 codes start E010...). Leave it empty and give the ward instead."))
        elif has_lsoa and has_ward and deprivation.match_ward(ward) is not None:
            lsoa_ward = lsoas.loc[lsoa.strip().upper(), "ward"]
            if lsoa_ward != deprivation.match_ward(ward):
                out.append(Finding("warning", f"{where}: LSOA {lsoa} lies in {lsoa_ward}, not {ward}; the ward given is used for the map and the LSOA for deprivation."))
        minimum = app.get("minimum_award")
        if minimum is not None and pd.notna(minimum) and minimum > app["amount_requested"] + PENNY:
            out.append(Finding("error", f"{where}: the minimum award ({format_money(minimum, 2)}) is more than the amount requested ({format_money(app['amount_requested'], 2)}); it must be at most the request."))
        score = app.get("score")
        if score is None or pd.isna(score):
            missing = [c for c in CRITERIA if c not in applications.columns or pd.isna(app.get(c))]
            if missing:
                out.append(Finding("error", f"{where}: the score is empty and the criterion scores {sentence_list([repr(m) for m in missing])} are missing too; give the moderated score or all four criterion scores."))
    return out


def prepare_applications(applications: pd.DataFrame, weights: Mapping[str, float] | None = None) -> pd.DataFrame:
    """Return checked applications with official ward names, a score for every row and each area's IMD decile.

    A blank ``score`` is computed from the criterion scores with ``weights``
    (default: :func:`criterion_weights`), divided by the sum of the weights.
    The decile is the LSOA's when ``lsoa_code`` is given, else the ward's.

    Raises
    ------
    InputError
        When :func:`check_applications` finds an error.
    """
    raise_for_errors(check_applications(applications))
    weights = dict(weights or criterion_weights())
    out = applications.copy()
    lsoas = deprivation.lsoa_deciles().set_index("lsoa_code")
    wards = deprivation.ward_deciles().set_index("ward")
    ward_out, decile_out = [], []
    for _, app in out.iterrows():
        lsoa = app.get("lsoa_code")
        lsoa = lsoa.strip().upper() if isinstance(lsoa, str) and lsoa.strip() else None
        ward = app.get("ward")
        ward = deprivation.match_ward(ward) if isinstance(ward, str) and ward.strip() else None
        if ward is None and lsoa is not None:
            ward = str(lsoas.loc[lsoa, "ward"])
        decile = int(lsoas.loc[lsoa, "imd_decile"]) if lsoa is not None else int(wards.loc[ward, "imd_decile"])
        ward_out.append(ward)
        decile_out.append(decile)
    out["ward"] = ward_out
    out["imd_decile"] = pd.Series(decile_out, index=out.index, dtype="int64")
    blank = out["score"].isna()
    if blank.any():
        total = sum(weights.values())
        if total <= 0:
            raise InputError("The criterion weights add up to zero, so scores cannot be computed from the criterion scores.")
        computed = sum(out[c].astype("float64") * w for c, w in weights.items()) / total
        out["score_source"] = np.where(blank, "computed from criterion scores", "moderated score")
        out["score"] = out["score"].where(~blank, computed.round(2))
    else:
        out["score_source"] = "moderated score"
    out["score"] = out["score"].astype("float64")
    out["minimum_award"] = out["minimum_award"].astype("float64").fillna(out["amount_requested"])
    return out


def load_applications(source: str | Path | bytes, *, filename: str | None = None) -> pd.DataFrame:
    """Load, check and prepare an applications file (CSV or .xlsx, a path or an upload's bytes).

    Raises
    ------
    InputError
        With the file, row and column of each problem.
    """
    name = filename or Path(str(source)).name
    table = load_table(source, APPLICATIONS, filename=filename)
    raise_for_errors(check_applications(table, filename=name))
    return prepare_applications(table)


# --------------------------------------------------------------------------- allocation


def _floor_pence(values: np.ndarray) -> np.ndarray:
    return np.floor(np.round(values * 100, 6)) / 100


def _base_frame(apps: pd.DataFrame, scenario: Scenario) -> pd.DataFrame:
    out = pd.DataFrame(index=apps.index)
    for col in ("application_id", "organisation", "project", "theme", "ward"):
        out[col] = apps[col].astype(object) if col in apps.columns else None
    out["imd_decile"] = apps["imd_decile"] if "imd_decile" in apps.columns else pd.NA
    out["amount_requested"] = apps["amount_requested"].astype("float64")
    minimum = apps["minimum_award"] if "minimum_award" in apps.columns else apps["amount_requested"]
    out["minimum_award"] = minimum.astype("float64").fillna(out["amount_requested"])
    cap = np.inf if scenario.max_award is None else float(scenario.max_award)
    out["capped_request"] = np.minimum(out["amount_requested"], cap)
    out["score"] = apps["score"].astype("float64")
    factors = equity_factors_of(scenario)
    deciles = out["imd_decile"] if "imd_decile" in apps.columns else pd.Series(np.nan, index=apps.index)
    out["weighted_score"] = out["score"] * deprivation.factor_for(deciles, factors)
    out["eligible"] = out["score"] >= scenario.min_score
    if "beneficiaries" in apps.columns:
        out["beneficiaries"] = apps["beneficiaries"]
    return out


def _finish(out: pd.DataFrame, awarded: np.ndarray) -> pd.DataFrame:
    out["awarded"] = _floor_pence(np.asarray(awarded, dtype="float64"))
    out["funded"] = out["awarded"] > 0
    out["fraction_funded"] = np.where(out["capped_request"] > 0, out["awarded"] / out["capped_request"], 0.0).round(4)
    cols = [c for c in ALLOCATION_COLUMNS if c in out.columns]
    return out[cols].reset_index(drop=True)


def allocate_rank(apps: pd.DataFrame, scenario: Scenario) -> pd.DataFrame:
    """Fund eligible applications in descending weighted score (ties by id), skipping any that no longer fit.

    Examples
    --------
    Budget £100; requests £60 (score 90), £50 (score 80), £40 (score 70): the
    first is funded, the second does not fit in the £40 left, the third does.
    """
    out = _base_frame(apps, scenario)
    order = out[out["eligible"]].sort_values(["weighted_score", "application_id"], ascending=[False, True], kind="mergesort").index
    left = scenario.available
    awarded = pd.Series(0.0, index=out.index)
    for i in order:
        amount = out.at[i, "capped_request"]
        if amount <= left + PENNY:
            awarded[i] = amount
            left -= amount
    return _finish(out, awarded.to_numpy())


def allocate_pro_rata(apps: pd.DataFrame, scenario: Scenario) -> pd.DataFrame:
    """Give every eligible application the same fraction of its capped request: the largest (≤ 1) within the budget."""
    out = _base_frame(apps, scenario)
    demand = out.loc[out["eligible"], "capped_request"].sum()
    fraction = 1.0 if demand <= scenario.available else scenario.available / demand
    awarded = np.where(out["eligible"], out["capped_request"] * fraction, 0.0)
    return _finish(out, awarded)


def allocate_optimal(apps: pd.DataFrame, scenario: Scenario, *, time_limit: float = 60.0) -> pd.DataFrame:
    """Maximise the total weighted score of funded applications within the budget (integer programme, HiGHS).

    All or nothing by default: each eligible application gets its capped
    request or nothing.  With ``scenario.partial`` an award may lie between
    the (capped) minimum award and the capped request, and counts its score
    times the fraction funded.  ``theme_floors`` give a theme at least a share
    of the available budget; ``ward_cap`` limits the total to any one ward.

    Raises
    ------
    InputError
        When no allocation meets the theme minimums and ward caps together.
    """
    out = _base_frame(apps, scenario)
    n = len(out)
    cap = out["capped_request"].to_numpy(float)
    # Under a cap the least award is the smaller of the minimum award and the cap.
    lower = np.minimum(out["minimum_award"].to_numpy(float), cap)
    value = out["weighted_score"].to_numpy(float)
    eligible = out["eligible"].to_numpy(bool) & (cap > 0)
    budget = scenario.available
    awarded = np.zeros(n)
    idx = np.flatnonzero(eligible)
    if len(idx) == 0:
        return _finish(out, awarded)
    m = len(idx)
    c, lo, v = cap[idx], lower[idx], value[idx]
    themes = out["theme"].to_numpy(object)[idx]
    wards = out["ward"].to_numpy(object)[idx]
    rows: list[np.ndarray] = []
    lb: list[float] = []
    ub: list[float] = []

    if scenario.partial:
        # Variables: x (m binaries: funded) then a (m awards in pounds).
        nvar = 2 * m
        cost = np.concatenate([np.zeros(m), -v / c])
        integrality = np.concatenate([np.ones(m), np.zeros(m)])
        bounds = Bounds(np.zeros(nvar), np.concatenate([np.ones(m), c]))
        eye = identity(m, format="csr")
        link_lo = hstack([diags(-lo), eye], format="csr")  # a - lo*x >= 0
        link_hi = hstack([diags(-c), eye], format="csr")  # a - c*x <= 0
        constraints = [LinearConstraint(link_lo, 0, np.inf), LinearConstraint(link_hi, -np.inf, 0)]
        money = np.concatenate([np.zeros(m), np.ones(m)])  # a row picks the awards
    else:
        nvar = m
        cost = -v
        integrality = np.ones(m)
        bounds = Bounds(np.zeros(m), np.ones(m))
        constraints = []
        money = c
    rows.append(money)
    lb.append(-np.inf)
    ub.append(budget)
    known = sorted({str(t) for t in out["theme"]})
    for theme, share in scenario.theme_floors.items():
        if share <= 0:
            continue
        if theme not in known:
            raise InputError(f"No application has the theme '{theme}', so it cannot have a minimum share. The themes in this round are: {', '.join(known)}.")
        mask = themes == theme
        rows.append(money * np.concatenate([mask, mask]) if scenario.partial else money * mask)
        lb.append(share * budget)
        ub.append(np.inf)
    if scenario.ward_cap is not None:
        for ward in sorted({w for w in wards if w is not None}):
            mask = wards == ward
            rows.append(money * np.concatenate([mask, mask]) if scenario.partial else money * mask)
            lb.append(-np.inf)
            ub.append(float(scenario.ward_cap))
    constraints.append(LinearConstraint(csr_matrix(np.vstack(rows)), lb, ub))
    result = milp(cost, integrality=integrality, bounds=bounds, constraints=constraints, options={"mip_rel_gap": 0.0, "time_limit": time_limit, "presolve": True})
    if result.status == 2:
        floors = ", ".join(f"{t} {s:.0%}" for t, s in scenario.theme_floors.items() if s > 0)
        rules = ([f"theme minimums: {floors}"] if floors else []) + ([f"at most {format_money(scenario.ward_cap)} per ward"] if scenario.ward_cap is not None else [])
        raise InputError(
            f"No allocation meets all the rules together ({'; '.join(rules)}). "
            "A theme may not have enough eligible requests (after the score threshold and the cap) to reach its minimum share"
            + (", or the ward cap may stop it reaching it" if scenario.ward_cap is not None else "")
            + ". Lower a theme minimum" + (" or raise the ward cap." if scenario.ward_cap is not None else ".")
        )
    if result.status != 0:
        raise InputError(f"The optimal allocation was not found within {time_limit:g} seconds. Try fewer rules, or the rank method.")
    x = np.round(result.x[:m])
    award = np.clip(result.x[m:], 0, c) * x if scenario.partial else c * x
    awarded[idx] = award
    if awarded.sum() > budget + PENNY * max(1, m):  # pragma: no cover - a solver tolerance problem, not the user's
        raise RuntimeError(f"optimal allocation {awarded.sum()} exceeds the budget {budget}")
    return _finish(out, awarded)


def allocate(applications: pd.DataFrame, scenario: Scenario) -> pd.DataFrame:
    """Allocate the available budget with the scenario's method.

    Parameters
    ----------
    applications : DataFrame
        Prepared applications (:func:`load_applications` or :func:`prepare_applications`);
        needs ``application_id, theme, ward, amount_requested, score`` at least.
    scenario : Scenario
        The method and its settings.

    Returns
    -------
    DataFrame
        :data:`ALLOCATION_COLUMNS` (``beneficiaries`` when given), one row per
        application in input order; ``awarded`` in pounds, ``funded`` is
        ``awarded > 0``.

    Raises
    ------
    InputError
        When the settings are wrong (see :func:`check_settings`).
    """
    raise_for_errors(check_settings(scenario))
    method = {"rank": allocate_rank, "pro_rata": allocate_pro_rata, "optimal": allocate_optimal}[scenario.method]
    return method(applications, scenario)


# --------------------------------------------------------------------------- results


def summarise_allocation(allocation: pd.DataFrame, scenario: Scenario, *, most_deprived_decile: int | None = None) -> dict[str, Any]:
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
        most_deprived_decile = int(parameter_value("grants.most_deprived_decile"))
    total = float(allocation["awarded"].sum())
    deprived = float(allocation.loc[allocation["imd_decile"].astype("float64") <= most_deprived_decile, "awarded"].sum())
    return {
        "scenario": scenario.name,
        "method": scenario.method,
        "budget": float(scenario.budget),
        "committed": scenario.committed_total,
        "available": scenario.available,
        "total_awarded": round(total, 2),
        "unallocated": round(scenario.available - total, 2),
        "number_funded": int(allocation["funded"].sum()),
        "number_of_applications": int(len(allocation)),
        "unfunded_demand": round(float(allocation["amount_requested"].sum()) - total, 2),
        "most_deprived_share": round(100 * deprived / total, 1) if total > 0 else 0.0,
        "wards_reached": int(allocation.loc[allocation["funded"], "ward"].nunique()),
        "total_score_funded": round(float((allocation["weighted_score"] * allocation["fraction_funded"]).sum()), 2),
    }


def compare_scenarios(applications: pd.DataFrame, scenarios: Iterable[Scenario]) -> tuple[pd.DataFrame, dict[str, pd.DataFrame], pd.DataFrame]:
    """Run several scenarios on the same applications and compare them.

    Returns
    -------
    summary : DataFrame
        One row per scenario: :func:`summarise_allocation`'s figures.
    allocations : dict of str to DataFrame
        Each scenario's allocation, by scenario name.
    differences : DataFrame
        The applications whose award differs between scenarios:
        ``application_id, organisation, ward, amount_requested`` and one
        column of awards per scenario.

    Raises
    ------
    InputError
        When two scenarios share a name, or a scenario's settings are wrong.
    """
    scenarios = list(scenarios)
    names = [s.name for s in scenarios]
    if len(set(names)) != len(names):
        raise InputError("Two scenarios have the same name; give each scenario its own name.")
    allocations = {s.name: allocate(applications, s) for s in scenarios}
    summary = pd.DataFrame([summarise_allocation(allocations[s.name], s) for s in scenarios])
    return summary, allocations, outcome_differences(allocations)


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


def funding_by(allocation: pd.DataFrame, column: str) -> pd.DataFrame:
    """Return the awarded total, number funded and amount requested per value of ``column`` (theme, ward, imd_decile)."""
    grouped = allocation.groupby(column, dropna=False).agg(
        awarded=("awarded", "sum"), number_funded=("funded", "sum"), amount_requested=("amount_requested", "sum"), applications=("application_id", "size")
    )
    out = grouped.reset_index()
    out["awarded"] = out["awarded"].round(2)
    out["number_funded"] = out["number_funded"].astype("int64")
    return out


def funding_by_decile(allocation: pd.DataFrame) -> pd.DataFrame:
    """Return :func:`funding_by` for IMD deciles 1 to 10, with zero rows for deciles no application is in."""
    table = funding_by(allocation, "imd_decile").set_index("imd_decile")
    table = table.reindex(range(1, 11), fill_value=0)
    table.index.name = "imd_decile"
    return table.reset_index()


def funding_by_ward(allocation: pd.DataFrame) -> pd.DataFrame:
    """Return :func:`funding_by` for every Sevenoaks ward (zero for wards with no application), with each ward's decile."""
    wards = deprivation.ward_deciles()[["ward_code", "ward", "imd_decile"]]
    table = funding_by(allocation, "ward")
    out = wards.merge(table, on="ward", how="left")
    for col in ("awarded", "amount_requested"):
        out[col] = out[col].fillna(0.0)
    for col in ("number_funded", "applications"):
        out[col] = out[col].fillna(0).astype("int64")
    return out


def headline(summary: Mapping[str, Any]) -> str:
    """Return one plain sentence about an allocation, for the notebook and the app."""
    return (
        f"{summary['scenario']}: {format_money(summary['total_awarded'])} awarded to {summary['number_funded']} of "
        f"{summary['number_of_applications']} applications from {format_money(summary['available'])} available"
        + (f" ({format_money(summary['budget'])} less {format_money(summary['committed'])} committed)" if summary["committed"] else "")
        + "; "
        f"{format_money(summary['unfunded_demand'])} of requests unfunded; {summary['wards_reached']} wards reached; "
        f"{summary['most_deprived_share']:.1f}% to the most deprived areas."
    )


def brute_force_best_score(apps: pd.DataFrame, scenario: Scenario) -> float:
    """Return the best total weighted score of any all-or-nothing set within the budget, by trying every subset.

    For checking :func:`allocate_optimal` on small instances (at most ~16 applications).
    """
    base = _base_frame(apps, scenario)
    base = base[base["eligible"]]
    c = base["capped_request"].to_numpy(float)
    v = base["weighted_score"].to_numpy(float)
    best = 0.0
    for mask in range(1 << len(c)):
        chosen = np.array([(mask >> k) & 1 for k in range(len(c))], dtype=bool)
        if c[chosen].sum() <= scenario.available + PENNY:
            best = max(best, float(v[chosen].sum()))
    return best



# --------------------------------------------------------------------------- batch runs


def allocation_workbook_tables(allocation: pd.DataFrame, summary: Mapping[str, Any]) -> dict[str, pd.DataFrame]:
    """Return the sheets of one scenario's Excel export: the allocation and its headline figures."""
    return {"allocations": allocation, "summary": pd.DataFrame([summary])}


def run_batch(
    applications_path: str | Path,
    scenario: Scenario,
    *,
    award_date: str,
    output_dir: str | Path | None = None,
    notebook: str = "grant_allocation.ipynb",
) -> dict[str, Any]:
    """Load a round, allocate it and (with ``output_dir``) write the results, for papermill runs.

    Writes ``allocations.csv`` (:data:`ALLOCATION_COLUMNS`), ``allocations.xlsx``
    (allocation, summary and provenance sheets), ``360giving.json`` and
    ``360giving.xlsx`` (the awards in the 360Giving Data Standard, validated
    first) and ``provenance.json``.

    Returns
    -------
    dict
        ``applications``, ``allocation``, ``summary``, ``package`` (360Giving,
        or ``None`` when nothing is funded), ``provenance`` and ``written`` (paths).
    """
    from sv_helpers import exports, threesixtygiving
    from sv_helpers.provenance import provenance_record

    applications = load_applications(applications_path)
    allocation = allocate(applications, scenario)
    summary = summarise_allocation(allocation, scenario)
    package = None
    if allocation["funded"].any():
        package = threesixtygiving.grants_package(allocation, applications, award_date=award_date)
        threesixtygiving.validate_package(package)
    record = provenance_record(
        {**scenario.as_parameters(), "award_date": award_date, "criterion_weights": criterion_weights(), "most_deprived_decile": parameter_value("grants.most_deprived_decile")},
        {"applications": applications_path, "ward_deprivation": deprivation.DATA_FILES["wards"], "lsoa_deprivation": deprivation.DATA_FILES["lsoas"]},
        notebook=notebook,
    )
    written: list[Path] = []
    if output_dir:
        extra: dict[str, bytes | str] = {}
        if package is not None:
            extra["360giving.json"] = exports.json_text(package)
            extra["360giving.xlsx"] = exports.excel_bytes({"grants": threesixtygiving.grants_spreadsheet(package)}, record)
        written = exports.write_outputs(
            output_dir,
            {"allocations": allocation, "allocation_summary": pd.DataFrame([summary])},
            record,
            excel_name="allocations.xlsx",
            extra_files=extra,
        )
    return {"applications": applications, "allocation": allocation, "summary": summary, "package": package, "provenance": record, "written": written}
