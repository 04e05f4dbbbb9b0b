"""Same inputs and settings, same bytes, on any machine: every area's shipped examples against the expected files.

A rerun of a saved scenario (``svw scenarios rerun``), an auditor's rerun on their own laptop and the next CI
run on another processor must all say "identical". The cases are in ``tests/same_bytes.py``; the expected
files in ``tests/expected/<area>/<case>/`` were written by it (``python tests/same_bytes.py regenerate``).

The comparison runs here, in this process, and again in separate processes under other numerics: OpenBLAS's
Haswell kernels, its SkylakeX kernels where the processor has AVX-512, and numpy's baseline code with
OpenBLAS's Nehalem kernels on one thread. Each must give the expected bytes.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from same_bytes import CASES, EXPECTED, write_case

HERE = Path(__file__).resolve().parent
ALL_CASES = [(area, case) for area, cases in CASES.items() for case in cases]

#: The other numerics a fresh machine may have (the environment variables of each separate process).
NUMERICS: dict[str, dict[str, str]] = {
    "openblas-haswell": {"OPENBLAS_CORETYPE": "Haswell"},
    "openblas-skylakex": {"OPENBLAS_CORETYPE": "SkylakeX"},
    "numpy-baseline-nehalem-one-thread": {
        "NPY_DISABLE_CPU_FEATURES": "X86_V3 X86_V4 AVX512_ICL AVX512_SKX AVX512F AVX2 FMA3",
        "OPENBLAS_CORETYPE": "Nehalem",
        "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
    },
}


def _has_avx512() -> bool:
    try:
        return "avx512f" in Path("/proc/cpuinfo").read_text().split()
    except OSError:
        return False


def differences(written: Path, expected: Path) -> list[str]:
    """What differs between two folders of outputs, in plain words (empty when every byte is the same)."""
    made = {p.name for p in written.iterdir()} if written.exists() else set()
    wanted = {p.name for p in expected.iterdir()}
    out = [f"{name} was not written" for name in sorted(wanted - made)]
    out += [f"{name} was written but is not expected" for name in sorted(made - wanted)]
    for name in sorted(made & wanted):
        a, b = (written / name).read_bytes(), (expected / name).read_bytes()
        if a != b:
            line = next(
                (i + 1 for i, (x, y) in enumerate(zip(a.splitlines(), b.splitlines(), strict=False)) if x != y),
                None,
            )
            out.append(f"{name} differs" + (f" from line {line}" if line else " in length"))
    return out


def test_every_area_has_expected_files():
    assert {area for area, _ in ALL_CASES} == {"scoring", "grants", "climate", "impact", "planning"}
    for area, case in ALL_CASES:
        files = list((EXPECTED / area / case).glob("*"))
        assert any(f.suffix == ".csv" for f in files), f"{area}/{case} has no expected tables"


@pytest.mark.parametrize(("area", "case"), ALL_CASES, ids=[f"{a}-{c}" for a, c in ALL_CASES])
def test_the_shipped_example_gives_the_expected_bytes(area, case, tmp_path):
    write_case(area, CASES[area][case], tmp_path)
    assert differences(tmp_path, EXPECTED / area / case) == []


@pytest.fixture(scope="module")
def under_other_numerics(tmp_path_factory):
    """Every case written by separate processes, one per numerics, two at a time (this machine has two cores)."""
    root = tmp_path_factory.mktemp("numerics")
    runs: dict[str, tuple[subprocess.Popen | None, str]] = {}
    pending = [n for n in NUMERICS if n != "openblas-skylakex" or _has_avx512()]
    started: list[tuple[str, subprocess.Popen]] = []
    for name in pending:
        env = {**os.environ, **NUMERICS[name], "MPLBACKEND": "Agg", "SV_CHROMIUM": ""}
        log = root / f"{name}.log"
        handle = open(log, "w")
        proc = subprocess.Popen(
            [sys.executable, str(HERE / "same_bytes.py"), "write", str(root / name)],
            env=env,
            stdout=handle,
            stderr=subprocess.STDOUT,
            cwd=HERE.parent,
        )
        started.append((name, proc))
        if len(started) % 2 == 0:
            started[-2][1].wait(timeout=600)
    for name, proc in started:
        proc.wait(timeout=600)
        runs[name] = (proc, (root / f"{name}.log").read_text())
    return root, runs


@pytest.mark.parametrize("numerics", list(NUMERICS))
def test_other_numerics_give_the_same_bytes(numerics, under_other_numerics):
    if numerics == "openblas-skylakex" and not _has_avx512():
        pytest.skip("This processor has no AVX-512, so OpenBLAS cannot run its SkylakeX kernels here.")
    root, runs = under_other_numerics
    proc, log = runs[numerics]
    assert proc.returncode == 0, log[-3000:]
    found = {
        f"{area}/{case}": differences(root / numerics / area / case, EXPECTED / area / case) for area, case in ALL_CASES
    }
    assert {k: v for k, v in found.items() if v} == {}, f"under {NUMERICS[numerics]}"
