"""The planning gain app in Chromium: clean and accessible, the answer on the first screen, no sideways scroll on a
phone, settings changed on screen travel in the link, a bad upload keeps the last good result, downloads on request."""

from __future__ import annotations

from conftest import assert_clean, axe_violations

NOTEBOOK = "planning_gain.ipynb"
READY = ".sv-headline"


def _headline(page) -> str:
    return page.inner_text(".sv-headline")


def _wait_headline_change(page, before: str) -> None:
    page.wait_for_function(f"() => document.querySelector('.sv-headline').innerText !== {before!r}", timeout=60_000)


def test_planning_app_is_clean_accessible_and_labelled_as_example(open_app):
    app = open_app(NOTEBOOK, ready=READY)
    page = app.page
    text = app.text()
    assert "Example data." in text and "FICTIONAL" in text
    headline = _headline(page)
    assert headline.startswith("In 2025/26 the council received £") and "passes to 14 parish councils" in headline
    assert page.locator(".sv-app figure img[alt]").count() == 3  # where the CIL goes, the scenarios, the ward map
    assert "1(g)(iii)" in page.inner_text(".sv-view-ifs") and "3(d)(i)" in page.inner_text(".sv-view-ifs")
    assert "past deadline" in page.inner_text(".sv-view-s106")
    assert_clean(app)
    assert axe_violations(app) == []
    print(f"planning app: time to first widget {app.seconds_to_ready:.2f} s")


def test_the_headline_and_main_chart_fit_the_first_screen(open_app):
    app = open_app(NOTEBOOK, ready=READY, viewport=(1280, 800))
    page = app.page
    page.wait_for_selector(".sv-view-flow img", state="visible", timeout=60_000)
    for selector in (".sv-headline", ".sv-view-flow img"):
        box = page.locator(selector).first.bounding_box()
        assert box is not None, selector
        assert box["x"] >= 0 and box["y"] >= 0, selector
        assert box["x"] + box["width"] <= 1280 and box["y"] + box["height"] <= 800, (
            f"{selector} leaves the first screen: {box}"
        )


def test_no_sideways_scroll_on_a_320_pixel_screen(open_app):
    app = open_app(NOTEBOOK, ready=READY, viewport=(320, 800))
    assert app.page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")


def test_settings_changed_on_screen_travel_in_the_link(open_app):
    app = open_app(NOTEBOOK, ready=READY)
    page = app.page
    before = _headline(page)
    flow = page.inner_text(".sv-view-allocation")
    page.locator(".sv-admin-share [role=slider]").focus()
    page.keyboard.press("ArrowLeft")  # 5% to 4.5%
    page.wait_for_function(
        "() => document.querySelector('a.sv-link').getAttribute('href').includes('admin_share_pct')", timeout=60_000
    )
    box = page.locator(".sv-ward-cap input")
    box.fill("400000")
    box.press("Enter")
    page.wait_for_function(
        "() => document.querySelector('a.sv-link').getAttribute('href').includes('ward_cap')", timeout=60_000
    )
    as_of = page.locator(".sv-as-of input")
    as_of.fill("2026-07-01")
    as_of.press("Enter")
    _wait_headline_change(page, before)
    page.wait_for_function(
        "() => document.querySelector('a.sv-link').getAttribute('href').includes('as_of')", timeout=60_000
    )
    href = page.get_attribute("a.sv-link", "href")
    assert "admin_share_pct=4.5" in href and "ward_cap=400000" in href and "as_of=2026-07-01" in href
    headline = _headline(page)
    table = page.inner_text(".sv-view-portion")
    assert page.inner_text(".sv-view-allocation") != flow
    assert_clean(app)
    linked = open_app(NOTEBOOK, query=href.lstrip("?"), ready=READY)
    linked.page.wait_for_function(
        f"() => document.querySelector('.sv-headline').innerText === {headline!r}", timeout=60_000
    )
    assert linked.page.inner_text(".sv-view-portion") == table
    assert linked.page.input_value(".sv-ward-cap input") == "400,000"
    assert axe_violations(linked) == []
    assert_clean(linked)


def test_a_bad_upload_shows_the_banner_and_keeps_the_last_good_result(open_app):
    app = open_app(NOTEBOOK, ready=READY)
    page = app.page
    before = _headline(page)
    bad = b"receipt_id,date_received,parish,permission_date,amount\nR1,2025-05-01,Atlantis,2024-01-01,1000\n"
    with page.expect_file_chooser() as chooser:
        page.click(".sv-upload-cil-receipts")
    chooser.value.set_files(files=[{"name": "receipts.csv", "mimeType": "text/csv", "buffer": bad}])
    banner = page.wait_for_selector(".sv-banner-error", state="visible", timeout=60_000)
    assert "'Atlantis' is not in the parishes file" in banner.inner_text()
    assert _headline(page) == before
    assert "Example data." in page.inner_text(".sv-data-note")
    assert "Traceback" not in app.text()


def test_downloads_are_built_when_asked_for(open_app):
    app = open_app(NOTEBOOK, ready=READY)
    page = app.page
    assert page.locator(".sv-downloads-area a").count() == 0
    page.click(".sv-prepare-downloads")
    page.wait_for_selector(".sv-downloads-area a[download='report.html']", timeout=120_000)
    names = page.eval_on_selector_all(".sv-downloads-area a", "els => els.map(e => e.getAttribute('download'))")
    assert {"planning_gain.xlsx", "neighbourhood_portion.csv", "ifs_cil.csv", "report.html"} <= set(names)
    page.click(".sv-make-pdf")
    page.wait_for_selector(".sv-pdf-area a[download='report.pdf']", timeout=120_000)
    assert axe_violations(app) == []
