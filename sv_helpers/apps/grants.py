"""The community grant allocation app: its controls and its views on :class:`~sv_helpers.apps.base.ScenarioApp`,
the charts (shared with the notebook) and the grant allocation report.

Interface layer: widgets and charts around :mod:`sv_helpers.grants`.
"""

from __future__ import annotations

import base64
import html
from collections.abc import Callable
from typing import Any

import ipywidgets as widgets
import pandas as pd

from sv_helpers import charts, deprivation, exports, grants, maps, ui
from sv_helpers import report as rep
from sv_helpers.apps.base import Control, ScenarioApp
from sv_helpers.errors import InputError
from sv_helpers.formatting import format_money, format_number, format_pct
from sv_helpers.paths import data_path
from sv_helpers.scenario import Result

EXAMPLE_NOTE = (
    "You are looking at the example round: 48 fictional applications (every organisation's name ends '(example)'). "
    "Wards and deprivation deciles are real; the applications are not. Upload the council's own file to replace them."
)
FACTS_NOTE = (
    "For scale: in 2012/13 the Community Grant Scheme had £153,331, of which £98,540 went to Citizens Advice under a "
    "service-level agreement, leaving about £54,790; 38 applications asked for £105,672 (Sevenoaks District Council "
    "Cabinet minutes)."
)
METHOD_REASONS = {
    "rank": "Rank by score funds the highest-scoring applications first, skipping any that no longer fit in what is "
    "left: simple to explain, and every funded group gets what it asked for.",
    "pro_rata": "Pro rata gives every eligible application the same fraction of its request: every group gets "
    "something, none gets all it asked for.",
    "optimal": "Optimal finds the awards with the best total score that fit the budget (an exact integer programme), "
    "and can meet a minimum share per theme and a maximum per ward.",
}
#: The largest upload taken (issue 12): refused before it is read.
MAX_UPLOAD_BYTES = 20 * 1024 * 1024


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


def format_theme_floors(floors: dict[str, float]) -> str:
    return "; ".join(
        f"{k}: {format_number(100 * v, 0 if float(100 * v).is_integer() else 2)}%" for k, v in floors.items()
    )


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


def format_decile_factors(factors: dict[str, float]) -> str:
    return "; ".join(f"{k}: {v:g}" for k, v in factors.items())


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


# --------------------------------------------------------------------------- tables and charts (app, notebook, report)


def _money(table: pd.DataFrame, columns: tuple[str, ...]) -> pd.DataFrame:
    out = table.copy()
    for col in columns:
        if col in out.columns:
            out[col] = out[col].map(format_money)
    return out


def screen(
    table: pd.DataFrame, columns: list[str], money: tuple[str, ...] = ("amount_requested", "awarded")
) -> pd.DataFrame:
    """A table ready for the screen and the report: £ for money, the workbook's column labels."""
    return rep.screen_table(_money(table[columns], money))


def allocation_screen_table(allocation: pd.DataFrame) -> pd.DataFrame:
    """An allocation for the screen: funded applications first, money with £."""
    table = allocation.sort_values(["awarded", "weighted_score", "application_id"], ascending=[False, False, True])
    table = table.assign(
        score=table["score"].map(lambda v: format_number(v, 1)),
        weighted_score=table["weighted_score"].map(lambda v: format_number(v, 1)),
    )
    return screen(
        table,
        [
            "application_id",
            "organisation",
            "theme",
            "ward",
            "imd_decile",
            "score",
            "weighted_score",
            "amount_requested",
            "awarded",
        ],
    )


def summary_screen_table(summary: pd.DataFrame) -> pd.DataFrame:
    """The scenario comparison, one column per scenario, figures formatted."""
    decile = grants.most_deprived_threshold()
    rows: list[tuple[str, Callable[[Any], str]]] = [
        ("Method", lambda s: grants.METHOD_LABELS[s["method"]]),
        ("Budget", lambda s: format_money(s["budget"])),
        ("Committed items", lambda s: format_money(s["committed"])),
        ("Available to allocate", lambda s: format_money(s["available"])),
        ("Total awarded", lambda s: format_money(s["total_awarded"])),
        ("Number funded", lambda s: f"{s['number_funded']} of {s['number_of_applications']}"),
        ("Unfunded demand", lambda s: format_money(s["unfunded_demand"])),
        (
            f"Share to the most deprived areas (IMD deciles 1 to {decile})",
            lambda s: format_pct(s["most_deprived_share"]),
        ),
        ("Wards reached", lambda s: str(s["wards_reached"])),
    ]
    data = {"Figure": [r[0] for r in rows]}
    for _, s in summary.iterrows():
        data[str(s["scenario"])] = [fn(s) for _, fn in rows]
    return pd.DataFrame(data)


def differences_screen_table(differences: pd.DataFrame) -> pd.DataFrame:
    return screen(differences, list(differences.columns), money=("amount_requested", *differences.columns[4:]))


def source_caption(detail: grants.Allocation) -> str:
    """What the charts show: the example round, or the file uploaded."""
    if detail.is_example:
        return "Example applications (fictional)."
    return f"Applications from {detail.source_name}."


def bar_chart_svg(
    labels: list[str],
    values: list[float],
    *,
    title: str,
    colour: str = charts.PALETTE[0],
    value_format: Callable[[float], str] = format_money,
    width: float = 640.0,
) -> str:
    """A horizontal bar chart as SVG text: each bar labelled with its value (drawn in well under a millisecond,
    where a matplotlib PNG takes a tenth of a second or more)."""
    row, top_pad = 30.0, 34.0
    label_w = min(7.2 * max((len(str(t)) for t in labels), default=0) + 12, width * 0.45)
    plot_w = width - label_w - 80
    most = max([v for v in values if v > 0], default=1.0)
    height = top_pad + row * len(labels) + 12
    esc = maps._esc
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:.0f} {height:.0f}" width="{width:.0f}" '
        f'height="{height:.0f}" font-family="DejaVu Sans, Arial, sans-serif">',
        f'<rect width="{width:.0f}" height="{height:.0f}" fill="#ffffff"/>',
        f'<text x="0" y="18" font-size="15" fill="#1a1a1a">{esc(title)}</text>',
    ]
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        y = top_pad + row * i
        w = plot_w * max(float(value), 0.0) / most
        parts.append(
            f'<text x="{label_w - 8:.1f}" y="{y + row / 2 + 4:.1f}" font-size="12" text-anchor="end" '
            f'fill="#1a1a1a">{esc(label)}</text>'
        )
        parts.append(
            f'<rect x="{label_w:.1f}" y="{y + 4:.1f}" width="{w:.1f}" height="{row - 8:.1f}" fill="{colour}"/>'
        )
        parts.append(
            f'<text x="{label_w + w + 5:.1f}" y="{y + row / 2 + 4:.1f}" font-size="12" '
            f'fill="#1a1a1a">{esc(value_format(float(value)))}</text>'
        )
    parts.append(
        f'<line x1="{label_w:.1f}" y1="{top_pad:.1f}" x2="{label_w:.1f}" y2="{height - 10:.1f}" '
        'stroke="#1a1a1a" stroke-width="1"/></svg>'
    )
    return "".join(parts)


def svg_figure_html(svg: str, alt: str, caption: str | None = None, data: pd.DataFrame | None = None) -> str:
    """An SVG chart as an accessible figure: the same shape as :func:`sv_helpers.charts.figure_html`
    (``<img alt>`` as a data URI, caption, the numbers as a table)."""
    if not alt.strip():
        raise ValueError("Every chart needs a text alternative.")
    encoded = base64.b64encode(svg.encode("utf-8")).decode("ascii")
    parts = [
        f'<figure class="sv-figure"><img src="data:image/svg+xml;base64,{encoded}" '
        f'alt="{html.escape(alt, quote=True)}" style="max-width:100%;height:auto">'
    ]
    if caption:
        parts.append(f"<figcaption>{html.escape(caption)}</figcaption>")
    if data is not None:
        parts.append(f"<details><summary>Show the chart's data as a table</summary>{charts.table_html(data)}</details>")
    parts.append("</figure>")
    return "".join(parts)


def theme_chart(detail: grants.Allocation, name: str) -> str:
    """Funding by theme as an accessible figure (the app's main chart)."""
    table = detail.by_theme
    svg = bar_chart_svg(
        table["theme"].astype(str).tolist(), table["awarded"].tolist(), title=f"Funding by theme: {name}"
    )
    alt = (
        "Bar chart of the amount awarded by theme. "
        + charts.describe_values(table["theme"], [format_money(v) for v in table["awarded"]])
        + "."
    )
    data = screen(table, ["theme", "awarded", "number_funded", "amount_requested"])
    return svg_figure_html(svg, alt=alt, caption=source_caption(detail), data=data)


def decile_chart(detail: grants.Allocation, name: str) -> str:
    """Funding by IMD decile as an accessible figure."""
    table = detail.by_decile
    labels = [
        f"Decile {d}" + (" (most deprived)" if d == 1 else " (least deprived)" if d == 10 else "")
        for d in table["imd_decile"]
    ]
    svg = bar_chart_svg(
        labels, table["awarded"].tolist(), title=f"Funding by IMD decile of the area: {name}", colour=charts.PALETTE[5]
    )
    funded = table[table["awarded"] > 0]
    alt = (
        "Bar chart of the amount awarded by the IMD 2019 decile of each application's area (1 = most deprived 10% in "
        "England). "
        + (
            charts.describe_values(
                [f"decile {d}" for d in funded["imd_decile"]], [format_money(v) for v in funded["awarded"]]
            )
            if len(funded)
            else "Nothing is awarded."
        )
        + ". Other deciles receive nothing."
    )
    data = screen(table, ["imd_decile", "awarded", "number_funded", "applications"])
    return svg_figure_html(svg, alt=alt, caption=source_caption(detail) + " " + deprivation.ATTRIBUTION, data=data)


def ward_map_html(detail: grants.Allocation, name: str) -> str:
    """Funding by ward as an accessible map."""
    table = detail.by_ward
    svg = maps.ward_map_svg(
        table.set_index("ward")["awarded"], title=f"Funding by ward: {name}", legend_label="Awarded (£)"
    )
    top = table[table["awarded"] > 0].sort_values("awarded", ascending=False)
    none = int((table["awarded"] == 0).sum())
    alt = (
        f"Map of the 26 wards of Sevenoaks District (2013 boundaries) shaded by the amount awarded; {none} wards "
        "receive nothing and are hatched grey. "
        + (
            "Largest: " + charts.describe_values(top["ward"], [format_money(v) for v in top["awarded"]], limit=5) + "."
            if len(top)
            else ""
        )
    )
    data = screen(
        table.rename(columns={"imd_decile": "ward_imd_decile"}),
        ["ward", "ward_imd_decile", "awarded", "number_funded", "applications"],
    )
    return svg_figure_html(svg, alt=alt, caption=maps.ATTRIBUTION + " " + deprivation.METHOD, data=data)


def not_funded_table(detail: grants.Allocation) -> pd.DataFrame:
    return screen(
        detail.not_funded.assign(score=detail.not_funded["score"].map(lambda v: format_number(v, 1))),
        ["application_id", "organisation", "theme", "ward", "amount_requested", "score", "reason"],
    )


def score_note(applications: pd.DataFrame) -> str:
    """Say where the scores came from: moderated, or computed from criterion scores with which weights."""
    computed = (
        int((applications["score_source"] == "computed from criterion scores").sum())
        if "score_source" in applications
        else 0
    )
    if not computed:
        return "the moderated scores in the file."
    weights = grants.criterion_weights()
    described = ", ".join(
        f"{k.replace('_', ' ')} {format_pct(100 * v / sum(weights.values()), 0)}" for k, v in weights.items()
    )
    return (
        f"{computed} of {len(applications)} scores computed from the assessors' criterion scores "
        f"with the declared weights ({described})."
    )


def rules_table(settings: grants.Settings) -> pd.DataFrame:
    """The rule used, in plain English, one row per setting that shapes it."""
    factors = settings.equity_factors()
    rows = [
        ("Method", grants.METHOD_LABELS[settings.method]),
        ("Maximum award", format_money(settings.max_award) if settings.max_award else "No cap"),
        ("Minimum score", format_number(settings.min_score, 0)),
        (
            "Equity weighting",
            ("Factors per IMD decile: " + format_decile_factors(settings.decile_factors))
            if settings.decile_factors
            else f"Score × {settings.equity_weight:g} in decile 1, tapering to × 1 in decile 10"
            if factors
            else "None",
        ),
    ]
    if settings.method == "optimal":
        rows += [
            (
                "Partial awards",
                "Allowed down to each application's minimum award" if settings.partial else "No: all or nothing",
            ),
            ("Minimum share per theme", format_theme_floors(settings.theme_floors) or "None"),
            ("Maximum per ward", format_money(settings.ward_cap) if settings.ward_cap else "No cap"),
        ]
    return pd.DataFrame(rows, columns=["Rule", "Setting"])


def budget_table(settings: grants.Settings) -> pd.DataFrame:
    rows = [("Budget for the round", format_money(settings.budget))]
    rows += [(f"Committed: {name}", "− " + format_money(amount)) for name, amount in settings.committed_items.items()]
    rows.append(("Available to allocate", format_money(settings.available)))
    return pd.DataFrame(rows, columns=["Item", "Amount"])


def comparison_html(detail: grants.Allocation) -> str:
    """The scenarios side by side, and the applications whose award differs."""
    if len(detail.comparison) < 2:
        return (
            "<p>No other scenario is compared yet: set the rules, name the scenario and press “Add this scenario to "
            "the comparison”; change the rules and the two are shown side by side.</p>"
        )
    parts = [
        charts.table_html(
            summary_screen_table(detail.comparison),
            caption="Scenarios side by side (the first is the current settings)",
        )
    ]
    if detail.differences.empty:
        parts.append("<p>Every application has the same outcome in all these scenarios.</p>")
    else:
        parts.append(
            _scroll(
                charts.table_html(
                    differences_screen_table(detail.differences),
                    caption=f"The {len(detail.differences)} applications whose award differs between scenarios",
                ),
                "Applications whose outcome differs",
            )
        )
    return "".join(parts)


def _scroll(inner: str, label: str) -> str:
    return (
        f'<div class="sv-scroll" role="region" tabindex="0" aria-label="{html.escape(label, quote=True)}" '
        f'style="max-height:28em;overflow:auto">{inner}</div>'
    )


# --------------------------------------------------------------------------- the report


def report_html(result: Result) -> str:
    """The grant allocation report for committee papers, as one self-contained HTML page."""
    settings: grants.Settings = result.settings
    detail: grants.Allocation = result.detail
    name = settings.name
    funded = detail.allocation[detail.allocation["funded"]]
    recommendation = (
        f"<p>Award {format_money(result.summary['total_awarded'])} to {result.summary['n_funded']} applications, as "
        "listed "
        f"under “Awards”, using the rule “{html.escape(name)}”. {format_money(result.summary['unfunded_demand'])} of "
        "requests cannot be met from this budget.</p>"
    )
    sections = [
        ("Recommendation", recommendation),
        ("The budget and committed items", charts.table_html(budget_table(settings), caption="Budget for this round")),
        (
            "The rule used and why",
            f"<p>{html.escape(METHOD_REASONS[settings.method])}</p>"
            + charts.table_html(rules_table(settings), caption="The rule's settings")
            + f"<p>Scores: {html.escape(score_note(detail.applications))}</p>",
        ),
        (
            "Awards",
            charts.table_html(
                screen(
                    funded.sort_values(["awarded", "application_id"], ascending=[False, True]),
                    ["application_id", "organisation", "project", "theme", "ward", "amount_requested", "awarded"],
                ),
                caption=f"The {len(funded)} applications funded",
            ),
        ),
        (
            "Not funded, and why",
            charts.table_html(not_funded_table(detail), caption=f"The {len(detail.not_funded)} applications not funded")
            if len(detail.not_funded)
            else "<p>Every application is funded.</p>",
        ),
        ("Funding by theme", theme_chart(detail, name)),
        ("Funding by deprivation decile", decile_chart(detail, name)),
        ("Funding by ward", ward_map_html(detail, name)),
        ("Scenarios compared", comparison_html(detail)),
    ]
    return rep.render_document(
        "Grant allocation report",
        sections,
        result.provenance,
        intro=f"Community Grant Scheme: the proposed allocation of {format_money(settings.available)} "
        f"(award date {settings.award_date}).",
        example_note=EXAMPLE_NOTE if detail.is_example else None,
        summary=[result.headline],
        warnings=result.warnings,
    )


# --------------------------------------------------------------------------- the app


def _number_or_none(value: float) -> float | None:
    return float(value) or None


class GrantsApp(ScenarioApp):
    """The grant allocation app: the rules beside the headline and the funding by theme; the rest below."""

    core = grants
    views_shown = ("themes", "table", "not_funded", "comparison", "deciles", "map")
    _downloads_for: Any = None

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
            format_decile_factors(settings.decile_factors),
            placeholder="e.g. 1: 1.5; 2: 1.4; 3: 1.3 (other deciles 1)",
        )
        partial = ui.checkbox(specs["partial"].label, settings.partial)
        floors = ui.text_input(
            specs["theme_floors"].label,
            format_theme_floors(settings.theme_floors),
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
            Control("equity_weight", equity, float),
            Control("decile_factors", factors, parse_decile_factors, format_decile_factors),
            Control("partial", partial, bool),
            Control("theme_floors", floors, parse_theme_floors, format_theme_floors),
            Control("ward_cap", ward_cap, _number_or_none, lambda v: v or 0.0),
        ]
        for control in out:
            control.widget.add_class("sv-" + control.name.replace("_", "-"))
        return out

    def side_panel(self) -> list[widgets.Widget]:
        self.scenario_name = ui.text_input("Name of this scenario", "Scenario 1")
        self.scenario_name.add_class("sv-scenario-name")
        self.add_button = ui.button("Add this scenario to the comparison")
        self.add_button.add_class("sv-add-scenario")
        self.clear_button = ui.button("Clear the comparison", style="")
        self.clear_button.add_class("sv-clear-comparison")
        self.add_button.on_click(lambda _b: self.add_to_comparison())
        self.clear_button.on_click(lambda _b: self.clear_comparison())
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
        self.upload = ui.upload("Upload applications (CSV or Excel)")
        self.upload.add_class("sv-upload")
        self.upload.observe(self._on_upload, names="value")
        self.use_example = ui.button("Use the example round", style="")
        self.use_example.add_class("sv-use-example")
        self.use_example.on_click(lambda _b: self._use_example())
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
        self.files_button = ui.button("Prepare the downloads (allocations, 360Giving, report)")
        self.files_button.add_class("sv-prepare-downloads")
        self.pdf_button = ui.button("Make the PDF report", style="")
        self.pdf_button.add_class("sv-make-pdf")
        self.files_button.on_click(lambda _b: self.prepare_downloads())
        self.pdf_button.on_click(lambda _b: self.prepare_pdf())
        self.busy_buttons = [self.add_button, self.clear_button, self.files_button, self.pdf_button, self.use_example]
        self.downloads = widgets.HTML("<p>Downloads are made when you ask for them, from the settings shown.</p>")
        self.downloads.add_class("sv-downloads-area")
        self.scores = widgets.HTML()
        explanation = ui.paragraph(
            "The equity weight multiplies the score of applications in the most deprived decile (IMD decile 1) by this "
            "factor, tapering to 1 for decile 10; factors given for each decile replace it. " + deprivation.METHOD
        )
        return [
            ui.section(
                "Downloads",
                widgets.HBox([self.files_button, self.pdf_button], layout=widgets.Layout(flex_flow="row wrap")),
                self.downloads,
            ),
            ui.section(
                "Applications",
                self.data_note,
                ui.paragraph(FACTS_NOTE),
                template_link,
                widgets.HBox(
                    [self.upload, self.use_example], layout=widgets.Layout(flex_flow="row wrap", margin="8px 0")
                ),
            ),
            ui.section(
                "How the rules work", *(ui.paragraph(t) for t in METHOD_REASONS.values()), explanation, self.scores
            ),
        ]

    # ------------------------------------------------------------------ views

    def headline_html(self, result: Result) -> str:
        return f'<strong class="sv-headline-text">{html.escape(result.headline)}</strong>'

    def views(self, result: Result) -> dict[str, str]:
        detail: grants.Allocation = result.detail
        name = result.settings.name
        funded_first = allocation_screen_table(detail.allocation)
        return {
            "themes": self._cached(
                "themes",
                (name, detail.is_example, detail.source_name, detail.by_theme.to_json()),
                lambda: theme_chart(detail, name),
            ),
            "table": "<h2>Applications and awards</h2>"
            + _scroll(
                charts.table_html(funded_first, caption=f"Awards under '{name}', funded first"),
                "Applications and awards",
            ),
            "not_funded": "<h2>Not funded, and why</h2>"
            + (
                _scroll(
                    charts.table_html(
                        not_funded_table(detail), caption=f"The {len(detail.not_funded)} applications not funded"
                    ),
                    "Applications not funded",
                )
                if len(detail.not_funded)
                else "<p>Every application is funded.</p>"
            ),
            "comparison": "<h2>Scenarios compared</h2>" + comparison_html(detail),
            "deciles": self._cached(
                "deciles",
                (name, detail.is_example, detail.source_name, detail.by_decile.to_json()),
                lambda: decile_chart(detail, name),
            ),
            "map": self._cached(
                "map", (name, detail.by_ward["awarded"].to_json()), lambda: ward_map_html(detail, name)
            ),
        }

    def _cached(self, view: str, key: Any, draw: Callable[[], str]) -> str:
        """Draw a chart only when what it shows changed (charts cost most of a redraw)."""
        cache = self.__dict__.setdefault("_chart_cache", {})
        if cache.get(view, (None, None))[0] != key:
            cache[view] = (key, draw())
        return cache[view][1]

    def show(self, result: Result) -> None:
        super().show(result)
        detail: grants.Allocation = result.detail
        self.data_note.value = (
            f'<p class="sv-example" role="note"><strong>Example data.</strong> {html.escape(EXAMPLE_NOTE)}</p>'
            if detail.is_example
            else f"<p>Applications loaded from <strong>{html.escape(detail.source_name)}</strong> "
            f"({len(detail.applications)} applications).</p>"
        )
        self.scores.value = f"<p>Scores: {html.escape(score_note(detail.applications))}</p>"
        if self._downloads_for != result.settings:
            self.downloads.value = "<p>Downloads are made when you ask for them, from the settings shown.</p>"

    # ------------------------------------------------------------------ actions

    def _guard(self, action: Callable[[], None]) -> None:
        try:
            action()
        except (InputError, FileNotFoundError) as exc:  # FileNotFoundError: Chromium is missing, said plainly
            self.banner.show_error(str(exc))
        except Exception:  # noqa: BLE001 - the page never shows a traceback
            import logging

            logging.getLogger("sv_helpers").exception("Unexpected error in the grants app")
            self.banner.show_error(ui.UNEXPECTED_MESSAGE)

    def add_to_comparison(self) -> None:
        """Add the current rules, under the name given, to the comparison (kept in the settings, so links carry it)."""

        def add() -> None:
            current = self.settings()
            label = self.scenario_name.value.strip() or f"Scenario {len(current.compare) + 1}"
            if label in current.compare:
                raise InputError(
                    f"A scenario called '{label}' is already in the comparison; give this one another name."
                )
            rules = {k: v for k, v in current.to_parameters().items() if k in grants.RULE_SETTINGS}
            self.base_settings = current.replace(compare={**current.compare, label: rules})
            if self.refresh() is not None:
                self.banner.show_info(f"'{label}' was added to the comparison.", title="Added")
                self.scenario_name.value = f"Scenario {len(self.base_settings.compare) + 1}"

        self._guard(add)

    def clear_comparison(self) -> None:
        def clear() -> None:
            self.base_settings = self.base_settings.replace(compare={})
            self.refresh()
            self.scenario_name.value = "Scenario 1"

        self._guard(clear)

    def _on_upload(self, _change: Any) -> None:
        def take() -> None:
            uploaded = ui.uploaded_file(self.upload)
            if uploaded is None:
                return
            filename, content = uploaded
            if len(content) > MAX_UPLOAD_BYTES:
                raise InputError(
                    f"{filename} is {len(content) / 1e6:.1f} MB; the largest file the app takes is "
                    f"{MAX_UPLOAD_BYTES // (1024 * 1024)} MB."
                )
            with self.working("Reading the file…"):
                self.use_upload("applications_path", filename, content)

        self._guard(take)

    def _use_example(self) -> None:
        def use() -> None:
            self.base_settings = self.base_settings.replace(applications_path=grants.EXAMPLE_APPLICATIONS)
            self.refresh()

        self._guard(use)

    def prepare_downloads(self) -> None:
        """Build the allocations, the 360Giving files and the HTML report for the settings shown."""

        def build() -> None:
            with self.working("Preparing the downloads…"):
                result = self.result
                record = result.provenance
                files = [
                    (
                        exports.excel_bytes(result.tables, record),
                        "allocations.xlsx",
                        "Allocations (Excel, with provenance)",
                        ui.XLSX_MIME,
                    ),
                    (
                        exports.csv_bytes(result.tables["allocations"]),
                        "allocations.csv",
                        "Allocations (CSV)",
                        ui.CSV_MIME,
                    ),
                    (exports.json_text(record).encode(), "provenance.json", "Provenance record (JSON)", ui.JSON_MIME),
                    (report_html(result).encode("utf-8"), "report.html", "Grant allocation report (HTML)", "text/html"),
                ]
                for filename, content in grants.threesixtygiving_files(result).items():
                    data = content.encode("utf-8") if isinstance(content, str) else content
                    mime = ui.JSON_MIME if filename.endswith(".json") else ui.XLSX_MIME
                    files.append(
                        (
                            data,
                            filename,
                            f"Awards in 360Giving format ({filename.rsplit('.', 1)[1].upper()}, validated)",
                            mime,
                        )
                    )
                self.downloads.value = (
                    "<p>Each export carries its provenance record (settings, the SHA-256 of the applications file, the "
                    "package version). The 360Giving files are checked against the 360Giving Data Standard 1.4.3 "
                    "schema.</p>" + ui.downloads_html(files)
                )
                self._downloads_for = result.settings

        self._guard(build)

    def prepare_pdf(self) -> None:
        """Print the report to PDF (Chromium; a few seconds)."""

        def build() -> None:
            with self.working("Making the PDF report…"):
                pdf = rep.pdf_bytes(report_html(self.result))
                self.downloads.value = ui.downloads_html(
                    [(pdf, "report.pdf", "Grant allocation report (PDF)", "application/pdf")]
                )
                self._downloads_for = self.result.settings

        self._guard(build)


def grants_example():
    """The example round's path."""
    return data_path("grants", "example_applications.csv")
