"""Staff sign-in: the dialog (first start creates the administrator), the lock screen
after idle time, and switching user — always with a password.

`SessionGuard` wraps the main window's content: while locked, a lock screen replaces
it (nothing of the registry stays on screen). The password checks run on the DB worker
(argon2 takes ~50 ms on purpose); the signed-in actor goes to `AppContext.set_actor`,
so every job submitted afterwards acts on their behalf.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from bippop_desk.registry.actor import Actor
from bippop_desk.ui.context import AppContext
from bippop_desk.ui.form_dialog import field_row, show_error
from bippop_desk.ui.forms import EnterButton, ErrorLabel, FieldErrors

if TYPE_CHECKING:  # SQLAlchemy is imported off the GUI thread, after the first paint
    from bippop_desk.registry.store import Registry

IDLE_MINUTES = 10
NOBODY = Actor("", "Personne n'est connecté", "")


def _password() -> QLineEdit:
    edit = QLineEdit()
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    return edit


class SignInDialog(QDialog):
    """Sign in (or, on a registry without administrator, create the first one).
    `actor` holds who signed in once the dialog is accepted."""

    def __init__(
        self,
        context: AppContext,
        parent: QWidget | None = None,
        *,
        first: bool = False,
        username: str = "",
        closable: bool = True,
    ) -> None:
        super().__init__(parent)
        self.context = context
        self.first = first
        self.actor: Actor | None = None
        self.setWindowTitle("Créer l'administrateur" if first else "Connexion")
        self.errors = FieldErrors()
        layout = QVBoxLayout(self)
        intro = QLabel(
            "Premier démarrage : créez le compte de l'administrateur, qui créera ensuite "
            "ceux de ses collègues. Le mot de passe compte au moins 8 caractères."
            if first
            else "Connectez-vous pour ouvrir le registre de "
            f"{context.commune_name or 'la commune'}."
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        form = QFormLayout()
        self.username = QLineEdit(username)
        self.username.setObjectName("signin_username")
        self.display_name = QLineEdit()
        self.password = _password()
        self.password.setObjectName("signin_password")
        self.confirm = _password()
        field_row(form, self.errors, "username", "&Identifiant", self.username)
        if first:
            field_row(form, self.errors, "display_name", "&Nom affiché", self.display_name)
        field_row(form, self.errors, "password", "&Mot de passe", self.password)
        if first:
            field_row(form, self.errors, "confirm", "&Confirmation", self.confirm)
        layout.addLayout(form)
        self.banner = ErrorLabel()
        self.banner.setObjectName("signin_error")
        layout.addWidget(self.banner)
        buttons = QDialogButtonBox()
        self.ok = buttons.addButton(
            "&Créer et se connecter" if first else "&Se connecter",
            QDialogButtonBox.ButtonRole.AcceptRole,
        )
        self.ok.setDefault(True)
        if closable:
            buttons.addButton("Annuler", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.submit)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        (self.password if username else self.username).setFocus()
        self.resize(
            max(self.sizeHint().width(), self.fontMetrics().averageCharWidth() * 60),
            self.sizeHint().height(),
        )

    def submit(self) -> None:
        from bippop_desk.registry.services import auth

        self.errors.clear()
        self.banner.show_message("")
        self.ok.setEnabled(False)
        login, password = self.username.text(), self.password.text()
        work: Callable[[Registry], Actor]
        if self.first:
            name, confirm = self.display_name.text(), self.confirm.text()
            work = lambda r: auth.create_first_administrator(r, login, name, password, confirm)  # noqa: E731
        else:
            work = lambda r: auth.sign_in(r, login, password)  # noqa: E731
        self.context.read(work, self._signed_in, self._failed, progress="Vérification…")

    def _signed_in(self, actor: Actor) -> None:
        self.actor = actor
        self.accept()

    def _failed(self, error: BaseException) -> None:
        self.ok.setEnabled(True)
        self.password.clear()
        self.confirm.clear()
        show_error(self.errors, self.banner, error)
        self.password.setFocus()


class LockScreen(QWidget):
    """What the window shows while nobody is signed in or the session is locked."""

    unlock = Signal()

    def __init__(self) -> None:
        super().__init__()
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        self.title = QLabel("<h2>Session verrouillée</h2>")
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.detail = QLabel("Les données des personnes restent masquées.")
        self.detail.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.button = EnterButton("&Se connecter…")
        self.button.setObjectName("lock_unlock")
        self.button.clicked.connect(self.unlock)
        for widget in (self.title, self.detail):
            layout.addWidget(widget)
        layout.addWidget(self.button, 0, Qt.AlignmentFlag.AlignCenter)
        layout.addStretch(2)


class _IdleWatcher(QObject):
    """Counts any keyboard or mouse input in the app as activity."""

    def __init__(self, on_activity: Callable[[], None], parent: QObject) -> None:
        super().__init__(parent)
        self.on_activity = on_activity

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in (QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.Wheel):
            self.on_activity()
        return False


class SessionGuard(QObject):
    """Sign-in at start, lock after idle time, switch user with a password."""

    signed_in = Signal(object)  # the Actor

    def __init__(self, window: QMainWindow, context: AppContext) -> None:
        super().__init__(window)
        self.window = window
        self.context = context
        self._first = False  # no administrator yet: the dialog creates one
        content = window.takeCentralWidget()
        assert content is not None
        self.content: QWidget = content
        self.lock_screen = LockScreen()
        self.lock_screen.unlock.connect(lambda: self.ask(switch=False, first=self._first))
        self.stack = QStackedWidget()
        self.stack.addWidget(self.content)
        self.stack.addWidget(self.lock_screen)
        window.setCentralWidget(self.stack)
        self.idle_minutes: float = IDLE_MINUTES
        self._idle = QTimer(self)
        self._idle.setSingleShot(True)
        self._idle.timeout.connect(self._idle_lock)
        # Input anywhere in the app counts; the filter leaves with its window (an
        # app-wide filter outliving its window would be called on a deleted object).
        self._watcher = _IdleWatcher(self._activity, self)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self._watcher)
            window.destroyed.connect(lambda: app.removeEventFilter(self._watcher))
        self._dialog_open = False

    @property
    def locked(self) -> bool:
        return self.stack.currentWidget() is self.lock_screen

    def _activity(self) -> None:
        if not self.locked and self.idle_minutes > 0:
            self._idle.start(int(self.idle_minutes * 60_000))

    def lock(self, title: str = "Session verrouillée") -> None:
        """Hide the registry; the user who was working unlocks with their password."""
        self.lock_screen.title.setText(f"<h2>{title}</h2>")
        self.stack.setCurrentWidget(self.lock_screen)
        self._idle.stop()
        self.lock_screen.button.setFocus()  # Entrée unlocks

    def _idle_lock(self) -> None:
        # A form left open would stay on top of the lock screen with a person's data:
        # it closes (what the phone desk types survives as its draft).
        dialog = QApplication.activeModalWidget()
        if isinstance(dialog, QDialog) and not isinstance(dialog, SignInDialog):
            dialog.reject()
        self.lock()

    def start(self) -> None:
        """At start-up, before the registry is open: locked, nobody signed in."""
        self.context.set_actor(NOBODY)
        self.lock("Connexion")

    def sign_in_at_start(self, first: bool) -> None:
        """Once the registry is open: the first administrator or a sign-in (cancelled,
        the lock screen's button asks again, in the same mode)."""
        self._first = first
        self.ask(switch=False, first=first)

    def ask(self, *, switch: bool, first: bool = False) -> None:
        if self._dialog_open:
            return
        preferences = getattr(self.window, "preferences", None)
        current = self.context.actor.username or getattr(preferences, "last_user", "")
        username = "" if switch or first else current
        self._dialog_open = True
        dialog = SignInDialog(
            self.context, self.window, first=first, username=username, closable=True
        )
        accepted = dialog.exec() == QDialog.DialogCode.Accepted
        self._dialog_open = False
        if accepted and dialog.actor is not None:
            self.accept_actor(dialog.actor)

    def accept_actor(self, actor: Actor) -> None:
        self._first = False
        preferences = getattr(self.window, "preferences", None)
        if preferences is not None:
            preferences.last_user = actor.username
        self.context.set_actor(actor)
        self.stack.setCurrentWidget(self.content)
        self._activity()
        # Who is signed in shows once, in the status bar's permanent label.
        self.signed_in.emit(actor)

    def switch_user(self) -> None:
        """ "Changer d'utilisateur…": lock first, so the screen is never left open."""
        self.lock("Changer d'utilisateur")
        self.ask(switch=True)


# Pages shown only to those whose rights they need (navigation key -> permission).
PAGE_PERMISSIONS = {
    "journal": "journal.read",
    "registre": "register.read",
    "alertes": "campaign.run",
    "enquetes": "survey.call",
    "rgpd": "data_protection",
}


def page_rights(registry: Registry) -> dict[str, bool]:
    """On the DB worker: which of those pages the current actor may open."""
    from bippop_desk.registry.permissions import allowed

    return {page: allowed(registry, permission) for page, permission in PAGE_PERMISSIONS.items()}
