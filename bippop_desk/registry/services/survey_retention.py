"""Retention of survey answers (the CNIL's two years, services/retention.py): once a
survey has been over for RETENTION_YEARS, its answers no longer need to say who gave
them. An administrator's confirmation anonymises it: each contact loses the person it
named (beneficiary, volunteer, label, link), each free text is emptied; the counts, the
quartiers and so the results stay. A person's own erasure goes further at any time
(services/erasure.py: their answers leave the results)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select

from bippop_desk.registry.clock import utcnow
from bippop_desk.registry.errors import NotFoundError, ValidationError
from bippop_desk.registry.models import Survey, SurveyAnswer, SurveyContact
from bippop_desk.registry.permissions import require
from bippop_desk.registry.services.retention import RETENTION_YEARS
from bippop_desk.registry.services.survey_questions import questions_from_json
from bippop_desk.registry.store import Registry

_NAMED = """
SELECT s.id, s.title, s.closed_at, count(c.id)
  FROM survey s JOIN survey_contact c ON c.survey_id = s.id AND c.deleted_at IS NULL
 WHERE s.deleted_at IS NULL AND s.status = 'terminee' AND s.closed_at < ?
   AND (c.beneficiary_id IS NOT NULL OR c.volunteer_id IS NOT NULL OR c.label != '')
 GROUP BY s.id ORDER BY s.closed_at
"""


@dataclass(frozen=True)
class SurveyDue:
    survey_id: str
    title: str
    closed_at: dt.datetime
    people: int


def _limit(now: dt.datetime | None) -> dt.datetime:
    moment = now or utcnow()
    return moment.replace(year=moment.year - RETENTION_YEARS)


def surveys_due(registry: Registry, now: dt.datetime | None = None) -> list[SurveyDue]:
    """Surveys over for two years whose answers still name people (administrators)."""
    require(registry, "retention")
    with registry.raw() as conn:
        rows = conn.execute(_NAMED, (_limit(now).isoformat(sep=" "),)).fetchall()
    return [SurveyDue(i, t, dt.datetime.fromisoformat(c), n) for i, t, c, n in rows]


def anonymise_survey(registry: Registry, survey_id: str, now: dt.datetime | None = None) -> int:
    """Confirmed: the survey's answers no longer name anyone. Returns the people unlinked."""
    require(registry, "retention", record_id=survey_id)
    with registry.change() as changes:
        survey = changes.session.get(Survey, survey_id)
        if survey is None or survey.deleted_at is not None:
            raise NotFoundError("Cette enquête n'existe plus.")
        if survey.closed_at is None or survey.closed_at >= _limit(now):
            raise ValidationError.single(
                "survey", f"Cette enquête est terminée depuis moins de {RETENTION_YEARS} ans."
            )
        texts = {q.key for q in questions_from_json(survey.questions) if q.kind == "texte"}
        contacts = changes.session.scalars(
            select(SurveyContact).where(SurveyContact.survey_id == survey_id)
        ).all()
        unlinked = 0
        for contact in contacts:
            values = {"beneficiary_id": None, "volunteer_id": None, "label": "",
                      "token_hash": "", "consent_by": ""}  # fmt: skip
            if changes.update(contact, values, "Enquête anonymisée (durée de conservation)",
                              action="erase"):  # fmt: skip
                unlinked += 1
        answers = changes.session.scalars(
            select(SurveyAnswer).where(
                SurveyAnswer.survey_id == survey_id, SurveyAnswer.question.in_(texts)
            )
        ).all()
        for answer in answers:
            changes.update(answer, {"value_text": ""}, "Réponse libre effacée (conservation)",
                           action="erase")  # fmt: skip
    return unlinked
