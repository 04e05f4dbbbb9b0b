"""Benchmark the impact report: delivery for a large contract register, the report's charts, and the PDF.

Run: ``.venv/bin/python benchmarks/bench_impact.py``.  Prints one line per
measurement (best of several runs) and exits non-zero when a target is missed.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sv_helpers import impact as imp  # noqa: E402
from sv_helpers.apps import impact as app  # noqa: E402
from sv_helpers.core.measures import load_measures  # noqa: E402
from sv_helpers.core.provenance import provenance_record  # noqa: E402
from sv_helpers.impact import report as impact_report
from sv_helpers.reports import document as rep  # noqa: E402

CONTRACTS = 400
MEASURES_PER_CONTRACT = 8
QUARTERS = 12


def synthetic_inputs(seed: int = 20260331) -> dict:
    """A register of 400 contracts, 3,200 commitments and 38,400 quarterly returns (seeded)."""
    rng = np.random.default_rng(seed)
    measures = load_measures()
    codes = measures["measure_code"].to_numpy()
    start = pd.Timestamp("2023-04-01") + pd.to_timedelta(rng.integers(0, 365, CONTRACTS), unit="D")
    contracts = pd.DataFrame(
        {
            "contract_id": [f"B-{i:04d}" for i in range(CONTRACTS)],
            "contract": "Benchmark contract",
            "supplier": "Benchmark supplier",
            "start_date": start,
            "end_date": start + pd.to_timedelta(rng.integers(730, 1825, CONTRACTS), unit="D"),
            "contract_value": rng.uniform(1e5, 1e7, CONTRACTS),
        }
    )
    commitments = pd.DataFrame(
        {
            "contract_id": np.repeat(contracts["contract_id"].to_numpy(), MEASURES_PER_CONTRACT),
            "measure_code": np.concatenate(
                [rng.choice(codes, MEASURES_PER_CONTRACT, replace=False) for _ in range(CONTRACTS)]
            ),
            "committed_quantity": rng.uniform(1, 1000, CONTRACTS * MEASURES_PER_CONTRACT),
        }
    )
    quarter_ends = pd.date_range("2023-06-30", periods=QUARTERS, freq="QE-MAR") + pd.offsets.QuarterEnd(
        0, startingMonth=3
    )
    rows = commitments.loc[commitments.index.repeat(QUARTERS)].reset_index(drop=True)
    rows["period_end"] = np.tile(quarter_ends.to_numpy(), len(commitments))
    rows = rows.merge(contracts[["contract_id", "start_date", "end_date"]], on="contract_id")
    rows = rows[(rows["period_end"] >= rows["start_date"]) & (rows["period_end"] <= rows["end_date"])]
    returns = pd.DataFrame(
        {
            "contract_id": rows["contract_id"].to_numpy(),
            "period_end": rows["period_end"].to_numpy(),
            "measure_code": rows["measure_code"].to_numpy(),
            "quantity_delivered": rng.uniform(0, 80, len(rows)),
            "evidence": "",
        }
    )
    return {"contracts": contracts, "commitments": commitments, "returns": returns, "measures": measures}


def best_of(fn, runs: int = 3) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> int:
    inputs = synthetic_inputs()
    report = imp.build_impact_report("2025/26", **inputs)

    def figures_and_page(cold: bool) -> str:
        if cold:
            rep._DRAWN.clear()  # draw every chart again
        return impact_report.render_report_html(report, impact_report.report_figures(report), provenance_record({}, {}))

    html_text = figures_and_page(cold=True)
    results = [
        (
            f"build_impact_report ({CONTRACTS} contracts, {len(inputs['returns']):,} returns)",
            best_of(lambda: imp.build_impact_report("2025/26", **inputs)),
            3.0,
        ),
        ("report_figures + render_report_html (charts drawn)", best_of(lambda: figures_and_page(True), runs=3), 3.0),
        ("report_figures + render_report_html (charts drawn before)", best_of(lambda: figures_and_page(False)), 1.0),
    ]
    settings = imp.Settings()
    example = app.ImpactApp(imp.run(settings), inputs=imp.load(settings))
    year = next(c.widget for c in example.control_list if c.name == "financial_year")
    years = iter(["2024/25", "2025/26"] * 10)
    contracts = iter(["EX-C-002", "EX-C-003", "EX-C-001"] * 10)

    def change_year() -> None:
        year.value = next(years)
        assert example.banner.message == "" or "left out" in example.banner.message

    def change_contract() -> None:
        example.contract.value = next(contracts)

    green = next(c.widget for c in example.control_list if c.name == "green_threshold_pct")
    thresholds = iter(range(91, 120))

    def change_threshold() -> None:  # a value not seen before: the report is built and the status chart drawn
        green.value = next(thresholds)

    def cold_run() -> None:
        imp._REPORTS.clear()
        imp.run(settings, example.inputs)

    results += [
        ("app redraw after a year change (example files, years seen before)", best_of(change_year, runs=4), 2.0),
        ("app redraw after a new green threshold (report built, chart drawn)", best_of(change_threshold, runs=4), 2.0),
        ("app redraw after choosing a contract (example files)", best_of(change_contract, runs=4), 1.0),
        ("run (example files, inputs loaded, report built)", best_of(cold_run, runs=5), 1.0),
    ]
    if rep.find_chromium():
        results.append(("html_to_pdf (headless Chromium)", best_of(lambda: rep.pdf_bytes(html_text), runs=2), 15.0))
    else:
        print("html_to_pdf: skipped, Chromium is not installed")
    failed = False
    for name, seconds, target in results:
        print(f"{name}: {seconds:.3f} s (target < {target:g} s)")
        failed |= seconds >= target
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
