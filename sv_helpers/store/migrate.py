"""Bring a store's schema up to date with Alembic, programmatically (no ``alembic.ini`` needed).

The migration scripts live inside the package (``sv_helpers/store/migrations``)
so they ship with it.  A developer adds a version with::

    alembic -x url=sqlite:///var/workbook.sqlite -c /dev/null revision -m "..."  # or copy the newest script
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import Connection

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def config(connection: Connection | None = None) -> Config:
    """An Alembic configuration for the store's migrations, using ``connection`` when given."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.attributes["connection"] = connection
    return cfg


def head() -> str:
    """The newest schema version the migrations define."""
    return ScriptDirectory.from_config(config()).get_current_head()


def upgrade(connection: Connection, revision: str = "head") -> None:
    """Upgrade the schema on ``connection`` (inside the caller's transaction) to ``revision``."""
    command.upgrade(config(connection), revision)


def downgrade(connection: Connection, revision: str) -> None:
    """Downgrade the schema on ``connection`` to ``revision`` (for tests and administrators)."""
    command.downgrade(config(connection), revision)
