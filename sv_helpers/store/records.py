"""The canonical form of a stored record and the hashes that make tampering visible.

Pure functions, no database: the store computes a record's hash when it writes
it and again when it verifies it, and the two must agree byte for byte on
SQLite and PostgreSQL alike (times in UTC to the microsecond, keys sorted).

Examples
--------
>>> entry = {"id": 1, "at": "2026-03-12T10:00:00.000000Z", "user": "ana", "action": "save",
...          "scenario_id": "a1", "record_hash": "0" * 64, "detail": ""}
>>> h = entry_hash(GENESIS, entry)
>>> h == entry_hash(GENESIS, dict(entry)) and h != entry_hash(GENESIS, {**entry, "user": "bob"})
True
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Mapping
from typing import Any

#: The ``prev_hash`` of the first audit entry.
GENESIS = "0" * 64


def utc_text(moment: dt.datetime) -> str:
    """A time as UTC text to the microsecond (a time read back without a zone is UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_utc(text: str) -> dt.datetime:
    """The inverse of :func:`utc_text`."""
    return dt.datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=dt.UTC)


def canonical(value: Any) -> bytes:
    """Canonical JSON bytes: keys sorted, no spaces, UTF-8."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode("utf-8")


def digest(value: Any) -> str:
    """The SHA-256 of a value's canonical JSON."""
    return hashlib.sha256(canonical(value)).hexdigest()


def scenario_record(
    row: Mapping[str, Any],
    inputs: Iterable[Mapping[str, Any]],
    outputs: Iterable[Mapping[str, Any]],
) -> dict[str, Any]:
    """Everything a scenario's record hash covers: its row, its inputs and its outputs' hashes.

    A folder input adds ``"folder": true``; a file input adds nothing, so a
    record written before folders were kept (schema 0001) has the same hash.
    """
    ins = []
    for i in inputs:
        item = {"setting": i["setting"], "file_name": i["file_name"], "sha256": i["sha256"]}
        if i.get("is_folder"):
            item["folder"] = True
        ins.append(item)
    return {
        "id": row["id"],
        "notebook": row["notebook"],
        "name": row["name"],
        "note": row["note"] or "",
        "user": row["user"],
        "created_at": row["created_at"] if isinstance(row["created_at"], str) else utc_text(row["created_at"]),
        "parameters": row["parameters"],
        "headline": row["headline"] or "",
        "package_version": row["package_version"] or "",
        "code_commit": row["code_commit"] or "",
        "inputs": sorted(ins, key=lambda i: i["setting"]),
        "outputs": sorted(
            ({"file_name": o["file_name"], "sha256": o["sha256"]} for o in outputs), key=lambda o: o["file_name"]
        ),
    }


def decision_record(row: Mapping[str, Any], scenario_hash: str) -> dict[str, Any]:
    """What a decision's hash covers: the decision and the record hash of the scenario it marks."""
    return {
        "id": row["id"],
        "scenario_id": row["scenario_id"],
        "scenario_hash": scenario_hash,
        "user": row["user"],
        "at": row["at"] if isinstance(row["at"], str) else utc_text(row["at"]),
        "note": row["note"] or "",
        "supersedes": row["supersedes"],
    }


def entry_hash(prev_hash: str, entry: Mapping[str, Any]) -> str:
    """The hash of an audit entry: the previous entry's hash and this entry's fields."""
    fields = {
        "id": entry["id"],
        "at": entry["at"] if isinstance(entry["at"], str) else utc_text(entry["at"]),
        "user": entry["user"],
        "action": entry["action"],
        "scenario_id": entry["scenario_id"],
        "record_hash": entry["record_hash"],
        "detail": entry["detail"] or "",
    }
    return hashlib.sha256(prev_hash.encode("ascii") + canonical(fields)).hexdigest()


def share_record(row: Mapping[str, Any], scenario_hash: str) -> dict[str, Any]:
    """What a share's hash covers: who shared which scenario (by its record hash) and when."""
    return {
        "id": row["id"],
        "scenario_id": row["scenario_id"],
        "scenario_hash": scenario_hash,
        "user": row["user"],
        "at": row["at"] if isinstance(row["at"], str) else utc_text(row["at"]),
    }
