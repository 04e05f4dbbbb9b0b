"""The tender scoring core: Settings → run → Result → write (sv_helpers.scoring)."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sv_helpers import scoring
from sv_helpers.core.errors import InputError
from sv_helpers.core.parameters import parameter_value
from sv_helpers.core.scenario import write_result
from sv_helpers.scoring import Settings

EXPECTED = Path(__file__).parent.parent / "expected" / "scoring"
BATCH = {"monte_carlo_draws": 2000, "seed": 11}


@pytest.fixture(scope="module")
def inputs():
    return scoring.load(Settings())


@pytest.fixture(scope="module")
def batch(tmp_path_factory, inputs):
    result = scoring.run(Settings.from_parameters(BATCH), inputs=inputs)
    out = tmp_path_factory.mktemp("scoring")
    return result, out, scoring.write(result, out)


# --------------------------------------------------------------------------- today's batch outputs


def same_table_bytes(written, expected) -> bool:
    """The same bytes as the expected file (``tests/same_bytes.py`` wrote it)."""
    return written.read_bytes() == expected.read_bytes()


def test_defaults_come_from_the_parameter_files_and_the_notebook():
    s = Settings()
    assert s.uncertainty_margin == parameter_value("scoring.uncertainty_margin")
    assert (s.tender_path, s.measures_path) == ("data/tenders/example_tender.xlsx", "data/measures.csv")
    assert (s.monte_carlo_draws, s.price_method, s.weights) == (10_000, "", {})


def test_run_then_write_reproduces_the_batch_outputs_byte_for_byte(batch):
    _, out, written = batch
    expected = sorted((EXPECTED / "default").iterdir())
    assert expected, "the expected files are there"
    for path in expected:
        assert same_table_bytes(out / path.name, path), f"{path.name} differs from the batch output before the core"
    names = {p.name for p in written}
    assert {"tender_evaluation.xlsx", "report.html", "provenance.json"} <= names
    assert written[-1].name == "provenance.json"


def test_the_workbook_price_method_can_be_replaced(inputs, tmp_path):
    result = scoring.run(Settings.from_parameters({**BATCH, "price_method": "deviation_from_lowest"}), inputs=inputs)
    write_result(result, tmp_path)
    for path in (EXPECTED / "deviation_from_lowest").iterdir():
        assert same_table_bytes(tmp_path / path.name, path), path.name


def test_csv_outputs_are_the_same_bytes_on_a_second_run(batch, inputs, tmp_path):
    result, out, _ = batch
    again = scoring.run(Settings.from_parameters(BATCH), inputs=inputs)
    write_result(again, tmp_path)
    for path in out.glob("*.csv"):
        assert (tmp_path / path.name).read_bytes() == path.read_bytes(), path.name


def test_result_carries_the_summary_figures_headline_and_provenance(batch):
    result, _, _ = batch
    assert result.summary == {
        "winner": "Bidder D",
        "winner_total": pytest.approx(86.875),
        # with the example library's adjustments Bidder A's social value falls the most, so D wins every draw
        "winner_probability": pytest.approx(1.0),
        # The example's notice is published on Wednesday 20 May 2026; Monday 25 May is a bank holiday.
        "standstill_end": "2026-06-01",
    }
    assert result.headline.startswith("Winner: Bidder D, with 86.88 points out of 100")
    assert "100.0% of 2,000 draws" in result.headline
    assert result.provenance["parameters"] == Settings.from_parameters(BATCH).to_parameters()
    assert {f["role"] for f in result.provenance["inputs"]} == {"tender", "measures"}
    assert len([n for n in result.files if n.startswith("assessment_summary_")]) == 5


def test_weights_from_the_settings_change_the_winner(inputs):
    weights = {
        "Price": 20.0,
        "Delivery plan": 20.0,
        "Staffing and resources": 20.0,
        "Social value commitments": 30.0,
        "Social value delivery plan": 10.0,
    }
    result = scoring.run(Settings.from_parameters({**BATCH, "weights": weights}), inputs=inputs)
    tender = result.detail.result.tender
    assert tender.weights.to_dict() == weights
    assert result.tables["ranking"]["total_score"].iloc[0] != pytest.approx(86.875)


@settings(max_examples=25, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=40), min_size=5, max_size=5).filter(lambda w: sum(w) > 0))
def test_a_run_that_reuses_what_it_kept_gives_the_tables_of_a_fresh_run(inputs, raw):
    # The app keeps the winner grid while each group's proportions stay the same (and the tender's weights once
    # read); any weights must give exactly the tables and headline of a run from freshly loaded inputs.
    from sv_helpers.core.exports import output_csv_bytes

    names = inputs["tender"].criterion_names
    weights = {n: 100.0 * w / sum(raw) for n, w in zip(names, raw, strict=True)}
    settings_ = Settings.from_parameters({**BATCH, "weights": weights})
    kept = scoring.run(settings_, inputs=inputs)
    fresh = scoring.run(settings_, inputs=scoring.load(Settings()))
    assert kept.headline == fresh.headline
    for name, table in fresh.tables.items():
        assert output_csv_bytes(kept.tables[name]) == output_csv_bytes(table), name


def test_checks_kept_between_weight_changes_are_the_checks_made_afresh(inputs):
    # An app keeps the checks that do not depend on the weights; every finding, in order, must be as a fresh check
    # gives it, including the weights' own (a social value weight below the minimum) and after a price method change.
    tender, measures = inputs["tender"], inputs["measures"]
    names = tender.criterion_names
    other = next(m for m in scoring.PRICE_METHODS if m != tender.price_method)
    kept: dict = {}
    for weights, method in (
        ({}, None),
        ({names[0]: 95.0, **{n: 5.0 / (len(names) - 1) for n in names[1:]}}, None),
        ({}, other),
        ({names[0]: 10.0, **{n: 90.0 / (len(names) - 1) for n in names[1:]}}, other),
        ({}, None),
    ):
        t = scoring.with_weights(tender, weights) if weights else tender
        t = scoring.with_price_method(t, method) if method else t
        assert scoring.check_tender(t, measures, kept=kept) == scoring.check_tender(t, measures)
    low = scoring.with_weights(tender, {names[0]: 95.0, **{n: 5.0 / (len(names) - 1) for n in names[1:]}})
    assert any("below the minimum" in f.message for f in scoring.check_tender(low, measures, kept=kept))


def test_weights_must_name_every_criterion(inputs):
    with pytest.raises(
        InputError, match=r"'Criterion weights' \(weights\) must give a weight to every criterion.*'Nonsense' is not"
    ):
        scoring.run(Settings.from_parameters({"weights": {"Price": 60.0, "Nonsense": 40.0}}), inputs=inputs)


def test_the_report_has_every_part_a_committee_paper_needs(batch):
    _, out, _ = batch
    page = (out / "report.html").read_text()
    for heading in (
        "Tender evaluation report",
        "Award recommendation",
        "Method",
        "Ranking and scores by criterion",
        "Moderation record",
        "Social value committed, by theme",
        "Sensitivity checks",
        "Appendix: assessment summaries",
        "Provenance",
    ):
        assert f">{heading}</h" in page, heading
    assert "Award the contract to Bidder D" in page
    assert "minimum is 10 (Procurement Policy Note 002): met" in page
    assert "Example data" in page
    assert "Bidder D won 100.0% of the draws" in page


@pytest.mark.skipif(not Path("/usr/bin/chromium").exists(), reason="Chromium prints the PDF")
def test_the_pdf_holds_the_headline(batch):
    from pypdf import PdfReader

    result, out, _ = batch
    text = " ".join(page.extract_text() for page in PdfReader(out / "report.pdf").pages)
    assert " ".join(result.headline.split()[:8]) in " ".join(text.split())


# --------------------------------------------------------------------------- settings refused, in plain English


@pytest.mark.parametrize(
    ("name", "value", "words"),
    [
        ("monte_carlo_draws", float("nan"), "Monte Carlo draws"),
        ("monte_carlo_draws", 5_000_000, "from 100 to 100,000"),
        ("monte_carlo_draws", 0, "from 100 to 100,000"),
        ("seed", -1, "Random seed"),
        ("uncertainty_margin", float("inf"), "finite"),
        ("uncertainty_margin", float("nan"), "Evaluator uncertainty"),
        ("uncertainty_margin", -0.5, "Evaluator uncertainty"),
        ("uncertainty_margin", 1e9, "from 0 to 10"),
        ("price_method", "cheapest", "Price method"),
        ("weights", {"Price": float("nan")}, "Criterion weights"),
        ("weights", {"Price": 60.0, "Quality": 30.0}, "add up to 100"),
        ("weights", {"Price": 150.0, "Quality": -50.0}, "Criterion weights"),
        ("weights", "[1, 2]", "Criterion weights"),
    ],
)
def test_bad_settings_are_refused_naming_the_setting(name, value, words):
    with pytest.raises(InputError) as err:
        Settings.from_parameters({name: value})
    assert words in str(err.value)


def test_a_missing_file_is_named():
    with pytest.raises(InputError, match="'no/such/tender.xlsx' was not found"):
        scoring.load(Settings.from_parameters({"tender_path": "no/such/tender.xlsx"}))


def test_absurd_link_values_give_notices_and_defaults_never_an_exception():
    query = (
        "monte_carlo_draws=1e8&seed=-1&uncertainty_margin=nan&price_method=%3Cscript%3E&weights=%7Bbad"
        "&tender_path=/etc/passwd&nonsense=1&weights=%7B%22Price%22%3A%22inf%22%7D"
    )
    s, notices = Settings.from_query(query)
    assert s == Settings()
    assert len(notices) == 8
    assert any("Monte Carlo draws" in n for n in notices)
    assert any("cannot set 'Evaluation workbook'" in n for n in notices)


def test_a_link_carries_every_setting_on_screen():
    weights = {
        "Price": 45.5,
        "Delivery plan": 14.5,
        "Staffing and resources": 15.0,
        "Social value commitments": 15.0,
        "Social value delivery plan": 10.0,
    }
    s = Settings.from_parameters(
        {"price_method": "deviation_from_lowest", "uncertainty_margin": 1.2, "weights": weights, "seed": 3}
    )
    again, notices = Settings.from_query(s.to_query())
    assert notices == [] and again == s


# --------------------------------------------------------------------------- properties

names = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=20).filter(lambda t: t.strip())


@st.composite
def weight_maps(draw):
    keys = draw(st.lists(names, min_size=0, max_size=6, unique=True))
    if not keys:
        return {}
    parts = draw(st.lists(st.integers(0, 1000), min_size=len(keys), max_size=len(keys)))
    total = sum(parts) or 1
    weights = [round(100 * p / total, 1) for p in parts[:-1]]
    weights.append(round(100 - sum(weights), 10))
    if weights[-1] < 0:
        return {}
    return dict(zip(keys, weights, strict=True))


settings_values = st.fixed_dictionaries(
    {
        "monte_carlo_draws": st.integers(100, 100_000),
        "seed": st.integers(0, 2**32 - 1),
        "uncertainty_margin": st.floats(0, 10, allow_nan=False),
        "price_method": st.sampled_from(("", *scoring.PRICE_METHODS)),
        "weights": weight_maps(),
        "tender_path": st.sampled_from(
            ("data/tenders/example_tender.xlsx", "data/tenders/example_tender", "x/ünïcode tender.xlsx")
        ),
    }
)


@settings(max_examples=150, deadline=None)
@given(settings_values)
def test_from_parameters_of_to_parameters_is_the_same_settings(values):
    s = Settings.from_parameters(values)
    assert Settings.from_parameters(s.to_parameters()) == s
    linked, notices = Settings.from_query(s.to_query(), base=Settings.from_parameters({"tender_path": s.tender_path}))
    assert notices == [] and linked == s


@settings(max_examples=60, deadline=None)
@given(
    st.one_of(st.floats(), st.integers(), st.text(max_size=12)),
    st.sampled_from(["monte_carlo_draws", "seed", "uncertainty_margin"]),
)
def test_any_number_is_kept_in_range_or_refused(value, name):
    try:
        s = Settings.from_parameters({name: value})
    except InputError as exc:
        assert Settings.specs()[name].label in str(exc)
        return
    got = getattr(s, name)
    spec = Settings.specs()[name]
    assert math.isfinite(got) and spec.minimum <= got <= spec.maximum
