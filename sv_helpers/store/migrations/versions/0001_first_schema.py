"""The first schema: scenarios, blobs, inputs, outputs, decisions and the audit log.

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "scenarios",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("notebook", sa.String(64), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("user", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("parameters", sa.JSON(), nullable=False),
        sa.Column("headline", sa.Text(), nullable=False),
        sa.Column("package_version", sa.String(64), nullable=False),
        sa.Column("code_commit", sa.String(64), nullable=False),
        sa.Column("record_hash", sa.String(64), nullable=False),
    )
    op.create_index("ix_scenarios_notebook", "scenarios", ["notebook"])
    op.create_table(
        "blobs",
        sa.Column("sha256", sa.String(64), primary_key=True),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
    )
    op.create_table(
        "scenario_inputs",
        sa.Column("scenario_id", sa.String(32), sa.ForeignKey("scenarios.id"), primary_key=True),
        sa.Column("setting", sa.String(100), primary_key=True),
        sa.Column("file_name", sa.String(255), nullable=False),
        sa.Column("sha256", sa.String(64), sa.ForeignKey("blobs.sha256"), nullable=False),
    )
    op.create_table(
        "scenario_outputs",
        sa.Column("scenario_id", sa.String(32), sa.ForeignKey("scenarios.id"), primary_key=True),
        sa.Column("file_name", sa.String(255), primary_key=True),
        sa.Column("sha256", sa.String(64), nullable=False),
    )
    op.create_table(
        "decisions",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("scenario_id", sa.String(32), sa.ForeignKey("scenarios.id"), nullable=False),
        sa.Column("user", sa.String(200), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("supersedes", sa.String(32), nullable=True),
    )
    op.create_index("ix_decisions_scenario_id", "decisions", ["scenario_id"])
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user", sa.String(200), nullable=False),
        sa.Column("action", sa.String(20), nullable=False),
        sa.Column("scenario_id", sa.String(32), nullable=True),
        sa.Column("record_hash", sa.String(64), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("entry_hash", sa.String(64), nullable=False),
    )


def downgrade() -> None:
    for table in ("audit_log", "decisions", "scenario_outputs", "scenario_inputs", "blobs", "scenarios"):
        op.drop_table(table)
