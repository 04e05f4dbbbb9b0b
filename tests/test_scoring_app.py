"""The scoring app's handlers, driven without a browser (sv_helpers.apps.scoring)."""

from __future__ import annotations

import datetime as dt

import pytest

from sv_helpers.apps.scoring import apply_settings, build_app
from sv_helpers.paths import data_path


@pytest.fixture(scope="module")
def app():
    root = build_app(data_path("tenders", "example_tender.xlsx"), data_path("measures.csv"), monte_carlo_draws=500, seed=1)
    return root._sv_app


def upload(widget, name: str, content: bytes) -> None:
    widget.value = ({"name": name, "type": "", "size": len(content), "content": memoryview(content), "last_modified": dt.datetime(2026, 1, 1)},)


def test_app_root_is_labelled_for_the_tests_and_shows_the_example_note(app):
    assert "sv-app" in app.root._dom_classes
    assert "EXAMPLE tender" in app.source_note.value
    assert "Winner: Bidder D" in app.headline.value


def test_moving_a_weight_keeps_the_total_at_100_and_moves_the_others(app):
    chart = app.score_chart.value
    app.sliders["Social value commitments"].value = 25.0
    weights = {c: s.value for c, s in app.sliders.items()}
    assert sum(weights.values()) == pytest.approx(100)
    assert weights["Social value commitments"] == 25.0
    assert weights["Price"] < 50
    assert app.score_chart.value != chart
    assert "add up to 100" in app.weights_note.value


def test_bad_measures_upload_shows_the_banner_and_keeps_the_result(app):
    headline, ranking = app.headline.value, app.ranking_html.value
    bad = data_path("measures.csv").read_bytes().replace(b"EX-ECO-01,economic", b"EX-ECO-01,cultural")
    upload(app.measures_upload, "council_measures.csv", bad)
    assert "council_measures.csv, row 2, column 'theme'" in app.banner.message
    assert app.headline.value == headline and app.ranking_html.value == ranking
    assert app.measures_name == "measures.csv"


def test_tender_upload_with_bad_weights_is_refused_in_plain_english(app):
    import io

    import pandas as pd

    book = pd.read_excel(data_path("tenders", "example_tender.xlsx"), sheet_name=None)
    book["criteria"].loc[0, "weight"] = 40
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for name, table in book.items():
            table.to_excel(writer, sheet_name=name, index=False)
    headline = app.headline.value
    upload(app.tender_upload, "our_tender.xlsx", buffer.getvalue())
    assert "add up to 90" in app.banner.message
    assert app.headline.value == headline
    assert app.tender_name != "our_tender.xlsx"


def test_good_upload_replaces_the_result_and_drops_the_example_label(app):
    upload(app.tender_upload, "our_tender.xlsx", data_path("tenders", "example_tender.xlsx").read_bytes())
    assert app.banner.message == ""
    assert "EXAMPLE tender" not in app.source_note.value and "our_tender.xlsx" in app.source_note.value
    assert sum(s.value for s in app.sliders.values()) == pytest.approx(100)
    app.example_button.click()
    assert "EXAMPLE tender" in app.source_note.value


def test_link_settings_apply_to_the_built_app(app):
    apply_settings(app.root, price_method="deviation_from_lowest", uncertainty_margin=1.0)
    assert "Deduct the % above the lowest price" in app.headline.value
    assert app.evaluation.uncertainty_margin == 1.0
    apply_settings(app.root, price_method="lowest_price")


def test_downloads_carry_the_provenance_and_a_summary_per_bidder(app):
    html = app.downloads.value
    for name in ("tender_evaluation.xlsx", "ranking.csv", "criterion_scores.csv", "assessment_summaries.csv", "provenance.json"):
        assert f'download="{name}"' in html
    assert html.count('download="assessment_summary_') == 5
    record = app.provenance()
    assert {f["role"] for f in record["inputs"]} == {"tender", "measures"}
