"""The mandatory standstill period: eight working days beginning with the day the contract award notice is
published (Procurement Act 2023, section 51), without weekends or bank holidays."""

import datetime as dt

import pytest

from sv_helpers.core.errors import InputError
from sv_helpers.scoring.standstill import is_working_day, standstill_period

D = dt.date


def test_a_notice_published_on_a_monday_with_no_holiday_ends_on_the_wednesday_of_the_next_week():
    # Monday 8 June 2026: 8, 9, 10, 11, 12, 15, 16, 17 June.
    period = standstill_period("2026-06-08")
    assert (period.start, period.end, period.working_days) == (D(2026, 6, 8), D(2026, 6, 17), 8)
    assert period.earliest_contract_date == D(2026, 6, 18)
    assert period.holidays == ()


def test_the_day_the_notice_is_published_is_the_first_day_counted():
    assert standstill_period("2026-06-09").end == D(2026, 6, 18)


def test_a_notice_published_at_a_weekend_starts_the_count_on_the_next_working_day():
    # Saturday 6 June 2026: the count begins on Monday 8 June, as for a Monday notice.
    period = standstill_period("2026-06-06")
    assert (period.start, period.end) == (D(2026, 6, 8), D(2026, 6, 17))


def test_easter_bank_holidays_are_not_working_days():
    # Thursday 2 April 2026: Good Friday (3 April) and Easter Monday (6 April) are skipped.
    period = standstill_period("2026-04-02")
    assert period.end == D(2026, 4, 15)
    assert [d for d, _ in period.holidays] == [D(2026, 4, 3), D(2026, 4, 6)]
    assert "Wednesday 15 April 2026" in period.describe()
    assert "section 51" in period.describe()


def test_christmas_and_new_year_with_their_substitute_days_are_skipped():
    # Thursday 24 December 2026: 25 December (Friday), Boxing Day's substitute (Monday 28) and 1 January are out.
    period = standstill_period("2026-12-24")
    assert period.end == D(2027, 1, 7)
    assert not is_working_day(D(2026, 12, 28), ("ENG", "WLS"))
    assert is_working_day(D(2026, 12, 29), ("ENG", "WLS"))


def test_the_regions_are_a_parameter_and_st_andrews_day_counts_only_when_scotland_is_named():
    # Friday 27 November 2026; St Andrew's Day is Monday 30 November.
    assert standstill_period("2026-11-27").end == D(2026, 12, 8)
    assert standstill_period("2026-11-27", regions=("ENG", "WLS", "SCT")).end == D(2026, 12, 9)


def test_the_length_comes_from_the_parameter_file():
    assert standstill_period("2026-06-08", working_days=1).end == D(2026, 6, 8)


def test_a_date_that_is_not_a_date_is_a_plain_english_error():
    with pytest.raises(InputError, match="is not a date; write it as 2026-05-01"):
        standstill_period("20/05/2026")
    with pytest.raises(InputError, match="not known"):
        standstill_period("2026-06-08", regions=("XYZ",))
