"""Suggested volunteers for a request: who comes first, and the reasons shown."""

from __future__ import annotations

import datetime as dt

from bippop_desk.registry.services.availability import WeeklySlot
from bippop_desk.registry.services.matching import suggest_for_mission, suggest_volunteers
from bippop_desk.registry.services.missions import VisitReport, assign_volunteer, mark_done
from bippop_desk.registry.services.volunteers import add_absence
from bippop_desk.registry.store import Registry
from tests.conftest import add_person
from tests.core.test_missions import ask, next_weekday
from tests.core.test_volunteers import make_volunteer

TUESDAY_AFTERNOON = [WeeklySlot(1, dt.time(13), dt.time(17))]


def codes(registry: Registry, request_id: str, volunteer_id: str, **options: object) -> set[str]:
    result = suggest_volunteers(registry, request_id, **options)  # type: ignore[arg-type]
    suggestion = next(s for s in result.suggestions if s.volunteer_id == volunteer_id)
    return {r.code for r in suggestion.reasons}


def test_a_free_nearby_volunteer_comes_first_with_positive_reasons(registry: Registry) -> None:
    person = add_person(registry, "Hélène", "Le Goff", quartier="Bellicart")
    near = make_volunteer(registry, "Zoé", "Aubert", quartier="Bellicart", slots=TUESDAY_AFTERNOON)
    far = make_volunteer(
        registry, "Léo", "Martin", quartier="Centre-ville", slots=TUESDAY_AFTERNOON
    )
    request_id = ask(registry, next_weekday(1), person=person)
    result = suggest_volunteers(registry, request_id)
    assert [s.volunteer_id for s in result.suggestions] == [near, far]
    best = result.suggestions[0]
    assert [(r.code, r.kind) for r in best.reasons] == [
        ("available", "positive"),
        ("offers_type", "positive"),
        ("load", "positive"),
        ("same_quartier", "positive"),
    ]
    assert best.reasons[0].label.startswith("Disponible le mardi")
    assert best.reasons[1].label == "Propose « Visite de convivialité »"
    assert not best.blocked and not best.needs_override and result.dated


def test_outside_slots_absent_and_full_week_are_negative_and_rank_lower(
    registry: Registry,
) -> None:
    day = next_weekday(1)
    free = make_volunteer(registry, "Zoé", "Aubert", slots=TUESDAY_AFTERNOON)
    mornings = make_volunteer(
        registry, "Léo", "Martin", slots=[WeeklySlot(1, dt.time(8), dt.time(12))]
    )
    away = make_volunteer(registry, "Paul", "Henry", slots=TUESDAY_AFTERNOON)
    add_absence(registry, away, day, day, "Rendez-vous médical")
    full = make_volunteer(
        registry, "Inès", "Roux", slots=TUESDAY_AFTERNOON, max_missions_per_week=1
    )
    assign_volunteer(registry, ask(registry, day, dt.time(13), dt.time(14)), full)
    request_id = ask(registry, day)
    result = suggest_volunteers(registry, request_id)
    assert result.suggestions[0].volunteer_id == free
    by_id = {s.volunteer_id: s for s in result.suggestions}
    assert "outside_slots" in {r.code for r in by_id[mornings].reasons}
    absent = next(r for r in by_id[away].reasons if r.code == "absent")
    assert absent.kind == "negative" and "(rendez-vous médical)" in absent.label
    over = next(r for r in by_id[full].reasons if r.code == "over_max")
    assert over.label == "Déjà 1 intervention la semaine du " + over.label.split("du ")[1]
    assert all(by_id[v].needs_override for v in (mornings, away, full))


def test_a_double_booked_volunteer_is_blocked_and_listed_last(registry: Registry) -> None:
    day = next_weekday(1)
    busy = make_volunteer(registry, "Zoé", "Aubert", quartier="Bellicart", slots=TUESDAY_AFTERNOON)
    other = make_volunteer(
        registry, "Léo", "Martin", slots=[WeeklySlot(0, dt.time(9), dt.time(10))]
    )
    assign_volunteer(registry, ask(registry, day, dt.time(14, 30), dt.time(15)), busy)
    person = add_person(registry, "Hélène", "Le Goff", quartier="Bellicart")
    result = suggest_volunteers(registry, ask(registry, day, person=person))
    assert [s.volunteer_id for s in result.suggestions] == [other, busy]
    blocking = [r for r in result.suggestions[1].reasons if r.kind == "blocking"]
    assert [r.code for r in blocking] == ["busy"] and result.suggestions[1].blocked


def test_only_validated_volunteers_offering_the_type_are_suggested(registry: Registry) -> None:
    make_volunteer(registry, "Léo", "Martin", validated=False)
    make_volunteer(registry, "Paul", "Henry", codes=("appel",))
    offering = make_volunteer(registry, "Zoé", "Aubert")
    result = suggest_volunteers(registry, ask(registry, next_weekday(1)))
    assert [s.volunteer_id for s in result.suggestions] == [offering]
    assert result.candidates == 1


def test_a_volunteer_who_knows_the_person_is_shown_even_without_the_type(
    registry: Registry,
) -> None:
    person = add_person(registry, "Hélène", "Le Goff")
    friend = make_volunteer(registry, "Zoé", "Aubert", codes=("appel",))
    stranger = make_volunteer(registry, "Léo", "Martin", codes=("appel", "visite"))
    # Zoé has already called Hélène twice.
    for hour in (8, 9):
        call = ask(
            registry, dt.date.today(), dt.time(hour), dt.time(hour, 30), person=person, code="appel"
        )
        mark_done(registry, assign_volunteer(registry, call, friend).mission_ids[0], VisitReport())
    visit = suggest_volunteers(registry, ask(registry, next_weekday(1), person=person))
    assert [s.volunteer_id for s in visit.suggestions] == [stranger, friend]
    assert {"no_offer", "knows_beneficiary"} <= {r.code for r in visit.suggestions[1].reasons}
    # For a call, which she offers, continuity puts her first.
    call = suggest_volunteers(registry, ask(registry, next_weekday(1), person=person, code="appel"))
    assert [s.volunteer_id for s in call.suggestions] == [friend, stranger]
    reason = next(r for r in call.suggestions[0].reasons if r.code == "knows_beneficiary")
    assert reason.label.startswith("Connaît déjà Hélène : 2 interventions, la dernière le ")


def test_a_car_type_marks_volunteers_without_a_car(registry: Registry) -> None:
    driver = make_volunteer(registry, "Zoé", "Aubert", codes=("acc_courses",), has_car=True)
    walker = make_volunteer(registry, "Léo", "Martin", codes=("acc_courses",))
    request_id = ask(registry, next_weekday(1), code="acc_courses")
    assert "has_car" in codes(registry, request_id, driver)
    assert "no_car" in codes(registry, request_id, walker)
    assert suggest_volunteers(registry, request_id).suggestions[0].volunteer_id == driver


def test_a_request_without_a_day_is_ranked_without_availability(registry: Registry) -> None:
    make_volunteer(registry)
    result = suggest_volunteers(registry, ask(registry, None, None, None))
    assert not result.dated
    assert {r.code for r in result.suggestions[0].reasons} == {"offers_type", "load"}


def test_a_series_is_checked_over_its_coming_weeks(registry: Registry) -> None:
    first = next_weekday(1)
    zoe = make_volunteer(registry, "Zoé", "Aubert", slots=TUESDAY_AFTERNOON)
    add_absence(registry, zoe, first + dt.timedelta(weeks=2), first + dt.timedelta(weeks=2))
    series = ask(registry, first, recurrence="hebdomadaire", recurrence_count=4)
    result = suggest_volunteers(registry, series, today=first - dt.timedelta(days=1))
    assert len(result.occurrences) + len(result.skipped) == 4
    absent = next(r for r in result.suggestions[0].reasons if r.code == "absent")
    assert absent.label.endswith(f": 1 séance sur {len(result.occurrences)}")


def test_replacements_for_one_visit_leave_out_its_volunteer(registry: Registry) -> None:
    zoe = make_volunteer(registry, "Zoé", "Aubert")
    leo = make_volunteer(registry, "Léo", "Martin")
    (mission_id,) = assign_volunteer(registry, ask(registry, next_weekday(1)), zoe).mission_ids
    result = suggest_for_mission(registry, mission_id)
    assert [s.volunteer_id for s in result.suggestions] == [leo]


def test_touching_slots_count_as_available_like_in_the_assignment(registry: Registry) -> None:
    split = [
        WeeklySlot(1, dt.time(13), dt.time(14, 30)),
        WeeklySlot(1, dt.time(14, 30), dt.time(16)),
    ]
    zoe = make_volunteer(registry, "Zoé", "Aubert", slots=split)
    request_id = ask(registry, next_weekday(1), dt.time(14), dt.time(15))
    assert "available" in codes(registry, request_id, zoe)
    assign_volunteer(registry, request_id, zoe)  # no override needed either
