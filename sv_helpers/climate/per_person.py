"""Territorial greenhouse gas emissions per person, 2005 to 2023, for every UK authority (model layer).

The series is DESNZ's "UK local authority and regional greenhouse gas emissions" statistics for 2005 to 2023
(published 3 July 2025), per person, as ONS Explore Local Statistics publishes it
(``data/emissions/ons_ghg_per_capita_2005_2023.csv``): all territorial emissions of carbon dioxide, methane and
nitrous oxide (t CO2e per person), not only the part within local authorities' scope of influence, and no
sectors. It stands beside the sector series (CO2 within the scope of influence, 2005 to 2020, mySociety), so
the first screen gives the latest year while the sector detail stays; each is labelled with its series, gases
and release. Authorities are matched between the two by ``data/emissions/authority_gss_codes.csv``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache

import pandas as pd

from sv_helpers.core.errors import InputError
from sv_helpers.core.formatting import format_number, format_pct
from sv_helpers.core.paths import data_path

PER_PERSON_PATH = data_path("emissions", "ons_ghg_per_capita_2005_2023.csv")
AUTHORITY_CODES_PATH = data_path("emissions", "authority_gss_codes.csv")

#: The series' label wherever it is shown.
SERIES = (
    "Territorial greenhouse gas emissions per person (t CO2e; CO2, CH4 and N2O), DESNZ local authority "
    "statistics 2005 to 2023 (published 3 July 2025), via ONS Explore Local Statistics"
)
#: Shown under every chart and table of the series.
ATTRIBUTION = (
    "Source: Department for Energy Security and Net Zero, UK local authority and regional greenhouse gas emissions "
    "2005 to 2023, per person as published by ONS Explore Local Statistics; contains public sector information "
    "licensed under the Open Government Licence v3.0."
)
#: What the screen and the report say about the two series (the issue's caveat, in plain words).
CAVEAT = (
    "DESNZ revises earlier years in each release: the per-person figures are from the 2005 to 2023 release, and the "
    "sector detail (CO2 within the scope of influence) is from the 2005 to 2020 release, so the two differ for the "
    "years they share (within-scope CO2 for Sevenoaks in 2020 is 429.5 kt in the 2005 to 2023 release against 418.9 "
    "kt in the 2005 to 2020 one). The sector split stops at 2020 until the council loads the full DESNZ CSV (2005 to "
    "2023 or later, in its long layout) as the emissions file."
)


@dataclass(frozen=True)
class PerPerson:
    """The per-person series: ``rows`` (``gss_code, authority_name, geography, year, per_person_tco2e``)."""

    rows: pd.DataFrame

    @property
    def last_year(self) -> int:
        return int(self.rows["year"].max())


@lru_cache(maxsize=2)
def _read(path: str, mtime_ns: int) -> PerPerson:
    raw = pd.read_csv(path, encoding="utf-8-sig", dtype={"areacd": str, "areanm": str, "period": str})
    year = raw["period"].str.slice(0, 4)
    if not year.str.fullmatch(r"\d{4}").all():
        raise InputError(f"{path}: a period is not written like 2023-01-01/P1Y.")
    obsolete = raw["notes"].fillna("").str.startswith("Obsolete")
    rows = pd.DataFrame(
        {
            "gss_code": raw["areacd"],
            "authority_name": raw["areanm"],
            "geography": raw["geography"],
            "year": year.astype(int),
            "per_person_tco2e": pd.to_numeric(raw["observation"], errors="coerce"),
        }
    )[~obsolete]
    return PerPerson(rows.sort_values(["gss_code", "year"]).reset_index(drop=True))


def load_per_person(path=PER_PERSON_PATH) -> PerPerson:
    """Read the per-person series (once while the file is unchanged)."""
    from pathlib import Path

    path = Path(path)
    return _read(str(path), path.stat().st_mtime_ns)


@lru_cache(maxsize=1)
def authority_codes() -> pd.DataFrame:
    """Each mySociety authority code with its ONS (GSS) code (``scripts/build_authority_codes.py``)."""
    return pd.read_csv(AUTHORITY_CODES_PATH, dtype=str)


@lru_cache(maxsize=1)
def _codes() -> dict[str, str]:
    table = authority_codes()
    return dict(zip(table["authority_code"], table["gss_code"], strict=True))


def gss_code(code: str) -> str | None:
    """The ONS (GSS) code of an authority given by its mySociety code (``SEV``) or its GSS code; else None."""
    code = str(code).strip().upper()
    if len(code) == 9 and code[0] in "EWSNK" and code[1:].isdigit():
        return code
    return _codes().get(code)


def authority_series(data: PerPerson, code: str) -> pd.DataFrame:
    """One authority's emissions per person by year, with the change from the year before.

    Returns
    -------
    DataFrame
        ``year, per_person_tco2e, change_tco2e, change_pct`` (empty when the authority is not in the series).
    """
    gss = gss_code(code)
    rows = data.rows[data.rows["gss_code"] == gss][["year", "per_person_tco2e"]].reset_index(drop=True)
    previous = rows["per_person_tco2e"].shift(1)
    rows["change_tco2e"] = rows["per_person_tco2e"] - previous
    rows["change_pct"] = 100.0 * rows["change_tco2e"] / previous
    return rows


def compared(data: PerPerson, groups: Mapping[str, str], year: int | None = None) -> pd.DataFrame:
    """Emissions per person in one year (the latest by default) for authorities in groups, with the year before.

    Parameters
    ----------
    groups : mapping
        Code (mySociety or GSS) → group ("Selected", "Similar", "Kent district"); codes not in the series are
        left out.

    Returns
    -------
    DataFrame
        ``gss_code, authority_name, group, year, per_person_tco2e, previous_tco2e, change_pct``, the selected
        authority first, then by group and from lowest to highest.
    """
    year = int(year or data.last_year)
    by_code = {gss_code(c): g for c, g in groups.items() if gss_code(c)}
    rows = data.rows[data.rows["gss_code"].isin(list(by_code))]
    now = rows[rows["year"] == year].set_index("gss_code")
    before = rows[rows["year"] == year - 1].set_index("gss_code")["per_person_tco2e"]
    out = pd.DataFrame(
        {
            "gss_code": now.index,
            "authority_name": now["authority_name"].to_numpy(),
            "group": [by_code[c] for c in now.index],
            "year": year,
            "per_person_tco2e": now["per_person_tco2e"].to_numpy(),
            "previous_tco2e": before.reindex(now.index).to_numpy(),
        }
    )
    out["change_pct"] = 100.0 * (out["per_person_tco2e"] - out["previous_tco2e"]) / out["previous_tco2e"]
    order = {"Selected": 0, "Similar": 1, "Kent district": 2}
    out = out.assign(_o=out["group"].map(order)).sort_values(["_o", "per_person_tco2e", "authority_name"])
    return out.drop(columns="_o").reset_index(drop=True)


def latest_sentence(series: pd.DataFrame, place: str) -> str:
    """The headline's first sentence: the latest year's emissions per person and the change since the year before.

    Examples
    --------
    >>> s = pd.DataFrame({"year": [2022, 2023], "per_person_tco2e": [6.24, 6.0]})
    >>> s["change_tco2e"] = [None, -0.24]; s["change_pct"] = [None, -3.846]
    >>> latest_sentence(s, "Sevenoaks")
    'Sevenoaks: territorial greenhouse gas emissions were 6.00 t CO2e per person in 2023 (CO2, CH4 and N2O; DESNZ 2005 to 2023 statistics), down 3.8% from 6.24 in 2022.'
    """
    last = series.iloc[-1]
    year, value = int(last["year"]), float(last["per_person_tco2e"])
    text = (
        f"{place}: territorial greenhouse gas emissions were {format_number(value, 2)} t CO2e per person in {year} "
        "(CO2, CH4 and N2O; DESNZ 2005 to 2023 statistics)"
    )
    if len(series) > 1 and pd.notna(last["change_pct"]):
        before = float(series.iloc[-2]["per_person_tco2e"])
        change = float(last["change_pct"])
        if abs(change) < 0.05:
            text += f", the same as in {year - 1}"
        else:
            text += f", {'down' if change < 0 else 'up'} {format_pct(abs(change), 1)} from {format_number(before, 2)} in {year - 1}"
    return text + "."


def groups_of(selected: str, similar: Iterable[str], kent: Iterable[str]) -> dict[str, str]:
    """The comparison groups by code, as the sector peers are grouped (the selected authority wins)."""
    groups = {c: "Kent district" for c in kent}
    groups.update({c: "Similar" for c in similar})
    groups[selected] = "Selected"
    return groups
