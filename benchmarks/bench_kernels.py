"""Kernels come back: thirty page views in a row, then every page closed, leave only the pool running.

Voila starts a kernel for every page view and keeps a pool of preheated kernels (one per notebook,
``voila.json``). A closed page's kernel is shut down by culling once it has been idle with no page
connected for ``cull_idle_timeout`` seconds (300 in ``voila.json``; 10 here, checked every 5 s, so the
check takes a minute or two). Pooled kernels are never culled (``VoilaKernelManager.cull_kernel_if_idle``).

The benchmark starts the workbook's Voila with ``voila.json`` and only the two cull times shortened,
waits until the pool is warm (as ``make app`` does), then opens the apps in turn (``--views`` pages,
each drawn, then closed so its websocket disconnects, as a councillor closing the tab; a real tab also
asks Voila to shut its kernel down as it closes, which a closed test page does not, so only culling
frees these kernels). It prints the kernels and the memory of the server and its kernels at the start,
at the peak and after culling, and exits non-zero unless the kernels left are no more than the pool
holds, none of the viewed pages' kernels is still running, and the memory is back within
``MB_SLACK`` of the start.

Run: ``.venv/bin/python benchmarks/bench_kernels.py [--views 30] [--app NAME.ipynb]``.
"""

from __future__ import annotations

import argparse
import re
import sys
import time

import psutil
from bench_apps import APPS
from voila_server import REPO, expected_kernels, kernel_ids, launch_chromium, voila_server, wait_until_warm

CULL_IDLE_TIMEOUT_S = 10
CULL_INTERVAL_S = 5
CULL = [
    f"--MappingKernelManager.cull_idle_timeout={CULL_IDLE_TIMEOUT_S}",
    f"--MappingKernelManager.cull_interval={CULL_INTERVAL_S}",
]
READY = ".sv-headline, .sv-app"
#: How far above the start the memory may stay after culling: the server keeps some caches (MB).
MB_SLACK = 150.0


def tree_mb(proc) -> float:
    """Resident memory of the Voila server and all its kernels, in MB."""
    server = psutil.Process(proc.pid)
    total = 0
    for p in [server, *server.children(recursive=True)]:
        try:
            total += p.memory_info().rss
        except psutil.Error:
            continue
    return total / 2**20


def view(browser, url: str) -> str | None:
    """Open a page, wait until the app is drawn, close it; the id of the kernel it was connected to."""
    page = browser.new_page()
    sockets: list[str] = []
    page.on("websocket", lambda ws: sockets.append(ws.url))
    try:
        page.goto(url, wait_until="commit")
        page.wait_for_selector("#loading", state="detached", timeout=180_000)
        page.locator(READY).first.wait_for(state="visible", timeout=180_000)
    finally:
        page.close()  # the page's websocket disconnects; its kernel is now idle with no page connected
    ids = [m.group(1) for u in sockets if (m := re.search(r"/api/kernels/([0-9a-f-]{36})/channels", u))]
    return ids[-1] if ids else None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--views", type=int, default=30)
    parser.add_argument("--app", default=None, help="view only this app (default: the apps in turn)")
    args = parser.parse_args()
    apps = [args.app] if args.app else APPS
    pool = expected_kernels(REPO / "notebooks", REPO / "voila.json")
    from playwright.sync_api import sync_playwright

    with voila_server(extra=CULL) as (proc, base), sync_playwright() as p:
        server = psutil.Process(proc.pid)
        if wait_until_warm(proc, pool, timeout=180) is None:
            print("The pool was not warm within 180 s; measuring anyway.")
        start_k, start_mb = len(kernel_ids(server)), tree_mb(proc)
        browser = launch_chromium(p)
        peak_k, peak_mb, viewed = start_k, start_mb, []
        for i in range(args.views):
            viewed.append(view(browser, base + "voila/render/" + apps[i % len(apps)]))
            peak_k, peak_mb = max(peak_k, len(kernel_ids(server))), max(peak_mb, tree_mb(proc))
        browser.close()
        closed = time.monotonic()
        deadline = closed + CULL_IDLE_TIMEOUT_S + 4 * CULL_INTERVAL_S + 120  # and time for the last refill

        def left() -> list[str]:
            return [k for k in viewed if k in kernel_ids(server)]

        while time.monotonic() < deadline and (len(kernel_ids(server)) > pool or left()):
            time.sleep(1)
        culled_after = time.monotonic() - closed
        wait_until_warm(proc, pool, timeout=60)  # the last refill has run its notebook
        end_k, end_mb, still = len(kernel_ids(server)), tree_mb(proc), left()
    found = sum(k is not None for k in viewed)
    print(
        f"pool: {pool} kernels (cull_idle_timeout {CULL_IDLE_TIMEOUT_S} s, cull_interval {CULL_INTERVAL_S} s); "
        f"{args.views} views of {', '.join(apps)} ({found} kernels seen by their pages)"
    )
    print(f"{'':<22}{'kernels':>8}{'MB':>8}")
    print(f"{'at start':<22}{start_k:>8}{start_mb:>8.0f}")
    print(f"{'peak during the views':<22}{peak_k:>8}{peak_mb:>8.0f}")
    print(f"{'after culling':<22}{end_k:>8}{end_mb:>8.0f}   ({culled_after:.0f} s after the last page closed)")
    ok = end_k <= pool and not still and end_mb <= start_mb + MB_SLACK and found == args.views
    if still:
        print(f"Kernels of closed pages still running: {len(still)}")
    print("Kernels return to the pool and memory to the start: " + ("yes" if ok else "NO"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
