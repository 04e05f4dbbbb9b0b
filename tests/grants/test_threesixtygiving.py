"""360Giving export: the package validates against the shipped 1.4.3 schema, and the spreadsheet carries the same grants."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sv_helpers import grants
from sv_helpers.core.errors import InputError
from sv_helpers.core.paths import data_path
from sv_helpers.grants import threesixtygiving as t


@pytest.fixture(scope="module")
def example():
    applications = grants.load_applications(data_path("grants", "example_applications.csv"))
    allocation = grants.allocate(applications, grants.default_scenario(method="optimal"))
    return applications, allocation


def test_awards_of_the_example_round_validate(example):
    applications, allocation = example
    package = t.grants_package(allocation, applications, award_date="2026-04-01")
    assert t.validation_errors(package) == []
    assert len(package["grants"]) == int(allocation["funded"].sum())
    assert sum(g["amountAwarded"] for g in package["grants"]) == pytest.approx(allocation["awarded"].sum())


def test_only_funded_applications_are_published(example):
    _, allocation = example
    package = t.grants_package(allocation, award_date="2026-04-01")
    ids = {g["id"].removeprefix(t.DEFAULT_PREFIX) for g in package["grants"]}
    assert ids == set(allocation.loc[allocation["funded"], "application_id"])


def test_a_charity_number_makes_a_gb_chc_identifier():
    data = b"application_id,organisation,project,theme,ward,amount_requested,score,charity_number\nA1,G,P,T,Kemsing,100,50,1234567\n"
    applications = grants.load_applications(data, filename="round.csv")
    allocation = grants.allocate(applications, grants.Scenario(budget=100))
    grant = t.grants_package(allocation, applications, award_date="2026-04-01")["grants"][0]
    assert grant["recipientOrganization"][0]["id"] == "GB-CHC-1234567"
    assert grant["beneficiaryLocation"][0]["geoCode"] == "E05005021"
    assert t.validation_errors({"grants": [grant], "version": "1.4"}) == []


def test_schema_catches_a_missing_funder_and_a_bad_date(example):
    _, allocation = example
    grant = t.grants_package(allocation, award_date="2026-04-01")["grants"][0]
    no_funder = {k: v for k, v in grant.items() if k != "fundingOrganization"}
    assert t.validation_errors({"grants": [no_funder]})
    assert t.validation_errors({"grants": [dict(grant, awardDate="01/04/2026")]})
    with pytest.raises(InputError, match="does not meet the 360Giving Data Standard"):
        t.validate_package({"grants": [no_funder]})


def test_nothing_funded_is_refused_plainly(example):
    _, allocation = example
    with pytest.raises(InputError, match="No application is funded"):
        t.grants_package(allocation.assign(awarded=0.0), award_date="2026-04-01")


def test_a_bad_award_date_is_refused_plainly(example):
    _, allocation = example
    with pytest.raises(InputError, match="is not a date"):
        t.grants_package(allocation, award_date="next spring")


def test_spreadsheet_round_trips_to_a_valid_package(example):
    _, allocation = example
    package = t.grants_package(allocation, award_date="2026-04-01")
    table = t.grants_spreadsheet(package)
    assert {"Identifier", "Amount Awarded", "Recipient Org:Identifier", "Funding Org:Name"} <= set(table.columns)
    assert t.spreadsheet_to_package(table) == package


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 500), st.integers(0, 100)), min_size=1, max_size=8), st.integers(10, 3000))
def test_any_allocation_with_an_award_gives_a_valid_package(rows, budget):
    frame = pd.DataFrame(
        {
            "application_id": [f"A{i}" for i in range(len(rows))],
            "organisation": [f"Group & Co {i}" for i in range(len(rows))],
            "project": ["P"] * len(rows),
            "theme": ["T"] * len(rows),
            "ward": ["Eynsford"] * len(rows),
            "imd_decile": [9] * len(rows),
            "amount_requested": [float(r) for r, _ in rows],
            "score": [float(s) for _, s in rows],
        }
    )
    allocation = grants.allocate(frame, grants.Scenario(budget=float(budget), method="pro_rata"))
    if not allocation["funded"].any():
        return
    assert t.validation_errors(t.grants_package(allocation, award_date="2026-04-01")) == []
