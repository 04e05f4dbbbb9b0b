"""Index of Multiple Deprivation deciles for Sevenoaks LSOAs and wards (model layer), in two editions.

Decile 1 is the most deprived 10% of areas in England, decile 10 the least.

``2025`` (the default, ``data/parameters/grants/deprivation_edition.yaml``)
    The English Indices of Deprivation 2025 (MHCLG) on the 75 LSOAs of 2021, in the 26 wards of 2024/25
    (ONS's LSOA 2021 to ward 2024 best-fit lookup, whose ward codes are the May 2025 boundaries' codes).
``2019``
    The English Indices of Deprivation 2019 on the 74 LSOAs of 2011, in the 2013 wards, kept so that a round
    decided on 2019 figures reruns to the same result.

In both, an LSOA belongs to the ward its centroid falls in, and a ward's decile is the national decile of
the mean IMD rank of its LSOAs (``scripts/build_grants_deprivation.py`` builds the files and checks them).
Between the two LSOA sets one 2011 code was split (``data/deprivation/sevenoaks_lsoa11_lsoa21_changes.csv``):
an application giving it under IMD 2025 is told the two 2021 codes, never given a guess.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pandas as pd

from sv_helpers.core.paths import data_path

#: The editions a round may use, newest first.
EDITIONS: tuple[int, ...] = (2025, 2019)


@dataclass(frozen=True)
class Edition:
    """One edition of the indices with the LSOAs and wards it is given on, and the words shown with it."""

    year: int
    lsoa_year: int
    ward_year: str
    files: dict[str, Path]
    boundaries: tuple[str, str]
    boundaries_label: str
    attribution: str
    method: str


_OGL = "contains public sector information licensed under the Open Government Licence v3.0."

_EDITIONS = {
    2025: Edition(
        year=2025,
        lsoa_year=2021,
        ward_year="2024/25",
        files={
            "lsoas": data_path("deprivation", "imd2025_sevenoaks_lsoa.csv"),
            "wards": data_path("deprivation", "imd2025_sevenoaks_ward.csv"),
            "lookup": data_path("deprivation", "sevenoaks_lsoa21_ward_lookup.csv"),
        },
        boundaries=("boundaries", "sevenoaks_wards_2025.geojson"),
        boundaries_label="May 2025 boundaries",
        attribution=(
            "Deprivation: English Indices of Deprivation 2025 (MHCLG), LSOA 2021 deciles; " + _OGL + " "
            "Wards: ONS LSOA (2021) to Electoral Ward (2024) best-fit lookup (Open Government Licence v3.0). "
            "Ward deciles: the national decile of the mean IMD rank of the LSOAs whose centroid lies in each ward."
        ),
        method=(
            "Each LSOA (2021) belongs to the 2024/25 ward its centroid falls in (ONS's best-fit lookup); a ward's "
            "decile is the national IMD 2025 decile of the mean rank of its LSOAs (1 = most deprived 10% in England)."
        ),
    ),
    2019: Edition(
        year=2019,
        lsoa_year=2011,
        ward_year="2013",
        files={
            "lsoas": data_path("deprivation", "imd2019_sevenoaks_lsoa.csv"),
            "wards": data_path("deprivation", "imd2019_sevenoaks_ward.csv"),
            "lookup": data_path("deprivation", "sevenoaks_lsoa_ward_lookup.csv"),
        },
        boundaries=("boundaries", "sevenoaks_wards_2013.geojson"),
        boundaries_label="2013 boundaries",
        attribution=(
            "Deprivation: English Indices of Deprivation 2019 (MHCLG), LSOA 2011 deciles; " + _OGL + " "
            "Ward deciles: the national decile of the mean IMD rank of the LSOAs whose centroid lies in each 2013 ward."
        ),
        method=(
            "Each LSOA (2011) belongs to the 2013 ward its centroid falls in; a ward's decile is the "
            "national IMD 2019 decile of the mean rank of its LSOAs (1 = most deprived 10% in England)."
        ),
    ),
}

#: The file of 2011 LSOA codes that are not 2021 codes, and what replaced them.
LSOA_CHANGES_FILE = data_path("deprivation", "sevenoaks_lsoa11_lsoa21_changes.csv")


def default_edition() -> int:
    """The edition a round uses unless it says otherwise (``grants.deprivation_edition``)."""
    from sv_helpers.core.parameters import parameter_value

    return int(parameter_value("grants.deprivation_edition"))


def edition(year: int | None = None) -> Edition:
    """The edition ``year`` (the default edition when ``None``).

    Raises
    ------
    ValueError
        For a year that is not an edition (settings refuse it first, in plain English).
    """
    year = default_edition() if year is None else int(year)
    if year not in _EDITIONS:
        raise ValueError(f"IMD {year} is not an edition the workbook holds; it holds {', '.join(map(str, EDITIONS))}.")
    return _EDITIONS[year]


def data_files(year: int | None = None) -> dict[str, Path]:
    """The shipped files an edition's deciles come from (recorded in provenance)."""
    return dict(edition(year).files)


def attribution(year: int | None = None) -> str:
    """The source line shown wherever an edition's deprivation figures are drawn."""
    return edition(year).attribution


def method(year: int | None = None) -> str:
    """How an edition's ward deciles are made, in one sentence (shown under the map)."""
    return edition(year).method


def _key(name: str) -> str:
    """Match ward names ignoring case, punctuation and spacing ("St Mary's" = "st marys")."""
    return re.sub(r"[^a-z0-9]+", "", str(name).lower().replace("&", "and"))


@lru_cache(maxsize=4)
def _lsoa_deciles(year: int) -> pd.DataFrame:
    files = edition(year).files
    imd = pd.read_csv(files["lsoas"], dtype={"lsoa_code": str, "lsoa_name": str})
    lookup = pd.read_csv(files["lookup"], dtype=str)
    out = imd.merge(lookup[["lsoa_code", "ward_code", "ward"]], on="lsoa_code", how="left")
    return out.astype({"imd_rank": "int64", "imd_decile": "int64"})


def lsoa_deciles(year: int | None = None) -> pd.DataFrame:
    """Return an edition's Sevenoaks LSOAs: ``lsoa_code, lsoa_name, imd_rank, imd_decile, ward_code, ward``."""
    return _lsoa_deciles(edition(year).year)


@lru_cache(maxsize=4)
def _ward_deciles(year: int) -> pd.DataFrame:
    return pd.read_csv(edition(year).files["wards"], dtype={"ward_code": str, "ward": str})


def ward_deciles(year: int | None = None) -> pd.DataFrame:
    """Return an edition's 26 wards: ``ward_code, ward, lsoa_count, mean_imd_rank, imd_decile, most_deprived_lsoa_decile``."""
    return _ward_deciles(edition(year).year)


@lru_cache(maxsize=1)
def lsoa_changes() -> dict[str, list[str]]:
    """The 2011 LSOA codes that are not 2021 codes, each with the 2021 codes that replaced it."""
    table = pd.read_csv(LSOA_CHANGES_FILE, dtype=str)
    return {old: sorted(group["lsoa21_code"]) for old, group in table.groupby("lsoa11_code")}


def ward_names(year: int | None = None) -> list[str]:
    """Return the district's ward names in alphabetical order (the same 26 names in both editions)."""
    return sorted(ward_deciles(year)["ward"].tolist())


def match_ward(name: str, year: int | None = None) -> str | None:
    """Return the official spelling of a ward name, or ``None`` when it is not a Sevenoaks ward.

    Examples
    --------
    >>> match_ward("swanley st marys")
    "Swanley St Mary's"
    >>> match_ward("Atlantis") is None
    True
    """
    lookup = {_key(w): w for w in ward_names(year)}
    return lookup.get(_key(name))


def decile_of_ward(ward: str, year: int | None = None) -> int:
    """Return a ward's IMD decile (the ward must be spelt as in :func:`ward_names`)."""
    table = ward_deciles(year).set_index("ward")["imd_decile"]
    return int(table[ward])


def ward_codes(year: int | None = None) -> pd.Series:
    """Each ward's ONS code in an edition's ward set, by ward name (2024/25 codes for IMD 2025)."""
    return ward_deciles(year).set_index("ward")["ward_code"]


def equity_factors(weight_most_deprived: float) -> dict[int, float]:
    """Return a score multiplier per decile tapering from ``weight_most_deprived`` (decile 1) to 1 (decile 10).

    Parameters
    ----------
    weight_most_deprived : float
        The multiplier for decile 1; 1 means no equity weighting.

    Returns
    -------
    dict of int to float
        ``1 + (w - 1) * (10 - d) / 9`` for each decile ``d``.

    Examples
    --------
    >>> equity_factors(1.9)[1], equity_factors(1.9)[10]
    (1.9, 1.0)
    """
    w = float(weight_most_deprived)
    return {d: round(1.0 + (w - 1.0) * (10 - d) / 9.0, 6) for d in range(1, 11)}


def factor_for(deciles: pd.Series, factors: Mapping[int, float] | None) -> pd.Series:
    """Return the multiplier for each decile (1 where no factor is given or the decile is unknown)."""
    if not factors:
        return pd.Series(1.0, index=deciles.index)
    return deciles.map(lambda d: float(factors.get(int(d), 1.0)) if pd.notna(d) else 1.0).astype("float64")


def __getattr__(name: str):
    """``ATTRIBUTION``, ``METHOD`` and ``DATA_FILES``: the default edition's (the names before editions)."""
    if name == "ATTRIBUTION":
        return attribution()
    if name == "METHOD":
        return method()
    if name == "DATA_FILES":
        return data_files()
    raise AttributeError(f"module '{__name__}' has no attribute '{name}'")
