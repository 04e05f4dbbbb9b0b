"""The climate progress report and what a run writes (:func:`write`): the tables, the report with its charts.

Sections: where emissions stand against the target; the pathway and what it demands each year; the trend;
the carbon budget; the planned actions and the gap; the comparison with similar authorities; the data's
source and limits.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import pandas as pd

from sv_helpers.climate.charts import report_figures
from sv_helpers.climate.estate import ESTATE_EXAMPLE_NOTE
from sv_helpers.climate.interventions import INTERVENTIONS_EXAMPLE_NOTE
from sv_helpers.climate.model import Scenario, demand_table
from sv_helpers.climate.pathways import PATHWAY_LABELS
from sv_helpers.climate.peers import peer_totals
from sv_helpers.core.formatting import format_number, format_pct
from sv_helpers.core.scenario import Result
from sv_helpers.reports import document as report
from sv_helpers.reports.document import write_report


def write(result: Result, output_dir: str | Path) -> list[Path]:
    """Write today's batch outputs and the climate progress report.

    ``pathway.csv`` (exactly ``year, actual_kt, pathway_kt, trend_kt``), ``summary.json``,
    ``summary.csv``, ``trend_gap.csv``, ``milestones.csv`` and, when they apply,
    ``wedges.csv``, ``cost_curve.csv`` and ``peers.csv``; ``climate_targets.xlsx``;
    ``provenance.json``; ``report.html`` and ``report.pdf`` (printed by Chromium).
    The report carries its charts (:mod:`sv_helpers.climate.charts`). Without Chromium the
    PDF is left out, with one line saying so (:func:`sv_helpers.reports.document.write_pdf`).
    """
    return write_report(result, output_dir, report_html(result), excel_name="climate_targets.xlsx")


REPORT_TITLE = "Climate progress report"


def report_html(result: Result, figures: Mapping[str, str] | None = None) -> str:
    """The climate progress report as one self-contained HTML page (see :func:`sv_helpers.reports.document.render_document`).

    Sections: where emissions stand against the target; the pathway and what it
    demands each year; the trend; the carbon budget; the planned actions and the
    gap; the comparison with similar authorities; the data's source and limits.
    ``figures`` (``per_person``, ``pathway``, ``wedges``, ``macc``, ``peers``: chart HTML) when already drawn (the app's);
    drawn here otherwise.
    """
    import html as _html

    s: Scenario = result.detail
    fig = dict(report_figures(result) if figures is None else figures)
    unit = s.series.unit
    summ = s.summary
    place = s.authority_name if s.scope == "district" else "the council's own estate"
    esc = _html.escape

    def table(frame: pd.DataFrame, caption: str, columns: Sequence[str] | None = None) -> str:
        return report.report_table(frame, caption, columns)

    def para(text: str) -> str:
        return f"<p>{esc(text)}</p>"

    standing = pd.DataFrame(
        {
            "figure": [
                "Last year of actual data",
                f"Emissions that year ({unit})",
                "Target year",
                f"Pathway in the target year ({unit})",
                f"Current trend in the target year ({unit})",
                "Yearly fall the pathway asks for (%)",
                f"Emitted on the pathway to the target ({unit})",
            ],
            "value": [
                str(summ["last_actual_year"]),
                format_number(summ["last_actual_kt"], 1),
                str(summ["target_year"]),
                format_number(summ["pathway_kt_in_target_year"], 1),
                format_number(summ["trend_kt_in_target_year"], 1),
                format_pct(summ["required_annual_reduction_pct"]),
                format_number(summ["cumulative_to_target_kt"], 0),
            ],
        }
    )
    sections = []
    if s.per_person is not None:
        from sv_helpers.climate import per_person as pp

        sections.append(
            (
                "The latest year: greenhouse gas emissions per person",
                para(s.sentences[0]) + fig.get("per_person", "") + para(pp.CAVEAT),
            )
        )
    sections += [
        (
            "Where emissions stand against the target",
            para(f"The target: {PATHWAY_LABELS[summ['pathway']].lower()}, to {summ['target_year']}, for {place}.")
            + table(standing, "Emissions against the target"),
        )
    ]

    demand = demand_table(s)
    sections.append(
        (
            "The pathway and what it demands each year",
            fig.get("pathway", "")
            + table(
                demand,
                f"The pathway year by year ({unit}): emissions, the fall from the year before, and the running total",
                ["year", "pathway_kt", "reduction_kt", "reduction_pct", "cumulative_kt"],
            ),
        )
    )

    tnz = summ.get("trend_net_zero_year")
    slope = summ.get("trend_slope_kt_per_year", 0.0)
    trend_from = max(result.settings.trend_start_year, int(s.actual.index.min()))
    trend_words = (
        f"A straight line fitted to the actual emissions from {trend_from} "
        f"to {summ['last_actual_year']} changes by {format_number(slope, 1)} {unit} a year; "
        + (f"it reaches zero in {tnz}." if tnz else "it does not reach zero.")
    )
    gap = s.table.loc[
        s.table["pathway_kt"].notna() & (s.table["year"] % 5 == 0), ["year", "pathway_kt", "trend_kt", "gap_kt"]
    ]
    sections.append(
        (
            "The trend",
            para(trend_words)
            + table(
                gap, f"The trend against the pathway every fifth year ({unit}); the gap is the trend minus the pathway"
            ),
        )
    )

    if summ.get("carbon_budget_kt"):
        budget_words = (
            f"The carbon budget is {format_number(summ['carbon_budget_kt'], 0)} {unit} "
            f"from {summ['last_actual_year'] + 1}"
            + (f" (source: {s.carbon_budget_source})" if s.carbon_budget_source else " (no source given)")
            + ". "
            + f"Held at the {summ['last_actual_year']} level, emissions use it up in {summ['budget_exhausted_year']}. "
            + (
                f"On the chosen pathway it is used up in {summ['pathway_budget_exhausted_year']}."
                if summ.get("pathway_budget_exhausted_year")
                else "The chosen pathway stays within it to the target year."
            )
        )
    else:
        budget_words = (
            "No carbon budget was given for this run. A local carbon budget (for example the Tyndall Centre's for "
            "the district) can be entered to see when it runs out."
        )
    sections.append(("The carbon budget", para(budget_words)))

    if s.plan is not None:
        verdict = (
            "The planned actions bring emissions to or below the pathway in the target year."
            if s.plan["meets_target"]
            else f"The planned actions leave {format_number(s.plan['shortfall_kt'], 1)} {unit} above the pathway in "
            f"{summ['target_year']}: more action is needed."
        )
        body = (
            para(verdict)
            + fig.get("wedges", "")
            + fig.get("macc", "")
            + table(
                s.macc,
                "Planned actions from cheapest to dearest per tonne",
                ["intervention", "sector", "annual_abatement_tco2e", "cost", "cost_per_tco2e"],
            )
        )
        if s.is_example.get("interventions"):
            body = para(INTERVENTIONS_EXAMPLE_NOTE) + body
    else:
        body = para(
            "No planned actions are included in this run, so the whole gap between the baseline and the pathway "
            "remains."
        )
    sections.append(("The planned actions and the gap", body))

    if s.peers is not None:
        totals = peer_totals(s.peers)
        body = fig.get("peers", "") + table(
            totals,
            f"Emissions per person and per km² in {int(s.series.emissions['year'].max())}",
            ["authority_name", "group", "emissions_kt", "per_person_t", "per_km2_t"],
        )
    else:
        body = para(
            "The comparison with similar authorities is for a district; it does not apply to the council's own estate."
        )
    sections.append(("Comparison with similar authorities", body))

    limits = [s.series.series_name + ".", s.series.attribution, *s.series.caveats]
    if s.per_person is not None:
        limits += [pp.SERIES + ".", pp.ATTRIBUTION, pp.CAVEAT]
    if s.scope == "district":
        limits.append(str(s.milestones["note"].iloc[0]))
    else:
        limits.append(
            "Council estate emissions are activity data times dated emission factors, by financial year "
            "(April to March), "
            "shown at the calendar year each financial year starts."
        )
    limits.append(
        "The trend is a straight line: it says where emissions go if the recent fall carries on at the same pace, "
        "not a forecast."
    )
    sections.append(("The data: source and limits", "<ul>" + "".join(f"<li>{esc(x)}</li>" for x in limits) + "</ul>"))

    notes = []
    if s.scope == "council estate" and s.is_example.get("council_estate"):
        notes.append(ESTATE_EXAMPLE_NOTE)
    if s.is_example.get("interventions"):
        notes.append(INTERVENTIONS_EXAMPLE_NOTE)
    return report.render_document(
        f"{REPORT_TITLE}: {s.authority_name if s.scope == 'district' else 'council estate'}",
        sections,
        result.provenance,
        intro=f"Emissions against the target to {summ['target_year']}, made with the workbook's climate targets "
        "notebook.",
        example_note=" ".join(notes) or None,
        summary=s.sentences,
        warnings=result.warnings,
    )
