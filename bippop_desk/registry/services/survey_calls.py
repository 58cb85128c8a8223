"""The survey's call screen: who to call next, what came of a call, the consent, the
answers one question at a time.

Like the alert campaigns: no answer → to call back (after `max_attempts` unanswered
calls: "injoignable", a replacement may be drawn); a refusal is recorded (and the
person is left out of later surveys); "ne plus m'appeler" also puts them on the
"ne pas appeler" list. Consent is asked and recorded before the first question. Every
answer is saved as it is typed (one transaction each): a call cut in the middle is
taken up again where it stopped.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from bippop_desk.registry.changes import ChangeSet
from bippop_desk.registry.clock import local_today, utcnow
from bippop_desk.registry.errors import NotFoundError, ValidationError
from bippop_desk.registry.models import (
    Beneficiary,
    DoNotCall,
    Survey,
    SurveyAnswer,
    SurveyContact,
)
from bippop_desk.registry.permissions import require
from bippop_desk.registry.phones import format_phone
from bippop_desk.registry.services.survey_questions import (
    SKIPPED,
    Answer,
    parse_answer,
    questions_from_json,
)
from bippop_desk.registry.store import Registry

STATES = {
    "en_cours": "Entretien commencé",
    "a_appeler": "À appeler",
    "a_rappeler": "À rappeler",
    "repondu": "A répondu",
    "refus": "Refus",
    "injoignable": "Injoignable",
    "invite": "Lien envoyé",
}
OUTCOMES = {
    "pas_de_reponse": "Pas de réponse",
    "refus": "Refuse de répondre",
    "ne_plus_appeler": "Ne plus appeler",
}
PENDING = ("en_cours", "a_appeler", "a_rappeler")
_ORDER = {"en_cours": 0, "a_appeler": 1, "a_rappeler": 2, "repondu": 3, "refus": 4,
          "injoignable": 5, "invite": 6}  # fmt: skip


class ContactRow(NamedTuple):
    contact_id: str
    name: str
    phone: str
    phone_secondary: str
    stratum: str
    state: str
    attempts: int
    last_called_at: str


_CONTACTS = """
SELECT c.id, coalesce(b.last_name || ' ' || b.first_name,
                      v.last_name || ' ' || v.first_name, c.label),
       coalesce(b.phone, v.phone, ''), coalesce(b.phone_secondary, ''), c.stratum, c.state,
       c.attempts, coalesce(c.last_called_at, ''), c.draw_rank
  FROM survey_contact c
  LEFT JOIN beneficiary b ON b.id = c.beneficiary_id
  LEFT JOIN volunteer v ON v.id = c.volunteer_id
 WHERE c.survey_id = ? AND c.deleted_at IS NULL
"""


def call_list(registry: Registry, survey_id: str) -> list[ContactRow]:
    """The people of the survey, those to call first (interviews to take up, first
    calls, then call-backs, the longest waiting first)."""
    require(registry, "survey.call", record_id=survey_id)
    with registry.raw() as conn:
        rows = conn.execute(_CONTACTS, (survey_id,)).fetchall()
    rows.sort(key=lambda r: (_ORDER.get(r[5], 9), r[7] if r[5] == "a_rappeler" else "", r[8]))
    fmt = format_phone
    return [ContactRow(r[0], r[1], fmt(r[2]), fmt(r[3]), r[4], r[5], r[6], r[7]) for r in rows]


@dataclass(frozen=True)
class Progress:
    sample: int
    counts: dict[str, int]

    def text(self) -> str:
        parts = [f"{self.counts.get(k, 0)} {STATES[k].lower()}" for k in
                 ("a_appeler", "a_rappeler", "en_cours", "refus", "injoignable")]  # fmt: skip
        answered = self.counts.get("repondu", 0)
        return f"{answered} / {self.sample} réponses — " + ", ".join(parts)


def progress_of(rows: list[ContactRow], sample: int) -> Progress:
    counts: dict[str, int] = {}
    for row in rows:
        counts[row.state] = counts.get(row.state, 0) + 1
    return Progress(sample, counts)


def _contact(session: Session, contact_id: str) -> tuple[SurveyContact, Survey]:
    contact = session.get(SurveyContact, contact_id)
    if contact is None or contact.deleted_at is not None:
        raise NotFoundError("Cette personne n'est plus dans l'échantillon.")
    survey = session.get(Survey, contact.survey_id)
    if survey is None or survey.deleted_at is not None:
        raise NotFoundError("Cette enquête n'existe plus.")
    if survey.status != "en_cours":
        raise ValidationError.single("outcome", "Cette enquête n'est pas en cours.")
    return contact, survey


def record_outcome(registry: Registry, contact_id: str, outcome: str) -> str:
    """A call that did not lead to an interview. Returns the contact's new state."""
    require(registry, "survey.call", record_id=contact_id)
    if outcome not in OUTCOMES:
        raise ValidationError.single("outcome", "Choisissez l'issue de l'appel.")
    with registry.change() as changes:
        contact, survey = _contact(changes.session, contact_id)
        if contact.state not in PENDING or contact.channel != "telephone":
            raise ValidationError.single(
                "outcome", f"Cette personne n'est plus à appeler ({STATES[contact.state]})."
            )
        now = utcnow()
        values: dict[str, object] = {"attempts": contact.attempts + 1, "last_called_at": now}
        if outcome == "pas_de_reponse":
            values["state"] = (
                "injoignable" if contact.attempts + 1 >= survey.max_attempts else "a_rappeler"
            )
        else:
            values.update(state="refus", consent=False, consent_at=now,
                          consent_by=changes.actor.display_name)  # fmt: skip
        changes.update(contact, values, f"Appel d'enquête : {OUTCOMES[outcome].lower()}")
        if outcome == "ne_plus_appeler" and contact.beneficiary_id:
            _add_do_not_call(changes, contact.beneficiary_id, "Demandé lors d'un appel d'enquête")
        return str(values["state"])


def record_consent(registry: Registry, contact_id: str, consent: bool) -> None:
    """The person's answer to "acceptez-vous de répondre ?", recorded before any
    question (who recorded it, when). No: the refusal is recorded."""
    if not consent:
        record_outcome(registry, contact_id, "refus")
        return
    require(registry, "survey.call", record_id=contact_id)
    with registry.change() as changes:
        contact, _survey = _contact(changes.session, contact_id)
        if contact.state not in PENDING:
            raise ValidationError.single(
                "consent", f"Cette personne n'est plus à appeler ({STATES[contact.state]})."
            )
        now = utcnow()
        values: dict[str, object] = {"state": "en_cours", "consent": True}
        if contact.state != "en_cours":  # taking an interview up again is not a new call
            values.update(attempts=contact.attempts + 1, last_called_at=now, consent_at=now,
                          consent_by=changes.actor.display_name)  # fmt: skip
        changes.update(contact, values, "Enquête : la personne accepte de répondre")


def save_answer(registry: Registry, contact_id: str, question_key: str, typed: str | None) -> str:
    """The answer typed for one question (None: "ne souhaite pas répondre"); a second
    answer to the same question replaces the first. Returns the answer's id."""
    require(registry, "survey.call", record_id=contact_id)
    with registry.change() as changes:
        contact, survey_record = _contact(changes.session, contact_id)
        if contact.state != "en_cours" or contact.consent is not True:
            raise ValidationError.single(
                "answer", "Le consentement de la personne n'est pas enregistré."
            )
        questions = {q.key: q for q in questions_from_json(survey_record.questions)}
        question = questions.get(question_key)
        if question is None:
            raise NotFoundError("Cette question n'existe plus dans le questionnaire.")
        answer = SKIPPED if typed is None else parse_answer(question, typed)
        return _store(changes, contact, question_key, answer)


def _store(changes: ChangeSet, contact: SurveyContact, key: str, answer: Answer) -> str:
    existing = changes.session.scalars(
        select(SurveyAnswer).where(
            SurveyAnswer.contact_id == contact.id,
            SurveyAnswer.question == key,
            SurveyAnswer.deleted_at.is_(None),
        )
    ).first()
    values = {"value_num": answer.value_num, "value_text": answer.value_text,
              "skipped": answer.skipped, "answered_at": utcnow()}  # fmt: skip
    if existing is not None:
        changes.update(existing, values, "Réponse d'enquête corrigée")
        return existing.id
    record = SurveyAnswer(commune_id=changes.commune_id, survey_id=contact.survey_id,
                          contact_id=contact.id, question=key, **values)  # fmt: skip
    changes.create(record, "Réponse d'enquête enregistrée")
    return record.id


def finish_interview(registry: Registry, contact_id: str) -> None:
    require(registry, "survey.call", record_id=contact_id)
    with registry.change() as changes:
        contact, _survey = _contact(changes.session, contact_id)
        if contact.state != "en_cours":
            raise ValidationError.single("answer", "Cet entretien n'est pas commencé.")
        changes.update(contact, {"state": "repondu", "answered_at": utcnow()},
                       "Enquête : entretien terminé")  # fmt: skip


def contact_answers(registry: Registry, contact_id: str) -> dict[str, Answer]:
    """One person's answers so far (to take an interview up again). Raw answers: the
    journal records who saw them."""
    from bippop_desk.registry.services.audit_trail import VIEW, log_event

    require(registry, "survey.call", record_id=contact_id)
    with registry.session() as session:
        rows = session.scalars(
            select(SurveyAnswer).where(
                SurveyAnswer.contact_id == contact_id, SurveyAnswer.deleted_at.is_(None)
            )
        ).all()
    answers = {
        r.question: Answer(
            None if r.value_num is None else Decimal(r.value_num), r.value_text, r.skipped
        )
        for r in rows
    }
    if answers:
        log_event(registry, VIEW, "survey_contact", "Réponses d'une personne consultées",
                  contact_id)  # fmt: skip
    return answers


# -- the "ne pas appeler" list ------------------------------------------------------------------
@dataclass(frozen=True)
class DoNotCallRow:
    id: str
    beneficiary_id: str
    name: str
    since: dt.date
    reason: str


def _add_do_not_call(changes: ChangeSet, beneficiary_id: str, reason: str) -> None:
    already = changes.session.scalars(
        select(DoNotCall).where(
            DoNotCall.beneficiary_id == beneficiary_id,
            DoNotCall.removed_on.is_(None),
            DoNotCall.deleted_at.is_(None),
        )
    ).first()
    if already is None:
        changes.create(
            DoNotCall(commune_id=changes.commune_id, beneficiary_id=beneficiary_id,
                      since=local_today(), reason=reason[:200],
                      recorded_by=changes.actor.display_name),
            "Personne inscrite sur la liste « ne pas appeler »",
        )  # fmt: skip


def add_do_not_call(registry: Registry, beneficiary_id: str, reason: str = "") -> None:
    require(registry, "people.write", record_id=beneficiary_id)
    with registry.change() as changes:
        person = changes.session.get(Beneficiary, beneficiary_id)
        if person is None or person.deleted_at is not None:
            raise NotFoundError("Cette personne n'existe plus.")
        _add_do_not_call(changes, beneficiary_id, " ".join(reason.split()))


def remove_do_not_call(registry: Registry, entry_id: str) -> None:
    require(registry, "people.write", record_id=entry_id)
    with registry.change() as changes:
        entry = changes.session.get(DoNotCall, entry_id)
        if entry is None or entry.deleted_at is not None or entry.removed_on is not None:
            raise NotFoundError("Cette personne n'est plus sur la liste.")
        changes.update(entry, {"removed_on": local_today()},
                       "Personne retirée de la liste « ne pas appeler »")  # fmt: skip


def do_not_call_list(registry: Registry) -> list[DoNotCallRow]:
    require(registry, "people.read")
    with registry.raw() as conn:
        rows = conn.execute(
            "SELECT d.id, d.beneficiary_id, b.last_name || ' ' || b.first_name, d.since, d.reason"
            "  FROM do_not_call d JOIN beneficiary b ON b.id = d.beneficiary_id"
            " WHERE d.removed_on IS NULL AND d.deleted_at IS NULL AND b.deleted_at IS NULL"
            " ORDER BY b.last_name, b.first_name"
        ).fetchall()
    return [DoNotCallRow(r[0], r[1], r[2], dt.date.fromisoformat(r[3]), r[4]) for r in rows]
