"""Every export records its parameters, its inputs' SHA-256 and the package version."""

import datetime as dt
import hashlib
import io
import json

import numpy as np
import pandas as pd

import sv_helpers
from sv_helpers.core.exports import excel_bytes, write_outputs
from sv_helpers.core.provenance import provenance_record, sha256_file


def test_record_holds_parameters_hashes_version_and_time(tmp_path):
    path = tmp_path / "bids.csv"
    path.write_bytes(b"bidder,price\nA,1\n")
    record = provenance_record(
        {"budget": np.float64(54790.0), "seed": np.int64(7), "weights": (60, 30, 10)},
        {"bids": path, "upload": b"abc"},
        notebook="grant_allocation.ipynb",
        created_at=dt.datetime(2026, 4, 1, 9, 30, tzinfo=dt.UTC),
    )
    assert record["parameters"] == {"budget": 54790.0, "seed": 7, "weights": [60, 30, 10]}
    assert record["inputs"][0]["sha256"] == hashlib.sha256(b"bidder,price\nA,1\n").hexdigest()
    assert record["inputs"][1] == {
        "role": "upload",
        "name": "upload",
        "sha256": hashlib.sha256(b"abc").hexdigest(),
        "bytes": 3,
    }
    assert record["package_version"] == sv_helpers.__version__
    assert record["created_at"] == "2026-04-01T09:30:00+00:00"
    json.dumps(record)  # plain JSON


def test_folder_hash_changes_when_any_file_changes(tmp_path):
    (tmp_path / "a.csv").write_text("1")
    before = sha256_file(tmp_path)
    (tmp_path / "a.csv").write_text("2")
    assert sha256_file(tmp_path) != before


def test_write_outputs_writes_csv_excel_and_provenance(tmp_path):
    table = pd.DataFrame({"bidder": ["A", "B"], "total_score": [80.5, 70.0]})
    record = provenance_record({"seed": 1}, {})
    written = write_outputs(
        tmp_path / "out", {"ranking": table}, record, excel_name="results.xlsx", extra_files={"summary.json": "{}"}
    )
    names = [p.name for p in written]
    assert names == ["ranking.csv", "results.xlsx", "summary.json", "provenance.json"]
    assert pd.read_csv(tmp_path / "out" / "ranking.csv").equals(table)
    book = pd.ExcelFile(tmp_path / "out" / "results.xlsx")
    assert book.sheet_names == ["ranking", "provenance"]
    assert json.loads((tmp_path / "out" / "provenance.json").read_text())["parameters"] == {"seed": 1}


def test_excel_bytes_cuts_long_sheet_names():
    data = excel_bytes({"a" * 40: pd.DataFrame({"x": [1]})})
    assert pd.ExcelFile(io.BytesIO(data)).sheet_names == ["a" * 31]
