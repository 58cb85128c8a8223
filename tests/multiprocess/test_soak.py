"""Many processes on one registry, SIGKILLed at random (issue 13's soak).

The real app (its DB worker saving phone requests) and two CLI processes (people searches,
one-row imports) work on the same file: in each round the app saves a request while one
of the CLI processes (in turn) runs a command; at random moments one of the three is
killed and started again (the app's lock, left behind, is taken over). After every
round no live process holds a deleted -wal or -shm (the mark of the lost-WAL defect);
every few rounds and at the end the file passes `integrity_check`; at the end every
request and every person a process reported saved is in the file.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.multiprocess.processes import (
    AppProcess,
    CliWorker,
    LineProcess,
    deleted_registry_files,
    integrity,
    notes_of_requests,
)

pytestmark = pytest.mark.slow

ROUNDS = 1000
SEED = 20261203
KILL_SHARE = 0.03  # of rounds, one process killed
APP_SHARE_OF_KILLS = 0.2  # the app restarts in ~2 s, a CLI process in ~1 s
KILL_WINDOW_S = 0.03
WRITE_SHARE = 0.3  # of a CLI process's commands, an import (else a search)
INTEGRITY_EVERY = 100
ANSWER_TIMEOUT_S = 60.0


def letters(number: int) -> str:
    """A name for person `number` that the import accepts (letters only)."""
    word = ""
    number += 26 * 26
    while number:
        number, digit = divmod(number, 26)
        word = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[digit] + word
    return word


class Crowd:
    def __init__(self, path: Path, folder: Path) -> None:
        self.path, self.folder = path, folder
        self.app = self._started(AppProcess(path))
        self.workers = [self._started(CliWorker(path, folder)) for _ in range(2)]
        self.saved_requests: dict[str, str] = {}  # marker → request id
        self.saved_people: set[str] = set()
        self.kills = {"app": 0, "cli": 0}

    @staticmethod
    def _started(process: LineProcess) -> LineProcess:
        process.wait_ready()
        return process

    def everyone(self) -> list[LineProcess]:
        return [self.app, *self.workers]

    def take(self, process: LineProcess, line: str) -> None:
        kind, _, rest = line.partition(" ")
        if kind == "saved":
            marker, request_id = rest.split()
            self.saved_requests[marker] = request_id
        elif kind == "wrote":
            self.saved_people.add(rest)
        else:
            assert kind == "done", f"{process}: {line}"

    def restart(self, process: LineProcess) -> None:
        if process is self.app:
            self.app = self._started(AppProcess(self.path))
            self.kills["app"] += 1
        else:
            index = self.workers.index(process)  # type: ignore[arg-type]
            self.workers[index] = self._started(CliWorker(self.path, self.folder))
            self.kills["cli"] += 1

    def close(self) -> None:
        for process in self.everyone():
            for line in process.kill():
                self.take(process, line)


@pytest.fixture
def crowd(demo_file: Path, tmp_path: Path) -> Iterator[Crowd]:
    path = demo_file
    folder = tmp_path / "listes"
    folder.mkdir()
    group = Crowd(path, folder)
    try:
        yield group
    finally:
        group.close()


def test_every_save_reported_by_the_app_or_the_cli_survives_random_kills(
    crowd: Crowd,
) -> None:
    rng = random.Random(SEED)
    for number in range(ROUNDS):
        worker = crowd.workers[number % 2]
        crowd.app.send(f"r{number}")
        worker.send(f"write {letters(number)}" if rng.random() < WRITE_SHARE else "read")
        victim = None
        if rng.random() < KILL_SHARE:
            victim = crowd.app if rng.random() < APP_SHARE_OF_KILLS else rng.choice(crowd.workers)
            time.sleep(rng.uniform(0, KILL_WINDOW_S))
            for line in victim.kill():  # what it reported before dying counts
                crowd.take(victim, line)
        for process in (crowd.app, worker):
            if process is not victim:
                crowd.take(process, process.read_line(ANSWER_TIMEOUT_S))
        if victim is not None:
            crowd.restart(victim)
        for process in crowd.everyone():
            assert deleted_registry_files(process.pid, crowd.path) == [], (number, process)
        if number % INTEGRITY_EVERY == 0:
            assert integrity(crowd.path) == "ok", number
    crowd.close()
    print(f"kills: {crowd.kills}; {len(crowd.saved_requests)} requests and "
          f"{len(crowd.saved_people)} people reported saved")  # fmt: skip
    assert crowd.kills["app"] > 0 and crowd.kills["cli"] > 0
    assert integrity(crowd.path) == "ok"
    notes = notes_of_requests(crowd.path)
    missing = [m for m, rid in crowd.saved_requests.items() if notes.get(rid) != m]
    assert missing == []
    assert crowd.saved_people <= people_names(crowd.path)


def people_names(path: Path) -> set[str]:
    import sqlite3

    conn = sqlite3.connect(path)
    try:
        return {row[0].upper() for row in conn.execute("SELECT last_name FROM beneficiary")}
    finally:
        conn.close()
