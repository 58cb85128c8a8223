"""Test helpers shared by tests/central and tests/sync: the REAL central server.

`start_central(db_url)` runs `python -m bippop_central serve` (uvicorn) as a subprocess
on 127.0.0.1 and a free port; the admin helpers of the returned `CentralServer` call the
server's own admin functions in-process on the same database URL, as an administrator
would with the CLI. `start_postgres()` starts a throwaway PostgreSQL cluster.
"""

from __future__ import annotations

import atexit
import contextlib
import glob
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from bippop_central import admin
from bippop_central.db import make_engine, migrate, normalise_url

ROOT = Path(__file__).resolve().parent.parent
HEADERS = {"X-Bippop-Protocol": "1", "X-Bippop-Schema": "0008"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class CentralServer:
    url: str
    db_url: str
    process: subprocess.Popen[bytes]
    log_path: Path
    port: int
    _engine: Any = field(default=None, repr=False)

    @property
    def sqlite_file(self) -> Path:
        """The database file of a server on SQLite (what a backup copies)."""
        assert self.db_url.startswith("sqlite:///"), self.db_url
        return Path(self.db_url.removeprefix("sqlite:///"))

    # -- administration, in-process on the same database --------------------------
    def engine(self) -> Any:
        if self._engine is None:
            self._engine = make_engine(self.db_url)
        return self._engine

    def add_commune(self, insee: str, name: str, departement: str | None = None) -> None:
        admin.add_commune(self.engine(), insee, name, departement)

    def enroll_code(self, insee: str, days: int = 7) -> str:
        return admin.enroll_code(self.engine(), insee, days)

    def revoke(self, device_id: str) -> None:
        admin.revoke(self.engine(), device_id)

    def enroll(self, insee: str, device_name: str = "Poste de test") -> tuple[str, str]:
        """A fresh device of the commune over HTTP: (device_id, token)."""
        device_id = str(uuid.uuid4())
        response = httpx.post(
            f"{self.url}/api/v1/enroll",
            json={"code": self.enroll_code(insee), "device_id": device_id,
                  "device_name": device_name},
            headers=HEADERS, verify=False, timeout=30,
        )  # fmt: skip
        response.raise_for_status()
        return device_id, response.json()["device_token"]

    # -- life cycle -----------------------------------------------------------------
    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def stop(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()

    def kill(self) -> None:
        """SIGKILL, no shutdown (fault tests); a new start_central() on the same URL restarts.
        The whole process group, as a power cut or systemd would: uvicorn's workers do
        not die with their supervisor, and orphans would go on serving (and loading the
        machine) after the test."""
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def __enter__(self) -> CentralServer:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()


def start_central(
    db_url: str,
    *,
    workers: int = 1,
    tls: tuple[str, str] | None = None,
    port: int | None = None,
    timeout: float = 60.0,
    options: tuple[str, ...] = (),
    env: dict[str, str] | None = None,
) -> CentralServer:
    """Migrate the database, then start uvicorn and wait until it answers."""
    db_url = normalise_url(db_url)
    migrate(db_url)
    port = port or free_port()
    log_path = Path(tempfile.mkstemp(prefix="bippop-central-", suffix=".log")[1])
    command = [sys.executable, "-m", "bippop_central", "serve", "--db", db_url,
               "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)]  # fmt: skip
    if tls:
        command += ["--ssl-certfile", str(tls[0]), "--ssl-keyfile", str(tls[1])]
    command += list(options)
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            env={**os.environ, **(env or {})},
        )
    scheme = "https" if tls else "http"
    server = CentralServer(f"{scheme}://127.0.0.1:{port}", db_url, process, log_path, port)
    deadline = time.monotonic() + timeout
    while True:
        if process.poll() is not None:
            raise RuntimeError(
                f"bippop-central exited ({process.returncode}):\n{server.log()[-5000:]}"
            )
        try:
            # Readiness probe only: the certificate is checked by the clients under test.
            if httpx.get(f"{server.url}/openapi.json", verify=False, timeout=2).status_code == 200:
                return server
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            server.kill()
            raise RuntimeError(
                f"bippop-central did not answer in {timeout} s:\n{server.log()[-5000:]}"
            )
        time.sleep(0.1)


# -- PostgreSQL ------------------------------------------------------------------------


def postgres_bin() -> Path | None:
    """The newest PostgreSQL server binaries installed by Debian, if any."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=_major)
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _major(path: str) -> int:
    part = Path(path).parent.parent.name
    return int(part) if part.isdigit() else 0


@dataclass
class PostgresCluster:
    directory: Path
    port: int
    bin: Path
    as_user: list[str]

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://bippop@127.0.0.1:{self.port}/postgres"

    def new_database(self) -> str:
        """A fresh empty database in this cluster (one per test)."""
        import psycopg

        name = f"t_{uuid.uuid4().hex[:16]}"
        with psycopg.connect(f"host=127.0.0.1 port={self.port} user=bippop dbname=postgres",
                             autocommit=True) as conn:  # fmt: skip
            conn.execute(f'CREATE DATABASE "{name}"')
        return f"postgresql+psycopg://bippop@127.0.0.1:{self.port}/{name}"

    def stop(self) -> None:
        subprocess.run(
            [*self.as_user, str(self.bin / "pg_ctl"), "-D", str(self.directory / "data"),
             "-m", "immediate", "stop"],
            capture_output=True, check=False,
        )  # fmt: skip
        shutil.rmtree(self.directory, ignore_errors=True)


_CLUSTERS: dict[int, PostgresCluster] = {}  # by max_connections


class PostgresFailed(Exception):
    """PostgreSQL is installed but its throwaway cluster would not start (not a skip)."""


def _run(command: list[str], what: str, log: Path | None = None) -> None:
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        detail = done.stderr.strip() or done.stdout.strip()
        if log is not None and log.exists():
            detail += "\n" + log.read_text(errors="replace")[-2000:]
        raise PostgresFailed(f"{what} failed ({done.returncode}): {detail}")


def start_postgres_cluster(max_connections: int = 300) -> PostgresCluster:
    """One throwaway cluster per test process (initdb in a temp dir, loopback, a free
    port, no fsync: nothing to keep), stopped and removed at exit. Raises RuntimeError
    when the PostgreSQL server binaries are not installed (the caller skips, loudly),
    PostgresFailed when they are but the cluster does not start (a real failure)."""
    if max_connections in _CLUSTERS:
        return _CLUSTERS[max_connections]
    binaries = postgres_bin()
    if binaries is None:
        raise RuntimeError(
            "PostgreSQL absent (initdb introuvable) : installez le paquet Debian postgresql "
            "(installer/debian-deps.sh test)"
        )
    as_user: list[str] = []
    if os.geteuid() == 0:
        # initdb refuses to run as root: the cluster belongs to the postgres user, in a
        # folder under /tmp that it can reach whatever TMPDIR says.
        directory = Path(tempfile.mkdtemp(prefix="bippop-pg-", dir="/tmp"))
        shutil.chown(directory, "postgres", "postgres")
        as_user = ["runuser", "-u", "postgres", "--"]
    else:
        directory = Path(tempfile.mkdtemp(prefix="bippop-pg-"))
    data, log = directory / "data", directory / "server.log"
    try:
        _run([*as_user, str(binaries / "initdb"), "-D", str(data), "-U", "bippop",
              "-A", "trust", "-E", "UTF8", "--no-sync", "--locale=C"], "initdb")  # fmt: skip
        for attempt in range(3):  # a free port can be taken between the probe and the start
            port = free_port()
            options = (
                f"-p {port} -k {directory} -c listen_addresses=127.0.0.1 -c fsync=off "
                "-c synchronous_commit=off -c full_page_writes=off "
                f"-c max_connections={max_connections}"
            )
            try:
                _run([*as_user, str(binaries / "pg_ctl"), "-D", str(data), "-o", options,
                      "-l", str(log), "-w", "-t", "60", "start"], "pg_ctl start", log)  # fmt: skip
                break
            except PostgresFailed:
                if attempt == 2:
                    raise
    except BaseException:
        shutil.rmtree(directory, ignore_errors=True)
        raise
    cluster = _CLUSTERS[max_connections] = PostgresCluster(directory, port, binaries, as_user)
    atexit.register(cluster.stop)
    return cluster


def start_postgres(max_connections: int = 300) -> str:
    """URL of a fresh database in the process's throwaway PostgreSQL cluster (one
    cluster per `max_connections`)."""
    return start_postgres_cluster(max_connections).new_database()


def copy_sqlite(source: Path, target: Path) -> None:
    """The SQLite backup API, as an operator's backup (and restore) of the platform's
    database would go."""
    src, dst = sqlite3.connect(source), sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        src.close()
        dst.close()


def client(server: CentralServer, token: str | None = None, **options: Any) -> httpx.Client:
    """An httpx client on the server with the protocol headers (and the bearer token)."""
    headers = dict(HEADERS)
    if token:
        headers["Authorization"] = f"Bearer {token}"
    options.setdefault("timeout", 30)
    return httpx.Client(base_url=server.url, headers=headers, **options)


def mutation(entity: str, record_id: str | None = None, *, op: str = "upsert",
             base_version: int | None = None, changed: list[str] | None = None,
             extra: dict[str, Any] | None = None, **fields: Any) -> dict[str, Any]:  # fmt: skip
    """One push item as the protocol spells it (new mutation id each call)."""
    return {
        "mutation_id": str(uuid.uuid4()), "entity": entity,
        "record_id": record_id or str(uuid.uuid4()), "op": op, "base_version": base_version,
        "changed": list(fields) if changed is None else changed, "fields": fields,
        "extra": extra or {},
    }  # fmt: skip


def batch(*mutations: dict[str, Any]) -> dict[str, Any]:
    return {"batch_id": str(uuid.uuid4()), "mutations": list(mutations)}
