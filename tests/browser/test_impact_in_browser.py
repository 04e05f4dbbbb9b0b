"""The impact report app: renders clean and accessible, the answer on the first screen, the year changes the report,
a bad upload shows the banner and keeps the last good report, downloads and the PDF are made on request, and a
link carries the settings."""

from __future__ import annotations

from urllib.parse import parse_qs

from conftest import assert_clean, axe_violations, reflow_to

NOTEBOOK = "impact_report.ipynb"
MAIN_CHART = ".sv-view-status img"

#: Records when the year is changed and when the headline text changes next (page clock, ms).
WATCH_HEADLINE = """
() => {
  window.svTimes = {};
  const target = document.querySelector('.sv-headline-area');
  const before = target.innerText;
  document.querySelector('.sv-year select').addEventListener('change',
    () => { window.svTimes.changed = performance.now(); }, {capture: true});
  new MutationObserver(() => {
    if (target.innerText !== before && window.svTimes.drawn === undefined) { window.svTimes.drawn = performance.now(); }
  }).observe(target, {subtree: true, childList: true, characterData: true});
}
"""

INSIDE_VIEWPORT = """
(selector) => {
  const r = document.querySelector(selector).getBoundingClientRect();
  return r.top >= 0 && r.left >= 0 && r.bottom <= window.innerHeight && r.right <= window.innerWidth && r.height > 0;
}
"""

RECT = "(selector) => JSON.stringify(document.querySelector(selector).getBoundingClientRect())"


def _headline(page) -> str:
    return page.inner_text(".sv-headline")


def test_impact_app_is_clean_accessible_and_labelled_as_example(open_app):
    app = open_app(NOTEBOOK, ready=".sv-summary")
    page = app.page
    text = app.text()
    assert "In 2025/26 contracts delivered £" in _headline(page)
    assert "Example data." in text
    assert "(2 green, 1 amber and 1 red)" in text
    assert page.locator(".sv-view-status img[alt]").count() == 1
    assert page.locator(".sv-charts img[alt]").count() == 2
    assert_clean(app)
    assert axe_violations(app) == []
    print(f"impact app: time to first widget {app.seconds_to_ready:.2f} s")


def test_the_headline_and_main_chart_are_on_the_first_screen_and_a_narrow_screen_does_not_scroll_sideways(open_app):
    app = open_app(NOTEBOOK, ready=MAIN_CHART, viewport=(1280, 800))
    page = app.page
    page.wait_for_function("() => document.querySelector('.sv-view-status img').complete")
    assert page.evaluate("() => window.scrollY") == 0
    page.screenshot(path="/tmp/impact_first_screen.png")
    rects = {s: page.evaluate(RECT, s) for s in (".sv-headline", MAIN_CHART, ".sv-controls")}
    assert page.evaluate(INSIDE_VIEWPORT, ".sv-headline"), f"the headline is not entirely on the first screen: {rects}"
    assert page.evaluate(INSIDE_VIEWPORT, MAIN_CHART), f"the main chart is not entirely on the first screen: {rects}"
    reflow_to(page, 320)
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth"), (
        f"horizontal scroll at 320 px: {page.evaluate('() => document.documentElement.scrollWidth')} px wide"
    )
    assert_clean(app)


def test_a_link_carries_the_settings_to_a_new_page(open_app):
    app = open_app(NOTEBOOK, ready=".sv-summary")
    page = app.page
    before = _headline(page)
    page.select_option(".sv-year select", label="2024/25")
    page.wait_for_function("(b) => document.querySelector('.sv-headline').innerText !== b", arg=before, timeout=60_000)
    page.locator(".sv-include-climate input[type=checkbox]").uncheck()
    page.wait_for_function(
        "() => document.querySelector('.sv-summary-area').innerText.includes('climate results')", timeout=60_000
    )
    green = page.locator(".sv-green input")
    green.fill("100")
    green.press("Enter")
    page.wait_for_function(
        "() => document.querySelector('a.sv-link').getAttribute('href').includes('green_threshold_pct')", timeout=60_000
    )
    href = page.get_attribute("a.sv-link", "href")
    query = parse_qs(href.lstrip("?"))
    assert query["financial_year"] == ["2024/25"] and query["include_climate"] == ["no"]
    assert query["green_threshold_pct"] == ["100.0"]
    headline = _headline(page)
    table = page.inner_text(".sv-tables table")
    assert_clean(app)

    linked = open_app(NOTEBOOK, query=href.lstrip("?"), ready=".sv-summary")
    linked.page.wait_for_function(
        "(h) => document.querySelector('.sv-headline').innerText === h", arg=headline, timeout=60_000
    )
    assert linked.page.inner_text(".sv-tables table") == table
    assert linked.page.input_value(".sv-year select") == "2024/25"
    assert not linked.page.locator(".sv-include-climate input[type=checkbox]").is_checked()
    assert_clean(linked)
    assert axe_violations(linked) == []


def test_choosing_another_year_rewrites_the_report(open_app):
    app = open_app(NOTEBOOK, ready=".sv-summary")
    page = app.page
    page.evaluate(WATCH_HEADLINE)
    page.select_option(".sv-year select", label="2024/25")
    page.wait_for_function("() => window.svTimes.drawn !== undefined", timeout=60_000)
    times = page.evaluate("() => window.svTimes")
    redraw_ms = times["drawn"] - times["changed"]
    page.wait_for_function(
        "() => document.querySelector('.sv-summary-area').innerText.includes('In 2024/25 contracts delivered')",
        timeout=30_000,
    )
    assert "In 2024/25 contracts delivered" in _headline(page)
    page.click(".sv-prepare-downloads")
    page.wait_for_selector(".sv-downloads-area a[download='impact-report-2024-25.html']", timeout=60_000)
    assert_clean(app)
    print(f"impact app: year change redrawn in {redraw_ms:.0f} ms")
    assert redraw_ms < 15000, f"the report took {redraw_ms:.0f} ms to redraw"


def test_the_downloads_are_built_on_request(open_app):
    app = open_app(NOTEBOOK, ready=".sv-summary")
    page = app.page
    assert page.locator(".sv-downloads-area a").count() == 0
    page.click(".sv-prepare-downloads")
    page.wait_for_selector(".sv-downloads-area a[download='delivery.csv']", timeout=60_000)
    for name in (
        "delivery.csv",
        "contract_status.csv",
        "impact_by_theme.csv",
        "provenance.json",
        "impact-report-2025-26.html",
        "impact-report-2025-26-tables.xlsx",
    ):
        assert page.locator(f".sv-downloads-area a[download='{name}']").count() == 1, name
    assert_clean(app)


def test_leaving_out_climate_results_says_so_plainly(open_app):
    app = open_app(NOTEBOOK, ready=".sv-summary")
    page = app.page
    page.locator(".sv-include-climate input[type=checkbox]").uncheck()
    page.wait_for_function(
        "() => document.querySelector('.sv-summary-area').innerText"
        ".includes('Not provided for this report: climate results')",
        timeout=60_000,
    )
    page.wait_for_function("() => document.querySelectorAll('.sv-charts img[alt]').length === 1", timeout=30_000)
    assert_clean(app)


def test_bad_upload_shows_the_banner_and_keeps_the_last_good_report(open_app):
    app = open_app(NOTEBOOK, ready=".sv-summary")
    page = app.page
    summary = page.inner_text(".sv-summary-area")
    with page.expect_file_chooser() as chooser:
        page.click(".sv-upload-returns")  # ipywidgets makes the file input only when the button is pressed
    chooser.value.set_files(
        files=[
            {
                "name": "returns-q3.csv",
                "mimeType": "text/csv",
                "buffer": b"contract_id,period_end,measure_code,quantity_delivered\nEX-C-009,31/12/2025,EX-ECO-01,2\n",
            }
        ]
    )
    banner = page.wait_for_selector(".sv-banner-error", state="visible", timeout=30_000)
    assert "returns-q3.csv, row 2: the contract 'EX-C-009' is not in the contracts file" in banner.inner_text()
    assert page.inner_text(".sv-summary-area") == summary
    assert page.input_value(".sv-year select") == "2025/26"
    print(f"impact app: time to first widget (kernel already warm) {app.seconds_to_ready:.2f} s")
    assert_clean(app)
    assert axe_violations(app) == []


def test_the_pdf_is_made_on_request(open_app):
    app = open_app(NOTEBOOK, ready=".sv-summary")
    page = app.page
    page.click(".sv-make-pdf")
    page.wait_for_selector(".sv-working", timeout=10_000)
    assert page.locator(".sv-make-pdf").is_disabled()
    link = page.wait_for_selector(".sv-pdf-area a[download='impact-report-2025-26.pdf']", timeout=120_000)
    assert link.get_attribute("href").startswith("data:application/pdf;base64,")
    assert page.locator(".sv-make-pdf").is_enabled()
    assert_clean(app)


def test_the_static_report_page_has_no_wcag_violations_and_no_outside_requests(browser):
    from conftest import AppPage

    from sv_helpers import impact
    from sv_helpers.impact.report import impact_report_page

    page_html = impact_report_page(impact.run(impact.Settings()))
    page = browser.new_page()
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url) if not r.url.startswith(("data:", "about:")) else None)
    try:
        page.set_content(page_html, wait_until="load")
        assert page.locator("img[alt]").count() == 3
        assert axe_violations(AppPage(page=page, url="about:blank")) == []
        assert requests == []
    finally:
        page.close()


def test_choosing_a_contract_shows_its_delivery_profile(open_app):
    app = open_app(NOTEBOOK, ready=".sv-contract-detail img")
    page = app.page
    page.select_option(".sv-contract select", label="EX-C-003 – Grounds maintenance (example)")
    page.wait_for_function(
        "() => document.querySelector('.sv-contract-detail').innerText.includes('Grounds maintenance (example)')",
        timeout=60_000,
    )
    assert "Red: well behind" in page.inner_text(".sv-contract-detail")
    assert page.locator(".sv-contract-detail img[alt*='EX-C-003']").count() == 1
    assert "contract_id=EX-C-003" in page.get_attribute("a.sv-link", "href")
    assert_clean(app)
