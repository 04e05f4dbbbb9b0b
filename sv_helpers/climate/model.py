"""Climate targets: pathways to a target year, carbon budgets, interventions and peers.

Model layer: small, pure functions on pandas and numpy objects (no widgets,
no charts).  Years are calendar years.  Emissions are in kilotonnes (kt) as
the series gives them; intervention abatement is in tonnes CO2e (tCO2e).

Pathway methods (each starts from the last actual year's emissions E0):

``linear``
    A straight line from E0 to zero in ``target_year``.
``constant_rate``
    The same percentage fall, ``annual_reduction_pct``, every year.
``budget``
    A constant percentage fall p chosen so that the years after the last
    actual year add up to the carbon budget B: the sum of E0 × (1 − p)^t over
    t = 1, 2, ... is E0 × (1 − p) / p = B, so p = E0 / (E0 + B) (in the spirit
    of the Tyndall Centre's local carbon budgets).

The current trend is a least-squares straight line through the actual totals
from ``trend_start_year`` onward.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from sv_helpers.climate.emissions import EmissionsData, load_kent_districts
from sv_helpers.core.errors import Finding, InputError, raise_for_errors
from sv_helpers.core.exports import json_text
from sv_helpers.core.formatting import format_money, format_number, format_pct
from sv_helpers.core.numerics import exact_mean, exact_sum, linear_fit, powers
from sv_helpers.core.parameters import parameter_path, parameter_value
from sv_helpers.core.scenario import Inputs, Result, SettingsBase, Spec, coerce, make_provenance, setting
from sv_helpers.core.tables import Column, TableSchema, load_table

PATHWAY_METHODS: tuple[str, ...] = ("linear", "constant_rate", "budget")


def _parameter(name: str) -> Any:
    """A parameter's value today, read from its YAML file once while the file is unchanged."""
    import datetime as dt

    return _parameter_read(name, parameter_path(name).stat().st_mtime_ns, dt.date.today())


@lru_cache(maxsize=128)
def _parameter_read(name: str, mtime_ns: int, today: Any) -> Any:
    return parameter_value(name, today)


PATHWAY_LABELS: dict[str, str] = {
    "linear": "Straight line to zero",
    "constant_rate": "Same percentage fall each year",
    "budget": "Stay within a carbon budget",
}

#: The columns of ``pathway.csv`` (read by the impact report).
PATHWAY_COLUMNS: tuple[str, ...] = ("year", "actual_kt", "pathway_kt", "trend_kt")


# --------------------------------------------------------------------------- series


def actual_totals(data: EmissionsData, authority_code: str, sectors: Iterable[str] | None = None) -> pd.Series:
    """Return an authority's actual emissions by year, summed over the chosen sectors.

    Parameters
    ----------
    data : EmissionsData
        The series.
    authority_code : str
        A code present in ``data`` (see :func:`sv_helpers.climate.emissions.resolve_authority_code`).
    sectors : iterable of str, optional
        The sectors to include; all by default.

    Returns
    -------
    Series
        kt by calendar year (index ``year``), sorted, named ``actual_kt``.

    Raises
    ------
    InputError
        When no sector is chosen or the authority has no rows.
    """
    rows = data.rows_of(authority_code)
    if rows.empty:
        raise InputError(f"The authority code '{authority_code}' has no emissions in this series.")
    if sectors is not None:
        sectors = list(sectors)
        if not sectors:
            raise InputError("No sector is chosen: tick at least one sector to include.")
        rows = rows[rows["sector"].isin(sectors)]
    totals = rows.groupby("year")["emissions_kt"].sum().sort_index()
    totals.index = totals.index.astype(int)
    totals.index.name = "year"
    return totals.rename("actual_kt").astype(float)


# --------------------------------------------------------------------------- the pathway arithmetic (vectorised)


def budget_reduction_rate(
    last_actual_kt: float | np.ndarray, carbon_budget_kt: float | np.ndarray
) -> float | np.ndarray:
    """Return the yearly fraction p that spends a carbon budget exactly: p = E0 / (E0 + B).

    Examples
    --------
    >>> budget_reduction_rate(100.0, 900.0)
    0.1
    """
    e0 = np.asarray(last_actual_kt, dtype=float)
    b = np.asarray(carbon_budget_kt, dtype=float)
    out = e0 / (e0 + b)
    return float(out) if out.ndim == 0 else out


def pathway_array(
    method: str,
    last_actual_kt: float | np.ndarray,
    steps: np.ndarray,
    *,
    target_steps: float | np.ndarray | None = None,
    annual_reduction_pct: float | np.ndarray | None = None,
    carbon_budget_kt: float | np.ndarray | None = None,
) -> np.ndarray:
    """Compute pathway values for many scenarios at once (numpy broadcasting).

    Parameters
    ----------
    method : {"linear", "constant_rate", "budget"}
    last_actual_kt : float or array
        E0, the last actual year's emissions; shape ``(n, 1)`` for n scenarios.
    steps : array
        Years after the last actual year (1, 2, ...); shape ``(m,)``.
    target_steps : float or array
        For ``linear``: target year minus last actual year.
    annual_reduction_pct : float or array
        For ``constant_rate``: the yearly fall, 0 to 100.
    carbon_budget_kt : float or array
        For ``budget``: the budget B, more than 0.

    Returns
    -------
    ndarray
        Emissions in kt, broadcast to ``(n, m)``; never negative, never rising.
    """
    e0 = np.asarray(last_actual_kt, dtype=float)
    t = np.asarray(steps, dtype=float)
    if method == "linear":
        horizon = np.asarray(target_steps, dtype=float)
        return e0 * np.clip(1.0 - t / horizon, 0.0, 1.0)
    if method == "constant_rate":
        keep = 1.0 - np.asarray(annual_reduction_pct, dtype=float) / 100.0
        return e0 * powers(keep, t)
    if method == "budget":
        p = e0 / (e0 + np.asarray(carbon_budget_kt, dtype=float))
        return e0 * powers(1.0 - p, t)
    raise InputError(f"The pathway '{method}' is not known; choose one of: {', '.join(PATHWAY_METHODS)}.")


def required_annual_reduction_pct(
    method: str,
    last_actual_year: int,
    last_actual_kt: float,
    target_year: int,
    *,
    annual_reduction_pct: float | None = None,
    carbon_budget_kt: float | None = None,
) -> float:
    """Return the yearly fall a pathway asks for, in percent.

    For ``linear`` it is the fall each year as a percentage of the last actual
    year's emissions, 100 ÷ (target year − last actual year); for
    ``constant_rate`` the chosen rate; for ``budget`` 100 × E0 ÷ (E0 + B).

    Examples
    --------
    >>> required_annual_reduction_pct("linear", 2020, 500.0, 2050)
    3.3333333333333335
    """
    if method == "linear":
        return 100.0 / (target_year - last_actual_year)
    if method == "constant_rate":
        return float(annual_reduction_pct)
    if method == "budget":
        return 100.0 * float(budget_reduction_rate(last_actual_kt, carbon_budget_kt))
    raise InputError(f"The pathway '{method}' is not known; choose one of: {', '.join(PATHWAY_METHODS)}.")


def budget_exhausted_year(last_actual_year: int, last_actual_kt: float, carbon_budget_kt: float) -> int | None:
    """Return the first year in which emissions held at the last actual level overspend the budget.

    Emissions E0 a year, summed from the year after the last actual year,
    first exceed B after n = floor(B ÷ E0) + 1 years (the Tyndall reports' headline).

    Examples
    --------
    >>> budget_exhausted_year(2020, 100.0, 250.0)
    2023
    """
    if last_actual_kt <= 0:
        return None
    return int(last_actual_year + math.floor(carbon_budget_kt / last_actual_kt) + 1)


def cumulative_exceeds_year(years: np.ndarray, values: np.ndarray, carbon_budget_kt: float) -> int | None:
    """Return the first year in which the running sum of ``values`` exceeds the budget, or None."""
    over = np.flatnonzero(np.cumsum(values) > carbon_budget_kt)
    return int(years[over[0]]) if len(over) else None


def fit_trend(actual: pd.Series, trend_start_year: int) -> tuple[float, float]:
    """Fit a least-squares straight line through the actual totals from ``trend_start_year`` on.

    Returns
    -------
    slope, intercept : float
        kt per year and kt at year 0, so the line is ``slope * year + intercept``.

    Raises
    ------
    InputError
        When fewer than two actual years are on or after ``trend_start_year``.
    """
    used = actual[actual.index >= trend_start_year].dropna()
    if len(used) < 2:
        raise InputError(
            f"The trend needs at least two years of actual data from {trend_start_year}; "
            f"the data run from {int(actual.index.min())} to {int(actual.index.max())}. Choose an earlier 'trend from' year."
        )
    slope, intercept = linear_fit(used.index.to_numpy(dtype=float), used.to_numpy(dtype=float))
    return float(slope), float(intercept)


def trend_net_zero_year(slope: float, intercept: float, from_year: int) -> int | None:
    """Return the first calendar year, from ``from_year`` on, in which the trend line is at or below zero.

    ``None`` when the line is flat or rising (it never reaches zero).

    Examples
    --------
    >>> trend_net_zero_year(-10.0, 20_400.0, 2015)   # zero at 2040 exactly
    2040
    """
    if slope >= 0:
        return None if slope * from_year + intercept > 0 else int(from_year)
    crossing = -intercept / slope
    year = max(int(math.ceil(crossing - 1e-9)), int(from_year))
    while slope * year + intercept > 0:  # guard against rounding at the crossing
        year += 1
    return year


# --------------------------------------------------------------------------- checks


def check_pathway_settings(
    last_actual_year: int,
    *,
    pathway: str,
    target_year: int,
    annual_reduction_pct: float | None = None,
    carbon_budget_kt: float | None = None,
    trend_start_year: int | None = None,
    first_actual_year: int | None = None,
) -> list[Finding]:
    """Check a pathway's settings before it is computed.

    Returns
    -------
    list of Finding
        Errors (with plain-English messages) for: an unknown pathway, a target
        year not after the last actual year, a reduction outside 0 to 100%, a
        budget that is not positive, and a trend start that leaves fewer than
        two actual years.
    """
    findings: list[Finding] = []
    if pathway not in PATHWAY_METHODS:
        findings.append(
            Finding("error", f"The pathway '{pathway}' is not known; choose one of: {', '.join(PATHWAY_METHODS)}.")
        )
    if int(target_year) <= int(last_actual_year):
        findings.append(
            Finding(
                "error",
                f"The target year, {int(target_year)}, is not after the last year of actual data, {int(last_actual_year)}. Choose a target year of {int(last_actual_year) + 1} or later.",
            )
        )
    elif int(target_year) > 2200:
        findings.append(
            Finding("error", f"The target year, {int(target_year)}, is too far ahead; choose a year up to 2200.")
        )
    if pathway == "constant_rate":
        if (
            annual_reduction_pct is None
            or not np.isfinite(annual_reduction_pct)
            or not 0 <= annual_reduction_pct <= 100
        ):
            findings.append(
                Finding(
                    "error", f"The annual reduction must be between 0% and 100%; {annual_reduction_pct}% was given."
                )
            )
    if carbon_budget_kt is not None and (
        not np.isfinite(carbon_budget_kt) or carbon_budget_kt < 0 or (pathway == "budget" and carbon_budget_kt <= 0)
    ):
        findings.append(
            Finding(
                "error",
                f"The carbon budget must be more than 0 kt; {carbon_budget_kt} kt was given. Enter the budget from its source (for example a Tyndall Centre local carbon budget).",
            )
        )
    elif pathway == "budget" and carbon_budget_kt is None:
        findings.append(Finding("error", "The budget pathway needs a carbon budget (kt) more than 0."))
    if trend_start_year is not None:
        if int(trend_start_year) >= int(last_actual_year):
            findings.append(
                Finding(
                    "error",
                    f"The trend must start before the last actual year, {int(last_actual_year)}; {int(trend_start_year)} was given.",
                )
            )
        elif first_actual_year is not None and int(trend_start_year) < int(first_actual_year):
            findings.append(
                Finding(
                    "warning",
                    f"The actual data start in {int(first_actual_year)}, so the trend is fitted from then, not from {int(trend_start_year)}.",
                )
            )
    return findings


# --------------------------------------------------------------------------- one pathway with its summary


def pathway_to_target(
    actual: pd.Series,
    *,
    pathway: str,
    target_year: int,
    annual_reduction_pct: float | None = None,
    carbon_budget_kt: float | None = None,
    trend_start_year: int = 2015,
    end_year: int | None = None,
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Compute a pathway, the current trend and the headline figures.

    Parameters
    ----------
    actual : Series
        Actual emissions (kt) by calendar year, from :func:`actual_totals`.
    pathway : {"linear", "constant_rate", "budget"}
    target_year : int
        The year the pathway aims at; after the last actual year.
    annual_reduction_pct : float, optional
        For ``constant_rate``: the yearly fall in percent (0 to 100).
    carbon_budget_kt : float, optional
        For ``budget`` (required, > 0); for other pathways, when given (> 0),
        the year the budget runs out is reported too.
    trend_start_year : int
        The first actual year the trend line is fitted to.
    end_year : int, optional
        Last year of the table; defaults to ``target_year``.

    Returns
    -------
    table : DataFrame
        ``year``, ``actual_kt``, ``pathway_kt``, ``trend_kt``, ``gap_kt``
        (trend minus pathway), one row per year from the first actual year to
        ``end_year``; NaN where a value does not apply.  The trend is shown
        from ``trend_start_year`` and stops falling at zero.
    summary : dict
        ``last_actual_year``, ``last_actual_kt``, ``required_annual_reduction_pct``,
        ``cumulative_to_target_kt``, ``trend_net_zero_year``,
        ``budget_exhausted_year`` (only when a budget is given), and
        ``pathway``, ``target_year``, ``pathway_kt_in_target_year``,
        ``trend_kt_in_target_year``, ``pathway_budget_exhausted_year``.

    Raises
    ------
    InputError
        When the settings fail :func:`check_pathway_settings`.

    Examples
    --------
    >>> actual = pd.Series([120.0, 110.0, 100.0], index=[2018, 2019, 2020])
    >>> table, summary = pathway_to_target(actual, pathway="linear", target_year=2030, trend_start_year=2018)
    >>> float(table.set_index("year").loc[2025, "pathway_kt"])
    50.0
    >>> summary["trend_net_zero_year"]
    2030
    """
    actual = actual.dropna().sort_index()
    if actual.empty:
        raise InputError("There are no actual emissions to start a pathway from.")
    last_year = int(actual.index.max())
    first_year = int(actual.index.min())
    budget = (
        None if carbon_budget_kt is None or (pathway != "budget" and carbon_budget_kt == 0) else float(carbon_budget_kt)
    )
    raise_for_errors(
        check_pathway_settings(
            last_year,
            pathway=pathway,
            target_year=target_year,
            annual_reduction_pct=annual_reduction_pct,
            carbon_budget_kt=budget,
            trend_start_year=trend_start_year,
        )
    )
    target_year = int(target_year)
    end_year = max(int(end_year or target_year), target_year)
    e0 = float(actual.loc[last_year])
    future = np.arange(last_year + 1, end_year + 1)
    values = pathway_array(
        pathway,
        e0,
        future - last_year,
        target_steps=target_year - last_year,
        annual_reduction_pct=annual_reduction_pct,
        carbon_budget_kt=budget,
    )
    slope, intercept = fit_trend(actual, max(int(trend_start_year), first_year))
    all_years = np.arange(first_year, end_year + 1)
    trend_from = max(int(trend_start_year), first_year)
    trend = np.where(all_years >= trend_from, np.maximum(slope * all_years + intercept, 0.0), np.nan)

    table = pd.DataFrame({"year": all_years})
    table["actual_kt"] = actual.reindex(all_years).to_numpy(dtype=float)
    table["pathway_kt"] = pd.Series(values, index=future).reindex(all_years).to_numpy(dtype=float)
    table["trend_kt"] = trend
    table["gap_kt"] = table["trend_kt"] - table["pathway_kt"]

    to_target = future <= target_year
    summary: dict[str, Any] = {
        "last_actual_year": last_year,
        "last_actual_kt": e0,
        "required_annual_reduction_pct": required_annual_reduction_pct(
            pathway, last_year, e0, target_year, annual_reduction_pct=annual_reduction_pct, carbon_budget_kt=budget
        ),
        "cumulative_to_target_kt": float(values[to_target].sum()),
        "trend_net_zero_year": trend_net_zero_year(slope, intercept, trend_from),
        "pathway": pathway,
        "target_year": target_year,
        "pathway_kt_in_target_year": float(values[future == target_year][0]),
        "trend_kt_in_target_year": float(max(slope * target_year + intercept, 0.0)),
        "trend_slope_kt_per_year": slope,
    }
    if budget is not None:
        summary["carbon_budget_kt"] = budget
        summary["budget_exhausted_year"] = budget_exhausted_year(last_year, e0, budget)
        summary["pathway_budget_exhausted_year"] = cumulative_exceeds_year(future, values, budget)
    return table, summary


def pathway_output_table(table: pd.DataFrame) -> pd.DataFrame:
    """Return the table as ``pathway.csv`` holds it: exactly ``year, actual_kt, pathway_kt, trend_kt``."""
    return table.loc[:, list(PATHWAY_COLUMNS)].reset_index(drop=True)


def summary_output(summary: Mapping[str, Any]) -> dict[str, Any]:
    """Return the keys ``summary.json`` must have (and ``budget_exhausted_year`` when a budget is given), then the rest."""
    keys = [
        "last_actual_year",
        "last_actual_kt",
        "required_annual_reduction_pct",
        "cumulative_to_target_kt",
        "trend_net_zero_year",
    ]
    if "budget_exhausted_year" in summary:
        keys.append("budget_exhausted_year")
    out = {k: summary[k] for k in keys}
    out.update({k: v for k, v in summary.items() if k not in out})
    return out


def sweep_pathways(
    last_actual_kt: np.ndarray,
    last_actual_year: int,
    target_years: np.ndarray,
    annual_reduction_pct: np.ndarray,
    *,
    method: str = "constant_rate",
    carbon_budget_kt: np.ndarray | None = None,
) -> dict[str, np.ndarray]:
    """Compute many scenarios at once: one per element of the (equal-length) input arrays.

    Returns
    -------
    dict of ndarray
        ``pathway`` (scenarios × years after the last actual year, up to the
        latest target), ``cumulative_to_target_kt``,
        ``required_annual_reduction_pct`` and ``kt_in_target_year``.
    """
    e0 = np.asarray(last_actual_kt, dtype=float)[:, None]
    targets = np.asarray(target_years, dtype=int)
    steps = np.arange(1, int(targets.max()) - last_actual_year + 1)
    horizon = (targets - last_actual_year)[:, None]
    rates = np.asarray(annual_reduction_pct, dtype=float)[:, None]
    budgets = None if carbon_budget_kt is None else np.asarray(carbon_budget_kt, dtype=float)[:, None]
    values = pathway_array(
        method, e0, steps, target_steps=horizon, annual_reduction_pct=rates, carbon_budget_kt=budgets
    )
    mask = steps[None, :] <= horizon
    if method == "linear":
        required = 100.0 / horizon[:, 0]
    elif method == "constant_rate":
        required = rates[:, 0]
    else:
        required = 100.0 * e0[:, 0] / (e0[:, 0] + budgets[:, 0])
    return {
        "pathway": values,
        "cumulative_to_target_kt": np.where(mask, values, 0.0).sum(axis=1),
        "required_annual_reduction_pct": np.broadcast_to(required, (len(e0),)),
        "kt_in_target_year": np.take_along_axis(values, horizon - 1, axis=1)[:, 0],
    }


# --------------------------------------------------------------------------- national milestones


def national_milestones(actual: pd.Series) -> pd.DataFrame:
    """The UK's targets drawn against the local series, rebased to its first year.

    The UK targets are percentages below 1990; the local series starts later
    (2005 for the shipped data), so each percentage is applied to the first
    local year instead.  That understates the cut the UK target implies
    locally, since emissions fell between 1990 and 2005; the ``note`` says so.

    Returns
    -------
    DataFrame
        ``year``, ``label``, ``pct_below_base``, ``local_equivalent_kt``, ``note``.
    """
    actual = actual.dropna().sort_index()
    base_year = int(actual.index.min())
    base_kt = float(actual.iloc[0])
    uk_base = int(_parameter("climate.uk_target_baseline_year"))
    rows = [
        (2030, float(_parameter("climate.uk_reduction_2030_pct"))),
        (2035, float(_parameter("climate.uk_reduction_2035_pct"))),
        (int(_parameter("climate.uk_net_zero_year")), 100.0),
    ]
    note = f"UK targets are set against {uk_base}; local data start in {base_year}, so each percentage is applied to the {base_year} level."
    return pd.DataFrame(
        {
            "year": [y for y, _ in rows],
            "label": [f"UK {y}: {p:g}% below {uk_base}" if p < 100 else f"UK {y}: net zero" for y, p in rows],
            "pct_below_base": [p for _, p in rows],
            "local_equivalent_kt": [base_kt * (1 - p / 100.0) for _, p in rows],
            "note": note,
        }
    )


# --------------------------------------------------------------------------- interventions

INTERVENTIONS_SCHEMA = TableSchema(
    "interventions",
    (
        Column("intervention", unique=True, description="A short name for the action"),
        Column(
            "scope",
            "category",
            allowed=("district", "council estate"),
            description="Whether it cuts the district's emissions or the council's own",
        ),
        Column(
            "sector",
            description="The emissions sector it cuts (Domestic, Transport, ... or Scope 1/2/3 for the estate)",
        ),
        Column(
            "annual_abatement_tco2e",
            "number",
            minimum=0,
            label="Annual abatement (tCO2e)",
            description="Tonnes CO2e a year saved at full delivery",
        ),
        Column(
            "start_year", "integer", minimum=2000, maximum=2100, description="Calendar year the action starts saving"
        ),
        Column(
            "ramp_up_years", "integer", minimum=0, maximum=50, description="Years to reach full delivery (0 = at once)"
        ),
        Column("cost", "money", minimum=0, description="Total cost in pounds"),
        Column(
            "lifetime_years",
            "integer",
            minimum=1,
            maximum=100,
            description="Years the saving lasts from the start year",
        ),
    ),
    description="Planned climate actions.",
)

EXAMPLE_INTERVENTIONS_PATH = "interventions_example.csv"


def load_interventions(source: Any = None, *, filename: str | None = None) -> pd.DataFrame:
    """Load an interventions table (see :data:`INTERVENTIONS_SCHEMA`); the example set by default.

    Raises
    ------
    InputError
        Naming the file, row and column of any malformed cell.
    """
    from sv_helpers.core.paths import data_path

    source = data_path("climate", EXAMPLE_INTERVENTIONS_PATH) if source is None else source
    table = load_table(source, INTERVENTIONS_SCHEMA, filename=filename)
    for col in ("start_year", "ramp_up_years", "lifetime_years"):
        table[col] = table[col].astype(int)
    return table


def check_interventions(
    interventions: pd.DataFrame, *, sectors: Iterable[str], last_actual_year: int | None = None
) -> list[Finding]:
    """Check interventions against the series they will be set against.

    Returns
    -------
    list of Finding
        Errors for zero abatement; warnings for a sector the series does not
        have (its saving then counts against the total only) and for actions
        that started before the projection (their saving may be in the actuals).
    """
    findings: list[Finding] = []
    sectors = set(sectors)
    for row, rec in interventions.iterrows():
        name = rec["intervention"]
        if rec["annual_abatement_tco2e"] <= 0:
            findings.append(
                Finding(
                    "error", f"Interventions, row {row} ('{name}'): the annual abatement must be more than 0 tCO2e."
                )
            )
        if rec["sector"] not in sectors:
            findings.append(
                Finding(
                    "warning",
                    f"Interventions, row {row} ('{name}'): the sector '{rec['sector']}' is not a sector of this series ({', '.join(sorted(sectors))}); its saving is counted against the total only.",
                )
            )
        if last_actual_year is not None and rec["start_year"] <= last_actual_year:
            findings.append(
                Finding(
                    "warning",
                    f"Interventions, row {row} ('{name}'): it starts in {rec['start_year']}, not after the last actual year ({last_actual_year}); part of its saving may already be in the actual figures.",
                )
            )
    return findings


def intervention_abatement(interventions: pd.DataFrame, years: Iterable[int]) -> pd.DataFrame:
    """Return each action's abatement (tCO2e) in each year: ramped up, then held.

    In year y an action delivers ``annual_abatement_tco2e`` × min(1, (y − start + 1) ÷ ramp_up_years)
    (full delivery at once when ramp_up_years is 0), from ``start_year`` on,
    and nothing before.  The saving is assumed to continue after the action's
    lifetime (the measure is renewed like for like); the lifetime only sets the
    tonnes its cost buys in :func:`marginal_abatement_cost_curve`.

    Returns
    -------
    DataFrame
        Index ``year``, one column per intervention.

    Examples
    --------
    >>> iv = pd.DataFrame({"intervention": ["A"], "annual_abatement_tco2e": [100.0], "start_year": [2025], "ramp_up_years": [4], "lifetime_years": [10]})
    >>> intervention_abatement(iv, range(2024, 2036))["A"].tolist()
    [0.0, 25.0, 50.0, 75.0, 100.0, 100.0, 100.0, 100.0, 100.0, 100.0, 100.0, 100.0]
    """
    y = np.asarray(list(years), dtype=float)[:, None]
    start = interventions["start_year"].to_numpy(dtype=float)[None, :]
    ramp = interventions["ramp_up_years"].to_numpy(dtype=float)[None, :]
    full = interventions["annual_abatement_tco2e"].to_numpy(dtype=float)[None, :]
    elapsed = y - start + 1.0
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(
            ramp > 0, np.clip(elapsed / np.where(ramp > 0, ramp, 1.0), 0.0, 1.0), (elapsed >= 1).astype(float)
        )
    active = y >= start
    values = np.where(active, share * full, 0.0)
    out = pd.DataFrame(
        values, index=pd.Index(np.asarray(y[:, 0], dtype=int), name="year"), columns=list(interventions["intervention"])
    )
    return out


def wedge_table(
    last_actual_year: int, last_actual_kt: float, interventions: pd.DataFrame, end_year: int
) -> pd.DataFrame:
    """The abatement wedges against a baseline held at the last actual year's level.

    Returns
    -------
    DataFrame
        ``year``, ``baseline_kt``, one column per intervention (kt abated),
        ``total_abatement_kt`` and ``residual_kt`` (baseline minus abatement,
        not below zero), for each year after the last actual year up to ``end_year``.
    """
    years = np.arange(last_actual_year + 1, end_year + 1)
    abatement_kt = intervention_abatement(interventions, years) / 1000.0
    out = pd.DataFrame({"year": years, "baseline_kt": float(last_actual_kt)})
    for name in abatement_kt.columns:
        out[name] = abatement_kt[name].to_numpy()
    out["total_abatement_kt"] = abatement_kt.sum(axis=1).to_numpy()
    out["residual_kt"] = np.maximum(out["baseline_kt"] - out["total_abatement_kt"], 0.0)
    return out


def assess_plan(wedges: pd.DataFrame, pathway: pd.DataFrame, target_year: int) -> dict[str, Any]:
    """Whether the planned actions bring residual emissions down to the pathway.

    Returns
    -------
    dict
        ``meets_target`` (residual at or below the pathway in the target
        year), ``residual_kt_in_target_year``, ``pathway_kt_in_target_year``,
        ``shortfall_kt`` (residual minus pathway in the target year, 0 when
        met), ``cumulative_residual_kt`` and ``cumulative_pathway_kt`` to the
        target year, and ``years_above_pathway`` (how many projected years the
        residual is above the pathway).
    """
    merged = wedges[["year", "residual_kt"]].merge(pathway[["year", "pathway_kt"]], on="year", how="inner")
    merged = merged[merged["year"] <= target_year]
    at_target = merged[merged["year"] == target_year]
    if at_target.empty:
        raise InputError(f"There is no pathway value for {target_year} to compare the plan with.")
    residual = float(at_target["residual_kt"].iloc[0])
    path = float(at_target["pathway_kt"].iloc[0])
    tolerance = 1e-9 * max(1.0, path)
    return {
        "meets_target": bool(residual <= path + tolerance),
        "residual_kt_in_target_year": residual,
        "pathway_kt_in_target_year": path,
        "shortfall_kt": max(residual - path, 0.0),
        "cumulative_residual_kt": float(merged["residual_kt"].sum()),
        "cumulative_pathway_kt": float(merged["pathway_kt"].sum()),
        "years_above_pathway": int((merged["residual_kt"] > merged["pathway_kt"] + tolerance).sum()),
    }


def marginal_abatement_cost_curve(interventions: pd.DataFrame) -> pd.DataFrame:
    """The marginal abatement cost curve: actions from cheapest to dearest per tonne.

    Cost per tonne is the cost divided by the tonnes saved over the action's
    lifetime at full delivery (annual abatement × lifetime; undiscounted).
    Each bar's width is the action's annual abatement at full delivery.

    Returns
    -------
    DataFrame
        ``intervention``, ``sector``, ``annual_abatement_tco2e``,
        ``lifetime_abatement_tco2e``, ``cost``, ``cost_per_tco2e``,
        ``cumulative_start_tco2e``, ``cumulative_abatement_tco2e``.

    Examples
    --------
    >>> iv = pd.DataFrame({"intervention": ["A", "B"], "sector": ["x", "y"], "annual_abatement_tco2e": [10.0, 20.0], "cost": [1000.0, 200.0], "lifetime_years": [10, 5]})
    >>> marginal_abatement_cost_curve(iv)[["intervention", "cost_per_tco2e", "cumulative_abatement_tco2e"]].values.tolist()
    [['B', 2.0, 20.0], ['A', 10.0, 30.0]]
    """
    out = interventions[["intervention", "sector", "annual_abatement_tco2e", "cost", "lifetime_years"]].copy()
    out["lifetime_abatement_tco2e"] = out["annual_abatement_tco2e"] * out["lifetime_years"].astype(float)
    out["cost_per_tco2e"] = out["cost"] / out["lifetime_abatement_tco2e"]
    out = out.sort_values(["cost_per_tco2e", "intervention"], kind="stable").reset_index(drop=True)
    out["cumulative_abatement_tco2e"] = out["annual_abatement_tco2e"].cumsum()
    out["cumulative_start_tco2e"] = out["cumulative_abatement_tco2e"] - out["annual_abatement_tco2e"]
    return out[
        [
            "intervention",
            "sector",
            "annual_abatement_tco2e",
            "lifetime_abatement_tco2e",
            "cost",
            "cost_per_tco2e",
            "cumulative_start_tco2e",
            "cumulative_abatement_tco2e",
        ]
    ]


# --------------------------------------------------------------------------- peers

#: Authorities that contain other councils' areas are left out of peer comparisons.
_CONTAINER_NAME_PATTERN = r"Combined Authority|Greater London Authority|County Council$"


def comparable_authorities(data: EmissionsData) -> pd.Series:
    """Authority names by code, leaving out county councils, combined authorities and the GLA."""
    names = data.authorities
    return names[~names.str.contains(_CONTAINER_NAME_PATTERN, regex=True)]


def similar_authorities(
    similarity: pd.DataFrame, authority_code: str, *, among: Iterable[str], count: int
) -> pd.DataFrame:
    """The authorities nearest to one authority on mySociety's emissions-profile inputs.

    Each input column is standardised (mean 0, standard deviation 1 across
    ``among``) and authorities are ranked by Euclidean distance.

    Returns
    -------
    DataFrame
        ``authority_code`` and ``distance``, nearest first, ``count`` rows
        (the authority itself left out).  Empty when the authority has no
        similarity inputs.
    """
    among = set(among) | {authority_code}
    table = (
        similarity[similarity["authority_code"].isin(among)]
        .drop_duplicates("authority_code")
        .set_index("authority_code")
    )
    if authority_code not in table.index:
        return pd.DataFrame(columns=["authority_code", "distance"])
    values = table.to_numpy(dtype=float)
    mean = exact_mean(values, axis=0)
    std = np.sqrt(exact_mean((values - mean) ** 2, axis=0))
    std[std == 0] = 1.0
    z = (values - mean) / std
    me = z[table.index.get_loc(authority_code)]
    distance = np.sqrt([exact_sum(row) for row in (z - me) ** 2])
    out = pd.DataFrame({"authority_code": table.index, "distance": distance})
    out = out[out["authority_code"] != authority_code].sort_values(["distance", "authority_code"]).head(int(count))
    return out.reset_index(drop=True)


def kent_district_codes(data: EmissionsData) -> list[str]:
    """The Kent districts' codes as this series spells them (county field first, then the shipped list)."""
    codes = data.codes
    if len(data.county):
        from_file = [c for c, county in data.county.items() if str(county).strip().lower() == "kent" and c in codes]
        if from_file:
            return sorted(from_file)
    kent = load_kent_districts()
    return sorted(c for col in ("authority_code", "gss_code") for c in kent[col] if c in codes)


def peer_comparison(
    data: EmissionsData,
    authority_code: str,
    *,
    similar: Iterable[str],
    kent: Iterable[str],
    year: int | None = None,
    sectors: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Emissions per person and per square kilometre, by sector, for an authority and its peers.

    Parameters
    ----------
    data : EmissionsData
        A series with population and area (``context``).
    authority_code : str
        The authority compared.
    similar, kent : iterable of str
        Codes of similar authorities and of the Kent districts.
    year : int, optional
        The year compared; the latest year by default.
    sectors : iterable of str, optional
        The sectors included; all by default.

    Returns
    -------
    DataFrame
        ``authority_code``, ``authority_name``, ``group`` ("Selected",
        "Similar", "Kent district"), ``sector``, ``emissions_kt``,
        ``per_person_t`` and ``per_km2_t``; one row per authority and sector.

    Raises
    ------
    InputError
        When the series has no population or area for that year.
    """
    year = int(year or data.emissions["year"].max())
    groups: dict[str, str] = {}
    for code in kent:
        groups[code] = "Kent district"
    for code in similar:
        groups[code] = "Similar"
    groups[authority_code] = "Selected"
    rows = data.emissions[(data.emissions["year"] == year) & data.emissions["authority_code"].isin(list(groups))]
    if sectors is not None:
        rows = rows[rows["sector"].isin(list(sectors))]
    ctx = data.context[data.context["year"] == year].set_index("authority_code")
    if ctx.empty or ctx[["population_thousands", "area_km2"]].isna().all().all():
        raise InputError(
            f"This emissions series has no population or area for {year}, so emissions per person and per km² cannot be compared."
        )
    out = rows.copy()
    out["group"] = out["authority_code"].map(groups)
    pop = out["authority_code"].map(ctx["population_thousands"]).astype(float)
    area = out["authority_code"].map(ctx["area_km2"]).astype(float)
    out["per_person_t"] = out["emissions_kt"] * 1000.0 / (pop * 1000.0)
    out["per_km2_t"] = out["emissions_kt"] * 1000.0 / area
    order = {"Selected": 0, "Similar": 1, "Kent district": 2}
    out = (
        out.assign(_o=out["group"].map(order))
        .sort_values(["_o", "authority_name", "sector"], kind="stable")
        .drop(columns="_o")
    )
    return out[
        ["authority_code", "authority_name", "group", "sector", "emissions_kt", "per_person_t", "per_km2_t"]
    ].reset_index(drop=True)


def peer_totals(comparison: pd.DataFrame) -> pd.DataFrame:
    """Sum a :func:`peer_comparison` over sectors: one row per authority."""
    sums = comparison.groupby(["authority_code", "authority_name", "group"], sort=False, as_index=False)[
        ["emissions_kt", "per_person_t", "per_km2_t"]
    ].sum()
    return sums


# --------------------------------------------------------------------------- words


def summary_sentences(
    summary: Mapping[str, Any], *, place: str, unit: str = "kt CO2", plan: Mapping[str, Any] | None = None
) -> list[str]:
    """The plain-English headline a councillor reads first.

    Examples
    --------
    >>> s = {"last_actual_year": 2020, "last_actual_kt": 500.0, "required_annual_reduction_pct": 10/3, "cumulative_to_target_kt": 7750.0,
    ...      "trend_net_zero_year": 2061, "pathway": "linear", "target_year": 2050, "pathway_kt_in_target_year": 0.0}
    >>> summary_sentences(s, place="Sevenoaks District Council")[1]
    'On the current trend the district reaches net zero in 2061.'
    """
    area = "the council's own estate" if place.lower().startswith("council estate") else "the district"
    last_year, last_kt = summary["last_actual_year"], summary["last_actual_kt"]
    decimals = 1 if last_kt >= 10 else 2
    lines = [
        f"{place}: emissions were {format_number(last_kt, decimals)} {unit} in {last_year}, the last year of actual data."
    ]
    tnz = summary.get("trend_net_zero_year")
    lines.append(
        f"On the current trend {area} reaches net zero in {tnz}."
        if tnz
        else f"On the current trend {area} does not reach net zero: emissions are not falling."
    )
    target = summary["target_year"]
    rate = format_pct(summary["required_annual_reduction_pct"])
    if summary["pathway"] == "linear":
        lines.append(
            f"To reach net zero by {target}, emissions must fall by {rate} of the {last_year} level each year ({format_number(last_kt * summary['required_annual_reduction_pct'] / 100, decimals)} {unit} a year)."
        )
    elif summary["pathway"] == "constant_rate":
        lines.append(
            f"Falling by {rate} a year, emissions would be {format_number(summary['pathway_kt_in_target_year'], decimals)} {unit} in {target}."
        )
    else:
        lines.append(
            f"To stay within a carbon budget of {format_number(summary['carbon_budget_kt'], 0)} {unit}, emissions must fall by {rate} a year; "
            f"they would be {format_number(summary['pathway_kt_in_target_year'], decimals)} {unit} in {target}."
        )
    cumulative = summary["cumulative_to_target_kt"]
    lines.append(
        f"On this pathway {area} emits {format_number(cumulative, 0 if cumulative >= 100 else decimals)} {unit} in total from {last_year + 1} to {target}."
    )
    if summary.get("budget_exhausted_year"):
        lines.append(f"At the {last_year} level, the carbon budget runs out in {summary['budget_exhausted_year']}.")
    if plan is not None:
        if plan["meets_target"]:
            lines.append(f"The planned actions bring emissions to or below the pathway in {target}.")
        else:
            lines.append(
                f"The planned actions leave {format_number(plan['shortfall_kt'], decimals)} {unit} above the pathway in {target}: more action is needed."
            )
    return lines


def macc_sentence(macc: pd.DataFrame) -> str:
    """Describe the cost curve in one sentence (for its alt text)."""
    if macc.empty:
        return "No interventions are selected."
    cheapest, dearest = macc.iloc[0], macc.iloc[-1]
    return (
        f"{len(macc)} actions saving {format_number(macc['annual_abatement_tco2e'].sum())} tCO2e a year at full delivery; "
        f"cheapest per tonne: {cheapest['intervention']} at {format_money(cheapest['cost_per_tco2e'])}; "
        f"dearest: {dearest['intervention']} at {format_money(dearest['cost_per_tco2e'])}."
    )


# --------------------------------------------------------------------------- one scenario, end to end

SCOPES: tuple[str, ...] = ("district", "council estate")


@dataclass
class Scenario:
    """Everything one set of choices produces: the tables, the headline figures and the words."""

    authority_code: str
    authority_name: str
    scope: str
    series: EmissionsData
    sectors: list[str]
    actual: pd.Series
    table: pd.DataFrame
    summary: dict[str, Any]
    milestones: pd.DataFrame
    interventions: pd.DataFrame
    wedges: pd.DataFrame
    plan: dict[str, Any] | None
    macc: pd.DataFrame
    peers: pd.DataFrame | None
    findings: list[Finding]
    sentences: list[str]
    carbon_budget_source: str = ""
    #: Input role -> whether the file is the shipped example (for notes on screen and in the report).
    is_example: dict[str, bool] = field(default_factory=dict)


def compute_scenario(
    series: EmissionsData,
    *,
    authority_code: str,
    scope: str = "district",
    pathway: str = "linear",
    target_year: int = 2050,
    annual_reduction_pct: float | None = None,
    carbon_budget_kt: float | None = None,
    carbon_budget_source: str = "",
    trend_start_year: int = 2015,
    sectors: Iterable[str] | None = None,
    interventions: pd.DataFrame | None = None,
    similarity: pd.DataFrame | None = None,
    peer_count: int = 5,
) -> Scenario:
    """Compute a whole scenario: pathway, trend, summary, wedges, plan verdict, cost curve and peers.

    Parameters
    ----------
    series : EmissionsData
        The district series, or the council estate's (``scope="council estate"``).
    authority_code : str
        The authority (ignored for the council estate).
    interventions : DataFrame, optional
        Actions for this scope; those in sectors left out are dropped.
    similarity : DataFrame, optional
        mySociety's similarity inputs; peers are compared when given (district only).

    Returns
    -------
    Scenario

    Raises
    ------
    InputError
        For an unknown authority, bad pathway settings or malformed interventions.
    """
    from sv_helpers.climate.emissions import ESTATE_CODE, resolve_authority_code

    if scope not in SCOPES:
        raise InputError(f"The scope '{scope}' is not known; choose 'district' or 'council estate'.")
    code = ESTATE_CODE if scope == "council estate" else resolve_authority_code(series, authority_code)
    name = str(series.authorities.get(code, code))
    chosen = list(series.sectors if sectors is None else [s for s in series.sectors if s in set(sectors)])
    actual = actual_totals(series, code, chosen)
    findings = list(series.warnings)
    findings += [
        f
        for f in check_pathway_settings(
            int(actual.index.max()),
            pathway=pathway,
            target_year=target_year,
            annual_reduction_pct=annual_reduction_pct,
            carbon_budget_kt=carbon_budget_kt if (carbon_budget_kt or pathway == "budget") else None,
            trend_start_year=trend_start_year,
            first_actual_year=int(actual.index.min()),
        )
        if not f.is_error
    ]
    table, summary = pathway_to_target(
        actual,
        pathway=pathway,
        target_year=target_year,
        annual_reduction_pct=annual_reduction_pct,
        carbon_budget_kt=carbon_budget_kt,
        trend_start_year=trend_start_year,
    )
    if carbon_budget_source:
        summary["carbon_budget_source"] = carbon_budget_source
    summary.update(
        {
            "authority_code": code,
            "authority_name": name,
            "scope": scope,
            "sectors": chosen,
            "series": series.series_name,
            "unit": series.unit,
        }
    )
    if interventions is None:
        interventions = pd.DataFrame(columns=[c.name for c in INTERVENTIONS_SCHEMA.columns])
    plan_rows = (
        interventions[interventions["sector"].isin(chosen) | ~interventions["sector"].isin(series.sectors)]
        if len(interventions)
        else interventions
    )
    checks = (
        check_interventions(plan_rows, sectors=series.sectors, last_actual_year=summary["last_actual_year"])
        if len(plan_rows)
        else []
    )
    raise_for_errors(checks)
    findings += checks
    wedges = wedge_table(summary["last_actual_year"], summary["last_actual_kt"], plan_rows, int(target_year))
    plan = assess_plan(wedges, table, int(target_year)) if len(plan_rows) else None
    if plan is not None:
        summary["plan_meets_target"] = plan["meets_target"]
        summary["plan_shortfall_kt"] = plan["shortfall_kt"]
    macc = marginal_abatement_cost_curve(plan_rows)
    peers = None
    if scope == "district" and similarity is not None and len(series.context):
        key = ("peers", code, tuple(chosen), int(peer_count), id(similarity))
        if key not in series.memo:  # the same for every pathway setting: worked out once per series
            similar = similar_authorities(
                similarity, code, among=comparable_authorities(series).index, count=peer_count
            )
            try:
                series.memo[key] = (
                    peer_comparison(
                        series,
                        code,
                        similar=similar["authority_code"],
                        kent=kent_district_codes(series),
                        sectors=chosen,
                    ),
                    None,
                )
            except InputError as exc:
                series.memo[key] = None, str(exc)
        peers, problem = series.memo[key]
        if problem:
            findings.append(Finding("warning", problem))
    place = name if scope == "district" else "Council estate"
    sentences = summary_sentences(summary, place=place, unit=series.unit, plan=plan)
    return Scenario(
        code,
        name,
        scope,
        series,
        chosen,
        actual,
        table,
        summary,
        national_milestones(actual),
        plan_rows,
        wedges,
        plan,
        macc,
        peers,
        findings,
        sentences,
        carbon_budget_source,
    )


def scenario_tables(scenario: Scenario) -> dict[str, pd.DataFrame]:
    """The tables a scenario exports, keyed by file stem (``pathway`` is exactly the four columns)."""
    summary = summary_output(scenario.summary)
    tables = {
        "pathway": pathway_output_table(scenario.table),
        "summary": pd.DataFrame(
            {
                "item": list(summary),
                "value": [", ".join(map(str, v)) if isinstance(v, list) else v for v in summary.values()],
            }
        ),
        "trend_gap": scenario.table.loc[
            scenario.table["pathway_kt"].notna(), ["year", "pathway_kt", "trend_kt", "gap_kt"]
        ].reset_index(drop=True),
        "milestones": scenario.milestones,
    }
    if len(scenario.interventions):
        tables["wedges"] = scenario.wedges
        tables["cost_curve"] = scenario.macc
    if scenario.peers is not None:
        tables["peers"] = scenario.peers
    return tables


# ------------------------------------------------------------------------ the scenario core: Settings, load, run, write

#: The largest carbon budget a setting may hold (kt): ten million kt is 25 years of the UK's whole
#: territorial emissions.
MAX_CARBON_BUDGET_KT = 10_000_000.0
#: The latest target year a setting may hold (issue 12); the earliest is the year after the last actual
#: year of the data.
LAST_TARGET_YEAR = 2100
#: The summary figures of a run (the columns of a sweep).
SUMMARY_FIGURES: tuple[str, ...] = (
    "required_annual_reduction_pct",
    "cumulative_to_target_kt",
    "trend_net_zero_year",
    "budget_exhausted_year",
)


def _ticks(value: Mapping[str, Any], spec: Spec) -> dict[str, bool]:
    """Check a mapping of names to ticked (yes/no); keep only the names left unticked (the rest are included)."""
    flag = Spec(spec.name, spec.label, "bool", True)
    out: dict[str, bool] = {}
    for key, ticked in value.items():
        name = str(key).strip()
        if not name:
            raise InputError(f"The setting '{spec.label}' ({spec.name}) has an item with no name.")
        if len(name) > 200:
            raise InputError(f"The setting '{spec.label}' ({spec.name}) has a name longer than 200 characters.")
        try:
            included = coerce(ticked, flag)
        except InputError:
            raise InputError(
                f"In '{spec.label}', '{name[:60]}' must be ticked (yes) or not (no), not {ticked!r}."
            ) from None
        if not included:
            out[name] = False
    if len(out) > 1000:
        raise InputError(f"The setting '{spec.label}' ({spec.name}) leaves out more than 1,000 names.")
    return dict(sorted(out.items()))


@dataclass(frozen=True)
class Settings(SettingsBase):
    """Every setting of one climate run: the notebook's parameters and what the app's ticks change.

    ``sectors`` and ``interventions`` name what is left out (``{"Transport": False}``);
    everything not named is included, so the defaults hold for any data.
    """

    AREA: ClassVar[str] = "climate"
    NOTEBOOK: ClassVar[str] = "climate_targets.ipynb"

    authority_code: str = setting("SEV", label="Authority")
    emissions_path: str = setting("data/emissions/local_authority_emissions.csv", kind="path", label="Emissions file")
    scope: str = setting("district", label="Scope", choices=SCOPES)
    estate_path: str = setting("data/climate/council_estate_example.csv", kind="path", label="Council estate data")
    factors_path: str = setting("data/climate/emission_factors_example.csv", kind="path", label="Emission factors")
    interventions_path: str | None = setting(
        "data/climate/interventions_example.csv", kind="path", optional=True, label="Interventions file"
    )
    # the budget comes before the pathway, so a link that sets both (in this order) can choose the budget pathway
    carbon_budget_kt: float = setting(
        0.0, label="Carbon budget (kt)", minimum=0, maximum=MAX_CARBON_BUDGET_KT, unit="kt"
    )
    pathway: str = setting("linear", label="Pathway", choices=PATHWAY_METHODS)
    target_year: int = setting(
        parameter="climate.uk_net_zero_year", label="Target year", kind="int", minimum=1990, maximum=LAST_TARGET_YEAR
    )
    annual_reduction_pct: float = setting(10.0, label="Annual reduction (%)", minimum=0, maximum=100, unit="%")
    carbon_budget_source: str = setting("", label="Source of the carbon budget")
    trend_start_year: int = setting(
        parameter="climate.trend_start_year",
        label="Trend from year",
        kind="int",
        minimum=1990,
        maximum=LAST_TARGET_YEAR,
    )
    sectors: dict = setting({}, label="Sectors included", kind="mapping", check=_ticks)
    interventions: dict = setting({}, label="Interventions included", kind="mapping", check=_ticks)

    def check(self) -> None:
        """Checks that need no data: a budget pathway needs a budget; an emissions file is named."""
        if self.pathway == "budget" and self.carbon_budget_kt <= 0:
            raise InputError(
                "The carbon budget must be more than 0 kt for the budget pathway; 0 kt was given. Enter the budget "
                "from its source (for example a Tyndall Centre local carbon budget)."
            )
        if not str(self.emissions_path or "").strip():
            raise InputError("The setting 'Emissions file' (emissions_path) is empty: give the emissions CSV to use.")

    @property
    def carbon_budget(self) -> float | None:
        """The budget the pathway uses, or ``None`` when none is given (0 means none)."""
        return self.carbon_budget_kt if (self.carbon_budget_kt > 0 or self.pathway == "budget") else None


#: Settings that change what ``load`` reads besides the file paths (the app reloads when they change).
LOAD_SETTINGS: tuple[str, ...] = ("scope",)


@lru_cache(maxsize=1)
def _similarity() -> pd.DataFrame:
    from sv_helpers.climate.emissions import read_similarity

    return read_similarity()


def _is_example(path: Any) -> bool:
    return "example" in Path(str(path)).name.lower()


def load(settings: Settings) -> Inputs:
    """Read the files the settings name: the series for the scope, the interventions, and the similarity inputs.

    Returns
    -------
    Inputs
        ``values``: ``series`` (:class:`EmissionsData`), ``interventions`` (every scope, or None),
        ``similarity`` (district only), ``scope`` and ``is_example`` (role → whether the file is example data);
        ``sources``: each file read, by role, for provenance.

    Raises
    ------
    InputError
        For a missing or malformed file, naming the file, row and column.
    """
    from sv_helpers.climate import emissions as em
    from sv_helpers.core.paths import resolve_path

    values: dict[str, Any] = {"scope": settings.scope, "similarity": None}
    sources: dict[str, Any] = {}
    examples: dict[str, bool] = {}
    if settings.scope == "council estate":
        estate_path = resolve_path(settings.estate_path, setting="estate_path", expect="file")
        estate, sheet_factors = em.load_estate_workbook(estate_path)
        sources["council_estate"] = estate_path
        examples["council_estate"] = _is_example(estate_path)
        factors = sheet_factors
        if factors is None:
            factors_path = resolve_path(settings.factors_path, setting="factors_path", expect="file")
            factors = em.load_emission_factors(factors_path)
            sources["emission_factors"] = factors_path
            examples["emission_factors"] = _is_example(factors_path)
        values["series"] = em.estate_emissions(estate, factors)
    else:
        emissions_path = resolve_path(settings.emissions_path, setting="emissions_path", expect="file")
        values["series"] = em.load_emissions(emissions_path)
        values["similarity"] = _similarity()
        sources["emissions"] = emissions_path
        examples["emissions"] = False
    values["interventions"] = None
    if settings.interventions_path:
        plan_path = resolve_path(settings.interventions_path, setting="interventions_path", expect="file")
        values["interventions"] = load_interventions(plan_path)
        sources["interventions"] = plan_path
        examples["interventions"] = _is_example(plan_path)
    values["is_example"] = examples
    return Inputs(values=values, sources=sources)


def inputs_summary(inputs: Inputs) -> pd.DataFrame:
    """What was loaded, one row per file: role, file name, rows, years and whether it is example data."""
    series: EmissionsData = inputs["series"]
    rows = []
    for role, path in inputs.sources.items():
        if role in ("emissions", "council_estate"):
            what = (
                f"{series.series_name}: {len(series.authorities):,} authorities, {len(series.sectors)} sectors, "
                f"{min(series.years)} to {max(series.years)}"
            )
        elif role == "interventions":
            plan = inputs["interventions"]
            counts = ", ".join(f"{n} {s}" for s, n in plan["scope"].value_counts().items())
            what = f"{len(plan)} planned actions ({counts})"
        else:
            what = "emission factors for the council estate's activity data"
        rows.append(
            {
                "input": role.replace("_", " "),
                "file": Path(str(path)).name,
                "holds": what,
                "example_data": "yes" if inputs["is_example"].get(role) else "no",
            }
        )
    return pd.DataFrame(rows)


def check(settings: Settings, inputs: Inputs) -> list[Finding]:
    """The checks of the settings against the loaded data: errors stop a run, warnings are shown beside it.

    Covers the authority (is it in the series?), the sectors and interventions
    named (are they in the data?), the target year (after the last actual year,
    up to 2100), the trend's first year and the interventions file.
    """
    from sv_helpers.climate.emissions import ESTATE_CODE, resolve_authority_code

    series: EmissionsData = inputs["series"]
    findings: list[Finding] = list(series.warnings)
    if settings.scope == "council estate":
        code = ESTATE_CODE
    else:
        try:
            code = resolve_authority_code(series, settings.authority_code)
        except InputError as exc:
            return findings + [Finding("error", str(exc))]
    for name in settings.sectors:
        if name not in series.sectors:
            findings.append(
                Finding(
                    "warning",
                    f"The sector '{name}' left out by the settings is not a sector of this series "
                    f"({', '.join(series.sectors)}), so nothing was left out for it.",
                )
            )
    chosen = [s for s in series.sectors if settings.sectors.get(s, True)]
    if not chosen:
        return findings + [Finding("error", "No sector is chosen: tick at least one sector to include.")]
    actual = actual_totals(series, code, chosen).dropna()
    last, first = int(actual.index.max()), int(actual.index.min())
    findings += check_pathway_settings(
        last,
        pathway=settings.pathway,
        target_year=settings.target_year,
        annual_reduction_pct=settings.annual_reduction_pct,
        carbon_budget_kt=settings.carbon_budget,
        trend_start_year=settings.trend_start_year,
        first_actual_year=first,
    )
    plan = inputs["interventions"]
    if plan is not None:
        for name in settings.interventions:
            if name not in set(plan["intervention"]):
                findings.append(
                    Finding(
                        "warning",
                        f"The intervention '{name}' left out by the settings is not in the "
                        "interventions file, so nothing was left out for it.",
                    )
                )
        rows = _plan_rows(settings, plan, series)
        if len(rows):
            findings += check_interventions(rows, sectors=series.sectors, last_actual_year=last)
    return findings


def _plan_rows(settings: Settings, plan: pd.DataFrame | None, series: EmissionsData) -> pd.DataFrame | None:
    """The interventions of the settings' scope that are ticked (sector filtering happens in the scenario)."""
    if plan is None:
        return None
    rows = plan[
        (plan["scope"] == settings.scope) & plan["intervention"].map(lambda n: settings.interventions.get(n, True))
    ]
    return rows.reset_index(drop=True)


def run(settings: Settings, inputs: Inputs | None = None) -> Result:
    """Run one climate scenario: pathway, trend, summary, wedges, plan verdict, cost curve and peers.

    Pure: no widgets, no charts, no files written.  ``inputs`` are loaded from the
    settings when not given (or when they were loaded for another scope).

    Raises
    ------
    InputError
        When a check fails (unknown authority, target year not after the last
        actual year, malformed interventions, ...).

    Examples
    --------
    >>> result = run(Settings.from_parameters({"target_year": 2040}))
    >>> result.summary["required_annual_reduction_pct"]
    5.0
    """
    if inputs is None or inputs.get("scope") != settings.scope:
        inputs = load(settings)
    findings = check(settings, inputs)
    raise_for_errors(findings)
    series: EmissionsData = inputs["series"]
    scenario = compute_scenario(
        series,
        authority_code=settings.authority_code,
        scope=settings.scope,
        pathway=settings.pathway,
        target_year=settings.target_year,
        annual_reduction_pct=settings.annual_reduction_pct,
        carbon_budget_kt=settings.carbon_budget,
        carbon_budget_source=settings.carbon_budget_source.strip(),
        trend_start_year=settings.trend_start_year,
        sectors=[s for s in series.sectors if settings.sectors.get(s, True)],
        interventions=_plan_rows(settings, inputs["interventions"], series),
        similarity=inputs["similarity"],
        peer_count=int(_parameter("climate.similar_authority_count")),
    )
    scenario.is_example = dict(inputs["is_example"])
    warnings = list(
        dict.fromkeys([f.message for f in findings if not f.is_error] + [f.message for f in scenario.findings])
    )
    scenario.findings = [Finding("warning", m) for m in warnings]
    return Result(
        settings=settings,
        tables=scenario_tables(scenario),
        findings=scenario.findings,
        headline=" ".join(scenario.sentences),
        provenance=make_provenance(settings, inputs.sources),
        summary={k: scenario.summary.get(k) for k in SUMMARY_FIGURES},
        files={"summary.json": json_text(summary_output(scenario.summary))},
        detail=scenario,
    )


def findings_table(findings: Iterable[Finding]) -> pd.DataFrame:
    """The checks' findings as a table (``level``, ``message``); one row saying so when there are none."""
    rows = [{"level": f.level, "message": f.message} for f in findings]
    return pd.DataFrame(rows or [{"level": "ok", "message": "No problems found: the settings fit the data."}])


def compare(first: Result, second: Result) -> pd.DataFrame:
    """The headline figures of two runs side by side, with the difference (second minus first) where numeric."""
    keys = [
        "last_actual_kt",
        "target_year",
        "required_annual_reduction_pct",
        "cumulative_to_target_kt",
        "pathway_kt_in_target_year",
        "trend_net_zero_year",
        "budget_exhausted_year",
        "plan_shortfall_kt",
    ]
    a, b = first.detail.summary, second.detail.summary
    rows = []
    for key in keys:
        x, y = a.get(key), b.get(key)
        if x is None and y is None:
            continue
        numeric = isinstance(x, (int, float)) and isinstance(y, (int, float)) and not isinstance(x, bool)
        rows.append({"figure": key, "first": x, "second": y, "difference": (y - x) if numeric else None})
    return pd.DataFrame(rows)


def demand_table(scenario: Scenario) -> pd.DataFrame:
    """What the pathway demands each year, to the target year: emissions, the fall from the year before (kt and %)."""
    last_kt = scenario.summary["last_actual_kt"]
    path = scenario.table.loc[scenario.table["pathway_kt"].notna(), ["year", "pathway_kt"]].reset_index(drop=True)
    previous = np.concatenate([[last_kt], path["pathway_kt"].to_numpy()[:-1]])
    path["reduction_kt"] = previous - path["pathway_kt"].to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        path["reduction_pct"] = np.where(previous > 0, 100.0 * path["reduction_kt"] / previous, 0.0)
    path["cumulative_kt"] = path["pathway_kt"].cumsum()
    return path


#: What the screen and the report say when the council estate or the interventions are the shipped examples.
ESTATE_EXAMPLE_NOTE = (
    "Council estate: example figures. The buildings, fleet, activity data and emission factors shown are fictional "
    "examples, not Sevenoaks District Council's own; load the council's activity data "
    "(template: data/climate/council_estate_template.xlsx) "
    "and the year's official UK Government conversion factors."
)
INTERVENTIONS_EXAMPLE_NOTE = (
    "The interventions are example figures for illustration (each name starts 'Example:'); "
    "load the council's own plan to replace them."
)
