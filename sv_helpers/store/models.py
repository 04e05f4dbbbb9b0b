"""The store's tables (SQLAlchemy 2), as the newest schema version has them.

The migrations in ``sv_helpers/store/migrations/versions`` build these tables;
``tests/store/test_store_migrations.py`` checks that the two agree.

* ``scenarios`` — one row per saved scenario; ``record_hash`` covers the row,
  its inputs and its outputs (see :func:`sv_helpers.store.records.scenario_record`).
* ``blobs`` — input files, content-addressed by SHA-256, each kept once.
* ``scenario_inputs`` / ``scenario_outputs`` — which files a scenario used and made.
* ``decisions`` — a scenario marked as the decision; never changed, a later one supersedes it.
* ``shares`` — a scenario an officer shared with councillors (schema 0003); until then it is a draft.
* ``audit_log`` — append-only; each entry's hash chains it to the one before.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Index, Integer, LargeBinary, String, Text, false
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

#: The newest schema version; ``tests/store/test_store_migrations.py`` checks it is Alembic's head.
SCHEMA_HEAD = "0003"


class Base(DeclarativeBase):
    """The declarative base of the store's tables."""


class Scenario(Base):
    """One saved scenario."""

    __tablename__ = "scenarios"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    notebook: Mapped[str] = mapped_column(String(64), index=True)  # the area: scoring, grants, ...
    name: Mapped[str] = mapped_column(String(200))
    note: Mapped[str] = mapped_column(Text, default="")
    user: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    parameters: Mapped[dict[str, Any]] = mapped_column(JSON)
    headline: Mapped[str] = mapped_column(Text, default="")
    package_version: Mapped[str] = mapped_column(String(64), default="")
    code_commit: Mapped[str] = mapped_column(String(64), default="")
    record_hash: Mapped[str] = mapped_column(String(64))


class Blob(Base):
    """One input file (or a folder packed as a zip), stored once by its SHA-256."""

    __tablename__ = "blobs"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(Integer)
    content: Mapped[bytes] = mapped_column(LargeBinary)


class ScenarioInput(Base):
    """An input file of a scenario: the setting it was given for, its name and its content's hash."""

    __tablename__ = "scenario_inputs"

    scenario_id: Mapped[str] = mapped_column(ForeignKey("scenarios.id"), primary_key=True)
    setting: Mapped[str] = mapped_column(String(100), primary_key=True)
    file_name: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(ForeignKey("blobs.sha256"))
    # Added by schema version 0002: the input was a folder, kept as a zip of its files.
    is_folder: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class ScenarioOutput(Base):
    """An output file of a scenario and its hash (the file itself is not kept: a rerun makes it again)."""

    __tablename__ = "scenario_outputs"

    scenario_id: Mapped[str] = mapped_column(ForeignKey("scenarios.id"), primary_key=True)
    file_name: Mapped[str] = mapped_column(String(255), primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64))


class Decision(Base):
    """A scenario marked as the decision or recommendation; a later decision supersedes it, both remain."""

    __tablename__ = "decisions"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    scenario_id: Mapped[str] = mapped_column(ForeignKey("scenarios.id"), index=True)
    user: Mapped[str] = mapped_column(String(200))
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    note: Mapped[str] = mapped_column(Text, default="")
    supersedes: Mapped[str | None] = mapped_column(String(32), nullable=True)


class Share(Base):
    """A scenario shared with councillors by an officer (added by schema version 0003); never changed."""

    __tablename__ = "shares"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    scenario_id: Mapped[str] = mapped_column(ForeignKey("scenarios.id"), index=True)
    user: Mapped[str] = mapped_column(String(200))
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class AuditEntry(Base):
    """One entry of the append-only audit log."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    user: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(20))  # save, share, decision, rerun, export, open, refused
    scenario_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    record_hash: Mapped[str] = mapped_column(String(64))
    detail: Mapped[str] = mapped_column(Text, default="")
    prev_hash: Mapped[str] = mapped_column(String(64))
    entry_hash: Mapped[str] = mapped_column(String(64))


# Added by schema version 0002.
Index("ix_audit_log_scenario_id", AuditEntry.scenario_id)
