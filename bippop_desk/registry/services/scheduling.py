"""Scheduling rules, in one place: is a volunteer free for a visit, and what stands in
the way of giving them a series of visits (double bookings, slots, absences, weekly
maximum). Missions (assigning, extending series) and matching (suggestions) both judge
by these rules, so a suggestion marked "disponible" is never refused at assignment.

Mission times are naive Europe/Paris wall-clock datetimes and slots are wall-clock
times of the week, so the comparison never involves UTC: "Tuesday 14:00–16:00" covers a
14:00 visit on the Tuesday after the clocks change exactly as on the Tuesday before.
The pure functions take plain values; `check_week` reads one volunteer's week through
the caller's session. The spans are generic over anything ordered (times, datetimes,
or their stored ISO text, which sorts the same way: matching compares text to skip
parsing thousands of rows).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from bippop_desk.registry.errors import SchedulingError
from bippop_desk.registry.frdates import short_date, short_time, weekday_name
from bippop_desk.registry.models import (
    Mission,
    Volunteer,
    VolunteerAbsence,
    VolunteerAvailability,
)
from bippop_desk.registry.services.recurrence import Occurrence


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


# An ordered value: a time, a datetime, or its stored ISO text (same order).
Moment = TypeVar("Moment", dt.time, dt.datetime, str)


def overlaps(start: Moment, end: Moment, other_start: Moment, other_end: Moment) -> bool:
    """Half-open intervals: a visit ending at 15:00 does not clash with one starting at 15:00.
    This is the double-booking rule."""
    return start < other_end and other_start < end


def merged_spans(spans: Iterable[tuple[Moment, Moment]]) -> list[tuple[Moment, Moment]]:
    """Spans sorted, with touching or overlapping ones joined (9:00–12:00 and
    12:00–14:00 make 9:00–14:00, so an 11:30–12:30 visit fits). Empty spans are dropped."""
    merged: list[tuple[Moment, Moment]] = []
    for begin, end in sorted(s for s in spans if s[1] > s[0]):
        if merged and begin <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((begin, end))
    return merged


def fits_spans(spans: Iterable[tuple[Moment, Moment]], begin: Moment, end: Moment) -> bool:
    """True when [begin, end) lies inside one of the (merged) spans."""
    return any(low <= begin and end <= high for low, high in merged_spans(spans))


def merged_day_slots(slots: Iterable[WeeklySlot], weekday: int) -> list[tuple[dt.time, dt.time]]:
    """The slots of one weekday, sorted, touching or overlapping ones joined."""
    return merged_spans((s.start, s.end) for s in slots if s.weekday == weekday)


def within_slots(start: dt.datetime, end: dt.datetime, slots: Iterable[WeeklySlot]) -> bool:
    """True when [start, end) lies inside one (merged) weekly slot of start's weekday.

    A visit that runs past midnight never fits: volunteers declare daytime slots.
    """
    if end <= start or end.date() != start.date():
        return False
    day = [(s.start, s.end) for s in slots if s.weekday == start.weekday()]
    return fits_spans(day, start.time(), end.time())


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


# -- checking a volunteer's week ------------------------------------------------------
@dataclass
class WeekProblems:
    refused: list[str]  # double bookings: never allowed
    overridable: dict[int, list[str]]  # visit index → reasons needing an override

    def sentences(self) -> list[str]:
        return [text for texts in self.overridable.values() for text in texts]


def visit_when(visit: Occurrence) -> str:
    return f"{short_date(visit.day)} {short_time(visit.start)}–{short_time(visit.end)}"


def check_week(
    session: Session,
    volunteer: Volunteer,
    visits: Sequence[Occurrence],
    *,
    ignore_missions: Iterable[str] = (),
    ignore_request: str | None = None,
) -> WeekProblems:
    """Everything that stands in the way of `volunteer` doing `visits`."""
    problems = WeekProblems([], {})
    if not visits:
        return problems
    ignored = set(ignore_missions)
    first = dt.datetime.combine(week_bounds(visits[0].day)[0], dt.time())
    last = dt.datetime.combine(week_bounds(visits[-1].day)[1], dt.time())
    others = [
        m
        for m in session.execute(
            select(Mission.id, Mission.request_id, Mission.starts_at, Mission.ends_at).where(
                Mission.volunteer_id == volunteer.id,
                Mission.starts_at >= first - dt.timedelta(days=1),
                Mission.starts_at < last,
                Mission.status != "annulee",
                Mission.deleted_at.is_(None),
            )
        ).all()
        if m.id not in ignored and (ignore_request is None or m.request_id != ignore_request)
    ]
    slots = [
        WeeklySlot(*row)
        for row in session.execute(
            select(
                VolunteerAvailability.weekday,
                VolunteerAvailability.start_time,
                VolunteerAvailability.end_time,
            ).where(
                VolunteerAvailability.volunteer_id == volunteer.id,
                VolunteerAvailability.deleted_at.is_(None),
            )
        )
    ]
    absences = [
        Absence(*row)
        for row in session.execute(
            select(
                VolunteerAbsence.start_date, VolunteerAbsence.end_date, VolunteerAbsence.reason
            ).where(
                VolunteerAbsence.volunteer_id == volunteer.id,
                VolunteerAbsence.deleted_at.is_(None),
                VolunteerAbsence.end_date >= visits[0].day,
                VolunteerAbsence.start_date <= visits[-1].end.date(),
            )
        )
    ]
    per_week: dict[dt.date, int] = {}
    for other in others:
        monday = week_bounds(other.starts_at.date())[0]
        per_week[monday] = per_week.get(monday, 0) + 1
    name = volunteer.full_name
    for visit in visits:
        reasons: list[str] = []
        for other in others:
            if overlaps(visit.start, visit.end, other.starts_at, other.ends_at):
                problems.refused.append(
                    f"{name} a déjà une intervention le {short_date(other.starts_at.date())} "
                    f"de {short_time(other.starts_at)} à {short_time(other.ends_at)}."
                )
                break
        if not within_slots(visit.start, visit.end, slots):
            reasons.append(f"le {visit_when(visit)} est en dehors des disponibilités de {name}")
        absence = absence_on(visit.start, visit.end, absences)
        if absence is not None:
            reasons.append(f"{name} est {absence.text()} (séance du {short_date(visit.day)})")
        monday = week_bounds(visit.day)[0]
        per_week[monday] = per_week.get(monday, 0) + 1
        if per_week[monday] > volunteer.max_missions_per_week:
            reasons.append(
                f"{name} aurait {per_week[monday]} interventions la semaine du "
                f"{short_date(monday)} (maximum {volunteer.max_missions_per_week})"
            )
        if reasons:
            problems.overridable[visit.index] = reasons
    return problems


def enforce(problems: WeekProblems, volunteer: Volunteer, override_reason: str) -> None:
    """Refuse double bookings; ask for a reason for the rest (SchedulingError)."""
    if problems.refused:
        raise SchedulingError(
            f"Impossible de confier cette intervention à {volunteer.full_name} :\n– "
            + "\n– ".join(dict.fromkeys(problems.refused)),
            overridable=False,
        )
    if problems.overridable and not override_reason.strip():
        raise SchedulingError(
            "À vérifier avant de confirmer :\n– "
            + ";\n– ".join(problems.sentences())
            + ".\nPour confirmer quand même, indiquez la raison.",
            overridable=True,
        )
