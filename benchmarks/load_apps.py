"""Load benchmark: N councillors open the apps at once, against `make app`'s Voila and against JupyterHub.

For each N (default 5, 10, 20) and each target, a fresh server is started on a free loopback port and N
headless-Chromium pages (one browser context each, like N people) open the four apps in turn
(scoring, grants, climate, impact) at the same moment. Reported per run:

- time to first widget, p50 and p95 (from the request for the app's page until Voila's spinner is gone and
  the app's root widget is visible); on the hub, also log-in to landing page (includes starting the
  user's own server);
- errors (pages that failed or did not draw within the time limit);
- peak memory of the server's whole process tree (sum of resident set sizes, sampled every 0.5 s:
  Voila and its kernels; or the hub, its proxy, every user's server and their kernels), and the resident
  memory of each kernel and each user's server at the peak, and of the rest (Voila itself, or the hub, its
  proxy and the culler: "base"), for sizing (deploy/README.md).

Bounded: loopback only, at most --max-n pages, each page --page-timeout seconds, each run --run-timeout.
Run: .venv/bin/python benchmarks/load_apps.py [--n 5 10 20] [--targets voila hub]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Self

import psutil
from voila_server import CHROMIUM, CHROMIUM_ARGS, REPO, free_port, voila_server

APPS = ["social_value_scoring.ipynb", "grant_allocation.ipynb", "climate_targets.ipynb", "impact_report.ipynb"]
PASSWORD = "load-benchmark-password"


class MemorySampler:
    """Samples the summed RSS of a process tree in a thread; keeps the peak and a snapshot taken at the peak."""

    def __init__(self, pid: int, interval: float = 0.5):
        self.root = psutil.Process(pid)
        self.interval = interval
        self.peak_mb = 0.0
        self.at_peak: list[tuple[str, float]] = []  # (kind, MB) per process at the peak
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _snapshot(self) -> list[tuple[str, float]]:
        rows = []
        for p in [self.root, *self.root.children(recursive=True)]:
            try:
                cmd = " ".join(p.cmdline())
                rss = p.memory_info().rss / 2**20
            except (psutil.NoSuchProcess, psutil.AccessDenied):
                continue
            kind = (
                "kernel"
                if "ipykernel" in cmd
                else "user server"
                if "jupyterhub-singleuser" in cmd
                else "proxy"
                if "configurable-http-proxy" in cmd
                else "other"
            )
            rows.append((kind, rss))
        return rows

    def _run(self) -> None:
        while not self._stop.is_set():
            rows = self._snapshot()
            total = sum(mb for _, mb in rows)
            if total > self.peak_mb:
                self.peak_mb, self.at_peak = total, rows
            self._stop.wait(self.interval)

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def per(self, kind: str) -> list[float]:
        return [mb for k, mb in self.at_peak if k == kind]


@contextlib.contextmanager
def hub_server(councillors: list[str]) -> Iterator[tuple[subprocess.Popen, str]]:
    """Start deploy/jupyterhub on free loopback ports (development log-in); stop it and all it started."""
    state = Path(tempfile.mkdtemp(prefix="sv-hub-load-"))
    port = free_port()
    env = {
        **os.environ,
        "SV_HUB_AUTHENTICATOR": "dev",
        "SV_HUB_SPAWNER": "simple",
        "SV_HUB_DEV_PASSWORD": PASSWORD,
        "SV_HUB_OFFICERS": "officer",
        "SV_HUB_COUNCILLORS": ",".join(councillors),
        "SV_HUB_STATE_DIR": str(state),
        "SV_HUB_PORT": str(port),
        "SV_HUB_API_PORT": str(free_port()),
        "SV_HUB_PROXY_API_PORT": str(free_port()),
        "SV_HUB_MEM_LIMIT": "2G",
    }
    hub = str(Path(sys.executable).parent / "jupyterhub")
    config = REPO / "deploy" / "jupyterhub" / "jupyterhub_config.py"
    with open(state / "hub.log", "wb") as log:
        proc = subprocess.Popen([hub, "-f", str(config)], cwd=state, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    started: dict[int, psutil.Process] = {}
    try:
        import requests

        for _ in range(300):
            try:
                if requests.get(f"{base}/hub/api/", timeout=2).status_code == 200:
                    break
            except requests.ConnectionError:
                time.sleep(0.3)
        yield proc, base
    finally:
        with contextlib.suppress(psutil.NoSuchProcess):
            started.update({c.pid: c for c in psutil.Process(proc.pid).children(recursive=True)})
        proc.terminate()
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
        alive = [p for p in started.values() if p.is_running()]
        for p in alive:
            p.terminate()
        for p in psutil.wait_procs(alive, timeout=10)[1]:
            p.kill()
        shutil.rmtree(state, ignore_errors=True)


async def _first_widget(page, url: str, timeout_ms: int) -> float:
    start = time.perf_counter()
    await page.goto(url, wait_until="commit", timeout=timeout_ms)
    await page.wait_for_selector("#loading", state="detached", timeout=timeout_ms)
    await page.wait_for_selector(".sv-app", state="visible", timeout=timeout_ms)
    return time.perf_counter() - start


async def _councillor(browser, i: int, base: str, hub: bool, timeout_ms: int, results: dict) -> None:
    from playwright.async_api import Error as PlaywrightError

    context = await browser.new_context()
    context.set_default_timeout(timeout_ms)  # the log-in form's click too, not Playwright's 30 s default
    page = await context.new_page()
    # Only loopback: anything else is refused, as a council network would.
    await page.route(
        "**/*",
        lambda r: (
            r.continue_()
            if "//127.0.0.1:" in r.request.url or r.request.url.startswith(("data:", "blob:"))
            else r.abort()
        ),
    )
    app = APPS[i % len(APPS)]
    try:
        if hub:
            name = f"councillor{i}"
            start = time.perf_counter()
            await page.goto(f"{base}/hub/login", timeout=timeout_ms)
            await page.fill("#username_input", name)
            await page.fill("#password_input", PASSWORD)
            await page.click("#login_submit")
            await page.wait_for_url(f"**/user/{name}/voila/render/index.ipynb*", timeout=timeout_ms)
            await page.wait_for_selector("#loading", state="detached", timeout=timeout_ms)
            results["landing"].append(time.perf_counter() - start)
            url = f"{base}/user/{name}/voila/render/{app}"
        else:
            url = f"{base}voila/render/{app}"
        results["first_widget"].append(await _first_widget(page, url, timeout_ms))
    except PlaywrightError as e:  # a page that fails or times out is counted, not fatal to the run
        results["errors"].append(f"{app}: {type(e).__name__}: {str(e).splitlines()[0][:120]}")
    results["contexts"].append(context)  # closed after every page has drawn, so all N are open at the peak


async def _run_level(base: str, n: int, hub: bool, page_timeout: float, run_timeout: float) -> dict:
    from playwright.async_api import Error as PlaywrightError
    from playwright.async_api import async_playwright

    results: dict = {"first_widget": [], "landing": [], "errors": [], "contexts": []}
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        tasks = [_councillor(browser, i, base, hub, int(page_timeout * 1000), results) for i in range(n)]
        try:
            await asyncio.wait_for(asyncio.gather(*tasks), timeout=run_timeout)
        except TimeoutError:
            results["errors"].append(f"run stopped at the {run_timeout:.0f} s limit")
        for context in results.pop("contexts"):
            with contextlib.suppress(PlaywrightError):
                await context.close()
        await browser.close()
    return results


def _pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def run(target: str, n: int, page_timeout: float, run_timeout: float) -> dict:
    """One target at one N on a fresh server; return the row of the results table."""
    names = [f"councillor{i}" for i in range(n)]
    server = hub_server(names) if target == "hub" else voila_server()
    with server as (proc, base):
        if target == "voila":
            time.sleep(10)  # let the preheated kernels (voila.json) run their notebooks, as a warm `make app`
        with MemorySampler(proc.pid) as memory:
            started = time.perf_counter()
            results = asyncio.run(_run_level(base, n, target == "hub", page_timeout, run_timeout))
            wall = time.perf_counter() - started
            time.sleep(1)
    kernels, servers = memory.per("kernel"), memory.per("user server")
    return {
        "target": target,
        "n": n,
        "ok": len(results["first_widget"]),
        "errors": len(results["errors"]),
        "error_list": results["errors"],
        "p50": _pct(results["first_widget"], 50),
        "p95": _pct(results["first_widget"], 95),
        "landing_p50": _pct(results["landing"], 50),
        "landing_p95": _pct(results["landing"], 95),
        "peak_mb": memory.peak_mb,
        "kernels": len(kernels),
        "kernel_mb_mean": statistics.fmean(kernels) if kernels else float("nan"),
        "kernel_mb_max": max(kernels, default=float("nan")),
        "server_mb_mean": statistics.fmean(servers) if servers else float("nan"),
        "base_mb": sum(memory.per("other")) + sum(memory.per("proxy")),
        "wall_s": wall,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, nargs="+", default=[5, 10, 20], help="concurrent councillors per run")
    parser.add_argument("--targets", nargs="+", choices=["voila", "hub"], default=["voila", "hub"])
    parser.add_argument("--max-n", type=int, default=20, help="refuse larger N (this is a small machine)")
    parser.add_argument("--page-timeout", type=float, default=240.0, help="seconds for one page to draw")
    parser.add_argument("--run-timeout", type=float, default=420.0, help="seconds for one run of N pages")
    args = parser.parse_args()
    if max(args.n) > args.max_n:
        parser.error(f"N above --max-n {args.max_n}")
    print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores", flush=True)
    header = (
        f"{'target':6} {'N':>3} {'ok':>3} {'err':>3} {'p50 s':>7} {'p95 s':>7} {'login p50/p95 s':>16} "
        f"{'peak MB':>8} {'kernels':>7} {'MB/kernel':>10} {'MB/server':>9} {'base MB':>7} {'wall s':>7}"
    )
    rows = []
    for target in args.targets:
        for n in args.n:
            row = run(target, n, args.page_timeout, args.run_timeout)
            rows.append(row)
            landing = f"{row['landing_p50']:.1f}/{row['landing_p95']:.1f}" if target == "hub" else "-"
            print(header if len(rows) == 1 else "", end="\n" if len(rows) == 1 else "")
            print(
                f"{target:6} {n:>3} {row['ok']:>3} {row['errors']:>3} {row['p50']:>7.1f} {row['p95']:>7.1f} "
                f"{landing:>16} {row['peak_mb']:>8.0f} {row['kernels']:>7} "
                f"{row['kernel_mb_mean']:>5.0f}/{row['kernel_mb_max']:<4.0f} {row['server_mb_mean']:>9.0f} "
                f"{row['base_mb']:>7.0f} {row['wall_s']:>7.0f}",
                flush=True,
            )
            for error in row["error_list"][:5]:
                print(f"    error: {error}", flush=True)
    print(f"load average after: {os.getloadavg()[0]:.1f}", flush=True)
    return 0 if all(r["errors"] == 0 for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
