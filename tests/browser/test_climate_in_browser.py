"""The climate targets app in a real browser: clean, accessible, redraws on change, keeps the last result on a bad upload."""

from __future__ import annotations

import time

from conftest import assert_clean, axe_violations

NOTEBOOK = "climate_targets.ipynb"
READY = ".sv-climate .sv-pathway-chart img"
ATTRIBUTION = "Contains public sector information licensed under the Open Government Licence v3.0; transformed by mySociety (CC BY 4.0)."


def summary_text(app) -> str:
    return app.page.inner_text(".sv-summary")


def test_app_opens_on_sevenoaks_clean_with_captioned_charts(open_app):
    app = open_app(NOTEBOOK, ready=READY)
    print(f"climate app: first widget ready in {app.seconds_to_ready:.2f} s")
    assert_clean(app)
    summary = summary_text(app)
    assert "Sevenoaks District Council" in summary
    assert "On the current trend the district reaches net zero in" in summary
    assert "To reach net zero by 2050" in summary
    assert "You are looking at" in app.page.inner_text(".sv-series")
    captions = app.page.eval_on_selector_all(".sv-pathway-chart figcaption, .sv-peer-chart figcaption", "els => els.map(e => e.textContent)")
    assert len(captions) == 2 and all(ATTRIBUTION in c for c in captions)
    assert "local series starts in 2005, not 1990" in captions[0]
    alts = app.page.eval_on_selector_all(".sv-climate figure img", "els => els.map(e => e.getAttribute('alt'))")
    assert len(alts) == 4 and all(a and len(a) > 60 for a in alts)
    assert "Example:" in app.page.inner_text(".sv-interventions")


def test_app_has_no_wcag_violations(open_app):
    app = open_app(NOTEBOOK, ready=READY)
    assert axe_violations(app) == []


def test_changing_the_target_year_redraws_the_pathway(open_app):
    app = open_app(NOTEBOOK, ready=READY)
    page = app.page
    before_img = page.get_attribute(".sv-pathway-chart img", "src")
    start = time.perf_counter()
    page.select_option(".sv-target-year select", label="2040")
    page.wait_for_function("() => document.querySelector('.sv-summary').innerText.includes('net zero by 2040')", timeout=30_000)
    page.wait_for_function("(old) => document.querySelector('.sv-pathway-chart img').getAttribute('src') !== old", arg=before_img, timeout=30_000)
    print(f"climate app: redraw after changing the target year {time.perf_counter() - start:.2f} s")
    assert "must fall by 5.0% of the 2020 level each year" in summary_text(app)
    assert "pathway to 2040" in page.get_attribute(".sv-pathway-chart img", "alt") or "in 2040" in page.get_attribute(".sv-pathway-chart img", "alt")
    assert_clean(app)


def test_bad_upload_shows_the_banner_and_keeps_the_last_result(open_app):
    app = open_app(NOTEBOOK, ready=READY)
    page = app.page
    page.select_option(".sv-target-year select", label="2045")
    page.wait_for_function("() => document.querySelector('.sv-summary').innerText.includes('net zero by 2045')", timeout=30_000)
    before = summary_text(app)
    with page.expect_file_chooser() as chooser:
        page.click(".sv-upload-interventions")
    chooser.value.set_files(
        files=[{"name": "plan.csv", "mimeType": "text/csv", "buffer": b"intervention,scope,sector,annual_abatement_tco2e,start_year,ramp_up_years,cost,lifetime_years\nA,district,Domestic,lots,2025,2,1000,10\n"}],
    )
    page.wait_for_selector(".sv-banner-error", timeout=30_000)
    banner = page.inner_text(".sv-banner-error")
    assert "plan.csv, row 2, column 'annual_abatement_tco2e': 'lots' is not a number." in banner
    assert summary_text(app) == before
    assert page.input_value(".sv-target-year select") is not None
    assert "Example:" in page.inner_text(".sv-interventions")  # the example plan is still in use
    assert_clean(app)


def test_budget_that_is_not_positive_is_refused_in_plain_english(open_app):
    app = open_app(NOTEBOOK, ready=READY)
    page = app.page
    before = summary_text(app)
    page.select_option(".sv-pathway select", label="Stay within a carbon budget")
    page.wait_for_selector(".sv-banner-error", timeout=30_000)
    assert "The carbon budget must be more than 0 kt" in page.inner_text(".sv-banner-error")
    assert summary_text(app) == before
    page.fill(".sv-budget input", "3000")
    page.press(".sv-budget input", "Enter")
    page.wait_for_function("() => document.querySelector('.sv-summary').innerText.includes('carbon budget of 3,000 kt CO2')", timeout=30_000)
    assert "the carbon budget runs out in" in summary_text(app)
    # the banner is cleared in the same update; its message may reach the page just after the summary's
    page.wait_for_selector(".sv-banner-error", state="detached", timeout=30_000)


def test_a_shared_link_sets_the_scenario_but_never_a_file(open_app):
    query = "authority_code=TUN&pathway=constant_rate&annual_reduction_pct=8&target_year=2040&interventions_path=/etc/hostname"
    app = open_app(NOTEBOOK, query=query, ready=READY)
    summary = summary_text(app)
    assert "Tunbridge Wells Borough Council" in summary
    assert "Falling by 8.0% a year" in summary and "in 2040" in summary
    assert "The link sets 'interventions_path', which this app does not have, so it was ignored." in app.page.inner_text(".sv-banner-area")
    assert "Example:" in app.page.inner_text(".sv-interventions")
    assert_clean(app)


def test_council_estate_scope_is_labelled_example(open_app):
    app = open_app(NOTEBOOK, ready=READY)
    page = app.page
    page.select_option(".sv-scope select", label="Council estate (the council's own operations)")
    page.wait_for_function("() => document.querySelector('.sv-summary').innerText.includes('Council estate')", timeout=30_000)
    assert "example figures" in page.inner_text(".sv-series")
    assert "net zero by 2030" in summary_text(app)
    assert_clean(app)
