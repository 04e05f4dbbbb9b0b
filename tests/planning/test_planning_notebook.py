"""The planning gain notebook under papermill: the issue's parameters, its output files and columns, a bad value."""

from __future__ import annotations

import json

import pandas as pd
import papermill as pm
import pytest

from sv_helpers.core.paths import NOTEBOOKS_DIR, REPO_ROOT

NOTEBOOK = NOTEBOOKS_DIR / "planning_gain.ipynb"
COLUMNS = {
    "neighbourhood_portion.csv": [
        "parish",
        "cil_receipts",
        "receipts_at_25pct",
        "receipts_at_15pct",
        "cap",
        "neighbourhood_portion",
        "due_by_28_october",
        "due_by_28_april",
    ],
    "s106_at_risk.csv": ["agreement_id", "obligation", "ward", "unspent", "spend_by_date", "months_left", "status"],
    "ifs_cil.csv": ["item", "paragraph", "amount"],
    "ifs_s106.csv": ["item", "paragraph", "amount"],
}


def run(tmp_path, **parameters):
    return pm.execute_notebook(
        str(NOTEBOOK),
        str(tmp_path / "run.ipynb"),
        parameters=parameters,
        cwd=str(REPO_ROOT),
        kernel_name="python3",
        progress_bar=False,
    )


def test_papermill_run_writes_the_issue_s_outputs(tmp_path):
    out = tmp_path / "out"
    run(
        tmp_path,
        financial_year="2025/26",
        as_of="2026-03-31",
        admin_share_pct=4.0,
        at_risk_months=18,
        cil_bids_path="",
        output_dir=str(out),
        store_url="",
    )
    assert {p.name for p in out.iterdir()} == {
        *COLUMNS,
        "cil_allocation.csv",
        "report.html",
        "report.pdf",
        "provenance.json",
    }
    for name, columns in COLUMNS.items():
        assert list(pd.read_csv(out / name).columns) == columns, name
    risk = pd.read_csv(out / "s106_at_risk.csv")
    assert set(risk["status"]) <= {"at risk", "past deadline"}
    assert (risk.loc[risk["status"] == "past deadline", "months_left"] <= 0).all()
    cil = pd.read_csv(out / "ifs_cil.csv").set_index("paragraph")
    assert "4.0% of CIL collected" in cil.loc["1(g)(iii)", "item"]
    assert pd.read_csv(out / "cil_allocation.csv").empty  # no bids given
    record = json.loads((out / "provenance.json").read_text())
    assert record["parameters"]["admin_share_pct"] == 4.0 and record["parameters"]["at_risk_months"] == 18
    assert record["parameters"]["cil_bids_path"] in ("", None)  # a blank path means no file
    assert {i["role"] for i in record["inputs"]} == {"cil_receipts", "parishes", "cil_spend", "s106"}
    assert (out / "report.pdf").read_bytes().startswith(b"%PDF")


def test_an_administration_share_above_5_percent_stops_papermill_with_the_plain_message(tmp_path):
    with pytest.raises(pm.PapermillExecutionError) as info:
        run(tmp_path, admin_share_pct=6.0, output_dir=str(tmp_path / "out"))
    assert info.value.ename == "InputError"
    assert "admin_share_pct" in str(info.value) and "from 0 to 5" in str(info.value)
    assert not (tmp_path / "out").exists()
