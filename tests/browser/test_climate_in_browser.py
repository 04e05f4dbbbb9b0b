"""The climate targets app in a real browser: the answer on the first screen, clean, accessible, redraws on change,
keeps the last result on a bad upload, and a copied link opens the same scenario."""

from __future__ import annotations

import time

from conftest import assert_clean, axe_violations, reflow_to

from sv_helpers.climate import per_person

NOTEBOOK = "climate_targets.ipynb"
READY = ".sv-climate .sv-pathway-figure img"
ATTRIBUTION = "Contains public sector information licensed under the Open Government Licence v3.0; transformed by mySociety (CC BY 4.0)."

INSIDE_VIEWPORT = """
sel => { const r = document.querySelector(sel).getBoundingClientRect();
         return r.top >= 0 && r.left >= 0 && r.bottom <= window.innerHeight && r.right <= window.innerWidth && r.height > 0; }
"""


def headline(app) -> str:
    return app.page.inner_text(".sv-headline")


def wait_headline(page, text: str) -> None:
    page.wait_for_function(f"() => document.querySelector('.sv-headline').innerText.includes({text!r})", timeout=30_000)


def test_app_opens_on_sevenoaks_clean_with_captioned_charts(open_app):
    app = open_app(NOTEBOOK, ready=READY)
    print(f"climate app: first widget ready in {app.seconds_to_ready:.2f} s")
    assert_clean(app)
    text = headline(app)
    assert "Sevenoaks District Council" in text
    assert "On the current trend the district reaches net zero in" in text
    assert "To reach net zero by 2050" in text
    assert "You are looking at" in app.page.inner_text(".sv-series")
    captions = app.page.eval_on_selector_all(
        ".sv-pathway-chart figcaption, .sv-peer-chart figcaption", "els => els.map(e => e.textContent)"
    )
    sector = [c for c in captions if ATTRIBUTION in c]  # the sector series (mySociety's, from DESNZ)
    person = [c for c in captions if per_person.ATTRIBUTION in c]  # emissions per person, 2005 to 2023
    assert len(captions) == 4 and len(sector) == 2 and len(person) == 2, captions
    assert "local series starts in 2005, not 1990" in app.page.inner_text(".sv-pathway-figure figcaption")
    alts = app.page.eval_on_selector_all(".sv-climate figure img", "els => els.map(e => e.getAttribute('alt'))")
    assert len(alts) == 6 and all(a and len(a) > 60 for a in alts)
    assert "Example:" in app.page.inner_text(".sv-interventions")


def test_the_headline_and_the_pathway_chart_are_on_the_first_screen_and_nothing_scrolls_sideways(open_app):
    app = open_app(NOTEBOOK, ready=READY, viewport=(1280, 800))
    page = app.page
    assert page.evaluate(INSIDE_VIEWPORT, ".sv-headline"), "the headline is not entirely on the first screen"
    assert page.evaluate(INSIDE_VIEWPORT, ".sv-pathway-figure img"), (
        "the pathway chart is not entirely on the first screen"
    )
    reflow_to(page, 320)
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth"), (
        "the page scrolls sideways at 320 px"
    )


def test_app_has_no_wcag_violations(open_app):
    app = open_app(NOTEBOOK, ready=READY)
    assert axe_violations(app) == []


def test_changing_the_target_year_redraws_the_pathway(open_app):
    app = open_app(NOTEBOOK, ready=READY)
    page = app.page
    before_img = page.get_attribute(".sv-pathway-figure img", "src")
    start = time.perf_counter()
    page.select_option(".sv-target-year select", label="2040")
    wait_headline(page, "net zero by 2040")
    page.wait_for_function(
        "(old) => document.querySelector('.sv-pathway-figure img').getAttribute('src') !== old",
        arg=before_img,
        timeout=30_000,
    )
    print(f"climate app: redraw after changing the target year {time.perf_counter() - start:.2f} s")
    assert "must fall by 5.0% of the 2020 level each year" in headline(app)
    assert "pathway to 2040" in page.get_attribute(".sv-pathway-figure img", "alt") or "in 2040" in page.get_attribute(
        ".sv-pathway-figure img", "alt"
    )
    assert_clean(app)


def test_bad_upload_shows_the_banner_and_keeps_the_last_result(open_app):
    app = open_app(NOTEBOOK, ready=READY)
    page = app.page
    page.select_option(".sv-target-year select", label="2045")
    wait_headline(page, "net zero by 2045")
    before = headline(app)
    with page.expect_file_chooser() as chooser:
        page.click(".sv-upload-interventions")
    chooser.value.set_files(
        files=[
            {
                "name": "plan.csv",
                "mimeType": "text/csv",
                "buffer": b"intervention,scope,sector,annual_abatement_tco2e,start_year,ramp_up_years,cost,lifetime_years\nA,district,Domestic,lots,2025,2,1000,10\n",
            }
        ],
    )
    page.wait_for_selector(".sv-banner-error", timeout=30_000)
    banner = page.inner_text(".sv-banner-error")
    assert "plan.csv, row 2, column 'annual_abatement_tco2e': 'lots' is not a number." in banner
    assert headline(app) == before
    assert page.input_value(".sv-target-year select") is not None
    assert "Example:" in page.inner_text(".sv-interventions")  # the example plan is still in use
    assert_clean(app)


def test_budget_that_is_not_positive_is_refused_in_plain_english(open_app):
    app = open_app(NOTEBOOK, ready=READY)
    page = app.page
    before = headline(app)
    page.select_option(".sv-pathway select", label="Stay within a carbon budget")
    page.wait_for_selector(".sv-banner-error", timeout=30_000)
    assert "The carbon budget must be more than 0 kt" in page.inner_text(".sv-banner-error")
    assert headline(app) == before
    page.fill(".sv-budget input", "3000")
    page.press(".sv-budget input", "Enter")
    wait_headline(page, "carbon budget of 3,000 kt CO2")
    assert "the carbon budget runs out in" in headline(app)
    # the banner is cleared in the same update; its message may reach the page just after the headline's
    page.wait_for_selector(".sv-banner-error", state="detached", timeout=30_000)


def test_a_shared_link_sets_the_scenario_but_never_a_file(open_app):
    query = "authority_code=TUN&pathway=constant_rate&annual_reduction_pct=8&target_year=2040&interventions_path=/etc/hostname"
    app = open_app(NOTEBOOK, query=query, ready=READY)
    wait_headline(app.page, "Tunbridge Wells Borough Council")
    text = headline(app)
    assert "Falling by 8.0% a year" in text and "in 2040" in text
    assert "A link cannot set 'Interventions file' (interventions_path); it was ignored." in app.page.inner_text(
        ".sv-banner-area"
    )
    assert "Example:" in app.page.inner_text(".sv-interventions")
    assert_clean(app)


def test_a_copied_link_after_three_changes_opens_the_same_headline_and_table(open_app):
    app = open_app(NOTEBOOK, ready=READY)
    page = app.page
    page.select_option(".sv-pathway select", label="Same percentage fall each year")
    wait_headline(page, "Falling by 10.0% a year")
    page.select_option(".sv-target-year select", label="2045")
    wait_headline(page, "in 2045")
    page.uncheck(".sv-sector:has-text('Transport') input")
    page.wait_for_function(
        "() => document.querySelector('a.sv-link').getAttribute('href').includes('sectors')", timeout=30_000
    )
    text = headline(app)
    table = page.inner_text(".sv-pathway-figure table")
    href = page.get_attribute("a.sv-link", "href")
    assert "pathway=constant_rate" in href and "target_year=2045" in href
    other = open_app(NOTEBOOK, query=href.lstrip("?"), ready=READY)
    wait_headline(other.page, "in 2045")
    other.page.wait_for_function(
        "(t) => document.querySelector('.sv-headline').innerText === t", arg=text, timeout=30_000
    )
    assert other.page.inner_text(".sv-pathway-figure table") == table
    assert not other.page.is_checked(".sv-sector:has-text('Transport') input")
    assert axe_violations(other) == []
    assert_clean(other)


def test_council_estate_scope_is_labelled_example(open_app):
    app = open_app(NOTEBOOK, ready=READY)
    page = app.page
    page.select_option(".sv-scope select", label="Council estate (the council's own operations)")
    wait_headline(page, "Council estate")
    assert "example figures" in page.inner_text(".sv-series")
    assert "net zero by 2030" in headline(app)
    assert_clean(app)
