"""The council's own estate: activity data (kWh, litres, km) times dated emission factors, by scope.

Model layer: pure functions on pandas objects (no widgets, no charts).  The result is an
:class:`~sv_helpers.climate.emissions.EmissionsData` filed under ``ESTATE``, so the pathway
functions work on it as on a district's series.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from sv_helpers.climate.emissions import ESTATE_CODE, EmissionsData
from sv_helpers.core.errors import Finding, InputError
from sv_helpers.core.formatting import parse_financial_year
from sv_helpers.core.paths import data_path
from sv_helpers.core.tables import Column, TableSchema, load_table, load_tables

#: The shipped example estate and its example factors.
EXAMPLE_ESTATE_PATH = data_path("climate", "council_estate_example.csv")
EXAMPLE_FACTORS_PATH = data_path("climate", "emission_factors_example.csv")

FACTORS_SCHEMA = TableSchema(
    "emission_factors",
    (
        Column("fuel", description="What is used, e.g. natural_gas, grid_electricity, diesel"),
        Column("unit", description="The unit of activity the factor applies to: kWh, litres, km"),
        Column(
            "scope",
            "category",
            allowed=("Scope 1", "Scope 2", "Scope 3"),
            description="GHG Protocol scope of the source",
        ),
        Column("kgco2e_per_unit", "number", minimum=0, label="kg CO2e per unit", description="Emission factor"),
        Column(
            "factor_year",
            "integer",
            minimum=1990,
            maximum=2100,
            description="The year of the conversion factors the value comes from",
        ),
        Column("source", allow_blank=True, required=False, default="", description="Where the factor comes from"),
    ),
    description="Emission factors, dated, with their source.",
)

ESTATE_SCHEMA = TableSchema(
    "council_estate",
    (
        Column("source_name", description="The building, fleet or activity, e.g. 'Council offices gas'"),
        Column("fuel", description="Must match a fuel in the emission factors file"),
        Column(
            "activity_amount",
            "number",
            minimum=0,
            description="kWh, litres or km used in the year, in the factor's unit",
        ),
        Column("financial_year", description="April to March, written 2024/25"),
    ),
    description="The council's own activity data by source and financial year.",
)


def load_emission_factors(
    source: str | Path | bytes = EXAMPLE_FACTORS_PATH, *, filename: str | None = None
) -> pd.DataFrame:
    """Load a dated emission factors file (see :data:`FACTORS_SCHEMA`).

    Raises
    ------
    InputError
        When the file does not fit, or a fuel has two factors for one year.
    """
    factors = load_table(source, FACTORS_SCHEMA, filename=filename)
    return _checked_factors(factors, filename or Path(str(source)).name)


def _checked_factors(factors: pd.DataFrame, name: str) -> pd.DataFrame:
    factors["factor_year"] = factors["factor_year"].astype(int)
    dup = factors.duplicated(["fuel", "factor_year"], keep=False)
    if dup.any():
        row = factors.index[dup][0]
        raise InputError(
            f"{name}, row {row}: the fuel '{factors.loc[row, 'fuel']}' has more than one factor for {factors.loc[row, 'factor_year']}. Keep one."
        )
    return factors


def load_estate(source: str | Path | bytes = EXAMPLE_ESTATE_PATH, *, filename: str | None = None) -> pd.DataFrame:
    """Load the council's estate activity table (see :data:`ESTATE_SCHEMA`).

    Adds ``year``, the calendar year in which the financial year starts.

    Raises
    ------
    InputError
        When the file does not fit or a financial year is not written like 2024/25.
    """
    estate = load_table(source, ESTATE_SCHEMA, filename=filename)
    return _with_years(estate, filename or Path(str(source)).name)


def load_estate_workbook(
    source: str | Path | bytes, *, filename: str | None = None
) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """Load the council estate template: a CSV of activity, or an .xlsx with the sheets
    ``council_estate`` and (optionally) ``emission_factors``.

    Returns
    -------
    estate, factors : DataFrame, DataFrame or None
        ``factors`` is None when the file has no factors sheet (use the factors file).
    """
    name = filename or Path(str(source)).name
    if Path(name).suffix.lower() in (".xlsx", ".xlsm"):
        tables = load_tables(
            source,
            {"council_estate": ESTATE_SCHEMA, "emission_factors": FACTORS_SCHEMA},
            filename=filename,
            optional=("emission_factors",),
        )
        estate = _with_years(tables["council_estate"], name)
        factors = tables.get("emission_factors")
        if factors is not None:
            factors = _checked_factors(factors, name)
        return estate, factors
    return load_estate(source, filename=filename), None


def _with_years(estate: pd.DataFrame, name: str) -> pd.DataFrame:
    years = []
    for row, text in estate["financial_year"].items():
        try:
            years.append(parse_financial_year(text))
        except InputError as exc:
            raise InputError(f"{name}, row {row}, column 'financial_year': {exc}") from None
    estate["year"] = years
    return estate


def estate_emissions(
    estate: pd.DataFrame, factors: pd.DataFrame, *, council_name: str = "Council estate"
) -> EmissionsData:
    """Turn activity data into emissions by scope and year: activity × factor.

    Each row uses the factor of its fuel from the latest ``factor_year`` not
    after the calendar year in which its financial year starts; if every
    factor for that fuel is later, the earliest is used and a warning says so.

    Parameters
    ----------
    estate : DataFrame
        From :func:`load_estate`.
    factors : DataFrame
        From :func:`load_emission_factors`.

    Returns
    -------
    EmissionsData
        ``authority_code`` is ``ESTATE``, ``sector`` is the scope, ``year`` is
        the starting calendar year of each financial year, emissions in kt CO2e.

    Raises
    ------
    InputError
        When a fuel in the estate table has no factor.

    Examples
    --------
    >>> est = pd.DataFrame({"source_name": ["Offices"], "fuel": ["gas"], "activity_amount": [1_000_000.0], "financial_year": ["2024/25"], "year": [2024]})
    >>> fac = pd.DataFrame({"fuel": ["gas"], "unit": ["kWh"], "scope": ["Scope 1"], "kgco2e_per_unit": [0.2], "factor_year": [2024], "source": [""]})
    >>> float(estate_emissions(est, fac).emissions["emissions_kt"].iloc[0])
    0.2
    """
    known = set(factors["fuel"])
    unknown = [(row, f) for row, f in estate["fuel"].items() if f not in known]
    if unknown:
        row, fuel = unknown[0]
        raise InputError(
            f"Council estate, row {row}, column 'fuel': '{fuel}' has no emission factor. "
            f"The factors file has: {', '.join(sorted(known))}. Add a factor for it or correct the fuel's name."
        )
    detail, warnings = _with_factors(estate, factors)
    long = detail.groupby(["year", "scope"], as_index=False)["emissions_kt"].sum().rename(columns={"scope": "sector"})
    # every scope in every year, so sector toggles and sums line up
    grid = pd.MultiIndex.from_product(
        [sorted(long["year"].unique()), sorted(long["sector"].unique())], names=["year", "sector"]
    )
    long = long.set_index(["year", "sector"]).reindex(grid, fill_value=0.0).reset_index()
    long.insert(0, "authority_name", council_name)
    long.insert(0, "authority_code", ESTATE_CODE)
    long["year"] = long["year"].astype(int)
    first, last = int(long["year"].min()), int(long["year"].max())
    return EmissionsData(
        emissions=long[["authority_code", "authority_name", "year", "sector", "emissions_kt"]],
        context=pd.DataFrame(columns=["authority_code", "year", "population_thousands", "area_km2"]),
        series_name=f"{council_name}: emissions from the council's own activity data times emission factors, financial years {first}/{(first + 1) % 100:02d} to {last}/{(last + 1) % 100:02d} (each shown at the calendar year it starts)",
        unit="kt CO2e",
        attribution="Council estate activity data and emission factors as loaded (see each file's source).",
        caveats=["Financial years (April to March) are placed at the calendar year in which they start."],
        warnings=warnings,
    )


def _with_factors(estate: pd.DataFrame, factors: pd.DataFrame) -> tuple[pd.DataFrame, list[Finding]]:
    """Attach to each estate row the factor it uses (see :func:`estate_emissions`)."""
    warnings: list[Finding] = []
    chosen_rows = []
    by_fuel = {f: g.sort_values("factor_year") for f, g in factors.groupby("fuel")}
    for row, rec in estate.iterrows():
        table = by_fuel[rec["fuel"]]
        eligible = table[table["factor_year"] <= rec["year"]]
        chosen = eligible.iloc[-1] if len(eligible) else table.iloc[0]
        if not len(eligible):
            warnings.append(
                Finding(
                    "warning",
                    f"Council estate, row {row}: no {rec['fuel']} factor for {rec['financial_year']} or earlier, so the {chosen['factor_year']} factor is used.",
                )
            )
        chosen_rows.append(chosen)
    detail = estate.copy()
    detail["scope"] = [c["scope"] for c in chosen_rows]
    detail["unit"] = [c["unit"] for c in chosen_rows]
    detail["kgco2e_per_unit"] = [float(c["kgco2e_per_unit"]) for c in chosen_rows]
    detail["factor_year"] = [int(c["factor_year"]) for c in chosen_rows]
    detail["emissions_kt"] = detail["activity_amount"] * detail["kgco2e_per_unit"] / 1e6
    return detail, warnings


def estate_detail(estate: pd.DataFrame, factors: pd.DataFrame) -> pd.DataFrame:
    """Return each estate row with the factor used and its emissions in tCO2e (for tables and exports)."""
    estate_emissions(estate, factors)  # raises for a fuel without a factor
    detail, _ = _with_factors(estate, factors)
    detail["emissions_tco2e"] = detail["emissions_kt"] * 1000.0
    cols = [
        "source_name",
        "financial_year",
        "fuel",
        "scope",
        "activity_amount",
        "unit",
        "kgco2e_per_unit",
        "factor_year",
        "emissions_tco2e",
    ]
    return detail[cols].reset_index(drop=True)


#: What the screen and the report say when the council estate or the interventions are the shipped examples.
ESTATE_EXAMPLE_NOTE = (
    "Council estate: example figures. The buildings, fleet, activity data and emission factors shown are fictional "
    "examples, not Sevenoaks District Council's own; load the council's activity data "
    "(template: data/climate/council_estate_template.xlsx) "
    "and the year's official UK Government conversion factors."
)
