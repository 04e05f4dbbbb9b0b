"""The climate app without a browser: built from a computed result, redraws, plain-English refusals, links."""

from __future__ import annotations

import datetime as dt
import html
import re
from urllib.parse import unquote

import pytest
from test_emissions import FIXTURE_ROWS, desnz_fixture_csv

from sv_helpers import climate as cl
from sv_helpers.apps import climate as climate_app


def upload(widget, name: str, content: bytes) -> None:
    widget.value = [
        {
            "name": name,
            "type": "text/csv",
            "size": len(content),
            "content": memoryview(content),
            "last_modified": dt.datetime.now(dt.UTC),
        }
    ]


def build(**changes) -> climate_app.ClimateApp:
    settings = cl.Settings.from_parameters(changes)
    inputs = cl.load(settings)
    return climate_app.ClimateApp(cl.run(settings, inputs), inputs=inputs)


def headline(app) -> str:
    return html.unescape(re.sub("<[^>]+>", "", app.headline.value))


def link_query(app) -> str:
    return html.unescape(re.search(r'class="sv-link" href="\?([^"]*)"', app.link_html.value).group(1))


@pytest.fixture(scope="module")
def app():
    return build()


def test_the_app_shows_the_result_it_was_built_from_without_running_again(monkeypatch):
    settings = cl.Settings()
    inputs = cl.load(settings)
    result = cl.run(settings, inputs)
    monkeypatch.setattr(cl, "run", lambda *a, **k: pytest.fail("the app ran the scenario again"))
    monkeypatch.setattr(cl, "load", lambda *a, **k: pytest.fail("the app loaded the inputs again"))
    app = climate_app.ClimateApp(result, inputs=inputs)
    assert app.result is result
    assert "Sevenoaks District Council" in headline(app)


def test_app_opens_on_sevenoaks_with_four_charts_and_downloads_made_when_asked(app):
    assert app.banner.message == ""
    assert "Sevenoaks District Council" in headline(app) and "net zero in 2040" in headline(app)
    for name in ("pathway", "wedges", "macc", "peers"):
        view = app.view_widgets[name].value
        assert '<img src="data:image/svg+xml;base64,' in view and 'alt="' in view and "<figcaption>" in view, name
    assert "You are looking at" in app.view_widgets["series"].value
    assert app.downloads.value == ""  # nothing is built until asked
    app.downloads_button.click()
    for name in ("climate_targets.xlsx", "pathway.csv", "summary.csv", "summary.json", "provenance.json"):
        assert f'download="{name}"' in app.downloads.value
    assert not app.downloads_button.disabled


def test_changing_the_target_year_redraws_only_what_it_changes(app):
    before = {name: w.value for name, w in app.view_widgets.items()}
    app.target_year.value = 2040
    assert "net zero by 2040" in headline(app) and "5.0% of the 2020 level" in headline(app)
    assert app.view_widgets["pathway"].value != before["pathway"]
    assert app.view_widgets["macc"].value == before["macc"] and app.view_widgets["peers"].value == before["peers"]
    assert app.downloads.value == ""  # the downloads of the last result are gone
    assert "target_year=2040" in link_query(app)


def test_malformed_interventions_upload_keeps_the_last_result(app):
    before = (headline(app), app.view_widgets["pathway"].value, [b.description for b in app.plan_list.boxes])
    upload(app.upload_plan, "plan.csv", b"intervention,scope\nA,district\n")
    assert "plan.csv: the columns 'sector'" in app.banner.message
    assert (headline(app), app.view_widgets["pathway"].value, [b.description for b in app.plan_list.boxes]) == before
    assert app.base_settings.interventions_path == cl.Settings().interventions_path


def test_unticking_every_sector_is_refused_and_the_result_stays(app):
    boxes = app.sector_list.boxes
    with app.quiet():
        for box in boxes[1:]:
            box.value = False
    app.refresh()  # one sector: a good result
    before = headline(app)
    boxes[0].value = False  # none: refused
    assert "No sector is chosen" in app.banner.message
    assert headline(app) == before
    with app.quiet():
        for box in boxes[1:]:
            box.value = True
    boxes[0].value = True
    assert app.banner.message == ""
    assert app.base_settings.sectors == {}


def test_a_desnz_upload_says_which_series_is_shown_and_finds_sevenoaks():
    app = build()
    upload(app.upload_emissions, "desnz-2022.csv", desnz_fixture_csv(FIXTURE_ROWS))
    assert "sv-banner-error" not in app.banner.value
    assert "DESNZ UK local authority greenhouse gas emissions" in app.view_widgets["series"].value
    assert app.authority.value == "E07000111"
    assert "kt CO2e in 2022" in headline(app)
    assert "A link cannot carry an uploaded file (desnz-2022.csv" in app.link_html.value
    app.reset.click()
    assert app.authority.value == "SEV" and "mySociety" in app.view_widgets["series"].value


def test_the_council_estate_starts_at_the_councils_net_zero_year_and_says_it_is_an_example():
    app = build()
    app.scope.value = "council estate"
    assert "Council estate" in headline(app) and "net zero by 2030" in headline(app)
    assert "example figures" in app.view_widgets["series"].value
    assert app.authority.disabled
    assert "comparison with similar places is for the district" in app.view_widgets["peers"].value
    app.scope.value = "district"
    assert "Sevenoaks District Council" in headline(app) and "net zero by 2050" in headline(app)


def test_a_link_with_an_unknown_authority_or_an_early_target_year_keeps_the_app_and_says_so():
    app = build()
    app.apply_query("authority_code=XYZ&target_year=2019&pathway=constant_rate&trend_start_year=2030")
    assert (
        "The authority code 'XYZ' is not in the emissions data; Sevenoaks District Council is shown instead."
        in app.notices.message
    )
    assert (
        "The link's target year, 2019, is not after the last year of actual data, 2020; 2050 is used instead."
        in app.notices.message
    )
    assert (
        "The link's 'Trend from year', 2030, is not before the last year of actual data, 2020; 2015"
        in app.notices.message
    )
    assert "Sevenoaks District Council" in headline(app) and "Falling by 10.0% a year" in headline(app)


def test_a_link_from_three_changed_settings_opens_the_same_scenario():
    first = build()
    first.authority.value = "TUN"
    first.pathway.value = "constant_rate"
    first.reduction.value = 8.0
    first.sector_list.boxes[0].value = False
    query = link_query(first)
    assert "sectors=" in unquote(query)
    second = build()
    second.apply_query(query)
    assert second.notices.message == ""
    assert headline(second) == headline(first)
    assert second.result.tables["pathway"].equals(first.result.tables["pathway"])
    assert second.sector_list.value == first.sector_list.value


def test_the_report_button_makes_the_html_and_pdf_report():
    app = build()
    app.downloads_button.click()
    assert 'download="report.html"' in app.downloads.value
    app.pdf_button.click()
    assert "Making the PDF report" in app.pdf_area.value and app.pdf_button.disabled  # said at once
    app.wait()  # the PDF is made in the background
    assert 'download="report.pdf"' in app.pdf_area.value
    assert "The PDF is ready." in app.pdf_area.value
    assert not app.pdf_button.disabled and app.status.value == ""


def test_a_budget_out_of_range_is_refused_with_its_range_not_clamped():
    app = build()
    before = headline(app)
    app.budget.value = 2e7
    assert "'Carbon budget (kt)' (carbon_budget_kt) must be a number from 0 to 10,000,000" in app.banner.message
    assert headline(app) == before and app.budget.value == 2e7
    app.budget.value = 0.0
    assert app.banner.message == ""
