"""A papermill run records its scenario: listed by ``svw scenarios list --json`` with its settings and input
hashes, rerun identically with the original input file moved away, and caught by ``svw audit verify`` when a row
is edited afterwards."""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
from pathlib import Path

import papermill as pm

from sv_helpers import cli

REPO = Path(__file__).resolve().parents[2]


def test_a_papermill_run_is_recorded_rerun_identically_and_tampering_is_caught(tmp_path, capsys):
    applications = tmp_path / "round.csv"
    shutil.copy(REPO / "data" / "grants" / "example_applications.csv", applications)
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    pm.execute_notebook(
        str(REPO / "notebooks" / "grant_allocation.ipynb"),
        str(tmp_path / "run.ipynb"),
        parameters={"applications_path": str(applications), "budget": 40000.0, "store_url": url},
        cwd=str(REPO / "notebooks"),
        kernel_name="python3",
        progress_bar=False,
    )
    assert cli.main(["scenarios", "list", "--json", "--store", url]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert len(listed) == 1
    item = listed[0]
    assert item["notebook"] == "grants"  # the area, whose notebook is grant_allocation.ipynb
    assert item["parameters"]["budget"] == 40000.0
    assert item["inputs"]["applications_path"] == hashlib.sha256(applications.read_bytes()).hexdigest()
    assert "allocations.csv" in item["outputs"]

    applications.rename(tmp_path / "moved-away.csv")
    assert cli.main(["scenarios", "rerun", item["id"], "--output-dir", str(tmp_path / "again"), "--store", url]) == 0
    assert capsys.readouterr().out.strip() == "identical"

    assert cli.main(["audit", "verify", "--store", url]) == 0
    with sqlite3.connect(tmp_path / "store.sqlite") as db:
        db.execute("UPDATE scenarios SET parameters = replace(parameters, '40000', '90000')")
    capsys.readouterr()
    assert cli.main(["audit", "verify", "--store", url]) == 1
