"""Tests for the measures library (sv_helpers.core.measures)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sv_helpers.core.errors import InputError
from sv_helpers.core.measures import (
    MEASURES_SCHEMA,
    THEMES,
    load_measures,
    social_value,
    unknown_measure_codes,
    value_by_theme,
)

HEADER = "measure_code,theme,outcome,description,unit,proxy_value_gbp,source,year\n"


def _library() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "measure_code": ["JOB", "VOL", "CO2", "TALK"],
            "theme": ["economic", "social", "environmental", "social"],
            "outcome": ["jobs", "communities", "net zero", "careers"],
            "description": ["d"] * 4,
            "unit": ["job", "hour", "tonne", "talk"],
            "proxy_value_gbp": [20000.0, 15.0, 250.0, np.nan],
            "source": ["example"] * 4,
            "year": [2025] * 4,
        }
    )


def test_shipped_library_loads_with_every_theme_and_example_sources():
    measures = load_measures()
    assert isinstance(measures.index, pd.RangeIndex)
    assert list(measures.columns[: len(MEASURES_SCHEMA.columns)]) == MEASURES_SCHEMA.column_names
    assert 15 <= len(measures) <= 25
    assert set(measures["theme"]) == set(THEMES)
    assert measures["measure_code"].is_unique
    assert measures["source"].str.contains("Example", case=False).all()
    assert (measures["proxy_value_gbp"].dropna() >= 0).all()
    assert measures["proxy_value_gbp"].isna().any(), "at least one count-only measure shows the blank case"


def test_library_loads_from_uploaded_bytes():
    data = (HEADER + "A,social,o,d,hour,17,example,2025\n").encode()
    measures = load_measures(data, filename="council_measures.csv")
    assert measures.loc[0, "proxy_value_gbp"] == 17.0


def test_blank_proxy_value_means_not_monetised():
    data = (HEADER + "A,social,o,d,talk,,example,2025\n").encode()
    assert math.isnan(load_measures(data, filename="m.csv").loc[0, "proxy_value_gbp"])


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ("A,social,o,d,hour,-5,example,2025\nB,social,o,d,hour,5,example,2025\n", "below the lowest allowed value"),
        ("A,cultural,o,d,hour,5,example,2025\n", "not one of the allowed values"),
        ("A,social,o,d,hour,5,example,2025\nA,social,o,d,hour,6,example,2025\n", "appears more than once"),
        ("A,social,o,d,hour,lots,example,2025\n", "not an amount of money"),
    ],
)
def test_bad_library_is_refused_in_plain_english(row, expected):
    with pytest.raises(InputError, match=expected) as err:
        load_measures((HEADER + row).encode(), filename="council_measures.csv")
    assert "council_measures.csv" in str(err.value)


def test_missing_library_file_is_named(tmp_path):
    with pytest.raises(InputError, match="not found"):
        load_measures(tmp_path / "nope.csv")


def test_unknown_codes_listed_once_in_order():
    items = pd.DataFrame({"measure_code": ["ZZ", "JOB", "YY", "ZZ"], "quantity": [1, 1, 1, 1]})
    assert unknown_measure_codes(items, _library()) == ["ZZ", "YY"]


def test_social_value_is_quantity_times_proxy_value():
    items = pd.DataFrame(
        {"bidder": ["a", "a", "b"], "measure_code": ["JOB", "VOL", "CO2"], "quantity": [2.0, 100.0, 4.0]}
    )
    valued = social_value(items, _library())
    assert valued["value_gbp"].tolist() == [40000.0, 1500.0, 1000.0]
    assert valued["theme"].tolist() == ["economic", "social", "environmental"]
    assert valued["bidder"].tolist() == ["a", "a", "b"]
    assert valued.index.equals(items.index)


def test_social_value_of_count_only_measure_is_nan():
    valued = social_value(pd.DataFrame({"measure_code": ["TALK"], "hours": [3.0]}), _library(), quantity_column="hours")
    assert math.isnan(valued.loc[0, "value_gbp"])
    assert valued.loc[0, "unit"] == "talk"


def test_social_value_names_unknown_codes():
    with pytest.raises(InputError, match="'NOPE'.*not in the measures library"):
        social_value(pd.DataFrame({"measure_code": ["JOB", "NOPE"], "quantity": [1, 1]}), _library())


def test_value_by_theme_always_has_all_three_themes():
    valued = social_value(pd.DataFrame({"measure_code": ["JOB", "TALK"], "quantity": [1.0, 5.0]}), _library())
    totals = value_by_theme(valued)
    assert list(totals.index) == list(THEMES)
    assert totals.to_dict() == {"social": 0.0, "economic": 20000.0, "environmental": 0.0}


def test_value_by_theme_of_nothing_is_zero():
    valued = social_value(
        pd.DataFrame({"measure_code": pd.Series([], dtype=object), "quantity": pd.Series([], dtype=float)}), _library()
    )
    assert value_by_theme(valued).tolist() == [0.0, 0.0, 0.0]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["JOB", "VOL", "CO2", "TALK"]), st.floats(0, 1e6)), min_size=0, max_size=20))
def test_theme_totals_add_up_to_the_monetised_total(rows):
    items = (
        pd.DataFrame(rows, columns=["measure_code", "quantity"])
        if rows
        else pd.DataFrame({"measure_code": pd.Series([], dtype=object), "quantity": pd.Series([], dtype=float)})
    )
    valued = social_value(items, _library())
    totals = value_by_theme(valued)
    assert totals.sum() == pytest.approx(valued["value_gbp"].fillna(0).sum())
    assert (totals >= 0).all()
