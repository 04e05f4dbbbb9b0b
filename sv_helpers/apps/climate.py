"""The climate targets app: its controls and its views, on :class:`~sv_helpers.apps.base.ScenarioApp`.

Choose the authority or the council estate, a pathway and its settings, the sectors
and interventions; see the headline, the pathway, the wedges, the cost curve and the
peers; download the tables and the climate progress report.

Interface layer: widgets and charts around :mod:`sv_helpers.climate`.
"""

from __future__ import annotations

import hashlib
import html
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import ipywidgets as widgets
import numpy as np
import pandas as pd
import traitlets

from sv_helpers import charts, exports, report, svgcharts, ui
from sv_helpers import climate as cl
from sv_helpers import emissions as em
from sv_helpers.apps.base import Control, ScenarioApp
from sv_helpers.errors import InputError
from sv_helpers.formatting import format_money, format_number
from sv_helpers.parameters import parameter_value
from sv_helpers.paths import resolve_path
from sv_helpers.scenario import Result

SCOPE_OPTIONS = [
    ("District (the whole area)", "district"),
    ("Council estate (the council's own operations)", "council estate"),
]


def _kt(value: float, unit: str) -> str:
    return f"{format_number(value, 1 if abs(value) >= 10 else 2)} {unit}"


def _screen(table: pd.DataFrame, decimals: int = 1) -> pd.DataFrame:
    """Format a table's numbers for the screen (blank where not applicable), with the shared screen labels."""
    out = table.copy()
    for col in out.columns:
        if col == "year" or col.endswith("_year") or col.endswith("years"):
            out[col] = out[col].map(lambda v: "" if pd.isna(v) else str(int(v)))
        elif col == "cost" or col.startswith("cost_per"):
            out[col] = out[col].map(lambda v: "" if pd.isna(v) else format_money(v, 2 if abs(v) < 100 else 0))
        elif pd.api.types.is_float_dtype(out[col]):
            out[col] = out[col].map(lambda v: "" if pd.isna(v) else format_number(v, decimals))
    out.columns = [report.screen_label(str(c)) for c in out.columns]
    return out


# --------------------------------------------------------------------------- chart cache

#: Chart HTML by content key: a chart whose data did not change is not drawn again (the notebook's
#: charts are reused by the app, and a change of target year redraws only the charts it changes).
_CHARTS: OrderedDict[str, str] = OrderedDict()
_CHARTS_KEPT = 48


def _key(*parts: Any) -> str:
    digest = hashlib.sha256()
    for part in parts:
        if isinstance(part, pd.DataFrame):
            digest.update(pd.util.hash_pandas_object(part, index=True).to_numpy().tobytes())
            digest.update(",".join(map(str, part.columns)).encode())
        else:
            digest.update(repr(part).encode())
        digest.update(b"|")
    return digest.hexdigest()


def _cached(key: str, build: Callable[[], str]) -> str:
    if key in _CHARTS:
        _CHARTS.move_to_end(key)
        return _CHARTS[key]
    made = _CHARTS[key] = build()
    while len(_CHARTS) > _CHARTS_KEPT:
        _CHARTS.popitem(last=False)
    return made


def _scenario(result_or_scenario: Any) -> cl.Scenario:
    return result_or_scenario.detail if isinstance(result_or_scenario, Result) else result_or_scenario


# --------------------------------------------------------------------------- charts


def pathway_figure(result: Any) -> str:
    """Actual emissions, the chosen pathway, the trend and the UK milestones, as an accessible figure."""
    s = _scenario(result)
    t = s.table[["year", "actual_kt", "pathway_kt", "trend_kt", "gap_kt"]]
    key = _key(
        "pathway",
        t,
        s.milestones,
        s.scope,
        s.authority_name,
        s.series.unit,
        s.series.attribution,
        s.summary["pathway"],
        s.summary["target_year"],
        s.summary["last_actual_kt"],
        s.summary["trend_net_zero_year"],
    )
    return _cached(key, lambda: _pathway_figure(s))


def _pathway_figure(s: cl.Scenario) -> str:
    unit = s.series.unit
    t = s.table
    act = t.dropna(subset=["actual_kt"])
    last = s.summary["last_actual_year"]
    path = pd.concat(
        [
            pd.DataFrame({"year": [last], "pathway_kt": [s.summary["last_actual_kt"]]}),
            t.dropna(subset=["pathway_kt"])[["year", "pathway_kt"]],
        ]
    )
    label = cl.PATHWAY_LABELS[s.summary["pathway"]].lower()
    title_place = s.authority_name if s.scope == "district" else "Council estate"
    plot = svgcharts.Plot(
        title=f"{title_place}: emissions and the pathway to {s.summary['target_year']}",
        x_label="Calendar year" if s.scope == "district" else "Financial year (shown at the year it starts)",
        y_label=f"Emissions ({unit})",
        x_format=lambda v: f"{v:.0f}",
        y_format=lambda v: format_number(v, 0 if abs(v) >= 10 or v == 0 else 1),
        width=800,
        height=400,
        legend="bottom",
    )
    plot.line(act["year"], act["actual_kt"], colour=charts.PALETTE[0], width=2.5, label="Actual")
    plot.line(path["year"], path["pathway_kt"], colour=charts.PALETTE[2], dash="--", label=f"Pathway: {label}")
    trend = t.dropna(subset=["trend_kt"])
    plot.line(trend["year"], trend["trend_kt"], colour=charts.PALETTE[5], width=2, dash=":", label="Current trend")
    m = s.milestones
    if s.scope == "district":
        plot.points(
            m["year"],
            m["local_equivalent_kt"],
            colour=charts.PALETTE[7],
            marker="D",
            label="UK targets, rebased (see note)",
        )
        for _, row in m.iterrows():
            plot.text(row["year"], row["local_equivalent_kt"], f"{row['pct_below_base']:g}%", dx=7, dy=7, size=11)
    plot.vline(s.summary["target_year"], colour="#767676")
    plot.y_min = min(0.0, float(np.nanmin(t[["actual_kt", "pathway_kt", "trend_kt"]].to_numpy())))
    first = int(act["year"].min())
    tnz = s.summary["trend_net_zero_year"]
    milestones = (
        (
            "; ".join(
                f"{r['label']}: {_kt(r['local_equivalent_kt'], unit)} if applied to the {first} level"
                for _, r in m.iterrows()
            )
            + "."
        )
        if s.scope == "district"
        else ""
    )
    alt = (
        f"Line chart of {title_place} emissions in {unit}. Actual emissions went from "
        f"{_kt(act['actual_kt'].iloc[0], unit)} in {first} "
        f"to {_kt(s.summary['last_actual_kt'], unit)} in {last}. The pathway ({label}) reaches "
        f"{_kt(s.summary['pathway_kt_in_target_year'], unit)} in {s.summary['target_year']}. "
        + (f"The current trend reaches zero in {tnz}." if tnz else "The current trend does not reach zero.")
        + (" " + milestones if milestones else "")
    )
    caption = s.series.attribution + (
        f" UK targets rebased: the local series starts in {first}, not 1990; each UK percentage "
        f"is applied to the {first} level."
        if s.scope == "district"
        else ""
    )
    data = _screen(t[["year", "actual_kt", "pathway_kt", "trend_kt", "gap_kt"]])
    return svgcharts.figure_html(plot.svg(), alt=alt, caption=caption, data=data)


def _plan_note(s: cl.Scenario) -> str:
    if s.is_example.get("interventions"):
        return cl.INTERVENTIONS_EXAMPLE_NOTE
    return "The interventions are the council's own plan as loaded."


def wedge_figure(result: Any) -> str:
    """Abatement wedges against the baseline, the residual and the chosen pathway."""
    s = _scenario(result)
    key = _key(
        "wedges",
        s.wedges,
        s.table[["year", "pathway_kt"]],
        s.series.unit,
        s.series.attribution,
        s.summary["target_year"],
        s.summary["last_actual_year"],
        s.summary["last_actual_kt"],
        s.plan,
        _plan_note(s),
    )
    return _cached(key, lambda: _wedge_figure(s))


def _wedge_figure(s: cl.Scenario) -> str:
    unit = s.series.unit
    w = s.wedges
    names = [c for c in w.columns if c not in ("year", "baseline_kt", "total_abatement_kt", "residual_kt")]
    plot = svgcharts.Plot(
        title=f"Planned actions against a baseline held at the {s.summary['last_actual_year']} level",
        y_label=f"Emissions ({unit})",
        x_format=lambda v: f"{v:.0f}",
        y_format=lambda v: format_number(v, 0 if abs(v) >= 10 or v == 0 else 1),
        width=850,
        height=460,
        y_min=0.0,
    )
    layers = [w["residual_kt"].to_numpy()] + [w[n].to_numpy() for n in names]
    labels = ["Residual emissions"] + names
    colours = ["#BBBBBB"] + [charts.colour(i) for i in range(len(names))]
    low = np.zeros(len(w))
    for i, (layer, name, fill) in enumerate(zip(layers, labels, colours, strict=True)):
        high = low + np.nan_to_num(layer.astype(float))
        hatch = charts.HATCHES[i % len(charts.HATCHES)] if i else ""
        plot.area(w["year"], low, high, colour=fill, hatch=hatch, label=name)
        low = high
    path = s.table.dropna(subset=["pathway_kt"])
    plot.line(path["year"], path["pathway_kt"], colour="#000000", dash="--", width=2, label="Chosen pathway")
    plan = s.plan or {}
    target = s.summary["target_year"]
    verdict = (
        "meets the pathway"
        if plan.get("meets_target")
        else f"is {_kt(plan.get('shortfall_kt', 0.0), unit)} above the pathway"
    )
    totals = {n: w[n].iloc[-1] for n in names}
    alt = (
        f"Stacked area chart: the baseline of {_kt(s.summary['last_actual_kt'], unit)} a year split into residual "
        f"emissions and the saving of each of {len(names)} planned actions, from {int(w['year'].min())} to {target}, "
        "with the chosen pathway as a "
        f"dashed line. In {target} the actions save {_kt(w['total_abatement_kt'].iloc[-1], unit)}, leaving "
        f"{_kt(w['residual_kt'].iloc[-1], unit)}, which {verdict}. Savings in the target year: "
        + charts.describe_values(list(totals), [_kt(v, unit) for v in totals.values()])
        + "."
    )
    data = _screen(w.drop(columns=names), 2)
    caption = f"{_plan_note(s)} Baseline: {s.series.attribution}"
    return svgcharts.figure_html(plot.svg(), alt=alt, caption=caption, data=data)


def macc_figure(result: Any) -> str:
    """The marginal abatement cost curve: bar width = annual saving, height = cost per tonne."""
    s = _scenario(result)
    return _cached(_key("macc", s.macc, _plan_note(s)), lambda: _macc_figure(s))


def _macc_figure(s: cl.Scenario) -> str:
    m = s.macc
    plot = svgcharts.Plot(
        title="Marginal abatement cost curve: cheapest tonnes first",
        x_label="Cumulative annual abatement at full delivery (tCO2e a year)",
        y_label="Cost per tonne saved over the lifetime (£/tCO2e)",
        x_format=format_number,
        y_format=format_money,
        width=850,
        height=450,
        x_min=0.0,
        y_min=min(0.0, float(m["cost_per_tco2e"].min()) if len(m) else 0.0),
    )
    for i, row in enumerate(m.itertuples(index=False)):
        start = float(row.cumulative_start_tco2e)
        plot.rect(
            start,
            start + float(row.annual_abatement_tco2e),
            0.0,
            float(row.cost_per_tco2e),
            colour=charts.colour(i),
            hatch=charts.HATCHES[i % len(charts.HATCHES)],
            label=str(row.intervention),
        )
    alt = (
        "Marginal abatement cost curve, bars from cheapest to dearest per tonne. "
        + cl.macc_sentence(m)
        + " "
        + charts.describe_values(m["intervention"], [format_money(v, 2) for v in m["cost_per_tco2e"]])
        + "."
    )
    data = _screen(m.drop(columns=["cumulative_start_tco2e"]), 1)
    caption = f"{_plan_note(s)} Cost per tonne = cost ÷ (annual saving × lifetime), not discounted."
    return svgcharts.figure_html(plot.svg(), alt=alt, caption=caption, data=data)


def peer_figure(result: Any) -> str:
    """Emissions per person by sector (stacked) and per km², for the authority and its peers."""
    s = _scenario(result)
    key = _key(
        "peers", s.peers, tuple(s.sectors), s.series.unit, s.series.attribution, int(s.series.emissions["year"].max())
    )
    return _cached(key, lambda: _peer_figure(s))


def _peer_figure(s: cl.Scenario) -> str:
    peers = s.peers
    totals = cl.peer_totals(peers)
    order = totals["authority_code"].tolist()
    names = totals.set_index("authority_code")["authority_name"].str.replace(
        r"(?<!and) (District|Borough|City) Council$| Council$", "", regex=True
    )
    groups = totals.set_index("authority_code")["group"]
    kinds = {"Selected": "selected", "Similar": "similar"}
    ylabels = [f"{names[c]} ({kinds.get(groups[c], 'Kent')})" for c in order]
    pivot = peers.pivot_table(index="authority_code", columns="sector", values="per_person_t", aggfunc="sum")
    pivot = pivot.reindex(index=order, columns=s.sectors).fillna(0.0)
    year = int(s.series.emissions["year"].max())
    row_height = 24.0
    per_person = svgcharts.hbar_chart(
        ylabels,
        [
            (str(sector), pivot[sector].to_numpy(), charts.colour(i), charts.HATCHES[i % len(charts.HATCHES)])
            for i, sector in enumerate(pivot.columns)
        ],
        x_label=f"Tonnes per person ({s.series.unit.split()[-1]})",
        value_format=lambda v: format_number(v, 1 if v % 1 else 0),
        end_labels=[format_number(v, 1) for v in pivot.sum(axis=1)],
        width=620,
        row_height=row_height,
        legend="bottom",
    )
    per_km2 = totals.set_index("authority_code")["per_km2_t"].reindex(order)
    km2 = svgcharts.hbar_chart(
        [""] * len(order),
        [(None, per_km2.to_numpy(), [charts.PALETTE[0] if groups[c] == "Selected" else "#999999" for c in order], "")],
        x_label="Tonnes per km²",
        value_format=format_number,
        width=330,
        row_height=row_height,
        legend=None,
    )
    me = totals[totals["group"] == "Selected"].iloc[0]
    rank = int((totals["per_person_t"] < me["per_person_t"]).sum()) + 1
    alt = (
        f"Two bar charts for {year}: emissions per person split by sector, and emissions per square kilometre, for "
        f"{names[me['authority_code']]} ({format_number(me['per_person_t'], 1)} t per person, "
        f"{format_number(me['per_km2_t'])} t per km²), {int((totals['group'] == 'Similar').sum())} similar authorities "
        "and the other Kent districts. It is number "
        f"{rank} of {len(totals)} from lowest per person. Per person: "
        + charts.describe_values(
            [names[c] for c in order], [format_number(v, 1) + " t" for v in totals["per_person_t"]], limit=20
        )
        + "."
    )
    data = _screen(totals, 2)
    caption = (
        s.series.attribution
        + " Similar authorities: nearest on mySociety's emissions-profile inputs (county councils and "
        "combined authorities left out)."
    )
    return svgcharts.figure_html(
        svgcharts.side_by_side(
            per_person.svg(),
            km2.svg(),
            title=f"Emissions per person by sector and per km², {year}: similar authorities and Kent districts",
        ),
        alt=alt,
        caption=caption,
        data=data,
    )


def report_figures(result: Result) -> dict[str, str]:
    """The charts the climate progress report shows, by name (for :func:`sv_helpers.climate.write`)."""
    s = _scenario(result)
    out = {"pathway": pathway_figure(s)}
    if len(s.interventions):
        out["wedges"] = wedge_figure(s)
        out["macc"] = macc_figure(s)
    if s.peers is not None:
        out["peers"] = peer_figure(s)
    return out


def series_note(result: Any) -> str:
    """What is loaded: the series, its caveats, and whether the estate or the plan are example figures."""
    s = _scenario(result)
    notes = [
        f"<p><strong>You are looking at:</strong> {html.escape(s.series.series_name)}.</p>",
        "<ul>" + "".join(f"<li>{html.escape(c)}</li>" for c in s.series.caveats) + "</ul>",
    ]
    if s.scope == "council estate" and s.is_example.get("council_estate"):
        notes.append(f'<p class="sv-example-note"><strong>{html.escape(cl.ESTATE_EXAMPLE_NOTE)}</strong></p>')
    if s.is_example.get("interventions"):
        notes.append(f'<p class="sv-example-note">{html.escape(cl.INTERVENTIONS_EXAMPLE_NOTE)}</p>')
    if s.carbon_budget_source:
        notes.append(f"<p>Carbon budget source: {html.escape(s.carbon_budget_source)}</p>")
    return "".join(notes)


# --------------------------------------------------------------------------- controls


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
    views_shown = ("pathway", "series", "wedges", "macc", "peers")

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
        guard = ui.guarded(self.banner)
        self.upload_emissions = ui.upload("Load a DESNZ emissions file (CSV)", ".csv")
        self.upload_emissions.add_class("sv-upload-emissions")
        self.upload_estate = ui.upload("Load council estate data", ".csv,.xlsx")
        self.upload_estate.add_class("sv-upload-estate")
        self.upload_plan = ui.upload("Load interventions", ".csv,.xlsx")
        self.upload_plan.add_class("sv-upload-interventions")
        self.reset = ui.button("Use the shipped data and examples again", style="")
        self.reset.add_class("sv-reset")
        self.upload_emissions.observe(guard(self.on_upload_emissions), names="value")
        self.upload_estate.observe(guard(self.on_upload_estate), names="value")
        self.upload_plan.observe(guard(self.on_upload_plan), names="value")
        self.reset.on_click(guard(self.on_reset))
        self.make_downloads = ui.button("Prepare the downloads (Excel, CSV, JSON)", style="")
        self.make_downloads.add_class("sv-make-downloads")
        self.make_report = ui.button("Make the climate progress report (HTML and PDF)", style="")
        self.make_report.add_class("sv-make-report")
        self.downloads = widgets.HTML(value="")
        self.downloads.add_class("sv-downloads-area")
        self.make_downloads.on_click(guard(self.on_make_downloads))
        self.make_report.on_click(guard(self.on_make_report))
        self.busy_buttons = [self.make_downloads, self.make_report]
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
            ui.heading("Download the results", 3),
            self.make_downloads,
            self.make_report,
            self.downloads,
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
        return {
            "pathway": pathway_figure(s),
            "series": "<h3>The data</h3>" + series_note(s),
            "wedges": wedges,
            "macc": macc,
            "peers": peers,
        }

    def show(self, result: Result) -> None:
        """Fit the data-dependent controls (authorities, years, ticks) to the result, then show it."""
        if result is not self.result:
            self.downloads.value = ""
        self._fit_controls(result)
        super().show(result)

    def _fit_controls(self, result: Result) -> None:
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

    def on_upload_emissions(self, *_: Any) -> None:
        got = ui.uploaded_file(self.upload_emissions)
        if got is None:
            return
        with self.quiet():
            self.scope.value = "district"
            self.sector_list.value = {}
        self.use_upload("emissions_path", *got)

    def on_upload_estate(self, *_: Any) -> None:
        got = ui.uploaded_file(self.upload_estate)
        if got is None:
            return
        if self.scope.value != "council estate":
            with self.quiet():
                self.scope.value = "council estate"
            self._on_scope({"new": "council estate"})
        self.use_upload("estate_path", *got)

    def on_upload_plan(self, *_: Any) -> None:
        got = ui.uploaded_file(self.upload_plan)
        if got is None:
            return
        with self.quiet():
            self.plan_list.value = {}
        self.use_upload("interventions_path", *got)

    def on_reset(self, *_: Any) -> None:
        defaults = cl.Settings()
        paths = {
            n: getattr(defaults, n) for n in ("emissions_path", "estate_path", "factors_path", "interventions_path")
        }
        self.apply_settings(
            self.base_settings.replace(**paths, authority_code=defaults.authority_code, sectors={}, interventions={})
        )

    def on_make_downloads(self, *_: Any) -> None:
        """Build the download files for the result shown (only when asked: they are large)."""
        result = self.result
        with self.working("Preparing the downloads…"):
            tables = result.tables
            summary_json = exports.json_text(
                {**cl.summary_output(result.detail.summary), "provenance": result.provenance}
            )
            files = [
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
            self.downloads.value = ui.downloads_html(files)

    def on_make_report(self, *_: Any) -> None:
        """Make the climate progress report as HTML and PDF (the PDF takes a few seconds, in the background)."""

        def build(result: Result) -> str:
            page = cl.report_html(result, report_figures(result))
            files = [(page.encode("utf-8"), "climate_report.html", "Climate progress report (HTML)", "text/html")]
            try:
                files.append(
                    (report.pdf_bytes(page), "climate_report.pdf", "Climate progress report (PDF)", "application/pdf")
                )
            except FileNotFoundError as exc:
                raise InputError(str(exc)) from None
            return ui.downloads_html(files) + '<p role="status">The report is ready.</p>'

        self.in_background(
            self.downloads, "Making the report… the PDF takes a few seconds.", build, button=self.make_report
        )
