"""The tender scoring app: upload an evaluation (or use the example), move the weights,
choose the price method, see the ranking, the charts and the sensitivity checks, and
download the results.

Interface layer: widgets and charts around :mod:`sv_helpers.scoring` and
:mod:`sv_helpers.sensitivity`.  Handlers are wrapped in :func:`ui.guarded`
and replace results only after a successful run, so the last good result
and the officer's inputs stay on screen when a file is wrong.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

import ipywidgets as widgets
import numpy as np
import pandas as pd

from sv_helpers import charts, exports, ui
from sv_helpers.formatting import format_money, format_number, format_pct
from sv_helpers.measures import THEMES, load_measures
from sv_helpers.paths import data_path
from sv_helpers.provenance import provenance_record
from sv_helpers.scoring import (
    GROUP_LABELS,
    GROUPS,
    PRICE_METHOD_LABELS,
    PRICE_METHODS,
    Tender,
    TenderResult,
    assessment_summary_files,
    load_tender,
    rebalance_weights,
    score_tender,
)
from sv_helpers.sensitivity import Evaluation, evaluate_tender

NOTEBOOK = "social_value_scoring.ipynb"
EXAMPLE_NOTE = (
    "You are looking at the EXAMPLE tender: the bidders, prices, scores and commitments are fictional, "
    "and the proxy values are example values for illustration only. Upload the council's evaluation workbook to score a real tender."
)
GROUP_COLOURS = {"price": charts.PALETTE[0], "quality": charts.PALETTE[1], "social_value": charts.PALETTE[2]}
GROUP_HATCHES = {"price": "", "quality": "//", "social_value": ".."}
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")


# --------------------------------------------------------------------------- tables and charts


def ranking_table(evaluation: Evaluation) -> pd.DataFrame:
    """The ranking as shown on screen (formatted text, screen labels)."""
    result = evaluation.result
    prices = result.social_value["price"]
    probs = evaluation.probabilities.set_index("bidder")["win_probability"]
    r = result.ranking
    return pd.DataFrame(
        {
            "Rank": r["rank"].astype(int),
            "Bidder": r["bidder"],
            "Price": [format_money(prices[b]) for b in r["bidder"]],
            "Price score": [format_number(v, 2) for v in r["price_score"]],
            "Quality score": [format_number(v, 2) for v in r["quality_score"]],
            "Social value score": [format_number(v, 2) for v in r["social_value_score"]],
            "Total score": [format_number(v, 2) for v in r["total_score"]],
            "Chance of winning": [format_pct(100 * probs[b], 1) for b in r["bidder"]],
        }
    )


def criterion_table(evaluation: Evaluation) -> pd.DataFrame:
    """Each bid's score on each criterion (bids as rows, criteria as columns)."""
    result = evaluation.result
    wide = result.criterion_scores.pivot(index="bidder", columns="criterion", values="score")
    wide = wide.reindex(index=result.ranking["bidder"], columns=result.tender.criterion_names)
    weights = result.tender.weights
    out = pd.DataFrame({"Bidder": wide.index})
    for c in wide.columns:
        out[f"{c} (weight {format_number(weights[c], 1)})"] = [format_number(v, 2) for v in wide[c]]
    return out


def score_chart(result: TenderResult) -> str:
    """Stacked bar chart of each bid's score by group."""
    r = result.ranking
    labels = [f"{b} (rank {k})" for b, k in zip(r["bidder"], r["rank"])]
    fig, ax = charts.new_figure(8.0, max(3.0, 0.5 * len(r) + 1.4))
    left = np.zeros(len(r))
    for group in GROUPS:
        values = r[f"{group}_score"].to_numpy(dtype=float)
        ax.barh(labels, values, left=left, color=GROUP_COLOURS[group], hatch=GROUP_HATCHES[group], edgecolor="white", label=GROUP_LABELS[group])
        left += values
    for y, total in enumerate(left):
        ax.text(total + 0.5, y, format_number(total, 1), va="center", fontsize=9)
    ax.invert_yaxis()
    ax.set_xlim(0, 105)
    ax.set_xlabel("Score out of 100")
    ax.set_title("Score of each bid by price, quality and social value", loc="left", fontsize=12)
    ax.legend(frameon=False, loc="lower right", fontsize=9)
    weights = result.tender.weights.groupby(result.tender.groups).sum()
    alt = (
        "Stacked bar chart of each bid's total score out of 100, split into price, quality and social value, best bid first. "
        + charts.describe_values(labels, [format_number(v, 1) for v in left])
        + ". Weights: "
        + ", ".join(f"{GROUP_LABELS[g].lower()} {format_number(weights.get(g, 0), 1)}" for g in GROUPS)
        + "."
    )
    data = r[["bidder", "price_score", "quality_score", "social_value_score", "total_score", "rank"]].copy()
    data = data.rename(columns={"bidder": "Bidder", "price_score": "Price score", "quality_score": "Quality score", "social_value_score": "Social value score", "total_score": "Total score", "rank": "Rank"})
    for c in ("Price score", "Quality score", "Social value score", "Total score"):
        data[c] = [format_number(v, 2) for v in data[c]]
    return charts.figure_html(fig, alt=alt, caption="Scores use the weights and price method chosen above.", data=data)


def theme_chart(evaluation: Evaluation, is_example: bool) -> str:
    """Stacked bar chart of the social value each bid commits, by theme."""
    sv = evaluation.result.social_value.reindex(evaluation.result.ranking["bidder"])
    labels = list(sv.index)
    fig, ax = charts.new_figure(8.0, max(3.0, 0.5 * len(sv) + 1.4))
    left = np.zeros(len(sv))
    for i, theme in enumerate(THEMES):
        values = sv[theme].to_numpy(dtype=float)
        ax.barh(labels, values, left=left, color=charts.THEME_COLOURS[theme], hatch=charts.HATCHES[i], edgecolor="white", label=theme.capitalize())
        left += values
    for y, total in enumerate(left):
        ax.text(total, y, " " + format_money(total), va="center", fontsize=9)
    ax.invert_yaxis()
    ax.set_xlim(0, max(left.max(), 1.0) * 1.25)
    ax.xaxis.set_major_formatter(lambda v, _: format_money(v))
    ax.set_xlabel("Social value committed (£)")
    ax.set_title("Social value committed by each bid, by theme", loc="left", fontsize=12)
    ax.legend(title="Theme", frameon=False, loc="lower right", fontsize=9)
    alt = (
        "Stacked bar chart of the social value each bid commits to, in pounds, split into the social, economic and environmental themes. "
        + charts.describe_values(labels, [format_money(v) for v in left])
        + "."
    )
    data = pd.DataFrame(
        {
            "Bidder": labels,
            "Social": [format_money(v) for v in sv["social"]],
            "Economic": [format_money(v) for v in sv["economic"]],
            "Environmental": [format_money(v) for v in sv["environmental"]],
            "Total social value": [format_money(v) for v in sv["social_value_gbp"]],
            "Per pound of price": [format_money(v, 2) for v in sv["value_per_pound"]],
            "Commitments not monetised": sv["measures_not_monetised"].astype(int).tolist(),
        }
    )
    caption = "Proxy values from the measures library" + (" (EXAMPLE values for illustration only)." if is_example else ".")
    return charts.figure_html(fig, alt=alt, caption=caption, data=data)


def grid_chart(evaluation: Evaluation) -> str:
    """The winner at each combination of price and social value weights."""
    grid = evaluation.grid
    tender = evaluation.result.tender
    weights = tender.weights.groupby(tender.groups).sum()
    p0, v0 = float(weights.get("price", 0.0)), float(weights.get("social_value", 0.0))
    fig, ax = charts.new_figure(8.0, 5.5)
    winners = list(dict.fromkeys(grid["winner"]))
    order = {b: i for i, b in enumerate(tender.bidders)}
    winners.sort(key=lambda w: order.get(w.split(" and ")[0], 99))
    counts = grid["winner"].value_counts()
    for i, w in enumerate(winners):
        cells = grid[grid["winner"] == w]
        ax.scatter(cells["price_weight"], cells["social_value_weight"], s=70, marker=MARKERS[i % len(MARKERS)], color=charts.colour(i), label=w, edgecolors="white", linewidths=0.5)
    ax.scatter([p0], [v0], s=260, marker="o", facecolors="none", edgecolors="black", linewidths=2, label="Current weights")
    ax.set_xlabel("Price weight (points)")
    ax.set_ylabel("Social value weight (points)")
    ax.set_xlim(-3, 103)
    ax.set_ylim(-3, 103)
    ax.set_title("Which bid wins at each price and social value weight (quality takes the rest)", loc="left", fontsize=11)
    ax.legend(frameon=False, loc="upper right", fontsize=9)
    here = grid[(np.isclose(grid["price_weight"], p0)) & (np.isclose(grid["social_value_weight"], v0))]
    alt = (
        "Chart of the winning bid over a grid of price weights (across) and social value weights (up), with quality taking the rest. "
        + charts.describe_values(winners, [f"wins at {counts[w]} of {len(grid)} weight combinations" for w in winners])
        + f". At the current weights (price {format_number(p0, 1)}, social value {format_number(v0, 1)}) the winner is {evaluation.result.winner}."
        + ("" if len(here) else " The current weights fall between grid points.")
    )
    table = grid.rename(columns={"price_weight": "Price weight", "social_value_weight": "Social value weight", "quality_weight": "Quality weight", "winner": "Winner"})
    return charts.figure_html(fig, alt=alt, caption="Each group's criteria keep their proportions within the group.", data=table)


def export_files(evaluation: Evaluation, provenance: dict[str, Any]) -> list[tuple[bytes, str, str, str]]:
    """The downloads: (content, filename, label, mime) tuples."""
    tables = evaluation.tables()
    files = [
        (exports.excel_bytes(tables, provenance), "tender_evaluation.xlsx", "All results (Excel workbook, with the provenance record)", ui.XLSX_MIME),
        (exports.csv_bytes(tables["ranking"]), "ranking.csv", "Ranking (CSV)", ui.CSV_MIME),
        (exports.csv_bytes(tables["criterion_scores"]), "criterion_scores.csv", "Scores by criterion (CSV)", ui.CSV_MIME),
        (exports.csv_bytes(tables["assessment_summaries"]), "assessment_summaries.csv", "Assessment summaries for every bidder (CSV)", ui.CSV_MIME),
        (exports.json_text(provenance).encode("utf-8"), "provenance.json", "Provenance record (JSON)", ui.JSON_MIME),
    ]
    note = f"Provenance: made with sv-helpers {provenance['package_version']} on {provenance['created_at']}; inputs' SHA-256 in provenance.json."
    summaries = assessment_summary_files(evaluation.result, note)
    for (name, text), bidder in zip(summaries.items(), evaluation.result.ranking["bidder"]):
        files.append((text.encode("utf-8"), name, f"Assessment summary for {bidder} (text)", "text/markdown"))
    return files


# --------------------------------------------------------------------------- the app


class ScoringApp:
    """The widget tree and its handlers.

    Parameters
    ----------
    tender_source, measures_source : str or Path
        The files shown first (the example tender and library by default).
    draws, seed : int
        Monte Carlo draws and seed.
    uncertainty_margin : float
        Points either way for the Monte Carlo.
    price_method : str, optional
        The price method to start with (default: the file's).
    is_example : bool
        Whether the first tender is the example (labelled on screen).
    """

    def __init__(
        self,
        tender_source: str | Path,
        measures_source: str | Path,
        *,
        draws: int = 10_000,
        seed: int = 0,
        uncertainty_margin: float = 0.5,
        price_method: str | None = None,
        is_example: bool = True,
        tender: Tender | None = None,
        measures: pd.DataFrame | None = None,
    ) -> None:
        self.draws, self.seed = int(draws), int(seed)
        self.banner = ui.ErrorBanner()
        self.notes = ui.ErrorBanner()
        self.notes.add_class("sv-notes")
        self.banner.add_class("sv-error-banner")
        self._syncing = False

        self.tender_upload = ui.upload("Upload an evaluation workbook (.xlsx)", accept=".xlsx")
        self.tender_upload.add_class("sv-tender-upload")
        self.measures_upload = ui.upload("Upload a measures library (.csv or .xlsx)", accept=".csv,.xlsx")
        self.measures_upload.add_class("sv-measures-upload")
        self.example_button = ui.button("Use the example tender", style="")
        self.example_button.add_class("sv-use-example")
        template = data_path("tenders", "tender_template.xlsx").read_bytes()
        self.template_link = widgets.HTML(ui.downloads_html([(template, "tender_template.xlsx", "Blank evaluation workbook (Excel template)", ui.XLSX_MIME)]))
        self.source_note = widgets.HTML()
        self.source_note.add_class("sv-source-note")

        # State: replaced only after a successful run.
        tender = load_tender(tender_source) if tender is None else tender
        measures = load_measures(measures_source) if measures is None else measures
        first_method = price_method or tender.price_method or PRICE_METHODS[0]
        self.price_method = ui.dropdown("Price method", [(PRICE_METHOD_LABELS[m], m) for m in PRICE_METHODS], value=first_method)
        self.price_method.add_class("sv-price-method")
        self.margin = ui.slider("Evaluator uncertainty (points either way)", float(uncertainty_margin), 0.0, 2.0, 0.1, readout_format=".1f")
        self.margin.add_class("sv-margin")
        self.weights_box = widgets.VBox()
        self.weights_box.add_class("sv-weights")
        self.weights_note = widgets.HTML()
        self.weights_note.add_class("sv-weights-note")
        self.sliders: dict[str, widgets.FloatSlider] = {}

        self.headline = widgets.HTML()
        self.headline.add_class("sv-headline")
        self.ranking_html = widgets.HTML()
        self.ranking_html.add_class("sv-ranking")
        self.score_chart = widgets.HTML()
        self.score_chart.add_class("sv-score-chart")
        self.criterion_html = widgets.HTML()
        self.criterion_html.add_class("sv-criterion-scores")
        self.theme_chart = widgets.HTML()
        self.theme_chart.add_class("sv-theme-chart")
        self.tipping_html = widgets.HTML()
        self.tipping_html.add_class("sv-tipping")
        self.grid_chart = widgets.HTML()
        self.grid_chart.add_class("sv-grid-chart")
        self.reversal_html = widgets.HTML()
        self.reversal_html.add_class("sv-rank-reversal")
        self.monte_carlo_html = widgets.HTML()
        self.monte_carlo_html.add_class("sv-monte-carlo")
        self.downloads = widgets.HTML()
        self.downloads.add_class("sv-downloads-area")

        self.tender_input: str | Path | bytes = Path(tender_source)
        self.measures_input: str | Path | bytes = Path(measures_source)
        self.tender_name = Path(tender_source).name
        self.measures_name = Path(measures_source).name
        self.is_example = is_example
        self.measures_is_example = is_example
        self.tender: Tender = tender
        self.measures: pd.DataFrame = measures
        self.weights: pd.Series = tender.weights
        self.evaluation: Evaluation | None = None
        self._run(tender, measures, tender.weights, self.price_method.value)
        self._build_sliders()

        guard = ui.guarded(self.banner)
        self.tender_upload.observe(guard(self._on_tender_upload), names="value")
        self.measures_upload.observe(guard(self._on_measures_upload), names="value")
        self.example_button.on_click(guard(self._on_example))
        self.price_method.observe(guard(self._on_method), names="value")
        self.margin.observe(guard(self._on_margin), names="value")
        self._example_sources = (Path(tender_source), Path(measures_source))

        # Work-around: the template's shell is light grey (#eeeeee) where the page is no taller than
        # the window, which leaves links at 4.45:1 contrast; the app draws its own white background.
        style = widgets.HTML("<style>.sv-app.sv-scoring { background-color: #ffffff; }</style>")
        self.root = widgets.VBox(
            [
                style,
                self.source_note,
                self.banner,
                ui.section(
                    "The evaluation",
                    ui.paragraph("Upload the evaluation workbook (sheets: criteria, bids, scores, commitments and, optionally, settings) or use the example. A measures library replaces the example proxy values."),
                    self.template_link,
                    widgets.HBox([self.tender_upload, self.measures_upload, self.example_button], layout=widgets.Layout(flex_flow="row wrap")),
                ),
                ui.section(
                    "Weights and method",
                    ui.paragraph("Moving one weight scales the others in proportion, so the weights always add up to 100."),
                    self.weights_box,
                    self.weights_note,
                    self.price_method,
                ),
                self.notes,
                ui.section("Result", self.headline, self.ranking_html, self.score_chart),
                ui.section("Scores by criterion", self.criterion_html),
                ui.section("Social value committed", self.theme_chart),
                ui.section(
                    "Would the decision survive scrutiny?",
                    ui.heading("Tipping points", 3),
                    self.tipping_html,
                    ui.heading("Winner at other weights", 3),
                    self.grid_chart,
                    ui.heading("Removing each bid in turn (rank reversal)", 3),
                    self.reversal_html,
                    ui.heading("Evaluator uncertainty", 3),
                    self.margin,
                    self.monte_carlo_html,
                ),
                ui.section("Download the results", self.downloads),
            ]
        )
        self.root.add_class("sv-app")
        self.root.add_class("sv-scoring")

    # ----------------------------------------------------------------- running

    def _run(self, tender: Tender, measures: pd.DataFrame, weights: pd.Series, method: str, *, new_inputs: bool = True) -> None:
        """Score and check; on success replace the state and the result widgets.

        ``new_inputs`` is False when only the weights, the price method or the
        margin changed: the social value by theme is then left as it is.
        """
        result = score_tender(tender, measures, weights=weights.to_dict(), price_method=method)
        chart = score_chart(result)
        evaluation = evaluate_tender(result, uncertainty_margin=self.margin.value, draws=self.draws, seed=self.seed)
        # Success: from here on, only drawing.
        self.tender, self.measures, self.weights, self.evaluation = tender, measures, weights, evaluation
        self.banner.clear()
        self.score_chart.value = chart  # first, so a weight change shows at once
        self._show_results(evaluation, new_inputs=new_inputs)

    def _show_results(self, evaluation: Evaluation, *, new_inputs: bool = True) -> None:
        result = evaluation.result
        self.notes.show_findings(result.findings)
        label = "EXAMPLE tender" if self.is_example else self.tender_name
        self.source_note.value = (
            f'<p class="sv-example-note"><strong>{html.escape(EXAMPLE_NOTE)}</strong></p>' if self.is_example else ""
        ) + f"<p>Evaluation: {html.escape(label)}; measures library: {html.escape(self.measures_name)}.</p>"
        winner = result.winner
        total = result.ranking["total_score"].iloc[0]
        tied = len(result.winners) > 1
        self.headline.value = (
            f"<p><strong>{'Joint winners' if tied else 'Winner'}: {html.escape(winner)}</strong>, with {format_number(total, 2)} points out of 100. "
            f"{len(result.ranking)} bids scored; price scored by “{html.escape(PRICE_METHOD_LABELS.get(result.tender.price_method or '', 'no price criterion'))}”.</p>"
        )
        self.ranking_html.value = charts.table_html(ranking_table(evaluation), caption="Ranking (rank 1 is the highest total; equal totals share a rank)")
        self.criterion_html.value = charts.table_html(criterion_table(evaluation), caption="Each bid's score on each criterion, in points")
        if new_inputs:
            self.theme_chart.value = theme_chart(evaluation, self.measures_is_example)
        self.tipping_html.value = "".join(f"<p>{html.escape(t.describe())}</p>" for t in evaluation.tipping_points) or "<p>The tender has no price or social value criterion to move.</p>"
        self.grid_chart.value = grid_chart(evaluation)
        rev = evaluation.reversal.rename(columns={"removed_bidder": "Bid removed", "new_winner": "Winner without it", "order_changed": "Order of the others changed", "changes": "What changes"})
        rev["Order of the others changed"] = rev["Order of the others changed"].map({True: "Yes", False: "No"})
        changed = int(evaluation.reversal["order_changed"].sum())
        lead = (
            "<p>Removing a bid never changes the order of the others.</p>"
            if not changed
            else f"<p><strong>Rank reversal: removing {changed} of the bids changes the order of the others.</strong> Relative price scoring can do this; be ready to explain it.</p>"
        )
        self.reversal_html.value = lead + charts.table_html(rev, caption="The order of the other bids when each bid is removed and the rest rescored")
        probs = evaluation.probabilities
        mc = pd.DataFrame(
            {
                "Bidder": probs["bidder"],
                "Chance of winning": [format_pct(100 * p, 1) for p in probs["win_probability"]],
                "Average total score": [format_number(v, 2) for v in probs["mean_total_score"]],
            }
        )
        self.monte_carlo_html.value = (
            f"<p>Each final score moved at random by up to {format_number(evaluation.uncertainty_margin, 1)} points either way (kept within the scale), "
            f"{format_number(evaluation.draws)} times (seed {evaluation.seed}).</p>" + charts.table_html(mc, caption="Chance of winning when evaluators' scores are uncertain")
        )
        self._show_weights_note()
        self.downloads.value = ui.downloads_html(export_files(evaluation, self.provenance()))

    def provenance(self) -> dict[str, Any]:
        """The provenance record of what is on screen."""
        ev = self.evaluation
        assert ev is not None
        return provenance_record(
            {
                "tender": self.tender_name,
                "measures": self.measures_name,
                "weights": self.weights.to_dict(),
                "price_method": ev.result.tender.price_method,
                "uncertainty_margin": ev.uncertainty_margin,
                "monte_carlo_draws": ev.draws,
                "seed": ev.seed,
            },
            {"tender": self.tender_input, "measures": self.measures_input},
            notebook=NOTEBOOK,
        )

    # ----------------------------------------------------------------- weights

    def _build_sliders(self) -> None:
        self.sliders = {}
        rows = []
        guard = ui.guarded(self.banner)
        for i, (criterion, group) in enumerate(zip(self.tender.criterion_names, self.tender.criteria["group"])):
            s = ui.slider(f"Weight: {criterion} ({GROUP_LABELS[group].lower()})", float(self.weights[criterion]), 0.0, 100.0, 0.1, readout_format=".1f")
            s.add_class(f"sv-weight-{i}")
            s.observe(guard(lambda change, c=criterion: self._on_weight(c, change)), names="value")
            self.sliders[criterion] = s
            rows.append(s)
        self.weights_box.children = rows
        self._show_weights_note()

    def _sync_sliders(self) -> None:
        self._syncing = True
        try:
            for c, s in self.sliders.items():
                if abs(s.value - self.weights[c]) > 1e-9:
                    s.value = float(self.weights[c])
        finally:
            self._syncing = False

    def _show_weights_note(self) -> None:
        by_group = self.weights.groupby(self.tender.groups).sum()
        parts = ", ".join(f"{GROUP_LABELS[g].lower()} {format_number(by_group[g], 1)}" for g in GROUPS if g in by_group.index)
        self.weights_note.value = f"<p>The weights add up to {format_number(self.weights.sum(), 1)}: {parts}.</p>"

    def _on_weight(self, criterion: str, change: dict) -> None:
        if self._syncing:
            return
        new = rebalance_weights(self.weights, criterion, float(change["new"]))
        try:
            self._run(self.tender, self.measures, new, self.price_method.value, new_inputs=False)
        finally:
            self._sync_sliders()  # back to the last good weights on failure

    # ----------------------------------------------------------------- other handlers

    def _on_method(self, change: dict) -> None:
        if self._syncing:
            return
        self._run(self.tender, self.measures, self.weights, change["new"], new_inputs=False)

    def _on_margin(self, change: dict) -> None:
        if self._syncing:
            return
        self._run(self.tender, self.measures, self.weights, self.price_method.value, new_inputs=False)

    def _on_tender_upload(self, change: dict) -> None:
        uploaded = ui.uploaded_file(self.tender_upload)
        if uploaded is None:
            return
        name, content = uploaded
        tender = load_tender(content, filename=name)
        previous = (self.tender_input, self.tender_name, self.is_example)
        self.tender_input, self.tender_name, self.is_example = content, name, False
        try:
            self._run(tender, self.measures, tender.weights, tender.price_method or self.price_method.value)
        except Exception:
            self.tender_input, self.tender_name, self.is_example = previous
            raise
        self._after_new_tender()

    def _on_measures_upload(self, change: dict) -> None:
        uploaded = ui.uploaded_file(self.measures_upload)
        if uploaded is None:
            return
        name, content = uploaded
        measures = load_measures(content, filename=name)
        previous = (self.measures_input, self.measures_name)
        self.measures_input, self.measures_name = content, name
        try:
            self._run(self.tender, measures, self.weights, self.price_method.value)
        except Exception:
            self.measures_input, self.measures_name = previous
            raise
        self.measures_is_example = False
        self._show_results(self.evaluation)  # relabel the source note and captions

    def _on_example(self, button: Any) -> None:
        tender_path, measures_path = self._example_sources
        tender, measures = load_tender(tender_path), load_measures(measures_path)
        previous = (self.tender_input, self.tender_name, self.measures_input, self.measures_name, self.is_example)
        self.tender_input, self.tender_name, self.measures_input, self.measures_name, self.is_example = tender_path, tender_path.name, measures_path, measures_path.name, True
        self.measures_is_example = True
        try:
            self._run(tender, measures, tender.weights, tender.price_method or PRICE_METHODS[0])
        except Exception:
            self.tender_input, self.tender_name, self.measures_input, self.measures_name, self.is_example = previous
            raise
        self._after_new_tender()

    def _after_new_tender(self) -> None:
        self._build_sliders()
        method = self.evaluation.result.tender.price_method if self.evaluation else None
        if method and method != self.price_method.value:
            self._syncing = True
            try:
                self.price_method.value = method
            finally:
                self._syncing = False


def build_app(
    tender_path: str | Path,
    measures_path: str | Path,
    *,
    monte_carlo_draws: int = 10_000,
    seed: int = 0,
    uncertainty_margin: float = 0.5,
    price_method: str | None = None,
    is_example: bool = True,
    tender: Tender | None = None,
    measures: pd.DataFrame | None = None,
) -> widgets.VBox:
    """Build the tender scoring app (root widget has the class ``sv-app``).

    ``tender`` and ``measures``, when given, are the already loaded files
    (saves reading them twice); the paths are still used for the provenance.

    Raises
    ------
    InputError
        When the first tender or library cannot be loaded or scored.
    """
    app = ScoringApp(
        tender_path,
        measures_path,
        draws=monte_carlo_draws,
        seed=seed,
        uncertainty_margin=uncertainty_margin,
        price_method=price_method,
        is_example=is_example,
        tender=tender,
        measures=measures,
    )
    app.root._sv_app = app  # keep the handlers' owner alive with the widget
    return app.root


def apply_settings(
    root: widgets.VBox,
    *,
    price_method: str | None = None,
    uncertainty_margin: float | None = None,
    monte_carlo_draws: int | None = None,
    seed: int | None = None,
) -> None:
    """Change a built app's settings (e.g. from a shared link) and rescore once if any changed."""
    app: ScoringApp = root._sv_app
    changed = False
    if monte_carlo_draws is not None and int(monte_carlo_draws) != app.draws:
        app.draws, changed = int(monte_carlo_draws), True
    if seed is not None and int(seed) != app.seed:
        app.seed, changed = int(seed), True
    app._syncing = True  # set the controls without running their handlers
    try:
        if uncertainty_margin is not None and float(uncertainty_margin) != app.margin.value:
            app.margin.value, changed = float(uncertainty_margin), True
        if price_method and price_method != app.price_method.value and app.tender.price_method is not None:
            app.price_method.value, changed = price_method, True
    finally:
        app._syncing = False
    if changed:
        app._run(app.tender, app.measures, app.weights, app.price_method.value, new_inputs=False)
