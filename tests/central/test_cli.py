"""`bippop-central` as an administrator types it: French messages, no traceback."""

from __future__ import annotations

import datetime as dt
import re
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx
from sqlalchemy import update

from bippop_central.models import device_t, utcnow
from tests.servers import HEADERS, ROOT, free_port, start_central

CODE = re.compile(r"^[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}$")


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bippop_central", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)  # fmt: skip


def test_communes_codes_and_devices_from_the_command_line(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'central.sqlite3'}"
    added = cli("commune", "add", "60159", "Compiègne", "--db", db)
    assert added.returncode == 0 and "Commune 60159 ajoutée." in added.stdout
    again = cli("commune", "add", "60159", "Compiègne", "--db", db)
    assert again.returncode == 0 and "existe déjà" in again.stdout
    code = cli("enroll-code", "60159", "--days", "3", "--db", db).stdout.strip()
    assert CODE.match(code)
    server = start_central(db)
    try:
        device_id = str(uuid.uuid4())
        enrolled = httpx.post(f"{server.url}/api/v1/enroll", headers=HEADERS,
                              json={"code": code, "device_id": device_id,
                                    "device_name": "Accueil mairie"})  # fmt: skip
        assert enrolled.status_code == 200
        token = enrolled.json()["device_token"]
        listing = cli("device", "list", "--db", db).stdout
        assert device_id in listing and "actif" in listing and "Accueil mairie" in listing
        assert "schéma 0008" in listing and "dernier contact jamais" in listing
        revoked = cli("device", "revoke", device_id, "--db", db)
        assert revoked.returncode == 0 and "révoqué" in revoked.stdout
        status = httpx.get(f"{server.url}/api/v1/status",
                           headers={**HEADERS, "Authorization": f"Bearer {token}"})  # fmt: skip
        assert status.status_code == 401
        assert "révoqué" in cli("device", "list", "--db", db).stdout
    finally:
        server.stop()
    # Only the token's hash is on the server.
    assert token not in Path(tmp_path / "central.sqlite3").read_bytes().decode("latin-1")


def test_devices_never_seen_a_day_after_enrollment_are_listed_and_revoked_in_one_command(
    tmp_path: Path,
) -> None:
    db = f"sqlite:///{tmp_path / 'central.sqlite3'}"
    cli("commune", "add", "60159", "Compiègne", "--db", db)
    server = start_central(db)
    try:
        enrolled = {name: server.enroll("60159", name) for name in ("pulls", "silent", "new")}
        tokens = {name: token for name, (_id, token) in enrolled.items()}
        auth = {name: {**HEADERS, "Authorization": f"Bearer {token}"}
                for name, token in tokens.items()}  # fmt: skip
        # A pull is a contact too (the desk that syncs after its enrollment).
        assert httpx.get(f"{server.url}/api/v1/pull", headers=auth["pulls"]).status_code == 200
        with server.engine().begin() as conn:  # two days later for the first two
            conn.execute(update(device_t)
                         .where(device_t.c.id.in_([enrolled["pulls"][0], enrolled["silent"][0]]))
                         .values(enrolled_at=utcnow() - dt.timedelta(days=2)))  # fmt: skip
        listing = {line.split()[0]: line for line in cli("device", "list", "--db", db).stdout
                   .splitlines()}  # fmt: skip
        assert "jamais vu depuis son inscription" in listing[enrolled["silent"][0]]
        for name in ("pulls", "new"):
            line = listing[enrolled[name][0]]
            assert "  actif  " in line and "jamais vu" not in line
        assert "dernier contact jamais" not in listing[enrolled["pulls"][0]]
        revoked = cli("device", "revoke-unseen", "--db", db)
        assert revoked.returncode == 0, revoked.stderr
        assert enrolled["silent"][0] in revoked.stdout and "1 poste(s) révoqué(s)" in revoked.stdout
        for name, expected in (("silent", 401), ("pulls", 200), ("new", 200)):
            answer = httpx.get(f"{server.url}/api/v1/status", headers=auth[name])
            assert answer.status_code == expected, name
    finally:
        server.stop()


def test_bad_input_gets_a_french_sentence_and_no_traceback(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'central.sqlite3'}"
    cases = [
        (("commune", "add", "6015", "Nulle-part"), "Code INSEE invalide"),
        (("enroll-code", "99999"), "Commune inconnue"),
        (("device", "revoke", "pas-un-poste"), "Appareil inconnu"),
        (("enroll-code", "99999", "--days", "400"), "de 1 à 90 jours"),
    ]
    for args, message in cases:
        result = cli(*args, "--db", db)
        assert result.returncode == 1, args
        assert message in result.stderr and "Traceback" not in result.stderr
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        busy = cli("serve", "--port", port, "--db", db)
    assert busy.returncode == 1 and "le port est-il déjà pris" in busy.stderr
    unreachable = cli("commune", "add", "60159", "X", "--db",
                      f"postgresql://personne@127.0.0.1:{free_port()}/rien")  # fmt: skip
    assert unreachable.returncode == 1
    assert "base de données inaccessible" in unreachable.stderr
    assert "Traceback" not in unreachable.stderr


def test_demo_serves_compiegne_with_an_enrollment_code(tmp_path: Path) -> None:
    port = free_port()
    demo = subprocess.Popen(
        [sys.executable, "-m", "bippop_central", "demo", "--db", str(tmp_path / "demo.sqlite3"),
         "--port", str(port)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        assert demo.stdout is not None
        lines = [demo.stdout.readline() for _ in range(4)]
        assert f"http://127.0.0.1:{port}" in lines[0]
        assert "60159 Compiègne" in lines[1]
        code = lines[2].rsplit(":", 1)[1].strip()
        assert CODE.match(code), lines
        for _ in range(100):
            try:
                answer = httpx.post(
                    f"http://127.0.0.1:{port}/api/v1/enroll",
                    headers=HEADERS,
                    json={"code": code, "device_id": str(uuid.uuid4())},
                )
                break
            except httpx.ConnectError:
                time.sleep(0.1)
        assert answer.status_code == 200
        assert answer.json()["commune"]["name"] == "Compiègne"
    finally:
        demo.terminate()
        demo.wait(timeout=15)


def test_a_pool_size_out_of_range_is_refused_in_french(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'central.sqlite3'}"
    port = str(free_port())
    refused = cli("serve", "--db", db, "--port", port, "--pool-size", "0")
    assert refused.returncode == 1 and "taille du pool" in refused.stderr
    assert "Traceback" not in refused.stderr
    server = start_central(db, options=("--pool-size", "3"))  # a valid one serves
    server.stop()
