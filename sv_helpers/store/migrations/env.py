"""Alembic's environment for the scenario store: runs on the connection the store hands it."""

from alembic import context

from sv_helpers.store.models import Base

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - the store always passes its connection
    raise RuntimeError("The store's migrations run through sv_helpers.store.migrate, which passes a connection.")
context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
