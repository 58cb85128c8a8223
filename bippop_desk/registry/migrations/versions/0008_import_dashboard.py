"""spreadsheet imports and dashboard (issue 9)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02

`import_batch`: the files already imported, by SHA-256 (importing the same file twice
creates nothing new). `hours_fact`: every hours entry resolved once, by triggers, for
the dashboard (see registry/hours_facts.py), filled for the entries already written.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bippop_desk.registry import hours_facts

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "import_batch",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("file_name", sa.String(length=260), nullable=False),
        sa.Column("file_sha256", sa.String(length=64), nullable=False),
        sa.Column("created_count", sa.Integer(), nullable=False),
        sa.Column("skipped_count", sa.Integer(), nullable=False),
        sa.Column("rejected_count", sa.Integer(), nullable=False),
        sa.Column("imported_by", sa.String(length=120), nullable=False),
        sa.Column("imported_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_batch")),
        sa.UniqueConstraint("kind", "file_sha256", name=op.f("uq_import_batch_kind_file_sha256")),
    )
    # The dashboard's resolved hours entries, kept by triggers (registry/hours_facts.py).
    hours_facts.install(op.execute)


def downgrade() -> None:
    for statement in hours_facts.DROP:
        op.execute(statement)
    op.drop_table("import_batch")
