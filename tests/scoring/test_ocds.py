"""The award as OCDS 1.1.5 data: every package a run writes validates against the shipped schema (Draft 4, its
format checker, the release schema from a local registry: no network) and its codelists, and says who bought,
who bid, who won, for how much, on which criteria, with an assessment summary for every bidder."""

from __future__ import annotations

import csv
import json
import shutil

import pytest
from jsonschema import Draft4Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from sv_helpers import scoring
from sv_helpers.core.errors import InputError
from sv_helpers.core.paths import data_path
from sv_helpers.scoring import ocds

FAST = {"monte_carlo_draws": 200, "seed": 3}


def _validator() -> Draft4Validator:
    """Built here from the shipped files (not the module's), so the test checks the module, not itself."""
    package = json.loads(data_path("ocds", "release-package-schema.json").read_text(encoding="utf-8"))
    release = json.loads(data_path("ocds", "release-schema.json").read_text(encoding="utf-8"))
    assert release["id"] == "https://standard.open-contracting.org/schema/1__1__5/release-schema.json"
    registry = Registry().with_resource(release["id"], Resource.from_contents(release, default_specification=DRAFT4))
    return Draft4Validator(package, registry=registry, format_checker=FormatChecker())


def _codes(name: str) -> set[str]:
    with data_path("ocds", "codelists", f"{name}.csv").open(encoding="utf-8", newline="") as handle:
        return {row["Code"] for row in csv.DictReader(handle)}


def _assert_valid(package: dict) -> None:
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in _validator().iter_errors(package)]
    assert errors == []
    release = package["releases"][0]
    assert set(release["tag"]) <= _codes("releaseTag")
    assert {r for p in release["parties"] for r in p["roles"]} <= _codes("partyRole")
    assert release["tender"]["awardCriteria"] in _codes("awardCriteria")
    for award in release["awards"]:
        assert award["status"] in _codes("awardStatus")
        assert award["value"]["currency"] in _codes("currency")
        assert {d["documentType"] for d in award["documents"]} <= _codes("documentType")


def _tender_folder(tmp_path, *, bids=None, criteria=None, settings=None):
    """A copy of the example tender as CSV files, with some sheets replaced (rows as lists, header first)."""
    folder = tmp_path / "tender"
    shutil.copytree(data_path("tenders", "example_tender"), folder)
    for name, rows in (("bids", bids), ("criteria", criteria), ("settings", settings)):
        if rows is not None:
            with (folder / f"{name}.csv").open("w", encoding="utf-8", newline="") as handle:
                csv.writer(handle).writerows(rows)
    return folder


def _price_only(tmp_path, bids=None):
    """The example tender scored on price alone (its scores and commitments sheets left with their headers only)."""
    criteria = [["criterion", "group", "weight", "method"], ["Price", "price", "100", "lowest_price"]]
    folder = _tender_folder(tmp_path, criteria=criteria, bids=bids)
    for name in ("scores", "commitments"):
        header = (folder / f"{name}.csv").read_text(encoding="utf-8").splitlines()[0]
        (folder / f"{name}.csv").write_text(header + "\n", encoding="utf-8")
    return folder


def _run(tender_path, **changes):
    return scoring.run(scoring.Settings.from_parameters({**FAST, "tender_path": str(tender_path), **changes}))


@pytest.fixture(scope="module")
def example(tmp_path_factory):
    result = scoring.run(scoring.Settings.from_parameters(FAST))
    out = tmp_path_factory.mktemp("ocds")
    scoring.write(result, out)
    return result, out, json.loads((out / ocds.PACKAGE_FILE).read_text(encoding="utf-8"))


def test_a_scoring_run_writes_a_package_that_validates_against_ocds_1_1_5(example):
    _, out, package = example
    _assert_valid(package)
    assert ocds.validation_errors(package) == []
    assert package["version"] == "1.1"
    release = package["releases"][0]
    assert release["tag"] == ["award"]
    assert (out / ocds.MISSING_FILE).exists() and (out / ocds.FLAT_FILE).exists()


def test_the_ocid_is_the_example_prefix_and_the_tenders_own_reference(example):
    release = example[2]["releases"][0]
    assert release["ocid"] == "ocds-example-SDC-EXAMPLE-GM-2026"
    assert release["tender"]["id"] == "SDC-EXAMPLE-GM-2026"


def test_the_buyer_is_the_council_and_every_bidder_a_tenderer_the_winner_also_the_supplier(example):
    result, _, package = example
    release = package["releases"][0]
    parties = {p["id"]: p for p in release["parties"]}
    council = parties[release["buyer"]["id"]]
    assert council["name"] == "Sevenoaks District Council"
    assert council["identifier"] == {"scheme": "GB-LAE", "id": "SEV", "legalName": "Sevenoaks District Council"}
    assert set(council["roles"]) == {"buyer", "procuringEntity"}
    bidders = {p["name"]: p for p in release["parties"] if "tenderer" in p["roles"]}
    assert set(bidders) == {"Bidder A", "Bidder B", "Bidder C", "Bidder D", "Bidder E"}
    assert [n for n, p in bidders.items() if "supplier" in p["roles"]] == [result.detail.result.winner] == ["Bidder D"]
    tender = release["tender"]
    assert tender["numberOfTenderers"] == 5
    assert {t["id"] for t in tender["tenderers"]} == {p["id"] for p in bidders.values()}


def test_the_award_names_the_winner_at_its_price_in_pounds(example):
    award = example[2]["releases"][0]["awards"][0]
    assert [s["name"] for s in award["suppliers"]] == ["Bidder D"]
    assert award["value"] == {"amount": 1120000.0, "currency": "GBP"}  # Bidder D's price in bids.csv
    assert award["status"] == "pending"
    assert award["date"] == "2026-05-18T00:00:00Z"


def test_the_award_criteria_are_rated_and_state_every_criterion_with_its_group_and_weight(example):
    tender = example[2]["releases"][0]["tender"]
    assert tender["awardCriteria"] == "ratedCriteria"
    details = tender["awardCriteriaDetails"]
    with data_path("tenders", "example_tender", "criteria.csv").open(encoding="utf-8") as handle:
        rows = [(r["criterion"], r["group"], r["weight"]) for r in csv.DictReader(handle)]
    assert len(rows) == 5
    for criterion, group, weight in rows:
        assert f"{criterion} ({group.replace('_', ' ')}): {float(weight):.1f}%" in details
    assert "Social value is weighted at 20.0% of the total" in details


def test_there_is_an_assessment_summary_document_for_every_bidder_and_one_for_the_report(example):
    result, out, package = example
    documents = package["releases"][0]["awards"][0]["documents"]
    titles = [d["title"] for d in documents]
    assert titles[:-1] == [f"Assessment summary: {b}" for b in result.detail.result.ranking["bidder"]]
    assert titles[-1] == "Tender evaluation report"
    for document in documents:
        named = document["description"].split()[1].rstrip(":")
        assert (out / named).exists(), named


def test_the_uk_extension_fields_the_workbook_knows_are_filled(example):
    award = example[2]["releases"][0]["awards"][0]
    assert award["assessmentSummariesDateSent"] == "2026-05-19T00:00:00Z"
    # Published Wednesday 20 May 2026; Monday 25 May is the spring bank holiday.
    assert award["standstillPeriod"] == {"startDate": "2026-05-20T00:00:00Z", "endDate": "2026-06-01T23:59:59Z"}


def test_the_settings_sheet_gives_the_cpv_code_and_contract_period(example):
    tender = example[2]["releases"][0]["tender"]
    assert tender["items"][0]["classification"] == {"scheme": "CPV", "id": "77310000"}
    assert tender["contractPeriod"] == {"startDate": "2026-07-01T00:00:00Z", "endDate": "2031-06-30T00:00:00Z"}


def test_what_is_missing_is_listed_beside_the_file_in_plain_english(example):
    text = (example[1] / ocds.MISSING_FILE).read_text(encoding="utf-8")
    assert "Each supplier's identifier" in text
    assert "EXAMPLE prefix" in text
    assert "Monday 1 June 2026" in text


def test_the_report_and_summary_give_the_standstill_end(example):
    result, out, _ = example
    assert result.summary["standstill_end"] == "2026-06-01"
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "The standstill period ends at the end of Monday 1 June 2026" in page


def test_the_flat_view_has_a_sheet_per_list_and_keeps_formulas_as_text(example):
    import io

    import openpyxl

    from sv_helpers.core import exports

    package = json.loads(json.dumps(example[2]))
    package["releases"][0]["parties"][1]["name"] = '=HYPERLINK("http://e.vil")'
    tables = ocds.flat_tables(package)
    assert list(tables) == ["releases", "parties", "tenderers", "items", "awards", "award_suppliers", "award_documents"]
    assert len(tables["parties"]) == 6 and len(tables["award_documents"]) == 6
    assert tables["releases"]["tender/awardCriteria"].tolist() == ["ratedCriteria"]
    assert tables["parties"]["parties/0/roles"].iloc[0] == "buyer;procuringEntity"
    book = openpyxl.load_workbook(io.BytesIO(exports.excel_bytes(tables)))
    cells = [c for row in book["parties"].iter_rows() for c in row if str(c.value).startswith("=HYPERLINK")]
    assert cells and all(c.data_type == "s" for c in cells)


def test_a_price_only_tender_is_price_only(tmp_path):
    result = _run(_price_only(tmp_path))
    package = json.loads(dict(result.files)[ocds.PACKAGE_FILE])
    _assert_valid(package)
    assert package["releases"][0]["tender"]["awardCriteria"] == "priceOnly"
    assert package["releases"][0]["awards"][0]["suppliers"][0]["name"] == "Bidder B"  # the lowest price


def test_tied_winners_get_a_finding_and_no_invalid_file(tmp_path):
    bids = [["bidder", "price"], ["Bidder A", "1000"], ["Bidder B", "1000"], ["Bidder C", "1200"]]
    result = _run(_price_only(tmp_path, bids=bids))
    assert any("tied" in f.message and "OCDS" in f.message for f in result.findings)
    files = dict(result.files)
    assert ocds.PACKAGE_FILE not in files
    assert "No release package was written" in files[ocds.MISSING_FILE]


def test_without_a_notice_date_the_package_is_still_valid_and_says_what_is_missing(tmp_path):
    settings = [["key", "value"], ["max_score", "5"]]
    result = _run(_tender_folder(tmp_path, settings=settings))
    files = dict(result.files)
    package = json.loads(files[ocds.PACKAGE_FILE])
    _assert_valid(package)
    award = package["releases"][0]["awards"][0]
    assert "standstillPeriod" not in award and "date" not in award
    assert package["releases"][0]["ocid"] == "ocds-example-tender"  # the folder's name, as no reference is given
    assert "The date the contract award notice is published" in files[ocds.MISSING_FILE]
    assert result.summary["standstill_end"] is None
    # The run's setting gives the date.
    dated = _run(_tender_folder(tmp_path / "again", settings=settings), notice_date="2026-06-08")
    assert dated.summary["standstill_end"] == "2026-06-17"


def test_a_notice_date_that_is_not_a_date_names_the_file_sheet_and_row(tmp_path):
    settings = [["key", "value"], ["max_score", "5"], ["notice_date", "next Tuesday"]]
    with pytest.raises(InputError, match=r"sheet 'settings', row 3: the value of 'notice_date'.*is not a date"):
        _run(_tender_folder(tmp_path, settings=settings))
    with pytest.raises(InputError, match="cpv_code"):
        _run(_tender_folder(tmp_path / "b", settings=[["key", "value"], ["cpv_code", "garden"]]))
    with pytest.raises(InputError, match="notice_date"):
        scoring.Settings.from_parameters({"notice_date": "tomorrow"})


def test_the_checks_catch_a_package_that_breaks_the_standard(example):
    package = json.loads(json.dumps(example[2]))
    release = package["releases"][0]
    del release["ocid"]
    release["tag"] = ["awarded"]
    release["awards"][0]["value"]["currency"] = "POUNDS"
    errors = ocds.validation_errors(package)
    assert any("'ocid' is a required property" in e for e in errors)
    assert any("releaseTag" in e for e in errors)
    assert any("currency" in e for e in errors)
    assert list(_validator().iter_errors(package))


def test_without_a_notice_date_the_release_is_dated_by_the_award_decision_and_is_the_same_on_a_rerun(tmp_path):
    settings = [["key", "value"], ["award_date", "2026-05-18"]]
    folder = _tender_folder(tmp_path, settings=settings)
    first, second = (json.loads(dict(_run(folder).files)[ocds.PACKAGE_FILE]) for _ in range(2))
    assert first == second
    assert first["releases"][0]["date"] == first["publishedDate"] == "2026-05-18T00:00:00Z"
    # With neither date, the release carries the run's own time (its provenance record's).
    bare = _run(_tender_folder(tmp_path / "bare", settings=[["key", "value"]]))
    assert json.loads(dict(bare.files)[ocds.PACKAGE_FILE])["releases"][0]["date"] == bare.provenance["created_at"]
