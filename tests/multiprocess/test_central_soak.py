"""The central server's SQLite default under the same soak as the desk (issue 13): two
uvicorn workers taking pushes and a `bippop-central` CLI process making enrollment codes
on one file, round after round, with one of them SIGKILLed at random moments (a worker,
the whole server, or the CLI process). After every round no live process holds a
deleted -wal/-shm of the database; at the end the file passes `integrity_check`, every
push the server answered `applied` is stored, and every code the CLI printed exists."""

from __future__ import annotations

import contextlib
import random
import sqlite3
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import psutil
import pytest

from bippop_central.auth import digest
from tests.multiprocess.processes import LineProcess, deleted_registry_files
from tests.servers import batch, client, mutation, start_central

pytestmark = pytest.mark.slow

ROUNDS = 1000
SEED = 20261204
KILL_SHARE = 0.015  # a server restart costs ~3 s
INTEGRITY_EVERY = 100
INSEE = "60159"


class CodeMaker(LineProcess):
    def __init__(self, url: str) -> None:
        super().__init__(
            [sys.executable, "-m", "tests.multiprocess.central_cli_worker", url, INSEE]
        )

    def __str__(self) -> str:
        return f"bippop-central enroll-code (pid {self.pid})"


class Platform:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.url = f"sqlite:///{path}"
        self.server = start_central(self.url, workers=2)
        self.server.add_commune(INSEE, "Compiègne", "60")
        _device, self.token = self.server.enroll(INSEE)
        self.server.engine().dispose()  # the test process keeps no connection open
        self.http = client(self.server, self.token, timeout=10)
        self.codes = CodeMaker(self.url)
        self.codes.wait_ready()
        self.applied: set[str] = set()
        self.printed_codes: list[str] = []
        self.kills = {"worker": 0, "server": 0, "cli": 0}
        self.seen_workers: set[psutil.Process] = set()

    def workers(self) -> list[int]:
        try:
            found = psutil.Process(self.server.process.pid).children()
        except psutil.NoSuchProcess:
            return []
        self.seen_workers.update(found)
        return [c.pid for c in found]

    def orphans(self) -> list[psutil.Process]:
        """Workers seen during the run still alive after the server was stopped (those
        in the middle of exiting are given 10 s to finish)."""
        psutil.wait_procs(list(self.seen_workers), timeout=10)
        alive = []
        for process in self.seen_workers:
            with contextlib.suppress(psutil.NoSuchProcess):
                if process.is_running() and process.status() != psutil.STATUS_ZOMBIE:
                    alive.append(process)
        return alive

    def push_one(self, number: int) -> None:
        person = mutation("beneficiary", first_name="Soak", last_name=f"Tour {number}")
        try:
            answer = self.http.post("/api/v1/push", json=batch(person))
        except httpx.HTTPError:
            return  # a killed worker's connection: nothing was said applied
        if answer.status_code == 200 and answer.json()["results"][0]["status"] == "applied":
            self.applied.add(person["record_id"])

    def restart_server(self) -> None:
        self.http.close()
        self.server.kill()  # with its workers
        self.server = start_central(self.url, workers=2)
        self.http = client(self.server, self.token, timeout=10)

    def wait_for_workers(self) -> None:
        deadline = time.monotonic() + 30
        while len(self.workers()) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)

    def close(self) -> None:
        self.http.close()
        self.printed_codes += [
            line.split()[1] for line in self.codes.kill() if line.startswith("code")
        ]
        self.server.stop()


@pytest.fixture
def platform(tmp_path: Path) -> Iterator[Platform]:
    made = Platform(tmp_path / "central.sqlite3")
    try:
        yield made
    finally:
        made.close()


def test_every_applied_push_and_printed_code_survives_random_kills(platform: Platform) -> None:
    rng = random.Random(SEED)
    for number in range(ROUNDS):
        platform.codes.send("code")
        victim = rng.choice(["worker", "server", "cli"]) if rng.random() < KILL_SHARE else ""
        if victim == "cli":
            time.sleep(rng.uniform(0, 0.02))
            lines = platform.codes.kill()
            platform.printed_codes += [x.split()[1] for x in lines if x.startswith("code")]
            platform.codes = CodeMaker(platform.url)
            platform.codes.wait_ready()
            platform.kills["cli"] += 1
        platform.push_one(number)
        if victim != "cli":
            line = platform.codes.read_line(60)
            assert line.startswith("code "), line
            platform.printed_codes.append(line.split()[1])
        if victim == "worker" and platform.workers():
            psutil.Process(rng.choice(platform.workers())).kill()
            platform.kills["worker"] += 1
            platform.wait_for_workers()  # uvicorn starts another
        elif victim == "server":
            platform.restart_server()
            platform.kills["server"] += 1
        for pid in [platform.server.process.pid, *platform.workers(), platform.codes.pid]:
            assert deleted_registry_files(pid, platform.path) == [], (number, pid)
        if number % INTEGRITY_EVERY == 0:
            assert _one(platform.path, "PRAGMA integrity_check") == "ok"
    platform.close()
    print(f"kills {platform.kills}; {len(platform.applied)} pushes applied, "
          f"{len(platform.printed_codes)} codes printed")  # fmt: skip
    assert all(platform.kills.values())
    assert platform.orphans() == []  # no worker left serving after its server was killed
    assert _one(platform.path, "PRAGMA integrity_check") == "ok"
    conn = sqlite3.connect(platform.path)
    try:
        stored = {row[0] for row in conn.execute("SELECT record_id FROM record")}
        codes = {row[0] for row in conn.execute("SELECT code_hash FROM enroll_code")}
    finally:
        conn.close()
    assert platform.applied <= stored
    assert {digest(c) for c in platform.printed_codes} <= codes
    assert len(platform.applied) > ROUNDS * 0.9


def _one(path: Path, sql: str) -> str:
    conn = sqlite3.connect(path)
    try:
        return str(conn.execute(sql).fetchone()[0])
    finally:
        conn.close()
