"""« Arrivées du web » (issue 15): what came from the platform's public pages and waits
for staff. Three tabs: web requests and online sign-ups to check (origin shown, with
their possible duplicates), hours volunteers declared online (accept: the visit done
and validated with those hours; refuse, with a reason), and the submissions held on the
platform past the commune's daily quota (fetched over the network, accepted or
rejected there; accepted ones come down with the next sync, to check like the others).

Reads and writes run on the DB worker, the moderation calls on the sync controller's
network thread; nothing here touches a session or a socket on the GUI thread.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from bippop_desk.registry.frdates import short_date, short_datetime
from bippop_desk.registry.services.hours_declarations import (
    PendingDeclaration,
    accept_declaration,
    pending_declarations,
    refuse_declaration,
)
from bippop_desk.registry.services.web_inbox import WebArrival, mark_checked, web_arrivals
from bippop_desk.registry.store import Registry
from bippop_desk.sync.moderation import HeldSubmission, decide_submissions, held_submissions
from bippop_desk.ui.context import AppContext
from bippop_desk.ui.item_list import ItemList
from bippop_desk.ui.list_model import ListItem
from bippop_desk.ui.messages import error_text

WATCHED = frozenset({"request", "volunteer", "beneficiary", "hours_declaration", "mission"})


def arrival_item(arrival: WebArrival) -> ListItem:
    phone = f" — {arrival.phone}" if arrival.phone else ""
    detail = f"{arrival.origin}, le {short_datetime(arrival.received_at)}"
    if arrival.duplicates:
        twins = "; ".join(f"{d.full_name} ({d.reason})" for d in arrival.duplicates[:3])
        detail += f"\nDoublon possible : {twins}"
    return ListItem(arrival.id, f"{arrival.what} — {arrival.person}{phone}", detail, arrival)


def declaration_item(declaration: PendingDeclaration) -> ListItem:
    when = (
        short_date(declaration.mission_starts_at.date())
        if declaration.mission_starts_at
        else "intervention pas encore reçue"
    )
    note = f" « {declaration.note} »" if declaration.note else ""
    return ListItem(
        declaration.id,
        f"{declaration.volunteer} — {declaration.hours_text}, {declaration.mileage_km} km",
        f"{declaration.mission_type} chez {declaration.person}, {when} ; déclarées le "
        f"{short_datetime(declaration.declared_at)}{note}",
        declaration,
    )


def held_item(held: HeldSubmission) -> ListItem:
    return ListItem(held.held_id, f"{held.kind_label} — {held.summary}",
                    f"Arrivée le {held.received_at.replace('T', ' à ')} (UTC), au-delà du "
                    "quota du jour de la commune", held)  # fmt: skip


class WebInboxPage(QWidget):
    open_request = Signal(str)
    open_volunteer = Signal(str)

    def __init__(self, context: AppContext, sync: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context, self.sync = context, sync
        layout = QVBoxLayout(self)
        title = QLabel("<h2>Arrivées du web</h2>")
        layout.addWidget(title)
        self.tabs = QTabWidget()
        layout.addWidget(self.tabs, 1)
        self.arrivals = self._tab("web_arrivals", "&1 À vérifier", [
            ("&Ouvrir", self._open), ("Demande &vérifiée (en recherche)", self._checked),
        ])  # fmt: skip
        self.declarations = self._tab("web_declarations", "&2 Heures déclarées", [
            ("&Accepter les heures", self._accept_hours), ("&Refuser…", self._refuse_hours),
        ])  # fmt: skip
        self.held = self._tab("web_held", "&3 En attente de modération", [
            ("Ac&tualiser", self.fetch_held), ("Acce&pter", lambda: self._decide(True)),
            ("Re&jeter", lambda: self._decide(False)),
        ])  # fmt: skip
        self.message = QLabel()
        self.message.setObjectName("web_inbox_message")
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        context.data_changed.connect(self._data_changed)

    def _tab(self, name: str, title: str, buttons: list[tuple[str, Any]]) -> ItemList:
        page = QWidget()
        column = QVBoxLayout(page)
        view = ItemList()
        view.setObjectName(name)
        column.addWidget(view, 1)
        row = QHBoxLayout()
        for text, slot in buttons:
            button = QPushButton(text)
            button.clicked.connect(slot)
            row.addWidget(button)
        row.addStretch(1)
        column.addLayout(row)
        self.tabs.addTab(page, title)
        return view

    # -- loading --------------------------------------------------------------------------
    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.reload()

    def _data_changed(self, entities: frozenset[str]) -> None:
        if self.isVisible() and entities & WATCHED:
            self.reload()

    def reload(self) -> None:
        def read(registry: Registry) -> tuple[list[WebArrival], list[PendingDeclaration]]:
            return web_arrivals(registry), pending_declarations(registry)

        self.context.read(read, self._show, self._failed)

    def _show(self, found: tuple[list[WebArrival], list[PendingDeclaration]]) -> None:
        arrivals, declarations = found
        self.arrivals.set_items([arrival_item(a) for a in arrivals])
        self.declarations.set_items([declaration_item(d) for d in declarations])
        self.tabs.setTabText(0, f"&1 À vérifier ({len(arrivals)})")
        self.tabs.setTabText(1, f"&2 Heures déclarées ({len(declarations)})")

    def _failed(self, error: BaseException) -> None:
        self.message.setText(error_text(error))

    def _done(self, text: str) -> Any:
        return lambda _result: self.message.setText(text)

    # -- to check -------------------------------------------------------------------------
    def _open(self) -> None:
        item = self.arrivals.current_item()
        if item is None:
            return
        arrival: WebArrival = item.payload
        (self.open_request if arrival.kind == "request" else self.open_volunteer).emit(arrival.id)

    def _checked(self) -> None:
        item = self.arrivals.current_item()
        if item is None or item.payload.kind != "request":
            self.message.setText("Choisissez une demande (les inscriptions se valident dans "
                                 "la fiche du bénévole, après l'entretien).")  # fmt: skip
            return
        self.context.mutate(lambda r: mark_checked(r, item.id), {"request"},
                            self._done("Demande vérifiée : elle passe en recherche."),
                            self._failed)  # fmt: skip

    # -- declared hours -------------------------------------------------------------------
    def _accept_hours(self) -> None:
        item = self.declarations.current_item()
        if item is not None:
            self.context.mutate(lambda r: accept_declaration(r, item.id),
                                {"hours_declaration", "mission", "hours_entry"},
                                self._done("Heures acceptées : l'intervention est validée."),
                                self._failed)  # fmt: skip

    def _refuse_hours(self) -> None:
        item = self.declarations.current_item()
        if item is None:
            return
        reason, ok = QInputDialog.getText(self, "Refuser les heures déclarées",
                                          "Pourquoi (le bénévole le verra) :")  # fmt: skip
        if ok:
            self.context.mutate(lambda r: refuse_declaration(r, item.id, reason),
                                {"hours_declaration"}, self._done("Déclaration refusée."),
                                self._failed)  # fmt: skip

    # -- moderation (network) -------------------------------------------------------------
    def fetch_held(self) -> None:
        registry = self.context.registry_for_background()
        self.message.setText("Lecture de la file de modération sur la plateforme…")
        self.sync.net.submit(lambda: held_submissions(registry), self._show_held, self._failed)

    def _show_held(self, found: tuple[list[HeldSubmission], int]) -> None:
        held, total = found
        self.held.set_items([held_item(h) for h in held])
        self.tabs.setTabText(2, f"&3 En attente de modération ({total})")
        waiting = f"{total} soumission(s) en attente sur la plateforme."
        self.message.setText(waiting if total else "Aucune soumission en attente de modération.")

    def _decide(self, accept: bool) -> None:
        item = self.held.current_item()
        if item is None:
            return
        registry = self.context.registry_for_background()

        def done(_results: dict[str, str]) -> None:
            accepted = "Acceptée : elle arrive à la prochaine synchronisation."
            self.message.setText(accepted if accept else "Rejetée : supprimée de la plateforme.")
            self.fetch_held()
            if accept:
                self.sync.sync_now()

        self.sync.net.submit(lambda: decide_submissions(registry, [item.id], accept), done,
                             self._failed)  # fmt: skip
