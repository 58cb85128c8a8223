"""Impact surveys: the questionnaire and its life (en préparation → en cours → terminée).

A questionnaire is frozen once a first answer exists (by phone or online): an edit is
then refused and `new_version` makes a new record (version + 1, `previous_id`), so an
answer always means what the person was asked. Who is asked and how: survey_sample.py
(the draw), survey_calls.py (the call screen), survey_links.py (online links),
survey_results.py (the figures).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from bippop_desk.registry.clock import utcnow
from bippop_desk.registry.errors import NotFoundError, ValidationError
from bippop_desk.registry.frdates import short_date
from bippop_desk.registry.models import MissionType, Survey, SurveyAnswer, SurveyContact
from bippop_desk.registry.permissions import require
from bippop_desk.registry.services.survey_questions import (
    MODEL_INTRO,
    MODEL_TITLE,
    Question,
    model_questions,
    questionnaire_errors,
    questions_from_json,
    questions_to_json,
    with_keys,
)
from bippop_desk.registry.services.validation import text as text_error
from bippop_desk.registry.store import Registry

AUDIENCES = {
    "beneficiaires": "Personnes aidées (par téléphone)",
    "benevoles": "Bénévoles (en ligne)",
    "commune": "Commune : élus et agents (en ligne)",
}
STATUSES = {"brouillon": "En préparation", "en_cours": "En cours", "terminee": "Terminée"}
FROZEN_MESSAGE = (
    "Ce questionnaire a déjà des réponses : il ne peut plus être modifié. "
    "Faites-en une nouvelle version (« Nouvelle version »)."
)
MARGINS = (Decimal("3"), Decimal("5"), Decimal("7"), Decimal("10"))


@dataclass
class SurveyInput:
    title: str
    period_start: dt.date
    period_end: dt.date
    audience: str = "beneficiaires"
    intro: str = ""
    questions: list[Question] = field(default_factory=list)
    target_margin: Decimal = Decimal("5")
    quartiers: list[str] = field(default_factory=list)
    mission_type_id: str = ""
    stratify: bool = False
    max_attempts: int = 3


@dataclass(frozen=True)
class SurveyView:
    id: str
    title: str
    audience: str
    period_start: dt.date
    period_end: dt.date
    intro: str
    questions: list[Question]
    version: int
    previous_id: str | None
    status: str
    target_margin: Decimal
    quartiers: list[str]
    mission_type_id: str
    stratify: bool
    max_attempts: int
    seed: int | None
    population: int
    sample_size: int
    frozen: bool

    @property
    def label(self) -> str:
        version = f" (v{self.version})" if self.version > 1 else ""
        return (
            f"{self.title}{version} — {STATUSES.get(self.status, self.status).lower()}, "
            f"du {short_date(self.period_start)} au {short_date(self.period_end)}"
        )

    @property
    def by_phone(self) -> bool:
        return self.audience == "beneficiaires"

    def question(self, key: str) -> Question:
        for question in self.questions:
            if question.key == key:
                return question
        raise NotFoundError("Cette question n'existe plus dans le questionnaire.")


def model_input(start: dt.date, end: dt.date) -> SurveyInput:
    """The ready questionnaire "Isolement et aide reçue", to edit before it starts."""
    return SurveyInput(MODEL_TITLE, start, end, intro=MODEL_INTRO, questions=model_questions())


def has_answers(session: Session, survey_id: str) -> bool:
    """A first answer (phone or online) freezes the questionnaire."""
    answered = exists().where(
        SurveyAnswer.survey_id == survey_id, SurveyAnswer.deleted_at.is_(None)
    )
    return bool(session.scalar(select(answered)))


def _view(session: Session, record: Survey) -> SurveyView:
    return SurveyView(
        record.id, record.title, record.audience, record.period_start, record.period_end,
        record.intro, questions_from_json(record.questions), record.version, record.previous_id,
        record.status, Decimal(record.target_margin), json.loads(record.quartiers or "[]"),
        record.mission_type_id or "", record.stratify, record.max_attempts, record.seed,
        record.population, record.sample_size, has_answers(session, record.id),
    )  # fmt: skip


def _errors(session: Session, data: SurveyInput) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not data.title.strip():
        errors["title"] = "Donnez un titre à l'enquête."
    for name, limit in (("title", 160), ("intro", 4000)):
        message = text_error(getattr(data, name), limit, multiline=name == "intro")
        if message:
            errors[name] = message
    if data.audience not in AUDIENCES:
        errors["audience"] = "Choisissez qui répond à l'enquête."
    if data.period_end < data.period_start:
        errors["period_end"] = "La fin de la période est avant son début."
    if not Decimal("1") <= data.target_margin <= Decimal("20"):
        errors["target_margin"] = "La marge d'erreur visée est entre 1 et 20 points."
    if not 1 <= data.max_attempts <= 10:
        errors["max_attempts"] = "Entre 1 et 10 appels sans réponse."
    for quartier in data.quartiers:
        if text_error(quartier, 80):
            errors["quartiers"] = "Un des quartiers est illisible."
    if data.mission_type_id and session.get(MissionType, data.mission_type_id) is None:
        errors["mission_type_id"] = "Ce type de mission n'existe plus."
    errors.update(questionnaire_errors(data.questions))
    return errors


def _values(data: SurveyInput) -> dict[str, object]:
    return {
        "title": " ".join(data.title.split()),
        "audience": data.audience,
        "period_start": data.period_start,
        "period_end": data.period_end,
        "intro": data.intro.strip(),
        "questions": questions_to_json(with_keys(data.questions)),
        "target_margin": data.target_margin.quantize(Decimal("0.1")),
        "quartiers": json.dumps(sorted({q.strip() for q in data.quartiers if q.strip()}),
                                ensure_ascii=False),
        "mission_type_id": data.mission_type_id or None,
        "stratify": data.stratify,
        "max_attempts": data.max_attempts,
    }  # fmt: skip


def create_survey(registry: Registry, data: SurveyInput) -> str:
    require(registry, "survey.manage")
    with registry.change() as changes:
        errors = _errors(changes.session, data)
        if errors:
            raise ValidationError(errors)
        record = Survey(commune_id=changes.commune_id, **_values(data))
        changes.create(record, f"Enquête « {record.title} » créée")
    return record.id


def _record(session: Session, survey_id: str) -> Survey:
    record = session.get(Survey, survey_id)
    if record is None or record.deleted_at is not None:
        raise NotFoundError("Cette enquête n'existe plus.")
    return record


def update_survey(registry: Registry, survey_id: str, data: SurveyInput) -> None:
    """Edit a questionnaire without answers. Once the sample is drawn, who is asked
    (audience, period, quartiers, mission type, stratification) stays as drawn."""
    require(registry, "survey.manage", record_id=survey_id)
    with registry.change() as changes:
        record = _record(changes.session, survey_id)
        if has_answers(changes.session, survey_id):
            raise ValidationError.single("questions", FROZEN_MESSAGE)
        if record.status == "terminee":
            raise ValidationError.single("questions", "Cette enquête est terminée.")
        errors = _errors(changes.session, data)
        if errors:
            raise ValidationError(errors)
        values = _values(data)
        # Keep the keys of the questions already there (the editor sends them back).
        if record.status != "brouillon":
            drawn = ("audience", "period_start", "period_end", "quartiers", "mission_type_id",
                     "stratify", "target_margin")  # fmt: skip
            if any(values[name] != getattr(record, name) for name in drawn):
                raise ValidationError.single(
                    "audience",
                    "L'échantillon est déjà tiré : la population et la marge ne changent plus. "
                    "Faites une nouvelle version pour interroger d'autres personnes.",
                )
        changes.update(record, values, f"Enquête « {values['title']} » modifiée")


def new_version(registry: Registry, survey_id: str) -> str:
    """A copy of the questionnaire, in preparation, to edit and run anew."""
    require(registry, "survey.manage", record_id=survey_id)
    with registry.change() as changes:
        old = _record(changes.session, survey_id)
        record = Survey(
            commune_id=changes.commune_id, title=old.title, audience=old.audience,
            period_start=old.period_start, period_end=old.period_end, intro=old.intro,
            questions=old.questions, version=old.version + 1, previous_id=old.id,
            target_margin=old.target_margin, quartiers=old.quartiers,
            mission_type_id=old.mission_type_id, stratify=old.stratify,
            max_attempts=old.max_attempts,
        )  # fmt: skip
        changes.create(record, f"Enquête « {old.title} » : version {record.version}")
    return record.id


def close_survey(registry: Registry, survey_id: str) -> None:
    """No more calls nor online answers; the results stay."""
    require(registry, "survey.manage", record_id=survey_id)
    with registry.change() as changes:
        record = _record(changes.session, survey_id)
        if record.status != "en_cours":
            raise ValidationError.single("status", "Seule une enquête en cours peut être close.")
        changes.update(record, {"status": "terminee", "closed_at": utcnow()},
                       f"Enquête « {record.title} » terminée")  # fmt: skip


def delete_survey(registry: Registry, survey_id: str) -> None:
    """Only a survey in preparation nobody was asked yet."""
    require(registry, "survey.manage", record_id=survey_id)
    with registry.change() as changes:
        record = _record(changes.session, survey_id)
        asked = changes.session.scalar(select(exists().where(SurveyContact.survey_id == survey_id)))
        if record.status != "brouillon" or asked:
            raise ValidationError.single(
                "status", "Une enquête commencée ne se supprime pas : terminez-la."
            )
        changes.delete(record, f"Enquête « {record.title} » supprimée")


def list_surveys(registry: Registry) -> list[SurveyView]:
    """Every survey, newest first (no personal data)."""
    with registry.session() as session:
        records = session.scalars(
            select(Survey)
            .where(Survey.deleted_at.is_(None))
            .order_by(Survey.period_end.desc(), Survey.created_at.desc())
        ).all()
        return [_view(session, r) for r in records]


def get_survey(registry: Registry, survey_id: str) -> SurveyView:
    with registry.session() as session:
        return _view(session, _record(session, survey_id))
