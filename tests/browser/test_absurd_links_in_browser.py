"""A bad link never stops a page: every app opened with every setting a link can carry at an absurd value
shows the app, with a notice naming what was refused, the usual values, and no NaN anywhere on the page."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from conftest import assert_clean

from sv_helpers.core import scenario

APPS = {
    "social_value_scoring.ipynb": "scoring",
    "grant_allocation.ipynb": "grants",
    "climate_targets.ipynb": "climate",
    "impact_report.ipynb": "impact",
    "planning_gain.ipynb": "planning",
}
ABSURD = {"float": "nan", "int": "-1e308", "bool": "perhaps", "str": "x" * 5000, "mapping": "{not json"}


def absurd_query(area: str) -> tuple[str, list[str]]:
    """Every setting a link can carry at an absurd value, plus a name the app does not have."""
    specs = scenario.area(area).Settings.specs()
    pairs = [(name, ABSURD.get(spec.kind, "nan")) for name, spec in specs.items() if spec.link]
    pairs += [("monte_carlo_draws", "5000000"), ("no_such_setting", "1"), ("budget", "inf")]
    return urlencode(pairs), [name for name, _ in pairs]


@pytest.mark.parametrize("notebook", list(APPS))
def test_every_setting_absurd_still_shows_the_app_with_notices(open_app, notebook):
    query, _ = absurd_query(APPS[notebook])
    app = open_app(notebook, query=query, ready=".sv-headline")
    page = app.page
    page.wait_for_selector(".sv-banner-warning", state="visible", timeout=60_000)
    notices = page.inner_text(".sv-banner-warning")
    assert "The link was only partly used" in notices
    assert "no_such_setting" in notices
    text = app.text()
    assert "NaN" not in text and "nan%" not in text.lower() and "£nan" not in text.lower()
    assert page.inner_text(".sv-headline").strip(), "the headline is shown with the usual settings"
    assert_clean(app)
    page.close()
