"""The impact report: social value by theme and by source, grant outcomes, climate progress
and contracts by status, with a plain-English summary written from the figures.

Sources of social value: ``contracts`` (suppliers' returns), ``grants``
(the grants app's allocations and grant monitoring returns), ``employer``,
``partnerships`` and ``planning`` (the council's activities table).  Grant,
activity and climate inputs are optional: the report says plainly when one
is not provided.

Model layer: pure functions on pandas objects.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd

from sv_helpers import activities as act
from sv_helpers import delivery as dlv
from sv_helpers.errors import Finding, InputError, raise_for_errors
from sv_helpers.formatting import financial_year_bounds, format_date, format_money, format_number, format_pct, sentence_list
from sv_helpers.measures import THEMES
from sv_helpers.tables import Column, TableSchema, load_table, parse_date

#: The sources of social value, in the order the report shows them.
SOURCES: tuple[str, ...] = ("contracts", "grants", "employer", "partnerships", "planning")

SOURCE_LABELS: dict[str, str] = {
    "contracts": "Contracts",
    "grants": "Community grants",
    "employer": "The council as employer",
    "partnerships": "Partnerships",
    "planning": "Planning",
}

BY_THEME_COLUMNS = ["source", "theme", "value_gbp", "figures", "figures_valued"]

# --------------------------------------------------------------------------- grants inputs

GRANT_ALLOCATIONS_SCHEMA = TableSchema(
    "allocations",
    (
        Column("application_id", "text", unique=True, description="The application's reference."),
        Column("organisation", "text", description="The group funded."),
        Column("project", "text", description="What the grant pays for."),
        Column("theme", "text", description="The grant scheme's theme, e.g. Older people."),
        Column("ward", "text", required=False, allow_blank=True, default="", description="The ward the project serves."),
        Column("amount_requested", "money", minimum=0, description="The grant asked for, in pounds."),
        Column("awarded", "money", minimum=0, description="The grant awarded, in pounds (0 when not funded)."),
        Column("funded", "boolean", description="Whether the application was funded."),
        Column("beneficiaries", "integer", required=False, allow_blank=True, minimum=0, description="People the project expected to benefit."),
    ),
    description="The grants app's allocations.csv (papermill output).",
)

GRANT_MONITORING_SCHEMA = TableSchema(
    "grant_monitoring",
    (
        Column("application_id", "text", description="The grant's application reference, as in the allocations."),
        Column("volunteer_hours", "number", required=False, allow_blank=True, minimum=0, default=np.nan, description="Hours given by volunteers on the funded project in the year."),
        Column("beneficiaries", "integer", required=False, allow_blank=True, minimum=0, description="People who benefited from the funded project in the year."),
        Column("evidence", "text", required=False, allow_blank=True, default="", description="A reference to the evidence, or a short note."),
    ),
    description="Grant monitoring returns: one row per funded grant (or per return; rows for the same grant are added up).",
)

CLIMATE_PATHWAY_SCHEMA = TableSchema(
    "pathway",
    (
        Column("year", "integer", minimum=1990, maximum=2100, description="Calendar year."),
        Column("actual_kt", "number", required=False, allow_blank=True, default=np.nan, description="Actual emissions, kilotonnes CO2."),
        Column("pathway_kt", "number", required=False, allow_blank=True, default=np.nan, description="The chosen pathway's emissions, kilotonnes CO2."),
        Column("trend_kt", "number", required=False, allow_blank=True, default=np.nan, description="The emissions trend, kilotonnes CO2."),
    ),
    description="The climate app's pathway.csv (papermill output).",
)

CLIMATE_SUMMARY_KEYS = ("last_actual_year", "last_actual_kt", "required_annual_reduction_pct", "cumulative_to_target_kt", "trend_net_zero_year", "budget_exhausted_year")


def parse_date_text(text: str, what: str = "the date") -> pd.Timestamp:
    """Read a date typed by a user (31/03/2026, 2026-03-31 or 31 March 2026).

    Raises
    ------
    InputError
        When the text is not a date in one of those forms.
    """
    try:
        return parse_date(str(text).strip())
    except ValueError:
        raise InputError(f"'{text}' is not a date; write {what} like 31/03/2026 or 2026-03-31.") from None


def load_grant_allocations(source: str | Path | bytes, *, filename: str | None = None) -> pd.DataFrame:
    """Load the grants app's ``allocations.csv``."""
    return load_table(source, GRANT_ALLOCATIONS_SCHEMA, filename=filename)


def load_grant_monitoring(source: str | Path | bytes, *, filename: str | None = None) -> pd.DataFrame:
    """Load grant monitoring returns (CSV or .xlsx)."""
    return load_table(source, GRANT_MONITORING_SCHEMA, filename=filename)


def load_climate_pathway(source: str | Path | bytes, *, filename: str | None = None) -> pd.DataFrame:
    """Load the climate app's ``pathway.csv``."""
    return load_table(source, CLIMATE_PATHWAY_SCHEMA, filename=filename)


def load_climate_summary(source: str | Path | bytes, *, filename: str | None = None) -> dict[str, Any]:
    """Load the climate app's ``summary.json``.

    Raises
    ------
    InputError
        When the file is missing, is not JSON, or lacks ``last_actual_year``
        and ``last_actual_kt``.
    """
    if isinstance(source, (bytes, bytearray, memoryview)):
        data, name = bytes(source), filename or "summary.json"
    else:
        path = Path(source)
        name = filename or path.name
        if not path.is_file():
            raise InputError(f"{name} was not found (looked for {path}).")
        data = path.read_bytes()
    try:
        summary = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise InputError(f"{name} could not be read: it is not a JSON file. Use the summary.json written by the climate targets notebook.") from None
    if not isinstance(summary, dict):
        raise InputError(f"{name} is not a climate summary: it should hold named figures such as last_actual_year.")
    missing = [k for k in ("last_actual_year", "last_actual_kt") if k not in summary]
    if missing:
        raise InputError(f"{name} lacks {sentence_list(missing)}. Use the summary.json written by the climate targets notebook.")
    return summary


def grant_outcomes(allocations: pd.DataFrame, monitoring: pd.DataFrame | None) -> pd.DataFrame:
    """Funded grants, their awards and their outcomes, by the scheme's theme.

    Beneficiaries come from the monitoring returns where a grant has one,
    else from the allocations (the number expected).

    Returns
    -------
    DataFrame
        ``theme, grants_funded, awarded_gbp, volunteer_hours,
        beneficiaries`` (volunteer hours NaN where no monitoring returns
        were given), one row per theme with a funded grant, and a last row
        ``All themes``.
    """
    funded = allocations[allocations["funded"].astype(bool).to_numpy()].copy()
    funded["application_id"] = funded["application_id"].astype(str)
    expected = pd.to_numeric(funded["beneficiaries"], errors="coerce").astype("float64") if "beneficiaries" in funded.columns else pd.Series(np.nan, index=funded.index)
    funded["beneficiaries_out"] = expected.to_numpy()
    funded["volunteer_hours"] = np.nan
    if monitoring is not None and len(monitoring):
        mon = monitoring.assign(application_id=monitoring["application_id"].astype(str))
        hours = mon.groupby("application_id")["volunteer_hours"].sum(min_count=1)
        people = pd.to_numeric(mon["beneficiaries"], errors="coerce").astype("float64").groupby(mon["application_id"]).sum(min_count=1)
        funded["volunteer_hours"] = funded["application_id"].map(hours).astype("float64").to_numpy()
        reported = funded["application_id"].map(people).astype("float64")
        funded["beneficiaries_out"] = reported.fillna(pd.Series(expected.to_numpy(), index=reported.index)).to_numpy()
    grouped = funded.groupby("theme", sort=True).agg(
        grants_funded=("application_id", "count"),
        awarded_gbp=("awarded", "sum"),
        volunteer_hours=("volunteer_hours", lambda s: s.sum(min_count=1)),
        beneficiaries=("beneficiaries_out", lambda s: s.sum(min_count=1)),
    )
    out = grouped.reset_index()
    total = {
        "theme": "All themes",
        "grants_funded": int(out["grants_funded"].sum()),
        "awarded_gbp": float(out["awarded_gbp"].sum()),
        "volunteer_hours": out["volunteer_hours"].sum(min_count=1),
        "beneficiaries": out["beneficiaries"].sum(min_count=1),
    }
    return pd.concat([out, pd.DataFrame([total])], ignore_index=True)


def check_grant_monitoring(allocations: pd.DataFrame, monitoring: pd.DataFrame) -> list[Finding]:
    """Monitoring returns must name grants in the allocations; a return for an unfunded application is a warning."""
    findings: list[Finding] = []
    ids = monitoring["application_id"].astype(str)
    known = allocations.set_index(allocations["application_id"].astype(str))["funded"]
    unknown = ~ids.isin(known.index)
    if unknown.any():
        rows = ", ".join(str(r) for r in monitoring.index[unknown.to_numpy()][:8])
        findings.append(Finding("error", f"The grant monitoring returns, row {rows}: the application '{ids[unknown].iloc[0]}' is not in the grant allocations. Correct the reference, or load the allocations for the same year."))
    funded = {str(k): bool(v) for k, v in known.items()}
    unfunded = ids.map(lambda i: i in funded and not funded[i]).astype(bool)
    if unfunded.any():
        findings.append(Finding("warning", f"The grant monitoring returns include {int(unfunded.sum())} row(s) for applications that were not funded; they are left out."))
    return findings


def climate_progress(summary: Mapping[str, Any], pathway: pd.DataFrame | None) -> dict[str, Any]:
    """Latest actual emissions against the chosen pathway.

    The pathway is read in the latest actual year when it has a value there,
    else in its first year after it (the climate notebook's pathway starts
    the year after the last actual figure).

    Returns
    -------
    dict
        ``year`` and ``actual_kt`` (the latest actual figure), ``pathway_year``
        and ``pathway_kt`` (NaN when no pathway is given), ``gap_kt`` (actual
        minus pathway in the same year, positive above the pathway; NaN when
        the pathway has no value in that year), ``series`` and the climate
        summary's figures as given.
    """
    year = int(summary["last_actual_year"])
    actual = float(summary["last_actual_kt"])
    pathway_year, pathway_kt = None, float("nan")
    if pathway is not None and len(pathway):
        points = pathway[["year", "pathway_kt"]].dropna()
        points = points[pd.to_numeric(points["year"]) >= year].sort_values("year")
        if len(points):
            pathway_year, pathway_kt = int(points["year"].iloc[0]), float(points["pathway_kt"].iloc[0])
    out = {k: summary.get(k) for k in CLIMATE_SUMMARY_KEYS}
    out.update(
        {
            "year": year,
            "actual_kt": actual,
            "pathway_year": pathway_year,
            "pathway_kt": pathway_kt,
            "gap_kt": actual - pathway_kt if pathway_year == year else float("nan"),
            "series": summary.get("series"),
            "target_year": summary.get("target_year"),
        }
    )
    return out


# --------------------------------------------------------------------------- the report


@dataclass
class ImpactReport:
    """Everything the impact report shows for one financial year.

    Tables are plain DataFrames with the names used in files and on screen;
    ``summary`` is the plain-English summary, one sentence per item.
    """

    financial_year: str
    as_of: pd.Timestamp
    delivery: pd.DataFrame
    delivery_in_year: pd.DataFrame
    status: pd.DataFrame
    status_counts: pd.DataFrame
    replaced_returns: pd.DataFrame
    by_theme: pd.DataFrame
    activities: pd.DataFrame | None = None
    volunteering: dict[str, float] | None = None
    planning: pd.DataFrame | None = None
    grants: pd.DataFrame | None = None
    grants_monitored: bool = False
    climate: dict[str, Any] | None = None
    summary: list[str] = field(default_factory=list)
    not_provided: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def tables(self) -> dict[str, pd.DataFrame]:
        """The report's tables for download and batch output, by file stem."""
        out = {
            "delivery": self.delivery,
            "contract_status": self.status,
            "impact_by_theme": self.by_theme,
            "delivery_in_year": self.delivery_in_year,
            "replaced_returns": self.replaced_returns,
        }
        if self.activities is not None:
            out["activities"] = self.activities
        if self.planning is not None:
            out["planning_money"] = self.planning
        if self.grants is not None:
            out["grant_outcomes"] = self.grants
        return out

    @property
    def summary_text(self) -> str:
        return " ".join(self.summary)


def by_theme_table(delivery_in_year: pd.DataFrame, activities: pd.DataFrame | None, grants_allocations: pd.DataFrame | None) -> pd.DataFrame:
    """Social value in pounds by source and theme, with the number of figures behind each.

    Parameters
    ----------
    delivery_in_year : DataFrame
        Contracts' delivery in the year (:func:`sv_helpers.delivery.delivery_table` with ``since``).
    activities : DataFrame, optional
        Valued activities for the year (:func:`sv_helpers.activities.value_activities`).
    grants_allocations : DataFrame, optional
        The grant allocations; funded grants are counted under their theme
        when it is one of the three, and are not monetised.

    Returns
    -------
    DataFrame
        :data:`BY_THEME_COLUMNS`: a row for every source and theme (value 0
        where nothing is valued), ``figures`` counts the rows behind the
        cell, ``figures_valued`` those with a value in pounds.
    """
    parts = []
    contracts = delivery_in_year[delivery_in_year["delivered_quantity"] > 0]
    parts.append(pd.DataFrame({"source": "contracts", "theme": contracts["theme"].to_numpy(), "value_gbp": contracts["delivered_value_gbp"].to_numpy()}))
    if activities is not None and len(activities):
        parts.append(pd.DataFrame({"source": activities["source"].to_numpy(), "theme": activities["theme"].to_numpy(), "value_gbp": activities["value_gbp"].to_numpy()}))
    if grants_allocations is not None and len(grants_allocations):
        funded = grants_allocations[grants_allocations["funded"].astype(bool).to_numpy()]
        themed = funded[funded["theme"].astype(str).str.lower().isin(THEMES)]
        parts.append(pd.DataFrame({"source": "grants", "theme": themed["theme"].astype(str).str.lower().to_numpy(), "value_gbp": np.nan}))
    rows = pd.concat(parts, ignore_index=True)
    rows["value_gbp"] = pd.to_numeric(rows["value_gbp"], errors="coerce").astype("float64")
    rows["valued"] = rows["value_gbp"].notna()
    grid = pd.MultiIndex.from_product([SOURCES, THEMES], names=["source", "theme"])
    grouped = rows.groupby(["source", "theme"]).agg(value_gbp=("value_gbp", lambda s: s.sum(min_count=0)), figures=("valued", "size"), figures_valued=("valued", "sum"))
    out = grouped.reindex(grid).reset_index()
    out["value_gbp"] = out["value_gbp"].fillna(0.0).astype("float64")
    out["figures"] = out["figures"].fillna(0).astype(int)
    out["figures_valued"] = out["figures_valued"].fillna(0).astype(int)
    return out[BY_THEME_COLUMNS]


def climate_sentence(c: Mapping[str, Any]) -> str:
    """Say where district emissions stand against the chosen pathway, from :func:`climate_progress`."""
    text = f"District emissions were {format_number(c['actual_kt'], 1)} kt CO2 in {c['year']}, the latest year with actual figures"
    if np.isfinite(c["gap_kt"]):
        side = "above" if c["gap_kt"] > 0 else "below"
        text += f": {format_number(abs(c['gap_kt']), 1)} kt {side} the chosen pathway ({format_number(c['pathway_kt'], 1)} kt)"
    elif c.get("pathway_year") is not None:
        text += f"; the chosen pathway brings them to {format_number(c['pathway_kt'], 1)} kt in {c['pathway_year']}"
    text += "."
    if c.get("required_annual_reduction_pct") is not None:
        text += f" The pathway needs a cut of {format_pct(c['required_annual_reduction_pct'], 1)} a year"
        text += f" to reach net zero by {c['target_year']}." if c.get("target_year") else "."
    if c.get("trend_net_zero_year") is not None:
        text += f" On the current trend emissions would reach zero in {c['trend_net_zero_year']}."
    return text


def summary_sentences(report: ImpactReport) -> list[str]:
    """Write the plain-English summary from the report's figures (no figure is stated that is not in a table)."""
    fy = report.financial_year
    out: list[str] = []
    in_year = float(report.delivery_in_year["delivered_value_gbp"].sum(min_count=0))
    delivered = float(report.status["delivered_value_gbp"].sum())
    expected = float(report.status["expected_value_gbp"].sum())
    counts = dict(zip(report.status_counts["status"], report.status_counts["contracts"]))
    pct = format_pct(100.0 * delivered / expected, 0) if expected > 0 else None
    n = len(report.status)
    status_words = sentence_list([f"{counts[s]} {s}" for s in dlv.STATUSES if counts.get(s)])
    first = f"In {fy} contracts delivered {format_money(in_year)} of social value."
    if pct:
        first += (
            f" Since they began, the {n} contract{'s' if n != 1 else ''} tracked have delivered {format_money(delivered)}, "
            f"{pct} of the {format_money(expected)} expected by {format_date(report.as_of)} ({status_words})."
        )
    else:
        first += f" No monetised delivery was expected from the {n} contract{'s' if n != 1 else ''} tracked by {format_date(report.as_of)}."
    out.append(first)

    if report.activities is not None:
        own = report.by_theme[report.by_theme["source"].isin(act.ACTIVITY_SOURCES)]
        valued = float(own["value_gbp"].sum())
        counted = int(own["figures"].sum() - own["figures_valued"].sum())
        text = f"The council's own activities as an employer, through partnerships and through planning added {format_money(valued)} of valued social value, with {counted} further figure{'s' if counted != 1 else ''} reported as counts."
        vol = report.volunteering or {}
        if np.isfinite(vol.get("hours", np.nan)):
            text += f" Staff gave {format_number(vol['hours'])} volunteering hours"
            if np.isfinite(vol.get("take_up_pct", np.nan)):
                text += f"; {format_number(vol['volunteers'])} of {format_number(vol['headcount'])} staff ({format_pct(vol['take_up_pct'], 0)}) took part"
            if np.isfinite(vol.get("pct_of_entitlement", np.nan)):
                text += f", using {format_pct(vol['pct_of_entitlement'], 0)} of the volunteering leave available"
            text += "."
        if report.planning is not None and len(report.planning):
            ind = report.planning["indicator"].str.lower()
            received = float(report.planning.loc[ind.str.contains("received").to_numpy(), "amount_gbp"].sum())
            spent = float(report.planning.loc[ind.str.contains("spent").to_numpy(), "amount_gbp"].sum())
            text += f" Planning secured {format_money(received)} in Community Infrastructure Levy and developer contributions, and {format_money(spent)} was spent."
        out.append(text)

    if report.grants is not None:
        total = report.grants.iloc[-1]
        n = int(total["grants_funded"])
        text = f"{n} community grant{'s' if n != 1 else ''} worth {format_money(total['awarded_gbp'])} {'were' if n != 1 else 'was'} funded"
        if report.grants_monitored:
            extras = []
            if pd.notna(total["volunteer_hours"]):
                extras.append(f"{format_number(total['volunteer_hours'])} volunteer hours")
            if pd.notna(total["beneficiaries"]):
                extras.append(f"{format_number(total['beneficiaries'])} beneficiaries")
            text += f"; monitoring returns report {sentence_list(extras)}" if extras else ""
        elif pd.notna(total["beneficiaries"]):
            text += f", expected at award to benefit {format_number(total['beneficiaries'])} people (no monitoring returns were given)"
        out.append(text + ".")

    if report.climate is not None:
        out.append(climate_sentence(report.climate))

    theme_totals = report.by_theme.groupby("theme")["value_gbp"].sum()
    out.append("By theme: " + sentence_list([f"{t} {format_money(theme_totals.get(t, 0.0))}" for t in THEMES]) + ".")
    if report.not_provided:
        out.append(f"Not provided for this report: {sentence_list(report.not_provided)}.")
    return out


def build_impact_report(
    financial_year: str,
    *,
    contracts: pd.DataFrame,
    commitments: pd.DataFrame,
    returns: pd.DataFrame | Sequence[pd.DataFrame],
    measures: pd.DataFrame,
    as_of: pd.Timestamp | str | dt.date | None = None,
    activities: pd.DataFrame | None = None,
    grant_allocations: pd.DataFrame | None = None,
    grant_monitoring: pd.DataFrame | None = None,
    climate_summary: Mapping[str, Any] | None = None,
    climate_pathway: pd.DataFrame | None = None,
) -> ImpactReport:
    """Check every input and build the impact report for a financial year.

    Parameters
    ----------
    financial_year : str
        ``2025/26``.
    contracts, commitments, returns, measures : DataFrame
        Contract delivery inputs (see :mod:`sv_helpers.delivery`).
    as_of : date, optional
        The date delivery is measured to; default the last day of the year.
    activities : DataFrame, optional
        The council's activities table (all years; the year's rows are used).
    grant_allocations, grant_monitoring : DataFrame, optional
        The grants app's allocations and the monitoring returns.
    climate_summary, climate_pathway : optional
        The climate app's ``summary.json`` (as a dict) and ``pathway.csv``.

    Returns
    -------
    ImpactReport

    Raises
    ------
    InputError
        Listing every error in the inputs.
    """
    start, end = financial_year_bounds(financial_year)
    as_of = pd.Timestamp(as_of) if as_of is not None and str(as_of).strip() else end
    if as_of < start:
        raise InputError(f"The date to measure delivery to ({format_date(as_of)}) is before the financial year {financial_year} begins ({format_date(start)}). Choose a date in or after the year.")
    findings: list[Finding] = []
    resolved = dlv.resolve_returns(returns)
    all_returns = pd.concat([resolved.current, resolved.replaced], ignore_index=True) if len(resolved.replaced) else resolved.current
    findings += dlv.check_delivery_inputs(contracts, commitments, all_returns, measures)
    if activities is not None:
        findings += act.check_activities(activities, measures)
    if grant_monitoring is not None and grant_allocations is None:
        findings.append(Finding("warning", "Grant monitoring returns were given without the grant allocations, so they are not used. Load the grants app's allocations.csv as well."))
    if grant_monitoring is not None and grant_allocations is not None:
        findings += check_grant_monitoring(grant_allocations, grant_monitoring)
    raise_for_errors(findings)

    delivery = dlv.delivery_table(contracts, commitments, resolved.current, measures, as_of)
    in_year = dlv.delivery_table(contracts, commitments, resolved.current, measures, min(as_of, end), since=start)
    green, amber = dlv.status_thresholds(as_of)
    status = dlv.contract_status(delivery, contracts, green=green, amber=amber)

    not_provided = []
    year_activities = volunteering = planning = None
    if activities is not None:
        year_activities = act.value_activities(act.activities_for_year(activities, financial_year), measures)
        if not len(year_activities):
            findings.append(Finding("warning", f"The activities file has no rows for {financial_year}; the council's own activities are left out."))
            year_activities = None
            not_provided.append(f"the council's own activities for {financial_year}")
        else:
            volunteering = act.volunteering_summary(year_activities, financial_year)
            planning = act.planning_money(year_activities)
    else:
        not_provided.append("the council's own activities")
    grants = None
    if grant_allocations is not None:
        grants = grant_outcomes(grant_allocations, grant_monitoring if grant_monitoring is not None else None)
        if grant_monitoring is None:
            not_provided.append("grant monitoring returns (beneficiaries are those expected at award)")
    else:
        not_provided.append("grant results")
    climate = None
    if climate_summary is not None:
        climate = climate_progress(climate_summary, climate_pathway)
    else:
        not_provided.append("climate results")

    report = ImpactReport(
        financial_year=financial_year,
        as_of=as_of,
        delivery=delivery,
        delivery_in_year=in_year,
        status=status,
        status_counts=dlv.status_counts(status),
        replaced_returns=resolved.replaced,
        by_theme=by_theme_table(in_year, year_activities, grant_allocations),
        activities=year_activities,
        volunteering=volunteering,
        planning=planning,
        grants=grants,
        grants_monitored=grant_allocations is not None and grant_monitoring is not None,
        climate=climate,
        not_provided=not_provided,
        warnings=[f.message for f in findings if not f.is_error],
    )
    report.summary = summary_sentences(report)
    return report
