"""Score the tenders for a council contract on price, quality and social value.

:func:`~sv_helpers.scoring.tender.load_tender` reads the evaluation file,
:func:`~sv_helpers.scoring.checks.check_tender` lists its problems in plain English and
:func:`score_tender` scores it.

The scoring rules (the defaults; each criterion's ``weight`` is in
percentage points of the total score):

* price, ``lowest_price``: weight × lowest price ÷ this bid's price;
* price, ``deviation_from_lowest``: weight × (1 − (price − lowest) ÷ lowest),
  never below 0 (a bid twice the lowest price or more scores 0);
* ``scored``: weight × final score ÷ maximum score, where the final score is
  the ``moderated`` evaluator's score if there is one, else the mean of the
  evaluators' scores;
* ``proxy_value`` (social value only): weight × the bid's social value in
  pounds ÷ the highest social value among the bids (0 for every bid when none
  commits anything monetised).

A bid's total is the sum of its criterion scores; rank 1 is the highest
total and equal totals share a rank.

Every score is ``weight × fraction`` with a fraction between 0 and 1 that
does not depend on the weights; :func:`score_fractions` returns those
fractions, which :mod:`sv_helpers.scoring.sensitivity` reuses.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd

from sv_helpers.core import valuation as val
from sv_helpers.core.errors import Finding, InputError, raise_for_errors
from sv_helpers.core.measures import THEMES, social_value
from sv_helpers.core.numerics import exact_sum
from sv_helpers.scoring.checks import check_tender
from sv_helpers.scoring.tender import GROUPS, MODERATED, PRICE_METHODS, Tender, with_price_method, with_weights

# --------------------------------------------------------------------------- scoring


def final_scores(tender: Tender) -> pd.DataFrame:
    """The final score of each bid on each scored criterion.

    Returns
    -------
    DataFrame
        ``bidder, criterion, final_score, basis, reasons``: the
        ``moderated`` row's score where there is one, else the mean of the
        evaluators' scores; ``basis`` says which; ``reasons`` joins the
        comments that apply.
    """
    rows = []
    scores = tender.scores
    is_moderated = scores["evaluator"].str.strip().str.lower() == MODERATED
    for (bidder, criterion), group in scores.groupby(["bidder", "criterion"], sort=False):
        mod = group[is_moderated.loc[group.index]]
        if len(mod):
            score, basis, comments = (
                float(mod["score"].iloc[-1]),
                "moderated",
                [str(c) for c in mod["comment"] if str(c).strip()],
            )
        else:
            score = exact_sum(group["score"]) / len(group)
            basis = f"mean of {len(group)} evaluator{'s' if len(group) != 1 else ''}"
            comments = [f"{e}: {c}" for e, c in zip(group["evaluator"], group["comment"]) if str(c).strip()]
        rows.append(
            {
                "bidder": bidder,
                "criterion": criterion,
                "final_score": score,
                "basis": basis,
                "reasons": " | ".join(comments),
            }
        )
    return pd.DataFrame(rows, columns=["bidder", "criterion", "final_score", "basis", "reasons"])


def price_fraction(prices: np.ndarray, method: str = "lowest_price") -> np.ndarray:
    """The share of the price weight each bid earns (0 to 1).

    Parameters
    ----------
    prices : array
        Prices along the last axis (one row per scenario allowed).
    method : str
        ``lowest_price``: lowest ÷ price.  ``deviation_from_lowest``:
        1 − (price − lowest) ÷ lowest, not below 0.

    Examples
    --------
    >>> price_fraction(np.array([100.0, 125.0, 200.0])).tolist()
    [1.0, 0.8, 0.5]
    >>> price_fraction(np.array([100.0, 125.0, 200.0]), "deviation_from_lowest").tolist()
    [1.0, 0.75, 0.0]
    """
    prices = np.asarray(prices, dtype=float)
    lowest = prices.min(axis=-1, keepdims=True)
    if method == "lowest_price":
        return lowest / prices
    if method == "deviation_from_lowest":
        return np.clip(2.0 - prices / lowest, 0.0, 1.0)
    raise InputError(f"'{method}' is not a price method; choose one of: {', '.join(PRICE_METHODS)}.")


def value_fraction(values: np.ndarray) -> np.ndarray:
    """Each bid's social value as a share of the highest (all 0 when the highest is 0)."""
    values = np.asarray(values, dtype=float)
    highest = values.max(axis=-1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(highest > 0, values / np.where(highest > 0, highest, 1.0), 0.0)


def social_value_by_bidder(
    tender: Tender, measures: pd.DataFrame, basis: val.Discounting | None = None
) -> pd.DataFrame:
    """Each bid's committed social value, in total, by theme and per pound of price.

    Values are present values by the one valuation rule (:mod:`sv_helpers.core.valuation`: net of the
    library's deadweight, attribution and displacement, over each measure's duration with its drop-off,
    discounted by ``basis``, default the Green Book's); a library without adjustments gives the gross value.

    Returns
    -------
    DataFrame
        Indexed by bidder (in the bids sheet's order): ``price``,
        ``social``, ``economic``, ``environmental`` (pounds, present value),
        ``social_value_gbp`` (their sum), ``value_per_pound`` (social value ÷
        price), ``measures_not_monetised`` (commitments counted but with
        no proxy value), then ``gross_value_gbp`` and ``net_value_gbp`` (the bid's gross and net values).
    """
    valued = social_value(tender.commitments, measures)
    values = val.value_items(valued, measures, "quantity", basis or val.discounting())
    bidders = pd.Index(tender.bidders, name="bidder")
    money = values["present_value_gbp"].fillna(0.0).astype("float64")
    by_theme = money.groupby([valued["bidder"].astype(object), valued["theme"].astype(object)]).sum()
    table = by_theme.unstack("theme") if len(by_theme) else pd.DataFrame()
    out = table.reindex(index=bidders, columns=list(THEMES)).fillna(0.0).astype("float64")
    out.columns.name = None
    prices = tender.bids["price"].to_numpy(dtype=float)
    out.insert(0, "price", prices)
    out["social_value_gbp"] = out[list(THEMES)].sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        out["value_per_pound"] = np.where(
            prices > 0, out["social_value_gbp"].to_numpy() / np.where(prices > 0, prices, 1.0), np.nan
        )
    missing = valued["value_gbp"].isna().groupby(valued["bidder"].astype(object)).sum()
    out["measures_not_monetised"] = missing.reindex(bidders).fillna(0).astype(int).to_numpy()
    for column in ("gross_value_gbp", "net_value_gbp"):
        totals = values[column].fillna(0.0).astype("float64").groupby(valued["bidder"].astype(object)).sum()
        out[column] = totals.reindex(bidders).fillna(0.0).astype("float64").to_numpy()
    return out


def score_fractions(
    tender: Tender,
    measures: pd.DataFrame,
    finals: pd.DataFrame | None = None,
    social: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The share of each criterion's weight each bid earns, 0 to 1.

    A bid's score on a criterion is its weight × this fraction, so the
    fractions do not change when the weights do.

    Returns
    -------
    DataFrame
        Bidders (rows, bids-sheet order) × criteria (columns, criteria-sheet order).
    """
    finals = final_scores(tender) if finals is None else finals
    prices = tender.bids["price"].to_numpy(dtype=float)
    fractions = pd.DataFrame(0.0, index=pd.Index(tender.bidders, name="bidder"), columns=tender.criterion_names)
    value = None
    finals_wide = (
        finals.pivot(index="bidder", columns="criterion", values="final_score") if len(finals) else pd.DataFrame()
    )
    for criterion, method in zip(tender.criterion_names, tender.criteria["method"]):
        if method in PRICE_METHODS:
            fractions[criterion] = price_fraction(prices, method)
        elif method == "proxy_value":
            if value is None:
                social = social_value_by_bidder(tender, measures) if social is None else social
                value = social["social_value_gbp"].reindex(tender.bidders).to_numpy()
            fractions[criterion] = value_fraction(value)
        else:
            column = finals_wide[criterion] if criterion in finals_wide.columns else pd.Series(dtype=float)
            fractions[criterion] = column.reindex(tender.bidders).to_numpy(dtype=float) / tender.settings.max_score
    return fractions


def rank_totals(totals: pd.Series) -> pd.Series:
    """Rank totals: 1 is the highest, equal totals (to 1e-9) share the better rank."""
    rounded = totals.round(9)
    return rounded.rank(method="min", ascending=False).astype(int)


@dataclass(frozen=True)
class TenderResult:
    """The scored tender.

    Attributes
    ----------
    tender : Tender
        The tender as scored (its weights and price method).
    ranking : DataFrame
        ``bidder, price_score, quality_score, social_value_score,
        total_score, rank``, best first (ties in bids-sheet order).
    criterion_scores : DataFrame
        ``bidder, criterion, group, score`` (long form).
    fractions : DataFrame
        Bidders × criteria, see :func:`score_fractions`.
    finals : DataFrame
        See :func:`final_scores`.
    social_value : DataFrame
        See :func:`social_value_by_bidder`.
    findings : list of Finding
        The warnings from :func:`check_tender`.
    """

    tender: Tender
    ranking: pd.DataFrame
    criterion_scores: pd.DataFrame
    fractions: pd.DataFrame
    finals: pd.DataFrame
    social_value: pd.DataFrame
    findings: list[Finding] = field(default_factory=list)

    @cached_property
    def _winners(self) -> tuple[str, ...]:
        return tuple(self.ranking.loc[self.ranking["rank"] == 1, "bidder"])

    @property
    def winners(self) -> list[str]:
        """The bidder(s) ranked 1 (more than one when tied)."""
        return list(self._winners)

    @property
    def winner(self) -> str:
        """The winning bidder; equal winners are joined with ' and '."""
        return " and ".join(self.winners)


def _group_totals(scores: pd.DataFrame, groups: pd.Series) -> pd.DataFrame:
    out = pd.DataFrame(index=scores.index)
    for group in GROUPS:
        columns = [c for c in scores.columns if groups[c] == group]
        out[f"{group}_score"] = scores[columns].sum(axis=1) if columns else 0.0
    return out


def score_tender(
    tender: Tender,
    measures: pd.DataFrame,
    *,
    weights: Mapping[str, float] | None = None,
    price_method: str | None = None,
    finals: pd.DataFrame | None = None,
    social: pd.DataFrame | None = None,
    checked: dict | None = None,
    basis: val.Discounting | None = None,
) -> TenderResult:
    """Check and score a tender.

    Parameters
    ----------
    tender : Tender
        From :func:`load_tender`.
    measures : DataFrame
        The measures library.
    weights : mapping of criterion to weight, optional
        Weights to use instead of the file's (e.g. from the app's sliders).
    price_method : str, optional
        The price method to use instead of the file's.
    finals, social : DataFrame, optional
        :func:`final_scores` and :func:`social_value_by_bidder` of this tender and library, when already made
        (neither depends on the weights or the price method).
    basis : Discounting, optional
        The discount rate and convention of the social value's present value (default the Green Book's).
    checked : dict, optional
        Keeps :func:`check_tender`'s findings that do not depend on the weights (its ``kept``).

    Returns
    -------
    TenderResult

    Raises
    ------
    InputError
        Listing every error :func:`check_tender` finds.
    """
    if weights:
        tender = with_weights(tender, weights)
    if price_method and tender.price_method is not None:
        tender = with_price_method(tender, price_method)
    findings = check_tender(tender, measures, kept=checked)
    raise_for_errors(findings)
    finals = final_scores(tender) if finals is None else finals
    social = social_value_by_bidder(tender, measures, basis) if social is None else social
    fractions = score_fractions(tender, measures, finals, social)
    scores = fractions * tender.weights
    groups = tender.groups
    ranking = _group_totals(scores, groups)
    ranking["total_score"] = scores.sum(axis=1)
    ranking["rank"] = rank_totals(ranking["total_score"])
    ranking = ranking.reset_index().rename(columns={"index": "bidder"})
    order = np.lexsort((np.arange(len(ranking)), ranking["rank"].to_numpy()))
    ranking = ranking.iloc[order].reset_index(drop=True)
    long = scores.reset_index().melt(id_vars="bidder", var_name="criterion", value_name="score")
    long.insert(2, "group", long["criterion"].map(groups))
    return TenderResult(
        tender=tender,
        ranking=ranking[["bidder", "price_score", "quality_score", "social_value_score", "total_score", "rank"]],
        criterion_scores=long[["bidder", "criterion", "group", "score"]],
        fractions=fractions,
        finals=finals,
        social_value=social,
        findings=[f for f in findings if not f.is_error],
    )
