"""The landing page: renders, links to every app, is clean and accessible."""

from __future__ import annotations

from conftest import REPO, assert_clean, axe_violations


def test_landing_page_renders_with_links_to_every_app(open_app):
    app = open_app("index.ipynb", ready="h1")
    assert app.page.inner_text("h1").startswith("Social Value Workbook")
    hrefs = app.page.eval_on_selector_all("main a[href$='.ipynb']", "els => els.map(e => e.getAttribute('href'))")
    assert set(hrefs) >= {
        "social_value_scoring.ipynb",
        "grant_allocation.ipynb",
        "climate_targets.ipynb",
        "impact_report.ipynb",
    }
    for href in hrefs:
        assert (REPO / "notebooks" / href).exists(), f"the landing page links to {href}, which does not exist"
    assert_clean(app)
    print(f"landing page ready in {app.seconds_to_ready:.2f} s")


def test_landing_page_has_no_wcag_violations(open_app):
    app = open_app("index.ipynb", ready="h1")
    assert axe_violations(app) == []


def test_root_url_leads_to_the_landing_page(browser, voila_url):
    page = browser.new_page()
    try:
        page.goto(voila_url)
        page.wait_for_url("**/voila/render/index.ipynb", timeout=30_000)
        page.wait_for_selector("#loading", state="detached", timeout=90_000)
        assert "Social Value Workbook" in page.inner_text("h1")
    finally:
        page.close()


def test_html_language_is_british_english(open_app):
    app = open_app("index.ipynb", ready="h1")
    assert app.page.get_attribute("html", "lang") == "en-GB"
