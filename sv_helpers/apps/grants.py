"""The community grant allocation app: load a round (or the example), set the budget and rules,
compare scenarios, see tables, charts and the ward map, download the allocations and 360Giving files.

Interface layer: widgets and charts around :mod:`sv_helpers.grants`.
"""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

import ipywidgets as widgets
import pandas as pd

from sv_helpers import charts, deprivation, exports, grants, maps, ui
from sv_helpers import threesixtygiving as tsg
from sv_helpers.errors import InputError
from sv_helpers.formatting import format_money, format_number, format_pct
from sv_helpers.parameters import parameter_value
from sv_helpers.paths import data_path, resolve_path
from sv_helpers.provenance import provenance_record

EXAMPLE_NOTE = (
    "You are looking at the example round: 48 fictional applications (every organisation's name ends '(example)'). "
    "Wards and deprivation deciles are real; the applications are not. Upload the council's own file to replace them."
)
FACTS_NOTE = (
    "For scale: in 2012/13 the Community Grant Scheme had £153,331, of which £98,540 went to Citizens Advice under a "
    "service-level agreement, leaving about £54,790; 38 applications asked for £105,672 (Sevenoaks District Council Cabinet minutes)."
)
SCREEN_COLUMNS = {
    "application_id": "Application id",
    "organisation": "Organisation",
    "theme": "Theme",
    "ward": "Ward",
    "imd_decile": "IMD decile",
    "score": "Score",
    "weighted_score": "Weighted score",
    "amount_requested": "Amount requested",
    "awarded": "Awarded",
}


# --------------------------------------------------------------------------- screen tables and charts


def _scroll(inner: str, label: str) -> str:
    return f'<div class="sv-scroll" role="region" tabindex="0" aria-label="{html.escape(label, quote=True)}" style="max-height:28em;overflow:auto">{inner}</div>'


def allocation_screen_table(allocation: pd.DataFrame) -> pd.DataFrame:
    """Return an allocation formatted for the screen (money with £, funded applications first)."""
    table = allocation.sort_values(["awarded", "weighted_score", "application_id"], ascending=[False, False, True])
    table = table[[c for c in SCREEN_COLUMNS if c in table.columns]].copy()
    for col in ("amount_requested", "awarded"):
        table[col] = table[col].map(format_money)
    for col in ("score", "weighted_score"):
        table[col] = table[col].map(lambda v: format_number(v, 1))
    return table.rename(columns=SCREEN_COLUMNS)


def summary_screen_table(summary: pd.DataFrame) -> pd.DataFrame:
    """Return the scenario comparison, one column per scenario, figures formatted."""
    rows = [
        ("Method", lambda s: grants.METHOD_LABELS[s["method"]]),
        ("Budget", lambda s: format_money(s["budget"])),
        ("Committed items", lambda s: format_money(s["committed"])),
        ("Available to allocate", lambda s: format_money(s["available"])),
        ("Total awarded", lambda s: format_money(s["total_awarded"])),
        ("Number funded", lambda s: f"{s['number_funded']} of {s['number_of_applications']}"),
        ("Unfunded demand", lambda s: format_money(s["unfunded_demand"])),
        (f"Share to the most deprived areas (IMD deciles 1 to {most_deprived_decile()})", lambda s: format_pct(s["most_deprived_share"])),
        ("Wards reached", lambda s: str(s["wards_reached"])),
    ]
    data = {"Figure": [r[0] for r in rows]}
    for _, s in summary.iterrows():
        data[str(s["scenario"])] = [fn(s) for _, fn in rows]
    return pd.DataFrame(data)


def most_deprived_decile() -> int:
    return int(parameter_value("grants.most_deprived_decile"))


def differences_screen_table(differences: pd.DataFrame) -> pd.DataFrame:
    out = differences.copy()
    for col in out.columns[3:]:
        out[col] = out[col].map(format_money)
    return out.rename(columns={"application_id": "Application id", "organisation": "Organisation", "ward": "Ward", "amount_requested": "Amount requested"})


def theme_chart(allocation: pd.DataFrame, name: str) -> str:
    table = grants.funding_by(allocation, "theme").sort_values("awarded", ascending=False)
    fig = charts.bar_chart(table["theme"].tolist(), table["awarded"].tolist(), title=f"Funding by theme: {name}", xlabel="Awarded (£)", value_format=format_money)
    alt = "Bar chart of the amount awarded by theme. " + charts.describe_values(table["theme"], [format_money(v) for v in table["awarded"]]) + "."
    data = pd.DataFrame({"Theme": table["theme"], "Awarded": table["awarded"].map(format_money), "Number funded": table["number_funded"], "Amount requested": table["amount_requested"].map(format_money)})
    return charts.figure_html(fig, alt=alt, caption="Example applications (fictional).", data=data)


def decile_chart(allocation: pd.DataFrame, name: str) -> str:
    table = grants.funding_by_decile(allocation)
    labels = [f"Decile {d}" + (" (most deprived)" if d == 1 else " (least deprived)" if d == 10 else "") for d in table["imd_decile"]]
    fig = charts.bar_chart(labels, table["awarded"].tolist(), title=f"Funding by IMD decile of the area: {name}", xlabel="Awarded (£)", value_format=format_money, colours=[charts.PALETTE[5]] * len(labels))
    funded = table[table["awarded"] > 0]
    alt = (
        "Bar chart of the amount awarded by the IMD 2019 decile of each application's area (1 = most deprived 10% in England). "
        + (charts.describe_values([f"decile {d}" for d in funded["imd_decile"]], [format_money(v) for v in funded["awarded"]]) if len(funded) else "Nothing is awarded.")
        + ". Other deciles receive nothing."
    )
    data = pd.DataFrame({"IMD decile": table["imd_decile"], "Awarded": table["awarded"].map(format_money), "Number funded": table["number_funded"], "Applications": table["applications"]})
    return charts.figure_html(fig, alt=alt, caption=deprivation.ATTRIBUTION, data=data)


def ward_map_html(allocation: pd.DataFrame, name: str) -> str:
    table = grants.funding_by_ward(allocation)
    values = table.set_index("ward")["awarded"]
    fig = maps.ward_map(values, title=f"Funding by ward: {name}", legend_label="Awarded (£)")
    top = table[table["awarded"] > 0].sort_values("awarded", ascending=False)
    none = int((table["awarded"] == 0).sum())
    alt = (
        f"Map of the 26 wards of Sevenoaks District (2013 boundaries) shaded by the amount awarded; {none} wards receive nothing and are hatched grey. "
        + ("Largest: " + charts.describe_values(top["ward"], [format_money(v) for v in top["awarded"]], limit=5) + "." if len(top) else "")
    )
    data = pd.DataFrame({"Ward": table["ward"], "Ward IMD decile": table["imd_decile"], "Awarded": table["awarded"].map(format_money), "Number funded": table["number_funded"], "Applications": table["applications"]})
    return charts.figure_html(fig, alt=alt, caption=maps.ATTRIBUTION + " " + deprivation.METHOD, data=data)


# --------------------------------------------------------------------------- the app


class GrantApp:
    """The widget tree and its state (the applications loaded, the scenarios added)."""

    def __init__(self, applications_path: str | Path, scenario: grants.Scenario, *, award_date: str, notices: list[str] | None = None) -> None:
        self.award_date = award_date
        self.saved: list[grants.Scenario] = []
        self.applications: pd.DataFrame | None = None
        self.source: Path | bytes | None = None
        self.source_name = ""
        self.is_example = False

        self.banner = ui.ErrorBanner()
        self.data_note = widgets.HTML()
        self.data_note.add_class("sv-data-note")
        self.upload = ui.upload("Upload applications (CSV or Excel)")
        self.upload.add_class("sv-upload")
        self.use_example = ui.button("Use the example round", style="")
        self.use_example.add_class("sv-use-example")
        template = data_path("grants", "applications_template.xlsx")
        # A white backing: the template's page shell is #eee, on which its link blue falls just short of 4.5:1.
        self.template_link = widgets.HTML(
            '<div style="background:#fff">' + ui.downloads_html([(template.read_bytes(), template.name, "Download the blank applications template (Excel)", ui.XLSX_MIME)]) + "</div>"
        )

        committed_name, committed_amount = next(iter(scenario.committed.items()), ("", 0.0))
        self.budget = ui.number_input("Budget (£)", scenario.budget, minimum=0, step=1000)
        self.budget.add_class("sv-budget")
        self.committed_name = ui.text_input("Committed item", committed_name, placeholder="e.g. Citizens Advice service-level agreement")
        self.committed_amount = ui.number_input("Committed amount (£)", committed_amount, minimum=0, step=1000)
        self.committed_amount.add_class("sv-committed")
        self.method = ui.dropdown("Method", [(grants.METHOD_LABELS[m], m) for m in grants.METHODS], scenario.method)
        self.method.add_class("sv-method")
        self.max_award = ui.number_input("Maximum award (£, 0 for no cap)", scenario.max_award or 0.0, minimum=0, step=500)
        self.max_award.add_class("sv-max-award")
        self.min_score = ui.slider("Minimum score", scenario.min_score, 0, 100, 1)
        self.min_score.add_class("sv-min-score")
        self.equity = ui.slider("Equity weight for the most deprived decile", scenario.equity_weight, 1.0, 2.0, 0.05, readout_format=".2f")
        self.equity.add_class("sv-equity")
        self.decile_factors = ui.text_input(
            "Or a factor for each IMD decile", "; ".join(f"{k}: {v:g}" for k, v in scenario.decile_factors.items()), placeholder="e.g. 1: 1.5; 2: 1.4; 3: 1.3 (other deciles 1)"
        )
        self.decile_factors.add_class("sv-decile-factors")
        self.partial = ui.checkbox("Optimal: allow partial awards down to the minimum award", scenario.partial)
        self.ward_cap = ui.number_input("Optimal: maximum per ward (£, 0 for none)", scenario.ward_cap or 0.0, minimum=0, step=500)
        self.theme_floors = ui.text_input("Optimal: minimum share per theme", "", placeholder="e.g. Older people: 20%; Environment: 10%")
        self.scenario_name = ui.text_input("Scenario name", "Scenario 1")
        self.scenario_name.add_class("sv-scenario-name")
        self.add_button = ui.button("Add this scenario to the comparison")
        self.add_button.add_class("sv-add-scenario")
        self.clear_button = ui.button("Clear the comparison", style="")

        self.headline = widgets.HTML()
        self.headline.add_class("sv-headline")
        self.allocation_html = widgets.HTML()
        self.allocation_html.add_class("sv-allocation")
        self.charts_html = widgets.HTML()
        self.charts_html.add_class("sv-charts")
        self.comparison_html = widgets.HTML("<p>No scenarios added yet: set the rules above and press “Add this scenario to the comparison”.</p>")
        self.comparison_html.add_class("sv-comparison")
        self.downloads = widgets.HTML()
        self.downloads.add_class("sv-downloads-area")

        for w in (self.budget, self.committed_name, self.committed_amount, self.method, self.max_award, self.min_score, self.equity, self.decile_factors, self.partial, self.ward_cap, self.theme_floors):
            w.observe(ui.guarded(self.banner, clear_on_success=False)(self._on_setting), names="value")
        self.upload.observe(ui.guarded(self.banner)(self._on_upload), names="value")
        self.use_example.on_click(ui.guarded(self.banner)(lambda _: self._load(resolve_path(grants_example()), grants_example().name, example=True)))
        self.add_button.on_click(ui.guarded(self.banner)(self._on_add))
        self.clear_button.on_click(ui.guarded(self.banner)(self._on_clear))

        self.root = widgets.VBox(
            [
                self.banner,
                ui.section(
                    "1. Applications",
                    ui.paragraph(FACTS_NOTE),
                    self.data_note,
                    self.template_link,
                    widgets.HBox([self.upload, self.use_example], layout=widgets.Layout(flex_flow="row wrap", margin="8px 0")),
                ),
                ui.section(
                    "2. Budget and rules",
                    self.budget,
                    widgets.HBox([self.committed_name, self.committed_amount]),
                    self.method,
                    self.max_award,
                    self.min_score,
                    self.equity,
                    self.decile_factors,
                    ui.paragraph(
                        "The equity weight multiplies the score of applications in the most deprived decile (IMD decile 1) by this factor, tapering to 1 for decile 10; "
                        "factors given for each decile replace it. " + deprivation.METHOD
                    ),
                    self.partial,
                    self.ward_cap,
                    self.theme_floors,
                ),
                ui.section("3. This scenario", self.headline, self.charts_html, ui.heading("Applications and awards", 3), self.allocation_html),
                ui.section("4. Compare scenarios", widgets.HBox([self.scenario_name, self.add_button, self.clear_button]), self.comparison_html),
                ui.section("5. Downloads", self.downloads),
            ]
        )
        self.root.add_class("sv-app")
        self.root.add_class("sv-grants")
        try:
            path = resolve_path(applications_path)
            self._load(path, path.name, example=path.resolve() == grants_example().resolve())
        except InputError as err:
            self.banner.show_error(str(err))
        if notices and not self.banner.message:
            self.banner.show_warnings(notices)

    # ------------------------------------------------------------------ reading the controls

    def current_scenario(self) -> grants.Scenario:
        committed = {}
        if self.committed_amount.value:
            committed[self.committed_name.value.strip() or "Committed item"] = float(self.committed_amount.value)
        return grants.Scenario(
            name=self.scenario_name.value.strip() or "This scenario",
            method=self.method.value,
            budget=float(self.budget.value),
            committed=committed,
            max_award=float(self.max_award.value) or None,
            min_score=float(self.min_score.value),
            equity_weight=float(self.equity.value),
            decile_factors=parse_decile_factors(self.decile_factors.value),
            partial=bool(self.partial.value) and self.method.value == "optimal",
            theme_floors=parse_theme_floors(self.theme_floors.value) if self.method.value == "optimal" else {},
            ward_cap=(float(self.ward_cap.value) or None) if self.method.value == "optimal" else None,
        )

    # ------------------------------------------------------------------ events

    def _on_upload(self, _change: Any) -> None:
        got = ui.uploaded_file(self.upload)
        if got is None:
            return
        name, content = got
        self._load(content, name, example=False)

    def _load(self, source: Path | bytes, name: str, *, example: bool) -> None:
        applications = grants.load_applications(source, filename=name) if isinstance(source, bytes) else grants.load_applications(source)
        views = self._views(applications, source, self.current_scenario(), [])  # raises before anything is replaced
        self.applications, self.source, self.source_name, self.is_example, self.saved = applications, source, name, example, []
        self._apply(views)
        note = EXAMPLE_NOTE if example else f"Loaded {html.escape(name)}: {len(applications)} applications asking {format_money(applications['amount_requested'].sum())} in total."
        self.data_note.value = f"<p><strong>{'Example data.' if example else 'Your data.'}</strong> {note}</p>"
        self.banner.clear()

    def _on_setting(self, _change: Any) -> None:
        if self.applications is None:
            return
        views = self._views(self.applications, self.source, self.current_scenario(), self.saved)
        self.banner.clear()
        self._apply(views)

    def _on_add(self, _button: Any) -> None:
        if self.applications is None:
            raise InputError("Load an applications file (or the example round) first.")
        scenario = self.current_scenario()
        if any(s.name == scenario.name for s in self.saved):
            raise InputError(f"A scenario called '{scenario.name}' is already in the comparison; give this one another name.")
        views = self._views(self.applications, self.source, scenario, [*self.saved, scenario])
        self.saved.append(scenario)
        self._apply({k: views[k] for k in ("comparison", "downloads")})
        self.banner.show_info(f"'{scenario.name}' was added to the comparison.", title="Added")
        self.scenario_name.value = f"Scenario {len(self.saved) + 1}"

    def _on_clear(self, _button: Any) -> None:
        views = self._views(self.applications, self.source, self.current_scenario(), [])
        self.saved = []
        self._apply(views)

    # ------------------------------------------------------------------ drawing

    def _views(self, applications: pd.DataFrame, source: Path | bytes, scenario: grants.Scenario, saved: list[grants.Scenario]) -> dict[str, Any]:
        """Compute every result view as HTML; nothing on screen changes here, so an error leaves the last good result."""
        allocation = grants.allocate(applications, scenario)
        summary = grants.summarise_allocation(allocation, scenario)
        name = scenario.name
        committed = "".join(f"<li>{html.escape(k)}: {format_money(v)} (committed, taken off first)</li>" for k, v in scenario.committed.items())
        views: dict[str, Any] = {
            "warnings": [f.message for f in grants.check_settings(scenario) if not f.is_error],
            "headline": (
                f"<p class='sv-headline-text'><strong>{html.escape(grants.headline(summary))}</strong></p>"
                + (f"<ul>{committed}</ul>" if committed else "")
                + f"<p>Scores: {html.escape(score_note(applications))}</p>"
            ),
            "charts": theme_chart(allocation, name) + decile_chart(allocation, name) + ward_map_html(allocation, name),
            "allocation": _scroll(charts.table_html(allocation_screen_table(allocation), caption=f"Awards under '{name}', funded first"), "Applications and awards"),
        }
        scenarios = list(saved)
        if all(s.name != scenario.name for s in scenarios):
            scenarios.append(scenario)
        table, allocations, differences = grants.compare_scenarios(applications, scenarios)
        parts = [charts.table_html(summary_screen_table(table), caption="Scenarios side by side (the last column is the current settings unless already added)")]
        if len(scenarios) > 1:
            if differences.empty:
                parts.append("<p>Every application has the same outcome in all these scenarios.</p>")
            else:
                parts.append(_scroll(charts.table_html(differences_screen_table(differences), caption=f"The {len(differences)} applications whose award differs between scenarios"), "Applications whose outcome differs"))
        views["comparison"] = "".join(parts)
        views["downloads"] = self._downloads(applications, source, scenarios, table, allocations, chosen=scenario)
        return views

    def _apply(self, views: dict[str, Any]) -> None:
        for key, widget in (("headline", self.headline), ("charts", self.charts_html), ("allocation", self.allocation_html), ("comparison", self.comparison_html), ("downloads", self.downloads)):
            if key in views:
                widget.value = views[key]
        if views.get("warnings"):
            self.banner.show_warnings(views["warnings"])

    def _downloads(self, applications: pd.DataFrame, source: Path | bytes, scenarios: list[grants.Scenario], summary: pd.DataFrame, allocations: dict[str, pd.DataFrame], *, chosen: grants.Scenario) -> str:
        inputs = {"applications": source if isinstance(source, bytes) else Path(source)}
        files = []
        for scenario, (_, row) in zip(scenarios, summary.iterrows()):
            record = provenance_record({**scenario.as_parameters(), "award_date": self.award_date}, inputs, notebook="grant_allocation.ipynb (app)")
            stem = _slug(scenario.name)
            allocation = allocations[scenario.name]
            files.append((exports.excel_bytes(grants.allocation_workbook_tables(allocation, row.to_dict()), record), f"allocations-{stem}.xlsx", f"'{scenario.name}': allocation (Excel, with provenance)", ui.XLSX_MIME))
            files.append((exports.csv_bytes(allocation), f"allocations-{stem}.csv", f"'{scenario.name}': allocation (CSV)", ui.CSV_MIME))
            files.append((exports.json_text(record).encode(), f"provenance-{stem}.json", f"'{scenario.name}': provenance record (JSON)", ui.JSON_MIME))
        allocation = allocations[chosen.name]
        note = ""
        if allocation["funded"].any():
            package = tsg.grants_package(allocation, applications, award_date=self.award_date)
            tsg.validate_package(package)
            record = provenance_record({**chosen.as_parameters(), "award_date": self.award_date}, inputs, notebook="grant_allocation.ipynb (app)")
            files.append((exports.json_text(package).encode(), f"360giving-{_slug(chosen.name)}.json", f"'{chosen.name}': awards in 360Giving format (JSON, validated)", ui.JSON_MIME))
            files.append((exports.excel_bytes({"grants": tsg.grants_spreadsheet(package)}, record), f"360giving-{_slug(chosen.name)}.xlsx", f"'{chosen.name}': awards in 360Giving format (spreadsheet, validated)", ui.XLSX_MIME))
            note = f" The 360Giving files hold the awards of '{html.escape(chosen.name)}' (the current settings), checked against the 360Giving Data Standard 1.4.3 schema."
        return f"<p>Each export carries its provenance record (settings, the SHA-256 of the applications file, the package version).{note}</p>" + ui.downloads_html(files)

def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "scenario"


def grants_example() -> Path:
    return data_path("grants", "example_applications.csv")


def score_note(applications: pd.DataFrame) -> str:
    """Say where the scores came from: moderated, or computed from criterion scores with which weights."""
    computed = int((applications.get("score_source") == "computed from criterion scores").sum()) if "score_source" in applications else 0
    if not computed:
        return "the moderated scores in the file."
    weights = grants.criterion_weights()
    described = ", ".join(f"{k.replace('_', ' ')} {format_pct(100 * v / sum(weights.values()), 0)}" for k, v in weights.items())
    return f"{computed} of {len(applications)} scores computed from the assessors' criterion scores with the declared weights ({described})."


def parse_theme_floors(text: str) -> dict[str, float]:
    """Read "Older people: 20%; Environment: 10%" into ``{"Older people": 0.2, "Environment": 0.1}``."""
    floors: dict[str, float] = {}
    for part in [p for p in text.replace("\n", ";").split(";") if p.strip()]:
        if ":" not in part:
            raise InputError(f"'{part.strip()}' is not a theme minimum; write it as Theme: 20%, separated by semicolons.")
        theme, share = part.rsplit(":", 1)
        try:
            value = float(share.strip().rstrip("%"))
        except ValueError:
            raise InputError(f"'{share.strip()}' is not a percentage; write the theme minimum as, for example, Older people: 20%.") from None
        floors[theme.strip()] = value / 100
    return floors


def parse_decile_factors(text: str) -> dict[int, float]:
    """Read "1: 1.5; 2: 1.4" into ``{1: 1.5, 2: 1.4}`` (a score multiplier per IMD decile)."""
    factors: dict[int, float] = {}
    for part in [p for p in text.replace("\n", ";").split(";") if p.strip()]:
        decile, sep, factor = part.partition(":")
        try:
            if not sep:
                raise ValueError
            factors[int(decile.strip())] = float(factor.strip())
        except ValueError:
            raise InputError(f"'{part.strip()}' is not a decile and its factor; write them as 1: 1.5; 2: 1.4 (decile: factor).") from None
    return factors


def build_app(applications_path: str | Path, scenario: grants.Scenario, *, award_date: str, notices: list[str] | None = None) -> widgets.VBox:
    """Return the app's root widget (class ``sv-app``)."""
    return GrantApp(applications_path, scenario, award_date=award_date, notices=notices).root
