"""impact surveys by phone and online (issue 16)

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03

New tables only (nothing copied, every trigger stays): `survey` (a questionnaire
version, its population and the seed of its draw), `survey_contact` (who is asked),
`survey_answer` (one row per person and question) and `do_not_call`. All synced: each
has the `server_version` column of migration 0005.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def _synced(table: str) -> list[Any]:
    return [
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("row_version", sa.Integer(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        sa.Column("server_version", sa.Integer(), nullable=True),
        sa.Column("commune_id", sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(
            ["commune_id"], ["commune.id"], name=op.f(f"fk_{table}_commune_id_commune")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}")),
    ]


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}")
    )


def upgrade() -> None:
    op.create_table(
        "survey",
        *_synced("survey"),
        sa.Column("title", sa.String(length=160), nullable=False),
        sa.Column("audience", sa.String(length=20), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("intro", sa.Text(), nullable=False),
        sa.Column("questions", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("previous_id", sa.String(length=36), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("target_margin", sa.Numeric(precision=4, scale=1), nullable=False),
        sa.Column("quartiers", sa.Text(), nullable=False),
        sa.Column("mission_type_id", sa.String(length=36), nullable=True),
        sa.Column("stratify", sa.Boolean(), nullable=False),
        sa.Column("max_attempts", sa.Integer(), nullable=False),
        sa.Column("seed", sa.Integer(), nullable=True),
        sa.Column("population", sa.Integer(), nullable=False),
        sa.Column("sample_size", sa.Integer(), nullable=False),
        sa.Column("launched_at", sa.DateTime(), nullable=True),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        _fk("survey", "previous_id", "survey"),
        _fk("survey", "mission_type_id", "mission_type"),
    )
    op.create_table(
        "survey_contact",
        *_synced("survey_contact"),
        sa.Column("survey_id", sa.String(length=36), nullable=False),
        sa.Column("beneficiary_id", sa.String(length=36), nullable=True),
        sa.Column("volunteer_id", sa.String(length=36), nullable=True),
        sa.Column("label", sa.String(length=160), nullable=False),
        sa.Column("stratum", sa.String(length=80), nullable=False),
        sa.Column("draw_rank", sa.Integer(), nullable=False),
        sa.Column("replaces_id", sa.String(length=36), nullable=True),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_called_at", sa.DateTime(), nullable=True),
        sa.Column("consent", sa.Boolean(), nullable=True),
        sa.Column("consent_at", sa.DateTime(), nullable=True),
        sa.Column("consent_by", sa.String(length=120), nullable=False),
        sa.Column("answered_at", sa.DateTime(), nullable=True),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("link_made_at", sa.DateTime(), nullable=True),
        _fk("survey_contact", "survey_id", "survey"),
        _fk("survey_contact", "beneficiary_id", "beneficiary"),
        _fk("survey_contact", "volunteer_id", "volunteer"),
    )
    op.create_index("ix_survey_contact_survey", "survey_contact", ["survey_id", "state"])
    op.create_index("ix_survey_contact_person", "survey_contact", ["beneficiary_id", "state"])
    op.create_index("ix_survey_contact_volunteer", "survey_contact", ["volunteer_id"])
    op.create_table(
        "survey_answer",
        *_synced("survey_answer"),
        sa.Column("survey_id", sa.String(length=36), nullable=False),
        sa.Column("contact_id", sa.String(length=36), nullable=False),
        sa.Column("question", sa.String(length=20), nullable=False),
        sa.Column("value_num", sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column("value_text", sa.Text(), nullable=False),
        sa.Column("skipped", sa.Boolean(), nullable=False),
        sa.Column("answered_at", sa.DateTime(), nullable=False),
        _fk("survey_answer", "survey_id", "survey"),
        _fk("survey_answer", "contact_id", "survey_contact"),
    )
    op.create_index(
        "ix_survey_answer_survey", "survey_answer", ["survey_id", "question", "contact_id"]
    )
    op.create_index("ix_survey_answer_contact", "survey_answer", ["contact_id", "question"])
    op.create_table(
        "do_not_call",
        *_synced("do_not_call"),
        sa.Column("beneficiary_id", sa.String(length=36), nullable=False),
        sa.Column("since", sa.Date(), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("recorded_by", sa.String(length=120), nullable=False),
        sa.Column("removed_on", sa.Date(), nullable=True),
        _fk("do_not_call", "beneficiary_id", "beneficiary"),
    )
    op.create_index("ix_do_not_call_person", "do_not_call", ["beneficiary_id", "removed_on"])


def downgrade() -> None:
    for table in ("do_not_call", "survey_answer", "survey_contact", "survey"):
        op.drop_table(table)
