"""The impact report: social value by theme and by source, grant outcomes, climate progress
and contracts by status, with a plain-English summary written from the figures.

Sources of social value: ``contracts`` (suppliers' returns), ``grants``
(the grants app's allocations and grant monitoring returns), ``employer``,
``partnerships`` and ``planning`` (the council's activities table).  Grant,
activity and climate inputs are optional: the report says plainly when one
is not provided.

The scenario core (see :mod:`sv_helpers.core.scenario`): :class:`Settings` (the
notebook's parameters and the app's controls) → :func:`load` → :func:`run`
→ :class:`~sv_helpers.core.scenario.Result` → :func:`write`.

Model layer: pure functions on pandas objects (only :func:`write` renders the
report page and its PDF, through :mod:`sv_helpers.reports.document`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from sv_helpers.core.errors import Finding, InputError, raise_for_errors
from sv_helpers.core.formatting import (
    financial_year_bounds,
    format_date,
    format_money,
    format_number,
    format_pct,
    parse_financial_year,
    sentence_list,
)
from sv_helpers.core.measures import THEMES, load_measures
from sv_helpers.core.paths import resolve_path
from sv_helpers.core.scenario import Inputs, Result, SettingsBase, Spec, make_provenance, setting
from sv_helpers.core.tables import Column, TableSchema, load_table, parse_date
from sv_helpers.impact import activities as act
from sv_helpers.impact import delivery as dlv

#: The sources of social value, in the order the report shows them.
SOURCES: tuple[str, ...] = ("contracts", "grants", "employer", "partnerships", "planning")


BY_THEME_COLUMNS = ["source", "theme", "value_gbp", "figures", "figures_valued"]

# --------------------------------------------------------------------------- grants inputs

GRANT_ALLOCATIONS_SCHEMA = TableSchema(
    "allocations",
    (
        Column("application_id", "text", unique=True, description="The application's reference."),
        Column("organisation", "text", description="The group funded."),
        Column("project", "text", description="What the grant pays for."),
        Column("theme", "text", description="The grant scheme's theme, e.g. Older people."),
        Column(
            "ward", "text", required=False, allow_blank=True, default="", description="The ward the project serves."
        ),
        Column("amount_requested", "money", minimum=0, description="The grant asked for, in pounds."),
        Column("awarded", "money", minimum=0, description="The grant awarded, in pounds (0 when not funded)."),
        Column("funded", "boolean", description="Whether the application was funded."),
        Column(
            "beneficiaries",
            "integer",
            required=False,
            allow_blank=True,
            minimum=0,
            description="People the project expected to benefit.",
        ),
    ),
    description="The grants app's allocations.csv (papermill output).",
)

GRANT_MONITORING_SCHEMA = TableSchema(
    "grant_monitoring",
    (
        Column("application_id", "text", description="The grant's application reference, as in the allocations."),
        Column(
            "volunteer_hours",
            "number",
            required=False,
            allow_blank=True,
            minimum=0,
            default=np.nan,
            description="Hours given by volunteers on the funded project in the year.",
        ),
        Column(
            "beneficiaries",
            "integer",
            required=False,
            allow_blank=True,
            minimum=0,
            description="People who benefited from the funded project in the year.",
        ),
        Column(
            "evidence",
            "text",
            required=False,
            allow_blank=True,
            default="",
            description="A reference to the evidence, or a short note.",
        ),
    ),
    description=(
        "Grant monitoring returns: one row per funded grant (or per return; rows for the same grant are added up)."
    ),
)

CLIMATE_PATHWAY_SCHEMA = TableSchema(
    "pathway",
    (
        Column("year", "integer", minimum=1990, maximum=2100, description="Calendar year."),
        Column(
            "actual_kt",
            "number",
            required=False,
            allow_blank=True,
            default=np.nan,
            description="Actual emissions, kilotonnes CO2.",
        ),
        Column(
            "pathway_kt",
            "number",
            required=False,
            allow_blank=True,
            default=np.nan,
            description="The chosen pathway's emissions, kilotonnes CO2.",
        ),
        Column(
            "trend_kt",
            "number",
            required=False,
            allow_blank=True,
            default=np.nan,
            description="The emissions trend, kilotonnes CO2.",
        ),
    ),
    description="The climate app's pathway.csv (papermill output).",
)

CLIMATE_SUMMARY_KEYS = (
    "last_actual_year",
    "last_actual_kt",
    "required_annual_reduction_pct",
    "cumulative_to_target_kt",
    "trend_net_zero_year",
    "budget_exhausted_year",
)


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
        raise InputError(
            f"{name} could not be read: it is not a JSON file. "
            "Use the summary.json written by the climate targets notebook."
        ) from None
    if not isinstance(summary, dict):
        raise InputError(f"{name} is not a climate summary: it should hold named figures such as last_actual_year.")
    missing = [k for k in ("last_actual_year", "last_actual_kt") if k not in summary]
    if missing:
        raise InputError(
            f"{name} lacks {sentence_list(missing)}. Use the summary.json written by the climate targets notebook."
        )
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
    expected = (
        pd.to_numeric(funded["beneficiaries"], errors="coerce").astype("float64")
        if "beneficiaries" in funded.columns
        else pd.Series(np.nan, index=funded.index)
    )
    funded["beneficiaries_out"] = expected.to_numpy()
    funded["volunteer_hours"] = np.nan
    if monitoring is not None and len(monitoring):
        mon = monitoring.assign(application_id=monitoring["application_id"].astype(str))
        hours = mon.groupby("application_id")["volunteer_hours"].sum(min_count=1)
        people = (
            pd.to_numeric(mon["beneficiaries"], errors="coerce")
            .astype("float64")
            .groupby(mon["application_id"])
            .sum(min_count=1)
        )
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
        findings.append(
            Finding(
                "error",
                f"The grant monitoring returns, row {rows}: the application '{ids[unknown].iloc[0]}' is not in the "
                "grant allocations. Correct the reference, or load the allocations for the same year.",
            )
        )
    funded = {str(k): bool(v) for k, v in known.items()}
    unfunded = ids.map(lambda i: i in funded and not funded[i]).astype(bool)
    if unfunded.any():
        findings.append(
            Finding(
                "warning",
                f"The grant monitoring returns include {int(unfunded.sum())} row(s) for applications that were not "
                "funded; they are left out.",
            )
        )
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


# --------------------------------------------------------------------------- planning gain inputs

IFS_SCHEMA = TableSchema(
    "ifs",
    (
        Column("item", "text", description="The Schedule 2 item, in words."),
        Column("paragraph", "text", description="Its paragraph of Schedule 2, e.g. 1(b)."),
        Column("amount", "number", description="The amount in pounds (or a count, where the item is one)."),
    ),
    description="The planning gain notebook's ifs_cil.csv or ifs_s106.csv (papermill output).",
)

#: The Infrastructure Funding Statement items the report uses: file → {paragraph: figure name} (CIL Regulations 2010,
#: regulation 121A and Schedule 2: 1(b) CIL receipts, 1(e) CIL expenditure, 3(b) section 106 money received, 3(f)
#: spent, 3(i) retained at the end of the year).
IFS_ITEMS: dict[str, dict[str, str]] = {
    "ifs_cil.csv": {"1(b)": "cil_received", "1(e)": "cil_spent"},
    "ifs_s106.csv": {"3(b)": "s106_received", "3(f)": "s106_spent"},
}
IFS_OPTIONAL_ITEMS: dict[str, dict[str, str]] = {"ifs_s106.csv": {"3(i)": "s106_held"}}


def load_planning_ifs(folder: str | Path) -> dict[str, pd.DataFrame]:
    """Load the planning gain notebook's Infrastructure Funding Statement from its output folder.

    Returns
    -------
    dict
        ``ifs_cil.csv`` and ``ifs_s106.csv`` (``item, paragraph, amount``) by file name, and the statement's
        ``financial_year`` from the folder's ``provenance.json`` when it has one (else None).

    Raises
    ------
    InputError
        When the folder or either file is missing, or a file is not a statement.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise InputError(
            f"The planning folder {folder} was not found: give the folder the planning gain notebook "
            "wrote its outputs to (its output_dir)."
        )
    out: dict[str, Any] = {}
    for name in IFS_ITEMS:
        path = folder / name
        if not path.is_file():
            raise InputError(
                f"The planning folder {folder.name} has no {name}: give the folder the planning gain "
                "notebook wrote its outputs to (its output_dir)."
            )
        out[name] = load_table(path, IFS_SCHEMA)
    out["financial_year"] = None
    record = folder / "provenance.json"
    if record.is_file():
        try:
            out["financial_year"] = json.loads(record.read_text(encoding="utf-8"))["parameters"]["financial_year"]
        except (ValueError, KeyError, TypeError):
            out["financial_year"] = None
    return out


def planning_figures(ifs: Mapping[str, Any]) -> tuple[dict[str, float], pd.DataFrame]:
    """The planning figures the report states, and the statement's items as one table (``statement`` first).

    Raises
    ------
    InputError
        When a file lacks an item the report needs, naming the file and the paragraph.
    """
    figures: dict[str, float] = {}
    for name, wanted in IFS_ITEMS.items():
        table = ifs[name]
        for paragraph, figure in {**wanted, **IFS_OPTIONAL_ITEMS.get(name, {})}.items():
            rows = table[table["paragraph"].astype(str).str.strip() == paragraph]
            if rows.empty:
                if paragraph in wanted:
                    raise InputError(
                        f"{name} has no item {paragraph} (Schedule 2 of the CIL Regulations 2010), which "
                        "the impact report needs. Use the files the planning gain notebook wrote."
                    )
                continue
            figures[figure] = float(rows["amount"].sum())
    parts = [ifs[name].assign(statement="CIL" if "cil" in name else "Section 106") for name in IFS_ITEMS]
    table = pd.concat(parts, ignore_index=True)[["statement", "item", "paragraph", "amount"]]
    return figures, table


def planning_sentence(figures: Mapping[str, float]) -> str:
    """Say what the Infrastructure Funding Statement reports (from :func:`planning_figures`)."""
    text = (
        f"Planning, from the Infrastructure Funding Statement: {format_money(figures['cil_received'])} of Community "
        f"Infrastructure Levy received and {format_money(figures['cil_spent'])} spent; "
        f"{format_money(figures['s106_received'])} of section 106 money received and "
        f"{format_money(figures['s106_spent'])} spent"
    )
    if "s106_held" in figures:
        text += f", with {format_money(figures['s106_held'])} held at the year's end"
    return text + "."


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
    planning_ifs: pd.DataFrame | None = None
    planning_figures: dict[str, float] | None = None
    grants: pd.DataFrame | None = None
    grants_monitored: bool = False
    climate: dict[str, Any] | None = None
    summary: list[str] = field(default_factory=list)
    not_provided: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    green: float = 90.0
    amber: float = 70.0
    contracts: pd.DataFrame | None = None
    climate_pathway: pd.DataFrame | None = None
    contract_id: str = ""
    profile: pd.DataFrame | None = None
    example_note: str | None = None
    sources_note: str = ""

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
        if self.planning_ifs is not None:
            out["planning_ifs"] = self.planning_ifs
        if self.grants is not None:
            out["grant_outcomes"] = self.grants
        return out

    @property
    def summary_text(self) -> str:
        return " ".join(self.summary)


def by_theme_table(
    delivery_in_year: pd.DataFrame, activities: pd.DataFrame | None, grants_allocations: pd.DataFrame | None
) -> pd.DataFrame:
    """Social value in pounds by source and theme, with the number of figures behind each.

    Parameters
    ----------
    delivery_in_year : DataFrame
        Contracts' delivery in the year (:func:`sv_helpers.impact.delivery.delivery_table` with ``since``).
    activities : DataFrame, optional
        Valued activities for the year (:func:`sv_helpers.impact.activities.value_activities`).
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
    parts.append(
        pd.DataFrame(
            {
                "source": "contracts",
                "theme": contracts["theme"].to_numpy(),
                "value_gbp": contracts["delivered_value_gbp"].to_numpy(),
            }
        )
    )
    if activities is not None and len(activities):
        parts.append(
            pd.DataFrame(
                {
                    "source": activities["source"].to_numpy(),
                    "theme": activities["theme"].to_numpy(),
                    "value_gbp": activities["value_gbp"].to_numpy(),
                }
            )
        )
    if grants_allocations is not None and len(grants_allocations):
        funded = grants_allocations[grants_allocations["funded"].astype(bool).to_numpy()]
        themed = funded[funded["theme"].astype(str).str.lower().isin(THEMES)]
        parts.append(
            pd.DataFrame(
                {"source": "grants", "theme": themed["theme"].astype(str).str.lower().to_numpy(), "value_gbp": np.nan}
            )
        )
    rows = pd.concat(parts, ignore_index=True)
    rows["value_gbp"] = pd.to_numeric(rows["value_gbp"], errors="coerce").astype("float64")
    rows["valued"] = rows["value_gbp"].notna()
    grid = pd.MultiIndex.from_product([SOURCES, THEMES], names=["source", "theme"])
    grouped = rows.groupby(["source", "theme"]).agg(
        value_gbp=("value_gbp", lambda s: s.sum(min_count=0)),
        figures=("valued", "size"),
        figures_valued=("valued", "sum"),
    )
    out = grouped.reindex(grid).reset_index()
    out["value_gbp"] = out["value_gbp"].fillna(0.0).astype("float64")
    out["figures"] = out["figures"].fillna(0).astype(int)
    out["figures_valued"] = out["figures_valued"].fillna(0).astype(int)
    return out[BY_THEME_COLUMNS]


def climate_sentence(c: Mapping[str, Any]) -> str:
    """Say where district emissions stand against the chosen pathway, from :func:`climate_progress`."""
    text = (
        f"District emissions were {format_number(c['actual_kt'], 1)} kt CO2 in {c['year']}, "
        "the latest year with actual figures"
    )
    if np.isfinite(c["gap_kt"]):
        side = "above" if c["gap_kt"] > 0 else "below"
        gap, pathway = format_number(abs(c["gap_kt"]), 1), format_number(c["pathway_kt"], 1)
        text += f": {gap} kt {side} the chosen pathway ({pathway} kt)"
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
    counts = dict(zip(report.status_counts["status"], report.status_counts["contracts"], strict=False))
    pct = format_pct(100.0 * delivered / expected, 0) if expected > 0 else None
    n = len(report.status)
    status_words = sentence_list([f"{counts[s]} {s}" for s in dlv.STATUSES if counts.get(s)])
    first = f"In {fy} contracts delivered {format_money(in_year)} of social value."
    if pct:
        first += (
            f" Since they began, the {n} contract{'s' if n != 1 else ''} tracked have delivered "
            f"{format_money(delivered)}, "
            f"{pct} of the {format_money(expected)} expected by {format_date(report.as_of)} ({status_words})."
        )
    else:
        first += (
            f" No monetised delivery was expected from the {n} contract{'s' if n != 1 else ''} tracked by "
            f"{format_date(report.as_of)}."
        )
    out.append(first)

    if report.activities is not None:
        own = report.by_theme[report.by_theme["source"].isin(act.ACTIVITY_SOURCES)]
        valued = float(own["value_gbp"].sum())
        counted = int(own["figures"].sum() - own["figures_valued"].sum())
        text = (
            "The council's own activities as an employer, through partnerships and through planning added "
            f"{format_money(valued)} of valued social value, with {counted} further "
            f"figure{'s' if counted != 1 else ''} reported as counts."
        )
        vol = report.volunteering or {}
        if np.isfinite(vol.get("hours", np.nan)):
            text += f" Staff gave {format_number(vol['hours'])} volunteering hours"
            if np.isfinite(vol.get("take_up_pct", np.nan)):
                text += (
                    f"; {format_number(vol['volunteers'])} of {format_number(vol['headcount'])} staff "
                    f"({format_pct(vol['take_up_pct'], 0)}) took part"
                )
            if np.isfinite(vol.get("pct_of_entitlement", np.nan)):
                text += f", using {format_pct(vol['pct_of_entitlement'], 0)} of the volunteering leave available"
            text += "."
        if report.planning is not None and len(report.planning) and report.planning_figures is None:
            ind = report.planning["indicator"].str.lower()
            received = float(report.planning.loc[ind.str.contains("received").to_numpy(), "amount_gbp"].sum())
            spent = float(report.planning.loc[ind.str.contains("spent").to_numpy(), "amount_gbp"].sum())
            text += (
                f" Planning secured {format_money(received)} in Community Infrastructure Levy and developer "
                f"contributions, and {format_money(spent)} was spent."
            )
        out.append(text)

    if report.planning_figures is not None:
        out.append(planning_sentence(report.planning_figures))

    if report.grants is not None:
        total = report.grants.iloc[-1]
        n = int(total["grants_funded"])
        text = (
            f"{n} community grant{'s' if n != 1 else ''} worth {format_money(total['awarded_gbp'])} "
            f"{'were' if n != 1 else 'was'} funded"
        )
        if report.grants_monitored:
            extras = []
            if pd.notna(total["volunteer_hours"]):
                extras.append(f"{format_number(total['volunteer_hours'])} volunteer hours")
            if pd.notna(total["beneficiaries"]):
                extras.append(f"{format_number(total['beneficiaries'])} beneficiaries")
            text += f"; monitoring returns report {sentence_list(extras)}" if extras else ""
        elif pd.notna(total["beneficiaries"]):
            text += (
                f", expected at award to benefit {format_number(total['beneficiaries'])} people "
                "(no monitoring returns were given)"
            )
        out.append(text + ".")

    if report.climate is not None:
        out.append(climate_sentence(report.climate))

    theme_totals = report.by_theme.groupby("theme")["value_gbp"].sum()
    out.append("By theme: " + sentence_list([f"{t} {format_money(theme_totals.get(t, 0.0))}" for t in THEMES]) + ".")
    if report.not_provided:
        out.append(f"Not provided for this report: {sentence_list(report.not_provided)}.")
    return out


def check_report_inputs(
    contracts: pd.DataFrame,
    commitments: pd.DataFrame,
    returns: dlv.Returns | pd.DataFrame | Sequence[pd.DataFrame],
    measures: pd.DataFrame,
    activities: pd.DataFrame | None = None,
    grant_allocations: pd.DataFrame | None = None,
    grant_monitoring: pd.DataFrame | None = None,
) -> list[Finding]:
    """Every check the report makes of its inputs, before it is built (errors stop the report; warnings are shown).

    ``returns`` may be the loaded returns or a :class:`~sv_helpers.impact.delivery.Returns` already resolved; replaced
    returns are checked too.
    """
    resolved = returns if isinstance(returns, dlv.Returns) else dlv.resolve_returns(returns)
    all_returns = (
        pd.concat([resolved.current, resolved.replaced], ignore_index=True)
        if len(resolved.replaced)
        else resolved.current
    )
    findings = dlv.check_delivery_inputs(contracts, commitments, all_returns, measures)
    if activities is not None:
        findings += act.check_activities(activities, measures)
    if grant_monitoring is not None and grant_allocations is None:
        findings.append(
            Finding(
                "warning",
                "Grant monitoring returns were given without the grant allocations, so they "
                "are not used. Load the grants app's allocations.csv as well.",
            )
        )
    if grant_monitoring is not None and grant_allocations is not None:
        findings += check_grant_monitoring(grant_allocations, grant_monitoring)
    return findings


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
    green: float | None = None,
    amber: float | None = None,
    planning_ifs: Mapping[str, Any] | None = None,
) -> ImpactReport:
    """Check every input and build the impact report for a financial year.

    Parameters
    ----------
    financial_year : str
        ``2025/26``.
    contracts, commitments, returns, measures : DataFrame
        Contract delivery inputs (see :mod:`sv_helpers.impact.delivery`).
    as_of : date, optional
        The date delivery is measured to; default the last day of the year.
    activities : DataFrame, optional
        The council's activities table (all years; the year's rows are used).
    grant_allocations, grant_monitoring : DataFrame, optional
        The grants app's allocations and the monitoring returns.
    climate_summary, climate_pathway : optional
        The climate app's ``summary.json`` (as a dict) and ``pathway.csv``.
    green, amber : float, optional
        The status thresholds (percent of the value expected); default the
        ``impact.status_*_threshold`` parameters in force on ``as_of``.
    planning_ifs : mapping, optional
        The planning gain notebook's Infrastructure Funding Statement (:func:`load_planning_ifs`); when given,
        the report's planning figures come from it instead of the activities table's counts.

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
        raise InputError(
            f"The date to measure delivery to ({format_date(as_of)}) is before the financial year {financial_year} "
            f"begins ({format_date(start)}). Choose a date in or after the year."
        )
    resolved = dlv.resolve_returns(returns)
    findings = check_report_inputs(
        contracts, commitments, resolved, measures, activities, grant_allocations, grant_monitoring
    )
    raise_for_errors(findings)

    delivery = dlv.delivery_table(contracts, commitments, resolved.current, measures, as_of)
    in_year = dlv.delivery_table(contracts, commitments, resolved.current, measures, min(as_of, end), since=start)
    if green is None or amber is None:
        in_force = dlv.status_thresholds(as_of)
        green = in_force[0] if green is None else green
        amber = in_force[1] if amber is None else amber
    green, amber = float(green), float(amber)
    status = dlv.contract_status(delivery, contracts, green=green, amber=amber)

    not_provided = []
    year_activities = volunteering = planning = None
    if activities is not None:
        year_activities = act.value_activities(act.activities_for_year(activities, financial_year), measures)
        if not len(year_activities):
            findings.append(
                Finding(
                    "warning",
                    f"The activities file has no rows for {financial_year}; the council's own activities are left out.",
                )
            )
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

    ifs_figures = ifs_table = None
    if planning_ifs is not None:
        ifs_figures, ifs_table = planning_figures(planning_ifs)
        stated = planning_ifs.get("financial_year")
        if stated and stated != financial_year:
            findings.append(
                Finding(
                    "warning",
                    f"The planning figures are the Infrastructure Funding Statement for "
                    f"{stated} (its provenance.json), not {financial_year}.",
                )
            )

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
        planning_ifs=ifs_table,
        planning_figures=ifs_figures,
        grants=grants,
        grants_monitored=grant_allocations is not None and grant_monitoring is not None,
        climate=climate,
        not_provided=not_provided,
        warnings=[f.message for f in findings if not f.is_error],
        green=green,
        amber=amber,
    )
    report.summary = summary_sentences(report)
    return report


# --------------------------------------------------------------------------- the scenario core

#: Every input of the report: role → (screen label, the setting naming its file, required?).
ROLES: dict[str, tuple[str, str, bool]] = {
    "contracts": ("Contracts", "contracts_path", True),
    "commitments": ("Commitments", "commitments_path", True),
    "returns": ("Suppliers' returns", "returns_path", True),
    "measures": ("Measures library", "measures_path", True),
    "activities": ("Council activities", "activities_path", False),
    "grant_allocations": ("Grant allocations (allocations.csv)", "grants_allocations_path", False),
    "grant_monitoring": ("Grant monitoring returns", "grant_monitoring_path", False),
    "climate_summary": ("Climate summary (summary.json)", "climate_summary_path", False),
    "climate_pathway": ("Climate pathway (pathway.csv)", "climate_pathway_path", False),
}

#: The optional inputs each "Include ..." setting switches on and off.
GROUPS: dict[str, tuple[str, ...]] = {
    "include_activities": ("activities",),
    "include_grants": ("grant_allocations", "grant_monitoring"),
    "include_climate": ("climate_summary", "climate_pathway"),
}

EXAMPLE_NOTE = (
    "This report is built from the workbook's fictional example files (contracts, returns, activities and grant "
    "results) and example proxy values: none of those figures is a fact about Sevenoaks District Council, any "
    "supplier, group or person. The climate figures are real: the climate targets notebook's results for Sevenoaks "
    "from the UK local authority CO2 statistics."
)

EXAMPLE_MEASURES_NOTE = (
    "The values in pounds use the workbook's example proxy values (data/measures.csv), not values the council has "
    "adopted. Load the council's own measures library before quoting any value in pounds."
)


def _financial_year(value: str, spec: Spec) -> str:
    try:
        start = parse_financial_year(value)
    except InputError:
        raise InputError(
            f"The setting '{spec.label}' ({spec.name}) must be a financial year written like 2025/26; "
            f"'{value[:40]}' is not."
        ) from None
    if not 2000 <= start <= 2099:
        raise InputError(
            f"The setting '{spec.label}' ({spec.name}) must be a financial year from 2000/01 to 2099/2100; "
            f"'{value[:40]}' is outside that range."
        )
    return f"{start}/{(start + 1) % 100:02d}"


def _date_or_blank(value: str, spec: Spec) -> str:
    if not value.strip():
        return ""
    try:
        day = parse_date(value.strip())
    except ValueError:
        raise InputError(
            f"The setting '{spec.label}' ({spec.name}): '{value[:40]}' is not a date; "
            "write it like 31/03/2026 or 2026-03-31, or leave it blank."
        ) from None
    if not 2000 <= day.year <= 2100:
        raise InputError(
            f"The setting '{spec.label}' ({spec.name}) must be a date from 2000 to 2100, not {value[:40]}."
        )
    return day.date().isoformat()


def _short_text(limit: int) -> Callable[[str, Spec], str]:
    def check(value: str, spec: Spec) -> str:
        if len(value) > limit:
            raise InputError(f"The setting '{spec.label}' ({spec.name}) is longer than {limit} characters.")
        return value.strip()

    return check


def _path(default: str, label: str, *, optional: bool = False) -> Any:
    return setting(default, label=label, kind="path", optional=optional)


@dataclass(frozen=True)
class Settings(SettingsBase):
    """Every setting of an impact report: the notebook's parameters and the app's controls."""

    AREA: ClassVar[str] = "impact"
    NOTEBOOK: ClassVar[str] = "impact_report.ipynb"

    contracts_path: str = _path("data/impact/example_contracts.csv", "Contracts file")
    commitments_path: str = _path("data/impact/example_commitments.csv", "Commitments file")
    returns_path: str = _path("data/impact/example_returns.csv", "Suppliers' returns (file or folder)")
    activities_path: str | None = _path("data/impact/example_activities.csv", "Council activities file", optional=True)
    measures_path: str = _path("data/measures.csv", "Measures library")
    grants_allocations_path: str | None = _path(
        "data/impact/example_grant_allocations.csv", "Grant allocations file (allocations.csv)", optional=True
    )
    grant_monitoring_path: str | None = _path(
        "data/impact/example_grant_monitoring.csv", "Grant monitoring returns file", optional=True
    )
    climate_summary_path: str | None = _path(
        "data/impact/climate_summary_sevenoaks.json", "Climate summary file (summary.json)", optional=True
    )
    climate_pathway_path: str | None = _path(
        "data/impact/climate_pathway_sevenoaks.csv", "Climate pathway file (pathway.csv)", optional=True
    )
    planning_dir: str = setting(
        "", label="Planning gain outputs (folder with ifs_cil.csv and ifs_s106.csv)", kind="path"
    )
    financial_year: str = setting("2025/26", label="Financial year", check=_financial_year)
    as_of: str = setting("", label="Measure delivery to", check=_date_or_blank)
    include_activities: bool = setting(True, label="Include the council's own activities")
    include_grants: bool = setting(True, label="Include grant results")
    include_climate: bool = setting(True, label="Include climate results")
    green_threshold_pct: float = setting(
        kind="float",
        label="Green from (% of expected value)",
        parameter="impact.status_green_threshold",
        minimum=0,
        maximum=200,
    )
    amber_threshold_pct: float = setting(
        kind="float",
        label="Amber from (% of expected value)",
        parameter="impact.status_amber_threshold",
        minimum=0,
        maximum=200,
    )
    contract_id: str = setting("", label="Contract shown in detail", check=_short_text(200))

    def check(self) -> None:
        """The amber threshold may not exceed the green one; the date may not come before the year begins."""
        if self.amber_threshold_pct > self.green_threshold_pct:
            raise InputError(
                f"The setting 'Amber from' (amber_threshold_pct) is {format_number(self.amber_threshold_pct, 1)}%, "
                f"above the green threshold ({format_number(self.green_threshold_pct, 1)}%); "
                "amber must not be above green."
            )
        if self.as_of:
            start, _ = financial_year_bounds(self.financial_year)
            if pd.Timestamp(self.as_of) < start:
                raise InputError(
                    f"The setting 'Measure delivery to' (as_of) is {format_date(self.as_of)}, before the financial "
                    f"year {self.financial_year} begins ({format_date(start)}). Choose a date in or after the year."
                )

    @classmethod
    def from_query(cls, query: str, base: SettingsBase | None = None) -> tuple[Settings, list[str]]:
        """Settings from a link, as :meth:`SettingsBase.from_query`, read twice.

        The base reads a link's values one at a time against the others' current values, so a link that lowers
        both thresholds (green 60, amber 50) would lose the green one to the check that amber is not above green.
        A second reading, from the first one's result, takes such a value; a value still refused is a real conflict,
        and only the second reading's notices are given.
        """
        first, notices = super().from_query(query, base)
        if not notices:
            return first, notices
        return super().from_query(query, first)

    def is_used(self, role: str) -> bool:
        """Whether an input role is used: its file is named and its "Include ..." setting is on."""
        if role not in ROLES:  # the planning gain statement's files
            return bool(self.planning_dir)
        if not getattr(self, ROLES[role][1]):
            return False
        return all(getattr(self, flag) for flag, roles in GROUPS.items() if role in roles)


_LOADERS: dict[str, Callable[..., Any]] = {
    "contracts": dlv.load_contracts,
    "commitments": dlv.load_commitments,
    "returns": lambda path: dlv.load_returns_files([path]),
    "measures": load_measures,
    "activities": act.load_activities,
    "grant_allocations": load_grant_allocations,
    "grant_monitoring": load_grant_monitoring,
    "climate_summary": load_climate_summary,
    "climate_pathway": load_climate_pathway,
}

#: Loaded inputs by (role, path, file stamps): a file read once is not read again while it is unchanged.
_LOADED: dict[tuple, Any] = {}
_LOADED_LIMIT = 64


def _stamp(path: Path) -> tuple:
    if path.is_dir():
        return tuple((p.name, p.stat().st_mtime_ns, p.stat().st_size) for p in sorted(path.iterdir()) if p.is_file())
    if not path.exists():
        return ("missing",)
    stat = path.stat()
    return (stat.st_mtime_ns, stat.st_size)


def load(settings: Settings) -> Inputs:
    """Read every input file the settings name (optional ones left blank are skipped).

    Each loader checks its file and raises :class:`~sv_helpers.core.errors.InputError`
    naming the file, row and column.  Tables are cached while the file is
    unchanged and are never modified after loading.

    Returns
    -------
    Inputs
        ``values``: role → loaded table (``climate_summary``: a dict);
        ``sources``: role → resolved path, for provenance.
    """
    values: dict[str, Any] = {}
    sources: dict[str, Path | bytes] = {}
    for role, (label, name, required) in ROLES.items():
        text = getattr(settings, name)
        if not text:
            if required:
                raise InputError(
                    f"The {label.lower()} file is needed for the report: set {name}, or use the example files."
                )
            continue
        path = resolve_path(text, setting=name)  # a file, or for returns a folder of them
        key = (role, str(path.resolve()), _stamp(path))
        if key not in _LOADED:
            if len(_LOADED) >= _LOADED_LIMIT:
                _LOADED.pop(next(iter(_LOADED)))
            _LOADED[key] = _LOADERS[role](path)
        values[role] = _LOADED[key]
        sources[role] = path
    if settings.planning_dir:
        folder = resolve_path(settings.planning_dir, setting="planning_dir", expect="folder")
        values["planning_ifs"] = load_planning_ifs(folder)
        sources.update({f"planning_{n[:-4]}": folder / n for n in IFS_ITEMS})
    return Inputs(values=values, sources=sources)


def inputs_summary(inputs: Inputs) -> pd.DataFrame:
    """What was loaded: one row per input, with its file and how many rows (or figures) it holds."""
    rows = []
    for role, (label, _, _) in ROLES.items():
        if role not in inputs.values:
            rows.append({"input": label, "file": "not provided", "rows": 0})
            continue
        value = inputs.values[role]
        rows.append({"input": label, "file": Path(inputs.sources[role]).name, "rows": len(value)})
    if "planning_ifs" in inputs.values:
        for name in IFS_ITEMS:
            rows.append({"input": f"Planning gain ({name})", "file": name, "rows": len(inputs["planning_ifs"][name])})
    return pd.DataFrame(rows, columns=["input", "file", "rows"])


def check(settings: Settings, inputs: Inputs) -> list[Finding]:
    """The checks :func:`run` makes of the inputs the settings use, as findings (errors and warnings)."""
    used = {role: inputs.get(role) if settings.is_used(role) else None for role in ROLES}
    return check_report_inputs(
        used["contracts"],
        used["commitments"],
        used["returns"],
        used["measures"],
        used["activities"],
        used["grant_allocations"],
        used["grant_monitoring"],
    )


def findings_table(findings: Sequence[Finding]) -> pd.DataFrame:
    """Findings as a table (``level, message``); one row saying so when there are none."""
    if not findings:
        return pd.DataFrame({"level": ["none"], "message": ["No problems found in the inputs."]})
    return pd.DataFrame({"level": [f.level for f in findings], "message": [f.message for f in findings]})


def summary_difference(first: Result, second: Result) -> pd.DataFrame:
    """Two runs' summary figures side by side, with the settings that differ and the difference of each figure."""
    rows = [
        {"item": f"setting: {name}", "first": first.settings.to_parameters()[name], "second": value, "difference": None}
        for name, value in second.settings.changed(first.settings).items()
    ]
    for name, a in first.summary.items():
        b = second.summary.get(name)
        numeric = isinstance(a, (int, float)) and isinstance(b, (int, float))
        rows.append({"item": name, "first": a, "second": b, "difference": round(b - a, 2) if numeric else None})
    return pd.DataFrame(rows, columns=["item", "first", "second", "difference"])


def _parse_as_of(as_of: str) -> pd.Timestamp | None:
    return pd.Timestamp(as_of) if as_of else None


def example_note(settings: Settings) -> str | None:
    """The note a report needs when it rests on example data: example files, or the example measures library."""
    used = [getattr(settings, name) for role, (_, name, _) in ROLES.items() if settings.is_used(role)]
    shipped = {resolve_path(getattr(Settings, name)).resolve() for _, name, _ in ROLES.values()}
    if any("example" in str(p) and resolve_path(p).resolve() in shipped for p in used):
        return EXAMPLE_NOTE
    if resolve_path(settings.measures_path).resolve() == resolve_path(Settings.measures_path).resolve():
        return EXAMPLE_MEASURES_NOTE
    return None


def sources_note(settings: Settings) -> str:
    """The files a report was built from, by role: "Contracts: contracts.csv; ..."."""
    planning = [f"Planning gain: {Path(settings.planning_dir).name}"] if settings.planning_dir else []
    files = [
        f"{label}: {Path(getattr(settings, name)).name}"
        for role, (label, name, _) in ROLES.items()
        if settings.is_used(role)
    ]
    return "; ".join(files + planning)


def summary_figures(report: ImpactReport) -> dict[str, Any]:
    """The headline figures of a report (the columns of a sweep).

    ``total_social_value_gbp`` (valued in the year, every source),
    ``contracts_social_value_gbp`` (contracts in the year), the contracts'
    delivered and expected value to date and its percentage, the number of
    contracts ``n_green``, ``n_amber``, ``n_red`` and ``n_not_due``,
    ``grants_awarded_gbp`` (None when grant results are not used), and ``cil_received_gbp`` and
    ``s106_received_gbp`` from the Infrastructure Funding Statement (None without ``planning_dir``).
    """
    counts = dict(zip(report.status_counts["status"], report.status_counts["contracts"], strict=False))
    delivered = float(report.status["delivered_value_gbp"].sum())
    expected = float(report.status["expected_value_gbp"].sum())
    return {
        "total_social_value_gbp": round(float(report.by_theme["value_gbp"].sum()), 2),
        "contracts_social_value_gbp": round(float(report.delivery_in_year["delivered_value_gbp"].sum()), 2),
        "contracts_delivered_to_date_gbp": round(delivered, 2),
        "contracts_expected_to_date_gbp": round(expected, 2),
        "pct_of_expected": round(100.0 * delivered / expected, 2) if expected > 0 else None,
        "n_green": int(counts.get("green", 0)),
        "n_amber": int(counts.get("amber", 0)),
        "n_red": int(counts.get("red", 0)),
        "n_not_due": int(counts.get("not due yet", 0)),
        "grants_awarded_gbp": float(report.grants["awarded_gbp"].iloc[-1]) if report.grants is not None else None,
        "cil_received_gbp": (report.planning_figures or {}).get("cil_received"),
        "s106_received_gbp": (report.planning_figures or {}).get("s106_received"),
    }


#: Reports built lately, by their settings (all but the contract shown) and the inputs they were built from.
_REPORTS: dict[tuple, tuple[Inputs, ImpactReport]] = {}
_REPORTS_LIMIT = 16


def _report_for(settings: Settings, inputs: Inputs, used: Mapping[str, Any]) -> ImpactReport:
    """Build the report, or take the one built for the same settings and inputs (choosing a contract builds none)."""
    key = tuple((k, v) for k, v in settings.to_parameters().items() if k != "contract_id")
    hit = _REPORTS.get(key)
    if hit is not None and hit[0] is inputs:
        return hit[1]
    report = build_impact_report(
        settings.financial_year,
        contracts=used["contracts"],
        commitments=used["commitments"],
        returns=used["returns"],
        measures=used["measures"],
        as_of=_parse_as_of(settings.as_of),
        activities=used["activities"],
        grant_allocations=used["grant_allocations"],
        grant_monitoring=used["grant_monitoring"],
        climate_summary=used["climate_summary"],
        climate_pathway=used["climate_pathway"],
        green=settings.green_threshold_pct,
        amber=settings.amber_threshold_pct,
        planning_ifs=inputs.get("planning_ifs") if settings.planning_dir else None,
    )
    _REPORTS.pop(key, None)
    _REPORTS[key] = (inputs, report)
    while len(_REPORTS) > _REPORTS_LIMIT:
        _REPORTS.pop(next(iter(_REPORTS)))
    return report


def run(settings: Settings, inputs: Inputs | None = None) -> Result:
    """Check the inputs and build the impact report for the settings (pure: nothing is drawn or written).

    Raises
    ------
    InputError
        Listing every error in the inputs.
    """
    inputs = inputs if inputs is not None else load(settings)
    used = {role: inputs.get(role) if settings.is_used(role) else None for role in ROLES}
    report = dataclasses.replace(_report_for(settings, inputs, used))  # a copy: the contract shown is set below
    findings = [Finding("warning", w) for w in report.warnings]
    contracts = used["contracts"]
    ids = contracts["contract_id"].astype(str).tolist()
    chosen = settings.contract_id if settings.contract_id in ids else (ids[0] if ids else "")
    if settings.contract_id and settings.contract_id not in ids:
        findings.append(
            Finding(
                "warning",
                f"The contract '{settings.contract_id}' is not in the contracts file; "
                f"the detail shows {chosen} instead.",
            )
        )
    if chosen:
        current = dlv.resolve_returns(used["returns"]).current
        report.profile = dlv.delivery_profile(
            chosen, contracts, used["commitments"], current, used["measures"], report.as_of
        )
    report.contracts = contracts
    report.contract_id = chosen
    report.climate_pathway = used["climate_pathway"] if report.climate is not None else None
    report.example_note = example_note(settings)
    report.sources_note = sources_note(settings)
    used = {r: s for r, s in inputs.sources.items() if settings.is_used(r) if r in ROLES or settings.planning_dir}
    record = make_provenance(settings, used)
    record["report"] = {"as_of": report.as_of.date().isoformat(), "not_provided": report.not_provided}
    return Result(
        settings=settings,
        tables=report.tables(),
        findings=findings,
        headline=report.summary[0],
        provenance=record,
        summary=summary_figures(report),
        detail=report,
    )
