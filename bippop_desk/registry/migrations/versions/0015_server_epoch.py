"""the platform's database epoch as this desk last saw it (issue 14)

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03

`sync_state.server_epoch`: the epoch the platform's GET /status gave; a new one means
its database was restored from a backup (sync/restore.py). `sync_state.restore_notice`:
the French sentence telling the staff what this desk did about it.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "sync_state", sa.Column("server_epoch", sa.Text(), nullable=False, server_default="")
    )
    op.add_column(
        "sync_state", sa.Column("restore_notice", sa.Text(), nullable=False, server_default="")
    )


def downgrade() -> None:
    with op.batch_alter_table("sync_state") as batch:
        batch.drop_column("restore_notice")
        batch.drop_column("server_epoch")
