"""Shared fixtures: a private scenario store, a throwaway PostgreSQL server, and the store's test area.

The server runs from a temporary folder (``initdb -A trust``), on a free port
and a private socket folder, as the ``postgres`` user when the tests run as
root; it is stopped when the session ends, whether the tests passed or not.
``make test`` installs the server programs first (``scripts/ensure-postgresql.sh``);
without them the PostgreSQL half of the store's tests is skipped, saying why.
"""

from __future__ import annotations

import glob
import itertools
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import pytest


def _pg_bin() -> Path | None:
    given = os.environ.get("SV_PG_BIN")
    candidates = [given] if given else sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)
    for folder in candidates:
        if folder and (Path(folder) / "initdb").exists() and (Path(folder) / "pg_ctl").exists():
            return Path(folder)
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def postgresql_server():
    """The address of a throwaway PostgreSQL server (``postgresql+psycopg://postgres@127.0.0.1:PORT``)."""
    bin_dir = _pg_bin()
    if bin_dir is None:
        pytest.skip("PostgreSQL's server programs are not installed (run 'make setup-postgresql').")
    root = Path(tempfile.mkdtemp(prefix="sv-pg-"))
    data, sockets = root / "data", root / "sock"
    sockets.mkdir()
    as_user: list[str] = []
    if os.geteuid() == 0:
        shutil.chown(root, "postgres")
        shutil.chown(sockets, "postgres")
        as_user = ["runuser", "-u", "postgres", "--"]
    port = _free_port()

    def run(*args: str) -> None:
        subprocess.run([*as_user, *args], check=True, capture_output=True, timeout=120)

    run(str(bin_dir / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres", "--no-sync")
    options = f"-k {sockets} -p {port} -h 127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    try:
        run(str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(root / "log"), "-o", options, "-w", "start")
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}"
    finally:
        subprocess.run(
            [*as_user, str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"],
            capture_output=True,
            timeout=120,
        )
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session", autouse=True)
def private_store(tmp_path_factory):
    """Tests never write to the workbook's own store: ``SV_STORE_URL`` points at a temporary one.

    Set before any other fixture starts a server, so apps served to the browser tests use it too.
    """
    given = os.environ.get("SV_STORE_URL")
    url = f"sqlite:///{tmp_path_factory.mktemp('store') / 'workbook.sqlite'}"
    os.environ["SV_STORE_URL"] = url
    yield url
    if given is None:
        os.environ.pop("SV_STORE_URL", None)
    else:
        os.environ["SV_STORE_URL"] = given


_databases = itertools.count()


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request, tmp_path):
    """A new, empty store's address: a SQLite file, or a fresh database on the throwaway server."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'workbook.sqlite'}"
    server = request.getfixturevalue("postgresql_server")
    name = f"sv_test_{os.getpid()}_{next(_databases)}"
    import psycopg

    with psycopg.connect(server.replace("postgresql+psycopg", "postgresql") + "/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"{server}/{name}"


@pytest.fixture
def store_area():
    """The store's test area (``tests/store_area.py``), registered as one of the workbook's areas."""
    import store_area as module

    from sv_helpers.core import scenario

    before = dict(scenario.AREAS)
    module.register()
    yield module
    scenario.AREAS.clear()
    scenario.AREAS.update(before)


# --------------------------------------------------------------------------- one browser for the whole run

CHROMIUM = os.environ.get("SV_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--disable-dev-shm-usage",
]


@pytest.fixture(scope="session")
def browser():
    """Headless Chromium, one for the session: the apps' tests and the hub's share it (Playwright's sync API runs
    one event loop per thread, so a second ``sync_playwright()`` while this one lives would fail)."""
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"Chromium is not installed at {CHROMIUM}; run 'make test' (it installs Debian's chromium) or set SV_CHROMIUM."
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()
