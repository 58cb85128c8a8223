"""Weighing the candidates on plain numbers: who offers the type near the visit, who
knows the person, absences, double bookings (the `scheduling` rules on stored text),
load of the week, and the best of the rest."""

from __future__ import annotations

import datetime as dt
import heapq
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import (
    Connection,
)

from bippop_desk.registry.services.matching_queries import (
    ABSENCES,
    ALL_LOAD_SQL,
    ALL_OFFERING_SQL,
    KNOWN,
    LOAD_OF,
    OFFERING_NEAR,
    SLOTS_OF,
    VOLUNTEERS_BY_ID,
    busy_statement,
    stamp,
)
from bippop_desk.registry.services.matching_types import (
    KNOWS_CAP,
    W_ABSENT_ALL,
    W_ABSENT_SOME,
    W_AVAILABLE,
    W_KNOWS,
    W_KNOWS_PER_VISIT,
    W_LOAD_PER_VISIT,
    W_NO_CAR,
    W_NO_OFFER,
    W_OFFERS,
    W_OUTSIDE,
    W_OVER_MAX,
    W_QUARTIER,
    Candidate,
    Target,
)
from bippop_desk.registry.services.recurrence import (
    Occurrence,
)
from bippop_desk.registry.services.scheduling import fits_spans, overlaps

# -- weighing -----------------------------------------------------------------------
# The best score a volunteer outside every visit's slots can reach without knowing the
# person (those who know the person are always weighed in the first pass).
OUTSIDE_BEST = W_OUTSIDE + W_OFFERS + W_QUARTIER

Group = tuple[int, str, str]  # weekday, start and end time text of a visit
AbsenceHit = tuple[int, tuple[str, str, str]]  # visits hit, first absence (start, end, why)


def raw(conn: Connection, sql: str, params: tuple[Any, ...]) -> list[Any]:
    driver = conn.connection.driver_connection
    assert driver is not None
    return list(driver.execute(sql, params).fetchall())


def near(
    conn: Connection, target: Target, groups: dict[Group, int], quartier: str
) -> dict[str, Candidate]:
    found: dict[str, Candidate] = {}
    spans: dict[tuple[str, Group], list[tuple[str, str]]] = defaultdict(list)
    for group in groups:
        weekday, begin, end = group
        params = {
            "type_id": target.mission_type_id,
            "quartier": quartier,
            "weekday": weekday,
            "start": begin,
            "end": end,
        }
        for row in conn.execute(OFFERING_NEAR, params).all():
            volunteer_id = row[0]
            if volunteer_id in target.exclude:
                continue
            if volunteer_id not in found:
                found[volunteer_id] = Candidate(row[:4], offers=True)
            spans[(volunteer_id, group)].append((row[4], row[5]))
    set_outside(found, groups, spans, len(target.occurrences))
    return found


def add_known(
    conn: Connection,
    target: Target,
    found: dict[str, Candidate],
    groups: dict[Group, int],
    quartier: str,
) -> None:
    """Bring in the volunteers who already helped the person, and count their visits."""
    known = conn.execute(KNOWN, {"beneficiary_id": target.beneficiary_id}).all()
    newcomers = [vid for vid, _n, _last in known if vid and vid not in found]
    newcomers = [vid for vid in newcomers if vid not in target.exclude]
    if newcomers:
        added: dict[str, Candidate] = {}
        params = {"ids": newcomers, "quartier": quartier, "type_id": target.mission_type_id}
        for row in conn.execute(VOLUNTEERS_BY_ID, params):
            added[row[0]] = Candidate(row[:4], offers=bool(row[4]))
        spans: dict[tuple[str, Group], list[tuple[str, str]]] = defaultdict(list)
        for group in groups:
            weekday, begin, end = group
            slot_params = {"ids": list(added), "weekday": weekday, "start": begin, "end": end}
            for volunteer_id, slot_begin, slot_end in conn.execute(SLOTS_OF, slot_params):
                spans[(volunteer_id, group)].append((slot_begin, slot_end))
        if target.occurrences:
            set_outside(added, groups, spans, len(target.occurrences))
        found.update(added)
    for volunteer_id, visits, last in known:
        candidate = found.get(volunteer_id or "")
        if candidate is not None:
            candidate.knows = int(visits)
            candidate.last_visit = str(last or "")


def set_outside(
    found: dict[str, Candidate],
    groups: dict[Group, int],
    spans: dict[tuple[str, Group], list[tuple[str, str]]],
    total: int,
) -> None:
    """How many of the `total` visits fall outside each candidate's slots."""
    covered: dict[str, int] = defaultdict(int)
    for (volunteer_id, group), own in spans.items():
        _weekday, begin, end = group
        if fits_spans(own, begin, end):
            covered[volunteer_id] += groups[group]
    for candidate in found.values():
        candidate.outside = total - covered.get(candidate.id, 0)


def week_loads(
    conn: Connection, week: tuple[dt.date, dt.date], ids: list[str] | None
) -> dict[str, int]:
    """Missions (not cancelled) per volunteer that week: for `ids`, or for everyone."""
    start = dt.datetime.combine(week[0], dt.time())
    end = dt.datetime.combine(week[1], dt.time())
    if ids is None:
        return dict(raw(conn, ALL_LOAD_SQL, (stamp(start), stamp(end))))
    rows = conn.execute(LOAD_OF, {"week_start": start, "week_end": end, "ids": ids}).all()
    return {str(vid): int(count) for vid, count in rows}


def score(target: Target, c: Candidate) -> int:
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


def weigh(
    target: Target,
    found: dict[str, Candidate],
    load: dict[str, int],
    absent: dict[str, AbsenceHit],
    busy: dict[str, tuple[Occurrence, ...]],
) -> None:
    for volunteer_id, candidate in found.items():
        candidate.load = load.get(volunteer_id, 0)
        hit = absent.get(volunteer_id)
        if hit is not None:
            candidate.absent, candidate.absence = hit
        candidate.busy = busy.get(volunteer_id, ())
        candidate.score = score(target, candidate)


def best_of_the_rest(
    conn: Connection,
    target: Target,
    quartier: str,
    found: dict[str, Candidate],
    load: dict[str, int],
    absent: dict[str, AbsenceHit],
    busy: dict[str, tuple[Occurrence, ...]],
    limit: int,
) -> tuple[dict[str, Candidate], int]:
    """The best `limit` of the offering volunteers not weighed yet (and how many were
    weighed). None has a slot
    touching the visits (or there are no visits) and none knows the person, so the
    score needs only their load, absences, car and quartier: computed on tuples, and
    candidates are built for the winners only."""
    n = len(target.occurrences)
    base = W_OFFERS + (W_OUTSIDE if n else 0)
    keyed = []
    for volunteer_id, same_quartier, car, max_week in raw(
        conn, ALL_OFFERING_SQL, (quartier, target.mission_type_id)
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
    chosen: dict[str, Candidate] = {}
    for _busy_flag, _neg, _week_load, volunteer_id, same_quartier, car, max_week in heapq.nsmallest(
        max(limit, 0), keyed
    ):
        candidate = Candidate((volunteer_id, same_quartier, car, max_week), offers=True)
        candidate.outside = n
        chosen[volunteer_id] = candidate
    weigh(target, chosen, load, absent, busy)
    return chosen, len(keyed)


def absence_hits(conn: Connection, visits: Sequence[Occurrence]) -> dict[str, AbsenceHit]:
    """Per volunteer: how many visits fall on an absence, and the first such absence."""
    window = {"first_day": visits[0].day, "last_day": visits[-1].end.date()}
    days = [(v.day.isoformat(), v.end.date().isoformat()) for v in visits]
    found: dict[str, AbsenceHit] = {}
    for volunteer_id, start, end, reason in conn.execute(ABSENCES, window).all():
        hit = sum(1 for first, last in days if start <= last and first <= end)
        if hit:
            count, first_absence = found.get(volunteer_id, (0, (start, end, reason)))
            found[volunteer_id] = (count + hit, first_absence)
    return found


def double_bookings(conn: Connection, target: Target) -> dict[str, tuple[Occurrence, ...]]:
    """Per volunteer: the visits that overlap one of their missions (double bookings)."""
    params: dict[str, Any] = {"request_id": target.request_id or ""}
    for i, visit in enumerate(target.occurrences):
        params[f"start{i}"] = visit.start
        params[f"end{i}"] = visit.end
        params[f"floor{i}"] = visit.start - dt.timedelta(days=1)
    stamps = [(v, stamp(v.start), stamp(v.end)) for v in target.occurrences]
    found: dict[str, tuple[Occurrence, ...]] = {}
    rows = conn.execute(busy_statement(len(target.occurrences)), params).all()
    for volunteer_id, start, end in rows:
        for visit, begin, finish in stamps:
            clashes = found.get(volunteer_id, ())
            if overlaps(begin, finish, start, end) and visit not in clashes:
                found[volunteer_id] = (*clashes, visit)
    return found
