"""Is a volunteer free for a visit: weekly slots, absences, wall-clock times across DST."""

from __future__ import annotations

import datetime as dt

from bippop_desk.registry.clock import PARIS
from bippop_desk.registry.services.availability import (
    Absence,
    WeeklySlot,
    check,
    is_free,
    overlaps,
    slot_problems,
    week_bounds,
    within_slots,
)

TUESDAY_AFTERNOON = WeeklySlot(1, dt.time(14), dt.time(16))


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute))


TUESDAY = dt.date(2026, 11, 24)


def test_a_visit_inside_a_weekly_slot_is_free_up_to_the_slot_end() -> None:
    assert is_free(at(TUESDAY, 14), at(TUESDAY, 15), [TUESDAY_AFTERNOON], [])
    assert is_free(at(TUESDAY, 15), at(TUESDAY, 16), [TUESDAY_AFTERNOON], [])


def test_a_visit_spilling_out_of_the_slot_or_on_another_day_is_not_free() -> None:
    assert not within_slots(at(TUESDAY, 13, 30), at(TUESDAY, 14, 30), [TUESDAY_AFTERNOON])
    assert not within_slots(at(TUESDAY, 15, 30), at(TUESDAY, 16, 30), [TUESDAY_AFTERNOON])
    wednesday = TUESDAY + dt.timedelta(days=1)
    assert not within_slots(at(wednesday, 14), at(wednesday, 15), [TUESDAY_AFTERNOON])
    assert not within_slots(at(TUESDAY, 14), at(TUESDAY, 15), [])


def test_touching_slots_join_up_so_a_visit_across_them_fits() -> None:
    morning = WeeklySlot(1, dt.time(9), dt.time(12))
    noon = WeeklySlot(1, dt.time(12), dt.time(14))
    assert within_slots(at(TUESDAY, 11, 30), at(TUESDAY, 12, 30), [noon, morning])
    gap = WeeklySlot(1, dt.time(12, 30), dt.time(14))
    assert not within_slots(at(TUESDAY, 11, 30), at(TUESDAY, 12, 45), [morning, gap])


def test_an_absence_counts_both_of_its_end_days() -> None:
    holidays = Absence(TUESDAY, TUESDAY + dt.timedelta(days=7), "Congés")
    last_day = TUESDAY + dt.timedelta(days=7)
    day_after = last_day + dt.timedelta(days=1)
    verdict = check(at(last_day, 14), at(last_day, 15), [TUESDAY_AFTERNOON], [holidays])
    assert verdict.in_slots and verdict.absence == holidays and not verdict.free
    assert check(at(TUESDAY, 14), at(TUESDAY, 15), [TUESDAY_AFTERNOON], [holidays]).absence
    assert check(at(day_after, 14), at(day_after, 15), [], [holidays]).absence is None
    assert "du 24/11/2026 au 01/12/2026 (congés)" in holidays.text()


def test_slots_are_wall_clock_so_dst_changes_nothing() -> None:
    before = dt.date(2026, 10, 20)  # Tuesday, summer time (UTC+2)
    after = dt.date(2026, 10, 27)  # Tuesday, winter time (UTC+1)
    for day in (before, after):
        assert is_free(at(day, 14), at(day, 16), [TUESDAY_AFTERNOON], [])
    # The same wall-clock slot is a different UTC hour on each side of the change.
    utc_hours = {
        at(day, 14).replace(tzinfo=PARIS).astimezone(dt.UTC).hour for day in (before, after)
    }
    assert utc_hours == {12, 13}


def test_visits_that_only_touch_do_not_overlap() -> None:
    assert not overlaps(at(TUESDAY, 14), at(TUESDAY, 15), at(TUESDAY, 15), at(TUESDAY, 16))
    assert overlaps(at(TUESDAY, 14), at(TUESDAY, 15), at(TUESDAY, 14, 59), at(TUESDAY, 16))


def test_a_week_runs_from_monday_to_the_next_monday() -> None:
    assert week_bounds(TUESDAY) == (dt.date(2026, 11, 23), dt.date(2026, 11, 30))
    assert week_bounds(dt.date(2026, 11, 29)) == (dt.date(2026, 11, 23), dt.date(2026, 11, 30))


def test_a_slot_that_ends_before_it_starts_is_refused() -> None:
    assert slot_problems([WeeklySlot(1, dt.time(16), dt.time(14))]) is not None
    assert slot_problems([WeeklySlot(7, dt.time(14), dt.time(16))]) is not None
    assert slot_problems([TUESDAY_AFTERNOON]) is None
