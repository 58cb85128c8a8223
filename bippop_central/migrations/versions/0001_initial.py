"""The central server's first schema: communes, devices, codes, records, idempotency.

Revision ID: c0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "c0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "commune",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("insee_code", sa.String(5), nullable=False),
        sa.Column("name", sa.String(160), nullable=False),
        sa.Column("departement", sa.String(3), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_commune"),
        sa.UniqueConstraint("insee_code", name="uq_commune_insee_code"),
    )
    op.create_table(
        "device",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("commune_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("enrolled_at", sa.DateTime(), nullable=False),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.Column("last_seen_at", sa.DateTime(), nullable=True),
        sa.Column("schema_revision", sa.String(16), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_device"),
        sa.ForeignKeyConstraint(
            ["commune_id"], ["commune.id"], name="fk_device_commune_id_commune"
        ),
        sa.UniqueConstraint("token_hash", name="uq_device_token_hash"),
    )
    op.create_table(
        "enroll_code",
        sa.Column("code_hash", sa.String(64), nullable=False),
        sa.Column("commune_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("used_at", sa.DateTime(), nullable=True),
        sa.Column("device_id", sa.String(36), nullable=True),
        sa.PrimaryKeyConstraint("code_hash", name="pk_enroll_code"),
        sa.ForeignKeyConstraint(
            ["commune_id"], ["commune.id"], name="fk_enroll_code_commune_id_commune"
        ),
    )
    op.create_table(
        "record",
        sa.Column("record_id", sa.String(36), nullable=False),
        sa.Column("commune_id", sa.Integer(), nullable=False),
        sa.Column("entity", sa.String(40), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("extra", sa.JSON(), nullable=False),
        sa.Column("field_versions", sa.JSON(), nullable=False),
        sa.Column("field_origins", sa.JSON(), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("erased", sa.Boolean(), nullable=False),
        sa.Column("origin_device", sa.String(36), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("record_id", name="pk_record"),
        sa.ForeignKeyConstraint(
            ["commune_id"], ["commune.id"], name="fk_record_commune_id_commune"
        ),
    )
    op.create_index("ix_record_commune_version", "record", ["commune_id", "version"], unique=True)
    op.create_table(
        "applied_mutation",
        sa.Column("mutation_id", sa.String(36), nullable=False),
        sa.Column("commune_id", sa.Integer(), nullable=False),
        sa.Column("record_id", sa.String(36), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.Column("applied_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("mutation_id", name="pk_applied_mutation"),
        sa.ForeignKeyConstraint(
            ["commune_id"], ["commune.id"], name="fk_applied_mutation_commune_id_commune"
        ),
    )
    op.create_table(
        "push_batch",
        sa.Column("batch_id", sa.String(36), nullable=False),
        sa.Column("commune_id", sa.Integer(), nullable=False),
        sa.Column("device_id", sa.String(36), nullable=False),
        sa.Column("response", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("batch_id", name="pk_push_batch"),
        sa.ForeignKeyConstraint(
            ["commune_id"], ["commune.id"], name="fk_push_batch_commune_id_commune"
        ),
    )
    op.create_index("ix_push_batch_commune_created", "push_batch", ["commune_id", "created_at"])


def downgrade() -> None:
    for table in ("push_batch", "applied_mutation", "record", "enroll_code", "device", "commune"):
        op.drop_table(table)
