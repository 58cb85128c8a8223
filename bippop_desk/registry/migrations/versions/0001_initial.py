"""initial schema: commune, people, requests, missions, hours, journal, outbox, search

Revision ID: 0001
Revises: -
Create Date: 2026-11-22 00:17:13.237410
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


# One full-text index for beneficiaries and volunteers. `search_doc` gives every
# person a stable integer docid (the tables' implicit rowids may change on VACUUM);
# triggers keep the index right inside the very transaction of each change, whatever
# writes it (services, sync, demo). Tombstoned people leave the index.
def _people_triggers(table: str, kind: str, extra_name: str | None) -> list[str]:
    names = "new.last_name || ' ' || new.first_name"
    watched = ["last_name", "first_name", "search_phones", "address_line", "city", "deleted_at"]
    if extra_name:
        names += f" || ' ' || new.{extra_name}"
        watched.append(extra_name)
    insert_doc = (
        f"INSERT INTO search_index(rowid, names, phones, street) "
        f"SELECT docid, {names}, new.search_phones, new.address_line || ' ' || new.city "
        f"FROM search_doc WHERE record_id = new.id AND new.deleted_at IS NULL;"
    )
    return [
        f"""CREATE TRIGGER {table}_search_ai AFTER INSERT ON {table} BEGIN
            INSERT INTO search_doc(kind, record_id) VALUES ('{kind}', new.id);
            {insert_doc}
        END""",
        f"""CREATE TRIGGER {table}_search_au AFTER UPDATE OF {", ".join(watched)} ON {table}
        BEGIN
            DELETE FROM search_index
             WHERE rowid = (SELECT docid FROM search_doc WHERE record_id = old.id);
            {insert_doc}
        END""",
        f"""CREATE TRIGGER {table}_search_ad AFTER DELETE ON {table} BEGIN
            DELETE FROM search_index
             WHERE rowid = (SELECT docid FROM search_doc WHERE record_id = old.id);
            DELETE FROM search_doc WHERE record_id = old.id;
        END""",
    ]


SEARCH_AND_GUARDS = [
    """CREATE TABLE search_doc (
        docid INTEGER PRIMARY KEY,
        kind TEXT NOT NULL,
        record_id TEXT NOT NULL UNIQUE
    )""",
    """CREATE VIRTUAL TABLE search_index USING fts5(
        names, phones, street,
        tokenize = "unicode61 remove_diacritics 2",
        prefix = '2 3 4'
    )""",
    # Names weigh most, then phones, then the street.
    "INSERT INTO search_index(search_index, rank) VALUES ('rank', 'bm25(10.0, 5.0, 1.0)')",
    *_people_triggers("beneficiary", "B", "birth_name"),
    *_people_triggers("volunteer", "V", None),
    # Volunteer hours are append-only: a correction is a new entry.
    """CREATE TRIGGER hours_entry_no_update BEFORE UPDATE ON hours_entry BEGIN
        SELECT RAISE(ABORT, 'hours_entry is append-only');
    END""",
    """CREATE TRIGGER hours_entry_no_delete BEFORE DELETE ON hours_entry BEGIN
        SELECT RAISE(ABORT, 'hours_entry is append-only');
    END""",
]

DROP_SEARCH_AND_GUARDS = [
    "DROP TRIGGER IF EXISTS hours_entry_no_update",
    "DROP TRIGGER IF EXISTS hours_entry_no_delete",
    *[
        f"DROP TRIGGER IF EXISTS {table}_search_{suffix}"
        for table in ("beneficiary", "volunteer")
        for suffix in ("ai", "au", "ad")
    ],
    "DROP TABLE IF EXISTS search_index",
    "DROP TABLE IF EXISTS search_doc",
]


def upgrade() -> None:
    op.create_table(
        "app_setting",
        sa.Column("key", sa.String(length=80), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_app_setting")),
    )
    op.create_table(
        "audit_event",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("user_name", sa.String(length=120), nullable=False),
        sa.Column("user_role", sa.String(length=20), nullable=False),
        sa.Column("action", sa.String(length=30), nullable=False),
        sa.Column("entity", sa.String(length=40), nullable=False),
        sa.Column("record_id", sa.String(length=36), nullable=False),
        sa.Column("fields", sa.Text(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_event")),
    )
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.create_index("ix_audit_event_record", ["entity", "record_id"], unique=False)

    op.create_table(
        "commune",
        sa.Column("insee_code", sa.String(length=5), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("departement", sa.String(length=3), nullable=False),
        sa.Column("postal_code", sa.String(length=5), nullable=False),
        sa.Column("service_name", sa.String(length=120), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("row_version", sa.Integer(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_commune")),
        sa.UniqueConstraint("insee_code", name=op.f("uq_commune_insee_code")),
    )
    op.create_table(
        "local_draft",
        sa.Column("key", sa.String(length=80), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_local_draft")),
    )
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("mutation_id", sa.String(length=36), nullable=False),
        sa.Column("entity", sa.String(length=40), nullable=False),
        sa.Column("record_id", sa.String(length=36), nullable=False),
        sa.Column("op", sa.String(length=10), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox")),
        sa.UniqueConstraint("mutation_id", name=op.f("uq_outbox_mutation_id")),
    )
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.create_index("ix_outbox_state", ["state", "id"], unique=False)

    op.create_table(
        "staff_user",
        sa.Column("username", sa.String(length=60), nullable=False),
        sa.Column("display_name", sa.String(length=120), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("row_version", sa.Integer(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_user")),
        sa.UniqueConstraint("username", name=op.f("uq_staff_user_username")),
    )
    op.create_table(
        "beneficiary",
        sa.Column("commune_id", sa.String(length=36), nullable=False),
        sa.Column("civility", sa.String(length=10), nullable=False),
        sa.Column("first_name", sa.String(length=80), nullable=False),
        sa.Column("last_name", sa.String(length=80), nullable=False),
        sa.Column("birth_name", sa.String(length=80), nullable=False),
        sa.Column("birth_date", sa.Date(), nullable=True),
        sa.Column("address_line", sa.String(length=200), nullable=False),
        sa.Column("address_complement", sa.String(length=200), nullable=False),
        sa.Column("postal_code", sa.String(length=5), nullable=False),
        sa.Column("city", sa.String(length=120), nullable=False),
        sa.Column("quartier", sa.String(length=80), nullable=False),
        sa.Column("access_notes", sa.Text(), nullable=False),
        sa.Column("phone", sa.String(length=20), nullable=False),
        sa.Column("phone_secondary", sa.String(length=20), nullable=False),
        sa.Column("email", sa.String(length=200), nullable=False),
        sa.Column("has_internet", sa.Boolean(), nullable=False),
        sa.Column("emergency_contact_name", sa.String(length=160), nullable=False),
        sa.Column("emergency_contact_phone", sa.String(length=20), nullable=False),
        sa.Column("home_care_service", sa.String(length=160), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("preferences", sa.Text(), nullable=False),
        sa.Column("consent_date", sa.Date(), nullable=True),
        sa.Column("consent_channel", sa.String(length=20), nullable=False),
        sa.Column("consent_by", sa.String(length=20), nullable=False),
        sa.Column("consent_third_party", sa.String(length=160), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("last_contact_at", sa.DateTime(), nullable=True),
        sa.Column("search_phones", sa.String(length=200), nullable=False),
        sa.Column("name_key", sa.String(length=200), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("row_version", sa.Integer(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["commune_id"], ["commune.id"], name=op.f("fk_beneficiary_commune_id_commune")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_beneficiary")),
    )
    with op.batch_alter_table("beneficiary", schema=None) as batch_op:
        batch_op.create_index("ix_beneficiary_name_key", ["name_key", "birth_date"], unique=False)
        batch_op.create_index("ix_beneficiary_phone", ["phone"], unique=False)
        batch_op.create_index("ix_beneficiary_sort", ["last_name", "first_name"], unique=False)

    op.create_table(
        "mission_type",
        sa.Column("commune_id", sa.String(length=36), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("label", sa.String(length=120), nullable=False),
        sa.Column("family", sa.String(length=30), nullable=False),
        sa.Column("default_duration_min", sa.Integer(), nullable=False),
        sa.Column("needs_car", sa.Boolean(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("row_version", sa.Integer(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["commune_id"], ["commune.id"], name=op.f("fk_mission_type_commune_id_commune")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mission_type")),
    )
    op.create_table(
        "partner",
        sa.Column("commune_id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=160), nullable=False),
        sa.Column("kind", sa.String(length=60), nullable=False),
        sa.Column("contact_name", sa.String(length=160), nullable=False),
        sa.Column("phone", sa.String(length=20), nullable=False),
        sa.Column("email", sa.String(length=200), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("row_version", sa.Integer(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["commune_id"], ["commune.id"], name=op.f("fk_partner_commune_id_commune")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_partner")),
    )
    op.create_table(
        "request",
        sa.Column("commune_id", sa.String(length=36), nullable=False),
        sa.Column("beneficiary_id", sa.String(length=36), nullable=False),
        sa.Column("mission_type_id", sa.String(length=36), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("caller_name", sa.String(length=160), nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.Column("received_by", sa.String(length=120), nullable=False),
        sa.Column("wished_date", sa.Date(), nullable=True),
        sa.Column("wished_date_end", sa.Date(), nullable=True),
        sa.Column("wished_time_from", sa.Time(), nullable=True),
        sa.Column("wished_time_to", sa.Time(), nullable=True),
        sa.Column("urgency", sa.String(length=10), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("status_changed_at", sa.DateTime(), nullable=True),
        sa.Column("matched_at", sa.DateTime(), nullable=True),
        sa.Column("cancel_reason", sa.Text(), nullable=False),
        sa.Column("recurrence", sa.String(length=20), nullable=False),
        sa.Column("recurrence_count", sa.Integer(), nullable=True),
        sa.Column("recurrence_until", sa.Date(), nullable=True),
        sa.Column("recurrence_stopped_on", sa.Date(), nullable=True),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("row_version", sa.Integer(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["beneficiary_id"],
            ["beneficiary.id"],
            name=op.f("fk_request_beneficiary_id_beneficiary"),
        ),
        sa.ForeignKeyConstraint(
            ["commune_id"], ["commune.id"], name=op.f("fk_request_commune_id_commune")
        ),
        sa.ForeignKeyConstraint(
            ["mission_type_id"],
            ["mission_type.id"],
            name=op.f("fk_request_mission_type_id_mission_type"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_request")),
    )
    with op.batch_alter_table("request", schema=None) as batch_op:
        batch_op.create_index("ix_request_beneficiary", ["beneficiary_id"], unique=False)
        batch_op.create_index("ix_request_received", ["received_at"], unique=False)
        batch_op.create_index("ix_request_status", ["status", "received_at"], unique=False)

    op.create_table(
        "volunteer",
        sa.Column("commune_id", sa.String(length=36), nullable=False),
        sa.Column("civility", sa.String(length=10), nullable=False),
        sa.Column("first_name", sa.String(length=80), nullable=False),
        sa.Column("last_name", sa.String(length=80), nullable=False),
        sa.Column("birth_date", sa.Date(), nullable=True),
        sa.Column("address_line", sa.String(length=200), nullable=False),
        sa.Column("postal_code", sa.String(length=5), nullable=False),
        sa.Column("city", sa.String(length=120), nullable=False),
        sa.Column("quartier", sa.String(length=80), nullable=False),
        sa.Column("phone", sa.String(length=20), nullable=False),
        sa.Column("email", sa.String(length=200), nullable=False),
        sa.Column("has_car", sa.Boolean(), nullable=False),
        sa.Column("partner_id", sa.String(length=36), nullable=True),
        sa.Column("max_missions_per_week", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("status_changed_at", sa.DateTime(), nullable=True),
        sa.Column("validated_by", sa.String(length=120), nullable=False),
        sa.Column("validated_at", sa.DateTime(), nullable=True),
        sa.Column("charter_signed_on", sa.Date(), nullable=True),
        sa.Column("interview_on", sa.Date(), nullable=True),
        sa.Column("training_on", sa.Date(), nullable=True),
        sa.Column("left_reason", sa.Text(), nullable=False),
        sa.Column("origin", sa.String(length=20), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("search_phones", sa.String(length=200), nullable=False),
        sa.Column("name_key", sa.String(length=200), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("row_version", sa.Integer(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["commune_id"], ["commune.id"], name=op.f("fk_volunteer_commune_id_commune")
        ),
        sa.ForeignKeyConstraint(
            ["partner_id"], ["partner.id"], name=op.f("fk_volunteer_partner_id_partner")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_volunteer")),
    )
    with op.batch_alter_table("volunteer", schema=None) as batch_op:
        batch_op.create_index("ix_volunteer_sort", ["last_name", "first_name"], unique=False)
        batch_op.create_index("ix_volunteer_status", ["status"], unique=False)

    op.create_table(
        "mission",
        sa.Column("commune_id", sa.String(length=36), nullable=False),
        sa.Column("request_id", sa.String(length=36), nullable=True),
        sa.Column("beneficiary_id", sa.String(length=36), nullable=False),
        sa.Column("mission_type_id", sa.String(length=36), nullable=False),
        sa.Column("volunteer_id", sa.String(length=36), nullable=True),
        sa.Column("starts_at", sa.DateTime(), nullable=False),
        sa.Column("ends_at", sa.DateTime(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("status_changed_at", sa.DateTime(), nullable=True),
        sa.Column("actual_duration_min", sa.Integer(), nullable=True),
        sa.Column("mileage_km", sa.Numeric(precision=8, scale=1), nullable=True),
        sa.Column("outcome_note", sa.Text(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("concern", sa.Boolean(), nullable=False),
        sa.Column("concern_handled_at", sa.DateTime(), nullable=True),
        sa.Column("concern_handled_by", sa.String(length=120), nullable=False),
        sa.Column("cancel_reason", sa.Text(), nullable=False),
        sa.Column("override_reason", sa.Text(), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("row_version", sa.Integer(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["beneficiary_id"],
            ["beneficiary.id"],
            name=op.f("fk_mission_beneficiary_id_beneficiary"),
        ),
        sa.ForeignKeyConstraint(
            ["commune_id"], ["commune.id"], name=op.f("fk_mission_commune_id_commune")
        ),
        sa.ForeignKeyConstraint(
            ["mission_type_id"],
            ["mission_type.id"],
            name=op.f("fk_mission_mission_type_id_mission_type"),
        ),
        sa.ForeignKeyConstraint(
            ["request_id"], ["request.id"], name=op.f("fk_mission_request_id_request")
        ),
        sa.ForeignKeyConstraint(
            ["volunteer_id"], ["volunteer.id"], name=op.f("fk_mission_volunteer_id_volunteer")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mission")),
    )
    with op.batch_alter_table("mission", schema=None) as batch_op:
        batch_op.create_index(
            "ix_mission_beneficiary", ["beneficiary_id", "starts_at"], unique=False
        )
        batch_op.create_index("ix_mission_request", ["request_id"], unique=False)
        batch_op.create_index("ix_mission_starts", ["starts_at"], unique=False)
        batch_op.create_index("ix_mission_volunteer", ["volunteer_id", "starts_at"], unique=False)

    op.create_table(
        "volunteer_absence",
        sa.Column("volunteer_id", sa.String(length=36), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("row_version", sa.Integer(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["volunteer_id"],
            ["volunteer.id"],
            name=op.f("fk_volunteer_absence_volunteer_id_volunteer"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_volunteer_absence")),
    )
    with op.batch_alter_table("volunteer_absence", schema=None) as batch_op:
        batch_op.create_index("ix_volunteer_absence_volunteer", ["volunteer_id"], unique=False)

    op.create_table(
        "volunteer_availability",
        sa.Column("volunteer_id", sa.String(length=36), nullable=False),
        sa.Column("weekday", sa.Integer(), nullable=False),
        sa.Column("start_time", sa.Time(), nullable=False),
        sa.Column("end_time", sa.Time(), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("row_version", sa.Integer(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["volunteer_id"],
            ["volunteer.id"],
            name=op.f("fk_volunteer_availability_volunteer_id_volunteer"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_volunteer_availability")),
    )
    with op.batch_alter_table("volunteer_availability", schema=None) as batch_op:
        batch_op.create_index("ix_volunteer_availability_volunteer", ["volunteer_id"], unique=False)

    op.create_table(
        "volunteer_offer",
        sa.Column("volunteer_id", sa.String(length=36), nullable=False),
        sa.Column("mission_type_id", sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(
            ["mission_type_id"],
            ["mission_type.id"],
            name=op.f("fk_volunteer_offer_mission_type_id_mission_type"),
        ),
        sa.ForeignKeyConstraint(
            ["volunteer_id"],
            ["volunteer.id"],
            name=op.f("fk_volunteer_offer_volunteer_id_volunteer"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("volunteer_id", "mission_type_id", name=op.f("pk_volunteer_offer")),
    )
    op.create_table(
        "hours_entry",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("commune_id", sa.String(length=36), nullable=False),
        sa.Column("volunteer_id", sa.String(length=36), nullable=False),
        sa.Column("mission_id", sa.String(length=36), nullable=True),
        sa.Column("mission_type_id", sa.String(length=36), nullable=True),
        sa.Column("entry_date", sa.Date(), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("mileage_km", sa.Numeric(precision=8, scale=1), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("corrects_entry_id", sa.String(length=36), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_by", sa.String(length=120), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["commune_id"], ["commune.id"], name=op.f("fk_hours_entry_commune_id_commune")
        ),
        sa.ForeignKeyConstraint(
            ["corrects_entry_id"],
            ["hours_entry.id"],
            name=op.f("fk_hours_entry_corrects_entry_id_hours_entry"),
        ),
        sa.ForeignKeyConstraint(
            ["mission_id"], ["mission.id"], name=op.f("fk_hours_entry_mission_id_mission")
        ),
        sa.ForeignKeyConstraint(
            ["mission_type_id"],
            ["mission_type.id"],
            name=op.f("fk_hours_entry_mission_type_id_mission_type"),
        ),
        sa.ForeignKeyConstraint(
            ["volunteer_id"], ["volunteer.id"], name=op.f("fk_hours_entry_volunteer_id_volunteer")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hours_entry")),
    )
    with op.batch_alter_table("hours_entry", schema=None) as batch_op:
        batch_op.create_index("ix_hours_entry_date", ["entry_date"], unique=False)
        batch_op.create_index("ix_hours_entry_mission", ["mission_id"], unique=False)
        batch_op.create_index(
            "ix_hours_entry_volunteer", ["volunteer_id", "entry_date"], unique=False
        )

    for statement in SEARCH_AND_GUARDS:
        op.execute(statement)


def downgrade() -> None:
    for statement in DROP_SEARCH_AND_GUARDS:
        op.execute(statement)
    with op.batch_alter_table("hours_entry", schema=None) as batch_op:
        batch_op.drop_index("ix_hours_entry_volunteer")
        batch_op.drop_index("ix_hours_entry_mission")
        batch_op.drop_index("ix_hours_entry_date")

    op.drop_table("hours_entry")
    op.drop_table("volunteer_offer")
    with op.batch_alter_table("volunteer_availability", schema=None) as batch_op:
        batch_op.drop_index("ix_volunteer_availability_volunteer")

    op.drop_table("volunteer_availability")
    with op.batch_alter_table("volunteer_absence", schema=None) as batch_op:
        batch_op.drop_index("ix_volunteer_absence_volunteer")

    op.drop_table("volunteer_absence")
    with op.batch_alter_table("mission", schema=None) as batch_op:
        batch_op.drop_index("ix_mission_volunteer")
        batch_op.drop_index("ix_mission_starts")
        batch_op.drop_index("ix_mission_request")
        batch_op.drop_index("ix_mission_beneficiary")

    op.drop_table("mission")
    with op.batch_alter_table("volunteer", schema=None) as batch_op:
        batch_op.drop_index("ix_volunteer_status")
        batch_op.drop_index("ix_volunteer_sort")

    op.drop_table("volunteer")
    with op.batch_alter_table("request", schema=None) as batch_op:
        batch_op.drop_index("ix_request_status")
        batch_op.drop_index("ix_request_received")
        batch_op.drop_index("ix_request_beneficiary")

    op.drop_table("request")
    op.drop_table("partner")
    op.drop_table("mission_type")
    with op.batch_alter_table("beneficiary", schema=None) as batch_op:
        batch_op.drop_index("ix_beneficiary_sort")
        batch_op.drop_index("ix_beneficiary_phone")
        batch_op.drop_index("ix_beneficiary_name_key")

    op.drop_table("beneficiary")
    op.drop_table("staff_user")
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_state")

    op.drop_table("outbox")
    op.drop_table("local_draft")
    op.drop_table("commune")
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_event_record")

    op.drop_table("audit_event")
    op.drop_table("app_setting")
