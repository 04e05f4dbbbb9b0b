"""Idle kernels are culled: pages opened and closed leave only the pool running, and an open page is never cut off.

A Voila server of its own serves the scoring app with the repository's ``voila.json``, only its two cull
times shortened (``cull_idle_timeout`` 5 s, ``cull_interval`` 2 s) so the test takes under a minute; every
other setting (the pool, ``cull_connected``, ``cull_busy``) is the repository's.
"""

from __future__ import annotations

import json
import re
import sys
import time

import psutil
import pytest
from conftest import REPO, voila_process, wait_rendered

sys.path.insert(0, str(REPO / "scripts"))

from serve_apps import expected_kernels, kernel_ids, wait_until_warm  # noqa: E402

APP = REPO / "notebooks" / "social_value_scoring.ipynb"
CULL_IDLE_TIMEOUT_S = 5
CULL_INTERVAL_S = 2
PAGES = 3


def _culling_server(tmp_path, app):
    config = json.loads((REPO / "voila.json").read_text())
    culling = config.setdefault("MappingKernelManager", {})
    if culling.get("cull_idle_timeout", 0) > 0:  # culling stays off if the repository turned it off
        culling["cull_idle_timeout"] = CULL_IDLE_TIMEOUT_S
        culling["cull_interval"] = CULL_INTERVAL_S
    (tmp_path / "voila.json").write_text(json.dumps(config))
    with voila_process(str(app), tmp_path, tmp_path / "voila.log", stop_timeout=20) as (
        proc,
        url,
    ):  # reads voila.json here
        pool = expected_kernels(app, tmp_path / "voila.json")
        assert wait_until_warm(proc, pool, timeout=90) is not None, "the pool did not warm up within 90 s"
        yield proc, url, pool


@pytest.fixture
def culling_server(tmp_path):
    """Voila serving the scoring app with the repository's configuration, cull times shortened."""
    yield from _culling_server(tmp_path, APP)


@pytest.fixture
def culling_landing_server(tmp_path):
    """The same, serving the landing page: a notebook that never asks for the page's address, so nothing
    runs in its kernel between the pool and the page."""
    yield from _culling_server(tmp_path, REPO / "notebooks" / "index.ipynb")


def _open(browser, url: str):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    sockets: list[str] = []
    page.on("websocket", lambda ws: sockets.append(ws.url))
    page.goto(url, wait_until="commit")
    wait_rendered(page, ".sv-app")
    ids = [m.group(1) for u in sockets if (m := re.search(r"/api/kernels/([0-9a-f-]{36})/channels", u))]
    assert ids, "the page opened no kernel websocket"
    return context, ids[-1]


def test_closed_pages_kernels_are_culled_back_to_the_pool_and_open_pages_are_kept(browser, culling_server):
    proc, url, pool = culling_server
    server = psutil.Process(proc.pid)
    assert pool == 1
    pooled = set(kernel_ids(server))
    opened = [_open(browser, url) for _ in range(PAGES)]
    page_kernels = {kernel_id for _, kernel_id in opened}
    assert len(page_kernels) == PAGES, "each page has a kernel of its own"

    # A councillor reading an open page is never cut off: well past the idle timeout, every page's kernel runs.
    time.sleep(CULL_IDLE_TIMEOUT_S + 2 * CULL_INTERVAL_S)
    running = set(kernel_ids(server))
    assert page_kernels <= running, f"kernels of open pages were shut down: {page_kernels - running}"
    assert len(running) >= PAGES + pool

    for context, _ in opened:
        context.close()  # the page's websocket disconnects, as when a tab is closed
    deadline = time.monotonic() + CULL_IDLE_TIMEOUT_S + 3 * CULL_INTERVAL_S + 30
    while time.monotonic() < deadline and page_kernels & set(kernel_ids(server)):
        time.sleep(0.5)
    left = page_kernels & set(kernel_ids(server))
    assert not left, f"{len(left)} closed pages' kernels still running after the cull interval"
    assert wait_until_warm(proc, pool, timeout=60) is not None  # the pool's refill has run its notebook
    running = set(kernel_ids(server))
    assert len(running) <= pool, f"{len(running)} kernels running, the pool holds {pool}"
    assert running - pooled, "the pool was refilled with a new kernel after the pages took its kernels"


def test_a_page_opened_long_after_its_kernel_was_preheated_keeps_its_kernel(browser, culling_landing_server):
    """A pooled kernel is idle from the moment its notebook has run. Handed to a page more than the idle
    timeout later (a councillor opening the workbook an hour after ``make app``), it must survive the
    seconds between leaving the pool and the page's scripts asking for it. On a busy CI machine the
    culler shut it down in that gap and the page logged "The model for kernel id ... does not exist"."""
    proc, url, pool = culling_landing_server
    server = psutil.Process(proc.pid)
    time.sleep(CULL_IDLE_TIMEOUT_S + CULL_INTERVAL_S)  # the pooled kernel is now older than the idle timeout
    errors: list[str] = []
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)

    def slow_scripts(route):  # a busy machine: the page's scripts arrive after more than a cull interval
        time.sleep(CULL_INTERVAL_S + 1)
        route.continue_()

    page.route(re.compile(r".*/voila/static/voila\.js.*"), slow_scripts)
    sockets: list[str] = []
    page.on("websocket", lambda ws: sockets.append(ws.url))
    page.goto(url, wait_until="commit")
    wait_rendered(page, "h1")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not sockets and not errors:
        page.wait_for_timeout(200)
    assert [e for e in errors if "favicon" not in e] == [], f"console errors: {errors}"
    ids = [m.group(1) for u in sockets if (m := re.search(r"/api/kernels/([0-9a-f-]{36})/channels", u))]
    assert ids, "the page opened no kernel websocket"
    time.sleep(2 * CULL_INTERVAL_S)
    assert ids[-1] in set(kernel_ids(server)), "the page's kernel was shut down under it"
    context.close()
