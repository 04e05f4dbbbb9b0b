"""The scenario store, on SQLite and on a real PostgreSQL: nothing lost, everything accountable."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import threading
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text

from sv_helpers.core import exports
from sv_helpers.store import StoreError, StoreUnavailable, current_user, open_store, record_run
from sv_helpers.store.folders import pack_folder
from sv_helpers.store.models import AuditEntry, Blob, Decision, Scenario, ScenarioInput, ScenarioOutput

TABLES = (Scenario, Blob, ScenarioInput, ScenarioOutput, Decision, AuditEntry)


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def counts(url: str) -> dict[str, int]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return {m.__tablename__: conn.execute(select(func.count()).select_from(m)).scalar() for m in TABLES}
    finally:
        engine.dispose()


def execute(url: str, sql: str, **params) -> None:
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(text(sql), params)
    finally:
        engine.dispose()


@pytest.fixture
def made(store_area, store_url, tmp_path):
    """A store with one saved scenario whose input file sits in ``tmp_path/in``."""
    measures = store_area.make_inputs(tmp_path / "in")
    settings = store_area.Settings.from_parameters({"measures": str(measures), "factor": 3, "title": "Round 1"})
    result = store_area.run(settings)
    store = open_store(store_url)
    sid = store.save(result, "Round 1 at three times", note="first try", user="ana")
    yield store, sid, result, measures
    store.close()


def test_a_saved_scenario_holds_its_settings_inputs_outputs_and_who(made):
    store, sid, result, measures = made
    item = store.get(sid)
    assert item["notebook"] == "store_test" and item["name"] == "Round 1 at three times" and item["user"] == "ana"
    assert item["parameters"]["factor"] == 3.0 and item["parameters"]["title"] == "Round 1"
    assert item["inputs"] == {"measures": sha(measures)}
    assert set(item["outputs"]) == {"values.csv", "summary.json"}
    table_csv = exports.output_csv_bytes(result.tables["values"])
    assert item["outputs"]["values.csv"] == hashlib.sha256(table_csv).hexdigest()
    assert item["headline"] == result.headline
    assert item["decision"] is None
    assert [s["id"] for s in store.list()] == [sid]
    assert store.list("another_area") == []
    assert store.verify() == []


def test_an_input_used_by_many_scenarios_is_kept_once(made, store_url):
    store, sid, result, _ = made
    for i in range(3):
        store.save(result, f"copy {i}")
    assert counts(store_url)["blobs"] == 1
    assert counts(store_url)["scenarios"] == 4


def test_saving_needs_a_name_and_readable_inputs(made, store_area, tmp_path):
    store, _, result, measures = made
    with pytest.raises(StoreError, match="give the scenario a name"):
        store.save(result, "  ")
    measures.unlink()
    with pytest.raises(StoreError, match="'Measures file'.*cannot be read"):
        store.save(result, "gone")


def test_opening_restores_the_settings_and_the_input_files_exactly(made, store_area, tmp_path):
    store, sid, result, measures = made
    original = measures.read_bytes()
    measures.unlink()
    settings, paths = store.restore(sid, tmp_path / "restored", user="bob")
    assert paths["measures"].read_bytes() == original
    assert settings.measures == str(paths["measures"])
    assert settings.replace(measures=result.settings.measures) == result.settings
    assert store_area.run(settings).headline == result.headline
    assert store.audit_log()[-1]["action"] == "open" and store.audit_log()[-1]["user"] == "bob"


def test_a_folder_input_is_kept_and_restored_exactly(store_area, store_url, tmp_path):
    measures = store_area.make_inputs(tmp_path / "in")
    folder = tmp_path / "extra"
    (folder / "sub").mkdir(parents=True)
    (folder / "b.csv").write_text("measure,value\nb,10\n")
    (folder / "a.csv").write_text("measure,value\na,20\n")
    (folder / "sub" / "notes.txt").write_bytes(b"\x00binary\xff")
    settings = store_area.Settings.from_parameters({"measures": str(measures), "extra": str(folder)})
    result = store_area.run(settings)
    with open_store(store_url) as store:
        sid = store.save(result, "with a folder")
        restored, paths = store.restore(sid, tmp_path / "back")
        back = paths["extra"]
        assert sorted(p.relative_to(back).as_posix() for p in back.rglob("*") if p.is_file()) == [
            "a.csv",
            "b.csv",
            "sub/notes.txt",
        ]
        assert all((back / n).read_bytes() == (folder / n).read_bytes() for n in ("a.csv", "b.csv", "sub/notes.txt"))
        assert store.get(sid)["input_files"]["extra"]["folder"] is True
        assert store_area.run(restored).headline == result.headline
        assert store.verify() == []


def test_a_folder_is_stored_the_same_whatever_its_files_times(tmp_path):
    import os

    folder = tmp_path / "f"
    folder.mkdir()
    (folder / "x.csv").write_text("1")
    first = pack_folder(folder)
    os.utime(folder / "x.csv", (1_000_000, 1_000_000))
    assert pack_folder(folder) == first


def test_a_rerun_from_the_stored_inputs_is_identical_after_the_originals_are_deleted(made, tmp_path):
    store, sid, _, measures = made
    measures.unlink()
    comparison = store.rerun(sid, tmp_path / "again")
    assert comparison.identical, comparison.differences
    assert comparison.compared == ["summary.json", "values.csv"]
    assert (tmp_path / "again" / "values.csv").exists()
    assert comparison.notes == ["Also written, not part of the saved record: provenance.json."]
    assert store.audit_log()[-1]["action"] == "rerun" and store.audit_log()[-1]["detail"] == "identical"


def test_a_rerun_names_the_output_that_differs(made, store_area, tmp_path, monkeypatch):
    store, sid, _, _ = made
    real_run = store_area.run

    def changed_run(settings, inputs=None):
        result = real_run(settings, inputs)
        result.tables["values"].loc[0, "value"] += 0.01
        return result

    monkeypatch.setattr(store_area, "run", changed_run)
    comparison = store.rerun(sid, tmp_path / "again")
    assert not comparison.identical
    assert len(comparison.differences) == 1 and comparison.differences[0].startswith("values.csv differs")


def test_a_later_decision_supersedes_an_earlier_one_and_both_remain(made):
    store, first, result, _ = made
    second = store.save(result, "second")
    d1 = store.mark_decision(first, "Recommended to Cabinet 12 March 2026", user="chief")
    d2 = store.mark_decision(second, "Cabinet chose this on 19 March 2026", user="clerk")
    assert d2["supersedes"] == d1["id"]
    listed = {s["id"]: s["decision"] for s in store.list()}
    assert listed[first]["note"].startswith("Recommended") and listed[first]["current"] is False
    assert listed[second]["user"] == "clerk" and listed[second]["current"] is True
    assert [d["id"] for d in store.get(first)["decisions"]] == [d1["id"]]
    with pytest.raises(StoreError, match="say what the decision is"):
        store.mark_decision(first, "")
    assert store.verify() == []


def test_concurrent_saves_from_threads_and_processes_lose_nothing(store_area, store_url, tmp_path):
    measures = str(store_area.make_inputs(tmp_path / "in"))
    ids: list[str] = []
    errors: list[BaseException] = []

    def saver(tag: str) -> None:
        try:
            ids.extend(store_area.save_in_process(store_url, measures, 4, tag))
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    with ProcessPoolExecutor(3, mp_context=get_context("spawn")) as pool:
        futures = [pool.submit(store_area.save_in_process, store_url, measures, 4, f"process-{i}") for i in range(3)]
        threads = [threading.Thread(target=saver, args=(f"thread-{i}",)) for i in range(5)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        for f in futures:
            ids.extend(f.result())
    assert errors == []
    assert len(ids) == 32 == len(set(ids))
    with open_store(store_url) as store:
        assert sorted(s["id"] for s in store.list()) == sorted(ids)
        assert [e["id"] for e in store.audit_log()] == list(range(1, 33))
        assert store.verify() == []


def test_a_failure_in_the_middle_of_a_save_leaves_the_store_as_it_was(made, store_url, monkeypatch):
    store, _, result, _ = made
    before = counts(store_url)

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(type(store), "_append", broken)
    with pytest.raises(StoreError, match="could not be saved, and nothing was changed"):
        store.save(result, "half")
    monkeypatch.undo()
    assert counts(store_url) == before
    assert store.verify() == []


CRASH = """
import os, sys
sys.path.insert(0, {tests!r})
import store_area
store_area.register()
from sv_helpers.store import api
real = api.Store._insert_scenario
def crash(self, conn, prepared):
    real(self, conn, prepared)  # the scenario, its inputs and outputs are written ...
    os._exit(9)                 # ... and the process dies before the audit entry and the commit
api.Store._insert_scenario = crash
store = api.open_store({url!r})
settings = store_area.Settings.from_parameters({{"measures": {measures!r}, "factor": 5}})
store.save(store_area.run(settings), "never finished")
"""


def test_a_process_killed_in_the_middle_of_a_save_leaves_the_store_as_it_was(made, store_url, tmp_path):
    store, sid, _, _ = made
    other = tmp_path / "other"
    other.mkdir()
    measures = other / "m.csv"
    measures.write_text("measure,value\nx,1\n")  # a new input: its blob would be new too
    before = counts(store_url)
    script = CRASH.format(tests=str(Path(__file__).parent.parent), url=store_url, measures=str(measures))
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 9, done.stderr
    assert counts(store_url) == before
    with open_store(store_url) as again:
        assert [s["id"] for s in again.list()] == [sid]
        assert again.verify() == []


def test_changing_a_saved_scenario_after_the_fact_is_caught(made, store_url):
    store, sid, result, _ = made
    store.save(result, "another")
    execute(
        store_url,
        "UPDATE scenarios SET parameters = :p WHERE id = :id",
        p=json.dumps({**store.get(sid)["parameters"], "factor": 30.0}),
        id=sid,
    )
    problems = store.verify()
    assert problems and problems[0].startswith(f"Scenario {sid} ") and "changed after it was saved" in problems[0]


def test_changing_an_input_or_output_hash_is_caught(made, store_url):
    store, sid, _, _ = made
    execute(store_url, "UPDATE scenario_outputs SET sha256 = :h WHERE file_name = 'values.csv'", h="f" * 64)
    assert any(sid in p for p in store.verify())


def test_changing_an_audit_entry_is_caught(made, store_url):
    store, sid, _, _ = made
    store.mark_decision(sid, "Recommended")
    execute(store_url, "UPDATE audit_log SET \"user\" = 'someone else' WHERE id = 1")
    problems = store.verify()
    assert problems[0].startswith("Audit entry 1 (save of scenario") and "changed after it was written" in problems[0]


def test_removing_an_audit_entry_is_caught(made, store_url):
    store, sid, result, _ = made
    store.save(result, "second")
    store.mark_decision(sid, "Recommended")
    execute(store_url, "DELETE FROM audit_log WHERE id = 2")
    assert store.verify()[0].startswith("Audit entry 2 is missing")


def test_changing_a_decision_is_caught(made, store_url):
    store, sid, _, _ = made
    decision = store.mark_decision(sid, "Recommended to Cabinet 12 March 2026")
    execute(store_url, "UPDATE decisions SET note = 'Rejected' WHERE id = :id", id=decision["id"])
    assert store.verify() == [
        f"The decision {decision['id']} on scenario {sid} (by {decision['user']}) does not "
        "match the record its audit entry 2 covers."
    ]


def test_changing_a_stored_input_file_is_caught(made, store_url):
    store, _, _, _ = made
    execute(store_url, "UPDATE blobs SET content = :c", c=b"measure,value\nm0,1000\n")
    assert any("stored input file" in p for p in store.verify())


def test_export_and_import_move_a_store_from_sqlite_to_postgresql(store_area, postgresql_server, tmp_path):
    import psycopg

    source = f"sqlite:///{tmp_path / 'old.sqlite'}"
    measures = store_area.make_inputs(tmp_path / "in")
    result = store_area.run(store_area.Settings.from_parameters({"measures": str(measures), "factor": 2}))
    with open_store(source) as store:
        sid = store.save(result, "to move", user="ana")
        store.mark_decision(sid, "Recommended", user="chief")
        store.export(tmp_path / "copy")
        exported = store.list()
        trail = store.audit_log()
    with psycopg.connect(postgresql_server.replace("+psycopg", "") + "/postgres", autocommit=True) as conn:
        conn.execute('CREATE DATABASE "sv_moved"')
    with open_store(f"{postgresql_server}/sv_moved") as target:
        loaded = target.import_(tmp_path / "copy")
        assert loaded["scenarios"] == 1 and loaded["blobs"] == 1 and loaded["audit_log"] == 3
        assert target.list() == exported
        assert target.audit_log() == trail
        assert target.verify() == []
        measures.unlink()
        assert target.rerun(sid, tmp_path / "again").identical
        with pytest.raises(StoreError, match="already holds scenarios"):
            target.import_(tmp_path / "copy")


def test_export_refuses_a_folder_in_use(made, tmp_path):
    store, _, _, _ = made
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x").write_text("x")
    with pytest.raises(StoreError, match="not empty"):
        store.export(tmp_path / "full")


def test_a_store_that_cannot_be_reached_says_so_plainly():
    with pytest.raises(StoreUnavailable, match="cannot be opened.*everything else works") as caught:
        open_store("postgresql+psycopg://nobody:secret@127.0.0.1:1/none")
    assert "secret" not in str(caught.value)
    with pytest.raises(StoreUnavailable):
        open_store("sqlite:////proc/no-such-place/workbook.sqlite")


def test_a_notebook_run_is_recorded_unless_store_url_is_empty(store_area, store_url, tmp_path):
    measures = store_area.make_inputs(tmp_path / "in")
    result = store_area.run(store_area.Settings.from_parameters({"measures": str(measures)}))
    assert record_run(result, "") is None
    sid = record_run(result, store_url, user="batch")
    with open_store(store_url) as store:
        item = store.get(sid)
    assert item["name"].startswith("Run of store_test.ipynb on ") and item["user"] == "batch"
    assert item["inputs"] == {"measures": sha(measures)}


def test_an_app_page_view_records_nothing_itself(store_area, store_url, tmp_path, monkeypatch):
    measures = store_area.make_inputs(tmp_path / "in")
    result = store_area.run(store_area.Settings.from_parameters({"measures": str(measures)}))
    monkeypatch.setenv("VOILA_KERNEL_ID", "abc")
    assert record_run(result, store_url) is None
    with open_store(store_url) as store:
        assert store.list() == []


def test_the_default_store_is_var_workbook_sqlite_unless_sv_store_url_says_otherwise(monkeypatch):
    from sv_helpers.core.paths import REPO_ROOT
    from sv_helpers.store import default_url

    monkeypatch.delenv("SV_STORE_URL", raising=False)
    assert default_url() == f"sqlite:///{REPO_ROOT / 'var' / 'workbook.sqlite'}"
    monkeypatch.setenv("SV_STORE_URL", "postgresql+psycopg://db.example/workbook")
    assert default_url() == "postgresql+psycopg://db.example/workbook"


def test_who_is_jupyterhubs_user_else_the_configured_header_else_the_system_user(monkeypatch):
    import getpass

    monkeypatch.delenv("JUPYTERHUB_USER", raising=False)
    monkeypatch.delenv("SV_USER_HEADER", raising=False)
    assert current_user() == getpass.getuser()
    monkeypatch.setenv("SV_USER_HEADER", "X-Forwarded-User")
    monkeypatch.setenv("HTTP_X_FORWARDED_USER", "proxy.user")
    assert current_user() == "proxy.user"
    monkeypatch.setenv("JUPYTERHUB_USER", "hub.user")
    assert current_user() == "hub.user"
