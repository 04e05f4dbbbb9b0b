"""The one valuation rule (sv_helpers.core.valuation), in the SROI Guide's and the Green Book's own terms."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sv_helpers.core import valuation as val
from sv_helpers.core.errors import InputError
from sv_helpers.core.measures import load_measures

GREEN_BOOK = val.Discounting(3.5)
SROI_GUIDE = val.Discounting(3.5, "sroi_guide")

WORKED = {"deadweight_pct": 20, "attribution_pct": 25, "drop_off_pct": 10, "duration_years": 3}


def test_the_worked_example_gives_the_issues_figures_to_the_penny():
    # 10 units at £10,000, deadweight 20%, attribution 25%, no displacement, 3 years, drop-off 10%, 3.5%.
    v = val.value_measure(10, 10_000, **WORKED, basis=GREEN_BOOK)
    assert v.gross == 100_000.0
    assert v.net == 60_000.0
    assert [round(y, 2) for y in v.yearly_net] == [60_000.0, 54_000.0, 48_600.0]
    assert round(v.present_value, 2) == 157_542.53


def test_the_sroi_guides_convention_discounts_the_first_year_too():
    v = val.value_measure(10, 10_000, **WORKED, basis=SROI_GUIDE)
    assert round(v.present_value, 2) == 152_215.01


def test_the_discount_rate_is_the_green_books_schedule_from_the_parameter_file():
    basis = val.discounting()
    assert basis.rate_pct == 3.5
    assert basis.later_rates == ((31, 3.0),)
    assert basis.rate_for_year(30) == 3.5 and basis.rate_for_year(31) == 3.0
    assert val.default_rate_pct() == 3.5


def test_an_officers_rate_replaces_the_first_band_only():
    basis = val.discounting(5.0)
    assert basis.rate_pct == 5.0 and basis.later_rates == ((31, 3.0),)
    assert basis.factors(3) == [1.0, 1 / 1.05, 1 / (1.05 * 1.05)]


def test_an_unknown_convention_is_refused_in_plain_english():
    with pytest.raises(InputError, match="convention 'other' is not known"):
        val.Discounting(3.5, "other")


def test_the_table_gives_the_rule_row_by_row_and_nan_where_not_monetised():
    measures = pd.DataFrame(
        {
            "measure_code": ["A", "B"],
            "proxy_value_gbp": [10_000.0, float("nan")],
            **{k: [float(v), 0.0] for k, v in WORKED.items()},
        }
    )
    items = pd.DataFrame({"measure_code": ["A", "B", "A"], "quantity": [10.0, 4.0, 0.0]})
    out = val.value_items(items, measures, "quantity", GREEN_BOOK)
    assert out["gross_value_gbp"].tolist()[0] == 100_000.0
    assert round(out["present_value_gbp"].iloc[0], 2) == 157_542.53
    assert out.iloc[1].isna().all()
    assert out["present_value_gbp"].iloc[2] == 0.0


def test_a_library_without_the_columns_values_at_gross():
    measures = load_measures()[["measure_code", "theme", "outcome", "unit", "proxy_value_gbp"]]
    items = pd.DataFrame({"measure_code": measures["measure_code"], "quantity": 3.0})
    out = val.value_items(items, measures, "quantity", val.discounting())
    pd.testing.assert_series_equal(out["present_value_gbp"], out["gross_value_gbp"], check_names=False)
    pd.testing.assert_series_equal(out["net_value_gbp"], out["gross_value_gbp"], check_names=False)
    assert not val.has_adjustments(measures)


def test_sensitivity_halves_and_doubles_every_adjustment_and_tries_the_other_rates():
    measures = pd.DataFrame(
        {"measure_code": ["A"], "proxy_value_gbp": [10_000.0], **{k: [v] for k, v in WORKED.items()}}
    )
    items = pd.DataFrame({"measure_code": ["A"], "quantity": [10.0]})
    table = val.sensitivity(items, measures, "quantity", GREEN_BOOK, rates_pct=[1.5, 5.0])
    assert table["case"].tolist() == [
        "as assumed",
        "adjustments halved",
        "adjustments doubled (at most 100%)",
        "discount rate 1.5%",
        "discount rate 5.0%",
    ]
    pv = dict(zip(table["case"], table["present_value_gbp"], strict=True))
    halved = val.value_measure(
        10, 10_000, deadweight_pct=10, attribution_pct=12.5, drop_off_pct=5, duration_years=3, basis=GREEN_BOOK
    )
    assert pv["adjustments halved"] == pytest.approx(halved.present_value, abs=1e-6)
    assert pv["discount rate 1.5%"] > pv["as assumed"] > pv["discount rate 5.0%"]
    assert pv["adjustments halved"] > pv["as assumed"] > pv["adjustments doubled (at most 100%)"]
    assert table["change_gbp"].iloc[0] == 0.0


def test_the_method_note_says_which_convention_was_used():
    assert "not discounted" in val.method_note(GREEN_BOOK)
    assert "£157,542.53" in val.method_note(GREEN_BOOK)
    assert "SROI Guide does" in val.method_note(SROI_GUIDE)
    assert "£152,215.01" in val.method_note(SROI_GUIDE)


def test_the_library_refuses_out_of_range_adjustments_naming_file_row_and_column(tmp_path):
    text = (tmp_path / "x").parent.joinpath("m.csv")
    base = open(val.__file__.replace("sv_helpers/core/valuation.py", "data/measures.csv"), encoding="utf-8").read()
    lines = base.splitlines()
    header, first = lines[0].split(","), lines[1]
    cut = header.index("year") + 1
    header = header[:cut]
    rows = [",".join(header + ["deadweight_pct", "duration_years"])]
    rows.append(",".join(first.split(",")[:cut] + ["120", "2"]))
    text.write_text("\n".join(rows) + "\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"m\.csv, row 2, column 'deadweight_pct'"):
        load_measures(text)
    text.write_text("\n".join([rows[0], ",".join(first.split(",")[:cut] + ["20", "31"])]) + "\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"row 2, column 'duration_years'"):
        load_measures(text)
    text.write_text("\n".join([rows[0], ",".join(first.split(",")[:cut] + ["lots", "2"])]) + "\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"row 2, column 'deadweight_pct'"):
        load_measures(text)


# --------------------------------------------------------------------------- properties a challenger would probe

pct = st.floats(min_value=0, max_value=100, allow_nan=False)
years = st.integers(min_value=1, max_value=val.MAX_DURATION_YEARS)
rate = st.floats(min_value=0, max_value=20, allow_nan=False)
money = st.floats(min_value=0, max_value=1e7, allow_nan=False)


@settings(max_examples=200, deadline=None)
@given(quantity=money, proxy=money, r=rate)
def test_no_adjustments_and_one_year_give_present_value_equal_to_gross(quantity, proxy, r):
    v = val.value_measure(quantity, proxy, basis=val.Discounting(r))
    assert v.present_value == v.gross == v.net


@settings(max_examples=200, deadline=None)
@given(
    quantity=money,
    proxy=money,
    dw=pct,
    at=pct,
    dp=pct,
    drop=pct,
    n=years,
    r=rate,
    which=st.sampled_from(["deadweight_pct", "attribution_pct", "displacement_pct", "drop_off_pct", "rate"]),
    more=st.floats(min_value=0, max_value=100, allow_nan=False),
)
def test_present_value_falls_as_any_adjustment_or_the_rate_rises_and_is_never_negative(
    quantity, proxy, dw, at, dp, drop, n, r, which, more
):
    args = {"deadweight_pct": dw, "attribution_pct": at, "displacement_pct": dp, "drop_off_pct": drop}
    before = val.value_measure(quantity, proxy, **args, duration_years=n, basis=val.Discounting(r))
    if which == "rate":
        after = val.value_measure(quantity, proxy, **args, duration_years=n, basis=val.Discounting(min(r + more, 100)))
    else:
        args[which] = min(args[which] + more, 100.0)
        after = val.value_measure(quantity, proxy, **args, duration_years=n, basis=val.Discounting(r))
    assert after.present_value <= before.present_value * (1 + 1e-12)
    assert before.present_value >= 0 and after.present_value >= 0
    assert before.net <= before.gross * (1 + 1e-12)
    assert math.isfinite(before.present_value)
