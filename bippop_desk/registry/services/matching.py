"""Which volunteers to suggest for a request, best first, each with its reasons.

Candidates are the validated volunteers who offer the request's mission type, plus
the validated volunteers who already helped the person (continuity matters to old
people, so they are shown even when the type is not on their list). Each candidate is
checked against the visits to plan (the one visit, or the next weeks of a series):

| reason            | kind                 | score                     |
|-------------------|----------------------|---------------------------|
| available         | positive             | +50                       |
| outside_slots     | negative (overridable)| −50                      |
| absent            | negative (overridable)| −60 (one visit) / −25    |
| busy              | blocking             | listed last               |
| offers_type       | positive             | +30                       |
| no_offer          | negative             | −30                       |
| has_car / no_car  | positive / negative  | 0 / −40                   |
| knows_beneficiary | positive             | +25, +3 per visit up to 5 |
| load / over_max   | positive / negative  | −5 per visit / −35        |
| same_quartier     | positive             | +10                       |

Speed: a large commune has thousands of volunteers and tens of thousands of missions,
and the coordinator expects the list at once (bench `matching`: p95 ≤ 20 ms). So the
data is read with a handful of indexed Core queries returning plain tuples; times are
read as their stored text (ISO order sorts like time) instead of being parsed into
objects, every candidate is scored with plain numbers, and the French reasons are
written only for the few suggestions returned.
"""

from __future__ import annotations

import datetime as dt
import heapq
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal

from sqlalchemy import (
    Connection,
    Date,
    DateTime,
    String,
    and_,
    bindparam,
    func,
    or_,
    select,
    type_coerce,
)

from bippop_desk.registry.clock import local_today
from bippop_desk.registry.errors import NotFoundError
from bippop_desk.registry.frdates import short_date, short_time, weekday_name
from bippop_desk.registry.models import (
    Beneficiary,
    Commune,
    Mission,
    MissionType,
    Request,
    Volunteer,
    VolunteerAbsence,
    VolunteerAvailability,
    VolunteerOffer,
)
from bippop_desk.registry.phones import format_phone
from bippop_desk.registry.services.availability import week_bounds
from bippop_desk.registry.services.recurrence import (
    Occurrence,
    Pattern,
    SkippedDay,
    first_start_of,
    occurrences,
    wished_duration,
)
from bippop_desk.registry.store import Registry

Kind = Literal["positive", "negative", "blocking"]

# Problems the coordinator may override with a written reason (missions.assign_volunteer).
OVERRIDABLE = frozenset({"outside_slots", "absent", "over_max"})

# How many visits of a series are checked (the series is planned further later).
MATCH_WEEKS = 8
DONE = ("realisee", "validee")

W_AVAILABLE, W_OUTSIDE, W_ABSENT_ALL, W_ABSENT_SOME = 50, -50, -60, -25
W_OFFERS, W_NO_OFFER, W_NO_CAR = 30, -30, -40
W_KNOWS, W_KNOWS_PER_VISIT, KNOWS_CAP = 25, 3, 5
W_LOAD_PER_VISIT, W_OVER_MAX, W_QUARTIER = -5, -35, 10


@dataclass(frozen=True)
class Reason:
    """One reason shown next to a suggestion: a stable code, a French label, and
    whether it speaks for the volunteer, against, or rules them out."""

    code: str
    label: str
    kind: Kind


@dataclass(frozen=True)
class Suggestion:
    volunteer_id: str
    full_name: str
    phone: str  # shown the French way, to call the volunteer
    quartier: str
    has_car: bool
    missions_that_week: int
    max_per_week: int
    score: int
    reasons: tuple[Reason, ...]

    @property
    def blocked(self) -> bool:
        """A double booking: the assignment would be refused."""
        return any(r.kind == "blocking" for r in self.reasons)

    @property
    def needs_override(self) -> bool:
        """Assignable only with a written reason (outside slots, absent, over maximum)."""
        return any(r.code in OVERRIDABLE for r in self.reasons)


@dataclass(frozen=True)
class MatchResult:
    request_id: str | None
    occurrences: tuple[Occurrence, ...]  # the visits checked
    skipped: tuple[SkippedDay, ...]  # holidays left out of the series
    candidates: int  # how many volunteers were weighed
    suggestions: tuple[Suggestion, ...]

    @property
    def dated(self) -> bool:
        """False when the request has no day and time yet: availability is not checked."""
        return bool(self.occurrences)


@dataclass(frozen=True)
class _Target:
    request_id: str | None
    beneficiary_id: str
    beneficiary_first: str
    quartier: str
    mission_type_id: str
    type_label: str
    needs_car: bool
    recurring: bool
    occurrences: tuple[Occurrence, ...]
    skipped: tuple[SkippedDay, ...]
    exclude: frozenset[str]


class _Candidate:
    """Plain per-volunteer tallies; names and reasons are fetched and worded only for
    the winners. Class attributes are the defaults: most candidates keep most of them."""

    knows = 0
    last_visit = ""
    load = 0
    outside = 0
    absent = 0
    absence: tuple[str, str, str] | None = None
    busy: tuple[Occurrence, ...] = ()
    score = 0

    def __init__(self, row: Sequence[Any], offers: bool) -> None:
        self.id, same_quartier, car, self.max_week = row
        self.same_quartier = bool(same_quartier)
        self.has_car = bool(car)
        self.offers = offers


# -- the statements (built once: building a select costs more than running it) ----
def _text(column: Any) -> Any:
    """Read a date/time column as its stored ISO text: no parsing for thousands of rows."""
    return type_coerce(column, String)


def _stamp(moment: dt.datetime) -> str:
    """A datetime as SQLAlchemy stores it on SQLite, to compare with `_text` columns."""
    return moment.strftime("%Y-%m-%d %H:%M:%S.%f")


_LIVE_MISSION = and_(Mission.status != "annulee", Mission.deleted_at.is_(None))
_VALIDATED = and_(Volunteer.status == "valide", Volunteer.deleted_at.is_(None))
# What scoring needs of each candidate (names and phones only for the winners).
_VOLUNTEER_COLUMNS = (
    Volunteer.id,
    (Volunteer.quartier == bindparam("quartier")).label("same_quartier"),
    Volunteer.has_car,
    Volunteer.max_missions_per_week,
)
_DETAILS = select(
    Volunteer.id, Volunteer.first_name, Volunteer.last_name, Volunteer.phone, Volunteer.quartier
).where(Volunteer.id.in_(bindparam("ids", expanding=True)))
# Matches nothing typed by a person: a beneficiary without quartier shares it with nobody.
_NO_QUARTIER = "\x00"

_REQUEST = (
    select(
        Request.beneficiary_id,
        Request.mission_type_id,
        Request.wished_date,
        Request.wished_time_from,
        Request.wished_time_to,
        Request.recurrence,
        Request.recurrence_count,
        Request.recurrence_until,
        Request.recurrence_stopped_on,
        MissionType.default_duration_min,
        Commune.departement,
    )
    .join(MissionType, MissionType.id == Request.mission_type_id)
    .join(Commune, Commune.id == Request.commune_id)
    .where(Request.id == bindparam("request_id"), Request.deleted_at.is_(None))
)
_MISSION = select(
    Mission.request_id,
    Mission.beneficiary_id,
    Mission.mission_type_id,
    Mission.volunteer_id,
    Mission.starts_at,
    Mission.ends_at,
).where(Mission.id == bindparam("mission_id"), Mission.deleted_at.is_(None))
_WHO_AND_WHAT = select(
    Beneficiary.first_name,
    Beneficiary.quartier,
    select(MissionType.label).where(MissionType.id == bindparam("type_id")).scalar_subquery(),
    select(MissionType.needs_car).where(MissionType.id == bindparam("type_id")).scalar_subquery(),
).where(Beneficiary.id == bindparam("beneficiary_id"))
# Only a slot that overlaps the visit can cover it (alone or joined to a neighbour).
_NEAR_SLOT = and_(
    VolunteerAvailability.weekday == bindparam("weekday"),
    _text(VolunteerAvailability.start_time) < bindparam("end", type_=String),
    _text(VolunteerAvailability.end_time) > bindparam("start", type_=String),
    VolunteerAvailability.deleted_at.is_(None),
)
_SLOT_TEXT = (_text(VolunteerAvailability.start_time), _text(VolunteerAvailability.end_time))
# The likely winners: offering the type, with a slot touching the visit.
_OFFERING_NEAR = (
    select(*_VOLUNTEER_COLUMNS, *_SLOT_TEXT)
    .select_from(VolunteerAvailability)
    .join(
        VolunteerOffer,
        and_(
            VolunteerOffer.volunteer_id == VolunteerAvailability.volunteer_id,
            VolunteerOffer.mission_type_id == bindparam("type_id"),
        ),
    )
    .join(Volunteer, Volunteer.id == VolunteerAvailability.volunteer_id)
    # `status || ''` keeps SQLite from starting at the status index (thousands of
    # validated volunteers) instead of the few slots touching the visit.
    .where(_NEAR_SLOT, (Volunteer.status + "") == "valide", Volunteer.deleted_at.is_(None))
)
_SLOTS_OF = select(VolunteerAvailability.volunteer_id, *_SLOT_TEXT).where(
    VolunteerAvailability.volunteer_id.in_(bindparam("ids", expanding=True)), _NEAR_SLOT
)
# Continuity: who already helped this person, how often, and when last.
_KNOWN = (
    select(Mission.volunteer_id, func.count(), func.max(_text(Mission.starts_at)))
    .where(
        Mission.beneficiary_id == bindparam("beneficiary_id"),
        Mission.status.in_(DONE),
        Mission.deleted_at.is_(None),
    )
    .group_by(Mission.volunteer_id)
)
# Those who know the person, whether or not they offer the type.
_VOLUNTEERS_BY_ID = select(
    *_VOLUNTEER_COLUMNS,
    select(VolunteerOffer.volunteer_id)
    .where(
        VolunteerOffer.volunteer_id == Volunteer.id,
        VolunteerOffer.mission_type_id == bindparam("type_id"),
    )
    .exists()
    .label("offers"),
).where(Volunteer.id.in_(bindparam("ids", expanding=True)), _VALIDATED)
_WEEK = and_(
    Mission.starts_at >= bindparam("week_start", type_=DateTime),
    Mission.starts_at < bindparam("week_end", type_=DateTime),
    _LIVE_MISSION,
)
_LOAD_OF = (
    select(Mission.volunteer_id, func.count())
    .where(Mission.volunteer_id.in_(bindparam("ids", expanding=True)), _WEEK)
    .group_by(Mission.volunteer_id)
)
# The widest reads of all (every volunteer offering the type, every mission of the
# week) are run on the DB-API cursor: plain tuples, no result processing. They run
# inside the SQLAlchemy connection's read transaction, so all reads see one snapshot.
_ALL_OFFERING_SQL = """
SELECT v.id, v.quartier = ?, v.has_car, v.max_missions_per_week
  FROM volunteer_offer AS o JOIN volunteer AS v ON v.id = o.volunteer_id
 WHERE o.mission_type_id = ? AND v.status = 'valide' AND v.deleted_at IS NULL
"""
_ALL_LOAD_SQL = """
SELECT volunteer_id, count(*) FROM mission
 WHERE starts_at >= ? AND starts_at < ? AND status != 'annulee' AND deleted_at IS NULL
   AND volunteer_id IS NOT NULL
 GROUP BY volunteer_id
"""
_ABSENCES = select(
    VolunteerAbsence.volunteer_id,
    _text(VolunteerAbsence.start_date),
    _text(VolunteerAbsence.end_date),
    VolunteerAbsence.reason,
).where(
    VolunteerAbsence.end_date >= bindparam("first_day", type_=Date),
    VolunteerAbsence.start_date <= bindparam("last_day", type_=Date),
    VolunteerAbsence.deleted_at.is_(None),
)


@lru_cache(maxsize=MATCH_WEEKS + 1)
def _busy_statement(visits: int) -> Any:
    """Missions overlapping any of `visits` windows. A mission never lasts a day, so
    "started less than a day before the visit ends" bounds the index scan on starts_at."""
    windows = [
        and_(
            Mission.starts_at < bindparam(f"end{i}", type_=DateTime),
            Mission.starts_at > bindparam(f"floor{i}", type_=DateTime),
            Mission.ends_at > bindparam(f"start{i}", type_=DateTime),
        )
        for i in range(visits)
    ]
    return select(Mission.volunteer_id, _text(Mission.starts_at), _text(Mission.ends_at)).where(
        or_(*windows),
        _LIVE_MISSION,
        Mission.volunteer_id.is_not(None),
        # The request's own visits are what is being (re)planned, not a clash.
        or_(Mission.request_id.is_(None), Mission.request_id != bindparam("request_id")),
    )


# -- entry points -------------------------------------------------------------------
def suggest_volunteers(
    registry: Registry,
    request_id: str,
    *,
    starts_at: dt.datetime | None = None,
    duration_min: int | None = None,
    limit: int = 20,
    exclude: Iterable[str] = (),
    today: dt.date | None = None,
) -> MatchResult:
    """The best `limit` volunteers for the request, with their reasons.

    The visits checked are the request's own (its wished day and time, and for a
    series its next weeks from `today`), or the visit starting at `starts_at` when
    the coordinator proposes one. Without any date, availability is not checked
    (`MatchResult.dated` is False) and the ranking uses the other reasons.
    May run on any thread holding no session; the desktop runs it on the DB worker.
    """
    today = today or local_today()
    with registry.engine.connect() as conn:
        row = conn.execute(_REQUEST, {"request_id": request_id}).first()
        if row is None:
            raise NotFoundError("Cette demande n'existe plus.")
        (beneficiary, type_id, day, t_from, t_to, rhythm, count, until, stopped, minutes, dep) = row
        first = starts_at or first_start_of(day, t_from)
        visits: tuple[Occurrence, ...] = ()
        skipped: tuple[SkippedDay, ...] = ()
        if first is not None:
            length = (
                dt.timedelta(minutes=duration_min)
                if duration_min
                else wished_duration(t_from, t_to, minutes)
            )
            schedule = occurrences(
                Pattern(first, length, rhythm, count, until, stopped),
                from_day=today if rhythm != "aucune" else None,
                horizon=today + dt.timedelta(weeks=MATCH_WEEKS),
                departement=dep,
            )
            visits, skipped = schedule.occurrences[:MATCH_WEEKS], schedule.skipped
        target = _target(
            conn, request_id, beneficiary, type_id, visits, skipped, rhythm != "aucune", exclude
        )
        return _rank(conn, target, limit, today)


def suggest_for_mission(
    registry: Registry, mission_id: str, *, limit: int = 20, today: dt.date | None = None
) -> MatchResult:
    """Replacements for one planned visit (its current volunteer left out)."""
    today = today or local_today()
    with registry.engine.connect() as conn:
        row = conn.execute(_MISSION, {"mission_id": mission_id}).first()
        if row is None:
            raise NotFoundError("Cette intervention n'existe plus.")
        request_id, beneficiary, type_id, volunteer_id, start, end = row
        target = _target(
            conn,
            request_id,
            beneficiary,
            type_id,
            (Occurrence(0, start, end),),
            (),
            False,
            [volunteer_id] if volunteer_id else [],
        )
        return _rank(conn, target, limit, today)


def _target(
    conn: Connection,
    request_id: str | None,
    beneficiary_id: str,
    type_id: str,
    visits: tuple[Occurrence, ...],
    skipped: tuple[SkippedDay, ...],
    recurring: bool,
    exclude: Iterable[str],
) -> _Target:
    first_name, quartier, label, needs_car = conn.execute(
        _WHO_AND_WHAT, {"beneficiary_id": beneficiary_id, "type_id": type_id}
    ).one()
    return _Target(
        request_id,
        beneficiary_id,
        first_name,
        (quartier or "").strip(),
        type_id,
        label or "",
        bool(needs_car),
        recurring,
        visits,
        skipped,
        frozenset(exclude),
    )


# -- weighing -----------------------------------------------------------------------
# The best score a volunteer outside every visit's slots can reach without knowing the
# person (those who know the person are always weighed in the first pass).
_OUTSIDE_BEST = W_OUTSIDE + W_OFFERS + W_QUARTIER

_Group = tuple[int, str, str]  # weekday, start and end time text of a visit
_AbsenceHit = tuple[int, tuple[str, str, str]]  # visits hit, first absence (start, end, why)


def _rank(conn: Connection, target: _Target, limit: int, today: dt.date) -> MatchResult:
    """Weigh the candidates and word the best `limit`.

    First pass: volunteers offering the type with a slot touching the visit, and those
    who know the person. Only if fewer than `limit` of them beat `_OUTSIDE_BEST` (or
    when there is no visit to check) are all the other offering volunteers weighed,
    on plain tuples: the result is the same as weighing everyone, for less work.
    """
    visits = target.occurrences
    week = week_bounds(visits[0].day if visits else today)
    groups: dict[_Group, int] = defaultdict(int)
    for visit in visits:
        if visit.end.date() == visit.start.date():  # overnight never fits a day slot
            groups[
                (visit.start.weekday(), f"{visit.start:%H:%M:%S.%f}", f"{visit.end:%H:%M:%S.%f}")
            ] += 1
    quartier = target.quartier or _NO_QUARTIER
    found = _near(conn, target, groups, quartier) if visits else {}
    _add_known(conn, target, found, groups, quartier)
    absent = _absences(conn, visits) if visits else {}
    busy = _busy(conn, target) if visits else {}
    load = _load(conn, week, list(found)) if found else {}
    _weigh(target, found, load, absent, busy)
    weighed = len(found)
    settled = sum(1 for c in found.values() if not c.busy and c.score > _OUTSIDE_BEST)
    if not visits or settled < limit:
        everyone = _load(conn, week, None)
        rest, more = _best_of_the_rest(conn, target, quartier, found, everyone, absent, busy, limit)
        found.update(rest)
        weighed += more
    # Ties go to the lighter week, then to a fixed but arbitrary order (the id).
    best = heapq.nsmallest(
        max(limit, 0), found.values(), key=lambda c: (bool(c.busy), -c.score, c.load, c.id)
    )
    details = {row[0]: row for row in conn.execute(_DETAILS, {"ids": [c.id for c in best]}).all()}
    words = _Wording(target, week[0], week[0] == week_bounds(today)[0])
    return MatchResult(
        target.request_id,
        visits,
        target.skipped,
        weighed,
        tuple(words.suggestion(c, details[c.id]) for c in best),
    )


def _raw(conn: Connection, sql: str, params: tuple[Any, ...]) -> list[Any]:
    driver = conn.connection.driver_connection
    assert driver is not None
    return list(driver.execute(sql, params).fetchall())


def _near(
    conn: Connection, target: _Target, groups: dict[_Group, int], quartier: str
) -> dict[str, _Candidate]:
    found: dict[str, _Candidate] = {}
    spans: dict[tuple[str, _Group], list[tuple[str, str]]] = defaultdict(list)
    for group in groups:
        weekday, begin, end = group
        params = {
            "type_id": target.mission_type_id,
            "quartier": quartier,
            "weekday": weekday,
            "start": begin,
            "end": end,
        }
        for row in conn.execute(_OFFERING_NEAR, params).all():
            volunteer_id = row[0]
            if volunteer_id in target.exclude:
                continue
            if volunteer_id not in found:
                found[volunteer_id] = _Candidate(row[:4], offers=True)
            spans[(volunteer_id, group)].append((row[4], row[5]))
    _set_outside(found, groups, spans, len(target.occurrences))
    return found


def _add_known(
    conn: Connection,
    target: _Target,
    found: dict[str, _Candidate],
    groups: dict[_Group, int],
    quartier: str,
) -> None:
    """Bring in the volunteers who already helped the person, and count their visits."""
    known = conn.execute(_KNOWN, {"beneficiary_id": target.beneficiary_id}).all()
    newcomers = [vid for vid, _n, _last in known if vid and vid not in found]
    newcomers = [vid for vid in newcomers if vid not in target.exclude]
    if newcomers:
        added: dict[str, _Candidate] = {}
        params = {"ids": newcomers, "quartier": quartier, "type_id": target.mission_type_id}
        for row in conn.execute(_VOLUNTEERS_BY_ID, params):
            added[row[0]] = _Candidate(row[:4], offers=bool(row[4]))
        spans: dict[tuple[str, _Group], list[tuple[str, str]]] = defaultdict(list)
        for group in groups:
            weekday, begin, end = group
            slot_params = {"ids": list(added), "weekday": weekday, "start": begin, "end": end}
            for volunteer_id, slot_begin, slot_end in conn.execute(_SLOTS_OF, slot_params):
                spans[(volunteer_id, group)].append((slot_begin, slot_end))
        if target.occurrences:
            _set_outside(added, groups, spans, len(target.occurrences))
        found.update(added)
    for volunteer_id, visits, last in known:
        candidate = found.get(volunteer_id or "")
        if candidate is not None:
            candidate.knows = int(visits)
            candidate.last_visit = str(last or "")


def _set_outside(
    found: dict[str, _Candidate],
    groups: dict[_Group, int],
    spans: dict[tuple[str, _Group], list[tuple[str, str]]],
    total: int,
) -> None:
    """How many of the `total` visits fall outside each candidate's slots."""
    covered: dict[str, int] = defaultdict(int)
    for (volunteer_id, group), own in spans.items():
        _weekday, begin, end = group
        if _covered(own, begin, end):
            covered[volunteer_id] += groups[group]
    for candidate in found.values():
        candidate.outside = total - covered.get(candidate.id, 0)


def _load(conn: Connection, week: tuple[dt.date, dt.date], ids: list[str] | None) -> dict[str, int]:
    """Missions (not cancelled) per volunteer that week: for `ids`, or for everyone."""
    start = dt.datetime.combine(week[0], dt.time())
    end = dt.datetime.combine(week[1], dt.time())
    if ids is None:
        return dict(_raw(conn, _ALL_LOAD_SQL, (_stamp(start), _stamp(end))))
    rows = conn.execute(_LOAD_OF, {"week_start": start, "week_end": end, "ids": ids}).all()
    return {str(vid): int(count) for vid, count in rows}


def _score(target: _Target, c: _Candidate) -> int:
    n = len(target.occurrences)
    score = W_OFFERS if c.offers else W_NO_OFFER
    if n:
        if c.outside:
            score += W_OUTSIDE
        elif not c.absent:
            score += W_AVAILABLE
        if c.absent:
            score += W_ABSENT_ALL if c.absent == n else W_ABSENT_SOME
    if target.needs_car and not c.has_car:
        score += W_NO_CAR
    if c.knows:
        score += W_KNOWS + W_KNOWS_PER_VISIT * min(c.knows, KNOWS_CAP)
    score += W_OVER_MAX if c.load >= c.max_week else W_LOAD_PER_VISIT * c.load
    if c.same_quartier:
        score += W_QUARTIER
    return score


def _weigh(
    target: _Target,
    found: dict[str, _Candidate],
    load: dict[str, int],
    absent: dict[str, _AbsenceHit],
    busy: dict[str, tuple[Occurrence, ...]],
) -> None:
    for volunteer_id, candidate in found.items():
        candidate.load = load.get(volunteer_id, 0)
        hit = absent.get(volunteer_id)
        if hit is not None:
            candidate.absent, candidate.absence = hit
        candidate.busy = busy.get(volunteer_id, ())
        candidate.score = _score(target, candidate)


def _best_of_the_rest(
    conn: Connection,
    target: _Target,
    quartier: str,
    found: dict[str, _Candidate],
    load: dict[str, int],
    absent: dict[str, _AbsenceHit],
    busy: dict[str, tuple[Occurrence, ...]],
    limit: int,
) -> tuple[dict[str, _Candidate], int]:
    """The best `limit` of the offering volunteers not weighed yet (and how many were
    weighed). None has a slot
    touching the visits (or there are no visits) and none knows the person, so the
    score needs only their load, absences, car and quartier: computed on tuples, and
    candidates are built for the winners only."""
    n = len(target.occurrences)
    base = W_OFFERS + (W_OUTSIDE if n else 0)
    keyed = []
    for volunteer_id, same_quartier, car, max_week in _raw(
        conn, _ALL_OFFERING_SQL, (quartier, target.mission_type_id)
    ):
        if volunteer_id in found or volunteer_id in target.exclude:
            continue
        week_load = load.get(volunteer_id, 0)
        score = base + (W_OVER_MAX if week_load >= max_week else W_LOAD_PER_VISIT * week_load)
        hit = absent.get(volunteer_id)
        if hit is not None:
            score += W_ABSENT_ALL if hit[0] == n else W_ABSENT_SOME
        if target.needs_car and not car:
            score += W_NO_CAR
        if same_quartier:
            score += W_QUARTIER
        keyed.append(
            (volunteer_id in busy, -score, week_load, volunteer_id, same_quartier, car, max_week)
        )
    chosen: dict[str, _Candidate] = {}
    for _busy_flag, _neg, _load, volunteer_id, same_quartier, car, max_week in heapq.nsmallest(
        max(limit, 0), keyed
    ):
        candidate = _Candidate((volunteer_id, same_quartier, car, max_week), offers=True)
        candidate.outside = n
        chosen[volunteer_id] = candidate
    _weigh(target, chosen, load, absent, busy)
    return chosen, len(keyed)


def _covered(spans: Sequence[tuple[str, str]], begin: str, end: str) -> bool:
    """Whether [begin, end) fits inside the slots, touching slots joined up (same rule
    as availability.within_slots, on stored time text)."""
    low = high = ""
    for slot_begin, slot_end in sorted(spans):
        if high and slot_begin <= high:
            high = max(high, slot_end)
            continue
        if high and low <= begin and end <= high:
            return True
        low, high = slot_begin, slot_end
    return bool(high) and low <= begin and end <= high


def _absences(conn: Connection, visits: Sequence[Occurrence]) -> dict[str, _AbsenceHit]:
    """Per volunteer: how many visits fall on an absence, and the first such absence."""
    window = {"first_day": visits[0].day, "last_day": visits[-1].end.date()}
    days = [(v.day.isoformat(), v.end.date().isoformat()) for v in visits]
    found: dict[str, _AbsenceHit] = {}
    for volunteer_id, start, end, reason in conn.execute(_ABSENCES, window).all():
        hit = sum(1 for first, last in days if start <= last and first <= end)
        if hit:
            count, first_absence = found.get(volunteer_id, (0, (start, end, reason)))
            found[volunteer_id] = (count + hit, first_absence)
    return found


def _busy(conn: Connection, target: _Target) -> dict[str, tuple[Occurrence, ...]]:
    """Per volunteer: the visits that overlap one of their missions (double bookings)."""
    params: dict[str, Any] = {"request_id": target.request_id or ""}
    for i, visit in enumerate(target.occurrences):
        params[f"start{i}"] = visit.start
        params[f"end{i}"] = visit.end
        params[f"floor{i}"] = visit.start - dt.timedelta(days=1)
    stamps = [(v, _stamp(v.start), _stamp(v.end)) for v in target.occurrences]
    found: dict[str, tuple[Occurrence, ...]] = {}
    rows = conn.execute(_busy_statement(len(target.occurrences)), params).all()
    for volunteer_id, start, end in rows:
        for visit, begin, finish in stamps:
            clashes = found.get(volunteer_id, ())
            if start < finish and begin < end and visit not in clashes:
                found[volunteer_id] = (*clashes, visit)
    return found


# -- wording ------------------------------------------------------------------------
def _day(iso: str) -> str:
    """ "2026-11-24" → "24/11/2026" (the French short date, without a babel call)."""
    return f"{iso[8:10]}/{iso[5:7]}/{iso[0:4]}"


def _count(hit: int, total: int) -> str:
    return f"{hit} séance{'s' if hit > 1 else ''} sur {total}"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'s' if count > 1 else ''}"


class _Wording:
    """French reasons for the returned suggestions; what all share is worded once."""

    def __init__(self, target: _Target, week_start: dt.date, this_week: bool) -> None:
        self.target = target
        self.n = len(target.occurrences)
        self.when = ""
        if self.n:
            first = target.occurrences[0]
            hours = f"{short_time(first.start)}–{short_time(first.end)}"
            weekday = weekday_name(first.start.weekday())
            self.when = (
                f"le {weekday} {hours}"
                if target.recurring
                else f"le {weekday} {short_date(first.day)} {hours}"
            )
        self.quoted = f"« {target.type_label} »"
        self.week = "cette semaine" if this_week else f"la semaine du {short_date(week_start)}"

    def suggestion(self, c: _Candidate, details: Sequence[Any]) -> Suggestion:
        _id, first, last, phone, quartier = details
        target, n = self.target, self.n
        reasons: list[Reason] = []
        if n:
            if c.busy:
                dates = ", ".join(
                    f"{_day(v.day.isoformat())} {short_time(v.start)}" for v in c.busy[:3]
                )
                more = f" ({_count(len(c.busy), n)})" if n > 1 else ""
                reasons.append(Reason("busy", f"Déjà une intervention : {dates}{more}", "blocking"))
            if c.outside:
                reasons.append(
                    Reason(
                        "outside_slots",
                        f"En dehors de ses disponibilités ({self.when})",
                        "negative",
                    )
                )
            elif not c.absent and not c.busy:
                reasons.append(Reason("available", f"Disponible {self.when}", "positive"))
            if c.absent and c.absence is not None:
                start, end, why = c.absence
                span = f"le {_day(start)}" if start == end else f"du {_day(start)} au {_day(end)}"
                label = f"Absent·e {span}" + (f" ({why.lower()})" if why else "")
                if n > 1:
                    label += f" : {_count(c.absent, n)}"
                reasons.append(Reason("absent", label, "negative"))
        if c.offers:
            reasons.append(Reason("offers_type", f"Propose {self.quoted}", "positive"))
        else:
            reasons.append(Reason("no_offer", f"Ne propose pas {self.quoted}", "negative"))
        if target.needs_car:
            if c.has_car:
                reasons.append(Reason("has_car", "A une voiture (nécessaire ici)", "positive"))
            else:
                reasons.append(
                    Reason(
                        "no_car", f"N'a pas de voiture, nécessaire pour {self.quoted}", "negative"
                    )
                )
        if c.knows:
            last = f", la dernière le {_day(c.last_visit)}" if c.last_visit else ""
            reasons.append(
                Reason(
                    "knows_beneficiary",
                    f"Connaît déjà {target.beneficiary_first} : "
                    f"{_plural(c.knows, 'intervention')}{last}",
                    "positive",
                )
            )
        if c.load >= c.max_week:
            reasons.append(
                Reason(
                    "over_max",
                    f"Déjà {_plural(c.load, 'intervention')} {self.week} (maximum {c.max_week})",
                    "negative",
                )
            )
        else:
            reasons.append(
                Reason(
                    "load",
                    f"{_plural(c.load, 'intervention')} {self.week} sur {c.max_week} au plus",
                    "positive",
                )
            )
        if c.same_quartier:
            reasons.append(
                Reason("same_quartier", f"Même quartier ({target.quartier})", "positive")
            )
        return Suggestion(
            c.id,
            f"{first} {last}".strip(),
            format_phone(phone),
            quartier,
            c.has_car,
            c.load,
            c.max_week,
            c.score,
            tuple(reasons),
        )
