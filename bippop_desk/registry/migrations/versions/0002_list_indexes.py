"""covering indexes for the people lists (ids in name order without touching rows)

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22

The lists load every id in name order at start-up; with the name-only index SQLite read
each of 100,000 rows to check the tombstone (0.29 s). A covering index answers from
the index alone (0.05 s).
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

COLUMNS = ["last_name", "first_name", "deleted_at", "status", "id"]


def upgrade() -> None:
    for table in ("beneficiary", "volunteer"):
        with op.batch_alter_table(table) as batch:
            if table == "beneficiary":
                batch.drop_index("ix_beneficiary_sort")
            else:
                batch.drop_index("ix_volunteer_sort")
            batch.create_index(f"ix_{table}_list", COLUMNS, unique=False)


def downgrade() -> None:
    for table in ("beneficiary", "volunteer"):
        with op.batch_alter_table(table) as batch:
            batch.drop_index(f"ix_{table}_list")
            batch.create_index(f"ix_{table}_sort", ["last_name", "first_name"], unique=False)
