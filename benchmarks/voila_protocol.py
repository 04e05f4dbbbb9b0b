"""A councillor's page as Voila's front end talks to the server, without drawing it (``load_apps.py --protocol``).

What a browser does when it opens an app, in the order Voila 0.5's page does it, on the wire:

1. ``GET /voila/render/<app>``: the page's HTML, streamed while the kernel runs the notebook's last cells
   (a preheated kernel has run the rest). The page names its kernel (``"kernelId"``) and, for every widget
   it shows, the widget's model (``application/vnd.jupyter.widget-view+json``: ``model_id``).
2. The kernel's model (``GET /api/kernels/<id>``), then its websocket (``/api/kernels/<id>/channels``, the Jupyter messaging protocol, JSON frames), a
   ``kernel_info_request`` (the page's kernel connection sends one on connecting).
3. The widget state, as ipywidgets 8's widget manager asks for it (``_loadFromKernel``): a ``comm_open`` on
   the ``jupyter.widget.control`` target, ``{"method": "request_states"}``, and the reply
   ``update_states`` with every widget model's state. The first screen has arrived when every model the
   page shows is in that reply: that is ``first_screen_s``.
4. One change of a control, as a slider sends it: a ``comm_msg`` ``{"method": "update", "state":
   {"value": ...}}`` on the control's comm; the change has been redrawn when the kernel has sent its
   messages for it and reports ``idle`` for it (``redraw_ms``). A change that updated no other widget is an
   error (the app did not redraw).
5. The page's ``beforeunload``: the websocket is closed and Voila is asked to shut the kernel down
   (``POST /voila/api/shutdown/<id>`` with the ``_xsrf`` cookie's value), as a closed tab does.

Not done: drawing (layout, fonts, the page's JavaScript). ``load_apps.py --check-browser`` measures that
difference against Chromium on the same server.
"""

from __future__ import annotations

import asyncio
import json
import re
import struct
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp

KERNEL_ID = re.compile(r'"kernelId": "([0-9a-f-]{36})"')
# A widget view in the page: a `<script type="application/vnd.jupyter.widget-view+json">` block, or (the
# workbook's template) the cell output's JSON, `"application/vnd.jupyter.widget-view+json": {"model_id": ...}`.
VIEW_MODEL = re.compile(r'widget-view\+json"?\s*[:>]\s*\{[^{}]*?"model_id":\s*"([0-9a-f]+)"')
NUMERIC_MODELS = ("FloatText", "BoundedFloatText", "IntText", "BoundedIntText", "FloatSlider", "IntSlider")


class ProtocolError(Exception):
    """The server answered, but not as a working app page does (named in the results as an error)."""


@dataclass
class Visit:
    """What one councillor's visit measured (seconds unless the name says otherwise)."""

    app: str
    page_s: float = float("nan")  # the request until the page's HTML had all arrived
    first_screen_s: float = float("nan")  # the request until every model on the page had arrived
    redraw_ms: list[float] = field(default_factory=list)
    models: int = 0
    kernel_id: str = ""
    error: str = ""


def _message(msg_type: str, content: dict, session: str, channel: str = "shell") -> dict:
    return {
        "header": {
            "msg_id": uuid.uuid4().hex,
            "msg_type": msg_type,
            "username": "councillor",
            "session": session,
            "version": "5.3",
            "date": datetime.now(UTC).isoformat(),
        },
        "parent_header": {},
        "metadata": {"version": "1.0.0"} if msg_type == "comm_open" else {},
        "content": content,
        "channel": channel,
        "buffers": [],
    }


def decode(frame: aiohttp.WSMessage) -> dict:
    """A kernel message from a websocket frame: JSON text, or the binary form with buffers (offsets first)."""
    if frame.type == aiohttp.WSMsgType.TEXT:
        return json.loads(frame.data)
    if frame.type == aiohttp.WSMsgType.BINARY:
        data = frame.data
        (n,) = struct.unpack_from("!I", data, 0)
        offsets = [*struct.unpack_from(f"!{n}I", data, 4), len(data)]
        message = json.loads(data[offsets[0] : offsets[1]])
        message["buffers"] = [data[offsets[i] : offsets[i + 1]] for i in range(1, n)]
        return message
    raise ProtocolError(f"the kernel's websocket closed ({frame.type.name})")


class KernelSocket:
    """The page's connection to its kernel: send a message, read until a condition on what came back."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse):
        self.ws = ws
        self.session = uuid.uuid4().hex

    async def send(self, msg_type: str, content: dict) -> str:
        message = _message(msg_type, content, self.session)
        await self.ws.send_str(json.dumps(message))
        return message["header"]["msg_id"]

    async def until(self, done, deadline: float) -> list[dict]:
        """Read messages until ``done(message)`` is true; return every message read. ``deadline``: monotonic."""
        seen = []
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise ProtocolError("the kernel did not answer in time")
            try:
                frame = await asyncio.wait_for(self.ws.receive(), timeout=left)
            except TimeoutError:
                raise ProtocolError("the kernel did not answer in time") from None
            message = decode(frame)
            seen.append(message)
            if done(message):
                return seen


def page_models(html: str) -> set[str]:
    """The widget models a page shows (its widget views' ``model_id``)."""
    return set(VIEW_MODEL.findall(html))


def pick_control(states: dict[str, dict], css_class: str | None) -> tuple[str, dict]:
    """The control a councillor changes: the model with ``css_class`` (e.g. ``sv-budget``), else the first
    numeric box or slider with a workbook class (``sv-...``). Returns (model id, its state)."""
    for model_id, entry in states.items():
        state = entry.get("state", {})
        classes = state.get("_dom_classes", [])
        if css_class and css_class in classes:
            return model_id, state
        if not css_class and state.get("_model_name", "").removesuffix("Model") in NUMERIC_MODELS:
            if any(c.startswith("sv-") for c in classes):
                return model_id, state
    raise ProtocolError(f"no control {css_class or 'numeric with an sv- class'} among the page's widgets")


def changed_value(state: dict, step: int) -> Any:
    """A value the control accepts, different from its current one (alternately down and up)."""
    value = state["value"]
    delta = max(abs(value) * 0.02, 1)
    delta = int(delta) if isinstance(value, int) else float(round(delta))
    new = value - delta if step % 2 == 0 else value + delta
    low, high = state.get("min"), state.get("max")
    if low is not None and new < low or high is not None and new > high:
        new = value + delta if new < value else value - delta
    return new


async def visit(
    http: aiohttp.ClientSession,
    server: str,
    app: str,
    timeout: float,
    changes: int = 1,
    control: str | None = None,
    shutdown: bool = True,
) -> Visit:
    """Open ``app`` on ``server`` (its base URL: ``http://127.0.0.1:8866/`` or ``.../user/<name>/``) as a page
    does, make ``changes`` changes of one control, close the page. Failures are recorded, never raised."""
    result = Visit(app)
    deadline = time.monotonic() + timeout
    start = time.perf_counter()
    try:
        async with http.get(f"{server}voila/render/{app}", timeout=aiohttp.ClientTimeout(total=timeout)) as r:
            html = await r.text()
            if r.status != 200:
                raise ProtocolError(f"the page answered {r.status}")
        result.page_s = time.perf_counter() - start
        match = KERNEL_ID.search(html)
        if not match:
            raise ProtocolError("the page names no kernel")
        result.kernel_id = match.group(1)
        shown = page_models(html)
        if not shown:
            kept = Path(tempfile.gettempdir()) / f"sv-load-page-{result.kernel_id}.html"
            kept.write_text(html)
            raise ProtocolError(f"the page shows no widget (kept in {kept})")
        async with http.get(f"{server}api/kernels/{result.kernel_id}") as r:  # the page reads its kernel's model
            if r.status != 200:
                raise ProtocolError(f"the kernel's model answered {r.status}")
        ws_url = server.replace("http://", "ws://") + f"api/kernels/{result.kernel_id}/channels"
        async with http.ws_connect(
            f"{ws_url}?session_id={uuid.uuid4().hex}", max_msg_size=0, timeout=aiohttp.ClientWSTimeout(ws_close=5)
        ) as ws:
            kernel = KernelSocket(ws)
            await kernel.send("kernel_info_request", {})
            comm_id = uuid.uuid4().hex
            await kernel.send("comm_open", {"comm_id": comm_id, "target_name": "jupyter.widget.control", "data": {}})
            await kernel.send("comm_msg", {"comm_id": comm_id, "data": {"method": "request_states"}})

            def is_states(m: dict) -> bool:
                content = m.get("content", {})
                return (
                    m.get("msg_type", m["header"]["msg_type"]) == "comm_msg"
                    and content.get("comm_id") == comm_id
                    and content.get("data", {}).get("method") == "update_states"
                )

            seen = await kernel.until(is_states, deadline)
            states = seen[-1]["content"]["data"]["states"]
            missing = shown - states.keys()
            if missing:
                raise ProtocolError(f"{len(missing)} of the page's {len(shown)} widgets did not arrive")
            result.first_screen_s = time.perf_counter() - start
            result.models = len(states)
            await kernel.send("comm_close", {"comm_id": comm_id, "data": {}})

            model_id, state = pick_control(states, control)
            for step in range(changes):
                value = changed_value(state, step)
                sent = time.perf_counter()
                msg_id = await kernel.send(
                    "comm_msg",
                    {
                        "comm_id": model_id,
                        "data": {"method": "update", "state": {"value": value}, "buffer_paths": []},
                    },
                )

                def is_idle(m: dict, msg_id=msg_id) -> bool:
                    return (
                        m["header"]["msg_type"] == "status"
                        and m.get("parent_header", {}).get("msg_id") == msg_id
                        and m["content"].get("execution_state") == "idle"
                    )

                seen = await kernel.until(is_idle, deadline)
                result.redraw_ms.append((time.perf_counter() - sent) * 1000)
                redrawn = {
                    m["content"].get("comm_id")
                    for m in seen
                    if m["header"]["msg_type"] == "comm_msg" and m.get("parent_header", {}).get("msg_id") == msg_id
                }
                if not redrawn - {model_id}:
                    raise ProtocolError("a change of the control redrew nothing")
                state = {**state, "value": value}
    except (ProtocolError, aiohttp.ClientError, TimeoutError, KeyError, ValueError) as e:
        result.error = f"{app}: {type(e).__name__}: {str(e).splitlines()[0][:160] if str(e) else ''}"
    finally:
        if shutdown and result.kernel_id:
            await close_kernel(http, server, result.kernel_id)
    return result


async def close_kernel(http: aiohttp.ClientSession, server: str, kernel_id: str) -> None:
    """What a closed tab does (the page's ``beforeunload``): post the ``_xsrf`` cookie's value, if any, to
    Voila's shutdown address. Voila 0.5 alone sets no such cookie and refuses it, for a browser too; its
    culler then shuts the kernel down (voila.json)."""
    xsrf = next((c.value for c in http.cookie_jar if c.key == "_xsrf"), "")
    try:
        async with http.post(
            f"{server}voila/api/shutdown/{kernel_id}", data={"_xsrf": xsrf}, timeout=aiohttp.ClientTimeout(total=30)
        ):
            pass
    except (aiohttp.ClientError, TimeoutError):
        pass  # the culler shuts it down later (voila.json)
