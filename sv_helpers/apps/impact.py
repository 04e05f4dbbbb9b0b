"""The impact report app: the year, the date and the status thresholds beside the answer; the report's charts and
tables; the files (or the examples); the HTML, PDF and tables for download, built when asked for.

Interface layer: controls and views around :mod:`sv_helpers.impact` (the model: ``Settings``, ``load``, ``run``)
and :mod:`sv_helpers.reports.document` (the report page and its charts).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import ipywidgets as widgets
import pandas as pd

from sv_helpers import impact as imp
from sv_helpers.apps import widgets as ui
from sv_helpers.apps.base import UPLOADS_DIR, Control, ScenarioApp, keep_upload
from sv_helpers.core import exports
from sv_helpers.core.formatting import format_date, format_money, format_pct
from sv_helpers.core.paths import data_path
from sv_helpers.core.scenario import Result
from sv_helpers.impact import report as impact_report
from sv_helpers.impact.report import report_charts
from sv_helpers.reports import charts
from sv_helpers.reports import document as rep

#: The first financial year the app offers (the Procurement Act 2023 era and the years before it, for comparison).
FIRST_FINANCIAL_YEAR = 2019


TEMPLATES = (
    ("template_contracts.xlsx", "Blank contracts and commitments template (Excel)"),
    ("template_supplier_returns.xlsx", "Blank quarterly return template to send suppliers (Excel)"),
    ("template_activities.xlsx", "Blank council activities template (Excel)"),
    ("template_grant_monitoring.xlsx", "Blank grant monitoring return template (Excel)"),
)

_INCLUDE_OF = {role: flag for flag, roles in imp.GROUPS.items() for role in roles}

#: The discounting conventions as the app offers them.
CONVENTION_OPTIONS = [
    ("Green Book: the year of delivery is not discounted", "green_book"),
    ("SROI Guide: the first year is discounted too", "sroi_guide"),
]


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
    return (
        f'<div class="sv-scroll" role="region" tabindex="0" aria-label="{html.escape(label, quote=True)}" '
        f'style="max-height:28em;overflow:auto">{inner}</div>'
    )


def _table(table: pd.DataFrame, caption: str, columns: Sequence[str] | None = None, *, scroll: bool = False) -> str:
    out = charts.table_html(rep.screen_table(table, columns), caption=caption)
    return _scroll(out, caption) if scroll else out


def data_note(report: imp.ImpactReport) -> str:
    """Say what the report is built from: the example files, or the user's files (and example values if so)."""
    if report.example_note == imp.EXAMPLE_NOTE:
        return f"<p><strong>Example data.</strong> {html.escape(imp.EXAMPLE_NOTE)}</p>"
    note = f"<p><strong>Your data.</strong> {html.escape(report.sources_note)}.</p>"
    if report.example_note:
        note += f"<p><strong>Example values.</strong> {html.escape(report.example_note)}</p>"
    return note


def contract_detail(report: imp.ImpactReport) -> str:
    """The chosen contract: its term, value and status, its quarterly profile and each measure."""
    contract_id = report.contract_id
    if not contract_id or report.profile is None:
        return "<p>No contract is loaded.</p>"
    contracts = report.contracts
    contract = contracts[contracts["contract_id"].astype(str) == contract_id].iloc[0]
    status = report.status.set_index("contract_id").loc[contract_id]
    pct = status["pct_of_expected"]
    head = (
        f"<p><strong>{html.escape(str(contract['contract']))}</strong>, {html.escape(str(contract['supplier']))}: "
        f"{format_date(contract['start_date'])} to {format_date(contract['end_date'])}, "
        f"{format_money(contract['contract_value'])}. Status on {format_date(report.as_of)}: "
        f"<strong>{html.escape(impact_report.STATUS_LABELS[status['status']])}</strong> "
        + (
            f"({format_pct(pct, 0)} of the value expected to date).</p>"
            if pd.notna(pct)
            else "(no value in pounds was expected yet).</p>"
        )
    )
    measures = report.delivery[report.delivery["contract_id"] == contract_id]
    table = _table(
        measures,
        f"{contract_id}: each measure to {format_date(report.as_of)}",
        [
            "measure_code",
            "outcome",
            "unit",
            "committed_quantity",
            "delivered_quantity",
            "expected_quantity",
            "delivered_value_gbp",
            "expected_value_gbp",
        ],
    )
    return head + impact_report.profile_figure(contract, report.profile) + table


def report_tables(report: imp.ImpactReport) -> str:
    """The report's tables as they are shown in the app."""
    parts = [
        f"<p>{html.escape(report.method_note)}</p>",
        _table(
            report.evidence,
            "Social value committed, claimed and validated, in present value and as a percentage of contract value",
        ),
        _table(report.sensitivity, "How much the present value rests on the assumptions"),
        _table(
            report.by_measure,
            "Gross, net and present value of each contract's delivery by measure, to date",
            scroll=True,
        ),
        _table(
            report.status,
            "Contract status to date",
            impact_report.STATUS_SHOWN,
            scroll=True,
        ),
        _table(
            report.delivery,
            "Delivery by contract and measure, to date",
            impact_report.DELIVERY_SHOWN,
            scroll=True,
        ),
    ]
    if len(report.replaced_returns):
        parts.append(
            _table(
                report.replaced_returns,
                "Returns replaced by a later return (kept for the record)",
                impact_report.REPLACED_SHOWN,
            )
        )
    if report.grants is not None:
        parts.append(_table(report.grants, "Funded grants and their outcomes by scheme theme"))
    if report.planning_ifs is not None:
        parts.append(_table(report.planning_ifs, "Planning gain: the Infrastructure Funding Statement's items"))
    if report.activities is not None:
        parts.append(
            _table(
                report.activities,
                f"The council's own activities, {report.financial_year}",
                impact_report.ACTIVITIES_SHOWN,
                scroll=True,
            )
        )
    return "".join(parts)


def _stem(result: Result) -> str:
    return f"impact-report-{result.settings.financial_year.replace('/', '-')}"


def download_files(result: Result) -> list[tuple[bytes, str, str, str]]:
    """The report's tables: every table in Excel, the main tables as CSV, the provenance record (the app adds the
    report itself, as a web page for committee papers)."""
    report = result.detail
    return [
        (
            exports.excel_bytes(result.tables, result.provenance),
            f"{_stem(result)}-tables.xlsx",
            "All the report's tables (Excel, with provenance)",
            ui.XLSX_MIME,
        ),
        (exports.csv_bytes(report.delivery), "delivery.csv", "Delivery by contract and measure (CSV)", ui.CSV_MIME),
        (exports.csv_bytes(report.status), "contract_status.csv", "Contract status (CSV)", ui.CSV_MIME),
        (
            exports.csv_bytes(report.by_theme),
            "impact_by_theme.csv",
            "Social value by source and theme (CSV)",
            ui.CSV_MIME,
        ),
        (
            exports.csv_bytes(report.by_measure),
            "social_value_by_measure.csv",
            "Gross, net and present value by contract and measure (CSV)",
            ui.CSV_MIME,
        ),
        (exports.json_text(result.provenance).encode(), "provenance.json", "Provenance record (JSON)", ui.JSON_MIME),
    ]


class ImpactApp(ScenarioApp):
    """The impact report app: its controls and its views (the base does the rest)."""

    core = imp
    views_shown = ("status", "summary", "charts", "contract", "tables")
    controls_title = "Report settings"

    def __init__(self, result: Result, *, inputs: Any = None, notices: Any = ()) -> None:
        super().__init__(result, inputs=inputs, notices=notices)
        self.add_class("sv-impact")
        for name, extra in (
            ("summary", "sv-summary-area"),
            ("charts", "sv-charts"),
            ("tables", "sv-tables"),
            ("contract", "sv-contract-detail"),
        ):
            self.view_widgets[name].add_class(extra)
        children = list(self.children)
        for before, *new in (
            (self.view_widgets["summary"], ui.heading("The report", 2)),
            (
                self.view_widgets["contract"],
                ui.heading("One contract's delivery", 2),
                ui.paragraph(
                    "Choose a contract to see its delivery quarter by quarter against the expected profile, "
                    "and each measure."
                ),
                self.contract,
            ),
        ):
            at = children.index(before)
            children[at:at] = new
        self.children = children

    # ------------------------------------------------------------------ controls

    def controls(self, settings: imp.Settings) -> list[Control]:
        specs = type(settings).specs()
        years = financial_year_options()
        if settings.financial_year not in years:
            years = sorted({*years, settings.financial_year}, reverse=True)
        year = ui.dropdown(specs["financial_year"].label, years, settings.financial_year)
        year.add_class("sv-year")
        as_of = ui.text_input(
            specs["as_of"].label,
            settings.as_of,
            placeholder="end of year, or e.g. 31/12/2025",
            tooltip="The date to measure delivery to; blank for the end of the financial year",
        )
        as_of.continuous_update = False
        as_of.add_class("sv-as-of")
        out = [Control("financial_year", year), Control("as_of", as_of)]
        for name, css in (("green_threshold_pct", "sv-green"), ("amber_threshold_pct", "sv-amber")):
            spec = specs[name]
            w = ui.number_input(spec.label, getattr(settings, name), minimum=spec.minimum, maximum=spec.maximum)
            w.add_class(css)
            out.append(Control(name, w))
        rate = ui.number_input(
            specs["discount_rate_pct"].label,
            settings.discount_rate_pct,
            minimum=specs["discount_rate_pct"].minimum,
            maximum=specs["discount_rate_pct"].maximum,
        )
        rate.add_class("sv-discount-rate")
        convention = ui.dropdown(specs["discount_convention"].label, CONVENTION_OPTIONS, settings.discount_convention)
        convention.add_class("sv-discount-convention")
        out += [Control("discount_rate_pct", rate), Control("discount_convention", convention)]
        for flag in imp.GROUPS:
            w = ui.checkbox(specs[flag].label, getattr(settings, flag))
            w.add_class("sv-" + flag.replace("_", "-"))
            out.append(Control(flag, w))
        self.contract = ui.dropdown("Contract", [("(none loaded)", "")], "")
        self.contract.add_class("sv-contract")
        out.append(Control("contract_id", self.contract, read=self._read_contract, write=self._write_contract))
        return out

    def side_panel(self) -> list[widgets.Widget]:
        return [c.widget for c in self.control_list if c.name != "contract_id"]

    def _contract_ids(self) -> list[str]:
        return [value for _, value in self.contract.options if value]

    def _read_contract(self, value: str) -> str:
        ids = self._contract_ids()
        return "" if not ids or value == ids[0] else value

    def _write_contract(self, value: str) -> str:
        ids = self._contract_ids()
        return value if value in ids else (ids[0] if ids else "")

    # ------------------------------------------------------------------ below the first screen

    def below(self) -> list[widgets.Widget]:
        self.files_note = widgets.HTML()
        self.files_note.add_class("sv-files-note")
        self.example_button = self.action_button("Use the example files", "use-example", self.use_example, style="")
        self.uploads: dict[str, widgets.FileUpload] = {}
        for role, (label, _name, _required) in imp.ROLES.items():
            self.uploads[role] = self.file_upload(
                f"Upload {label[0].lower() + label[1:]}",
                role.replace("_", "-"),
                lambda files, role=role: self._on_upload(role, files),
                accept=".json" if role == "climate_summary" else ".csv,.xlsx",
                multiple=role == "returns",  # one file per supplier and quarter; read in name order
            )
        templates = [(data_path("impact", n).read_bytes(), n, label, ui.XLSX_MIME) for n, label in TEMPLATES]
        about = ui.paragraph(
            "What contracts, community grants, the council as an employer, partnerships and planning delivered in the "
            "year, by theme. Each contract is green, amber or red by the social value delivered to date as a share of "
            "the value expected by then (the commitment times the share of the contract term elapsed)."
        )
        return [
            self.downloads_section(),
            ui.section(
                "About this report and its files",
                about,
                self.files_note,
                self.example_button,
                ui.paragraph(
                    "Or upload your own files (CSV or Excel; the climate summary is the climate notebook's "
                    "summary.json). Each upload replaces one input. Suppliers' returns may be several files, read in "
                    "name order (e.g. returns-2025-q1.csv, returns-2025-q2.csv): a figure in a later file replaces the "
                    "same contract, quarter and measure in an earlier one, and the replaced figure is listed."
                ),
                widgets.VBox(list(self.uploads.values())),
                ui.heading("Templates", 3),
                widgets.HTML(ui.downloads_html(templates)),
            ),
        ]

    # ------------------------------------------------------------------ views

    def neighbours(self, settings: imp.Settings) -> list[imp.Settings]:
        """The report for each other financial year on the list (a few tenths of a second in all)."""
        return [settings.replace(financial_year=y) for y in financial_year_options() if y != settings.financial_year]

    def views(self, result: Result) -> dict[str, str]:
        report: imp.ImpactReport = result.detail
        summary = "".join(f"<p>{html.escape(s)}</p>" for s in report.summary)
        main, *others = report_charts(result)
        return {
            "status": main,
            "summary": f'<div class="sv-summary">{summary}</div>',
            "charts": "".join(others),
            "contract": contract_detail(report),
            "tables": report_tables(report),
        }

    def before_show(self, result: Result) -> None:
        """The contract list follows the contracts loaded."""
        report: imp.ImpactReport = result.detail
        contracts = report.contracts
        options = [
            (f"{c} – {n}", c)
            for c, n in zip(contracts["contract_id"].astype(str), contracts["contract"].astype(str), strict=True)
        ]
        with self.quiet():
            if list(self.contract.options) != options:
                self.contract.options = options or [("(none loaded)", "")]
            self.contract.value = report.contract_id or self.contract.options[0][1]

    def after_show(self, result: Result) -> None:
        self.files_note.value = data_note(result.detail)

    # ------------------------------------------------------------------ events

    def _on_upload(self, role: str, files: list[tuple[str, bytes]]) -> None:
        name = imp.ROLES[role][1]
        flag = _INCLUDE_OF.get(role)
        control = next((c for c in self.control_list if c.name == flag), None)
        before = control.value() if control else None
        if control is not None:
            with self.quiet():
                control.set(True)
        if len(files) == 1:
            result = self.use_upload(name, *files[0])
        else:
            result = self._use_path(name, str(_keep_folder(files, role)))
        if result is None and control is not None:
            with self.quiet():
                control.set(before)

    def _use_path(self, name: str, path: str) -> Result | None:
        return self.use_settings(**{name: path})

    def use_example(self) -> None:
        defaults = imp.Settings()
        with self.quiet():
            for c in self.control_list:
                if c.name in imp.GROUPS:
                    c.set(True)
        self.use_settings(**{name: getattr(defaults, name) for _, name, _ in imp.ROLES.values()}, planning_dir="")

    report_title = "Social value impact report"

    def report_filename(self, result: Result) -> str:
        return _stem(result)

    def report_page(self, result: Result) -> str:
        return impact_report.impact_report_page(result)

    def download_files(self, result: Result) -> list[tuple[bytes, str, str, str]]:
        return download_files(result)


def _keep_folder(files: list[tuple[str, bytes]], role: str) -> Path:
    """Keep several uploaded files together in one folder under ``var/uploads`` (content-addressed)."""
    digest = hashlib.sha256()
    for name, content in files:
        digest.update(name.encode() + b"\0" + hashlib.sha256(content).digest())
    folder = UPLOADS_DIR / digest.hexdigest() / role
    if not folder.is_dir():
        folder.mkdir(parents=True, exist_ok=True)
        for name, content in files:
            kept = keep_upload(name, content)
            (folder / kept.name).write_bytes(content)
    return folder
