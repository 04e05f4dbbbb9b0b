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

``--protocol`` measures the server alone: N councillors talk to it as Voila's page does, without drawing
(``voila_protocol.py``: the page, the kernel's websocket, the widget state, one change of a control, the
page closed), arriving evenly over ``--within`` seconds, all on one app (``--app``, the committee paper's
one link). The Voila server is started as an administrator starts it (``scripts/serve_apps.py``, what
``make app`` runs) with each ``--setup NAME=ARGS`` (the launcher's extra arguments, or the hub's
``SV_HUB_...=value`` variables and ``--prestart``; ``NAME@COMMIT=ARGS`` serves that commit's files, to compare
before and after in one run; ``TARGET:NAME=ARGS`` applies to that target only), and waited for until it says
it is ready. ``--json FILE`` writes one row per setup, target and N: ``target, n, ok, errors,
first_screen_p50_s, first_screen_p95_s, redraw_p50_ms, redraw_p95_ms, peak_mb`` and the 1-minute load
average before, during (highest) and after. ``--check-browser`` opens the app at N = 1 with both the
protocol client and Chromium on the same server, in turn, and reports the difference (the page's own
drawing). ``make bench-meeting`` runs the meeting table.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import re
import secrets
import shutil
import signal
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
from voila_server import CHROMIUM, CHROMIUM_ARGS, REPO, free_port, kernel_processes, voila_server, wait_until_warm

APPS = ["social_value_scoring.ipynb", "grant_allocation.ipynb", "climate_targets.ipynb", "impact_report.ipynb"]
PASSWORD = "load-benchmark-password"


class MemorySampler:
    """Samples the summed RSS of a process tree in a thread; keeps the peak and a snapshot taken at the peak."""

    def __init__(self, pid: int, interval: float = 0.5):
        self.root = psutil.Process(pid)
        self.interval = interval
        self.peak_mb = 0.0
        self.at_peak: list[tuple[str, float]] = []  # (kind, MB) per process at the peak
        self.load_max = os.getloadavg()[0]  # the highest 1-minute load average seen while sampling
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
            self.load_max = max(self.load_max, os.getloadavg()[0])
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
def hub_server(
    councillors: list[str], extra_env: dict | None = None, repo: Path = REPO
) -> Iterator[tuple[subprocess.Popen, str]]:
    """Start deploy/jupyterhub on free loopback ports (development log-in); stop it and all it started.

    ``repo``: another checkout of the workbook (a commit's files, ``snapshot``): its hub configuration, its
    notebooks, and its ``sv_helpers`` first on every server's path.
    """
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
        **(extra_env or {}),
    }
    hub = str(Path(sys.executable).parent / "jupyterhub")
    config = repo / "deploy" / "jupyterhub" / "jupyterhub_config.py"
    if repo != REPO:
        env["SV_WORKBOOK_DIR"] = str(repo)
        wrapper = state / "snapshot_config.py"
        wrapper.write_text(
            "c = get_config()  # noqa: F821\n"
            f"load_subconfig({str(config)!r})  # noqa: F821\n"
            f"c.Spawner.environment['PYTHONPATH'] = {str(repo)!r}\n"
        )
        config = wrapper
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


# --- The server alone: councillors on the wire (--protocol) ---------------------------------------------


def snapshot(commit: str) -> Path:
    """The workbook's files at ``commit`` (``git archive``) in a temporary folder: serve another version in one run."""
    folder = Path(tempfile.mkdtemp(prefix=f"sv-load-{commit[:10]}-"))
    archive = subprocess.run(["git", "-C", str(REPO), "archive", commit], check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive, check=True)
    return folder


@contextlib.contextmanager
def launched_voila(args: list[str], repo: Path, ready_timeout: float) -> Iterator[tuple[int, str, float | None]]:
    """Start the apps as ``make app`` does (``scripts/serve_apps.py``, its extra ``args``) on a free loopback
    port; yield (the launcher's pid, the base URL, seconds until it said the apps were ready or None).
    Stopped with SIGTERM as a service manager stops it; anything of it still running is then killed."""
    port = free_port()
    env = {**os.environ, "JUPYTER_PATH": str(repo / "share" / "jupyter"), "MPLBACKEND": "Agg"}
    if repo != REPO:
        env["PYTHONPATH"] = str(repo)  # its sv_helpers before the installed (editable) one
    command = [
        sys.executable,
        str(repo / "scripts" / "serve_apps.py"),
        "--ready-timeout",
        str(ready_timeout),
        f"--port={port}",
        "--no-browser",
        "--Voila.ip=127.0.0.1",
        *args,
        "notebooks/",
    ]
    log = tempfile.NamedTemporaryFile(prefix="sv-load-voila-", suffix=".log", delete=False)  # noqa: SIM115
    proc = subprocess.Popen(command, cwd=repo, env=env, stdout=subprocess.PIPE, stderr=log, text=True)
    started = time.monotonic()
    said: list[str] = []
    reader = threading.Thread(target=lambda: said.extend(iter(proc.stdout.readline, "")), daemon=True)
    reader.start()
    ready = None
    try:
        while time.monotonic() - started < ready_timeout + 30 and proc.poll() is None:
            if any("ready at" in line for line in said):
                ready = time.monotonic() - started
                break
            if any("not all ready" in line for line in said):
                break
            time.sleep(0.2)
        if proc.poll() is not None:
            raise RuntimeError(f"the apps' server stopped at start (its log: {log.name})")
        yield proc.pid, f"http://127.0.0.1:{port}/", ready
    finally:
        tree = []
        with contextlib.suppress(psutil.NoSuchProcess):
            tree = psutil.Process(proc.pid).children(recursive=True)
        proc.terminate()
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
        alive = [p for p in tree if p.is_running()]
        for p in alive:
            p.terminate()
        for p in psutil.wait_procs(alive, timeout=10)[1]:
            p.kill()
        log.close()
        os.unlink(log.name)


async def _hub_login(http, base: str, name: str, deadline: float) -> str:
    """Log in through the hub's form and wait until the councillor's own server is ready; return its base URL."""
    import aiohttp

    async with http.get(f"{base}/hub/login") as r:
        xsrf = re.search(r'name="_xsrf" value="([^"]+)"', await r.text()).group(1)
    form = {"username": name, "password": PASSWORD, "_xsrf": xsrf}
    async with http.post(f"{base}/hub/login?next=", data=form, allow_redirects=False) as r:
        if r.status >= 400:
            raise RuntimeError(f"log-in answered {r.status}")
    async with http.get(f"{base}/hub/spawn/{name}", allow_redirects=False):
        pass  # starts the server (if it is not running), as the hub's home page does
    while time.monotonic() < deadline:
        token = next((c.value for c in http.cookie_jar if c.key == "_xsrf" and c["path"] == "/hub/"), "")
        async with http.get(f"{base}/hub/api/users/{name}", headers={"X-XSRFToken": token}) as r:
            if r.status == 200 and (await r.json()).get("servers", {}).get("", {}).get("ready"):
                return f"{base}/user/{name}/"
        await asyncio.sleep(0.5)
    raise aiohttp.ServerTimeoutError(f"{name}'s server was not ready in time")


async def _protocol_councillor(
    i: int, delay: float, base: str, hub: bool, app: str, options: argparse.Namespace, results: dict
) -> None:
    import aiohttp
    from voila_protocol import visit

    await asyncio.sleep(delay)
    deadline = time.monotonic() + options.page_timeout
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:  # loopback addresses
        server = base
        if hub:
            start = time.perf_counter()
            try:
                server = await _hub_login(http, base.rstrip("/"), f"councillor{i}", deadline)
            except (aiohttp.ClientError, RuntimeError, TimeoutError, AttributeError) as e:
                results["errors"].append(f"log-in: {type(e).__name__}: {e}"[:200])
                return
            results["landing"].append(time.perf_counter() - start)
        seen = await visit(
            http, server, app, max(deadline - time.monotonic(), 1), options.changes, options.control, shutdown=True
        )
    results["visits"].append(seen)
    if seen.error:
        results["errors"].append(seen.error)


async def _protocol_level(base: str, n: int, hub: bool, options: argparse.Namespace) -> dict:
    results: dict = {"visits": [], "landing": [], "errors": []}
    arrivals = [options.within * i / n for i in range(n)]  # evenly over --within seconds
    tasks = [_protocol_councillor(i, a, base, hub, options.app, options, results) for i, a in enumerate(arrivals)]
    try:
        await asyncio.wait_for(asyncio.gather(*tasks), timeout=options.run_timeout)
    except TimeoutError:
        results["errors"].append(f"run stopped at the {options.run_timeout:.0f} s limit")
    return results


def _protocol_row(setup: str, target: str, n: int, results: dict, memory: MemorySampler, load: tuple) -> dict:
    visits = [v for v in results["visits"] if not v.error]
    first = [v.first_screen_s for v in visits]
    redraws = [ms for v in visits for ms in v.redraw_ms]
    kernels = memory.per("kernel")
    return {
        "setup": setup,
        "target": target,
        "n": n,
        "ok": len(visits),
        "errors": len(results["errors"]),
        "first_screen_p50_s": round(_pct(first, 50), 3),
        "first_screen_p95_s": round(_pct(first, 95), 3),
        "redraw_p50_ms": round(_pct(redraws, 50), 1),
        "redraw_p95_ms": round(_pct(redraws, 95), 1),
        "peak_mb": round(memory.peak_mb),
        "page_p95_s": round(_pct([v.page_s for v in visits], 95), 3),
        "landing_p50_s": round(_pct(results["landing"], 50), 2),
        "landing_p95_s": round(_pct(results["landing"], 95), 2),
        "kernels_at_peak": len(kernels),
        "kernel_mb_mean": round(statistics.fmean(kernels)) if kernels else None,
        "load_1min_before": load[0],
        "load_1min_max": round(memory.load_max, 2),
        "load_1min_after": load[1],
        "error_list": results["errors"][:10],
    }


def _voila(launcher: int) -> psutil.Process:
    """The Voila server the launcher started (its child), whose children are the kernels."""
    return next((p for p in psutil.Process(launcher).children() if "voila" in " ".join(p.cmdline())), None)


def _quiet_pool(voila: psutil.Process, kernels: int, timeout: float) -> None:
    """Wait (bounded) until the pool holds ``kernels`` again, warm, and the server is quiet."""
    time.sleep(4)  # a closed page's kernel is shut down; the refill starts after voila.json's fill_delay
    wait_until_warm(voila.pid, kernels, timeout=timeout)


def check_browser(base: str, pid: int, options: argparse.Namespace, rounds: int = 3) -> dict:
    """One councillor at a time, protocol client and Chromium in turn on the same server: first screen each."""
    import aiohttp
    from voila_protocol import visit

    async def protocol_once() -> float:
        async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
            seen = await visit(http, base, options.app, options.page_timeout, changes=0)
        if seen.error:
            raise RuntimeError(seen.error)
        return seen.first_screen_s

    async def browser_once() -> float:
        from playwright.async_api import async_playwright

        async with async_playwright() as p:
            browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = await (await browser.new_context()).new_page()
            try:
                return await _first_widget(page, f"{base}voila/render/{options.app}", int(options.page_timeout * 1000))
            finally:
                await page.close(run_before_unload=True)  # the page's beforeunload shuts its kernel down
                await asyncio.sleep(0.5)
                await browser.close()

    voila = _voila(pid)
    kernels = len(kernel_processes(voila))
    timings: dict[str, list[float]] = {"protocol": [], "browser": []}
    failures: list[str] = []
    for _ in range(rounds):
        for name, once in (("protocol", protocol_once), ("browser", browser_once)):
            _quiet_pool(voila, kernels, 120)
            try:
                timings[name].append(asyncio.run(once()))
            except Exception as e:  # noqa: BLE001  (a failed page is counted, not fatal to the table)
                failures.append(f"{name}: {type(e).__name__}: {str(e)[:160]}")
    _quiet_pool(voila, kernels, 120)
    protocol = statistics.median(timings["protocol"]) if timings["protocol"] else float("nan")
    browser = statistics.median(timings["browser"]) if timings["browser"] else float("nan")
    return {
        "app": options.app,
        "protocol_first_screen_s": [round(t, 3) for t in timings["protocol"]],
        "browser_first_widget_s": [round(t, 3) for t in timings["browser"]],
        "protocol_median_s": round(protocol, 3),
        "browser_median_s": round(browser, 3),
        "drawing_s": round(browser - protocol, 3),
        "protocol_within_browser": protocol <= browser,
        "failures": failures,
        "load_1min": os.getloadavg()[0],
    }


def _hub_env(args: list[str]) -> dict[str, str]:
    """A hub setup's arguments are the hub's environment variables (``SV_HUB_...=value``) and ``--prestart``
    (the councillors' servers started before they arrive, by ``scripts/start_meeting.py``)."""
    return dict(a.split("=", 1) for a in args if "=" in a)


def run_protocol(options: argparse.Namespace) -> int:
    """The meeting table: every setup, target and N on a fresh server; print it and write --json."""
    rows, checks, setups = [], [], []
    for spec in options.setup:
        name, _, args = spec.partition("=")
        only, _, name = name.rpartition(":")
        name, _, commit = name.partition("@")
        setups.append((name, commit, args.split(), only or None))
    for name, commit, args, only in setups:
        repo = snapshot(commit) if commit else REPO
        try:
            for target in [t for t in options.targets if only in (None, t)]:
                for n in options.n:
                    load_before = os.getloadavg()[0]
                    if target == "voila":
                        server = launched_voila(args, repo, options.ready_timeout)
                    else:
                        hub_env = _hub_env(args)
                        if "--prestart" in args:  # the servers started ahead, as README's "Before a meeting"
                            hub_env["SV_HUB_MEETING_TOKEN"] = secrets.token_hex(16)
                        server = hub_server([f"councillor{i}" for i in range(n)], extra_env=hub_env, repo=repo)
                    with server as started:
                        pid, base = started[0] if target == "voila" else started[0].pid, started[1]
                        ready = started[2] if target == "voila" else None
                        if target == "hub" and "--prestart" in args:
                            from start_meeting import start_all

                            before = time.monotonic()
                            names = [f"councillor{i}" for i in range(n)]
                            start_all(base.rstrip("/"), hub_env["SV_HUB_MEETING_TOKEN"], names, 2, 600)
                            ready = time.monotonic() - before
                        if options.check_browser and target == "voila" and n == 1:
                            checks.append({"setup": name, **check_browser(base, pid, options)})
                        with MemorySampler(pid) as memory:
                            results = asyncio.run(_protocol_level(base, n, target == "hub", options))
                            time.sleep(1)
                    row = _protocol_row(name, target, n, results, memory, (load_before, os.getloadavg()[0]))
                    row["ready_s"] = round(ready, 1) if ready is not None else None
                    rows.append(row)
                    print(
                        f"{name:10} {target:5} N={n:<3} ok {row['ok']:>2} errors {row['errors']:>2}  first screen "
                        f"p50 {row['first_screen_p50_s']:6.2f} s p95 {row['first_screen_p95_s']:6.2f} s  redraw "
                        f"p50 {row['redraw_p50_ms']:6.0f} ms p95 {row['redraw_p95_ms']:6.0f} ms  peak "
                        f"{row['peak_mb']:>5} MB  load {row['load_1min_before']:.1f}/{row['load_1min_max']:.1f}",
                        flush=True,
                    )
                    for error in row["error_list"][:3]:
                        print(f"    error: {error}", flush=True)
        finally:
            if commit:
                shutil.rmtree(repo, ignore_errors=True)
    for check in checks:
        print(
            f"browser check ({check['setup']}, N = 1, {check['app']}): protocol {check['protocol_median_s']:.2f} s, "
            f"Chromium {check['browser_median_s']:.2f} s to first widget; the page's drawing "
            f"{check['drawing_s']:.2f} s",
            flush=True,
        )
    if options.json:
        document = {
            "app": options.app,
            "within_s": options.within,
            "cores": os.cpu_count(),
            "commit": subprocess.run(
                ["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], capture_output=True, text=True
            ).stdout.strip(),
            "setups": {
                name: {"commit": commit or "working tree", "args": args, "targets": [only] if only else options.targets}
                for name, commit, args, only in setups
            },
            "rows": rows,
            "browser_check": checks,
        }
        Path(options.json).write_text(json.dumps(document, indent=1) + "\n")
    # A setup named "before..." is the server as it was: its errors are the finding, not a failed benchmark.
    return 0 if all(r["errors"] == 0 for r in rows if not r["setup"].startswith("before")) else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, nargs="+", default=[5, 10, 20], help="concurrent councillors per run")
    parser.add_argument("--targets", nargs="+", choices=["voila", "hub"], default=["voila", "hub"])
    parser.add_argument("--max-n", type=int, default=20, help="refuse larger N (this is a small machine)")
    parser.add_argument("--page-timeout", type=float, default=240.0, help="seconds for one page to draw")
    parser.add_argument("--run-timeout", type=float, default=420.0, help="seconds for one run of N pages")
    parser.add_argument("--protocol", action="store_true", help="the server alone: councillors on the wire")
    parser.add_argument("--app", default="grant_allocation.ipynb", help="the one app every councillor opens")
    parser.add_argument("--within", type=float, default=10.0, help="seconds over which the N arrive (evenly)")
    parser.add_argument("--changes", type=int, default=1, help="changes of a control each councillor makes")
    parser.add_argument("--control", default=None, help="CSS class of the control changed (default: first sv- box)")
    parser.add_argument(
        "--setup",
        action="append",
        help="[TARGET:]NAME[@COMMIT]=ARGS: a server setup (serve_apps.py's extra arguments, or the hub's SV_HUB_ "
        "variables and --prestart)",
    )
    parser.add_argument("--ready-timeout", type=float, default=900.0, help="seconds for the server to be ready")
    parser.add_argument("--check-browser", action="store_true", help="at N = 1, compare with Chromium")
    parser.add_argument("--json", default=None, help="write the rows to this file")
    args = parser.parse_args()
    if max(args.n) > args.max_n:
        parser.error(f"N above --max-n {args.max_n}")
    if args.protocol:
        args.setup = args.setup or ["default="]
        # A stop (SIGTERM, a `timeout`) still closes every client and stops every server this run started.
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
        return run_protocol(args)
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
