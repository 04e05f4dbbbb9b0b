"""The grant allocation app: renders clean and accessible with the answer on the first screen, reflows at 320 px,
a budget change changes the allocation on screen, scenarios can be compared, a link carries the settings,
downloads are built when asked, a bad upload shows the banner and keeps the last good result."""

from __future__ import annotations

import time

from conftest import assert_clean, axe_violations

NOTEBOOK = "grant_allocation.ipynb"
READY = ".sv-headline-text"
MAIN_CHART = ".sv-view-themes img"


def _set_number(page, selector: str, value: str) -> None:
    box = page.locator(f"{selector} input")
    box.fill(value)
    box.press("Enter")


def _inside_viewport(page, selector: str) -> bool:
    return page.evaluate(
        """(sel) => { const r = document.querySelector(sel).getBoundingClientRect();
        return r.top >= 0 && r.left >= 0 && r.bottom <= window.innerHeight && r.right <= window.innerWidth
            && r.width > 0 && r.height > 0; }""",
        selector,
    )


def _wait_changed(page, selector: str, before: str) -> None:
    page.wait_for_function(
        "([sel, before]) => document.querySelector(sel) && document.querySelector(sel).innerText !== before",
        arg=[selector, before],
        timeout=30_000,
    )


def test_grant_app_is_clean_accessible_and_labelled_as_example(open_app):
    app = open_app(NOTEBOOK, ready=READY, viewport=(1280, 800))
    page = app.page
    page.wait_for_selector(MAIN_CHART, state="visible", timeout=30_000)
    assert _inside_viewport(page, ".sv-headline"), "the headline is on the first screen"
    assert _inside_viewport(page, MAIN_CHART), "the main chart is on the first screen"
    text = app.text()
    assert "Example data." in text and "(example)" in text
    assert "£54,791 available" in page.inner_text(".sv-headline")
    assert "Example applications (fictional)." in page.inner_text(".sv-view-themes")
    assert page.locator("figure.sv-figure img[alt]").count() == 3  # theme, decile, ward map
    assert "2025 ward boundaries" in page.inner_text(".sv-view-map")
    assert page.locator(".sv-downloads-area a[download]").count() == 0  # built when asked
    page.click(".sv-prepare-downloads")
    page.wait_for_selector(".sv-downloads-area a[download='report.html']", state="attached", timeout=60_000)
    assert page.locator(".sv-downloads-area a[download$='.xlsx']").count() >= 2
    assert page.locator(".sv-downloads-area a[download^='360giving']").count() == 2
    assert_clean(app)
    assert axe_violations(app) == []
    print(f"grants app: time to first widget {app.seconds_to_ready:.2f} s")
    page.close()


def test_no_horizontal_scroll_at_320_px(open_app):
    app = open_app(NOTEBOOK, ready=READY, viewport=(320, 640))
    page = app.page
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert_clean(app)
    page.close()


def test_changing_the_budget_changes_the_allocation_on_screen(open_app):
    app = open_app(NOTEBOOK, ready=READY)
    page = app.page
    headline = page.inner_text(".sv-headline")
    table = page.inner_text(".sv-view-table")
    start = time.perf_counter()
    _set_number(page, ".sv-budget", "30000")
    _wait_changed(page, ".sv-headline", headline)
    redraw = time.perf_counter() - start
    assert "£30,000 available" in page.inner_text(".sv-headline")
    # Each widget's new value arrives in its own message: wait for the table too.
    _wait_changed(page, ".sv-view-table", table)
    assert_clean(app)
    print(f"grants app: budget change redrawn in {redraw:.2f} s")
    assert redraw < 5
    page.close()


def test_scenarios_are_compared_side_by_side(open_app):
    app = open_app(NOTEBOOK, ready=READY)
    page = app.page
    page.click(".sv-add-scenario")
    page.wait_for_selector(".sv-banner-info", state="visible", timeout=30_000)
    page.select_option(".sv-method select", label="Optimal\u00a0(best\u00a0total\u00a0score)")
    page.wait_for_function(
        "() => document.querySelector('.sv-view-comparison').innerText.includes('Optimal')", timeout=30_000
    )
    comparison = page.inner_text(".sv-view-comparison")
    assert "Scenario 1" in comparison and "Share to the most deprived areas" in comparison
    assert "whose award differs" in comparison
    assert_clean(app)
    page.close()


def test_a_link_to_these_settings_reproduces_the_headline_and_tables(open_app):
    app = open_app(NOTEBOOK, ready=READY)
    page = app.page
    headline = page.inner_text(".sv-headline")
    _set_number(page, ".sv-budget", "40000")
    _wait_changed(page, ".sv-headline", headline)
    headline = page.inner_text(".sv-headline")
    page.select_option(".sv-method select", label="Optimal\u00a0(best\u00a0total\u00a0score)")
    _wait_changed(page, ".sv-headline", headline)
    headline = page.inner_text(".sv-headline")
    floors = page.locator(".sv-theme-floors input")
    floors.fill("Older people: 20%")
    floors.press("Enter")
    _wait_changed(page, ".sv-headline", headline)
    page.wait_for_function(
        "() => document.querySelector('a.sv-link').getAttribute('href').includes('theme_floors')", timeout=30_000
    )
    href = page.get_attribute("a.sv-link", "href")
    assert "budget=40000" in href and "method=optimal" in href
    headline, table = page.inner_text(".sv-headline"), page.inner_text(".sv-view-table")
    page.close()
    again = open_app(NOTEBOOK, query=href.lstrip("?"), ready=READY)
    again.page.wait_for_function(
        "(h) => document.querySelector('.sv-headline').innerText === h", arg=headline, timeout=60_000
    )
    assert again.page.inner_text(".sv-view-table") == table
    assert again.page.input_value(".sv-theme-floors input") == "Older people: 20%"
    assert_clean(again)
    assert axe_violations(again) == []
    again.page.close()


def test_bad_upload_shows_the_banner_and_keeps_the_last_good_result(open_app):
    app = open_app(NOTEBOOK, ready=READY)
    page = app.page
    headline = page.inner_text(".sv-headline")
    bad = b"application_id,organisation,project,theme,ward,amount_requested,score\nA1,G,P,T,Atlantis,100,50\n"
    with page.expect_file_chooser() as chooser:
        page.click(".sv-upload-applications")
    chooser.value.set_files(files=[{"name": "round.csv", "mimeType": "text/csv", "buffer": bad}])
    banner = page.wait_for_selector(".sv-banner-error", state="visible", timeout=30_000)
    assert "'Atlantis' is not a Sevenoaks ward" in banner.inner_text()
    assert page.inner_text(".sv-headline") == headline
    assert "Example data." in page.inner_text(".sv-data-note")
    text = app.text()
    assert "Traceback" not in text
    assert axe_violations(app) == []
    page.close()


def test_while_the_pdf_is_made_the_other_controls_keep_working(open_app):
    app = open_app(NOTEBOOK, ready=READY, viewport=(1280, 800))
    page = app.page
    page.click(".sv-make-pdf")
    page.wait_for_selector(".sv-pdf-area .sv-working", timeout=10_000)  # said at once
    assert page.locator(".sv-make-pdf").is_disabled()
    before = page.inner_text(".sv-headline")
    _set_number(page, ".sv-budget", "40000")  # the kernel answers while Chromium prints the PDF
    _wait_changed(page, ".sv-headline", before)
    assert "£40,000 available" in page.inner_text(".sv-headline")
    link = page.wait_for_selector(".sv-pdf-area a[download='report.pdf']", state="attached", timeout=120_000)
    assert link.get_attribute("href").startswith("data:application/pdf;base64,")
    assert page.locator(".sv-make-pdf").is_enabled()
    assert_clean(app)


def test_an_optimal_allocation_says_it_is_working_and_the_latest_settings_win(open_app):
    app = open_app(NOTEBOOK, ready=READY, viewport=(1280, 800))
    page = app.page
    before = page.inner_text(".sv-headline")
    page.select_option(".sv-method select", label="Optimal (best total score)")
    page.wait_for_selector(".sv-status .sv-working", state="attached", timeout=10_000)
    _set_number(page, ".sv-budget", "45000")  # asked for while the optimal run may still be working
    page.wait_for_function(
        "() => document.querySelector('.sv-headline').innerText.includes('£45,000 available') "
        "&& !document.querySelector('.sv-status .sv-working')",
        timeout=60_000,
    )
    assert page.inner_text(".sv-headline") != before and "ptimal" in page.inner_text(".sv-headline")
    assert_clean(app)
