"""hours entries and online declarations know their server version too (issue 14)

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03

`server_version` on `hours_entry` and `hours_declaration`, like every other synced
table (migration 0005): after the platform is restored from a backup, a desk tells the
entries the platform still has (the full pull gives them a version) from those only it
holds, and sends those back (sync/restore.py), even when the desk that typed them never
syncs again. Existing rows stay unknown (NULL) until a pull or an acknowledgement.

hours_entry stays append-only (0001, 0007): its guard now lets through, besides the
erasure's blanking of the note, an update that leaves every column as it was but
`server_version` (a pull or an acknowledgement saying the platform has the entry).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

TABLES = ("hours_entry", "hours_declaration")
SCRUBBED = "[données personnelles effacées]"  # as in 0007
# Every column of hours_entry but the note and server_version, as of this revision.
_KEPT = (
    "id", "commune_id", "volunteer_id", "mission_id", "mission_type_id", "entry_date",
    "minutes", "mileage_km", "kind", "corrects_entry_id", "created_by", "created_at",
)  # fmt: skip
_SAME = " AND ".join(f"new.{c} IS old.{c}" for c in _KEPT)
GUARD = f"""CREATE TRIGGER hours_entry_no_update BEFORE UPDATE ON hours_entry
    WHEN NOT ({_SAME} AND (new.note IS old.note OR new.note = '{SCRUBBED}'))
    BEGIN
        SELECT RAISE(ABORT, 'hours_entry is append-only');
    END"""
GUARD_0007 = f"""CREATE TRIGGER hours_entry_no_update BEFORE UPDATE ON hours_entry
    WHEN NOT (new.note = '{SCRUBBED}'
              AND {_SAME})
    BEGIN
        SELECT RAISE(ABORT, 'hours_entry is append-only');
    END"""


def upgrade() -> None:
    for table in TABLES:
        op.add_column(table, sa.Column("server_version", sa.Integer(), nullable=True))
    op.execute("DROP TRIGGER IF EXISTS hours_entry_no_update")
    op.execute(GUARD)


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS hours_entry_no_update")
    op.execute(GUARD_0007)
    for table in TABLES:
        op.drop_column(table, "server_version")  # SQLite's own DROP COLUMN: triggers stay
