"""``make app``'s launcher (scripts/serve_apps.py): it says the apps are ready only once every preheated
kernel has run its notebook, and Ctrl-C stops Voila and its kernels."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import psutil
import pytest

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "scripts"))

from serve_apps import expected_kernels, meeting_arguments, pool_size  # noqa: E402

#: A notebook that works for a while (as an app builds itself), leaves a mark, then waits for its page.
SLOW_APP = """
import pathlib, time
end = time.monotonic() + 3
while time.monotonic() < end:
    sum(range(10_000))
pathlib.Path("warm-{name}").write_text("built")
from voila.utils import wait_for_request
wait_for_request()
"""


def _notebook(path: Path, source: str) -> None:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source)]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)


def _config(folder: Path, **voila) -> Path:
    path = folder / "voila.json"
    path.write_text(json.dumps({"VoilaConfiguration": {"preheat_kernel": True, "default_pool_size": 1, **voila}}))
    return path


def test_the_pool_holds_one_kernel_per_notebook_voila_preheats(tmp_path):
    apps = tmp_path / "apps"
    (apps / "sub").mkdir(parents=True)
    (apps / ".ipynb_checkpoints").mkdir()
    for name in ("a.ipynb", "b.ipynb", "sub/c.ipynb", ".ipynb_checkpoints/a-checkpoint.ipynb", "draft.ipynb"):
        _notebook(apps / name, "1")
    config = tmp_path / "voila.json"
    config.write_text(
        json.dumps(
            {
                "VoilaConfiguration": {"preheat_kernel": True, "default_pool_size": 2},
                "VoilaKernelManager": {"preheat_denylist": ["draft"]},
            }
        )
    )
    assert expected_kernels(apps, config) == 6  # a, b, sub/c; not the checkpoint nor the denylisted draft
    assert expected_kernels(apps, config, ["--pool_size=1"]) == 3
    assert expected_kernels(apps, config, ["--preheat_kernel=False"]) == 0
    assert expected_kernels(apps / "a.ipynb", config) == 2
    assert expected_kernels(apps, tmp_path / "missing.json") == 0  # Voila's default: no preheating


def _read_line(proc: subprocess.Popen, deadline: float) -> str:
    line = proc.stdout.readline()
    assert line or time.monotonic() < deadline, "the launcher ended without saying the apps are ready"
    return line


@pytest.mark.skipif(sys.platform != "linux", reason="the launcher's process checks are tested on Linux")
def test_the_launcher_says_ready_only_when_every_kernel_has_run_its_notebook_and_stops_on_ctrl_c(tmp_path):
    apps = tmp_path / "apps"
    apps.mkdir()
    for name in ("one", "two"):
        _notebook(apps / f"{name}.ipynb", SLOW_APP.format(name=name))
    _config(tmp_path)
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    launcher = subprocess.Popen(
        [
            sys.executable,
            str(REPO / "scripts" / "serve_apps.py"),
            f"--port={port}",
            "--no-browser",
            "--Voila.ip=127.0.0.1",
            "apps",
        ],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        # As a job started in the background: SIGINT ignored, which Voila would inherit.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN),
    )
    try:
        deadline = time.monotonic() + 90
        first = _read_line(launcher, deadline)
        assert first.startswith("Starting the Social Value Workbook's apps"), first
        assert "2 app kernels" in first
        line = ""
        while not line.startswith("The apps are"):
            line = _read_line(launcher, deadline)
        assert line.startswith(f"The apps are ready at http://127.0.0.1:{port}/ (ready in "), line
        # Ready means built: both notebooks had finished their work when the address was printed.
        assert sorted(p.name for p in (apps).glob("warm-*")) == ["warm-one", "warm-two"]
        voila = psutil.Process(launcher.pid).children()[0]
        kernels = [k for k in voila.children(recursive=True) if "ipykernel" in " ".join(k.cmdline())]
        assert len(kernels) == 2
        launcher.send_signal(signal.SIGINT)
        assert launcher.wait(timeout=40) == 0  # Voila's own exit code after a clean stop
        time.sleep(0.5)
        assert not voila.is_running() or voila.status() == psutil.STATUS_ZOMBIE
        assert not any(k.is_running() and k.status() != psutil.STATUS_ZOMBIE for k in kernels)
    finally:
        if launcher.poll() is None:
            launcher.kill()
            launcher.wait()


#: A notebook that notes when it worked (its kernel's pid, start and end), then waits for its page.
TIMED_APP = """
import os, pathlib, time
start = time.time()
end = time.monotonic() + 2
while time.monotonic() < end:
    sum(range(10_000))
pathlib.Path(f"span-{os.getpid()}").write_text(f"{start} {time.time()}")
from voila.utils import wait_for_request
wait_for_request()
"""


def test_a_meeting_pool_is_counted_per_notebook_with_the_default_for_the_others(tmp_path):
    apps = tmp_path / "apps"
    apps.mkdir()
    for name in ("a.ipynb", "b.ipynb", "c.ipynb"):
        _notebook(apps / name, "1")
    config = _config(tmp_path)
    meeting = meeting_arguments("b.ipynb", 20, config)
    assert json.loads(meeting[0].split("=", 1)[1]) == {"default": {"pool_size": 1}, "b.ipynb": {"pool_size": 20}}
    assert expected_kernels(apps, config, meeting) == 22  # a and c keep one each
    # Voila's rule: without a "default" entry, unlisted notebooks get a pool of one, whatever default_pool_size.
    config = _config(tmp_path, default_pool_size=3)
    assert pool_size({"b.ipynb": {"pool_size": 5}}, "a.ipynb", 3) == 1
    assert (
        expected_kernels(apps, config, ['--VoilaKernelManager.kernel_pools_config={"b.ipynb": {"pool_size": 5}}']) == 7
    )
    assert expected_kernels(apps, config, meeting_arguments("b.ipynb", 5, config)) == 11


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--meeting", "a.ipynb"], "--meeting NOTEBOOK and --pool N go together"),
        (["--meeting", "a.ipynb", "--pool", "many"], "--pool must be a whole number of kernels"),
        (["--meeting", "nowhere.ipynb", "--pool=3"], "--meeting nowhere.ipynb: no such notebook"),
    ],
)
def test_a_meeting_setting_that_cannot_work_is_refused_in_plain_words(tmp_path, args, message):
    (tmp_path / "apps").mkdir()
    _notebook(tmp_path / "apps" / "a.ipynb", "1")
    done = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "serve_apps.py"), *args, "apps"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert message in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.skipif(sys.platform != "linux", reason="the launcher's process checks are tested on Linux")
def test_a_meetings_pool_warms_one_kernel_at_a_time_and_is_ready_when_full(tmp_path):
    apps = tmp_path / "apps"
    apps.mkdir()
    _notebook(apps / "meeting.ipynb", TIMED_APP)
    _notebook(apps / "other.ipynb", TIMED_APP)
    _config(tmp_path)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    launcher = subprocess.Popen(
        [
            sys.executable,
            str(REPO / "scripts" / "serve_apps.py"),
            f"--port={port}",
            "--no-browser",
            "--Voila.ip=127.0.0.1",
            "--meeting",
            "meeting.ipynb",
            "--pool",
            "3",
            "--ready-timeout",
            "240",  # four kernels one after another, on a machine others may be loading
            "apps",
        ],
        cwd=tmp_path,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        deadline = time.monotonic() + 300
        first = _read_line(launcher, deadline)
        assert "4 app kernels" in first, first  # three for the meeting's app, one for the other
        line = ""
        while not line.startswith("The apps are"):
            line = _read_line(launcher, deadline)
        assert line.startswith(f"The apps are ready at http://127.0.0.1:{port}/"), line
        spans = sorted(tuple(map(float, p.read_text().split())) for p in apps.glob("span-*"))
        assert len(spans) == 4  # every kernel had run its notebook when the address was printed
        for (_, end), (start, _) in zip(spans, spans[1:], strict=False):
            assert start >= end, f"two pool kernels ran their notebooks at once: {spans}"
        launcher.send_signal(signal.SIGTERM)
        assert launcher.wait(timeout=40) == 0
    finally:
        if launcher.poll() is None:
            launcher.kill()
            launcher.wait()
