"""The impact report: its page, sections and charts (the same on screen and in the report).

:func:`impact_report_page` renders the report through :func:`sv_helpers.reports.document.render_document`;
the charts are SVG (:mod:`sv_helpers.reports.svgcharts`), each with its text alternative and data table.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from sv_helpers.core import valuation as val
from sv_helpers.core.formatting import format_date, format_money, format_number, format_pct
from sv_helpers.core.measures import THEMES
from sv_helpers.impact.climate_results import climate_sentence
from sv_helpers.impact.contents import SOURCES, ImpactReport
from sv_helpers.reports import charts, svgcharts
from sv_helpers.reports.document import (
    SOURCE_LABELS,
    _content_key,
    _drawn,
    _pixels,
    _table,
    render_document,
    screen_table,
    write_report,
)


def render_report_html(
    report: ImpactReport,
    figures: Sequence[str],
    provenance: Mapping[str, Any],
    *,
    title: str | None = None,
    example_note: str | None = None,
) -> str:
    """Render the impact report as one self-contained HTML page (through :func:`render_document`).

    Parameters
    ----------
    report : ImpactReport
        From :func:`sv_helpers.impact.build_impact_report`.
    figures : sequence of str
        Chart fragments from :func:`sv_helpers.reports.svgcharts.figure_html`, shown
        after the table of social value by theme, in the order given.
    provenance : mapping
        The provenance record, printed at the end of the page.
    title : str, optional
        The page title; default "Social value impact report 2025/26".
    example_note : str, optional
        When the report is built from example files, the note to show at the top.

    Returns
    -------
    str
        The HTML document.
    """
    title = title or f"Social value impact report {report.financial_year}"
    sections = [
        (
            "Social value by theme and source",
            "<p>Values in pounds use the measures library's proxy values; figures without an adopted value are "
            "counted, not monetised. The value shown is the present value (value_gbp), with the gross and net "
            "values beside it: gross is the quantity times the proxy value, net takes off what would have "
            "happened anyway, others' share and what moved from elsewhere, and present value adds the later "
            "years the outcome lasts, discounted (see the Method section).</p>"
            + _table(report.by_theme, f"Social value by source and theme, {report.financial_year}")
            + "".join(figures),
        ),
        ("Contracts", _contracts_section(report)),
        ("Method: how social value is counted", _method_section(report)),
        (
            "Community grants",
            (
                _table(report.grants, "Funded grants and their outcomes by scheme theme")
                + (
                    _table(
                        report.grant_value,
                        "The social value of the outcomes the grant monitoring returns name (gross, net and present "
                        "value by the method below)",
                    )
                    if report.grant_value is not None
                    else ""
                )
            )
            if report.grants is not None
            else "<p>Grant results were not provided for this report.</p>",
        ),
        ("The council's own activities", _activities_section(report)),
        *([("Planning gain", _table(report.planning_ifs, _IFS_CAPTION))] if report.planning_ifs is not None else []),
        ("Climate progress", _climate_section(report)),
    ]
    intro = (
        f"Financial year {report.financial_year}; contract delivery measured to {format_date(report.as_of)}; "
        f"present values discounted at {(report.basis or val.discounting()).label}."
    )
    return render_document(
        title,
        sections,
        provenance,
        intro=intro,
        example_note=example_note,
        summary=report.summary,
        warnings=report.warnings,
    )


_IFS_CAPTION = (
    "The Infrastructure Funding Statement's items (CIL Regulations 2010, regulation 121A and Schedule 2), "
    "from the planning gain notebook"
)


#: The columns the impact report shows of its main tables (report page and app alike).
STATUS_SHOWN = (
    "contract_id",
    "contract",
    "supplier",
    "delivered_value_gbp",
    "expected_value_gbp",
    "pct_of_expected",
    "status",
    "social_value_pct_of_contract_value",
)
DELIVERY_SHOWN = (
    "contract_id",
    "measure_code",
    "theme",
    "unit",
    "committed_quantity",
    "delivered_quantity",
    "expected_quantity",
    "delivered_value_gbp",
    "expected_value_gbp",
)
#: The columns shown of the returns replaced by a later return (report page and app alike).
REPLACED_SHOWN = (
    "contract_id",
    "period_end",
    "measure_code",
    "quantity_delivered",
    "source_file",
    "source_row",
    "replaced_by_file",
    "replaced_by_row",
)
ACTIVITIES_SHOWN = ("source", "activity", "indicator", "quantity", "unit", "theme", "ward", "value_gbp")


def _contracts_section(report: ImpactReport) -> str:
    parts = [
        _table(report.status_counts, "Contracts by status"),
        _table(
            report.status,
            f"Contract status: social value delivered against expected to {format_date(report.as_of)}",
            STATUS_SHOWN,
        ),
        _table(report.delivery, "Delivery by contract and measure, to date", DELIVERY_SHOWN),
    ]
    if len(report.replaced_returns):
        parts.append(
            _table(
                report.replaced_returns,
                "Returns replaced by a later return (kept for the record)",
                REPLACED_SHOWN,
            )
        )
    return "".join(parts)


def _method_section(report: ImpactReport) -> str:
    """The valuation rule and the discounting used, social value committed against claimed and validated, the
    sensitivity of the present value to the assumptions, and the value of each contract's delivery by measure."""
    parts = [f"<p>{html.escape(report.method_note)}</p>"]
    if report.evidence is not None:
        parts.append(
            _table(
                report.evidence,
                "Social value committed, claimed (returns submitted or validated) and validated, in present value "
                f"and as a percentage of the contract's value, to {format_date(report.as_of)}; rejected returns "
                "count nowhere",
            )
        )
    if report.sensitivity is not None:
        parts.append(
            _table(
                report.sensitivity,
                f"How much the present value of {report.financial_year}'s social value rests on the assumptions: "
                "every adjustment halved and doubled, and other discount rates",
            )
        )
    if report.by_measure is not None:
        parts.append(
            _table(
                report.by_measure,
                f"Gross, net and present value of each contract's delivery by measure, to {format_date(report.as_of)}",
            )
        )
    return "".join(parts)


def _activities_section(report: ImpactReport) -> str:
    if report.activities is None:
        return "<p>The council's activities were not provided for this report.</p>"
    out = _table(
        report.activities,
        f"The council as employer, partnerships and planning, {report.financial_year}",
        ACTIVITIES_SHOWN,
    )
    if report.planning is not None and len(report.planning):
        out += _table(report.planning, "Money secured through planning, by infrastructure type and ward")
    return out


def _climate_section(report: ImpactReport) -> str:
    c = report.climate
    if c is None:
        return "<p>Climate results were not provided for this report.</p>"
    pct = c.get("required_annual_reduction_pct")
    rows = pd.DataFrame(
        {
            "item": [
                "Latest year with actual emissions",
                "Actual emissions (kt CO2)",
                f"Chosen pathway in {c.get('pathway_year') or 'that year'} (kt CO2)",
                "Required annual reduction",
                "Trend reaches net zero in",
                "Carbon budget used up in",
            ],
            "value": [
                str(c["year"]),
                format_number(c["actual_kt"], 1),
                format_number(c["pathway_kt"], 1),
                format_pct(pct, 1) if pct is not None else "\u2013",
                str(c["trend_net_zero_year"])
                if c.get("trend_net_zero_year") is not None
                else "not on the current trend",
                str(c["budget_exhausted_year"]) if c.get("budget_exhausted_year") is not None else "\u2013",
            ],
        }
    )
    out = _table(rows, "Climate progress from the climate targets notebook")
    if c.get("series"):
        out += f"<p>Emissions series: {html.escape(str(c['series']))}.</p>"
    return out


STATUS_LABELS = {
    "green": "Green: on track",
    "amber": "Amber: behind",
    "red": "Red: well behind",
    "not due yet": "Not due yet",
}
_STATUS_COLOURS = {
    "green": charts.PALETTE[2],
    "amber": charts.PALETTE[1],
    "red": charts.PALETTE[5],
    "not due yet": "#767676",
}
_STATUS_CAPTION = (
    "Status: green at or above the green threshold, amber at or above the amber threshold, red below "
    "(defaults in data/parameters/impact)."
)
#: Above this many contracts the status chart shows counts by status instead of one bar per contract.
MAX_CONTRACT_BARS = 25


def source_theme_figure(report: ImpactReport, *, size: tuple[float, float] = (8.0, 4.2)) -> str:
    """Social value in pounds in the year, by source, stacked by theme (an accessible HTML figure)."""
    key = _content_key(report.by_theme, report.grants, report.financial_year, size)
    return _drawn(("source_theme", *key), lambda: _draw_source_theme_figure(report, size))


def _draw_source_theme_figure(report: ImpactReport, size: tuple[float, float]) -> str:
    table = (
        report.by_theme.pivot(index="source", columns="theme", values="value_gbp")
        .reindex(index=list(SOURCES), columns=list(THEMES))
        .fillna(0.0)
    )
    labels = [SOURCE_LABELS[s] for s in table.index]
    left = table.sum(axis=1).tolist()
    figures = report.by_theme.groupby("source")["figures"].sum().reindex(list(SOURCES)).fillna(0)
    if report.grants is not None:  # grants carry the scheme's themes, so they may not sit under the three
        figures["grants"] = max(figures["grants"], report.grants["grants_funded"].iloc[-1])
    notes = [
        "" if total > 0 else " (counted, not valued)" if count > 0 else " (none given)"
        for total, count in zip(left, figures, strict=False)
    ]
    plot = svgcharts.hbar_chart(
        labels,
        [
            (theme.capitalize(), table[theme].tolist(), charts.THEME_COLOURS[theme], charts.HATCHES[i])
            for i, theme in enumerate(THEMES)
        ],
        title=f"Social value by source and theme, {report.financial_year}",
        x_label="Social value, present value (£)" if report.is_adjusted else "Social value (£)",
        value_format=format_money,
        end_labels=[format_money(total) + note for total, note in zip(left, notes, strict=False)],
        legend_title="Theme",
        **_pixels(size),
    )
    totals = dict(zip(table.index, left, strict=False))
    alt = (
        f"Stacked bar chart of social value valued in pounds in {report.financial_year}, by source, split by theme. "
        + charts.describe_values([SOURCE_LABELS[s] for s in totals], [format_money(v) for v in totals.values()])
        + ". Sources with figures reported only as counts show £0; the table below lists them."
    )
    caption = "Values use the measures library's proxy values (example values unless the council has loaded its own)."
    if report.is_adjusted:
        gross, net = report.by_theme["gross_value_gbp"].sum(), report.by_theme["net_value_gbp"].sum()
        alt = alt.replace("social value valued in pounds", "social value in present value")
        caption += (
            f" Bars are present values (net of what would have happened anyway, others' share and what moved from "
            f"elsewhere, over the years it lasts, discounted); gross {format_money(gross)}, net {format_money(net)}."
        )
    return svgcharts.figure_html(plot.svg(), alt=alt, caption=caption, data=screen_table(report.by_theme))


def status_figure(report: ImpactReport, *, size: tuple[float, float] | None = None) -> str:
    """Each contract's value delivered as a percentage of expected, coloured by status (counts when there are many)."""
    key = _content_key(report.status, report.status_counts, report.as_of, report.green, report.amber, size)
    return _drawn(("status", *key), lambda: _draw_status_figure(report, size))


def _draw_status_figure(report: ImpactReport, size: tuple[float, float] | None) -> str:
    status = report.status
    pixels = _pixels(size) if size is not None else {}
    if len(status) > MAX_CONTRACT_BARS:
        counts = report.status_counts
        plot = svgcharts.hbar_chart(
            [STATUS_LABELS[s] for s in counts["status"]],
            [(None, counts["contracts"].tolist(), [_STATUS_COLOURS[s] for s in counts["status"]], "")],
            title=f"Contracts by status, {format_date(report.as_of)}",
            x_label="Contracts",
            legend=None,
            **pixels,
        )
        alt = (
            f"Bar chart of the {len(status)} contracts by status on {format_date(report.as_of)}: "
            + charts.describe_values(counts["status"], [str(n) for n in counts["contracts"]])
            + "."
        )
        data = screen_table(counts)
    else:
        pairs = list(zip(status["contract_id"], status["status"], strict=True))
        labels = [f"{c} ({STATUS_LABELS[s].split(':')[0]})" for c, s in pairs]
        plot = svgcharts.hbar_chart(
            labels,
            [
                (
                    None,
                    status["pct_of_expected"].fillna(0.0).tolist(),
                    [_STATUS_COLOURS[s] for s in status["status"]],
                    "",
                )
            ],
            title=f"Social value delivered as a percentage of expected, to {format_date(report.as_of)}",
            x_label="Delivered as % of expected value",
            value_format=lambda v: format_pct(v, 0),
            **pixels,
        )
        for threshold, style, name in ((report.green, "--", "Green"), (report.amber, ":", "Amber")):
            plot.vline(threshold, colour="#000000", dash=style, width=1.5, label=f"{name} threshold ({threshold:g}%)")
        plot.x_max = max(plot.x_max or 0.0, report.green * 1.05, report.amber * 1.05)
        alt = (
            f"Bar chart of each contract's social value delivered as a percentage of the value expected to "
            f"{format_date(report.as_of)}, with lines at the green ({report.green:g}%) and amber ({report.amber:g}%) "
            "thresholds. "
            + charts.describe_values(
                [f"{c} {s}" for c, s in pairs], [format_pct(p, 0) for p in status["pct_of_expected"]]
            )
            + "."
        )
        data = screen_table(
            status,
            ["contract_id", "supplier", "delivered_value_gbp", "expected_value_gbp", "pct_of_expected", "status"],
        )
    return svgcharts.figure_html(plot.svg(), alt=alt, caption=_STATUS_CAPTION, data=data)


def climate_figure(report: ImpactReport, pathway: pd.DataFrame) -> str:
    """District emissions: actual, the chosen pathway and the trend (from the climate notebook's outputs)."""
    key = _content_key(pathway, sorted((k, str(v)) for k, v in (report.climate or {}).items()))
    return _drawn(("climate", *key), lambda: _draw_climate_figure(report, pathway))


def _draw_climate_figure(report: ImpactReport, pathway: pd.DataFrame) -> str:
    plot = svgcharts.Plot(
        title="District emissions against the chosen pathway",
        y_label="Emissions (kt CO2)",
        x_format=lambda v: f"{v:.0f}",
        y_format=lambda v: format_number(v, 0 if abs(v) >= 10 or v == 0 else 1),
        width=800,
        height=400,
    )
    styles = (
        ("actual_kt", "Actual", "-", charts.PALETTE[0]),
        ("pathway_kt", "Chosen pathway", "--", charts.PALETTE[2]),
        ("trend_kt", "Trend", ":", charts.PALETTE[5]),
    )
    for column, label, style, colour in styles:
        series = pathway[["year", column]].dropna()
        if len(series):
            plot.line(series["year"].astype(int), series[column], colour=colour, dash=style, width=2, label=label)
    c = report.climate or {}
    alt = (
        "Line chart of district CO2 emissions in kilotonnes: actual emissions, the chosen pathway and the current "
        "trend. " + climate_sentence(c)
    )
    series = str(c.get("series") or "")
    caption = "From the climate targets notebook (pathway.csv and summary.json)." + (f" {series}." if series else "")
    if "mySociety" in series:
        caption += (
            " Contains public sector information licensed under the Open Government Licence v3.0; "
            "transformed by mySociety (CC BY 4.0)."
        )
    return svgcharts.figure_html(plot.svg(), alt=alt, caption=caption, data=screen_table(pathway))


def profile_figure(contract: Mapping[str, Any], profile: pd.DataFrame) -> str:
    """One contract's cumulative delivered value against the expected profile, by quarter."""
    key = _content_key(profile, {k: str(v) for k, v in dict(contract).items()})
    return _drawn(("profile", *key), lambda: _draw_profile_figure(contract, profile))


def _draw_profile_figure(contract: Mapping[str, Any], profile: pd.DataFrame) -> str:
    dates = pd.to_datetime(profile["period_end"])
    days = [d.toordinal() for d in dates]
    plot = svgcharts.Plot(
        title=f"{contract['contract_id']}: delivered against expected",
        y_label="Social value (£), cumulative",
        y_format=format_money,
        x_ticks=[(day, f"{d:%b %Y}") for day, d in zip(days, dates, strict=True)],
        x_pad=20.0,
        y_min=0.0,
        width=800,
        height=380,
        legend="bottom",
    )
    plot.line(
        days, profile["expected_value_gbp"], colour=charts.PALETTE[7], dash="--", width=2, label="Expected to date"
    )
    plot.line(
        days, profile["delivered_value_gbp"], colour=charts.PALETTE[0], width=2, marker="o", label="Delivered to date"
    )
    last = profile.iloc[-1]
    alt = (
        f"Line chart of the social value of contract {contract['contract_id']} ({contract['contract']}), cumulative at "
        f"each quarter end: delivered against expected. By {format_date(last['period_end'])} it delivered "
        f"{format_money(last['delivered_value_gbp'])} of {format_money(last['expected_value_gbp'])} expected "
        f"({format_pct(last['pct_of_expected'], 0)})."
    )
    return svgcharts.figure_html(
        plot.svg(),
        alt=alt,
        caption="Expected: the commitment times the share of the contract term elapsed, in days.",
        data=screen_table(profile),
    )


def report_figures(report: ImpactReport, climate_pathway: pd.DataFrame | None = None) -> list[str]:
    """The report's charts as accessible HTML figures (alt text, caption and data table each).

    ``climate_pathway`` defaults to the one the report was built with.  A chart
    already drawn for the same figures is not drawn again.
    """
    figures = [source_theme_figure(report), status_figure(report)]
    pathway = climate_pathway if climate_pathway is not None else report.climate_pathway
    if report.climate is not None and pathway is not None and len(pathway):
        figures.append(climate_figure(report, pathway))
    return figures


def impact_report_page(result: Any) -> str:
    """The impact report page of a :func:`sv_helpers.impact.run` result (what ``report.html`` holds)."""
    report = result.detail
    return render_report_html(report, report_figures(report), result.provenance, example_note=report.example_note)


def write(result: Any, output_dir: str | Path) -> list[Path]:
    """Write the report's tables (CSV and ``impact_report.xlsx``), ``report.html`` with its charts, ``report.pdf``
    (without Chromium one line says so) and ``provenance.json``.

    The CSV files are the same byte for byte for the same inputs and settings.
    """
    return write_report(result, output_dir, impact_report_page(result), excel_name="impact_report.xlsx")


#: The size of the main chart (inches at 100 dpi): small enough that the headline and the chart share the first screen.
MAIN_CHART_SIZE = (6.4, 2.6)


def report_charts(result: Any) -> list[str]:
    """The report's charts as accessible HTML figures: contracts by status (the main chart, small enough to share
    the first screen with the headline), social value by source and theme, and climate progress when it is given."""
    report: ImpactReport = result.detail
    out = [status_figure(report, size=MAIN_CHART_SIZE), source_theme_figure(report)]
    if report.climate is not None and report.climate_pathway is not None and len(report.climate_pathway):
        out.append(climate_figure(report, report.climate_pathway))
    return out
