"""Community grant allocation: hand-worked cases for each rule, checks, and property tests.

The rules are given as grants ``Settings`` (``S``), as the notebook and the app give them; the allocator
itself takes ``AllocationRules`` and any table of bids (see ``test_any_table_of_bids``)."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sv_helpers import grants
from sv_helpers.core.errors import InputError
from sv_helpers.core.paths import data_path


def apps(requests, scores, *, themes=None, wards=None, minimums=None, deciles=None) -> pd.DataFrame:
    n = len(requests)
    return pd.DataFrame(
        {
            "application_id": [f"A{i:02d}" for i in range(n)],
            "organisation": [f"Group {i}" for i in range(n)],
            "project": [f"Project {i}" for i in range(n)],
            "theme": themes or ["Older people"] * n,
            "ward": wards or ["Hextable"] * n,
            "imd_decile": deciles or [5] * n,
            "amount_requested": [float(r) for r in requests],
            "minimum_award": [float(m) for m in (minimums or requests)],
            "score": [float(s) for s in scores],
        }
    )


def S(**changes) -> grants.Settings:  # noqa: N802 - reads like the old S(...)
    """Checked settings, as the notebook builds them (``committed`` is ``committed_items``)."""
    if "committed" in changes:
        changes["committed_items"] = changes.pop("committed")
    return grants.Settings.from_parameters(changes)


def awards(allocation: pd.DataFrame) -> list[float]:
    return allocation["awarded"].round(2).tolist()


# ----------------------------------------------------------------- rank


def test_rank_funds_in_score_order_and_skips_one_that_does_not_fit():
    # £100: A00 (90) takes £60; A01 (80) asks £50 > £40 left, skipped; A02 (70) asks £40, fits.
    out = grants.allocate(apps([60, 50, 40], [90, 80, 70]), S(method="rank", budget=100))
    assert awards(out) == [60, 0, 40]
    assert out["funded"].tolist() == [True, False, True]


def test_rank_breaks_ties_by_application_id():
    out = grants.allocate(apps([50, 50], [70, 70]), S(method="rank", budget=60))
    assert awards(out) == [50, 0]


def test_rank_ignores_applications_below_min_score():
    out = grants.allocate(apps([10, 10], [39, 40]), S(method="rank", budget=100, min_score=40))
    assert awards(out) == [0, 10]
    assert out["eligible"].tolist() == [False, True]


def test_rank_caps_each_request_at_max_award():
    out = grants.allocate(apps([5000, 800], [90, 80]), S(method="rank", budget=10000, max_award=2000))
    assert awards(out) == [2000, 800]


def test_committed_items_come_off_the_budget_first():
    scenario = S(method="rank", budget=1000, committed={"SLA": 900})
    out = grants.allocate(apps([150, 100], [90, 80]), scenario)
    assert scenario.available == 100
    assert awards(out) == [0, 100]


def test_equity_weight_lifts_an_application_in_a_more_deprived_area():
    frame = apps([100, 100], [80, 75], deciles=[9, 1])
    plain = grants.allocate(frame, S(method="rank", budget=100))
    weighted = grants.allocate(frame, S(method="rank", budget=100, equity_weight=1.2))
    assert awards(plain) == [100, 0]
    # 75 x 1.2 = 90 beats 80 x (1 + 0.2 x 1/9) = 81.8
    assert awards(weighted) == [0, 100]


def test_factors_chosen_per_decile_replace_the_taper():
    frame = apps([100, 100], [80, 75], deciles=[9, 4])
    out = grants.allocate(frame, S(method="rank", budget=100, decile_factors={4: 1.1}))
    # 75 x 1.1 = 82.5 beats 80 x 1 (decile 9 has no factor).
    assert awards(out) == [0, 100]
    assert out["weighted_score"].tolist() == [80.0, pytest.approx(82.5)]


def test_a_factor_for_a_decile_that_does_not_exist_is_refused():
    with pytest.raises(InputError, match="not an IMD decile"):
        grants.allocate(apps([10], [50]), S(budget=100, decile_factors={11: 1.5}))


# ----------------------------------------------------------------- pro rata


def test_pro_rata_gives_everyone_the_same_fraction():
    out = grants.allocate(apps([100, 300], [50, 90]), S(method="pro_rata", budget=200))
    assert awards(out) == [50, 150]
    assert out["fraction_funded"].tolist() == [0.5, 0.5]


def test_pro_rata_never_gives_more_than_the_request():
    out = grants.allocate(apps([100, 300], [50, 90]), S(method="pro_rata", budget=10000))
    assert awards(out) == [100, 300]


def test_pro_rata_applies_cap_before_the_fraction():
    out = grants.allocate(apps([1000, 100], [50, 90]), S(method="pro_rata", budget=150, max_award=200))
    assert awards(out) == [100, 50]


# ----------------------------------------------------------------- optimal


def test_optimal_beats_rank_when_the_top_score_blocks_two_good_ones():
    # £100: rank funds the £100 request (score 90); optimal funds two £50 requests (80 + 70 = 150).
    frame = apps([100, 50, 50], [90, 80, 70])
    assert awards(grants.allocate(frame, S(method="rank", budget=100))) == [100, 0, 0]
    assert awards(grants.allocate(frame, S(method="optimal", budget=100))) == [0, 50, 50]


def test_optimal_partial_awards_stay_between_minimum_and_request():
    # £120: A00 asks £100 (least viable £40, score 90), A01 asks £80 (all or nothing, score 80).
    # All or nothing, only one fits and A00 wins (90).  With partial awards, A00 at £40 (0.4 x 90 = 36)
    # plus A01 at £80 (80) totals 116, the best any split of £120 can do.
    frame = apps([100, 80], [90, 80], minimums=[40, 80])
    out = grants.allocate(frame, S(method="optimal", budget=120, partial=True))
    # A00 at £40 (0.4 x 90 = 36) + A01 at £80 (80) = 116 beats A00 at £100 alone (90).
    assert awards(out) == [40, 80]
    assert out["fraction_funded"].tolist() == [0.4, 1.0]


def test_optimal_theme_floor_secures_a_minimum_share():
    frame = apps([60, 60], [90, 50], themes=["Older people", "Environment"])
    without = grants.allocate(frame, S(method="optimal", budget=60))
    floor = grants.allocate(frame, S(method="optimal", budget=60, theme_floors={"Environment": 0.5}))
    assert awards(without) == [60, 0]
    assert awards(floor) == [0, 60]


def test_optimal_ward_cap_limits_any_one_ward():
    frame = apps([50, 50, 40], [90, 80, 10], wards=["Hextable", "Hextable", "Kemsing"])
    out = grants.allocate(frame, S(method="optimal", budget=100, ward_cap=60))
    assert awards(out) == [50, 0, 40]


def test_optimal_explains_rules_that_cannot_all_be_met():
    frame = apps([60, 10], [90, 50], themes=["Older people", "Environment"])
    with pytest.raises(InputError, match="Lower the minimum for a theme"):
        grants.allocate(frame, S(method="optimal", budget=100, theme_floors={"Environment": 0.5}))


# ----------------------------------------------------------------- checks


@pytest.mark.parametrize(
    "changes, phrase",
    [
        ({"budget": 0}, "must be more than £0"),
        ({"budget": -5}, "from 0 to 100,000,000"),
        ({"committed": {"SLA": 200}}, "use up the whole budget"),
        ({"max_award": 0}, "maximum award"),
        ({"min_score": 120}, "from 0 to 100"),
        ({"method": "lottery"}, "'lottery' is not"),
        ({"theme_floors": {"Environment": 0.7, "Older people": 0.5}}, "add up to more than"),
    ],
)
def test_settings_that_cannot_work_are_refused_in_plain_english(changes, phrase):
    with pytest.raises(InputError, match=phrase):
        grants.allocate(apps([10], [50]), S(**{"budget": 100, **changes}))


def _csv(text: str) -> bytes:
    header = "application_id,organisation,project,theme,ward,amount_requested,score,minimum_award\n"
    return (header + text).encode()


@pytest.mark.parametrize(
    "rows, phrase",
    [
        ("A1,G,P,T,Hextable,100,50,\nA1,G,P,T,Kemsing,100,50,\n", "appears more than once"),
        ("A1,G,P,T,Atlantis,100,50,\n", "'Atlantis' is not a Sevenoaks ward"),
        ("A1,G,P,T,Hextable,lots,50,\n", "'lots' is not an amount of money"),
        ("A1,G,P,T,Hextable,-100,50,\n", "below the lowest allowed value"),
        ("A1,G,P,T,Hextable,100,101,\n", "above the highest allowed value"),
        ("A1,G,P,T,Hextable,100,50,150\n", "minimum award (£150.00) is more than the amount requested"),
        ("A1,G,P,T,Hextable,100,,\n", "the score is empty"),
    ],
)
def test_bad_application_files_get_a_message_naming_the_row(rows, phrase):
    with pytest.raises(InputError, match=re.escape(phrase)) as info:
        grants.load_applications(_csv(rows), filename="round.csv")
    assert "row 2" in str(info.value) or "row 3" in str(info.value)
    assert "Traceback" not in str(info.value)


def test_ward_names_match_ignoring_case_and_apostrophes():
    out = grants.load_applications(_csv("A1,G,P,T,swanley st marys,100,50,\n"), filename="round.csv")
    assert out["ward"].tolist() == ["Swanley St Mary's"]


def test_lsoa_code_gives_the_ward_and_the_lsoa_decile():
    data = b"application_id,organisation,project,theme,lsoa_code,amount_requested,score\nA1,G,P,T,E01024413,100,50\n"
    out = grants.load_applications(data, filename="round.csv")  # IMD 2025: the code is a 2021 LSOA too
    assert out["ward"].tolist() == ["Ash and New Ash Green"]
    assert out["imd_decile"].tolist() == [4]
    assert grants.load_applications(data, filename="round.csv", edition=2019)["imd_decile"].tolist() == [5]


def test_blank_score_is_computed_from_criteria_with_declared_weights():
    data = (
        b"application_id,organisation,project,theme,ward,amount_requested,need,community_benefit,deliverability,value_for_money\n"
        b"A1,G,P,T,Hextable,100,80,60,40,20\n"
    )
    out = grants.load_applications(data, filename="round.csv")
    weights = grants.criterion_weights()
    expected = (
        80 * weights["need"]
        + 60 * weights["community_benefit"]
        + 40 * weights["deliverability"]
        + 20 * weights["value_for_money"]
    ) / sum(weights.values())
    assert out["score"].tolist() == [pytest.approx(expected)]


def test_minimum_award_defaults_to_the_full_request():
    out = grants.load_applications(_csv("A1,G,P,T,Hextable,100,50,\n"), filename="round.csv")
    assert out["minimum_award"].tolist() == [100.0]


# ----------------------------------------------------------------- example round and comparison


def test_example_round_is_a_realistic_labelled_round():
    table = grants.load_applications(data_path("grants", "example_applications.csv"))
    assert 40 <= len(table) <= 60
    assert table["organisation"].str.contains("(example)", regex=False).all()
    assert table["ward"].nunique() >= 10 and table["theme"].nunique() >= 4
    assert table["amount_requested"].sum() > grants.default_scenario().available


def test_default_budget_is_the_scheme_budget_less_the_sla_from_the_parameter_files():
    from sv_helpers.core.parameters import parameter_value

    settings = grants.default_scenario()
    expected = parameter_value("grants.scheme_budget") - parameter_value("grants.citizens_advice_sla")
    assert settings.budget == settings.available == expected == 54791
    assert S(budget=153331, committed={"SLA": 98540}).available == 54791


def test_comparison_lists_only_applications_whose_outcome_differs():
    frame = apps([100, 50, 50, 10], [90, 80, 70, 60])
    summary, allocations, diff = grants.compare_scenarios(
        frame, {"Rank": S(method="rank", budget=110), "Optimal": S(method="optimal", budget=110)}
    )
    assert summary["scenario"].tolist() == ["Rank", "Optimal"]
    # Rank: A00 100 + A03 10; optimal: A01 50 + A02 50 + A03 10 (score 210 > 150).
    assert diff["application_id"].tolist() == ["A00", "A01", "A02"]
    assert summary.loc[0, "number_funded"] == 2 and summary.loc[1, "number_funded"] == 3
    assert summary.loc[1, "unfunded_demand"] == pytest.approx(100)


def test_a_compared_scenario_cannot_take_the_current_scenarios_name_or_change_the_file():
    with pytest.raises(InputError, match="the name of the current scenario"):
        S(compare={"Rank by score": {"method": "optimal"}})
    with pytest.raises(InputError, match="cannot change"):
        S(compare={"Other file": {"applications_path": "elsewhere.csv"}})
    with pytest.raises(InputError, match="In the scenario 'Big'"):
        S(compare={"Big": {"budget": float("inf")}})


def test_share_to_most_deprived_counts_deciles_up_to_the_threshold():
    frame = apps([30, 70], [90, 80], deciles=[2, 8])
    out = grants.allocate(frame, S(budget=100))
    assert grants.summarise_allocation(out, S(budget=100), most_deprived_decile=5)["most_deprived_share"] == 30.0


def test_funding_by_ward_lists_every_ward():
    out = grants.allocate(apps([30], [90]), S(budget=100))
    table = grants.funding_by_ward(out)
    assert len(table) == 26
    assert table.loc[table["ward"] == "Hextable", "awarded"].item() == 30


# ----------------------------------------------------------------- properties


@st.composite
def instances(draw, max_n=9):
    n = draw(st.integers(1, max_n))
    requests = draw(st.lists(st.integers(1, 200).map(lambda v: v * 10.0), min_size=n, max_size=n))
    scores = draw(st.lists(st.integers(0, 100), min_size=n, max_size=n))
    deciles = draw(st.lists(st.integers(1, 10), min_size=n, max_size=n))
    budget = draw(st.integers(1, 1500).map(lambda v: v * 10.0))
    cap = draw(st.one_of(st.none(), st.integers(1, 200).map(lambda v: v * 10.0)))
    min_score = draw(st.sampled_from([0.0, 30.0, 60.0]))
    equity = draw(st.sampled_from([1.0, 1.5]))
    return apps(requests, scores, deciles=deciles), S(
        budget=budget, max_award=cap, min_score=min_score, equity_weight=equity
    )


@settings(max_examples=60, deadline=None)
@given(instances(), st.sampled_from(grants.METHODS))
def test_no_method_awards_more_than_the_budget_or_a_capped_request(instance, method):
    frame, scenario = instance
    out = grants.allocate(frame, scenario.replace(method=method))
    assert out["awarded"].sum() <= scenario.available + 1e-6
    assert (out["awarded"] <= out["capped_request"] + 1e-6).all()
    assert (out.loc[~out["eligible"], "awarded"] == 0).all()


@settings(max_examples=60, deadline=None)
@given(instances())
def test_optimal_scores_at_least_as_well_as_rank(instance):
    frame, scenario = instance
    rank = grants.allocate(frame, scenario.replace(method="rank"))
    best = grants.allocate(frame, scenario.replace(method="optimal"))
    score = lambda a: float((a["weighted_score"] * a["funded"]).sum())  # noqa: E731
    assert score(best) >= score(rank) - 1e-6


@settings(max_examples=60, deadline=None)
@given(instances(max_n=8))
def test_optimal_matches_brute_force_on_small_instances(instance):
    frame, scenario = instance
    best = grants.allocate(frame, scenario.replace(method="optimal"))
    achieved = float((best["weighted_score"] * best["funded"]).sum())
    assert achieved == pytest.approx(grants.brute_force_best_score(frame, scenario), abs=1e-6)


@settings(max_examples=30, deadline=None)
@given(instances(), st.integers(1, 100))
def test_partial_awards_lie_between_minimum_and_capped_request(instance, pct):
    frame, scenario = instance
    frame = frame.assign(minimum_award=(frame["amount_requested"] * pct / 100).round(2))
    out = grants.allocate(frame, scenario.replace(method="optimal", partial=True))
    lower = np.minimum(frame["minimum_award"].to_numpy(), out["capped_request"].to_numpy())
    funded = out["funded"].to_numpy()
    assert (out["awarded"].to_numpy()[funded] >= lower[funded] - 0.01).all()
    assert out["awarded"].sum() <= scenario.available + 1e-6


# ----------------------------------------------------------------- one allocator for any bids (planning's CIL bids)


def test_any_table_of_bids_is_allocated_with_its_own_group_and_ward_columns():
    bids = pd.DataFrame(
        {
            "bid_id": ["B1", "B2", "B3"],
            "infrastructure_type": ["Education", "Health", "Health"],
            "ward": ["Hextable", "Kemsing", "Kemsing"],
            "amount_requested": [60.0, 50.0, 40.0],
            "score": [90.0, 80.0, 70.0],
        }
    )
    rules = grants.AllocationRules(method="optimal", available=100, group_floors={"Education": 0.6}, ward_cap=60)
    out = grants.allocate(bids, rules, group_column="infrastructure_type", id_column="bid_id")
    # The floor puts Education's £60 in; the ward cap lets only one Kemsing bid (the better, £40 fits).
    assert out["bid_id"].tolist() == ["B1", "B2", "B3"]
    assert "infrastructure_type" in out.columns and "theme" not in out.columns
    assert awards(out) == [60, 0, 40]
    with pytest.raises(InputError, match="infrastructure type 'Roads'"):
        grants.allocate(
            bids,
            grants.AllocationRules(method="optimal", available=100, group_floors={"Roads": 0.1}),
            group_column="infrastructure_type",
            id_column="bid_id",
        )


def test_allocation_rules_are_checked_in_plain_english():
    with pytest.raises(InputError, match="must be more than £0"):
        grants.allocate(apps([10], [50]), grants.AllocationRules(method="rank", available=0))
    with pytest.raises(InputError, match="no column 'theme'"):
        grants.allocate(apps([10], [50]).drop(columns="theme"), grants.AllocationRules(method="rank", available=10))
