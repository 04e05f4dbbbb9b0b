"""The planning area on the scenario core: settings, defaults → run → write, links, and the layer rule."""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sv_helpers import planning
from sv_helpers.core import scenario
from sv_helpers.core.errors import InputError
from sv_helpers.core.paths import REPO_ROOT
from sv_helpers.planning import allocation, neighbourhood, s106

OUTPUT_FILES = {
    "neighbourhood_portion.csv",
    "s106_at_risk.csv",
    "ifs_cil.csv",
    "ifs_s106.csv",
    "cil_allocation.csv",
    "report.html",
    "report.pdf",
    "provenance.json",
}


@pytest.fixture(scope="module")
def example():
    s = planning.Settings()
    inputs = planning.load(s)
    return s, inputs, planning.run(s, inputs)


def test_the_area_is_registered_with_its_notebook():
    assert scenario.area("planning") is planning
    assert planning.Settings.AREA == "planning"
    assert (REPO_ROOT / "notebooks" / planning.Settings.NOTEBOOK).exists()


def test_defaults_run_the_fictional_example_year(example):
    s, inputs, result = example
    raw = pd.read_csv(REPO_ROOT / "data/planning/example_cil_receipts.csv", parse_dates=["date_received"])
    in_year = raw[(raw["date_received"] >= "2025-04-01") & (raw["date_received"] <= "2026-03-31")]
    assert result.summary["cil_receipts"] == pytest.approx(in_year["amount"].sum())
    assert result.summary["parish_councils_paid"] == in_year["parish"].nunique() == 14
    assert result.headline.startswith(f"In 2025/26 the council received £{in_year['amount'].sum():,.0f} of CIL; ")
    assert "passes to 14 parish councils" in result.headline and "must be spent by" in result.headline
    portion = result.tables["neighbourhood_portion"]
    assert list(portion.columns) == list(neighbourhood.PORTION_COLUMNS)
    assert len(portion) == 31  # every parish and town council of the district
    assert result.summary["neighbourhood_portion"] == pytest.approx(portion["neighbourhood_portion"].sum())
    cowden = portion.set_index("parish").loc["Cowden"]
    assert cowden["neighbourhood_portion"] == cowden["cap"] < 0.15 * cowden["cil_receipts"]  # over its cap
    assert any("Cowden" in w for w in result.warnings)
    assert list(result.tables["s106_at_risk"].columns) == list(s106.AT_RISK_COLUMNS)
    assert set(result.tables["s106_at_risk"]["status"]) == {"at risk", "past deadline"}
    assert list(result.tables["cil_allocation"].columns) == list(allocation.ALLOCATION_COLUMNS)
    budget = result.summary["strategic_available"]
    for m in allocation.METHODS:
        assert result.tables["cil_allocation"][f"awarded_{m}"].sum() <= budget + 0.01
    expected = (
        result.summary["cil_receipts"]
        - result.summary["neighbourhood_portion"]
        - result.summary["administration"]
        + result.detail.carried_forward
    )
    assert budget == pytest.approx(expected)
    assert result.summary["administration"] == pytest.approx(0.05 * result.summary["cil_receipts"])


def test_a_later_as_of_date_moves_money_from_at_risk_to_past_deadline(example):
    s, inputs, result = example
    later = planning.run(s.replace(as_of="2026-07-01"), inputs)
    assert later.summary["s106_past_deadline"] > result.summary["s106_past_deadline"]


def test_blank_paths_give_empty_ledgers_and_still_run():
    empty = planning.Settings.from_parameters({n: "" for n in planning.model.INPUTS})
    result = planning.run(empty)
    assert result.summary["cil_receipts"] == 0 and result.tables["cil_allocation"].empty
    assert "received £0 of CIL" in result.headline and "no S106 money" in result.headline


def test_a_bad_ledger_stops_with_its_file_row_and_column(tmp_path):
    bad = tmp_path / "receipts.csv"
    bad.write_text("receipt_id,date_received,parish,permission_date,amount\nR1,2025-05-01,Seal,2024-01-01,lots\n")
    with pytest.raises(InputError, match=r"receipts.csv, row 2, column 'amount': 'lots' is not an amount of money"):
        planning.load(planning.Settings.from_parameters({"cil_receipts_path": str(bad)}))


@pytest.mark.parametrize(
    ("name", "value", "words"),
    [
        ("admin_share_pct", 5.5, "admin_share_pct"),
        ("admin_share_pct", float("nan"), "finite"),
        ("admin_share_pct", float("inf"), "finite"),
        ("at_risk_months", 0, "at_risk_months"),
        ("at_risk_months", 2.5, "whole number"),
        ("financial_year", "2025/27", "financial year"),
        ("financial_year", "1999/00", "financial_year"),
        ("as_of", "tomorrow", "as_of"),
        ("as_of", "0999-01-01", "as_of"),
        ("carried_forward", -1, "carried_forward"),
        ("ward_cap", float("nan"), "finite"),
        ("type_floors", {"Health": 1.5}, "Health"),
        ("type_floors", {"Health": 0.6, "Education": 0.6}, "more than the whole budget"),
    ],
)
def test_bad_settings_are_refused_naming_the_setting(name, value, words):
    with pytest.raises(InputError, match=words):
        planning.Settings.from_parameters({name: value})


def test_absurd_link_values_give_notices_and_defaults_never_an_exception():
    query = (
        "admin_share_pct=50&at_risk_months=-3&financial_year=banana&as_of=yesterday&type_floors=%7Bnot-json"
        "&cil_receipts_path=/etc/passwd&nonsense=1&ward_cap=1e400&min_score=nan"
    )
    s, notices = planning.Settings.from_query(query)
    assert s == planning.Settings()
    assert len(notices) == 9


def test_a_good_link_round_trips(example):
    s = example[0].replace(
        admin_share_pct=2.5,
        at_risk_months=24,
        type_floors={"Health": 0.2},
        ward_cap=300000.0,
        partial=True,
        financial_year="2024/25",
        as_of="2025-06-30",
    )
    back, notices = planning.Settings.from_query(s.to_query())
    assert notices == [] and back == s


@settings(max_examples=60, deadline=None)
@given(
    admin=st.floats(min_value=0, max_value=5, allow_nan=False),
    months=st.integers(min_value=1, max_value=120),
    year=st.integers(min_value=2010, max_value=2099),
    carried=st.one_of(st.none(), st.floats(min_value=0, max_value=1e9, allow_nan=False)),
    floors=st.dictionaries(st.sampled_from(["Education", "Health", "Highways"]), st.floats(0, 0.3), max_size=3),
    partial=st.booleans(),
    as_of=st.one_of(st.just(""), st.dates(dt.date(2000, 1, 1), dt.date(2100, 12, 31)).map(lambda d: d.isoformat())),
)
def test_settings_round_trip_through_parameters(admin, months, year, carried, floors, partial, as_of):
    s = planning.Settings.from_parameters(
        dict(
            admin_share_pct=admin,
            at_risk_months=months,
            carried_forward=carried,
            financial_year=f"{year}/{(year + 1) % 100:02d}",
            type_floors=floors,
            partial=partial,
            as_of=as_of,
        )
    )
    assert planning.Settings.from_parameters(s.to_parameters()) == s
    assert math.isfinite(s.admin_share_pct)


def test_write_gives_the_issue_s_files_byte_for_byte_the_same_and_a_pdf_with_the_headline(example, tmp_path):
    from pypdf import PdfReader

    _, _, result = example
    first = planning.write(result, tmp_path / "a")
    second = planning.write(planning.run(planning.Settings()), tmp_path / "b")
    assert {p.name for p in first} == {p.name for p in second} == OUTPUT_FILES
    for name in ("neighbourhood_portion.csv", "s106_at_risk.csv", "ifs_cil.csv", "ifs_s106.csv", "cil_allocation.csv"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
    assert list(pd.read_csv(tmp_path / "a" / "ifs_cil.csv").columns) == ["item", "paragraph", "amount"]
    page = (tmp_path / "a" / "report.html").read_text()
    assert "Infrastructure Funding Statement 2025/26" in page and "1(g)(iii)" in page and "Example data." in page
    text = " ".join(PdfReader(tmp_path / "a" / "report.pdf").pages[i].extract_text() for i in range(2))
    assert "passes to 14 parish councils" in " ".join(text.split())


def test_only_the_shipped_example_files_are_labelled_example(tmp_path):
    copy = tmp_path / "example_cil_receipts.csv"
    copy.write_bytes((REPO_ROOT / "data/planning/example_cil_receipts.csv").read_bytes())
    assert planning.Settings().is_example
    uploaded = planning.Settings.from_parameters({"cil_receipts_path": str(copy)})
    assert not uploaded.is_example
    assert not planning.run(uploaded).detail.is_example


def test_a_change_keeps_the_banner_s_warnings_without_saying_them_again(example):
    # The banner is a live region: clearing it and showing the same warnings on every change would have a screen
    # reader announce them again at each step of a slider (and redraws it for nothing).
    from sv_helpers.apps.planning import build_app

    _settings, inputs, result = example
    app = build_app(result, inputs)
    assert "Cowden" in app.banner.message
    changes = []
    app.banner.observe(changes.append, names="value")
    next(c for c in app.control_list if c.name == "admin_share_pct").widget.value = 4.0
    assert app.result.settings.admin_share_pct == 4.0 and "Cowden" in app.banner.message
    assert changes == []
