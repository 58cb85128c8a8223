"""The tabs of the data-protection page: a person's request, retention, backups."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from bippop_desk.registry.frdates import short_date
from bippop_desk.registry.services.backups import BACKUP_NOTICE, BackupFile, RestoreResult
from bippop_desk.registry.services.erasure import ErasureReport
from bippop_desk.registry.services.retention import ReviewRow
from bippop_desk.ui.context import AppContext
from bippop_desk.ui.forms import ERROR_STYLE
from bippop_desk.ui.item_list import ItemList
from bippop_desk.ui.list_model import ListItem
from bippop_desk.ui.messages import error_text
from bippop_desk.ui.pages.register import table_view
from bippop_desk.ui.pages.register_rows import RowsModel

ALL_ENTITIES = frozenset(
    {"beneficiary", "request", "mission", "register_entry", "call_attempt", "volunteer"}
)


class _Tab(QWidget):
    def __init__(self, context: AppContext, intro: str) -> None:
        super().__init__()
        self.context = context
        self.layout_ = QVBoxLayout(self)
        text = QLabel(intro)
        text.setWordWrap(True)
        self.layout_.addWidget(text)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setObjectName("tab_message")

    def say(self, text: str, error: bool = False) -> None:
        self.message.setStyleSheet(ERROR_STYLE if error else "")
        self.message.setText(text)

    def fail(self, error: BaseException) -> None:
        self.say(error_text(error), True)


class PersonTab(_Tab):
    """Access (export of everything held) or erasure, at the person's request."""

    def __init__(self, context: AppContext) -> None:
        super().__init__(
            context,
            "Une personne demande ses données ou leur effacement (RGPD) : cherchez sa fiche. "
            "L'export réunit tout ce que le registre contient sur elle (PDF et JSON). "
            "L'effacement retire ses données partout et ne se défait pas. " + BACKUP_NOTICE,
        )
        self.search = QLineEdit()
        self.search.setObjectName("rgpd_search")
        self.search.setPlaceholderText("Nom ou téléphone")
        self.results = ItemList()
        self.export_button = QPushButton("&Exporter ses données…")
        self.erase_button = QPushButton("E&ffacer ses données…")
        row = QHBoxLayout()
        row.addWidget(self.export_button)
        row.addWidget(self.erase_button)
        row.addStretch(1)
        for widget in (self.search, self.results):
            self.layout_.addWidget(widget)
        self.layout_.addLayout(row)
        self.layout_.addWidget(self.message)
        self._typing = QTimer(self)
        self._typing.setSingleShot(True)
        self._typing.setInterval(200)
        self._typing.timeout.connect(self._find)
        self.search.textEdited.connect(lambda _t: self._typing.start())
        self.export_button.clicked.connect(self.export)
        self.erase_button.clicked.connect(self.erase)

    def _find(self) -> None:
        from bippop_desk.registry.search import search_people

        query = self.search.text()
        self.context.read(
            lambda r: search_people(r, query, 10),
            lambda hits: self.results.set_items(
                [
                    ListItem(
                        h.id,
                        h.full_name,
                        f"{'bénéficiaire' if h.kind == 'beneficiaire' else 'bénévole'} "
                        f"{short_date(h.birth_date)} {h.phone}",
                        "beneficiary" if h.kind == "beneficiaire" else "volunteer",
                    )
                    for h in hits
                ]
            ),
        )

    def export(self) -> None:
        from bippop_desk.registry.services.person_export import (
            default_name,
            person_data,
            write_json,
        )
        from bippop_desk.reports.person_data import write_person_pdf

        item = self.results.current_item()
        if item is None:
            self.say("Choisissez d'abord la personne.", True)
            return
        if item.payload != "beneficiary":
            self.say(
                "L'export complet concerne les bénéficiaires ; pour un bénévole, "
                "sa fiche contient tout ce que le registre garde.",
                True,
            )
            return
        folder = QFileDialog.getExistingDirectory(self, "Dossier de l'export")
        if not folder:
            return
        commune = self.context.commune_name

        def work(registry: object) -> list[Path]:
            data = person_data(registry, item.id)  # type: ignore[arg-type]
            return [
                write_person_pdf(data, Path(folder) / default_name(data, "pdf"), commune),
                write_json(data, Path(folder) / default_name(data, "json")),
            ]

        self.context.read(
            work,
            lambda paths: self.say("Export enregistré : " + ", ".join(map(str, paths))),
            self.fail,
        )

    def erase(self) -> None:
        from bippop_desk.registry.services.erasure import erase_person

        item = self.results.current_item()
        if item is None:
            self.say("Choisissez d'abord la personne.", True)
            return
        typed, ok = QInputDialog.getText(
            self,
            "Effacement définitif",
            f"Effacer toutes les données de {item.text} ? Ses demandes et visites restent "
            "comptées dans les statistiques, sans son nom.\nCela ne se défait pas : "
            "tapez EFFACER pour confirmer.",
        )
        if not ok or typed.strip().upper() != "EFFACER":
            return
        self.context.mutate(
            lambda r: erase_person(r, str(item.payload or "beneficiary"), item.id),
            ALL_ENTITIES,
            self._erased,
            self.fail,
            progress="Effacement…",
        )

    def _erased(self, report: ErasureReport) -> None:
        self.results.set_items([])
        self.say(f"Données effacées ({report.records} fiche(s) anonymisée(s)).")


class RetentionTab(_Tab):
    """Two years without contact: review, then archive or anonymise what is chosen."""

    def __init__(self, context: AppContext) -> None:
        super().__init__(
            context,
            "Bénéficiaires sans aucun contact depuis 2 ans (référentiel CNIL). Choisissez "
            "les fiches, puis archivez-les (hors des listes, conservées) ou anonymisez-les.",
        )
        self.model = RowsModel(("Personne", "Dernier contact"))
        self.table = table_view(self.model)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.archive_button = QPushButton("&Archiver la sélection")
        self.anonymise_button = QPushButton("A&nonymiser la sélection…")
        row = QHBoxLayout()
        row.addWidget(self.archive_button)
        row.addWidget(self.anonymise_button)
        row.addStretch(1)
        self.layout_.addWidget(self.table, 1)
        self.layout_.addLayout(row)
        self.layout_.addWidget(self.message)
        self.archive_button.clicked.connect(lambda: self.apply("archive"))
        self.anonymise_button.clicked.connect(lambda: self.apply("anonymise"))

    def reload(self) -> None:
        from bippop_desk.registry.services.retention import review_list

        self.context.read(review_list, self._show, self.fail)

    def _show(self, rows: list[ReviewRow]) -> None:
        self.model.set_rows(
            [r.beneficiary_id for r in rows], [(r.name, short_date(r.last_seen)) for r in rows]
        )
        self.say(f"{len(rows)} fiche(s) à revoir.")

    def apply(self, what: str) -> None:
        from bippop_desk.registry.services.retention import anonymise, archive

        ids = [
            i
            for i in (self.model.id_at(x.row()) for x in self.table.selectionModel().selectedRows())
            if i
        ]
        if not ids:
            self.say("Choisissez au moins une fiche.", True)
            return
        verb = "archiver" if what == "archive" else "anonymiser (définitif)"
        if (
            QMessageBox.question(self, "Conservation", f"{verb.capitalize()} {len(ids)} fiche(s) ?")
            != QMessageBox.StandardButton.Yes
        ):
            return
        work = archive if what == "archive" else anonymise
        self.context.mutate(
            lambda r: work(r, ids), ALL_ENTITIES, lambda _n: self.reload(), self.fail
        )


class BackupsTab(_Tab):
    """The daily copies; a copy now; restore a chosen one after its check."""

    def __init__(self, context: AppContext) -> None:
        super().__init__(
            context,
            BACKUP_NOTICE + " "
            "Restaurer remplace le registre par la copie choisie (après contrôle) ; le "
            "registre actuel est d'abord mis de côté.",
        )
        self.list = QListWidget()
        self.list.setObjectName("backup_list")
        self.now_button = QPushButton("&Sauvegarder maintenant")
        self.restore_button = QPushButton("&Restaurer la copie choisie…")
        row = QHBoxLayout()
        row.addWidget(self.now_button)
        row.addWidget(self.restore_button)
        row.addStretch(1)
        self.layout_.addWidget(self.list, 1)
        self.layout_.addLayout(row)
        self.layout_.addWidget(self.message)
        self.now_button.clicked.connect(self.backup_now)
        self.restore_button.clicked.connect(self.restore)
        self._outcome = ""  # what the last action did, kept above the reloaded list's count

    def reload(self) -> None:
        from bippop_desk.registry.services.backups import list_backups, require_backup_rights

        def work(registry: object) -> list[BackupFile]:
            require_backup_rights(registry)
            return list_backups(registry.path)  # type: ignore[attr-defined]

        self.context.read(work, self._show, self.fail)

    def _show(self, copies: list[BackupFile]) -> None:
        self.list.clear()
        for copy in copies:
            item = QListWidgetItem(f"{copy.label} — {copy.path.name}")
            item.setData(256, str(copy.path))
            self.list.addItem(item)
        count = f"{len(copies)} copie(s) dans {copies[0].path.parent}" if copies else ""
        self.say("\n".join(t for t in (self._outcome, count) if t))
        self._outcome = ""

    def backup_now(self) -> None:
        from bippop_desk.registry.services.backups import require_backup_rights, take_backup

        def work(registry: object) -> Path:
            require_backup_rights(registry)
            return take_backup(registry.path)  # type: ignore[attr-defined]

        self.context.read(work, self._done, self.fail)

    def _done(self, path: Path) -> None:
        self._outcome = f"Copie faite : {path}"
        self.reload()

    def _restored(self, result: RestoreResult) -> None:
        self._outcome = result.message
        self.reload()

    def restore(self) -> None:
        from bippop_desk.registry.services.backups import restore_open_registry

        item = self.list.currentItem()
        if item is None:
            self.say("Choisissez la copie à restaurer.", True)
            return
        chosen = Path(str(item.data(256)))
        if (
            QMessageBox.question(
                self, "Restaurer", f"Remplacer le registre par la copie du {item.text()} ?"
            )
            != QMessageBox.StandardButton.Yes
        ):
            return
        self.context.mutate(
            lambda r: restore_open_registry(r, chosen),
            ALL_ENTITIES | {"call_campaign", "staff_user"},
            self._restored,
            self.fail,
            progress="Restauration…",
        )
