"""Staff accounts (administrators): role, register access by name, password reset,
disabling an account. Every change is journaled by its service."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QInputDialog, QLineEdit, QMessageBox, QPushButton

from bippop_desk.registry.actor import ROLE_LABELS, ROLES
from bippop_desk.registry.services.auth import StaffAccount
from bippop_desk.ui.context import AppContext
from bippop_desk.ui.pages.data_protection_tabs import _Tab
from bippop_desk.ui.pages.register import table_view
from bippop_desk.ui.pages.register_rows import RowsModel

COLUMNS = ("Nom", "Identifiant", "Rôle", "Registre", "Compte")


class StaffTab(_Tab):
    def __init__(self, context: AppContext) -> None:
        super().__init__(
            context,
            "Seules les personnes nommées ici voient le registre des personnes vulnérables. "
            "Un nouveau compte reçoit un mot de passe provisoire à lui transmettre.",
        )
        self.accounts: list[StaffAccount] = []
        self.model = RowsModel(COLUMNS)
        self.table = table_view(self.model)
        self.table.setObjectName("staff_table")
        row = QHBoxLayout()
        self.buttons = {
            "add": QPushButton("&Ajouter…"),
            "role": QPushButton("&Rôle…"),
            "register": QPushButton("Accès au re&gistre oui / non"),
            "password": QPushButton("&Mot de passe provisoire…"),
            "active": QPushButton("&Activer / désactiver"),
        }
        for key, button in self.buttons.items():
            button.clicked.connect(getattr(self, f"do_{key}"))
            row.addWidget(button)
        row.addStretch(1)
        self.layout_.addWidget(self.table, 1)
        self.layout_.addLayout(row)
        self.layout_.addWidget(self.message)

    def reload(self) -> None:
        from bippop_desk.registry.services.auth import staff_accounts

        self.context.read(staff_accounts, self._show, self.fail)

    def _show(self, accounts: list[StaffAccount]) -> None:
        self.accounts = accounts
        self.model.set_rows(
            [a.username for a in accounts],
            [
                (
                    a.display_name,
                    a.username,
                    ROLE_LABELS.get(a.role, a.role),
                    "nommé·e" if a.register_access else "—",
                    ("actif" if a.active else "désactivé")
                    + ("" if a.has_password else ", sans mot de passe")
                    + (", bloqué" if a.locked else ""),
                )
                for a in accounts
            ],
            warn={i for i, a in enumerate(accounts) if not a.has_password or a.locked},
        )
        self.table.resizeColumnsToContents()

    def current(self) -> StaffAccount | None:
        index = self.table.currentIndex()
        ok = index.isValid() and index.row() < len(self.accounts)
        return self.accounts[index.row()] if ok else None

    def _change(self, work: object) -> None:
        self.context.mutate(work, {"staff_user"}, lambda _r: self.reload(), self.fail)  # type: ignore[arg-type]

    def _password(self, title: str) -> str | None:
        password, ok = QInputDialog.getText(
            self,
            title,
            "Mot de passe provisoire (8 caractères au moins) :",
            QLineEdit.EchoMode.Password,
        )
        return password if ok else None

    def do_add(self) -> None:
        from bippop_desk.registry.services.auth import set_password
        from bippop_desk.registry.services.commune import add_staff_user

        login, ok = QInputDialog.getText(self, "Nouveau compte", "Identifiant (ex. : s.martin) :")
        if not ok:
            return
        name, ok = QInputDialog.getText(self, "Nouveau compte", "Nom affiché dans le journal :")
        if not ok:
            return
        labels = [ROLE_LABELS[r] for r in ROLES]
        role, ok = QInputDialog.getItem(self, "Nouveau compte", "Rôle :", labels, 0, False)
        password = self._password("Nouveau compte") if ok else None
        if password is None:
            return
        code = ROLES[labels.index(role)]

        def work(registry: object) -> None:
            add_staff_user(registry, login, name, code)  # type: ignore[arg-type]
            set_password(registry, login.strip().lower(), password, password)  # type: ignore[arg-type]

        self._change(work)

    def do_role(self) -> None:
        from bippop_desk.registry.services.auth import set_staff_access

        account = self.current()
        if account is None:
            return
        labels = [ROLE_LABELS[r] for r in ROLES]
        role, ok = QInputDialog.getItem(
            self,
            "Rôle",
            f"Rôle de {account.display_name} :",
            labels,
            ROLES.index(account.role) if account.role in ROLES else 0,
            False,
        )
        if ok:
            code = ROLES[labels.index(role)]
            self._change(lambda r: set_staff_access(r, account.username, role=code))

    def do_register(self) -> None:
        from bippop_desk.registry.services.auth import set_staff_access

        account = self.current()
        if account is None:
            return
        grant = not account.register_access
        verb = "Nommer" if grant else "Retirer l'accès au registre de"
        if (
            QMessageBox.question(self, "Registre", f"{verb} {account.display_name} ?")
            == QMessageBox.StandardButton.Yes
        ):
            self._change(lambda r: set_staff_access(r, account.username, register=grant))

    def do_password(self) -> None:
        from bippop_desk.registry.services.auth import set_password

        account = self.current()
        password = self._password("Mot de passe") if account is not None else None
        if account is not None and password is not None:
            self._change(lambda r: set_password(r, account.username, password, password))

    def do_active(self) -> None:
        from bippop_desk.registry.services.auth import set_staff_access

        account = self.current()
        if account is not None:
            self._change(lambda r: set_staff_access(r, account.username, active=not account.active))
