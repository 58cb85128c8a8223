"""A person's data on request (RGPD art. 15 and 20): everything the registry holds
about one beneficiary, as one JSON-ready dict (reports/person_data.py prints it).

Administrators only; every export is journaled (without the person's name).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from sqlalchemy import select

from bippop_desk.registry.changes import record_fields
from bippop_desk.registry.clock import utcnow
from bippop_desk.registry.errors import NotFoundError
from bippop_desk.registry.models import (
    AuditEvent,
    Beneficiary,
    CallAttempt,
    Mission,
    MissionType,
    RegisterEntry,
    Request,
    Volunteer,
)
from bippop_desk.registry.output_file import written_atomically
from bippop_desk.registry.permissions import require
from bippop_desk.registry.services.audit_trail import EXPORT, log_event
from bippop_desk.registry.services.backups import BACKUP_NOTICE
from bippop_desk.registry.store import Registry

# Technical columns that say nothing about the person.
_TECHNICAL = {"commune_id", "row_version", "server_version", "search_phones", "name_key"}
SECTIONS = {
    "person": "Identité et coordonnées",
    "requests": "Demandes d'aide",
    "missions": "Interventions",
    "register": "Registre des personnes vulnérables",
    "calls": "Appels pendant les alertes",
    "surveys": "Enquêtes : ce que la personne a répondu",
    "journal": "Journal (qui a fait quoi, quand)",
}


def _clean(record: Any) -> dict[str, Any]:
    return {k: v for k, v in record_fields(record).items() if k not in _TECHNICAL}


def _survey_answers(session: Any, beneficiary_id: str) -> list[dict[str, Any]]:
    """Each survey the person was asked in: its title, what came of it, their answers
    (the question and the answer in words)."""
    from bippop_desk.registry.models import Survey, SurveyAnswer, SurveyContact
    from bippop_desk.registry.services.survey_calls import STATES
    from bippop_desk.registry.services.survey_questions import (
        Answer,
        answer_text,
        questions_from_json,
    )

    items: list[dict[str, Any]] = []
    contacts = session.scalars(
        select(SurveyContact).where(
            SurveyContact.beneficiary_id == beneficiary_id, SurveyContact.deleted_at.is_(None)
        )
    ).all()
    for contact in contacts:
        survey = session.get(Survey, contact.survey_id)
        questions = {q.key: q for q in questions_from_json(survey.questions if survey else "")}
        item: dict[str, Any] = {
            "contact_id": contact.id, "enquete": survey.title if survey else "",
            "etat": STATES.get(contact.state, contact.state), "consentement": contact.consent,
            "consentement_le": contact.consent_at, "appels": contact.attempts,
        }  # fmt: skip
        answers = session.scalars(
            select(SurveyAnswer).where(
                SurveyAnswer.contact_id == contact.id, SurveyAnswer.deleted_at.is_(None)
            )
        ).all()
        for answer in answers:
            question = questions.get(answer.question)
            if question is not None:
                stored = Answer(answer.value_num, answer.value_text, answer.skipped)
                item[question.text] = answer_text(question, stored)
        items.append(item)
    return items


def person_data(registry: Registry, beneficiary_id: str) -> dict[str, Any]:
    """Every section of SECTIONS for one beneficiary; volunteers appear by first name."""
    require(registry, "data_protection", record_id=beneficiary_id)
    with registry.session() as session:
        person = session.get(Beneficiary, beneficiary_id)
        if person is None:
            raise NotFoundError("Cette personne n'existe pas dans le registre.")
        types = {
            i: label for i, label in session.execute(select(MissionType.id, MissionType.label))
        }
        volunteers = {i: n for i, n in session.execute(select(Volunteer.id, Volunteer.first_name))}
        requests = session.scalars(
            select(Request).where(Request.beneficiary_id == beneficiary_id)
        ).all()
        missions = session.scalars(
            select(Mission).where(Mission.beneficiary_id == beneficiary_id)
        ).all()
        entries = session.scalars(
            select(RegisterEntry).where(RegisterEntry.beneficiary_id == beneficiary_id)
        ).all()
        calls = session.scalars(
            select(CallAttempt).where(CallAttempt.entry_id.in_([e.id for e in entries]))
        ).all()
        surveys = _survey_answers(session, beneficiary_id)
        ids = [beneficiary_id]
        for records in (requests, missions, entries, calls):
            ids += [r.id for r in records]
        ids += [item["contact_id"] for item in surveys]
        events = session.scalars(
            select(AuditEvent).where(AuditEvent.record_id.in_(ids)).order_by(AuditEvent.id)
        ).all()
    data: dict[str, Any] = {
        "generated_at": utcnow().isoformat(timespec="seconds") + "Z",
        # How long copies keep the data (RGPD art. 13-15: the person is told).
        "conservation_sauvegardes": BACKUP_NOTICE,
        "person": _clean(person),
        "requests": [
            {**_clean(r), "mission_type": types.get(r.mission_type_id, "")} for r in requests
        ],
        "missions": [
            {
                **_clean(m),
                "mission_type": types.get(m.mission_type_id, ""),
                "volunteer": volunteers.get(m.volunteer_id or "", ""),
            }
            for m in missions
        ],
        "register": [_clean(e) for e in entries],
        "calls": [_clean(c) for c in calls],
        "surveys": surveys,
        "journal": [
            {
                "at": e.at.isoformat(timespec="seconds"),
                "user": e.user_name,
                "action": e.action,
                "entity": e.entity,
                "fields": e.fields,
                "summary": e.summary,
            }
            for e in events
        ],
    }
    log_event(
        registry, EXPORT, "beneficiary", "Export des données d'une personne (RGPD)", beneficiary_id
    )
    return data


def write_json(data: dict[str, Any], path: Path) -> Path:
    with written_atomically(path) as partial:
        partial.write_text(json.dumps(data, ensure_ascii=False, indent=2, default=str), "utf-8")
    return path


def default_name(data: dict[str, Any], suffix: str) -> str:
    person = data["person"]
    day = dt.date.today().isoformat()
    return f"donnees-{person.get('last_name', 'personne')}-{day}.{suffix}".replace(" ", "-")
