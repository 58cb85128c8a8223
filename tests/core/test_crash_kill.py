"""Nothing typed is lost: processes writing the registry are SIGKILLed at random moments.

The parent prepares a registry file, then runs KILLS rounds. Each round forks a child
that writes in a loop through the services and writes a line to a pipe right after
each write returns; the parent kills it after a seeded random delay. The children vary
what they are doing when killed:
- `request`: new requests (a record, its audit event and outbox entry);
- `person`: new beneficiaries (the same, plus the FTS search triggers);
- `rename`: renames of one beneficiary of its own (update triggers of the index);
- `checkpoint`: new requests with the WAL checkpointed every few pages and after
  every save (kills land in the middle of copying the WAL into the main file).
Some rounds are killed early (while the child starts or makes its first write).
Afterwards, with plain sqlite3: `integrity_check` (every few rounds and at the end),
the FTS index's own integrity check, every reported write present and whole, nothing
half-written, every live person in the search index under their current name.

The parent builds one Registry and disposes its pool before each fork: it holds no
SQLite connection when it forks, and each child opens its own connections with the
statement caches already warm (so a round costs tens of milliseconds, not a start-up).

`synchronous=FULL` and WAL on every kind of connection the registry opens are checked
below too: a kill of the whole machine is out of reach of a test, those pragmas are
what make a committed write survive one.
"""

from __future__ import annotations

import os
import random
import select
import signal
import sqlite3
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import event, text
from sqlalchemy.orm import configure_mappers

from bippop_desk.registry.reader import FileReader
from bippop_desk.registry.services.beneficiaries import (
    BeneficiaryInput,
    create_beneficiary,
    update_beneficiary,
)
from bippop_desk.registry.services.catalogue import list_mission_types
from bippop_desk.registry.services.commune import setup_commune
from bippop_desk.registry.services.requests import RequestInput, create_request
from bippop_desk.registry.store import Registry
from bippop_desk.registry.textkeys import fold
from tests.conftest import SECRETARY, add_person

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork() and SIGKILL"),
]

KILLS = 1000
SEED = 20261202
MODES = ("request", "person", "rename", "checkpoint")
WEIGHTS = (0.3, 0.25, 0.25, 0.2)
# Share of rounds killed early (the child starting, opening the file or making its
# first write); the others are killed at a random moment after the first write.
EARLY_SHARE = 0.15
EARLY_WINDOW_S = 0.015
LOOP_WINDOW_S = 0.020
CHILD_STARTUP_TIMEOUT_S = 10.0
INTEGRITY_EVERY = 50


@dataclass
class Setting:
    path: Path
    registry: Registry
    beneficiary_id: str
    mission_type_id: str
    rename_pool: list[str]


@dataclass
class Round:
    number: int
    mode: str
    subject: str  # the person a `rename` child renames
    reported: list[str]
    child_status: int
    integrity: str = "ok"


@dataclass
class Campaign:
    rounds: list[Round] = field(default_factory=list)
    seconds: float = 0.0

    def reported(self, mode: str | None = None) -> list[str]:
        return [line for r in self.rounds if mode in (None, r.mode) for line in r.reported]


def letters(number: int) -> str:
    """A number spelled in letters (names may not hold digits): 0 → "a", 27 → "bb"."""
    word = ""
    while True:
        number, digit = divmod(number, 26)
        word = chr(ord("a") + digit) + word
        if not number:
            return word


def number_of(word: str) -> int:
    value = 0
    for char in word:
        value = value * 26 + ord(char) - ord("a")
    return value


def _open_fds_on(path: Path) -> list[str]:
    """Descriptors of this process pointing at the registry file (or its -wal/-shm)."""
    fd_dir = Path("/proc/self/fd")
    if not fd_dir.is_dir():
        return []
    found = []
    for entry in fd_dir.iterdir():
        try:
            target = os.readlink(entry)
        except OSError:
            continue
        if target.startswith(str(path)):
            found.append(target)
    return found


def _writer(setting: Setting, mode: str, subject: str, seed: int) -> Callable[[int], str]:
    """One write of the child's kind; returns the line to report once it has returned."""
    registry = setting.registry
    rng = random.Random(seed)
    if mode == "checkpoint":

        @event.listens_for(registry.engine, "connect")
        def _small_wal(dbapi_connection: sqlite3.Connection, _record: object) -> None:
            dbapi_connection.execute("PRAGMA wal_autocheckpoint=8")

    def new_request(number: int) -> str:
        # Notes of varied size: some transactions span several pages.
        notes = "Appel de sa fille. " * rng.choice((0, 1, 5, 40, 200))
        data = RequestInput(
            setting.beneficiary_id,
            setting.mission_type_id,
            caller_name=f"Appel {seed}-{number}",
            notes=notes,
        )
        request_id = create_request(registry, data)
        if mode == "checkpoint":
            with registry.raw() as conn:
                conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return request_id

    def new_person(number: int) -> str:
        return create_beneficiary(
            registry,
            BeneficiaryInput("Léa", f"Œuvray-{letters(number)}", address_line="Rue du Cœur"),
        )

    def rename(number: int) -> str:
        update_beneficiary(
            registry, subject, BeneficiaryInput("Søren", f"Renommé {letters(number)}")
        )
        return str(number)

    return {"person": new_person, "rename": rename}.get(mode, new_request)


def _child(setting: Setting, write_fd: int, mode: str, subject: str, seed: int) -> None:
    """Write until killed; report each write once it has returned."""
    code = 0
    try:
        write = _writer(setting, mode, subject, seed)
        for number in range(100_000):  # bounded, in case the parent vanished
            os.write(write_fd, f"{write(number)}\n".encode())
    except BaseException:
        code = 1
    finally:
        os._exit(code)


def _read_available(fd: int, timeout: float) -> bytes:
    ready, _, _ = select.select([fd], [], [], timeout)
    return os.read(fd, 65536) if ready else b""


def _read_until_eof(fd: int) -> bytes:
    chunks = []
    while chunk := os.read(fd, 65536):
        chunks.append(chunk)
    return b"".join(chunks)


def _integrity(path: Path) -> str:
    conn = sqlite3.connect(path)
    try:
        return "; ".join(row[0] for row in conn.execute("PRAGMA integrity_check"))
    finally:
        conn.close()


def _one_round(setting: Setting, number: int, rng: random.Random) -> Round:
    setting.registry.engine.dispose()  # no connection crosses the fork
    assert not _open_fds_on(setting.path), "the parent must hold no SQLite connection at fork"
    mode = rng.choices(MODES, WEIGHTS)[0]
    subject = setting.rename_pool.pop() if mode == "rename" else ""
    read_fd, write_fd = os.pipe()
    early = rng.random() < EARLY_SHARE
    delay = rng.uniform(0.0, EARLY_WINDOW_S if early else LOOP_WINDOW_S)
    child_seed = rng.randrange(1 << 30)
    pid = os.fork()
    if pid == 0:  # pragma: no cover - runs in the child, which never returns
        os.close(read_fd)
        _child(setting, write_fd, mode, subject, child_seed)
    os.close(write_fd)
    received = b""
    try:
        if not early:
            # Wait for the first write to return, then kill mid-loop.
            deadline = time.monotonic() + CHILD_STARTUP_TIMEOUT_S
            while b"\n" not in received and time.monotonic() < deadline:
                chunk = _read_available(read_fd, deadline - time.monotonic())
                if not chunk:
                    break  # the child died (EOF) or the deadline passed
                received += chunk
        time.sleep(delay)
    finally:
        os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
        received += _read_until_eof(read_fd)
        os.close(read_fd)
    # Only complete lines count: a torn last line was never a finished report.
    reported = [line.decode() for line in received.split(b"\n")[:-1]]
    result = Round(number, mode, subject, reported, status)
    if number % INTEGRITY_EVERY == 0:
        result.integrity = _integrity(setting.path)
    return result


@pytest.fixture(scope="module")
def setting(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Setting]:
    path = tmp_path_factory.mktemp("crash") / "registre.sqlite3"
    registry = Registry(path, SECRETARY)
    setup_commune(registry, "60159", "Compiègne", "60", "60200")
    beneficiary_id = add_person(registry, "Hélène", "Le Goff", phone="06 12 34 56 78")
    mission_type_id = next(t.id for t in list_mission_types(registry) if t.code == "visite")
    # One write of each kind warms what every child would otherwise set up again
    # (mappers, compiled statements); the children still open their own connections.
    create_request(registry, RequestInput(beneficiary_id, mission_type_id))
    pool = [add_person(registry, "Søren", f"Personne {letters(i)}") for i in range(KILLS // 2)]
    update_beneficiary(registry, pool.pop(), BeneficiaryInput("Søren", "Renommé a"))
    configure_mappers()
    yield Setting(path, registry, beneficiary_id, mission_type_id, pool)
    registry.close()


@pytest.fixture(scope="module")
def campaign(setting: Setting) -> Campaign:
    rng = random.Random(SEED)
    result = Campaign()
    started = time.perf_counter()
    for number in range(KILLS):
        result.rounds.append(_one_round(setting, number, rng))
    result.seconds = time.perf_counter() - started
    kinds = Counter(r.mode for r in result.rounds)
    print(
        f"\ncrash test: {len(result.rounds)} SIGKILLs in {result.seconds:.1f} s "
        f"({dict(kinds)}), {len(result.reported())} writes reported"
    )
    return result


def _rows(path: Path, sql: str, *params: object) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def test_every_kill_leaves_a_sound_file_and_index(campaign: Campaign, setting: Setting) -> None:
    assert len(campaign.rounds) >= KILLS
    assert Counter(r.mode for r in campaign.rounds).keys() == set(MODES)
    assert all(os.WIFSIGNALED(r.child_status) for r in campaign.rounds), (
        "a child ended before its kill (it crashed)"
    )
    assert all(os.WTERMSIG(r.child_status) == signal.SIGKILL for r in campaign.rounds)
    assert [(r.number, r.integrity) for r in campaign.rounds if r.integrity != "ok"] == []
    assert _integrity(setting.path) == "ok"
    # FTS5's own check: the index matches the text it was given.
    conn = sqlite3.connect(setting.path)
    try:
        conn.execute("INSERT INTO search_index(search_index) VALUES ('integrity-check')")
    finally:
        conn.close()
    # The kills did land in the middle of writing, not only before the first write.
    assert len(campaign.reported()) >= len(campaign.rounds)


def test_every_reported_request_and_person_is_whole(campaign: Campaign, setting: Setting) -> None:
    path = setting.path
    for entity, modes in (("request", ("request", "checkpoint")), ("beneficiary", ("person",))):
        table = entity
        records = {row[0] for row in _rows(path, f"SELECT id FROM {table}")}
        audits = Counter(
            row[0]
            for row in _rows(
                path,
                "SELECT record_id FROM audit_event WHERE entity = ? AND action = 'create'",
                entity,
            )
        )
        outbox = Counter(
            row[0] for row in _rows(path, "SELECT record_id FROM outbox WHERE entity = ?", entity)
        )
        reported = [line for mode in modes for line in campaign.reported(mode)]
        missing = [rid for rid in reported if rid not in records]
        assert missing == []
        # A record without its journal rows, or journal rows without their record.
        assert [rid for rid in records if audits[rid] != 1 or outbox[rid] < 1] == []
        assert set(audits) - records == set() and set(outbox) - records == set()


def test_every_live_person_is_in_the_index_under_their_current_name(
    campaign: Campaign, setting: Setting
) -> None:
    people = _rows(
        setting.path,
        "SELECT p.id, p.last_name, d.docid, s.names FROM beneficiary AS p "
        "JOIN search_doc AS d ON d.record_id = p.id "
        "LEFT JOIN search_index AS s ON s.rowid = d.docid WHERE p.deleted_at IS NULL",
    )
    (total,) = _rows(setting.path, "SELECT count(*) FROM beneficiary")[0]
    assert len(people) == total
    stale = [pid for pid, last, _doc, names in people if fold(str(last)) not in str(names or "")]
    assert stale == []
    # A rename whose save returned is there: the name is the last reported or a later one.
    for round_ in campaign.rounds:
        if round_.mode != "rename" or not round_.reported:
            continue
        [(last,)] = _rows(
            setting.path, "SELECT last_name FROM beneficiary WHERE id = ?", round_.subject
        )
        assert number_of(str(last).split()[-1]) >= int(round_.reported[-1])


def test_every_registry_connection_is_wal_with_synchronous_full(db_path: Path) -> None:
    def pragmas(conn: sqlite3.Connection) -> tuple[str, int]:
        mode = conn.execute("PRAGMA journal_mode").fetchone()[0]
        return str(mode), int(conn.execute("PRAGMA synchronous").fetchone()[0])

    wal_full = ("wal", 2)
    registry = Registry(db_path, SECRETARY)
    try:
        setup_commune(registry, "60159", "Compiègne", "60", "60200")
        with registry.raw() as conn:
            assert pragmas(conn) == wal_full
        with registry.session() as session:
            mode = session.execute(text("PRAGMA journal_mode")).scalar_one()
            sync = session.execute(text("PRAGMA synchronous")).scalar_one()
            assert (mode, sync) == wal_full
        with registry.change() as changes:
            mode = changes.session.execute(text("PRAGMA journal_mode")).scalar_one()
            sync = changes.session.execute(text("PRAGMA synchronous")).scalar_one()
            assert (mode, sync) == wal_full
        with registry.remote_transaction() as conn:
            driver = conn.connection.driver_connection
            assert isinstance(driver, sqlite3.Connection)
            assert pragmas(driver) == wal_full
    finally:
        registry.close()
    reader = FileReader(db_path)
    try:
        with reader.raw() as conn:
            assert pragmas(conn) == wal_full
    finally:
        reader.close()
