"""The impact report notebook under papermill: the issue's parameters, the files written, and a bad file."""

from __future__ import annotations

import json

import pandas as pd
import papermill as pm
import pytest

from sv_helpers.core.paths import NOTEBOOKS_DIR, REPO_ROOT
from sv_helpers.reports import document as rep

NOTEBOOK = NOTEBOOKS_DIR / "impact_report.ipynb"


def run(tmp_path, **parameters):
    return pm.execute_notebook(
        str(NOTEBOOK),
        str(tmp_path / "run.ipynb"),
        parameters=parameters,
        cwd=str(REPO_ROOT),
        kernel_name="python3",
        progress_bar=False,
    )


def test_papermill_run_writes_the_tables_the_report_and_provenance(tmp_path):
    out = tmp_path / "out"
    run(
        tmp_path,
        contracts_path="data/impact/example_contracts.csv",
        commitments_path="data/impact/example_commitments.csv",
        returns_path="data/impact/example_returns.csv",
        activities_path="data/impact/example_activities.csv",
        measures_path="data/measures.csv",
        climate_summary_path=None,
        climate_pathway_path=None,
        financial_year="2025/26",
        as_of="2025-12-31",
        output_dir=str(out),
    )
    delivery = pd.read_csv(out / "delivery.csv")
    assert list(delivery.columns[:7]) == [
        "contract_id",
        "measure_code",
        "committed_quantity",
        "delivered_quantity",
        "expected_quantity",
        "delivered_value_gbp",
        "expected_value_gbp",
    ]
    status = pd.read_csv(out / "contract_status.csv")
    assert list(status.columns[:5]) == [
        "contract_id",
        "delivered_value_gbp",
        "expected_value_gbp",
        "pct_of_expected",
        "status",
    ]
    assert set(status["status"]) <= {"green", "amber", "red", "not due yet"}
    by_theme = pd.read_csv(out / "impact_by_theme.csv")
    assert list(by_theme.columns[:3]) == ["source", "theme", "value_gbp"]
    assert set(by_theme["source"]) == {"contracts", "grants", "employer", "partnerships", "planning"}
    assert (out / "replaced_returns.csv").exists()
    page = (out / "report.html").read_text()
    assert "Climate results were not provided for this report." in page
    assert "delivery measured to 31 December 2025" in page
    record = json.loads((out / "provenance.json").read_text())
    assert record["parameters"]["as_of"] == "2025-12-31" and record["parameters"]["financial_year"] == "2025/26"
    assert {i["role"] for i in record["inputs"]} >= {"contracts", "commitments", "returns", "measures", "activities"}
    assert "provenance" in pd.ExcelFile(out / "impact_report.xlsx").sheet_names
    if rep.find_chromium():
        from pypdf import PdfReader

        text = " ".join(" ".join(p.extract_text() for p in PdfReader(out / "report.pdf").pages).split())
        assert "In 2025/26 contracts delivered £" in text


def test_an_invalid_file_stops_papermill_with_the_plain_message(tmp_path):
    bad = tmp_path / "returns.csv"
    bad.write_text("contract_id,period_end,measure_code,quantity_delivered\nEX-C-001,30/06/2025,EX-ECO-01,lots\n")
    with pytest.raises(pm.PapermillExecutionError) as info:
        run(tmp_path, returns_path=str(bad), output_dir=str(tmp_path / "out"))
    assert "returns.csv, row 2, column 'quantity_delivered': 'lots' is not a number." in str(info.value)
    assert info.value.ename == "InputError"
    assert "Traceback" not in (tmp_path / "run.ipynb").read_text()
    assert not (tmp_path / "out" / "delivery.csv").exists()
