"""A Hypothesis state machine: the real server and three desks of one commune, random
edits, deletes, hours, online sign-ups and syncs through faulty proxies, changes the
platform refuses and sent again ("Renvoyer"), the platform's database restored from an
earlier backup. Invariants hold at every step (no edit lost: every protected value the
platform takes descends from the one it replaces); at the end, after clean syncs,
every desk equals the server and every cursor reached its latest sequence.

Bounded: one server of its own for the whole run, a fresh commune and fresh desks per
example, a handful of examples of a few dozen steps (BIPPOP_STATE_MACHINE_EXAMPLES=N
hunts longer, with random examples).
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import os
import sqlite3
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import select

from bippop_central.models import commune_t
from bippop_central.restore import mark_restored
from bippop_desk.registry.errors import RegistryError, ValidationError
from bippop_desk.registry.models import Partner
from bippop_desk.registry.remote import status_is_backwards
from bippop_desk.registry.services.beneficiaries import BeneficiaryInput, update_beneficiary
from bippop_desk.registry.services.hours import HoursInput, add_hours
from bippop_desk.registry.services.requests import RequestInput, cancel_request, create_request
from bippop_desk.registry.services.volunteers import (
    VolunteerInput,
    add_absence,
    create_volunteer,
    remove_absence,
)
from bippop_desk.sync.engine import (
    EnrollUnconfirmed,
    discard_rejected,
    enroll,
    list_conflicts,
    list_rejected,
    list_set_aside,
    resolve_conflict,
    retry_rejected,
)
from bippop_desk.sync.state import read_state
from tests.conftest import add_person
from tests.servers import HEADERS, CentralServer, copy_sqlite, start_central
from tests.sync.conftest import (
    FAST_RETRY,
    Commune,
    Desk,
    active_devices,
    assert_converged,
    pending,
    stored_as_is,
    token_works,
    withheld_tokens,
)
from tests.sync.proxy import Proxy

FAULTS = [
    "",
    "",
    "drop_request",
    "drop_response",
    "error_after",
    "duplicate",
    "truncate",
    "replay_later",
    # Odd answers from the way (issue 14): a redirecting proxy, a proxy saying "too many".
    "answer_302",
    "answer_429",
    # The platform refusing a batch's content: a batch of one is refused for good (until
    # "Renvoyer"), a larger one is sent again item by item.
    "refuse_422",
]
# An enroll answer lost, cut, doubled or delivered again late (after the desk's next call).
ENROLL_FAULTS = [
    "",
    "drop_request",
    "drop_response",
    "error_after",
    "duplicate",
    "truncate",
    "replay_later",
]
NAMES = ["Alice", "Bruno", "Chloé", "Denis", "Émile", "Fanny"]
_COUNTER = itertools.count(1)
SEEN: Counter[str] = Counter()  # what the runs went through, printed with -s


def letters(number: int) -> str:
    return "".join("abcdefghij"[int(d)] for d in str(number))


def rows(desk: Desk, sql: str, *args: Any) -> list[tuple[Any, ...]]:
    """What a rule draws from goes in insertion order (ORDER BY rowid), never in the
    order of random ids: the same choices then pick the same records when Hypothesis
    replays an example (else its draws differ: FlakyStrategyDefinition)."""
    with sqlite3.connect(desk.path) as conn:
        return conn.execute(sql, args).fetchall()


class SyncMachine(RuleBasedStateMachine):
    def __init__(self, server: CentralServer, proxies: list[Proxy], tmp: Path) -> None:
        super().__init__()
        self.server, self.proxies = server, proxies
        insee = f"{next(_INSEE):05d}"
        server.add_commune(insee, f"Commune {insee}", "60")
        folder = tmp / insee
        folder.mkdir()
        self.commune = Commune(server, insee, folder, [])
        self.observer, self.token = server.enroll(insee, "observateur")
        for proxy in proxies:
            proxy.withheld.clear()
        self.desks: list[Desk] = []
        self.hours_tags: dict[int, set[str]] = {}  # desk -> tags of the hours it typed
        self.seen_status: dict[tuple[int, str], str] = {}
        self.poisoned: set[str] = set()  # records on the server no desk can store
        self.unsent: set[str] = set()  # outbox entries no desk could store back
        # No edit lost: each phone typed (unique) -> the values it was typed over (the
        # desk's value then; a conflict kept "mine" over the platform's adds that one).
        self.parents: dict[str, set[str]] = {}
        self.server_phones: dict[str, str] = {}  # as last seen on the platform
        self.backup: Path | None = None
        self.restores = 0
        self.folder = folder

    @initialize(
        enroll_faults=st.lists(
            st.tuples(st.sampled_from(ENROLL_FAULTS), st.booleans()), min_size=3, max_size=3
        )
    )
    def desks_enrolled(self, enroll_faults: list[tuple[str, bool]]) -> None:
        """Each desk enrolls through its proxy; a burst outlasts the desk's tries (the
        answer never comes), and its first sync finishes the enrollment by itself."""
        pairs = zip(self.proxies, enroll_faults, strict=True)
        for index, (proxy, (fault, burst)) in enumerate(pairs):
            desk = self.commune.desk(f"poste{index}", enrolled=False)
            proxy.faults.clear()
            for _ in range((FAST_RETRY.attempts if burst else 1) if fault else 0):
                proxy.plan("/api/v1/enroll", fault)
            code = self.server.enroll_code(self.commune.insee)
            try:
                enroll(desk.registry, proxy.url, code, desk.name, retry=FAST_RETRY)
                SEEN.update([f"enroll {fault or 'clean'}"])
            except EnrollUnconfirmed:
                SEEN.update([f"enroll {fault} unconfirmed"])
            proxy.faults.clear()
            desk.sync_ok()
            self.desks.append(desk)
            self.hours_tags[index] = set()
        volunteer = create_volunteer(
            self.desks[0].registry, VolunteerInput(first_name="Vera", last_name="Blanc")
        )
        self.volunteer = volunteer
        for desk in self.desks:
            desk.sync_ok()

    # -- what the staff do --------------------------------------------------------------
    @rule(d=st.integers(0, 2), name=st.sampled_from(NAMES))
    def add_person(self, d: int, name: str) -> None:
        add_person(self.desks[d].registry, name, f"Nom {letters(next(_COUNTER))}")

    @rule(d=st.integers(0, 2), data=st.data(), protected=st.booleans())
    def edit_person(self, d: int, data: st.DataObject, protected: bool) -> None:
        desk = self.desks[d]
        people = rows(
            desk, "SELECT id, first_name, last_name, phone FROM beneficiary ORDER BY rowid"
        )
        if not people:
            return
        person, first, last, phone = data.draw(st.sampled_from(people))
        number = next(_COUNTER)
        if protected:
            self.parents[f"+33612{number % 10**6:06d}"] = {phone or ""}
        update_beneficiary(
            desk.registry,
            person,
            BeneficiaryInput(
                first_name=first,
                last_name=last,
                phone=f"0612{number % 10**6:06d}" if protected else phone,
                notes=f"note {number}",
            ),
        )

    @rule(d=st.integers(0, 2), minutes=st.integers(1, 120))
    def add_hours(self, d: int, minutes: int) -> None:
        if not rows(self.desks[d], "SELECT 1 FROM volunteer WHERE id = ?", self.volunteer):
            return
        tag = f"h{next(_COUNTER)}"
        add_hours(
            self.desks[d].registry,
            HoursInput(
                volunteer_id=self.volunteer, entry_date=dt.date.today(), minutes=minutes, note=tag
            ),
        )
        self.hours_tags[d].add(tag)

    @rule(d=st.integers(0, 2), data=st.data())
    def absence_added_or_removed(self, d: int, data: st.DataObject) -> None:
        desk = self.desks[d]
        if not rows(desk, "SELECT 1 FROM volunteer WHERE id = ?", self.volunteer):
            return
        current = rows(
            desk, "SELECT id FROM volunteer_absence WHERE deleted_at IS NULL ORDER BY rowid"
        )
        if current and data.draw(st.booleans()):
            remove_absence(desk.registry, data.draw(st.sampled_from(current))[0])
        else:
            start = dt.date.today() + dt.timedelta(days=data.draw(st.integers(1, 60)))
            add_absence(desk.registry, self.volunteer, start, start + dt.timedelta(days=3))

    @rule(d=st.integers(0, 2), data=st.data())
    def request_made_or_cancelled(self, d: int, data: st.DataObject) -> None:
        desk = self.desks[d]
        open_requests = rows(
            desk, "SELECT id FROM request WHERE status = 'nouvelle' ORDER BY rowid"
        )
        if open_requests and data.draw(st.booleans()):
            cancel_request(desk.registry, data.draw(st.sampled_from(open_requests))[0], "test")
            return
        people = rows(desk, "SELECT id FROM beneficiary WHERE deleted_at IS NULL ORDER BY rowid")
        types = rows(desk, "SELECT id FROM mission_type WHERE deleted_at IS NULL ORDER BY code")
        if people and types:
            create_request(
                desk.registry,
                RequestInput(beneficiary_id=data.draw(st.sampled_from(people))[0],
                             mission_type_id=types[0][0]),
            )  # fmt: skip

    @rule(name=st.sampled_from(NAMES))
    def online_sign_up(self, name: str) -> None:
        number = next(_COUNTER)
        answer = httpx.post(
            f"{self.server.url}/api/v1/public/communes/{self.commune.insee}/volunteers",
            json={"first_name": name, "last_name": f"Web {letters(number)}",
                  "email": f"v{number}@example.fr", "phone": f"0622{number % 10**6:06d}",
                  "postal_code": "60200", "city": "Compiègne"},
            headers=HEADERS, timeout=30,
        )  # fmt: skip
        assert answer.status_code == 201, answer.text

    @rule(
        d=st.integers(0, 2),
        push_fault=st.sampled_from(FAULTS),
        pull_fault=st.sampled_from(FAULTS),
        burst=st.booleans(),
    )
    def sync(self, d: int, push_fault: str, pull_fault: str, burst: bool) -> None:
        """One desk syncs through its proxy; a burst outlasts the retries (the sync fails
        and the queue waits for the next one)."""
        proxy = self.proxies[d]
        proxy.faults.clear()
        for _ in range(5 if burst else 1):
            if push_fault:
                proxy.plan("/api/v1/push", push_fault)
            if pull_fault:
                proxy.plan("/api/v1/pull", pull_fault)
        report = self.desks[d].sync()
        proxy.faults.clear()
        SEEN.update([f"sync {'failed' if report.error else 'ok'}"])
        odd = [fault for fault in (push_fault, pull_fault) if fault.startswith(("answer", "ref"))]
        if report.rejected:
            SEEN.update(["a change refused"])
        SEEN.update(f"fault {fault}" for fault in odd)
        if report.conflicts:
            SEEN.update(["a sync met a conflict"])

    @rule()
    def everyone_syncs(self) -> None:
        for desk in self.desks:
            report = desk.sync()
            SEEN.update(["a sync met a conflict"] if report.conflicts else [])
            self._no_phone_lost(self._server_changes())

    @rule(d=st.integers(0, 2), data=st.data(), retry_now=st.booleans())
    def a_phone_change_refused(self, d: int, data: st.DataObject, retry_now: bool) -> None:
        """A phone typed here is refused by the platform (its sync's push answered 422,
        the batch then item by item); sent again at once, or left for later edits."""
        self.edit_person(d, data, True)
        proxy = self.proxies[d]
        proxy.faults.clear()
        for _ in range(5):
            proxy.plan("/api/v1/push", "refuse_422")
        report = self.desks[d].sync()
        proxy.faults.clear()
        SEEN.update(["a change refused"] if report.rejected else [])
        if retry_now:
            self.retry_a_refused_change(d, True)

    @rule(d=st.integers(0, 2), newest=st.booleans())
    def retry_a_refused_change(self, d: int, newest: bool) -> None:
        """ "Renvoyer" on a change the platform refused: rebased on the record as it is
        now, or refused here when a field it changed has moved since."""
        refused = [v for v in list_rejected(self.desks[d].registry)
                   if v.record_id not in self.unsent]  # fmt: skip
        if not refused:
            return
        try:
            retry_rejected(self.desks[d].registry, refused[-1 if newest else 0].id)
            SEEN.update(["a refused change sent again"])
        except RegistryError:
            SEEN.update(["a refused change kept (newer changes)"])

    @precondition(lambda self: self.restores < 2)
    @rule(restore=st.booleans())
    def platform_backup_or_restore(self, restore: bool) -> None:
        """A backup of the platform's database is taken; or, once one exists, it is put
        back with the operator's step (`bippop-central restored`). Requests in flight
        die with the old server."""
        if self.backup is None or not restore:
            self.backup = self.folder / "sauvegarde-plateforme.sqlite3"
            copy_sqlite(self.server.sqlite_file, self.backup)
            SEEN.update(["backup taken"])
            return
        for proxy in self.proxies:
            with proxy._lock:
                proxy._late.clear()
        copy_sqlite(self.backup, self.server.sqlite_file)
        mark_restored(self.server.engine())
        self.restores += 1
        changes = self._server_changes()
        self.server_phones = {c["record_id"]: c["fields"].get("phone") or ""
                              for c in changes if c["entity"] == "beneficiary"}  # fmt: skip
        self.poisoned &= {c["record_id"] for c in changes}
        SEEN.update(["server restored"])

    @rule(d=st.integers(0, 2), where=st.sampled_from(["server", "outbox", "service"]))
    def a_poison_value(self, d: int, where: str) -> None:
        """A value no desk can store: on the server (as stored before the platform
        checked values), queued in a desk's outbox by another path, or typed through
        a service. No desk may freeze on it, and it never travels."""
        desk = self.desks[d]
        if where == "server":
            fields = {"first_name": "Trop", "last_name": f"Grand {letters(next(_COUNTER))}",
                      "max_missions_per_week": 10**30}  # fmt: skip
            self.poisoned.add(stored_as_is(self.server, self.commune.insee, "volunteer", fields))
        elif where == "outbox":
            record_id = str(uuid.uuid4())
            with sqlite3.connect(desk.path) as conn:
                conn.execute(
                    "INSERT INTO outbox (mutation_id, entity, record_id, op, payload, state, "
                    "attempts, last_error, created_at) VALUES (?, 'partner', ?, 'upsert', ?, "
                    "'pending', 0, '', '2026-12-01 10:00:00')",
                    (str(uuid.uuid4()), record_id, '{"fields": {"name": "Nan", "x": NaN}}'),
                )
            self.unsent.add(record_id)
        else:
            commune_id = rows(desk, "SELECT id FROM commune")[0][0]
            with pytest.raises(ValidationError), desk.registry.change() as changes:
                changes.create(Partner(commune_id=commune_id, name="Nul\x00part"), "Partenaire")
        SEEN.update([f"poison {where}"])

    @precondition(lambda self: bool(self.desks))
    @rule(d=st.integers(0, 2), choice=st.sampled_from(["mine", "theirs"]))
    def settle_a_conflict(self, d: int, choice: str) -> None:
        conflicts = list_conflicts(self.desks[d].registry)
        if conflicts:
            conflict = conflicts[0]
            if choice == "mine" and conflict.field == "phone":
                kept = str(conflict.local_raw or "")
                self.parents.setdefault(kept, set()).add(str(conflict.server_raw or ""))
            resolve_conflict(self.desks[d].registry, conflict.id, choice)
            SEEN.update(["a conflict settled"])

    # -- invariants -----------------------------------------------------------------------
    @invariant()
    def one_active_device_per_desk_and_every_lost_token_dead(self) -> None:
        if len(self.desks) < 3:
            return
        held = {read_state(desk.registry).device_id for desk in self.desks}
        assert active_devices(self.server, self.commune.insee) == held | {self.observer}
        for proxy in self.proxies:
            lost = withheld_tokens(proxy)
            assert not any(token_works(self.server, token) for token in lost)

    def _server_changes(self) -> list[dict[str, Any]]:
        changes: list[dict[str, Any]] = []
        cursor = 0
        headers = {**HEADERS, "Authorization": f"Bearer {self.token}"}
        with httpx.Client(base_url=self.server.url, timeout=30, headers=headers) as web:
            while True:
                page = web.get("/api/v1/pull", params={"after": cursor, "limit": 1000}).json()
                changes += page["changes"]
                cursor = page["next_cursor"]
                if not page["has_more"]:
                    return changes

    @invariant()
    def nothing_doubled_nothing_lost_statuses_forward(self) -> None:
        if not self.desks:
            return
        server = self._server_changes()
        server_hours = [c for c in server if c["entity"] == "hours_entry"]
        server_tags = [c["fields"].get("note") for c in server_hours]
        assert len(server_tags) == len(set(server_tags)), "an hours entry doubled on the server"
        by_seq = {c["record_id"]: c for c in server}
        self._no_phone_lost(server)
        epoch = self._epoch()
        held: set[str] = set()  # the hours entries the desks hold
        for index, desk in enumerate(self.desks):
            # A desk that has not synced since the platform was restored still believes
            # in what the platform lost: its acknowledgements and cursor wait for it.
            recovered = read_state(desk.registry).server_epoch == epoch
            tags = [r[0] for r in rows(desk, "SELECT note FROM hours_entry")]
            assert len(tags) == len(set(tags)), f"an hours entry doubled on {desk.name}"
            # Every hours entry typed here is here, queued or acknowledged.
            assert self.hours_tags[index] <= set(tags)
            own = dict(
                rows(desk, "SELECT record_id, state FROM outbox WHERE entity = 'hours_entry'")
            )
            acked = {rid for rid, state in own.items() if state == "sent"}
            on_server = {c["record_id"] for c in server_hours}
            # Acknowledged means on the platform (once this desk knows of a restore). An
            # entry refused here may be there too: its answer lost, then a refusal.
            assert acked <= on_server or not recovered, acked - on_server
            # Minutes here = what came from the server + what this desk typed.
            minutes = dict(rows(desk, "SELECT id, minutes FROM hours_entry"))
            pulled = {rid for rid in minutes if rid not in own}
            # Pulled means on the platform; after a restore, this desk sent back what the
            # platform lost (then it is in its outbox).
            assert pulled <= on_server or not recovered, pulled - on_server
            held |= set(minutes)
            # Every change made here is in the outbox, queued or acknowledged: one
            # entry per journaled change (a conflict settled with the platform's value
            # is journaled but has nothing to send).
            for entity in ("beneficiary", "volunteer", "request", "volunteer_absence"):
                journaled = rows(
                    desk,
                    "SELECT count(*) FROM audit_event WHERE entity = ? "
                    "AND summary NOT LIKE '%valeur de la plateforme gardée'",
                    entity,
                )[0][0]
                queued = rows(
                    desk,
                    "SELECT count(*) FROM outbox WHERE entity = ? "
                    "AND state IN ('pending', 'sent', 'rejected', 'discarded')",
                    entity,
                )[0][0]
                assert journaled == queued, (entity, journaled, queued)
            # Statuses never move back on a desk.
            for request_id, status in rows(desk, "SELECT id, status FROM request"):
                before = self.seen_status.get((index, request_id))
                assert not status_is_backwards("request", before, status), (before, status)
                self.seen_status[(index, request_id)] = status
            # The cursor never passes a change this desk has not applied.
            if not recovered:
                continue
            cursor = read_state(desk.registry).pull_cursor
            versions = dict(rows(desk, "SELECT id, server_version FROM beneficiary"))
            for record_id, change in by_seq.items():
                if change["entity"] == "beneficiary" and change["seq"] <= cursor:
                    assert (versions.get(record_id) or 0) >= change["version"]
        # Nothing on the platform that no desk holds.
        assert {c["record_id"] for c in server_hours} <= held

    def _no_phone_lost(self, server: list[dict[str, Any]]) -> None:
        """Every phone the platform takes descends from the one it replaces: no desk's
        change overwrote a value it had not seen (without a conflict)."""
        for change in server:
            if change["entity"] != "beneficiary":
                continue
            record_id, phone = change["record_id"], change["fields"].get("phone") or ""
            before = self.server_phones.get(record_id)
            if before is not None and before != phone:
                assert before in self._ancestors(phone), (record_id, before, phone)
            self.server_phones[record_id] = phone

    def _ancestors(self, phone: str) -> set[str]:
        seen: set[str] = set()
        todo = list(self.parents.get(phone, ()))
        while todo:
            value = todo.pop()
            if value not in seen:
                seen.add(value)
                todo.extend(self.parents.get(value, ()))
        return seen

    def _epoch(self) -> str:
        with self.server.engine().connect() as conn:
            query = select(commune_t.c.epoch).where(commune_t.c.insee_code == self.commune.insee)
            return str(conn.execute(query).scalar_one())

    @invariant()
    def a_poison_value_never_travels(self) -> None:
        if self.unsent:
            on_server = {c["record_id"] for c in self._server_changes()}
            assert not self.unsent & on_server

    def teardown(self) -> None:
        if len(self.desks) == 3:
            for proxy in self.proxies:
                proxy.faults.clear()
            for desk in self.desks:
                # Refused changes: sent again (newest first), or given up when newer
                # changes of their fields exist.
                refused = [v for v in list_rejected(desk.registry)
                           if v.record_id not in self.unsent]  # fmt: skip
                for view in reversed(refused):
                    try:
                        retry_rejected(desk.registry, view.id)
                    except RegistryError:
                        discard_rejected(desk.registry, view.id)
            for _round in range(3):
                for desk in self.desks:
                    for conflict in list_conflicts(desk.registry):
                        resolve_conflict(desk.registry, conflict.id, "theirs")
                    desk.sync_ok()
                    self._no_phone_lost(self._server_changes())
            late = self.commune.desk("controle")
            late.sync_ok()
            assert all(pending(desk) == 0 for desk in self.desks)
            assert all(list_conflicts(desk.registry) == [] for desk in self.desks)
            assert_converged(*self.desks, late)
            # No desk frozen: every cursor reached the server's latest sequence; what
            # none could store is set aside on every desk alike.
            headers = {**HEADERS, "Authorization": f"Bearer {self.token}"}
            status = httpx.get(f"{self.server.url}/api/v1/status", headers=headers, timeout=30)
            for desk in [*self.desks, late]:
                assert read_state(desk.registry).pull_cursor == status.json()["latest_seq"]
                assert {v.record_id for v in list_set_aside(desk.registry)} == self.poisoned
            for desk in self.desks:
                unsent = json.dumps(list(self.unsent))
                states = rows(desk, "SELECT state FROM outbox WHERE record_id IN "
                              "(SELECT value FROM json_each(?))", unsent)  # fmt: skip
                assert all(state == "rejected" for (state,) in states)
        for desk in self.commune.desks:
            desk.registry.close()


_INSEE = itertools.count(70001)


@pytest.fixture
def central_machine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CentralServer]:
    """A server of its own: putting a backup back rewinds its whole database, which
    the session's shared server must not see under the other tests."""
    folder = tmp_path_factory.mktemp("machine")
    server = start_central(f"sqlite:///{folder / 'central.sqlite3'}")
    yield server
    server.stop()


@pytest.fixture
def proxies(central_machine: CentralServer) -> Iterator[list[Proxy]]:
    started = [Proxy(central_machine.url, retry_after="0").start() for _ in range(3)]
    yield started
    for proxy in started:
        proxy.stop()


def test_random_work_and_faulty_syncs_keep_the_invariants_and_converge(
    central_machine: CentralServer, proxies: list[Proxy], tmp_path: Path
) -> None:
    run_state_machine_as_test(
        lambda: SyncMachine(central_machine, proxies, tmp_path),
        settings=settings(
            # BIPPOP_STATE_MACHINE_EXAMPLES=N: a longer hunt, with random examples.
            max_examples=int(os.environ.get("BIPPOP_STATE_MACHINE_EXAMPLES", "8")),
            stateful_step_count=40,
            deadline=None,
            derandomize="BIPPOP_STATE_MACHINE_EXAMPLES" not in os.environ,
            suppress_health_check=list(HealthCheck),
        ),
    )
    print(dict(SEEN))
