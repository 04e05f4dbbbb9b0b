"""Nothing lost: in every app, save a scenario, reload the page, open it and see the same result; mark it as the
decision and see the mark; a link ``?scenario=ID`` opens it too.

Each app is opened with a link that changes one setting (so the saved scenario is not the default one), the
scenario is saved, and the page is opened again without the link: the default headline shows until the saved
scenario is opened from the list, which brings back the saved headline exactly.
"""

from __future__ import annotations

import re

import pytest
from conftest import assert_clean

#: notebook -> a link that changes the headline
APPS = {
    "social_value_scoring.ipynb": "price_method=deviation_from_lowest",
    "grant_allocation.ipynb": "budget=30000",
    "climate_targets.ipynb": "target_year=2040",
    "impact_report.ipynb": "as_of=2025-09-30",
    "planning_gain.ipynb": "at_risk_months=36",
}
HEADLINE = ".sv-headline"


def _headline(page) -> str:
    return page.inner_text(HEADLINE).strip()


def _wait_headline(page, expected: str) -> None:
    page.wait_for_function(
        "([sel, want]) => { const e = document.querySelector(sel); return e && e.innerText.trim() === want; }",
        arg=[HEADLINE, expected],
        timeout=60_000,
    )


def _fill(page, selector: str, text: str) -> None:
    box = page.locator(f"{selector} input, {selector} textarea").first
    box.fill(text)
    box.press("Tab")  # the widget sends its value when the box loses focus


@pytest.mark.parametrize("notebook", list(APPS))
def test_save_reload_open_and_decide(open_app, notebook):
    name = f"Browser test {notebook.split('.')[0]}"
    app = open_app(notebook, query=APPS[notebook], ready=HEADLINE)
    page = app.page
    saved_headline = _headline(page)
    _fill(page, ".sv-store-name", name)
    page.click(".sv-store-save")
    page.wait_for_function(
        "(name) => [...document.querySelectorAll('.sv-store-list option')]"
        ".some(o => o.textContent.replace(/\\u00a0/g, ' ').includes(name))",
        arg=name,
        timeout=60_000,
    )
    page.close()

    app = open_app(notebook, ready=HEADLINE)  # a fresh page: the defaults
    page = app.page
    default_headline = _headline(page)
    assert default_headline != saved_headline, "the link's setting changes the headline"
    label = page.evaluate(
        "(name) => [...document.querySelectorAll('.sv-store-list option')]"
        ".find(o => o.textContent.replace(/\\u00a0/g, ' ').includes(name)).value",
        name,
    )
    page.locator(".sv-store-list select").select_option(value=label)
    link = page.locator(".sv-store-details a[href*='scenario=']").first
    link.wait_for(state="attached", timeout=30_000)
    scenario_id = re.search(r"scenario=([^&]+)", link.get_attribute("href")).group(1)
    page.click(".sv-store-open")
    _wait_headline(page, saved_headline)

    _fill(page, ".sv-store-decision-note", "Recommended to Cabinet 12 March 2026")
    page.click(".sv-store-decide")
    page.wait_for_selector(".sv-store-decision-mark", state="visible", timeout=60_000)
    assert "Recommended to Cabinet 12 March 2026" in page.inner_text(".sv-store-details")
    assert "✓ the decision" in page.inner_text(".sv-store-list select").replace("\xa0", " ")
    assert_clean(app)
    page.close()

    app = open_app(notebook, query=f"scenario={scenario_id}", ready=HEADLINE)  # the link to a saved scenario
    page = app.page
    _wait_headline(page, saved_headline)
    assert_clean(app)
    page.close()
