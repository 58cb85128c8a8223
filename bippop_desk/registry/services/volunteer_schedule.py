"""When a volunteer is free: weekly slots and absences (each change journaled, one
transaction). The rules that judge a visit against them are in `scheduling`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import select

from bippop_desk.registry.errors import NotFoundError, ValidationError
from bippop_desk.registry.frdates import short_date
from bippop_desk.registry.models import (
    VolunteerAbsence,
    VolunteerAvailability,
)
from bippop_desk.registry.services import validation
from bippop_desk.registry.services.scheduling import Absence, WeeklySlot, slot_problems
from bippop_desk.registry.services.volunteer_views import volunteer_to_change
from bippop_desk.registry.store import Registry


# -- availability -------------------------------------------------------------------
def set_weekly_slots(registry: Registry, volunteer_id: str, slots: Sequence[WeeklySlot]) -> bool:
    """Replace the volunteer's weekly slots; True when anything changed.

    Slots kept as they were keep their records; the others are tombstoned or created,
    each journaled, all in one transaction."""
    problem = slot_problems(slots)
    if problem:
        raise ValidationError.single("slots", problem)
    wanted = set(slots)
    with registry.change() as changes:
        volunteer = volunteer_to_change(changes, volunteer_id)
        current = changes.session.scalars(
            select(VolunteerAvailability).where(
                VolunteerAvailability.volunteer_id == volunteer_id,
                VolunteerAvailability.deleted_at.is_(None),
            )
        ).all()
        kept: set[WeeklySlot] = set()
        changed = False
        for record in current:
            slot = WeeklySlot(record.weekday, record.start_time, record.end_time)
            if slot in wanted and slot not in kept:
                kept.add(slot)
            else:
                changes.delete(record, f"Créneau {slot.text()} retiré ({volunteer.full_name})")
                changed = True
        for slot in sorted(wanted - kept, key=lambda s: (s.weekday, s.start)):
            changes.create(
                VolunteerAvailability(
                    volunteer_id=volunteer_id,
                    weekday=slot.weekday,
                    start_time=slot.start,
                    end_time=slot.end,
                ),
                f"Créneau {slot.text()} ajouté ({volunteer.full_name})",
            )
            changed = True
        return changed


def add_absence(
    registry: Registry, volunteer_id: str, start: dt.date, end: dt.date, reason: str = ""
) -> str:
    """Record days off (both ends included); returns the absence's id."""
    errors: dict[str, str] = {}
    if end < start:
        errors["end_date"] = "La fin de l'absence est avant son début."
    reason_error = validation.text(reason, 200)
    if reason_error:
        errors["reason"] = reason_error
    if errors:
        raise ValidationError(errors)
    with registry.change() as changes:
        volunteer = volunteer_to_change(changes, volunteer_id)
        record = VolunteerAbsence(
            volunteer_id=volunteer_id, start_date=start, end_date=end, reason=reason.strip()
        )
        text = Absence(start, end, reason.strip()).text()
        changes.create(record, f"{volunteer.full_name} : {text}")
        return record.id


def remove_absence(registry: Registry, absence_id: str) -> None:
    with registry.change() as changes:
        record = changes.session.get(VolunteerAbsence, absence_id)
        if record is None or record.deleted_at is not None:
            raise NotFoundError("Cette absence n'existe plus.")
        changes.delete(record, f"Absence du {short_date(record.start_date)} retirée")
