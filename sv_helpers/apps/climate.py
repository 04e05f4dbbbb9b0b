"""The climate targets app: choose the authority or the council estate, a pathway and its
settings, sectors and interventions; see the pathway, the wedges, the cost curve and the
peers, a plain-English summary, and download the tables with their provenance.

Interface layer: widgets and charts around :mod:`sv_helpers.climate` and
:mod:`sv_helpers.emissions`.
"""

from __future__ import annotations

import html
from typing import Any, Mapping

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from sv_helpers import charts, exports, ui
from sv_helpers import climate as cl
from sv_helpers import emissions as em
from sv_helpers.errors import InputError
from sv_helpers.formatting import format_money, format_number
from sv_helpers.parameters import parameter_value
from sv_helpers.paths import resolve_path
from sv_helpers.provenance import provenance_record

NOTEBOOK = "climate_targets.ipynb"
SCOPE_OPTIONS = [("District (the whole area)", "district"), ("Council estate (the council's own operations)", "council estate")]
LAST_TARGET_YEAR = 2100

ESTATE_EXAMPLE_NOTE = (
    "Council estate: example figures. The buildings, fleet, activity data and emission factors shown are fictional examples, "
    "not Sevenoaks District Council's own; load the council's activity data (template: data/climate/council_estate_template.xlsx) "
    "and the year's official UK Government conversion factors."
)
INTERVENTIONS_EXAMPLE_NOTE = "The interventions are example figures for illustration (each name starts 'Example:'); load the council's own plan to replace them."


def _kt(value: float, unit: str) -> str:
    return f"{format_number(value, 1 if abs(value) >= 10 else 2)} {unit}"


def _screen(table: pd.DataFrame, decimals: int = 1) -> pd.DataFrame:
    """Format a table's numbers for the screen (blank where not applicable)."""
    out = table.copy()
    for col in out.columns:
        if col == "year" or col.endswith("_year") or col.endswith("years"):
            out[col] = out[col].map(lambda v: "" if pd.isna(v) else str(int(v)))
        elif col == "cost" or col.startswith("cost_per"):
            out[col] = out[col].map(lambda v: "" if pd.isna(v) else format_money(v, 2 if abs(v) < 100 else 0))
        elif pd.api.types.is_float_dtype(out[col]):
            out[col] = out[col].map(lambda v: "" if pd.isna(v) else format_number(v, decimals))
    out.columns = [str(c).replace("_", " ").capitalize().replace("kt", "(kt)").replace(" tco2e", " (tCO2e)").replace("Pct", "%") for c in out.columns]
    return out


# --------------------------------------------------------------------------- charts


def pathway_figure(s: cl.Scenario) -> str:
    """Actual emissions, the chosen pathway, the trend and the UK milestones, as an accessible figure."""
    unit = s.series.unit
    t = s.table
    fig, ax = charts.new_figure(8.5, 4.8)
    act = t.dropna(subset=["actual_kt"])
    ax.plot(act["year"], act["actual_kt"], color=charts.PALETTE[0], linewidth=2.5, label="Actual")
    last = s.summary["last_actual_year"]
    path = pd.concat([pd.DataFrame({"year": [last], "pathway_kt": [s.summary["last_actual_kt"]]}), t.dropna(subset=["pathway_kt"])[["year", "pathway_kt"]]])
    ax.plot(path["year"], path["pathway_kt"], color=charts.PALETTE[2], linewidth=2.5, linestyle="--", label=f"Pathway: {cl.PATHWAY_LABELS[s.summary['pathway']].lower()}")
    trend = t.dropna(subset=["trend_kt"])
    ax.plot(trend["year"], trend["trend_kt"], color=charts.PALETTE[5], linewidth=2, linestyle=":", label="Current trend")
    m = s.milestones
    if s.scope == "district":
        ax.scatter(m["year"], m["local_equivalent_kt"], marker="D", color=charts.PALETTE[7], zorder=5, label="UK targets, rebased (see note)")
        for _, row in m.iterrows():
            ax.annotate(f"{row['pct_below_base']:g}%", (row["year"], row["local_equivalent_kt"]), textcoords="offset points", xytext=(6, 4), fontsize=8)
    ax.axvline(s.summary["target_year"], color="#767676", linewidth=1)
    ax.set_ylim(bottom=min(0, float(np.nanmin(t[["actual_kt", "pathway_kt", "trend_kt"]].to_numpy()))))
    ax.set_ylabel(f"Emissions ({unit})")
    ax.set_xlabel("Calendar year" if s.scope == "district" else "Financial year (shown at the year it starts)")
    title_place = s.authority_name if s.scope == "district" else "Council estate"
    ax.set_title(f"{title_place}: emissions and the pathway to {s.summary['target_year']}", loc="left", fontsize=12)
    ax.legend(frameon=False, fontsize=9, loc="upper right")
    first = int(act["year"].min())
    if s.scope == "district":
        ax.text(0.0, -0.2, f"UK targets are set against 1990; the local data start in {first}, so each percentage is applied to the {first} level.", transform=ax.transAxes, fontsize=8)
    tnz = s.summary["trend_net_zero_year"]
    alt = (
        f"Line chart of {title_place} emissions in {unit}. Actual emissions went from {_kt(act['actual_kt'].iloc[0], unit)} in {first} "
        f"to {_kt(s.summary['last_actual_kt'], unit)} in {last}. The pathway ({cl.PATHWAY_LABELS[s.summary['pathway']].lower()}) reaches "
        f"{_kt(s.summary['pathway_kt_in_target_year'], unit)} in {s.summary['target_year']}. "
        + (f"The current trend reaches zero in {tnz}." if tnz else "The current trend does not reach zero.")
        + (" " + "; ".join(f"{r['label']}: {_kt(r['local_equivalent_kt'], unit)} if applied to the {first} level" for _, r in m.iterrows()) + "." if s.scope == "district" else "")
    )
    caption = s.series.attribution + (f" UK targets rebased: the local series starts in {first}, not 1990." if s.scope == "district" else "")
    data = _screen(t[["year", "actual_kt", "pathway_kt", "trend_kt", "gap_kt"]].rename(columns={"gap_kt": "trend_minus_pathway_kt"}))
    return charts.figure_html(fig, alt=alt, caption=caption, data=data)


def wedge_figure(s: cl.Scenario) -> str:
    """Abatement wedges against the baseline, the residual and the chosen pathway."""
    unit = s.series.unit
    w = s.wedges
    names = [c for c in w.columns if c not in ("year", "baseline_kt", "total_abatement_kt", "residual_kt")]
    fig, ax = charts.new_figure(8.5, 4.8)
    layers = [w["residual_kt"].to_numpy()] + [w[n].to_numpy() for n in names]
    labels = ["Residual emissions"] + names
    colours = ["#BBBBBB"] + [charts.colour(i) for i in range(len(names))]
    polys = ax.stackplot(w["year"], *layers, labels=labels, colors=colours, edgecolor="white", linewidth=0.5)
    for i, poly in enumerate(polys[1:]):
        poly.set_hatch(charts.HATCHES[(i + 1) % len(charts.HATCHES)])
    path = s.table.dropna(subset=["pathway_kt"])
    ax.plot(path["year"], path["pathway_kt"], color="#000000", linestyle="--", linewidth=2, label="Chosen pathway")
    ax.set_ylabel(f"Emissions ({unit})")
    ax.set_title(f"Planned actions against a baseline held at the {s.summary['last_actual_year']} level", loc="left", fontsize=12)
    ax.legend(frameon=False, fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    plan = s.plan or {}
    target = s.summary["target_year"]
    verdict = "meets the pathway" if plan.get("meets_target") else f"is {_kt(plan.get('shortfall_kt', 0.0), unit)} above the pathway"
    totals = {n: w[n].iloc[-1] for n in names}
    alt = (
        f"Stacked area chart: the baseline of {_kt(s.summary['last_actual_kt'], unit)} a year split into residual emissions and the saving of each of "
        f"{len(names)} planned actions, from {int(w['year'].min())} to {target}, with the chosen pathway as a dashed line. "
        f"In {target} the actions save {_kt(w['total_abatement_kt'].iloc[-1], unit)}, leaving {_kt(w['residual_kt'].iloc[-1], unit)}, which {verdict}. "
        + "Savings in the target year: "
        + charts.describe_values(list(totals), [_kt(v, unit) for v in totals.values()])
        + "."
    )
    data = _screen(w.drop(columns=names), 2)
    return charts.figure_html(fig, alt=alt, caption=f"{INTERVENTIONS_EXAMPLE_NOTE} Baseline: {s.series.attribution}", data=data)


def macc_figure(s: cl.Scenario) -> str:
    """The marginal abatement cost curve: bar width = annual saving, height = cost per tonne."""
    m = s.macc
    fig, ax = charts.new_figure(8.5, 4.5)
    for i, row in m.iterrows():
        ax.bar(row["cumulative_start_tco2e"], row["cost_per_tco2e"], width=row["annual_abatement_tco2e"], align="edge", color=charts.colour(i), hatch=charts.HATCHES[i % len(charts.HATCHES)], edgecolor="white", label=row["intervention"])
    ax.set_xlabel("Cumulative annual abatement at full delivery (tCO2e a year)")
    ax.set_ylabel("Cost per tonne saved over the lifetime (£/tCO2e)")
    ax.xaxis.set_major_formatter(lambda v, _: format_number(v))
    ax.yaxis.set_major_formatter(lambda v, _: format_money(v))
    ax.set_title("Marginal abatement cost curve: cheapest tonnes first", loc="left", fontsize=12)
    ax.legend(frameon=False, fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    alt = "Marginal abatement cost curve, bars from cheapest to dearest per tonne. " + cl.macc_sentence(m) + " " + charts.describe_values(m["intervention"], [format_money(v, 2) for v in m["cost_per_tco2e"]]) + "."
    data = _screen(m.drop(columns=["cumulative_start_tco2e"]), 1)
    return charts.figure_html(fig, alt=alt, caption=f"{INTERVENTIONS_EXAMPLE_NOTE} Cost per tonne = cost ÷ (annual saving × lifetime), not discounted.", data=data)


def peer_figure(s: cl.Scenario) -> str:
    """Emissions per person by sector (stacked) and per km², for the authority and its peers."""
    peers = s.peers
    totals = cl.peer_totals(peers)
    order = totals["authority_code"].tolist()
    names = totals.set_index("authority_code")["authority_name"].str.replace(r"(?<!and) (District|Borough|City) Council$| Council$", "", regex=True)
    groups = totals.set_index("authority_code")["group"]
    ylabels = [f"{names[c]} ({'selected' if groups[c] == 'Selected' else 'similar' if groups[c] == 'Similar' else 'Kent'})" for c in order]
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10.0, max(4.0, 0.32 * len(order) + 1.6)), dpi=100, sharey=True, gridspec_kw={"width_ratios": [3, 2]})
    for ax in (ax1, ax2):
        ax.spines[["top", "right"]].set_visible(False)
    pivot = peers.pivot_table(index="authority_code", columns="sector", values="per_person_t", aggfunc="sum").reindex(index=order, columns=s.sectors).fillna(0.0)
    left = np.zeros(len(order))
    y = np.arange(len(order))
    for i, sector in enumerate(pivot.columns):
        ax1.barh(y, pivot[sector].to_numpy(), left=left, color=charts.colour(i), hatch=charts.HATCHES[i % len(charts.HATCHES)], edgecolor="white", label=sector)
        left += pivot[sector].to_numpy()
    ax1.set_yticks(y, ylabels, fontsize=9)
    ax1.invert_yaxis()
    ax1.set_xlabel(f"Tonnes per person ({s.series.unit.split()[-1]})")
    ax1.legend(frameon=False, fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.1), ncol=4)
    per_km2 = totals.set_index("authority_code")["per_km2_t"].reindex(order)
    ax2.barh(y, per_km2.to_numpy(), color=[charts.PALETTE[0] if groups[c] == "Selected" else "#999999" for c in order])
    ax2.set_xlabel("Tonnes per km²")
    ax2.xaxis.set_major_formatter(lambda v, _: format_number(v))
    year = int(s.series.emissions["year"].max())
    fig.suptitle(f"Emissions per person by sector and per km², {year}: similar authorities and Kent districts", x=0.01, ha="left", fontsize=12)
    me = totals[totals["group"] == "Selected"].iloc[0]
    rank = int((totals["per_person_t"] < me["per_person_t"]).sum()) + 1
    alt = (
        f"Two bar charts for {year}: emissions per person split by sector, and emissions per square kilometre, for {names[me['authority_code']]} "
        f"({format_number(me['per_person_t'], 1)} t per person, {format_number(me['per_km2_t'])} t per km²), {int((totals['group'] == 'Similar').sum())} similar authorities "
        f"and the other Kent districts. It is number {rank} of {len(totals)} from lowest per person. Per person: "
        + charts.describe_values([names[c] for c in order], [format_number(v, 1) + " t" for v in totals["per_person_t"]], limit=20)
        + "."
    )
    data = _screen(totals.rename(columns={"per_person_t": "tonnes_per_person", "per_km2_t": "tonnes_per_km2"}), 2)
    caption = s.series.attribution + " Similar authorities: nearest on mySociety's emissions-profile inputs (county councils and combined authorities left out)."
    return charts.figure_html(fig, alt=alt, caption=caption, data=data)


# --------------------------------------------------------------------------- the app


class ClimateApp:
    """The widget tree and its handlers; ``root`` is what the notebook displays."""

    def __init__(self, params: Mapping[str, Any], problems: list[str] | None = None) -> None:
        self.params = {**cl.DEFAULT_PARAMETERS, **dict(params)}
        self.banner = ui.ErrorBanner()
        self._updating = False
        self.scenario: cl.Scenario | None = None
        self._figure_cache: dict[Any, str] = {}

        # data
        self.district, self.district_input = self._default_district()
        self.similarity = em.read_similarity()
        self.estate_input: Any = resolve_path(self.params["estate_path"])
        self.factors_input: Any = resolve_path(self.params["factors_path"])
        self.estate_is_example = "example" in str(self.params["estate_path"]).lower()
        self.estate_series: em.EmissionsData | None = None
        self.plan_input: Any = resolve_path(self.params["interventions_path"]) if self.params["interventions_path"] else None
        self.plan = cl.load_interventions(self.plan_input) if self.plan_input else None
        self.plan_is_example = "example" in str(self.params["interventions_path"]).lower()

        # controls
        p = self.params
        self.scope = ui.dropdown("Scope", SCOPE_OPTIONS, p["scope"] if p["scope"] in cl.SCOPES else "district")
        self.scope.add_class("sv-scope")
        self.authority = ui.dropdown("Authority", self._authority_options(), None)
        self.authority.add_class("sv-authority")
        self.pathway = ui.dropdown("Pathway", [(cl.PATHWAY_LABELS[m], m) for m in cl.PATHWAY_METHODS], p["pathway"] if p["pathway"] in cl.PATHWAY_METHODS else "linear")
        self.pathway.add_class("sv-pathway")
        self.target_year = ui.dropdown("Target year", [(str(y), y) for y in range(2021, LAST_TARGET_YEAR + 1)], 2050)
        self.target_year.add_class("sv-target-year")
        self.reduction = ui.slider("Annual reduction (%)", float(min(max(p["annual_reduction_pct"], 0.0), 100.0)), 0.0, 100.0, 0.5, readout_format=".1f")
        self.reduction.add_class("sv-reduction")
        self.budget = ui.number_input("Carbon budget (kt) from the year after the last actual year", float(p["carbon_budget_kt"] or 0.0), minimum=0.0, step=100.0)
        self.budget.add_class("sv-budget")
        self.budget_source = ui.text_input("Source of the carbon budget", str(p.get("carbon_budget_source") or ""), placeholder="e.g. Tyndall Centre carbon budget report for the district")
        self.budget_source.continuous_update = False  # redraw when the officer leaves the box, not on every key
        self.budget_source.add_class("sv-budget-source")
        self.trend_start = ui.dropdown("Trend from year", [(str(y), y) for y in range(2005, 2030)], None)
        self.trend_start.add_class("sv-trend-start")
        self.sector_box = widgets.VBox()
        self.sector_box.add_class("sv-sectors")
        self.plan_box = widgets.VBox()
        self.plan_box.add_class("sv-interventions")
        self.upload_emissions = ui.upload("Load a DESNZ emissions file (CSV)", ".csv")
        self.upload_emissions.add_class("sv-upload-emissions")
        self.upload_estate = ui.upload("Load council estate data", ".csv,.xlsx")
        self.upload_estate.add_class("sv-upload-estate")
        self.upload_plan = ui.upload("Load interventions", ".csv,.xlsx")
        self.upload_plan.add_class("sv-upload-interventions")
        self.reset = ui.button("Use the shipped data and examples again", style="")
        self.reset.add_class("sv-reset")

        # results
        self.series_note = widgets.HTML()
        self.series_note.add_class("sv-series")
        self.summary = widgets.HTML()
        self.summary.add_class("sv-summary")
        self.pathway_chart = widgets.HTML()
        self.pathway_chart.add_class("sv-pathway-chart")
        self.wedge_chart = widgets.HTML()
        self.wedge_chart.add_class("sv-wedge-chart")
        self.macc_chart = widgets.HTML()
        self.macc_chart.add_class("sv-macc-chart")
        self.peer_chart = widgets.HTML()
        self.peer_chart.add_class("sv-peer-chart")
        self.downloads = widgets.HTML()
        self.downloads.add_class("sv-downloads-area")

        # initial values (before observers)
        self._set_initial(p)
        guard = ui.guarded(self.banner)
        for w in (self.authority, self.pathway, self.target_year, self.reduction, self.budget, self.trend_start):
            w.observe(guard(self.refresh), names="value")
        self.budget_source.observe(guard(self.refresh), names="value")
        self.scope.observe(guard(self.on_scope), names="value")
        self.upload_emissions.observe(guard(self.on_upload_emissions), names="value")
        self.upload_estate.observe(guard(self.on_upload_estate), names="value")
        self.upload_plan.observe(guard(self.on_upload_plan), names="value")
        self.reset.on_click(guard(self.on_reset))

        settings = ui.section(
            "Choose",
            self.scope,
            self.authority,
            self.pathway,
            self.target_year,
            self.reduction,
            widgets.HBox([self.budget, self.budget_source]),
            self.trend_start,
        )
        toggles = ui.section("Sectors and interventions", ui.heading("Sectors included", 3), self.sector_box, ui.heading("Interventions included", 3), self.plan_box)
        data_section = ui.section("Your own data", ui.paragraph("Files stay in this browser session; nothing is saved on the server."), widgets.HBox([self.upload_emissions, self.upload_estate, self.upload_plan]), self.reset)
        results = ui.section(
            "Results",
            self.summary,
            self.pathway_chart,
            ui.heading("Do the planned actions close the gap?", 3),
            self.wedge_chart,
            ui.heading("What the actions cost per tonne", 3),
            self.macc_chart,
            ui.heading("How the district compares", 3),
            self.peer_chart,
            ui.heading("Download the results", 3),
            self.downloads,
        )
        self.root = widgets.VBox([self.banner, self.series_note, settings, toggles, results, data_section])
        self.root.add_class("sv-app")
        self.root.add_class("sv-climate")

        ok = ui.run_guarded(self.banner, self._first_run)
        if problems:
            messages = list(problems) + ([self.banner.message] if ok is None and self.banner.message else [])
            if ok is None:
                self.banner.show_error("\n".join(messages))
            else:
                self.banner.show_warnings(messages)

    # ----------------------------------------------------------------- data

    def _default_district(self) -> tuple[em.EmissionsData, Any]:
        path = resolve_path(self.params["emissions_path"])
        try:
            return em.load_emissions(path), path
        except InputError:
            if path == resolve_path(cl.DEFAULT_PARAMETERS["emissions_path"]):
                raise
            self._startup_problem = True
            return em.load_emissions(), em.DEFAULT_EMISSIONS_PATH

    def _authority_options(self) -> list[tuple[str, str]]:
        names = self.district.authorities
        return [(f"{name} ({code})", code) for code, name in names.items()]

    def _set_initial(self, p: Mapping[str, Any]) -> None:
        self._updating = True
        try:
            try:
                self.authority.value = em.resolve_authority_code(self.district, str(p["authority_code"]))
            except InputError:
                self.authority.value = "SEV" if "SEV" in self.district.authorities.index else self.authority.options[0][1]
                self._pending_error = f"The authority code '{p['authority_code']}' is not in the emissions data; Sevenoaks is shown instead."
            trend = int(p["trend_start_year"])
            self.trend_start.value = trend if trend in [v for _, v in self.trend_start.options] else int(parameter_value("climate.trend_start_year"))
            try:
                self._rebuild_toggles()
            except InputError as exc:
                self.scope.value = "district"
                self._pending_error = f"{exc} The district is shown instead."
                self._rebuild_toggles()
            wanted = int(p["target_year"])
            years = [v for _, v in self.target_year.options]
            if wanted in years:
                self.target_year.value = wanted
            else:
                self._pending_error = f"The target year, {wanted}, is not after the last year of actual data, {years[0] - 1}; {self.target_year.value} is used instead." if wanted < years[0] else f"The target year, {wanted}, is too far ahead; {self.target_year.value} is used instead."
        finally:
            self._updating = False

    def _series(self) -> em.EmissionsData:
        if self.scope.value == "council estate":
            if self.estate_series is None:
                if isinstance(self.estate_input, tuple):
                    name, content = self.estate_input
                    estate, factors = em.load_estate_workbook(content, filename=name)
                else:
                    estate, factors = em.load_estate_workbook(self.estate_input)
                if factors is None:
                    factors = em.load_emission_factors(self.factors_input)
                self.estate_series = em.estate_emissions(estate, factors)
            return self.estate_series
        return self.district

    def _rebuild_toggles(self, *, scope_changed: bool = False) -> None:
        series = self._series()
        guard = ui.guarded(self.banner)
        boxes = []
        for sector in series.sectors:
            box = ui.checkbox(sector, True)
            box.add_class("sv-sector")
            box.observe(guard(self.refresh), names="value")
            boxes.append(box)
        self.sector_boxes = boxes
        self.sector_box.children = boxes
        plan_boxes = []
        if self.plan is not None:
            for name in self.plan.loc[self.plan["scope"] == self.scope.value, "intervention"]:
                box = ui.checkbox(name, True)
                box.add_class("sv-intervention")
                box.observe(guard(self.refresh), names="value")
                plan_boxes.append(box)
        self.plan_boxes = plan_boxes
        self.plan_box.children = plan_boxes or [ui.paragraph("No interventions are loaded for this scope.")]
        last = max(series.years)
        years = list(range(last + 1, LAST_TARGET_YEAR + 1))
        current = self.target_year.value
        default = int(parameter_value("climate.council_net_zero_year")) if self.scope.value == "council estate" else int(parameter_value("climate.uk_net_zero_year"))
        self.target_year.options = [(str(y), y) for y in years]
        keep = current in years and not scope_changed
        self.target_year.value = current if keep else (default if default in years else years[0])
        trend_years = [y for y in series.years if y < last]
        trend_now = self.trend_start.value
        self.trend_start.options = [(str(y), y) for y in trend_years]
        self.trend_start.value = trend_now if trend_now in trend_years else (int(parameter_value("climate.trend_start_year")) if int(parameter_value("climate.trend_start_year")) in trend_years else trend_years[0])
        self.authority.disabled = self.scope.value == "council estate"

    def _first_run(self) -> bool:
        self.refresh()
        if getattr(self, "_pending_error", None):
            self.banner.show_error(self._pending_error)
            self._pending_error = None
        if getattr(self, "_startup_problem", False):
            self.banner.show_error(f"The emissions file {self.params['emissions_path']} could not be used, so the shipped data are shown.")
        return True

    # ----------------------------------------------------------------- compute and show

    def settings(self) -> dict[str, Any]:
        """The current choices, as notebook parameters (for provenance and links)."""
        return {
            "authority_code": self.authority.value,
            "scope": self.scope.value,
            "pathway": self.pathway.value,
            "target_year": int(self.target_year.value),
            "annual_reduction_pct": float(self.reduction.value),
            "carbon_budget_kt": float(self.budget.value or 0.0),
            "carbon_budget_source": self.budget_source.value.strip(),
            "trend_start_year": int(self.trend_start.value),
            "sectors": [b.description for b in self.sector_boxes if b.value],
            "interventions": [b.description for b in self.plan_boxes if b.value],
        }

    def compute(self) -> cl.Scenario:
        s = self.settings()
        plan = None
        if self.plan is not None:
            plan = self.plan[(self.plan["scope"] == s["scope"]) & self.plan["intervention"].isin(s["interventions"])]
        return cl.compute_scenario(
            self._series(),
            authority_code=s["authority_code"],
            scope=s["scope"],
            pathway=s["pathway"],
            target_year=s["target_year"],
            annual_reduction_pct=s["annual_reduction_pct"],
            carbon_budget_kt=s["carbon_budget_kt"] if (s["carbon_budget_kt"] > 0 or s["pathway"] == "budget") else None,
            carbon_budget_source=s["carbon_budget_source"],
            trend_start_year=s["trend_start_year"],
            sectors=s["sectors"],
            interventions=plan,
            similarity=self.similarity,
            peer_count=int(parameter_value("climate.similar_authority_count")),
        )

    def refresh(self, *_: Any) -> None:
        """Recompute and redraw; on an InputError nothing but the banner changes."""
        if self._updating:
            return
        self.reduction.layout.display = None if self.pathway.value == "constant_rate" else "none"
        scenario = self.compute()
        views = self._render(scenario)
        self.scenario = scenario
        (self.series_note.value, self.summary.value, self.pathway_chart.value, self.wedge_chart.value, self.macc_chart.value, self.peer_chart.value, self.downloads.value) = views
        warnings = [f.message for f in scenario.findings if not f.is_error]
        self.banner.show_warnings(warnings)

    def _render(self, s: cl.Scenario) -> tuple[str, ...]:
        series = s.series
        notes = [f"<p><strong>You are looking at:</strong> {html.escape(series.series_name)}.</p>"]
        notes.append("<ul>" + "".join(f"<li>{html.escape(c)}</li>" for c in series.caveats) + "</ul>")
        if s.scope == "council estate" and self.estate_is_example:
            notes.append(f'<p class="sv-example-note"><strong>{html.escape(ESTATE_EXAMPLE_NOTE)}</strong></p>')
        if self.plan is not None and self.plan_is_example:
            notes.append(f'<p class="sv-example-note">{html.escape(INTERVENTIONS_EXAMPLE_NOTE)}</p>')
        summary = "<ul>" + "".join(f"<li>{html.escape(line)}</li>" for line in s.sentences) + "</ul>"
        if s.carbon_budget_source:
            summary += f"<p>Carbon budget source: {html.escape(s.carbon_budget_source)}</p>"
        pathway_html = pathway_figure(s)
        if len(s.interventions):
            wedge_html = wedge_figure(s)
            key = ("macc", tuple(s.interventions["intervention"]), id(self.plan))
            macc_html = self._figure_cache.get(key) or self._figure_cache.setdefault(key, macc_figure(s))
        else:
            wedge_html = macc_html = ui.paragraph("No interventions are included: tick some under 'Interventions included' or load a plan.").value
        if s.peers is not None:
            key = ("peers", s.authority_code, tuple(s.sectors), id(series))
            peer_html = self._figure_cache.get(key) or self._figure_cache.setdefault(key, peer_figure(s))
        else:
            peer_html = ui.paragraph("The comparison with similar places is for the district scope: choose 'District' to see it.").value
        return "".join(notes), summary, pathway_html, wedge_html, macc_html, peer_html, self._downloads_html(s)

    def _downloads_html(self, s: cl.Scenario) -> str:
        inputs: dict[str, Any] = {}
        if s.scope == "district":
            inputs["emissions"] = self.district_input[1] if isinstance(self.district_input, tuple) else self.district_input
        else:
            inputs["council_estate"] = self.estate_input[1] if isinstance(self.estate_input, tuple) else self.estate_input
            inputs["emission_factors"] = self.factors_input
        if self.plan_input is not None:
            inputs["interventions"] = self.plan_input[1] if isinstance(self.plan_input, tuple) else self.plan_input
        record = provenance_record(self.settings(), inputs, notebook=NOTEBOOK)
        tables = cl.scenario_tables(s)
        summary_json = exports.json_text({**cl.summary_output(s.summary), "provenance": record})
        files = [
            (exports.excel_bytes(tables, record), "climate_targets.xlsx", "All tables with their provenance (Excel)", ui.XLSX_MIME),
            (exports.csv_bytes(tables["pathway"]), "pathway.csv", "Pathway (CSV)", ui.CSV_MIME),
            (exports.csv_bytes(tables["summary"]), "summary.csv", "Summary (CSV)", ui.CSV_MIME),
            (summary_json.encode("utf-8"), "summary.json", "Summary with provenance (JSON)", ui.JSON_MIME),
            (exports.json_text(record).encode("utf-8"), "provenance.json", "Provenance record (JSON)", ui.JSON_MIME),
        ]
        return ui.downloads_html(files)

    # ----------------------------------------------------------------- events

    def on_scope(self, change: Any = None) -> None:
        previous = self.sector_box.children, self.plan_box.children
        try:
            self._updating = True
            self._rebuild_toggles(scope_changed=isinstance(change, dict) and change.get("name") == "value")
        except InputError:
            self.sector_box.children, self.plan_box.children = previous
            raise
        finally:
            self._updating = False
        self.refresh()

    def on_upload_emissions(self, *_: Any) -> None:
        got = ui.uploaded_file(self.upload_emissions)
        if got is None:
            return
        name, content = got
        series = em.load_emissions(content, filename=name)
        code = em.resolve_authority_code(series, self.authority.value)  # the same place must be in the new file
        old = self.district, self.district_input
        self.district, self.district_input = series, (name, content)
        self._figure_cache.clear()
        try:
            self._updating = True
            self.authority.options = self._authority_options()
            self.authority.value = code
            if self.scope.value == "district":
                self._rebuild_toggles()
            self._updating = False
            self.refresh()
        except InputError:
            self.district, self.district_input = old
            self.authority.options = self._authority_options()
            self._rebuild_toggles()
            raise
        finally:
            self._updating = False

    def on_upload_estate(self, *_: Any) -> None:
        got = ui.uploaded_file(self.upload_estate)
        if got is None:
            return
        name, content = got
        estate, factors = em.load_estate_workbook(content, filename=name)
        series = em.estate_emissions(estate, factors if factors is not None else em.load_emission_factors(self.factors_input))
        self.estate_input, self.estate_series, self.estate_is_example = (name, content), series, "example" in name.lower()
        if self.scope.value == "council estate":
            self.on_scope()
        else:
            self.scope.value = "council estate"

    def on_upload_plan(self, *_: Any) -> None:
        got = ui.uploaded_file(self.upload_plan)
        if got is None:
            return
        name, content = got
        plan = cl.load_interventions(content, filename=name)
        self.plan, self.plan_input, self.plan_is_example = plan, (name, content), "example" in name.lower()
        self._figure_cache.clear()
        self.on_scope()

    def on_reset(self, *_: Any) -> None:
        self.district, self.district_input = em.load_emissions(), em.DEFAULT_EMISSIONS_PATH
        self.estate_input, self.factors_input, self.estate_series, self.estate_is_example = em.EXAMPLE_ESTATE_PATH, em.EXAMPLE_FACTORS_PATH, None, True
        self.plan_input = resolve_path(cl.DEFAULT_PARAMETERS["interventions_path"])
        self.plan, self.plan_is_example = cl.load_interventions(self.plan_input), True
        self._figure_cache.clear()
        self._updating = True
        try:
            self.authority.options = self._authority_options()
            self.authority.value = "SEV"
        finally:
            self._updating = False
        self.on_scope()


def build_app(params: Mapping[str, Any] | None = None, problems: list[str] | None = None) -> widgets.VBox:
    """Build the climate targets app from the notebook's parameters; returns its root widget (class ``sv-app``)."""
    app = ClimateApp(params or {}, problems)
    app.root._sv_app = app  # keep the controller alive with its widgets
    return app.root
