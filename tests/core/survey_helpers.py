"""Set-up for the survey tests: people helped in a period (a visit done), in bulk."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

from bippop_desk.registry.actor import Actor
from bippop_desk.registry.services import survey_calls as calls
from bippop_desk.registry.services.survey_questions import Question
from bippop_desk.registry.services.survey_sample import start_phone_survey
from bippop_desk.registry.services.surveys import SurveyInput, create_survey, model_input
from bippop_desk.registry.store import Registry
from tests.core.register_helpers import COORDINATOR, add_staff

START, END = dt.date(2026, 1, 1), dt.date(2026, 6, 30)
NOW = "2026-03-10 10:00:00"


def coordinator(registry: Registry) -> Actor:
    """Sign the coordinator in (surveys are prepared by staff)."""
    with registry.raw() as conn:
        known = conn.execute(
            "SELECT 1 FROM staff_user WHERE username = ?", (COORDINATOR.username,)
        ).fetchone()
    if known is None:
        add_staff(registry, COORDINATOR)
    registry.actor = COORDINATOR
    return COORDINATOR


def helped(
    registry: Registry,
    count: int,
    quartier: str = "",
    *,
    phone: str = "+33344407200",
    status: str = "actif",
    day: str = "2026-03-10 14:00:00",
    prefix: str = "Personne",
) -> list[str]:
    """`count` beneficiaries, each with one visit done on `day` (plain SQL: the tests
    need hundreds)."""
    ids = []
    with registry.engine.begin() as conn:
        commune = conn.exec_driver_sql("SELECT id FROM commune").scalar()
        mission_type = conn.exec_driver_sql("SELECT id FROM mission_type LIMIT 1").scalar()
        for index in range(count):
            person = str(uuid.uuid4())
            ids.append(person)
            conn.exec_driver_sql(
                "INSERT INTO beneficiary (id, created_at, updated_at, row_version, commune_id,"
                " civility, first_name, last_name, birth_name, address_line, address_complement,"
                " postal_code, city, quartier, access_notes, phone, phone_secondary, email,"
                " has_internet, emergency_contact_name, emergency_contact_phone,"
                " home_care_service, status, preferences, consent_channel, consent_by,"
                " consent_third_party, notes, search_phones, name_key)"
                " VALUES (?, ?, ?, 1, ?, '', ?, ?, '', '', '', '60200', 'Compiègne', ?, '', ?,"
                " '', '', 0, '', '', '', ?, '', '', '', '', '', '', '')",
                (person, NOW, NOW, commune, f"{prefix}{index}", f"{quartier or 'Sans'}{index}",
                 quartier, phone, status),
            )  # fmt: skip
            conn.exec_driver_sql(
                "INSERT INTO mission (id, created_at, updated_at, row_version, commune_id,"
                " beneficiary_id, mission_type_id, starts_at, ends_at, status, outcome_note,"
                " notes, concern, concern_handled_by, cancel_reason, override_reason)"
                " VALUES (?, ?, ?, 1, ?, ?, ?, ?, ?, 'realisee', '', '', 0, '', '', '')",
                (str(uuid.uuid4()), NOW, NOW, commune, person, mission_type, day, day),
            )
    return ids


def phone_survey(registry: Registry, **changes: object) -> str:
    data = model_input(START, END)
    for name, value in changes.items():
        setattr(data, name, value)
    assert isinstance(data, SurveyInput)
    return create_survey(registry, data)


def run_survey(registry: Registry) -> str:
    """A finished phone survey: 52 interviews in three quartiers (one of 6 people), a
    question whose text starts with '=' and free texts quoting names."""
    coordinator(registry)
    helped(registry, 45, "Centre", prefix="Gisèle")
    helped(registry, 10, "Faubourg", prefix="Odette")
    helped(registry, 6, "Hameau", prefix="Yvonne")
    questions = model_input(START, END).questions
    questions.append(Question("", "oui_non", '=HYPERLINK("http://x") Avez-vous un animal ?'))
    survey = phone_survey(registry, stratify=True, target_margin=Decimal("3"),
                          questions=questions)  # fmt: skip
    start_phone_survey(registry, survey)
    for index, row in enumerate(calls.call_list(registry, survey)):
        if index % 9 == 8:
            calls.record_outcome(registry, row.contact_id, "refus")
            continue
        calls.record_consent(registry, row.contact_id, True)
        for key, typed in (("q1", str(1 + index % 5)), ("q2", "o" if index % 5 else "n"),
                           ("q3", str(1 + index % 3)), ("q4", "1 2" if index % 2 else "3"),
                           ("q5", "5"), ("q6", str(index % 12)),
                           ("q8", "n")):  # fmt: skip
            calls.save_answer(registry, row.contact_id, key, typed)
        said = f"Merci à Mme Durand, je suis {row.name}." if index % 3 else None
        calls.save_answer(registry, row.contact_id, "q7", said)
        calls.finish_interview(registry, row.contact_id)
    return survey
