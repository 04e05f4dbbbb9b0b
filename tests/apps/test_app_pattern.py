"""One app pattern: every app is its controls and its views; ScenarioApp does the rest.

The base owns showing a result (``show``), the view cache (``cached``), the handler guard (``guard``), the buttons
(``action_button``), the uploads (``file_upload``) and the downloads block (``downloads_section``,
``prepare_downloads``, ``make_pdf``). An app that overrides one of them has grown a second pattern.
"""

from __future__ import annotations

import ast
import datetime as dt
import importlib
import inspect
from pathlib import Path

import pytest

from sv_helpers.apps import widgets as ui
from sv_helpers.apps.base import ScenarioApp

APPS = ("scoring", "grants", "climate", "impact", "planning")
OWNED_BY_THE_BASE = (
    "show",
    "cached",
    "guard",
    "action_button",
    "file_upload",
    "downloads_section",
    "prepare_downloads",
    "make_pdf",
    "refresh",
    "in_background",
)
STAMP = dt.datetime(2026, 4, 1, tzinfo=dt.UTC)
APPS_DIR = Path(__file__).resolve().parents[2] / "sv_helpers" / "apps"


def app_classes():
    found = []
    for name in APPS:
        module = importlib.import_module(f"sv_helpers.apps.{name}")
        found += [c for _, c in inspect.getmembers(module, inspect.isclass) if issubclass(c, ScenarioApp)]
    return sorted({c for c in found if c is not ScenarioApp}, key=lambda c: c.__name__)


@pytest.mark.parametrize("app", app_classes(), ids=lambda c: c.__name__)
def test_an_app_does_not_override_what_the_base_owns(app):
    overridden = [name for name in OWNED_BY_THE_BASE if name in vars(app)]
    assert overridden == [], f"{app.__name__} overrides {overridden}: give the base a hook instead"


def test_every_area_has_an_app():
    assert {c.core.__name__.rsplit(".", 1)[-1] for c in app_classes()} == set(APPS)


def test_the_check_fails_on_an_app_that_overrides_show():
    class Overriding(ScenarioApp):
        def show(self, result):  # pragma: no cover - never shown
            super().show(result)

    assert [n for n in OWNED_BY_THE_BASE if n in vars(Overriding)] == ["show"]


def _class_names_given(path: Path) -> set[str]:
    """Every CSS class an app module gives a widget (``add_class("sv-…")``) or a button/upload kind."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            args = [a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
            if node.func.attr == "add_class" and args:
                names.add(args[0])
            if node.func.attr == "action_button" and len(args) >= 2:
                names.add("sv-" + args[1])
    return names


def test_one_css_class_for_one_kind_of_button():
    given = set().union(*(_class_names_given(APPS_DIR / f"{name}.py") for name in APPS))
    retired = {
        "sv-make-downloads",  # now sv-prepare-downloads
        "sv-build-downloads",
        "sv-make-report",  # now sv-make-pdf (the web page comes with the downloads)
        "sv-report-area",  # now sv-pdf-area
        "sv-use-examples",  # now sv-use-example
        "sv-reset",
        "sv-upload",
        "sv-tender-upload",
        "sv-measures-upload",
    }
    assert given & retired == set()


def test_the_upload_reads_every_file_in_name_order_and_checks_its_size(monkeypatch):
    upload = ui.upload("Upload returns")
    upload.multiple = True
    upload.set_trait(
        "value",
        (
            {"name": "b.csv", "type": "text/csv", "size": 3, "content": memoryview(b"b,1"), "last_modified": STAMP},
            {"name": "a.csv", "type": "text/csv", "size": 3, "content": memoryview(b"a,1"), "last_modified": STAMP},
        ),
    )
    assert ui.uploaded_files(upload) == [("a.csv", b"a,1"), ("b.csv", b"b,1")]
    monkeypatch.setenv("SV_MAX_UPLOAD_MB", "0.000001")
    with pytest.raises(Exception, match="larger than"):
        ui.uploaded_files(upload)
