"""The tender scoring notebook runs as a batch under papermill with the issue's parameters."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import papermill as pm
import pytest

from sv_helpers.core.paths import NOTEBOOKS_DIR, REPO_ROOT, data_path

NOTEBOOK = NOTEBOOKS_DIR / "social_value_scoring.ipynb"


def run(tmp_path, **parameters):
    tmp_path.mkdir(parents=True, exist_ok=True)
    out = tmp_path / "out"
    pm.execute_notebook(
        str(NOTEBOOK),
        str(tmp_path / "executed.ipynb"),
        parameters={"output_dir": str(out), "monte_carlo_draws": 2000, "seed": 11, "store_url": "", **parameters},
        cwd=str(REPO_ROOT),
        kernel_name="python3",
        progress_bar=False,
    )
    return out


def test_batch_run_writes_the_ranking_scores_summaries_and_provenance(tmp_path):
    out = run(tmp_path, tender_path="data/tenders/example_tender", measures_path="data/measures.csv")
    ranking = pd.read_csv(out / "ranking.csv")
    assert list(ranking.columns) == [
        "bidder",
        "price_score",
        "quality_score",
        "social_value_score",
        "total_score",
        "rank",
    ]
    assert len(ranking) == 5 and ranking["rank"].min() == 1
    scores = pd.read_csv(out / "criterion_scores.csv")
    assert list(scores.columns) == ["bidder", "criterion", "group", "score"]
    assert len(scores) == 5 * 5
    summaries = pd.read_csv(out / "assessment_summaries.csv")
    assert set(summaries["bidder"]) == set(ranking["bidder"])
    assert {"reasons", "winning_bidder", "winning_score"} <= set(summaries.columns)
    assert len(list(out.glob("assessment_summary_*.md"))) == 5
    assert (out / "tender_evaluation.xlsx").exists()
    record = json.loads((out / "provenance.json").read_text())
    assert record["parameters"]["monte_carlo_draws"] == 2000 and record["parameters"]["seed"] == 11
    assert {f["role"] for f in record["inputs"]} == {"tender", "measures"}
    assert all(len(f["sha256"]) == 64 for f in record["inputs"])
    probabilities = pd.read_csv(out / "win_probabilities.csv")
    assert probabilities["win_probability"].sum() == pytest.approx(1.0)
    page = (out / "report.html").read_text()
    assert "<h1>Tender evaluation report</h1>" in page and "Award the contract to Bidder D" in page


@pytest.mark.skipif(not Path("/usr/bin/chromium").exists(), reason="Chromium prints the PDF")
def test_batch_run_writes_the_report_as_a_pdf_holding_the_headline(tmp_path):
    from pypdf import PdfReader

    out = run(tmp_path)
    text = " ".join(" ".join(page.extract_text() for page in PdfReader(out / "report.pdf").pages).split())
    assert "Winner: Bidder D, with 86.88 points out of 100" in text
    assert "Tender evaluation report" in text


def test_the_notebook_shows_its_working_before_the_app(tmp_path):
    run(tmp_path, output_dir="")
    cells = json.loads((tmp_path / "executed.ipynb").read_text())["cells"]
    app_cell = next(i for i, c in enumerate(cells) if "ScoringApp(result" in "".join(c["source"]))
    shown = [json.dumps(o) for c in cells[:app_cell] if c["cell_type"] == "code" for o in c.get("outputs", [])]
    assert sum("<table" in o for o in shown) >= 3, "the bids, the checks and the ranking as tables"
    assert sum(o.count("data:image/svg+xml") for o in shown) >= 2, "the charts (scores, and social value by theme)"
    assert any("Winner: Bidder D" in o for o in shown)
    assert any("total_score_second" in o for o in shown), "the second scenario's difference"


def test_batch_run_is_reproducible_with_the_same_seed(tmp_path):
    a = run(tmp_path / "a")
    b = run(tmp_path / "b")
    pd.testing.assert_frame_equal(pd.read_csv(a / "win_probabilities.csv"), pd.read_csv(b / "win_probabilities.csv"))


def test_invalid_file_fails_the_run_with_the_plain_english_message(tmp_path):
    folder = tmp_path / "bad_tender"
    shutil.copytree(data_path("tenders", "example_tender"), folder)
    bids = (folder / "bids.csv").read_text().replace("Bidder C,1240000", "Bidder C,TBC")
    (folder / "bids.csv").write_text(bids)
    with pytest.raises(pm.PapermillExecutionError) as err:
        run(tmp_path, tender_path=str(folder))
    assert "bids.csv, row 4, column 'price': 'TBC' is not an amount of money." in str(err.value)
    assert err.value.ename == "InputError"
    assert not (tmp_path / "out" / "ranking.csv").exists()


def test_an_officers_own_files_outside_the_workbook_are_read_where_they_are(tmp_path):
    """The issue's own run: a tender and a library kept in an officer's folder, no SV_ALLOWED_DIRS, recorded."""
    own = tmp_path / "srv" / "tenders" / "2026-05"
    own.mkdir(parents=True)
    shutil.copyfile(data_path("tenders", "example_tender.xlsx"), own / "tender.xlsx")
    shutil.copyfile(data_path("measures.csv"), own / "measures.csv")
    store_url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    out = run(
        tmp_path / "run",
        tender_path=str(own / "tender.xlsx"),
        measures_path=str(own / "measures.csv"),
        store_url=store_url,
    )
    assert pd.read_csv(out / "ranking.csv")["rank"].min() == 1
    record = json.loads((out / "provenance.json").read_text())
    assert {Path(f["path"]).parent for f in record["inputs"]} == {own}

    from sv_helpers.store import Store

    store = Store(store_url)
    saved = store.list()
    assert len(saved) == 1
    assert store.rerun(saved[0]["id"], tmp_path / "again").identical  # the stored copy of the officer's files
