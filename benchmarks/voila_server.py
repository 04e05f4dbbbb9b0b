"""Start the workbook's Voila server and Debian's Chromium for the browser benchmarks.

One place for what the benchmarks share (the browser tests have the same in
tests/browser/conftest.py, as pytest fixtures). The wait for a warm pool of preheated kernels is
``make app``'s own (``scripts/serve_apps.py``), re-exported here.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.request import urlopen

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "scripts"))

from serve_apps import expected_kernels, kernel_ids, kernel_processes, wait_until_warm  # noqa: E402

__all__ = ["expected_kernels", "kernel_ids", "kernel_processes", "wait_until_warm"]
CHROMIUM = os.environ.get("SV_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def voila_server(
    extra: list[str] | None = None, root: Path | None = None, repo: Path = REPO
) -> Iterator[tuple[subprocess.Popen, str]]:
    """Serve notebooks/ (or ``root``) with the repository's configuration; yield the process and base URL.

    ``repo`` serves another checkout of the workbook (e.g. an older commit, to compare before and after
    in one run): its notebooks, template and configuration, and its ``sv_helpers`` first on the path.
    """
    port = free_port()
    env = {**os.environ, "JUPYTER_PATH": str(repo / "share" / "jupyter"), "MPLBACKEND": "Agg"}
    if repo != REPO:
        env["PYTHONPATH"] = str(repo)
    voila = str(Path(sys.executable).parent / "voila")
    proc = subprocess.Popen(
        [voila, f"--port={port}", "--no-browser", *(extra or []), str(root) if root else "notebooks/"],
        cwd=repo,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}/"
    try:
        for _ in range(300):
            try:
                urlopen(base, timeout=2)
                break
            except OSError:
                time.sleep(0.2)
        yield proc, base
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def launch_chromium(playwright):
    """Headless Debian Chromium with the flags this machine's closed network needs."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
