"""The commune's database epoch (issue 14): a new one after a backup is restored
(`bippop-central restored`), with the sequence it starts from, so desks that saw
changes past the backup point send them again and read everything anew.

Revision ID: c0003
Revises: c0002
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from alembic import op

revision = "c0003"
down_revision = "c0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("commune", schema=None) as batch_op:
        batch_op.add_column(sa.Column("epoch", sa.String(36), nullable=False, server_default=""))
        batch_op.add_column(
            sa.Column("epoch_seq", sa.BigInteger(), nullable=False, server_default="0")
        )
    conn = op.get_bind()
    for (commune_id,) in conn.execute(sa.text("SELECT id FROM commune")).all():
        conn.execute(
            sa.text("UPDATE commune SET epoch = :e WHERE id = :i"),
            {"e": str(uuid.uuid4()), "i": commune_id},
        )


def downgrade() -> None:
    with op.batch_alter_table("commune", schema=None) as batch_op:
        batch_op.drop_column("epoch_seq")
        batch_op.drop_column("epoch")
