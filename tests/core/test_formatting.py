"""UK formatting: pounds with thousands separators, percentages, dates and financial years."""

import pandas as pd
import pytest

from sv_helpers.core.errors import InputError
from sv_helpers.core.formatting import (
    financial_year_bounds,
    financial_year_of,
    format_date,
    format_money,
    format_number,
    format_pct,
    parse_financial_year,
    sentence_list,
)


def test_money_has_pound_sign_and_thousands_separators():
    assert format_money(54790) == "£54,790"
    assert format_money(105672.4) == "£105,672"
    assert format_money(1234.5, decimals=2) == "£1,234.50"
    assert format_money(-1200) == "\u2212£1,200"
    assert format_money(None) == "\u2013"
    assert format_money(-0.2) == "£0"


def test_numbers_and_percentages():
    assert format_number(80377) == "80,377"
    assert format_pct(12.345) == "12.3%"
    assert format_pct(68, 0) == "68%"


def test_financial_year_runs_april_to_march():
    assert financial_year_of("2026-03-31") == "2025/26"
    assert financial_year_of("2026-04-01") == "2026/27"
    assert financial_year_of("1999-06-30") == "1999/00"
    assert financial_year_bounds("2025/26") == (pd.Timestamp(2025, 4, 1), pd.Timestamp(2026, 3, 31))


@pytest.mark.parametrize("text", ["2025/26", "2025-26", "2025/2026", "FY2025/26"])
def test_financial_year_spellings(text):
    assert parse_financial_year(text) == 2025


@pytest.mark.parametrize("text", ["2025", "2025/27", "last year"])
def test_not_a_financial_year(text):
    with pytest.raises(InputError):
        parse_financial_year(text)


def test_dates_and_lists_read_naturally():
    assert format_date("2026-03-31") == "31 March 2026"
    assert sentence_list(["social", "economic", "environmental"]) == "social, economic and environmental"
