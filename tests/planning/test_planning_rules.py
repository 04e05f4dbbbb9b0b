"""The planning gain rules, one worked example each, in the regulations' own terms, plus property tests."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sv_helpers.core.errors import InputError
from sv_helpers.planning import allocation, neighbourhood, s106
from sv_helpers.planning.administration import administration_amount

FY = "2025/26"


def receipts(*rows) -> pd.DataFrame:
    """Receipts from (id, date_received, parish, permission_date, amount) tuples."""
    table = pd.DataFrame(rows, columns=["receipt_id", "date_received", "parish", "permission_date", "amount"])
    table["date_received"] = pd.to_datetime(table["date_received"])
    table["permission_date"] = pd.to_datetime(table["permission_date"])
    table["development"] = "test"
    table["amount"] = table["amount"].astype(float)
    return table


def parishes(*rows) -> pd.DataFrame:
    """Parishes from (parish, dwellings, plan_made or None) tuples."""
    table = pd.DataFrame(rows, columns=["parish", "council_tax_dwellings", "neighbourhood_plan_made"])
    table["neighbourhood_plan_made"] = pd.to_datetime(table["neighbourhood_plan_made"])
    return table


def portion(table, parish_table, parish):
    by_parish, by_receipt = neighbourhood.neighbourhood_portion(table, parish_table, FY)
    return by_parish.set_index("parish").loc[parish], by_receipt


# --------------------------------------------------------------------------- neighbourhood portion (59A, 59D, 59F)


def test_fifteen_percent_without_a_plan():
    row, _ = portion(
        receipts(("R1", "2025-05-01", "Kemsing", "2024-01-01", 100_000)), parishes(("Kemsing", 1000, None)), "Kemsing"
    )
    assert row["neighbourhood_portion"] == 15_000
    assert row["receipts_at_15pct"] == 100_000 and row["receipts_at_25pct"] == 0
    assert row["cap"] == 100_000


def test_a_parish_over_its_cap_gets_100_pounds_per_dwelling_and_the_later_receipt_is_cut():
    # 200 dwellings: cap £20,000. 15% of £100,000 (May) = £15,000 passes in full; 15% of £60,000 (June) = £9,000,
    # of which only £5,000 is left under the cap.
    table = receipts(
        ("R2", "2025-06-01", "Cowden", "2024-01-01", 60_000), ("R1", "2025-05-01", "Cowden", "2024-01-01", 100_000)
    )
    row, by_receipt = portion(table, parishes(("Cowden", 200, None)), "Cowden")
    assert row["cap"] == 20_000
    assert row["neighbourhood_portion"] == 20_000
    per = by_receipt.set_index("receipt_id")
    assert per.loc["R1", "portion"] == 15_000 and per.loc["R1", "capped_by"] == 0
    assert per.loc["R2", "portion"] == 5_000 and per.loc["R2", "capped_by"] == 4_000
    assert neighbourhood.describe_cap(by_receipt) and "Cowden" in neighbourhood.describe_cap(by_receipt)[0]


def test_the_cap_starts_again_each_financial_year():
    table = receipts(
        ("R1", "2025-03-31", "Cowden", "2024-01-01", 200_000), ("R2", "2025-04-01", "Cowden", "2024-01-01", 200_000)
    )
    row, _ = portion(table, parishes(("Cowden", 100, None)), "Cowden")
    assert row["cil_receipts"] == 200_000  # only the receipt of 1 April 2025 is in 2025/26
    assert row["neighbourhood_portion"] == 10_000


def test_a_plan_made_between_two_permissions_gives_25_percent_only_to_the_later_one():
    plan = "2024-06-15"
    table = receipts(
        ("BEFORE", "2025-05-01", "Edenbridge", "2024-06-14", 100_000),
        ("AFTER", "2025-05-02", "Edenbridge", "2024-06-15", 100_000),
    )
    row, by_receipt = portion(table, parishes(("Edenbridge", 5000, plan)), "Edenbridge")
    per = by_receipt.set_index("receipt_id")
    assert per.loc["BEFORE", "rate"] == 0.15 and per.loc["AFTER", "rate"] == 0.25
    assert row["receipts_at_25pct"] == 100_000 and row["receipts_at_15pct"] == 100_000
    assert row["neighbourhood_portion"] == 15_000 + 25_000


def test_the_25_percent_share_is_not_capped():
    row, _ = portion(
        receipts(("R1", "2025-05-01", "Otford", "2025-01-01", 1_000_000)),
        parishes(("Otford", 10, "2024-01-01")),
        "Otford",
    )
    assert row["neighbourhood_portion"] == 250_000  # far above 10 dwellings x £100


def test_an_unparished_receipt_is_kept_by_the_council_and_reported_apart():
    table = receipts(("R1", "2025-05-01", "", "2024-01-01", 80_000), ("R2", "2025-05-01", "Seal", "2024-01-01", 10_000))
    by_parish, by_receipt = neighbourhood.neighbourhood_portion(table, parishes(("Seal", 1000, None)), FY)
    kept = by_parish.set_index("parish").loc[neighbourhood.UNPARISHED]
    assert kept["neighbourhood_portion"] == 12_000 and pd.isna(kept["cap"])
    assert by_receipt.set_index("receipt_id").loc["R1", "kept_by_council"]
    assert by_parish.set_index("parish").loc["Seal", "neighbourhood_portion"] == 1_500


def test_a_receipt_on_30_september_is_due_by_28_october_and_on_1_october_by_28_april():
    table = receipts(
        ("SEP", "2025-09-30", "Seal", "2024-01-01", 10_000), ("OCT", "2025-10-01", "Seal", "2024-01-01", 20_000)
    )
    row, by_receipt = portion(table, parishes(("Seal", 1000, None)), "Seal")
    per = by_receipt.set_index("receipt_id")
    assert per.loc["SEP", "due_date"] == pd.Timestamp("2025-10-28")
    assert per.loc["OCT", "due_date"] == pd.Timestamp("2026-04-28")
    assert row["due_by_28_october"] == 1_500 and row["due_by_28_april"] == 3_000


def test_a_receipt_naming_an_unknown_parish_is_refused_with_its_row():
    table = receipts(("R1", "2025-05-01", "Atlantis", "2024-01-01", 1_000))
    table.index = [7]
    with pytest.raises(InputError, match=r"row 7, column 'parish': 'Atlantis' is not in the parishes file"):
        neighbourhood.neighbourhood_portion(table, parishes(("Seal", 1000, None)), FY)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    amounts=st.lists(st.floats(min_value=0, max_value=5e6, allow_nan=False), min_size=1, max_size=12),
    days=st.lists(st.integers(min_value=0, max_value=364), min_size=12, max_size=12),
    dwellings=st.integers(min_value=0, max_value=20_000),
    plan_day=st.one_of(st.none(), st.integers(min_value=-400, max_value=400)),
)
def test_the_portion_never_exceeds_25_percent_and_the_15_percent_share_never_exceeds_the_cap(
    amounts, days, dwellings, plan_day
):
    start = pd.Timestamp("2025-04-01")
    rows = [
        (f"R{i:02d}", start + pd.Timedelta(days=days[i]), "Leigh", start - pd.Timedelta(days=days[-1 - i]), a)
        for i, a in enumerate(amounts)
    ]
    plan = None if plan_day is None else start + pd.Timedelta(days=plan_day)
    by_parish, by_receipt = neighbourhood.neighbourhood_portion(
        receipts(*rows), parishes(("Leigh", dwellings, plan)), FY
    )
    row = by_parish.set_index("parish").loc["Leigh"]
    assert row["neighbourhood_portion"] <= 0.25 * row["cil_receipts"] + 0.01
    at15 = by_receipt[by_receipt["rate"] == 0.15]
    assert at15["portion"].sum() <= dwellings * 100 + 1e-6
    assert row["due_by_28_october"] + row["due_by_28_april"] == pytest.approx(row["neighbourhood_portion"], abs=0.01)
    assert (by_receipt["portion"] <= by_receipt["share_before_cap"] + 1e-9).all()


def test_many_small_receipts_never_pass_more_than_the_percentage_rounded_to_the_penny():
    # Found by hypothesis: three receipts of £1.50 at 25% are 37.5p each; rounded to the nearest penny they passed
    # £1.14, more than 25% of £4.50. Rounded down, the parish gets £1.11.
    start = pd.Timestamp("2025-04-01")
    rows = [(f"R{i}", start + pd.Timedelta(days=i), "Leigh", start - pd.Timedelta(days=30), 1.5) for i in range(3)]
    by_parish, by_receipt = neighbourhood.neighbourhood_portion(
        receipts(*rows), parishes(("Leigh", 1000, start - pd.Timedelta(days=400))), FY
    )
    assert by_receipt["portion"].tolist() == [0.37, 0.37, 0.37]
    assert by_parish.set_index("parish").loc["Leigh", "neighbourhood_portion"] == pytest.approx(1.11)


# --------------------------------------------------------------------------- administration (regulation 61)


def test_administration_at_5_percent_is_allowed_and_above_it_is_refused():
    assert administration_amount(1_000_000, 5) == 50_000
    with pytest.raises(InputError, match="regulation 61"):
        administration_amount(1_000_000, 5.01)
    with pytest.raises(InputError, match="cannot be negative"):
        administration_amount(1_000_000, -1)


# --------------------------------------------------------------------------- section 106 at risk


def ledger(spend_by: str, received=10_000.0, spent=0.0, repaid=0.0) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "agreement_id": ["A1"],
            "obligation": ["Open space"],
            "ward": ["Kemsing"],
            "amount_received": [received],
            "amount_spent": [spent],
            "amount_repaid": [repaid],
            "spend_by_date": [pd.Timestamp(spend_by)],
            "amount_agreed": [received],
        }
    )


def test_an_s106_sum_a_day_before_its_deadline_is_at_risk_and_a_day_after_is_past_deadline():
    deadline = "2026-03-31"
    before = s106.s106_at_risk(ledger(deadline), pd.Timestamp("2026-03-30"), 12)
    after = s106.s106_at_risk(ledger(deadline), pd.Timestamp("2026-04-01"), 12)
    assert before.loc[0, "status"] == "at risk" and before.loc[0, "unspent"] == 10_000
    assert after.loc[0, "status"] == "past deadline" and after.loc[0, "months_left"] <= 0


def test_s106_money_spent_or_beyond_the_window_is_not_listed():
    as_of = pd.Timestamp("2026-03-31")
    assert s106.s106_at_risk(ledger("2026-06-30", spent=10_000), as_of, 12).empty
    assert s106.s106_at_risk(ledger("2027-04-01"), as_of, 12).empty
    assert len(s106.s106_at_risk(ledger("2027-03-31"), as_of, 12)) == 1
    partly = s106.s106_at_risk(ledger("2026-06-30", spent=2_500, repaid=500), as_of, 12)
    assert partly.loc[0, "unspent"] == 7_000
    assert list(partly.columns) == list(s106.AT_RISK_COLUMNS)


def test_s106_totals_by_obligation_add_up():
    table = pd.concat([ledger("2026-06-30", received=100, spent=40), ledger("2027-06-30", received=50, spent=0)])
    table["agreement_id"] = ["A1", "A2"]
    totals = s106.s106_totals(table, "obligation").set_index("obligation").loc["Open space"]
    assert totals["amount_received"] == 150 and totals["amount_spent"] == 40 and totals["held"] == 110


# --------------------------------------------------------------------------- CIL scenarios through the grants allocator


def bids() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "bid_id": ["B1", "B2", "B3"],
            "organisation": ["KCC", "NHS", "EA"],
            "project": ["School", "Surgery", "Flood"],
            "infrastructure_type": ["Education", "Health", "Flood defence"],
            "ward": ["Kemsing", "Hextable", None],
            "amount_requested": [60.0, 50.0, 40.0],
            "score": [90.0, 80.0, 70.0],
            "minimum_award": [None, None, 20.0],
        }
    )


def test_rank_funds_the_highest_scores_that_fit_as_the_grants_area_does():
    awards = allocation.allocate_bids(bids(), 100, "rank")
    assert awards.to_dict() == {"B1": 60.0, "B2": 0.0, "B3": 40.0}


def test_pro_rata_gives_every_bid_the_same_fraction():
    awards = allocation.allocate_bids(bids(), 75, "pro_rata")
    assert awards.to_dict() == pytest.approx({"B1": 30.0, "B2": 25.0, "B3": 20.0})


def test_optimal_respects_a_floor_for_an_infrastructure_type():
    without = allocation.allocate_bids(bids(), 110, "optimal")
    assert without.to_dict() == {"B1": 60.0, "B2": 50.0, "B3": 0.0}
    with_floor = allocation.allocate_bids(bids(), 110, "optimal", type_floors={"Flood defence": 0.3})
    assert with_floor["B3"] == 40.0 and with_floor.sum() <= 110


def test_a_floor_for_a_type_nobody_bid_for_is_refused_by_name():
    with pytest.raises(InputError, match="'Libraries'"):
        allocation.allocate_bids(bids(), 110, "optimal", type_floors={"Libraries": 0.2})


def test_the_adapter_calls_the_grants_allocator_rather_than_a_copy(monkeypatch):
    from sv_helpers import grants

    calls = []
    real = grants.allocate

    def spy(applications, rules, **columns):
        calls.append((set(applications.columns), rules.method, dict(rules.group_floors), columns))
        return real(applications, rules, **columns)

    monkeypatch.setattr(grants, "allocate", spy)
    table = allocation.compare_methods(bids(), 100, type_floors={"Health": 0.1})
    assert [c[1] for c in calls] == ["rank", "pro_rata", "optimal"]
    assert {"application_id", "infrastructure_type", "ward", "amount_requested", "score"} <= calls[0][0]
    assert calls[0][3] == {"group_column": "infrastructure_type"}
    assert calls[0][2] == {} and calls[2][2] == {"Health": 0.1}  # floors go to the optimal method only
    assert list(table.columns) == list(allocation.ALLOCATION_COLUMNS)
