"""A grants sweep on dask.distributed against a plain single-process loop, in the same run.

10,000 scenarios by default (budget × minimum score × equity weight × method, rank and optimal mixed),
on a ``LocalCluster`` with one worker per core; the loop runs a sample of the same scenarios in this
process and is scaled to the whole grid. Prints time and scenarios per second for both, and checks
that the sweep's rows equal single runs for the sample.
Run: ``.venv/bin/python benchmarks/bench_sweep.py [--scenarios 10000]``.
"""

from __future__ import annotations

import argparse
import math
import sys
import tempfile
import time

from sv_helpers import grants, sweep


def grid_for(n: int) -> dict[str, list]:
    methods = ["rank", "optimal"]
    per_axis = max(2, round((n / len(methods)) ** (1 / 3)))
    budgets = [30000.0 + i * (50000.0 / (per_axis - 1)) for i in range(per_axis)]
    scores = [round(40.0 * i / (per_axis - 1), 3) for i in range(per_axis)]
    equity = [round(1.0 + i / (per_axis - 1), 4) for i in range(per_axis)]
    return {"budget": budgets, "min_score": scores, "equity_weight": equity, "method": methods}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scenarios", type=int, default=10_000)
    parser.add_argument("--loop-sample", type=int, default=400)
    parser.add_argument("--workers", type=int, default=None)
    args = parser.parse_args()
    grid = grid_for(args.scenarios)
    combos = sweep.combinations(grid)
    with tempfile.TemporaryDirectory() as out:
        start = time.perf_counter()
        table = sweep.run_sweep("grants", {}, grid, out, workers=args.workers, progress=lambda *a: None)
        swept = time.perf_counter() - start
    settings = grants.Settings.from_parameters({})
    inputs = grants.load(settings)
    step = max(1, len(combos) // args.loop_sample)
    sample = list(range(0, len(combos), step))
    start = time.perf_counter()
    mismatches = 0
    for i in sample:
        result = grants.run(settings.replace(**combos[i]), inputs=inputs)
        row = table.iloc[i]
        for name in sweep.summary_figures("grants"):
            a, b = result.summary.get(name), row[name]
            if not (a == b or (isinstance(a, float) and math.isclose(a, float(b), rel_tol=1e-9, abs_tol=1e-9))):
                mismatches += 1
    loop = (time.perf_counter() - start) / len(sample) * len(combos)
    print(f"{len(combos):,} grants scenarios ({', '.join(f'{k} × {len(v)}' for k, v in grid.items())})")
    print(f"dask LocalCluster: {swept:.1f} s, {len(combos) / swept:,.0f} scenarios per second")
    print(
        f"single-process loop (from {len(sample)} runs): {loop:.1f} s, {len(combos) / loop:,.0f} scenarios per second"
    )
    print(f"speed-up: {loop / swept:.2f}×; rows that differ from single runs: {mismatches}")
    return 1 if mismatches else 0


if __name__ == "__main__":
    sys.exit(main())
