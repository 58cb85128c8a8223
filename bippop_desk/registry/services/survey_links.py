"""Surveys answered online: volunteers (every validated volunteer is invited) and the
commune (élus and agents the staff name one by one) get a one-time link to the
platform's page of the same questionnaire (bippop_central/survey_web).

A link is `<platform>/enquete/<contact id>.<secret>`: the secret is random (192 bits),
shown once to be sent, and only its SHA-256 is kept (`survey_contact.token_hash`, which
syncs so the platform can check it). Making a new link for someone kills the old one.
The answers given online come back with the next sync, as records of the commune.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import select

from bippop_desk.registry.clock import utcnow
from bippop_desk.registry.errors import NotFoundError, ValidationError
from bippop_desk.registry.models import Survey, SurveyContact, Volunteer
from bippop_desk.registry.permissions import require
from bippop_desk.registry.services.validation import text as text_error
from bippop_desk.registry.store import Registry
from bippop_desk.registry.survey_stats import required_sample

LINK_PATH = "/enquete/"


@dataclass(frozen=True)
class Link:
    contact_id: str
    name: str
    email: str
    url: str


def link_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _platform(registry: Registry) -> str:
    with registry.raw() as conn:
        row = conn.execute("SELECT server_url, device_id FROM sync_state WHERE id = 1").fetchone()
    if row is None or not row[0] or not row[1]:
        raise ValidationError.single(
            "links",
            "Ce poste n'est relié à aucune plateforme Bip Pop : inscrivez-le (page "
            "Synchronisation) pour que les réponses en ligne reviennent ici.",
        )
    return str(row[0]).rstrip("/")


def start_online_survey(registry: Registry, survey_id: str) -> int:
    """Open an online survey. Volunteers: every validated volunteer is invited at once.
    Returns how many people are invited."""
    require(registry, "survey.manage", record_id=survey_id)
    with registry.change() as changes:
        record = changes.session.get(Survey, survey_id)
        if record is None or record.deleted_at is not None:
            raise NotFoundError("Cette enquête n'existe plus.")
        if record.status != "brouillon" or record.audience == "beneficiaires":
            raise ValidationError.single("status", "Cette enquête est déjà ouverte.")
        invited = 0
        if record.audience == "benevoles":
            volunteers = changes.session.scalars(
                select(Volunteer)
                .where(Volunteer.status == "valide", Volunteer.deleted_at.is_(None))
                .order_by(Volunteer.last_name, Volunteer.first_name)
            ).all()
            if not volunteers:
                raise ValidationError.single("population", "Aucun bénévole validé à inviter.")
            for rank, volunteer in enumerate(volunteers, start=1):
                changes.create(
                    SurveyContact(commune_id=changes.commune_id, survey_id=survey_id,
                                  volunteer_id=volunteer.id, stratum=volunteer.quartier.strip(),
                                  draw_rank=rank, channel="en_ligne", state="invite"),
                    "Bénévole invité·e à une enquête en ligne",
                )  # fmt: skip
            invited = len(volunteers)
        changes.update(
            record,
            {"status": "en_cours", "launched_at": utcnow(), "population": invited,
             "sample_size": required_sample(invited, float(record.target_margin) / 100)},
            f"Enquête « {record.title} » ouverte en ligne",
        )  # fmt: skip
    return invited


def add_commune_contact(registry: Registry, survey_id: str, label: str) -> str:
    """Invite one person of the commune (« Mme la maire », « Adjoint aux solidarités »)."""
    require(registry, "survey.manage", record_id=survey_id)
    name = " ".join(label.split())
    message = text_error(name, 160) or ("" if name else "Indiquez qui vous invitez.")
    if message:
        raise ValidationError.single("label", message)
    with registry.change() as changes:
        record = changes.session.get(Survey, survey_id)
        if record is None or record.audience != "commune" or record.status != "en_cours":
            raise ValidationError.single("label", "Cette enquête n'invite pas la commune.")
        count = len(
            changes.session.scalars(
                select(SurveyContact.id).where(
                    SurveyContact.survey_id == survey_id, SurveyContact.deleted_at.is_(None)
                )
            ).all()
        )
        contact = SurveyContact(
            commune_id=changes.commune_id, survey_id=survey_id, label=name,
            draw_rank=count + 1, channel="en_ligne", state="invite",
        )  # fmt: skip
        changes.create(contact, "Personne de la commune invitée à une enquête en ligne")
        changes.update(
            record,
            {"population": count + 1,
             "sample_size": required_sample(count + 1, float(record.target_margin) / 100)},
            "Enquête : une personne de plus invitée",
        )  # fmt: skip
    return contact.id


def make_links(
    registry: Registry, survey_id: str, contact_ids: list[str] | None = None
) -> list[Link]:
    """New one-time links for the people invited who have not answered (all of them, or
    `contact_ids`). Shown once: only the secret's hash is kept."""
    require(registry, "survey.manage", record_id=survey_id)
    platform = _platform(registry)
    links: list[Link] = []
    with registry.change() as changes:
        record = changes.session.get(Survey, survey_id)
        if record is None or record.status != "en_cours":
            raise ValidationError.single("links", "Cette enquête n'est pas en cours.")
        query = select(SurveyContact).where(
            SurveyContact.survey_id == survey_id,
            SurveyContact.deleted_at.is_(None),
            SurveyContact.channel == "en_ligne",
            SurveyContact.state == "invite",
        )
        if contact_ids is not None:
            query = query.where(SurveyContact.id.in_(contact_ids))
        now = utcnow()
        for contact in changes.session.scalars(query.order_by(SurveyContact.draw_rank)):
            secret = secrets.token_urlsafe(24)
            changes.update(contact, {"token_hash": link_hash(secret), "link_made_at": now},
                           "Lien d'enquête en ligne créé")  # fmt: skip
            volunteer = (
                changes.session.get(Volunteer, contact.volunteer_id)
                if contact.volunteer_id
                else None
            )
            name = volunteer.full_name if volunteer else contact.label
            email = volunteer.email if volunteer else ""
            links.append(
                Link(contact.id, name, email, f"{platform}{LINK_PATH}{contact.id}.{secret}")
            )
    return links
