"""The tender evaluation report: what a committee paper needs, from one scored tender.

:func:`report_html` builds a self-contained page in the workbook's report look
(:func:`sv_helpers.reports.document.render_document`): the award recommendation; the method
(weights, price formula, scales, the minimum social value weight and whether it was
met); the ranking and the scores by criterion; the moderation record; the social value
committed by theme; the sensitivity checks in plain English; and the assessment
summaries as an appendix.  :func:`write` writes it with every table (the PDF printed by headless Chromium).

The ``*_frame`` functions give the tables with the workbook's column names; the app
shows the same tables, with the same screen labels (:func:`sv_helpers.reports.document.screen_table`).
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from sv_helpers.core import valuation as val
from sv_helpers.core.formatting import format_number
from sv_helpers.core.scenario import Result
from sv_helpers.reports.charts import table_html
from sv_helpers.reports.document import render_document, screen_table, write_report
from sv_helpers.scoring import ocds
from sv_helpers.scoring.charts import report_figures
from sv_helpers.scoring.explain import (
    _points,
    chance_frame,
    chance_sentence,
    criterion_frame,
    grid_sentence,
    method_frame,
    minimum_weight_sentence,
    moderation_frame,
    ranking_frame,
    recommendation,
    reversal_frame,
    reversal_sentence,
    social_value_frame,
)
from sv_helpers.scoring.sensitivity import Evaluation
from sv_helpers.scoring.tender import PRICE_METHOD_LABELS

#: The report's title.
TITLE = "Tender evaluation report"

# --------------------------------------------------------------------------- the page


def _table(frame: pd.DataFrame, caption: str) -> str:
    return table_html(screen_table(frame), caption=caption)


def _paragraphs(*sentences: str) -> str:
    return "".join(f"<p>{html.escape(s)}</p>" for s in sentences if s)


def report_sections(result: Result, figures: Mapping[str, str] | None = None) -> list[tuple[str, str]]:
    """The report's sections as (heading, HTML) pairs; ``figures`` are chart fragments (``scores``, ``themes``)."""
    figures = dict(figures or {})
    evaluation: Evaluation = result.detail
    scored = evaluation.result
    tender = scored.tender
    settings = result.settings
    weights_source = (
        "the weights set for this scenario" if settings.weights else "the evaluation workbook's own weights"
    )
    method = [
        _paragraphs(
            f"Weights: {weights_source}, in points adding up to 100. "
            f"Price is scored by “{PRICE_METHOD_LABELS.get(tender.price_method or '', 'no price criterion')}”"
            + (" (chosen for this scenario)." if settings.price_method else " (as the workbook sets it)."),
            "Quality and social value criteria are scored from 0 to "
            f"{_points(tender.settings.max_score)}; the final score is the moderated score where there is "
            "one, otherwise the mean of the evaluators' scores. Evaluators more "
            f"than {format_number(tender.settings.moderation_margin, 1)} points apart are flagged for moderation.",
            minimum_weight_sentence(scored),
        ),
        _table(method_frame(scored), "The criteria, their weights and how each is scored"),
    ]
    moderation = moderation_frame(scored)
    flagged = [f.message for f in scored.findings if "flagged for moderation" in f.message]
    moderation_html = (
        _table(moderation, "Scores agreed at moderation, with the evaluators' scores and the reasons")
        if len(moderation)
        else _paragraphs("No score was moderated: each final score is the mean of the evaluators' scores.")
    )
    moderation_html += (
        _paragraphs(*flagged) if flagged else _paragraphs("No evaluators' scores are left more than the margin apart.")
    )
    sv_note = (
        "Proxy values from the measures library: EXAMPLE values for illustration only."
        if settings.measures_is_example
        else "Proxy values from the council's measures library."
    )
    sensitivity = [
        "<h3>Tipping points</h3>",
        _paragraphs(*(t.describe() for t in evaluation.tipping_points))
        or _paragraphs("The tender has no price or social value criterion to move."),
        "<h3>Winner at other weights</h3>",
        _paragraphs(grid_sentence(evaluation)),
        "<h3>Removing each bid in turn (rank reversal)</h3>",
        _paragraphs(reversal_sentence(evaluation)),
        _table(
            reversal_frame(evaluation), "The order of the other bids when each bid is removed and the rest rescored"
        ),
        "<h3>Chance of winning when evaluators' scores are uncertain</h3>",
        _paragraphs(chance_sentence(evaluation)),
        _table(chance_frame(evaluation), "Chance of winning under evaluator uncertainty"),
    ]
    summaries = result.tables["assessment_summaries"]
    appendix = [
        _paragraphs(
            "Each bidder's scores and reasons beside the winning bid's, as the Procurement Act 2023 "
            "(section 50) asks the council to give every assessed supplier."
        )
    ]
    columns = ["criterion", "weight", "score", "basis", "reasons", "winning_score", "winning_reasons"]
    for bidder in scored.ranking["bidder"]:
        mine = summaries[summaries["bidder"] == bidder]
        appendix.append(f"<h3>{html.escape(str(bidder))} (rank {int(mine['rank'].iloc[0])})</h3>")
        appendix.append(_table(mine[columns], f"Assessment summary: {bidder}"))
    return [
        ("Award recommendation", _paragraphs(recommendation(evaluation))),
        ("Method", "".join(method)),
        (
            "Ranking and scores by criterion",
            _table(ranking_frame(evaluation), "Ranking (rank 1 is the highest total)")
            + figures.get("scores", "")
            + _table(criterion_frame(scored), "Each bid's points on each criterion"),
        ),
        ("Moderation record", moderation_html),
        (
            "Social value committed, by theme",
            _paragraphs(sv_note, val.method_note(settings.discounting()))
            + _table(
                social_value_frame(evaluation),
                "Social value committed by each bid, by theme, in present value, with its gross and net values (£)",
            )
            + figures.get("themes", "")
            + (
                _table(
                    result.tables["social_value_sensitivity"],
                    "How much each bid's present value rests on the assumptions: every adjustment halved and "
                    "doubled, and other discount rates",
                )
                if "social_value_sensitivity" in result.tables
                else ""
            ),
        ),
        ("Sensitivity checks", "".join(sensitivity)),
        ("Award notice and standstill period", award_notice_html(result)),
        ("Appendix: assessment summaries", "".join(appendix)),
    ]


def standstill_sentence(result: Result) -> str:
    """When the standstill period ends, or what is needed to say so (the report's summary and the app)."""
    stand = ocds.standstill(result.detail.result, result.settings.notice_date)
    if stand is None:
        return (
            "Standstill period: give the date the contract award notice is published (notice_date) to see when "
            "the eight working days of the Procurement Act 2023 (section 51) end."
        )
    return stand.describe()


def award_notice_html(result: Result) -> str:
    """The report's section on the contract award notice: the standstill period and the OCDS data."""
    scored = result.detail.result
    ok, status = ocds.package_status(scored, result.settings.notice_date)
    missing = ocds.missing_fields(scored, result.settings.notice_date)
    return (
        _paragraphs(standstill_sentence(result), status)
        + (
            _paragraphs(
                f"The run writes {ocds.PACKAGE_FILE} for the Central Digital Platform (Find a Tender) and "
                f"{ocds.FLAT_FILE}, the same data as a spreadsheet to check."
            )
            if ok
            else ""
        )
        + "<p>Not in the award notice data (an officer enters it on the platform):</p><ul>"
        + "".join(f"<li>{html.escape(m)}</li>" for m in missing)
        + "</ul>"
    )


def write(result: Result, output_dir: str | Path) -> list[Path]:
    """Write the batch outputs: every table as CSV, ``tender_evaluation.xlsx``, the assessment summaries,
    ``report.html`` with its charts, ``report.pdf`` (when Chromium is installed) and ``provenance.json``.

    Parameters
    ----------
    result : Result
        From :func:`sv_helpers.scoring.run`.
    output_dir : str or Path
        The folder to write into (made if missing).
    """
    return write_report(result, output_dir, report_html(result), excel_name="tender_evaluation.xlsx")


def report_html(result: Result, figures: Mapping[str, str] | None = None) -> str:
    """The tender evaluation report as one self-contained HTML page.

    Parameters
    ----------
    result : Result
        From :func:`sv_helpers.scoring.run`.
    figures : mapping of str to str, optional
        Chart fragments (``scores``, ``themes``) when already drawn (the app's); drawn here otherwise.
    """
    if figures is None:
        figures = report_figures(result)
    evaluation: Evaluation = result.detail
    settings = result.settings
    example = (
        "The bidders, prices, scores and commitments are fictional, and the proxy values are example values."
        if settings.is_example
        else None
    )
    return render_document(
        TITLE,
        report_sections(result, figures),
        result.provenance,
        intro=(
            f"Evaluation workbook: {evaluation.result.tender.name}; "
            f"measures library: {Path(settings.measures_path).name}."
        ),
        example_note=example,
        summary=[result.headline, standstill_sentence(result)],
        warnings=result.warnings,
    )
