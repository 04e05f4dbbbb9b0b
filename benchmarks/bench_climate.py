"""Benchmark: a sweep of pathway scenarios (authorities × target years × rates), one run of the scenario core
on loaded inputs, and the app's redraw after a change of target year (in process, no browser).

Run: .venv/bin/python benchmarks/bench_climate.py
Prints one line per measurement, ``name: X s (target < Y s)``, and exits 1 if a target is missed.
"""

from __future__ import annotations

import sys
import time

import numpy as np

from sv_helpers import climate as cl
from sv_helpers.climate import emissions as em

REPEATS = 7


def best_of(fn, repeats: int = REPEATS) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> int:
    data = em.load_emissions()
    last_year = int(data.emissions["year"].max())
    last = data.emissions[data.emissions["year"] == last_year].groupby("authority_code")["emissions_kt"].sum()
    targets = np.array([2030, 2035, 2040, 2045, 2050, 2055])
    rates = np.array([2.0, 5.0, 8.0, 10.0, 13.0])
    # every authority × target year × rate
    e0, tgt, rate = (a.ravel() for a in np.meshgrid(last.to_numpy(), targets, rates, indexing="ij"))
    budgets = e0 * (rate / 10.0) * 8.0  # a spread of budgets, 0.8 to 10 years of current emissions
    n = len(e0)

    results = []
    for method in ("constant_rate", "linear", "budget"):
        seconds = best_of(
            lambda m=method: cl.sweep_pathways(e0, last_year, tgt, rate, method=m, carbon_budget_kt=budgets)
        )
        results.append(
            (
                f"sweep of {n:,} {method} pathway scenarios ({len(last)} authorities x {len(targets)} target years x {len(rates)} rates)",
                seconds,
                1.0,
            )
        )

    actual = cl.actual_totals(data, "SEV")
    seconds = best_of(
        lambda: cl.pathway_to_target(
            actual, pathway="budget", target_year=2050, carbon_budget_kt=3000.0, trend_start_year=2015
        )
    )
    results.append(("one pathway with trend and summary (Sevenoaks)", seconds, 0.05))

    settings = cl.Settings()
    inputs = cl.load(settings)
    cl.run(settings, inputs)
    years = iter(range(2030, 2100))
    seconds = best_of(lambda: cl.run(settings.replace(target_year=next(years)), inputs))
    results.append(("run the whole scenario on loaded inputs (pathway, plan, cost curve, peers)", seconds, 0.15))

    import matplotlib

    matplotlib.use("Agg")
    from sv_helpers.apps import climate as climate_app

    start = time.perf_counter()
    app = climate_app.ClimateApp(cl.run(settings, inputs), inputs=inputs)
    results.append(("build the app from a computed result (draws its four charts)", time.perf_counter() - start, 2.0))
    app_years = iter(range(2030, 2100))

    def redraw():
        app.target_year.value = next(app_years)

    seconds = best_of(redraw)
    results.append(("app redraw after a change of target year (model, changed charts only, widgets)", seconds, 0.5))

    em._load_mysociety_cached.cache_clear()
    seconds = best_of(lambda: (em._load_mysociety_cached.cache_clear(), em.load_emissions()), repeats=3)
    results.append(("load the shipped emissions file (6,304 rows)", seconds, 2.0))

    missed = False
    for name, seconds, target in results:
        print(f"{name}: {seconds:.4f} s (target < {target} s)")
        missed |= seconds >= target
    if n < 10_000:
        print(f"the sweep has only {n} scenarios; it must have at least 10,000")
        missed = True
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
