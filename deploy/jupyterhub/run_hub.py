"""Run JupyterHub so that stopping it stops everything it started (``make hub`` runs this).

JupyterHub starts the proxy, the idle culler and every user's server in sessions of their own, so a signal
to the hub's process group does not reach them: only the hub's own shutdown stops them, and it can take
half a minute (it stops the culler first, gently). A hub that is killed before it has finished, or a
``make`` that is stopped with SIGTERM, used to leave the proxy, the culler and both users' servers running.

This wrapper starts the hub, notes every process the hub starts (and theirs), and on SIGTERM, SIGINT or
SIGHUP asks the hub to shut down; whatever is still running ``SV_HUB_STOP_SECONDS`` [20] seconds later is
terminated, then killed. It also stops when its parent dies (``make`` killed outright), on Linux.

Usage: ``python deploy/jupyterhub/run_hub.py -f deploy/jupyterhub/jupyterhub_config.py [jupyterhub options]``
"""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil

SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)


def _stop_with_parent() -> None:
    """Ask Linux to send this process SIGTERM when its parent (``make``) dies; elsewhere do nothing."""
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGTERM, 0, 0, 0)  # PR_SET_PDEATHSIG
    except OSError:
        pass


def _note(process: psutil.Process, seen: dict[int, psutil.Process]) -> None:
    """Remember every descendant of ``process`` now running (a pid is kept with its start time)."""
    try:
        for child in process.children(recursive=True):
            seen.setdefault(child.pid, child)
    except psutil.NoSuchProcess:
        pass


def _alive(processes) -> list[psutil.Process]:
    out = []
    for p in processes:
        try:
            if p.is_running() and p.status() != psutil.STATUS_ZOMBIE:
                out.append(p)
        except psutil.NoSuchProcess:
            continue
    return out


def stop_all(processes: list[psutil.Process], grace: float = 5.0) -> list[int]:
    """Terminate the processes, kill those still running after ``grace`` seconds; return the pids stopped."""
    alive = _alive(processes)
    for p in alive:
        try:
            p.terminate()
        except psutil.NoSuchProcess:
            pass
    _, still = psutil.wait_procs(alive, timeout=grace)
    for p in still:
        try:
            p.kill()
        except psutil.NoSuchProcess:
            pass
    psutil.wait_procs(still, timeout=grace)
    return [p.pid for p in alive]


def main(argv: list[str]) -> int:
    """Run the hub with ``argv``; return its exit status (or 128 + the signal that stopped it)."""
    _stop_with_parent()
    received: list[int] = []

    def on_signal(signum: int, frame: object) -> None:
        received.append(signum)

    for s in SIGNALS:
        signal.signal(s, on_signal)
    jupyterhub = str(Path(sys.executable).parent / "jupyterhub")
    hub = subprocess.Popen([jupyterhub, *argv])
    hub_process = psutil.Process(hub.pid)
    seen: dict[int, psutil.Process] = {}
    while hub.poll() is None and not received:
        _note(hub_process, seen)
        time.sleep(0.5)
    if received:
        _note(hub_process, seen)
        name = signal.Signals(received[0]).name
        print(f"[run_hub] {name}: stopping JupyterHub and everything it started...", file=sys.stderr, flush=True)
        if hub.poll() is None:
            hub.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + float(os.environ.get("SV_HUB_STOP_SECONDS", "20"))
        while hub.poll() is None and time.monotonic() < deadline:
            _note(hub_process, seen)
            time.sleep(0.2)
    left = stop_all([hub_process, *seen.values()] if hub.poll() is None else list(seen.values()))
    if left:
        print(f"[run_hub] stopped {len(left)} processes the hub left running: {left}", file=sys.stderr, flush=True)
    hub.wait()
    return 128 + received[0] if received else hub.returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
