"""Volunteers: sign-up, validation life cycle, offers, weekly slots, absences, the file.

Also holds the helpers the other issue-3 tests use to set up volunteers."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence

import pytest
from sqlalchemy import func, select

from bippop_desk.registry.changes import Actor
from bippop_desk.registry.clock import local_today
from bippop_desk.registry.errors import (
    PermissionDeniedError,
    StatusTransitionError,
    ValidationError,
)
from bippop_desk.registry.models import AuditEvent, OutboxEntry, Volunteer, VolunteerAvailability
from bippop_desk.registry.services.availability import WeeklySlot
from bippop_desk.registry.services.catalogue import list_mission_types
from bippop_desk.registry.services.volunteers import (
    VolunteerInput,
    add_absence,
    change_volunteer_status,
    create_volunteer,
    get_volunteer,
    input_from,
    remove_absence,
    set_weekly_slots,
    update_volunteer,
    volunteer_file,
    volunteer_ids,
    volunteer_rows,
    weekly_slots,
)
from bippop_desk.registry.store import Registry

COORDINATOR = Actor("karim", "Karim Benali", "coordinateur")


def type_id(registry: Registry, code: str) -> str:
    return next(t.id for t in list_mission_types(registry) if t.code == code)


def every_day(start: int = 8, end: int = 20) -> list[WeeklySlot]:
    return [WeeklySlot(day, dt.time(start), dt.time(end)) for day in range(7)]


def make_volunteer(
    registry: Registry,
    first: str = "Marie",
    last: str = "Dupont",
    *,
    codes: Sequence[str] = ("visite",),
    slots: Sequence[WeeklySlot] | None = None,
    validated: bool = True,
    **values: object,
) -> str:
    """A volunteer offering `codes`, free every day 8:00–20:00 unless told otherwise."""
    data = VolunteerInput(
        first_name=first,
        last_name=last,
        charter_signed_on=local_today(),
        mission_type_ids=[type_id(registry, c) for c in codes],
        **values,  # type: ignore[arg-type]
    )
    volunteer_id = create_volunteer(registry, data)
    set_weekly_slots(registry, volunteer_id, every_day() if slots is None else slots)
    if validated:
        as_coordinator(registry, lambda: change_volunteer_status(registry, volunteer_id, "valide"))
    return volunteer_id


def as_coordinator(registry: Registry, action):  # type: ignore[no-untyped-def]
    before = registry.actor
    registry.actor = COORDINATOR
    try:
        return action()
    finally:
        registry.actor = before


def count(registry: Registry, model: type) -> int:
    with registry.session() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


# -- tests --------------------------------------------------------------------------------
def test_a_desk_sign_up_is_pending_with_its_offers_audit_and_outbox(registry: Registry) -> None:
    visit = type_id(registry, "visite")
    volunteer_id = create_volunteer(
        registry,
        VolunteerInput(
            first_name="Zoé",
            last_name="Lefèvre",
            phone="06 11 22 33 44",
            quartier="Centre-ville",
            mission_type_ids=[visit],
        ),
    )
    volunteer = get_volunteer(registry, volunteer_id)
    assert volunteer.status == "en_attente" and volunteer.origin == "guichet"
    assert volunteer.phone == "+33611223344" and volunteer.validated_at is None
    with registry.session() as session:
        audit = session.scalars(
            select(AuditEvent).where(AuditEvent.record_id == volunteer_id)
        ).one()
        outbox = session.scalars(
            select(OutboxEntry).where(OutboxEntry.record_id == volunteer_id)
        ).one()
    assert audit.user_name == "Sophie Martin" and "Zoé Lefèvre" in audit.summary
    assert json.loads(outbox.payload)["extra"] == {"mission_type_ids": [visit]}
    assert input_from(registry, volunteer_id).mission_type_ids == [visit]


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"last_name": " "}, "last_name"),
        ({"first_name": ""}, "first_name"),
        ({"email": "pas-un-mail"}, "email"),
        ({"phone": "06 12"}, "phone"),
        ({"max_missions_per_week": 0}, "max_missions_per_week"),
        ({"mission_type_ids": ["nope"]}, "mission_type_ids"),
        ({"partner_id": "nope"}, "partner_id"),
        ({"charter_signed_on": dt.date.today() + dt.timedelta(days=3)}, "charter_signed_on"),
    ],
)
def test_bad_sign_ups_get_a_french_message_at_the_field_and_nothing_is_written(
    registry: Registry, values: dict[str, object], field: str
) -> None:
    data = VolunteerInput(**{"first_name": "Zoé", "last_name": "Lefèvre", **values})  # type: ignore[arg-type]
    with pytest.raises(ValidationError) as caught:
        create_volunteer(registry, data)
    assert field in caught.value.errors
    assert count(registry, Volunteer) == 0


def test_validation_records_who_and_when_and_needs_the_signed_charter(
    registry: Registry,
) -> None:
    no_charter = create_volunteer(registry, VolunteerInput(first_name="Léa", last_name="Roux"))
    with pytest.raises(PermissionDeniedError):
        change_volunteer_status(registry, no_charter, "valide")  # a secretary may not
    with pytest.raises(ValidationError) as caught:
        as_coordinator(registry, lambda: change_volunteer_status(registry, no_charter, "valide"))
    assert "charter_signed_on" in caught.value.errors
    volunteer_id = make_volunteer(registry, validated=False)
    as_coordinator(registry, lambda: change_volunteer_status(registry, volunteer_id, "valide"))
    volunteer = get_volunteer(registry, volunteer_id)
    assert volunteer.status == "valide" and volunteer.validated_by == "Karim Benali"
    assert volunteer.validated_at is not None


def test_statuses_never_go_back_and_leaving_needs_a_reason(registry: Registry) -> None:
    volunteer_id = make_volunteer(registry)

    def move(status: str, reason: str = "") -> object:
        return as_coordinator(
            registry, lambda: change_volunteer_status(registry, volunteer_id, status, reason)
        )

    with pytest.raises(StatusTransitionError):
        move("en_attente")
    move("suspendu", "Pause de santé")
    move("valide")  # a suspension can be lifted
    with pytest.raises(ValidationError):
        move("parti")
    move("parti", "Déménage à Lyon")
    assert get_volunteer(registry, volunteer_id).left_reason == "Déménage à Lyon"
    for status in ("valide", "suspendu", "en_attente"):
        with pytest.raises(StatusTransitionError):
            move(status)


def test_weekly_slots_are_replaced_and_unchanged_ones_keep_their_records(
    registry: Registry,
) -> None:
    volunteer_id = make_volunteer(registry, slots=[WeeklySlot(1, dt.time(14), dt.time(16))])
    with registry.session() as session:
        kept_id = session.scalars(select(VolunteerAvailability.id)).one()
    new = [WeeklySlot(1, dt.time(14), dt.time(16)), WeeklySlot(3, dt.time(9), dt.time(12))]
    assert set_weekly_slots(registry, volunteer_id, new) is True
    assert set_weekly_slots(registry, volunteer_id, new) is False
    assert weekly_slots(registry, volunteer_id) == new
    with registry.session() as session:
        live = session.scalars(
            select(VolunteerAvailability.id).where(VolunteerAvailability.deleted_at.is_(None))
        ).all()
    assert kept_id in live and len(live) == 2
    with pytest.raises(ValidationError):
        set_weekly_slots(registry, volunteer_id, [WeeklySlot(2, dt.time(16), dt.time(9))])


def test_absences_are_added_shown_on_the_file_and_removed(registry: Registry) -> None:
    volunteer_id = make_volunteer(registry)
    today = local_today()
    with pytest.raises(ValidationError):
        add_absence(registry, volunteer_id, today, today - dt.timedelta(days=1))
    absence_id = add_absence(registry, volunteer_id, today, today + dt.timedelta(days=5), "Congés")
    file = volunteer_file(registry, volunteer_id)
    assert [a.id for a in file.absences] == [absence_id]
    remove_absence(registry, absence_id)
    assert volunteer_file(registry, volunteer_id).absences == ()


def test_editing_the_offers_reports_them_as_changed(registry: Registry) -> None:
    volunteer_id = make_volunteer(registry)
    data = input_from(registry, volunteer_id)
    data.mission_type_ids = [type_id(registry, "appel"), type_id(registry, "lecture")]
    assert update_volunteer(registry, volunteer_id, data) == ["mission_type_ids"]
    assert update_volunteer(registry, volunteer_id, data) == []
    file = volunteer_file(registry, volunteer_id)
    assert [label for _id, label in file.offers] == [
        "Appel de convivialité",
        "Lecture à voix haute",
    ]


def test_the_volunteer_list_sorts_filters_and_shows_rows(registry: Registry) -> None:
    zoe = make_volunteer(registry, "Zoé", "Aubert", quartier="Centre-ville", has_car=True)
    leo = make_volunteer(registry, "Léo", "Martin", validated=False)
    assert volunteer_ids(registry) == [zoe, leo]
    assert volunteer_ids(registry, descending=True) == [leo, zoe]
    assert volunteer_ids(registry, status="en_attente") == [leo]
    rows = volunteer_rows(registry, [zoe, leo])
    assert rows[zoe] == ("Aubert", "Zoé", "", "Centre-ville", "oui", "3", "", "Validé")
    assert rows[leo][-1] == "En attente"
