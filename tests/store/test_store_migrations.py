"""The store's schema: the migrations build what the models say, and a store of the first schema opens in the newest."""

from __future__ import annotations

import hashlib
import json

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import MetaData, create_engine, insert

from sv_helpers.store import open_store, records
from sv_helpers.store.folders import output_hashes
from sv_helpers.store.migrate import head, upgrade
from sv_helpers.store.models import SCHEMA_HEAD, Base


def test_the_store_knows_the_newest_schema_version():
    assert head() == SCHEMA_HEAD


def test_the_migrations_build_exactly_the_tables_the_models_describe(store_url):
    open_store(store_url).close()
    engine = create_engine(store_url)
    with engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    engine.dispose()
    assert differences == []


def test_a_store_written_by_the_first_schema_opens_upgraded_and_still_verifies(store_area, store_url, tmp_path):
    measures = store_area.make_inputs(tmp_path / "in")
    settings = store_area.Settings.from_parameters({"measures": str(measures), "factor": 4})
    result = store_area.run(settings)
    # What version 0001 wrote: the first schema's tables, a scenario with a file input, its audit entry.
    engine = create_engine(store_url)
    with engine.begin() as conn:
        upgrade(conn, "0001")
    store_area.write(result, tmp_path / "first")
    outputs = [{"file_name": n, "sha256": h} for n, h in output_hashes(tmp_path / "first").items()]
    data = measures.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    row = {
        "id": "0001scenario",
        "notebook": "store_test",
        "name": "Saved by the first version",
        "note": "",
        "user": "ana",
        "created_at": "2026-03-12T10:00:00.000000Z",
        "parameters": json.loads(json.dumps(settings.to_parameters())),
        "headline": result.headline,
        "package_version": "0.1.0",
        "code_commit": "",
    }
    inputs = [{"setting": "measures", "file_name": "measures.csv", "sha256": digest}]
    row["record_hash"] = records.digest(records.scenario_record(row, inputs, outputs))
    entry = {
        "id": 1,
        "at": "2026-03-12T10:00:01.000000Z",
        "user": "ana",
        "action": "save",
        "scenario_id": row["id"],
        "record_hash": row["record_hash"],
        "detail": "",
        "prev_hash": records.GENESIS,
    }
    entry["entry_hash"] = records.entry_hash(records.GENESIS, entry)
    meta = MetaData()
    meta.reflect(engine)
    assert "is_folder" not in meta.tables["scenario_inputs"].c
    with engine.begin() as conn:
        conn.execute(insert(meta.tables["blobs"]).values(sha256=digest, size=len(data), content=data))
        conn.execute(
            insert(meta.tables["scenarios"]).values(**{**row, "created_at": records.parse_utc(row["created_at"])})
        )
        conn.execute(insert(meta.tables["scenario_inputs"]).values(scenario_id=row["id"], **inputs[0]))
        conn.execute(insert(meta.tables["scenario_outputs"]), [{"scenario_id": row["id"], **o} for o in outputs])
        conn.execute(insert(meta.tables["audit_log"]).values(**{**entry, "at": records.parse_utc(entry["at"])}))
    engine.dispose()

    with open_store(store_url) as store:
        assert store.schema_version() == SCHEMA_HEAD
        assert store.verify() == []
        [item] = store.list()
        assert item["id"] == "0001scenario" and item["inputs"] == {"measures": digest}
        assert store.get(item["id"])["input_files"]["measures"]["folder"] is False
        measures.unlink()
        assert store.rerun(item["id"], tmp_path / "again").identical
        store.mark_decision(item["id"], "Still the decision after the upgrade")
        assert store.verify() == []


def test_a_store_of_schema_0002_upgrades_with_its_scenarios_as_drafts(store_area, store_url, tmp_path):
    from sv_helpers.store import Actor, NotAllowed
    from sv_helpers.store.access import COUNCILLOR, OFFICER

    measures = store_area.make_inputs(tmp_path / "in")
    result = store_area.run(store_area.Settings.from_parameters({"measures": str(measures), "factor": 4}))
    engine = create_engine(store_url)
    with engine.begin() as conn:
        upgrade(conn, "0002")
    engine.dispose()
    # What version 0002 wrote: its tables (no shares), a saved scenario and a decision, through today's code
    # with the schema held at 0002 (the save and the decision touch no table 0003 adds).
    from sv_helpers.store import api

    store = api.Store.__new__(api.Store)
    store.url, store.is_sqlite = store_url, store_url.startswith("sqlite")
    store.engine = store._engine(store_url)
    sid = store._writing(lambda conn: _save_0002(store, conn, result))
    store.close()
    meta = MetaData()
    engine = create_engine(store_url)
    meta.reflect(engine)
    engine.dispose()
    assert "shares" not in meta.tables

    with open_store(store_url) as store:
        assert store.schema_version() == SCHEMA_HEAD == "0003"
        assert store.verify() == []
        [item] = store.list(user=Actor("ana", OFFICER))
        assert item["id"] == sid and item["shared"] is None, "a scenario saved before roles is a draft"
        bob = Actor("cllr.bob", COUNCILLOR)
        assert store.list(user=bob) == []
        with pytest.raises(NotAllowed):
            store.restore(sid, tmp_path / "back", user=bob)
        store.share(sid, user=Actor("ana", OFFICER))
        assert [s["id"] for s in store.list(user=bob)] == [sid]
        assert store.verify() == []


def _save_0002(store, conn, result) -> str:
    prepared = store._prepare(result, "Saved by version 0002", "", "ana")
    store._insert_scenario(conn, prepared)
    store._append(conn, "save", "ana", prepared.row["id"], prepared.row["record_hash"])
    return prepared.row["id"]
