"""Starting the desktop app: Qt in French, the window at once, the registry opened on the
DB worker (migrations and the demo commune never freeze the window)."""

from __future__ import annotations

import argparse
import getpass
import logging
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QLibraryInfo, QLocale, QObject, QTimer, QTranslator
from PySide6.QtWidgets import QApplication, QMessageBox

from bippop_desk import APP_NAME
from bippop_desk.memory import peak_rss_mb
from bippop_desk.paths import db_path
from bippop_desk.registry.actor import Actor
from bippop_desk.registry.errors import DatabaseTooNewError
from bippop_desk.ui.context import AppContext
from bippop_desk.ui.main_window import MainWindow, apply_text_size
from bippop_desk.ui.settings import Preferences
from bippop_desk.ui.worker import DbWorker

if TYPE_CHECKING:
    from bippop_desk.registry.reader import FileReader
    from bippop_desk.registry.store import Registry

log = logging.getLogger(__name__)
STARTED = time.perf_counter()
DEMO_PEOPLE = 400
FULL_OPEN_DELAY_MS = 150
PAGE_ALIASES = {"beneficiaries": "beneficiaires", "requests": "demandes", "home": "accueil"}


@dataclass
class Opened:
    registry: Registry
    commune_name: str
    staff: list[Actor]
    created_demo: bool
    needs_administrator: bool = False  # first start: the sign-in dialog creates one


def prune_old_copies(path: Path) -> None:
    """Copies older than BACKUP_DAYS go before anything else reads the registry, even
    after weeks without the app (the privacy texts promise it); never blocks the start."""
    from bippop_desk.registry.services.backups import prune_old_backups

    try:
        prune_old_backups(path)
    except OSError as error:
        log.warning("old backups not pruned: %s", error)


def open_reader(path: Path) -> tuple[FileReader, str] | None:
    """Runs on the DB worker, first: a plain-SQL view when the file needs no set-up, so
    the first list paints before SQLAlchemy is even imported."""
    from bippop_desk.registry.reader import open_if_current

    prune_old_copies(path)

    reader = open_if_current(path)
    return (reader, reader.commune_name()) if reader is not None else None


def extend_all_recurrences(registry: Registry) -> int:
    from bippop_desk.registry.services.missions import extend_all_recurrences as extend

    return extend(registry)


def open_registry(path: Path, demo_if_empty: bool) -> Opened:
    """Runs on the DB worker: migrate (with backup), create the demo when asked."""
    from bippop_desk.registry.services.commune import list_staff
    from bippop_desk.registry.store import Registry

    prune_old_copies(path)  # before a migration's copy and the day's copy
    new_file = not path.exists()
    registry = Registry(path)
    created_demo = False
    if not registry.commune_id_or_empty():
        if not (demo_if_empty and new_file):
            return Opened(registry, "", [], False)
        from bippop_desk.registry.demo import generate_demo

        generate_demo(registry, DEMO_PEOPLE)
        created_demo = True
    from bippop_desk.registry.services.settings import upgrade_settings

    upgrade_settings(registry)  # stored settings of an older version, once
    from bippop_desk.registry.services.auth import needs_first_administrator
    from bippop_desk.registry.services.backups import daily_backup_in_background

    # The day's copy (SQLite backup API; copies older than 14 days removed), beside.
    daily_backup_in_background(path)
    staff = list_staff(registry)
    return Opened(
        registry,
        registry.commune().name,
        staff,
        created_demo,
        needs_first_administrator(registry),
    )


def pick_actor(staff: list[Actor], last_user: str) -> Actor:
    login = getpass.getuser()
    for wanted in (last_user, login):
        for actor in staff:
            if actor.username == wanted:
                return actor
    return staff[0] if staff else Actor(login, login, "secretaire")


class PaintWatcher(QObject):
    """For `--exit-after-paint` (startup benchmark): says when the first rows have been
    painted, then quits once the full registry is open too, saying the peak memory of
    the app as it will run."""

    def __init__(self, window: MainWindow, context: AppContext) -> None:
        super().__init__()
        self.rows_ready = False
        self.painted = False
        self.window = window
        self.context = context
        context.registry_ready.connect(self._maybe_quit)
        window.beneficiaries.model.rows_arrived.connect(self._rows)
        window.beneficiaries.table.viewport().installEventFilter(self)

    def _rows(self) -> None:
        self.rows_ready = True

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if self.rows_ready and event.type() == QEvent.Type.Paint:
            self.rows_ready = False
            QTimer.singleShot(0, self._done)
        return False

    def _done(self) -> None:
        print(f"painted {time.perf_counter() - STARTED:.3f}", flush=True)
        self.painted = True
        self._maybe_quit()

    def _maybe_quit(self) -> None:
        if self.painted and self.context.ready:
            print(f"peak_rss_mb {peak_rss_mb():.0f}", flush=True)
            QApplication.quit()


def install_french(app: QApplication) -> None:
    """Qt's own words in French (Qt's folder, else the copy the installer ships in
    resources/translations), then the app's catalogue; the window icon."""
    from PySide6.QtGui import QIcon

    from bippop_desk.assets import icon_files, translations_dir

    QLocale.setDefault(QLocale(QLocale.Language.French, QLocale.Country.France))
    shipped = translations_dir()
    folders = [QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)]
    folders += [str(shipped)] if shipped is not None else []
    for name in ("qtbase_fr", "bippop_desk_fr"):
        translator = QTranslator(app)
        if any(translator.load(name, folder) for folder in folders):
            app.installTranslator(translator)
    icon = QIcon()
    for path in icon_files():
        icon.addFile(str(path))
    if not icon.isNull():
        app.setWindowIcon(icon)


def run_app(args: argparse.Namespace) -> int:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName(APP_NAME)
    app.setOrganizationName("Bip Pop")
    install_french(app)
    path = db_path(getattr(args, "db", None))
    from bippop_desk.ui.single_instance import InstanceGuard

    instance = InstanceGuard(path)
    busy = instance.acquire()
    if busy is not None:  # one app per registry: the first one comes forward
        print(busy.message(path), file=sys.stderr)
        if not busy.brought_forward:
            QMessageBox.information(None, APP_NAME, busy.message(path))
        return 0 if busy.brought_forward else 1
    preferences = Preferences()
    apply_text_size(bool(args.large_text) or preferences.large_text)

    worker = DbWorker()
    context = AppContext(worker, Actor(getpass.getuser(), getpass.getuser(), "secretaire"))
    window = MainWindow(context, preferences)
    window.instance_guard = instance
    instance.bring_forward.connect(window.come_forward)
    from bippop_desk.ui.unexpected import install_excepthook

    # A bug in a slot: French message, report in the log, the typed draft saved.
    install_excepthook(
        window, lambda: window.intake.flush_draft() if "demande" in window.pages else None
    )
    window.show_page(PAGE_ALIASES.get(args.page, args.page))
    window.show()
    watcher = PaintWatcher(window, context) if args.exit_after_paint else None
    if not args.exit_after_paint:  # the startup bench measures the first paint only
        window.guard.start()  # nothing of the registry shows before a sign-in

    full_open_started = False

    def open_fully() -> None:
        nonlocal full_open_started
        if not full_open_started:
            full_open_started = True
            worker.submit(
                lambda: open_registry(path, bool(args.demo_if_empty)),
                opened,
                failed,
                progress="Ouverture du registre…",
            )

    def reader_opened(result: tuple[FileReader, str] | None) -> None:
        if result is None:  # new file, migration or first set-up: the full path at once
            open_fully()
            return
        context.set_reader(*result)
        window.statusBar().showMessage("Ouverture du registre…")
        # The full registry (SQLAlchemy, ~0.4 s of imports holding the GIL) opens once
        # the first screen has painted its rows, so it does not delay them; at the latest
        # after a second.
        page = window.pages.get("beneficiaires")
        if page is not None:
            window.beneficiaries.model.rows_arrived.connect(
                lambda: QTimer.singleShot(FULL_OPEN_DELAY_MS, open_fully)
            )
        QTimer.singleShot(0 if page is None else 1000, open_fully)

    def opened(result: Opened) -> None:
        if not result.commune_name:
            from bippop_desk.ui.setup_dialog import CommuneSetupDialog

            dialog = CommuneSetupDialog(context, result.registry, window)
            if not dialog.exec():
                app.quit()
                return
            worker.submit(lambda: open_registry(path, False), opened, failed)
            return
        window.set_staff(result.staff)
        context.set_registry(result.registry, result.commune_name)
        window.statusBar().clearMessage()
        if args.exit_after_paint:
            context.set_actor(pick_actor(result.staff, preferences.last_user))
        else:  # sign in, or create the first administrator (issue 8)
            window.guard.sign_in_at_start(result.needs_administrator)
        registry = result.registry
        # Open-ended series ("chaque mardi, jusqu'à nouvel ordre") are planned 12 weeks
        # ahead; each start rolls them forward, quietly, on the worker.
        worker.submit(lambda: extend_all_recurrences(registry), series_extended)
        if result.created_demo:
            window.statusBar().showMessage(
                "Commune de démonstration créée (données fictives, jamais synchronisées).", 10000
            )

    def series_extended(count: int) -> None:
        if count:
            context.data_changed.emit(frozenset({"mission", "request"}))
            window.statusBar().showMessage(
                f"{count} visite(s) des demandes régulières planifiée(s) "
                "pour les semaines à venir.",
                10000,
            )

    def failed(error: BaseException) -> None:
        log.error("cannot open the registry", exc_info=error)
        title = (
            "Registre trop récent"
            if isinstance(error, DatabaseTooNewError)
            else "Registre illisible"
        )
        QMessageBox.critical(window, title, f"{error}\n\nFichier : {path}")
        app.exit(2)

    worker.submit(lambda: open_reader(path), reader_opened, failed)
    app.aboutToQuit.connect(context.close)
    app.aboutToQuit.connect(instance.release)
    code = app.exec()
    del watcher
    return int(code)
