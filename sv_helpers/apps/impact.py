"""The impact report app: choose the year and the files (or the examples), see the report,
download the HTML, the PDF and the tables.

Interface layer: widgets and charts around :mod:`sv_helpers.impact` and
:mod:`sv_helpers.report`.
"""

from __future__ import annotations

import datetime as dt
import html
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping

import ipywidgets as widgets
import numpy as np
import pandas as pd

from sv_helpers import activities as act
from sv_helpers import charts, ui
from sv_helpers import delivery as dlv
from sv_helpers import exports
from sv_helpers import impact as imp
from sv_helpers import report as rep
from sv_helpers.errors import InputError
from sv_helpers.formatting import format_date, format_money, format_pct
from sv_helpers.measures import THEMES, load_measures
from sv_helpers.paths import resolve_path
from sv_helpers.provenance import provenance_record

EXAMPLE_NOTE = (
    "This report is built from the workbook's fictional example files (contracts, returns, activities, grant and climate results) "
    "and example proxy values. No figure in it is a fact about Sevenoaks District Council, any supplier, group or person."
)

STATUS_LABELS = {"green": "Green: on track", "amber": "Amber: behind", "red": "Red: well behind", "not due yet": "Not due yet"}

# --------------------------------------------------------------------------- charts


def _source_theme_figure(report: imp.ImpactReport) -> str:
    table = report.by_theme.pivot(index="source", columns="theme", values="value_gbp").reindex(index=list(imp.SOURCES), columns=list(THEMES)).fillna(0.0)
    labels = [imp.SOURCE_LABELS[s] for s in table.index]
    fig, ax = charts.new_figure(8.0, 4.2)
    left = np.zeros(len(table))
    for i, theme in enumerate(THEMES):
        values = table[theme].to_numpy()
        ax.barh(labels, values, left=left, color=charts.THEME_COLOURS[theme], hatch=charts.HATCHES[i], edgecolor="white", label=theme.capitalize())
        left += values
    for y, total in enumerate(left):
        ax.text(total, y, " " + format_money(total), va="center", fontsize=9)
    ax.invert_yaxis()
    ax.set_xlabel("Social value (£)")
    ax.xaxis.set_major_formatter(lambda v, _: format_money(v))
    ax.set_title(f"Social value by source and theme, {report.financial_year}", loc="left", fontsize=12)
    ax.legend(title="Theme", frameon=False, loc="lower right")
    totals = dict(zip(table.index, left))
    alt = (
        f"Stacked bar chart of social value valued in pounds in {report.financial_year}, by source, split by theme. "
        + charts.describe_values([imp.SOURCE_LABELS[s] for s in totals], [format_money(v) for v in totals.values()])
        + ". Sources with figures reported only as counts show £0; the table below lists them."
    )
    data = rep.screen_table(report.by_theme)
    return charts.figure_html(fig, alt=alt, caption="Values use the measures library's proxy values (example values unless the council has loaded its own).", data=data)


#: Above this many contracts the status chart shows counts by status instead of one bar per contract.
MAX_CONTRACT_BARS = 25


def _status_counts_figure(report: imp.ImpactReport) -> str:
    counts = report.status_counts
    colour_of = {"green": charts.PALETTE[2], "amber": charts.PALETTE[1], "red": charts.PALETTE[5], "not due yet": "#767676"}
    fig = charts.bar_chart(
        [STATUS_LABELS[s] for s in counts["status"]],
        counts["contracts"].tolist(),
        title=f"Contracts by status, {format_date(report.as_of)}",
        xlabel="Contracts",
        colours=[colour_of[s] for s in counts["status"]],
    )
    alt = f"Bar chart of the {len(report.status)} contracts by status on {format_date(report.as_of)}: " + charts.describe_values(counts["status"], [str(n) for n in counts["contracts"]]) + "."
    return charts.figure_html(fig, alt=alt, caption="Status: green at or above the green threshold, amber at or above the amber threshold, red below (data/parameters/impact).", data=rep.screen_table(counts))


def _status_figure(report: imp.ImpactReport) -> str:
    if len(report.status) > MAX_CONTRACT_BARS:
        return _status_counts_figure(report)
    status = report.status.copy()
    shown = status["pct_of_expected"].fillna(0.0)
    labels = [f"{c} ({STATUS_LABELS[s].split(':')[0]})" for c, s in zip(status["contract_id"], status["status"])]
    colour_of = {"green": charts.PALETTE[2], "amber": charts.PALETTE[1], "red": charts.PALETTE[5], "not due yet": "#767676"}
    fig = charts.bar_chart(
        labels,
        shown.tolist(),
        title=f"Social value delivered as a percentage of expected, to {format_date(report.as_of)}",
        xlabel="Delivered as % of expected value",
        colours=[colour_of[s] for s in status["status"]],
        value_format=lambda v: format_pct(v, 0),
    )
    ax = fig.axes[0]
    green, amber = dlv.status_thresholds(report.as_of)
    for threshold, style in ((green, "--"), (amber, ":")):
        ax.axvline(threshold, color="#000000", linestyle=style, linewidth=1)
        ax.text(threshold, -0.6, f" {threshold:g}%", fontsize=8, va="bottom")
    alt = (
        f"Bar chart of each contract's social value delivered as a percentage of the value expected to {format_date(report.as_of)}, "
        f"with lines at the green ({green:g}%) and amber ({amber:g}%) thresholds. "
        + charts.describe_values([f"{c} {s}" for c, s in zip(status["contract_id"], status["status"])], [format_pct(p, 0) for p in status["pct_of_expected"]])
        + "."
    )
    data = rep.screen_table(status, ["contract_id", "supplier", "delivered_value_gbp", "expected_value_gbp", "pct_of_expected", "status"])
    return charts.figure_html(fig, alt=alt, caption="Status: green at or above the green threshold, amber at or above the amber threshold, red below (data/parameters/impact).", data=data)


def _climate_figure(report: imp.ImpactReport, pathway: pd.DataFrame) -> str:
    fig, ax = charts.new_figure(8.0, 4.0)
    styles = (("actual_kt", "Actual", "-", charts.PALETTE[0]), ("pathway_kt", "Chosen pathway", "--", charts.PALETTE[2]), ("trend_kt", "Trend", ":", charts.PALETTE[5]))
    for column, label, style, colour in styles:
        series = pathway[["year", column]].dropna()
        if len(series):
            ax.plot(series["year"].astype(int), series[column], linestyle=style, color=colour, linewidth=2, label=label)
    ax.set_ylabel("Emissions (kt CO2)")
    ax.set_title("District emissions against the chosen pathway", loc="left", fontsize=12)
    ax.legend(frameon=False)
    c = report.climate or {}
    alt = f"Line chart of district CO2 emissions in kilotonnes: actual emissions to {c.get('year')}, the chosen pathway and the trend. In {c.get('year')} actual emissions were {c.get('actual_kt', float('nan')):,.1f} kt against {c.get('pathway_kt', float('nan')):,.1f} kt on the pathway."
    return charts.figure_html(fig, alt=alt, caption="From the climate targets notebook's pathway.csv.", data=rep.screen_table(pathway))


def report_figures(report: imp.ImpactReport, climate_pathway: pd.DataFrame | None = None) -> list[str]:
    """The report's charts as accessible HTML figures (alt text, caption and data table each)."""
    figures = [_source_theme_figure(report), _status_figure(report)]
    if report.climate is not None and climate_pathway is not None and len(climate_pathway):
        figures.append(_climate_figure(report, climate_pathway))
    return figures
