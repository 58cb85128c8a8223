"""A desk process killed (SIGKILL) at random points while it syncs in a loop, 200 times:
after restart nothing is lost and nothing is applied twice.

The child is forked from the test process (modules already imported: a kill cycle costs
tens of milliseconds, not a Python start-up) and opens its own registry and HTTP client;
it adds hours and people and syncs, over and over, until killed. Another desk keeps
changing the commune meanwhile, so kills land in pulls too."""

from __future__ import annotations

import datetime as dt
import os
import random
import signal
import sqlite3
import time

from bippop_desk.registry.services.hours import HoursInput, add_hours
from bippop_desk.registry.services.volunteers import VolunteerInput, create_volunteer
from bippop_desk.registry.store import Registry
from bippop_desk.sync.engine import sync_once
from tests.conftest import add_person
from tests.sync.conftest import COORDINATOR, FAST_RETRY, Commune, assert_converged, pending

KILLS = 200


def letters(number: int) -> str:
    """Names may not hold digits: 123 -> "bcd"."""
    return "".join("abcdefghij"[int(d)] for d in str(number))


def _child(path: str, volunteer: str) -> None:
    registry = Registry(path, COORDINATOR)
    turn = 0
    while True:
        turn += 1
        add_hours(
            registry,
            HoursInput(volunteer_id=volunteer, entry_date=dt.date.today(), minutes=1),
        )
        if turn % 3 == 0:
            add_person(registry, "Kill", f"Tour {letters(os.getpid())} {letters(turn)}")
        sync_once(registry, retry=FAST_RETRY)


def hours(path: object) -> tuple[int, int]:
    with sqlite3.connect(str(path)) as conn:
        count, total = conn.execute(
            "SELECT count(*), coalesce(sum(minutes), 0) FROM hours_entry"
        ).fetchone()
    return int(count), int(total)


def test_a_desk_killed_200_times_mid_sync_loses_nothing_and_doubles_nothing(
    commune: Commune,
) -> None:
    desk, other = commune.desk("accueil"), commune.desk("ccas")
    volunteer = create_volunteer(desk.registry, VolunteerInput(first_name="Ida", last_name="Roy"))
    desk.sync_ok()
    other.sync_ok()
    desk.registry.close()
    rng = random.Random(7)
    in_flight = 0
    for kill in range(KILLS):
        if kill % 25 == 0:
            add_person(other.registry, "Autre", f"Poste {letters(kill)}")
            other.sync_ok()
        pid = os.fork()
        if pid == 0:  # the child: sync until killed
            try:
                _child(str(desk.path), volunteer)
            finally:
                os._exit(0)
        time.sleep(rng.uniform(0.005, 0.15))
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        with sqlite3.connect(desk.path) as conn:
            # A batch marked but not acknowledged: this kill landed mid-push.
            in_flight += conn.execute(
                "SELECT count(*) > 0 FROM outbox WHERE state = 'pending' AND batch_id IS NOT NULL"
            ).fetchone()[0]

    desk.registry = Registry(desk.path, COORDINATOR)
    with sqlite3.connect(desk.path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    added, minutes = hours(desk.path)
    assert added > 20  # the children did work between kills
    print(f"kills mid-push: {in_flight} of {KILLS}")
    assert in_flight > 5, in_flight  # and were killed in the middle of pushes
    desk.sync_ok()
    other.sync_ok()
    late = commune.desk("controle")
    late.sync_ok()
    assert pending(desk) == 0
    assert hours(late.path) == hours(other.path) == (added, minutes)
    assert_converged(desk, other, late)
