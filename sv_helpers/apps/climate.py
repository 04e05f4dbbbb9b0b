"""The climate targets app: its controls and its views, on :class:`~sv_helpers.apps.base.ScenarioApp`.

Choose the authority or the council estate, a pathway and its settings, the sectors
and interventions; see the headline, the pathway, the wedges, the cost curve and the
peers; download the tables and the climate progress report.

Interface layer: widgets and charts around :mod:`sv_helpers.climate`.
"""

from __future__ import annotations

from typing import Any

import ipywidgets as widgets
import traitlets

from sv_helpers import climate as cl
from sv_helpers.apps import widgets as ui
from sv_helpers.apps.base import Control, ScenarioApp
from sv_helpers.climate import emissions as em
from sv_helpers.climate import report as climate_report
from sv_helpers.climate.charts import (
    macc_figure,
    pathway_figure,
    peer_figure,
    per_person_figure,
    per_person_peers_figure,
    report_figures,
    series_note,
    wedge_figure,
)
from sv_helpers.core import exports
from sv_helpers.core.errors import InputError
from sv_helpers.core.parameters import parameter_value
from sv_helpers.core.paths import resolve_path
from sv_helpers.core.scenario import Result

SCOPE_OPTIONS = [
    ("District (the whole area)", "district"),
    ("Council estate (the council's own operations)", "council estate"),
]


class TickList(widgets.VBox):
    """Tick boxes for a set of names; ``value`` maps the names left unticked to False (the setting's form)."""

    value = traitlets.Dict()

    def __init__(self, css_class: str, item_class: str, empty_text: str) -> None:
        super().__init__()
        self.add_class(css_class)
        self._item_class = item_class
        self._empty_text = empty_text
        self._names: tuple[str, ...] | None = None
        self._boxes: dict[str, widgets.Checkbox] = {}
        self._syncing = False
        self.observe(self._show_value, names="value")

    @property
    def boxes(self) -> list[widgets.Checkbox]:
        return list(self._boxes.values())

    def set_names(self, names: list[str]) -> None:
        """Show one tick box per name (kept when the names did not change)."""
        if tuple(names) == self._names:
            return
        self._names = tuple(names)
        self._boxes = {}
        for name in names:
            box = ui.checkbox(name, bool(self.value.get(name, True)))
            box.add_class(self._item_class)
            box.observe(self._on_tick, names="value")
            self._boxes[name] = box
        self.children = self.boxes or [ui.paragraph(self._empty_text)]

    def _on_tick(self, change: dict) -> None:
        if self._syncing:
            return
        kept = {n: v for n, v in self.value.items() if n not in self._boxes}
        self.value = dict(sorted({**kept, **{n: False for n, b in self._boxes.items() if not b.value}}.items()))

    def _show_value(self, change: dict) -> None:
        self._syncing = True
        try:
            for name, box in self._boxes.items():
                box.value = bool(self.value.get(name, True))
        finally:
            self._syncing = False


def _with_option(dropdown: widgets.Dropdown, value: Any) -> Any:
    """Make sure a drop-down can show ``value`` (a link or a saved scenario may name one its data do not list yet)."""
    if value not in [v for _, v in dropdown.options]:
        dropdown.options = sorted([*dropdown.options, (str(value), value)], key=lambda o: o[1])
    return value


# --------------------------------------------------------------------------- the app


class ClimateApp(ScenarioApp):
    """The climate targets app (see the module's docstring)."""

    core = cl
    views_shown = ("pathway", "series", "wedges", "macc", "peers")  # the first holds the latest year per person

    def __init__(self, result: Result, *, inputs: Any = None, notices: Any = ()) -> None:
        if inputs is None or inputs.get("scope") != result.settings.scope:
            inputs = cl.load(result.settings)
        super().__init__(result, inputs=inputs, notices=notices)
        self._loaded_key = self._input_key(result.settings)  # the inputs given are those of the result: no reload
        self.add_class("sv-climate")
        for name, css in (
            ("pathway", "sv-pathway-chart"),
            ("series", "sv-series"),
            ("wedges", "sv-wedge-chart"),
            ("macc", "sv-macc-chart"),
            ("peers", "sv-peer-chart"),
        ):
            self.view_widgets[name].add_class(css)

    # ------------------------------------------------------------------ controls

    def controls(self, settings: cl.Settings) -> list[Control]:
        self.scope = ui.dropdown("Scope", SCOPE_OPTIONS, settings.scope)
        self.authority = ui.dropdown("Authority", [], None)
        self.pathway = ui.dropdown("Pathway", [(cl.PATHWAY_LABELS[m], m) for m in cl.PATHWAY_METHODS], settings.pathway)
        self.target_year = ui.dropdown(
            "Target year", [(str(settings.target_year), settings.target_year)], settings.target_year
        )
        self.reduction = ui.slider(
            "Annual reduction (%)", settings.annual_reduction_pct, 0.0, 100.0, 0.5, readout_format=".1f"
        )
        self.budget = ui.number_input(
            "Carbon budget (kt) from the year after the last actual year",
            settings.carbon_budget_kt,
            step=100.0,
        )  # unbounded on screen: a value out of range is refused with a message naming the range, never clamped
        self.budget_source = ui.text_input(
            "Source of the carbon budget",
            settings.carbon_budget_source,
            placeholder="e.g. Tyndall Centre carbon budget report for the district",
        )
        self.budget_source.continuous_update = False  # redraw when the officer leaves the box, not on every key
        self.trend_start = ui.dropdown(
            "Trend from year", [(str(settings.trend_start_year), settings.trend_start_year)], settings.trend_start_year
        )
        self.sector_list = TickList("sv-sectors", "sv-sector", "No sectors are loaded.")
        self.plan_list = TickList("sv-interventions", "sv-intervention", "No interventions are loaded for this scope.")
        for w, css in (
            (self.scope, "sv-scope"),
            (self.authority, "sv-authority"),
            (self.pathway, "sv-pathway"),
            (self.target_year, "sv-target-year"),
            (self.reduction, "sv-reduction"),
            (self.budget, "sv-budget"),
            (self.budget_source, "sv-budget-source"),
            (self.trend_start, "sv-trend-start"),
        ):
            w.add_class(css)
        self.scope.observe(self._on_scope, names="value")  # before the base's observer: set the scope's defaults first
        return [
            Control("scope", self.scope),
            Control("authority_code", self.authority, write=lambda v: _with_option(self.authority, v)),
            Control("pathway", self.pathway),
            Control("target_year", self.target_year, read=int, write=lambda v: _with_option(self.target_year, int(v))),
            Control("annual_reduction_pct", self.reduction, read=float),
            Control("carbon_budget_kt", self.budget, read=lambda v: float(v or 0.0)),
            Control("carbon_budget_source", self.budget_source, read=lambda v: v.strip()),
            Control(
                "trend_start_year", self.trend_start, read=int, write=lambda v: _with_option(self.trend_start, int(v))
            ),
            Control("sectors", self.sector_list),
            Control("interventions", self.plan_list),
        ]

    def side_panel(self) -> list[widgets.Widget]:
        self.upload_emissions = self.file_upload(
            "Load a DESNZ emissions file (CSV)", "emissions", self.on_upload_emissions, accept=".csv"
        )
        self.upload_estate = self.file_upload("Load council estate data", "estate", self.on_upload_estate)
        self.upload_plan = self.file_upload("Load interventions", "interventions", self.on_upload_plan)
        self.reset = self.action_button(
            "Use the shipped data and examples again", "use-example", self.use_example, style=""
        )
        by_name = {c.name: c.widget for c in self.control_list}
        return [
            *(
                by_name[n]
                for n in (
                    "scope",
                    "authority_code",
                    "pathway",
                    "target_year",
                    "annual_reduction_pct",
                    "carbon_budget_kt",
                    "carbon_budget_source",
                    "trend_start_year",
                )
            ),
            ui.heading("Sectors included", 3),
            self.sector_list,
            ui.heading("Interventions included", 3),
            self.plan_list,
            ui.heading("Your own data", 3),
            ui.paragraph(
                "Uploaded files are kept on this server under a fingerprint of their content, so a saved scenario can "
                "name them; a link cannot carry them."
            ),
            self.upload_emissions,
            self.upload_estate,
            self.upload_plan,
            self.reset,
        ]

    # ------------------------------------------------------------------ views

    def neighbours(self, settings: cl.Settings) -> list[cl.Settings]:
        """The target years on either side of the one shown (the charts for each are drawn once and kept)."""
        last = int(self.result.detail.summary["last_actual_year"])
        years = [settings.target_year + d for d in (1, -1, 2, -2, 3, -3, 4, -4, 5, -5)]
        return [settings.replace(target_year=y) for y in years if last < y <= cl.LAST_TARGET_YEAR]

    def views(self, result: Result) -> dict[str, str]:
        s = result.detail
        if len(s.interventions):
            wedges = "<h3>Do the planned actions close the gap?</h3>" + wedge_figure(s)
            macc = "<h3>What the actions cost per tonne</h3>" + macc_figure(s)
        else:
            none = "<p>No interventions are included: tick some under 'Interventions included' or load a plan.</p>"
            wedges, macc = "<h3>Do the planned actions close the gap?</h3>" + none, ""
        if s.peers is not None:
            peers = "<h3>How the district compares</h3>" + peer_figure(s)
        else:
            peers = (
                "<h3>How the district compares</h3><p>The comparison with similar places is for the district scope: "
                "choose 'District' to see it.</p>"
            )
        latest = per_person_peers_figure(s)
        if latest:  # the same authorities on the latest year, all greenhouse gases, beside the sector detail
            peers = peers.replace("</h3>", "</h3>" + latest, 1)
        return {
            # The pathway beside the headline (which gives the latest year per person); the per-person series below it.
            "pathway": f'<div class="sv-pathway-figure">{pathway_figure(s)}</div>'
            + f'<div class="sv-per-person-chart">{per_person_figure(s, peers=False)}</div>',
            "series": "<h3>The data</h3>" + series_note(s),
            "wedges": wedges,
            "macc": macc,
            "peers": peers,
        }

    def below(self) -> list[widgets.Widget]:
        return [self.downloads_section()]

    def before_show(self, result: Result) -> None:
        """Fit the data-dependent controls (authorities, years, ticks) to the result about to be shown."""
        s: cl.Scenario = result.detail
        settings: cl.Settings = result.settings
        series = s.series
        with self.quiet():
            if s.scope == "district":
                options = [(f"{name} ({code})", code) for code, name in series.authorities.items()]
                if list(self.authority.options) != options:
                    self.authority.options = options
                self.authority.value = s.authority_code
            elif not self.authority.options:
                self._district_options(settings)
            self.authority.disabled = s.scope == "council estate"
            last = s.summary["last_actual_year"]
            years = [(str(y), y) for y in range(last + 1, cl.LAST_TARGET_YEAR + 1)]
            if list(self.target_year.options) != years:
                self.target_year.options = years
            self.target_year.value = settings.target_year
            trend_years = sorted({y for y in series.years if y < last} | {settings.trend_start_year})
            if [v for _, v in self.trend_start.options] != trend_years:
                self.trend_start.options = [(str(y), y) for y in trend_years]
            self.trend_start.value = settings.trend_start_year
            self.reduction.layout.display = None if settings.pathway == "constant_rate" else "none"
            self.sector_list.set_names(series.sectors)
            self.sector_list.value = dict(settings.sectors)
            plan = self.inputs.get("interventions") if self.inputs is not None else None
            names = [] if plan is None else list(plan.loc[plan["scope"] == s.scope, "intervention"])
            self.plan_list.set_names(names)
            self.plan_list.value = dict(settings.interventions)

    def _district_options(self, settings: cl.Settings) -> None:
        """Fill the authority list from the district series while the council estate is shown."""
        try:
            district = em.load_emissions(resolve_path(settings.emissions_path))
            code = em.resolve_authority_code(district, settings.authority_code)
        except InputError:
            district = em.load_emissions()
            code = cl.Settings().authority_code
        self.authority.options = [(f"{name} ({c})", c) for c, name in district.authorities.items()]
        self.authority.value = code

    # ------------------------------------------------------------------ events

    def _on_scope(self, change: dict) -> None:
        """A new scope starts from its own defaults: its net zero year, every sector and action ticked."""
        if self._quiet:
            return
        estate = change["new"] == "council estate"
        target = int(parameter_value("climate.council_net_zero_year" if estate else "climate.uk_net_zero_year"))
        with self.quiet():
            self.target_year.value = _with_option(self.target_year, target)
            self.trend_start.value = _with_option(self.trend_start, int(parameter_value("climate.trend_start_year")))
            self.sector_list.value = {}
            self.plan_list.value = {}

    def fit_link(self, settings: cl.Settings) -> tuple[cl.Settings, list[str]]:
        """Values the data cannot take (an unknown authority, a target year not after the last actual year)
        are refused with a notice, like values out of range."""
        base = self.base_settings
        notices: list[str] = []
        try:
            inputs = (
                self.inputs
                if self.inputs is not None and self.inputs.get("scope") == settings.scope
                else cl.load(settings)
            )
        except InputError as exc:
            return base, [f"The link's settings could not be used: {exc} The settings shown are used instead."]
        series = inputs["series"]
        if settings.scope == "district":
            try:
                code = em.resolve_authority_code(series, settings.authority_code)
            except InputError:
                name = self.result.detail.authority_name if base.scope == "district" else "Sevenoaks"
                notices.append(
                    f"The authority code '{settings.authority_code[:40]}' is not in the emissions data; "
                    f"{name} is shown instead."
                )
                code = base.authority_code
            settings = settings.replace(authority_code=code)
        last = max(series.years)
        if settings.target_year <= last:
            fallback = base.target_year if base.target_year > last else last + 1
            notices.append(
                f"The link's target year, {settings.target_year}, is not after the last year of actual data, {last}; "
                f"{fallback} is used instead."
            )
            settings = settings.replace(target_year=fallback)
        if settings.trend_start_year >= last:
            fallback = base.trend_start_year if base.trend_start_year < last else min(series.years)
            notices.append(
                f"The link's 'Trend from year', {settings.trend_start_year}, is not before the last year of actual data, "
                f"{last}; {fallback} is used instead."
            )
            settings = settings.replace(trend_start_year=fallback)
        try:
            cl.run(settings, inputs)
        except InputError as exc:
            return base, [
                *notices,
                f"The link's settings could not be used together: {exc} The settings shown are used instead.",
            ]
        return settings, notices

    def on_upload_emissions(self, files: list[tuple[str, bytes]]) -> None:
        with self.quiet():
            self.scope.value = "district"
            self.sector_list.value = {}
        self.use_upload("emissions_path", *files[-1])

    def on_upload_estate(self, files: list[tuple[str, bytes]]) -> None:
        if self.scope.value != "council estate":
            with self.quiet():
                self.scope.value = "council estate"
            self._on_scope({"new": "council estate"})
        self.use_upload("estate_path", *files[-1])

    def on_upload_plan(self, files: list[tuple[str, bytes]]) -> None:
        with self.quiet():
            self.plan_list.value = {}
        self.use_upload("interventions_path", *files[-1])

    def use_example(self) -> None:
        """The shipped emissions, the example estate and interventions again, every sector and action ticked."""
        defaults = cl.Settings()
        paths = {
            n: getattr(defaults, n) for n in ("emissions_path", "estate_path", "factors_path", "interventions_path")
        }
        self.apply_settings(
            self.base_settings.replace(**paths, authority_code=defaults.authority_code, sectors={}, interventions={})
        )

    report_title = "Climate progress report"

    def report_page(self, result: Result) -> str:
        return climate_report.report_html(result, report_figures(result))

    def download_files(self, result: Result) -> list[tuple[bytes, str, str, str]]:
        """Every table with its provenance (Excel), the pathway and summary (CSV), the summary and the record (JSON)."""
        tables = result.tables
        summary_json = exports.json_text({**cl.summary_output(result.detail.summary), "provenance": result.provenance})
        return [
            (
                exports.excel_bytes(tables, result.provenance),
                "climate_targets.xlsx",
                "All tables with their provenance (Excel)",
                ui.XLSX_MIME,
            ),
            (exports.csv_bytes(tables["pathway"]), "pathway.csv", "Pathway (CSV)", ui.CSV_MIME),
            (exports.csv_bytes(tables["summary"]), "summary.csv", "Summary (CSV)", ui.CSV_MIME),
            (summary_json.encode("utf-8"), "summary.json", "Summary with provenance (JSON)", ui.JSON_MIME),
            (
                exports.json_text(result.provenance).encode("utf-8"),
                "provenance.json",
                "Provenance record (JSON)",
                ui.JSON_MIME,
            ),
        ]
