"""Benchmark the tender scoring: Monte Carlo of evaluator uncertainty, scoring, sensitivity, one run of the
scenario core and the app's redraw in Python, and a weight change redrawn in the browser.

Run: ``.venv/bin/python benchmarks/bench_scoring.py``.  Prints one line per
measurement (best of several runs) and exits non-zero if a target is missed.
The Monte Carlo runs on one core (BLAS threads limited to 1).  The browser
measurement starts its own Voila server and Chromium (``--no-browser`` skips it):
the time from a key press on a weight slider to the score chart's new image
on screen.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np
import pandas as pd

from sv_helpers import scoring
from sv_helpers.core.measures import load_measures
from sv_helpers.scoring import Tender, TenderSettings, score_tender
from sv_helpers.scoring.sensitivity import (
    rank_reversal,
    tipping_point,
    win_probabilities,
    winner_grid,
)

REPEATS = 5


def synthetic_tender(n_bidders: int = 10, n_criteria: int = 10, seed: int = 0) -> Tender:
    """A price criterion, a proxy-value criterion and n − 2 scored criteria, three evaluators each."""
    rng = np.random.default_rng(seed)
    names = ["Price", "Social value commitments"] + [f"Criterion {i}" for i in range(1, n_criteria - 1)]
    groups = ["price", "social_value"] + ["quality"] * (n_criteria - 2)
    methods = ["lowest_price", "proxy_value"] + ["scored"] * (n_criteria - 2)
    weights = [40.0, 10.0] + [50.0 / (n_criteria - 2)] * (n_criteria - 2)

    def frame(data: dict) -> pd.DataFrame:
        out = pd.DataFrame(data)
        out.index = pd.RangeIndex(2, 2 + len(out), name="row")
        return out

    bidders = [f"Bidder {i}" for i in range(n_bidders)]
    criteria = frame({"criterion": names, "group": groups, "weight": weights, "method": methods})
    bids = frame({"bidder": bidders, "price": rng.uniform(0.8e6, 1.4e6, n_bidders)})
    rows = [(b, c, e, float(rng.integers(1, 6)), "") for b in bidders for c in names[2:] for e in ("E1", "E2", "E3")]
    scores = frame(dict(zip(["bidder", "criterion", "evaluator", "score", "comment"], zip(*rows))))
    codes = ["EX-ECO-01", "EX-SOC-04", "EX-ENV-01"]
    commitments = frame(
        {
            "bidder": [b for b in bidders for _ in codes],
            "measure_code": codes * n_bidders,
            "quantity": rng.uniform(0, 50, n_bidders * len(codes)),
        }
    )
    return Tender(criteria, bids, scores, commitments, TenderSettings(5.0, 10.0, 5.0), name="synthetic")


def best_of(func, repeats: int = REPEATS) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return min(times)


WATCH = """
() => {
  window.svTimes = {};
  document.addEventListener('keydown', () => { window.svTimes.key = performance.now(); }, {capture: true});
  const target = document.querySelector('.sv-view-score-chart');
  window.svSrc = target.querySelector('img').getAttribute('src');
  new MutationObserver(() => {
    const img = target.querySelector('img');
    if (img && img.getAttribute('src') !== window.svSrc && window.svTimes.drawn === undefined) { window.svTimes.drawn = performance.now(); }
  }).observe(target, {subtree: true, childList: true, attributes: true});
}
"""


def app_redraw_seconds(changes: int = 12) -> list[float]:
    """In Python: a weight slider moved, until the headline and the main chart are set (what the page waits for)."""
    from sv_helpers.apps.scoring import ScoringApp

    settings = scoring.Settings()
    inputs = scoring.load(settings)
    app = ScoringApp(scoring.run(settings, inputs=inputs), inputs=inputs)
    marks: list[float] = []
    app.view_widgets["score-chart"].observe(lambda _: marks.append(time.perf_counter()), names="value")
    times = []
    slider = app.weights.sliders[next(iter(app.weights.sliders))]
    for i in range(changes):
        marks.clear()
        start = time.perf_counter()
        slider.value = slider.value + (1.0 if i % 2 == 0 else -1.0)
        times.append((marks[0] if marks else time.perf_counter()) - start)
    return times


def browser_redraw_ms(presses: int = 10) -> list[float]:
    """Press PageUp/PageDown on a weight slider and time each redraw of the score chart."""
    from playwright.sync_api import sync_playwright
    from voila_server import launch_chromium, voila_server

    times: list[float] = []
    with voila_server() as (_proc, base), sync_playwright() as p:
        browser = launch_chromium(p)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(f"{base}voila/render/social_value_scoring.ipynb", wait_until="commit")
        page.wait_for_selector("#loading", state="detached", timeout=180_000)
        page.wait_for_selector(".sv-score-chart img", state="visible", timeout=180_000)
        page.evaluate(WATCH)
        handle = page.locator(".sv-weight-3 .noUi-handle")
        for i in range(presses):
            page.evaluate(
                "() => { window.svTimes = {}; window.svSrc = document.querySelector('.sv-score-chart img').getAttribute('src'); }"
            )
            handle.focus()
            page.keyboard.press("PageUp" if i % 2 == 0 else "PageDown")
            page.wait_for_function("() => window.svTimes.drawn !== undefined", timeout=30_000)
            t = page.evaluate("() => window.svTimes")
            times.append(t["drawn"] - t["key"])
            page.wait_for_timeout(1500)  # let the rest of the page finish updating
        browser.close()
    return times


def main() -> int:
    measures = load_measures()
    tender = synthetic_tender()
    result = score_tender(tender, measures)
    checks = [
        (
            "monte_carlo_10_bidders_10_criteria_10000_draws",
            lambda: win_probabilities(result, margin=0.5, draws=10_000, seed=1),
            0.5,
        ),
        ("score_tender_10_bidders_10_criteria", lambda: score_tender(tender, measures), 0.3),
        (
            "sensitivity_tipping_grid_reversal",
            lambda: (
                tipping_point(result, "social_value"),
                tipping_point(result, "price"),
                winner_grid(result),
                rank_reversal(result),
            ),
            0.3,
        ),
        ("core_run_example_10000_draws", lambda: scoring.run(example, inputs=example_inputs), 0.15),
    ]
    example = scoring.Settings()
    example_inputs = scoring.load(example)
    failed = False
    for name, func, target in checks:
        seconds = best_of(func)
        ok = seconds < target
        failed |= not ok
        print(f"{name}: {seconds:.4f} s (target < {target} s){'' if ok else '  MISSED'}")
    redraw = sorted(app_redraw_seconds())
    p95 = redraw[int(0.95 * (len(redraw) - 1))]
    ok = p95 < 0.15
    failed |= not ok
    print(f"app_weight_change_to_main_chart_p95: {p95:.3f} s (target < 0.15 s){'' if ok else '  MISSED'}")
    if "--no-browser" not in sys.argv:
        redraws = browser_redraw_ms()
        best = min(redraws) / 1000
        ok = best < 0.3
        failed |= not ok
        print(
            f"browser_weight_change_redraw: {best:.3f} s (target < 0.3 s){'' if ok else '  MISSED'}; all presses: {', '.join(f'{r:.0f} ms' for r in redraws)}"
        )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
