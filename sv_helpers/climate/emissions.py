"""Emissions data: the district's series (the council's own estate is :mod:`.estate`).

Model layer: pure functions on pandas objects (no widgets, no charts).

Three sources end in the same shape, :class:`EmissionsData`, so that the
pathway functions in :mod:`sv_helpers.climate` work on any of them:

* the shipped mySociety file (``data/emissions/local_authority_emissions.csv``):
  CO2 only, the "within the scope of influence of local authorities" subset,
  every UK authority, 2005 to 2020, by sector;
* a newer DESNZ "UK local authority and regional greenhouse gas emissions"
  CSV in its official long layout (``Calendar Year``, ``Local Authority Code``,
  ``LA GHG Sector``, ``Territorial emissions (kt CO2e)``, ...);
* the council's own estate (:mod:`sv_helpers.climate.estate`): activity data
  (kWh, litres, km) times dated emission factors, by scope.

Every frame uses the names ``authority_code``, ``authority_name``, ``year``,
``sector`` and ``emissions_kt`` (kilotonnes; CO2 or CO2e as the series says).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from sv_helpers.core.errors import Finding, InputError
from sv_helpers.core.paths import data_path
from sv_helpers.core.tables import Column, TableSchema, check_table, load_table, read_raw_table

#: The shipped district series and its companions.
DEFAULT_EMISSIONS_PATH = data_path("emissions", "local_authority_emissions.csv")
LABELS_PATH = data_path("emissions", "la_labels.csv")
SIMILARITY_PATH = data_path("emissions", "la_emissions_similarity.csv")
KENT_DISTRICTS_PATH = data_path("climate", "kent_districts.csv")

#: Shown under every chart of the shipped series.
MYSOCIETY_ATTRIBUTION = "Contains public sector information licensed under the Open Government Licence v3.0; transformed by mySociety (CC BY 4.0)."
DESNZ_ATTRIBUTION = "Contains public sector information licensed under the Open Government Licence v3.0 (DESNZ, UK local authority and regional greenhouse gas emissions)."

#: The sectors of the shipped file, in its own order, and their column stems.
MYSOCIETY_SECTORS: dict[str, str] = {
    "Industry": "Industry Total:kt CO2",
    "Commercial": "Commercial Total:kt CO2",
    "Public Sector": "Public Sector Total:kt CO2",
    "Domestic": "Domestic Total:kt CO2",
    "Transport": "Transport Total:kt CO2",
    "Agriculture": "Agriculture Total:kt CO2",
    "Waste Management": "Waste Management Total:kt CO2",
}

#: The code the council's own estate is filed under.
ESTATE_CODE = "ESTATE"


@dataclass
class EmissionsData:
    """One emissions series in the workbook's shape.

    Attributes
    ----------
    emissions : DataFrame
        Long table: ``authority_code``, ``authority_name``, ``year``,
        ``sector``, ``emissions_kt``.
    context : DataFrame
        ``authority_code``, ``year``, ``population_thousands``, ``area_km2``
        (empty when the source has none).
    series_name : str
        Which series this is, in words, for the screen ("You are looking at ...").
    unit : str
        ``kt CO2`` or ``kt CO2e``.
    attribution : str
        The licence line shown under every chart.
    caveats : list of str
        What a reader must know (coverage, gases, revisions).
    county : Series
        Upper-tier area of each authority when the source gives one (DESNZ's
        ``Second Tier Authority``), indexed by authority code; else empty.
    warnings : list of Finding
        Non-fatal findings from loading.
    """

    emissions: pd.DataFrame
    context: pd.DataFrame
    series_name: str
    unit: str
    attribution: str
    caveats: list[str] = field(default_factory=list)
    county: pd.Series = field(default_factory=lambda: pd.Series(dtype=object))
    warnings: list[Finding] = field(default_factory=list)
    #: Values worked out from this series (peers, similar authorities), kept for the next run on the same series.
    memo: dict = field(default_factory=dict, repr=False, compare=False)

    # Worked out once per series (a run asks for them several times; the long table has tens of thousands of rows).

    @cached_property
    def sectors(self) -> list[str]:
        """The sectors present, in first-seen order."""
        return [str(s) for s in pd.unique(self.emissions["sector"].to_numpy(dtype=object))]

    @cached_property
    def authorities(self) -> pd.Series:
        """Authority names indexed by code, sorted by name."""
        names = self.emissions.drop_duplicates("authority_code").set_index("authority_code")["authority_name"]
        return names.sort_values()

    @cached_property
    def codes(self) -> frozenset[str]:
        """Every authority code in the series."""
        return frozenset(self.authorities.index)

    def rows_of(self, authority_code: str) -> pd.DataFrame:
        """The rows of one authority (empty when it has none), split once per series."""
        groups = self.memo.get("rows_of")
        if groups is None:
            groups = self.memo["rows_of"] = dict(tuple(self.emissions.groupby("authority_code", sort=False)))
        return groups.get(authority_code, self.emissions.iloc[:0])

    @cached_property
    def years(self) -> list[int]:
        return sorted(int(y) for y in self.emissions["year"].unique())


# --------------------------------------------------------------------------- vectorised cell checks


def _numbers(
    raw: pd.Series, column: str, filename: str, *, integer: bool = False, blank: float | None = None
) -> pd.Series:
    """Parse a column of raw text cells as numbers, or raise one plain-English InputError.

    The foundation's ``check_table`` reads cell by cell, which is too slow for a
    DESNZ file of half a million rows; this does the same checks with pandas.
    Row numbers in messages are the spreadsheet's (header = row 1).
    """
    text = raw.astype(str).str.strip().str.replace("\u2212", "-", regex=False)
    is_blank = text.eq("") | raw.isna()
    cleaned = text.str.replace(r"^(-?\d{1,3}(,\d{3})+(\.\d+)?)$", lambda m: m.group(1).replace(",", ""), regex=True)
    values = pd.to_numeric(cleaned.where(~is_blank), errors="coerce")
    bad = values.isna() & ~is_blank
    if integer:
        bad |= values.notna() & (values % 1 != 0)
    if blank is None:
        bad |= is_blank
    if bad.any():
        rows = np.flatnonzero(bad.to_numpy())
        noun = "a whole number" if integer else "a number"
        problems = []
        for i in rows[:5]:
            cell = str(raw.iloc[i]).strip()
            where = f"{filename}, row {i + 2}, column '{column}'"
            problems.append(
                f"{where}: the cell is empty; a value is needed."
                if cell in ("", "nan")
                else f"{where}: '{cell[:40]}' is not {noun}."
            )
        if len(rows) > 5:
            problems.append(f"... and {len(rows) - 5} more problems in column '{column}' of {filename}.")
        raise InputError("\n".join(problems))
    return values.fillna(blank if blank is not None else np.nan).astype(float)


def _find_column(columns: list[str], *wanted: str) -> str | None:
    """Return the first file column whose name matches one of ``wanted`` ignoring case and spacing."""
    key = {re.sub(r"\s+", " ", str(c)).strip().lower(): c for c in columns}
    for w in wanted:
        if w.lower() in key:
            return key[w.lower()]
    return None


# --------------------------------------------------------------------------- the shipped mySociety file


def _mysociety_from_raw(raw: pd.DataFrame, filename: str) -> EmissionsData:
    needed = [
        "Year",
        "local-authority-code",
        "official-name",
        *MYSOCIETY_SECTORS.values(),
        "Population:000s",
        "Area:km2",
    ]
    missing = [c for c in needed if c not in raw.columns]
    if missing:
        raise InputError(
            f"{filename}: the columns {', '.join(repr(c) for c in missing)} are missing; this does not look like mySociety's local authority emissions file."
        )
    # check_table normalises headers by dropping text in brackets, so only the
    # columns used here are passed to it (the file's two "Road Transport (...)"
    # columns would otherwise collide).
    names = [
        "year",
        "authority_code",
        "authority_name",
        *[f"s{i}" for i in range(len(MYSOCIETY_SECTORS))],
        "population_thousands",
        "area_km2",
    ]
    schema = TableSchema(
        "local_authority_emissions",
        (
            Column("year", "integer", minimum=1990, maximum=2100),
            Column("authority_code"),
            Column("authority_name"),
            *[Column(n, "number") for n in names[3:-2]],
            Column("population_thousands", "number", minimum=0, allow_blank=True, required=False),
            Column("area_km2", "number", minimum=0, allow_blank=True, required=False),
        ),
    )
    frame = raw[needed].copy()
    frame.columns = names
    clean = check_table(frame, schema, filename=filename)
    clean["year"] = clean["year"].astype(int)
    sector_cols = dict(zip(names[3:-2], MYSOCIETY_SECTORS))
    long = clean.melt(
        id_vars=["authority_code", "authority_name", "year"],
        value_vars=list(sector_cols),
        var_name="sector",
        value_name="emissions_kt",
    )
    long["sector"] = long["sector"].map(sector_cols)
    long["sector"] = pd.Categorical(long["sector"], categories=list(MYSOCIETY_SECTORS), ordered=True)
    long = long.sort_values(["authority_code", "year", "sector"]).reset_index(drop=True)
    long["sector"] = long["sector"].astype(str)
    context = clean[["authority_code", "year", "population_thousands", "area_km2"]].reset_index(drop=True)
    return EmissionsData(
        emissions=long[["authority_code", "authority_name", "year", "sector", "emissions_kt"]],
        context=context,
        series_name=(
            "UK local authority CO2 emissions within the scope of influence of local authorities, "
            f"{int(long['year'].min())} to {int(long['year'].max())} (BEIS/DESNZ statistics as transformed by mySociety, v1.2.0)"
        ),
        unit="kt CO2",
        attribution=MYSOCIETY_ATTRIBUTION,
        caveats=[
            "CO2 only (not methane or nitrous oxide).",
            "The scope-of-influence subset: motorways, large industrial installations, railways and land use are left out.",
            "Later DESNZ releases revise earlier years; load a newer DESNZ file to use them.",
        ],
    )


@lru_cache(maxsize=4)
def _load_mysociety_cached(path: str, mtime: float) -> EmissionsData:
    raw, _ = read_raw_table(path)
    return _mysociety_from_raw(raw, Path(path).name)


def load_mysociety_emissions(path: str | Path = DEFAULT_EMISSIONS_PATH) -> EmissionsData:
    """Load mySociety's "UK local authority emissions data" file (the shipped series).

    Parameters
    ----------
    path : str or Path
        The CSV file; by default the copy shipped in ``data/emissions``.

    Returns
    -------
    EmissionsData
        Seven sectors per authority and year, in kt CO2, with population and area.

    Raises
    ------
    InputError
        When the file is missing or does not have the expected columns and numbers.
    """
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path.name} was not found (looked for {path}).")
    return _load_mysociety_cached(str(path.resolve()), path.stat().st_mtime)


# --------------------------------------------------------------------------- DESNZ long layout

DESNZ_MEASURES = {
    "territorial": ("Territorial emissions (kt CO2e)", "territorial emissions"),
    "scope_of_influence": (
        "CO2 emissions within the scope of influence of LAs (kt CO2e)",
        "CO2 emissions within the scope of influence of local authorities",
    ),
}


def _desnz_from_raw(raw: pd.DataFrame, filename: str, measure: str) -> EmissionsData:
    cols = [str(c) for c in raw.columns]
    year_col = _find_column(cols, "Calendar Year")
    code_col = _find_column(cols, "Local Authority Code")
    sector_col = _find_column(cols, "LA GHG Sector")
    if measure not in DESNZ_MEASURES:
        raise InputError(f"The measure '{measure}' is not known; use one of: {', '.join(DESNZ_MEASURES)}.")
    value_col = _find_column(cols, DESNZ_MEASURES[measure][0])
    used_measure = measure
    if value_col is None:
        other = "scope_of_influence" if measure == "territorial" else "territorial"
        value_col = _find_column(cols, DESNZ_MEASURES[other][0])
        used_measure = other
    missing = [
        n
        for n, c in (
            ("Calendar Year", year_col),
            ("Local Authority Code", code_col),
            ("LA GHG Sector", sector_col),
            ("Territorial emissions (kt CO2e)", value_col),
        )
        if c is None
    ]
    if missing:
        raise InputError(
            f"{filename}: the column{'s' if len(missing) > 1 else ''} {', '.join(repr(m) for m in missing)} "
            f"{'are' if len(missing) > 1 else 'is'} missing. A DESNZ local authority greenhouse gas file in its long layout has the columns "
            "'Calendar Year', 'Local Authority Code', 'LA GHG Sector' and 'Territorial emissions (kt CO2e)'. "
            f"The columns found were: {', '.join(repr(c) for c in cols[:12])}."
        )
    if raw.empty:
        raise InputError(f"{filename} has no rows of data under its header.")
    name_col = _find_column(cols, "Local Authority")
    pop_col = _find_column(cols, "Mid-year Population (thousands)")
    area_col = _find_column(cols, "Area (km2)")
    county_col = _find_column(cols, "Second Tier Authority")

    year = _numbers(raw[year_col], year_col, filename, integer=True)
    out_of_range = np.flatnonzero(((year < 1990) | (year > 2100)).to_numpy())
    if len(out_of_range):
        i = out_of_range[0]
        raise InputError(
            f"{filename}, row {i + 2}, column '{year_col}': {int(year.iloc[i])} is not a calendar year between 1990 and 2100."
        )
    value = _numbers(raw[value_col], value_col, filename, blank=0.0)
    code = raw[code_col].astype(str).str.strip()
    blank_codes = np.flatnonzero(code.eq("").to_numpy())
    if len(blank_codes):
        raise InputError(
            f"{filename}, row {blank_codes[0] + 2}, column '{code_col}': the cell is empty; a local authority code is needed."
        )
    sector = raw[sector_col].astype(str).str.strip().replace("", "Unassigned")
    frame = pd.DataFrame(
        {
            "authority_code": code.to_numpy(),
            "authority_name": (raw[name_col].astype(str).str.strip() if name_col else code).to_numpy(),
            "year": year.astype(int).to_numpy(),
            "sector": sector.to_numpy(),
            "emissions_kt": value.to_numpy(),
        }
    )
    long = frame.groupby(["authority_code", "year", "sector"], sort=False, as_index=False).agg(
        authority_name=("authority_name", "first"), emissions_kt=("emissions_kt", "sum")
    )
    long = long.sort_values(["authority_code", "year"], kind="stable").reset_index(drop=True)[
        ["authority_code", "authority_name", "year", "sector", "emissions_kt"]
    ]
    ctx = pd.DataFrame({"authority_code": frame["authority_code"], "year": frame["year"]})
    ctx["population_thousands"] = (
        _numbers(raw[pop_col], pop_col, filename, blank=np.nan).to_numpy() if pop_col else np.nan
    )
    ctx["area_km2"] = _numbers(raw[area_col], area_col, filename, blank=np.nan).to_numpy() if area_col else np.nan
    context = ctx.groupby(["authority_code", "year"], as_index=False).first()
    county = pd.Series(dtype=object)
    if county_col:
        county = (
            pd.Series(raw[county_col].astype(str).str.strip().to_numpy(), index=code.to_numpy())
            .groupby(level=0)
            .first()
        )
    warnings = []
    n_blank = int((raw[value_col].astype(str).str.strip() == "").sum())
    if n_blank:
        warnings.append(
            Finding("warning", f"{filename}: {n_blank} rows have no value in '{value_col}'; they are counted as zero.")
        )
    gases = ""
    gas_col = _find_column(cols, "Greenhouse gas")
    if gas_col:
        gases = ", ".join(sorted(raw[gas_col].astype(str).str.strip().unique())[:6])
    first, last = int(long["year"].min()), int(long["year"].max())
    return EmissionsData(
        emissions=long,
        context=context,
        series_name=f"DESNZ UK local authority greenhouse gas emissions, {DESNZ_MEASURES[used_measure][1]} (kt CO2e), {first} to {last}, from your file {filename}",
        unit="kt CO2e",
        attribution=DESNZ_ATTRIBUTION,
        caveats=[
            f"Greenhouse gases in the file: {gases}."
            if gases
            else "Greenhouse gases as the file gives them (DESNZ: CO2, CH4 and N2O).",
            "Territorial emissions include land use (LULUCF), which can be negative."
            if used_measure == "territorial"
            else "The scope-of-influence subset of CO2.",
        ],
        county=county,
        warnings=warnings,
    )


def load_desnz_long(
    source: str | Path | bytes, *, filename: str | None = None, measure: str = "territorial"
) -> EmissionsData:
    """Load a DESNZ local authority greenhouse gas CSV in its official long layout.

    Parameters
    ----------
    source : str, Path or bytes
        The CSV file (path or uploaded bytes).
    filename : str, optional
        Needed when ``source`` is bytes.
    measure : {"territorial", "scope_of_influence"}
        Which emissions column to use; if the file lacks it, the other is used.

    Returns
    -------
    EmissionsData
        Emissions summed over sub-sectors and gases by authority, year and
        ``LA GHG Sector``, in kt CO2e.

    Raises
    ------
    InputError
        Naming the file, row and column of a missing column or a cell that is
        not a number.
    """
    raw, _ = read_raw_table(source, filename=filename)
    name = filename or Path(str(source)).name
    return _desnz_from_raw(raw, name, measure)


def load_emissions(
    source: str | Path | bytes = DEFAULT_EMISSIONS_PATH, *, filename: str | None = None
) -> EmissionsData:
    """Load a district emissions file in either layout, recognised by its columns.

    Parameters
    ----------
    source : str, Path or bytes
        mySociety's file (the shipped one by default) or a DESNZ long-layout CSV.
    filename : str, optional
        Needed when ``source`` is bytes.

    Returns
    -------
    EmissionsData

    Raises
    ------
    InputError
        When the file is neither layout, or its cells do not fit.
    """
    if not isinstance(source, (bytes, bytearray, memoryview)):
        path = Path(source)
        if not path.exists():
            raise InputError(f"{filename or path.name} was not found (looked for {path}).")
        head = path.read_bytes()[:4096]
    else:
        head = bytes(source)[:4096]
    header = head.decode("utf-8-sig", errors="replace").splitlines()[0] if head.strip() else ""
    if "local-authority-code" in header and "Total Emissions:kt CO2" in header:
        if isinstance(source, (bytes, bytearray, memoryview)):
            raw, _ = read_raw_table(source, filename=filename)
            return _mysociety_from_raw(raw, filename or "emissions.csv")
        return load_mysociety_emissions(source)
    if "LA GHG Sector" in header or "Calendar Year" in header:
        return load_desnz_long(source, filename=filename)
    name = filename or Path(str(source)).name
    if not header:
        raise InputError(f"{name} is empty: it has no header row and no data.")
    raise InputError(
        f"{name} is not a local authority emissions file this workbook knows. Use mySociety's 'local_authority_emissions.csv' "
        "or a DESNZ 'UK local authority greenhouse gas emissions' CSV in its long layout (columns 'Calendar Year', "
        "'Local Authority Code', 'LA GHG Sector', 'Territorial emissions (kt CO2e)')."
    )


# --------------------------------------------------------------------------- authorities


def load_kent_districts() -> pd.DataFrame:
    """The twelve district councils in Kent County Council's area, with mySociety and ONS codes."""
    return load_table(KENT_DISTRICTS_PATH, KENT_SCHEMA)


KENT_SCHEMA = TableSchema(
    "kent_districts",
    (
        Column("authority_code", unique=True, description="mySociety three-letter code"),
        Column("gss_code", unique=True, description="ONS nine-character code"),
        Column("authority_name"),
    ),
)


def resolve_authority_code(data: EmissionsData, code: str) -> str:
    """Return the code as the series spells it, or raise a plain-English InputError.

    Accepts either the mySociety code (``SEV``) or the ONS code
    (``E07000111``), whichever the series uses (``data/emissions/authority_gss_codes.csv``, and the Kent
    districts' list), and ignores case and spaces.

    Raises
    ------
    InputError
        When the code is not in the series; the message suggests close matches.
    """
    import difflib

    wanted = str(code).strip().upper()
    codes = data.codes
    if wanted in codes:
        return wanted
    kent = load_kent_districts()
    for a, b in (("authority_code", "gss_code"), ("gss_code", "authority_code")):
        hit = kent.loc[kent[a].str.upper() == wanted, b]
        if len(hit) and hit.iloc[0] in codes:
            return str(hit.iloc[0])
    from sv_helpers.climate.per_person import authority_codes

    for a, b in (("authority_code", "gss_code"), ("gss_code", "authority_code")):
        hit = authority_codes().loc[lambda c, a=a: c[a] == wanted, b]
        if len(hit) and hit.iloc[0] in codes:
            return str(hit.iloc[0])
    names = data.authorities
    by_name = (
        names[names.str.lower().str.contains(re.escape(str(code).strip().lower()))]
        if str(code).strip()
        else names.iloc[:0]
    )
    suggestions = list(by_name.index[:3]) or difflib.get_close_matches(wanted, sorted(codes), n=3)
    hint = f" Did you mean {', '.join(f'{c} ({names.get(c, c)})' for c in suggestions)}?" if suggestions else ""
    example = next(iter(sorted(codes)))
    raise InputError(
        f"The authority code '{code}' is not in the emissions data ({len(codes)} authorities, codes such as {example}).{hint} "
        "Sevenoaks is SEV in the shipped data and E07000111 in DESNZ files."
    )


def read_similarity() -> pd.DataFrame:
    """mySociety's emissions-profile similarity inputs, one row per authority code."""
    raw, _ = read_raw_table(SIMILARITY_PATH)
    out = pd.DataFrame({"authority_code": raw["local-authority-code"].astype(str)})
    for col in raw.columns[1:]:
        out[col] = _numbers(raw[col], col, SIMILARITY_PATH.name)
    return out


def read_labels() -> pd.DataFrame:
    """mySociety's emissions-profile label and description for each authority code."""
    raw, _ = read_raw_table(LABELS_PATH)
    return pd.DataFrame(
        {
            "authority_code": raw["local-authority-code"].astype(str),
            "label": raw["label"].astype(str),
            "description": raw["desc"].astype(str),
        }
    )


__all__ = [
    "DEFAULT_EMISSIONS_PATH",
    "ESTATE_CODE",
    "EmissionsData",
    "load_desnz_long",
    "load_emissions",
    "load_kent_districts",
    "load_mysociety_emissions",
    "read_labels",
    "read_similarity",
    "resolve_authority_code",
]
