"""The council's own activities: as an employer, through partnerships, and through planning.

One yearly table, one row per figure: ``financial_year, source, activity,
indicator, quantity, unit`` and, where it applies, ``measure_code`` (a
measure in the measures library, which gives the figure a value in pounds),
``theme``, ``infrastructure_type`` and ``ward`` (for money secured through
planning) and ``notes``.

A figure is valued only when its row names a measure and that measure has a
proxy value; every other figure is reported as a count.  Nothing is
monetised by default: the council chooses what to value by adding the code.

Model layer: pure functions on pandas objects.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from sv_helpers.core import valuation as val
from sv_helpers.core.errors import Finding, InputError
from sv_helpers.core.formatting import parse_financial_year
from sv_helpers.core.measures import THEMES, social_value, unknown_measure_codes
from sv_helpers.core.parameters import parameter_value
from sv_helpers.core.tables import Column, TableSchema, load_table

#: Where the council's own activity sits in the impact report.
ACTIVITY_SOURCES: tuple[str, ...] = ("employer", "partnerships", "planning")

ACTIVITIES_SCHEMA = TableSchema(
    "activities",
    (
        Column("financial_year", "text", description="The financial year the figure is for, written like 2025/26."),
        Column(
            "source",
            "category",
            allowed=ACTIVITY_SOURCES,
            description="employer (the council as employer), partnerships (partnership and community hub activity) or planning (money secured through planning).",
        ),
        Column(
            "activity",
            "text",
            description="The activity, e.g. 'Staff volunteering', 'Guaranteed interviews', 'Community Infrastructure Levy'.",
        ),
        Column(
            "indicator",
            "text",
            description="What is counted, e.g. 'Hours volunteered', 'Care leavers appointed', 'CIL spent'.",
        ),
        Column("quantity", "number", minimum=0, description="The figure for the year, in the unit given."),
        Column("unit", "text", description="The unit the quantity is counted in ('hour', 'person', '£' for money)."),
        Column(
            "measure_code",
            "text",
            required=False,
            allow_blank=True,
            default="",
            description="Optional: a measure in the measures library that gives the figure a value in pounds. Leave blank to report it as a count.",
        ),
        Column(
            "theme",
            "category",
            required=False,
            allow_blank=True,
            allowed=THEMES,
            default="",
            description="The theme the figure counts under (social, economic or environmental); a measure's own theme is used when a measure is given.",
        ),
        Column(
            "infrastructure_type",
            "text",
            required=False,
            allow_blank=True,
            default="",
            description="For planning money: the kind of infrastructure (Transport, Education, Green spaces, ...).",
        ),
        Column(
            "ward",
            "text",
            required=False,
            allow_blank=True,
            default="",
            description="The ward the figure is for, where there is one.",
        ),
        Column(
            "notes",
            "text",
            required=False,
            allow_blank=True,
            default="",
            description="Where the figure comes from, or anything a reader should know.",
        ),
    ),
    description="The council's own activities for a year: one row per figure.",
)

#: The indicators the staff volunteering summary reads (``activity`` = "Staff volunteering").
VOLUNTEERING_ACTIVITY = "Staff volunteering"
HEADCOUNT_INDICATOR = "Staff headcount"
VOLUNTEERS_INDICATOR = "Staff who volunteered"
HOURS_INDICATOR = "Hours volunteered"


def load_activities(source: str | Path | bytes, *, filename: str | None = None) -> pd.DataFrame:
    """Load the activities table (CSV or .xlsx) against :data:`ACTIVITIES_SCHEMA`."""
    return load_table(source, ACTIVITIES_SCHEMA, filename=filename)


def _key(text: str) -> str:
    return " ".join(str(text).strip().lower().split())


def check_activities(activities: pd.DataFrame, measures: pd.DataFrame) -> list[Finding]:
    """Check an activities table.

    Errors: a financial year not written like 2025/26; a measure code not in
    the library; a row with neither a measure nor a theme.  Warnings: a
    measure whose theme differs from the row's theme (the measure's is used).
    """
    findings: list[Finding] = []
    for row, text in activities["financial_year"].items():
        try:
            parse_financial_year(text)
        except InputError as exc:
            findings.append(Finding("error", f"The activities file, row {row}, column 'financial_year': {exc}"))
    codes = activities["measure_code"].fillna("").astype(str).str.strip()
    with_code = activities[codes != ""]
    unknown = unknown_measure_codes(with_code, measures) if len(with_code) else []
    if unknown:
        findings.append(
            Finding(
                "error",
                f"The activities file uses the measure code {', '.join(unknown)}, which is not in the measures library. Correct the code, clear it to report the figure as a count, or load the library that defines it.",
            )
        )
    themes = activities["theme"].fillna("").astype(str)
    no_theme = (codes == "") & (themes == "")
    if no_theme.any():
        rows = ", ".join(str(r) for r in activities.index[no_theme.to_numpy()][:8])
        findings.append(
            Finding(
                "error",
                f"The activities file, row {rows}: give a theme (social, economic or environmental) or a measure code, so the figure can be reported by theme.",
            )
        )
    if len(with_code) and not unknown:
        library = measures.set_index(measures["measure_code"].astype(str))["theme"]
        differs = (themes[codes != ""] != "") & (themes[codes != ""] != codes[codes != ""].map(library))
        if differs.any():
            rows = ", ".join(str(r) for r in with_code.index[differs.to_numpy()][:8])
            findings.append(
                Finding(
                    "warning",
                    f"The activities file, row {rows}: the theme differs from the measure's theme in the library; the measure's theme is used.",
                )
            )
    return findings


def activities_for_year(activities: pd.DataFrame, financial_year: str) -> pd.DataFrame:
    """Return the rows of one financial year (``2025/26``; other spellings such as ``2025-26`` match)."""
    start = parse_financial_year(financial_year)
    years = activities["financial_year"].map(lambda t: _safe_year(t))
    return activities[(years == start).to_numpy()]


def _safe_year(text: str) -> int | None:
    try:
        return parse_financial_year(text)
    except InputError:
        return None


def value_activities(
    activities: pd.DataFrame, measures: pd.DataFrame, basis: val.Discounting | None = None
) -> pd.DataFrame:
    """Value the figures that name a measure; report the rest as counts.

    Returns
    -------
    DataFrame
        The activities with ``theme`` (the measure's theme where a measure
        is named, else the row's), ``value_gbp`` (gross), ``proxy_value_gbp``,
        then ``net_value_gbp`` and ``present_value_gbp`` by the one valuation
        rule (:mod:`sv_helpers.core.valuation`, discounting ``basis``, default
        the Green Book's) (NaN where the row names no measure, or the measure
        has no proxy value).
    """
    basis = basis or val.discounting()
    out = activities.copy()
    codes = out["measure_code"].fillna("").astype(str).str.strip()
    out["value_gbp"] = np.nan
    out["proxy_value_gbp"] = np.nan
    out["net_value_gbp"] = np.nan
    out["present_value_gbp"] = np.nan
    has_code = (codes != "").to_numpy()
    if has_code.any():
        valued = social_value(out[has_code].assign(measure_code=codes[has_code]), measures, quantity_column="quantity")
        out.loc[has_code, "value_gbp"] = valued["value_gbp"].astype("float64").to_numpy()
        out.loc[has_code, "proxy_value_gbp"] = valued["proxy_value_gbp"].astype("float64").to_numpy()
        values = val.value_items(valued, measures, "quantity", basis)
        out.loc[has_code, "net_value_gbp"] = values["net_value_gbp"].to_numpy()
        out.loc[has_code, "present_value_gbp"] = values["present_value_gbp"].to_numpy()
        theme = out["theme"].astype(object).to_numpy().copy()
        theme[has_code] = valued["theme"].to_numpy()
        out["theme"] = theme
    out["value_gbp"] = out["value_gbp"].astype("float64")
    out["proxy_value_gbp"] = out["proxy_value_gbp"].astype("float64")
    out["net_value_gbp"] = out["net_value_gbp"].astype("float64")
    out["present_value_gbp"] = out["present_value_gbp"].astype("float64")
    return out


def volunteering_summary(activities: pd.DataFrame, financial_year: str) -> dict[str, float]:
    """Staff volunteering for a year: headcount, take-up and hours against the entitlement.

    Every member of staff may take the number of half days set in
    ``impact.staff_volunteering_half_days`` a year, of
    ``impact.hours_per_half_day`` hours each.

    Returns
    -------
    dict
        ``headcount``, ``volunteers``, ``take_up_pct`` (volunteers as a
        percentage of headcount), ``hours``, ``entitlement_hours`` and
        ``pct_of_entitlement`` (hours as a percentage of the entitlement);
        NaN for any figure the table does not give.
    """
    start = parse_financial_year(financial_year)
    rows = activities_for_year(activities, financial_year)
    rows = rows[rows["activity"].map(_key) == _key(VOLUNTEERING_ACTIVITY)]

    def total(indicator: str) -> float:
        match = rows[rows["indicator"].map(_key) == _key(indicator)]
        return float(pd.to_numeric(match["quantity"]).sum()) if len(match) else float("nan")

    headcount, volunteers, hours = total(HEADCOUNT_INDICATOR), total(VOLUNTEERS_INDICATOR), total(HOURS_INDICATOR)
    on = pd.Timestamp(start, 4, 1).date()
    half_days = float(parameter_value("impact.staff_volunteering_half_days", on))
    half_day_hours = float(parameter_value("impact.hours_per_half_day", on))
    entitlement = headcount * half_days * half_day_hours
    return {
        "headcount": headcount,
        "volunteers": volunteers,
        "take_up_pct": 100.0 * volunteers / headcount if headcount > 0 else float("nan"),
        "hours": hours,
        "entitlement_hours": entitlement,
        "pct_of_entitlement": 100.0 * hours / entitlement if entitlement > 0 else float("nan"),
    }


def planning_money(activities: pd.DataFrame) -> pd.DataFrame:
    """Money secured through planning, by activity, indicator, infrastructure type and ward.

    Returns
    -------
    DataFrame
        ``activity, indicator, infrastructure_type, ward, amount_gbp`` for the
        planning rows counted in pounds, in the table's order of first
        appearance.
    """
    rows = activities[
        (activities["source"] == "planning")
        & activities["unit"].astype(str).str.strip().isin(["£", "GBP", "pounds", "pound"])
    ]
    if not len(rows):
        return pd.DataFrame(columns=["activity", "indicator", "infrastructure_type", "ward", "amount_gbp"])
    keys = ["activity", "indicator", "infrastructure_type", "ward"]
    grouped = (
        rows.assign(**{k: rows[k].fillna("").astype(str) for k in keys})
        .groupby(keys, sort=False, as_index=False)["quantity"]
        .sum()
    )
    return grouped.rename(columns={"quantity": "amount_gbp"})
