"""staff sign-in, vulnerable-persons register, call campaigns (issue 8)

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02

- staff_user: password hash (argon2), lockout counters, register access granted by name.
- register_entry, call_campaign, call_attempt (synced records).
- audit_event becomes append-only. One narrow exception: the erasure of a person
  (CNIL) may replace an event's free-text `summary` by the fixed marker below, and
  nothing else; who, when, what and which record stay, so the journal keeps the fact
  without the personal data an old summary may hold (a name typed in it).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

# Kept in step with registry/services/erasure.py (SCRUBBED_SUMMARY).
SCRUBBED_SUMMARY = "[données personnelles effacées]"

AUDIT_GUARDS = [
    f"""CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event
    WHEN NOT (new.summary = '{SCRUBBED_SUMMARY}'
              AND new.id IS old.id AND new.at IS old.at
              AND new.user_name IS old.user_name AND new.user_role IS old.user_role
              AND new.action IS old.action AND new.entity IS old.entity
              AND new.record_id IS old.record_id AND new.fields IS old.fields)
    BEGIN
        SELECT RAISE(ABORT, 'audit_event is append-only');
    END""",
    """CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event BEGIN
        SELECT RAISE(ABORT, 'audit_event is append-only');
    END""",
]

# hours_entry stays append-only (0001) with the same single exception: an erasure may
# blank the free-text note of an entry (a volunteer may have named the person visited);
# minutes, dates and everything counted stay as they were.
_HOURS_KEPT = (
    "id",
    "commune_id",
    "volunteer_id",
    "mission_id",
    "mission_type_id",
    "entry_date",
    "minutes",
    "mileage_km",
    "kind",
    "corrects_entry_id",
    "created_by",
    "created_at",
)
HOURS_GUARD = f"""CREATE TRIGGER hours_entry_no_update BEFORE UPDATE ON hours_entry
    WHEN NOT (new.note = '{SCRUBBED_SUMMARY}'
              AND {" AND ".join(f"new.{c} IS old.{c}" for c in _HOURS_KEPT)})
    BEGIN
        SELECT RAISE(ABORT, 'hours_entry is append-only');
    END"""
HOURS_GUARD_0001 = """CREATE TRIGGER hours_entry_no_update BEFORE UPDATE ON hours_entry BEGIN
        SELECT RAISE(ABORT, 'hours_entry is append-only');
    END"""


def _synced() -> list[sa.Column]:
    return [
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("row_version", sa.Integer(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        # SyncedRecord's sync column (migration 0005 added it to the older tables).
        sa.Column("server_version", sa.Integer(), nullable=True),
        sa.Column("commune_id", sa.String(length=36), nullable=False),
    ]


def upgrade() -> None:
    with op.batch_alter_table("staff_user") as batch:
        batch.add_column(
            sa.Column("password_hash", sa.String(length=200), nullable=False, server_default="")
        )
        batch.add_column(
            sa.Column("failed_attempts", sa.Integer(), nullable=False, server_default="0")
        )
        batch.add_column(sa.Column("locked_until", sa.DateTime(), nullable=True))
        batch.add_column(
            sa.Column("register_access", sa.Boolean(), nullable=False, server_default="0")
        )

    op.create_table(
        "register_entry",
        *_synced(),
        sa.Column("beneficiary_id", sa.String(length=36), nullable=False),
        sa.Column("category", sa.String(length=20), nullable=False),
        sa.Column("disability_basis", sa.String(length=20), nullable=False),
        sa.Column("requested_by", sa.String(length=20), nullable=False),
        sa.Column("requester_name", sa.String(length=160), nullable=False),
        sa.Column("requester_quality", sa.String(length=120), nullable=False),
        sa.Column("consent", sa.Boolean(), nullable=False),
        sa.Column("request_date", sa.Date(), nullable=False),
        sa.Column("home_care_service", sa.String(length=160), nullable=False),
        sa.Column("emergency_contact_name", sa.String(length=160), nullable=False),
        sa.Column("emergency_contact_phone", sa.String(length=20), nullable=False),
        sa.Column("lives_alone", sa.Boolean(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("ack_sent_on", sa.Date(), nullable=True),
        sa.Column("removed_on", sa.Date(), nullable=True),
        sa.Column("removal_reason", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["commune_id"], ["commune.id"], name=op.f("fk_register_entry_commune_id_commune")
        ),
        sa.ForeignKeyConstraint(
            ["beneficiary_id"],
            ["beneficiary.id"],
            name=op.f("fk_register_entry_beneficiary_id_beneficiary"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_register_entry")),
    )
    op.create_index("ix_register_entry_person", "register_entry", ["beneficiary_id"])
    op.create_index("ix_register_entry_ack", "register_entry", ["ack_sent_on", "request_date"])

    op.create_table(
        "call_campaign",
        *_synced(),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("max_attempts", sa.Integer(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["commune_id"], ["commune.id"], name=op.f("fk_call_campaign_commune_id_commune")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_call_campaign")),
    )

    op.create_table(
        "call_attempt",
        *_synced(),
        sa.Column("campaign_id", sa.String(length=36), nullable=False),
        sa.Column("entry_id", sa.String(length=36), nullable=False),
        sa.Column("called_at", sa.DateTime(), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("called_by", sa.String(length=120), nullable=False),
        sa.Column("request_id", sa.String(length=36), nullable=True),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["commune_id"], ["commune.id"], name=op.f("fk_call_attempt_commune_id_commune")
        ),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["call_campaign.id"],
            name=op.f("fk_call_attempt_campaign_id_call_campaign"),
        ),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["register_entry.id"],
            name=op.f("fk_call_attempt_entry_id_register_entry"),
        ),
        sa.ForeignKeyConstraint(
            ["request_id"], ["request.id"], name=op.f("fk_call_attempt_request_id_request")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_call_attempt")),
    )
    op.create_index(
        "ix_call_attempt_entry", "call_attempt", ["entry_id", "campaign_id", "called_at"]
    )
    op.create_index(
        "ix_call_attempt_campaign",
        "call_attempt",
        ["campaign_id", "entry_id", "called_at", "outcome"],
    )
    for statement in AUDIT_GUARDS:
        op.execute(statement)
    op.execute("DROP TRIGGER IF EXISTS hours_entry_no_update")
    op.execute(HOURS_GUARD)


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS hours_entry_no_update")
    op.execute(HOURS_GUARD_0001)
    op.execute("DROP TRIGGER IF EXISTS audit_event_no_update")
    op.execute("DROP TRIGGER IF EXISTS audit_event_no_delete")
    op.drop_index("ix_call_attempt_campaign", table_name="call_attempt")
    op.drop_index("ix_call_attempt_entry", table_name="call_attempt")
    op.drop_table("call_attempt")
    op.drop_table("call_campaign")
    op.drop_index("ix_register_entry_ack", table_name="register_entry")
    op.drop_index("ix_register_entry_person", table_name="register_entry")
    op.drop_table("register_entry")
    with op.batch_alter_table("staff_user") as batch:
        batch.drop_column("register_access")
        batch.drop_column("locked_until")
        batch.drop_column("failed_attempts")
        batch.drop_column("password_hash")
