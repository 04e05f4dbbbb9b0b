"""The evaluation explained: its tables and sentences, with the workbook's column names, as the app shows
them (with the screen labels of :func:`sv_helpers.reports.document.screen_table`) and the tender evaluation
report prints them.
"""

from __future__ import annotations

import pandas as pd

from sv_helpers.core.formatting import format_money, format_number, format_pct, sentence_list
from sv_helpers.core.measures import THEMES
from sv_helpers.scoring.model import TenderResult
from sv_helpers.scoring.sensitivity import Evaluation
from sv_helpers.scoring.tender import GROUP_LABELS, MODERATED

#: How each criterion method turns a bid into points, in plain English.
METHOD_TEXT = {
    "lowest_price": "weight × lowest price ÷ the bid's price",
    "deviation_from_lowest": "weight × (1 − the fraction by which the bid's price is above the lowest), not below 0",
    "scored": "weight × final score ÷ maximum score",
    "proxy_value": "weight × the bid's social value in pounds ÷ the highest social value among the bids",
}


def _points(value: float) -> str:
    return format_number(value, 0 if float(value).is_integer() else 1)


def _yes_no(flag: bool) -> str:
    return "Yes" if flag else "No"


# --------------------------------------------------------------------------- tables (workbook column names)


def ranking_frame(evaluation: Evaluation) -> pd.DataFrame:
    """The ranking with each bid's price and chance of winning (``rank, bidder, price_gbp, …, win_probability``)."""
    result = evaluation.result
    r = result.ranking
    prices = result.social_value["price"]
    probs = evaluation.probabilities.set_index("bidder")["win_probability"]
    return pd.DataFrame(
        {
            "rank": r["rank"].astype(int).to_numpy(),
            "bidder": r["bidder"].to_numpy(),
            "price_gbp": [float(prices[b]) for b in r["bidder"]],
            "price_score": r["price_score"].to_numpy(),
            "quality_score": r["quality_score"].to_numpy(),
            "social_value_score": r["social_value_score"].to_numpy(),
            "total_score": r["total_score"].to_numpy(),
            "chance_of_winning": [format_pct(100 * probs[b], 1) for b in r["bidder"]],
        }
    )


def criterion_frame(result: TenderResult) -> pd.DataFrame:
    """Each bid's points on each criterion: bids as rows (ranking order), criteria as columns with their weights."""
    wide = result.criterion_scores.pivot(index="bidder", columns="criterion", values="score")
    wide = wide.reindex(index=result.ranking["bidder"], columns=result.tender.criterion_names)
    weights = result.tender.weights
    out = pd.DataFrame({"Bidder": wide.index.to_numpy()})
    for c in wide.columns:
        out[f"{c} (weight {format_number(weights[c], 1)})"] = [format_number(v, 2) for v in wide[c]]
    return out


def method_frame(result: TenderResult) -> pd.DataFrame:
    """The criteria as scored: ``criterion, group, weight, method``, the method in plain English."""
    c = result.tender.criteria
    return pd.DataFrame(
        {
            "criterion": c["criterion"].astype(str).to_numpy(),
            "group": [GROUP_LABELS.get(g, str(g)) for g in c["group"]],
            "weight": c["weight"].astype(float).to_numpy(),
            "method": [METHOD_TEXT.get(m, str(m)) for m in c["method"]],
        }
    )


def moderation_frame(result: TenderResult) -> pd.DataFrame:
    """Every moderated score: ``bidder, criterion, evaluators_scores, final_score, reasons``."""
    scores = result.tender.scores
    is_mod = scores["evaluator"].astype(str).str.strip().str.lower() == MODERATED
    rows = []
    for (bidder, criterion), group in scores.groupby(["bidder", "criterion"], sort=False):
        mod = group[is_mod.loc[group.index]]
        if not len(mod):
            continue
        others = group[~is_mod.loc[group.index]]
        rows.append(
            {
                "bidder": bidder,
                "criterion": criterion,
                "evaluators_scores": ", ".join(
                    f"{e} {format_number(s, 1)}" for e, s in zip(others["evaluator"], others["score"], strict=True)
                ),
                "final_score": float(mod["score"].iloc[-1]),
                "reasons": " | ".join(str(x) for x in mod["comment"] if str(x).strip()),
            }
        )
    return pd.DataFrame(rows, columns=["bidder", "criterion", "evaluators_scores", "final_score", "reasons"])


def social_value_frame(evaluation: Evaluation) -> pd.DataFrame:
    """Social value committed by each bid, by theme, in total and per pound of price (ranking order)."""
    sv = evaluation.result.social_value.reindex(evaluation.result.ranking["bidder"])
    out = pd.DataFrame({"bidder": sv.index.to_numpy()})
    for theme in THEMES:
        out[f"{theme}_gbp"] = sv[theme].to_numpy(dtype=float)
    out["social_value_gbp"] = sv["social_value_gbp"].to_numpy(dtype=float)
    out["value_per_pound"] = [format_money(v, 2) for v in sv["value_per_pound"]]
    out["measures_not_monetised"] = sv["measures_not_monetised"].astype(int).to_numpy()
    if "gross_value_gbp" in sv.columns:  # the bid's gross and net values beside its present value
        out["gross_value_gbp"] = sv["gross_value_gbp"].to_numpy(dtype=float)
        out["net_value_gbp"] = sv["net_value_gbp"].to_numpy(dtype=float)
    return out


def reversal_frame(evaluation: Evaluation) -> pd.DataFrame:
    """The rank-reversal check with Yes/No."""
    out = evaluation.reversal.copy()
    out["order_changed"] = [_yes_no(bool(x)) for x in out["order_changed"]]
    return out


def chance_frame(evaluation: Evaluation) -> pd.DataFrame:
    """Each bid's chance of winning and average total under evaluator uncertainty."""
    p = evaluation.probabilities
    return pd.DataFrame(
        {
            "bidder": p["bidder"].to_numpy(),
            "chance_of_winning": [format_pct(100 * x, 1) for x in p["win_probability"]],
            "mean_total_score": p["mean_total_score"].to_numpy(dtype=float),
        }
    )


# --------------------------------------------------------------------------- sentences


def recommendation(evaluation: Evaluation) -> str:
    """The award recommendation in one or two sentences."""
    result = evaluation.result
    r = result.ranking
    total = float(r["total_score"].iloc[0])
    if len(result.winners) > 1:
        return (
            f"{sentence_list(result.winners)} are tied for first place "
            f"with {format_number(total, 2)} points out of 100. "
            "The evaluation cannot recommend one of them without the tie-break the tender documents set out."
        )
    text = (
        f"Award the contract to {result.winner}, the most advantageous tender on the published criteria, "
        f"with {format_number(total, 2)} points out of 100."
    )
    if len(r) > 1:
        second = float(r["total_score"].iloc[1])
        text += (
            f" The next bid, from {r['bidder'].iloc[1]}, scored {format_number(second, 2)}: "
            f"a margin of {format_number(total - second, 2)} points."
        )
    return text


def minimum_weight_sentence(result: TenderResult) -> str:
    """Whether social value carries at least the minimum weight."""
    tender = result.tender
    weight = float(tender.weights[(tender.groups == "social_value").to_numpy()].sum())
    minimum = tender.settings.minimum_social_value_weight
    met = weight + 1e-9 >= minimum
    return (
        f"Social value carries {_points(weight)} points of 100; the minimum is {_points(minimum)} "
        f"(Procurement Policy Note 002): {'met' if met else 'NOT met'}."
    )


def chance_sentence(evaluation: Evaluation) -> str:
    """The Monte Carlo in plain English."""
    if evaluation.uncertainty_margin <= 0:
        return "Evaluator uncertainty is set to 0 points, so the chance of winning follows the scores as they stand."
    p = evaluation.probabilities.set_index("bidder")["win_probability"]
    winner = evaluation.result.winners[0]
    return (
        "Each final score was moved at random by up to "
        f"{format_number(evaluation.uncertainty_margin, 1)} points either way "
        f"(kept within the scale), {format_number(evaluation.draws)} times (seed {evaluation.seed}); "
        f"{winner} won {format_pct(100 * p[winner], 1)} of the draws."
    )


def reversal_sentence(evaluation: Evaluation) -> str:
    """The rank-reversal check in plain English."""
    changed = int(evaluation.reversal["order_changed"].sum())
    if not changed:
        return "Removing any one bid never changes the order of the others."
    return (
        f"Rank reversal: removing {changed} of the bids changes the order of the others. "
        "Relative price scoring can do this; be ready to explain it."
    )


def grid_sentence(evaluation: Evaluation) -> str:
    """Who wins over the grid of price and social value weights."""
    counts = evaluation.grid["winner"].value_counts()
    n = len(evaluation.grid)
    if not n:
        return ""
    parts = [f"{w} at {c}" for w, c in counts.items()]
    return (
        f"Over {n} combinations of price and social value weights in steps of 5 points (quality taking the rest), "
        f"the winner is {sentence_list(parts)} of them."
    )
