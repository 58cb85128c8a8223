"""Volunteer hours: append-only entries and their totals.

Visits write their entry when marked done (missions.mark_done). This module adds the
time that is not a visit (training, meetings) and corrections. Nothing is ever
changed or deleted (a database trigger refuses it): a correction is a new entry of
the difference, pointing at the entry it corrects, so every total can be traced.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, select

from bippop_desk.registry.clock import local_today, utcnow
from bippop_desk.registry.errors import NotFoundError, ValidationError
from bippop_desk.registry.frdates import short_date
from bippop_desk.registry.models import HoursEntry, Mission, Volunteer
from bippop_desk.registry.models.missions import HOURS_KINDS
from bippop_desk.registry.services import validation
from bippop_desk.registry.store import Registry

# Kinds a person may enter by hand: visits come from done missions, corrections from
# correct_hours.
MANUAL_KINDS = ("formation", "reunion", "autre")
MAX_MINUTES = 24 * 60


@dataclass
class HoursInput:
    volunteer_id: str = ""
    entry_date: dt.date | None = None
    minutes: int = 0
    kind: str = "formation"
    mileage_km: Decimal | str = Decimal(0)
    note: str = ""


def _mileage(value: Decimal | str | None, errors: dict[str, str]) -> Decimal:
    mileage, message = validation.mileage(value)  # finite, 0 to 2,000 km
    if message:
        errors["mileage_km"] = message
    return mileage


def add_hours(registry: Registry, data: HoursInput) -> str:
    """Append time that is not a visit (training, meeting…); returns the entry's id."""
    errors: dict[str, str] = validation.text_fields(data, HoursEntry)
    if data.kind not in MANUAL_KINDS:
        errors["kind"] = "Choisissez formation, réunion ou autre."
    if data.entry_date is None:
        errors["entry_date"] = "Indiquez la date."
    elif data.entry_date > local_today():
        errors["entry_date"] = "On ne compte pas d'heures à l'avance."
    if not 1 <= data.minutes <= MAX_MINUTES:
        errors["minutes"] = "La durée va de 1 minute à 24 heures."
    mileage = _mileage(data.mileage_km, errors)
    if mileage < 0:
        errors["mileage_km"] = "Le kilométrage ne peut pas être négatif."
    note_error = validation.notes(data.note, "Les remarques")
    if note_error:
        errors["note"] = note_error
    if errors:
        raise ValidationError(errors)
    assert data.entry_date is not None
    with registry.change() as changes:
        volunteer = changes.session.get(Volunteer, data.volunteer_id)
        if volunteer is None or volunteer.deleted_at is not None:
            raise ValidationError.single("volunteer_id", "Choisissez le bénévole.")
        entry = HoursEntry(
            commune_id=changes.commune_id,
            volunteer_id=volunteer.id,
            entry_date=data.entry_date,
            minutes=data.minutes,
            mileage_km=mileage,
            kind=data.kind,
            note=data.note.strip(),
            created_by=changes.actor.display_name,
            created_at=utcnow(),
        )
        changes.append(
            entry,
            f"{data.minutes} min ({HOURS_KINDS[data.kind].lower()}) pour {volunteer.full_name} "
            f"le {short_date(data.entry_date)}",
        )
        return entry.id


def correct_hours(
    registry: Registry,
    entry_id: str,
    *,
    minutes: int,
    mileage_km: Decimal | str | None = None,
    reason: str,
) -> str:
    """Set what an entry should have said: appends a compensating entry of the difference
    (kind "correction", `corrects_entry_id` = the original). When the entry is a visit's,
    the mission's actual duration and mileage follow in the same transaction.
    Returns the correction's id."""
    errors: dict[str, str] = {}
    if not reason.strip():
        errors["note"] = "Indiquez la raison de la correction."
    elif reason_error := validation.notes(reason, "Les raisons"):
        errors["note"] = reason_error
    if not 0 <= minutes <= MAX_MINUTES:
        errors["minutes"] = "La durée va de 0 à 24 heures."
    target_mileage = None if mileage_km is None else _mileage(mileage_km, errors)
    if target_mileage is not None and target_mileage < 0:
        errors["mileage_km"] = "Le kilométrage ne peut pas être négatif."
    if errors:
        raise ValidationError(errors)
    with registry.change() as changes:
        session = changes.session
        entry = session.get(HoursEntry, entry_id)
        if entry is None:
            raise NotFoundError("Cette saisie d'heures n'existe pas.")
        if entry.corrects_entry_id:  # a correction of a correction fixes the original
            original = session.get(HoursEntry, entry.corrects_entry_id)
            assert original is not None
            entry = original
        now_minutes, now_mileage = session.execute(
            select(
                func.coalesce(func.sum(HoursEntry.minutes), 0),
                func.coalesce(func.sum(HoursEntry.mileage_km), 0),
            ).where((HoursEntry.id == entry.id) | (HoursEntry.corrects_entry_id == entry.id))
        ).one()
        now_mileage = Decimal(str(now_mileage)).quantize(Decimal("0.1"))
        delta_minutes = minutes - int(now_minutes)
        delta_mileage = Decimal(0) if target_mileage is None else target_mileage - now_mileage
        if delta_minutes == 0 and delta_mileage == 0:
            raise ValidationError.single("minutes", "Rien à corriger : c'est déjà le total saisi.")
        correction = HoursEntry(
            commune_id=entry.commune_id,
            volunteer_id=entry.volunteer_id,
            mission_id=entry.mission_id,
            mission_type_id=entry.mission_type_id,
            entry_date=entry.entry_date,
            minutes=delta_minutes,
            mileage_km=delta_mileage,
            kind="correction",
            corrects_entry_id=entry.id,
            note=reason.strip(),
            created_by=changes.actor.display_name,
            created_at=utcnow(),
        )
        changes.append(
            correction,
            f"Correction de {delta_minutes:+d} min sur la saisie du {short_date(entry.entry_date)}",
        )
        if entry.mission_id:
            mission = session.get(Mission, entry.mission_id)
            if mission is not None:
                values: dict[str, object] = {"actual_duration_min": minutes}
                if target_mileage is not None:
                    values["mileage_km"] = target_mileage
                changes.update(mission, values, "Durée de l'intervention corrigée")
        return correction.id


@dataclass(frozen=True)
class HoursTotal:
    minutes: int
    mileage_km: Decimal
    entries: int

    @property
    def hours_text(self) -> str:
        """ "12 h 30"."""
        sign = "-" if self.minutes < 0 else ""
        hours, minutes = divmod(abs(self.minutes), 60)
        return f"{sign}{hours} h {minutes:02d}"


def volunteer_total(
    registry: Registry,
    volunteer_id: str,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> HoursTotal:
    """A volunteer's hours and mileage (corrections included) between two days, both
    included; no bound means since ever / until now."""
    totals = hours_totals(registry, start, end, volunteer_id=volunteer_id)
    return totals.get(volunteer_id, HoursTotal(0, Decimal(0), 0))


def hours_totals(
    registry: Registry,
    start: dt.date | None = None,
    end: dt.date | None = None,
    *,
    volunteer_id: str | None = None,
) -> dict[str, HoursTotal]:
    """Per volunteer: minutes, mileage and entry count over the period (by entry date)."""
    query = select(
        HoursEntry.volunteer_id,
        func.sum(HoursEntry.minutes),
        func.coalesce(func.sum(HoursEntry.mileage_km), 0),
        func.count(),
    ).group_by(HoursEntry.volunteer_id)
    if start is not None:
        query = query.where(HoursEntry.entry_date >= start)
    if end is not None:
        query = query.where(HoursEntry.entry_date <= end)
    if volunteer_id is not None:
        query = query.where(HoursEntry.volunteer_id == volunteer_id)
    with registry.engine.connect() as conn:
        return {
            vid: HoursTotal(int(minutes or 0), Decimal(str(km)).quantize(Decimal("0.1")), count)
            for vid, minutes, km, count in conn.execute(query)
        }


@dataclass(frozen=True)
class HoursLine:
    id: str
    entry_date: dt.date
    kind: str
    minutes: int
    mileage_km: Decimal
    note: str
    mission_id: str | None
    corrects_entry_id: str | None
    created_by: str

    @property
    def kind_label(self) -> str:
        return HOURS_KINDS.get(self.kind, self.kind)


def hours_lines(registry: Registry, volunteer_id: str, limit: int = 200) -> list[HoursLine]:
    """A volunteer's entries, newest first (corrections shown as their own lines)."""
    query = (
        select(
            HoursEntry.id,
            HoursEntry.entry_date,
            HoursEntry.kind,
            HoursEntry.minutes,
            HoursEntry.mileage_km,
            HoursEntry.note,
            HoursEntry.mission_id,
            HoursEntry.corrects_entry_id,
            HoursEntry.created_by,
        )
        .where(HoursEntry.volunteer_id == volunteer_id)
        .order_by(HoursEntry.entry_date.desc(), HoursEntry.created_at.desc())
        .limit(limit)
    )
    with registry.engine.connect() as conn:
        return [HoursLine(*row) for row in conn.execute(query)]
