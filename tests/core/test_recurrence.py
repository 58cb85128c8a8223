"""Occurrences of a request: rhythm, end, stop, horizon, DST and French public holidays."""

from __future__ import annotations

import datetime as dt

from bippop_desk.registry.clock import PARIS
from bippop_desk.registry.services.recurrence import (
    HORIZON_WEEKS,
    Pattern,
    describe,
    holiday_name,
    occurrences,
    wished_duration,
)

HOUR = dt.timedelta(hours=1)


def weekly(first: dt.datetime, **values: object) -> Pattern:
    return Pattern(first, HOUR, "hebdomadaire", **values)  # type: ignore[arg-type]


def test_a_one_off_request_has_its_single_visit() -> None:
    start = dt.datetime(2026, 11, 24, 14)
    schedule = occurrences(Pattern(start, HOUR))
    assert [(o.start, o.end) for o in schedule.occurrences] == [(start, start + HOUR)]


def test_a_weekly_series_for_n_sessions_gives_n_visits_a_week_apart() -> None:
    schedule = occurrences(weekly(dt.datetime(2026, 1, 6, 14), count=4))
    assert [o.day for o in schedule.occurrences] == [
        dt.date(2026, 1, 6),
        dt.date(2026, 1, 13),
        dt.date(2026, 1, 20),
        dt.date(2026, 1, 27),
    ]
    assert [o.index for o in schedule.occurrences] == [0, 1, 2, 3]


def test_a_fortnightly_series_skips_every_other_week() -> None:
    pattern = Pattern(dt.datetime(2026, 1, 6, 14), HOUR, "bimensuelle", count=3)
    days = [o.day for o in occurrences(pattern).occurrences]
    assert days == [dt.date(2026, 1, 6), dt.date(2026, 1, 20), dt.date(2026, 2, 3)]


def test_every_tuesday_at_two_stays_at_two_across_both_dst_changes() -> None:
    autumn = occurrences(weekly(dt.datetime(2026, 10, 20, 14), count=2)).occurrences
    spring = occurrences(weekly(dt.datetime(2026, 3, 24, 14), count=2)).occurrences
    for series in (autumn, spring):
        assert [o.start.time() for o in series] == [dt.time(14), dt.time(14)]
        assert [o.end - o.start for o in series] == [HOUR, HOUR]
        offsets = {o.start.replace(tzinfo=PARIS).utcoffset() for o in series}
        assert len(offsets) == 2  # the same wall-clock hour, a different UTC hour


def test_a_series_until_a_date_includes_that_date() -> None:
    schedule = occurrences(weekly(dt.datetime(2026, 1, 6, 14), until=dt.date(2026, 1, 20)))
    assert [o.day for o in schedule.occurrences][-1] == dt.date(2026, 1, 20)
    assert len(schedule.occurrences) == 3 and schedule.continues_after is None


def test_a_stopped_series_has_no_visit_on_or_after_the_stop_day() -> None:
    pattern = weekly(dt.datetime(2026, 1, 6, 14), count=10, stopped_on=dt.date(2026, 1, 20))
    assert [o.day for o in occurrences(pattern).occurrences] == [
        dt.date(2026, 1, 6),
        dt.date(2026, 1, 13),
    ]


def test_an_open_ended_series_is_unrolled_up_to_the_horizon_only() -> None:
    first = dt.datetime(2026, 1, 6, 14)
    schedule = occurrences(weekly(first))
    assert len(schedule.occurrences) == HORIZON_WEEKS + 1
    assert schedule.continues_after == first.date() + dt.timedelta(weeks=HORIZON_WEEKS)


def test_visits_before_from_day_are_left_out_but_keep_their_numbers() -> None:
    schedule = occurrences(
        weekly(dt.datetime(2026, 1, 6, 14), count=4), from_day=dt.date(2026, 1, 14)
    )
    assert [(o.index, o.day) for o in schedule.occurrences] == [
        (2, dt.date(2026, 1, 20)),
        (3, dt.date(2026, 1, 27)),
    ]


def test_french_public_holidays_are_skipped_and_reported() -> None:
    # Wednesdays from 4 Nov 2026: 11 Nov is Armistice.
    schedule = occurrences(Pattern(dt.datetime(2026, 11, 4, 10), HOUR, "hebdomadaire", count=3))
    assert [o.day for o in schedule.occurrences] == [dt.date(2026, 11, 4), dt.date(2026, 11, 18)]
    assert [(s.day, s.holiday) for s in schedule.skipped] == [(dt.date(2026, 11, 11), "Armistice")]
    assert schedule.skipped_text() == "Pas d'intervention le 11/11/2026 (Armistice, jour férié)."
    kept = occurrences(
        Pattern(dt.datetime(2026, 11, 4, 10), HOUR, "hebdomadaire", count=3), skip_holidays=False
    )
    assert len(kept.occurrences) == 3 and not kept.skipped


def test_alsace_moselle_has_its_own_holidays() -> None:
    good_friday = dt.date(2027, 3, 26)
    assert holiday_name(good_friday, "57") == "Vendredi saint"
    assert holiday_name(good_friday, "67") == "Vendredi saint"
    assert holiday_name(good_friday, "60") is None
    assert holiday_name(dt.date(2026, 12, 25)) == "Noël"


def test_a_one_off_visit_on_a_holiday_is_kept_since_it_was_chosen() -> None:
    christmas = dt.datetime(2026, 12, 25, 11)
    assert len(occurrences(Pattern(christmas, HOUR)).occurrences) == 1


def test_the_visit_length_comes_from_the_wished_times_or_the_type() -> None:
    assert wished_duration(dt.time(14), dt.time(15, 30), 60) == dt.timedelta(minutes=90)
    assert wished_duration(dt.time(14), None, 45) == dt.timedelta(minutes=45)
    assert describe(weekly(dt.datetime(2026, 1, 6, 14), count=10)) == "Chaque semaine, 10 fois"
