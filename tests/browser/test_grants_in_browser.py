"""The grant allocation app: renders clean and accessible, a budget change changes the allocation on screen,
scenarios can be added to the comparison, a bad upload shows the banner and keeps the last good result."""

from __future__ import annotations

import time

from conftest import assert_clean, axe_violations

NOTEBOOK = "grant_allocation.ipynb"


def _set_number(page, selector: str, value: str) -> None:
    box = page.locator(f"{selector} input")
    box.fill(value)
    box.press("Enter")


def test_grant_app_is_clean_accessible_and_labelled_as_example(open_app):
    app = open_app(NOTEBOOK, ready=".sv-headline-text")
    page = app.page
    text = app.text()
    assert "Example data." in text and "(example)" in text
    assert "£54,790 available" in page.inner_text(".sv-headline")
    assert page.locator(".sv-charts img[alt]").count() == 3  # theme, decile, ward map
    assert "2013 ward boundaries" in page.inner_text(".sv-charts")
    assert page.locator(".sv-downloads-area a[download$='.xlsx']").count() >= 2
    assert page.locator(".sv-downloads-area a[download^='360giving']").count() == 2
    assert_clean(app)
    assert axe_violations(app) == []
    print(f"grants app: time to first widget {app.seconds_to_ready:.2f} s")


def test_changing_the_budget_changes_the_allocation_on_screen(open_app):
    app = open_app(NOTEBOOK, ready=".sv-headline-text")
    page = app.page
    headline = page.inner_text(".sv-headline")
    table = page.inner_text(".sv-allocation")
    start = time.perf_counter()
    _set_number(page, ".sv-budget", "30000")
    page.wait_for_function(f"() => document.querySelector('.sv-headline').innerText !== {headline!r}", timeout=30_000)
    redraw = time.perf_counter() - start
    assert "£30,000 available" in page.inner_text(".sv-headline")
    # Each widget's new value arrives in its own message: wait for the table too.
    page.wait_for_function(f"() => document.querySelector('.sv-allocation').innerText !== {table!r}", timeout=30_000)
    assert_clean(app)
    print(f"grants app: budget change redrawn in {redraw:.2f} s")
    assert redraw < 5


def test_scenarios_are_compared_side_by_side(open_app):
    app = open_app(NOTEBOOK, ready=".sv-headline-text")
    page = app.page
    page.click(".sv-add-scenario button, button.sv-add-scenario")
    page.wait_for_selector(".sv-banner-info", state="visible", timeout=30_000)
    page.select_option(".sv-method select", label="Optimal\u00a0(best\u00a0total\u00a0score)")
    page.wait_for_function(
        "() => document.querySelector('.sv-comparison').innerText.includes('Optimal')", timeout=30_000
    )
    comparison = page.inner_text(".sv-comparison")
    assert "Scenario 1" in comparison and "Share to the most deprived areas" in comparison
    assert "whose award differs" in comparison
    assert_clean(app)


def test_bad_upload_shows_the_banner_and_keeps_the_last_good_result(open_app):
    app = open_app(NOTEBOOK, ready=".sv-headline-text")
    page = app.page
    headline = page.inner_text(".sv-headline")
    bad = b"application_id,organisation,project,theme,ward,amount_requested,score\nA1,G,P,T,Atlantis,100,50\n"
    with page.expect_file_chooser() as chooser:
        page.click(".sv-upload")
    chooser.value.set_files(files=[{"name": "round.csv", "mimeType": "text/csv", "buffer": bad}])
    banner = page.wait_for_selector(".sv-banner-error", state="visible", timeout=30_000)
    assert "'Atlantis' is not a Sevenoaks ward" in banner.inner_text()
    assert page.inner_text(".sv-headline") == headline
    assert "Example data." in page.inner_text(".sv-data-note")
    text = app.text()
    assert "Traceback" not in text
    assert axe_violations(app) == []
