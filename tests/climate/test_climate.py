"""Tests for sv_helpers.climate: pathways on hand-worked numbers, checks, interventions and peers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sv_helpers import climate as cl
from sv_helpers.climate import emissions as em
from sv_helpers.core.errors import InputError


def series(values: dict[int, float]) -> pd.Series:
    return pd.Series(values, dtype=float).rename("actual_kt")


# Hand-worked: 600, 550, 500 in 2018–2020, a straight fall of 50 kt a year.
FALLING = series({2018: 600.0, 2019: 550.0, 2020: 500.0})


# --------------------------------------------------------------------------- linear


def test_linear_path_is_halfway_down_halfway_to_the_target():
    table, _ = cl.pathway_to_target(FALLING, pathway="linear", target_year=2040, trend_start_year=2018)
    path = table.set_index("year")["pathway_kt"]
    assert path[2030] == pytest.approx(250.0)
    assert path[2021] == pytest.approx(475.0)
    assert path[2040] == 0.0


def test_linear_required_reduction_is_the_yearly_fall_as_a_share_of_the_last_year():
    _, summary = cl.pathway_to_target(FALLING, pathway="linear", target_year=2040, trend_start_year=2018)
    assert summary["required_annual_reduction_pct"] == pytest.approx(5.0)  # 25 kt of 500 kt a year


def test_cumulative_to_target_sums_the_years_after_the_last_actual_to_the_target():
    # 2021..2040: 500 × (19 + 18 + ... + 0) / 20 = 500 × 190 / 20 = 4,750 kt
    _, summary = cl.pathway_to_target(FALLING, pathway="linear", target_year=2040, trend_start_year=2018)
    assert summary["cumulative_to_target_kt"] == pytest.approx(4750.0)


def test_pathway_table_has_actual_years_then_projected_years():
    table, _ = cl.pathway_to_target(FALLING, pathway="linear", target_year=2025, trend_start_year=2018)
    assert table["year"].tolist() == list(range(2018, 2026))
    assert table["actual_kt"].notna().tolist() == [True] * 3 + [False] * 5
    assert table["pathway_kt"].notna().tolist() == [False] * 3 + [True] * 5
    assert list(cl.pathway_output_table(table).columns) == ["year", "actual_kt", "pathway_kt", "trend_kt"]


# --------------------------------------------------------------------------- constant rate and budget


def test_constant_rate_falls_by_the_same_percentage_each_year():
    table, summary = cl.pathway_to_target(
        FALLING, pathway="constant_rate", target_year=2030, annual_reduction_pct=10.0, trend_start_year=2018
    )
    path = table.set_index("year")["pathway_kt"]
    assert path[2021] == pytest.approx(450.0)
    assert path[2022] == pytest.approx(405.0)
    assert path[2030] == pytest.approx(500.0 * 0.9**10)
    assert summary["required_annual_reduction_pct"] == 10.0


def test_budget_rate_is_last_year_over_last_year_plus_budget():
    # E0 = 500, B = 4,500: p = 500 / 5,000 = 10%
    _, summary = cl.pathway_to_target(
        FALLING, pathway="budget", target_year=2050, carbon_budget_kt=4500.0, trend_start_year=2018
    )
    assert summary["required_annual_reduction_pct"] == pytest.approx(10.0)


def test_budget_path_years_add_up_to_the_budget_when_summed_to_2200():
    table, _ = cl.pathway_to_target(
        FALLING, pathway="budget", target_year=2050, carbon_budget_kt=3000.0, trend_start_year=2018, end_year=2200
    )
    total = table.loc[table["year"] > 2020, "pathway_kt"].sum()
    assert total == pytest.approx(3000.0, rel=1e-3)


def test_budget_runs_out_in_the_first_year_flat_emissions_overspend_it():
    # 100 kt a year: 2021–2023 sum to 300 > 250, so 2023
    assert cl.budget_exhausted_year(2020, 100.0, 250.0) == 2023
    # exactly 300: 2021–2023 sum to 300 (not over), 2024 overspends
    assert cl.budget_exhausted_year(2020, 100.0, 300.0) == 2024


def test_budget_exhausted_year_is_reported_only_when_a_budget_is_given():
    _, without = cl.pathway_to_target(FALLING, pathway="linear", target_year=2040, trend_start_year=2018)
    _, with_budget = cl.pathway_to_target(
        FALLING, pathway="linear", target_year=2040, carbon_budget_kt=1250.0, trend_start_year=2018
    )
    assert "budget_exhausted_year" not in cl.summary_output(without)
    assert with_budget["budget_exhausted_year"] == 2023  # 1,250 / 500 = 2.5 years


# --------------------------------------------------------------------------- trend


def test_trend_reaches_zero_in_the_year_the_straight_line_hits_zero():
    # 600 − 50 × (year − 2018) is zero in 2030
    table, summary = cl.pathway_to_target(FALLING, pathway="linear", target_year=2040, trend_start_year=2018)
    assert summary["trend_net_zero_year"] == 2030
    trend = table.set_index("year")["trend_kt"]
    assert trend[2025] == pytest.approx(250.0)
    assert trend[2035] == 0.0  # the trend stops at zero


def test_trend_uses_only_years_from_the_trend_start():
    wobbly = series({2010: 100.0, 2011: 900.0, 2012: 700.0, 2013: 600.0, 2014: 500.0})
    slope, intercept = cl.fit_trend(wobbly, 2012)
    assert slope == pytest.approx(-100.0)
    assert cl.trend_net_zero_year(slope, intercept, 2012) == 2019


def test_rising_trend_never_reaches_net_zero():
    rising = series({2018: 400.0, 2019: 420.0, 2020: 440.0})
    _, summary = cl.pathway_to_target(rising, pathway="linear", target_year=2040, trend_start_year=2018)
    assert summary["trend_net_zero_year"] is None
    assert "does not reach net zero" in cl.summary_sentences(summary, place="Somewhere")[1]


def test_gap_is_trend_minus_pathway():
    table, _ = cl.pathway_to_target(FALLING, pathway="linear", target_year=2040, trend_start_year=2018)
    row = table.set_index("year").loc[2025]
    assert row["gap_kt"] == pytest.approx(250.0 - 375.0)


# --------------------------------------------------------------------------- checks


@pytest.mark.parametrize(
    "settings_, message",
    [
        (
            {"pathway": "linear", "target_year": 2019},
            "The target year, 2019, is not after the last year of actual data, 2020",
        ),
        ({"pathway": "constant_rate", "target_year": 2050, "annual_reduction_pct": 120.0}, "between 0% and 100%"),
        ({"pathway": "constant_rate", "target_year": 2050, "annual_reduction_pct": -5.0}, "between 0% and 100%"),
        ({"pathway": "budget", "target_year": 2050, "carbon_budget_kt": 0.0}, "carbon budget must be more than 0"),
        ({"pathway": "budget", "target_year": 2050, "carbon_budget_kt": -10.0}, "carbon budget must be more than 0"),
        ({"pathway": "budget", "target_year": 2050}, "needs a carbon budget"),
        ({"pathway": "steady", "target_year": 2050}, "The pathway 'steady' is not known"),
        (
            {"pathway": "linear", "target_year": 2050, "trend_start_year": 2020},
            "trend must start before the last actual year",
        ),
    ],
)
def test_bad_settings_are_refused_in_plain_english(settings_, message):
    with pytest.raises(InputError, match=message):
        cl.pathway_to_target(FALLING, **{"trend_start_year": 2018, **settings_})


def test_trend_start_before_the_data_is_a_warning_not_an_error():
    findings = cl.check_pathway_settings(
        2020, pathway="linear", target_year=2050, trend_start_year=2000, first_actual_year=2005
    )
    assert [f.level for f in findings] == ["warning"]


# --------------------------------------------------------------------------- national milestones


def test_national_milestones_are_rebased_to_the_first_local_year_and_say_so():
    milestones = cl.national_milestones(FALLING).set_index("year")
    assert milestones.loc[2030, "local_equivalent_kt"] == pytest.approx(600.0 * (1 - 0.68))
    assert milestones.loc[2035, "local_equivalent_kt"] == pytest.approx(600.0 * (1 - 0.81))
    assert milestones.loc[2050, "local_equivalent_kt"] == 0.0
    assert "set against 1990; local data start in 2018" in milestones["note"].iloc[0]


# --------------------------------------------------------------------------- interventions

PLAN = pd.DataFrame(
    {
        "intervention": ["Insulation", "Buses", "Solar"],
        "scope": ["district"] * 3,
        "sector": ["Domestic", "Transport", "Domestic"],
        "annual_abatement_tco2e": [200_000.0, 100_000.0, 150_000.0],
        "start_year": [2021, 2022, 2021],
        "ramp_up_years": [2, 0, 5],
        "cost": [4_000_000.0, 1_000_000.0, 3_000_000.0],
        "lifetime_years": [20, 10, 25],
    }
)


def test_abatement_ramps_up_evenly_then_holds():
    ab = cl.intervention_abatement(PLAN, range(2020, 2028))
    assert ab["Insulation"].tolist() == [
        0.0,
        100_000.0,
        200_000.0,
        200_000.0,
        200_000.0,
        200_000.0,
        200_000.0,
        200_000.0,
    ]
    assert ab["Buses"].tolist() == [0.0, 0.0] + [100_000.0] * 6  # no ramp: full at once
    assert ab.loc[2023, "Solar"] == pytest.approx(90_000.0)  # third year of five


def test_residual_is_baseline_minus_abatement_in_kt():
    wedges = cl.wedge_table(2020, 500.0, PLAN, 2030).set_index("year")
    assert wedges.loc[2021, "total_abatement_kt"] == pytest.approx(100.0 + 30.0)
    assert wedges.loc[2021, "residual_kt"] == pytest.approx(370.0)
    assert wedges.loc[2026, "residual_kt"] == pytest.approx(500.0 - 450.0)


def test_plan_meets_target_when_residual_is_at_or_below_the_pathway():
    pathway, _ = cl.pathway_to_target(
        FALLING, pathway="constant_rate", target_year=2030, annual_reduction_pct=10.0, trend_start_year=2018
    )
    wedges = cl.wedge_table(2020, 500.0, PLAN, 2030)
    verdict = cl.assess_plan(wedges, pathway, 2030)
    assert verdict["residual_kt_in_target_year"] == pytest.approx(50.0)
    assert verdict["pathway_kt_in_target_year"] == pytest.approx(500 * 0.9**10)  # 174.3
    assert verdict["meets_target"] is True and verdict["shortfall_kt"] == 0.0
    linear, _ = cl.pathway_to_target(FALLING, pathway="linear", target_year=2030, trend_start_year=2018)
    miss = cl.assess_plan(wedges, linear, 2030)
    assert miss["meets_target"] is False and miss["shortfall_kt"] == pytest.approx(50.0)


def test_macc_orders_actions_by_cost_per_lifetime_tonne():
    # Insulation £4m / 4m t = £1; Buses £1m / 1m t = £1; Solar £3m / 3.75m t = £0.80
    macc = cl.marginal_abatement_cost_curve(PLAN)
    assert macc["intervention"].tolist() == ["Solar", "Buses", "Insulation"]
    assert macc["cost_per_tco2e"].tolist() == pytest.approx([0.8, 1.0, 1.0])
    assert macc["cumulative_abatement_tco2e"].tolist() == [150_000.0, 250_000.0, 450_000.0]
    assert macc["cumulative_start_tco2e"].tolist() == [0.0, 150_000.0, 250_000.0]


def test_malformed_interventions_file_is_refused_naming_row_and_column():
    bad = b"intervention,scope,sector,annual_abatement_tco2e,start_year,ramp_up_years,cost,lifetime_years\nA,district,Domestic,lots,2025,2,1000,10\n"
    with pytest.raises(InputError, match="plan.csv, row 2, column 'annual_abatement_tco2e': 'lots' is not a number"):
        cl.load_interventions(bad, filename="plan.csv")
    no_life = b"intervention,scope,sector,annual_abatement_tco2e,start_year,ramp_up_years,cost,lifetime_years\nA,district,Domestic,5,2025,2,1000,0\n"
    with pytest.raises(InputError, match="row 2, column 'lifetime_years': 0 is below the lowest allowed value"):
        cl.load_interventions(no_life, filename="plan.csv")


def test_intervention_checks_flag_zero_abatement_and_unknown_sectors():
    plan = PLAN.copy()
    plan.loc[0, "annual_abatement_tco2e"] = 0.0
    plan.loc[1, "sector"] = "Aviation"
    findings = cl.check_interventions(plan, sectors=["Domestic", "Transport"], last_actual_year=2020)
    assert [f.level for f in findings] == ["error", "warning"]
    assert "'Aviation' is not a sector of this series" in findings[1].message


def test_example_interventions_are_labelled_and_pass_their_checks():
    plan = cl.load_interventions()
    assert plan["intervention"].str.startswith("Example:").all()
    shipped = em.load_emissions()
    district = plan[plan["scope"] == "district"]
    assert not [f for f in cl.check_interventions(district, sectors=shipped.sectors, last_actual_year=2020)]


# --------------------------------------------------------------------------- peers


def test_per_person_emissions_match_the_files_own_per_person_column():
    shipped = em.load_emissions()
    comp = cl.peer_comparison(shipped, "SEV", similar=["TAN"], kent=["TUN"], year=2020)
    totals = cl.peer_totals(comp).set_index("authority_code")
    raw = pd.read_csv(
        em.DEFAULT_EMISSIONS_PATH,
        usecols=["Year", "local-authority-code", "Per Person Emissions:t", "Emissions per km2:kt"],
    )
    raw = raw[raw["Year"] == 2020].set_index("local-authority-code")
    for code in ("SEV", "TAN", "TUN"):
        assert totals.loc[code, "per_person_t"] == pytest.approx(raw.loc[code, "Per Person Emissions:t"], rel=1e-9)
        assert totals.loc[code, "per_km2_t"] == pytest.approx(raw.loc[code, "Emissions per km2:kt"] * 1000, rel=1e-9)
    assert totals.loc["SEV", "group"] == "Selected" and totals.loc["TUN", "group"] == "Kent district"


def test_similar_authorities_leave_out_the_authority_and_county_councils():
    shipped = em.load_emissions()
    among = cl.comparable_authorities(shipped)
    assert "KEN" not in among.index and "GLA" not in among.index and "SEV" in among.index
    similar = cl.similar_authorities(em.read_similarity(), "SEV", among=among.index, count=5)
    assert len(similar) == 5 and "SEV" not in similar["authority_code"].tolist()
    assert similar["distance"].is_monotonic_increasing


def test_nearest_authority_is_the_one_with_identical_inputs():
    sim = pd.DataFrame({"authority_code": ["A", "B", "C", "D"], "x": [1.0, 1.0, 5.0, 9.0], "y": [2.0, 2.0, 0.0, 7.0]})
    similar = cl.similar_authorities(sim, "A", among=["A", "B", "C", "D"], count=2)
    assert similar["authority_code"].tolist() == ["B", "C"]
    assert similar["distance"].iloc[0] == 0.0


def test_kent_districts_come_from_the_shipped_list_when_the_file_has_no_county():
    shipped = em.load_emissions()
    assert cl.kent_district_codes(shipped) == sorted(em.load_kent_districts()["authority_code"])


# --------------------------------------------------------------------------- properties


e0s = st.floats(min_value=0.01, max_value=1e5, allow_nan=False)


@settings(max_examples=150, deadline=None)
@given(
    e0=e0s,
    method=st.sampled_from(cl.PATHWAY_METHODS),
    horizon=st.integers(min_value=1, max_value=80),
    rate=st.floats(min_value=0, max_value=100, allow_nan=False),
    budget=st.floats(min_value=0.01, max_value=1e7, allow_nan=False),
)
def test_pathways_never_go_negative_and_never_rise(e0, method, horizon, rate, budget):
    values = cl.pathway_array(
        method, e0, np.arange(1, 121), target_steps=horizon, annual_reduction_pct=rate, carbon_budget_kt=budget
    )
    assert (values >= 0).all()
    assert (np.diff(np.concatenate([[e0], values])) <= 1e-9 * e0).all()


@settings(max_examples=100, deadline=None)
@given(e0=st.floats(min_value=1, max_value=1e4), ratio=st.floats(min_value=0.5, max_value=30))
def test_budget_pathway_spends_the_budget_in_the_long_run(e0, ratio):
    budget = e0 * ratio  # p = 1 / (1 + ratio) ≥ 3.2%, so 2,000 years is plenty
    values = cl.pathway_array("budget", e0, np.arange(1, 2001), carbon_budget_kt=budget)
    assert values.sum() == pytest.approx(budget, rel=1e-6)


@settings(max_examples=60, deadline=None)
@given(
    kt=st.lists(st.floats(min_value=1, max_value=1e4), min_size=3, max_size=8),
    method=st.sampled_from(cl.PATHWAY_METHODS),
    target=st.integers(min_value=2021, max_value=2100),
    rate=st.floats(min_value=0, max_value=100),
    budget=st.floats(min_value=1, max_value=1e6),
)
def test_sweep_agrees_with_one_pathway_at_a_time(kt, method, target, rate, budget):
    actual = pd.Series(kt, index=range(2021 - len(kt), 2021), dtype=float)
    _, summary = cl.pathway_to_target(
        actual,
        pathway=method,
        target_year=target,
        annual_reduction_pct=rate,
        carbon_budget_kt=budget,
        trend_start_year=2021 - len(kt),
    )
    sweep = cl.sweep_pathways(
        np.array([kt[-1]]),
        2020,
        np.array([target]),
        np.array([rate]),
        method=method,
        carbon_budget_kt=np.array([budget]),
    )
    assert sweep["cumulative_to_target_kt"][0] == pytest.approx(summary["cumulative_to_target_kt"], rel=1e-9, abs=1e-9)
    assert sweep["required_annual_reduction_pct"][0] == pytest.approx(summary["required_annual_reduction_pct"])
    assert sweep["kt_in_target_year"][0] == pytest.approx(summary["pathway_kt_in_target_year"], rel=1e-9, abs=1e-12)


@settings(max_examples=100, deadline=None)
@given(e0=st.floats(min_value=0.1, max_value=1e4), budget=st.floats(min_value=0, max_value=1e6))
def test_budget_exhausted_year_is_the_first_year_flat_emissions_exceed_the_budget(e0, budget):
    year = cl.budget_exhausted_year(2020, e0, budget)
    n = year - 2020
    assert e0 * n > budget
    assert e0 * (n - 1) <= budget * (1 + 1e-12)
