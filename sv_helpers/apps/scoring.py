"""The tender scoring app: move the weights, choose the price method and the evaluator uncertainty,
and see the winner, the scores and whether the decision would survive scrutiny.

Interface layer: its controls and its views around :mod:`sv_helpers.scoring` (the core:
``Settings`` → ``run`` → ``Result``); :class:`~sv_helpers.apps.base.ScenarioApp` does the rest.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

import ipywidgets as widgets
import numpy as np
import pandas as pd
import traitlets

from sv_helpers import scoring
from sv_helpers.apps import widgets as ui
from sv_helpers.apps.base import Control, ScenarioApp
from sv_helpers.core import exports, valuation
from sv_helpers.core.formatting import format_date, format_number
from sv_helpers.core.paths import data_path
from sv_helpers.core.scenario import Result
from sv_helpers.reports import charts
from sv_helpers.reports.document import screen_table
from sv_helpers.scoring import (
    GROUP_LABELS,
    GROUPS,
    PRICE_METHOD_LABELS,
    PRICE_METHODS,
    Tender,
    explain,
    ocds,
    rebalance_weights,
)
from sv_helpers.scoring import report as rep
from sv_helpers.scoring.charts import (
    grid_chart,
    report_figures,
    score_chart,
    theme_chart,
)
from sv_helpers.scoring.sensitivity import Evaluation

EXAMPLE_NOTE = (
    "The bidders, prices, scores and commitments are fictional, and the proxy values are examples. "
    "Upload the council's evaluation workbook below to score a real tender."
)
#: The widest the uncertainty slider goes (a link may set up to the setting's maximum).
MARGIN_SLIDER_MAX = 2.0


# --------------------------------------------------------------------------- charts (also used by the notebook)


def export_files(result: Result) -> list[tuple[bytes, str, str, str]]:
    """The downloads: (content, filename, label, mime) tuples, each with the provenance record."""
    tables, record = result.tables, result.provenance
    files = [
        (
            exports.excel_bytes(tables, record),
            "tender_evaluation.xlsx",
            "All results (Excel workbook, with the provenance record)",
            ui.XLSX_MIME,
        ),
        (exports.csv_bytes(tables["ranking"]), "ranking.csv", "Ranking (CSV)", ui.CSV_MIME),
        (
            exports.csv_bytes(tables["criterion_scores"]),
            "criterion_scores.csv",
            "Scores by criterion (CSV)",
            ui.CSV_MIME,
        ),
        (
            exports.csv_bytes(tables["assessment_summaries"]),
            "assessment_summaries.csv",
            "Assessment summaries for every bidder (CSV)",
            ui.CSV_MIME,
        ),
        (exports.json_text(record).encode("utf-8"), "provenance.json", "Provenance record (JSON)", ui.JSON_MIME),
    ]
    made = dict(result.files)
    summaries = [name for name in made if name.startswith("assessment_summary_")]
    for name, bidder in zip(summaries, result.detail.result.ranking["bidder"], strict=True):
        files.append((made[name].encode("utf-8"), name, f"Assessment summary for {bidder} (text)", "text/markdown"))
    # The award notice data, made with the other files when asked (ocds_files: checked against the standard).
    for name, label, mime in (
        (ocds.PACKAGE_FILE, "Award notice data (OCDS)", ui.JSON_MIME),
        (ocds.FLAT_FILE, "Award notice data (OCDS) as a spreadsheet to check", ui.XLSX_MIME),
        (ocds.MISSING_FILE, "Award notice data (OCDS): what is in it and what an officer still enters", "text/plain"),
    ):
        if name in made:
            content = made[name]
            files.append((content.encode("utf-8") if isinstance(content, str) else content, name, label, mime))
    return files


# --------------------------------------------------------------------------- the weights control


class WeightSliders(widgets.VBox):
    """One slider per criterion; moving one scales the others so the weights always add up to 100.

    ``value`` is the ``weights`` setting: ``{}`` while the weights are the evaluation workbook's own.
    """

    value = traitlets.Dict()

    def __init__(self) -> None:
        super().__init__()
        self.add_class("sv-weights")
        self.note = widgets.HTML()
        self.note.add_class("sv-weights-note")
        self.sliders: dict[str, widgets.FloatSlider] = {}
        self.own = pd.Series(dtype=float)
        self.groups = pd.Series(dtype=object)
        self._syncing = False
        self.observe(self._on_value, names="value")

    def use_tender(self, tender: Tender) -> None:
        """Build the sliders for a tender's criteria, at the weights the setting gives (or the workbook's)."""
        if list(self.own.index) == tender.criterion_names and self.own.equals(tender.weights):
            return
        self.own, self.groups = tender.weights, tender.groups
        self.sliders = {}
        for i, (criterion, group) in enumerate(zip(tender.criterion_names, tender.criteria["group"], strict=True)):
            s = ui.slider(
                f"Weight: {criterion} ({GROUP_LABELS[group].lower()})",
                float(self.own[criterion]),
                0.0,
                100.0,
                0.1,
                readout_format=".1f",
            )
            s.add_class(f"sv-weight-{i}")
            s.observe(lambda change, c=criterion: self._on_slider(c, change), names="value")
            self.sliders[criterion] = s
        self.children = [*self.sliders.values(), self.note]
        self._show(self.current())

    def current(self) -> pd.Series:
        """The weights shown: the setting's, or the workbook's when the setting is empty or for other criteria."""
        if self.value and set(self.value) == set(self.own.index):
            return pd.Series({c: float(self.value[c]) for c in self.own.index}, dtype=float)
        return self.own.astype(float)

    def _on_slider(self, criterion: str, change: dict) -> None:
        if self._syncing:
            return
        weights = rebalance_weights(self.current(), criterion, float(change["new"]))
        same = np.allclose(weights.to_numpy(), self.own.to_numpy(dtype=float), atol=1e-9)
        self.value = {} if same else {c: float(w) for c, w in weights.items()}
        self._show(weights)

    def _on_value(self, change: dict) -> None:
        self._show(self.current())

    def _show(self, weights: pd.Series) -> None:
        self._syncing = True
        try:
            for c, s in self.sliders.items():
                if abs(s.value - weights[c]) > 1e-9:
                    s.value = float(weights[c])
        finally:
            self._syncing = False
        by_group = weights.groupby(self.groups).sum()
        parts = ", ".join(
            f"{GROUP_LABELS[g].lower()} {format_number(by_group[g], 1)}" for g in GROUPS if g in by_group.index
        )
        source = "the workbook's own weights" if not self.value else "changed from the workbook's"
        self.note.value = f"<p>The weights add up to {format_number(weights.sum(), 1)}: {parts} ({source}).</p>"


# --------------------------------------------------------------------------- the app


def _section(title: str, *parts: str) -> str:
    return f'<section class="sv-section"><h2>{html.escape(title)}</h2>{"".join(parts)}</section>'


class ScoringApp(ScenarioApp):
    """The tender scoring app: ``ScoringApp(result, inputs=inputs)``, the result from :func:`sv_helpers.scoring.run`."""

    core = scoring
    views_shown = ("score-chart", "ranking", "criterion-scores", "theme-chart", "sensitivity")

    # ------------------------------------------------------------------ controls

    def controls(self, settings: scoring.Settings) -> list[Control]:
        if self.inputs is None:
            self.inputs = scoring.load(settings)
            self._loaded_key = self._input_key(settings)
        self.weights = WeightSliders()
        self.weights.value = dict(settings.weights)
        self.weights.use_tender(self.inputs["tender"])
        methods = [("As in the evaluation workbook", "")] + [(PRICE_METHOD_LABELS[m], m) for m in PRICE_METHODS]
        self.price_method = ui.dropdown("Price method", methods, value=settings.price_method)
        self.price_method.add_class("sv-price-method")
        margin = float(settings.uncertainty_margin)
        self.margin = ui.slider(
            "Evaluator uncertainty (points either way)",
            margin,
            0.0,
            max(MARGIN_SLIDER_MAX, margin),
            0.1,
            readout_format=".1f",
        )
        self.margin.add_class("sv-margin")
        self.source_note = widgets.HTML()
        self.source_note.add_class("sv-source-note")
        specs = type(settings).specs()
        rate = ui.number_input(
            specs["discount_rate_pct"].label,
            settings.discount_rate_pct,
            minimum=specs["discount_rate_pct"].minimum,
            maximum=specs["discount_rate_pct"].maximum,
        )
        rate.add_class("sv-discount-rate")
        conventions = [
            ("Green Book: the year of delivery is not discounted", "green_book"),
            ("SROI Guide: the first year is discounted too", "sroi_guide"),
        ]
        convention = ui.dropdown(specs["discount_convention"].label, conventions, settings.discount_convention)
        convention.add_class("sv-discount-convention")
        return [
            Control("weights", self.weights, read=dict, write=dict),
            Control("price_method", self.price_method),
            Control("uncertainty_margin", self.margin, write=self._margin_on_slider),
            Control("discount_rate_pct", rate),
            Control("discount_convention", convention),
        ]

    def _margin_on_slider(self, value: float) -> float:
        if value > self.margin.max:
            self.margin.max = float(value)
        return float(value)

    def side_panel(self) -> list[widgets.Widget]:
        style = widgets.HTML(
            "<style>.sv-scoring .sv-margin { margin-bottom: 16px; }"
            " .sv-scoring .sv-source-note p { margin: 0 0 6px 0; }</style>"
        )
        self.add_class("sv-scoring")
        return [
            style,
            self.source_note,
            ui.paragraph("Moving one weight scales the others in proportion, so the weights always add up to 100."),
            *super().side_panel(),
        ]

    def below(self) -> list[widgets.Widget]:
        self.tender_upload = self.file_upload(
            "Upload an evaluation workbook (.xlsx)",
            "tender",
            lambda files: self._on_upload(files, "tender_path"),
            accept=".xlsx",
        )
        self.measures_upload = self.file_upload(
            "Upload a measures library (.csv or .xlsx)",
            "measures",
            lambda files: self._on_upload(files, "measures_path"),
        )
        self.example_button = self.action_button("Use the example tender", "use-example", self.use_example, style="")
        template = data_path("tenders", "tender_template.xlsx").read_bytes()
        template_link = widgets.HTML(
            ui.downloads_html(
                [(template, "tender_template.xlsx", "Blank evaluation workbook (Excel template)", ui.XLSX_MIME)]
            )
        )
        about = widgets.HTML(
            "<details><summary>How the bids are scored</summary><p>Price by the lowest price ÷ the bid's price (or by "
            "deducting the percentage above the lowest price); quality and social value criteria by weight × final "
            "score ÷ maximum score, the final score being the moderated one where there is one, else the evaluators' "
            "mean; a social value commitments criterion by weight × the bid's social value in pounds ÷ the highest. "
            "The sensitivity checks below show how far the weights must move before the winner changes, whether "
            "removing a bid reorders the others, "
            "and each bid's chance of winning when the evaluators' scores are uncertain.</p></details>"
        )
        return [
            self.downloads_section(),
            ui.section(
                "The evaluation",
                about,
                ui.paragraph(
                    "Upload the evaluation workbook (sheets: criteria, bids, scores, commitments and, optionally, "
                    "settings) or use "
                    "the example. A measures library replaces the example proxy values."
                ),
                template_link,
                widgets.HBox(
                    [self.tender_upload, self.measures_upload, self.example_button],
                    layout=widgets.Layout(flex_flow="row wrap"),
                ),
            ),
        ]

    # ------------------------------------------------------------------ views

    def headline_html(self, result: Result) -> str:
        """The winner, then one short line on the standstill period and the award notice data (OCDS), its full
        sentences a click away (the headline and the main chart share the first screen)."""

        def notice_line() -> str:
            stand = ocds.standstill(result.detail.result, result.settings.notice_date)
            ok, status = ocds.package_status(result.detail.result, result.settings.notice_date)
            ends = f"Standstill ends {format_date(stand.end)}" if stand is not None else "Standstill: no notice date"
            short = f"{ends}; award notice data (OCDS) {'valid' if ok else 'not made'}."
            detail = " ".join((rep.standstill_sentence(result), status))
            return f"<details><summary>{html.escape(short)}</summary>{html.escape(detail)}</details>"

        notice = self.cached("ocds-status", result.settings, notice_line)
        return f'{super().headline_html(result)}<span class="sv-ocds-status">{notice}</span>'

    def first_view(self, result: Result) -> str:
        """The score chart goes to the page with the headline, before the sensitivity checks are drawn."""
        # What the chart shows follows from the settings (the files they name are content-addressed uploads).
        return self.cached(
            "score-chart", result.settings, lambda: f'<div class="sv-score-chart">{score_chart(result)}</div>'
        )

    def views(self, result: Result) -> dict[str, str]:
        main = {"score-chart": self.first_view(result)}
        evaluation: Evaluation = result.detail
        scored = evaluation.result
        sv = scored.social_value.reindex(scored.ranking["bidder"])
        theme = self.cached(
            "theme",
            (tuple(sv.index), sv.to_numpy().tobytes(), result.settings.measures_is_example),
            lambda: theme_chart(result),
        )
        grid = grid_chart(result, keep=self.__dict__.setdefault("_grid_drawn", {}))
        ranking = charts.table_html(
            screen_table(explain.ranking_frame(evaluation)),
            caption="Ranking (rank 1 is the highest total; equal totals share a rank)",
        )
        tipping = "".join(f"<p>{html.escape(t.describe())}</p>" for t in evaluation.tipping_points) or (
            "<p>The tender has no price or social value criterion to move.</p>"
        )
        sensitivity = _section(
            "Would the decision survive scrutiny?",
            '<h3>Tipping points</h3><div class="sv-tipping">',
            tipping,
            "</div>",
            "<h3>Winner at other weights</h3>",
            f'<div class="sv-grid-chart">{grid}</div>',
            '<h3>Removing each bid in turn (rank reversal)</h3><div class="sv-rank-reversal">',
            f"<p>{html.escape(explain.reversal_sentence(evaluation))}</p>",
            charts.table_html(
                screen_table(explain.reversal_frame(evaluation)),
                caption="The order of the other bids when each bid is removed and the rest rescored",
            ),
            '</div><h3>Evaluator uncertainty</h3><div class="sv-monte-carlo">',
            f"<p>{html.escape(explain.chance_sentence(evaluation))}</p>",
            charts.table_html(
                screen_table(explain.chance_frame(evaluation)),
                caption="Chance of winning when evaluators' scores are uncertain",
            ),
            "</div>",
        )
        return {
            **main,
            "ranking": _section("Ranking", f'<div class="sv-ranking">{ranking}</div>'),
            "criterion-scores": _section(
                "Scores by criterion",
                charts.table_html(
                    explain.criterion_frame(scored), caption="Each bid's score on each criterion, in points"
                ),
            ),
            "theme-chart": _section(
                "Social value committed",
                f'<div class="sv-theme-chart">{theme}</div>',
                charts.table_html(
                    screen_table(explain.social_value_frame(evaluation)),
                    caption="Each bid's social value in present value (what the criterion scores), gross and net",
                ),
                f"<p>{html.escape(valuation.method_note(result.settings.discounting()))}</p>",
            ),
            "sensitivity": sensitivity,
        }

    # ------------------------------------------------------------------ what changes with a result

    def after_show(self, result: Result) -> None:
        settings: scoring.Settings = result.settings
        tender = self.inputs["tender"] if self.inputs is not None else result.detail.result.tender
        label = "the EXAMPLE tender" if settings.is_example else tender.name
        measures = "the example library" if settings.measures_is_example else Path(settings.measures_path).name
        self.source_note.value = (
            f'<p class="sv-example-note"><strong>EXAMPLE tender.</strong> {html.escape(EXAMPLE_NOTE)}</p>'
            if settings.is_example
            else f"<p>Evaluation: {html.escape(label)}; measures library: {html.escape(measures)}.</p>"
        )
        with self.quiet():
            self.weights.use_tender(tender)

    # ------------------------------------------------------------------ files

    def _on_upload(self, files: list[tuple[str, bytes]], setting_name: str) -> None:
        name, content = files[-1]
        with self.working("Reading the file…"):
            self._with_fresh_choices(
                lambda: self.use_upload(setting_name, name, content), setting_name == "tender_path"
            )

    def use_example(self) -> None:
        self._use_files(scoring.EXAMPLE_TENDER, scoring.EXAMPLE_MEASURES)

    def _use_files(self, tender_path: str, measures_path: str) -> None:
        def run() -> Result | None:
            previous = self.base_settings
            self.base_settings = previous.replace(tender_path=tender_path, measures_path=measures_path)
            result = self.refresh()
            if result is None:
                self.base_settings = previous
            return result

        self._with_fresh_choices(run, True)

    def _with_fresh_choices(self, action: Any, new_tender: bool) -> None:
        """A new tender comes with its own weights and price method: reset those controls, restoring them on failure."""
        if not new_tender:
            action()
            return
        before = (dict(self.weights.value), self.price_method.value)
        with self.quiet():
            self.weights.value = {}
            self.price_method.value = ""
        if action() is None:
            with self.quiet():
                self.weights.value, self.price_method.value = before

    report_title = "Tender evaluation report"

    def report_page(self, result: Result) -> str:
        return rep.report_html(result, figures=report_figures(result))

    def download_files(self, result: Result) -> list[tuple[bytes, str, str, str]]:
        return export_files(result)
