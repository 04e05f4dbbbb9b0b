"""The scoring app's controls and views, driven without a browser (sv_helpers.apps.scoring)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
from urllib.parse import unquote

import pandas as pd
import pytest

from sv_helpers import scoring
from sv_helpers.apps.scoring import ScoringApp
from sv_helpers.core.paths import data_path

BATCH = {"monte_carlo_draws": 500, "seed": 1}


@pytest.fixture(scope="module")
def inputs():
    return scoring.load(scoring.Settings())


@pytest.fixture
def app(inputs):
    return ScoringApp(scoring.run(scoring.Settings.from_parameters(BATCH), inputs=inputs), inputs=inputs)


def upload(widget, name: str, content: bytes) -> None:
    widget.value = (
        {
            "name": name,
            "type": "",
            "size": len(content),
            "content": memoryview(content),
            "last_modified": dt.datetime(2026, 1, 1),
        },
    )


def workbook_with(change) -> bytes:
    book = pd.read_excel(data_path("tenders", "example_tender.xlsx"), sheet_name=None)
    change(book)
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for name, table in book.items():
            table.to_excel(writer, sheet_name=name, index=False)
    return buffer.getvalue()


def test_the_first_screen_shows_the_winner_the_main_chart_and_the_example_label(app):
    assert "sv-app" in app._dom_classes
    assert "Winner: Bidder D" in app.headline.value and 'aria-live="polite"' in app.headline.value
    assert "EXAMPLE tender" in app.source_note.value
    chart = app.view_widgets["score-chart"].value
    assert 'class="sv-score-chart"' in chart and "<img" in chart and 'alt="Stacked bar chart' in chart
    assert "The EXAMPLE tender (fictional)." in chart


def test_moving_a_weight_keeps_the_total_at_100_and_moves_the_others(app):
    chart = app.view_widgets["score-chart"].value
    app.weights.sliders["Social value commitments"].value = 25.0
    weights = app.result.settings.weights
    assert sum(weights.values()) == pytest.approx(100)
    assert weights["Social value commitments"] == 25.0 and weights["Price"] < 50
    assert app.view_widgets["score-chart"].value != chart
    assert "add up to 100" in app.weights.note.value and "changed from the workbook's" in app.weights.note.value


def test_moving_a_weight_redraws_the_winner_grid_as_a_fresh_drawing_would(app):
    # The app keeps the drawn grid and moves only the circle round the current weights.
    from sv_helpers.apps.scoring import grid_chart

    sliders = list(app.weights.sliders.values())
    grids = set()
    for index, value in ((0, 30.0), (0, 55.0), (1, 5.0), (0, 30.0), (2, 45.0), (1, 40.0), (0, 70.0)):
        sliders[index].value = value  # a quality criterion's weight changes the proportions, and so the grid
        assert app._shown["sensitivity"].count(grid_chart(app.result)) == 1
        grids.add(tuple(app.result.detail.grid["winner"]))
    assert len(grids) > 1


def test_every_setting_on_screen_travels_in_the_link(app, inputs):
    app.weights.sliders["Price"].value = 40.0
    app.price_method.value = "deviation_from_lowest"
    app.margin.value = 1.2
    href = app.link_html.value.split('href="', 1)[1].split('"', 1)[0]
    query = unquote(href.replace("&amp;", "&").lstrip("?"))
    assert (
        "price_method=deviation_from_lowest" in query and "uncertainty_margin=1.2" in query and '"Price":40.0' in query
    )
    other = ScoringApp(scoring.run(scoring.Settings.from_parameters(BATCH), inputs=inputs), inputs=inputs)
    other.apply_query(href.replace("&amp;", "&"))
    assert other.headline.value == app.headline.value
    assert other.view_widgets["ranking"].value == app.view_widgets["ranking"].value
    assert other.weights.sliders["Price"].value == 40.0 and other.margin.value == pytest.approx(1.2)


def test_an_absurd_link_gives_notices_and_the_app_stays(app):
    headline = app.headline.value
    app.apply_query("monte_carlo_draws=5000000&uncertainty_margin=nan&seed=-1")
    assert "Monte Carlo draws" in app.notices.message and "from 100 to 100,000" in app.notices.message
    assert app.headline.value == headline


def test_bad_measures_upload_shows_the_banner_and_keeps_the_result(app):
    headline, ranking = app.headline.value, app.view_widgets["ranking"].value
    bad = data_path("measures.csv").read_bytes().replace(b"EX-ECO-01,economic", b"EX-ECO-01,cultural")
    upload(app.measures_upload, "council_measures.csv", bad)
    assert "council_measures.csv, row 2, column 'theme'" in app.banner.message
    assert app.headline.value == headline and app.view_widgets["ranking"].value == ranking
    assert app.base_settings.measures_path == scoring.EXAMPLE_MEASURES


def test_tender_upload_with_bad_weights_is_refused_and_the_weights_kept(app):
    app.weights.sliders["Price"].value = 45.0
    before = dict(app.weights.value)

    def bad(book):
        book["criteria"].loc[0, "weight"] = 40

    upload(app.tender_upload, "our_tender.xlsx", workbook_with(bad))
    assert "add up to 90" in app.banner.message
    assert app.weights.value == before
    assert app.base_settings.tender_path == scoring.EXAMPLE_TENDER


def test_a_new_tender_brings_its_own_criteria_and_the_example_returns(app):
    def renamed(book):
        book["criteria"].loc[1, "criterion"] = "Method statement"
        book["scores"]["criterion"] = book["scores"]["criterion"].replace("Delivery plan", "Method statement")

    app.weights.sliders["Price"].value = 45.0
    upload(app.tender_upload, "our_tender.xlsx", workbook_with(renamed))
    assert "sv-banner-error" not in app.banner.value
    assert "Method statement" in app.weights.sliders and app.weights.value == {}
    assert "EXAMPLE tender" not in app.source_note.value and "our_tender.xlsx" in app.source_note.value
    assert "SHA-256" in app.link_html.value  # a link cannot carry the upload, and says so
    app.example_button.click()
    assert "EXAMPLE tender" in app.source_note.value and "Delivery plan" in app.weights.sliders


def test_downloads_and_the_report_are_made_when_asked(app):
    assert app.downloads.value == "" and app.pdf_area.value == ""
    app.downloads_button.click()
    for name in (
        "tender_evaluation.xlsx",
        "ranking.csv",
        "criterion_scores.csv",
        "assessment_summaries.csv",
        "provenance.json",
    ):
        assert f'download="{name}"' in app.downloads.value
    assert app.downloads.value.count('download="assessment_summary_') == 5
    assert 'download="report.html"' in app.downloads.value  # the report as a web page, with the tables
    app.pdf_button.click()
    assert "Making the PDF report" in app.pdf_area.value and app.pdf_button.disabled  # said at once
    app.wait()  # the PDF is made in the background
    assert 'download="report.pdf"' in app.pdf_area.value or "report.pdf was not written" in app.pdf_area.value
    assert app.status.value == "" and not app.pdf_button.disabled
    app.price_method.value = "deviation_from_lowest"
    assert app.downloads.value == "", "downloads of an older scenario are taken away"


def test_hostile_names_are_drawn_as_text_and_a_criterion_called_total_is_kept(inputs):
    tender = inputs["tender"]
    names = {"Bidder D": "Beta $\\foo$ Ltd", "Bidder A": "<script>alert(1)</script>"}
    criteria = {"Delivery plan": "Total"}
    hostile_tender = dataclasses.replace(
        tender,
        criteria=tender.criteria.replace({"criterion": criteria}),
        bids=tender.bids.replace({"bidder": names}),
        scores=tender.scores.replace({"bidder": names, "criterion": criteria}),
        commitments=tender.commitments.replace({"bidder": names}),
    )
    hostile = scoring.Inputs(values={**inputs.values, "tender": hostile_tender}, sources=inputs.sources)
    app = ScoringApp(scoring.run(scoring.Settings.from_parameters(BATCH), inputs=hostile), inputs=hostile)
    page = "".join(w.value for w in app.view_widgets.values())
    assert "<script>alert" not in page and "&lt;script&gt;" in page
    assert "Beta $\\foo$ Ltd" in app.headline.value
    summary = next(text for name, text in app.result.files.items() if "beta" in name)
    assert "## Total (Quality, weight 20.0)" in summary and "scored 86.88 out of 100" in summary


def test_the_headline_says_the_award_notice_data_is_valid_and_the_download_is_made_when_asked(app):
    assert "The standstill period ends at the end of Monday 1 June 2026" in app.headline.value
    assert "Award notice data (OCDS): valid against the OCDS 1.1.5 schema" in app.headline.value
    assert 'download="ocds_release_package.json"' not in app.downloads.value  # made on request only
    app.downloads_button.click()
    for name in ("ocds_release_package.json", "ocds_release_package.xlsx", "ocds_release_package_missing.txt"):
        assert f'download="{name}"' in app.downloads.value
    assert "Award notice data (OCDS)" in app.downloads.value


def test_tied_winners_say_in_the_headline_what_stops_the_award_notice_data(inputs):
    tender = inputs["tender"]
    bids = tender.bids.copy()
    bids["price"] = 1_000_000.0
    criteria = tender.criteria.copy()
    criteria["weight"] = [100.0 if g == "price" else 0.0 for g in criteria["group"]]
    tied = dataclasses.replace(tender, bids=bids, criteria=criteria)
    tied_inputs = dataclasses.replace(inputs, values={**inputs.values, "tender": tied})
    tied_inputs.values.pop("derived", None)
    result = scoring.run(scoring.Settings.from_parameters(BATCH), inputs=tied_inputs)
    app = ScoringApp(result, inputs=tied_inputs)
    assert "Award notice data (OCDS): not made." in app.headline.value and "tied" in app.headline.value
    app.downloads_button.click()
    assert 'download="ocds_release_package.json"' not in app.downloads.value
    assert 'download="ocds_release_package_missing.txt"' in app.downloads.value
