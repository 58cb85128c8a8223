"""A volunteer's planned visits as an .ics file: Paris times, minimal personal data."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from icalendar import Calendar

from bippop_desk.cli import main
from bippop_desk.registry.services.missions import assign_volunteer, cancel_mission
from bippop_desk.registry.store import Registry
from bippop_desk.reports.ics import volunteer_calendar
from tests.conftest import add_person
from tests.core.test_missions import ask, next_weekday
from tests.core.test_volunteers import make_volunteer


def plan(registry: Registry) -> tuple[str, dt.date, list[str]]:
    person = add_person(
        registry,
        "Hélène",
        "Le Goff",
        phone="06 12 34 56 78",
        address_line="12 rue Solférino",
        postal_code="60200",
        city="Compiègne",
        access_notes="Digicode 4512",
    )
    marie = make_volunteer(registry)
    day = next_weekday(1)
    request_id = ask(registry, day, person=person, recurrence="hebdomadaire", recurrence_count=3)
    ids = assign_volunteer(registry, request_id, marie, skip_holidays=False).mission_ids
    return marie, day, list(ids)


def test_planned_visits_become_paris_time_events_with_minimal_personal_data(
    registry: Registry,
) -> None:
    marie, day, ids = plan(registry)
    cancel_mission(registry, ids[1], "Hospitalisée")
    export = volunteer_calendar(registry, marie, day, weeks=4)
    calendar = Calendar.from_ical(export.content)
    events = calendar.walk("VEVENT")
    assert export.events == len(events) == 2  # the cancelled visit is left out
    first = events[0]
    assert first.decoded("dtstart") == dt.datetime.combine(day, dt.time(14)).replace(
        tzinfo=first.decoded("dtstart").tzinfo
    )
    assert first["DTSTART"].params["TZID"] == "Europe/Paris"
    assert [c["TZID"] for c in calendar.walk("VTIMEZONE")] == ["Europe/Paris"]
    assert str(first["SUMMARY"]) == "Visite de convivialité — Hélène L."
    assert str(first["LOCATION"]) == "12 rue Solférino, 60200 Compiègne"
    assert str(first["UID"]) == f"{ids[0]}@bippop-desk"
    text = export.content.decode("utf-8")
    for private in ("Le Goff", "4512", "06 12", "+336", "Dupont"):
        assert private not in text
    assert export.volunteer == "Marie D."


def test_the_command_finds_the_volunteer_by_name_and_writes_the_file(
    registry: Registry, db_path: Path, tmp_path: Path, capsys: object
) -> None:
    _marie, day, _ids = plan(registry)
    target = tmp_path / "marie.ics"
    code = main(
        [
            "ics",
            "--volunteer",
            "marie dupont",
            "--from",
            day.strftime("%d/%m/%Y"),
            "--weeks",
            "2",
            "-o",
            str(target),
            "--db",
            str(db_path),
        ]
    )
    assert code == 0
    assert len(Calendar.from_ical(target.read_bytes()).walk("VEVENT")) == 2
    missing = main(["ics", "--volunteer", "Personne", "-o", str(target), "--db", str(db_path)])
    assert missing == 1
