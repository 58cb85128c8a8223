"""The occurrences of a request: one visit, or a weekly / fortnightly series.

A series runs for N periods (`recurrence_count`: N weeks for a weekly request, N
fortnights for a fortnightly one), until a date, or until somebody stops it
(`recurrence_stopped_on`). An open-ended series is only unrolled up to a horizon
(12 weeks by default); `missions.extend_recurrence` rolls it forward later.

Times are wall clock: "every Tuesday 14:00" is 14:00 on each Tuesday whatever the
daylight-saving offset, because mission times are naive Europe/Paris datetimes.

French public holidays (with Alsace-Moselle's two extra days and the overseas
departments' own) are skipped by default and reported, so the coordinator can tell
the person "pas de visite le 11 novembre". A period lost to a holiday still counts
towards N: "10 weeks" ends on the same date whether or not a holiday falls inside.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from bippop_desk.registry.frdates import short_date
from bippop_desk.registry.models.missions import RECURRENCES
from bippop_desk.registry.public_holidays import holiday_name

HORIZON_WEEKS = 12
STEP_WEEKS = {"hebdomadaire": 1, "bimensuelle": 2}
assert set(STEP_WEEKS) | {"aucune"} == set(RECURRENCES), "a rhythm has no step"


@dataclass(frozen=True)
class Pattern:
    """What a request asks for: the first visit, its length, and the rhythm."""

    first_start: dt.datetime
    duration: dt.timedelta
    recurrence: str = "aucune"
    count: int | None = None
    until: dt.date | None = None
    stopped_on: dt.date | None = None

    @property
    def recurring(self) -> bool:
        return self.recurrence in STEP_WEEKS

    @property
    def open_ended(self) -> bool:
        """A series with no set end, still running: unrolled up to a horizon only."""
        return (
            self.recurring and self.count is None and self.until is None and self.stopped_on is None
        )


@dataclass(frozen=True)
class Occurrence:
    """One visit of the series; `index` is its period number (0 for the first)."""

    index: int
    start: dt.datetime
    end: dt.datetime

    @property
    def day(self) -> dt.date:
        return self.start.date()


@dataclass(frozen=True)
class SkippedDay:
    day: dt.date
    holiday: str

    def text(self) -> str:
        """ "11/11/2026 (Armistice, jour férié)"."""
        return f"{short_date(self.day)} ({self.holiday}, jour férié)"


@dataclass(frozen=True)
class Schedule:
    occurrences: tuple[Occurrence, ...]
    skipped: tuple[SkippedDay, ...]
    # Set when the series goes on past the last occurrence listed (open-ended).
    continues_after: dt.date | None = None

    def skipped_text(self) -> str:
        """A sentence for the UI, "" when no holiday was skipped."""
        if not self.skipped:
            return ""
        days = ", ".join(s.text() for s in self.skipped)
        plural = "s" if len(self.skipped) > 1 else ""
        return f"Pas d'intervention le{plural} {days}."


def occurrences(
    pattern: Pattern,
    *,
    from_day: dt.date | None = None,
    horizon: dt.date | None = None,
    skip_holidays: bool = True,
    departement: str = "",
) -> Schedule:
    """The visits of `pattern` on or after `from_day`, in order.

    - A one-off request gives its single visit (a holiday is not skipped: somebody
      chose that day on purpose).
    - A series stops after `count` periods, after `until`, before `stopped_on`, and
      for an open-ended series after `horizon` (default: `from_day` or the first day,
      plus 12 weeks). A finite series ignores `horizon` unless one is given.
    - With `skip_holidays`, a visit on a French public holiday is left out and
      reported in `Schedule.skipped`.
    """
    first_day = pattern.first_start.date()
    start_time = pattern.first_start.time()
    if not pattern.recurring:
        occurrence = Occurrence(0, pattern.first_start, pattern.first_start + pattern.duration)
        keep = from_day is None or first_day >= from_day
        return Schedule((occurrence,) if keep else (), ())
    if horizon is None and pattern.open_ended:
        horizon = max(from_day or first_day, first_day) + dt.timedelta(weeks=HORIZON_WEEKS)
    step = dt.timedelta(weeks=STEP_WEEKS[pattern.recurrence])
    found: list[Occurrence] = []
    skipped: list[SkippedDay] = []
    index = 0
    day = first_day
    continues_after: dt.date | None = None
    while True:
        if pattern.count is not None and index >= pattern.count:
            break
        if pattern.until is not None and day > pattern.until:
            break
        if pattern.stopped_on is not None and day >= pattern.stopped_on:
            break
        if horizon is not None and day > horizon:
            continues_after = horizon
            break
        if from_day is None or day >= from_day:
            holiday = holiday_name(day, departement) if skip_holidays else None
            if holiday:
                skipped.append(SkippedDay(day, holiday))
            else:
                # Wall clock: combine the local day with the local time, no UTC round trip.
                start = dt.datetime.combine(day, start_time)
                found.append(Occurrence(index, start, start + pattern.duration))
        index += 1
        day += step
    return Schedule(tuple(found), tuple(skipped), continues_after)


def first_start_of(wished_date: dt.date | None, wished_time: dt.time | None) -> dt.datetime | None:
    """The first visit of a request, when it says both a day and a time."""
    if wished_date is None or wished_time is None:
        return None
    return dt.datetime.combine(wished_date, wished_time)


def wished_duration(
    wished_from: dt.time | None, wished_to: dt.time | None, default_minutes: int
) -> dt.timedelta:
    """The visit's length: the wished times when both are given ("14:00–15:00"), else
    the mission type's default duration."""
    if wished_from is not None and wished_to is not None and wished_to > wished_from:
        return dt.datetime.combine(dt.date.min, wished_to) - dt.datetime.combine(
            dt.date.min, wished_from
        )
    return dt.timedelta(minutes=default_minutes)


def describe(pattern: Pattern) -> str:
    """ "Chaque semaine, 10 fois", "Toutes les deux semaines jusqu'au 30/06/2027"."""
    text = RECURRENCES.get(pattern.recurrence, pattern.recurrence)
    if not pattern.recurring:
        return text
    if pattern.stopped_on is not None:
        return f"{text}, arrêtée le {short_date(pattern.stopped_on)}"
    if pattern.count is not None:
        return f"{text}, {pattern.count} fois"
    if pattern.until is not None:
        return f"{text} jusqu'au {short_date(pattern.until)}"
    return f"{text}, sans date de fin"
