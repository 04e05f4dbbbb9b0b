"""360Giving files that pass 360Giving's own data quality checks, not only its schema.

The Data Quality tool (ThreeSixtyGiving/dataquality) flagged eight problems on every grant of the example
export before: no Last Modified, no Data Source, no planned dates or duration, no classification, an
incomplete recipient organisation, beneficiary location without recipient location, no charity or company
number, and 360G- recipient identifiers. None of its checks may fire on the shipped example now.
"""

from __future__ import annotations

import json

import pytest

from sv_helpers import grants
from sv_helpers.core.paths import data_path
from sv_helpers.grants import threesixtygiving as t

#: The eight checks that fired on every grant of the example export before the workbook filled them.
EIGHT = (
    "NoLastModified",
    "NoDataSource",
    "PlannedDurationNotPresent",
    "ClassificationNotPresent",
    "IncompleteRecipientOrg",
    "BeneficiaryButNotRecipientGeoData",
    "NoRecipientOrgCompanyCharityNumber",
    "RecipientOrg360GPrefix",
)


@pytest.fixture(scope="module")
def shipped():
    """The 360Giving file the shipped example writes (the default scenario, as the notebook and app make it)."""
    result = grants.run(grants.Settings())
    return json.loads(grants.threesixtygiving_files(result)["360giving.json"])


def test_the_shipped_example_passes_every_quality_check(shipped):
    assert len(shipped["grants"]) == 24
    assert t.validation_errors(shipped) == []
    assert t.quality_problems(shipped) == []


def test_each_of_the_eight_checks_fires_on_a_grant_without_what_it_asks_for(shipped):
    grant = shipped["grants"][0]
    bare = {
        k: v for k, v in grant.items() if k not in ("dateModified", "dataSource", "plannedDates", "classifications")
    }
    bare["recipientOrganization"] = [{"id": "360G-sevenoaks-org-x", "name": grant["recipientOrganization"][0]["name"]}]
    fired = {p["check"] for p in t.quality_problems({"grants": [bare], "version": "1.4"})}
    assert set(EIGHT) <= fired
    # The bare grant is still valid against the schema: the checks ask more than the schema does.
    assert t.validation_errors({"grants": [bare], "version": "1.4"}) == []


def test_numbers_that_do_not_look_like_charity_or_company_numbers_are_flagged(shipped):
    grant = json.loads(json.dumps(shipped["grants"][0]))
    grant["recipientOrganization"][0].update(id="GB-CHC-12", charityNumber="12", companyNumber="123")
    fired = {p["check"] for p in t.quality_problems({"grants": [grant]})}
    assert {"RecipientOrgCharityNumber", "RecipientOrgCompanyNumber", "OrganizationIdLooksInvalid"} <= fired


def test_a_planned_end_before_its_start_and_an_email_address_are_flagged(shipped):
    grant = json.loads(json.dumps(shipped["grants"][0]))
    grant["plannedDates"] = [{"startDate": "2026-09-01", "endDate": "2026-04-01"}]
    grant["description"] = "Contact jo.bloggs@example.org for details."
    fired = {p["check"]: p["message"] for p in t.quality_problems({"grants": [grant]})}
    assert "PlannedStartDateBeforeEndDate" in fired and "LooksLikeEmail" in fired
    assert fired["LooksLikeEmail"].startswith("1 of 1 grants have text that looks like an email address")


def test_two_funder_identifiers_in_one_file_are_flagged(shipped):
    first, second = (json.loads(json.dumps(g)) for g in shipped["grants"][:2])
    second["fundingOrganization"] = [{"id": "GB-LAE-XYZ", "name": first["fundingOrganization"][0]["name"]}]
    fired = {p["check"] for p in t.quality_problems({"grants": [first, second]})}
    assert {"MoreThanOneFundingOrg", "MultiFundingOrgIdsForName"} <= fired


def test_the_recipient_identifier_comes_from_the_charity_then_the_company_number():
    data = (
        b"application_id,organisation,project,theme,ward,amount_requested,score,charity_number,company_number,"
        b"postcode,planned_start,planned_end\n"
        b"A1,G,P,T,Kemsing,100,50,1234567,01234567,tn15 6aa,2026-04-01,2027-03-31\n"
        b"A2,H,P,T,Kemsing,100,50,,sc123456,,2026-04-15,2026-05-14\n"
    )
    applications = grants.load_applications(data, filename="round.csv")
    allocation = grants.allocate(applications, grants.Scenario(budget=200))
    first, second = t.grants_package(allocation, applications, award_date="2026-04-01")["grants"]
    assert first["recipientOrganization"][0]["id"] == "GB-CHC-1234567"
    assert first["recipientOrganization"][0]["companyNumber"] == "01234567"
    assert first["recipientOrganization"][0]["postalCode"] == "TN15 6AA"
    assert first["plannedDates"] == [{"startDate": "2026-04-01", "endDate": "2027-03-31", "duration": 12}]
    assert second["recipientOrganization"][0]["id"] == "GB-COH-SC123456"
    assert second["plannedDates"][0]["duration"] == 1
    assert t.validation_errors({"grants": [first, second], "version": "1.4"}) == []


def test_the_spreadsheet_carries_the_new_fields_and_rebuilds_the_package(shipped):
    table = t.grants_spreadsheet(shipped)
    for title in (
        "Recipient Org:Company Number",
        "Planned Dates:Start Date",
        "Classifications:Title",
        "Data Source",
        "Last Modified",
    ):
        assert title in table.columns
    rebuilt = t.spreadsheet_to_package(table)
    assert t.validation_errors(rebuilt) == []
    assert t.quality_problems(rebuilt) == []


def test_the_data_source_is_a_parameter():
    from sv_helpers.core.parameters import parameter_value

    assert parameter_value("grants.data_source").startswith("https://")
    assert data_path("parameters", "grants", "data_source.yaml").exists()


def test_the_run_writes_what_the_quality_checks_found_beside_the_file():
    files = grants.threesixtygiving_files(grants.run(grants.Settings()))
    assert files["data_quality_360giving.txt"].splitlines()[-1] == "None of the checks would flag a grant."
