"""The one app pattern every Voila app follows.

An app is its **controls** and its **views**; this base class does the rest:

* the layout: the headline answer (``.sv-headline``, a live region) and the main
  view on the first screen, the controls beside them in a side panel on a wide
  screen (stacked first on a narrow one), the other views below;
* one re-entry guard, so setting several controls at once (a link, an opened
  saved scenario) runs the model once;
* ``settings()`` read from the controls, ``run`` from the area's core, ``views(result)``
  producing what is shown, and one place (:meth:`show`) applying it, rewriting
  only the views whose content changed;
* a "working" status and disabled buttons while a run takes time; a run the app calls
  :meth:`heavy` (an optimal allocation) and a heavy step (:meth:`in_background`: a PDF)
  run in a worker thread, so "Working…" shows at once and every other control keeps
  answering; the latest request wins;
* "Copy a link to these settings", and settings from a page's link;
* the saved-scenario panel when the store is available.

Interface layer: the model never imports this module.

A subclass declares::

    class GrantsApp(ScenarioApp):
        core = grants                       # the area module: Settings, load, run
        views_shown = ("chart", "table")    # the first one is the main view

        def controls(self, settings): return [Control("budget", ui.number_input(...)), ...]
        def views(self, result): return {"chart": "<figure>…", "table": "<table>…"}
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import gc
import hashlib
import html
import logging
import os
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ipywidgets as widgets

from sv_helpers.apps import widgets as ui
from sv_helpers.core.errors import InputError
from sv_helpers.core.paths import REPO_ROOT
from sv_helpers.core.scenario import Inputs, Result
from sv_helpers.reports import document

log = logging.getLogger("sv_helpers")

#: A redraw says "Working…" only if it is still working after this long (the goal: within 100 ms).
WORKING_AFTER_S = 0.05

#: Where uploaded files are kept, content-addressed, so a saved scenario can name them.
UPLOADS_DIR = REPO_ROOT / "var" / "uploads"


@dataclass
class Control:
    """One control: the setting it sets, its widget, and how a value passes between them."""

    name: str
    widget: widgets.Widget
    read: Callable[[Any], Any] | None = None  # widget value -> setting value
    write: Callable[[Any], Any] | None = None  # setting value -> widget value

    def value(self) -> Any:
        return self.read(self.widget.value) if self.read else self.widget.value

    def set(self, value: Any) -> None:
        shown = self.write(value) if self.write else value
        if self.widget.value != shown:
            self.widget.value = shown


def keep_upload(filename: str, content: bytes) -> Path:
    """Keep an uploaded file under ``var/uploads/<sha256>/<name>`` and return its path (the same file once)."""
    digest = hashlib.sha256(content).hexdigest()
    safe = "".join(c if c.isalnum() or c in "._- " else "_" for c in Path(filename).name).strip() or "upload"
    folder = UPLOADS_DIR / digest
    path = folder / safe
    if not path.exists():
        folder.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(path.suffix + ".part")
        tmp.write_bytes(content)
        tmp.replace(path)
    return path


class ScenarioApp(widgets.VBox):
    """The base of every app (see the module's docstring)."""

    #: The area module (``Settings``, ``load``, ``run``).
    core: Any = None
    #: The names of the views, in page order; the first is shown beside the headline.
    views_shown: tuple[str, ...] = ()
    #: The heading of the side panel.
    controls_title = "Settings"

    def __init__(self, result: Result, *, inputs: Inputs | None = None, notices: Iterable[str] = ()) -> None:
        super().__init__()
        self.add_class("sv-app")
        self.base_settings = result.settings
        self.inputs = inputs
        # The inputs the result was computed from: the first change does not read the files again.
        self._loaded_key = self._input_key(result.settings) if inputs is not None else None
        self.result = result
        self._quiet = False
        self._shown: dict[str, str] = {}
        self._view_cache: dict[str, tuple[Any, str]] = {}
        self.busy_buttons: list[widgets.Button] = []
        self._generation = 0  # counts requests for a run: a background run shows its result only if still the latest
        self._runs: concurrent.futures.ThreadPoolExecutor | None = None
        self._tasks: concurrent.futures.ThreadPoolExecutor | None = None
        self._jobs: list[concurrent.futures.Future] = []
        self._lock = threading.RLock()
        self._held: list[widgets.Button] = []  # buttons a background run disabled, until the latest run is done
        self.banner = ui.ErrorBanner()
        self.notices = ui.ErrorBanner()
        self.status = widgets.HTML(value="", layout=widgets.Layout(min_height="1.5em"))
        self.status.add_class("sv-status")
        self.headline = widgets.HTML(value="")
        self.headline.add_class("sv-headline-area")
        self.link_html = widgets.HTML(value="")
        self.view_widgets = {name: widgets.HTML(value="") for name in self.views_shown}
        for name, w in self.view_widgets.items():
            w.add_class(f"sv-view-{name}")
        self.control_list = self.controls(result.settings)
        for control in self.control_list:
            control.widget.observe(self._on_change, names="value")
        side = widgets.VBox(
            [ui.heading(self.controls_title, 2), *self.side_panel(), self.link_html, *self.store_panel()]
        )
        side.add_class("sv-controls")
        first = self.views_shown[:1]
        main = widgets.VBox([self.headline, self.status, *(self.view_widgets[n] for n in first)])
        main.add_class("sv-main")
        top = widgets.Box([side, main])
        top.add_class("sv-layout")
        rest = [self.view_widgets[n] for n in self.views_shown[1:]]
        self.children = [self.notices, self.banner, top, *self.below(), *rest]
        self.show_notices(list(notices))
        self.show(result)
        if ui.in_voila() and os.environ.get("VOILA_PREHEAT", "False") != "False":
            self.warm_up()  # in Voila's preheated kernel, before anyone asks for the page
            # What the app has built so far lives as long as the page: the garbage collector need not walk it again
            # during a redraw (fewer, shorter pauses in the middle of a change).
            gc.collect()
            gc.freeze()

    # ------------------------------------------------------------------ what a subclass gives

    def controls(self, settings: Any) -> list[Control]:
        """The controls, built from the settings (subclass)."""
        return []

    def side_panel(self) -> list[widgets.Widget]:
        """What the side panel holds: by default the controls' widgets in order."""
        return [c.widget for c in self.control_list]

    def below(self) -> list[widgets.Widget]:
        """Widgets between the first screen and the other views (explanation, uploads, downloads)."""
        return []

    def views(self, result: Result) -> dict[str, str]:
        """Each view's HTML for a result (subclass); keys are :attr:`views_shown`."""
        return {}

    def neighbours(self, settings: Any) -> list[Any]:
        """Settings a councillor is likely to ask for next (another year, a nearby target year), worked out by
        :meth:`warm_up` while a preheated kernel waits for its page (subclass; default none)."""
        return []

    def warm_up(self) -> int:
        """Run and draw :meth:`neighbours` once, so the areas' caches (reports, charts) already hold them: the first
        change to one of them is as quick as the second. Returns how many were worked out; a failure is skipped."""
        done = 0
        for settings in self.neighbours(self.base_settings):
            try:
                self.views(self.run(settings))
                done += 1
            except Exception:  # noqa: BLE001 - warming up is only ever a head start
                log.debug("Warming up %s for %r failed", type(self).__name__, settings, exc_info=True)
        return done

    def headline_html(self, result: Result) -> str:
        """The headline answer, plain English."""
        sentences = result.headline if isinstance(result.headline, str) else " ".join(result.headline)
        return html.escape(sentences)

    # ------------------------------------------------------------------ the cycle

    def settings(self) -> Any:
        """The settings the controls show, checked (raises ``InputError``)."""
        return self.base_settings.replace(**{c.name: c.value() for c in self.control_list})

    def run(self, settings: Any) -> Result:
        """Run the area's core, loading inputs only when the files they come from changed."""
        if self.inputs is None or self._input_key(settings) != self._loaded_key:
            self.inputs = self.core.load(settings)
            self._loaded_key = self._input_key(settings)
        return self.core.run(settings, inputs=self.inputs)

    _loaded_key: Any = None

    def _input_key(self, settings: Any) -> Any:
        return tuple(sorted(settings.input_paths().items())) + tuple(
            (n, getattr(settings, n)) for n in getattr(self.core, "LOAD_SETTINGS", ())
        )

    def heavy(self, settings: Any) -> bool:
        """Whether a run with these settings may take longer than a redraw should (a subclass says; default no).

        A heavy run goes to a worker thread: the page says it is working at once and the other controls keep
        answering; when several are asked for, only the latest is shown.
        """
        return False

    #: What the page says while a heavy run works.
    heavy_message = "Working… you can go on changing the settings."

    @property
    def pending(self) -> bool:
        """Whether a background run or step has not finished yet."""
        return any(not job.done() for job in self._jobs)

    def wait(self, timeout: float | None = 120.0) -> None:
        """Wait for the background runs and steps to finish (tests, and a notebook that reads ``app.result``)."""
        while self._jobs:
            job = self._jobs.pop(0)
            job.result(timeout=timeout)

    def refresh(self) -> Result | None:
        """Read the controls, run, and show the result; on bad input show why and keep the last good result.

        Returns the result shown, or ``None`` when the settings were refused or the run goes on in the background
        (:attr:`pending`).
        """
        with self._lock:
            self._generation += 1
            generation = self._generation
        try:
            settings = self.settings()
            if self.heavy(settings):
                self._start_heavy_run(settings, generation)
                return None
        except InputError as exc:
            self.banner.show_error(str(exc))
            return None
        except Exception:  # noqa: BLE001 - the page never shows a traceback
            log.exception("Unexpected error in %s", type(self).__name__)
            self.banner.show_error(ui.UNEXPECTED_MESSAGE)
            return None
        with self.working(after=WORKING_AFTER_S):
            result = self._run_or_say_why(settings)
        self._release_buttons()  # this run is the latest: a background run still going will not be shown
        if result is None:
            return None
        return self._show_run(settings, result)

    def _release_buttons(self) -> None:
        with self._lock:
            held, self._held = self._held, []
        for b in held:
            b.disabled = False

    def _run_or_say_why(self, settings: Any) -> Result | None:
        try:
            return self.run(settings)
        except InputError as exc:
            self.banner.show_error(str(exc))
        except Exception:  # noqa: BLE001 - the page never shows a traceback
            log.exception("Unexpected error in %s", type(self).__name__)
            self.banner.show_error(ui.UNEXPECTED_MESSAGE)
        return None

    def _show_run(self, settings: Any, result: Result) -> Result:
        if not result.warnings:  # warnings replace what the banner said in show(): never cleared and said again,
            self.banner.clear()  # which would re-announce them to a screen reader on every change
        self.base_settings = settings
        self.show(result)
        return result

    def _start_heavy_run(self, settings: Any, generation: int) -> None:
        with self._lock:
            for b in self.busy_buttons:
                if not b.disabled:
                    b.disabled = True
                    self._held.append(b)
        self.status.value = f'<p class="sv-working" role="status">{html.escape(self.heavy_message)}</p>'

        def work() -> None:
            try:
                with self._lock:
                    latest = generation == self._generation
                result = self._run_or_say_why(settings) if latest else None
                with self._lock:
                    if result is not None and generation == self._generation:
                        self._show_run(settings, result)
            finally:
                with self._lock:
                    if generation == self._generation:
                        self.status.value = ""
                        self._release_buttons()

        if self._runs is None:
            self._runs = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="sv-run")
        self._jobs.append(self._runs.submit(work))

    def in_background(
        self,
        area: widgets.HTML,
        message: str,
        build: Callable[[Result], str],
        *,
        button: widgets.Button | None = None,
    ) -> None:
        """A heavy step (a PDF) in a worker thread: ``message`` shows in ``area`` at once, ``button`` is disabled,
        and every control keeps answering; ``build(result)`` gives the HTML that replaces the message.

        The step is for the result on screen when it was asked for; if the settings change meanwhile, its output
        says so. A refused input or an unexpected error shows in the banner, never a traceback.
        """
        result = self.result
        if button is not None:
            button.disabled = True
        area.value = (
            f'<p class="sv-working" role="status">{html.escape(message)} You can go on changing the settings.</p>'
        )

        def work() -> None:
            try:
                made = build(result)
                if self.result is not result:
                    made = (
                        '<p class="sv-note">Made for the settings shown when you asked, before your last change.</p>'
                        + made
                    )
                area.value = made
            except (InputError, FileNotFoundError) as exc:  # FileNotFoundError: Chromium is missing, said plainly
                area.value = ""
                self.banner.show_error(str(exc))
            except Exception:  # noqa: BLE001 - the page never shows a traceback
                log.exception("Unexpected error in %s's background step", type(self).__name__)
                area.value = ""
                self.banner.show_error(ui.UNEXPECTED_MESSAGE)
            finally:
                if button is not None:
                    button.disabled = False

        if self._tasks is None:
            self._tasks = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="sv-task")
        self._jobs.append(self._tasks.submit(work))

    def show(self, result: Result) -> None:
        """Apply a result to the page: only the views whose content changed are rewritten.

        Every app shows a result this way (no app overrides it): :meth:`before_show` fits the controls that depend
        on the data, the headline and :meth:`first_view` go to the page first, then the other :meth:`views`, the
        link, and :meth:`after_show`'s notes; downloads made for other settings are cleared.
        """
        self.before_show(result)
        self.result = result
        headline = f'<p class="sv-headline" role="status" aria-live="polite">{self.headline_html(result)}</p>'
        warnings = result.warnings
        if warnings:
            self.banner.show_warnings(warnings)
        first = self.first_view(result)
        if first is not None and self.views_shown:
            self._apply({"__headline": headline, self.views_shown[0]: first})
        self._apply({"__headline": headline, **self.views(result), "__link": self.link_block(result.settings)})
        if self._made_for is not None and self._made_for != result.settings:
            self._made_for = None
            for area in (getattr(self, "downloads", None), getattr(self, "pdf_area", None)):
                if area is not None:
                    area.value = ""
        self.after_show(result)

    def _apply(self, updates: dict[str, str]) -> None:
        for name, content in updates.items():
            if self._shown.get(name) == content:
                continue
            self._shown[name] = content
            target = {"__headline": self.headline, "__link": self.link_html}.get(name) or self.view_widgets.get(name)
            if target is not None:
                target.value = content

    def before_show(self, result: Result) -> None:
        """Fit the controls that depend on the data (options, ranges) to a result about to be shown (subclass)."""

    def after_show(self, result: Result) -> None:
        """Update what describes the data (notes, the source) after a result is shown (subclass)."""

    def first_view(self, result: Result) -> str | None:
        """The main view alone, sent with the headline before the slower views are worked out (subclass; default:
        none, every view goes at once)."""
        return None

    def cached(self, view: str, key: Any, draw: Callable[[], str]) -> str:
        """A view (a chart) drawn again only when ``key``, what it shows, changed: charts cost most of a redraw."""
        if self._view_cache.get(view, (None, None))[0] != key:
            self._view_cache[view] = (key, draw())
        return self._view_cache[view][1]

    # ------------------------------------------------------------------ handlers, uploads and downloads

    def guard(self, handler: Callable[..., Any]) -> Callable[..., Any]:
        """The one handler guard: a refused input shows in the banner, anything else a plain message (the traceback
        to the server's log); nothing else on screen changes, so the last good result and the inputs stay."""
        return ui.guarded(self.banner)(handler)

    def action_button(self, label: str, kind: str, action: Callable[[], Any], *, style: str = "primary"):
        """A button of one kind (its CSS class ``sv-<kind>``), guarded, disabled while the app works."""
        b = ui.button(label, style=style)
        b.add_class(f"sv-{kind}")
        b.on_click(self.guard(lambda _b: action()))
        self.busy_buttons.append(b)
        return b

    def file_upload(
        self,
        label: str,
        kind: str,
        take: Callable[[list[tuple[str, bytes]]], Any] | str,
        *,
        accept: str = ".csv,.xlsx",
        multiple: bool = False,
    ) -> widgets.FileUpload:
        """An upload of one kind (``sv-upload-<kind>``): each file is checked against the upload limits, then
        ``take(files)`` gets ``[(name, content), ...]``; ``take`` may be the name of the setting the file replaces."""
        w = ui.upload(label, accept)
        w.multiple = multiple
        w.add_class(f"sv-upload-{kind}")

        def on_value(_change: Any) -> None:
            files = ui.uploaded_files(w)
            if not files:
                return
            if isinstance(take, str):
                with self.working("Reading the file…"):
                    self.use_upload(take, *files[-1])
            else:
                take(files)

        w.observe(self.guard(on_value), names="value")
        return w

    #: What the downloads button says, and the PDF button (``None``: the app has no report).
    downloads_label = "Prepare the downloads"
    pdf_label: str | None = "Make the PDF report"
    #: The report's title, in the names of its download links.
    report_title = "Report"

    def download_files(self, result: Result) -> list[tuple[bytes, str, str, str]]:
        """The files to download for a result, ``(content, filename, label, mime)`` (subclass): the tables and the
        provenance record; the base adds the HTML report."""
        return []

    def report_page(self, result: Result) -> str | None:
        """The report as one HTML page, its charts included, from the area's report module (subclass)."""
        return None

    def report_filename(self, result: Result) -> str:
        """The report's file name without its extension (``report``, as ``write`` names it)."""
        return "report"

    _made_for: Any = None

    def downloads_section(self, *before: widgets.Widget) -> widgets.Widget:
        """The one downloads block: the two buttons, what they made, made only when asked, for the settings shown."""
        self.downloads_button = self.action_button(self.downloads_label, "prepare-downloads", self.prepare_downloads)
        buttons = [self.downloads_button]
        self.downloads = widgets.HTML("")
        self.downloads.add_class("sv-downloads-area")
        self.pdf_area = widgets.HTML("")
        self.pdf_area.add_class("sv-pdf-area")
        if self.pdf_label is not None:
            self.pdf_button = self.action_button(self.pdf_label, "make-pdf", self.make_pdf, style="")
            buttons.append(self.pdf_button)
        return ui.section(
            "Downloads",
            *before,
            ui.paragraph(
                "Downloads are made when you ask for them, from the settings shown. Each carries the provenance "
                "record: the settings, the SHA-256 of every input file and the code's version."
            ),
            widgets.HBox(buttons, layout=widgets.Layout(flex_flow="row wrap")),
            self.downloads,
            self.pdf_area,
        )

    def prepare_downloads(self) -> None:
        """Make the downloads for the result shown: the area's files and the HTML report."""
        result = self.result
        with self.working("Preparing the downloads…"):
            files = list(self.download_files(result))
            page = self.report_page(result)
            if page is not None:
                name = f"{self.report_filename(result)}.html"
                files.insert(0, (page.encode("utf-8"), name, f"{self.report_title} (web page)", "text/html"))
        self.downloads.value = ui.downloads_html(files)
        self._made_for = result.settings

    def make_pdf(self) -> None:
        """Print the report to PDF in the background (a few seconds; every control keeps answering). Without
        Chromium, the one plain line of :data:`sv_helpers.reports.document.PDF_SKIPPED`, at once."""
        skipped = f'<p class="sv-note" role="status">{html.escape(document.PDF_SKIPPED)}</p>'
        if document.find_chromium() is None:
            self.pdf_area.value = skipped
            return

        def build(result: Result) -> str:
            page = self.report_page(result)
            self._made_for = result.settings
            try:
                pdf = document.pdf_bytes(page)
            except (FileNotFoundError, RuntimeError):
                return skipped
            label = f"{self.report_title} (PDF)"
            name = f"{self.report_filename(result)}.pdf"
            return ui.downloads_html([(pdf, name, label, "application/pdf")]) + (
                '<p role="status">The PDF is ready.</p>'
            )

        self.in_background(self.pdf_area, "Making the PDF report…", build, button=getattr(self, "pdf_button", None))

    def _on_change(self, change: dict) -> None:
        if not self._quiet:
            self.refresh()

    @contextlib.contextmanager
    def quiet(self) -> Iterator[None]:
        """Change several controls without a run for each (the re-entry guard)."""
        before, self._quiet = self._quiet, True
        try:
            yield
        finally:
            self._quiet = before

    @contextlib.contextmanager
    def working(self, message: str = "Working…", *, after: float = 0.0) -> Iterator[None]:
        """Say that the app is working and disable the buttons until it is done.

        With ``after`` (seconds), say so only if the work is still going then: a redraw that takes a few
        hundredths of a second sends no "Working…" and no disabled buttons, only its result.
        """
        said: list[widgets.Button] = []
        shown: list[bool] = []
        done = False
        lock = threading.Lock()

        def say() -> None:
            with lock:
                if done:
                    return
                shown.append(True)
                self.status.value = f'<p class="sv-working" role="status">{html.escape(message)}</p>'
                for b in self.busy_buttons:
                    if not b.disabled:
                        b.disabled = True
                        said.append(b)

        timer = None
        if after > 0:
            timer = threading.Timer(after, say)
            timer.daemon = True
            timer.start()
        else:
            say()
        try:
            yield
        finally:
            if timer is not None:
                timer.cancel()
            with lock:
                done = True
                for b in said:
                    b.disabled = False
                if shown:
                    self.status.value = ""

    def apply_settings(self, settings: Any) -> Result | None:
        """Show these settings on the controls and run once."""
        self.base_settings = settings
        with self.quiet():
            for control in self.control_list:
                control.set(getattr(settings, control.name))
        return self.refresh()

    def apply_query(self, query: str) -> None:
        """Apply a page link: a saved scenario (``?scenario=ID``) first, then any settings the link gives.

        A value the link cannot give (out of range, unknown, a file) is refused with a notice and the
        value on screen stays; the page always appears.
        """
        self.page_opened()
        if not query.strip("?"):
            return
        self.open_saved(query)
        settings, notices = type(self.base_settings).from_query(query, base=self.base_settings)
        settings, more = self.fit_link(settings)
        self.show_notices(notices + more, title="The link was only partly used")
        if settings != self.base_settings:
            self.apply_settings(settings)

    def page_opened(self) -> None:
        """The page has asked for this (preheated) app: bring the list of saved scenarios up to date."""
        panel = getattr(self, "saved_scenarios", None)
        if panel is None or getattr(panel, "store", None) is None:
            return
        try:
            panel.refresh_list()
        except Exception:  # noqa: BLE001 - the app works without the store
            log.exception("Listing saved scenarios failed")

    def fit_link(self, settings: Any) -> tuple[Any, list[str]]:
        """Checks a link's settings need against the loaded data (an app overrides it); returns them and notices."""
        return settings, []

    def open_saved(self, query: str) -> bool:
        """Open the saved scenario a link names (``?scenario=ID``), when saving is available."""
        try:
            from sv_helpers.apps import store_panel
        except ImportError:
            return False
        return store_panel.open_from_query(self, query)

    def show_notices(self, notices: list[str], title: str = "Please note") -> None:
        if notices:
            self.notices.show_warnings(notices, title=title)

    # ------------------------------------------------------------------ links and the store

    def link_block(self, settings: Any) -> str:
        """'Copy a link to these settings', and what a link cannot carry."""
        query = settings.to_query()
        href = "?" + query if query else "?"
        uploaded = {n: p for n, p in settings.input_paths().items() if str(UPLOADS_DIR) in str(Path(p).resolve())}
        note = ""
        if uploaded:
            names = ", ".join(f"{Path(p).name} (SHA-256 {Path(p).parent.name[:12]}…)" for p in uploaded.values())
            note = (
                f'<p class="sv-note">A link cannot carry an uploaded file ({html.escape(names)}): '
                "save the scenario and share its link instead.</p>"
            )
        return (
            f'<p><a class="sv-link" href="{html.escape(href, quote=True)}">Link to these settings</a> '
            f'<button type="button" class="sv-copy-link jupyter-button" data-href="{html.escape(href, quote=True)}">'
            "Copy a link to these settings</button></p>" + note
        )

    def store_panel(self) -> list[widgets.Widget]:
        """The saved-scenario panel when the store is available (empty otherwise)."""
        try:
            from sv_helpers.apps import store_panel
        except ImportError:
            return []
        try:
            return [store_panel.build(self)]
        except Exception:  # noqa: BLE001 - the app works without the store
            log.exception("The scenario store panel could not be built")
            return [ui.paragraph("Saving scenarios is not available just now; everything else works.")]

    def use_upload(self, setting_name: str, filename: str, content: bytes) -> Result | None:
        """Use an uploaded file for an input setting: kept under ``var/uploads``, then run."""
        return self.use_settings(**{setting_name: str(keep_upload(filename, content))})

    def use_settings(self, **changes: Any) -> Result | None:
        """Run with some settings changed (a new input file, say); on bad input keep the settings that worked."""
        previous = self.base_settings
        try:
            self.base_settings = previous.replace(**changes)
        except InputError as exc:
            self.banner.show_error(str(exc))
            return None
        result = self.refresh()
        if result is None and not self.pending:
            self.base_settings = previous
        return result
