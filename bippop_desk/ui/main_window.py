"""The main window: navigation on the left, one page at a time, a status bar."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QCloseEvent, QFont, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QStackedWidget,
    QWidget,
)

from bippop_desk import APP_NAME
from bippop_desk.registry.actor import ROLE_LABELS, Actor
from bippop_desk.ui.context import AppContext
from bippop_desk.ui.list_model import ListItem
from bippop_desk.ui.messages import error_text
from bippop_desk.ui.settings import BASE_POINT_SIZE, LARGE_POINT_SIZE, Preferences

if TYPE_CHECKING:
    from bippop_desk.ui.pages.beneficiaries import BeneficiariesPage
    from bippop_desk.ui.pages.home import HomePage
    from bippop_desk.ui.pages.intake import IntakePage
    from bippop_desk.ui.pages.planning import PlanningPage
    from bippop_desk.ui.pages.reports import ReportsPage
    from bippop_desk.ui.pages.requests import RequestsPage
    from bippop_desk.ui.pages.volunteers import VolunteersPage
    from bippop_desk.ui.single_instance import InstanceGuard

# Navigation order; Ctrl+1 … Ctrl+7 follow it.
PAGES = (
    ("accueil", "Accueil"),
    ("demande", "Nouvelle demande"),
    ("beneficiaires", "Bénéficiaires"),
    ("demandes", "Demandes"),
    ("benevoles", "Bénévoles"),
    ("planning", "Planning"),
    ("documents", "Documents"),
    ("reglages", "Réglages"),
    ("journal", "Journal"),
    ("synchro", "Synchronisation"),
    ("tableau", "Tableau de bord"),
    ("registre", "Registre canicule"),
    ("alertes", "Alertes et appels"),
    ("enquetes", "Enquêtes d'impact"),
    ("rgpd", "Protection des données"),
    ("web", "Arrivées du web"),
)


class MainWindow(QMainWindow):
    def __init__(self, context: AppContext, preferences: Preferences) -> None:
        super().__init__()
        self.context = context
        self.preferences = preferences
        self.staff: list[Actor] = []
        self.instance_guard: InstanceGuard | None = None  # app.py: one app per registry
        self.setWindowTitle(APP_NAME)
        self.resize(1280, 800)

        self.nav = QListWidget()
        self.nav.setObjectName("navigation")
        self.nav.setStyleSheet("QListWidget::item { padding: 8px 6px; }")
        self.nav.setFixedWidth(self.fontMetrics().averageCharWidth() * 30)
        self.stack = QStackedWidget()
        central = QWidget()
        row = QHBoxLayout(central)
        row.addWidget(self.nav)
        row.addWidget(self.stack, 1)
        self.setCentralWidget(central)
        # Sign-in, idle lock and switching user (issue 8): a lock screen replaces the
        # content while nobody is signed in. Unlocked here; app.py locks at start-up.
        from bippop_desk.ui.signin import SessionGuard

        self.guard = SessionGuard(self, context)
        self.guard.signed_in.connect(lambda _actor: self.focus_page())

        # Pages are built the first time they are shown: start-up builds one page only,
        # and a hidden page never loads data nobody looks at.
        self.pages: dict[str, QWidget] = {}
        for index, (key, title) in enumerate(PAGES):
            self.stack.addWidget(QWidget())
            item = QListWidgetItem(title)
            item.setData(Qt.ItemDataRole.UserRole, key)
            self.nav.addItem(item)
            if index < 9:  # Ctrl+1 … Ctrl+9; the pages after are reached by the list
                QShortcut(
                    QKeySequence(f"Ctrl+{index + 1}"),
                    self,
                    lambda i=index: self.nav.setCurrentRow(i),
                )
                item.setToolTip(f"Ctrl+{index + 1}")
        self.nav.currentRowChanged.connect(self._show_row)

        # Sync with the platform: its own network thread, a timer, the status bar light.
        from bippop_desk.ui.sync_controller import SyncController

        self.sync = SyncController(context, parent=self)
        self.sync.needs_enroll.connect(self._needs_enroll)
        self._build_menus()
        self._build_status_bar()
        context.worker.error.connect(self._worker_error)
        context.worker.set_parent_widget(self)
        context.registry_ready.connect(self._registry_ready)
        context.data_changed.connect(self._reload_staff)
        geometry = preferences.geometry()
        if geometry is not None:
            self.restoreGeometry(geometry)

    # -- pages ---------------------------------------------------------------------------
    def page(self, key: str) -> QWidget:
        """The page for `key`, built (and its signals connected) on first use."""
        page = self.pages.get(key)
        if page is None:
            page = self._build_page(key)
            index = [k for k, _title in PAGES].index(key)
            placeholder = self.stack.widget(index)
            current = self.stack.currentIndex()
            self.stack.insertWidget(index, page)
            if placeholder is not None:
                self.stack.removeWidget(placeholder)
                placeholder.deleteLater()
            self.stack.setCurrentIndex(current)
            self.pages[key] = page
        return page

    def _build_page(self, key: str) -> QWidget:
        context = self.context
        if key == "accueil":
            from bippop_desk.ui.pages.home import HomePage

            home = HomePage(context)
            home.new_request.connect(self.open_intake)
            home.show_beneficiaries.connect(lambda: self.show_page("beneficiaires"))
            home.show_requests.connect(self._show_requests)
            home.open_request.connect(self.open_request)
            home.open_beneficiary.connect(self.open_beneficiary)
            home.open_mission.connect(self.open_mission)
            home.show_register.connect(lambda: self.show_page("registre"))
            home.show_sync.connect(lambda: self.show_page("synchro"))
            return home
        if key == "demande":
            from bippop_desk.ui.pages.intake import IntakePage

            intake = IntakePage(context)
            intake.status_message.connect(lambda text: self.statusBar().showMessage(text, 8000))
            return intake
        if key == "beneficiaires":
            from bippop_desk.ui.pages.beneficiaries import BeneficiariesPage

            beneficiaries = BeneficiariesPage(context)
            beneficiaries.open_record.connect(self.open_beneficiary)
            beneficiaries.new_record.connect(self.new_beneficiary)
            return beneficiaries
        if key == "demandes":
            from bippop_desk.ui.pages.requests import RequestsPage

            requests = RequestsPage(context)
            requests.open_request.connect(self.open_request)
            return requests
        if key == "benevoles":
            from bippop_desk.ui.pages.volunteers import VolunteersPage

            volunteers = VolunteersPage(context)
            volunteers.open_record.connect(self.open_volunteer)
            volunteers.new_record.connect(self.new_volunteer)
            return volunteers
        if key == "planning":
            from bippop_desk.ui.pages.planning import PlanningPage

            planning = PlanningPage(context)
            planning.open_mission.connect(self.open_mission)
            return planning
        if key == "documents":
            from bippop_desk.ui.pages.reports import ReportsPage

            return ReportsPage(context)
        if key == "reglages":
            from bippop_desk.ui.pages.settings_page import SettingsPage

            return SettingsPage(context)
        if key == "journal":
            from bippop_desk.ui.pages.journal import JournalPage

            return JournalPage(context)
        if key == "tableau":
            from bippop_desk.ui.pages.dashboard import DashboardPage

            return DashboardPage(context)
        if key == "registre":
            from bippop_desk.ui.pages.register import RegisterPage

            return RegisterPage(context)
        if key == "alertes":
            from bippop_desk.ui.pages.campaign import CampaignPage

            return CampaignPage(context)
        if key == "enquetes":
            from bippop_desk.ui.pages.survey import SurveyPage

            return SurveyPage(context)
        if key == "rgpd":
            from bippop_desk.ui.pages.data_protection import DataProtectionPage

            return DataProtectionPage(context)
        if key == "synchro":
            from bippop_desk.ui.pages.sync_page import SyncPage

            return SyncPage(context, self.sync)
        if key == "web":
            from bippop_desk.ui.pages.web_inbox import WebInboxPage

            inbox = WebInboxPage(context, self.sync)
            inbox.open_request.connect(self.open_request)
            inbox.open_volunteer.connect(self.open_volunteer)
            return inbox
        raise KeyError(key)

    @property
    def home(self) -> HomePage:
        return cast("HomePage", self.page("accueil"))

    @property
    def intake(self) -> IntakePage:
        return cast("IntakePage", self.page("demande"))

    @property
    def beneficiaries(self) -> BeneficiariesPage:
        return cast("BeneficiariesPage", self.page("beneficiaires"))

    @property
    def requests(self) -> RequestsPage:
        return cast("RequestsPage", self.page("demandes"))

    @property
    def volunteers(self) -> VolunteersPage:
        return cast("VolunteersPage", self.page("benevoles"))

    @property
    def planning(self) -> PlanningPage:
        return cast("PlanningPage", self.page("planning"))

    @property
    def reports(self) -> ReportsPage:
        return cast("ReportsPage", self.page("documents"))

    def _show_row(self, row: int) -> None:
        if 0 <= row < len(PAGES):
            self.page(PAGES[row][0])
            self.stack.setCurrentIndex(row)

    def come_forward(self) -> None:
        """A second start on this registry asked for this window (single_instance)."""
        if self.isMinimized():
            self.showNormal()
        self.show()
        self.raise_()
        self.activateWindow()

    def show_page(self, key: str) -> None:
        keys = [k for k, _title in PAGES]
        if key in keys:
            self.nav.setCurrentRow(keys.index(key))

    def focus_page(self) -> None:
        """After sign-in or unlocking: the window takes the keyboard (a plain X server
        gives it to no window once the dialog has closed, and Ctrl+N would go nowhere),
        and the page shown its first action."""
        self.activateWindow()
        self.raise_()
        page = self.stack.currentWidget()
        if page is None:
            return
        first_action = getattr(page, "focus_first_action", None)
        if callable(first_action):
            first_action()
            return
        widget = page.nextInFocusChain()
        while widget is not None and widget is not page:
            if (
                page.isAncestorOf(widget)
                and widget.isVisible()
                and widget.isEnabled()
                and (widget.focusPolicy() & Qt.FocusPolicy.TabFocus)
            ):
                widget.setFocus(Qt.FocusReason.OtherFocusReason)
                return
            widget = widget.nextInFocusChain()

    def open_intake(self) -> None:
        self.show_page("demande")
        self.intake.focus_search()

    def open_intake_for(self, person_id: str, label: str) -> None:
        name, _, detail = label.partition("|")
        self.show_page("demande")
        self.intake.pick(ListItem(person_id, name, detail))

    def open_request(self, request_id: str) -> None:
        from bippop_desk.ui.pages.request_dialog import RequestDialog

        dialog = RequestDialog(self.context, request_id, self)
        dialog.open_mission.connect(self.open_mission)
        dialog.exec()

    def open_mission(self, mission_id: str) -> None:
        from bippop_desk.ui.pages.mission_dialog import MissionDialog

        MissionDialog(self.context, mission_id, self).exec()

    def open_beneficiary(self, person_id: str) -> None:
        from bippop_desk.ui.pages.beneficiary_dialogs import BeneficiaryFileDialog

        dialog = BeneficiaryFileDialog(self.context, person_id, self)
        dialog.new_request_for.connect(self.open_intake_for)
        dialog.exec()

    def new_beneficiary(self) -> None:
        from bippop_desk.ui.pages.beneficiary_dialogs import BeneficiaryEditDialog

        dialog = BeneficiaryEditDialog(
            self.context, None, self, default_city=self.context.commune_name
        )
        dialog.saved.connect(self.open_beneficiary)
        dialog.exec()

    def open_volunteer(self, volunteer_id: str) -> None:
        from bippop_desk.ui.pages.volunteers import VolunteerFileDialog

        VolunteerFileDialog(self.context, volunteer_id, self).exec()

    def new_volunteer(self) -> None:
        from bippop_desk.ui.pages.volunteers import VolunteerEditDialog

        dialog = VolunteerEditDialog(self.context, None, self)
        dialog.saved.connect(self.open_volunteer)
        dialog.exec()

    def _show_requests(self, status: str) -> None:
        self.show_page("demandes")
        if status == "urgent":
            self.requests.status.setCurrentIndex(0)
            self.requests.urgent.setChecked(True)
        else:
            self.requests.urgent.setChecked(False)
            self.requests.show_status(status)

    # -- menus and status bar -----------------------------------------------------------------
    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&Fichier")
        intake = QAction("&Nouvelle demande téléphonique", self)
        intake.setShortcuts([QKeySequence("Ctrl+N"), QKeySequence("F2")])
        intake.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)
        intake.triggered.connect(self.open_intake)
        file_menu.addAction(intake)
        import_action = QAction("&Importer depuis un tableur…", self)
        import_action.triggered.connect(self.open_import)
        file_menu.addAction(import_action)
        general = QAction("Réglages &généraux…", self)
        general.triggered.connect(self.open_general_settings)
        file_menu.addAction(general)
        user = QAction("Changer d'&utilisateur…", self)
        user.triggered.connect(self.choose_user)
        file_menu.addAction(user)
        lock = QAction("&Verrouiller", self)
        lock.setShortcut(QKeySequence("Ctrl+L"))
        lock.triggered.connect(lambda: self.guard.lock())
        file_menu.addAction(lock)
        sync_now = QAction("&Synchroniser maintenant", self)
        sync_now.setShortcut(QKeySequence("Ctrl+Shift+S"))
        sync_now.triggered.connect(self.sync.sync_now)
        file_menu.addAction(sync_now)
        file_menu.addSeparator()
        quit_action = QAction("&Quitter", self)
        quit_action.setShortcut(QKeySequence("Ctrl+Q"))
        quit_action.triggered.connect(self.close)
        file_menu.addAction(quit_action)

        view_menu = self.menuBar().addMenu("&Affichage")
        self.large_text_action = QAction("&Texte agrandi", self)
        self.large_text_action.setCheckable(True)
        self.large_text_action.setChecked(self.preferences.large_text)
        self.large_text_action.setShortcut(QKeySequence("Ctrl++"))
        self.large_text_action.toggled.connect(self.set_large_text)
        view_menu.addAction(self.large_text_action)
        search = QAction("&Chercher un bénéficiaire", self)
        search.setShortcut(QKeySequence("Ctrl+F"))
        search.triggered.connect(self._focus_beneficiary_search)
        view_menu.addAction(search)

        help_menu = self.menuBar().addMenu("&Aide")
        about = QAction("À &propos", self)
        about.triggered.connect(self._about)
        help_menu.addAction(about)
        keys = QAction("&Raccourcis clavier", self)
        keys.setShortcut(QKeySequence("F1"))
        keys.triggered.connect(self._shortcuts_help)
        help_menu.addAction(keys)

    def _build_status_bar(self) -> None:
        self.commune_label = QLabel("Ouverture du registre…")
        self.user_label = QLabel()
        self.busy_label = QLabel()
        from bippop_desk.ui.sync_status import SyncIndicator

        self.sync_indicator = SyncIndicator(self.sync)
        self.sync_indicator.clicked.connect(lambda: self.show_page("synchro"))
        bar = self.statusBar()
        bar.addPermanentWidget(self.sync_indicator)
        bar.addPermanentWidget(self.busy_label)
        bar.addPermanentWidget(self.user_label)
        bar.addPermanentWidget(self.commune_label)
        self.context.worker.busy_changed.connect(
            lambda busy: self.busy_label.setText("Travail en cours…" if busy else "")
        )
        self.context.actor_changed.connect(self._show_user)
        self.context.actor_changed.connect(self._show_allowed_pages)
        self._show_user()

    def _show_allowed_pages(self) -> None:
        """Hide the pages the signed-in user may not use (the services refuse anyway)."""
        from bippop_desk.ui.signin import page_rights

        if self.context.ready and self.context.actor.username:
            self.context.read(page_rights, self._hide_pages)

    def _hide_pages(self, rights: dict[str, bool]) -> None:
        for row, (key, _title) in enumerate(PAGES):
            self.nav.item(row).setHidden(not rights.get(key, True))

    def _show_user(self) -> None:
        actor = self.context.actor
        if not actor.username:  # locked at start-up, before anyone signs in
            self.user_label.setText("Non connecté")
            return
        role = ROLE_LABELS.get(actor.role, actor.role)
        self.user_label.setText(f"Connecté·e : {actor.display_name} ({role})")

    def _registry_ready(self) -> None:
        self.commune_label.setText(f"Commune : {self.context.commune_name}")
        self.setWindowTitle(f"{APP_NAME} — {self.context.commune_name}")

    def _reload_staff(self, entities: frozenset[str]) -> None:
        if "staff_user" in entities:
            from bippop_desk.registry.services.commune import list_staff

            self.context.read(list_staff, self.set_staff)

    def set_staff(self, staff: list[Actor]) -> None:
        self.staff = staff

    def choose_user(self) -> None:
        """Another staff member takes the desk: always with their password."""
        self.guard.switch_user()

    def set_large_text(self, large: bool) -> None:
        self.preferences.large_text = large
        apply_text_size(large)

    def _focus_beneficiary_search(self) -> None:
        self.show_page("beneficiaires")
        self.beneficiaries.focus_filter()

    def _about(self) -> None:
        from bippop_desk.ui.about import AboutDialog

        AboutDialog(self.context, self).exec()

    def open_general_settings(self) -> None:
        from bippop_desk.ui.pages.settings_general import GeneralSettingsDialog

        GeneralSettingsDialog(self.context, self).exec()

    def open_import(self) -> None:
        from bippop_desk.ui.pages.import_dialog import ImportDialog

        ImportDialog(self.context, self).exec()

    def _shortcuts_help(self) -> None:
        QMessageBox.information(
            self,
            "Raccourcis clavier",
            "Ctrl+N ou F2 : nouvelle demande téléphonique\n"
            "↓ puis Entrée : choisir la personne trouvée\n"
            "Alt+N : créer la fiche d'une nouvelle personne\n"
            "Ctrl+Entrée : enregistrer la demande\n"
            "Ctrl+F : chercher un bénéficiaire\n"
            "Ctrl+1 … Ctrl+9 : aller aux pages\n"
            "Ctrl++ : texte agrandi",
        )

    def _needs_enroll(self, reason: str) -> None:
        self.statusBar().showMessage(reason, 15000)

    def _worker_error(self, error: BaseException) -> None:
        QMessageBox.warning(self, "Une opération a échoué", error_text(error))

    # -- closing ----------------------------------------------------------------------------
    def closeEvent(self, event: QCloseEvent) -> None:
        if "demande" in self.pages:
            self.intake.flush_draft()
        self.preferences.set_geometry(self.saveGeometry())
        self.preferences.sync()
        self.sync.shutdown()
        super().closeEvent(event)


def apply_text_size(large: bool) -> None:
    """Resize every widget's text (the whole app reads the application font)."""
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        return
    font = QFont(app.font())
    font.setPointSize(LARGE_POINT_SIZE if large else BASE_POINT_SIZE)
    app.setFont(font)
