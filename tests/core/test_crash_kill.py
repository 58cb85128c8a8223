"""Nothing typed is lost: a process saving requests is SIGKILLed at random moments.

The parent imports everything, prepares a registry file and closes it (it holds no
SQLite connection when it forks). Each forked child opens its own `Registry` on the
shared file and saves requests in a loop through `create_request`, writing each id to
a pipe right after the save returns. The parent kills the child after a seeded random
delay, then checks with plain sqlite3 that the file is sound (`PRAGMA integrity_check`),
that every reported request is there with its audit event and its outbox entry, and
that no request was half-written.
"""

from __future__ import annotations

import os
import random
import select
import signal
import sqlite3
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import event
from sqlalchemy.orm import configure_mappers

from bippop_desk.registry.services.catalogue import list_mission_types
from bippop_desk.registry.services.commune import setup_commune
from bippop_desk.registry.services.requests import RequestInput, create_request
from bippop_desk.registry.store import Registry
from tests.conftest import SECRETARY, add_person

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork() and SIGKILL"),
]

KILLS = 220
SEED = 20261122
# Share of rounds killed early (while the child starts, opens the file or makes its
# first save); the others are killed at a random moment after the first save returned,
# i.e. in the middle of the save loop.
EARLY_SHARE = 0.15
EARLY_WINDOW_S = 0.040
LOOP_WINDOW_S = 0.025
# Share of children that checkpoint the WAL every few pages, so that kills also land
# in the middle of a checkpoint (copying the WAL into the main file).
CHECKPOINT_SHARE = 0.3
CHILD_STARTUP_TIMEOUT_S = 10.0


@dataclass
class Setting:
    path: Path
    beneficiary_id: str
    mission_type_id: str


@dataclass
class Round:
    number: int
    reported: list[str]
    integrity: str
    missing: list[str]
    half_written: list[str]
    child_status: int


@dataclass
class Campaign:
    rounds: list[Round] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def reported(self) -> int:
        return sum(len(r.reported) for r in self.rounds)


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


def _child(setting: Setting, write_fd: int, seed: int, checkpoint_often: bool) -> None:
    """Save requests until killed; report each id once its save has returned."""
    code = 0
    try:
        rng = random.Random(seed)
        registry = Registry(setting.path, SECRETARY, migrate=False)
        if checkpoint_often:

            @event.listens_for(registry.engine, "connect")
            def _small_wal(dbapi_connection: sqlite3.Connection, _record: object) -> None:
                dbapi_connection.execute("PRAGMA wal_autocheckpoint=8")

        for number in range(100_000):  # bounded, in case the parent vanished
            # Notes of varied size: some transactions span several pages.
            notes = "Appel de sa fille. " * rng.choice((0, 1, 5, 40, 200))
            request_id = create_request(
                registry,
                RequestInput(
                    setting.beneficiary_id,
                    setting.mission_type_id,
                    caller_name=f"Appel {seed}-{number}",
                    notes=notes,
                ),
            )
            os.write(write_fd, f"{request_id}\n".encode())
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


def _check(path: Path, reported: list[str]) -> tuple[str, list[str], list[str]]:
    """(integrity_check result, reported ids missing or incomplete, half-written ids)."""
    conn = sqlite3.connect(path)
    try:
        integrity = "; ".join(row[0] for row in conn.execute("PRAGMA integrity_check"))
        requests = {row[0] for row in conn.execute("SELECT id FROM request")}
        audits = Counter(
            row[0]
            for row in conn.execute(
                "SELECT record_id FROM audit_event WHERE entity = 'request' AND action = 'create'"
            )
        )
        outbox = Counter(
            row[0]
            for row in conn.execute(
                "SELECT record_id FROM outbox WHERE entity = 'request' AND op = 'upsert'"
            )
        )
    finally:
        conn.close()
    complete = {rid for rid in requests if audits[rid] == 1 and outbox[rid] == 1}
    missing = [rid for rid in reported if rid not in complete]
    # A request without its journal rows, or journal rows without their request.
    half_written = sorted(
        (requests - complete) | (set(audits) - requests) | (set(outbox) - requests)
    )
    return integrity, missing, half_written


def _one_round(setting: Setting, number: int, rng: random.Random) -> Round:
    assert not _open_fds_on(setting.path), "the parent must hold no SQLite connection at fork"
    read_fd, write_fd = os.pipe()
    early = rng.random() < EARLY_SHARE
    delay = rng.uniform(0.0, EARLY_WINDOW_S if early else LOOP_WINDOW_S)
    child_seed = rng.randrange(1 << 30)
    checkpoint_often = rng.random() < CHECKPOINT_SHARE
    pid = os.fork()
    if pid == 0:  # pragma: no cover - runs in the child, which never returns
        os.close(read_fd)
        _child(setting, write_fd, child_seed, checkpoint_often)
    os.close(write_fd)
    received = b""
    try:
        if not early:
            # Wait for the first save to return, then kill mid-loop.
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
    integrity, missing, half_written = _check(setting.path, reported)
    return Round(number, reported, integrity, missing, half_written, status)


@pytest.fixture(scope="module")
def setting(tmp_path_factory: pytest.TempPathFactory) -> Setting:
    path = tmp_path_factory.mktemp("crash") / "registre.sqlite3"
    registry = Registry(path, SECRETARY)
    try:
        setup_commune(registry, "60159", "Compiègne", "60", "60200")
        beneficiary_id = add_person(registry, "Hélène", "Le Goff", phone="06 12 34 56 78")
        mission_type_id = next(t.id for t in list_mission_types(registry) if t.code == "visite")
        # One save here warms what every child would otherwise set up again (mappers,
        # ORM persistence plans); the children still open their own Registry.
        create_request(registry, RequestInput(beneficiary_id, mission_type_id))
    finally:
        registry.close()
    configure_mappers()
    return Setting(path, beneficiary_id, mission_type_id)


@pytest.fixture(scope="module")
def campaign(setting: Setting) -> Iterator[Campaign]:
    rng = random.Random(SEED)
    result = Campaign()
    started = time.perf_counter()
    for number in range(KILLS):
        result.rounds.append(_one_round(setting, number, rng))
    result.seconds = time.perf_counter() - started
    conn = sqlite3.connect(setting.path)
    try:
        (saved,) = conn.execute("SELECT count(*) FROM request").fetchone()
    finally:
        conn.close()
    print(
        f"\ncrash test: {len(result.rounds)} SIGKILLs in {result.seconds:.1f} s, "
        f"{result.reported} saves reported, {saved - 1 - result.reported} more committed "
        "but killed before reporting"
    )
    yield result


def test_every_kill_leaves_a_sound_file_with_every_returned_save(campaign: Campaign) -> None:
    assert len(campaign.rounds) >= 200
    killed = [r for r in campaign.rounds if os.WIFSIGNALED(r.child_status)]
    assert len(killed) == len(campaign.rounds), "a child ended before its kill (it crashed)"
    assert all(os.WTERMSIG(r.child_status) == signal.SIGKILL for r in killed)
    bad = [(r.number, r.integrity) for r in campaign.rounds if r.integrity != "ok"]
    assert bad == []
    lost = [(r.number, r.missing) for r in campaign.rounds if r.missing]
    assert lost == []
    # The kills did land in the middle of saving, not only before the first save.
    assert campaign.reported >= len(campaign.rounds)


def test_a_killed_child_leaves_no_half_written_request(
    campaign: Campaign, setting: Setting
) -> None:
    torn = [(r.number, r.half_written) for r in campaign.rounds if r.half_written]
    assert torn == []
    # And the file as a whole: each request has exactly one audit event and one
    # outbox entry, and nothing in the journal points at a request that is not there.
    integrity, _, half_written = _check(setting.path, [])
    assert integrity == "ok"
    assert half_written == []
    conn = sqlite3.connect(setting.path)
    try:
        (requests,) = conn.execute("SELECT count(*) FROM request").fetchone()
    finally:
        conn.close()
    assert requests >= campaign.reported
