"""The mandatory standstill period after a contract award notice (Procurement Act 2023, section 51).

The contract may not be entered into before the end of the standstill period: eight working days (the number
is a parameter, ``data/parameters/scoring/standstill_working_days.yaml``) beginning with the day on which the
contract award notice is published. A working day is any day but a Saturday, a Sunday, Christmas Day, Good
Friday or a bank holiday of the parts of the United Kingdom named in
``data/parameters/scoring/standstill_bank_holidays.yaml`` (England and Wales by default), as the ``holidays``
library (a maintained calendar, with the substitute days when a holiday falls at a weekend) gives them.

When the notice is published on a day that is not a working day, the count begins with the next working day.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache

from sv_helpers.core.errors import InputError
from sv_helpers.core.parameters import parameter_value

#: The parts of the United Kingdom the holidays library knows, by the code a parameter file names.
REGIONS: dict[str, str] = {"ENG": "England", "WLS": "Wales", "SCT": "Scotland", "NIR": "Northern Ireland"}


@dataclass(frozen=True)
class Standstill:
    """The standstill period that one contract award notice starts.

    Attributes
    ----------
    notice_date : date
        The day the contract award notice is published.
    start, end : date
        The first and the last working day of the period (the period ends at the end of ``end``).
    working_days : int
        Its length in working days.
    regions : tuple of str
        The parts of the United Kingdom whose bank holidays were left out of the count.
    holidays : tuple of (date, str)
        The bank holidays that fell inside the period, with their names.
    """

    notice_date: dt.date
    start: dt.date
    end: dt.date
    working_days: int
    regions: tuple[str, ...]
    holidays: tuple[tuple[dt.date, str], ...]

    @property
    def earliest_contract_date(self) -> dt.date:
        """The first day the contract may be entered into: the day after the period ends."""
        return self.end + dt.timedelta(days=1)

    def describe(self) -> str:
        """The period in one plain-English sentence."""
        regions = " and ".join(REGIONS.get(r, r) for r in self.regions)
        skipped = (
            " It skips " + ", ".join(f"{name} ({_day(d)})" for d, name in self.holidays) + "." if self.holidays else ""
        )
        return (
            f"The standstill period ends at the end of {_day(self.end)}: {self.working_days} working days beginning "
            f"with the day the contract award notice is published ({_day(self.notice_date)}), not counting weekends "
            f"or the bank holidays of {regions} (Procurement Act 2023, section 51). The contract may be entered into "
            f"from {_day(self.earliest_contract_date)}.{skipped}"
        )


def _day(date: dt.date) -> str:
    return f"{date:%A} {date.day} {date:%B %Y}"


@lru_cache(maxsize=8)
def _bank_holidays(regions: tuple[str, ...], years: tuple[int, ...]) -> dict[dt.date, str]:
    import holidays  # loaded on first use

    found: dict[dt.date, str] = {}
    for region in regions:
        for day, name in holidays.country_holidays("GB", subdiv=region, years=years).items():
            found.setdefault(day, name)
    return found


def is_working_day(day: dt.date, regions: tuple[str, ...]) -> bool:
    """Whether ``day`` is a working day: not a weekend and not a bank holiday in any of ``regions``."""
    return day.weekday() < 5 and day not in _bank_holidays(regions, (day.year,))


def standstill_period(
    notice_date: dt.date | str,
    *,
    working_days: int | None = None,
    regions: tuple[str, ...] | list[str] | None = None,
) -> Standstill:
    """The standstill period that a contract award notice published on ``notice_date`` starts.

    Parameters
    ----------
    notice_date : date or str
        The day the contract award notice is published (``2026-05-01``).
    working_days : int, optional
        The period's length; default the parameter ``scoring.standstill_working_days`` in force on that day.
    regions : sequence of str, optional
        The parts of the UK whose bank holidays are not working days; default ``scoring.standstill_bank_holidays``.

    Examples
    --------
    A notice published on Thursday 24 December 2026: Christmas Day and the substitute Boxing Day are not
    working days, so the eight days are 24, 29, 30 and 31 December and 4 to 7 January.

    >>> standstill_period("2026-12-24", working_days=8, regions=("ENG", "WLS")).end
    datetime.date(2027, 1, 7)
    """
    if isinstance(notice_date, str):
        try:
            notice_date = dt.date.fromisoformat(notice_date.strip())
        except ValueError:
            raise InputError(
                f"The date the contract award notice is published, '{notice_date[:40]}', is not a date; "
                "write it as 2026-05-01."
            ) from None
    days = int(
        parameter_value("scoring.standstill_working_days", notice_date) if working_days is None else working_days
    )
    chosen = tuple(parameter_value("scoring.standstill_bank_holidays", notice_date) if regions is None else regions)
    unknown = [r for r in chosen if r not in REGIONS]
    if unknown or not chosen:
        raise InputError(
            f"The bank holiday regions {', '.join(unknown) or '(none)'} are not known; use {', '.join(REGIONS)}."
        )
    if days < 1:
        raise InputError("The standstill period must be at least one working day.")
    counted: list[dt.date] = []
    skipped: list[tuple[dt.date, str]] = []
    day = notice_date
    while len(counted) < days:
        names = _bank_holidays(chosen, (day.year,))
        if day.weekday() < 5 and day in names:
            skipped.append((day, names[day]))
        elif day.weekday() < 5:
            counted.append(day)
        day += dt.timedelta(days=1)
    inside = tuple((d, n) for d, n in skipped if counted[0] <= d <= counted[-1])
    return Standstill(
        notice_date=notice_date,
        start=counted[0],
        end=counted[-1],
        working_days=days,
        regions=chosen,
        holidays=inside,
    )
