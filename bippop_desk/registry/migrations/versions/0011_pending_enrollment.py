"""an enrollment sent but not yet confirmed (issue 19)

Revision ID: 0011
Revises: 0008
Create Date: 2026-12-03

`sync_state.pending_enrollment`: the device id, platform address and code fingerprint of
an enrollment whose answer the desk has not got yet, as JSON ('' when none). The desk
sends it again by itself, with the same device id, until the platform answers; the
code itself waits in the OS keyring, never here.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "sync_state",
        sa.Column("pending_enrollment", sa.Text(), nullable=False, server_default=""),
    )


def downgrade() -> None:
    with op.batch_alter_table("sync_state") as batch:
        batch.drop_column("pending_enrollment")
