"""Two server processes (two hosts, different ports) on one PostgreSQL behind one
address: requests alternate between them, desks sync at the same time through both, and
no record is skipped or repeated (docs/operations.md)."""

from __future__ import annotations

import datetime as dt
import sqlite3
import threading
from collections.abc import Iterator

import httpx
import pytest

from bippop_desk.registry.services.hours import HoursInput, add_hours
from bippop_desk.registry.services.volunteers import VolunteerInput, create_volunteer
from bippop_desk.sync.state import read_state
from tests.central.helpers import pull_all
from tests.conftest import add_person
from tests.servers import HEADERS, CentralServer, client, start_central
from tests.sync.conftest import SYNCED_TABLES, Commune, Desk, assert_converged, pending
from tests.sync.proxy import Proxy


@pytest.fixture
def second_host(central_postgres: CentralServer) -> Iterator[CentralServer]:
    other = start_central(central_postgres.db_url)  # same database, its own process
    yield other
    other.stop()


@pytest.fixture
def balancer(commune_pg: Commune, second_host: CentralServer) -> Iterator[Proxy]:
    proxy = Proxy(commune_pg.server.url, alternates=[second_host.url]).start()
    yield proxy
    proxy.stop()


def _ids(desk: Desk) -> dict[str, list[str]]:
    with sqlite3.connect(desk.path) as conn:
        return {t: [r[0] for r in conn.execute(f"SELECT id FROM {t}")] for t in SYNCED_TABLES}


def test_desks_syncing_through_two_hosts_by_turns_miss_nothing_and_repeat_nothing(
    commune_pg: Commune, second_host: CentralServer, balancer: Proxy
) -> None:
    desks = [commune_pg.desk(name, via=balancer.url) for name in ("accueil", "ccas", "annexe")]
    for desk in desks:
        desk.sync_ok()
    volunteers = [
        create_volunteer(desk.registry, VolunteerInput(first_name="Vera", last_name=f"Blanc {n}"))
        for n, desk in zip("abc", desks, strict=True)
    ]
    errors: list[str] = []

    def work_and_sync(index: int, desk: Desk, rounds: int) -> None:
        for number in range(rounds):
            tag = "abcdefghij"[number]
            add_person(desk.registry, "Jeanne", f"Nom {'xyz'[index]} {tag}")
            add_hours(desk.registry, HoursInput(volunteer_id=volunteers[index],
                                                entry_date=dt.date.today(), minutes=30 + number,
                                                note=f"{index}-{number}"))  # fmt: skip
            report = desk.sync()
            if report.error:
                errors.append(report.error)

    threads = [
        threading.Thread(target=work_and_sync, args=(i, desk, 6)) for i, desk in enumerate(desks)
    ]
    for thread in threads:
        thread.start()
    for number in range(6):  # the web platform writes on the second host meanwhile
        answer = httpx.post(
            f"{second_host.url}/api/v1/public/communes/{commune_pg.insee}/volunteers",
            json={"first_name": "Web", "last_name": f"Inscrit {'abcdef'[number]}",
                  "email": f"w{number}@example.fr", "phone": f"06223344{number:02d}",
                  "postal_code": "60200", "city": "Compiègne"},
            headers=HEADERS, timeout=30,
        )  # fmt: skip
        assert answer.status_code == 201, answer.text
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    for _round in range(2):
        for desk in desks:
            desk.sync_ok()
    late = commune_pg.desk("controle", via=balancer.url)
    late.sync_ok()
    assert balancer._turn > 40  # both hosts answered many times

    _observer, token = commune_pg.server.enroll(commune_pg.insee, "observateur")
    with client(commune_pg.server, token) as one, client(second_host, token) as two:
        changes, latest = pull_all(one)
        assert pull_all(two) == (changes, latest)  # both hosts give the same pages
    server_ids = {c["record_id"] for c in changes}
    assert len(server_ids) == len(changes)
    for desk in [*desks, late]:
        assert pending(desk) == 0
        assert read_state(desk.registry).pull_cursor == latest
        ids = _ids(desk)
        every = [record_id for table in ids.values() for record_id in table]
        assert len(every) == len(set(every)), desk.name  # nothing repeated
        assert server_ids <= set(every), desk.name  # nothing skipped
    with sqlite3.connect(late.path) as conn:
        notes = [r[0] for r in conn.execute("SELECT note FROM hours_entry")]
    assert sorted(notes) == sorted(f"{i}-{n}" for i in range(3) for n in range(6))
    assert_converged(*desks, late)
