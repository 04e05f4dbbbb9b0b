"""Climate pathways: a district's actual series, pathways to a target year, the trend and carbon budgets.

Model layer: small, pure functions on pandas and numpy objects (no widgets,
no charts).  Years are calendar years.  Emissions are in kilotonnes (kt) as
the series gives them.

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
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from sv_helpers.climate.emissions import EmissionsData
from sv_helpers.core.errors import Finding, InputError, raise_for_errors
from sv_helpers.core.formatting import format_number, format_pct
from sv_helpers.core.numerics import linear_fit, powers
from sv_helpers.core.parameters import parameter_path, parameter_value

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
