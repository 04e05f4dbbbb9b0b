"""The checks before a tender is scored: every problem in the evaluation file, in plain English."""

from __future__ import annotations

import pandas as pd

from sv_helpers.core.errors import Finding
from sv_helpers.core.formatting import format_money, format_number
from sv_helpers.core.measures import unknown_measure_codes
from sv_helpers.scoring.tender import MODERATED, PRICE_METHODS, TOTAL_WEIGHT, Tender


def _sheet_row(filename: str, sheet: str, row: object) -> str:
    return f"{filename}, sheet '{sheet}', row {row}"


def check_tender(tender: Tender, measures: pd.DataFrame, *, kept: dict | None = None) -> list[Finding]:
    """Check an evaluation before it is scored.

    Parameters
    ----------
    tender : Tender
        From :func:`load_tender`.
    measures : DataFrame
        The measures library, from :func:`sv_helpers.core.measures.load_measures`.
    kept : dict, optional
        Keeps the findings that do not depend on the weights, for checking the same tender and library again
        with other weights (an app's redraw). Give a new dict for another tender or library.

    Returns
    -------
    list of Finding
        Errors (the tender cannot be scored) and warnings (shown beside the
        results), each a plain-English sentence that says what to do.
    """
    criteria = tender.criteria
    findings: list[Finding] = []
    total = float(criteria["weight"].sum())
    if abs(total - TOTAL_WEIGHT) > 1e-6:
        findings.append(
            Finding(
                "error",
                f"The criteria weights add up to {format_number(total, 1)}, not 100. Change the weights so that they add up to 100.",
            )
        )
    key = tuple(zip(criteria.index, criteria["criterion"], criteria["group"], criteria["method"], strict=True))
    if kept is None or kept.get("key") != key:
        checked = {
            "key": key,
            "methods": _method_findings(tender),
            "evaluation": _evaluation_findings(tender, measures),
        }
        if kept is not None:
            kept.clear()
            kept.update(checked)
    else:
        checked = kept
    findings += checked["methods"]
    sv_weight = float(criteria.loc[criteria["group"] == "social_value", "weight"].sum())
    minimum = tender.settings.minimum_social_value_weight
    if sv_weight < minimum:
        findings.append(
            Finding(
                "warning",
                f"Social value carries {format_number(sv_weight, 1)}% of the total score, below the minimum of {format_number(minimum, 1)}%. "
                "Central government's Social Value Model requires at least 10%; check the council's own minimum before publishing.",
            )
        )
    return findings + checked["evaluation"]


def _method_findings(tender: Tender) -> list[Finding]:
    """:func:`check_tender`'s findings about the criteria's groups and methods."""
    findings: list[Finding] = []
    name, criteria = tender.name, tender.criteria
    price_rows = criteria[criteria["group"] == "price"]
    if len(price_rows) > 1:
        findings.append(
            Finding(
                "error",
                f"There are {len(price_rows)} price criteria ({', '.join(price_rows['criterion'])}); keep one price criterion.",
            )
        )
    for row, criterion, group, method in zip(
        criteria.index, criteria["criterion"], criteria["group"], criteria["method"]
    ):
        where = _sheet_row(name, "criteria", row)
        if group == "price" and method not in PRICE_METHODS:
            findings.append(
                Finding(
                    "error",
                    f"{where}: the price criterion '{criterion}' has the method '{method}'; use {' or '.join(PRICE_METHODS)}.",
                )
            )
        elif group != "price" and method in PRICE_METHODS:
            findings.append(
                Finding(
                    "error",
                    f"{where}: '{criterion}' is not a price criterion, so its method cannot be '{method}'; use 'scored'.",
                )
            )
        elif group == "quality" and method == "proxy_value":
            findings.append(
                Finding(
                    "error",
                    f"{where}: '{criterion}' is a quality criterion; only social value criteria can use 'proxy_value'. Use 'scored'.",
                )
            )
    return findings


def _evaluation_findings(tender: Tender, measures: pd.DataFrame) -> list[Finding]:
    """:func:`check_tender`'s findings about the bids, the scores and the commitments (none is about weights)."""
    findings: list[Finding] = []
    name = tender.name
    criteria, bids, scores, commitments = tender.criteria, tender.bids, tender.scores, tender.commitments
    max_score = tender.settings.max_score
    for row, bidder, price in zip(bids.index, bids["bidder"], bids["price"]):
        if not price > 0:
            findings.append(
                Finding(
                    "error",
                    f"{_sheet_row(name, 'bids', row)}: the price of {bidder}'s bid is {format_money(price, 2)}; a price must be more than £0.",
                )
            )

    bidders = set(tender.bidders)
    criterion_method = dict(zip(criteria["criterion"], criteria["method"]))
    scored = [c for c, m in criterion_method.items() if m == "scored"]
    for row, bidder, criterion, evaluator, score in zip(
        scores.index, scores["bidder"], scores["criterion"], scores["evaluator"], scores["score"]
    ):
        where = _sheet_row(name, "scores", row)
        if bidder not in bidders:
            findings.append(
                Finding(
                    "error",
                    f"{where}: '{bidder}' is not a bidder in the bids sheet. Correct the name so it matches exactly.",
                )
            )
        if criterion not in criterion_method:
            findings.append(
                Finding(
                    "error",
                    f"{where}: '{criterion}' is not a criterion in the criteria sheet. Correct the name so it matches exactly.",
                )
            )
        elif criterion_method[criterion] != "scored":
            findings.append(
                Finding(
                    "warning",
                    f"{where}: '{criterion}' is scored by {criterion_method[criterion].replace('_', ' ')}, so this evaluator's score is not used.",
                )
            )
        if not (0 <= score <= max_score):
            findings.append(
                Finding(
                    "error",
                    f"{where}: {evaluator}'s score {format_number(score, 1)} is outside the scale of 0 to {format_number(max_score, 1)}.",
                )
            )
    duplicated = scores.duplicated(["bidder", "criterion", "evaluator"], keep="first")
    for row in scores.index[duplicated]:
        r = scores.loc[row]
        findings.append(
            Finding(
                "error",
                f"{_sheet_row(name, 'scores', row)}: {r['evaluator']} has scored {r['bidder']} on '{r['criterion']}' twice. Delete one of the rows.",
            )
        )

    present = set(zip(scores["bidder"], scores["criterion"]))
    for bidder in tender.bidders:
        missing = [c for c in scored if (bidder, c) not in present]
        if missing:
            findings.append(
                Finding(
                    "error",
                    f"{bidder} has no score for {', '.join(repr(c) for c in missing)}. Add the evaluators' scores (or the moderated score) to the scores sheet.",
                )
            )

    margin = tender.settings.moderation_margin
    evaluators = scores[scores["evaluator"].str.strip().str.lower() != MODERATED]
    moderated = set(
        zip(
            scores.loc[scores["evaluator"].str.strip().str.lower() == MODERATED, "bidder"],
            scores.loc[scores["evaluator"].str.strip().str.lower() == MODERATED, "criterion"],
        )
    )
    if len(evaluators):
        spread = evaluators.groupby(["bidder", "criterion"], sort=False)["score"].agg(["min", "max"])
        for (bidder, criterion), lo, hi in zip(spread.index, spread["min"], spread["max"]):
            if hi - lo > margin + 1e-9 and (bidder, criterion) not in moderated:
                findings.append(
                    Finding(
                        "warning",
                        f"The evaluators' scores for {bidder} on '{criterion}' range from {format_number(lo, 1)} to {format_number(hi, 1)}, "
                        f"more than {format_number(margin, 1)} apart: flagged for moderation. Add a 'moderated' row with the agreed score.",
                    )
                )

    unknown = unknown_measure_codes(commitments, measures)
    if unknown:
        findings.append(
            Finding(
                "error",
                f"The commitments sheet uses the measure code{'s' if len(unknown) > 1 else ''} {', '.join(repr(c) for c in unknown)}, not in the measures library. Correct the code, or load the library that defines it.",
            )
        )
    strangers = sorted(set(commitments["bidder"]) - bidders)
    if strangers:
        findings.append(
            Finding(
                "error",
                f"The commitments sheet names {', '.join(repr(b) for b in strangers)}, not a bidder in the bids sheet. Correct the name so it matches exactly.",
            )
        )
    return findings


def checks_table(findings: list[Finding]) -> pd.DataFrame:
    """The checks' findings as a table: ``level, message``."""
    return pd.DataFrame([{"level": f.level, "message": f.message} for f in findings], columns=["level", "message"])
