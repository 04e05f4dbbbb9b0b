"""Widget builders shared by every Voila app: labelled inputs, the error banner,
uploads, downloads and a guard that turns exceptions into plain English.

Interface layer: the model never imports this module.

Every input gets a visible label (``description``) and the label is given to
assistive technology as the input's accessible name (the workbook's Voila
template copies it into ``aria-label`` where ipywidgets does not link them).
"""

from __future__ import annotations

import base64
import functools
import html
import io
import logging
import os
import sys
from collections.abc import Callable, Iterable
from typing import Any

import ipywidgets as widgets

from sv_helpers.core.errors import Finding, InputError
from sv_helpers.core.tables import check_upload_size

log = logging.getLogger("sv_helpers")


def _server_stream() -> Any:
    """Return the stream that reaches the server's log, never the browser.

    Inside a Jupyter kernel (Voila, JupyterLab) ``sys.stderr`` is ipykernel's
    ``OutStream``: what is written to it is sent to the page over the
    kernel's output channel.  With its default ``capture_fd_output`` the
    kernel also redirects file descriptor 2 (so ``sys.__stderr__``) into a
    pipe that is forwarded to the page too; the only way to the server's own
    log is the copy of the original descriptor the kernel keeps,
    ``sys.stderr._original_stdstream_copy`` (the kernel reroutes its own
    logging there in the same way).  Outside a kernel this is ``sys.stderr``.
    """
    stream = sys.stderr
    if type(stream).__module__.startswith("ipykernel"):
        fd = getattr(stream, "_original_stdstream_copy", None)
        if isinstance(fd, int):
            if _ORIGINAL_STDERR.get(fd) is None:
                _ORIGINAL_STDERR[fd] = io.TextIOWrapper(io.FileIO(fd, "w", closefd=False), write_through=True)
            return _ORIGINAL_STDERR[fd]
        return sys.__stderr__
    return stream


_ORIGINAL_STDERR: dict[int, Any] = {}


class ServerLogHandler(logging.StreamHandler):
    """A logging handler that writes to the server's log (see :func:`_server_stream`), chosen at each record."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)
        self.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        self.stream = _server_stream()
        super().emit(record)


def install_server_log() -> None:
    """Send the ``sv_helpers`` logger's records (with tracebacks) to the server's log; safe to call more than once."""
    if not any(isinstance(h, ServerLogHandler) for h in log.handlers):
        log.addHandler(ServerLogHandler())
        if log.level == logging.NOTSET:
            log.setLevel(logging.INFO)


install_server_log()

#: Shown when the program (not the user's input) failed; the details go to the server log only.
UNEXPECTED_MESSAGE = (
    "Something went wrong inside the workbook, not in what you entered. "
    "Your inputs are kept and the last good result is still shown. "
    "Please tell the workbook's maintainers what you did just before this."
)

_STYLE = {"description_width": "initial"}
_WIDE = widgets.Layout(width="auto", min_width="22em")


# --------------------------------------------------------------------------- banner


class ErrorBanner(widgets.HTML):
    """A message area for errors and warnings, announced to screen readers.

    ``show_error`` and ``show_warnings`` replace what is shown; ``clear`` empties it.
    Messages are escaped: a user's file can never inject HTML.
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(value="", **kwargs)
        self.add_class("sv-banner-area")
        self.message = ""

    def _render(self, kind: str, title: str, messages: list[str]) -> None:
        items = [html.escape(m).replace("\n", "<br>") for m in messages]
        body = f"<p>{items[0]}</p>" if len(items) == 1 else "<ul>" + "".join(f"<li>{i}</li>" for i in items) + "</ul>"
        role = "alert" if kind == "error" else "status"
        self.message = "\n".join(messages)
        self.value = (
            f'<div class="sv-banner sv-banner-{kind}" role="{role}"><strong>{html.escape(title)}</strong>{body}</div>'
        )

    def show_error(self, message: str, title: str = "There is a problem") -> None:
        """Show one error message (keeps line breaks)."""
        lines = [m[2:] if m.startswith("- ") else m for m in str(message).split("\n") if m.strip()] or [str(message)]
        self._render("error", title, lines if len(lines) > 1 else [str(message)])

    def show_warnings(self, messages: Iterable[str], title: str = "Please check") -> None:
        """Show warnings (or clear the banner when there are none)."""
        messages = list(messages)
        if messages:
            self._render("warning", title, messages)
        else:
            self.clear()

    def show_findings(self, findings: Iterable[Finding]) -> None:
        """Show the errors of a check if any, else its warnings, else nothing."""
        findings = list(findings)
        errors = [f.message for f in findings if f.is_error]
        if errors:
            self._render("error", "There is a problem", errors)
        else:
            self.show_warnings([f.message for f in findings])

    def show_info(self, message: str, title: str = "Done") -> None:
        self._render("info", title, [message])

    def clear(self) -> None:
        self.message = ""
        self.value = ""


def guarded(banner: ErrorBanner, *, clear_on_success: bool = False) -> Callable:
    """Decorate an event handler so that no exception reaches the page.

    ``InputError`` shows its message in the banner; anything else shows
    :data:`UNEXPECTED_MESSAGE` and writes the traceback to the server's log
    through the ``logging`` module (:class:`ServerLogHandler`), never to the page.
    The handler's return value is passed through (``None`` on failure), and
    nothing on screen other than the banner is touched on failure, so the
    last good result and everything the user entered stay.
    """

    def decorate(fn: Callable) -> Callable:
        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            try:
                result = fn(*args, **kwargs)
            except InputError as exc:
                banner.show_error(str(exc))
                return None
            except Exception:  # noqa: BLE001 - the page must never show a traceback
                log.exception("Unexpected error in the app's handler %s", getattr(fn, "__qualname__", fn))
                banner.show_error(UNEXPECTED_MESSAGE)
                return None
            if clear_on_success:
                banner.clear()
            return result

        return wrapper

    return decorate


def run_guarded(banner: ErrorBanner, fn: Callable, *args: Any, **kwargs: Any) -> Any:
    """Call ``fn`` once under :func:`guarded`."""
    return guarded(banner)(fn)(*args, **kwargs)


# --------------------------------------------------------------------------- labelled inputs


def _labelled(cls: type, label: str, tooltip: str | None = None, **kwargs: Any) -> widgets.Widget:
    kwargs.setdefault("style", _STYLE)
    kwargs.setdefault("layout", widgets.Layout(width="auto"))
    w = cls(description=label, description_allow_html=False, **kwargs)
    if tooltip:
        w.tooltip = tooltip
    return w


def number_input(
    label: str,
    value: float,
    *,
    minimum: float | None = None,
    maximum: float | None = None,
    step: float = 1.0,
    tooltip: str | None = None,
) -> widgets.Widget:
    """A labelled number box (bounded when limits are given)."""
    if minimum is not None or maximum is not None:
        return _labelled(
            widgets.BoundedFloatText,
            label,
            tooltip,
            value=value,
            min=-1e15 if minimum is None else minimum,
            max=1e15 if maximum is None else maximum,
            step=step,
        )
    return _labelled(widgets.FloatText, label, tooltip, value=value, step=step)


def slider(
    label: str,
    value: float,
    minimum: float,
    maximum: float,
    step: float = 1.0,
    *,
    readout_format: str = ".0f",
    tooltip: str | None = None,
    continuous_update: bool = False,
) -> widgets.FloatSlider:
    """A labelled slider; the label is its accessible name."""
    return _labelled(
        widgets.FloatSlider,
        label,
        tooltip,
        value=value,
        min=minimum,
        max=maximum,
        step=step,
        readout_format=readout_format,
        continuous_update=continuous_update,
        layout=_WIDE,
    )


def int_slider(
    label: str, value: int, minimum: int, maximum: int, step: int = 1, *, tooltip: str | None = None
) -> widgets.IntSlider:
    """A labelled whole-number slider."""
    return _labelled(
        widgets.IntSlider,
        label,
        tooltip,
        value=value,
        min=minimum,
        max=maximum,
        step=step,
        continuous_update=False,
        layout=_WIDE,
    )


def dropdown(label: str, options: Any, value: Any = None, *, tooltip: str | None = None) -> widgets.Dropdown:
    """A labelled drop-down list; ``options`` may be values or (label, value) pairs."""
    kwargs = {"options": options}
    if value is not None:
        kwargs["value"] = value
    return _labelled(widgets.Dropdown, label, tooltip, **kwargs)


def text_input(label: str, value: str = "", *, placeholder: str = "", tooltip: str | None = None) -> widgets.Text:
    """A labelled one-line text box."""
    return _labelled(widgets.Text, label, tooltip, value=value, placeholder=placeholder)


def checkbox(label: str, value: bool = False, *, tooltip: str | None = None) -> widgets.Checkbox:
    """A labelled tick box."""
    return _labelled(widgets.Checkbox, label, tooltip, value=value, indent=False)


def button(label: str, *, style: str = "primary", tooltip: str | None = None, icon: str = "") -> widgets.Button:
    """A button whose text is its accessible name."""
    return widgets.Button(
        description=label,
        button_style=style,
        tooltip=tooltip or label,
        icon=icon,
        layout=widgets.Layout(width="max-content"),
    )


def upload(label: str, accept: str = ".csv,.xlsx") -> widgets.FileUpload:
    """A labelled file upload that takes one CSV or Excel file."""
    return widgets.FileUpload(
        accept=accept, multiple=False, description=label, layout=widgets.Layout(width="max-content")
    )


def uploaded_files(upload_widget: widgets.FileUpload, *, max_upload_mb: float | None = None) -> list[tuple[str, bytes]]:
    """Return ``[(filename, content), ...]`` of the files uploaded, in name order (empty when none).

    Raises
    ------
    InputError
        When a file is larger than the upload limit
        (:func:`sv_helpers.core.tables.upload_limits`); nothing of it is copied.
    """
    value = upload_widget.value
    if not value:
        return []
    items = list(value) if isinstance(value, (list, tuple)) else list(value.values())
    multiple = bool(getattr(upload_widget, "multiple", False))
    if not multiple:
        items = items[-1:]
    out = []
    for item in items:
        name = str(item.get("name") or "the uploaded file")
        content = item["content"]
        size = item.get("size")
        size = size if isinstance(size, int) and size >= 0 else len(content)
        check_upload_size(max(size, len(content)), name, max_upload_mb=max_upload_mb)
        out.append((name, bytes(content)))
    return sorted(out, key=lambda f: f[0]) if multiple else out


def uploaded_file(upload_widget: widgets.FileUpload, *, max_upload_mb: float | None = None) -> tuple[str, bytes] | None:
    """Return ``(filename, content)`` of the file last uploaded, or ``None`` (see :func:`uploaded_files`)."""
    files = uploaded_files(upload_widget, max_upload_mb=max_upload_mb)
    return files[-1] if files else None


# --------------------------------------------------------------------------- page structure


def heading(text: str, level: int = 2) -> widgets.HTML:
    """A heading inside the app (pages keep a single h1: the notebook's title)."""
    return widgets.HTML(f"<h{level}>{html.escape(text)}</h{level}>")


def paragraph(text: str) -> widgets.HTML:
    """Plain text, escaped."""
    return widgets.HTML(f"<p>{html.escape(text)}</p>")


def section(title: str, *children: widgets.Widget, level: int = 2) -> widgets.VBox:
    """A titled group of widgets."""
    box = widgets.VBox([heading(title, level), *children])
    box.add_class("sv-section")
    return box


def download_link(content: bytes, filename: str, label: str, mime: str = "application/octet-stream") -> str:
    """Return an HTML link that downloads ``content`` as ``filename`` (no server round trip)."""
    encoded = base64.b64encode(content).decode("ascii")
    return f'<a class="sv-download" download="{html.escape(filename, quote=True)}" href="data:{mime};base64,{encoded}">{html.escape(label)}</a>'


def downloads_html(files: Iterable[tuple[bytes, str, str, str]]) -> str:
    """Return a list of download links from ``(content, filename, label, mime)`` tuples."""
    items = "".join(f"<li>{download_link(*f)}</li>" for f in files)
    return f'<ul class="sv-downloads">{items}</ul>'


XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_MIME = "text/csv"
JSON_MIME = "application/json"


# --------------------------------------------------------------------------- running modes


def in_voila() -> bool:
    """Whether this kernel was started by Voila (an app), rather than JupyterLab, nbval or papermill."""
    import os

    return (
        any(k in os.environ for k in ("VOILA_KERNEL_ID", "VOILA_BASE_URL", "VOILA_REQUEST_URL"))
        or os.environ.get("VOILA_PREHEAT", "False") != "False"
    )


def install_plain_errors() -> None:
    """Show an ``InputError`` raised in a notebook cell as its message alone, never a traceback.

    The message is shown as the workbook's banner, and the cell's error is
    recorded as one line, ``InputError: <message>``, with no stack, so the
    cell still fails: papermill stops with the plain-English message as the
    run's error, and nbval reports it.  Outside IPython this does nothing.
    """
    try:
        from IPython import get_ipython
        from IPython.display import HTML, display
    except ImportError:  # pragma: no cover
        return
    shell = get_ipython()
    if shell is None:
        return

    def handler(shell: Any, etype: type, evalue: BaseException, tb: Any, tb_offset: Any = None) -> list[str]:
        display(
            HTML(
                f'<div class="sv-banner sv-banner-error" role="alert"><strong>There is a problem</strong><p>{html.escape(str(evalue)).replace(chr(10), "<br>")}</p></div>'
            )
        )
        stb = [f"{etype.__name__}: {evalue}"]
        shell._showtraceback(etype, evalue, stb)
        return stb

    shell.set_custom_exc((InputError,), handler)


def read_query_string() -> str:
    """Return the query string of the Voila page that runs this kernel ('' elsewhere).

    With preheated kernels Voila only passes the request after
    ``voila.utils.wait_for_request()``, which returns at once outside Voila.
    """
    if os.environ.get("VOILA_PREHEAT", "False") != "False":
        try:
            from voila.utils import wait_for_request

            wait_for_request()
        except Exception:  # pragma: no cover - outside Voila, or Voila too old
            pass
    return os.environ.get("QUERY_STRING", "")
