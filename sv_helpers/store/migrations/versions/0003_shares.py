"""Roles: a scenario is a draft until an officer shares it with councillors (the ``shares`` table).

Scenarios saved before this version have no share, so after the upgrade they are drafts: officers still
see all of them and share the ones councillors should read (the Saved scenarios panel's "Share with
councillors"). Their record hashes and the audit trail are unchanged.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "shares",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("scenario_id", sa.String(32), sa.ForeignKey("scenarios.id"), nullable=False),
        sa.Column("user", sa.String(200), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_shares_scenario_id", "shares", ["scenario_id"])


def downgrade() -> None:
    op.drop_index("ix_shares_scenario_id", table_name="shares")
    op.drop_table("shares")
