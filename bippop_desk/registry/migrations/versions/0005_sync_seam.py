"""sync with the central platform (issue 7): sync state, server versions, conflicts

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02

Columns are added with plain ALTER TABLE ADD COLUMN (no table copy), so the search and
append-only triggers stay as they are. `hours_entry` gets no server version: it is
insert-only on both sides. Outbox entries written before sync existed carried the
local row version as their base; nothing was ever sent, so their base becomes null
("the server never had it"), and entries of local-only tables are marked `local`.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

VERSIONED = (
    "commune",
    "staff_user",
    "beneficiary",
    "volunteer",
    "volunteer_availability",
    "volunteer_absence",
    "partner",
    "mission_type",
    "request",
    "mission",
)
LOCAL_ENTITIES = ("commune", "staff_user", "app_setting", "local_draft")


def upgrade() -> None:
    for table in VERSIONED:
        op.add_column(table, sa.Column("server_version", sa.Integer(), nullable=True))
    op.add_column("outbox", sa.Column("batch_id", sa.String(length=36), nullable=True))
    op.create_index("ix_outbox_batch", "outbox", ["batch_id"])
    op.create_index("ix_outbox_record", "outbox", ["record_id", "state"])
    op.execute(
        "UPDATE outbox SET payload = json_set(payload, '$.base_version', json('null')) "
        "WHERE state = 'pending' AND json_valid(payload)"
    )
    names = ", ".join(f"'{name}'" for name in LOCAL_ENTITIES)
    op.execute(f"UPDATE outbox SET state = 'local' WHERE entity IN ({names})")

    op.create_table(
        "sync_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("device_id", sa.String(length=36), nullable=False),
        sa.Column("server_url", sa.String(length=300), nullable=False),
        sa.Column("ca_file", sa.String(length=500), nullable=False),
        sa.Column("device_name", sa.String(length=120), nullable=False),
        sa.Column("commune_insee", sa.String(length=5), nullable=False),
        sa.Column("pull_cursor", sa.Integer(), nullable=False),
        sa.Column("last_sync_at", sa.DateTime(), nullable=True),
        sa.Column("last_success_at", sa.DateTime(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("clock_offset_s", sa.Float(), nullable=True),
        sa.Column("enrolled_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_state")),
    )
    op.create_table(
        "sync_conflict",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("entity", sa.String(length=40), nullable=False),
        sa.Column("record_id", sa.String(length=36), nullable=False),
        sa.Column("field", sa.String(length=60), nullable=False),
        sa.Column("local_value", sa.Text(), nullable=False),
        sa.Column("server_value", sa.Text(), nullable=False),
        sa.Column("server_version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("resolved_at", sa.DateTime(), nullable=True),
        sa.Column("resolution", sa.String(length=20), nullable=False),
        sa.Column("resolved_by", sa.String(length=120), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_conflict")),
    )
    op.create_index(
        "ix_sync_conflict_open", "sync_conflict", ["resolved_at", "entity", "record_id"]
    )


def downgrade() -> None:
    op.drop_index("ix_sync_conflict_open", table_name="sync_conflict")
    op.drop_table("sync_conflict")
    op.drop_table("sync_state")
    op.drop_index("ix_outbox_record", table_name="outbox")
    op.drop_index("ix_outbox_batch", table_name="outbox")
    op.drop_column("outbox", "batch_id")
    for table in VERSIONED:
        op.drop_column(table, "server_version")
