"""Time to first widget of the landing page and each app, cold (first request after the
server starts) and warm (a later request, served from a preheated kernel).

Targets: the landing page draws in under 5 s cold and 3 s warm on the reference
machine (2 cores). Run: .venv/bin/python benchmarks/bench_app_startup.py
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.request import urlopen

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("SV_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
PAGES = {
    "index.ipynb": ("h1", 5.0, 3.0),
    "social_value_scoring.ipynb": (".sv-app", None, None),
    "grant_allocation.ipynb": (".sv-app", None, None),
    "climate_targets.ipynb": (".sv-app", None, None),
    "impact_report.ipynb": (".sv-app", None, None),
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def time_page(browser, url: str, ready: str) -> float:
    page = browser.new_page()
    start = time.perf_counter()
    page.goto(url, wait_until="commit")
    page.wait_for_selector("#loading", state="detached", timeout=120_000)
    page.wait_for_selector(ready, state="visible", timeout=120_000)
    elapsed = time.perf_counter() - start
    page.close()
    return elapsed


def main() -> int:
    from playwright.sync_api import sync_playwright

    port = free_port()
    env = {**os.environ, "JUPYTER_PATH": str(REPO / "share" / "jupyter"), "MPLBACKEND": "Agg"}
    voila = str(Path(sys.executable).parent / "voila")
    proc = subprocess.Popen([voila, f"--port={port}", "--no-browser", "notebooks/"], cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    ok = True
    try:
        base = f"http://127.0.0.1:{port}/"
        for _ in range(300):
            try:
                urlopen(base, timeout=2)
                break
            except OSError:
                time.sleep(0.2)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            for name, (ready, cold_target, warm_target) in PAGES.items():
                if not (REPO / "notebooks" / name).exists():
                    continue
                url = f"{base}voila/render/{name}"
                cold = time_page(browser, url, ready)
                time.sleep(3)  # let the pool refill its preheated kernel
                warm = min(time_page(browser, url, ready) for _ in range(2))
                line = f"{name} time to first widget: cold {cold:.2f} s, warm {warm:.2f} s"
                if cold_target:
                    line += f" (target < {cold_target} s cold, < {warm_target} s warm)"
                    ok &= cold < cold_target and warm < warm_target
                print(line, flush=True)
                time.sleep(1)
            browser.close()
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
