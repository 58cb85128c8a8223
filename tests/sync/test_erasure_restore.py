"""A backup restored after an erasure (issue 18): the sync that follows sends nothing of
the erased person to the real central server; a fresh desk pulls no name."""

from __future__ import annotations

import json
import sqlite3

from sqlalchemy import select

from bippop_central.models import record_t
from bippop_desk.registry.changes import Actor
from bippop_desk.registry.services.backups import restore_open_registry, take_backup
from bippop_desk.registry.services.erasure import erase_person
from tests.conftest import add_person
from tests.sync.conftest import Commune

ADMIN = Actor("admin", "Anne Admin", "administrateur")


def _central_fields(commune: Commune, record_id: str) -> str:
    with commune.server.engine().connect() as conn:
        row = conn.execute(select(record_t.c.fields).where(record_t.c.record_id == record_id)).one()
    return json.dumps(row[0], ensure_ascii=False)


def test_a_sync_after_the_restore_sends_nothing_of_the_erased_person(commune: Commune) -> None:
    desk = commune.desk("accueil")
    # Created and copied before any sync: the copy's queue holds her creation, name and all.
    person = add_person(desk.registry, "Ondine", "Vrillacq", phone="06 71 72 73 74")
    copy = take_backup(desk.path)
    with desk.registry.acting_as(ADMIN):
        erase_person(desk.registry, "beneficiary", person)
        result = restore_open_registry(desk.registry, copy)
    assert result.reapplied == 1
    with sqlite3.connect(desk.path) as conn:
        queued = conn.execute(
            "SELECT op, payload FROM outbox WHERE record_id = ? AND state = 'pending'", (person,)
        ).fetchall()
    assert [op for op, _payload in queued] == ["erase"]
    assert "Vrillacq" not in queued[0][1]
    desk.sync_ok()
    stored = _central_fields(commune, person)
    assert "Vrillacq" not in stored and "Ondine" not in stored and "0671727374" not in stored
    late = commune.desk("controle")
    late.sync_ok()
    with sqlite3.connect(late.path) as conn:
        names = [r[0] for r in conn.execute("SELECT last_name FROM beneficiary")]
    assert "Vrillacq" not in names


def test_restoring_a_copy_after_the_erasure_was_synced_erases_again(commune: Commune) -> None:
    desk = commune.desk("accueil")
    person = add_person(desk.registry, "Ondine", "Vrillacq", phone="06 71 72 73 74")
    desk.sync_ok()
    copy = take_backup(desk.path)
    with desk.registry.acting_as(ADMIN):
        erase_person(desk.registry, "beneficiary", person)
    desk.sync_ok()
    with desk.registry.acting_as(ADMIN):
        assert restore_open_registry(desk.registry, copy).reapplied == 1
    desk.sync_ok()  # the platform hears the erasure again: harmless, nothing comes back
    assert "Vrillacq" not in _central_fields(commune, person)
    with sqlite3.connect(desk.path) as conn:
        row = conn.execute("SELECT last_name FROM beneficiary WHERE id = ?", (person,)).fetchone()
    assert row[0] != "Vrillacq"
