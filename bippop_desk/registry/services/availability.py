"""Is a volunteer free for a visit? Pure functions over weekly slots and absences.

Mission times are naive Europe/Paris wall-clock datetimes and slots are wall-clock
times of the week, so the comparison never involves UTC: "Tuesday 14:00–16:00" covers a
14:00 visit on the Tuesday after the clocks change exactly as on the Tuesday before.
Nothing here touches the database; the services and the matching feed it plain values.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bippop_desk.registry.frdates import short_date, short_time, weekday_name


@dataclass(frozen=True)
class WeeklySlot:
    """A recurring free time: weekday 0 = Monday, wall-clock start and end (end > start)."""

    weekday: int
    start: dt.time
    end: dt.time

    def text(self) -> str:
        """ "mardi 14:00–16:00"."""
        return f"{weekday_name(self.weekday)} {short_time(self.start)}–{short_time(self.end)}"


@dataclass(frozen=True)
class Absence:
    """Days the volunteer is away, both ends included."""

    start: dt.date
    end: dt.date
    reason: str = ""

    def covers(self, day: dt.date) -> bool:
        return self.start <= day <= self.end

    def text(self) -> str:
        """ "absent·e du 12/12/2026 au 20/12/2026 (congés)"."""
        when = (
            f"le {short_date(self.start)}"
            if self.start == self.end
            else f"du {short_date(self.start)} au {short_date(self.end)}"
        )
        return f"absent·e {when}" + (f" ({self.reason.lower()})" if self.reason else "")


@dataclass(frozen=True)
class AvailabilityCheck:
    """The verdict for one visit: inside the weekly slots? on an absence?"""

    in_slots: bool
    absence: Absence | None

    @property
    def free(self) -> bool:
        return self.in_slots and self.absence is None


def overlaps(
    start: dt.datetime, end: dt.datetime, other_start: dt.datetime, other_end: dt.datetime
) -> bool:
    """Half-open intervals: a visit ending at 15:00 does not clash with one starting at 15:00."""
    return start < other_end and other_start < end


def merged_day_slots(slots: Iterable[WeeklySlot], weekday: int) -> list[tuple[dt.time, dt.time]]:
    """The slots of one weekday, sorted, with touching or overlapping ones joined
    (9:00–12:00 and 12:00–14:00 make 9:00–14:00, so an 11:30–12:30 visit fits)."""
    spans = sorted((s.start, s.end) for s in slots if s.weekday == weekday and s.end > s.start)
    merged: list[tuple[dt.time, dt.time]] = []
    for begin, end in spans:
        if merged and begin <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((begin, end))
    return merged


def within_slots(start: dt.datetime, end: dt.datetime, slots: Iterable[WeeklySlot]) -> bool:
    """True when [start, end) lies inside one (merged) weekly slot of start's weekday.

    A visit that runs past midnight never fits: volunteers declare daytime slots.
    """
    if end <= start or end.date() != start.date():
        return False
    return any(
        begin <= start.time() and end.time() <= finish
        for begin, finish in merged_day_slots(slots, start.weekday())
    )


def absence_on(start: dt.datetime, end: dt.datetime, absences: Iterable[Absence]) -> Absence | None:
    """The first absence that touches any day of [start, end), or None."""
    first_day = start.date()
    last_day = (end - dt.timedelta(microseconds=1)).date() if end > start else first_day
    for absence in absences:
        if absence.start <= last_day and first_day <= absence.end:
            return absence
    return None


def check(
    start: dt.datetime,
    end: dt.datetime,
    slots: Sequence[WeeklySlot],
    absences: Sequence[Absence],
) -> AvailabilityCheck:
    """Whether the volunteer is free for the visit [start, end), and why not."""
    return AvailabilityCheck(within_slots(start, end, slots), absence_on(start, end, absences))


def is_free(
    start: dt.datetime,
    end: dt.datetime,
    slots: Sequence[WeeklySlot],
    absences: Sequence[Absence],
) -> bool:
    """True when [start, end) fits a weekly slot and falls on no absence."""
    return check(start, end, slots, absences).free


def week_bounds(day: dt.date) -> tuple[dt.date, dt.date]:
    """Monday and the next Monday of `day`'s week (the weekly maximum counts Mon–Sun)."""
    monday = day - dt.timedelta(days=day.weekday())
    return monday, monday + dt.timedelta(days=7)


def slot_problems(slots: Sequence[WeeklySlot]) -> str | None:
    """A French message when a slot list cannot be saved, else None."""
    for slot in slots:
        if not 0 <= slot.weekday <= 6:
            return "Jour de la semaine inconnu."
        if slot.end <= slot.start:
            return f"Le créneau du {weekday_name(slot.weekday)} finit avant de commencer."
    return None
