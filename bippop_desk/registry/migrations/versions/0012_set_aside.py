"""pulled records set aside (issue 14)

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03

`sync_set_aside`: a record received from the platform that this desk could not store
(a value its SQLite refuses) is kept here with its reason instead of stopping the pull:
the page and the cursor go on, and the record is listed on the Synchronisation page.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sync_set_aside",
        sa.Column("id", sa.Integer(), nullable=False, autoincrement=True),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("entity", sa.String(40), nullable=False),
        sa.Column("record_id", sa.String(36), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("change", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_sync_set_aside"),
    )
    op.create_index("ix_sync_set_aside_record", "sync_set_aside", ["entity", "record_id"])


def downgrade() -> None:
    op.drop_index("ix_sync_set_aside_record", "sync_set_aside")
    op.drop_table("sync_set_aside")
