"""Protection des données (administrators): a person's data on request (export,
erasure), retention review, backups and restore, staff accounts and register access.
Every action is checked again by its service; this page only gathers them."""

from __future__ import annotations

from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QLabel, QTabWidget, QVBoxLayout, QWidget

from bippop_desk.ui.context import AppContext
from bippop_desk.ui.pages.data_protection_staff import StaffTab
from bippop_desk.ui.pages.data_protection_tabs import BackupsTab, PersonTab, RetentionTab


class DataProtectionPage(QWidget):
    def __init__(self, context: AppContext) -> None:
        super().__init__()
        self.context = context
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("<h2>Protection des données</h2>"))
        self.tabs = QTabWidget()
        self.person = PersonTab(context)
        self.retention = RetentionTab(context)
        self.backups = BackupsTab(context)
        self.staff = StaffTab(context)
        self.tabs.addTab(self.person, "&Demandes des personnes")
        self.tabs.addTab(self.retention, "&Conservation")
        self.tabs.addTab(self.backups, "&Sauvegardes")
        self.tabs.addTab(self.staff, "&Utilisateurs et accès")
        self.tabs.currentChanged.connect(lambda _i: self.reload())
        layout.addWidget(self.tabs, 1)
        context.actor_changed.connect(lambda: self.reload() if self.isVisible() else None)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.reload()

    def reload(self) -> None:
        if not self.context.ready or not self.context.actor.username:
            return
        tab = self.tabs.currentWidget()
        reload = getattr(tab, "reload", None)
        if callable(reload):
            reload()
