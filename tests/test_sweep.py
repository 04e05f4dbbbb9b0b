"""Sweeps: every combination of a grid run on dask, each row equal to a single run, resumable."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from sv_helpers import sweep
from sv_helpers.core import scenario
from sv_helpers.core.errors import InputError

distributed = pytest.importorskip("distributed")


@pytest.fixture
def demo(tmp_path, monkeypatch):
    import sweep_demo_area

    monkeypatch.setitem(scenario.AREAS, "demo", "sweep_demo_area")
    data = tmp_path / "amounts.csv"
    pd.DataFrame({"amount": [1.0, 2.0, 3.0, 5.0, 8.0]}).to_csv(data, index=False)
    return sweep_demo_area, {"data_path": str(data)}


@pytest.fixture(scope="module")
def client():
    from distributed import Client, LocalCluster

    cluster = LocalCluster(n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None)
    with Client(cluster) as c:
        yield c
    cluster.close()


def test_every_combination_is_a_row_equal_to_a_single_run(demo, client, tmp_path):
    module, base = demo
    grid = {"budget": [0.0, 4.0, 10.0, 19.0], "method": ["smallest_first", "largest_first"]}
    table = sweep.run_sweep("demo", base, grid, tmp_path / "out", client=client, chunk_size=3, progress=lambda *a: None)
    assert len(table) == 8
    assert list(table.columns) == ["budget", "method", "total", "n_chosen", "error"]
    for row in table.itertuples():
        single = module.run(module.Settings.from_parameters(base, budget=row.budget, method=row.method))
        assert (row.total, row.n_chosen) == (single.summary["total"], single.summary["n_chosen"])
    written = pd.read_csv(tmp_path / "out" / "sweep.csv", keep_default_na=False)
    assert len(written) == 8
    record = json.loads((tmp_path / "out" / "provenance.json").read_text())
    assert record["combinations"] == 8 and record["grid"]["budget"] == [0.0, 4.0, 10.0, 19.0]
    assert record["inputs"][0]["sha256"]


def test_a_combination_that_cannot_run_says_why_and_the_rest_still_run(demo, client, tmp_path):
    _, base = demo
    table = sweep.run_sweep(
        "demo", base, {"budget": [12.0, 13.0, 14.0]}, tmp_path / "o", client=client, progress=lambda *a: None
    )
    assert list(table["error"]) == ["", "A budget of 13 is unlucky.", ""]


def test_a_stopped_sweep_resumes_without_running_finished_chunks_again(demo, client, tmp_path):
    _, base = demo
    grid = {"budget": [float(b) for b in range(10)]}
    out = tmp_path / "resume"
    first = sweep.run_sweep("demo", base, grid, out, client=client, chunk_size=2, progress=lambda *a: None)
    chunk = out / "chunks" / "chunk-000001.json"
    rows = json.loads(chunk.read_text())
    rows[0]["total"] = -999.0  # mark a finished chunk: a resumed sweep must keep it, not run it again
    chunk.write_text(json.dumps(rows))
    (out / "chunks" / "chunk-000003.json").unlink()  # as if stopped before this chunk finished
    calls = []
    again = sweep.run_sweep("demo", base, grid, out, client=client, chunk_size=2, progress=lambda d, n: calls.append(d))
    assert calls[0] == 4  # four of five chunks were already done
    assert again.loc[2, "total"] == -999.0
    assert again.drop(index=2).equals(first.drop(index=2))


def test_a_bad_grid_is_refused_naming_the_setting(demo, tmp_path):
    _, base = demo
    with pytest.raises(InputError, match="Budget"):
        sweep.check_grid("demo", base, {"budget": [1.0, float("nan")]})
    with pytest.raises(InputError, match="'colour', which is not a setting"):
        sweep.check_grid("demo", base, {"colour": ["red"]})
    with pytest.raises(InputError, match="input file"):
        sweep.check_grid("demo", base, {"data_path": ["a.csv"]})
    grid_file = tmp_path / "grid.yaml"
    grid_file.write_text("base: {}\ngrid:\n  budget: 5\n")
    with pytest.raises(InputError, match="must be a list"):
        sweep.read_grid(grid_file)
    grid_file.write_text("grid: [unclosed\n")
    with pytest.raises(InputError, match="could not be read as YAML"):
        sweep.read_grid(grid_file)


def test_svw_sweep_writes_the_table_and_says_how_many(demo, tmp_path, capsys, monkeypatch):
    from sv_helpers import cli

    _, base = demo
    grid_file = tmp_path / "grid.yaml"
    grid_file.write_text(f"base:\n  data_path: {base['data_path']}\ngrid:\n  budget: [1, 4, 13]\n")
    monkeypatch.setattr(sweep, "_client", lambda scheduler, workers: _threads_client())
    status = cli.main(["sweep", "demo", "--grid", str(grid_file), "--output", str(tmp_path / "out")])
    assert status == 0
    assert "3 scenarios written" in capsys.readouterr().out
    table = pd.read_csv(tmp_path / "out" / "sweep.csv", keep_default_na=False)
    assert list(table["n_chosen"].astype(str)) == ["1", "2", ""]


def _threads_client():
    from distributed import Client, LocalCluster

    return Client(LocalCluster(n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None))


def test_the_frontier_keeps_the_scenarios_nothing_beats_on_both():
    table = pd.DataFrame(
        {"score": [10.0, 12.0, 12.0, 9.0, 15.0, 14.0], "share": [30.0, 25.0, 28.0, 35.0, 10.0, 10.0], "error": ""}
    )
    table.loc[5, "error"] = "could not run"
    best = sweep.frontier(table, "score", "share")
    assert best[["score", "share"]].values.tolist() == [[9.0, 35.0], [10.0, 30.0], [12.0, 28.0], [15.0, 10.0]]
