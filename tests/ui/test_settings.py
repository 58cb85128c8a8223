"""Réglages: the commune edits its catalogue and its hourly rates; roles are enforced."""

from __future__ import annotations

from decimal import Decimal

from pytestqt.qtbot import QtBot

from bippop_desk.registry.actor import Actor
from bippop_desk.registry.services.catalogue import list_mission_types
from bippop_desk.registry.services.commune import list_staff
from bippop_desk.registry.services.settings import hourly_rates
from bippop_desk.registry.store import Registry
from bippop_desk.ui.context import AppContext
from bippop_desk.ui.main_window import MainWindow
from bippop_desk.ui.pages.settings_page import MissionTypeDialog, UserDialog
from tests.ui.conftest import type_text

ADMIN = Actor("admin", "Administrateur mairie", "administrateur")


def test_a_mission_type_is_renamed_and_withdrawn_from_the_catalogue(
    qtbot: QtBot, registry: Registry, context: AppContext, window: MainWindow
) -> None:
    registry.actor = ADMIN
    context.set_actor(ADMIN)
    page = window.page("reglages")
    qtbot.waitUntil(lambda: len(page.types_model.items) == 12, timeout=5000)
    reading = next(item for item in page.types_model.items if item.text == "Lecture à voix haute")
    dialog = MissionTypeDialog(context, reading.payload, page)
    qtbot.addWidget(dialog)
    dialog.label.clear()
    type_text(dialog.label, "Lecture à voix haute (journal, romans)")
    dialog.active.setChecked(False)
    dialog.save()
    qtbot.waitUntil(lambda: any("romans" in i.text for i in page.types_model.items), timeout=5000)
    offered = [t.label for t in list_mission_types(registry)]
    assert "Lecture à voix haute (journal, romans)" not in offered  # withdrawn
    everything = [t.label for t in list_mission_types(registry, include_inactive=True)]
    assert "Lecture à voix haute (journal, romans)" in everything


def test_hourly_rates_typed_the_french_way_are_saved(
    qtbot: QtBot, registry: Registry, context: AppContext, window: MainWindow
) -> None:
    registry.actor = ADMIN
    context.set_actor(ADMIN)
    page = window.page("reglages")
    qtbot.waitUntil(lambda: "visite" in page.rate_fields, timeout=5000)
    page.rate_fields[None].setText("18,50")
    page.rate_fields["visite"].setText("20")
    page.save_rates()
    qtbot.waitUntil(lambda: page.rates_message.text() == "Taux enregistrés.", timeout=5000)
    rates = hourly_rates(registry)
    assert rates.default == Decimal("18.50") and rates.rate("visite") == Decimal("20.00")
    assert rates.rate("appel") == Decimal("18.50")
    page.rate_fields["visite"].setText("vingt")
    page.save_rates()
    assert "n'est pas un montant" in page.rates_message.text()


def test_a_secretary_cannot_add_a_user_and_is_told_why(
    qtbot: QtBot, registry: Registry, context: AppContext, window: MainWindow
) -> None:
    page = window.page("reglages")
    dialog = UserDialog(context, page)
    qtbot.addWidget(dialog)
    dialog.username.setText("marie.curie")
    type_text(dialog.display_name, "Marie Curie")
    dialog.save()
    qtbot.waitUntil(lambda: not dialog.banner.isHidden(), timeout=5000)
    assert "Votre rôle ne permet pas" in dialog.banner.text()
    assert all(a.username != "marie.curie" for a in list_staff(registry))


def test_a_partner_association_is_added_and_an_empty_name_is_refused(
    qtbot: QtBot, registry: Registry, context: AppContext, window: MainWindow
) -> None:
    from bippop_desk.registry.services.partners import list_partners
    from bippop_desk.ui.pages.settings_page import PartnerDialog

    page = window.page("reglages")
    dialog = PartnerDialog(context, page)
    qtbot.addWidget(dialog)
    dialog.save()
    qtbot.waitUntil(lambda: dialog.buttons.isEnabled(), timeout=5000)
    assert dialog.errors._fields["name"][1].text() == "Le nom du partenaire est obligatoire."
    type_text(dialog.name, "Les Petits Frères des Pauvres")
    dialog.phone.setText("03 44 20 30 40")
    with qtbot.waitSignal(dialog.saved, timeout=5000):
        dialog.save()
    assert [p.name for p in list_partners(registry)] == ["Les Petits Frères des Pauvres"]
    qtbot.waitUntil(lambda: len(page.partners_model.items) == 1, timeout=5000)
