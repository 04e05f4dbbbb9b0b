"""Would the decision survive scrutiny?  Sensitivity checks on a scored tender.

* :func:`tipping_point`: how far one group's weight (social value or price)
  must move, with the other weights scaled to keep the total at 100, before
  the winner changes;
* :func:`winner_grid`: the winner over a grid of price and social value weights;
* :func:`rank_reversal`: remove each bid in turn and report any change in the
  order of the others (a known flaw of relative price scoring);
* :func:`win_probabilities`: a seeded Monte Carlo of evaluator uncertainty.

All of them reuse the weight-free score fractions of
:func:`sv_helpers.scoring.score_fractions`: a bid's total is
``fractions @ weights``, added exactly (:func:`sv_helpers.core.numerics.exact_dot`).
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations

import numpy as np
import pandas as pd

from sv_helpers.core.errors import InputError
from sv_helpers.core.formatting import format_number
from sv_helpers.core.numerics import exact_dot, exact_mean
from sv_helpers.scoring.checks import checks_table
from sv_helpers.scoring.model import TenderResult, price_fraction, value_fraction
from sv_helpers.scoring.summaries import assessment_summaries
from sv_helpers.scoring.tender import GROUP_LABELS, TIE_TOLERANCE, TOTAL_WEIGHT


def _shares(weights: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Within-group shares (sum 1 over ``mask``): the current proportions, or equal when all are 0."""
    out = np.zeros_like(weights, dtype=float)
    if not mask.any():
        return out
    total = weights[mask].sum()
    out[mask] = weights[mask] / total if total > 0 else 1.0 / mask.sum()
    return out


def _winners(totals: np.ndarray) -> list[int]:
    best = totals.max()
    return [int(i) for i in np.flatnonzero(totals >= best - TIE_TOLERANCE)]


def _names(bidders: list[str], idx: list[int]) -> str:
    return " and ".join(bidders[i] for i in idx)


@dataclass(frozen=True)
class TippingPoint:
    """Where the winner changes as one group's weight moves.

    Attributes
    ----------
    group : str
        ``social_value`` or ``price``.
    current_weight : float
        The group's weight now, in percentage points.
    winner : str
        The winner now.
    lower_weight, upper_weight : float or None
        The nearest weights below and above the current one at which another
        bid draws level with the winner (beyond them it wins), or None when no
        weight from 0 to 100 in that direction changes the winner.
    lower_winner, upper_winner : str or None
        Who wins beyond each tipping point (several names when they tie).
    lower_is_tie, upper_is_tie : bool
        Whether beyond the tipping point two or more bids tie for first.
    """

    group: str
    current_weight: float
    winner: str
    lower_weight: float | None
    lower_winner: str | None
    upper_weight: float | None
    upper_winner: str | None
    lower_is_tie: bool = False
    upper_is_tie: bool = False

    @property
    def margin(self) -> float | None:
        """The smallest move, in percentage points, that changes the winner."""
        moves = [abs(w - self.current_weight) for w in (self.lower_weight, self.upper_weight) if w is not None]
        return min(moves) if moves else None

    def describe(self) -> str:
        """One or two plain-English sentences."""
        label = GROUP_LABELS[self.group].lower()
        text = f"The {label} weight is {format_number(self.current_weight, 1)} points and {self.winner} wins."
        parts = []
        if self.upper_weight is not None:
            where = (
                "all the way to 100 points"
                if self.upper_weight >= TOTAL_WEIGHT - 1e-9
                else f"above {format_number(self.upper_weight, 1)} points"
            )
            verb = "would tie for first place" if self.upper_is_tie else "would win"
            parts.append(
                f"if it rose {where} (+{format_number(self.upper_weight - self.current_weight, 1)}), {self.upper_winner} {verb}"
            )
        if self.lower_weight is not None:
            where = (
                "all the way to 0"
                if self.lower_weight <= 1e-9
                else f"below {format_number(self.lower_weight, 1)} points"
            )
            verb = "would tie for first place" if self.lower_is_tie else "would win"
            parts.append(
                f"if it fell {where} (−{format_number(self.current_weight - self.lower_weight, 1)}), {self.lower_winner} {verb}"
            )
        if not parts:
            return (
                text + f" No {label} weight from 0 to 100 changes the winner (the other weights scaled in proportion)."
            )
        return text + " With the other weights scaled in proportion to keep the total at 100, " + "; ".join(parts) + "."


def group_totals_line(result: TenderResult, group: str) -> tuple[np.ndarray, np.ndarray]:
    """Each bid's total as a straight line in the group's weight ``g``: ``total = a + b × g``.

    The group's criteria keep their proportions within the group; the other
    criteria share ``100 − g`` in their current proportions.
    """
    tender = result.tender
    fractions = result.fractions.to_numpy(dtype=float)
    weights = tender.weights.to_numpy(dtype=float)
    mask = (tender.groups == group).to_numpy()
    in_group = exact_dot(fractions, _shares(weights, mask))
    others = exact_dot(fractions, _shares(weights, ~mask))
    return TOTAL_WEIGHT * others, in_group - others


def tipping_point(result: TenderResult, group: str = "social_value") -> TippingPoint:
    """Find how far a group's weight must move before the winner changes.

    Parameters
    ----------
    result : TenderResult
        From :func:`sv_helpers.scoring.score_tender`.
    group : str
        ``social_value`` or ``price`` (or ``quality``).

    Returns
    -------
    TippingPoint

    Raises
    ------
    InputError
        When the tender has no criterion in that group.
    """
    tender = result.tender
    if not (tender.groups == group).any():
        raise InputError(f"The tender has no {GROUP_LABELS[group].lower()} criterion, so its weight cannot be moved.")
    bidders = tender.bidders
    a, b = group_totals_line(result, group)
    g0 = float(tender.weights[(tender.groups == group).to_numpy()].sum())
    totals0 = a + b * g0
    winners0 = _winners(totals0)
    w = winners0[0]
    upper = lower = None
    up_who = low_who = None
    # Crossings of each other bid's line with the (first) winner's; bids tied with it now are skipped.
    crossings = []
    for j in range(len(bidders)):
        if j in winners0:
            continue
        slope = b[j] - b[w]
        if abs(slope) < 1e-15:
            continue
        crossings.append(-(a[j] - a[w]) / slope)
    ups = sorted(x for x in crossings if g0 + 1e-9 < x <= TOTAL_WEIGHT + 1e-9)
    downs = sorted((x for x in crossings if -1e-9 <= x < g0 - 1e-9), reverse=True)
    up_tie = low_tie = False
    if ups:
        upper = float(min(ups[0], TOTAL_WEIGHT))
        beyond = _winners(a + b * min(upper + 1e-6, TOTAL_WEIGHT))
        up_who, up_tie = _names(bidders, beyond), len(beyond) > 1
    if downs:
        lower = float(max(downs[0], 0.0))
        beyond = _winners(a + b * max(lower - 1e-6, 0.0))
        low_who, low_tie = _names(bidders, beyond), len(beyond) > 1
    return TippingPoint(group, g0, _names(bidders, winners0), lower, low_who, upper, up_who, low_tie, up_tie)


def winner_grid(result: TenderResult, step: float = 5.0) -> pd.DataFrame:
    """The winner over a grid of price and social value weights.

    Quality takes the rest (100 − price − social value); each group's
    criteria keep their current proportions within the group.

    Parameters
    ----------
    result : TenderResult
    step : float
        Grid spacing in percentage points.

    Returns
    -------
    DataFrame
        ``price_weight, social_value_weight, quality_weight, winner``, one
        row per combination that adds up to 100 and gives weight only to
        groups the tender has; equal winners are joined with ' and '.
    """
    tender = result.tender
    fractions = result.fractions.to_numpy(dtype=float)
    weights = tender.weights.to_numpy(dtype=float)
    groups = tender.groups.to_numpy()
    lines = {g: exact_dot(fractions, _shares(weights, groups == g)) for g in ("price", "quality", "social_value")}
    has = {g: bool((groups == g).any()) for g in lines}
    bidders = tender.bidders
    grid = np.arange(0.0, TOTAL_WEIGHT + step / 2, step)
    points = []
    for p in grid:
        for v in grid:
            q = TOTAL_WEIGHT - p - v
            if q < -1e-9:
                continue
            q = max(q, 0.0)
            if (p > 0 and not has["price"]) or (v > 0 and not has["social_value"]) or (q > 0 and not has["quality"]):
                continue
            points.append((float(p), float(v), float(q)))
    weights_at = np.array(points, dtype=float).reshape(-1, 3)
    # Every point's totals at once (the same sums, term by term, as one point at a time).
    totals = (
        weights_at[:, [0]] * lines["price"]
        + weights_at[:, [1]] * lines["social_value"]
        + weights_at[:, [2]] * lines["quality"]
    )
    names: dict[tuple[int, ...], str] = {}
    winner = []
    for row in totals:
        top = tuple(_winners(row))
        if top not in names:
            names[top] = _names(bidders, list(top))
        winner.append(names[top])
    return pd.DataFrame(
        {
            "price_weight": weights_at[:, 0],
            "social_value_weight": weights_at[:, 1],
            "quality_weight": weights_at[:, 2],
            "winner": winner,
        },
        columns=["price_weight", "social_value_weight", "quality_weight", "winner"],
    )


def _totals_without(result: TenderResult, keep: np.ndarray) -> np.ndarray:
    """Totals of the kept bids when the others are removed (price and proxy value rescored)."""
    tender = result.tender
    fractions = result.fractions.to_numpy(dtype=float)[keep].copy()
    prices = tender.bids["price"].to_numpy(dtype=float)[keep]
    value = result.social_value["social_value_gbp"].reindex(tender.bidders).to_numpy(dtype=float)[keep]
    for j, method in enumerate(tender.criteria["method"]):
        if method == "proxy_value":
            fractions[:, j] = value_fraction(value)
        elif method != "scored":
            fractions[:, j] = price_fraction(prices, method)
    return exact_dot(fractions, tender.weights.to_numpy(dtype=float))


def _order(a: float, b: float) -> int:
    return 0 if abs(a - b) <= TIE_TOLERANCE else (1 if a > b else -1)


def rank_reversal(result: TenderResult) -> pd.DataFrame:
    """Remove each bid in turn and report any change in the order of the others.

    Returns
    -------
    DataFrame
        One row per removed bid: ``removed_bidder``, ``new_winner``,
        ``order_changed`` (bool) and ``changes`` (plain English: which pairs
        swap, or "No change").
    """
    tender = result.tender
    bidders = tender.bidders
    n = len(bidders)
    totals = result.ranking.set_index("bidder")["total_score"].reindex(bidders).to_numpy(dtype=float)
    rows = []
    for removed in range(n):
        keep = np.array([i != removed for i in range(n)])
        kept = [i for i in range(n) if keep[i]]
        after = _totals_without(result, keep) if len(kept) else np.zeros(0)
        changes = []
        for x, y in combinations(range(len(kept)), 2):
            before, now = _order(totals[kept[x]], totals[kept[y]]), _order(after[x], after[y])
            if before != now:
                first, second = (kept[x], kept[y]) if before >= 0 else (kept[y], kept[x])
                if now == 0:
                    changes.append(f"{bidders[first]} and {bidders[second]} draw level")
                elif before == 0:
                    ahead = kept[x] if now > 0 else kept[y]
                    behind = kept[y] if now > 0 else kept[x]
                    changes.append(f"{bidders[ahead]} moves ahead of {bidders[behind]} (they were level)")
                else:
                    changes.append(f"{bidders[second]} moves ahead of {bidders[first]}")
        new_winner = _names([bidders[i] for i in kept], _winners(after)) if len(kept) else ""
        rows.append(
            {
                "removed_bidder": bidders[removed],
                "new_winner": new_winner,
                "order_changed": bool(changes),
                "changes": "; ".join(changes) if changes else "No change in the order of the other bids",
            }
        )
    return pd.DataFrame(rows, columns=["removed_bidder", "new_winner", "order_changed", "changes"])


def win_probabilities(
    result: TenderResult,
    margin: float,
    draws: int = 10_000,
    seed: int = 0,
) -> pd.DataFrame:
    """Each bid's probability of winning when evaluators' scores are uncertain.

    Every final score of a ``scored`` criterion is moved by a uniform random
    amount between −margin and +margin, independently in each draw, then
    clipped to the scale (0 to the maximum score).  Price and proxy value
    scores are fixed.  A draw won jointly by several bids counts a share
    to each.

    Parameters
    ----------
    result : TenderResult
    margin : float
        Points either way, on the evaluators' scale.
    draws : int
        Number of random draws.
    seed : int
        Seed of the random number generator (same seed, same answer).

    Returns
    -------
    DataFrame
        ``bidder, win_probability, mean_total_score``, in the ranking's order.
    """
    if margin < 0:
        raise InputError("The uncertainty margin cannot be negative.")
    if draws < 1:
        raise InputError("The number of Monte Carlo draws must be at least 1.")
    tender = result.tender
    fractions = result.fractions.to_numpy(dtype=float)
    weights = tender.weights.to_numpy(dtype=float)
    scored = (tender.criteria["method"] == "scored").to_numpy()
    fixed = exact_dot(fractions[:, ~scored], weights[~scored])
    max_score = tender.settings.max_score
    base = fractions[:, scored] * max_score  # final scores, bidders × scored criteria
    per_point = weights[scored] / max_score
    rng = np.random.default_rng(seed)
    n_bid, n_sc = base.shape
    # Each draw's totals are added criterion by criterion, in the criteria's order, never by a BLAS kernel whose
    # order of addition depends on the processor: the same bits on every machine (sv_helpers.core.numerics).
    if n_sc and margin > 0:
        noise = rng.uniform(-margin, margin, size=(draws, n_bid, n_sc))
        perturbed = np.clip(base[None, :, :] + noise, 0.0, max_score)
        totals = np.broadcast_to(fixed, (draws, n_bid)).copy()
        for k in range(n_sc):
            totals += perturbed[:, :, k] * per_point[k]
    else:
        still = fixed.copy()
        for k in range(n_sc):
            still += base[:, k] * per_point[k]
        totals = np.broadcast_to(still, (draws, n_bid))
    best = totals.max(axis=1, keepdims=True)
    is_best = totals >= best - TIE_TOLERANCE
    shares = is_best / is_best.sum(axis=1, keepdims=True)
    out = pd.DataFrame(
        {
            "bidder": tender.bidders,
            "win_probability": exact_mean(shares, axis=0),
            "mean_total_score": exact_mean(totals, axis=0),
        }
    )
    order = result.ranking["bidder"].tolist()
    return out.set_index("bidder").loc[order].reset_index()


# --------------------------------------------------------------------------- everything at once


@dataclass(frozen=True)
class Evaluation:
    """A scored tender with every sensitivity check, as the notebook and the app show it."""

    result: TenderResult
    tipping_points: list[TippingPoint]
    grid: pd.DataFrame
    reversal: pd.DataFrame
    probabilities: pd.DataFrame
    uncertainty_margin: float
    draws: int
    seed: int

    def tables(self) -> dict[str, pd.DataFrame]:
        """The result tables for export, keyed by file stem.

        ``ranking`` and ``criterion_scores`` have exactly the columns the
        batch contract names; the others add the social value, the
        assessment summaries, the checks and each sensitivity result.
        """
        result = self.result
        social = result.social_value.reset_index()
        tipping = pd.DataFrame(
            [
                {
                    "group": t.group,
                    "current_weight": t.current_weight,
                    "winner": t.winner,
                    "lower_weight": t.lower_weight,
                    "lower_winner": t.lower_winner,
                    "upper_weight": t.upper_weight,
                    "upper_winner": t.upper_winner,
                    "description": t.describe(),
                }
                for t in self.tipping_points
            ],
            columns=[
                "group",
                "current_weight",
                "winner",
                "lower_weight",
                "lower_winner",
                "upper_weight",
                "upper_winner",
                "description",
            ],
        )
        checks = checks_table(result.findings)
        return {
            "ranking": result.ranking,
            "criterion_scores": result.criterion_scores,
            "social_value_by_bidder": social,
            "assessment_summaries": assessment_summaries(result),
            "checks": checks,
            "tipping_points": tipping,
            "winner_grid": self.grid,
            "rank_reversal": self.reversal,
            "win_probabilities": self.probabilities,
        }


def evaluate_tender(
    result: TenderResult,
    *,
    uncertainty_margin: float,
    draws: int = 10_000,
    seed: int = 0,
    grid_step: float = 5.0,
    grid: pd.DataFrame | None = None,
) -> Evaluation:
    """Run every sensitivity check on a scored tender.

    Parameters
    ----------
    result : TenderResult
        From :func:`sv_helpers.scoring.score_tender`.
    uncertainty_margin : float
        Points either way for the Monte Carlo (see :func:`win_probabilities`).
    draws, seed : int
        Monte Carlo draws and seed.
    grid_step : float
        Spacing of the winner grid, in percentage points.
    grid : DataFrame, optional
        The :func:`winner_grid` of this result when already made (it depends on the scores and on the
        proportions within each group, not on the groups' weights).

    Returns
    -------
    Evaluation
        Tipping points are given for social value and price, where the
        tender has criteria in those groups.
    """
    groups = set(result.tender.groups)
    points = [tipping_point(result, g) for g in ("social_value", "price") if g in groups]
    return Evaluation(
        result=result,
        tipping_points=points,
        grid=winner_grid(result, step=grid_step) if grid is None else grid,
        reversal=rank_reversal(result),
        probabilities=win_probabilities(result, uncertainty_margin, draws, seed),
        uncertainty_margin=float(uncertainty_margin),
        draws=int(draws),
        seed=int(seed),
    )
