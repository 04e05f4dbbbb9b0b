"""The scenario store: save, list, open, decide, rerun, verify, export and import.

A saved scenario is its area's ``Settings`` (as parameters), each input file
kept in the store by SHA-256, the hash of each output file, the headline, and
who saved it when.  Every save, share, decision, rerun, export, opening and
refusal adds an entry to the append-only audit log, chained by hash to the
entry before.

Who may do what is :mod:`sv_helpers.store.access`: a scenario is a draft until
an officer shares it; councillors list and open only shared scenarios; only
officers save, share and record decisions.  Each call takes ``user``: an
:class:`~sv_helpers.store.access.Actor` (a name and a role), a bare name (in
the current role), or nothing (whoever is acting, :func:`current_actor`).

Beside it: :mod:`~sv_helpers.store.errors` (what a person can act on: :class:`StoreError`, an
``InputError``, so apps and notebooks show its plain-English message), :mod:`~sv_helpers.store.folders`
(the files a scenario holds and vouches for), :mod:`~sv_helpers.store.audit` (checking the trail and every
record), :mod:`~sv_helpers.store.transfer` (a portable copy of the store, and loading one).  No widgets.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import logging
import os
import random
import shutil
import subprocess
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, insert, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, OperationalError, SQLAlchemyError

from sv_helpers.core.errors import InputError
from sv_helpers.core.paths import REPO_ROOT
from sv_helpers.store import access, audit, records, transfer
from sv_helpers.store.access import Actor, as_actor, current_actor, current_user
from sv_helpers.store.errors import CopyDoesNotVerify, NotAllowed, StoreError, StoreUnavailable, checked_text, reason
from sv_helpers.store.folders import (
    is_compared,
    output_hashes,
    pack_folder,
    safe_name,
    sha256,
    table_outputs,
    unpack_folder,
)
from sv_helpers.store.models import (
    SCHEMA_HEAD,
    AuditEntry,
    Base,
    Blob,
    Decision,
    Scenario,
    ScenarioInput,
    ScenarioOutput,
    Share,
)

log = logging.getLogger("sv_helpers")

#: Where the store lives when nothing else is said.
DEFAULT_PATH = REPO_ROOT / "var" / "workbook.sqlite"
#: Where opened scenarios' input files are put back (the same place the apps keep uploads).
RESTORE_DIR = REPO_ROOT / "var" / "uploads"
ACTIONS = ("save", "share", "decision", "rerun", "export", "open", "refused")


# --------------------------------------------------------------------------- who and where


def default_url() -> str:
    """The store's address: ``SV_STORE_URL`` when set, else ``var/workbook.sqlite`` in the workbook folder."""
    return os.environ.get("SV_STORE_URL", "").strip() or f"sqlite:///{DEFAULT_PATH}"


@functools.lru_cache(maxsize=1)
def code_commit() -> str:
    """The git commit of the workbook's code when known (``SV_CODE_COMMIT`` or ``git rev-parse``), else ''."""
    given = os.environ.get("SV_CODE_COMMIT", "").strip()
    if given:
        return given
    if not (REPO_ROOT / ".git").exists():
        return ""
    try:
        out = subprocess.run(
            ["git", "-C", str(REPO_ROOT), "rev-parse", "HEAD"], capture_output=True, text=True, timeout=5, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return ""
    return out.stdout.strip() if out.returncode == 0 else ""


def shown_url(url: str) -> str:
    """The store's address with any password hidden."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001
        return "the given address"


def _area(notebook: str):
    from sv_helpers.core import scenario as core

    try:
        return core.area(notebook)
    except ImportError as exc:
        raise StoreError(f"The scenario belongs to '{notebook}', whose code could not be loaded ({exc}).") from None


def _headline_text(headline: Any) -> str:
    return headline if isinstance(headline, str) else " ".join(str(h) for h in headline or [])


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _new_id() -> str:
    return uuid.uuid4().hex[:12]


# --------------------------------------------------------------------------- results of calls


@dataclass
class Comparison:
    """What a rerun found.

    Attributes
    ----------
    identical : bool
        Every compared output matches its stored hash, and none is missing or new.
    differences : list of str
        Plain-English lines, one per output that differs, is missing or is new.
    compared : list of str
        The outputs compared byte for byte.
    output_dir : Path
        Where the rerun wrote its outputs.
    """

    identical: bool
    differences: list[str]
    compared: list[str]
    output_dir: Path
    headline: str = ""
    notes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """``identical``, or what differs."""
        if self.identical:
            return "identical"
        return "different:\n" + "\n".join(f"- {d}" for d in self.differences)


@dataclass
class _Prepared:
    """Everything a save writes, gathered before the store is touched."""

    row: dict[str, Any]
    inputs: list[dict[str, Any]]
    outputs: list[dict[str, Any]]
    blobs: dict[str, bytes] = field(default_factory=dict)


# --------------------------------------------------------------------------- the store


def open_store(url: str | None = None) -> Store:
    """Open (and, on first use, create or upgrade) the store at ``url`` (default: :func:`default_url`).

    Raises
    ------
    StoreUnavailable
        When the store cannot be reached or opened; the message says where and why.
    """
    return Store(url or default_url())


class Store:
    """One scenario store (see the module's docstring)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        try:
            self.engine = self._engine(url)
            self._upgrade()
        except StoreUnavailable as exc:
            raise StoreUnavailable(
                f"The scenario store at {shown_url(url)} cannot be opened: "
                f"{getattr(exc, 'reason', exc)}. Saved scenarios cannot be "
                "listed or saved until it can; everything else works."
            ) from None
        except StoreError:
            raise
        except (SQLAlchemyError, OSError, ImportError) as exc:
            raise StoreUnavailable(
                f"The scenario store at {shown_url(url)} cannot be opened: {reason(exc)}. "
                "Saved scenarios cannot be listed or saved until it can; everything else works."
            ) from None

    # ------------------------------------------------------------------ connection

    def _engine(self, url: str) -> Engine:
        if not self.is_sqlite:
            return create_engine(url, pool_pre_ping=True, connect_args={"connect_timeout": 10})
        database = make_url(url).database
        if database and database != ":memory:":
            Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30})

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_connection: Any, record: Any) -> None:
            dbapi_connection.isolation_level = None  # we say BEGIN ourselves (below)
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA busy_timeout = 30000")
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")
            cursor.execute("PRAGMA foreign_keys = ON")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _on_begin(conn: Connection) -> None:
            # A writer takes the write lock at once, so two savers queue instead of failing half-way.
            conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get("sv_write") else "BEGIN")

        return engine

    def _connect(self) -> Connection:
        try:
            return self.engine.connect()
        except DBAPIError as exc:
            if _is_busy(exc):
                raise  # another writer holds the store: the caller retries
            why = reason(exc)
            error = StoreUnavailable(
                f"The saved scenarios cannot be reached just now ({why}). Nothing was "
                "changed, and everything else works; please try again later."
            )
            error.reason = why
            raise error from None

    @contextmanager
    def _reading(self) -> Iterator[Connection]:
        """One read transaction that sees one moment of the store (PostgreSQL: repeatable read)."""
        with self._connect() as conn:
            if not self.is_sqlite:
                conn.execution_options(isolation_level="REPEATABLE READ")
            with conn.begin():
                yield conn

    def _writing(self, work: Callable[[Connection], Any], *, attempts: int = 8) -> Any:
        """Run ``work`` in one write transaction, writers one at a time, retrying when the store is busy.

        Everything ``work`` did is undone if it fails: the store is left as it was.
        """
        for attempt in range(attempts):
            try:
                with self._connect() as conn:
                    conn.execution_options(sv_write=True)
                    with conn.begin():
                        if not self.is_sqlite:
                            conn.execute(text("SELECT pg_advisory_xact_lock(4823001)"))
                        return work(conn)
            except DBAPIError as exc:
                if attempt == attempts - 1 or not _is_busy(exc):
                    raise
                time.sleep(0.05 * (2**attempt) * (1 + random.random()))
        raise AssertionError("unreachable")  # pragma: no cover

    def _upgrade(self) -> None:
        """Bring the schema to :data:`SCHEMA_HEAD` (Alembic, programmatically), writers held off meanwhile."""
        if self._schema_version() == SCHEMA_HEAD:
            return
        from sv_helpers.store.migrate import upgrade

        def work(conn: Connection) -> None:
            upgrade(conn, SCHEMA_HEAD)

        self._writing(work)

    def _schema_version(self) -> str | None:
        try:
            with self._reading() as conn:
                return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        except (OperationalError, DBAPIError) as exc:
            if "alembic_version" in str(exc) or "no such table" in str(exc) or "does not exist" in str(exc):
                return None
            raise

    def schema_version(self) -> str | None:
        """The store's schema version (Alembic revision)."""
        return self._schema_version()

    def close(self) -> None:
        """Let go of the store's connections."""
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Store({shown_url(self.url)!r})"

    # ------------------------------------------------------------------ saving

    def save(self, result: Any, name: str, note: str = "", user: Actor | str | None = None) -> str:
        """Save a result as a scenario (a draft, until an officer shares it) and return its id.

        Keeps each input file the settings name (``settings.input_paths()``) in the
        store, once however many scenarios use it, and the hash of each output
        it vouches for (:func:`table_outputs`: the tables as CSV and the result's
        own files), so a rerun can show they come out the same.

        Raises
        ------
        StoreError
            When the name is empty or holds a control character, an input file
            cannot be read, or the store cannot take the scenario; the store is
            then left as it was.
        NotAllowed
            When the person saving is not an officer (the refusal is in the audit log).
        """
        actor = as_actor(user)
        if not actor.is_officer:
            self._refuse(actor, "save", None, access.refusal(actor, "save"))
        name = checked_text(name, "scenario's name")
        if not name:
            raise StoreError("Please give the scenario a name before saving it.")
        if len(name) > 200:
            raise StoreError("The scenario's name is longer than 200 characters; please shorten it.")
        note = checked_text(note, "scenario's note", multiline=True)
        prepared = self._prepare(result, name, note, checked_text(actor.name, "user's name"))

        def work(conn: Connection) -> str:
            self._insert_scenario(conn, prepared)
            self._append(conn, "save", prepared.row["user"], prepared.row["id"], prepared.row["record_hash"])
            return prepared.row["id"]

        try:
            return self._writing(work)
        except StoreError:
            raise
        except Exception as exc:  # noqa: BLE001 - the transaction was undone; say so plainly
            log.exception("Saving a scenario failed")
            raise StoreError(
                f"The scenario '{name}' could not be saved, and nothing was changed: {reason(exc)}. "
                "Please try again; if it keeps failing, tell the workbook's administrator."
            ) from None

    def _prepare(self, result: Any, name: str, note: str, user: str) -> _Prepared:
        settings = result.settings
        notebook = getattr(settings, "AREA", "") or ""
        if not notebook:
            raise StoreError("This result does not say which part of the workbook made it, so it cannot be saved.")
        specs = settings.specs()
        inputs, blobs = [], {}
        for setting_name, given in settings.input_paths().items():
            from sv_helpers.core.paths import resolve_path

            path = resolve_path(given, setting=setting_name)
            label = specs[setting_name].label
            try:
                if path.is_dir():
                    data, is_folder = pack_folder(path), True
                else:
                    data, is_folder = path.read_bytes(), False
            except OSError:
                raise StoreError(
                    f"The input file for '{label}' ({given}) cannot be read, so the scenario "
                    "cannot be saved with it. Please check the file is still there."
                ) from None
            digest = sha256(data)
            blobs[digest] = data
            inputs.append(
                {"setting": setting_name, "file_name": safe_name(path.name), "sha256": digest, "is_folder": is_folder}
            )
        try:
            outputs = [{"file_name": n, "sha256": sha256(b)} for n, b in sorted(table_outputs(result).items())]
        except Exception as exc:  # noqa: BLE001 - told in plain English below
            log.exception("Hashing the outputs of a scenario failed")
            raise StoreError(f"The outputs of this scenario could not be read, so it was not saved ({exc}).") from None
        from sv_helpers import __version__

        row = {
            "id": _new_id(),
            "notebook": notebook,
            "name": name,
            "note": note,
            "user": user,
            "created_at": records.utc_text(_now()),
            "parameters": json.loads(json.dumps(settings.to_parameters(), default=str)),
            "headline": _headline_text(result.headline),
            "package_version": __version__,
            "code_commit": code_commit(),
        }
        row["record_hash"] = records.digest(records.scenario_record(row, inputs, outputs))
        return _Prepared(row=row, inputs=inputs, outputs=outputs, blobs=blobs)

    def _insert_scenario(self, conn: Connection, prepared: _Prepared) -> None:
        have = set(conn.execute(select(Blob.sha256).where(Blob.sha256.in_(list(prepared.blobs)))).scalars())
        for digest, data in prepared.blobs.items():
            if digest not in have:
                conn.execute(insert(Blob).values(sha256=digest, size=len(data), content=data))
        row = {**prepared.row, "created_at": records.parse_utc(prepared.row["created_at"])}
        conn.execute(insert(Scenario).values(**row))
        for item in prepared.inputs:
            conn.execute(insert(ScenarioInput).values(scenario_id=row["id"], **item))
        for item in prepared.outputs:
            conn.execute(insert(ScenarioOutput).values(scenario_id=row["id"], **item))

    def _append(
        self, conn: Connection, action: str, user: str, scenario_id: str | None, record_hash: str, detail: str = ""
    ) -> dict[str, Any]:
        """Add one audit entry, chained to the last (the caller holds the write lock)."""
        user = checked_text(user, "user's name")  # a name from a header could hold anything
        latest = select(AuditEntry.id, AuditEntry.entry_hash).order_by(AuditEntry.id.desc()).limit(1)
        last = conn.execute(latest).first()
        prev = last.entry_hash if last else records.GENESIS
        entry = {
            "id": (last.id + 1) if last else 1,
            "at": records.utc_text(_now()),
            "user": user,
            "action": action,
            "scenario_id": scenario_id,
            "record_hash": record_hash,
            "detail": detail,
        }
        entry["prev_hash"] = prev
        entry["entry_hash"] = records.entry_hash(prev, entry)
        conn.execute(insert(AuditEntry).values(**{**entry, "at": records.parse_utc(entry["at"])}))
        return entry

    def _refuse(self, actor: Actor, what: str, scenario_id: str | None, message: str) -> None:
        """Record a refusal in the audit log, then raise :class:`NotAllowed` with ``message``."""
        detail = f"{what} refused: {actor.name} is a {actor.role}"

        def work(conn: Connection) -> None:
            record_hash = None
            if scenario_id:
                record_hash = conn.execute(select(Scenario.record_hash).where(Scenario.id == scenario_id)).scalar()
            named = scenario_id if record_hash else None  # an id that names no scenario stays out of the entry
            self._append(conn, "refused", actor.name, named, record_hash or records.GENESIS, detail)

        try:
            self._writing(work)
        except StoreError:
            raise
        except Exception:  # noqa: BLE001 - the refusal stands even if it could not be written down
            log.exception("A refusal could not be written to the audit log")
        raise NotAllowed(message)

    # ------------------------------------------------------------------ reading

    def list(self, notebook: str | None = None, *, user: Actor | str | None = None) -> list[dict[str, Any]]:
        """The saved scenarios the person may see, newest first (of one area when ``notebook`` is given).

        Officers see every scenario; councillors the shared ones (and any they saved themselves).
        Each is a plain dictionary with ``id``, ``notebook``, ``name``, ``note``, ``created_at``, ``user``,
        ``parameters``, ``headline``, ``inputs`` (setting → SHA-256), ``outputs``
        (file name → SHA-256), ``decision`` (``None``, or ``user``, ``at``,
        ``note`` and ``current``) and ``shared`` (``None`` for a draft, or ``user`` and ``at``).
        """
        actor = as_actor(user)
        with self._reading() as conn:
            query = select(Scenario).order_by(Scenario.created_at.desc(), Scenario.id)
            if notebook:
                query = query.where(Scenario.notebook == notebook)
            rows = [dict(r._mapping) for r in conn.execute(query.with_only_columns(*Scenario.__table__.c))]
            shares = self._shares(conn)
            if not actor.is_officer:
                rows = [r for r in rows if access.can_see(actor, {"user": r["user"], "shared": shares.get(r["id"])})]
            ids = [r["id"] for r in rows]
            ins = audit.children(conn, ScenarioInput, ids)
            outs = audit.children(conn, ScenarioOutput, ids)
            decisions = self._decisions(conn)
        return [self._describe(r, ins.get(r["id"], []), outs.get(r["id"], []), decisions, shares) for r in rows]

    def get(self, scenario_id: str, *, user: Actor | str | None = None, action: str = "open") -> dict[str, Any]:
        """One saved scenario (as :meth:`list` gives them), with its inputs' file names and its decisions.

        Raises
        ------
        StoreError
            When no scenario has that id.
        NotAllowed
            When a councillor asks for a draft (recorded in the audit log as a refused ``action``).
        """
        actor = as_actor(user)
        out = self._get(scenario_id)
        if not access.can_see(actor, out):
            self._refuse(actor, action, out["id"], access.unshared(out))
        return out

    def _get(self, scenario_id: str) -> dict[str, Any]:
        scenario_id = str(scenario_id).strip()
        with self._reading() as conn:
            row = conn.execute(select(*Scenario.__table__.c).where(Scenario.id == scenario_id)).first()
            if row is None:
                raise StoreError(
                    f"There is no saved scenario with the id '{scenario_id[:40]}'. "
                    "It may have been saved in another copy of the workbook."
                )
            row = dict(row._mapping)
            ins = audit.children(conn, ScenarioInput, [scenario_id]).get(scenario_id, [])
            outs = audit.children(conn, ScenarioOutput, [scenario_id]).get(scenario_id, [])
            decisions = self._decisions(conn)
            shares = self._shares(conn)
        out = self._describe(row, ins, outs, decisions, shares)
        out["input_files"] = {
            i["setting"]: {"file_name": i["file_name"], "sha256": i["sha256"], "folder": bool(i.get("is_folder"))}
            for i in ins
        }
        out["decisions"] = [d for d in decisions["all"] if d["scenario_id"] == scenario_id]
        out["record_hash"] = row["record_hash"]
        out["package_version"] = row["package_version"]
        out["code_commit"] = row["code_commit"]
        return out

    def _decisions(self, conn: Connection) -> dict[str, Any]:
        query = select(*Decision.__table__.c).order_by(Decision.at, Decision.id)
        rows = [dict(r._mapping) for r in conn.execute(query)]
        superseded = {r["supersedes"] for r in rows if r["supersedes"]}
        latest: dict[str, dict[str, Any]] = {}
        for r in rows:
            latest[r["scenario_id"]] = r
        shown = [
            {
                "id": r["id"],
                "scenario_id": r["scenario_id"],
                "user": r["user"],
                "at": records.utc_text(r["at"]),
                "note": r["note"],
                "supersedes": r["supersedes"],
                "current": r["id"] not in superseded,
            }
            for r in rows
        ]
        by_id = {d["id"]: d for d in shown}
        return {"all": shown, "latest": {sid: by_id[r["id"]] for sid, r in latest.items()}}

    def _shares(self, conn: Connection) -> dict[str, dict[str, Any]]:
        """Each shared scenario's first share: scenario id → ``id``, ``user``, ``at``."""
        out: dict[str, dict[str, Any]] = {}
        for r in conn.execute(select(*Share.__table__.c).order_by(Share.at, Share.id)):
            out.setdefault(r.scenario_id, {"id": r.id, "user": r.user, "at": records.utc_text(r.at)})
        return out

    @staticmethod
    def _describe(
        row: Mapping[str, Any], ins: list, outs: list, decisions: Mapping[str, Any], shares: Mapping[str, Any]
    ) -> dict[str, Any]:
        decision = decisions["latest"].get(row["id"])
        shared = shares.get(row["id"])
        return {
            "id": row["id"],
            "notebook": row["notebook"],
            "name": row["name"],
            "note": row["note"] or "",
            "created_at": records.utc_text(row["created_at"]),
            "user": row["user"],
            "parameters": row["parameters"],
            "headline": row["headline"] or "",
            "inputs": {i["setting"]: i["sha256"] for i in sorted(ins, key=lambda i: i["setting"])},
            "outputs": {o["file_name"]: o["sha256"] for o in sorted(outs, key=lambda o: o["file_name"])},
            "decision": None if decision is None else {k: decision[k] for k in ("user", "at", "note", "current")},
            "shared": None if shared is None else {"user": shared["user"], "at": shared["at"]},
        }

    # ------------------------------------------------------------------ opening and rerunning

    def restore(
        self,
        scenario_id: str,
        folder: str | Path | None = None,
        *,
        user: Actor | str | None = None,
        record: bool = True,
    ) -> tuple[Any, dict[str, Path]]:
        """Put a scenario's inputs back as files and return its settings with their paths, and the paths.

        Each input goes to ``<folder>/<sha256>/<file name>`` (default folder:
        ``var/uploads``, where the apps keep uploads), so opening a scenario
        twice writes nothing new.  ``record`` adds an "open" entry to the audit log.
        A councillor may open only a shared scenario (:class:`NotAllowed` otherwise).
        """
        actor = as_actor(user)
        scenario = self.get(scenario_id, user=actor)
        base = Path(folder) if folder is not None else RESTORE_DIR
        paths: dict[str, Path] = {}
        with self._reading() as conn:
            for setting_name, item in scenario["input_files"].items():
                data = conn.execute(select(Blob.content).where(Blob.sha256 == item["sha256"])).scalar()
                if data is None or sha256(bytes(data)) != item["sha256"]:
                    raise StoreError(
                        f"The stored input '{item['file_name']}' of scenario {scenario_id} is missing "
                        "or damaged; run 'svw audit verify' for details."
                    )
                target = base / item["sha256"] / safe_name(item["file_name"])
                if item["folder"]:
                    if not target.is_dir() or sha256(pack_folder(target)) != item["sha256"]:
                        if target.exists():
                            shutil.rmtree(target)
                        unpack_folder(bytes(data), target)
                elif not target.is_file() or sha256(target.read_bytes()) != item["sha256"]:
                    target.parent.mkdir(parents=True, exist_ok=True)
                    part = target.with_name(f"{target.name}.{uuid.uuid4().hex}.part")
                    part.write_bytes(bytes(data))
                    part.replace(target)
                paths[setting_name] = target
        settings_cls = _area(scenario["notebook"]).Settings
        parameters = {**scenario["parameters"], **{n: str(p) for n, p in paths.items()}}
        settings = settings_cls.from_saved(parameters)
        if record:
            self._log(scenario_id, "open", actor.name)
        return settings, paths

    def _log(self, scenario_id: str, action: str, user: str | None, detail: str = "") -> None:
        def work(conn: Connection) -> None:
            record_hash = conn.execute(select(Scenario.record_hash).where(Scenario.id == scenario_id)).scalar()
            self._append(conn, action, user or current_user(), scenario_id, record_hash or "", detail)

        self._writing(work)

    def rerun(self, scenario_id: str, output_dir: str | Path, *, user: Actor | str | None = None) -> Comparison:
        """Run a saved scenario again from its STORED inputs and settings, write its outputs, compare them.

        The original input files are not needed.  The outputs the saved record
        vouches for (tables as CSV, the result's JSON files) are compared byte for
        byte with their stored hashes, as written to ``output_dir``; files the
        area's ``write`` adds beyond them (workbooks, reports, the provenance
        record with the time of the run) are written but not compared.
        """
        actor = as_actor(user)
        scenario = self.get(scenario_id, user=actor, action="rerun")
        out = Path(output_dir)
        core = _area(scenario["notebook"])
        notes: list[str] = []
        scratch = REPO_ROOT / "var" / "tmp"  # inside the workbook's folder, where inputs may be read from
        scratch.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix="sv-rerun-", dir=scratch) as tmp:
            settings, _ = self.restore(scenario_id, tmp, user=actor, record=False)
            result = core.run(settings, inputs=core.load(settings))
            out.mkdir(parents=True, exist_ok=True)
            try:
                core.write(result, out)
            except InputError as exc:  # e.g. no Chromium for the PDF: the tables are what is compared
                notes.append(f"Not every output could be written: {exc}")
                if not any(out.iterdir()):
                    from sv_helpers.core.scenario import write_result

                    write_result(result, out)
        on_disk = output_hashes(out)
        in_memory = {n: sha256(b) for n, b in table_outputs(result).items()}
        stored = scenario["outputs"]
        differences, compared = [], []
        for file_name in sorted(set(stored) | set(in_memory)):
            if not is_compared(file_name):
                continue
            now = on_disk.get(file_name) or in_memory.get(file_name)
            if now is None:
                differences.append(f"{file_name} was not made by the rerun")
            elif file_name not in stored:
                differences.append(f"{file_name} is new: the saved scenario had no such output")
            else:
                compared.append(file_name)
                if now != stored[file_name]:
                    differences.append(
                        f"{file_name} differs (saved SHA-256 {stored[file_name][:12]}…, now {now[:12]}…)"
                    )
        extra = sorted(n for n in on_disk if n not in stored and n not in in_memory)
        if extra:
            notes.append("Also written, not part of the saved record: " + ", ".join(extra) + ".")
        comparison = Comparison(
            identical=not differences,
            differences=differences,
            compared=compared,
            output_dir=out,
            headline=_headline_text(result.headline),
            notes=notes,
        )
        detail = "identical" if comparison.identical else "; ".join(differences)[:2000]
        self._log(scenario_id, "rerun", actor.name, detail)
        return comparison

    # ------------------------------------------------------------------ decisions

    def share(self, scenario_id: str, user: Actor | str | None = None) -> dict[str, Any]:
        """Share a saved scenario with councillors (officers only); returns the share (``id``, ``user``, ``at``).

        Sharing is never undone or changed; sharing a shared scenario again changes nothing and returns
        the first share.
        """
        actor = as_actor(user)
        if not actor.is_officer:
            self._refuse(actor, "share", str(scenario_id).strip()[:32] or None, access.refusal(actor, "share"))
        scenario = self._get(scenario_id)

        def work(conn: Connection) -> dict[str, Any]:
            first = self._shares(conn).get(scenario["id"])
            if first is not None:
                return first
            row = {"id": _new_id(), "scenario_id": scenario["id"], "user": actor.name, "at": records.utc_text(_now())}
            scenario_hash = conn.execute(select(Scenario.record_hash).where(Scenario.id == scenario["id"])).scalar()
            digest = records.digest(records.share_record(row, scenario_hash))
            conn.execute(insert(Share).values(**{**row, "at": records.parse_utc(row["at"])}))
            self._append(conn, "share", actor.name, scenario["id"], digest, row["id"])
            return {"id": row["id"], "user": row["user"], "at": row["at"]}

        return self._writing(work)

    def mark_decision(self, scenario_id: str, note: str, user: Actor | str | None = None) -> dict[str, Any]:
        """Mark a saved scenario as the decision (or recommendation) of its area, with a note (officers only).

        Nothing is overwritten: the area's current decision, if any, is superseded and stays.
        """
        actor = as_actor(user)
        if not actor.is_officer:
            self._refuse(actor, "decision", str(scenario_id).strip()[:32] or None, access.refusal(actor, "decision"))
        note = checked_text(note, "decision note", multiline=True)
        if not note:
            raise StoreError("Please say what the decision is (for example 'Recommended to Cabinet 12 March 2026').")
        scenario = self._get(scenario_id)
        scenario_id = scenario["id"]
        who = actor.name

        def work(conn: Connection) -> dict[str, Any]:
            same_area = select(Scenario.id).where(Scenario.notebook == scenario["notebook"])
            rows = conn.execute(
                select(Decision.id, Decision.supersedes)
                .where(Decision.scenario_id.in_(same_area))
                .order_by(Decision.at, Decision.id)
            ).all()
            superseded = {r.supersedes for r in rows if r.supersedes}
            current = [r.id for r in rows if r.id not in superseded]
            row = {
                "id": _new_id(),
                "scenario_id": scenario_id,
                "user": who,
                "at": records.utc_text(_now()),
                "note": note,
                "supersedes": current[-1] if current else None,
            }
            scenario_hash = conn.execute(select(Scenario.record_hash).where(Scenario.id == scenario_id)).scalar()
            digest = records.digest(records.decision_record(row, scenario_hash))
            conn.execute(insert(Decision).values(**{**row, "at": records.parse_utc(row["at"])}))
            self._append(conn, "decision", who, scenario_id, digest, row["id"])
            return row

        return self._writing(work)

    # ------------------------------------------------------------------ the audit trail

    def audit_log(self) -> list[dict[str, Any]]:
        """Every audit entry, oldest first, as plain dictionaries."""
        with self._reading() as conn:
            rows = conn.execute(select(*AuditEntry.__table__.c).order_by(AuditEntry.id)).all()
        return [{**dict(r._mapping), "at": records.utc_text(r.at)} for r in rows]

    def verify(self) -> list[str]:
        """Check the audit chain, every scenario, decision and stored file; return the problems found (none: ``[]``).

        The first problem is the first entry or record that does not match.
        """
        with self._reading() as conn:
            return audit.find_problems(conn)

    def head(self) -> str:
        """The hash of the latest audit entry (note it down elsewhere to detect a rewritten trail)."""
        with self._reading() as conn:
            value = conn.execute(select(AuditEntry.entry_hash).order_by(AuditEntry.id.desc()).limit(1)).scalar()
        return value or records.GENESIS

    # ------------------------------------------------------------------ export and import (store/transfer.py)

    def export(self, folder: str | Path, *, user: Actor | str | None = None) -> Path:
        """Write a portable copy of the whole store into ``folder`` (officers only): :func:`transfer.export`."""
        return transfer.export(self, folder, user=user)

    def import_(self, folder: str | Path, *, user: Actor | str | None = None) -> dict[str, int]:
        """Load a copy written by :meth:`export` into this empty store (officers only): :func:`transfer.import_`."""
        return transfer.import_(self, folder, user=user)


def _is_busy(exc: BaseException) -> bool:
    message = str(getattr(exc, "orig", exc)).lower()
    return any(
        s in message
        for s in (
            "database is locked",
            "database is busy",
            "deadlock detected",
            "could not serialize",
            "could not obtain lock",
        )
    )


def _in_voila() -> bool:
    """Whether Voila started this kernel (the same test as ``sv_helpers.apps.widgets.in_voila``, without widgets)."""
    return (
        any(k in os.environ for k in ("VOILA_KERNEL_ID", "VOILA_BASE_URL", "VOILA_REQUEST_URL"))
        or os.environ.get("VOILA_PREHEAT", "False") != "False"
    )


def record_run(
    result: Any, store_url: str | None = "default", *, name: str | None = None, note: str = "", user: str | None = None
) -> str | None:
    """Record a notebook's run as a saved scenario (the notebooks' ``store_url`` parameter).

    ``store_url`` ``"default"`` (or ``None``) records in the default store, ``""``
    records nothing, anything else is a store's address.  Inside an app (Voila
    runs the notebook for every page view) nothing is recorded: the app's
    "Save this scenario" does that.  Returns the scenario's id, or ``None`` when
    nothing was recorded.

    Raises
    ------
    StoreError
        When the run cannot be recorded (the store cannot be reached, an input is gone).
    """
    if store_url is not None and not str(store_url).strip():
        return None
    if _in_voila():
        return None
    url = None if store_url in (None, "default") else str(store_url)
    store = open_store(url)
    try:
        notebook = getattr(result.settings, "NOTEBOOK", "") or getattr(result.settings, "AREA", "")
        when = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
        return store.save(
            result, name or f"Run of {notebook} on {when}", note or "Recorded by a notebook run.", user=user
        )
    finally:
        store.close()


# Keep the tables importable from here for callers that inspect the store.
__all__ = [
    "Actor",
    "Base",
    "Comparison",
    "CopyDoesNotVerify",
    "NotAllowed",
    "Store",
    "StoreError",
    "StoreUnavailable",
    "current_actor",
    "current_user",
    "default_url",
    "open_store",
    "record_run",
]
