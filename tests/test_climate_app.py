"""The climate app's handlers without a browser: redraws, plain-English refusals, last good result kept."""

from __future__ import annotations

import datetime as dt

import pytest

from sv_helpers.apps import climate as climate_app
from test_emissions import FIXTURE_ROWS, desnz_fixture_csv


def upload(widget, name: str, content: bytes) -> None:
    widget.value = [{"name": name, "type": "text/csv", "size": len(content), "content": memoryview(content), "last_modified": dt.datetime.now(dt.timezone.utc)}]


@pytest.fixture(scope="module")
def app():
    return climate_app.build_app({})._sv_app


def test_app_opens_on_sevenoaks_with_four_charts_and_downloads(app):
    assert app.banner.message == ""
    assert "Sevenoaks District Council" in app.summary.value
    for chart in (app.pathway_chart, app.wedge_chart, app.macc_chart, app.peer_chart):
        assert '<img src="data:image/png;base64,' in chart.value and 'alt="' in chart.value and "<figcaption>" in chart.value
    for name in ("climate_targets.xlsx", "pathway.csv", "summary.csv", "summary.json", "provenance.json"):
        assert f'download="{name}"' in app.downloads.value


def test_changing_the_target_year_changes_the_summary_and_chart(app):
    before = app.pathway_chart.value
    app.target_year.value = 2040
    assert "net zero by 2040" in app.summary.value and "5.0% of the 2020 level" in app.summary.value
    assert app.pathway_chart.value != before


def test_malformed_interventions_upload_keeps_the_last_result(app):
    before = (app.summary.value, app.pathway_chart.value, [b.description for b in app.plan_boxes])
    upload(app.upload_plan, "plan.csv", b"intervention,scope\nA,district\n")
    assert "plan.csv: the columns 'sector'" in app.banner.message
    assert (app.summary.value, app.pathway_chart.value, [b.description for b in app.plan_boxes]) == before


def test_unticking_every_sector_is_refused_and_the_result_stays(app):
    app._updating = True  # untick all but the first without recomputing each time
    for box in app.sector_boxes[1:]:
        box.value = False
    app._updating = False
    app.refresh()  # one sector: a good result
    before = app.summary.value
    app.sector_boxes[0].value = False  # none: refused
    assert "No sector is chosen" in app.banner.message
    assert app.summary.value == before
    app._updating = True
    for box in app.sector_boxes[1:]:
        box.value = True
    app._updating = False
    app.sector_boxes[0].value = True
    assert app.banner.message == ""


def test_a_desnz_upload_says_which_series_is_shown_and_finds_sevenoaks(app):
    upload(app.upload_emissions, "desnz-2022.csv", desnz_fixture_csv(FIXTURE_ROWS))
    assert "DESNZ UK local authority greenhouse gas emissions" in app.series_note.value
    assert app.authority.value == "E07000111"
    assert "kt CO2e in 2022" in app.summary.value
    app.on_reset()
    assert app.authority.value == "SEV" and "mySociety" in app.series_note.value


def test_a_link_with_an_unknown_authority_shows_sevenoaks_and_says_so():
    other = climate_app.build_app({"authority_code": "XYZ"})._sv_app
    assert "The authority code 'XYZ' is not in the emissions data" in other.banner.message
    assert "Sevenoaks District Council" in other.summary.value
