"""The desk's « Arrivées du web » page over a real registry synced with the real server:
a web request waiting to be checked with its origin and its possible duplicate, and a
submission held past the day's quota, fetched from the platform, accepted, and coming
down with the next sync."""

from __future__ import annotations

import time

import httpx
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from bippop_central.web.catalogue import set_contact
from bippop_desk.registry.models import Request
from bippop_desk.ui.context import AppContext
from bippop_desk.ui.main_window import MainWindow
from bippop_desk.ui.settings import Preferences
from bippop_desk.ui.worker import DbWorker
from tests.conftest import add_person
from tests.sync.conftest import COORDINATOR
from tests.web.conftest import SHOTS, Town, form_token

HELP = {
    "for_whom": "moi", "first_name": "Odette", "last_name": "Lemoine",
    "phone": "03 44 12 34 56", "address_line": "3 rue Solférino", "postal_code": "60200",
    "city": "Compiègne", "mission_type": "visite", "consent": "oui",
}  # fmt: skip


def post_help(town: Town, **values: str) -> None:
    with httpx.Client(base_url=town.server.url, headers={"Origin": town.server.url}) as web:
        token = form_token(web, f"/communes/{town.insee}/besoin-d-aide")
        time.sleep(1.05)
        answer = web.post(f"/communes/{town.insee}/besoin-d-aide",
                          data={**HELP, **values, "csrf": token})  # fmt: skip
        assert answer.status_code == 303, answer.text


def test_the_desk_lists_web_arrivals_to_check_and_moderates_the_held_ones(
    qtbot: QtBot, town: Town
) -> None:
    registry = town.desk.registry
    add_person(registry, "Odette", "Lemoine", phone="03 44 12 34 56")
    town.desk.sync_ok()
    post_help(town)
    town.desk.sync_ok()
    worker = DbWorker()
    context = AppContext(worker, COORDINATOR)
    window = MainWindow(context, Preferences())
    qtbot.addWidget(window)
    window.show()
    context.set_registry(registry, f"Ville-{town.insee}")
    try:
        window.show_page("web")
        page = window.page("web")
        qtbot.waitUntil(lambda: page.arrivals.items.rowCount() == 1, timeout=5000)
        item = page.arrivals.items.item(0)
        assert item is not None
        assert "Demande : Visite de convivialité — Odette Lemoine" in item.text
        assert "Arrivée par la plateforme en ligne" in item.detail
        assert "Doublon possible : Odette Lemoine (même nom, même numéro" in item.detail or (
            "Doublon possible : Odette Lemoine" in item.detail
        )
        SHOTS.mkdir(parents=True, exist_ok=True)
        window.grab().save(str(SHOTS / "desk-arrivees-du-web.png"))
        page.arrivals.setCurrentIndex(page.arrivals.items.index(0))
        page._checked()
        qtbot.waitUntil(lambda: page.arrivals.items.rowCount() == 0, timeout=5000)
        with registry.session() as session:
            assert session.get(Request, item.id).status == "en_recherche"  # type: ignore[union-attr]

        set_contact(town.server.engine(), town.insee, quota=0)  # every new one is held
        post_help(town, first_name="Yvette", last_name="Horner")
        page.fetch_held()
        qtbot.waitUntil(lambda: page.held.items.rowCount() == 1, timeout=10000)
        held = page.held.items.item(0)
        assert held is not None and "Yvette Horner" in held.text
        page.held.setCurrentIndex(page.held.items.index(0))
        page._decide(True)
        qtbot.waitUntil(lambda: page.held.items.rowCount() == 0, timeout=10000)
        qtbot.waitUntil(lambda: page.arrivals.items.rowCount() == 1, timeout=15000)
        assert "Yvette Horner" in page.arrivals.items.item(0).text  # type: ignore[union-attr]
        with registry.session() as session:
            names = session.scalars(select(Request.caller_name)).all()
            assert len(names) == 2
    finally:
        window.sync.shutdown()
        worker.shutdown()
