"""Contracts' social value by the one rule: per contract and measure, as a share of the contract, committed against
claimed and validated, and its sensitivity (sv_helpers.impact.social_value through build_impact_report)."""

from __future__ import annotations

import pandas as pd
import pytest

from sv_helpers import impact
from sv_helpers.core import valuation as val
from sv_helpers.core.errors import InputError
from sv_helpers.core.measures import load_measures
from sv_helpers.impact import delivery as dlv
from sv_helpers.impact import social_value as sv

MEASURES = pd.DataFrame(
    {
        "measure_code": ["M", "N"],
        "theme": ["social", "economic"],
        "outcome": ["o", "p"],
        "unit": ["unit", "hour"],
        "proxy_value_gbp": [10_000.0, 20.0],
        "deadweight_pct": [20.0, 0.0],
        "attribution_pct": [25.0, 0.0],
        "displacement_pct": [0.0, 0.0],
        "drop_off_pct": [10.0, 0.0],
        "duration_years": [3, 1],
    }
)
CONTRACTS = pd.DataFrame(
    {
        "contract_id": ["C1"],
        "contract": ["Cleaning"],
        "supplier": ["S"],
        "start_date": pd.to_datetime(["2025-04-01"]),
        "end_date": pd.to_datetime(["2026-03-31"]),
        "contract_value": [1_000_000.0],
    }
)


def _returns(quantities, statuses, codes=None):
    n = len(quantities)
    return pd.DataFrame(
        {
            "contract_id": ["C1"] * n,
            "period_end": pd.to_datetime(["2025-06-30", "2025-09-30", "2025-12-31", "2026-03-31"][:n]),
            "measure_code": codes or ["M"] * n,
            "quantity_delivered": quantities,
            "evidence": "",
            "evidence_status": statuses,
        }
    )


def _report(returns, commitments=None, measures=MEASURES):
    commitments = (
        commitments
        if commitments is not None
        else pd.DataFrame({"contract_id": ["C1"], "measure_code": ["M"], "committed_quantity": [20.0]})
    )
    return impact.build_impact_report(
        "2025/26",
        contracts=CONTRACTS,
        commitments=commitments,
        returns=returns,
        measures=measures,
        basis=val.Discounting(3.5),
    )


def test_an_impact_run_values_each_contract_and_measure_by_the_rule_to_the_penny():
    report = _report(_returns([4.0, 6.0], ["validated", "submitted"]))
    row = report.by_measure.iloc[0]
    assert (row["contract_id"], row["measure_code"], row["quantity_delivered"]) == ("C1", "M", 10.0)
    assert round(row["gross_value_gbp"], 2) == 100_000.00
    assert round(row["net_value_gbp"], 2) == 60_000.00
    assert round(row["present_value_gbp"], 2) == 157_542.53
    assert list(report.by_measure.columns) == sv.BY_MEASURE_COLUMNS
    # the contract status: present value ÷ contract value × 100
    assert report.status["social_value_pct_of_contract_value"].iloc[0] == pytest.approx(15.754253, abs=1e-6)


def test_the_issues_example_of_committed_claimed_and_validated():
    # A £1m contract with £200k committed; returns worth £80k validated, £40k submitted and £10k rejected.
    flat = MEASURES.assign(deadweight_pct=0.0, attribution_pct=0.0, drop_off_pct=0.0, duration_years=1)
    commitments = pd.DataFrame({"contract_id": ["C1"], "measure_code": ["M"], "committed_quantity": [20.0]})
    report = _report(_returns([8.0, 4.0, 1.0], ["validated", "submitted", "rejected"]), commitments, flat)
    total = report.evidence.iloc[-1]
    assert total["contract_id"] == sv.ALL_CONTRACTS
    assert round(total["committed_pct_of_contract_value"], 1) == 20.0
    assert total["claimed_gbp"] == 120_000.0
    assert total["validated_gbp"] == 80_000.0
    assert round(total["validated_pct_of_contract_value"], 1) == 8.0
    assert "£80,000 (8.0%) has validated evidence" in report.summary_text


def test_a_rejected_return_counts_nowhere():
    kept = _report(_returns([8.0, 4.0], ["validated", "submitted"]))
    with_rejected = _report(_returns([8.0, 4.0, 5.0], ["validated", "submitted", "rejected"]))
    assert with_rejected.delivery["delivered_quantity"].sum() == kept.delivery["delivered_quantity"].sum() == 12.0
    pd.testing.assert_frame_equal(with_rejected.by_measure, kept.by_measure)
    pd.testing.assert_frame_equal(with_rejected.by_theme, kept.by_theme)
    assert with_rejected.evidence["claimed_gbp"].tolist() == kept.evidence["claimed_gbp"].tolist()


def test_a_blank_evidence_status_is_submitted(tmp_path):
    path = tmp_path / "returns.csv"
    path.write_text(
        "contract_id,period_end,measure_code,quantity_delivered,evidence,evidence_status\n"
        "C1,2025-06-30,M,1,,\nC1,2025-09-30,M,1,,Validated\n",
        encoding="utf-8",
    )
    loaded = dlv.load_returns(path)
    assert loaded["evidence_status"].tolist() == ["submitted", "validated"]


def test_an_unknown_evidence_status_is_refused_naming_file_row_and_column(tmp_path):
    path = tmp_path / "returns.csv"
    path.write_text(
        "contract_id,period_end,measure_code,quantity_delivered,evidence_status\nC1,2025-06-30,M,1,approved\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as caught:
        dlv.load_returns(path)
    assert "returns.csv, row 2, column 'evidence_status'" in str(caught.value)


def test_a_library_without_the_columns_gives_gross_values_everywhere():
    plain = load_measures()[["measure_code", "theme", "outcome", "description", "unit", "proxy_value_gbp"]]
    settings = impact.Settings()
    inputs = impact.load(settings)
    report = impact.build_impact_report(
        settings.financial_year,
        contracts=inputs["contracts"],
        commitments=inputs["commitments"],
        returns=inputs["returns"],
        measures=plain,
        activities=inputs["activities"],
    )
    assert not report.is_adjusted
    assert report.by_theme["value_gbp"].tolist() == report.by_theme["gross_value_gbp"].tolist()
    assert report.by_measure["present_value_gbp"].equals(report.by_measure["gross_value_gbp"])
    assert report.summary[0].startswith("In 2025/26 contracts delivered £235,277 of social value.")
    assert (report.sensitivity["present_value_gbp"] == report.sensitivity["present_value_gbp"].iloc[0]).all()


def test_the_discount_rate_setting_changes_the_present_value_and_travels_in_a_link():
    settings = impact.Settings()
    base = impact.run(settings)
    higher = impact.run(settings.replace(discount_rate_pct=5.0))
    sroi = impact.run(settings.replace(discount_convention="sroi_guide"))
    assert higher.summary["total_social_value_gbp"] < base.summary["total_social_value_gbp"]
    assert sroi.summary["total_social_value_gbp"] < base.summary["total_social_value_gbp"]
    assert higher.summary["total_gross_value_gbp"] == base.summary["total_gross_value_gbp"]
    again, notices = impact.Settings.from_query(settings.replace(discount_rate_pct=5.0).to_query())
    assert not notices and again.discount_rate_pct == 5.0
    assert "5.0% a year" in higher.detail.method_note


def test_the_example_reports_totals_gross_net_and_present_value():
    s = impact.run(impact.Settings()).summary
    assert (s["total_gross_value_gbp"], s["total_net_value_gbp"], s["total_social_value_gbp"]) == (
        265_599.34,
        170_926.41,
        234_259.14,
    )


def test_grant_outcomes_named_in_monitoring_give_the_schemes_social_return_per_pound():
    allocations = pd.DataFrame(
        {
            "application_id": ["G1", "G2", "G3"],
            "organisation": ["a", "b", "c"],
            "project": ["p", "q", "r"],
            "theme": ["Older people"] * 3,
            "amount_requested": [5000.0, 5000.0, 2000.0],
            "awarded": [4000.0, 6000.0, 0.0],
            "funded": [True, True, False],
        }
    )
    monitoring = pd.DataFrame(
        {
            "application_id": ["G1", "G2", "G3"],
            "volunteer_hours": [10.0, 20.0, 5.0],
            "beneficiaries": [1, 2, 3],
            "evidence": "",
            "measure_code": ["N", "", "N"],
            "quantity": [1000.0, float("nan"), 50.0],
        }
    )
    report = impact.build_impact_report(
        "2025/26",
        contracts=CONTRACTS,
        commitments=pd.DataFrame({"contract_id": ["C1"], "measure_code": ["M"], "committed_quantity": [1.0]}),
        returns=_returns([1.0], ["submitted"]),
        measures=MEASURES,
        grant_allocations=allocations,
        grant_monitoring=monitoring,
        basis=val.Discounting(3.5),
    )
    # only the funded grant's named outcome counts: 1,000 hours at £20 (no adjustments), per £10,000 granted
    assert report.grant_value["application_id"].tolist() == ["G1"]
    assert report.grant_return["present_value_gbp"] == 20_000.0
    assert report.grant_return["sroi_ratio"] == 2.0
    assert "a social return on investment of 2.00 to 1" in report.summary_text


def test_a_grant_outcome_naming_an_unknown_measure_is_an_error():
    from sv_helpers.impact.grant_results import check_grant_monitoring

    allocations = pd.DataFrame({"application_id": ["G1"], "funded": [True]})
    monitoring = pd.DataFrame(
        {"application_id": ["G1"], "measure_code": ["NOPE"], "quantity": [3.0], "volunteer_hours": [1.0]}
    )
    findings = check_grant_monitoring(allocations, monitoring, MEASURES)
    assert [f.level for f in findings] == ["error"]
    assert "NOPE" in findings[0].message
