"""Checking the store: the audit chain, every record against its hash, every stored file against its hash.

Every save, share and decision is a record whose hash its audit entry covers, and every entry is chained by
hash to the one before (:mod:`sv_helpers.store.records`), so a row changed or removed after the fact shows.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, select

from sv_helpers.store import records
from sv_helpers.store.folders import sha256
from sv_helpers.store.models import AuditEntry, Blob, Decision, Scenario, ScenarioInput, ScenarioOutput, Share


def children(conn: Connection, model: Any, ids: list[str]) -> dict[str, list[dict[str, Any]]]:
    """The rows of ``model`` (inputs, outputs) of the scenarios ``ids``, by scenario id."""
    out: dict[str, list[dict[str, Any]]] = {}
    if not ids:
        return out
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        for r in conn.execute(select(*model.__table__.c).where(model.scenario_id.in_(chunk))):
            out.setdefault(r.scenario_id, []).append(dict(r._mapping))
    return out


def find_problems(conn: Connection) -> list[str]:
    """Every problem with the store on this connection, the first first (none: ``[]``): the audit chain, every
    scenario, decision and share against its record hash and audit entry, every stored file against its hash.

    :meth:`Store.verify` calls it; an import calls it on its copy before it commits.
    """
    problems: list[str] = []
    entries = [dict(r._mapping) for r in conn.execute(select(*AuditEntry.__table__.c).order_by(AuditEntry.id))]
    scenarios = {r.id: dict(r._mapping) for r in conn.execute(select(*Scenario.__table__.c))}
    ins = children(conn, ScenarioInput, list(scenarios))
    outs = children(conn, ScenarioOutput, list(scenarios))
    decisions = {r.id: dict(r._mapping) for r in conn.execute(select(*Decision.__table__.c))}
    shares = {r.id: dict(r._mapping) for r in conn.execute(select(*Share.__table__.c))}
    blobs = conn.execute(select(Blob.sha256, Blob.size, Blob.content)).all()
    prev, expected_id = records.GENESIS, 1
    saves: dict[str, dict[str, Any]] = {}
    decided: dict[str, dict[str, Any]] = {}
    shared: dict[str, dict[str, Any]] = {}
    for e in entries:
        what = f"Audit entry {e['id']} ({e['action']} of scenario {e['scenario_id']} by {e['user']})"
        if e["id"] != expected_id:
            problems.append(
                f"Audit entry {expected_id} is missing: the entries jump from {expected_id - 1} to {e['id']}."
            )
        if e["prev_hash"] != prev:
            problems.append(f"{what} does not follow the entry before it: an entry was removed or changed.")
        if records.entry_hash(e["prev_hash"], e) != e["entry_hash"]:
            problems.append(f"{what} does not match its hash: it was changed after it was written.")
        prev, expected_id = e["entry_hash"], e["id"] + 1
        if e["action"] == "save":
            saves.setdefault(e["scenario_id"], e)
        elif e["action"] == "decision":
            decided[e["detail"]] = e
        elif e["action"] == "share":
            shared[e["detail"]] = e
        if e["scenario_id"] and e["scenario_id"] not in scenarios:
            problems.append(f"{what} names a scenario that is no longer in the store.")
    for sid, row in sorted(scenarios.items(), key=lambda kv: (kv[1]["created_at"], kv[0])):
        what = f"Scenario {sid} ('{row['name']}', saved by {row['user']})"
        digest = records.digest(records.scenario_record(row, ins.get(sid, []), outs.get(sid, [])))
        if digest != row["record_hash"]:
            problems.append(
                f"{what} does not match its record hash: its settings, inputs or outputs were "
                "changed after it was saved."
            )
        save = saves.get(sid)
        if save is None:
            problems.append(f"{what} has no entry in the audit log.")
        elif save["record_hash"] != digest:
            problems.append(f"{what} does not match the record its audit entry {save['id']} covers.")
    for did, row in decisions.items():
        entry = decided.get(did)
        scenario = scenarios.get(row["scenario_id"])
        what = f"The decision {did} on scenario {row['scenario_id']} (by {row['user']})"
        if entry is None:
            problems.append(f"{what} has no entry in the audit log.")
        elif scenario is None or entry["record_hash"] != records.digest(
            records.decision_record(row, scenario["record_hash"])
        ):
            problems.append(f"{what} does not match the record its audit entry {entry['id']} covers.")
    for sid_, row in shares.items():
        entry = shared.get(sid_)
        scenario = scenarios.get(row["scenario_id"])
        what = f"The share {sid_} of scenario {row['scenario_id']} (by {row['user']})"
        if entry is None:
            problems.append(f"{what} has no entry in the audit log.")
        elif scenario is None or entry["record_hash"] != records.digest(
            records.share_record(row, scenario["record_hash"])
        ):
            problems.append(f"{what} does not match the record its audit entry {entry['id']} covers.")
    for digest, size, content in blobs:
        if sha256(bytes(content)) != digest or len(content) != size:
            problems.append(f"The stored input file {digest[:12]}… does not match its hash: it was changed.")
    return problems
