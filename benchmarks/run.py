"""Run every benchmark in this folder (bench_*.py) and fail if any misses its target.

Each benchmark is a standalone script that prints one line per measurement,
``name: X s (target < Y s)``, and exits non-zero when a target is missed.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    failed = []
    for script in sorted(HERE.glob("bench_*.py")):
        print(f"== {script.name}", flush=True)
        start = time.perf_counter()
        result = subprocess.run([sys.executable, str(script)], cwd=HERE.parent)
        print(f"   ({time.perf_counter() - start:.1f} s)", flush=True)
        if result.returncode != 0:
            failed.append(script.name)
    if failed:
        print(f"Benchmarks that missed their targets: {', '.join(failed)}")
        return 1
    print("All benchmarks met their targets.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
