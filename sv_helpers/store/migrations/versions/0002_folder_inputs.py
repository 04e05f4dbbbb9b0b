"""Folder inputs (a folder of CSVs kept as one zip) and a faster audit look-up by scenario.

A scenario saved under 0001 had file inputs only: ``is_folder`` is false for
them, and their record hashes are unchanged (a file input's record has no
``folder`` key).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("scenario_inputs") as batch:
        batch.add_column(sa.Column("is_folder", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.create_index("ix_audit_log_scenario_id", "audit_log", ["scenario_id"])


def downgrade() -> None:
    op.drop_index("ix_audit_log_scenario_id", table_name="audit_log")
    with op.batch_alter_table("scenario_inputs") as batch:
        batch.drop_column("is_folder")
