"""spreadsheet imports and dashboard (issue 9)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02

`import_batch`: the files already imported, by SHA-256 (importing the same file twice
creates nothing new). Two covering indexes for the dashboard's single pass over a year
of hours entries (SQLite otherwise reads each entry's row and each mission's row).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

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
    op.create_index(
        "ix_hours_entry_dashboard",
        "hours_entry",
        [
            "entry_date",
            "commune_id",
            "kind",
            "minutes",
            "mileage_km",
            "mission_type_id",
            "mission_id",
            "volunteer_id",
            "corrects_entry_id",
        ],
    )
    op.create_index("ix_mission_dashboard", "mission", ["id", "mission_type_id", "beneficiary_id"])


def downgrade() -> None:
    op.drop_index("ix_mission_dashboard", table_name="mission")
    op.drop_index("ix_hours_entry_dashboard", table_name="hours_entry")
    op.drop_table("import_batch")
