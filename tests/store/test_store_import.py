"""``svw store import``: a copy is checked before anything of it is kept, on SQLite and PostgreSQL.

No symbolic links, no stored file that no scenario uses, a bad time or a control character named by file, line
and column (never a traceback), and a loaded copy that does not verify is rolled back whole.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select

from sv_helpers import cli
from sv_helpers.store import CopyDoesNotVerify, StoreError, open_store
from sv_helpers.store.models import AuditEntry, Blob, Decision, Scenario, ScenarioInput, ScenarioOutput, Share

TABLES = (Scenario, Blob, ScenarioInput, ScenarioOutput, Decision, Share, AuditEntry)


def counts(url: str) -> dict[str, int]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return {m.__tablename__: conn.execute(select(func.count()).select_from(m)).scalar() for m in TABLES}
    finally:
        engine.dispose()


@pytest.fixture
def copy(store_area, tmp_path) -> Path:
    """A copy exported from a SQLite store: one shared, decided scenario with one input file."""
    measures = store_area.make_inputs(tmp_path / "in")
    result = store_area.run(store_area.Settings.from_parameters({"measures": str(measures), "factor": 2}))
    with open_store(f"sqlite:///{tmp_path / 'source.sqlite'}") as store:
        sid = store.save(result, "To move", note="n", user="ana")
        store.share(sid, user="ana")
        store.mark_decision(sid, "Recommended", user="chief")
        return store.export(tmp_path / "copy")


def lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def write_lines(path: Path, items: list[dict]) -> None:
    path.write_text("".join(json.dumps(i, sort_keys=True) + "\n" for i in items), encoding="utf-8")


def empty(url: str) -> bool:
    return all(n == 0 for n in counts(url).values())


def test_a_good_copy_loads_with_its_shares(copy, store_url):
    with open_store(store_url) as store:
        loaded = store.import_(copy)
        assert loaded["shares"] == 1 and loaded["decisions"] == 1 and loaded["audit_log"] == 4
        [item] = store.list()
        assert item["shared"]["user"] == "ana"
        assert store.verify() == []


def test_a_copy_that_does_not_verify_is_rolled_back_whole(copy, store_url, capsys):
    path = copy / "scenarios.jsonl"
    [row] = lines(path)
    write_lines(path, [{**row, "headline": "A better answer"}])
    with open_store(store_url) as store:
        with pytest.raises(CopyDoesNotVerify, match="does not verify, so nothing of it was kept") as caught:
            store.import_(copy)
        assert caught.value.problems[0].startswith(f"Scenario {row['id']} ('To move', saved by ana) does not match")
    assert empty(store_url), counts(store_url)
    code = cli.main(["store", "import", str(copy), "--store", store_url])
    _, err = capsys.readouterr()
    assert code == 1 and "does not verify, so nothing of it was kept. First problem: Scenario" in err
    assert empty(store_url)


def test_a_symbolic_link_in_the_copy_is_refused(copy, store_url, tmp_path):
    [blob] = list((copy / "blobs").iterdir())
    elsewhere = tmp_path / "elsewhere"
    elsewhere.write_bytes(blob.read_bytes())
    blob.unlink()
    blob.symlink_to(elsewhere)
    with open_store(store_url) as store, pytest.raises(StoreError, match=f"symbolic link, blobs/{blob.name}"):
        store.import_(copy)
    assert empty(store_url)


def test_a_copy_that_is_itself_a_symbolic_link_is_refused(copy, store_url, tmp_path):
    link = tmp_path / "link-to-copy"
    link.symlink_to(copy)
    with open_store(store_url) as store, pytest.raises(StoreError, match="is a symbolic link"):
        store.import_(link)
    assert empty(store_url)


def test_a_stored_file_no_scenario_uses_is_refused(copy, store_url):
    extra = b"not an input of any scenario"
    import hashlib

    digest = hashlib.sha256(extra).hexdigest()
    (copy / "blobs" / digest).write_bytes(extra)
    with open_store(store_url) as store, pytest.raises(StoreError, match=f"blobs/{digest}, that no scenario uses"):
        store.import_(copy)
    assert empty(store_url)


@pytest.mark.parametrize("bad", ["12 March 2026", "2026-13-01T00:00:00.000000Z", 20260312])
def test_a_bad_time_is_named_by_file_line_and_column(copy, store_url, capsys, bad):
    path = copy / "audit_log.jsonl"
    entries = lines(path)
    entries[2]["at"] = bad
    write_lines(path, entries)
    code = cli.main(["store", "import", str(copy), "--store", store_url])
    _, err = capsys.readouterr()
    assert code == 2
    assert err.startswith(f"audit_log.jsonl, line 3, column at: '{bad}' is not a time in the form 2026-03-12T10:")
    assert "Traceback" not in err
    assert empty(store_url)


def test_a_line_that_is_not_a_record_is_named(copy, store_url):
    (copy / "decisions.jsonl").write_text("[1, 2]\n", encoding="utf-8")
    with open_store(store_url) as store, pytest.raises(StoreError, match="decisions.jsonl, line 1, is not a record"):
        store.import_(copy)


def test_a_control_character_in_an_imported_name_is_refused(copy, store_url):
    path = copy / "scenarios.jsonl"
    [row] = lines(path)
    write_lines(path, [{**row, "name": "To\u202emove"}])
    with (
        open_store(store_url) as store,
        pytest.raises(StoreError, match="scenarios.jsonl, line 1, column name, holds a right-to-left override"),
    ):
        store.import_(copy)
    assert empty(store_url)


def test_a_copy_written_before_shares_loads_with_its_scenarios_as_drafts(store_area, store_url, tmp_path):
    measures = store_area.make_inputs(tmp_path / "in")
    result = store_area.run(store_area.Settings.from_parameters({"measures": str(measures)}))
    with open_store(f"sqlite:///{tmp_path / 'old.sqlite'}") as store:
        store.save(result, "Old", user="ana")
        old = store.export(tmp_path / "old-copy")
    (old / "shares.jsonl").unlink()  # a copy from schema 0002 has no such file
    with open_store(store_url) as store:
        assert store.import_(old)["shares"] == 0
        [item] = store.list()
        assert item["shared"] is None and store.verify() == []
