"""Hand-worked cases and properties of the tender scoring rules (sv_helpers.scoring)."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sv_helpers.core.errors import InputError
from sv_helpers.core.paths import data_path
from sv_helpers.scoring import (
    TENDER_SCHEMAS,
    Tender,
    TenderSettings,
    assessment_summaries,
    assessment_summary_text,
    check_tender,
    final_scores,
    load_tender,
    price_fraction,
    rebalance_weights,
    score_tender,
)

MEASURES = pd.DataFrame(
    {
        "measure_code": ["JOB", "VOL", "CO2", "TALK"],
        "theme": ["economic", "social", "environmental", "social"],
        "outcome": ["o"] * 4,
        "description": ["d"] * 4,
        "unit": ["job", "hour", "tonne", "talk"],
        "proxy_value_gbp": [20000.0, 10.0, 100.0, np.nan],
        "source": ["example"] * 4,
        "year": [2025] * 4,
    }
)


def _frame(rows, columns):
    frame = pd.DataFrame(rows, columns=columns)
    frame.index = pd.RangeIndex(2, 2 + len(frame), name="row")
    return frame


def make_tender(criteria, bids, scores=(), commitments=(), max_score=5.0, minimum=10.0, margin=1.0) -> Tender:
    """Build a tender from lists of tuples, as the loader would return it."""
    scores = [s if len(s) == 5 else (*s, "") for s in scores]
    return Tender(
        criteria=_frame(criteria, ["criterion", "group", "weight", "method"]),
        bids=_frame(bids, ["bidder", "price"]).astype({"price": float}),
        scores=_frame(scores, ["bidder", "criterion", "evaluator", "score", "comment"]).astype({"score": float}),
        commitments=_frame(commitments, ["bidder", "measure_code", "quantity"]).astype({"quantity": float}),
        settings=TenderSettings(max_score, minimum, margin),
        name="test.xlsx",
    )


PRICE_ONLY = [("Price", "price", 100, "lowest_price")]


def simple_tender(**kw) -> Tender:
    """Price 60, Quality 25 (scored), Social value 15 (proxy value)."""
    return make_tender(
        [
            ("Price", "price", 60, "lowest_price"),
            ("Quality", "quality", 25, "scored"),
            ("Social value", "social_value", 15, "proxy_value"),
        ],
        [("A", 100_000), ("B", 80_000), ("C", 120_000)],
        [
            ("A", "Quality", "E1", 4),
            ("A", "Quality", "E2", 5),
            ("B", "Quality", "E1", 3),
            ("B", "Quality", "E2", 3),
            ("C", "Quality", "E1", 5),
            ("C", "Quality", "E2", 5),
        ],
        [("A", "JOB", 1), ("B", "VOL", 500), ("C", "CO2", 100), ("C", "TALK", 3)],
        **kw,
    )


# --------------------------------------------------------------------------- price


def test_lowest_price_gets_full_price_marks():
    result = score_tender(make_tender(PRICE_ONLY, [("A", 100), ("B", 200)]), MEASURES)
    scores = result.ranking.set_index("bidder")["price_score"]
    assert scores["A"] == 100
    assert scores["B"] == pytest.approx(50.0)  # 100 × 100 ÷ 200


def test_lowest_price_rule_is_weight_times_lowest_over_price():
    result = score_tender(simple_tender(), MEASURES)
    scores = result.ranking.set_index("bidder")["price_score"]
    assert scores["A"] == pytest.approx(60 * 80_000 / 100_000)  # 48
    assert scores["B"] == pytest.approx(60.0)
    assert scores["C"] == pytest.approx(40.0)  # 60 × 80k ÷ 120k


def test_deviation_from_lowest_deducts_the_percentage_above_lowest():
    result = score_tender(simple_tender(), MEASURES, price_method="deviation_from_lowest")
    scores = result.ranking.set_index("bidder")["price_score"]
    assert scores["A"] == pytest.approx(60 * (1 - 20_000 / 80_000))  # 25% above lowest → 45
    assert scores["C"] == pytest.approx(60 * 0.5)  # 50% above lowest → 30


def test_deviation_from_lowest_never_goes_below_zero():
    assert price_fraction(np.array([100.0, 250.0]), "deviation_from_lowest").tolist() == [1.0, 0.0]


# --------------------------------------------------------------------------- scored criteria


def test_scored_criterion_is_weight_times_mean_score_over_maximum():
    result = score_tender(simple_tender(), MEASURES)
    quality = result.ranking.set_index("bidder")["quality_score"]
    assert quality["A"] == pytest.approx(25 * 4.5 / 5)
    assert quality["B"] == pytest.approx(15.0)


def test_moderated_score_overrides_the_evaluators_mean():
    tender = make_tender(
        [("Price", "price", 50, "lowest_price"), ("Plan", "quality", 50, "scored")],
        [("A", 100), ("B", 100)],
        [
            ("A", "Plan", "E1", 1),
            ("A", "Plan", "E2", 5),
            ("A", "Plan", "moderated", 4, "agreed"),
            ("B", "Plan", "E1", 2),
            ("B", "Plan", "E2", 2),
        ],
    )
    finals = final_scores(tender).set_index("bidder")
    assert finals.loc["A", "final_score"] == 4
    assert finals.loc["A", "basis"] == "moderated"
    assert finals.loc["A", "reasons"] == "agreed"
    assert finals.loc["B", "final_score"] == 2
    result = score_tender(tender, MEASURES)
    assert result.ranking.set_index("bidder").loc["A", "quality_score"] == pytest.approx(50 * 4 / 5)


def test_maximum_score_from_settings_sets_the_scale():
    tender = make_tender([("Plan", "quality", 100, "scored")], [("A", 1)], [("A", "Plan", "E1", 7)], max_score=10)
    assert score_tender(tender, MEASURES).ranking.loc[0, "total_score"] == pytest.approx(70.0)


# --------------------------------------------------------------------------- proxy value


def test_proxy_value_is_weight_times_value_over_highest_value():
    result = score_tender(simple_tender(), MEASURES)
    sv = result.social_value
    assert sv.loc["A", "social_value_gbp"] == 20_000  # 1 job × £20,000
    assert sv.loc["B", "social_value_gbp"] == 5_000  # 500 hours × £10
    assert sv.loc["C", "social_value_gbp"] == 10_000  # 100 t × £100; talks not monetised
    assert sv.loc["C", "measures_not_monetised"] == 1
    scores = result.ranking.set_index("bidder")["social_value_score"]
    assert scores["A"] == pytest.approx(15.0)
    assert scores["B"] == pytest.approx(15 * 5_000 / 20_000)
    assert scores["C"] == pytest.approx(7.5)


def test_social_value_by_theme_and_per_pound_of_price():
    sv = score_tender(simple_tender(), MEASURES).social_value
    assert sv.loc["A", ["social", "economic", "environmental"]].tolist() == [0.0, 20_000.0, 0.0]
    assert sv.loc["C", "environmental"] == 10_000
    assert sv.loc["A", "value_per_pound"] == pytest.approx(0.2)  # £20,000 ÷ £100,000


def test_proxy_value_scores_zero_for_all_when_nobody_commits():
    tender = make_tender(
        [("Price", "price", 80, "lowest_price"), ("SV", "social_value", 20, "proxy_value")],
        [("A", 10), ("B", 20)],
        commitments=[("A", "TALK", 5)],
    )
    result = score_tender(tender, MEASURES)
    assert result.ranking["social_value_score"].tolist() == [0.0, 0.0]


# --------------------------------------------------------------------------- totals and ranks


def test_total_is_the_sum_of_criterion_scores_and_rank_one_is_highest():
    result = score_tender(simple_tender(), MEASURES)
    ranking = result.ranking.set_index("bidder")
    by_criterion = result.criterion_scores.groupby("bidder")["score"].sum()
    assert np.allclose(ranking["total_score"], by_criterion.reindex(ranking.index))
    # A: 48 + 22.5 + 15 = 85.5; B: 60 + 15 + 3.75 = 78.75; C: 40 + 25 + 7.5 = 72.5
    assert ranking["total_score"].to_dict() == pytest.approx({"A": 85.5, "B": 78.75, "C": 72.5})
    assert ranking["rank"].to_dict() == {"A": 1, "B": 2, "C": 3}
    assert list(result.ranking.columns) == [
        "bidder",
        "price_score",
        "quality_score",
        "social_value_score",
        "total_score",
        "rank",
    ]
    assert list(result.criterion_scores.columns) == ["bidder", "criterion", "group", "score"]


def test_equal_totals_share_a_rank():
    result = score_tender(make_tender(PRICE_ONLY, [("A", 100), ("B", 100), ("C", 200)]), MEASURES)
    assert result.ranking.set_index("bidder")["rank"].to_dict() == {"A": 1, "B": 1, "C": 3}
    assert result.winners == ["A", "B"]


# --------------------------------------------------------------------------- checks


def _messages(tender, level="error"):
    return [f.message for f in check_tender(tender, MEASURES) if f.level == level]


def test_weights_that_do_not_add_up_to_100_are_an_error():
    tender = make_tender(
        [("Price", "price", 60, "lowest_price"), ("SV", "social_value", 30, "proxy_value")], [("A", 1)]
    )
    assert any("add up to 90" in m for m in _messages(tender))
    with pytest.raises(InputError, match="not 100"):
        score_tender(tender, MEASURES)


def test_social_value_weight_below_minimum_is_a_warning():
    tender = make_tender(PRICE_ONLY, [("A", 1)])
    warnings = _messages(tender, "warning")
    assert any("below the minimum of 10" in m and "Social Value Model" in m for m in warnings)
    assert not _messages(tender)
    assert score_tender(tender, MEASURES).findings  # the warning travels with the result


def test_missing_score_is_an_error_naming_bid_and_criterion():
    tender = make_tender(
        [("Price", "price", 50, "lowest_price"), ("Plan", "quality", 50, "scored")],
        [("A", 1), ("B", 2)],
        [("A", "Plan", "E1", 3)],
    )
    assert any(m.startswith("B has no score for 'Plan'") for m in _messages(tender))


def test_score_outside_the_scale_is_an_error_naming_the_row():
    tender = make_tender(
        [("Plan", "quality", 100, "scored")], [("A", 1)], [("A", "Plan", "E1", 3), ("A", "Plan", "E2", 6)]
    )
    errors = _messages(tender)
    assert any("row 3" in m and "outside the scale of 0 to 5" in m for m in errors)


def test_unknown_measure_code_is_an_error():
    tender = make_tender(PRICE_ONLY, [("A", 1)], commitments=[("A", "NOPE", 1)])
    assert any("'NOPE'" in m and "measures library" in m for m in _messages(tender))


@pytest.mark.parametrize("price", [0.0, -5.0])
def test_non_positive_price_is_an_error(price):
    tender = make_tender(PRICE_ONLY, [("A", 10), ("B", price)])
    assert any("B's bid" in m and "more than £0" in m for m in _messages(tender))


def test_non_numeric_price_is_refused_by_the_loader():
    files = _csv_files()
    files["bids"] = "bidder,price\nA,100\nB,TBC\n"
    with pytest.raises(InputError, match=r"sheet 'bids', row 3, column 'price': 'TBC' is not an amount of money"):
        load_tender(_workbook(files), filename="bad.xlsx")


def test_evaluators_who_disagree_beyond_the_margin_are_flagged_for_moderation():
    tender = make_tender(
        [("Plan", "quality", 100, "scored")],
        [("A", 1), ("B", 1)],
        [("A", "Plan", "E1", 1), ("A", "Plan", "E2", 3), ("B", "Plan", "E1", 2), ("B", "Plan", "E2", 3)],
    )
    warnings = _messages(tender, "warning")
    assert len([m for m in warnings if "flagged for moderation" in m]) == 1
    assert any("A on 'Plan'" in m for m in warnings)


def test_moderated_disagreement_is_not_flagged():
    tender = make_tender(
        [("Plan", "quality", 100, "scored")],
        [("A", 1)],
        [("A", "Plan", "E1", 1), ("A", "Plan", "E2", 5), ("A", "Plan", "moderated", 3)],
    )
    assert not [m for m in _messages(tender, "warning") if "moderation" in m]


def test_proxy_value_on_a_quality_criterion_is_an_error():
    tender = make_tender([("Price", "price", 50, "lowest_price"), ("Plan", "quality", 50, "proxy_value")], [("A", 1)])
    assert any("only social value criteria" in m for m in _messages(tender))


def test_score_for_unknown_bidder_is_an_error():
    tender = make_tender(
        [("Plan", "quality", 100, "scored")], [("A", 1)], [("A", "Plan", "E1", 3), ("Z", "Plan", "E1", 3)]
    )
    assert any("'Z' is not a bidder" in m for m in _messages(tender))


# --------------------------------------------------------------------------- loading


def _csv_files() -> dict[str, str]:
    folder = data_path("tenders", "example_tender")
    return {p.stem: p.read_text(encoding="utf-8") for p in folder.glob("*.csv")}


def _workbook(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for name, text in files.items():
            pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False).to_excel(
                writer, sheet_name=name, index=False
            )
    return buffer.getvalue()


def test_example_workbook_and_csv_folder_give_the_same_result():
    from sv_helpers.core.measures import load_measures

    measures = load_measures()
    a = score_tender(load_tender(data_path("tenders", "example_tender.xlsx")), measures)
    b = score_tender(load_tender(data_path("tenders", "example_tender")), measures)
    pd.testing.assert_frame_equal(a.ranking, b.ranking)
    assert 4 <= len(a.ranking) <= 6


def test_blank_template_has_every_sheet_and_column():
    tables = pd.read_excel(data_path("tenders", "tender_template.xlsx"), sheet_name=None)
    for name, schema in TENDER_SCHEMAS.items():
        assert list(tables[name].columns) == schema.column_names
        assert tables[name].empty


def test_settings_sheet_is_optional_and_defaults_apply():
    files = _csv_files()
    del files["settings"]
    tender = load_tender(_workbook(files), filename="no_settings.xlsx")
    assert tender.settings == TenderSettings.defaults()


def test_unknown_setting_is_refused():
    files = _csv_files()
    files["settings"] = "key,value\nmax_points,10\n"
    with pytest.raises(InputError, match="'max_points' is not a setting"):
        load_tender(_workbook(files), filename="t.xlsx")


def test_blank_method_takes_the_group_default():
    files = _csv_files()
    files["criteria"] = "criterion,group,weight,method\nPrice,price,60,\nPlan,quality,40,\n"
    tender = load_tender(_workbook(files), filename="t.xlsx")
    assert tender.criteria["method"].tolist() == ["lowest_price", "scored"]


def test_missing_sheet_is_named():
    files = _csv_files()
    del files["bids"]
    with pytest.raises(InputError, match="no sheet called 'bids'"):
        load_tender(_workbook(files), filename="t.xlsx")


# --------------------------------------------------------------------------- weights and summaries


def test_rebalanced_weights_keep_the_total_at_100_and_the_others_in_proportion():
    weights = pd.Series({"Price": 60.0, "Quality": 30.0, "SV": 10.0})
    new = rebalance_weights(weights, "SV", 20)
    assert new["SV"] == 20
    assert new.sum() == pytest.approx(100)
    assert new["Price"] == pytest.approx(2 * new["Quality"], abs=0.2)  # rounded to 0.1 points
    assert new[["Price", "Quality"]].round(1).tolist() == [53.3, 26.7]


def test_assessment_summary_sets_each_bid_beside_the_winner():
    result = score_tender(simple_tender(), MEASURES)
    table = assessment_summaries(result)
    assert set(table["winning_bidder"]) == {"A"}
    b_price = table[(table["bidder"] == "B") & (table["criterion"] == "Price")].iloc[0]
    assert b_price["score"] == pytest.approx(60) and b_price["winning_score"] == pytest.approx(48)
    totals = table[table["criterion"] == "Total"].set_index("bidder")["score"]
    assert totals.to_dict() == pytest.approx(result.ranking.set_index("bidder")["total_score"].to_dict())
    text = assessment_summary_text(result, "C")
    assert "ranked 3 of 3" in text and "Winning bid (A)" in text


# --------------------------------------------------------------------------- properties

prices = st.floats(min_value=1.0, max_value=1e8, allow_nan=False)


@st.composite
def tenders(draw):
    n = draw(st.integers(2, 6))
    cut = sorted(draw(st.lists(st.integers(0, 100), min_size=2, max_size=2)))
    w_price, w_quality, w_sv = cut[0], cut[1] - cut[0], 100 - cut[1]
    bids = [(f"B{i}", draw(prices)) for i in range(n)]
    scores = [(f"B{i}", "Plan", e, draw(st.floats(0, 5))) for i in range(n) for e in ("E1", "E2")]
    commitments = [
        (f"B{i}", draw(st.sampled_from(["JOB", "VOL", "CO2", "TALK"])), draw(st.floats(0, 1000)))
        for i in range(n)
        for _ in range(draw(st.integers(0, 2)))
    ]
    method = draw(st.sampled_from(["lowest_price", "deviation_from_lowest"]))
    criteria = [
        ("Price", "price", w_price, method),
        ("Plan", "quality", w_quality, "scored"),
        ("SV", "social_value", w_sv, "proxy_value"),
    ]
    return make_tender(criteria, bids, scores, commitments)


@settings(max_examples=60, deadline=None)
@given(tenders())
def test_totals_never_exceed_100(tender):
    result = score_tender(tender, MEASURES)
    assert (result.ranking["total_score"] <= 100 + 1e-9).all()
    assert (result.ranking["total_score"] >= 0).all()
    assert result.ranking["rank"].min() == 1


@settings(max_examples=60, deadline=None)
@given(tenders(), st.data())
def test_lowering_a_price_never_lowers_that_bids_price_score(tender, data):
    i = data.draw(st.integers(0, len(tender.bids) - 1))
    factor = data.draw(st.floats(0.01, 1.0))
    before = score_tender(tender, MEASURES).ranking.set_index("bidder")["price_score"]
    bids = tender.bids.copy()
    bids.iloc[i, bids.columns.get_loc("price")] *= factor
    after = score_tender(
        Tender(tender.criteria, bids, tender.scores, tender.commitments, tender.settings), MEASURES
    ).ranking.set_index("bidder")["price_score"]
    bidder = bids["bidder"].iloc[i]
    assert after[bidder] >= before[bidder] - 1e-9


@settings(max_examples=60, deadline=None)
@given(tenders(), st.sampled_from([0.5, 2.0, 3.0, 1000.0]))
def test_scaling_all_prices_by_the_same_factor_changes_no_score(tender, factor):
    before = score_tender(tender, MEASURES)
    bids = tender.bids.copy()
    bids["price"] = bids["price"] * factor
    after = score_tender(Tender(tender.criteria, bids, tender.scores, tender.commitments, tender.settings), MEASURES)
    np.testing.assert_allclose(after.criterion_scores["score"], before.criterion_scores["score"], rtol=1e-9, atol=1e-9)
    assert after.ranking["bidder"].tolist() == before.ranking["bidder"].tolist()


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.floats(0, 100), min_size=2, max_size=8).filter(lambda w: sum(w) > 0),
    st.data(),
)
def test_rebalanced_weights_always_add_up_to_100_and_stay_between_0_and_100(raw, data):
    weights = pd.Series([w * 100 / sum(raw) for w in raw], index=[f"C{i}" for i in range(len(raw))])
    changed = data.draw(st.sampled_from(list(weights.index)))
    new_weight = data.draw(st.floats(-10, 110))
    new = rebalance_weights(weights, changed, new_weight)
    assert new.sum() == pytest.approx(100, abs=1e-9)
    assert (new >= 0).all() and (new <= 100).all()
    assert new[changed] == pytest.approx(min(max(round(new_weight, 1), 0), 100), abs=0.51)
