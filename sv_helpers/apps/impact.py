"""The impact report app: choose the year and the files (or the examples), see the report,
download the HTML, the PDF and the tables.

Interface layer: widgets and charts around :mod:`sv_helpers.impact` and
:mod:`sv_helpers.report`.
"""

from __future__ import annotations

import datetime as dt
import html
import time
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
from sv_helpers.formatting import format_date, format_money, format_pct, parse_financial_year
from sv_helpers.measures import THEMES, load_measures
from sv_helpers.paths import resolve_path
from sv_helpers.provenance import provenance_record

EXAMPLE_NOTE = (
    "This report is built from the workbook's fictional example files (contracts, returns, activities and grant results) "
    "and example proxy values: none of those figures is a fact about Sevenoaks District Council, any supplier, group or person. "
    "The climate figures are real: the climate targets notebook's results for Sevenoaks from the UK local authority CO2 statistics."
)

EXAMPLE_MEASURES_NOTE = (
    "The values in pounds use the workbook's example proxy values (data/measures.csv), not values the council has adopted. "
    "Load the council's own measures library before quoting any value in pounds."
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
    figures = report.by_theme.groupby("source")["figures"].sum().reindex(list(imp.SOURCES)).fillna(0)
    if report.grants is not None:  # grants carry the scheme's themes, so they may not sit under the three
        figures["grants"] = max(figures["grants"], report.grants["grants_funded"].iloc[-1])
    for y, (total, count) in enumerate(zip(left, figures)):
        note = "" if total > 0 else " (counted, not valued)" if count > 0 else " (none given)"
        ax.text(total, y, " " + format_money(total) + note, va="center", fontsize=9)
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
    for threshold, style, name in ((green, "--", "Green"), (amber, ":", "Amber")):
        ax.axvline(threshold, color="#000000", linestyle=style, linewidth=1, label=f"{name} threshold ({threshold:g}%)")
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False, fontsize=9)
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
    alt = "Line chart of district CO2 emissions in kilotonnes: actual emissions, the chosen pathway and the current trend. " + imp.climate_sentence(c)
    series = str(c.get("series") or "")
    caption = "From the climate targets notebook (pathway.csv and summary.json)." + (f" {series}." if series else "")
    if "mySociety" in series:
        caption += " Contains public sector information licensed under the Open Government Licence v3.0; transformed by mySociety (CC BY 4.0)."
    return charts.figure_html(fig, alt=alt, caption=caption, data=rep.screen_table(pathway))


def profile_figure(contract: Mapping[str, Any], profile: pd.DataFrame) -> str:
    """One contract's cumulative delivered value against the expected profile, by quarter."""
    fig, ax = charts.new_figure(8.0, 3.8)
    dates = pd.to_datetime(profile["period_end"])
    ax.plot(dates, profile["expected_value_gbp"], color=charts.PALETTE[7], linestyle="--", linewidth=2, label="Expected to date")
    ax.plot(dates, profile["delivered_value_gbp"], color=charts.PALETTE[0], marker="o", linewidth=2, label="Delivered to date")
    ax.yaxis.set_major_formatter(lambda v, _: format_money(v))
    ax.set_ylabel("Social value (£), cumulative")
    ax.set_title(f"{contract['contract_id']}: delivered against expected", loc="left", fontsize=12)
    ax.legend(frameon=False, loc="upper left")
    fig.autofmt_xdate()
    last = profile.iloc[-1]
    alt = (
        f"Line chart of the social value of contract {contract['contract_id']} ({contract['contract']}), cumulative at each quarter end: "
        f"delivered against expected. By {format_date(last['period_end'])} it delivered {format_money(last['delivered_value_gbp'])} "
        f"of {format_money(last['expected_value_gbp'])} expected ({format_pct(last['pct_of_expected'], 0)})."
    )
    return charts.figure_html(fig, alt=alt, caption="Expected: the commitment times the share of the contract term elapsed, in days.", data=rep.screen_table(profile))


def report_figures(report: imp.ImpactReport, climate_pathway: pd.DataFrame | None = None, cache: dict | None = None) -> list[str]:
    """The report's charts as accessible HTML figures (alt text, caption and data table each).

    ``cache`` keeps the climate chart, which does not depend on the year, between redraws.
    """
    figures = [_source_theme_figure(report), _status_figure(report)]
    if report.climate is not None and climate_pathway is not None and len(climate_pathway):
        key = (id(climate_pathway), tuple(sorted((k, str(v)) for k, v in report.climate.items())))
        if cache is not None and cache.get("climate_key") == key:
            figures.append(cache["climate_html"])
        else:
            figure = _climate_figure(report, climate_pathway)
            if cache is not None:
                cache.update(climate_key=key, climate_html=figure)
            figures.append(figure)
    return figures


# --------------------------------------------------------------------------- inputs, batch runs and downloads

#: Every input of the report: (screen label, required?).
ROLES: dict[str, tuple[str, bool]] = {
    "contracts": ("Contracts", True),
    "commitments": ("Commitments", True),
    "returns": ("Suppliers' returns", True),
    "measures": ("Measures library", True),
    "activities": ("Council activities", False),
    "grant_allocations": ("Grant allocations (allocations.csv)", False),
    "grant_monitoring": ("Grant monitoring returns", False),
    "climate_summary": ("Climate summary (summary.json)", False),
    "climate_pathway": ("Climate pathway (pathway.csv)", False),
}

EXAMPLE_FILES: dict[str, str] = {
    "contracts": "data/impact/example_contracts.csv",
    "commitments": "data/impact/example_commitments.csv",
    "returns": "data/impact/example_returns.csv",
    "measures": "data/measures.csv",
    "activities": "data/impact/example_activities.csv",
    "grant_allocations": "data/impact/example_grant_allocations.csv",
    "grant_monitoring": "data/impact/example_grant_monitoring.csv",
    "climate_summary": "data/impact/climate_summary_sevenoaks.json",
    "climate_pathway": "data/impact/climate_pathway_sevenoaks.csv",
}

_LOADERS: dict[str, Callable[..., Any]] = {
    "contracts": dlv.load_contracts,
    "commitments": dlv.load_commitments,
    "returns": dlv.load_returns,
    "measures": load_measures,
    "activities": act.load_activities,
    "grant_allocations": imp.load_grant_allocations,
    "grant_monitoring": imp.load_grant_monitoring,
    "climate_summary": imp.load_climate_summary,
    "climate_pathway": imp.load_climate_pathway,
}

#: A source is a file (or, for returns, folder) path, an upload's (bytes, file name), or for returns several uploads.
Source = Path | tuple[bytes, str] | list[tuple[bytes, str]]


def source_from_path(path: str | Path | None) -> Path | None:
    """Resolve a notebook parameter to a file; blank or ``None`` means not provided."""
    if path is None or not str(path).strip():
        return None
    return resolve_path(path)


def _source_key(source: Source) -> tuple:
    if isinstance(source, list):
        return tuple(_source_key(s) for s in source)
    if isinstance(source, tuple):
        return ("upload", source[1], hash(source[0]))
    if source.is_dir():
        return ("folder", str(source), tuple(_source_key(p) for p in sorted(source.iterdir()) if p.is_file()))
    stat = source.stat() if source.exists() else None
    return ("path", str(source), stat.st_mtime_ns if stat else None, stat.st_size if stat else None)


def load_inputs(sources: Mapping[str, Source | None], cache: dict[str, tuple[tuple, Any]] | None = None) -> dict[str, Any]:
    """Load every provided input with its own loader (each raises a plain-English ``InputError``).

    ``cache`` (role -> (source key, loaded table)) lets an app skip reading a
    file again when only a setting changed; tables are never modified after loading.
    """
    loaded: dict[str, Any] = {}
    for role, (label, required) in ROLES.items():
        source = sources.get(role)
        if source is None:
            if required:
                raise InputError(f"The {label.lower()} file is needed for the report. Upload it, or choose the example files.")
            continue
        key = _source_key(source)
        if cache is not None and role in cache and cache[role][0] == key:
            loaded[role] = cache[role][1]
            continue
        if role == "returns":
            loaded[role] = dlv.load_returns_files(source if isinstance(source, list) else [source])
        elif isinstance(source, tuple):
            loaded[role] = _LOADERS[role](source[0], filename=source[1])
        else:
            loaded[role] = _LOADERS[role](source)
        if cache is not None:
            cache[role] = (key, loaded[role])
    return loaded


def build_report(loaded: Mapping[str, Any], financial_year: str, as_of: str | None = None) -> imp.ImpactReport:
    """Build the report from loaded inputs (see :func:`sv_helpers.impact.build_impact_report`)."""
    as_of = _parse_as_of(as_of)
    return imp.build_impact_report(
        financial_year,
        contracts=loaded["contracts"],
        commitments=loaded["commitments"],
        returns=loaded["returns"],
        measures=loaded["measures"],
        as_of=as_of,
        activities=loaded.get("activities"),
        grant_allocations=loaded.get("grant_allocations"),
        grant_monitoring=loaded.get("grant_monitoring"),
        climate_summary=loaded.get("climate_summary"),
        climate_pathway=loaded.get("climate_pathway"),
    )


def _parse_as_of(as_of: str | None) -> pd.Timestamp | None:
    if as_of is None or not str(as_of).strip():
        return None
    return imp.parse_date_text(str(as_of), "the date to measure delivery to")


def _provenance_inputs(sources: Mapping[str, Source | None]) -> dict[str, Path | bytes]:
    out: dict[str, Path | bytes] = {}
    for role, source in sources.items():
        if isinstance(source, list):
            out.update({f"{role} ({name})": content for content, name in source})
        elif isinstance(source, tuple):
            out[f"{role} ({source[1]})"] = source[0]
        elif source is not None:
            out[role] = source
    return out


def _source_names(source: Source) -> str:
    if isinstance(source, list):
        return ", ".join(name for _, name in source)
    return source[1] if isinstance(source, tuple) else source.name


def report_record(report: imp.ImpactReport, sources: Mapping[str, Source | None], *, notebook: str) -> dict[str, Any]:
    """The provenance record of a report: year, date, thresholds, which sources were given, file hashes."""
    green, amber = dlv.status_thresholds(report.as_of)
    parameters = {
        "financial_year": report.financial_year,
        "as_of": report.as_of.date().isoformat(),
        "status_green_threshold_pct": green,
        "status_amber_threshold_pct": amber,
        "not_provided": report.not_provided,
    }
    return provenance_record(parameters, _provenance_inputs(sources), notebook=notebook)


def is_example(sources: Mapping[str, Source | None]) -> bool:
    """Whether any input is one of the shipped example files."""
    examples = {resolve_path(p).resolve() for p in EXAMPLE_FILES.values() if "example" in p}
    return any(isinstance(s, Path) and s.resolve() in examples for s in sources.values())


def example_note(sources: Mapping[str, Source | None]) -> str | None:
    """The note a report needs when it rests on example data: example files, or the example measures library."""
    if is_example(sources):
        return EXAMPLE_NOTE
    measures = sources.get("measures")
    if isinstance(measures, Path) and measures.resolve() == resolve_path(EXAMPLE_FILES["measures"]).resolve():
        return EXAMPLE_MEASURES_NOTE
    return None


def report_html(report: imp.ImpactReport, loaded: Mapping[str, Any], record: Mapping[str, Any], *, note: str | None) -> str:
    """The static report page for committee papers (``note``: from :func:`example_note`)."""
    return rep.render_report_html(report, report_figures(report, loaded.get("climate_pathway")), record, example_note=note)


def run_batch(
    sources: Mapping[str, Source | None],
    financial_year: str,
    as_of: str | None = None,
    output_dir: str | Path | None = None,
    *,
    notebook: str = "impact_report.ipynb",
) -> imp.ImpactReport:
    """Load, check and build the report; with ``output_dir``, write its tables, HTML, PDF and provenance.

    Writes ``delivery.csv``, ``contract_status.csv``, ``impact_by_theme.csv``
    (and the report's other tables), ``impact_report.xlsx``, ``report.html``,
    ``report.pdf`` (when Chromium is installed) and ``provenance.json``.
    """
    loaded = load_inputs(sources)
    report = build_report(loaded, financial_year, as_of)
    if output_dir:
        record = report_record(report, sources, notebook=notebook)
        page = report_html(report, loaded, record, note=example_note(sources))
        extra: dict[str, bytes | str] = {"report.html": page}
        try:
            extra["report.pdf"] = rep.pdf_bytes(page)
        except FileNotFoundError as err:
            print(str(err))
        exports.write_outputs(output_dir, report.tables(), record, excel_name="impact_report.xlsx", extra_files=extra)
    return report


# --------------------------------------------------------------------------- the app

#: The optional inputs the app's "Include ..." boxes switch on and off.
GROUPS: dict[str, tuple[str, ...]] = {"activities": ("activities",), "grants": ("grant_allocations", "grant_monitoring"), "climate": ("climate_summary", "climate_pathway")}


#: The first financial year the app offers (the Procurement Act 2023 era and the years before it, for comparison).
FIRST_FINANCIAL_YEAR = 2019


def financial_year_options(today: dt.date | None = None) -> list[str]:
    """Financial years from 2019/20 to the one after today's, latest first (``2025/26``)."""
    current = _current_start(today)
    return [f"{y}/{(y + 1) % 100:02d}" for y in range(current + 1, FIRST_FINANCIAL_YEAR - 1, -1)]


def last_complete_financial_year(today: dt.date | None = None) -> str:
    """The financial year that ended most recently (``2025/26`` on 25 November 2026)."""
    start = _current_start(today) - 1
    return f"{start}/{(start + 1) % 100:02d}"


def _current_start(today: dt.date | None) -> int:
    today = today or dt.date.today()
    return today.year if today.month >= 4 else today.year - 1


def _scroll(inner: str, label: str) -> str:
    return f'<div class="sv-scroll" role="region" tabindex="0" aria-label="{html.escape(label, quote=True)}" style="max-height:28em;overflow:auto">{inner}</div>'


class ImpactApp:
    """The impact report app: its widgets and state (the sources in use, the last good report)."""

    def __init__(self, sources: Mapping[str, Source | None], financial_year: str, as_of: str | None = None, *, notices: list[str] | None = None) -> None:
        self.sources: dict[str, Source | None] = dict(sources)
        self.loaded: dict[str, Any] = {}
        self.report: imp.ImpactReport | None = None
        self.page_html = ""
        self.record: dict[str, Any] = {}
        self.timings: dict[str, float] = {}
        self._quiet = False
        self._notices: list[str] = []
        self._cache: dict[str, Any] = {}
        self._figure_cache: dict[str, Any] = {}

        self.banner = ui.ErrorBanner()
        notices = list(notices or [])
        years = financial_year_options()
        try:
            start = parse_financial_year(financial_year)
            financial_year = f"{start}/{(start + 1) % 100:02d}"
        except InputError as err:
            financial_year = last_complete_financial_year()
            notices.append(f"{err} The report shows {financial_year}, the last complete financial year, instead.")
        if financial_year not in years:
            years = sorted(set(years) | {financial_year}, reverse=True)
        self.year = ui.dropdown("Financial year", years, financial_year)
        self.year.add_class("sv-year")
        self.as_of = ui.text_input("Measure delivery to (date; blank for the end of the year)", as_of or "", placeholder="e.g. 31/12/2025")
        self.as_of.add_class("sv-as-of")
        self.use_examples = ui.button("Use the example files", style="")
        self.use_examples.add_class("sv-use-examples")
        self.uploads: dict[str, widgets.FileUpload] = {}
        for role, (label, _required) in ROLES.items():
            accept = ".json" if role == "climate_summary" else ".csv,.xlsx"
            w = ui.upload(f"Upload {label[0].lower() + label[1:]}", accept=accept)
            if role == "returns":
                w.multiple = True  # one file per supplier and quarter; read in name order
            w.add_class(f"sv-upload-{role.replace('_', '-')}")
            self.uploads[role] = w
            w.observe(ui.guarded(self.banner)(lambda change, role=role: self._on_upload(role)), names="value")
        self.include = {
            "activities": ui.checkbox("Include the council's own activities", self.sources.get("activities") is not None),
            "grants": ui.checkbox("Include grant results", self.sources.get("grant_allocations") is not None),
            "climate": ui.checkbox("Include climate results", self.sources.get("climate_summary") is not None),
        }
        for key, w in self.include.items():
            w.add_class(f"sv-include-{key}")
            w.observe(ui.guarded(self.banner)(self._on_setting), names="value")
        self.files_note = widgets.HTML()
        self.files_note.add_class("sv-files-note")
        templates = [
            ("template_contracts.xlsx", "Blank contracts and commitments template (Excel)"),
            ("template_supplier_returns.xlsx", "Blank quarterly return template to send suppliers (Excel)"),
            ("template_activities.xlsx", "Blank council activities template (Excel)"),
            ("template_grant_monitoring.xlsx", "Blank grant monitoring return template (Excel)"),
        ]
        from sv_helpers.paths import data_path

        self.templates = widgets.HTML(ui.downloads_html([(data_path("impact", n).read_bytes(), n, label, ui.XLSX_MIME) for n, label in templates]))

        self.summary = widgets.HTML()
        self.summary.add_class("sv-summary-area")
        self.charts_html = widgets.HTML()
        self.charts_html.add_class("sv-charts")
        self.tables_html = widgets.HTML()
        self.tables_html.add_class("sv-tables")
        self.downloads = widgets.HTML()
        self.downloads.add_class("sv-downloads-area")
        self.pdf_button = ui.button("Make the PDF")
        self.pdf_button.add_class("sv-make-pdf")
        self.pdf_link = widgets.HTML()
        self.pdf_link.add_class("sv-pdf-area")
        self.contract = ui.dropdown("Contract", [("(none loaded)", "")], "")
        self.contract.add_class("sv-contract")
        self.contract_html = widgets.HTML()
        self.contract_html.add_class("sv-contract-detail")

        self.year.observe(ui.guarded(self.banner)(self._on_setting), names="value")
        self.as_of.observe(ui.guarded(self.banner)(self._on_setting), names="value")
        self.use_examples.on_click(ui.guarded(self.banner)(self._on_examples))
        self.pdf_button.on_click(ui.guarded(self.banner)(self._on_pdf))
        self.contract.observe(ui.guarded(self.banner)(self._on_contract), names="value")

        upload_rows = [self.uploads[r] for r in ROLES]
        self.root = widgets.VBox(
            [
                self.banner,
                ui.section(
                    "1. Year and files",
                    widgets.HBox([self.year, self.as_of]),
                    self.files_note,
                    self.use_examples,
                    ui.paragraph(
                        "Or upload your own files (CSV or Excel; the climate summary is the climate notebook's summary.json). Each upload replaces one input. "
                        "Suppliers' returns may be several files, read in name order (e.g. returns-2025-q1.csv, returns-2025-q2.csv): a figure in a later file replaces the same contract, quarter and measure in an earlier one, and the replaced figure is listed."
                    ),
                    widgets.VBox(upload_rows),
                    widgets.VBox(list(self.include.values())),
                    ui.heading("Templates", 3),
                    self.templates,
                ),
                ui.section("2. The report", self.summary, self.charts_html, self.tables_html),
                ui.section("3. One contract's delivery", ui.paragraph("Choose a contract to see its delivery quarter by quarter against the expected profile, and each measure."), self.contract, self.contract_html),
                ui.section("4. Downloads", self.downloads, self.pdf_button, self.pdf_link),
            ]
        )
        self.root.add_class("sv-app")
        self.root.add_class("sv-impact")
        self._notices = notices
        try:
            self._refresh(self.sources)
        except InputError as err:
            self.banner.show_error("\n".join([str(err), *notices]))

    # ------------------------------------------------------------------ events

    def _on_upload(self, role: str) -> None:
        if role == "returns":
            files = sorted(((bytes(f["content"]), f["name"]) for f in self.uploads[role].value), key=lambda f: f[1])
            if not files:
                return
            sources = {**self.sources, role: files}
        else:
            got = ui.uploaded_file(self.uploads[role])
            if got is None:
                return
            name, content = got
            sources = {**self.sources, role: (content, name)}
        include = {key: w.value or role in GROUPS[key] for key, w in self.include.items()}
        self._refresh(sources, include)
        self._quiet = True
        try:
            for key, w in self.include.items():
                w.value = include[key]
        finally:
            self._quiet = False

    def _on_examples(self, _button: Any) -> None:
        sources = {role: resolve_path(p) for role, p in EXAMPLE_FILES.items()}
        self._refresh(sources, {key: True for key in self.include})
        self._quiet = True
        try:
            for w in self.include.values():
                w.value = True
        finally:
            self._quiet = False

    def _on_setting(self, _change: Any) -> None:
        if not self._quiet:
            self._refresh(self.sources)

    def _on_contract(self, _change: Any) -> None:
        if not self._quiet and self.report is not None and self.contract.value:
            self.contract_html.value = self._contract_detail(self.report, self.loaded, self.contract.value)

    def _contract_detail(self, report: imp.ImpactReport, loaded: Mapping[str, Any], contract_id: str) -> str:
        contracts = loaded["contracts"]
        resolved = dlv.resolve_returns(loaded["returns"])
        profile = dlv.delivery_profile(contract_id, contracts, loaded["commitments"], resolved.current, loaded["measures"], report.as_of)
        contract = contracts[contracts["contract_id"].astype(str) == contract_id].iloc[0]
        status = report.status.set_index("contract_id").loc[contract_id]
        measures = report.delivery[report.delivery["contract_id"] == contract_id]
        head = (
            f"<p><strong>{html.escape(str(contract['contract']))}</strong>, {html.escape(str(contract['supplier']))}: "
            f"{format_date(contract['start_date'])} to {format_date(contract['end_date'])}, {format_money(contract['contract_value'])}. "
            f"Status on {format_date(report.as_of)}: <strong>{html.escape(STATUS_LABELS[status['status']])}</strong> "
            + (f"({format_pct(status['pct_of_expected'], 0)} of the value expected to date).</p>" if pd.notna(status["pct_of_expected"]) else "(no value in pounds was expected yet).</p>")
        )
        table = charts.table_html(
            rep.screen_table(measures, ["measure_code", "outcome", "unit", "committed_quantity", "delivered_quantity", "expected_quantity", "delivered_value_gbp", "expected_value_gbp"]),
            caption=f"{contract_id}: each measure to {format_date(report.as_of)}",
        )
        return head + profile_figure(contract, profile) + table

    def _on_pdf(self, _button: Any) -> None:
        if not self.page_html:
            raise InputError("There is no report yet: load the files (or the examples) first.")
        if rep.find_chromium() is None:
            self.pdf_link.value = f"<p>{html.escape(rep.PDF_NEEDS_CHROMIUM)}</p>"
            return
        t0 = time.perf_counter()
        content = rep.pdf_bytes(self.page_html)
        self.timings["pdf"] = time.perf_counter() - t0
        stem = f"impact-report-{self.report.financial_year.replace('/', '-')}"
        self.pdf_link.value = ui.downloads_html([(content, f"{stem}.pdf", f"The report for {self.report.financial_year} (PDF)", "application/pdf")])

    # ------------------------------------------------------------------ drawing

    def _refresh(self, sources: Mapping[str, Source | None], include: Mapping[str, bool] | None = None) -> None:
        """Compute everything first, then replace the shown results (an error leaves the last good ones)."""
        t0 = time.perf_counter()
        include = include or {key: w.value for key, w in self.include.items()}
        used = {role: (None if any(role in GROUPS[k] and not on for k, on in include.items()) else s) for role, s in sources.items()}
        loaded = load_inputs(used, self._cache)
        report = build_report(loaded, self.year.value, self.as_of.value)
        note_text = example_note(used)
        record = report_record(report, used, notebook="impact_report.ipynb (app)")
        figures = report_figures(report, loaded.get("climate_pathway"), self._figure_cache)
        page = rep.render_report_html(report, figures, record, example_note=note_text)
        tables = report.tables()
        stem = f"impact-report-{report.financial_year.replace('/', '-')}"
        files = [
            (page.encode("utf-8"), f"{stem}.html", f"The report for {report.financial_year} (web page, for committee papers)", "text/html"),
            (exports.excel_bytes(tables, record), f"{stem}-tables.xlsx", "All the report's tables (Excel, with provenance)", ui.XLSX_MIME),
            (exports.csv_bytes(report.delivery), "delivery.csv", "Delivery by contract and measure (CSV)", ui.CSV_MIME),
            (exports.csv_bytes(report.status), "contract_status.csv", "Contract status (CSV)", ui.CSV_MIME),
            (exports.csv_bytes(report.by_theme), "impact_by_theme.csv", "Social value by source and theme (CSV)", ui.CSV_MIME),
            (exports.json_text(record).encode(), "provenance.json", "Provenance record (JSON)", ui.JSON_MIME),
        ]
        summary = "".join(f"<p>{html.escape(s)}</p>" for s in report.summary)
        summary_html = f'<div class="sv-summary" role="status">{summary}</div>'
        tables_html = "".join(
            [
                _scroll(charts.table_html(rep.screen_table(report.status, ["contract_id", "contract", "supplier", "delivered_value_gbp", "expected_value_gbp", "pct_of_expected", "status"]), caption="Contract status to date"), "Contract status"),
                _scroll(charts.table_html(rep.screen_table(report.delivery, ["contract_id", "measure_code", "theme", "unit", "committed_quantity", "delivered_quantity", "expected_quantity", "delivered_value_gbp", "expected_value_gbp"]), caption="Delivery by contract and measure, to date"), "Delivery by contract and measure"),
            ]
        )
        if len(report.replaced_returns):
            tables_html += charts.table_html(rep.screen_table(report.replaced_returns, ["contract_id", "period_end", "measure_code", "quantity_delivered", "source_file", "source_row", "replaced_by_row"]), caption="Returns replaced by a later return (kept for the record)")
        if report.grants is not None:
            tables_html += charts.table_html(rep.screen_table(report.grants), caption="Funded grants and their outcomes by scheme theme")
        if report.activities is not None:
            tables_html += _scroll(charts.table_html(rep.screen_table(report.activities, ["source", "activity", "indicator", "quantity", "unit", "theme", "ward", "value_gbp"]), caption=f"The council's own activities, {report.financial_year}"), "The council's own activities")
        note = "<p><strong>Your data.</strong> " + html.escape("; ".join(f"{ROLES[r][0]}: {_source_names(s)}" for r, s in used.items() if s is not None)) + ".</p>"
        if note_text == EXAMPLE_NOTE:
            note = f"<p><strong>Example data.</strong> {html.escape(EXAMPLE_NOTE)}</p>"
        elif note_text:
            note += f"<p><strong>Example values.</strong> {html.escape(note_text)}</p>"

        ids = [str(c) for c in loaded["contracts"]["contract_id"]]
        chosen = self.contract.value if self.contract.value in ids else ids[0]
        detail = self._contract_detail(report, loaded, chosen)
        options = [(f"{c} – {n}", c) for c, n in zip(ids, loaded["contracts"]["contract"].astype(str))]

        # every step succeeded: replace what is shown
        self.sources, self.loaded, self.report, self.page_html, self.record = dict(sources), loaded, report, page, record
        self.files_note.value = note
        self._quiet, quiet = True, self._quiet
        try:
            self.contract.options = options
            self.contract.value = chosen
        finally:
            self._quiet = quiet
        self.contract_html.value = detail
        self.charts_html.value = "".join(figures)
        self.tables_html.value = tables_html
        self.downloads.value = "<p>Each download carries the provenance record (year, thresholds, the SHA-256 of every input file, the package version). The PDF is printed from the web page on request.</p>" + ui.downloads_html(files)
        self.pdf_link.value = ""
        self.summary.value = summary_html  # last: the summary changing means the whole report is redrawn
        warnings = [*report.warnings, *self._notices]
        self._notices = []  # the link's notices are shown once, with the first report
        if warnings:
            self.banner.show_warnings(warnings)
        else:
            self.banner.clear()
        self.timings["refresh"] = time.perf_counter() - t0


def build_app(sources: Mapping[str, Source | None], financial_year: str, as_of: str | None = None, *, notices: list[str] | None = None) -> widgets.VBox:
    """Return the impact report app's root widget (class ``sv-app``)."""
    return ImpactApp(sources, financial_year, as_of, notices=notices).root
