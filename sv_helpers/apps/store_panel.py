"""The "Saved scenarios" panel every app shows beside its settings.

Save this scenario (a name and a note), see the scenarios saved for this app
(name, who, when, whether it is a draft or shared, and which is the decision),
open one (its settings and input files restored exactly), compare it with the
current one, share it with councillors, or mark it as the decision with a note.
A link ``?scenario=ID`` opens a saved scenario (:func:`open_from_query`).
Nothing here speaks of databases: when the store cannot be reached the panel
says that saving is not available and the app works on.

Who may do what is the store's (:mod:`sv_helpers.store.access`): an officer
sees every scenario and saves, shares and decides; a councillor sees the
shared scenarios only, and the panel shows them no saving, sharing or
deciding controls. The store refuses (and writes down) anything else,
whatever the screen offered.

Interface layer.  The store itself is :mod:`sv_helpers.store`.
"""

from __future__ import annotations

import hashlib
import html
import json
import logging
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl
from zoneinfo import ZoneInfo

import ipywidgets as widgets

from sv_helpers.apps import widgets as ui
from sv_helpers.core.errors import InputError
from sv_helpers.core.formatting import format_number
from sv_helpers.core.paths import resolve_path

log = logging.getLogger("sv_helpers")

UNAVAILABLE = (
    "Saving scenarios is not available just now: the place where saved scenarios are kept cannot be "
    "reached. Everything else in this app works; please tell the workbook's administrator."
)
LONDON = ZoneInfo("Europe/London")
COUNCILLOR_NOTE = (
    "You are signed in as a councillor: you can open and compare the scenarios officers have shared with you. "
    "Officers save scenarios, share them and record decisions."
)


def shown_time(text: str) -> str:
    """A stored UTC time as UK local time, e.g. ``12 Mar 2026, 14:05``."""
    from sv_helpers.store.records import parse_utc

    return parse_utc(text).astimezone(LONDON).strftime("%-d %b %Y, %H:%M")


def _shown_value(value: Any) -> str:
    if value is None or value == "":
        return "(none)"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (int, float)):
        return format_number(value, 0 if float(value).is_integer() else 2)
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _headline(result: Any) -> str:
    return result.headline if isinstance(result.headline, str) else " ".join(result.headline)


def _file_hash(path: str) -> str | None:
    from sv_helpers.store.folders import pack_folder

    try:
        p = resolve_path(path)
        data = pack_folder(p) if p.is_dir() else p.read_bytes()
    except OSError:
        return None
    return hashlib.sha256(data).hexdigest()


def differences(current: Any, saved: dict[str, Any]) -> list[tuple[str, str, str]]:
    """The settings that differ between the current settings and a saved scenario: (label, current, saved).

    Input files are compared by content (SHA-256), so the same file in another place is not a difference.
    """
    rows = []
    now = current.to_parameters()
    for name, spec in current.specs().items():
        before = saved["parameters"].get(name)
        if spec.is_input:
            current_path = now.get(name)
            current_hash = _file_hash(current_path) if current_path else None
            if current_hash != saved["inputs"].get(name):
                saved_name = saved.get("input_files", {}).get(name, {}).get("file_name", "(none)")
                rows.append((spec.label, Path(current_path).name if current_path else "(none)", saved_name))
        elif now.get(name) != before:
            rows.append((spec.label, _shown_value(now.get(name)), _shown_value(before)))
    return rows


class StorePanel:
    """The widgets and handlers of the panel for one app."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.area = getattr(app.base_settings, "AREA", "")
        self.store = None
        self.items: dict[str, dict[str, Any]] = {}
        self.message = ui.ErrorBanner()
        self.message.add_class("sv-store-message")
        title = ui.heading("Saved scenarios", 3)
        try:
            from sv_helpers.store import open_store

            self.store = open_store()
        except InputError:
            log.exception("The scenario store cannot be reached")
        except Exception:  # noqa: BLE001 - the app works without the store
            log.exception("The scenario store could not be opened")
        if self.store is None:
            note = ui.paragraph(UNAVAILABLE)
            note.add_class("sv-store-unavailable")
            self.box = widgets.VBox([title, note])
            self.box.add_class("sv-store")
            return
        self.name = ui.text_input("Name of this scenario", placeholder="e.g. Round 3, ranked by score")
        self.name.add_class("sv-store-name")
        self.note = widgets.Textarea(
            description="Note (optional)",
            placeholder="Why this scenario, for whom",
            style={"description_width": "initial"},
            layout=widgets.Layout(width="auto"),
        )
        self.note.add_class("sv-store-note")
        self.save_button = ui.button("Save this scenario")
        self.save_button.add_class("sv-store-save")
        self.choice = ui.dropdown("Saved scenarios", options=[("None saved yet", "")], value="")
        self.choice.add_class("sv-store-list")
        self.open_button = ui.button("Open this scenario", style="")
        self.open_button.add_class("sv-store-open")
        self.compare_button = ui.button("Compare with the current one", style="")
        self.compare_button.add_class("sv-store-compare")
        self.share_button = ui.button("Share with councillors", style="")
        self.share_button.add_class("sv-store-share")
        self.role_note = ui.paragraph(COUNCILLOR_NOTE)
        self.role_note.add_class("sv-store-role")
        self.decision_note = ui.text_input("Decision note", placeholder="e.g. Recommended to Cabinet 12 March 2026")
        self.decision_note.add_class("sv-store-decision-note")
        self.decide_button = ui.button("Mark as the decision", style="")
        self.decide_button.add_class("sv-store-decide")
        self.details = widgets.HTML(value="")
        self.details.add_class("sv-store-details")
        self.comparison = widgets.HTML(value="")
        self.comparison.add_class("sv-store-comparison")
        self.save_button.on_click(lambda _: self.act(self.save))
        self.open_button.on_click(lambda _: self.act(self.open, self.choice.value))
        self.compare_button.on_click(lambda _: self.act(self.compare, self.choice.value))
        self.decide_button.on_click(lambda _: self.act(self.decide, self.choice.value))
        self.share_button.on_click(lambda _: self.act(self.share, self.choice.value))
        self.choice.observe(lambda change: self._describe(change["new"]), names="value")
        buttons = [self.save_button, self.open_button, self.compare_button, self.share_button, self.decide_button]
        getattr(app, "busy_buttons", []).extend(buttons)
        # What only officers do: shown to officers only (the store refuses it from anyone else anyway).
        self.saving = widgets.VBox([self.name, self.note, self.save_button])
        self.deciding = widgets.VBox([self.share_button, self.decision_note, self.decide_button])
        self.box = widgets.VBox(
            [
                title,
                self.message,
                self.role_note,
                self.saving,
                self.choice,
                self.details,
                widgets.HBox([self.open_button, self.compare_button]),
                self.deciding,
                self.comparison,
            ]
        )
        self.box.add_class("sv-store")
        try:
            self.refresh_list()
        except Exception:  # noqa: BLE001 - a store that fails now is shown as unavailable
            log.exception("Listing saved scenarios failed")
            self.message.show_error(UNAVAILABLE)

    def act(self, action: Any, *args: Any) -> Any:
        """Run an action for a button or a link: any problem is shown in the panel, never a traceback."""
        from sv_helpers.store import StoreUnavailable

        def attempt() -> Any:
            try:
                return action(*args)
            except StoreUnavailable:
                log.exception("The scenario store cannot be reached")
                raise InputError(UNAVAILABLE) from None

        return ui.run_guarded(self.message, attempt)

    # ------------------------------------------------------------------ the list

    def actor(self) -> Any:
        """Who is using the app now, and in which role (read afresh: behind a proxy it comes with the page)."""
        from sv_helpers.store import current_actor

        return current_actor()

    def refresh_list(self, selected: str | None = None) -> None:
        """Read the scenarios this person may see for this app and show them, newest first."""
        actor = self.actor()
        self.is_officer = actor.is_officer
        for officers_only in (self.saving, self.deciding):
            officers_only.layout.display = None if actor.is_officer else "none"
        self.role_note.layout.display = "none" if actor.is_officer else None
        items = self.store.list(self.area, user=actor)
        self.items = {i["id"]: i for i in items}
        empty = "None saved yet" if actor.is_officer else "None shared with councillors yet"
        options = [(self._label(i), i["id"]) for i in items] or [(empty, "")]
        value = selected if selected in self.items else options[0][1]
        self.choice.options = options
        self.choice.value = value
        self._describe(value)
        for b in (self.open_button, self.compare_button, self.decide_button):
            b.disabled = not items

    @staticmethod
    def _label(item: dict[str, Any]) -> str:
        decision = item["decision"]
        mark = "" if item.get("shared") else " (draft)"
        if decision is not None:
            mark += " ✓ the decision" if decision["current"] else " (an earlier decision)"
        return f"{item['name']} — {item['user']}, {shown_time(item['created_at'])}{mark}"

    def _describe(self, scenario_id: str) -> None:
        item = self.items.get(scenario_id)
        self.share_button.disabled = item is None or bool(item.get("shared"))
        if item is None:
            self.details.value = ""
            return
        parts = [f"Saved by {html.escape(item['user'])} on {shown_time(item['created_at'])}."]
        shared = item.get("shared")
        if shared:
            parts.append(
                f'<span class="sv-store-shared">Shared with councillors by {html.escape(shared["user"])} on '
                f"{shown_time(shared['at'])}.</span>"
            )
        else:
            parts.append(
                '<span class="sv-store-draft">A draft: only officers and its author see it until an officer '
                "shares it with councillors.</span>"
            )
        if item["note"]:
            parts.append(f"Note: {html.escape(item['note'])}")
        decision = item["decision"]
        if decision is not None:
            state = "The decision" if decision["current"] else "An earlier decision, since superseded"
            parts.append(
                f'<strong class="sv-store-decision-mark">{state}:</strong> {html.escape(decision["note"])} '
                f"(marked by {html.escape(decision['user'])} on {shown_time(decision['at'])})."
            )
        parts.append(
            f'<a class="sv-store-link" href="?scenario={html.escape(item["id"])}">Link to this saved scenario</a>'
        )
        self.details.value = "".join(f"<p>{p}</p>" for p in parts)

    # ------------------------------------------------------------------ actions

    def save(self) -> str:
        """Save the result the app shows now; returns the new scenario's id."""
        name = self.name.value.strip()
        with self.app.working("Saving…"):
            scenario_id = self.store.save(self.app.result, name, self.note.value, user=self.actor())
        self.name.value = ""
        self.note.value = ""
        self.refresh_list(scenario_id)
        self.message.show_info(
            f"The scenario '{name}' was saved as a draft: councillors see it once it is shared.", title="Saved"
        )
        return scenario_id

    def share(self, scenario_id: str) -> dict[str, Any]:
        """Share a saved scenario with councillors (officers only; the store refuses anyone else)."""
        if not scenario_id:
            raise InputError("Please choose a saved scenario first.")
        share = self.store.share(scenario_id, user=self.actor())
        self.refresh_list(scenario_id)
        self.message.show_info(f"'{self.items[scenario_id]['name']}' is now shared with councillors.", title="Shared")
        return share

    def open(self, scenario_id: str) -> Any:
        """Open a saved scenario: its settings and input files restored, the app run with them."""
        if not scenario_id:
            raise InputError("Please choose a saved scenario first.")
        actor = self.actor()
        item = self.store.get(scenario_id, user=actor)
        if item["notebook"] != self.area:
            raise InputError(
                f"The saved scenario '{item['name']}' belongs to another part of the workbook "
                f"({item['notebook']}); open it there."
            )
        with self.app.working("Opening…"):
            settings, _ = self.store.restore(scenario_id, user=actor)
        result = self.app.apply_settings(settings)
        if result is None:
            return None
        self.refresh_list(scenario_id)
        when = shown_time(item["created_at"])
        text = f"Opened '{item['name']}', saved by {item['user']} on {when}."
        if _headline(result) != item["headline"]:
            text += " Its answer is not the same as when it was saved: the workbook's rules may have changed since."
        self.message.show_info(text, title="Opened")
        self.comparison.value = ""
        return result

    def compare(self, scenario_id: str) -> list[tuple[str, str, str]]:
        """Show the settings that differ between the current scenario and a saved one, and both headlines."""
        if not scenario_id:
            raise InputError("Please choose a saved scenario first.")
        saved = self.store.get(scenario_id, user=self.actor(), action="compare")
        rows = differences(self.app.result.settings, saved)
        current_headline = _headline(self.app.result)
        body = "".join(
            f'<tr><th scope="row">{html.escape(a)}</th><td>{html.escape(b)}</td><td>{html.escape(c)}</td></tr>'
            for a, b, c in rows
        )
        if not rows:
            body = '<tr><td colspan="3">The settings and input files are the same.</td></tr>'
        body += (
            f'<tr class="sv-store-headlines"><th scope="row">Answer</th><td>{html.escape(current_headline)}</td>'
            f"<td>{html.escape(saved['headline'])}</td></tr>"
        )
        self.comparison.value = (
            f'<table class="sv-table sv-store-compare-table"><caption>The current scenario compared with '
            f"'{html.escape(saved['name'])}'</caption><thead><tr><th scope=\"col\">Setting</th>"
            f'<th scope="col">Current</th><th scope="col">Saved</th></tr></thead><tbody>{body}</tbody></table>'
        )
        return rows

    def decide(self, scenario_id: str) -> dict[str, Any]:
        """Mark a saved scenario as the decision, with the note given."""
        if not scenario_id:
            raise InputError("Please choose a saved scenario first.")
        decision = self.store.mark_decision(scenario_id, self.decision_note.value, user=self.actor())
        self.decision_note.value = ""
        self.refresh_list(scenario_id)
        self.message.show_info(
            f"'{self.items[scenario_id]['name']}' is now marked as the decision.", title="Decision recorded"
        )
        return decision


def build(app: Any) -> widgets.Widget:
    """The panel for an app (the app base calls this); the panel is kept as ``app.saved_scenarios``."""
    panel = StorePanel(app)
    app.saved_scenarios = panel
    return panel.box


def open_from_query(app: Any, query: str) -> bool:
    """Open the saved scenario a page's link names (``?scenario=ID``); returns whether one was opened.

    Call it after building the app and reading the query string.  A problem
    (no such scenario, saving not available) is shown to the user; the app
    keeps its current scenario.
    """
    wanted = [v for k, v in parse_qsl(query.lstrip("?"), keep_blank_values=True) if k == "scenario"]
    if not wanted or not wanted[-1].strip():
        return False
    panel = getattr(app, "saved_scenarios", None)
    if panel is None or panel.store is None:
        app.show_notices(
            [f"The link opens a saved scenario, but {UNAVAILABLE[0].lower()}{UNAVAILABLE[1:]}"],
            title="The saved scenario could not be opened",
        )
        return False
    result = panel.act(panel.open, wanted[-1].strip()[:64])
    return result is not None
