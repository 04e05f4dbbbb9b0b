"""Hand-worked cases and properties of the sensitivity checks (sv_helpers.scoring.sensitivity)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_scoring import MEASURES, make_tender, simple_tender, tenders

from sv_helpers.core.errors import InputError
from sv_helpers.scoring import score_tender
from sv_helpers.scoring.sensitivity import (
    rank_reversal,
    tipping_point,
    win_probabilities,
    winner_grid,
)


def cheap_or_social():
    """A: £100, no social value.  B: £200, all the social value.  Price 60, social value 40.

    Totals with social value weight g (price gets 100 − g):
    A = 100 − g;  B = 0.5 × (100 − g) + g = 50 + 0.5 g.  They tie at g = 33⅓.
    """
    return make_tender(
        [("Price", "price", 60, "lowest_price"), ("SV", "social_value", 40, "proxy_value")],
        [("A", 100), ("B", 200)],
        commitments=[("B", "JOB", 1)],
    )


def test_tipping_point_of_social_value_weight_is_where_the_lines_cross():
    point = tipping_point(score_tender(cheap_or_social(), MEASURES), "social_value")
    assert point.winner == "B"
    assert point.current_weight == 40
    assert point.lower_weight == pytest.approx(100 / 3)
    assert point.lower_winner == "A"
    assert point.upper_weight is None
    assert point.margin == pytest.approx(40 - 100 / 3)
    assert "fell below 33.3 points" in point.describe() and "A would win" in point.describe()


def test_tipping_point_of_price_weight_moves_the_other_way():
    # Price weight p: A = p, B = 0.5 p + (100 − p) = 100 − 0.5 p; tie at p = 66⅔.
    point = tipping_point(score_tender(cheap_or_social(), MEASURES), "price")
    assert point.upper_weight == pytest.approx(200 / 3)
    assert point.upper_winner == "A"
    assert point.lower_weight is None


def test_tipping_point_agrees_with_rescoring_at_the_new_weights():
    result = score_tender(simple_tender(), MEASURES)
    point = tipping_point(result, "social_value")
    for weight, expected in ((point.upper_weight, point.upper_winner), (point.lower_weight, point.lower_winner)):
        if weight is None:
            continue
        step = 0.01 if weight > point.current_weight else -0.01
        g = weight + step
        scale = (100 - g) / (100 - point.current_weight)
        new = {"Price": 60 * scale, "Quality": 25 * scale, "Social value": g}
        assert score_tender(simple_tender(), MEASURES, weights=new).winner == expected


def test_no_tipping_point_when_one_bid_wins_at_every_weight():
    tender = make_tender(
        [("Price", "price", 80, "lowest_price"), ("SV", "social_value", 20, "proxy_value")],
        [("A", 100), ("B", 200)],
        commitments=[("A", "JOB", 1)],
    )
    point = tipping_point(score_tender(tender, MEASURES), "social_value")
    assert point.lower_weight is None and point.upper_weight is None
    assert "No social value weight from 0 to 100 changes the winner" in point.describe()


def test_tipping_point_needs_a_criterion_in_the_group():
    with pytest.raises(InputError, match="no social value criterion"):
        tipping_point(
            score_tender(make_tender([("Price", "price", 100, "lowest_price")], [("A", 1)]), MEASURES), "social_value"
        )


def test_winner_grid_covers_only_weights_that_add_up_to_100():
    grid = winner_grid(score_tender(cheap_or_social(), MEASURES), step=10)
    assert (grid["price_weight"] + grid["social_value_weight"] + grid["quality_weight"]).eq(100).all()
    assert (grid["quality_weight"] == 0).all()  # this tender has no quality criterion
    winners = grid.set_index("price_weight")["winner"]
    assert winners[100.0] == "A" and winners[0.0] == "B" and winners[70.0] == "A" and winners[60.0] == "B"


def test_winner_grid_with_three_groups_has_a_triangle_of_cells():
    grid = winner_grid(score_tender(simple_tender(), MEASURES), step=25)
    assert len(grid) == 15  # (p, v) with p + v ≤ 100 on a 5 × 5 grid
    current = grid[(grid["price_weight"] == 50) & (grid["social_value_weight"] == 25)]
    assert len(current) == 1


def rank_reversal_tender():
    """Price 50, Quality 50.  With A: C (46.67) is ahead of B (45).  Without A, B (70) is ahead of C (63.33)."""
    return make_tender(
        [("Price", "price", 50, "lowest_price"), ("Quality", "quality", 50, "scored")],
        [("A", 100), ("B", 200), ("C", 300)],
        [("A", "Quality", "E1", 5), ("B", "Quality", "E1", 2), ("C", "Quality", "E1", 3)],
    )


def test_rank_reversal_found_when_the_cheapest_bid_is_removed():
    result = score_tender(rank_reversal_tender(), MEASURES)
    assert result.ranking["bidder"].tolist() == ["A", "C", "B"]
    table = rank_reversal(result).set_index("removed_bidder")
    assert table.loc["A", "order_changed"]
    assert table.loc["A", "changes"] == "B moves ahead of C"
    assert table.loc["A", "new_winner"] == "B"
    assert not table.loc["B", "order_changed"]
    assert table.loc["B", "changes"].startswith("No change")


def test_monte_carlo_is_reproducible_with_a_seed():
    result = score_tender(simple_tender(), MEASURES)
    a = win_probabilities(result, margin=1.0, draws=2000, seed=7)
    b = win_probabilities(result, margin=1.0, draws=2000, seed=7)
    assert a.equals(b)
    assert a["win_probability"].sum() == pytest.approx(1.0)


def test_monte_carlo_gives_a_close_race_to_both_bids():
    # Two bids level on price; A's quality 3, B's 3.2 on a 50-point criterion: B wins deterministically, but a
    # margin of 1 point makes A win often.
    tender = make_tender(
        [("Price", "price", 50, "lowest_price"), ("Quality", "quality", 50, "scored")],
        [("A", 100), ("B", 100)],
        [("A", "Quality", "E1", 3.0), ("B", "Quality", "E1", 3.2)],
    )
    probs = win_probabilities(score_tender(tender, MEASURES), margin=1.0, draws=20_000, seed=1).set_index("bidder")[
        "win_probability"
    ]
    # Difference of two U(−1, 1) is triangular on (−2, 2); P(A − B > 0.2) = (1.8)² / 8 = 0.405.
    assert probs["A"] == pytest.approx(0.405, abs=0.015)
    assert probs["B"] == pytest.approx(0.595, abs=0.015)


def test_monte_carlo_splits_a_tie_equally():
    probs = win_probabilities(
        score_tender(make_tender([("Price", "price", 100, "lowest_price")], [("A", 1), ("B", 1)]), MEASURES), 0.5, 10, 0
    )
    assert probs["win_probability"].tolist() == [0.5, 0.5]


def test_monte_carlo_refuses_a_negative_margin():
    with pytest.raises(InputError, match="cannot be negative"):
        win_probabilities(score_tender(simple_tender(), MEASURES), -1)


@settings(max_examples=40, deadline=None)
@given(tenders(), st.integers(0, 2**32 - 1))
def test_monte_carlo_with_zero_margin_gives_the_deterministic_winner_with_probability_one(tender, seed):
    result = score_tender(tender, MEASURES)
    probs = win_probabilities(result, margin=0.0, draws=50, seed=seed).set_index("bidder")["win_probability"]
    winners = result.winners
    assert probs[winners].sum() == pytest.approx(1.0)
    if len(winners) == 1:
        assert probs[winners[0]] == 1.0


@settings(max_examples=40, deadline=None)
@given(tenders(), st.floats(0, 5), st.integers(0, 1000))
def test_win_probabilities_are_a_distribution_and_scores_stay_on_the_scale(tender, margin, seed):
    probs = win_probabilities(score_tender(tender, MEASURES), margin=margin, draws=200, seed=seed)
    assert probs["win_probability"].between(0, 1).all()
    assert probs["win_probability"].sum() == pytest.approx(1.0)
    assert (probs["mean_total_score"] <= 100 + 1e-9).all()


@settings(max_examples=40, deadline=None)
@given(tenders())
def test_winner_grid_agrees_with_the_current_weights_on_a_grid_point(tender):
    result = score_tender(tender, MEASURES)
    w = result.tender.weights
    grid = winner_grid(result, step=1)
    row = grid[(grid["price_weight"] == w["Price"]) & (grid["social_value_weight"] == w["SV"])]
    # A weight of 0 on a group that has criteria is still a valid grid point.
    assert len(row) == 1
    assert row["winner"].iloc[0] == result.winner


@settings(max_examples=40, deadline=None)
@given(tenders())
def test_tipping_points_lie_within_0_to_100_and_on_the_right_side(tender):
    result = score_tender(tender, MEASURES)
    for group in ("price", "social_value"):
        point = tipping_point(result, group)
        if point.upper_weight is not None:
            assert point.current_weight < point.upper_weight <= 100
            assert point.upper_winner
        if point.lower_weight is not None:
            assert 0 <= point.lower_weight < point.current_weight


def test_a_single_bid_has_no_rank_reversal_and_wins_for_certain():
    result = score_tender(make_tender([("Price", "price", 100, "lowest_price")], [("A", 10)]), MEASURES)
    table = rank_reversal(result)
    assert table["order_changed"].tolist() == [False]
    assert table["new_winner"].tolist() == [""]
    assert win_probabilities(result, 1.0, 10, 0)["win_probability"].tolist() == [1.0]


def test_a_tie_reached_only_at_the_end_of_the_scale_is_described_as_a_tie():
    # Nobody commits social value, so at a social value weight of 100 both bids score 0 and tie.
    tender = make_tender(
        [("Price", "price", 90, "lowest_price"), ("SV", "social_value", 10, "proxy_value")], [("A", 10), ("B", 5)]
    )
    point = tipping_point(score_tender(tender, MEASURES), "social_value")
    assert point.upper_weight == pytest.approx(100) and point.upper_is_tie
    assert "if it rose all the way to 100 points (+90.0), A and B would tie for first place" in point.describe()
