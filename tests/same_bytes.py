"""The shipped examples of every area, written as a rerun compares them: the cases of the same-bytes tests.

``python tests/same_bytes.py write DIR`` writes every case's compared outputs (CSV tables and JSON, not the
provenance record) into ``DIR/<area>/<case>/``; ``tests/test_same_bytes.py`` compares them with the expected
files in ``tests/expected/`` and runs this script again under other numerics (BLAS kernels, numpy's SIMD
code, one thread) in separate processes. ``python tests/same_bytes.py regenerate`` rewrites the expected files:
do it only when an output is meant to change, and say why in the commit message.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

EXPECTED = Path(__file__).resolve().parent / "expected"

#: Each area's cases: a name and the settings it changes from the shipped defaults.
CASES: dict[str, dict[str, dict]] = {
    "scoring": {
        "default": {"monte_carlo_draws": 2000, "seed": 11},
        "deviation_from_lowest": {"monte_carlo_draws": 2000, "seed": 11, "price_method": "deviation_from_lowest"},
        "shipped_settings": {},
    },
    "grants": {
        # Rounds decided on IMD 2019 (2011 LSOAs, 2013 wards) rerun to the same bytes; the default is IMD 2025.
        "rank": {"deprivation_edition": 2019},
        "pro_rata": {"method": "pro_rata", "deprivation_edition": 2019},
        "optimal": {"method": "optimal", "equity_weight": 1.5, "deprivation_edition": 2019},
        "rank_imd2025": {},
        "optimal_imd2025": {"method": "optimal", "equity_weight": 1.5},
    },
    "climate": {
        "linear": {},
        "constant_rate": {"pathway": "constant_rate", "annual_reduction_pct": 12.5},
        "budget": {"pathway": "budget", "carbon_budget_kt": 2500.0},
    },
    "impact": {
        "default": {},
        # a measures library without the adjustment columns (today's library): its outputs are the gross values
        "library_without_adjustments": {"measures_path": "tests/impact/measures_without_adjustments.csv"},
    },
    "planning": {
        "default": {},
        "partial": {"partial": True, "admin_share_pct": 4.0},
    },
}


def write_case(area_name: str, changes: dict, output_dir: Path) -> list[str]:
    """Run one case and write the files a rerun compares; return their names."""
    from sv_helpers.core import scenario
    from sv_helpers.store.folders import is_compared

    module = scenario.area(area_name)
    result = module.run(module.Settings.from_parameters(changes))
    before = os.environ.get("SV_CHROMIUM")
    os.environ["SV_CHROMIUM"] = ""  # no PDFs: they are not compared, and printing them is slow
    try:
        with tempfile.TemporaryDirectory() as tmp:
            module.write(result, tmp)
            written = sorted(Path(tmp).iterdir())
            output_dir.mkdir(parents=True, exist_ok=True)
            names = []
            for path in written:
                if is_compared(path.name):
                    shutil.copyfile(path, output_dir / path.name)
                    names.append(path.name)
    finally:
        if before is None:
            os.environ.pop("SV_CHROMIUM", None)
        else:
            os.environ["SV_CHROMIUM"] = before
    return sorted(names)


def write_all(root: Path) -> None:
    for area_name, cases in CASES.items():
        for case, changes in cases.items():
            write_case(area_name, changes, root / area_name / case)


def main(argv: list[str]) -> int:
    if len(argv) == 2 and argv[0] == "write":
        write_all(Path(argv[1]))
        return 0
    if argv == ["regenerate"]:
        shutil.rmtree(EXPECTED, ignore_errors=True)
        write_all(EXPECTED)
        print(f"Wrote the expected files in {EXPECTED}")
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
