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

Modules: `matching_types` (shapes and weights), `matching_queries` (the statements),
`matching_weigh` (scoring), `matching_words` (French reasons); the availability and
double-booking rules come from `scheduling`, as for missions.
"""

from __future__ import annotations

import datetime as dt
import heapq
from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy import (
    Connection,
)

from bippop_desk.registry.clock import local_today
from bippop_desk.registry.errors import NotFoundError
from bippop_desk.registry.services.matching_queries import (
    DETAILS,
    MISSION,
    NO_QUARTIER,
    REQUEST,
    WHO_AND_WHAT,
)
from bippop_desk.registry.services.matching_types import (
    MATCH_WEEKS,
    OVERRIDABLE,
    MatchResult,
    Reason,
    Suggestion,
    Target,
)
from bippop_desk.registry.services.matching_weigh import (
    OUTSIDE_BEST,
    Group,
    absence_hits,
    add_known,
    best_of_the_rest,
    double_bookings,
    near,
    week_loads,
    weigh,
)
from bippop_desk.registry.services.matching_words import (
    Wording,
)
from bippop_desk.registry.services.recurrence import (
    Occurrence,
    Pattern,
    SkippedDay,
    first_start_of,
    occurrences,
    wished_duration,
)
from bippop_desk.registry.services.scheduling import week_bounds
from bippop_desk.registry.store import Registry

__all__ = [
    "MATCH_WEEKS",
    "OVERRIDABLE",
    "MatchResult",
    "Reason",
    "Suggestion",
    "suggest_for_mission",
    "suggest_volunteers",
]


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
        row = conn.execute(REQUEST, {"request_id": request_id}).first()
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
        row = conn.execute(MISSION, {"mission_id": mission_id}).first()
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
) -> Target:
    first_name, quartier, label, needs_car = conn.execute(
        WHO_AND_WHAT, {"beneficiary_id": beneficiary_id, "type_id": type_id}
    ).one()
    return Target(
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


def _rank(conn: Connection, target: Target, limit: int, today: dt.date) -> MatchResult:
    """Weigh the candidates and word the best `limit`.

    First pass: volunteers offering the type with a slot touching the visit, and those
    who know the person. Only if fewer than `limit` of them beat `OUTSIDE_BEST` (or
    when there is no visit to check) are all the other offering volunteers weighed,
    on plain tuples: the result is the same as weighing everyone, for less work.
    """
    visits = target.occurrences
    week = week_bounds(visits[0].day if visits else today)
    groups: dict[Group, int] = defaultdict(int)
    for visit in visits:
        if visit.end.date() == visit.start.date():  # overnight never fits a day slot
            groups[
                (visit.start.weekday(), f"{visit.start:%H:%M:%S.%f}", f"{visit.end:%H:%M:%S.%f}")
            ] += 1
    quartier = target.quartier or NO_QUARTIER
    found = near(conn, target, groups, quartier) if visits else {}
    add_known(conn, target, found, groups, quartier)
    absent = absence_hits(conn, visits) if visits else {}
    busy = double_bookings(conn, target) if visits else {}
    load = week_loads(conn, week, list(found)) if found else {}
    weigh(target, found, load, absent, busy)
    weighed = len(found)
    settled = sum(1 for c in found.values() if not c.busy and c.score > OUTSIDE_BEST)
    if not visits or settled < limit:
        everyone = week_loads(conn, week, None)
        rest, more = best_of_the_rest(conn, target, quartier, found, everyone, absent, busy, limit)
        found.update(rest)
        weighed += more
    # Ties go to the lighter week, then to a fixed but arbitrary order (the id).
    best = heapq.nsmallest(
        max(limit, 0), found.values(), key=lambda c: (bool(c.busy), -c.score, c.load, c.id)
    )
    details = {row[0]: row for row in conn.execute(DETAILS, {"ids": [c.id for c in best]}).all()}
    words = Wording(target, week[0], week[0] == week_bounds(today)[0])
    return MatchResult(
        target.request_id,
        visits,
        target.skipped,
        weighed,
        tuple(words.suggestion(c, details[c.id]) for c in best),
    )
