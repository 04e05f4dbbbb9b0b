"""The impact report's tables and summary (sv_helpers.impact)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sv_helpers import impact as imp
from sv_helpers.core import valuation as val
from sv_helpers.core.errors import InputError
from sv_helpers.core.measures import THEMES, load_measures
from sv_helpers.core.paths import data_path
from sv_helpers.impact import activities as act
from sv_helpers.impact import delivery as dlv


def _example(name: str):
    return data_path("impact", name)


@pytest.fixture(scope="module")
def inputs() -> dict:
    return {
        "contracts": dlv.load_contracts(_example("example_contracts.csv")),
        "commitments": dlv.load_commitments(_example("example_commitments.csv")),
        "returns": dlv.load_returns(_example("example_returns.csv")),
        "measures": load_measures(),
    }


@pytest.fixture(scope="module")
def full_report(inputs) -> imp.ImpactReport:
    return imp.build_impact_report(
        "2025/26",
        **inputs,
        activities=act.load_activities(_example("example_activities.csv")),
        grant_allocations=imp.load_grant_allocations(_example("example_grant_allocations.csv")),
        grant_monitoring=imp.load_grant_monitoring(_example("example_grant_monitoring.csv")),
        climate_summary=imp.load_climate_summary(_example("climate_summary_sevenoaks.json")),
        climate_pathway=imp.load_climate_pathway(_example("climate_pathway_sevenoaks.csv")),
    )


def test_by_theme_lists_every_source_and_theme(full_report):
    table = full_report.by_theme
    assert list(table.columns[:3]) == ["source", "theme", "value_gbp"]
    assert len(table) == len(imp.SOURCES) * len(THEMES)
    assert set(zip(table["source"], table["theme"], strict=False)) == {(s, t) for s in imp.SOURCES for t in THEMES}


def test_contract_value_by_theme_is_the_years_delivered_value(full_report):
    contracts = full_report.by_theme[full_report.by_theme["source"] == "contracts"]
    assert contracts["gross_value_gbp"].sum() == pytest.approx(
        full_report.delivery_in_year["delivered_value_gbp"].sum()
    )
    # the value shown is the present value of the same delivery, by the one rule
    present = val.value_items(full_report.delivery_in_year, load_measures(), "delivered_quantity", val.discounting())
    assert contracts["value_gbp"].sum() == pytest.approx(present["present_value_gbp"].sum())
    assert contracts["net_value_gbp"].sum() == pytest.approx(present["net_value_gbp"].sum())


def test_the_councils_own_value_is_the_sum_of_its_valued_figures(full_report):
    own = full_report.by_theme[full_report.by_theme["source"].isin(act.ACTIVITY_SOURCES)]
    assert own["gross_value_gbp"].sum() == pytest.approx(full_report.activities["value_gbp"].sum())
    assert own["value_gbp"].sum() == pytest.approx(full_report.activities["present_value_gbp"].sum())
    assert own["figures"].sum() == len(full_report.activities)


def test_summary_states_the_years_delivery_and_share_of_expected(full_report):
    first = full_report.summary[0]
    delivered = full_report.status["delivered_value_gbp"].sum()
    expected = full_report.status["expected_value_gbp"].sum()
    assert first.startswith("In 2025/26 contracts delivered £")
    assert f"{100 * delivered / expected:.0f}% of the £{expected:,.0f} expected by 31 March 2026" in first


def test_grant_outcomes_use_monitoring_returns_over_expected_beneficiaries():
    allocations = pd.DataFrame(
        {
            "application_id": ["A", "B", "C"],
            "theme": ["Older people", "Older people", "Young people"],
            "awarded": [100.0, 50.0, 0.0],
            "funded": [True, True, False],
            "beneficiaries": [10, 20, 99],
        }
    )
    monitoring = pd.DataFrame({"application_id": ["A"], "volunteer_hours": [12.5], "beneficiaries": [7]})
    out = imp.grant_outcomes(allocations, monitoring).set_index("theme")
    assert out.loc["Older people", "grants_funded"] == 2
    assert out.loc["Older people", "beneficiaries"] == 27  # 7 reported for A, 20 expected for B
    assert out.loc["All themes", "volunteer_hours"] == 12.5
    assert "Young people" not in out.index


def test_a_monitoring_return_for_an_unknown_grant_is_an_error(inputs):
    allocations = imp.load_grant_allocations(_example("example_grant_allocations.csv"))
    monitoring = pd.DataFrame({"application_id": ["NOPE"], "volunteer_hours": [1.0], "beneficiaries": [1]}, index=[2])
    with pytest.raises(InputError, match="the application 'NOPE' is not in the grant allocations"):
        imp.build_impact_report("2025/26", **inputs, grant_allocations=allocations, grant_monitoring=monitoring)


def test_climate_progress_compares_the_latest_actual_year_with_the_pathway():
    pathway = pd.DataFrame(
        {"year": [2019, 2020], "actual_kt": [100.0, 90.0], "pathway_kt": [100.0, 95.0], "trend_kt": [np.nan, np.nan]}
    )
    progress = imp.climate_progress({"last_actual_year": 2020, "last_actual_kt": 90.0}, pathway)
    assert progress["gap_kt"] == -5.0


def test_the_report_says_plainly_which_sources_were_not_provided(inputs):
    report = imp.build_impact_report("2025/26", **inputs)
    assert report.not_provided == ["the council's own activities", "grant results", "climate results"]
    assert (
        report.summary[-1]
        == "Not provided for this report: the council's own activities, grant results and climate results."
    )
    assert report.by_theme[report.by_theme["source"] != "contracts"]["value_gbp"].sum() == 0


def test_as_of_defaults_to_the_end_of_the_financial_year(inputs):
    assert imp.build_impact_report("2025/26", **inputs).as_of == pd.Timestamp("2026-03-31")


def test_a_date_before_the_year_is_refused(inputs):
    with pytest.raises(InputError, match="is before the financial year 2025/26 begins"):
        imp.build_impact_report("2025/26", **inputs, as_of="2024-12-31")


def test_a_climate_summary_that_is_not_json_is_refused_plainly():
    with pytest.raises(InputError, match="summary.json could not be read: it is not a JSON file"):
        imp.load_climate_summary(b"year,kt\n2020,5\n", filename="summary.json")
    with pytest.raises(InputError, match="lacks last_actual_kt"):
        imp.load_climate_summary(b'{"last_actual_year": 2020}', filename="summary.json")


@settings(max_examples=25, deadline=None)
@given(scale=st.floats(min_value=0, max_value=3), month=st.integers(min_value=0, max_value=11))
def test_theme_totals_add_up_to_the_source_totals(inputs, scale, month):
    returns = inputs["returns"].assign(quantity_delivered=inputs["returns"]["quantity_delivered"] * scale)
    as_of = pd.Timestamp("2025-04-30") + pd.offsets.MonthEnd(month)
    report = imp.build_impact_report("2025/26", **{**inputs, "returns": returns}, as_of=as_of)
    assert (report.by_theme["value_gbp"] >= 0).all()
    assert report.by_theme["gross_value_gbp"].sum() == pytest.approx(
        report.delivery_in_year["delivered_value_gbp"].sum(min_count=0)
    )
    assert set(report.status["status"]) <= set(dlv.STATUSES)


def test_a_pathway_that_starts_after_the_last_actual_year_is_read_in_its_first_year():
    pathway = pd.DataFrame(
        {
            "year": [2020, 2021, 2022],
            "actual_kt": [90.0, np.nan, np.nan],
            "pathway_kt": [np.nan, 85.0, 80.0],
            "trend_kt": [np.nan] * 3,
        }
    )
    summary = {
        "last_actual_year": 2020,
        "last_actual_kt": 90.0,
        "required_annual_reduction_pct": 5.0,
        "trend_net_zero_year": 2045,
        "target_year": 2050,
    }
    progress = imp.climate_progress(summary, pathway)
    assert (progress["pathway_year"], progress["pathway_kt"]) == (2021, 85.0)
    assert np.isnan(progress["gap_kt"])
    assert imp.climate_sentence(progress) == (
        "District emissions were 90.0 kt CO2 in 2020, the latest year with actual figures; the chosen pathway brings them to 85.0 kt in 2021. "
        "The pathway needs a cut of 5.0% a year to reach net zero by 2050. On the current trend emissions would reach zero in 2045."
    )


def test_without_monitoring_returns_beneficiaries_are_called_expected(inputs):
    report = imp.build_impact_report(
        "2025/26", **inputs, grant_allocations=imp.load_grant_allocations(_example("example_grant_allocations.csv"))
    )
    # funded example grants expect 60 + 140 + 85 + 30 + 120 = 435 beneficiaries
    assert "expected at award to benefit 435 people (no monitoring returns were given)" in report.summary_text


def test_the_grants_and_climate_file_contracts_match_what_those_notebooks_write():
    from sv_helpers import climate, grants

    assert set(imp.GRANT_ALLOCATIONS_SCHEMA.column_names) <= set(grants.ALLOCATION_COLUMNS)
    assert tuple(imp.CLIMATE_PATHWAY_SCHEMA.column_names) == tuple(climate.PATHWAY_COLUMNS)
