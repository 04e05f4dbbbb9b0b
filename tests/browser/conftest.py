"""Browser-test harness: one Voila server for the session, driven by Playwright in Debian's Chromium.

Fixtures
--------
voila_url : str
    Base URL of a Voila server serving ``notebooks/`` with the repository's
    ``voila.json`` and template, on a free local port.
browser : playwright Browser
    Headless Chromium (``/usr/bin/chromium`` or ``$SV_CHROMIUM``).
open_app : callable
    ``open_app("grant_allocation.ipynb", query="budget=60000", ready=".sv-app")``
    opens a page, waits until Voila has rendered (``#loading`` detached) and
    the ``ready`` selector is visible, and returns an :class:`AppPage`.

Every page records console errors, page errors and any request to a host
other than the Voila server (those requests are blocked, as a council
network might).
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.error import URLError
from urllib.request import urlopen

import pytest

REPO = Path(__file__).resolve().parents[2]
#: How long a page may take to render before a test fails (generous: CI machines are slow).
RENDER_TIMEOUT_MS = 90_000
#: WCAG tags axe runs: 2.0, 2.1 and 2.2 at levels A and AA.
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
#: Text that means an error reached the screen.
ERROR_PATTERNS = re.compile(
    r"Traceback \(most recent call last\)|There was an error when executing cell|Error in cell|\w+Error: "
)


def pytest_collection_modifyitems(items):
    """Every test here is a browser test. None is run again when it fails: a test that passes on a second try
    is a fault in the test or the app, so each waits for a condition on the page, never for a time."""
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_http(url: str, timeout: float, proc: subprocess.Popen) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"Voila exited early with code {proc.returncode}")
        try:
            with urlopen(url, timeout=2):
                return
        except (URLError, ConnectionError, TimeoutError):
            time.sleep(0.2)
    raise TimeoutError(f"Voila did not answer at {url} within {timeout} s")


@contextlib.contextmanager
def voila_process(target: str, cwd: Path, log_path: Path, *, stop_timeout: float = 15):
    """Serve ``target`` (a folder or notebook, relative to ``cwd``) with Voila on a free port: ``(proc, url)``.

    Voila reads ``voila.json`` from ``cwd``; its output goes to ``log_path`` (printed at the end when
    ``SV_SHOW_VOILA_LOG`` is set). The server is stopped, and killed if it will not stop, on leaving.
    """
    port = _free_port()
    env = {
        **os.environ,
        "JUPYTER_PATH": str(REPO / "share" / "jupyter"),
        "MPLBACKEND": "Agg",
        "PYDEVD_DISABLE_FILE_VALIDATION": "1",
    }
    voila = shutil.which("voila", path=str(Path(sys.executable).parent)) or "voila"
    log = open(log_path, "w")
    proc = subprocess.Popen(
        [voila, f"--port={port}", "--no-browser", "--Voila.ip=127.0.0.1", target],
        cwd=cwd,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        _wait_http(url, 60, proc)
        yield proc, url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=stop_timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
        if os.environ.get("SV_SHOW_VOILA_LOG"):
            print(log_path.read_text())


@pytest.fixture(scope="session")
def voila_url(tmp_path_factory):
    with voila_process("notebooks/", REPO, tmp_path_factory.mktemp("voila") / "voila.log") as (_, url):
        yield url


@dataclass
class AppPage:
    """A rendered app page and what it logged."""

    page: object
    url: str
    console_errors: list[str] = field(default_factory=list)
    outside_requests: list[str] = field(default_factory=list)
    seconds_to_ready: float = 0.0

    def text(self) -> str:
        return self.page.inner_text("body")


@pytest.fixture
def open_app(browser, voila_url):
    contexts = []

    def _open(notebook: str, query: str = "", ready: str = ".sv-app", viewport=(1280, 900)) -> AppPage:
        context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]}, accept_downloads=True)
        contexts.append(context)
        page = context.new_page()
        url = f"{voila_url}voila/render/{notebook}" + (f"?{query}" if query else "")
        app = AppPage(page=page, url=url)
        host = f"127.0.0.1:{voila_url.rsplit(':', 1)[1].strip('/')}"

        def route(r):
            req_url = r.request.url
            if req_url.startswith(("data:", "blob:")) or f"//{host}" in req_url:
                r.continue_()
            else:
                app.outside_requests.append(req_url)
                r.abort()

        page.route("**/*", route)
        page.on("console", lambda m: app.console_errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: app.console_errors.append(str(e)))
        start = time.perf_counter()
        page.goto(url, wait_until="commit", timeout=RENDER_TIMEOUT_MS)
        wait_rendered(page, ready)
        app.seconds_to_ready = time.perf_counter() - start
        return app

    yield _open
    for c in contexts:
        c.close()


def reflow_to(page, width: int, height: int = 800) -> None:
    """Narrow the window and wait until the page has been laid out again at that width (two animation frames)."""
    page.set_viewport_size({"width": width, "height": height})
    page.wait_for_function("(w) => window.innerWidth === w", arg=width)
    page.evaluate("() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")


def wait_rendered(page, ready: str = ".sv-app") -> None:
    """Wait until Voila has executed the notebook and the ``ready`` element is visible."""
    page.wait_for_selector("#loading", state="detached", timeout=RENDER_TIMEOUT_MS)
    page.wait_for_selector(ready, state="visible", timeout=RENDER_TIMEOUT_MS)


def assert_clean(app: AppPage) -> None:
    """No error text on screen, no console errors, no request to any other server."""
    text = app.text()
    match = ERROR_PATTERNS.search(text)
    assert match is None, f"error text on the page: {text[max(0, match.start() - 200) : match.end() + 200]!r}"
    assert app.outside_requests == [], f"requests to outside servers: {app.outside_requests}"
    real_errors = [e for e in app.console_errors if "favicon" not in e]
    assert real_errors == [], f"console errors: {real_errors}"


def axe_violations(app: AppPage, exclude: list[str] | None = None) -> list[dict]:
    """Run axe-core for WCAG 2.2 AA and return the violations (each with its nodes' targets)."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(app.page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
    violations = results.response["violations"]
    return [
        {"id": v["id"], "impact": v["impact"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in violations
        if v["id"] not in (exclude or [])
    ]


@pytest.fixture
def clean():
    return assert_clean


@pytest.fixture
def axe():
    return axe_violations
