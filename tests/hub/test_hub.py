"""The workbook served by JupyterHub: officers get JupyterLab, councillors get the apps and nothing else.

One hub for the module (deploy/jupyterhub/jupyterhub_config.py, development log-in) on free loopback ports,
with its database, cookie secret and users' homes in a temporary folder and a short idle-culling timeout.
Everything it starts (hub, proxy, culler, single-user servers, kernels) is stopped at the end, even on failure.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import psutil
import pytest
import requests
import websocket

from sv_helpers.core.paths import REPO_ROOT

pytestmark = pytest.mark.hub

CONFIG = REPO_ROOT / "deploy" / "jupyterhub" / "jupyterhub_config.py"
PASSWORD = "hub-test-password"
OFFICER, COUNCILLOR, RESTING = "officer", "councillor", "resting-councillor"
STORE_URL = "postgresql+psycopg://workbook@127.0.0.1:5432/workbook"  # never connected to here; passed through
CULL_TIMEOUT_S = 20
APP = "social_value_scoring.ipynb"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Hub:
    """A running hub: its base URL, process and state folder."""

    def __init__(self, url: str, process: subprocess.Popen, state: Path):
        self.url, self.process, self.state = url, process, state
        self.started: dict[int, psutil.Process] = {}  # every process the hub started, to stop any it leaves
        self.sessions: dict[str, requests.Session] = {}  # one logged-in session per user

    def log(self) -> str:
        return (self.state / "hub.log").read_text(errors="replace")

    def login(self, name: str, password: str = PASSWORD) -> requests.Session:
        """Log in through the hub's form, as a browser does; return the session holding the cookies."""
        session = requests.Session()
        form = session.get(f"{self.url}/hub/login", timeout=30)
        xsrf = re.search(r'name="_xsrf" value="([^"]+)"', form.text).group(1)
        session.post(
            f"{self.url}/hub/login?next=",
            data={"username": name, "password": password, "_xsrf": xsrf},
            timeout=60,
        )
        return session

    def spawn(self, session: requests.Session, name: str) -> None:
        """Ask the hub to start the user's server (as the hub's home page does); do not wait for it."""
        session.get(f"{self.url}/hub/spawn/{name}", timeout=60, allow_redirects=False)

    def open(self, session: requests.Session, name: str, path: str = "", timeout: float = 180) -> requests.Response:
        """GET /user/<name>/<path> once the user's server is up (starting it if it is not).

        Asks again every few seconds while the server is not running: on a loaded machine the culler may be
        stopping it (it was idle), and a start asked for during a stop is dropped.
        """
        deadline = time.monotonic() + timeout
        next_spawn = 0.0
        while True:
            if time.monotonic() >= next_spawn:
                self.spawn(session, name)
                next_spawn = time.monotonic() + 5
            # The server's root answers with a redirect to its default page: return that redirect.
            response = session.get(f"{self.url}/user/{name}/{path}", timeout=120, allow_redirects=path != "")
            if path == "" and response.status_code == 302 and "/hub/" not in response.headers["Location"]:
                return response
            if path != "" and response.status_code == 200 and f"/user/{name}/" in response.url:
                return response
            if time.monotonic() > deadline:
                raise AssertionError(f"{name}'s server did not answer {path!r}: {response.status_code} {response.url}")
            time.sleep(0.5)

    def hub_api(self, session: requests.Session, path: str) -> dict:
        """GET a hub API path with the session's log-in cookie (and its XSRF token, as the hub's pages send)."""
        xsrf = session.cookies.get("_xsrf", path="/hub/") or ""
        response = session.get(f"{self.url}/hub/api/{path}", headers={"X-XSRFToken": xsrf}, timeout=30)
        response.raise_for_status()
        return response.json()


@pytest.fixture(scope="module")
def hub():
    if shutil.which("configurable-http-proxy") is None:
        pytest.fail("JupyterHub's proxy is missing: run `bash scripts/ensure-hub-proxy.sh` (make test does).")
    state = Path(tempfile.mkdtemp(prefix="sv-hub-test-"))
    port = _free_port()
    env = {
        **os.environ,
        "SV_HUB_AUTHENTICATOR": "dev",
        "SV_HUB_SPAWNER": "simple",
        "SV_HUB_DEV_PASSWORD": PASSWORD,
        "SV_HUB_OFFICERS": OFFICER,
        "SV_HUB_COUNCILLORS": f"{COUNCILLOR},{RESTING}",
        "SV_HUB_STATE_DIR": str(state),
        "SV_HUB_PORT": str(port),
        "SV_HUB_API_PORT": str(_free_port()),
        "SV_HUB_PROXY_API_PORT": str(_free_port()),
        "SV_HUB_CULL_TIMEOUT": str(CULL_TIMEOUT_S),
        "SV_HUB_CULL_EVERY": "2",
        "SV_HUB_ACTIVITY_INTERVAL": "2",
        "SV_STORE_URL": STORE_URL,
    }
    jupyterhub = str(Path(sys.executable).parent / "jupyterhub")
    with open(state / "hub.log", "wb") as log:
        process = subprocess.Popen(
            [jupyterhub, "-f", str(CONFIG)], cwd=state, env=env, stdout=log, stderr=subprocess.STDOUT
        )
    running = Hub(f"http://127.0.0.1:{port}", process, state)
    try:
        deadline = time.monotonic() + 180  # generous: a loaded 2-core machine takes ~50 s
        while True:
            assert process.poll() is None, f"the hub exited:\n{running.log()[-3000:]}"
            try:
                if requests.get(f"{running.url}/hub/api/", timeout=2).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            assert time.monotonic() < deadline, f"the hub did not start:\n{running.log()[-3000:]}"
            time.sleep(0.3)
        # Start the three servers at once; the resting councillor's then idles until the culler stops it.
        running.sessions = {name: running.login(name) for name in (OFFICER, COUNCILLOR, RESTING)}
        for name, session in running.sessions.items():
            running.spawn(session, name)
        yield running
    finally:
        _stop(process, running.started)
        shutil.rmtree(state, ignore_errors=True)


def _server_env(hub: Hub, name: str) -> dict[str, str]:
    """The environment of ``name``'s single-user server (noting every process the hub has started so far)."""
    for child in psutil.Process(hub.process.pid).children(recursive=True):
        hub.started.setdefault(child.pid, child)
    for p in hub.started.values():
        try:
            if "jupyterhub-singleuser" in " ".join(p.cmdline()) and p.environ().get("JUPYTERHUB_USER") == name:
                return p.environ()
        except psutil.NoSuchProcess:
            continue
    raise AssertionError(f"no running server for {name}")


def _stop(process: subprocess.Popen, started: dict[int, psutil.Process]) -> None:
    try:
        for child in psutil.Process(process.pid).children(recursive=True):
            started.setdefault(child.pid, child)
    except psutil.NoSuchProcess:
        pass
    process.terminate()  # the hub stops the proxy and every single-user server (cleanup_servers)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)
    alive = [p for p in started.values() if p.is_running()]
    for p in alive:
        p.terminate()
    _, alive = psutil.wait_procs(alive, timeout=10)
    for p in alive:
        p.kill()


def _kernel_id(html: str) -> str:
    return re.search(r'"kernelId": "([0-9a-f-]{36})"', html).group(1)


def _kernel_replies(hub: Hub, session: requests.Session, name: str, kernel_id: str, msg_type: str) -> list[str]:
    """Send one message on the kernel's websocket as a hand-written client would; return reply types seen in 3 s."""
    ws_url = hub.url.replace("http://", "ws://") + f"/user/{name}/api/kernels/{kernel_id}/channels"
    cookie = "; ".join(f"{c.name}={c.value}" for c in session.cookies)
    ws = websocket.create_connection(ws_url, header=[f"Cookie: {cookie}"], timeout=10)
    try:
        msg_id = uuid.uuid4().hex
        content = {"code": "import os; os.getpid()", "silent": False} if msg_type == "execute_request" else {}
        header = {
            "msg_id": msg_id,
            "msg_type": msg_type,
            "username": name,
            "session": uuid.uuid4().hex,
            "version": "5.3",
            "date": "2026-01-01T00:00:00Z",
        }
        ws.send(
            json.dumps(
                {
                    "header": header,
                    "parent_header": {},
                    "metadata": {},
                    "content": content,
                    "channel": "shell",
                    "buffers": [],
                }
            )
        )
        replies, deadline = [], time.monotonic() + 3
        ws.settimeout(1)
        while time.monotonic() < deadline:
            try:
                message = json.loads(ws.recv())
            except websocket.WebSocketTimeoutException:
                continue
            if message.get("parent_header", {}).get("msg_id") == msg_id and message["channel"] == "shell":
                replies.append(message["header"]["msg_type"])
                break
        return replies
    finally:
        ws.close()


def _is_the_app(page: str) -> bool:
    """The scoring app's page: its title, a widget view (the app), and no error."""
    return (
        "Score tenders for social value" in page
        and "application/vnd.jupyter.widget-view+json" in page
        and "Traceback" not in page
        and "could not be shown" not in page
    )


def test_a_wrong_password_is_refused(hub):
    session = hub.login(COUNCILLOR, password="not-the-password")
    assert session.get(f"{hub.url}/user/{COUNCILLOR}/voila/render/{APP}", timeout=30).url.startswith(
        f"{hub.url}/hub/login"
    )


def test_officer_gets_jupyterlab_and_the_apps(hub):
    session = hub.sessions[OFFICER]
    landing = hub.open(session, OFFICER)
    assert landing.headers["Location"].split("?")[0].endswith(f"/user/{OFFICER}/lab/tree/notebooks/index.ipynb")
    lab = hub.open(session, OFFICER, "lab")
    assert "<title>JupyterLab</title>" in lab.text
    app = hub.open(session, OFFICER, f"voila/render/notebooks/{APP}")
    assert _is_the_app(app.text)
    xsrf = session.cookies.get("_xsrf", path=f"/user/{OFFICER}/")
    started = session.post(f"{hub.url}/user/{OFFICER}/api/kernels", headers={"X-XSRFToken": xsrf}, timeout=60)
    assert started.status_code == 201, "an officer can start a kernel (so a councillor's 403 below is the policy)"
    session.delete(f"{hub.url}/user/{OFFICER}/api/kernels/{started.json()['id']}", headers={"X-XSRFToken": xsrf})
    assert _kernel_replies(hub, session, OFFICER, _kernel_id(app.text), "execute_request") == ["execute_reply"]
    env = _server_env(hub, OFFICER)
    assert env["SV_STORE_URL"] == STORE_URL, "saved scenarios go to the shared store"
    assert env["SV_HUB_ROLE"] == "officer"
    assert (env["SV_USER_GROUPS"], env["SV_OFFICER_GROUPS"]) == ("officers", "officers"), "the store's roles"
    assert env["MEM_LIMIT"] == str(2 * 1024**3), "an officer's server may use 2 GB (enforced by TLJH and Kubernetes)"


@pytest.fixture(scope="module")
def councillor_app(hub) -> requests.Response:
    """The scoring app's page as a councillor sees it (their server started if need be)."""
    return hub.open(hub.sessions[COUNCILLOR], COUNCILLOR, f"voila/render/{APP}")


def test_councillor_gets_the_apps(hub, councillor_app):
    landing = hub.open(hub.sessions[COUNCILLOR], COUNCILLOR)
    assert landing.headers["Location"].split("?")[0].endswith(f"/user/{COUNCILLOR}/voila/render/index.ipynb")
    assert _is_the_app(councillor_app.text)
    assert '"fullMathjaxUrl": null' in councillor_app.text, "the app page must not load MathJax from another site"
    env = _server_env(hub, COUNCILLOR)
    assert env["SV_STORE_URL"] == STORE_URL, "saved scenarios go to the shared store"
    assert env["SV_HUB_ROLE"] == "councillor"
    assert (env["SV_USER_GROUPS"], env["SV_OFFICER_GROUPS"]) == ("councillors", "officers"), "the store's roles"
    assert env["MEM_LIMIT"] == str(1024**3), "a councillor's server may use 1 GB (enforced by TLJH and Kubernetes)"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "lab"),
        ("GET", "lab/tree/social_value_scoring.ipynb"),
        ("GET", "tree"),
        ("GET", "api/contents"),
        ("GET", f"api/contents/{APP}"),
        ("PUT", "api/contents/new.ipynb"),
        ("GET", f"files/{APP}"),
        ("GET", "terminals/1"),
        ("GET", "api/terminals"),
        ("POST", "api/terminals"),
        ("GET", "api/kernels"),
        ("POST", "api/kernels"),
        ("GET", "api/sessions"),
        ("POST", "api/sessions"),
        ("GET", "api/kernelspecs"),
        ("GET", f"nbconvert/script/{APP}"),
    ],
)
def test_councillor_cannot_reach_code(hub, councillor_app, method, path):
    session = hub.sessions[COUNCILLOR]
    xsrf = session.cookies.get("_xsrf", path=f"/user/{COUNCILLOR}/") or ""
    response = session.request(
        method,
        f"{hub.url}/user/{COUNCILLOR}/{path}",
        headers={"X-XSRFToken": xsrf},
        json={},
        timeout=30,
        allow_redirects=False,
    )
    assert response.status_code in {403, 404}, f"{method} {path}: {response.status_code} {response.text[:200]}"


def test_councillor_cannot_run_code_in_the_apps_kernel(hub, councillor_app):
    session = hub.sessions[COUNCILLOR]
    kernel_id = _kernel_id(councillor_app.text)
    assert _kernel_replies(hub, session, COUNCILLOR, kernel_id, "kernel_info_request") == ["kernel_info_reply"]
    assert _kernel_replies(hub, session, COUNCILLOR, kernel_id, "execute_request") == []


def test_an_idle_server_is_stopped(hub):
    session = hub.sessions[RESTING]  # logged in and started with the hub, then left alone
    deadline = time.monotonic() + CULL_TIMEOUT_S + 180  # spawning may be slow on a loaded machine
    while hub.hub_api(session, "user")["servers"]:
        assert time.monotonic() < deadline, f"the idle server was not culled:\n{hub.log()[-2000:]}"
        time.sleep(1)
    assert f"Culling server {RESTING}" in hub.log()
