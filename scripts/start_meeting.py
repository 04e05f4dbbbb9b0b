"""Start councillors' JupyterHub servers ahead of a committee meeting, a few at a time (README "Before a meeting").

A councillor who logs in to a hub whose server is not running waits for it to start (about 5 CPU-seconds on
this machine, and twenty at once share the processor). Started here beforehand, their log-in goes straight
to the app. The hub stops them again after an idle hour (``SV_HUB_CULL_TIMEOUT``), so start them within the
hour before the meeting.

Needs the hub started with ``SV_HUB_MEETING_TOKEN`` set (``deploy/jupyterhub/jupyterhub_config.py``: a
service that may list users and start their servers) and the same value in this script's environment.

Run: ``SV_HUB_MEETING_TOKEN=... .venv/bin/python scripts/start_meeting.py --hub http://127.0.0.1:8000
[--group councillors | --users a,b,c] [--at-once 2] [--timeout 600]``.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import requests


def _api(hub: str, token: str, method: str, path: str) -> requests.Response:
    return requests.request(method, f"{hub}/hub/api/{path}", headers={"Authorization": f"token {token}"}, timeout=60)


def users_to_start(hub: str, token: str, group: str | None, names: list[str]) -> list[str]:
    """The named users, or the members of ``group``."""
    if names:
        return names
    response = _api(hub, token, "GET", f"groups/{group}")
    if response.status_code == 404:
        raise SystemExit(f"The hub has no group {group!r}: name the councillors with --users a,b,c.")
    response.raise_for_status()
    return sorted(response.json()["users"])


def start_one(hub: str, token: str, name: str, timeout: float) -> float:
    """Start ``name``'s server and wait until the hub says it is ready; return the seconds it took."""
    started = time.monotonic()
    response = _api(hub, token, "POST", f"users/{name}/server")
    if response.status_code not in (201, 202, 400):  # 400: already running or starting
        raise RuntimeError(f"{name}: the hub answered {response.status_code} {response.text[:200]}")
    while time.monotonic() - started < timeout:
        user = _api(hub, token, "GET", f"users/{name}").json()
        if user.get("servers", {}).get("", {}).get("ready"):
            return time.monotonic() - started
        time.sleep(0.5)
    raise RuntimeError(f"{name}: the server was not ready after {timeout:.0f} s")


def start_all(hub: str, token: str, names: list[str], at_once: int, timeout: float) -> dict[str, float]:
    """Start every server, ``at_once`` at a time; return the seconds each took."""
    with ThreadPoolExecutor(max_workers=max(at_once, 1)) as pool:
        return dict(zip(names, pool.map(lambda n: start_one(hub, token, n, timeout), names), strict=True))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hub", default="http://127.0.0.1:8000", help="the hub's address")
    parser.add_argument("--group", default="councillors", help="start every member of this hub group")
    parser.add_argument("--users", default="", help="or these users (comma-separated)")
    parser.add_argument("--at-once", type=int, default=2, help="servers starting at the same time (the cores)")
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds for one server to be ready")
    args = parser.parse_args(argv)
    token = os.environ.get("SV_HUB_MEETING_TOKEN", "")
    if not token:
        print("Set SV_HUB_MEETING_TOKEN to the value the hub was started with.", file=sys.stderr)
        return 2
    hub = args.hub.rstrip("/")
    names = users_to_start(hub, token, args.group, [n.strip() for n in args.users.split(",") if n.strip()])
    start = time.monotonic()
    try:
        took = start_all(hub, token, names, args.at_once, args.timeout)
    except (RuntimeError, requests.RequestException) as e:
        print(f"Not every server started: {e}", file=sys.stderr)
        return 1
    print(
        f"{len(took)} servers ready in {time.monotonic() - start:.0f} s (slowest {max(took.values(), default=0):.0f} s)."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
