"""IMD deciles for Sevenoaks LSOAs and wards (IMD 2025 and 2019), and the equity weighting."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sv_helpers.core.paths import data_path
from sv_helpers.grants import deprivation

#: (edition, LSOAs, the ward boundaries and their name property)
EDITIONS = [(2025, 75, "sevenoaks_wards_2025.geojson", "WD25NM"), (2019, 74, "sevenoaks_wards_2013.geojson", "WD13NM")]
SHARED = Path(__file__).resolve().parents[3] / "shared" / "data"


@pytest.mark.parametrize(("edition", "count", "_file", "_key"), EDITIONS)
def test_every_sevenoaks_lsoa_has_a_decile_and_a_ward(edition, count, _file, _key):
    table = deprivation.lsoa_deciles(edition)
    assert len(table) == count
    assert table["imd_decile"].between(1, 10).all()
    assert table["ward"].notna().all()


@pytest.mark.parametrize(("edition", "count", "boundaries", "key"), EDITIONS)
def test_every_ward_is_built_from_its_lsoas(edition, count, boundaries, key):
    wards = deprivation.ward_deciles(edition)
    lsoas = deprivation.lsoa_deciles(edition)
    geo = json.loads(data_path("boundaries", boundaries).read_text())
    assert sorted(wards["ward"]) == sorted(f["properties"][key] for f in geo["features"])
    counts = lsoas.groupby("ward").size()
    assert (wards.set_index("ward")["lsoa_count"] == counts.reindex(wards["ward"]).to_numpy()).all()
    assert wards["lsoa_count"].sum() == count


@pytest.mark.parametrize("edition", deprivation.EDITIONS)
def test_ward_decile_is_the_decile_of_the_mean_rank_of_its_lsoas(edition):
    wards = deprivation.ward_deciles(edition).set_index("ward")
    lsoas = deprivation.lsoa_deciles(edition)
    mean_rank = lsoas.groupby("ward")["imd_rank"].mean().round(1)
    assert (wards.loc[mean_rank.index, "mean_imd_rank"] == mean_rank).all()
    # A ward's decile lies between its most and least deprived LSOAs' deciles.
    spread = lsoas.groupby("ward")["imd_decile"].agg(["min", "max"])
    assert (wards.loc[spread.index, "imd_decile"].between(spread["min"], spread["max"])).all()
    assert (wards.loc[spread.index, "most_deprived_lsoa_decile"] == spread["min"]).all()


def test_the_default_edition_is_imd_2025_on_todays_ward_codes():
    assert deprivation.default_edition() == 2025
    codes = deprivation.ward_codes()
    assert codes["Ash and New Ash Green"] == "E05009956"  # re-coded in 2015 (E05005008 in 2013)
    assert deprivation.ward_codes(2019)["Ash and New Ash Green"] == "E05005008"


def test_the_split_2011_lsoa_is_named_with_its_two_2021_codes():
    assert deprivation.lsoa_changes() == {"E01024422": ["E01035000", "E01035001"]}


@pytest.mark.skipif(not SHARED.is_dir(), reason="the developers' shared data is not beside the repository")
def test_imd_2025_deciles_are_the_published_ones_on_the_ons_ward_lookup():
    """Computed again from MHCLG's England file and ONS's lookup, not from the shipped extract."""
    imd = pd.read_csv(SHARED / "deprivation" / "imd2025_lsoa21_england.csv")
    ons = pd.read_csv(SHARED / "deprivation" / "sevenoaks_lsoa21_ward24_lookup.csv", encoding="utf-8-sig")
    local = ons.merge(imd, left_on="LSOA21CD", right_on="lsoa21_code")
    ours = deprivation.lsoa_deciles(2025).set_index("lsoa_code")
    assert sorted(ours.index) == sorted(local["LSOA21CD"])
    for _, row in local.iterrows():
        assert ours.loc[row["LSOA21CD"], "imd_decile"] == int(row["IMD_decile"])
        assert ours.loc[row["LSOA21CD"], "imd_rank"] == int(row["IMD_rank"])
        assert ours.loc[row["LSOA21CD"], "ward_code"] == row["WD24CD"]
    # the decile of the mean rank, on England's cut-points
    top_rank = imd.groupby("IMD_decile")["IMD_rank"].max().sort_index().to_numpy()
    wards = deprivation.ward_deciles(2025).set_index("ward_code")
    for code, group in local.groupby("WD24CD"):
        mean = group["IMD_rank"].mean()
        assert wards.loc[code, "imd_decile"] == 1 + sum(mean > cut for cut in top_rank)


@pytest.mark.parametrize("edition", deprivation.EDITIONS)
def test_swanley_st_marys_is_the_most_deprived_ward(edition):
    wards = deprivation.ward_deciles(edition)
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


def test_a_round_saved_before_the_edition_was_a_setting_reopens_on_imd_2019():
    """A scenario saved without ``deprivation_edition`` was computed on IMD 2019: it reopens (and reruns) on it."""
    from sv_helpers import grants

    assert grants.Settings.from_saved({"budget": 40000}).deprivation_edition == 2019
    assert grants.Settings.from_saved({"budget": 40000, "deprivation_edition": 2025}).deprivation_edition == 2025
    assert grants.Settings.from_saved({"budget": 40000, "gone_setting": 1}).budget == 40000
    assert grants.Settings.from_parameters({"budget": 40000}).deprivation_edition == 2025  # a new run: today's
