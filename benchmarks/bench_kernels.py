"""Kernels come back: thirty page views in a row, then every page closed, leave only the pool running.

Voila starts a kernel for every page view and keeps a pool of preheated kernels (one per notebook,
``voila.json``). A closed page's kernel is shut down by culling once it has been idle with no page
connected for ``cull_idle_timeout`` seconds (300 in ``voila.json``; 10 here, so the check takes a minute).
Pooled kernels are never culled. Goal: after the pages close and the cull interval passes, the kernels
running are no more than the pool holds, and the server's memory is back near where it started.
Run: ``.venv/bin/python benchmarks/bench_kernels.py [--views 30]``.
"""

from __future__ import annotations

import argparse
import sys
import time

import psutil
from voila_server import REPO, launch_chromium, voila_server

CULL = ["--MappingKernelManager.cull_idle_timeout=10", "--MappingKernelManager.cull_interval=5"]


def kernels(proc) -> list[psutil.Process]:
    return [k for k in psutil.Process(proc.pid).children(recursive=True) if "ipykernel" in " ".join(k.cmdline())]


def tree_mb(proc) -> float:
    procs = [psutil.Process(proc.pid), *psutil.Process(proc.pid).children(recursive=True)]
    return sum(p.memory_info().rss for p in procs) / 2**20


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--views", type=int, default=30)
    parser.add_argument("--app", default="social_value_scoring.ipynb")
    args = parser.parse_args()
    notebooks = [p for p in (REPO / "notebooks").glob("*.ipynb")]
    pool = len(notebooks)  # default_pool_size 1 for each notebook
    from playwright.sync_api import sync_playwright

    with voila_server(extra=CULL) as (proc, base), sync_playwright() as p:
        time.sleep(20)  # every pool kernel runs its notebook
        start_mb, start_k = tree_mb(proc), len(kernels(proc))
        browser = launch_chromium(p)
        peak_k, peak_mb = start_k, start_mb
        for _ in range(args.views):
            page = browser.new_page()
            page.goto(base + "voila/render/" + args.app, wait_until="commit")
            page.wait_for_selector("#loading", state="detached", timeout=180_000)
            page.close()
            peak_k, peak_mb = max(peak_k, len(kernels(proc))), max(peak_mb, tree_mb(proc))
        browser.close()
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and len(kernels(proc)) > pool:
            time.sleep(5)
        time.sleep(5)
        end_k, end_mb = len(kernels(proc)), tree_mb(proc)
    print(
        f"pool: {pool} kernels; at start {start_k} kernels, {start_mb:.0f} MB; after {args.views} views "
        f"peak {peak_k} kernels, {peak_mb:.0f} MB; after culling {end_k} kernels, {end_mb:.0f} MB"
    )
    ok = end_k <= pool
    print("Kernels return to the pool: " + ("yes" if ok else "NO"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
