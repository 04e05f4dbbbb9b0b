"""The "Saved scenarios" panel of an app: save, list, open exactly, compare, share, decide, and a link that opens one.

An officer (hub group ``officers``) sees every scenario and saves, shares and decides; a councillor sees the
shared scenarios only, gets no saving or deciding controls, and is refused (plainly, and in the audit log)
whatever they try beyond reading.
"""

from __future__ import annotations

import ipywidgets as widgets
import pytest

from sv_helpers.apps import store_panel
from sv_helpers.apps.base import Control, ScenarioApp
from sv_helpers.store import open_store


@pytest.fixture
def app_class(store_area):
    class TestApp(ScenarioApp):
        core = store_area
        views_shown = ("table",)

        def controls(self, settings):
            factor = widgets.FloatText(value=settings.factor, description="Multiplier")
            title = widgets.Text(value=settings.title, description="Title")
            return [Control("factor", factor), Control("title", title)]

        def views(self, result):
            return {"table": result.tables["values"].to_html(index=False)}

    return TestApp


@pytest.fixture
def app(app_class, store_area, tmp_path, monkeypatch):
    monkeypatch.setenv("SV_STORE_URL", f"sqlite:///{tmp_path / 'workbook.sqlite'}")
    monkeypatch.setattr("sv_helpers.store.api.RESTORE_DIR", tmp_path / "uploads")
    monkeypatch.setenv("JUPYTERHUB_USER", "ana")
    monkeypatch.setenv("SV_USER_GROUPS", "officers")
    monkeypatch.delenv("SV_OFFICER_GROUPS", raising=False)
    measures = store_area.make_inputs(tmp_path / "in")
    result = store_area.run(store_area.Settings.from_parameters({"measures": str(measures)}))
    return app_class(result)


def controls(app):
    return {c.name: c.widget for c in app.control_list}


def labels(widget):
    found = []
    for child in getattr(widget, "children", ()):
        found += labels(child)
    if isinstance(widget, (widgets.Button,)):
        found.append(widget.description)
    elif isinstance(widget, (widgets.Text, widgets.Textarea, widgets.Dropdown)):
        found.append(widget.description)
    return found


def test_every_control_of_the_panel_is_labelled_in_plain_english(app):
    panel = app.saved_scenarios
    assert labels(panel.box) == [
        "Name of this scenario",
        "Note (optional)",
        "Save this scenario",
        "Saved scenarios",
        "Open this scenario",
        "Compare with the current one",
        "Share with councillors",
        "Decision note",
        "Mark as the decision",
    ]
    text = " ".join(labels(panel.box)).lower()
    assert "database" not in text and "sql" not in text


def test_save_then_open_in_a_new_app_gives_the_same_result(app, app_class, store_area, tmp_path):
    panel = app.saved_scenarios
    controls(app)["factor"].value = 4.0
    expected = app.result.headline
    panel.name.value = "Four times"
    panel.note.value = "for the panel"
    panel.save_button.click()
    assert "was saved" in panel.message.message
    [item] = open_store().list()
    assert item["name"] == "Four times" and item["user"] == "ana" and item["parameters"]["factor"] == 4.0
    assert panel.choice.options[0][1] == item["id"] and "Four times — ana" in panel.choice.options[0][0]

    (tmp_path / "in" / "measures.csv").unlink()  # the original file is gone; the store has it
    fresh = app_class(
        store_area.run(
            store_area.Settings.from_parameters({"measures": str(store_area.make_inputs(tmp_path / "other", (9.0,)))})
        )
    )
    assert fresh.result.headline != expected
    fresh.saved_scenarios.choice.value = item["id"]
    fresh.saved_scenarios.open_button.click()
    assert fresh.result.headline == expected
    assert controls(fresh)["factor"].value == 4.0
    assert "Opened 'Four times', saved by ana" in fresh.saved_scenarios.message.message


def test_compare_shows_the_settings_that_differ_and_both_answers(app):
    panel = app.saved_scenarios
    panel.name.value = "Base"
    panel.save_button.click()
    controls(app)["factor"].value = 2.0
    controls(app)["title"].value = "Changed"
    rows = panel.compare(panel.choice.value)
    assert rows == [("Multiplier", "2", "1"), ("Title", "Changed", "Test")]
    shown = panel.comparison.value
    assert "Changed: the total is 15.00." in shown and "Test: the total is 7.50." in shown


def test_marking_the_decision_shows_the_mark(app):
    panel = app.saved_scenarios
    panel.name.value = "Base"
    panel.save_button.click()
    panel.decision_note.value = ""
    panel.decide_button.click()
    assert "say what the decision is" in panel.message.message
    panel.decision_note.value = "Recommended to Cabinet 12 March 2026"
    panel.decide_button.click()
    assert "✓ the decision" in panel.choice.options[0][0]
    assert "The decision:" in panel.details.value and "Recommended to Cabinet" in panel.details.value


def test_a_link_with_scenario_opens_it(app, app_class, store_area, tmp_path):
    panel = app.saved_scenarios
    controls(app)["factor"].value = 3.0
    panel.name.value = "Three"
    sid = panel.save()
    fresh = app_class(
        store_area.run(
            store_area.Settings.from_parameters({"measures": str(store_area.make_inputs(tmp_path / "other", (9.0,)))})
        )
    )
    assert store_panel.open_from_query(fresh, f"scenario={sid}")
    assert fresh.result.settings.factor == 3.0
    assert not store_panel.open_from_query(fresh, "factor=2")
    assert not store_panel.open_from_query(fresh, "scenario=unknown")
    assert "There is no saved scenario with the id 'unknown'" in fresh.saved_scenarios.message.message


def test_without_a_reachable_store_the_app_works_and_says_saving_is_unavailable(
    app_class, store_area, tmp_path, monkeypatch
):
    monkeypatch.setenv("SV_STORE_URL", "sqlite:////proc/nowhere/workbook.sqlite")
    measures = store_area.make_inputs(tmp_path / "in")
    app = app_class(store_area.run(store_area.Settings.from_parameters({"measures": str(measures)})))
    assert "Saving scenarios is not available just now" in app.saved_scenarios.box.children[1].value
    controls(app)["factor"].value = 2.0
    assert app.result.settings.factor == 2.0
    assert not store_panel.open_from_query(app, "scenario=abc")
    assert "not available just now" in app.notices.value


def test_a_store_that_goes_away_after_the_app_started_is_reported_plainly(app):
    panel = app.saved_scenarios
    panel.name.value = "Base"
    panel.save_button.click()
    panel.store.engine.dispose()
    panel.store.engine = panel.store._engine("postgresql+psycopg://nobody@127.0.0.1:1/none")
    panel.store.is_sqlite = False
    panel.name.value = "Another"
    panel.save_button.click()
    assert panel.message.message == store_panel.UNAVAILABLE
    panel.open_button.click()
    assert panel.message.message == store_panel.UNAVAILABLE
    controls(app)["factor"].value = 5.0
    assert app.result.settings.factor == 5.0


def shown(widget) -> bool:
    return widget.layout.display != "none"


def as_councillor(monkeypatch, name="cllr.bob"):
    monkeypatch.setenv("JUPYTERHUB_USER", name)
    monkeypatch.setenv("SV_USER_GROUPS", "councillors")


def test_an_officer_saves_a_draft_and_shares_it(app):
    panel = app.saved_scenarios
    assert shown(panel.saving) and shown(panel.deciding) and not shown(panel.role_note)
    panel.name.value = "Base"
    panel.save_button.click()
    assert "saved as a draft" in panel.message.message
    assert panel.choice.options[0][0].endswith("(draft)") and "A draft: only officers" in panel.details.value
    assert not panel.share_button.disabled
    panel.share_button.click()
    assert "now shared with councillors" in panel.message.message
    assert "(draft)" not in panel.choice.options[0][0] and "Shared with councillors by ana" in panel.details.value
    assert panel.share_button.disabled


def test_a_councillor_sees_only_shared_scenarios_and_no_officer_controls(app, app_class, store_area, monkeypatch):
    panel = app.saved_scenarios
    panel.name.value = "Draft"
    draft = panel.save()
    panel.name.value = "For councillors"
    shared = panel.save()
    panel.share(shared)
    as_councillor(monkeypatch)
    councillor = app_class(app.result).saved_scenarios
    assert not shown(councillor.saving) and not shown(councillor.deciding) and shown(councillor.role_note)
    assert [v for _, v in councillor.choice.options] == [shared]
    assert not store_panel.open_from_query(councillor.app, f"scenario={draft}")
    assert "has not been shared with councillors yet" in councillor.message.message
    assert store_panel.open_from_query(councillor.app, f"scenario={shared}")
    refused = [e for e in open_store().audit_log() if e["action"] == "refused"]
    assert [(e["user"], e["scenario_id"]) for e in refused] == [("cllr.bob", draft)]


def test_whatever_a_councillor_tries_beyond_reading_is_refused_and_written_down(app, app_class, monkeypatch):
    panel = app.saved_scenarios
    panel.name.value = "Base"
    sid = panel.save()
    panel.share(sid)
    as_councillor(monkeypatch)
    councillor = app_class(app.result).saved_scenarios
    councillor.name.value = "Mine"
    councillor.save_button.click()  # hidden from councillors; were it pressed, the store refuses
    assert "Only officers can save scenarios; cllr.bob is signed in as a councillor" in councillor.message.message
    councillor.decision_note.value = "Decided by councillor alone"
    councillor.decide_button.click()
    assert "Only officers can record decisions" in councillor.message.message
    store = open_store()
    assert [s["id"] for s in store.list()] == [sid] and store.get(sid)["decision"] is None
    assert [e["detail"] for e in store.audit_log() if e["action"] == "refused"] == [
        "save refused: cllr.bob is a councillor",
        "decision refused: cllr.bob is a councillor",
    ]
    assert store.verify() == []
