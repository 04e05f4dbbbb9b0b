"""Climate peers: the authorities most like one authority, the Kent districts, and emissions per person and per km².

Model layer: pure functions on pandas and numpy objects (no widgets, no charts).
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from sv_helpers.climate.emissions import EmissionsData, load_kent_districts
from sv_helpers.core.errors import InputError
from sv_helpers.core.numerics import exact_mean, exact_sum

#: Authorities that contain other councils' areas are left out of peer comparisons.
_CONTAINER_NAME_PATTERN = r"Combined Authority|Greater London Authority|County Council$"


def comparable_authorities(data: EmissionsData) -> pd.Series:
    """Authority names by code, leaving out county councils, combined authorities and the GLA."""
    names = data.authorities
    return names[~names.str.contains(_CONTAINER_NAME_PATTERN, regex=True)]


def similar_authorities(
    similarity: pd.DataFrame, authority_code: str, *, among: Iterable[str], count: int
) -> pd.DataFrame:
    """The authorities nearest to one authority on mySociety's emissions-profile inputs.

    Each input column is standardised (mean 0, standard deviation 1 across
    ``among``) and authorities are ranked by Euclidean distance.

    Returns
    -------
    DataFrame
        ``authority_code`` and ``distance``, nearest first, ``count`` rows
        (the authority itself left out).  Empty when the authority has no
        similarity inputs.
    """
    among = set(among) | {authority_code}
    table = (
        similarity[similarity["authority_code"].isin(among)]
        .drop_duplicates("authority_code")
        .set_index("authority_code")
    )
    if authority_code not in table.index:
        return pd.DataFrame(columns=["authority_code", "distance"])
    values = table.to_numpy(dtype=float)
    mean = exact_mean(values, axis=0)
    std = np.sqrt(exact_mean((values - mean) ** 2, axis=0))
    std[std == 0] = 1.0
    z = (values - mean) / std
    me = z[table.index.get_loc(authority_code)]
    distance = np.sqrt([exact_sum(row) for row in (z - me) ** 2])
    out = pd.DataFrame({"authority_code": table.index, "distance": distance})
    out = out[out["authority_code"] != authority_code].sort_values(["distance", "authority_code"]).head(int(count))
    return out.reset_index(drop=True)


def kent_district_codes(data: EmissionsData) -> list[str]:
    """The Kent districts' codes as this series spells them (county field first, then the shipped list)."""
    codes = data.codes
    if len(data.county):
        from_file = [c for c, county in data.county.items() if str(county).strip().lower() == "kent" and c in codes]
        if from_file:
            return sorted(from_file)
    kent = load_kent_districts()
    return sorted(c for col in ("authority_code", "gss_code") for c in kent[col] if c in codes)


def peer_comparison(
    data: EmissionsData,
    authority_code: str,
    *,
    similar: Iterable[str],
    kent: Iterable[str],
    year: int | None = None,
    sectors: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Emissions per person and per square kilometre, by sector, for an authority and its peers.

    Parameters
    ----------
    data : EmissionsData
        A series with population and area (``context``).
    authority_code : str
        The authority compared.
    similar, kent : iterable of str
        Codes of similar authorities and of the Kent districts.
    year : int, optional
        The year compared; the latest year by default.
    sectors : iterable of str, optional
        The sectors included; all by default.

    Returns
    -------
    DataFrame
        ``authority_code``, ``authority_name``, ``group`` ("Selected",
        "Similar", "Kent district"), ``sector``, ``emissions_kt``,
        ``per_person_t`` and ``per_km2_t``; one row per authority and sector.

    Raises
    ------
    InputError
        When the series has no population or area for that year.
    """
    year = int(year or data.emissions["year"].max())
    groups: dict[str, str] = {}
    for code in kent:
        groups[code] = "Kent district"
    for code in similar:
        groups[code] = "Similar"
    groups[authority_code] = "Selected"
    rows = data.emissions[(data.emissions["year"] == year) & data.emissions["authority_code"].isin(list(groups))]
    if sectors is not None:
        rows = rows[rows["sector"].isin(list(sectors))]
    ctx = data.context[data.context["year"] == year].set_index("authority_code")
    if ctx.empty or ctx[["population_thousands", "area_km2"]].isna().all().all():
        raise InputError(
            f"This emissions series has no population or area for {year}, so emissions per person and per km² cannot be compared."
        )
    out = rows.copy()
    out["group"] = out["authority_code"].map(groups)
    pop = out["authority_code"].map(ctx["population_thousands"]).astype(float)
    area = out["authority_code"].map(ctx["area_km2"]).astype(float)
    out["per_person_t"] = out["emissions_kt"] * 1000.0 / (pop * 1000.0)
    out["per_km2_t"] = out["emissions_kt"] * 1000.0 / area
    order = {"Selected": 0, "Similar": 1, "Kent district": 2}
    out = (
        out.assign(_o=out["group"].map(order))
        .sort_values(["_o", "authority_name", "sector"], kind="stable")
        .drop(columns="_o")
    )
    return out[
        ["authority_code", "authority_name", "group", "sector", "emissions_kt", "per_person_t", "per_km2_t"]
    ].reset_index(drop=True)


def peer_totals(comparison: pd.DataFrame) -> pd.DataFrame:
    """Sum a :func:`peer_comparison` over sectors: one row per authority."""
    sums = comparison.groupby(["authority_code", "authority_name", "group"], sort=False, as_index=False)[
        ["emissions_kt", "per_person_t", "per_km2_t"]
    ].sum()
    return sums
