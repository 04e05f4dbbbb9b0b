"""Benchmark: one planning gain run (neighbourhood portion, S106 at risk, IFS, three CIL scenarios) on a large ledger.

Run: ``.venv/bin/python benchmarks/bench_planning.py``.  Prints one line per
measurement (best of several runs) and exits non-zero when a target is missed.
The ledgers are random but seeded: 5,000 CIL receipts over three years across the
31 parishes of the example, 2,000 S106 obligations, 600 spending entries and 300 bids.
"""

from __future__ import annotations

import sys
import time

import numpy as np
import pandas as pd

from sv_helpers import planning
from sv_helpers.core.scenario import Inputs
from sv_helpers.grants import deprivation

SEED = 15
REPEATS = 3
TYPES = ["Education", "Health", "Highways", "Flood defence", "Community facilities"]


def ledgers(n_receipts: int = 5000, n_s106: int = 2000, n_spend: int = 600, n_bids: int = 300) -> Inputs:
    rng = np.random.default_rng(SEED)
    example = planning.load(planning.Settings())
    parishes = example["parishes"]
    wards = np.array(deprivation.ward_names())
    start = pd.Timestamp("2023-04-01")
    days = rng.integers(0, 3 * 365, n_receipts)
    received = start + pd.to_timedelta(days, unit="D")
    receipts = pd.DataFrame(
        {
            "receipt_id": [f"R{i:06d}" for i in range(n_receipts)],
            "date_received": received,
            "parish": rng.choice(np.append(parishes["parish"].to_numpy(object), [None]), n_receipts),
            "development": "benchmark",
            "permission_date": received - pd.to_timedelta(rng.integers(30, 900, n_receipts), unit="D"),
            "amount": np.round(rng.lognormal(np.log(40_000), 0.8, n_receipts), 2),
        }
    )
    s106 = pd.DataFrame(
        {
            "agreement_id": [f"S{i:05d}" for i in range(n_s106)],
            "development": "benchmark",
            "obligation": rng.choice(["Affordable housing", "Education", "Open space", "Highways"], n_s106),
            "ward": rng.choice(wards, n_s106),
            "date_agreed": start + pd.to_timedelta(rng.integers(-2000, 1000, n_s106), unit="D"),
            "amount_agreed": np.round(rng.lognormal(np.log(50_000), 0.7, n_s106), 2),
        }
    )
    s106["amount_received"] = np.round(s106["amount_agreed"] * rng.uniform(0, 1, n_s106), 2)
    s106["date_received"] = s106["date_agreed"] + pd.to_timedelta(rng.integers(30, 700, n_s106), unit="D")
    s106["amount_allocated"] = np.round(s106["amount_received"] * rng.uniform(0, 1, n_s106), 2)
    s106["amount_spent"] = np.round(s106["amount_allocated"] * rng.uniform(0, 1, n_s106), 2)
    s106["date_spent"] = s106["date_received"] + pd.to_timedelta(rng.integers(30, 700, n_s106), unit="D")
    s106["amount_repaid"] = 0.0
    s106["spend_by_date"] = s106["date_received"] + pd.to_timedelta(rng.integers(365, 3650, n_s106), unit="D")
    s106["purpose"] = None
    s106["affordable_homes"] = rng.integers(0, 20, n_s106)
    s106["school_places"] = rng.integers(0, 10, n_s106)
    spend = pd.DataFrame(
        {
            "entry_id": [f"E{i:05d}" for i in range(n_spend)],
            "date": start + pd.to_timedelta(rng.integers(0, 3 * 365, n_spend), unit="D"),
            "project": [f"Project {i % 150}" for i in range(n_spend)],
            "infrastructure_type": rng.choice(TYPES, n_spend),
            "ward": rng.choice(wards, n_spend),
            "fund": rng.choice(["strategic", "neighbourhood"], n_spend, p=[0.9, 0.1]),
            "entry": rng.choice(["allocated", "spent"], n_spend),
            "amount": np.round(rng.uniform(5_000, 200_000, n_spend), 2),
            "repays_borrowing": False,
        }
    )
    spend["infrastructure_type"] = spend.groupby("project")["infrastructure_type"].transform("first")
    bids = pd.DataFrame(
        {
            "bid_id": [f"B{i:04d}" for i in range(n_bids)],
            "organisation": "benchmark",
            "project": [f"Bid {i}" for i in range(n_bids)],
            "infrastructure_type": rng.choice(TYPES, n_bids),
            "ward": rng.choice(wards, n_bids),
            "amount_requested": np.round(rng.lognormal(np.log(150_000), 0.6, n_bids), -3),
            "score": rng.integers(30, 100, n_bids).astype(float),
            "minimum_award": np.nan,
        }
    )
    return Inputs(
        values={
            "cil_receipts": receipts,
            "parishes": parishes,
            "cil_spend": spend,
            "s106": s106,
            "cil_bids": bids,
            "findings": [],
        }
    )


def best_time(fn, repeats: int = REPEATS) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def main() -> int:
    inputs = ledgers()
    base = planning.Settings()
    cases = [
        ("run: 5,000 receipts, 2,000 S106, 600 spending entries, 300 bids (three methods)", base, 10.0),
        (
            "run with optimal floors by type and a ward cap",
            base.replace(type_floors={t: 0.02 for t in TYPES}, ward_cap=20_000_000.0, partial=True),
            15.0,
        ),
    ]
    missed = 0
    for name, settings, target in cases:
        seconds, result = best_time(lambda s=settings: planning.run(s, inputs))
        ok = seconds < target
        missed += not ok
        print(
            f"{name}: {seconds:.2f} s (target < {target:g} s){'' if ok else '  MISSED'}  "
            f"[{result.summary['parish_councils_paid']} councils paid]",
            flush=True,
        )
    example = planning.load(planning.Settings())
    seconds, _ = best_time(lambda: planning.run(planning.Settings(), example))
    ok = seconds < 2.0
    missed += not ok
    print(f"run: the example ledgers: {seconds:.2f} s (target < 2 s){'' if ok else '  MISSED'}", flush=True)
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
