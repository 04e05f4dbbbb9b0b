"""UK-style formatting of money, numbers, percentages, dates and financial years.

Financial years run from 1 April to 31 March and are written ``2025/26``.
"""

from __future__ import annotations

import datetime as dt
import math
import re

import pandas as pd

from sv_helpers.core.errors import InputError

MINUS = "\u2212"


def _is_missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA


def format_money(value: float | None, decimals: int = 0) -> str:
    """Format pounds with a thousands separator: ``format_money(54790) == '£54,790'``.

    Negative amounts get a minus sign before the pound sign (``−£1,200``);
    missing values are shown as an en dash.
    """
    if _is_missing(value):
        return "\u2013"
    value = float(value)
    sign = MINUS if value < 0 and round(abs(value), decimals) != 0 else ""
    return f"{sign}£{abs(value):,.{decimals}f}"


def format_number(value: float | None, decimals: int = 0) -> str:
    """Format a count or quantity with a thousands separator (``80,377``)."""
    if _is_missing(value):
        return "\u2013"
    value = float(value)
    sign = MINUS if value < 0 and round(abs(value), decimals) != 0 else ""
    return f"{sign}{abs(value):,.{decimals}f}"


def format_pct(value: float | None, decimals: int = 1) -> str:
    """Format percentage points: ``format_pct(12.5) == '12.5%'`` (the value is already ×100)."""
    if _is_missing(value):
        return "\u2013"
    return format_number(value, decimals) + "%"


def format_date(value: dt.date | pd.Timestamp | str) -> str:
    """Format a date the UK way: ``31 March 2026``."""
    ts = pd.Timestamp(value)
    return f"{ts.day} {ts.strftime('%B %Y')}"


def financial_year_of(value: dt.date | pd.Timestamp | str) -> str:
    """Return the UK financial year (April to March) a date falls in, as ``2025/26``."""
    ts = pd.Timestamp(value)
    start = ts.year if ts.month >= 4 else ts.year - 1
    return f"{start}/{(start + 1) % 100:02d}"


_FY_RE = re.compile(r"^(?:fy)?\s*(\d{4})\s*[/\-–]\s*(\d{2}|\d{4})$", re.IGNORECASE)


def parse_financial_year(text: str) -> int:
    """Return the starting calendar year of a financial year written ``2025/26``.

    Accepts ``2025/26``, ``2025-26`` and ``2025/2026``.

    Raises
    ------
    InputError
        When the text is not a financial year or its two years do not follow
        on (``2025/27``).
    """
    m = _FY_RE.match(str(text).strip())
    if not m:
        raise InputError(f"'{text}' is not a financial year; write it like 2025/26 (April 2025 to March 2026).")
    start, end = int(m.group(1)), int(m.group(2))
    if end < 100:
        end += (start // 100) * 100 + (100 if end < start % 100 else 0)
    if end != start + 1:
        raise InputError(
            f"'{text}' is not a financial year: the second year must follow the first, as in {start}/{(start + 1) % 100:02d}."
        )
    return start


def financial_year_bounds(text: str) -> tuple[pd.Timestamp, pd.Timestamp]:
    """Return the first and last day of a financial year: 1 April and 31 March."""
    start = parse_financial_year(text)
    return pd.Timestamp(start, 4, 1), pd.Timestamp(start + 1, 3, 31)


def sentence_list(items: list[str]) -> str:
    """Join items the way a sentence does: ``a, b and c``."""
    items = [str(i) for i in items]
    if not items:
        return ""
    if len(items) == 1:
        return items[0]
    return ", ".join(items[:-1]) + " and " + items[-1]
