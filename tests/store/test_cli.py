"""``svw``: what an officer or administrator types, and what it prints and returns."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from sv_helpers import cli
from sv_helpers.store import open_store

SVW = Path(sys.executable).parent / "svw"


@pytest.fixture
def saved(store_area, store_url, tmp_path):
    """A store with one saved, decided scenario; its input file is in ``tmp_path/in``."""
    measures = store_area.make_inputs(tmp_path / "in")
    settings = store_area.Settings.from_parameters({"measures": str(measures), "factor": 2, "title": "CLI"})
    with open_store(store_url) as store:
        sid = store.save(store_area.run(settings), "For the command line", note="n", user="ana")
        store.mark_decision(sid, "Recommended to Cabinet 12 March 2026", user="chief")
    return store_url, sid, measures


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_scenarios_list_json_gives_every_key_the_issue_names(saved, capsys):
    url, sid, measures = saved
    code, out, _ = run(capsys, "scenarios", "list", "--store", url, "--json")
    assert code == 0
    [item] = json.loads(out)
    assert list(item) == ["id", "notebook", "name", "created_at", "user", "parameters", "inputs", "outputs", "decision"]
    assert item["id"] == sid and item["notebook"] == "store_test" and item["parameters"]["factor"] == 2.0
    assert item["inputs"] == {"measures": __import__("hashlib").sha256(measures.read_bytes()).hexdigest()}
    assert "values.csv" in item["outputs"]
    assert item["decision"]["user"] == "chief" and item["decision"]["note"].startswith("Recommended")


def test_scenarios_list_and_show_as_text(saved, capsys):
    url, sid, _ = saved
    code, out, _ = run(capsys, "scenarios", "list", "--store", url)
    assert code == 0 and sid in out and "For the command line" in out and "decision" in out
    code, out, _ = run(capsys, "scenarios", "show", sid, "--store", url)
    assert code == 0 and "Headline:  CLI: the total is 15.00." in out and "Recommended to Cabinet" in out
    code, out, _ = run(capsys, "scenarios", "show", sid, "--store", url, "--json")
    assert json.loads(out)["record_hash"]


def test_an_unknown_scenario_is_named_plainly(saved, capsys):
    url, _, _ = saved
    code, out, err = run(capsys, "scenarios", "show", "nope", "--store", url)
    assert code == 2 and "There is no saved scenario with the id 'nope'" in err and "Traceback" not in err


def test_rerun_prints_identical_with_the_original_inputs_moved_away(saved, capsys, tmp_path):
    url, sid, measures = saved
    measures.rename(tmp_path / "moved.csv")
    code, out, _ = run(capsys, "scenarios", "rerun", sid, "--output-dir", str(tmp_path / "out"), "--store", url)
    assert (code, out.strip()) == (0, "identical")
    assert (tmp_path / "out" / "values.csv").exists()


def test_rerun_exits_1_naming_what_differs(saved, capsys, tmp_path, store_area, monkeypatch):
    url, sid, _ = saved
    monkeypatch.setattr(store_area, "json_text", lambda data: "{}\n")  # the summary comes out different
    code, out, _ = run(capsys, "scenarios", "rerun", sid, "--output-dir", str(tmp_path / "out"), "--store", url)
    assert code == 1 and "summary.json differs" in out and "values.csv" not in out


def test_audit_log_lists_every_save_decision_and_rerun(saved, capsys, tmp_path):
    url, sid, _ = saved
    run(capsys, "scenarios", "rerun", sid, "--output-dir", str(tmp_path / "out"), "--store", url)
    code, out, _ = run(capsys, "audit", "log", "--store", url, "--json")
    assert code == 0
    assert [(e["action"], e["scenario_id"]) for e in json.loads(out)] == [
        ("save", sid),
        ("decision", sid),
        ("rerun", sid),
    ]


def test_audit_verify_passes_then_fails_after_a_row_is_edited(saved, tmp_path):
    url, sid, _ = saved
    env = {**os.environ, "SV_STORE_URL": url}
    ok = subprocess.run([str(SVW), "audit", "verify"], capture_output=True, text=True, env=env, timeout=120)
    assert ok.returncode == 0, ok.stderr
    assert "intact: 2 entries" in ok.stdout
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE scenarios SET headline = 'A better answer' WHERE id = :id"), {"id": sid})
    engine.dispose()
    bad = subprocess.run([str(SVW), "audit", "verify"], capture_output=True, text=True, env=env, timeout=120)
    assert bad.returncode == 1
    assert f"First problem: Scenario {sid} ('For the command line', saved by ana) does not match" in bad.stderr


def test_audit_verify_names_an_edited_audit_entry(saved, capsys):
    url, sid, _ = saved
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE audit_log SET detail = 'nothing' WHERE id = 2"))
    engine.dispose()
    code, _, err = run(capsys, "audit", "verify", "--store", url)
    assert code == 1 and "First problem: Audit entry 2 (decision of scenario" in err


def test_store_export_then_import_into_an_empty_store(saved, capsys, tmp_path):
    url, sid, _ = saved
    code, _, _ = run(capsys, "store", "export", str(tmp_path / "copy"), "--store", url)
    assert code == 0 and (tmp_path / "copy" / "manifest.json").exists()
    target = f"sqlite:///{tmp_path / 'copy.sqlite'}"
    code, out, _ = run(capsys, "store", "import", str(tmp_path / "copy"), "--store", target)
    assert code == 0 and "Loaded 1 scenarios, 1 decisions, 3 audit entries and 1 stored files." in out
    code, out, _ = run(capsys, "scenarios", "list", "--store", target, "--json")
    assert [s["id"] for s in json.loads(out)] == [sid]


def test_without_store_the_default_store_is_used(saved, capsys, monkeypatch):
    url, sid, _ = saved
    monkeypatch.setenv("SV_STORE_URL", url)
    code, out, _ = run(capsys, "scenarios", "list", "--json")
    assert code == 0 and [s["id"] for s in json.loads(out)] == [sid]


def test_other_modules_can_add_commands(monkeypatch, capsys):
    import types

    module = types.ModuleType("sv_helpers_fake_sweep")

    def add_commands(groups, common):
        p = groups.add_parser("sweep", parents=[common], help="run many scenarios")
        p.set_defaults(func=lambda args: print("swept") or 0)

    module.add_commands = add_commands
    monkeypatch.setitem(sys.modules, "sv_helpers_fake_sweep", module)
    monkeypatch.setattr(cli, "EXTENSIONS", ("sv_helpers_fake_sweep",))
    assert run(capsys, "sweep")[:2] == (0, "swept\n")
