"""Build the Sevenoaks deprivation extract and the LSOA-to-ward lookup shipped in data/deprivation/.

Run once from the repository root, with the developers' shared data beside it::

    .venv/bin/python scripts/build_grants_deprivation.py [../shared/data]

Writes
------
data/deprivation/imd2019_sevenoaks_lsoa.csv
    The 74 Sevenoaks (E07000111) rows of IMD 2019 File 1, ranks as plain integers.
data/deprivation/sevenoaks_lsoa_ward_lookup.csv
    Each LSOA (2011) with the 2013 ward its centroid falls in.
data/deprivation/imd2019_sevenoaks_ward.csv
    Each 2013 ward with the number of its LSOAs, their mean IMD rank, the decile of
    that mean rank (national decile cut-points), and the decile of its most
    deprived LSOA.
data/deprivation/imd2025_sevenoaks_lsoa.csv, sevenoaks_lsoa21_ward_lookup.csv, imd2025_sevenoaks_ward.csv
    The same for IMD 2025 on the 75 LSOAs (2021) and the 26 wards of 2024/25 (ONS's best-fit lookup,
    checked against the centroids).
data/deprivation/sevenoaks_lsoa11_lsoa21_changes.csv
    The 2011 LSOA codes that are not 2021 codes, with the 2021 LSOAs that replaced them.

Method: the centroid of each LSOA polygon (area-weighted, computed on the WGS84
coordinates) is placed in the 2013 ward polygon that contains it (ray casting).
An LSOA whose centroid falls in no ward polygon is given the ward it overlaps
most, by the share of its boundary vertices inside each ward.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[1]
DISTRICT = "E07000111"


def ring_centroid(ring: np.ndarray) -> tuple[float, float]:
    x, y = ring[:, 0], ring[:, 1]
    cross = x[:-1] * y[1:] - x[1:] * y[:-1]
    area = cross.sum() / 2
    cx = ((x[:-1] + x[1:]) * cross).sum() / (6 * area)
    cy = ((y[:-1] + y[1:]) * cross).sum() / (6 * area)
    return float(cx), float(cy)


def points_in_ring(px: np.ndarray, py: np.ndarray, ring: np.ndarray) -> np.ndarray:
    x1, y1 = ring[:-1, 0], ring[:-1, 1]
    x2, y2 = ring[1:, 0], ring[1:, 1]
    inside = np.zeros(len(px), dtype=bool)
    for a, b, c, d in zip(x1, y1, x2, y2):
        crosses = ((b > py) != (d > py)) & (px < (c - a) * (py - b) / np.where(d == b, 1e-300, d - b) + a)
        inside ^= crosses
    return inside


def main(shared: Path) -> None:
    imd = pd.read_csv(shared / "deprivation" / "imd2019_lsoa11_england.csv", dtype=str)
    imd.columns = ["lsoa_code", "lsoa_name", "district_code", "district_name", "imd_rank", "imd_decile"]
    imd["imd_rank"] = imd["imd_rank"].str.replace(",", "").astype(int)
    imd["imd_decile"] = imd["imd_decile"].astype(int)
    # National decile cut-points: the highest rank in each decile.
    cuts = imd.groupby("imd_decile")["imd_rank"].max().sort_index()
    local = imd[imd["district_code"] == DISTRICT].sort_values("lsoa_code").reset_index(drop=True)

    wards = json.loads((shared / "boundaries" / "sevenoaks_wards_2013.geojson").read_text())
    lsoas = json.loads((shared / "boundaries" / "sevenoaks_lsoa_2011.geojson").read_text())
    ward_rings = [
        (f["properties"]["WD13CD"], f["properties"]["WD13NM"], np.asarray(f["geometry"]["coordinates"][0], float))
        for f in wards["features"]
    ]
    rows = []
    for f in lsoas["features"]:
        ring = np.asarray(f["geometry"]["coordinates"][0], float)
        cx, cy = ring_centroid(ring)
        hits = [(code, name) for code, name, wr in ward_rings if points_in_ring(np.array([cx]), np.array([cy]), wr)[0]]
        method = "centroid"
        if len(hits) != 1:
            shares = [(points_in_ring(ring[:, 0], ring[:, 1], wr).mean(), code, name) for code, name, wr in ward_rings]
            _, code, name = max(shares)
            hits = [(code, name)]
            method = "vertex overlap"
        rows.append(
            {
                "lsoa_code": f["properties"]["LSOA11CD"],
                "ward_code": hits[0][0],
                "ward": hits[0][1],
                "assigned_by": method,
            }
        )
    lookup = pd.DataFrame(rows).sort_values("lsoa_code").reset_index(drop=True)
    missing = set(local["lsoa_code"]) ^ set(lookup["lsoa_code"])
    if missing:
        raise SystemExit(f"LSOA codes differ between IMD and boundaries: {sorted(missing)}")

    out = REPO / "data" / "deprivation"
    out.mkdir(parents=True, exist_ok=True)
    local[["lsoa_code", "lsoa_name", "imd_rank", "imd_decile"]].to_csv(out / "imd2019_sevenoaks_lsoa.csv", index=False)
    lookup.to_csv(out / "sevenoaks_lsoa_ward_lookup.csv", index=False)

    merged = lookup.merge(local, on="lsoa_code")
    ward = (
        merged.groupby(["ward_code", "ward"])
        .agg(
            lsoa_count=("lsoa_code", "size"),
            mean_imd_rank=("imd_rank", "mean"),
            most_deprived_lsoa_decile=("imd_decile", "min"),
        )
        .reset_index()
    )
    ward["mean_imd_rank"] = ward["mean_imd_rank"].round(1)
    ward["imd_decile"] = [int(np.searchsorted(cuts.to_numpy(), r) + 1) for r in ward["mean_imd_rank"]]
    all_wards = pd.DataFrame([(c, n) for c, n, _ in ward_rings], columns=["ward_code", "ward"])
    ward = all_wards.merge(ward, on=["ward_code", "ward"], how="left")
    if ward["lsoa_count"].isna().any():
        print("Wards with no LSOA centroid:", ward.loc[ward["lsoa_count"].isna(), "ward"].tolist())
    ward = ward[["ward_code", "ward", "lsoa_count", "mean_imd_rank", "imd_decile", "most_deprived_lsoa_decile"]]
    ward.to_csv(out / "imd2019_sevenoaks_ward.csv", index=False)
    print(ward.to_string())
    print(lookup["assigned_by"].value_counts().to_string())
    main_2025(shared, lsoa11=lsoas)


def _rings(feature: dict) -> list[np.ndarray]:
    geometry = feature["geometry"]
    polygons = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
    return [np.asarray(poly[0], float) for poly in polygons]


def main_2025(shared: Path, *, lsoa11: dict) -> None:
    """IMD 2025 on 2021 LSOAs and the 2024/25 wards (ONS's best-fit lookup), and the 2011 codes that changed.

    Checks, stopping the build when one fails: the ONS lookup names all 75 LSOAs of the 2021 boundaries and
    only Sevenoaks; every LSOA's centroid lies in the ward the lookup gives it (so ONS's best fit is today's
    centroid rule); every 2021 LSOA has an IMD 2025 rank and decile; the 2025 ward boundaries have the same 26
    names as the 2013 ones.
    """
    imd = pd.read_csv(shared / "deprivation" / "imd2025_lsoa21_england.csv", dtype={"lsoa21_code": str})
    imd = imd.rename(columns={"lsoa21_code": "lsoa_code", "IMD_rank": "imd_rank", "IMD_decile": "imd_decile"})
    if imd["imd_rank"].isna().any() or imd["imd_decile"].isna().any():
        raise SystemExit("IMD 2025: an LSOA has no rank or decile")
    imd["imd_rank"] = imd["imd_rank"].astype(int)
    imd["imd_decile"] = imd["imd_decile"].astype(int)
    cuts = imd.groupby("imd_decile")["imd_rank"].max().sort_index()
    ons = pd.read_csv(shared / "deprivation" / "sevenoaks_lsoa21_ward24_lookup.csv", dtype=str, encoding="utf-8-sig")
    if set(ons["LAD24CD"]) != {DISTRICT}:
        raise SystemExit("The ONS lookup holds LSOAs outside Sevenoaks")
    lsoas = json.loads((shared / "boundaries" / "sevenoaks_lsoa_2021.geojson").read_text())
    wards = json.loads((shared / "boundaries" / "sevenoaks_wards_2025.geojson").read_text())
    ward_rings = [(f["properties"]["WD25CD"], f["properties"]["WD25NM"], _rings(f)) for f in wards["features"]]
    old_names = {
        f["properties"]["WD13NM"]
        for f in json.loads((shared / "boundaries" / "sevenoaks_wards_2013.geojson").read_text())["features"]
    }
    if {name for _, name, _ in ward_rings} != old_names:
        raise SystemExit("The 2025 ward names differ from the 2013 ones")
    by_code = ons.set_index("LSOA21CD")
    if set(by_code.index) != {f["properties"]["LSOA21CD"] for f in lsoas["features"]}:
        raise SystemExit("The ONS lookup and the 2021 LSOA boundaries name different LSOAs")
    centroids = {}
    for f in lsoas["features"]:
        code = f["properties"]["LSOA21CD"]
        cx, cy = ring_centroid(max(_rings(f), key=len))
        centroids[code] = (cx, cy)
        hits = [
            wc
            for wc, _, rings in ward_rings
            if any(points_in_ring(np.array([cx]), np.array([cy]), r)[0] for r in rings)
        ]
        if hits != [by_code.loc[code, "WD24CD"]]:
            raise SystemExit(f"{code}: centroid in {hits}, the ONS lookup gives {by_code.loc[code, 'WD24CD']}")
    lookup = (
        pd.DataFrame(
            {
                "lsoa_code": by_code.index,
                "ward_code": by_code["WD24CD"].to_numpy(),
                "ward": by_code["WD24NM"].to_numpy(),
                "assigned_by": "ONS best fit (centroid), checked",
            }
        )
        .sort_values("lsoa_code")
        .reset_index(drop=True)
    )
    local = imd[imd["lsoa_code"].isin(lookup["lsoa_code"])].copy()
    if len(local) != len(lookup):
        raise SystemExit("A 2021 Sevenoaks LSOA has no IMD 2025 row")
    local["lsoa_name"] = local["lsoa_code"].map(by_code["LSOA21NM"])
    local = local.sort_values("lsoa_code").reset_index(drop=True)

    out = REPO / "data" / "deprivation"
    local[["lsoa_code", "lsoa_name", "imd_rank", "imd_decile"]].to_csv(out / "imd2025_sevenoaks_lsoa.csv", index=False)
    lookup.to_csv(out / "sevenoaks_lsoa21_ward_lookup.csv", index=False)
    merged = lookup.merge(local, on="lsoa_code")
    ward = (
        merged.groupby(["ward_code", "ward"])
        .agg(
            lsoa_count=("lsoa_code", "size"),
            mean_imd_rank=("imd_rank", "mean"),
            most_deprived_lsoa_decile=("imd_decile", "min"),
        )
        .reset_index()
    )
    ward["mean_imd_rank"] = ward["mean_imd_rank"].round(1)
    ward["imd_decile"] = [int(np.searchsorted(cuts.to_numpy(), r) + 1) for r in ward["mean_imd_rank"]]
    all_wards = pd.DataFrame([(c, n) for c, n, _ in ward_rings], columns=["ward_code", "ward"])
    ward = all_wards.merge(ward, on=["ward_code", "ward"], how="left").sort_values("ward").reset_index(drop=True)
    if ward["lsoa_count"].isna().any():
        raise SystemExit(f"Wards with no LSOA: {ward.loc[ward['lsoa_count'].isna(), 'ward'].tolist()}")
    ward = ward[["ward_code", "ward", "lsoa_count", "mean_imd_rank", "imd_decile", "most_deprived_lsoa_decile"]]
    ward.to_csv(out / "imd2025_sevenoaks_ward.csv", index=False)
    print(ward.to_string())

    # 2011 codes that are not 2021 codes: each 2021 LSOA whose centroid lies in the 2011 LSOA replaced it.
    old = {f["properties"]["LSOA11CD"]: max(_rings(f), key=len) for f in lsoa11["features"]}
    changes = []
    for code in sorted(set(old) - set(lookup["lsoa_code"])):
        into = sorted(
            c
            for c, (x, y) in centroids.items()
            if c not in old and points_in_ring(np.array([x]), np.array([y]), old[code])[0]
        )
        if not into:
            raise SystemExit(f"The 2011 LSOA {code} has no 2021 successor")
        changes += [
            {"lsoa11_code": code, "lsoa21_code": c, "change": "split" if len(into) > 1 else "replaced"} for c in into
        ]
    pd.DataFrame(changes, columns=["lsoa11_code", "lsoa21_code", "change"]).to_csv(
        out / "sevenoaks_lsoa11_lsoa21_changes.csv", index=False
    )
    print(pd.DataFrame(changes).to_string())


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else REPO.parent / "shared" / "data")
