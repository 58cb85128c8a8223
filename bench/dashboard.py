"""Dashboard: every figure of the tableau de bord for a year of a large city (~120,000
hours entries, the cached 100,000-person demo registry the hours bench uses too).
Target: ≤ 500 ms. Floor, same run: the plainest same reading — one raw sqlite3 query
over the year's resolved entries (`hours_fact`, kept by triggers, migration 0008) and a
bare Python tally of minutes and of distinct missions, people and volunteers (no
categories, no months, no match rate, no other figure). CPU time is printed too: on a
shared machine the wall clock also measures the neighbours.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import time

from bench.common import demo_registry_file, median, report

TARGET_MS = 500
MIN_ENTRIES = 100_000
PEOPLE, VOLUNTEERS = 100_000, 20_000
RUNS = 5

_FLOOR_SQL = """
SELECT minutes, original, mission, person, volunteer FROM hours_fact
WHERE entry_date >= ? AND entry_date <= ?
"""


def _floor(db: str, start: str, end: str) -> float:
    conn = sqlite3.connect(db)
    started = time.perf_counter()
    minutes = 0
    missions: set[int] = set()
    people: set[int] = set()
    volunteers: set[int] = set()
    for spent, original, mission, person, volunteer in conn.execute(_FLOOR_SQL, (start, end)):
        minutes += spent
        if original:
            volunteers.add(volunteer)
            if mission is not None:
                missions.add(mission)
                if person is not None:
                    people.add(person)
    elapsed = time.perf_counter() - started
    conn.close()
    return elapsed


def run() -> dict[str, object]:
    from bippop_desk.registry.services.dashboard import dashboard
    from bippop_desk.registry.services.hours_report import Period
    from bippop_desk.registry.store import Registry

    db = demo_registry_file(PEOPLE, VOLUNTEERS)
    with sqlite3.connect(db) as conn:
        last = dt.date.fromisoformat(
            conn.execute("SELECT max(entry_date) FROM hours_entry").fetchone()[0]
        )
    period = Period.between(last - dt.timedelta(days=364), last)
    ours, floors, cpu = [], [], []
    entries = 0
    with Registry(db, migrate=False) as registry:
        dashboard(registry, period)  # warm the file cache, as a page opened twice would
        for _ in range(RUNS):
            started, started_cpu = time.perf_counter(), time.process_time()
            board = dashboard(registry, period)
            ours.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
            entries = board.hours.entries
            floors.append(_floor(str(db), period.start.isoformat(), period.end.isoformat()) * 1000)
    value, floor = median(ours), median(floors)
    return report(
        "dashboard",
        value,
        "ms",
        TARGET_MS,
        floor,
        value <= TARGET_MS and entries >= MIN_ENTRIES,
        entries=entries,
        runs_ms=[round(v) for v in ours],
        cpu_ms=[round(v) for v in cpu],
        floor_runs_ms=[round(v) for v in floors],
    )


if __name__ == "__main__":
    run()
