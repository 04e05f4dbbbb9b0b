"""The charts the apps redraw, written as SVG (sv_helpers.reports.svgcharts): well-formed, text as written, each chart's
cues (legend, hatches, reference lines, labels) present, and the page's figure accessible."""

import base64
import dataclasses
import re
import xml.etree.ElementTree as ET

import pytest

from sv_helpers import impact, planning, scoring
from sv_helpers.apps import planning as planning_app
from sv_helpers.apps import scoring as scoring_app
from sv_helpers.impact import report as impact_report_module
from sv_helpers.reports import svgcharts

NS = {"svg": "http://www.w3.org/2000/svg"}


def _svg(figure_html: str) -> ET.Element:
    """The chart of a figure, parsed (a chart that is not well-formed XML fails here)."""
    assert figure_html.count("<img ") == 1 and re.search(r'alt="[^"]{40,}"', figure_html)
    assert "Show the chart's data as a table" in figure_html
    encoded = re.search(r'src="data:image/svg\+xml;base64,([^"]+)"', figure_html).group(1)
    return ET.fromstring(base64.b64decode(encoded))


def _texts(root: ET.Element) -> list[str]:
    return ["".join(t.itertext()) for t in root.iter("{http://www.w3.org/2000/svg}text")]


HOSTILE = ["Beta $\\foo$ Ltd", "<script>alert(1)</script>", "Cost $5 & more", "\U0001f333 Trees for Kent", ""]


def test_any_name_is_drawn_as_written_and_never_read_as_markup():
    plot = svgcharts.hbar_chart(HOSTILE, [("Social", [1.0] * len(HOSTILE), "#CC79A7", "//")], title="Bids <b>")
    root = ET.fromstring(plot.svg())
    texts = _texts(root)
    assert all(name in texts for name in HOSTILE if name) and "Bids <b>" in texts
    assert not root.findall(".//svg:script", NS)


def test_a_very_long_name_is_cut_on_the_chart_and_the_bars_keep_their_room():
    plot = svgcharts.hbar_chart(["x" * 500, "Acme"], [(None, [10.0, 20.0], "#0072B2", "")], width=700)
    root = ET.fromstring(plot.svg())
    label = next(t for t in _texts(root) if t.startswith("xxx"))
    assert label.endswith("…") and len(label) < 100
    bars = [r for r in root.findall("svg:rect", NS) if r.get("fill") == "#0072B2"]
    assert float(bars[1].get("width")) > 200, "the longer bar still has most of the chart"


def test_crowded_date_labels_are_thinned_not_overlapped():
    plot = svgcharts.Plot(x_ticks=[(i, f"Mar {2000 + i}") for i in range(40)], width=400)
    plot.line(list(range(40)), list(range(40)), colour="#000000")
    shown = [t for t in _texts(ET.fromstring(plot.svg())) if t.startswith("Mar ")]
    assert 2 <= len(shown) < 40 and shown[0] == "Mar 2000"


@pytest.fixture(scope="module")
def planning_result():
    s = planning.Settings()
    return planning.run(s, planning.load(s))


def test_where_the_cil_goes_names_each_share_and_its_amount(planning_result):
    texts = _texts(_svg(planning_app.money_flow_chart(planning_result)))
    assert "Where the CIL received in 2025/26 goes" in texts
    for share in ("Passed to parish councils", "Kept for unparished areas", "Administration", "Strategic CIL"):
        assert share in texts
    assert any(t.strip() == "£269,308" for t in texts)


def test_the_allocation_chart_tells_the_methods_apart_by_hatch_and_legend(planning_result):
    root = _svg(planning_app.allocation_chart(planning_result))
    texts = _texts(root)
    assert {"Rank by score", "Pro rata"} <= set(texts)
    assert len(root.findall(".//svg:pattern", NS)) == 2, "the second and third methods are hatched"


@pytest.fixture(scope="module")
def impact_report():
    s = impact.Settings()
    return impact.run(s, impact.load(s)).detail


def test_the_source_chart_says_which_sources_are_counted_not_valued(impact_report):
    root = _svg(impact_report_module._draw_source_theme_figure(impact_report, (8.0, 4.2)))
    texts = _texts(root)
    assert "Theme" in texts and {"Social", "Economic", "Environmental"} <= set(texts)
    assert any("(counted, not valued)" in t for t in texts)
    assert root.get("width") == "800", "8 inches at 100 pixels an inch"


def test_the_status_chart_draws_the_thresholds_and_names_each_status(impact_report):
    root = _svg(impact_report_module._draw_status_figure(impact_report, (6.4, 2.6)))
    texts = _texts(root)
    assert "Green threshold (90%)" in texts and "Amber threshold (70%)" in texts
    assert any(t.endswith("(Red)") for t in texts), "status in words, not colour alone"
    dashed = [line for line in root.findall("svg:line", NS) if line.get("stroke-dasharray")]
    assert len(dashed) >= 2 and root.get("width") == "640"


def test_a_contracts_profile_has_dates_and_money_on_its_axes(impact_report):
    contract = impact_report.contracts[impact_report.contracts["contract_id"] == impact_report.contract_id].iloc[0]
    texts = _texts(_svg(impact_report_module._draw_profile_figure(contract, impact_report.profile)))
    assert any(re.fullmatch(r"(Mar|Jun|Sep|Dec) 20\d\d", t) for t in texts)
    assert any(t.startswith("£") for t in texts) and {"Expected to date", "Delivered to date"} <= set(texts)


def test_the_scoring_theme_chart_draws_a_hostile_bidder_name_as_written():
    s = scoring.Settings()
    inputs = scoring.load(s)
    tender = inputs["tender"]
    names = {"Bidder D": "Beta $\\foo$ Ltd", "Bidder A": "<script>alert(1)</script>"}
    hostile = dataclasses.replace(
        tender,
        bids=tender.bids.replace({"bidder": names}),
        scores=tender.scores.replace({"bidder": names}),
        commitments=tender.commitments.replace({"bidder": names}),
    )
    result = scoring.run(s, scoring.Inputs(values={**inputs.values, "tender": hostile}, sources=inputs.sources))
    texts = _texts(_svg(scoring_app.theme_chart(result)))
    assert "Beta $\\foo$ Ltd" in texts and "<script>alert(1)</script>" in texts
    assert "Social value committed by each bid, by theme" in texts
