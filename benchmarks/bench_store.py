"""Benchmark: saving and opening scenarios, and the store's size after 1,000 saves sharing one input file.

Run: ``.venv/bin/python benchmarks/bench_store.py [--count 1000] [--store URL]``.
Uses the store's test area (``tests/store_area.py``: one input file, a table
output) on a new SQLite store in a temporary folder unless ``--store`` names an
empty one.  Prints one line per measurement and exits non-zero when a target is missed.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

import store_area  # noqa: E402

from sv_helpers.store import open_store  # noqa: E402

SAVE_TARGET = 0.25  # seconds, median
OPEN_TARGET = 0.25  # seconds, median
#: Bytes per saved scenario beyond the one shared input (settings, hashes, audit entry, indexes).
PER_SCENARIO_TARGET = 8_000
INPUT_ROWS = 20_000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--store", default=None, help="an empty store's address (default: a new SQLite file)")
    args = parser.parse_args()
    store_area.register()
    with tempfile.TemporaryDirectory(prefix="sv-bench-store-") as tmp:
        folder = Path(tmp)
        measures = store_area.make_inputs(folder / "in", tuple(float(i % 97) for i in range(INPUT_ROWS)))
        input_bytes = measures.stat().st_size
        url = args.store or f"sqlite:///{folder / 'workbook.sqlite'}"
        store = open_store(url)
        saves, opens = [], []
        for i in range(args.count):
            settings = store_area.Settings.from_parameters(
                {"measures": str(measures), "factor": 1 + i % 50, "title": f"Scenario {i}"}
            )
            result = store_area.run(settings)
            start = time.perf_counter()
            sid = store.save(result, f"Scenario {i}", note="benchmark", user="bench")
            saves.append(time.perf_counter() - start)
            if i % 20 == 0:
                start = time.perf_counter()
                restored, _ = store.restore(sid, folder / "restored", user="bench")
                store_area.run(restored)
                opens.append(time.perf_counter() - start)
        start = time.perf_counter()
        problems = store.verify()
        verify_time = time.perf_counter() - start
        start = time.perf_counter()
        listed = store.list("store_test")
        list_time = time.perf_counter() - start
        if url.startswith("sqlite"):
            with store.engine.connect() as conn:
                conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            store.close()
            db = Path(store.engine.url.database)
            size = sum(p.stat().st_size for p in db.parent.glob(db.name + "*"))
        else:
            tables = ("scenarios", "blobs", "scenario_inputs", "scenario_outputs", "decisions", "audit_log")
            with store.engine.connect() as conn:
                size = sum(conn.exec_driver_sql(f"SELECT pg_total_relation_size('{t}')").scalar() for t in tables)
        store.close()
    save_median, open_median = statistics.median(saves), statistics.median(opens)
    save_p95 = sorted(saves)[int(0.95 * len(saves)) - 1]
    ok = True
    print(
        f"save a scenario: {save_median:.3f} s median, {save_p95:.3f} s p95 over {len(saves)} saves "
        f"(target < {SAVE_TARGET} s median)"
    )
    ok &= save_median < SAVE_TARGET
    print(
        f"open a scenario (settings and input file restored, then run): {open_median:.3f} s median over {len(opens)} "
        f"(target < {OPEN_TARGET} s median)"
    )
    ok &= open_median < OPEN_TARGET
    print(f"list {len(listed)} scenarios: {list_time:.3f} s; verify the whole store: {verify_time:.3f} s")
    ok &= not problems and len(listed) == args.count
    if size:
        per = (size - input_bytes) / args.count
        print(
            f"store size after {args.count} scenarios sharing one {input_bytes / 1024:.0f} KiB input: "
            f"{size / 1024 / 1024:.2f} MiB ({per:,.0f} bytes per scenario beyond the input; "
            f"target < {PER_SCENARIO_TARGET:,})"
        )
        ok &= per < PER_SCENARIO_TARGET
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
