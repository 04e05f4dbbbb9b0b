"""The impact report's scenario core: Settings → load → run → Result → write.

The expected CSV files in ``tests/expected/impact/default`` are the shipped examples' outputs (financial year
2025/26, delivery to the end of the year), written by ``tests/same_bytes.py``; the core must write them byte for byte.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from sv_helpers import impact
from sv_helpers.core.errors import InputError
from sv_helpers.core.paths import resolve_path
from sv_helpers.reports.document import find_chromium

EXPECTED = Path(__file__).parent.parent / "expected" / "impact" / "default"


@pytest.fixture(scope="module")
def defaults() -> impact.Settings:
    return impact.Settings.from_parameters({})


@pytest.fixture(scope="module")
def inputs(defaults):
    return impact.load(defaults)


@pytest.fixture(scope="module")
def result(defaults, inputs):
    return impact.run(defaults, inputs)


def same_table_bytes(written, expected) -> bool:
    """The same bytes as the expected file (``tests/same_bytes.py`` wrote it)."""
    return written.read_bytes() == expected.read_bytes()


def test_defaults_run_and_write_reproduce_the_batch_outputs_byte_for_byte(result, tmp_path, monkeypatch):
    monkeypatch.setenv("SV_CHROMIUM", "")  # the PDF is tested below
    written = {p.name for p in impact.write(result, tmp_path)}
    expected = sorted(p.name for p in EXPECTED.glob("*.csv"))
    assert len(expected) == 12
    for name in expected:
        assert same_table_bytes(tmp_path / name, EXPECTED / name), name
    assert written >= {*expected, "impact_report.xlsx", "report.html", "provenance.json"}


def test_the_tables_are_the_same_byte_for_byte_on_a_second_run(defaults, tmp_path, monkeypatch):
    monkeypatch.setenv("SV_CHROMIUM", "")
    impact.write(impact.run(defaults), tmp_path / "a")
    impact.write(impact.run(defaults), tmp_path / "b")
    for path in sorted((tmp_path / "a").glob("*.csv")):
        assert path.read_bytes() == (tmp_path / "b" / path.name).read_bytes(), path.name


def test_the_headline_and_summary_figures_agree_with_the_tables(result):
    assert result.headline.startswith(
        "In 2025/26 contracts delivered £203,279 of social value in present value (£235,277 gross; £150,871 net"
    )
    assert "(2 green, 1 amber and 1 red)" in result.headline
    s = result.summary
    assert (s["n_green"], s["n_amber"], s["n_red"], s["n_not_due"]) == (2, 1, 1, 0)
    assert s["contracts_social_value_gbp"] == pytest.approx(
        result.tables["delivery_in_year"]["delivered_value_gbp"].sum()
    )
    assert s["total_social_value_gbp"] == pytest.approx(result.tables["impact_by_theme"]["value_gbp"].sum())
    assert s["grants_awarded_gbp"] == 21200.0
    assert json.loads(json.dumps(s)) == s  # plain values, ready for a sweep's table


def test_provenance_records_the_settings_and_every_input_used(result):
    record = result.provenance
    assert record["parameters"]["financial_year"] == "2025/26"
    assert record["parameters"]["green_threshold_pct"] == 90.0
    assert {i["role"] for i in record["inputs"]} == set(impact.ROLES)
    assert record["report"]["as_of"] == "2026-03-31"


@pytest.mark.skipif(find_chromium() is None, reason="Chromium is not installed")
def test_the_written_pdf_contains_the_headline(result, tmp_path):
    from pypdf import PdfReader

    impact.write(result, tmp_path)
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(tmp_path / "report.pdf").pages).split())
    assert result.headline in text
    assert "Example data." in (tmp_path / "report.html").read_text()


def test_leaving_out_grants_and_climate_says_so_and_drops_their_tables(defaults, inputs):
    result = impact.run(defaults.replace(include_grants=False, include_climate=False), inputs)
    assert "grant_outcomes" not in result.tables
    assert result.detail.not_provided == ["grant results", "climate results"]
    assert result.summary["grants_awarded_gbp"] is None
    assert {i["role"] for i in result.provenance["inputs"]} == {
        "contracts",
        "commitments",
        "returns",
        "measures",
        "activities",
    }


def test_a_folder_of_returns_gives_the_same_delivery_and_records_the_replaced_figure(defaults, tmp_path):
    folder = tmp_path / "returns"
    folder.mkdir()
    lines = resolve_path(defaults.returns_path).read_text().splitlines()
    # the first file holds the original trees figure (line 67); the second, its correction (the last line)
    (folder / "2025-q1.csv").write_text("\n".join(lines[:80]) + "\n")
    (folder / "2025-q2.csv").write_text("\n".join([lines[0], *lines[80:]]) + "\n")
    split = impact.run(defaults.replace(returns_path=str(folder)))
    whole = impact.run(defaults)
    assert (
        split.tables["contract_status"]["delivered_value_gbp"].tolist()
        == whole.tables["contract_status"]["delivered_value_gbp"].tolist()
    )
    replaced = split.tables["replaced_returns"][["source_file", "source_row", "replaced_by_file"]]
    assert replaced.values.tolist() == [["2025-q1.csv", 67, "2025-q2.csv"]]
    assert [i["name"] for i in split.provenance["inputs"] if i["role"] == "returns"] == ["returns"]


def test_a_second_scenario_differs_only_where_its_setting_bites(defaults, inputs, result):
    stricter = impact.run(defaults.replace(green_threshold_pct=100.0), inputs)
    table = impact.summary_difference(result, stricter).set_index("item")
    assert table.loc["setting: green_threshold_pct", "second"] == 100.0
    assert table.loc["n_green", "difference"] == -1 and table.loc["n_amber", "difference"] == 1
    assert table.loc["total_social_value_gbp", "difference"] == 0


def test_check_lists_an_error_that_run_refuses(defaults, tmp_path):
    bad = tmp_path / "returns.csv"
    bad.write_text("contract_id,period_end,measure_code,quantity_delivered\nEX-C-009,30/06/2025,EX-ECO-01,2\n")
    settings = defaults.replace(returns_path=str(bad))
    inputs = impact.load(settings)
    findings = impact.check(settings, inputs)
    assert [f.level for f in findings] == ["error"]
    assert "the contract 'EX-C-009' is not in the contracts file" in findings[0].message
    with pytest.raises(InputError, match="EX-C-009"):
        impact.run(settings, inputs)
    assert impact.findings_table([]).loc[0, "message"] == "No problems found in the inputs."


def test_own_files_with_the_example_measures_library_are_flagged_as_example_values(defaults, tmp_path):
    own = {}
    for role, (_, name, _) in impact.ROLES.items():
        source = resolve_path(getattr(defaults, name))
        copy = tmp_path / f"council_{role}{source.suffix}"
        copy.write_bytes(source.read_bytes())
        own[name] = str(copy)
    assert impact.example_note(defaults) == impact.EXAMPLE_NOTE
    assert impact.example_note(defaults.replace(**own)) is None
    mixed = defaults.replace(**{**own, "measures_path": defaults.measures_path})
    assert impact.example_note(mixed) == impact.EXAMPLE_MEASURES_NOTE


def test_a_contract_not_in_the_file_shows_the_first_with_a_warning(defaults, inputs):
    result = impact.run(defaults.replace(contract_id="EX-C-999"), inputs)
    assert result.detail.contract_id == "EX-C-001"
    assert any("'EX-C-999' is not in the contracts file" in w for w in result.warnings)
    chosen = impact.run(defaults.replace(contract_id="EX-C-003"), inputs)
    assert chosen.detail.contract_id == "EX-C-003" and len(chosen.detail.profile) >= 1


def test_the_inputs_summary_says_what_was_loaded(inputs):
    table = impact.inputs_summary(inputs).set_index("input")
    assert table.loc["Contracts", "file"] == "example_contracts.csv" and table.loc["Contracts", "rows"] == 4
    assert set(table["file"]) >= {"example_returns.csv", "measures.csv"}


# --------------------------------------------------------------------------- settings: checks and links


@pytest.mark.parametrize(
    ("changes", "named"),
    [
        ({"green_threshold_pct": float("nan")}, "green_threshold_pct"),
        ({"green_threshold_pct": math.inf}, "green_threshold_pct"),
        ({"amber_threshold_pct": -1}, "amber_threshold_pct"),
        ({"green_threshold_pct": 250}, "green_threshold_pct"),
        ({"amber_threshold_pct": 95}, "amber_threshold_pct"),  # above green
        ({"financial_year": "2025/27"}, "financial_year"),
        ({"financial_year": "1850/51"}, "financial_year"),
        ({"as_of": "end of March"}, "as_of"),
        ({"as_of": "2024-12-31"}, "as_of"),  # before 2025/26 begins
        ({"include_grants": "maybe"}, "include_grants"),
        ({"contracts_path": ""}, None),  # a required file left blank: refused by load
        ({"budget": 5}, "budget"),
    ],
)
def test_bad_settings_are_refused_naming_the_setting(changes, named):
    with pytest.raises(InputError) as info:
        settings = impact.Settings.from_parameters(changes)
        impact.load(settings)
    message = str(info.value)
    assert "Traceback" not in message
    assert (named or "contracts_path") in message


def test_settings_are_normalised():
    s = impact.Settings.from_parameters({"financial_year": "2024-25", "as_of": "31/12/2024", "activities_path": None})
    assert (s.financial_year, s.as_of, s.activities_path) == ("2024/25", "2024-12-31", None)
    assert not s.is_used("activities") and s.is_used("returns")
    assert not s.replace(include_climate=False).is_used("climate_pathway")


def test_defaults_come_from_the_parameter_files():
    from sv_helpers.core.parameters import parameter_value

    s = impact.Settings()
    assert s.green_threshold_pct == float(parameter_value("impact.status_green_threshold"))
    assert s.amber_threshold_pct == float(parameter_value("impact.status_amber_threshold"))


def test_a_link_with_absurd_values_gives_notices_and_the_defaults_never_an_exception():
    query = (
        "green_threshold_pct=nan&amber_threshold_pct=1e309&financial_year=banana&as_of=never"
        "&include_grants=maybe&contracts_path=/etc/passwd&unknown=1&contract_id=" + "x" * 5000
    )
    settings, notices = impact.Settings.from_query(query)
    assert settings == impact.Settings()
    assert len(notices) == 8
    assert any("green_threshold_pct" in n or "Green at or above" in n for n in notices)
    assert any("A link cannot set" in n for n in notices)


def test_a_link_carries_every_setting_the_app_changes():
    s = impact.Settings().replace(
        financial_year="2024/25",
        as_of="2025-01-31",
        green_threshold_pct=92.5,
        include_climate=False,
        contract_id="EX-C-002",
    )
    back, notices = impact.Settings.from_query(s.to_query())
    assert notices == [] and back == s


_years = st.integers(2000, 2098)


@st.composite
def _settings(draw):
    start = draw(_years)
    green = draw(st.floats(0, 200, allow_nan=False))
    amber = draw(st.floats(0, green, allow_nan=False))
    as_of = draw(
        st.one_of(
            st.just(""),
            st.dates(
                min_value=__import__("datetime").date(start, 4, 1), max_value=__import__("datetime").date(2100, 12, 31)
            ).map(str),
        )
    )
    optional = st.one_of(
        st.none(),
        st.just(""),
        st.text(st.characters(blacklist_characters="\x00", blacklist_categories=("Cs",)), max_size=30),
    )
    return impact.Settings.from_parameters(
        {
            "financial_year": f"{start}/{(start + 1) % 100:02d}",
            "as_of": as_of,
            "green_threshold_pct": green,
            "amber_threshold_pct": amber,
            "include_activities": draw(st.booleans()),
            "include_grants": draw(st.booleans()),
            "include_climate": draw(st.booleans()),
            "contract_id": draw(
                st.text(st.characters(blacklist_characters="\x00", blacklist_categories=("Cs",)), max_size=40)
            ),
            "activities_path": draw(optional),
            "climate_summary_path": draw(optional),
            "returns_path": draw(
                st.text(st.characters(blacklist_characters="\x00", blacklist_categories=("Cs",)), max_size=40)
            ),
        }
    )


@hsettings(max_examples=150, deadline=None)
@given(_settings())
def test_settings_round_trip_through_parameters_and_links(s):
    assert impact.Settings.from_parameters(s.to_parameters()) == s
    linked = s.replace(**{n: getattr(impact.Settings(), n) for n, spec in s.specs().items() if spec.is_input})
    back, notices = impact.Settings.from_query(linked.to_query())
    assert back == linked and notices == []


def test_choosing_a_contract_does_not_build_the_report_again_but_new_inputs_do(defaults, inputs):
    first = impact.run(defaults.replace(contract_id="EX-C-002"), inputs)
    second = impact.run(defaults.replace(contract_id="EX-C-003"), inputs)
    assert second.detail.status is first.detail.status
    assert (first.detail.contract_id, second.detail.contract_id) == ("EX-C-002", "EX-C-003")
    assert not first.detail.profile.equals(second.detail.profile)
    again = impact.run(defaults, impact.load(defaults))
    assert again.detail.status is not first.detail.status
    assert again.detail.status.equals(first.detail.status)


def test_a_setting_with_half_a_character_pair_is_refused_plainly():
    with pytest.raises(InputError, match="contains a character that text cannot hold"):
        impact.Settings.from_parameters({"contract_id": "\ud800"})
