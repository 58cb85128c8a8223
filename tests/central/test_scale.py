"""Running on several hosts over one PostgreSQL: servers started together migrate once,
workers keep to their connection pool, an erasure leaves no old row version behind."""

from __future__ import annotations

import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select, text

from bippop_central.db import DEFAULT_POOL_SIZE, make_engine
from bippop_central.models import commune_t
from tests.central.helpers import pull_all, push
from tests.servers import (
    ROOT,
    CentralServer,
    batch,
    client,
    free_port,
    mutation,
    start_central,
    start_postgres,
)


def _postgres(max_connections: int = 300) -> str:
    try:
        return start_postgres(max_connections)
    except RuntimeError as error:
        pytest.skip(f"PostgreSQL NON TESTÉ : {error}")


@pytest.fixture
def hosts() -> Iterator[list[subprocess.Popen[bytes]]]:
    started: list[subprocess.Popen[bytes]] = []
    yield started
    for process in started:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()


def test_servers_started_together_on_a_new_database_migrate_once_and_all_serve(
    hosts: list[subprocess.Popen[bytes]],
) -> None:
    url = _postgres()
    ports = [free_port() for _ in range(4)]
    logs = [Path(tempfile.mkstemp(prefix="bippop-host-", suffix=".log")[1]) for _ in ports]
    for port, log in zip(ports, logs, strict=True):
        with log.open("wb") as out:  # four hosts whose `serve` starts at the same moment
            hosts.append(subprocess.Popen(
                [sys.executable, "-m", "bippop_central", "serve", "--db", url,
                 "--host", "127.0.0.1", "--port", str(port)],
                cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
            ))  # fmt: skip
    deadline = time.monotonic() + 60
    waiting = set(range(len(ports)))
    while waiting and time.monotonic() < deadline:
        for index in list(waiting):
            assert hosts[index].poll() is None, logs[index].read_text(errors="replace")[-3000:]
            try:
                answer = httpx.get(f"http://127.0.0.1:{ports[index]}/openapi.json", timeout=2)
                if answer.status_code == 200:
                    waiting.discard(index)
            except httpx.HTTPError:
                pass
        time.sleep(0.1)
    assert not waiting, [logs[i].read_text(errors="replace")[-2000:] for i in waiting]
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            assert len(conn.execute(text("SELECT version_num FROM alembic_version")).all()) == 1
    finally:
        engine.dispose()


def test_four_workers_keep_within_a_postgresql_of_thirty_connections() -> None:
    url = _postgres(max_connections=30)
    assert 4 * DEFAULT_POOL_SIZE <= 30 - 3 - 2  # superuser reserve, the test's own
    server = start_central(url, workers=4)
    try:
        server.add_commune("60159", "Compiègne", "60")
        _device, token = server.enroll("60159")
        engine = server.engine()
        answers: list[int] = []
        lock = threading.Lock()

        def one_push(index: int) -> None:
            body = batch(*(mutation("partner", name=f"P{index}-{i}") for i in range(5)))
            with client(server, token, timeout=90) as http:
                status = http.post("/api/v1/push", json=body).status_code
            with lock:
                answers.append(status)

        # The commune's counter row held by an administrator's transaction: every push
        # waits on it holding a connection, as pushes queue behind a long one.
        with engine.begin() as conn:
            conn.execute(
                select(commune_t.c.seq).where(commune_t.c.insee_code == "60159").with_for_update()
            )
            threads = [threading.Thread(target=one_push, args=(i,)) for i in range(40)]
            for thread in threads:
                thread.start()
            time.sleep(2.0)  # let them all reach the server and wait for the row
        for thread in threads:
            thread.join(timeout=120)
        assert answers.count(200) == 40, (sorted(answers), server.log()[-3000:])
        with client(server, token) as http:
            changes, cursor = pull_all(http)
        assert len(changes) == 200 and cursor == 200
    finally:
        server.stop()


def _relation_bytes(server: CentralServer, table: str) -> bytes:
    """The table's files on disk (heap and TOAST), after a checkpoint wrote them."""
    engine = server.engine()
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("CHECKPOINT"))
        folder = conn.execute(text("SELECT current_setting('data_directory')")).scalar_one()
        paths = conn.execute(
            text(
                "SELECT pg_relation_filepath(c.oid) FROM pg_class c "
                "WHERE c.oid = CAST(:t AS regclass) "
                "OR c.oid = (SELECT reltoastrelid FROM pg_class WHERE oid = CAST(:t AS regclass))"
            ),
            {"t": table},
        ).scalars()
        return b"".join(Path(folder, path).read_bytes() for path in paths if path)


def test_an_erased_name_is_gone_from_the_postgresql_files_once_acknowledged() -> None:
    server = start_central(_postgres())
    try:
        server.add_commune("60159", "Compiègne", "60")
        _device, token = server.enroll("60159")
        person = mutation("beneficiary", first_name="Ermengarde", last_name="Quenouillère",
                          phone="+33644556677", notes="Voisine de Gisèle")  # fmt: skip
        with client(server, token) as http:
            [created] = push(http, person)
            assert b"Ermengarde" in _relation_bytes(server, "record")
            erase = mutation("beneficiary", person["record_id"], op="erase",
                             base_version=created["version"], first_name="[effacé]",
                             last_name="[effacé]", phone="", notes="")  # fmt: skip
            [erased] = push(http, erase)
            assert erased["status"] == "applied"
        on_disk = _relation_bytes(server, "record")
        for old in (b"Ermengarde", "Quenouillère".encode(), b"+33644556677"):
            assert old not in on_disk, old
    finally:
        server.stop()
