"""Time to first widget of the landing page and each app.

- cold: Voila started without preheated kernels, so the request starts a kernel
  and runs the notebook (what a user sees when every preheated kernel is busy);
- warm: the workbook's own configuration (voila.json), the request served by a
  kernel that has already run the notebook.

Targets: the landing page draws in under 8 s cold and 3 s warm, each app in
under 20 s cold and 6 s warm, on the reference machine (2 cores). Memory: with
every page's preheated kernel running its notebook and one open page per app,
no kernel holds more than 600 MB (resident set).
Run: .venv/bin/python benchmarks/bench_app_startup.py
"""

from __future__ import annotations

import subprocess
import sys
import time

from voila_server import REPO, launch_chromium, voila_server

PAGES = {
    "index.ipynb": ("h1", 8.0, 3.0),
    "social_value_scoring.ipynb": (".sv-app", 20.0, 6.0),
    "grant_allocation.ipynb": (".sv-app", 20.0, 6.0),
    "climate_targets.ipynb": (".sv-app", 20.0, 6.0),
    "impact_report.ipynb": (".sv-app", 20.0, 6.0),
}


def time_page(browser, url: str, ready: str) -> float:
    page = browser.new_page()
    start = time.perf_counter()
    page.goto(url, wait_until="commit")
    page.wait_for_selector("#loading", state="detached", timeout=120_000)
    page.wait_for_selector(ready, state="visible", timeout=120_000)
    elapsed = time.perf_counter() - start
    page.close()
    return elapsed


MAX_KERNEL_MB = 600.0


def kernel_memory_mb(proc: subprocess.Popen) -> list[float]:
    """Resident memory of each kernel Voila has started (its child processes)."""
    import psutil

    children = psutil.Process(proc.pid).children(recursive=True)
    return sorted((c.memory_info().rss / 2**20 for c in children if "ipykernel" in " ".join(c.cmdline())), reverse=True)


def measure(browser, extra: list[str], settle: float, repeats: int, memory: list | None = None) -> dict[str, float]:
    times = {}
    with voila_server(extra) as (proc, base):
        time.sleep(settle)  # let preheated kernels run their notebooks
        for name, (ready, _, _) in PAGES.items():
            if (REPO / "notebooks" / name).exists():
                results = []
                for _ in range(repeats):
                    results.append(time_page(browser, f"{base}voila/render/{name}", ready))
                    time.sleep(settle / 4)
                times[name] = min(results)
        if memory is not None:
            memory.extend(kernel_memory_mb(proc))
    return times


def main() -> int:
    from playwright.sync_api import sync_playwright

    ok = True
    with sync_playwright() as p:
        browser = launch_chromium(p)
        cold = measure(browser, ["--VoilaConfiguration.preheat_kernel=False"], settle=0, repeats=1)
        memory: list[float] = []
        warm = measure(browser, [], settle=25, repeats=2, memory=memory)
        browser.close()
    for name, (_, cold_target, warm_target) in PAGES.items():
        if name not in cold:
            continue
        met = cold[name] < cold_target and warm[name] < warm_target
        ok &= met
        print(
            f"{name} time to first widget: cold {cold[name]:.2f} s (target < {cold_target} s), warm {warm[name]:.2f} s (target < {warm_target} s){'' if met else '  MISSED'}",
            flush=True,
        )
    biggest = max(memory) if memory else 0.0
    ok &= biggest < MAX_KERNEL_MB
    print(
        f"kernel memory: {len(memory)} kernels, largest {biggest:.0f} MB, total {sum(memory):.0f} MB (target: each < {MAX_KERNEL_MB:.0f} MB)",
        flush=True,
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
