"""Impact surveys (issue 16): a questionnaire, the people asked, their answers, and the
"do not call" list. Synced records: several desks of one commune share a survey, and
the answers volunteers give online come back from the platform the same way.

Answers are one row per person and question (`value_num` for yes/no, scales, one choice
and numbers; `value_text` for free text and the JSON list of several choices), so the
results are plain counts over one index.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Index, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bippop_desk.registry.clock import utcnow
from bippop_desk.registry.models.base import Base, SyncedRecord

__all__ = ["DoNotCall", "Survey", "SurveyAnswer", "SurveyContact"]


class Survey(SyncedRecord, Base):
    """One version of a questionnaire and who it asks. `questions` is JSON (see
    services/survey_questions.py); frozen once a first answer exists: a new version is a
    new record pointing at `previous_id`."""

    __tablename__ = "survey"

    commune_id: Mapped[str] = mapped_column(ForeignKey("commune.id"))
    title: Mapped[str] = mapped_column(String(160))
    audience: Mapped[str] = mapped_column(String(20), default="beneficiaires")
    period_start: Mapped[dt.date] = mapped_column(Date)
    period_end: Mapped[dt.date] = mapped_column(Date)
    intro: Mapped[str] = mapped_column(Text, default="")
    questions: Mapped[str] = mapped_column(Text, default="[]")
    version: Mapped[int] = mapped_column(Integer, default=1)
    previous_id: Mapped[str | None] = mapped_column(ForeignKey("survey.id"), default=None)
    status: Mapped[str] = mapped_column(String(20), default="brouillon")
    target_margin: Mapped[Decimal] = mapped_column(Numeric(4, 1), default=Decimal("5.0"))
    quartiers: Mapped[str] = mapped_column(Text, default="[]")  # JSON list; [] = all
    mission_type_id: Mapped[str | None] = mapped_column(ForeignKey("mission_type.id"), default=None)
    stratify: Mapped[bool] = mapped_column(Boolean, default=False)
    max_attempts: Mapped[int] = mapped_column(Integer, default=3)
    seed: Mapped[int | None] = mapped_column(Integer, default=None)
    population: Mapped[int] = mapped_column(Integer, default=0)
    sample_size: Mapped[int] = mapped_column(Integer, default=0)
    launched_at: Mapped[dt.datetime | None] = mapped_column(DateTime, default=None)
    closed_at: Mapped[dt.datetime | None] = mapped_column(DateTime, default=None)


class SurveyContact(SyncedRecord, Base):
    """One person asked: a beneficiary drawn for the phone survey, a volunteer or a
    commune contact invited online (`token_hash`: SHA-256 of the one-time link's secret,
    the secret itself is never stored). `stratum` is the quartier at the draw."""

    __tablename__ = "survey_contact"

    commune_id: Mapped[str] = mapped_column(ForeignKey("commune.id"))
    survey_id: Mapped[str] = mapped_column(ForeignKey("survey.id"))
    beneficiary_id: Mapped[str | None] = mapped_column(ForeignKey("beneficiary.id"), default=None)
    volunteer_id: Mapped[str | None] = mapped_column(ForeignKey("volunteer.id"), default=None)
    label: Mapped[str] = mapped_column(String(160), default="")
    stratum: Mapped[str] = mapped_column(String(80), default="")
    draw_rank: Mapped[int] = mapped_column(Integer, default=0)
    replaces_id: Mapped[str | None] = mapped_column(String(36), default=None)
    channel: Mapped[str] = mapped_column(String(20), default="telephone")
    state: Mapped[str] = mapped_column(String(20), default="a_appeler")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_called_at: Mapped[dt.datetime | None] = mapped_column(DateTime, default=None)
    consent: Mapped[bool | None] = mapped_column(Boolean, default=None)
    consent_at: Mapped[dt.datetime | None] = mapped_column(DateTime, default=None)
    consent_by: Mapped[str] = mapped_column(String(120), default="")
    answered_at: Mapped[dt.datetime | None] = mapped_column(DateTime, default=None)
    token_hash: Mapped[str] = mapped_column(String(64), default="")
    link_made_at: Mapped[dt.datetime | None] = mapped_column(DateTime, default=None)

    __table_args__ = (
        Index("ix_survey_contact_survey", "survey_id", "state"),
        Index("ix_survey_contact_person", "beneficiary_id", "state"),
        Index("ix_survey_contact_volunteer", "volunteer_id"),
    )


class SurveyAnswer(SyncedRecord, Base):
    """One answer of one person to one question (`skipped`: "ne souhaite pas répondre")."""

    __tablename__ = "survey_answer"

    commune_id: Mapped[str] = mapped_column(ForeignKey("commune.id"))
    survey_id: Mapped[str] = mapped_column(ForeignKey("survey.id"))
    contact_id: Mapped[str] = mapped_column(ForeignKey("survey_contact.id"))
    question: Mapped[str] = mapped_column(String(20))
    value_num: Mapped[Decimal | None] = mapped_column(Numeric(12, 2), default=None)
    value_text: Mapped[str] = mapped_column(Text, default="")
    skipped: Mapped[bool] = mapped_column(Boolean, default=False)
    answered_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    __table_args__ = (
        # The results read a survey's answers from this index (bench `survey`).
        Index("ix_survey_answer_survey", "survey_id", "question", "contact_id"),
        Index("ix_survey_answer_contact", "contact_id", "question"),
    )


class DoNotCall(SyncedRecord, Base):
    """The "ne pas appeler" list: nobody on it is drawn for a phone survey."""

    __tablename__ = "do_not_call"

    commune_id: Mapped[str] = mapped_column(ForeignKey("commune.id"))
    beneficiary_id: Mapped[str] = mapped_column(ForeignKey("beneficiary.id"))
    since: Mapped[dt.date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(200), default="")
    recorded_by: Mapped[str] = mapped_column(String(120), default="")
    removed_on: Mapped[dt.date | None] = mapped_column(Date, default=None)

    __table_args__ = (Index("ix_do_not_call_person", "beneficiary_id", "removed_on"),)
