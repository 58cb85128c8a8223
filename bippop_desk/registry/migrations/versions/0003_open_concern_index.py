"""partial index on the concerns nobody has handled yet

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22

The coordinator's home card lists unhandled concerns at start-up. Without an index
SQLite read all of a year's missions to find the few flagged ones (0.44 s for 175,000
missions); this index holds only the open concerns (17 ms).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

OPEN_CONCERN = "concern = 1 AND concern_handled_at IS NULL"


def upgrade() -> None:
    with op.batch_alter_table("mission") as batch:
        batch.create_index(
            "ix_mission_open_concern",
            ["starts_at"],
            unique=False,
            sqlite_where=sa.text(OPEN_CONCERN),
        )


def downgrade() -> None:
    with op.batch_alter_table("mission") as batch:
        batch.drop_index("ix_mission_open_concern")
