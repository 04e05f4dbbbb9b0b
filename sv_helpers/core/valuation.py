"""The one valuation rule: social value as practitioners count it, net of what would have happened anyway and
in present value.

Every area that puts a value in pounds on social value (the impact report, a tender's ``proxy_value``
criterion, a grant scheme's social return) values each measure with this rule, from the measures library's
proxy value and its adjustments (:mod:`sv_helpers.core.measures`) and the discount rate in
``data/parameters/impact/discount_rate_pct.yaml``. For one measure:

* gross value = quantity × proxy value;
* net value = gross × (1 − deadweight) × (1 − attribution) × (1 − displacement);
* present value = net × Σ over t = 0 … duration − 1 of (1 − drop-off)^t ÷ (1 + r)^t.

Year t = 0 is the year the outcome is delivered, not discounted (HM Treasury's Green Book, the default);
drop-off applies from the second year. The SROI Guide (Cabinet Office, 2012) discounts the first year too
(``convention="sroi_guide"``: (1 + r)^(t + 1)). A measure without adjustments (all 0, one year) is worth its
gross value under the Green Book's convention.

Worked example: 10 units at £10,000, deadweight 20%, attribution 25%, no displacement, 3 years, drop-off 10%,
3.5%: gross £100,000; net (and year 0) £60,000, then £54,000 and £48,600; present value £157,542.53
(£152,215.01 under the SROI Guide's convention).

Pure functions: no widgets, no files but the parameter file.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sv_helpers.core.errors import InputError
from sv_helpers.core.formatting import format_money, format_number
from sv_helpers.core.parameters import parameter_value

#: The measures library's adjustments of gross to net value, each a percentage from 0 to 100 (blank means 0).
NET_ADJUSTMENTS: tuple[str, ...] = ("deadweight_pct", "attribution_pct", "displacement_pct")
#: How much less the outcome is each year after the first, a percentage (blank means 0).
DROP_OFF = "drop_off_pct"
#: How many years the outcome lasts, a whole number from 1 to :data:`MAX_DURATION_YEARS` (blank means 1).
DURATION = "duration_years"
#: Every column the rule reads from the library besides the proxy value.
LIBRARY_COLUMNS: tuple[str, ...] = (*NET_ADJUSTMENTS, DROP_OFF, DURATION)
MAX_DURATION_YEARS = 30

#: The three values of a measure, in the order they are shown.
VALUE_COLUMNS: tuple[str, ...] = ("gross_value_gbp", "net_value_gbp", "present_value_gbp")

#: How the first year is treated: the Green Book's (year 0 not discounted) or the SROI Guide's (discounted).
CONVENTIONS: dict[str, str] = {
    "green_book": "the Green Book's convention: the year the outcome is delivered is not discounted",
    "sroi_guide": "the SROI Guide's convention: the first year is discounted too",
}

DISCOUNT_RATE_PARAMETER = "impact.discount_rate_pct"
SENSITIVITY_RATES_PARAMETER = "impact.sensitivity_discount_rates_pct"


@dataclass(frozen=True)
class Discounting:
    """The discount rates by year and the convention for the first year.

    Attributes
    ----------
    rate_pct : float
        The rate, percent a year, from year 0 (3.5 in the Green Book).
    convention : str
        A key of :data:`CONVENTIONS`.
    later_rates : tuple of (int, float)
        ``(first year, rate)`` for later bands of the schedule (the Green Book's 3.0% from year 31).
    """

    rate_pct: float
    convention: str = "green_book"
    later_rates: tuple[tuple[int, float], ...] = ()

    def __post_init__(self) -> None:
        if self.convention not in CONVENTIONS:
            raise InputError(
                f"The discounting convention '{self.convention}' is not known; use one of {', '.join(CONVENTIONS)}."
            )
        if not (math.isfinite(self.rate_pct) and 0 <= self.rate_pct <= 100):
            raise InputError(f"The discount rate must be a percentage from 0 to 100, not {self.rate_pct}.")

    def rate_for_year(self, year: int) -> float:
        """The rate (percent) that discounts year ``year`` from year ``year - 1``."""
        rate = self.rate_pct
        for first, later in self.later_rates:
            if year >= first:
                rate = later
        return rate

    def factors(self, years: int) -> list[float]:
        """The discount factor of each year t = 0 … years − 1 (1 ÷ the product of (1 + r) to that year)."""
        shift = 0 if self.convention == "green_book" else 1
        out, divisor = [], 1.0
        for step in range(1, shift + 1):
            divisor *= 1.0 + self.rate_for_year(step) / 100.0
        for t in range(years):
            if t > 0:
                divisor *= 1.0 + self.rate_for_year(t + shift) / 100.0
            out.append(1.0 / divisor)
        return out

    def with_rate(self, rate_pct: float) -> Discounting:
        """The same schedule and convention from another rate (later bands kept)."""
        return Discounting(float(rate_pct), self.convention, self.later_rates)

    @property
    def label(self) -> str:
        """ "3.5% a year, the Green Book's convention: ..." for a method note."""
        return f"{format_number(self.rate_pct, 1)}% a year, {CONVENTIONS[self.convention]}"


def discounting(rate_pct: float | None = None, convention: str = "green_book", on=None) -> Discounting:
    """The discounting in force: the schedule of ``impact.discount_rate_pct`` on ``on`` (default today).

    ``rate_pct`` replaces the first band's rate (an officer trying another rate); the later bands stay.
    """
    schedule = {int(k): float(v) for k, v in parameter_value(DISCOUNT_RATE_PARAMETER, on).items()}
    first = schedule.pop(0)
    later = tuple(sorted(schedule.items()))
    return Discounting(first if rate_pct is None else float(rate_pct), convention, later)


def default_rate_pct(on=None) -> float:
    """The rate from year 0 in the parameter file (3.5 in the Green Book 2022)."""
    return discounting(on=on).rate_pct


def sensitivity_rates_pct(on=None) -> list[float]:
    """The other discount rates every report tests (``impact.sensitivity_discount_rates_pct``)."""
    return [float(r) for r in parameter_value(SENSITIVITY_RATES_PARAMETER, on)]


def present_value_factor(drop_off_pct: float, duration_years: int, basis: Discounting) -> float:
    """Σ over t = 0 … duration − 1 of (1 − drop-off)^t × the year's discount factor.

    Whole powers are made by multiplication and the sum is exact (``math.fsum``), so the result is the same
    on every machine.
    """
    keep = 1.0 - float(drop_off_pct) / 100.0
    terms, remaining = [], 1.0
    for t, factor in enumerate(basis.factors(int(duration_years))):
        if t > 0:
            remaining *= keep
        terms.append(remaining * factor)
    return math.fsum(terms)


@dataclass(frozen=True)
class Valuation:
    """One measure's values: gross, net, present value and the net value in each year (undiscounted)."""

    gross: float
    net: float
    present_value: float
    yearly_net: tuple[float, ...]


def value_measure(
    quantity: float,
    proxy_value_gbp: float,
    *,
    deadweight_pct: float = 0.0,
    attribution_pct: float = 0.0,
    displacement_pct: float = 0.0,
    drop_off_pct: float = 0.0,
    duration_years: int = 1,
    basis: Discounting | None = None,
) -> Valuation:
    """Value one measure by the rule (module docstring).

    Examples
    --------
    >>> v = value_measure(10, 10_000, deadweight_pct=20, attribution_pct=25, drop_off_pct=10, duration_years=3,
    ...                   basis=Discounting(3.5))
    >>> v.gross, v.net, [round(y, 2) for y in v.yearly_net], round(v.present_value, 2)
    (100000.0, 60000.0, [60000.0, 54000.0, 48600.0], 157542.53)
    """
    basis = basis or discounting()
    gross = float(quantity) * float(proxy_value_gbp)
    net = gross * (1.0 - deadweight_pct / 100.0) * (1.0 - attribution_pct / 100.0) * (1.0 - displacement_pct / 100.0)
    keep = 1.0 - drop_off_pct / 100.0
    yearly, remaining = [], 1.0
    for t in range(int(duration_years)):
        if t > 0:
            remaining *= keep
        yearly.append(net * remaining)
    return Valuation(gross, net, net * present_value_factor(drop_off_pct, duration_years, basis), tuple(yearly))


def adjustments(codes: pd.Series, measures: pd.DataFrame) -> pd.DataFrame:
    """Each item's adjustments from the library, by measure code (0 and one year where the library has none).

    Returns
    -------
    DataFrame
        :data:`LIBRARY_COLUMNS`, on the index of ``codes``.
    """
    lookup = measures.set_index(measures["measure_code"].astype(str))
    out = pd.DataFrame(index=codes.index)
    for column in LIBRARY_COLUMNS:
        blank = 1.0 if column == DURATION else 0.0
        if column in lookup.columns:
            values = codes.astype(str).map(pd.to_numeric(lookup[column], errors="coerce").astype("float64"))
            out[column] = values.fillna(blank).astype("float64").to_numpy()
        else:
            out[column] = blank
    return out


def value_table(
    quantity: pd.Series, proxy_value_gbp: pd.Series, adjusted: pd.DataFrame, basis: Discounting
) -> pd.DataFrame:
    """Gross, net and present value for many items at once (the rule, row by row).

    Parameters
    ----------
    quantity, proxy_value_gbp : Series
        On the same index; a NaN proxy value (counted, not monetised) gives NaN values.
    adjusted : DataFrame
        :func:`adjustments` for the same rows.
    basis : Discounting

    Returns
    -------
    DataFrame
        :data:`VALUE_COLUMNS` on the same index.
    """
    gross = pd.to_numeric(quantity, errors="coerce").astype("float64") * pd.to_numeric(
        proxy_value_gbp, errors="coerce"
    ).astype("float64")
    net = (
        gross
        * (1.0 - adjusted["deadweight_pct"] / 100.0)
        * (1.0 - adjusted["attribution_pct"] / 100.0)
        * (1.0 - adjusted["displacement_pct"] / 100.0)
    )
    keys = list(zip(adjusted[DROP_OFF].tolist(), adjusted[DURATION].astype(int).tolist(), strict=True))
    factors = {key: present_value_factor(key[0], key[1], basis) for key in set(keys)}
    pv_factor = pd.Series([factors[k] for k in keys], index=adjusted.index, dtype="float64")
    return pd.DataFrame(
        {"gross_value_gbp": gross, "net_value_gbp": net, "present_value_gbp": net * pv_factor}, index=quantity.index
    )


def value_items(items: pd.DataFrame, measures: pd.DataFrame, quantity_column: str, basis: Discounting) -> pd.DataFrame:
    """Gross, net and present value of each item (``measure_code`` and a quantity) from the library.

    Returns
    -------
    DataFrame
        :data:`VALUE_COLUMNS` on the index of ``items``.
    """
    codes = items["measure_code"].astype(str)
    lookup = measures.set_index(measures["measure_code"].astype(str))
    proxy = codes.map(pd.to_numeric(lookup["proxy_value_gbp"], errors="coerce").astype("float64"))
    return value_table(items[quantity_column], proxy, adjustments(codes, measures), basis)


def has_adjustments(measures: pd.DataFrame) -> bool:
    """Whether a library adjusts any measure (an adjustment above 0, or more than one year)."""
    adjusted = adjustments(measures["measure_code"].astype(str), measures)
    return bool((adjusted[list(NET_ADJUSTMENTS) + [DROP_OFF]].to_numpy() > 0).any() or (adjusted[DURATION] > 1).any())


def sensitivity(
    items: pd.DataFrame,
    measures: pd.DataFrame,
    quantity_column: str,
    basis: Discounting,
    rates_pct: Sequence[float] | None = None,
) -> pd.DataFrame:
    """The present value of the items as assumed, with every adjustment halved and doubled, and at other rates.

    Doubled adjustments stop at 100%; durations are not changed.

    Returns
    -------
    DataFrame
        ``case, present_value_gbp, change_gbp, change_pct`` (change from the value as assumed; the
        percentage blank when that is 0), one row per case: as assumed, adjustments halved, adjustments
        doubled, then each rate of ``rates_pct`` (default :func:`sensitivity_rates_pct`).
    """
    rates = sensitivity_rates_pct() if rates_pct is None else list(rates_pct)
    codes = items["measure_code"].astype(str)
    lookup = measures.set_index(measures["measure_code"].astype(str))
    proxy = codes.map(pd.to_numeric(lookup["proxy_value_gbp"], errors="coerce").astype("float64"))
    adjusted = adjustments(codes, measures)
    quantity = items[quantity_column]

    def total(adj: pd.DataFrame, b: Discounting) -> float:
        values = value_table(quantity, proxy, adj, b)["present_value_gbp"]
        return math.fsum(values.dropna().tolist())

    def scaled(k: float) -> pd.DataFrame:
        out = adjusted.copy()
        for column in (*NET_ADJUSTMENTS, DROP_OFF):
            out[column] = np.minimum(out[column] * k, 100.0)
        return out

    cases = [
        ("as assumed", total(adjusted, basis)),
        ("adjustments halved", total(scaled(0.5), basis)),
        ("adjustments doubled (at most 100%)", total(scaled(2.0), basis)),
    ]
    cases += [(f"discount rate {format_number(r, 1)}%", total(adjusted, basis.with_rate(r))) for r in rates]
    base = cases[0][1]
    return pd.DataFrame(
        {
            "case": [c for c, _ in cases],
            "present_value_gbp": [v for _, v in cases],
            "change_gbp": [v - base for _, v in cases],
            "change_pct": [100.0 * (v - base) / base if base else np.nan for _, v in cases],
        }
    )


def method_note(basis: Discounting) -> str:
    """The method, in plain English, for every page that shows social value (says which convention was used)."""
    first = (
        "t = 0 is the year the outcome is delivered and is not discounted"
        if basis.convention == "green_book"
        else "the first year is discounted too, as the SROI Guide does"
    )
    example = value_measure(
        10, 10_000, deadweight_pct=20, attribution_pct=25, drop_off_pct=10, duration_years=3, basis=basis
    )
    return (
        "Social value is counted as the SROI Guide (Cabinet Office, 2012) and HM Treasury's Green Book ask. "
        "Gross value is the quantity times the measure's proxy value. Net value takes off what would have "
        "happened anyway (deadweight), the share others caused (attribution) and what moved from elsewhere "
        "(displacement): net = gross × (1 − deadweight) × (1 − attribution) × (1 − displacement). Present value "
        "adds the years the outcome lasts (its duration), each smaller by the drop-off from the second year, "
        "discounted at the social time preference rate: present value = net × the sum over the years t of "
        f"(1 − drop-off)^t ÷ (1 + r)^t, where {first}. Discounting used: {basis.label}. For example, 10 units at "
        "£10,000 with deadweight 20%, attribution 25%, no displacement, lasting 3 years with drop-off 10%, are "
        f"worth {format_money(example.gross)} gross, {format_money(example.net)} net and "
        f"{format_money(example.present_value, 2)} in present value. The adjustments are the measures library's."
    )
