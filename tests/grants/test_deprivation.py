"""IMD deciles for Sevenoaks LSOAs and wards, and the equity weighting."""

from __future__ import annotations

import json

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from sv_helpers.core.paths import data_path
from sv_helpers.grants import deprivation


def test_every_sevenoaks_lsoa_has_a_decile_and_a_ward():
    table = deprivation.lsoa_deciles()
    assert len(table) == 74
    assert table["imd_decile"].between(1, 10).all()
    assert table["ward"].notna().all()


def test_every_2013_ward_is_built_from_its_lsoas():
    wards = deprivation.ward_deciles()
    lsoas = deprivation.lsoa_deciles()
    geo = json.loads(data_path("boundaries", "sevenoaks_wards_2013.geojson").read_text())
    assert sorted(wards["ward"]) == sorted(f["properties"]["WD13NM"] for f in geo["features"])
    counts = lsoas.groupby("ward").size()
    assert (wards.set_index("ward")["lsoa_count"] == counts.reindex(wards["ward"]).to_numpy()).all()
    assert wards["lsoa_count"].sum() == 74


def test_ward_decile_is_the_decile_of_the_mean_rank_of_its_lsoas():
    wards = deprivation.ward_deciles().set_index("ward")
    lsoas = deprivation.lsoa_deciles()
    mean_rank = lsoas.groupby("ward")["imd_rank"].mean().round(1)
    assert (wards.loc[mean_rank.index, "mean_imd_rank"] == mean_rank).all()
    # A ward's decile lies between its most and least deprived LSOAs' deciles.
    spread = lsoas.groupby("ward")["imd_decile"].agg(["min", "max"])
    assert (wards.loc[spread.index, "imd_decile"].between(spread["min"], spread["max"])).all()
    assert (wards.loc[spread.index, "most_deprived_lsoa_decile"] == spread["min"]).all()


def test_swanley_st_marys_is_the_most_deprived_ward():
    wards = deprivation.ward_deciles()
    assert wards.sort_values("mean_imd_rank").iloc[0]["ward"] == "Swanley St Mary's"


def test_ward_names_match_loosely_but_not_wrongly():
    assert deprivation.match_ward("SWANLEY ST MARY'S") == "Swanley St Mary's"
    assert deprivation.match_ward("Sevenoaks Town & St John's") == "Sevenoaks Town and St John's"
    assert deprivation.match_ward("Swanley") is None


def test_no_equity_weight_means_factor_one_everywhere():
    assert set(deprivation.equity_factors(1.0).values()) == {1.0}


@settings(max_examples=50, deadline=None)
@given(st.floats(1.0, 3.0))
def test_equity_factors_fall_from_the_weight_at_decile_one_to_one_at_ten(weight):
    factors = deprivation.equity_factors(weight)
    values = [factors[d] for d in range(1, 11)]
    assert values[0] == round(weight, 6) and values[-1] == 1.0
    assert all(a >= b for a, b in zip(values, values[1:]))


def test_unknown_decile_gets_factor_one():
    out = deprivation.factor_for(pd.Series([1, None]), deprivation.equity_factors(2.0))
    assert out.tolist() == [2.0, 1.0]
