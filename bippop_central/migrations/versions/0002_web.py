"""The web pages (issue 15): the mairie's public contact, rate-limit and quota counters,
submissions held for moderation, volunteers' sign-in links, sessions and calendar feeds,
the forms' signing secret.

Revision ID: c0002
Revises: c0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "c0002"
down_revision = "c0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "web_counter",
        sa.Column("key", sa.String(length=120), nullable=False),
        sa.Column("window", sa.BigInteger(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("key", "window", name=op.f("pk_web_counter")),
    )
    with op.batch_alter_table("web_counter", schema=None) as batch_op:
        batch_op.create_index("ix_web_counter_expires_at", ["expires_at"], unique=False)

    op.create_table(
        "web_secret",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("value", sa.String(length=128), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_web_secret")),
    )
    op.create_table(
        "web_commune",
        sa.Column("commune_id", sa.Integer(), nullable=False),
        sa.Column("service_name", sa.String(length=160), nullable=False),
        sa.Column("address", sa.String(length=300), nullable=False),
        sa.Column("phone", sa.String(length=30), nullable=False),
        sa.Column("email", sa.String(length=200), nullable=False),
        sa.Column("opening_hours", sa.String(length=300), nullable=False),
        sa.Column("daily_quota", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["commune_id"], ["commune.id"], name=op.f("fk_web_commune_commune_id_commune")
        ),
        sa.PrimaryKeyConstraint("commune_id", name=op.f("pk_web_commune")),
    )
    op.create_table(
        "web_feed",
        sa.Column("volunteer_id", sa.String(length=36), nullable=False),
        sa.Column("commune_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["commune_id"], ["commune.id"], name=op.f("fk_web_feed_commune_id_commune")
        ),
        sa.PrimaryKeyConstraint("volunteer_id", name=op.f("pk_web_feed")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_web_feed_token_hash")),
    )
    op.create_table(
        "web_held",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("commune_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("records", sa.JSON(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["commune_id"], ["commune.id"], name=op.f("fk_web_held_commune_id_commune")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_web_held")),
    )
    with op.batch_alter_table("web_held", schema=None) as batch_op:
        batch_op.create_index(
            "ix_web_held_commune_received", ["commune_id", "received_at"], unique=False
        )

    op.create_table(
        "web_login",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("commune_id", sa.Integer(), nullable=False),
        sa.Column("volunteer_id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("used_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["commune_id"], ["commune.id"], name=op.f("fk_web_login_commune_id_commune")
        ),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_web_login")),
    )
    op.create_table(
        "web_session",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("commune_id", sa.Integer(), nullable=False),
        sa.Column("volunteer_id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["commune_id"], ["commune.id"], name=op.f("fk_web_session_commune_id_commune")
        ),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_web_session")),
    )
    with op.batch_alter_table("web_session", schema=None) as batch_op:
        batch_op.create_index("ix_web_session_expires_at", ["expires_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("web_session", schema=None) as batch_op:
        batch_op.drop_index("ix_web_session_expires_at")

    op.drop_table("web_session")
    op.drop_table("web_login")
    with op.batch_alter_table("web_held", schema=None) as batch_op:
        batch_op.drop_index("ix_web_held_commune_received")

    op.drop_table("web_held")
    op.drop_table("web_feed")
    op.drop_table("web_commune")
    op.drop_table("web_secret")
    with op.batch_alter_table("web_counter", schema=None) as batch_op:
        batch_op.drop_index("ix_web_counter_expires_at")

    op.drop_table("web_counter")
