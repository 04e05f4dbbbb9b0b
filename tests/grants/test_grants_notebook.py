"""The grant allocation notebook under papermill: the issue's parameters, the files written, and a bad file."""

from __future__ import annotations

import json

import pandas as pd
import papermill as pm
import pytest

from sv_helpers.core.paths import NOTEBOOKS_DIR, REPO_ROOT
from sv_helpers.grants import threesixtygiving as tsg

NOTEBOOK = NOTEBOOKS_DIR / "grant_allocation.ipynb"


def run(tmp_path, **parameters):
    return pm.execute_notebook(
        str(NOTEBOOK),
        str(tmp_path / "run.ipynb"),
        parameters=parameters,
        cwd=str(REPO_ROOT),
        kernel_name="python3",
        progress_bar=False,
    )


def test_papermill_run_writes_allocations_360giving_and_provenance(tmp_path):
    out = tmp_path / "out"
    run(
        tmp_path,
        budget=60000.0,
        method="optimal",
        max_award=5000.0,
        min_score=50.0,
        decile_factors={3: 1.3, 4: 1.2},
        output_dir=str(out),
        seed=1,
    )
    allocations = pd.read_csv(out / "allocations.csv")
    required = {
        "application_id",
        "organisation",
        "project",
        "theme",
        "ward",
        "amount_requested",
        "awarded",
        "funded",
        "beneficiaries",
    }
    assert required <= set(allocations.columns)
    assert allocations["awarded"].sum() <= 60000 + 0.01
    assert allocations["awarded"].max() <= 5000
    assert (allocations["funded"] == (allocations["awarded"] > 0)).all()
    package = json.loads((out / "360giving.json").read_text())
    assert tsg.validation_errors(package) == []
    assert len(package["grants"]) == int(allocations["funded"].sum())
    assert pd.read_excel(out / "360giving.xlsx", sheet_name="grants")["Amount Awarded"].sum() == pytest.approx(
        allocations["awarded"].sum()
    )
    record = json.loads((out / "provenance.json").read_text())
    assert record["parameters"]["method"] == "optimal" and record["parameters"]["budget"] == 60000.0
    assert record["parameters"]["decile_factors"] == {"3": 1.3, "4": 1.2}
    weighted = allocations[allocations["imd_decile"] == 3]
    assert (weighted["weighted_score"] == (weighted["score"] * 1.3).round(6)).all() or (
        (weighted["weighted_score"] - weighted["score"] * 1.3).abs() < 1e-6
    ).all()
    assert any(i["role"] == "applications" and len(i["sha256"]) == 64 for i in record["inputs"])
    assert set(pd.ExcelFile(out / "allocations.xlsx").sheet_names) >= {
        "allocations",
        "allocation_summary",
        "provenance",
    }


def test_papermill_run_writes_the_grant_allocation_report_with_the_headline(tmp_path):
    from pypdf import PdfReader

    from sv_helpers import grants

    out = tmp_path / "out"
    parameters = {"method": "optimal", "theme_floors": {"Older people": 0.2}, "compare": {"Ranked": {"method": "rank"}}}
    run(tmp_path, **parameters, output_dir=str(out))
    headline = grants.run(grants.Settings.from_parameters(parameters)).headline
    page = (out / "report.html").read_text()
    assert "Grant allocation report" in page and "Scenarios compared" in page and "Ranked" in page
    text = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(out / "report.pdf").pages)
    assert " ".join(headline.split())[:80] in text
    assert (out / "scenario_comparison.csv").exists()


def test_an_invalid_file_stops_papermill_with_the_plain_message(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("application_id,organisation,project,theme,ward,amount_requested,score\nA1,G,P,T,Atlantis,100,50\n")
    with pytest.raises(pm.PapermillExecutionError) as info:
        run(tmp_path, applications_path=str(bad), output_dir=str(tmp_path / "out"))
    assert "'Atlantis' is not a Sevenoaks ward" in str(info.value)
    assert info.value.ename == "InputError"
    assert not (tmp_path / "out" / "allocations.csv").exists()
