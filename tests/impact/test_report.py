"""The impact report as static HTML and PDF (sv_helpers.reports.document)."""

from __future__ import annotations

import io
import re

import pytest

from sv_helpers import impact as imp
from sv_helpers.core.measures import load_measures
from sv_helpers.core.paths import data_path
from sv_helpers.core.provenance import provenance_record
from sv_helpers.impact import activities as act
from sv_helpers.impact import delivery as dlv
from sv_helpers.impact import report as impact_report
from sv_helpers.reports import document as rep


def _example(name: str):
    return data_path("impact", name)


@pytest.fixture(scope="module")
def page() -> tuple[imp.ImpactReport, str]:
    pathway = imp.load_climate_pathway(_example("climate_pathway_sevenoaks.csv"))
    report = imp.build_impact_report(
        "2025/26",
        contracts=dlv.load_contracts(_example("example_contracts.csv")),
        commitments=dlv.load_commitments(_example("example_commitments.csv")),
        returns=dlv.load_returns(_example("example_returns.csv")),
        measures=load_measures(),
        activities=act.load_activities(_example("example_activities.csv")),
        climate_summary=imp.load_climate_summary(_example("climate_summary_sevenoaks.json")),
        climate_pathway=pathway,
    )
    record = provenance_record({"financial_year": "2025/26"}, {"contracts": _example("example_contracts.csv")})
    html_text = impact_report.render_report_html(
        report, impact_report.report_figures(report, pathway), record, example_note=imp.EXAMPLE_NOTE
    )
    return report, html_text


def test_the_page_is_self_contained(page):
    _, html_text = page
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html_text)
    assert "<script" not in html_text
    assert len(re.findall(r'<img src="data:image/svg\+xml;base64,', html_text)) == 3


def test_every_chart_has_a_text_alternative_and_its_data(page):
    _, html_text = page
    images = re.findall(r"<img [^>]*>", html_text)
    assert len(images) == 3
    assert all(re.search(r'alt="[^"]{40,}"', img) for img in images)
    assert html_text.count("Show the chart's data as a table") == 3


def test_the_page_carries_the_summary_the_example_note_and_the_provenance(page):
    report, html_text = page
    assert report.summary[0].replace("'", "&#x27;") in html_text
    assert "Example data." in html_text
    assert "Provenance record" in html_text and "sha256" in html_text
    assert "Grant results were not provided for this report." in html_text


def test_columns_are_shown_with_their_screen_labels():
    assert rep.screen_label("delivered_value_gbp") == "Delivered value (£)"
    assert rep.screen_label("pct_of_expected") == "Delivered as % of expected"
    assert rep.screen_label("committed_quantity") == "Committed quantity"


@pytest.mark.skipif(rep.find_chromium() is None, reason="Chromium is not installed")
def test_the_pdf_opens_and_its_text_contains_the_summary(page, tmp_path):
    from pypdf import PdfReader

    report, html_text = page
    path = rep.html_to_pdf(html_text, tmp_path / "report.pdf")
    reader = PdfReader(io.BytesIO(path.read_bytes()))
    text = " ".join(" ".join(p.extract_text() for p in reader.pages).split())
    assert len(reader.pages) >= 2
    assert report.summary[0] in text


def test_without_chromium_the_pdf_says_plainly_what_it_needs(page, tmp_path, monkeypatch):
    monkeypatch.setenv("SV_CHROMIUM", "")
    assert rep.find_chromium() is None
    with pytest.raises(FileNotFoundError, match="the Chromium web browser is not installed"):
        rep.html_to_pdf(page[1], tmp_path / "report.pdf")


def test_the_impact_report_uses_the_shared_report_look(page):
    _, html_text = page
    head = rep.render_document("x", [])
    assert rep._CSS in head and rep._CSS in html_text
    assert html_text.count("<h1>") == 1 and '<html lang="en-GB">' in html_text
    for heading in (
        "Summary",
        "Social value by theme and source",
        "Contracts",
        "Community grants",
        "The council&#x27;s own activities",
        "Climate progress",
        "Provenance",
    ):
        assert f"<h2>{heading}</h2>" in html_text, heading


def test_a_chart_drawn_once_is_not_drawn_again_for_the_same_figures(page, monkeypatch):
    report, _ = page
    first = impact_report.status_figure(report)
    monkeypatch.setattr(impact_report, "_draw_status_figure", lambda *a: pytest.fail("drawn again"))
    assert impact_report.status_figure(report) == first


def test_a_changed_threshold_draws_the_status_chart_again(page):
    import dataclasses

    report, _ = page
    stricter = dataclasses.replace(report, green=95.0)
    assert "green (95%)" in impact_report.status_figure(stricter) and "green (90%)" in impact_report.status_figure(
        report
    )
