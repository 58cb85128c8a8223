"""A volunteer's calendar feed (.ics): the planned visits with the roster's facts only."""

from __future__ import annotations

import datetime as dt

from icalendar import Calendar, Event

from bippop_central.web.checks import PARIS
from bippop_central.web.space_data import Visit


def feed(commune_name: str, service: str, visits: list[Visit]) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//Bip Pop//Espace bénévole//FR")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", f"Bip Pop {commune_name}")
    stamp = dt.datetime.now(dt.UTC)
    for visit in visits:
        event = Event()
        event.add("uid", f"{visit.mission_id}@bippop")
        event.add("dtstamp", stamp)
        event.add("dtstart", visit.starts_at.replace(tzinfo=PARIS))
        event.add("dtend", visit.ends_at.replace(tzinfo=PARIS))
        person = f" chez {visit.first_name}" if visit.first_name else ""
        event.add("summary", f"{visit.type_label}{person}")
        if visit.street:
            event.add("location", visit.street)
        event.add("description", f"Mission Bip Pop organisée par la {service}.")
        calendar.add_component(event)
    return bytes(calendar.to_ical())
