"""An error inside an app's event handler goes to the server's log, with its traceback, never to the page.

Runs a real Jupyter kernel (as Voila does) and watches both what the kernel sends
to the page (its output channel) and what the kernel process writes to its own
standard error (the server's log).
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

jupyter_client = pytest.importorskip("jupyter_client")

REPO_ROOT = Path(__file__).resolve().parents[1]

HANDLER = """
from sv_helpers.apps import widgets as ui
banner = ui.ErrorBanner()

@ui.guarded(banner)
def on_click(_):
    return {}["no such key"] / 0

on_click(None)
print("BANNER:", banner.message)
"""


def test_a_handler_error_reaches_the_server_log_not_the_page(tmp_path):
    log_path = tmp_path / "kernel-stderr.log"
    manager = jupyter_client.KernelManager(kernel_name="python3")
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    with open(log_path, "wb") as log_file:
        manager.start_kernel(stderr=log_file, cwd=str(tmp_path), env=env)
        client = manager.client()
        client.start_channels()
        try:
            client.wait_for_ready(timeout=60)
            client.execute(HANDLER)
            page: list[str] = []
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                msg = client.get_iopub_msg(timeout=30)
                kind, content = msg["msg_type"], msg["content"]
                if kind == "stream":
                    page.append(content["text"])
                elif kind == "error":
                    page.append("\n".join(content["traceback"]))
                elif kind == "status" and content["execution_state"] == "idle" and any("BANNER:" in p for p in page):
                    break
            time.sleep(0.5)  # let the kernel's stderr reach the file
        finally:
            client.stop_channels()
            manager.shutdown_kernel(now=True)
    shown = "".join(page)
    assert "BANNER: Something went wrong inside the workbook" in shown
    assert "Traceback" not in shown and "KeyError" not in shown  # nothing of it on the page
    server_log = log_path.read_text(errors="replace")
    assert "Unexpected error in the app's handler" in server_log
    assert "Traceback (most recent call last)" in server_log and "KeyError: 'no such key'" in server_log
