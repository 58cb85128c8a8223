"""A volunteer's planned visits as an .ics calendar file (RFC 5545).

The file leaves the town hall (a volunteer imports it in a phone), so it carries no
more than the visit needs: the mission type, the person's first name and initial,
the address, the times. No phone number, birth date, access notes or health notes.
Times are written in Europe/Paris with its VTIMEZONE, so a 14:00 visit shows at 14:00
on either side of a daylight-saving change. Each event's UID is the mission's id and
its SEQUENCE the mission's version, so re-importing updates events instead of doubling.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from icalendar import Calendar, Event
from sqlalchemy import select

from bippop_desk.registry.clock import PARIS, local_today, utcnow
from bippop_desk.registry.errors import NotFoundError
from bippop_desk.registry.models import Beneficiary, Commune, Mission, MissionType, Volunteer
from bippop_desk.registry.output_file import written_atomically
from bippop_desk.registry.store import Registry

PRODID = "-//Bip Pop Desk//Planning des bénévoles//FR"
UID_DOMAIN = "bippop-desk"


@dataclass(frozen=True)
class CalendarExport:
    content: bytes
    events: int
    volunteer: str  # "Marie D."
    start: dt.date
    end: dt.date  # last day included


def _short(first: str, last: str) -> str:
    initial = last.strip()[:1]
    return f"{first.strip()} {initial}.".strip() if initial else first.strip()


def volunteer_calendar(
    registry: Registry, volunteer_id: str, start: dt.date | None = None, weeks: int = 4
) -> CalendarExport:
    """The volunteer's planned visits from `start` (default today) for `weeks` weeks."""
    if not 1 <= weeks <= 52:
        raise ValueError("weeks must be between 1 and 52")
    start = start or local_today()
    end = start + dt.timedelta(weeks=weeks)
    with registry.engine.connect() as conn:
        volunteer = conn.execute(
            select(Volunteer.first_name, Volunteer.last_name).where(
                Volunteer.id == volunteer_id, Volunteer.deleted_at.is_(None)
            )
        ).first()
        if volunteer is None:
            raise NotFoundError("Ce bénévole n'existe plus dans le registre.")
        service = conn.execute(select(Commune.service_name, Commune.name)).first()
        rows = conn.execute(
            select(
                Mission.id,
                Mission.starts_at,
                Mission.ends_at,
                Mission.row_version,
                Mission.updated_at,
                MissionType.label,
                Beneficiary.first_name,
                Beneficiary.last_name,
                Beneficiary.address_line,
                Beneficiary.postal_code,
                Beneficiary.city,
            )
            .join(MissionType, MissionType.id == Mission.mission_type_id)
            .join(Beneficiary, Beneficiary.id == Mission.beneficiary_id)
            .where(
                Mission.volunteer_id == volunteer_id,
                Mission.status == "planifiee",
                Mission.deleted_at.is_(None),
                Mission.starts_at >= dt.datetime.combine(start, dt.time()),
                Mission.starts_at < dt.datetime.combine(end, dt.time()),
            )
            .order_by(Mission.starts_at)
        ).all()
    who = _short(*volunteer)
    organiser = f"{service[0]} de {service[1]}" if service else "Bip Pop"
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", f"Bip Pop — {who}")
    calendar.add("x-wr-timezone", "Europe/Paris")
    stamp = utcnow().replace(tzinfo=dt.UTC)
    for mid, begin, finish, version, updated, label, first, last, street, postal, city in rows:
        event = Event()
        event.add("uid", f"{mid}@{UID_DOMAIN}")
        event.add("dtstamp", stamp)
        event.add("last-modified", updated.replace(tzinfo=dt.UTC))
        event.add("sequence", max(int(version or 1) - 1, 0))
        # Wall-clock times become Paris times: the calendar app keeps 14:00 at 14:00.
        event.add("dtstart", begin.replace(tzinfo=PARIS))
        event.add("dtend", finish.replace(tzinfo=PARIS))
        event.add("summary", f"{label} — {_short(first, last)}")
        place = ", ".join(p for p in (street, " ".join(x for x in (postal, city) if x)) if p)
        if place:
            event.add("location", place)
        event.add("description", f"Intervention planifiée par le {organiser}.")
        event.add("status", "CONFIRMED")
        event.add("transp", "OPAQUE")
        calendar.add_component(event)
    calendar.add_missing_timezones()
    return CalendarExport(calendar.to_ical(), len(rows), who, start, end - dt.timedelta(days=1))


def write_volunteer_calendar(
    registry: Registry,
    volunteer_id: str,
    path: Path | str,
    start: dt.date | None = None,
    weeks: int = 4,
) -> CalendarExport:
    """Write the calendar to `path` (atomically: a reader never sees half a file)."""
    export = volunteer_calendar(registry, volunteer_id, start, weeks)
    with written_atomically(path, ".partiel") as partial:
        partial.write_bytes(export.content)
    return export
