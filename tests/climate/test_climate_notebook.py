"""The climate targets notebook runs under papermill with the issue's parameters and writes its outputs."""

from __future__ import annotations

import json
import os

import pandas as pd
import papermill as pm
import pytest
from pypdf import PdfReader

from sv_helpers.core.paths import NOTEBOOKS_DIR, REPO_ROOT

NOTEBOOK = NOTEBOOKS_DIR / "climate_targets.ipynb"


def run(tmp_path, name: str, **parameters):
    os.environ.setdefault("MPLBACKEND", "Agg")
    out = tmp_path / f"{name}.ipynb"
    pm.execute_notebook(
        str(NOTEBOOK), str(out), parameters=parameters, cwd=str(REPO_ROOT), kernel_name="python3", progress_bar=False
    )
    return out


def test_budget_run_writes_pathway_csv_and_summary_json(tmp_path):
    outputs = tmp_path / "sev-budget"
    run(
        tmp_path,
        "budget",
        authority_code="SEV",
        pathway="budget",
        target_year=2050,
        carbon_budget_kt=3000.0,
        trend_start_year=2015,
        output_dir=str(outputs),
    )
    pathway = pd.read_csv(outputs / "pathway.csv")
    assert list(pathway.columns) == ["year", "actual_kt", "pathway_kt", "trend_kt"]
    assert pathway["year"].tolist() == list(range(2005, 2051))
    assert pathway.loc[pathway["year"] <= 2020, "pathway_kt"].isna().all()
    assert pathway.loc[pathway["year"] > 2020, "actual_kt"].isna().all()
    summary = json.loads((outputs / "summary.json").read_text())
    for key in (
        "last_actual_year",
        "last_actual_kt",
        "required_annual_reduction_pct",
        "cumulative_to_target_kt",
        "trend_net_zero_year",
        "budget_exhausted_year",
    ):
        assert key in summary
    # the definitions, checked against the written table
    e0 = summary["last_actual_kt"]
    assert summary["last_actual_year"] == 2020
    assert e0 == pytest.approx(pathway.set_index("year").loc[2020, "actual_kt"])
    assert summary["cumulative_to_target_kt"] == pytest.approx(
        pathway.loc[pathway["year"].between(2021, 2050), "pathway_kt"].sum()
    )
    # written to 4 decimal places, the stated precision of a percentage (sv_helpers.core.numerics)
    assert summary["required_annual_reduction_pct"] == pytest.approx(100 * e0 / (e0 + 3000.0), abs=0.5e-4)
    assert summary["budget_exhausted_year"] == 2020 + int(3000.0 // e0) + 1
    provenance = json.loads((outputs / "provenance.json").read_text())
    assert provenance["parameters"]["carbon_budget_kt"] == 3000.0
    assert {f["role"] for f in provenance["inputs"]} >= {"emissions", "interventions"}
    assert (outputs / "climate_targets.xlsx").exists()
    # the climate progress report, with the headline in the PDF's text
    assert "<h2>The carbon budget</h2>" in (outputs / "report.html").read_text()
    pdf_text = " ".join(" ".join((p.extract_text() or "").split()) for p in PdfReader(outputs / "report.pdf").pages)
    assert "To stay within a carbon budget of 3,000 kt CO2, emissions must fall by" in pdf_text
    assert "the carbon budget runs out in 2028" in pdf_text


def test_linear_run_without_budget_leaves_out_budget_exhausted_year(tmp_path):
    outputs = tmp_path / "tun-linear"
    run(tmp_path, "linear", authority_code="TUN", pathway="linear", target_year=2040, output_dir=str(outputs))
    summary = json.loads((outputs / "summary.json").read_text())
    assert "budget_exhausted_year" not in summary
    assert summary["required_annual_reduction_pct"] == pytest.approx(100 / 20)
    assert summary["authority_code"] == "TUN"
    pathway = pd.read_csv(outputs / "pathway.csv").set_index("year")
    assert pathway.loc[2040, "pathway_kt"] == 0.0


def test_invalid_interventions_file_stops_papermill_with_the_plain_english_message(tmp_path):
    bad = tmp_path / "plan.csv"
    bad.write_text(
        "intervention,scope,sector,annual_abatement_tco2e,start_year,ramp_up_years,cost,lifetime_years\nA,district,Domestic,lots,2025,2,1000,10\n"
    )
    with pytest.raises(pm.PapermillExecutionError) as err:
        run(tmp_path, "bad", interventions_path=str(bad), output_dir=str(tmp_path / "none"))
    assert "plan.csv, row 2, column 'annual_abatement_tco2e': 'lots' is not a number." in str(err.value)
    assert err.value.ename == "InputError"
    assert not (tmp_path / "none").exists()


def test_target_year_before_the_last_actual_year_stops_papermill(tmp_path):
    with pytest.raises(pm.PapermillExecutionError) as err:
        run(tmp_path, "early", target_year=2019)
    assert "The target year, 2019, is not after the last year of actual data, 2020" in str(err.value)


def test_council_estate_run_writes_its_outputs_and_report(tmp_path):
    outputs = tmp_path / "estate"
    run(
        tmp_path,
        "estate",
        scope="council estate",
        target_year=2030,
        sectors={"Scope 3": False},
        output_dir=str(outputs),
    )
    summary = json.loads((outputs / "summary.json").read_text())
    assert summary["scope"] == "council estate" and summary["sectors"] == ["Scope 1", "Scope 2"]
    assert not (outputs / "peers.csv").exists()
    assert "Example data." in (outputs / "report.html").read_text()
    assert (outputs / "report.pdf").stat().st_size > 0
