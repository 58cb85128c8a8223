"""hours declared online by volunteers, awaiting validation (issue 15)

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03

`hours_declaration`: a volunteer's hours for a visit, declared in the platform's
volunteer space; pulled like any record, counted nowhere until a coordinator accepts
them (services/hours_declarations.py).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "hours_declaration",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("row_version", sa.Integer(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        sa.Column("commune_id", sa.String(36), nullable=False),
        sa.Column("volunteer_id", sa.String(36), nullable=False),
        sa.Column("mission_id", sa.String(36), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("mileage_km", sa.Numeric(8, 1), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("declared_at", sa.DateTime(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("decided_by", sa.String(120), nullable=False),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.Column("refusal_reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["commune_id"], ["commune.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_hours_declaration_status", "hours_declaration", ["status", "deleted_at"])


def downgrade() -> None:
    op.drop_index("ix_hours_declaration_status", table_name="hours_declaration")
    op.drop_table("hours_declaration")
