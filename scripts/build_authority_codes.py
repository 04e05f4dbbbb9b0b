"""Build data/emissions/authority_gss_codes.csv: each mySociety authority code with its ONS (GSS) code.

Run from the repository root, with the developers' shared data beside it::

    .venv/bin/python scripts/build_authority_codes.py [../shared/data]

The shipped sector series (mySociety) names authorities by three-letter codes (``SEV``); DESNZ's and ONS's
per-person series by GSS codes (``E07000111``). Names are matched after dropping words such as "District
Council" or "City of" (and "&" read as "and"); the few names that differ otherwise are listed in
``BY_HAND``. Codes ONS marks "Obsolete" are left out. The build stops when a name matches two codes, and it
checks the twelve Kent districts against ``data/climate/kent_districts.csv``. Combined authorities, the GLA
and county councils are not districts or unitaries in the ONS file and have no row.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pandas as pd

REPO = Path(__file__).resolve().parents[1]

#: mySociety code -> GSS code, where the names differ beyond the rules (checked by hand against ONS's names).
BY_HAND = {
    "BRD": "E08000032",  # City of Bradford Metropolitan District Council / Bradford
    "ELS": "S12000013",  # Comhairle nan Eilean Siar / Na h-Eileanan Siar
    "HLD": "S12000017",  # The Highland Council / Highland
    "IOS": "E06000053",  # Council of the Isles of Scilly / Isles of Scilly
    "KHL": "E06000010",  # Hull City Council / Kingston upon Hull, City of
    "KIN": "E07000146",  # Borough Council of Kings Lynn and West Norfolk / King's Lynn and West Norfolk
    "LND": "E09000001",  # City of London Corporation / City of London
    "MRY": "S12000020",  # The Moray Council / Moray
    "NET": "E08000021",  # Newcastle City Council / Newcastle upon Tyne
    "SAL": "E07000240",  # St Albans City and District Council / St Albans
    "WKF": "E08000036",  # Wakefield Metropolitan District Council / Wakefield
}


def _key(name: str) -> str:
    s = name.lower().replace("&", "and")
    s = re.sub(
        r"^(the )?(royal borough of|london borough of|city and county of the|city and county of|city of|county of|borough of)\s+",
        "",
        s,
    )
    s = re.sub(r",\s*(city of|county of)$", "", s)
    s = re.sub(r"\b(metropolitan borough|borough|district|county|city|council)\b", "", s)
    return re.sub(r"[^a-z]+", "", s)


def main(shared: Path) -> None:
    mysociety = pd.read_csv(
        shared / "emissions" / "local_authority_emissions.csv", usecols=["local-authority-code", "official-name"]
    ).drop_duplicates("local-authority-code")
    ons = pd.read_csv(shared / "emissions" / "ons_ghg_per_capita_2005_2023.csv", encoding="utf-8-sig")
    ons = ons[
        ons["geography"].isin(["Local Authority District", "County or Unitary Authority"])
        & ~ons["notes"].fillna("").str.startswith("Obsolete")
    ].drop_duplicates("areacd")
    ons["key"] = ons["areanm"].map(_key)
    if ons["key"].duplicated().any():
        raise SystemExit(f"Two ONS codes share a name: {ons.loc[ons['key'].duplicated(), 'areanm'].tolist()}")
    by_key = ons.set_index("key")
    names = ons.set_index("areacd")["areanm"]
    rows = []
    for code, name in mysociety.itertuples(index=False):
        gss = BY_HAND.get(code) or (by_key.loc[_key(name), "areacd"] if _key(name) in by_key.index else None)
        if gss is not None:
            rows.append({"authority_code": code, "gss_code": gss, "authority_name": name, "ons_name": names[gss]})
    out = pd.DataFrame(rows).sort_values("authority_code").reset_index(drop=True)
    if out["gss_code"].duplicated().any():
        raise SystemExit(f"A GSS code matched twice: {out.loc[out['gss_code'].duplicated(), 'gss_code'].tolist()}")
    kent = pd.read_csv(REPO / "data" / "climate" / "kent_districts.csv")
    check = kent.merge(out, on="authority_code", suffixes=("", "_built"))
    if len(check) != len(kent) or (check["gss_code"] != check["gss_code_built"]).any():
        raise SystemExit("The Kent districts' codes differ from data/climate/kent_districts.csv")
    out.to_csv(REPO / "data" / "emissions" / "authority_gss_codes.csv", index=False)
    print(f"{len(out)} of {len(mysociety)} mySociety authorities matched; {len(ons) - len(out)} ONS codes unmatched")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else REPO.parent / "shared" / "data")
