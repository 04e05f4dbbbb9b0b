"""A portable copy of the whole store, and loading one into a new store (``svw store export`` / ``import``).

The copy is one JSON-lines file per table, one file per stored input (named by its SHA-256) and a manifest.
Loading it checks everything before anything is kept (no symbolic links, no stored file no scenario uses,
every line readable, the loaded copy verifies) and undoes the whole import otherwise.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, DateTime, func, insert, select
from sqlalchemy.exc import SQLAlchemyError

from sv_helpers.store import access, audit, records, texts
from sv_helpers.store.access import Actor, as_actor
from sv_helpers.store.errors import CopyDoesNotVerify, NotAllowed, StoreError, reason
from sv_helpers.store.folders import sha256
from sv_helpers.store.models import (
    SCHEMA_HEAD,
    AuditEntry,
    Blob,
    Decision,
    Scenario,
    ScenarioInput,
    ScenarioOutput,
    Share,
)

#: What a copy's manifest names as its format.
EXPORT_FORMAT = "sv-workbook-store"
#: The tables a copy holds, in the order they are written and loaded.
TABLES = (Scenario, ScenarioInput, ScenarioOutput, Decision, Share, AuditEntry)


def export(store: Any, folder: str | Path, *, user: Actor | str | None = None) -> Path:
    """:meth:`Store.export <sv_helpers.store.api.Store.export>`: write a portable copy of the whole store (JSON lines and one file per stored input) into ``folder``.

    The export itself is recorded in the audit log first, so the copy holds its own entry. Officers
    only: the copy holds every draft.
    """
    actor = as_actor(user)
    if not actor.is_officer:
        store._refuse(actor, "export", None, access.refusal(actor, "export"))
    out = Path(folder)
    if out.exists() and any(out.iterdir()):
        raise StoreError(f"The folder {out} is not empty; please export into a new or empty folder.")
    store._writing(lambda conn: store._append(conn, "export", actor.name, None, records.GENESIS, f"to {out.name}"))
    (out / "blobs").mkdir(parents=True, exist_ok=True)
    counts = {}
    with store._reading() as conn:
        for model in TABLES:
            table = model.__table__
            order = [c for c in table.primary_key.columns]
            lines = []
            for r in conn.execute(select(*table.c).order_by(*order)):
                item = dict(r._mapping)
                for key, value in item.items():
                    if isinstance(value, dt.datetime):
                        item[key] = records.utc_text(value)
                lines.append(json.dumps(item, sort_keys=True, ensure_ascii=False))
            (out / f"{table.name}.jsonl").write_text("".join(line + "\n" for line in lines), encoding="utf-8")
            counts[table.name] = len(lines)
        for digest, content in conn.execute(select(Blob.sha256, Blob.content).order_by(Blob.sha256)):
            (out / "blobs" / digest).write_bytes(bytes(content))
            counts["blobs"] = counts.get("blobs", 0) + 1
    manifest = {
        "format": EXPORT_FORMAT,
        "format_version": 1,
        "schema": SCHEMA_HEAD,
        "counts": counts,
        "exported_at": records.utc_text(dt.datetime.now(dt.UTC)),
        "head": store.head(),
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return out


def import_(store: Any, folder: str | Path, *, user: Actor | str | None = None) -> dict[str, int]:
    """:meth:`Store.import_ <sv_helpers.store.api.Store.import_>`: load a copy written by :func:`export` into ``store``, which must hold no scenarios yet.

    Every row keeps its id and hashes, so ``verify`` holds in the new store. The copy is checked
    before anything is kept: no symbolic links, no stored file that no scenario uses, every line
    readable (a bad time or a control character in a name is named by file, line and column), and
    the loaded copy must verify; otherwise the whole import is undone. Officers only.
    Returns the number of rows loaded per table.

    Raises
    ------
    StoreError
        When the copy cannot be used; nothing was loaded.
    CopyDoesNotVerify
        When the loaded copy does not verify (its ``problems``); nothing was kept.
    """
    actor = as_actor(user)
    if not actor.is_officer:
        raise NotAllowed(access.refusal(actor, "import"))  # no audit entry: the store must stay empty
    src = Path(folder)
    _refuse_links(src)
    manifest_path = src / "manifest.json"
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise StoreError(f"{src} is not a copy of a scenario store: it has no readable manifest.json.") from None
    if not isinstance(manifest, dict) or manifest.get("format") != EXPORT_FORMAT:
        raise StoreError(f"{src} is not a copy of a scenario store (its manifest names another format).")
    rows = {model.__table__.name: _read_rows(src / f"{model.__table__.name}.jsonl", model) for model in TABLES}
    blobs_dir = src / "blobs"
    blob_files = sorted(blobs_dir.iterdir()) if blobs_dir.is_dir() else []
    for path in blob_files:
        if not path.is_file():
            raise StoreError(f"The copy's blobs folder holds {path.name}, which is not a file; it is not a copy.")
    needed = {i.get("sha256") for i in rows["scenario_inputs"]}
    present = {p.name for p in blob_files}
    if needed - present:
        raise StoreError(f"The copy lacks the stored input {sorted(needed - present)[0][:12]}…; it is incomplete.")
    if present - needed:
        raise StoreError(
            f"The copy holds a stored file, blobs/{sorted(present - needed)[0]}, that no scenario uses; "
            "an export never writes one, so the copy was changed. Nothing was loaded."
        )

    def work(conn: Connection) -> dict[str, int]:
        if (
            conn.execute(select(func.count()).select_from(Scenario)).scalar()
            or conn.execute(select(func.count()).select_from(AuditEntry)).scalar()
        ):
            raise StoreError("This store already holds scenarios or an audit trail; import into a new, empty one.")
        counts = {"blobs": 0}
        for path in blob_files:
            data = path.read_bytes()
            if sha256(data) != path.name:
                raise StoreError(f"The stored input {path.name[:12]}… in the copy does not match its hash.")
            conn.execute(insert(Blob).values(sha256=path.name, size=len(data), content=data))
            counts["blobs"] += 1
        for model in TABLES:
            items = rows[model.__table__.name]
            if items:
                conn.execute(insert(model), items)
            counts[model.__table__.name] = len(items)
        problems = audit.find_problems(conn)
        if problems:  # raising undoes the whole transaction: none of the copy stays
            raise CopyDoesNotVerify(
                f"The copy does not verify, so nothing of it was kept. First problem: {problems[0]}", problems
            )
        return counts

    try:
        return store._writing(work)
    except SQLAlchemyError as exc:
        raise StoreError(f"The copy could not be loaded, and nothing was changed: {reason(exc)}.") from None


#: The columns of an imported copy that hold text a person typed (checked for control characters).
_TYPED_TEXT = {"name": False, "note": True, "user": False, "detail": True, "headline": True}


def _refuse_links(src: Path) -> None:
    """Refuse a copy that is, or holds, a symbolic link (it could make the import read files elsewhere)."""
    if src.is_symlink():
        raise StoreError(f"{src} is a symbolic link; please import from the folder itself.")
    if not src.is_dir():
        raise StoreError(f"{src} is not a folder holding a copy of a scenario store.")
    for path in sorted(src.rglob("*")):
        if path.is_symlink():
            raise StoreError(
                f"The copy holds a symbolic link, {path.relative_to(src).as_posix()}; a copy written by "
                "'svw store export' has none, so nothing was loaded."
            )


def _read_rows(path: Path, model: Any) -> list[dict[str, Any]]:
    """The rows of one table of a copy, each line checked; a problem names the file, the line and the column."""
    table = model.__table__
    if not path.exists():
        return []
    items = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        where = f"{path.name}, line {number}"
        try:
            item = json.loads(line)
        except ValueError:
            raise StoreError(f"{where}, cannot be read; the copy is damaged.") from None
        if not isinstance(item, dict):
            raise StoreError(f"{where}, is not a record (it should be a JSON object); the copy is damaged.")
        for column in table.c:
            value = item.get(column.name)
            if isinstance(column.type, DateTime) and value is not None:
                try:
                    item[column.name] = records.parse_utc(value)
                except (TypeError, ValueError):
                    raise StoreError(
                        f"{where}, column {column.name}: '{str(value)[:40]}' is not a time in the form "
                        "2026-03-12T10:00:00.000000Z; the copy is damaged. Nothing was loaded."
                    ) from None
            elif column.name in _TYPED_TEXT and isinstance(value, str):
                bad = texts.first_forbidden(value, multiline=_TYPED_TEXT[column.name])
                if bad:
                    raise StoreError(f"{where}, column {column.name}, holds {bad}, which is not allowed.")
        items.append({c.name: item.get(c.name) for c in table.c if c.name in item})
    return items
