"""Index of Multiple Deprivation deciles for Sevenoaks LSOAs and wards (model layer).

Decile 1 is the most deprived 10% of areas in England, decile 10 the least.

The data are the Sevenoaks rows of the English Indices of Deprivation 2019
(MHCLG, Open Government Licence v3.0), for LSOAs with 2011 codes.  Ward
figures are built from the LSOAs in each 2013 ward: an LSOA belongs to the
ward its centroid falls in (see ``scripts/build_grants_deprivation.py``); a
ward's decile is the national decile of the mean IMD rank of its LSOAs.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache

import pandas as pd

from sv_helpers.core.paths import data_path

#: Shown wherever deprivation figures are drawn.
ATTRIBUTION = (
    "Deprivation: English Indices of Deprivation 2019 (MHCLG), LSOA 2011 deciles; "
    "contains public sector information licensed under the Open Government Licence v3.0. "
    "Ward deciles: the national decile of the mean IMD rank of the LSOAs whose centroid lies in each 2013 ward."
)

#: The shipped files the deciles come from (recorded in provenance).
DATA_FILES = {
    "lsoas": data_path("deprivation", "imd2019_sevenoaks_lsoa.csv"),
    "wards": data_path("deprivation", "imd2019_sevenoaks_ward.csv"),
    "lookup": data_path("deprivation", "sevenoaks_lsoa_ward_lookup.csv"),
}

METHOD = (
    "Each LSOA (2011) belongs to the 2013 ward its centroid falls in; a ward's decile is the "
    "national IMD 2019 decile of the mean rank of its LSOAs (1 = most deprived 10% in England)."
)


def _key(name: str) -> str:
    """Match ward names ignoring case, punctuation and spacing ("St Mary's" = "st marys")."""
    return re.sub(r"[^a-z0-9]+", "", str(name).lower().replace("&", "and"))


@lru_cache(maxsize=1)
def lsoa_deciles() -> pd.DataFrame:
    """Return the Sevenoaks LSOAs: ``lsoa_code, lsoa_name, imd_rank, imd_decile, ward_code, ward``."""
    imd = pd.read_csv(
        data_path("deprivation", "imd2019_sevenoaks_lsoa.csv"), dtype={"lsoa_code": str, "lsoa_name": str}
    )
    lookup = pd.read_csv(data_path("deprivation", "sevenoaks_lsoa_ward_lookup.csv"), dtype=str)
    out = imd.merge(lookup[["lsoa_code", "ward_code", "ward"]], on="lsoa_code", how="left")
    return out.astype({"imd_rank": "int64", "imd_decile": "int64"})


@lru_cache(maxsize=1)
def ward_deciles() -> pd.DataFrame:
    """Return the 26 Sevenoaks wards (2013): ``ward_code, ward, lsoa_count, mean_imd_rank, imd_decile, most_deprived_lsoa_decile``."""
    return pd.read_csv(data_path("deprivation", "imd2019_sevenoaks_ward.csv"), dtype={"ward_code": str, "ward": str})


def ward_names() -> list[str]:
    """Return the district's ward names in alphabetical order."""
    return sorted(ward_deciles()["ward"].tolist())


def match_ward(name: str) -> str | None:
    """Return the official spelling of a ward name, or ``None`` when it is not a Sevenoaks ward.

    Examples
    --------
    >>> match_ward("swanley st marys")
    "Swanley St Mary's"
    >>> match_ward("Atlantis") is None
    True
    """
    lookup = {_key(w): w for w in ward_names()}
    return lookup.get(_key(name))


def decile_of_ward(ward: str) -> int:
    """Return a ward's IMD decile (the ward must be spelt as in :func:`ward_names`)."""
    table = ward_deciles().set_index("ward")["imd_decile"]
    return int(table[ward])


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
