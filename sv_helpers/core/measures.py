"""The measures library: what a unit of social value is worth.

A *measure* is one kind of social value a supplier can commit to deliver
(for example "jobs filled by care leavers"), in the council's three themes
(social, economic, environmental), with the money value of one unit (its
*proxy value*).  The library ships as ``data/measures.csv`` with EXAMPLE
values only: proxy-value sets such as the National TOMs or the HACT Social
Value Bank may not be redistributed, so the council loads its own adopted
library in their place.

Every area that values commitments uses :func:`load_measures` and
:func:`social_value`.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from sv_helpers.core.errors import InputError
from sv_helpers.core.paths import data_path
from sv_helpers.core.tables import Column, TableSchema, load_table

#: The council's three themes, in the order they are shown.
THEMES: tuple[str, ...] = ("social", "economic", "environmental")

MEASURES_SCHEMA = TableSchema(
    "measures",
    (
        Column("measure_code", "text", unique=True, description="Short unique code for the measure, e.g. EX-ECO-01."),
        Column(
            "theme", "category", allowed=THEMES, description="The council theme: social, economic or environmental."
        ),
        Column("outcome", "text", description="The outcome the measure contributes to."),
        Column("description", "text", description="What is counted."),
        Column("unit", "text", description="The unit a quantity is counted in, e.g. 'FTE job for one year'."),
        Column(
            "proxy_value_gbp",
            "money",
            allow_blank=True,
            minimum=0,
            default=np.nan,
            label="Proxy value (£)",
            description="Money value of one unit in pounds; leave blank for a measure that is counted but not monetised.",
        ),
        Column("source", "text", description="Where the proxy value comes from, and its licence."),
        Column("year", "integer", minimum=1990, maximum=2100, description="The price year of the proxy value."),
        *(
            Column(
                name,
                "number",
                required=False,
                allow_blank=True,
                minimum=0,
                maximum=100,
                default=0.0,
                label=label,
                description=description,
            )
            for name, label, description in (
                (
                    "deadweight_pct",
                    "Deadweight (%)",
                    "The share of the outcome that would have happened anyway, 0 to 100; blank means 0.",
                ),
                (
                    "attribution_pct",
                    "Attribution (%)",
                    "The share of the outcome that others (not the contract or grant) caused, 0 to 100; blank means 0.",
                ),
                (
                    "displacement_pct",
                    "Displacement (%)",
                    "The share of the outcome that moved from elsewhere, 0 to 100; blank means 0.",
                ),
                (
                    "drop_off_pct",
                    "Drop-off (%)",
                    "How much less the outcome is each year after the first, 0 to 100; blank means 0.",
                ),
            )
        ),
        Column(
            "duration_years",
            "integer",
            required=False,
            allow_blank=True,
            minimum=1,
            maximum=30,
            default=1,
            label="Duration (years)",
            description="How many years the outcome lasts, a whole number from 1 to 30; blank means 1.",
        ),
    ),
    description="The measures library: one row per measure of social value.",
)

DEFAULT_MEASURES_FILE = "measures.csv"


def load_measures(source: str | Path | bytes | None = None, *, filename: str | None = None) -> pd.DataFrame:
    """Load a measures library (CSV or .xlsx).

    Parameters
    ----------
    source : str, Path or bytes, optional
        The file's path or uploaded contents; default ``data/measures.csv``
        (the example library).
    filename : str, optional
        The file's name, needed when ``source`` is bytes.

    Returns
    -------
    DataFrame
        One row per measure with the columns of :data:`MEASURES_SCHEMA`
        (``proxy_value_gbp`` as float, NaN where not monetised; ``year`` as
        Int64), on a plain ``RangeIndex`` from 0.

    Raises
    ------
    InputError
        When the file is missing, unreadable, has a duplicate code, an
        unknown theme or a negative proxy value.
    """
    if source is None:
        source = data_path(DEFAULT_MEASURES_FILE)
    table = load_table(source, MEASURES_SCHEMA, filename=filename)
    return table.reset_index(drop=True)


def unknown_measure_codes(items: pd.DataFrame, measures: pd.DataFrame) -> list[str]:
    """Return the measure codes in ``items`` that the library does not hold.

    Parameters
    ----------
    items : DataFrame
        Anything with a ``measure_code`` column (commitments, grant outputs).
    measures : DataFrame
        A library from :func:`load_measures`.

    Returns
    -------
    list of str
        Unknown codes, each once, in order of first appearance.
    """
    known = set(measures["measure_code"].astype(str))
    seen: list[str] = []
    for code in items["measure_code"].astype(str):
        if code not in known and code not in seen:
            seen.append(code)
    return seen


def social_value(items: pd.DataFrame, measures: pd.DataFrame, quantity_column: str = "quantity") -> pd.DataFrame:
    """Value each item: quantity times the measure's proxy value.

    Parameters
    ----------
    items : DataFrame
        Rows with ``measure_code`` and ``quantity_column``.
    measures : DataFrame
        A library from :func:`load_measures`.
    quantity_column : str
        The column holding quantities, in the measure's unit.

    Returns
    -------
    DataFrame
        ``items`` (same index and row order) with ``theme``, ``outcome``,
        ``unit``, ``proxy_value_gbp`` and ``value_gbp`` added.  ``value_gbp``
        is NaN where the measure has no proxy value (counted, not monetised).

    Raises
    ------
    InputError
        When an item names a code the library does not hold.

    Examples
    --------
    >>> m = pd.DataFrame({"measure_code": ["A"], "theme": ["social"], "outcome": ["o"],
    ...                   "unit": ["hour"], "proxy_value_gbp": [17.0]})
    >>> social_value(pd.DataFrame({"measure_code": ["A"], "quantity": [10.0]}), m)["value_gbp"].tolist()
    [170.0]
    """
    unknown = unknown_measure_codes(items, measures)
    if unknown:
        names = ", ".join(f"'{c}'" for c in unknown)
        noun = "code" if len(unknown) == 1 else "codes"
        raise InputError(
            f"The measure {noun} {names} {'is' if len(unknown) == 1 else 'are'} not in the measures library. "
            "Correct the code, or load the library that defines it."
        )
    lookup = measures.set_index(measures["measure_code"].astype(str))[["theme", "outcome", "unit", "proxy_value_gbp"]]
    codes = items["measure_code"].astype(str)
    out = items.copy()
    for column in ("theme", "outcome", "unit"):
        out[column] = codes.map(lookup[column]).to_numpy(dtype=object)
    proxy = codes.map(lookup["proxy_value_gbp"]).astype("float64")
    out["proxy_value_gbp"] = proxy.to_numpy()
    quantity = pd.to_numeric(items[quantity_column], errors="coerce").astype("float64")
    out["value_gbp"] = (quantity * proxy).to_numpy()
    return out


def value_by_theme(valued: pd.DataFrame) -> pd.Series:
    """Total the monetised value by theme.

    Parameters
    ----------
    valued : DataFrame
        The result of :func:`social_value`.

    Returns
    -------
    Series
        Pounds indexed by the three themes (``social``, ``economic``,
        ``environmental``, always all three, 0 where none), named
        ``value_gbp``.  Items that are not monetised count as 0.
    """
    totals = (
        valued.groupby("theme", observed=True)["value_gbp"].sum(min_count=0)
        if len(valued)
        else pd.Series(dtype="float64")
    )
    out = pd.Series([float(totals.get(t, 0.0)) for t in THEMES], index=pd.Index(THEMES, name="theme"), name="value_gbp")
    return out.fillna(0.0)
