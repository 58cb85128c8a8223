"""Commit order equals cursor order: a puller never skips a row, even with concurrent
pushes on two uvicorn workers over one PostgreSQL (and over one SQLite file)."""

from __future__ import annotations

import random
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from tests.central.conftest import database_url
from tests.central.helpers import pull_all, push
from tests.servers import CentralServer, client, mutation, start_central

PUSHERS, BATCHES, PER_BATCH = 4, 12, 40


@pytest.fixture(params=["postgresql", "sqlite"])
def two_workers(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[CentralServer]:
    server = start_central(database_url(request.param, tmp_path_factory), workers=2)
    server.add_commune("60159", "Compiègne", "60")
    yield server
    server.stop()


def test_a_puller_sees_every_concurrent_push_in_cursor_order(two_workers: CentralServer) -> None:
    tokens = [two_workers.enroll("60159", f"Poste {i}")[1] for i in range(PUSHERS + 1)]
    applied: list[tuple[str, int]] = []
    errors: list[BaseException] = []
    done = threading.Event()
    lock = threading.Lock()

    def pusher(token: str, seed: int) -> None:
        rng = random.Random(seed)
        mine: list[str] = []
        try:
            with client(two_workers, token) as http:
                for _ in range(BATCHES):
                    items = []
                    for _ in range(PER_BATCH):
                        if mine and rng.random() < 0.4:  # update one of its records
                            items.append(mutation("partner", rng.choice(mine),
                                                  notes=str(rng.random())))  # fmt: skip
                        else:
                            items.append(mutation("partner", name=f"P{rng.random()}"))
                            mine.append(items[-1]["record_id"])
                    for item, result in zip(items, push(http, *items), strict=True):
                        assert result["status"] == "applied", result
                        with lock:
                            applied.append((item["record_id"], result["version"]))
        except BaseException as error:
            errors.append(error)

    seen: dict[str, int] = {}
    seqs: list[int] = []

    def puller() -> None:
        cursor = 0
        try:
            with client(two_workers, tokens[-1]) as http:
                while True:
                    finished = done.is_set()  # read before the pull: a last full pass follows
                    page = http.get("/api/v1/pull", params={"after": cursor, "limit": 25}).json()
                    for change in page["changes"]:
                        seqs.append(change["seq"])
                        seen[change["record_id"]] = change["version"]
                    cursor = page["next_cursor"]
                    if finished and not page["has_more"]:
                        return
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=pusher, args=(tokens[i], i)) for i in range(PUSHERS)]
    reader = threading.Thread(target=puller)
    reader.start()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    done.set()
    reader.join()
    assert not errors, errors

    with client(two_workers, tokens[0]) as http:
        final: dict[str, Any] = {c["record_id"]: c["version"] for c in pull_all(http)[0]}
    assert len(applied) == PUSHERS * BATCHES * PER_BATCH
    # The incremental puller's cursor only ever moved forward, one row at a time...
    assert seqs == sorted(seqs) and len(seqs) == len(set(seqs))
    # ...and it ended with exactly the server's final state: nothing skipped.
    assert seen == final
    # Every applied mutation was seen (at its version or a later one of the same record).
    assert all(seen[record_id] >= version for record_id, version in applied)
