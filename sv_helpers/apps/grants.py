"""The community grant allocation app: its controls and its views on :class:`~sv_helpers.apps.base.ScenarioApp`.

The tables, charts and the report it shows come from :mod:`sv_helpers.grants.report` (shared with the
notebook and with ``report.html``).  Interface layer: widgets around :mod:`sv_helpers.grants`.
"""

from __future__ import annotations

import html

import ipywidgets as widgets

from sv_helpers import grants
from sv_helpers.apps import widgets as ui
from sv_helpers.apps.base import Control, ScenarioApp
from sv_helpers.core import exports
from sv_helpers.core.errors import InputError
from sv_helpers.core.formatting import format_money
from sv_helpers.core.paths import data_path
from sv_helpers.core.scenario import Result
from sv_helpers.grants import deprivation
from sv_helpers.grants import report as gv
from sv_helpers.reports import charts

# --------------------------------------------------------------------------- reading and writing text settings


def parse_theme_floors(text: str) -> dict[str, float]:
    """Read "Older people: 20%; Environment: 10%" into ``{"Older people": 0.2, "Environment": 0.1}``."""
    floors: dict[str, float] = {}
    for part in [p for p in text.replace("\n", ";").split(";") if p.strip()]:
        if ":" not in part:
            raise InputError(
                f"'{part.strip()}' is not a theme minimum; write it as Theme: 20%, separated by semicolons."
            )
        theme, share = part.rsplit(":", 1)
        try:
            value = float(share.strip().rstrip("%"))
        except ValueError:
            raise InputError(
                f"'{share.strip()}' is not a percentage; write the theme minimum as, for example, Older people: 20%."
            ) from None
        floors[theme.strip()] = value / 100
    return floors


def parse_decile_factors(text: str) -> dict[str, float]:
    """Read "1: 1.5; 2: 1.4" into ``{"1": 1.5, "2": 1.4}`` (a score multiplier per IMD decile)."""
    factors: dict[str, float] = {}
    for part in [p for p in text.replace("\n", ";").split(";") if p.strip()]:
        decile, sep, factor = part.partition(":")
        try:
            if not sep:
                raise ValueError
            factors[str(int(decile.strip()))] = float(factor.strip())
        except ValueError:
            raise InputError(
                f"'{part.strip()}' is not a decile and its factor; write them as 1: 1.5; 2: 1.4 (decile: factor)."
            ) from None
    return factors


def parse_committed(text: str) -> dict[str, float]:
    """Read "Citizens Advice SLA: £98,540" into ``{"Citizens Advice SLA": 98540.0}``."""
    items: dict[str, float] = {}
    for part in [p for p in text.replace("\n", ";").split(";") if p.strip()]:
        name, sep, amount = part.rpartition(":")
        try:
            if not sep or not name.strip():
                raise ValueError
            items[name.strip()] = float(amount.strip().replace("£", "").replace(",", ""))
        except ValueError:
            raise InputError(
                f"'{part.strip()}' is not a committed item; write it as Name: £amount, separated by "
                "semicolons (e.g. Citizens Advice SLA: £98,540)."
            ) from None
    return items


def format_committed(items: dict[str, float]) -> str:
    return "; ".join(f"{k}: {format_money(v, 0 if float(v).is_integer() else 2)}" for k, v in items.items())


# --------------------------------------------------------------------------- the app


def _number_or_none(value: float) -> float | None:
    return float(value) or None


class GrantsApp(ScenarioApp):
    """The grant allocation app: the rules beside the headline and the funding by theme; the rest below."""

    core = grants
    views_shown = ("themes", "table", "not_funded", "comparison", "deciles", "map")
    heavy_message = "Working out the optimal allocation… you can go on changing the settings."

    def heavy(self, settings: grants.Settings) -> bool:
        """An optimal allocation (an integer programme, HiGHS) can take tenths of a second: it runs in the background."""
        compared = settings.compare.values() if isinstance(settings.compare, dict) else ()
        return settings.method == "optimal" or any(str(rules.get("method")) == "optimal" for rules in compared)

    def controls(self, settings: grants.Settings) -> list[Control]:
        specs = grants.Settings.specs()
        budget = ui.number_input(specs["budget"].label, settings.budget, minimum=0, maximum=grants.MAX_MONEY, step=1000)
        committed = ui.text_input(
            specs["committed_items"].label,
            format_committed(settings.committed_items),
            placeholder="e.g. Citizens Advice SLA: £98,540",
        )
        method = ui.dropdown(
            specs["method"].label, [(grants.METHOD_LABELS[m], m) for m in grants.METHODS], settings.method
        )
        max_award = ui.number_input(
            "Maximum award (£, 0 for no cap)", settings.max_award or 0.0, minimum=0, maximum=grants.MAX_MONEY, step=500
        )
        min_score = ui.slider(specs["min_score"].label, settings.min_score, 0, 100, 1)
        equity = ui.slider(
            "Equity weight",
            settings.equity_weight,
            1.0,
            2.0,
            0.05,
            readout_format=".2f",
            tooltip=specs["equity_weight"].label,
        )
        factors = ui.text_input(
            "Or a factor per IMD decile",
            gv.format_decile_factors(settings.decile_factors),
            placeholder="e.g. 1: 1.5; 2: 1.4; 3: 1.3 (other deciles 1)",
        )
        edition = ui.dropdown(
            "Deprivation figures",
            [
                ("IMD 2025, today's wards", 2025),
                ("IMD 2019, 2013 wards (to rerun a round decided on them)", 2019),
            ],
            settings.deprivation_edition,
        )
        partial = ui.checkbox(specs["partial"].label, settings.partial)
        floors = ui.text_input(
            specs["theme_floors"].label,
            gv.format_theme_floors(settings.theme_floors),
            placeholder="e.g. Older people: 20%; Environment: 10%",
        )
        ward_cap = ui.number_input(
            "Optimal: maximum per ward (£, 0 for none)",
            settings.ward_cap or 0.0,
            minimum=0,
            maximum=grants.MAX_MONEY,
            step=500,
        )
        out = [
            Control("budget", budget, float),
            Control("committed_items", committed, parse_committed, format_committed),
            Control("method", method),
            Control("max_award", max_award, _number_or_none, lambda v: v or 0.0),
            Control("min_score", min_score, float),
            Control("deprivation_edition", edition, int),
            Control("equity_weight", equity, float),
            Control("decile_factors", factors, parse_decile_factors, gv.format_decile_factors),
            Control("partial", partial, bool),
            Control("theme_floors", floors, parse_theme_floors, gv.format_theme_floors),
            Control("ward_cap", ward_cap, _number_or_none, lambda v: v or 0.0),
        ]
        for control in out:
            control.widget.add_class("sv-" + control.name.replace("_", "-"))
        return out

    def side_panel(self) -> list[widgets.Widget]:
        self.scenario_name = ui.text_input("Name of this scenario", "Scenario 1")
        self.scenario_name.add_class("sv-scenario-name")
        self.add_button = self.action_button(
            "Add this scenario to the comparison", "add-scenario", self.add_to_comparison
        )
        self.clear_button = self.action_button(
            "Clear the comparison", "clear-comparison", self.clear_comparison, style=""
        )
        rest = [c.widget for c in self.control_list]
        return [
            *rest,
            ui.heading("Compare scenarios", 3),
            self.scenario_name,
            widgets.HBox([self.add_button, self.clear_button], layout=widgets.Layout(flex_flow="row wrap")),
        ]

    def below(self) -> list[widgets.Widget]:
        self.data_note = widgets.HTML()
        self.data_note.add_class("sv-data-note")
        self.upload = self.file_upload("Upload applications (CSV or Excel)", "applications", "applications_path")
        self.example_button = self.action_button("Use the example round", "use-example", self.use_example, style="")
        template = data_path("grants", "applications_template.xlsx")
        # A white backing: the template's page shell is #eee, on which its link blue falls just short of 4.5:1.
        template_link = widgets.HTML(
            '<div style="background:#fff">'
            + ui.downloads_html(
                [
                    (
                        template.read_bytes(),
                        template.name,
                        "Download the blank applications template (Excel)",
                        ui.XLSX_MIME,
                    )
                ]
            )
            + "</div>"
        )
        self.scores = widgets.HTML()
        explanation = ui.paragraph(
            "The equity weight multiplies the score of applications in the most deprived decile (IMD decile 1) by this "
            "factor, tapering to 1 for decile 10; factors given for each decile replace it. " + deprivation.METHOD
        )
        return [
            self.downloads_section(),
            ui.section(
                "Applications",
                self.data_note,
                ui.paragraph(gv.FACTS_NOTE),
                template_link,
                widgets.HBox(
                    [self.upload, self.example_button], layout=widgets.Layout(flex_flow="row wrap", margin="8px 0")
                ),
            ),
            ui.section(
                "How the rules work", *(ui.paragraph(t) for t in gv.METHOD_REASONS.values()), explanation, self.scores
            ),
        ]

    # ------------------------------------------------------------------ views

    def headline_html(self, result: Result) -> str:
        return f'<strong class="sv-headline-text">{html.escape(result.headline)}</strong>'

    def views(self, result: Result) -> dict[str, str]:
        detail: grants.Allocation = result.detail
        name = result.settings.name
        funded_first = gv.allocation_screen_table(detail.allocation)
        return {
            "themes": self.cached(
                "themes",
                (name, detail.is_example, detail.source_name, detail.by_theme.to_json()),
                lambda: gv.theme_chart(detail, name),
            ),
            "table": "<h2>Applications and awards</h2>"
            + gv._scroll(
                charts.table_html(funded_first, caption=f"Awards under '{name}', funded first"),
                "Applications and awards",
            ),
            "not_funded": "<h2>Not funded, and why</h2>"
            + (
                gv._scroll(
                    charts.table_html(
                        gv.not_funded_table(detail), caption=f"The {len(detail.not_funded)} applications not funded"
                    ),
                    "Applications not funded",
                )
                if len(detail.not_funded)
                else "<p>Every application is funded.</p>"
            ),
            "comparison": "<h2>Scenarios compared</h2>" + gv.comparison_html(detail),
            "deciles": self.cached(
                "deciles",
                (name, detail.is_example, detail.source_name, detail.by_decile.to_json()),
                lambda: gv.decile_chart(detail, name),
            ),
            "map": self.cached(
                "map", (name, detail.by_ward["awarded"].to_json()), lambda: gv.ward_map_html(detail, name)
            ),
        }

    def after_show(self, result: Result) -> None:
        detail: grants.Allocation = result.detail
        self.data_note.value = (
            f'<p class="sv-example" role="note"><strong>Example data.</strong> {html.escape(gv.EXAMPLE_NOTE)}</p>'
            if detail.is_example
            else f"<p>Applications loaded from <strong>{html.escape(detail.source_name)}</strong> "
            f"({len(detail.applications)} applications).</p>"
        )
        self.scores.value = f"<p>Scores: {html.escape(gv.score_note(detail.applications))}</p>"

    # ------------------------------------------------------------------ actions

    def add_to_comparison(self) -> None:
        """Add the current rules, under the name given, to the comparison (kept in the settings, so links carry it)."""
        current = self.settings()
        label = self.scenario_name.value.strip() or f"Scenario {len(current.compare) + 1}"
        if label in current.compare:
            raise InputError(f"A scenario called '{label}' is already in the comparison; give this one another name.")
        rules = {k: v for k, v in current.to_parameters().items() if k in grants.RULE_SETTINGS}
        self.base_settings = current.replace(compare={**current.compare, label: rules})
        if self.refresh() is not None or self.pending:
            self.banner.show_info(f"'{label}' was added to the comparison.", title="Added")
            self.scenario_name.value = f"Scenario {len(self.base_settings.compare) + 1}"

    def clear_comparison(self) -> None:
        self.base_settings = self.base_settings.replace(compare={})
        self.refresh()
        self.scenario_name.value = "Scenario 1"

    def use_example(self) -> None:
        self.use_settings(applications_path=grants.EXAMPLE_APPLICATIONS)

    report_title = "Grant allocation report"

    def report_page(self, result: Result) -> str:
        return gv.report_html(result)

    def download_files(self, result: Result) -> list[tuple[bytes, str, str, str]]:
        """The allocations, the provenance record and the 360Giving files (checked against the standard)."""
        record = result.provenance
        files = [
            (
                exports.excel_bytes(result.tables, record),
                "allocations.xlsx",
                "Allocations (Excel, with provenance)",
                ui.XLSX_MIME,
            ),
            (exports.csv_bytes(result.tables["allocations"]), "allocations.csv", "Allocations (CSV)", ui.CSV_MIME),
            (exports.json_text(record).encode(), "provenance.json", "Provenance record (JSON)", ui.JSON_MIME),
        ]
        for filename, content in grants.threesixtygiving_files(result).items():
            data = content.encode("utf-8") if isinstance(content, str) else content
            if filename.endswith(".txt"):
                files.append((data, filename, "360Giving data quality checks (text)", "text/plain"))
                continue
            mime = ui.JSON_MIME if filename.endswith(".json") else ui.XLSX_MIME
            kind = filename.rsplit(".", 1)[1].upper()
            files.append((data, filename, f"Awards in 360Giving format ({kind}, checked against its schema)", mime))
        return files


def grants_example():
    """The example round's path."""
    return data_path("grants", "example_applications.csv")
