"""Through ``make hub``, in a browser: officers prepare and share, councillors read what is shared; and ``make hub``
stopped with SIGTERM stops everything it started.

One hub, started the way a developer starts it (``make hub``, the Makefile's own recipe, with the lock's set-up
step treated as done), on free loopback ports, with the shared scenario store on a throwaway PostgreSQL server.
The officer and the councillor log in through the hub's form in Chromium and use the scoring app's Saved
scenarios panel. Last, ``make`` is sent SIGTERM and every process the hub started must be gone.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil
import pytest
import requests

from sv_helpers.core.paths import REPO_ROOT
from sv_helpers.store import open_store

pytestmark = pytest.mark.hub

PASSWORD = "hub-roles-password"
OFFICER, COUNCILLOR = "officer", "councillor"
APP = "social_value_scoring.ipynb"
RENDER_MS = 180_000
#: How long everything may take to stop after SIGTERM (the hub's own shutdown took 34 s before run_hub.py).
STOP_WITHIN_S = 40


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class MadeHub:
    """``make hub`` running: its URL, the make process, the store's address and every process it started."""

    def __init__(self, url: str, make: subprocess.Popen, state: Path, store_url: str):
        self.url, self.make, self.state, self.store_url = url, make, state, store_url
        self.started: dict[int, psutil.Process] = {}

    def note(self) -> None:
        try:
            for child in psutil.Process(self.make.pid).children(recursive=True):
                self.started.setdefault(child.pid, child)
        except psutil.NoSuchProcess:
            pass

    def running(self) -> list[psutil.Process]:
        out = []
        for p in self.started.values():
            try:
                if p.is_running() and p.status() != psutil.STATUS_ZOMBIE:
                    out.append(p)
            except psutil.NoSuchProcess:
                continue
        return out

    def log(self) -> str:
        return (self.state / "hub.log").read_text(errors="replace")


@pytest.fixture(scope="module")
def made_hub(postgresql_server):
    if shutil.which("configurable-http-proxy") is None:
        pytest.fail("JupyterHub's proxy is missing: run `bash scripts/ensure-hub-proxy.sh` (make test does).")
    import psycopg

    name = f"sv_hub_roles_{os.getpid()}"
    with psycopg.connect(postgresql_server.replace("+psycopg", "") + "/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    store_url = f"{postgresql_server}/{name}"
    state = Path(tempfile.mkdtemp(prefix="sv-hub-roles-"))
    port = _free_port()
    venv = Path(sys.executable).parent.parent
    env = {
        **os.environ,
        "SV_HUB_AUTHENTICATOR": "dev",
        "SV_HUB_SPAWNER": "simple",
        "SV_HUB_DEV_PASSWORD": PASSWORD,
        "SV_HUB_OFFICERS": OFFICER,
        "SV_HUB_COUNCILLORS": COUNCILLOR,
        "SV_HUB_STATE_DIR": str(state),
        "SV_HUB_API_PORT": str(_free_port()),
        "SV_HUB_PROXY_API_PORT": str(_free_port()),
        "SV_STORE_URL": store_url,
    }
    for variable in ("JUPYTERHUB_USER", "SV_USER_GROUPS", "SV_USER_HEADER", "SV_OFFICER_GROUPS"):
        env.pop(variable, None)
    # The Makefile's own recipe; `-o` treats the venv's set-up as done, so a test never reinstalls packages.
    command = ["make", "--no-print-directory", "-o", f"{venv}/.installed", "hub", f"VENV={venv}", f"HUB_PORT={port}"]
    with open(state / "hub.log", "wb") as log:
        make = subprocess.Popen(command, cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    hub = MadeHub(f"http://127.0.0.1:{port}", make, state, store_url)
    try:
        deadline = time.monotonic() + 180
        while True:
            assert make.poll() is None, f"make hub exited:\n{hub.log()[-3000:]}"
            try:
                if requests.get(f"{hub.url}/hub/api/", timeout=2).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            assert time.monotonic() < deadline, f"the hub did not start:\n{hub.log()[-3000:]}"
            time.sleep(0.5)
        yield hub
    finally:
        hub.note()
        if make.poll() is None:
            make.send_signal(signal.SIGTERM)
            try:
                make.wait(timeout=60)
            except subprocess.TimeoutExpired:
                make.kill()
        left = hub.running()
        for p in left:
            p.terminate()
        psutil.wait_procs(left, timeout=10)
        shutil.rmtree(state, ignore_errors=True)


def _log_in(browser, hub: MadeHub, name: str):
    """A browser context logged in as ``name`` through the hub's form, with the user's server started."""
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{hub.url}/hub/login", timeout=RENDER_MS)
    page.fill("#username_input", name)
    page.fill("#password_input", PASSWORD)
    page.click("#login_submit")
    page.wait_for_url(re.compile(rf".*/user/{name}/.*"), timeout=RENDER_MS)  # the hub starts the server
    hub.note()
    page.close()
    return context


def _app_path(name: str) -> str:
    return f"voila/render/notebooks/{APP}" if name == OFFICER else f"voila/render/{APP}"


def _open_app(context, hub: MadeHub, name: str, query: str = ""):
    page = context.new_page()
    page.goto(f"{hub.url}/user/{name}/{_app_path(name)}{query}", wait_until="commit", timeout=RENDER_MS)
    page.wait_for_selector("#loading", state="detached", timeout=RENDER_MS)
    page.wait_for_selector(".sv-headline", state="visible", timeout=RENDER_MS)
    hub.note()
    return page


def _options(page) -> list[str]:
    return page.eval_on_selector_all(
        ".sv-store-list option", "els => els.map(o => o.textContent.replace(/\\u00a0/g, ' '))"
    )


def _message(page) -> str:
    return page.inner_text(".sv-store-message") if page.locator(".sv-store-message").count() else ""


def test_officers_share_councillors_read_and_refusals_are_written_down(made_hub, browser):
    hub = made_hub
    officer = _log_in(browser, hub, OFFICER)
    councillor = _log_in(browser, hub, COUNCILLOR)

    page = _open_app(officer, hub, OFFICER)
    headline = page.inner_text(".sv-headline").strip()
    box = page.locator(".sv-store-name input").first
    box.fill("Hub draft for the panel")
    box.press("Tab")
    page.click(".sv-store-save")
    try:
        page.wait_for_function(
            "() => [...document.querySelectorAll('.sv-store-list option')]"
            ".some(o => o.textContent.replace(/\\u00a0/g, ' ').includes('Hub draft'))",
            timeout=120_000,
        )
    except Exception:
        raise AssertionError(f"not saved; the panel says: {_message(page)!r}\n{hub.log()[-3000:]}") from None
    assert any(o.startswith("Hub draft for the panel — officer") and o.endswith("(draft)") for o in _options(page))
    link = page.locator(".sv-store-details a[href*='scenario=']").first
    scenario_id = re.search(r"scenario=([0-9a-f]+)", link.get_attribute("href")).group(1)

    # The councillor: no saving or deciding controls, the draft not listed, and its link refused plainly.
    cpage = _open_app(councillor, hub, COUNCILLOR, f"?scenario={scenario_id}")
    cpage.wait_for_function(
        "() => (document.querySelector('.sv-store-message') || {}).innerText?.includes('has not been shared')",
        timeout=60_000,
    )
    assert "Please ask officer, or another officer, to share it." in _message(cpage)
    assert cpage.locator(".sv-store-role").is_visible()
    assert not cpage.locator(".sv-store-save").is_visible() and not cpage.locator(".sv-store-decide").is_visible()
    assert not any("Hub draft" in o for o in _options(cpage))
    assert "Traceback" not in cpage.content()
    cpage.close()

    # The officer shares it; now the councillor lists it and opens it by its link.
    page.click(".sv-store-share")
    page.wait_for_selector(".sv-store-shared", state="visible", timeout=60_000)
    assert "Shared with councillors by officer" in page.inner_text(".sv-store-details")
    page.close()
    cpage = _open_app(councillor, hub, COUNCILLOR, f"?scenario={scenario_id}")
    cpage.wait_for_function(
        "() => (document.querySelector('.sv-store-message') || {}).innerText?.includes('Opened')", timeout=60_000
    )
    assert cpage.inner_text(".sv-headline").strip() == headline
    assert any(o.startswith("Hub draft for the panel — officer") for o in _options(cpage))
    assert not cpage.locator(".sv-store-decide").is_visible()
    cpage.close()
    officer.close()
    councillor.close()

    with open_store(hub.store_url) as store:
        trail = [(e["action"], e["user"], e["scenario_id"]) for e in store.audit_log()]
        assert trail == [
            ("save", OFFICER, scenario_id),
            ("refused", COUNCILLOR, scenario_id),
            ("share", OFFICER, scenario_id),
            ("open", COUNCILLOR, scenario_id),
        ]
        assert store.verify() == []


def test_make_hub_stopped_with_sigterm_stops_everything_it_started(made_hub):
    hub = made_hub
    hub.note()
    names = " ".join(" ".join(p.cmdline()) for p in hub.running())
    for part in ("run_hub.py", "jupyterhub -f", "configurable-http-proxy", "jupyterhub_idle_culler"):
        assert part in names, f"{part} is not running: {names}"
    assert names.count("jupyterhub-singleuser") == 2, "both users' servers run (the test above started them)"
    started = time.monotonic()
    hub.make.send_signal(signal.SIGTERM)
    while hub.running() and time.monotonic() - started < STOP_WITHIN_S:
        hub.note()
        time.sleep(0.5)
    left = [" ".join(p.cmdline())[:120] for p in hub.running()]
    assert left == [], f"still running {time.monotonic() - started:.0f} s after SIGTERM: {left}"
    print(f"everything stopped {time.monotonic() - started:.1f} s after SIGTERM")
