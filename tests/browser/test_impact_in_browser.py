"""The impact report app: renders clean and accessible, the year changes the report,
a bad upload shows the banner and keeps the last good report, the PDF can be made."""

from __future__ import annotations

from conftest import assert_clean, axe_violations

NOTEBOOK = "impact_report.ipynb"

#: Records when the year is changed and when the summary text changes next (page clock, ms).
WATCH_SUMMARY = """
() => {
  window.svTimes = {};
  const target = document.querySelector('.sv-summary-area');
  const before = target.innerText;
  document.querySelector('.sv-year select').addEventListener('change', () => { window.svTimes.changed = performance.now(); }, {capture: true});
  new MutationObserver(() => {
    if (target.innerText !== before && window.svTimes.drawn === undefined) { window.svTimes.drawn = performance.now(); }
  }).observe(target, {subtree: true, childList: true, characterData: true});
}
"""


def test_impact_app_is_clean_accessible_and_labelled_as_example(open_app):
    app = open_app(NOTEBOOK, ready=".sv-summary")
    page = app.page
    text = app.text()
    assert "In 2025/26 contracts delivered £" in text
    assert "Example data." in text
    assert "(2 green, 1 amber and 1 red)" in text
    assert page.locator(".sv-charts img[alt]").count() == 3
    for name in ("delivery.csv", "contract_status.csv", "impact_by_theme.csv", "provenance.json", "impact-report-2025-26.html", "impact-report-2025-26-tables.xlsx"):
        assert page.locator(f".sv-downloads-area a[download='{name}']").count() == 1, name
    assert_clean(app)
    assert axe_violations(app) == []
    print(f"impact app: time to first widget {app.seconds_to_ready:.2f} s")


def test_choosing_another_year_rewrites_the_report(open_app):
    app = open_app(NOTEBOOK, ready=".sv-summary")
    page = app.page
    page.evaluate(WATCH_SUMMARY)
    page.select_option(".sv-year select", label="2024/25")
    page.wait_for_function("() => window.svTimes.drawn !== undefined", timeout=60_000)
    times = page.evaluate("() => window.svTimes")
    redraw_ms = times["drawn"] - times["changed"]
    page.wait_for_function("() => document.querySelector('.sv-summary-area').innerText.includes('In 2024/25 contracts delivered')", timeout=30_000)
    assert "delivery measured" not in page.inner_text(".sv-summary-area")
    assert page.locator(".sv-downloads-area a[download='impact-report-2024-25.html']").count() == 1
    assert_clean(app)
    print(f"impact app: year change redrawn in {redraw_ms:.0f} ms")
    assert redraw_ms < 15000, f"the report took {redraw_ms:.0f} ms to redraw"


def test_leaving_out_climate_results_says_so_plainly(open_app):
    app = open_app(NOTEBOOK, ready=".sv-summary")
    page = app.page
    page.locator(".sv-include-climate input[type=checkbox]").uncheck()
    page.wait_for_function("() => document.querySelector('.sv-summary-area').innerText.includes('Not provided for this report: climate results')", timeout=60_000)
    page.wait_for_function("() => document.querySelectorAll('.sv-charts img[alt]').length === 2", timeout=30_000)
    assert_clean(app)


def test_bad_upload_shows_the_banner_and_keeps_the_last_good_report(open_app):
    app = open_app(NOTEBOOK, ready=".sv-summary")
    page = app.page
    summary = page.inner_text(".sv-summary-area")
    with page.expect_file_chooser() as chooser:
        page.click(".sv-upload-returns")  # ipywidgets makes the file input only when the button is pressed
    chooser.value.set_files(
        files=[{"name": "returns-q3.csv", "mimeType": "text/csv", "buffer": b"contract_id,period_end,measure_code,quantity_delivered\nEX-C-009,31/12/2025,EX-ECO-01,2\n"}]
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
    link = page.wait_for_selector(".sv-pdf-area a[download='impact-report-2025-26.pdf']", timeout=60_000)
    assert link.get_attribute("href").startswith("data:application/pdf;base64,")
    assert_clean(app)


def test_the_static_report_page_has_no_wcag_violations_and_no_outside_requests(browser):
    from conftest import AppPage

    from sv_helpers.apps import impact as impact_app
    from sv_helpers.paths import resolve_path

    sources = {role: resolve_path(p) for role, p in impact_app.EXAMPLE_FILES.items()}
    report = impact_app.run_batch(sources, "2025/26")
    loaded = impact_app.load_inputs(sources)
    page_html = impact_app.report_html(report, loaded, impact_app.report_record(report, sources, notebook="test"), note=impact_app.example_note(sources))
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
    page.wait_for_function("() => document.querySelector('.sv-contract-detail').innerText.includes('Grounds maintenance (example)')", timeout=60_000)
    assert "Red: well behind" in page.inner_text(".sv-contract-detail")
    assert page.locator(".sv-contract-detail img[alt*='EX-C-003']").count() == 1
    assert_clean(app)
