"""The outbox's life: refused changes shown, sent again or given up; acknowledged entries
forgotten after the horizon, waiting ones never."""

from __future__ import annotations

import datetime as dt
import sqlite3

import pytest

from bippop_desk.registry.errors import NotFoundError
from bippop_desk.registry.models import Request
from bippop_desk.registry.services.catalogue import list_mission_types
from bippop_desk.sync.engine import (
    discard_rejected,
    list_rejected,
    purge_outbox,
    retry_rejected,
    sync_status,
)
from tests.conftest import add_person
from tests.sync.conftest import Commune, pending


def test_a_refused_change_is_shown_in_french_and_the_rest_flows(commune: Commune) -> None:
    desk = commune.desk("accueil")
    person = add_person(desk.registry, "Hélène", "Le Goff")
    type_id = list_mission_types(desk.registry)[0].id
    # A request whose status the platform does not know (written past the services'
    # checks, as an older or broken desk might have).
    with desk.registry.change() as changes:
        changes.create(
            Request(commune_id=changes.commune_id, beneficiary_id=person,
                    mission_type_id=type_id, status="bidon"),
            "Demande de test",
        )  # fmt: skip
    add_person(desk.registry, "Marc", "Petit")
    report = desk.sync()
    assert report.error == "" and report.rejected == 1 and report.pushed >= 2
    (refused,) = list_rejected(desk.registry)
    assert refused.entity == "request" and "Statut inconnu" in refused.reason
    assert refused.label == "Demande — Demande pour Hélène Le Goff"
    assert sync_status(desk.registry).rejected_count == 1 and pending(desk) == 0

    retry_rejected(desk.registry, refused.id)
    assert pending(desk) == 1 and list_rejected(desk.registry) == []
    assert desk.sync().rejected == 1  # still refused: shown again
    (again,) = list_rejected(desk.registry)
    discard_rejected(desk.registry, again.id)
    assert list_rejected(desk.registry) == [] and sync_status(desk.registry).rejected_count == 0
    with pytest.raises(NotFoundError):
        discard_rejected(desk.registry, again.id)


def test_acknowledged_entries_are_forgotten_after_30_days_waiting_ones_never(
    commune: Commune,
) -> None:
    desk = commune.desk("accueil")
    add_person(desk.registry, "Hélène", "Le Goff")
    desk.sync_ok()
    add_person(desk.registry, "Marc", "Petit")  # still waiting
    old = (dt.datetime.now(dt.UTC) - dt.timedelta(days=31)).replace(tzinfo=None)
    with sqlite3.connect(desk.path) as conn:
        conn.execute("UPDATE outbox SET sent_at = ?, created_at = ?", (str(old), str(old)))
        sent = conn.execute("SELECT count(*) FROM outbox WHERE state = 'sent'").fetchone()[0]
    assert purge_outbox(desk.registry) >= sent > 0
    with sqlite3.connect(desk.path) as conn:
        states = {row[0] for row in conn.execute("SELECT state FROM outbox")}
    assert states == {"pending"} and pending(desk) == 1
