"""Serve the workbook's apps with Voila and say that they are ready only when they are (run by ``make app``).

Voila preheats one kernel per notebook when it starts (``voila.json``: ``preheat_kernel``,
``default_pool_size``): each kernel runs its notebook and then waits for a page to ask for it. Until
they have all done so, a page opened competes with every other notebook for the processor (on two
cores the first view took about 19 s, a warm one about 2 s). This launcher starts Voila with the
arguments it is given, says that it is starting, waits until the pool is warm, then prints the address:

    The apps are ready at http://127.0.0.1:8866/ (ready in 21 s).

The pool is warm when the server is listening, it runs at least as many kernels as the pool holds
(notebooks × pool size) and, over the last ``QUIET_S`` seconds, none of those kernels nor the server
has used more than a few per cent of a core: a preheated kernel either waits for its page (blocked in
``voila.utils.wait_for_request()``) or has run its whole notebook. If that takes longer than
``--ready-timeout`` seconds (120), it says so plainly and keeps serving.

On Ctrl-C, SIGTERM or SIGHUP the launcher sends Voila SIGTERM, once (Voila runs in its own process group,
so the terminal's Ctrl-C does not reach it twice); Voila shuts its kernels down and the launcher exits
with Voila's exit code. Voila is killed if it has not stopped within ``STOP_GRACE_S`` seconds.

For a committee meeting, ``--meeting NOTEBOOK --pool N`` (``make app MEETING=grant_allocation.ipynb
POOL=20``) keeps N kernels of that app preheated (Voila's ``VoilaKernelManager.kernel_pools_config``; every
other notebook keeps ``default_pool_size``), starts refilling a minute after a page takes a kernel
(``MEETING_FILL_DELAY_S``) and paces the pool's warm-ups (``voila_pool.PacedWarmUps``: one
kernel runs its notebook at a time, so refilling the pool behind twenty arriving councillors leaves the
other core to their pages). Voila reads pool sizes only when it starts: restart the apps to change them.
The ready timeout then grows with the pool (``READY_S_PER_KERNEL`` a kernel).

Run: ``.venv/bin/python scripts/serve_apps.py [--ready-timeout 120] [--meeting NOTEBOOK --pool N]
[voila arguments] notebooks/``. :func:`wait_until_warm` is also used by the benchmarks
(``benchmarks/bench_apps.py``).
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from collections import deque
from collections.abc import Callable, Collection, Sequence
from pathlib import Path

import psutil

#: Seconds over which the kernels and the server must be quiet.
QUIET_S = 1.5
#: Share of one core a kernel may use and still count as quiet (ipykernel's own threads use about 1 %).
KERNEL_QUIET = 0.05
#: Share of one core the server may use and still count as quiet.
SERVER_QUIET = 0.10
#: Seconds to wait for the pool by default before saying so and serving anyway.
READY_TIMEOUT_S = 120.0
#: Seconds Voila is given to stop its kernels after a signal before it is killed.
STOP_GRACE_S = 30.0
#: Seconds of ready timeout per pool kernel in a meeting's pool (warmed one at a time).
READY_S_PER_KERNEL = 10.0
#: Seconds before a meeting's pool starts refilling after a page takes a kernel: the arrivals come first.
MEETING_FILL_DELAY_S = 60.0
#: Voila's default pool size when voila.json gives none (``VoilaConfiguration.default_pool_size``).
VOILA_DEFAULT_POOL = 1


def kernel_processes(server: psutil.Process) -> list[psutil.Process]:
    """The ipykernel processes the Voila server started (its children running ``ipykernel``)."""
    kernels = []
    for child in server.children(recursive=True):
        try:
            if "ipykernel" in " ".join(child.cmdline()):
                kernels.append(child)
        except psutil.Error:  # ended while being listed
            continue
    return kernels


def listening_address(server: psutil.Process) -> tuple[str, int] | None:
    """The (ip, port) the Voila server listens on, or None while it does not listen yet."""
    try:
        for conn in server.net_connections(kind="tcp"):
            if conn.status == psutil.CONN_LISTEN:
                return conn.laddr.ip, conn.laddr.port
    except psutil.Error:
        return None
    return None


def kernel_ids(server: psutil.Process) -> dict[str, psutil.Process]:
    """The server's kernels by Jupyter kernel id (from the connection file ``kernel-<id>.json`` on each command line)."""
    found = {}
    for kernel in kernel_processes(server):
        try:
            match = re.search(r"kernel-([0-9a-f-]{36})\.json", " ".join(kernel.cmdline()))
        except psutil.Error:
            continue
        if match:
            found[match.group(1)] = kernel
    return found


def _cpu_seconds(proc: psutil.Process) -> float:
    times = proc.cpu_times()
    return times.user + times.system


def wait_until_warm(
    proc: subprocess.Popen | int,
    n_kernels: int,
    timeout: float = READY_TIMEOUT_S,
    quiet_s: float = QUIET_S,
    poll_s: float = 0.25,
    stop: Callable[[], bool] | None = None,
    known: Collection[int] = (),
) -> float | None:
    """Wait until a Voila server's pool of preheated kernels is warm.

    Parameters
    ----------
    proc : subprocess.Popen or int
        The Voila server (or its process id).
    n_kernels : int
        Kernels the pool holds when full (:func:`expected_kernels`); 0 waits only for the server to listen.
    timeout : float
        Seconds to wait at most.
    quiet_s : float
        Seconds over which every kernel and the server must have been quiet.
    poll_s : float
        Seconds between two looks at the processes.
    stop : callable, optional
        Called on every look; when it returns True the wait ends (e.g. the user pressed Ctrl-C).
    known : collection of int
        Process ids of kernels that do not count towards ``n_kernels`` (they must still be quiet). After a
        page view the benchmarks pass the kernels running before it and ``n_kernels=1``: the pool has
        refilled when a new kernel has run its notebook.

    Returns
    -------
    float or None
        Seconds waited, or None if the server ended, ``stop`` said so or ``timeout`` passed first.
    """
    pid = proc if isinstance(proc, int) else proc.pid
    try:
        server = psutil.Process(pid)
    except psutil.NoSuchProcess:
        return None
    start = time.monotonic()
    history: deque[tuple[float, dict[int, float], float]] = deque()
    while time.monotonic() - start < timeout:
        if (isinstance(proc, subprocess.Popen) and proc.poll() is not None) or not server.is_running():
            return None
        if stop is not None and stop():
            return None
        now = time.monotonic()
        try:
            sample = {k.pid: _cpu_seconds(k) for k in kernel_processes(server)}
            server_cpu = _cpu_seconds(server)
        except psutil.Error:  # a kernel ended between being listed and being read
            history.clear()
            time.sleep(poll_s)
            continue
        history.append((now, sample, server_cpu))
        while len(history) > 1 and history[1][0] <= now - quiet_s:
            history.popleft()
        then, old, old_server_cpu = history[0]
        span = now - then
        if (
            listening_address(server) is not None
            and len(sample.keys() - set(known)) >= n_kernels
            and span >= quiet_s
            and old.keys() == sample.keys()
            and all((sample[p] - old[p]) / span < KERNEL_QUIET for p in sample)
            and (server_cpu - old_server_cpu) / span < SERVER_QUIET
        ):
            return now - start
        time.sleep(poll_s)
    return None


def _options(args: Sequence[str]) -> dict[str, str]:
    """``--name=value`` arguments as a mapping (names without the dashes)."""
    return dict(a[2:].split("=", 1) for a in args if a.startswith("--") and "=" in a)


def _root(args: Sequence[str]) -> Path:
    positional = [a for a in args if not a.startswith("-")]
    return Path(positional[-1]) if positional else Path(".")


def expected_kernels(root: Path, config_file: Path | None = None, args: Sequence[str] = ()) -> int:
    """How many kernels a full pool holds: notebooks under ``root`` (as Voila finds them) × pool size.

    Parameters
    ----------
    root : Path
        The notebook or folder Voila serves.
    config_file : Path, optional
        The ``voila.json`` Voila reads (``preheat_kernel``, ``default_pool_size``, ``preheat_denylist``).
    args : sequence of str
        Voila's command-line arguments, which override the file (``--preheat_kernel=``, ``--pool_size=``).
    """
    config = json.loads(config_file.read_text()) if config_file and config_file.exists() else {}
    voila = config.get("VoilaConfiguration", {})
    options = _options(args)
    preheat = options.get("preheat_kernel", options.get("VoilaConfiguration.preheat_kernel"))
    preheat = str(preheat).lower() == "true" if preheat is not None else bool(voila.get("preheat_kernel", False))
    if not preheat:
        return 0
    pool = int(
        options.get(
            "pool_size",
            options.get("VoilaConfiguration.default_pool_size", voila.get("default_pool_size", VOILA_DEFAULT_POOL)),
        )
    )
    pools = config.get("VoilaKernelManager", {}).get("kernel_pools_config")
    if "VoilaKernelManager.kernel_pools_config" in options:
        pools = json.loads(options["VoilaKernelManager.kernel_pools_config"])
    if root.is_file():
        return max(pool, 0)
    denylist = config.get("VoilaKernelManager", {}).get("preheat_denylist", [])
    total = 0
    for path in root.rglob("*.ipynb"):
        name = str(path.relative_to(root))
        if ".ipynb_checkpoints" in name or any(p in name or re.match(p, name) for p in denylist):
            continue
        total += max(pool_size(pools, name, pool), 0)
    return total


def pool_size(pools: dict | None, notebook: str, default: int) -> int:
    """The pool Voila keeps for ``notebook``: its own ``kernel_pools_config`` entry, else ``"default"``'s.

    Without a ``"default"`` entry Voila gives every unlisted notebook a pool of one, whatever
    ``default_pool_size`` says (``voila_kernel_manager.fill_if_needed``).
    """
    if pools is None:
        return default
    entry = pools.get(notebook, pools.get("default", {}))
    return int(entry.get("pool_size", pools.get("default", {}).get("pool_size", 1)))


def meeting_arguments(notebook: str, pool: int, config_file: Path | None = None) -> list[str]:
    """Voila's arguments for a meeting: ``pool`` preheated kernels of ``notebook``, paced warm-ups.

    Every other notebook keeps ``voila.json``'s ``default_pool_size`` (given as the ``"default"`` entry).

    >>> meeting_arguments("grant_allocation.ipynb", 20, Path("/nonexistent"))[0]
    '--VoilaKernelManager.kernel_pools_config={"default": {"pool_size": 1}, "grant_allocation.ipynb": {"pool_size": 20}}'
    """
    config = json.loads(config_file.read_text()) if config_file and config_file.exists() else {}
    default = int(config.get("VoilaConfiguration", {}).get("default_pool_size", VOILA_DEFAULT_POOL))
    pools = {"default": {"pool_size": default}, notebook: {"pool_size": pool}}
    return [
        f"--VoilaKernelManager.kernel_pools_config={json.dumps(pools)}",
        "--VoilaConfiguration.multi_kernel_manager_class=voila_pool.PacedWarmUps",
        f"--VoilaKernelManager.fill_delay={MEETING_FILL_DELAY_S:g}",
    ]


def _take(args: list[str], name: str) -> str | None:
    """Remove ``name VALUE`` or ``name=VALUE`` from ``args``; return VALUE (None when absent)."""
    for i, arg in enumerate(args):
        if arg == name and i + 1 < len(args):
            value = args[i + 1]
            del args[i : i + 2]
            return value
        if arg.startswith(name + "="):
            del args[i]
            return arg.split("=", 1)[1]
    return None


def _die_with_parent() -> None:  # pragma: no cover - runs in the child before exec
    """On Linux, have Voila sent SIGTERM if the launcher itself is killed (no orphaned server)."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    timeout = None
    if "--ready-timeout" in args:
        i = args.index("--ready-timeout")
        timeout = float(args[i + 1])
        del args[i : i + 2]
    env = None
    meeting = _take(args, "--meeting")
    pool = _take(args, "--pool")
    if (meeting is None) != (pool is None):
        print("--meeting NOTEBOOK and --pool N go together (make app MEETING=... POOL=...).", file=sys.stderr)
        return 2
    if meeting is not None:
        if not pool.isdigit() or int(pool) < 1:
            print(f"--pool must be a whole number of kernels, 1 or more, not {pool!r}.", file=sys.stderr)
            return 2
        if not (_root(args) / meeting).is_file():
            print(f"--meeting {meeting}: no such notebook in {_root(args)}/.", file=sys.stderr)
            return 2
        args = [*meeting_arguments(meeting, int(pool), Path.cwd() / "voila.json"), *args]
        here = str(Path(__file__).resolve().parent)  # voila_pool.py, for Voila to import
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [here, os.environ.get("PYTHONPATH")]))}
    n_kernels = expected_kernels(_root(args), Path.cwd() / "voila.json", args)
    if timeout is None:
        timeout = max(READY_TIMEOUT_S, READY_S_PER_KERNEL * n_kernels) if meeting else READY_TIMEOUT_S
    voila = str(Path(sys.executable).parent / "voila")
    about = f"up to {timeout / 60:.0f} minutes, one kernel after another" if meeting else "about half a minute"
    print(
        f"Starting the Social Value Workbook's apps: Voila is preparing {n_kernels} app kernels "
        f"({about}); the address follows when they are ready.",
        flush=True,
    )
    start = time.monotonic()
    proc = subprocess.Popen(
        [voila, *args], env=env, process_group=0, preexec_fn=_die_with_parent if sys.platform == "linux" else None
    )
    stopping: list[float] = []

    def forward(_signum, _frame):
        # Voila stops on SIGTERM (its own handler: stop the server, shut every kernel down), whatever the
        # launcher was started with; a SIGINT could be ignored (a job started in the background inherits that).
        if not stopping:
            stopping.append(time.monotonic())
        if proc.poll() is None:
            proc.terminate()

    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, forward)

    waited = wait_until_warm(proc, n_kernels, timeout=timeout, stop=lambda: bool(stopping))
    if proc.poll() is None and not stopping:
        server = psutil.Process(proc.pid)
        ip, port = listening_address(server) or (_options(args).get("Voila.ip", "127.0.0.1"), 8866)
        host = "127.0.0.1" if ip in ("0.0.0.0", "::", "") else ip
        url = f"http://{host}:{port}/"
        if waited is not None:
            print(f"The apps are ready at {url} (ready in {time.monotonic() - start:.0f} s). Ctrl-C stops them.")
        else:
            print(
                f"The apps are served at {url}, but they were not all ready after {timeout:.0f} s: "
                "the first pages may open slowly. Ctrl-C stops them."
            )
        sys.stdout.flush()
    while True:
        try:
            code = proc.wait(timeout=1)
            break
        except subprocess.TimeoutExpired:
            if stopping and time.monotonic() - stopping[0] > STOP_GRACE_S:
                print(f"Voila did not stop within {STOP_GRACE_S:.0f} s; stopping it by force.", flush=True)
                proc.kill()
    return code if code >= 0 else 128 - code


if __name__ == "__main__":
    os.environ.setdefault("MPLBACKEND", "Agg")
    sys.exit(main())
