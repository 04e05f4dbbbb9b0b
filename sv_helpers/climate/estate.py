"""The council's own estate: activity data (kWh, litres, km) times dated emission factors, by scope.

Model layer: pure functions on pandas objects (no widgets, no charts).  The result is an
:class:`~sv_helpers.climate.emissions.EmissionsData` filed under ``ESTATE``, so the pathway
functions work on it as on a district's series.
"""

from __future__ import annotations

from functools import lru_cache
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
#: Which factor of the UK Government's conversion factors each fuel uses, by its ID in the flat files.
OFFICIAL_FACTOR_IDS_PATH = data_path("climate", "official_factor_ids.csv")
#: The flat files ("Factors by Category"), one per year: ``ghg_conversion_factors_<year>.csv``.
OFFICIAL_FACTORS_PATTERN = "ghg_conversion_factors_*.csv"

OFFICIAL_IDS_SCHEMA = TableSchema(
    "official_factor_ids",
    (
        Column("fuel", unique=True, description="What is used, as the council estate file names it"),
        Column("unit", description="The unit of activity: kWh, litres, km"),
        Column("scope", "category", allowed=("Scope 1", "Scope 2", "Scope 3"), description="GHG Protocol scope"),
        Column("factor_id", description="The factor's ID in the UK Government conversion factors' flat file"),
        Column("description", allow_blank=True, required=False, default="", description="What the factor is"),
    ),
    description="The official conversion factor each fuel uses, by its ID (the value is read from each year's file).",
)

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
    """Load a dated emission factors file (see :data:`FACTORS_SCHEMA`), or a file of official factor IDs
    (:data:`OFFICIAL_IDS_SCHEMA`, with a ``factor_id`` column), whose values are read from each year's
    UK Government conversion factors (:func:`official_factors`).

    Raises
    ------
    InputError
        When the file does not fit, a fuel has two factors for one year, or an ID is not in a year's file.
    """
    from sv_helpers.core.reading import read_raw_table

    name = filename or Path(str(source)).name
    raw, _ = read_raw_table(source, filename=filename)
    if "factor_id" in [str(c).strip() for c in raw.columns]:
        return official_factors(load_table(source, OFFICIAL_IDS_SCHEMA, filename=filename), name=name)
    factors = load_table(source, FACTORS_SCHEMA, filename=filename)
    return _checked_factors(factors, name)


def official_factor_files() -> dict[int, Path]:
    """The shipped UK Government conversion factors' flat files, by year."""
    out = {}
    for path in sorted(data_path("climate").glob(OFFICIAL_FACTORS_PATTERN)):
        year = path.stem.rsplit("_", 1)[-1]
        if year.isdigit():
            out[int(year)] = path
    return out


@lru_cache(maxsize=4)
def _flat_file(path: str, mtime_ns: int) -> pd.DataFrame:
    table = pd.read_csv(path, dtype=str, encoding="utf-8-sig", keep_default_na=False)
    return table.set_index("ID")


def official_factors(ids: pd.DataFrame, *, name: str = "official_factor_ids.csv") -> pd.DataFrame:
    """The factors of :data:`FACTORS_SCHEMA` for each fuel and each year's flat file, chosen by ID, not retyped.

    Each ID must be in every year's file with a value in kg CO2e per the fuel's unit (the file's ``UOM``
    starts with the unit, so ``kWh (Gross CV)`` fits ``kWh``). The ``source`` names the year, the ID and the
    factor's place in the table.

    Examples
    --------
    >>> ids = pd.DataFrame({"fuel": ["grid_electricity"], "unit": ["kWh"], "scope": ["Scope 2"],
    ...                     "factor_id": ["7_400_4000_5_1"], "description": [""]})
    >>> float(official_factors(ids).set_index("factor_year").loc[2025, "kgco2e_per_unit"])
    0.177
    """
    rows = []
    for year, path in official_factor_files().items():
        flat = _flat_file(str(path), path.stat().st_mtime_ns)
        value_col = next((c for c in flat.columns if c.startswith("GHG Conversion Factor")), None)
        for row, rec in ids.iterrows():
            fid = str(rec["factor_id"]).strip()
            if fid not in flat.index:
                raise InputError(
                    f"{name}, row {row}, column 'factor_id': '{fid}' is not an ID in the UK Government conversion "
                    f"factors for {year} ({path.name}). Copy the ID from the 'Factors by Category' table."
                )
            hit = flat.loc[fid]
            unit, per = str(hit["UOM"]), str(hit["GHG/Unit"])
            if per != "kg CO2e" or not unit.lower().startswith(str(rec["unit"]).lower()):
                raise InputError(
                    f"{name}, row {row}, column 'factor_id': '{fid}' is a factor in {per} per {unit} in {path.name}, "
                    f"not kg CO2e per {rec['unit']}. Choose the ID of the kg CO2e factor for that unit."
                )
            try:
                value = float(hit[value_col])
            except ValueError:
                raise InputError(
                    f"{name}, row {row}, column 'factor_id': '{fid}' has no value in {path.name}."
                ) from None
            place = " > ".join(str(hit[c]) for c in ("Level 1", "Level 2", "Level 3", "Level 4") if str(hit[c]))
            rows.append(
                {
                    "fuel": rec["fuel"],
                    "unit": rec["unit"],
                    "scope": rec["scope"],
                    "kgco2e_per_unit": value,
                    "factor_year": year,
                    "source": f"UK Government GHG conversion factors {year} (DESNZ), ID {fid}: {place}, {unit} "
                    "(Open Government Licence v3.0)",
                }
            )
    if not rows:
        raise InputError("No UK Government conversion factors file is shipped in data/climate.")
    return _checked_factors(pd.DataFrame(rows), name)


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
    chosen_rows = []
    earlier: dict[tuple[str, int], list[str]] = {}  # (financial year, factor year) -> fuels: no factor that early
    later: dict[tuple[str, int], list[str]] = {}  # (financial year, factor year) -> fuels: not that year's own
    by_fuel = {f: g.sort_values("factor_year") for f, g in factors.groupby("fuel")}
    for _, rec in estate.iterrows():
        table = by_fuel[rec["fuel"]]
        eligible = table[table["factor_year"] <= rec["year"]]
        chosen = eligible.iloc[-1] if len(eligible) else table.iloc[0]
        if int(chosen["factor_year"]) != int(rec["year"]):
            into = later if len(eligible) else earlier
            fuels = into.setdefault((rec["financial_year"], int(chosen["factor_year"])), [])
            if rec["fuel"] not in fuels:
                fuels.append(rec["fuel"])
        chosen_rows.append(chosen)
    # said once for the financial years that share a factor year and fuels
    grouped: dict[tuple[int, tuple[str, ...]], list[str]] = {}
    for (fy, year), fuels in earlier.items():
        grouped.setdefault((year, tuple(fuels)), []).append(fy)
    warnings = [
        Finding(
            "warning",
            f"Council estate, {', '.join(fys)}: no factor for {', '.join(fuels)} for {fys[-1]} or earlier, so the "
            f"{year} factor is used (the earliest loaded).",
        )
        for (year, fuels), fys in grouped.items()
    ] + [
        Finding(
            "warning",
            f"Council estate, {fy}: there is no {fy[:4]} factor for {', '.join(fuels)}, so the {year} factor is "
            "used (the latest before it).",
        )
        for (fy, year), fuels in later.items()
    ]
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
    "Council estate: example activity. The buildings, fleet and activity data shown are fictional examples, not "
    "Sevenoaks District Council's own; they are converted with the UK Government's official greenhouse gas "
    "conversion factors of each year (2024/25 activity with the 2024 factors, 2025/26 with the 2025 factors; other "
    "years with the nearest loaded, as the warnings say), chosen by their IDs. Load the council's activity data "
    "(template: data/climate/council_estate_template.xlsx)."
)
#: Said as well when the factors are the rounded example values rather than the official ones.
FACTORS_EXAMPLE_NOTE = (
    "The emission factors are rounded example values for illustration, not the official conversion factors."
)
