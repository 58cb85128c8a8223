"""Réglages: the commune's mission catalogue, the hourly rates of the valorisation, the
staff users. Changes need the coordinator or administrator role (the services check)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from bippop_desk.registry.actor import ROLE_LABELS, Actor
from bippop_desk.registry.models.missions import FAMILIES
from bippop_desk.registry.services.catalogue import (
    MissionTypeInput,
    MissionTypeView,
    list_mission_types,
    save_mission_type,
)
from bippop_desk.registry.services.commune import add_staff_user, list_staff
from bippop_desk.registry.services.partners import PartnerView, create_partner, list_partners
from bippop_desk.registry.services.settings import HourlyRates, hourly_rates, set_hourly_rate
from bippop_desk.registry.store import Registry
from bippop_desk.ui.context import AppContext
from bippop_desk.ui.form_dialog import FormDialog
from bippop_desk.ui.forms import ERROR_STYLE
from bippop_desk.ui.list_model import ItemListModel, ListItem

Loaded = tuple[list[MissionTypeView], HourlyRates, list[Actor], list[PartnerView]]


def euros(value: Decimal) -> str:
    return f"{value:.2f}".replace(".", ",")


def read_euros(text: str) -> Decimal | None:
    """ "17,43" → Decimal("17.43"); "" → None (use the default); ValueError if unreadable."""
    cleaned = text.strip().replace("€", "").replace(" ", "").replace(",", ".")
    if not cleaned:
        return None
    try:
        return Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(f"« {text} » n'est pas un montant (exemple : 17,43).") from None


def type_item(mission_type: MissionTypeView) -> ListItem:
    family = FAMILIES.get(mission_type.family, mission_type.family).split(" (")[0]
    details = [family, f"{mission_type.default_duration_min} min"]
    if mission_type.needs_car:
        details.append("voiture")
    if not mission_type.active:
        details.append("plus proposé")
    return ListItem(mission_type.id, mission_type.label, " — ".join(details), mission_type)


class SettingsPage(QWidget):
    def __init__(self, context: AppContext) -> None:
        super().__init__()
        self.context = context
        self.types: list[MissionTypeView] = []
        self.rate_fields: dict[str | None, QLineEdit] = {}
        outer = QVBoxLayout(self)
        outer.addWidget(QLabel("<h2>Réglages</h2>"))
        body = QWidget()
        column = QVBoxLayout(body)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(body)
        outer.addWidget(scroll, 1)

        catalogue = QGroupBox("Types de mission proposés dans la commune")
        catalogue_layout = QVBoxLayout(catalogue)
        self.types_model = ItemListModel()
        self.types_view = QListView()
        self.types_view.setObjectName("settings_types")
        self.types_view.setModel(self.types_model)
        self.types_view.activated.connect(lambda _i: self.edit_type())
        catalogue_layout.addWidget(self.types_view)
        row = QHBoxLayout()
        add = QPushButton("&Ajouter un type…")
        add.clicked.connect(lambda: self.edit_type(new=True))
        edit = QPushButton("&Modifier le type choisi…")
        edit.clicked.connect(lambda: self.edit_type())
        row.addWidget(add)
        row.addWidget(edit)
        row.addStretch(1)
        catalogue_layout.addLayout(row)
        column.addWidget(catalogue)

        rates = QGroupBox("Valorisation du bénévolat (euros par heure)")
        self.rates_layout = QFormLayout(rates)
        self.rates_source = QLabel()
        self.rates_source.setWordWrap(True)
        self.rates_layout.addRow(self.rates_source)
        self.rates_message = QLabel()
        self.rates_message.setWordWrap(True)
        self.save_rates_button = QPushButton("&Enregistrer les taux")
        self.save_rates_button.clicked.connect(self.save_rates)
        column.addWidget(rates)
        self.rates_box = rates

        partners = QGroupBox("Associations et services partenaires")
        partners_layout = QVBoxLayout(partners)
        self.partners_model = ItemListModel()
        partners_view = QListView()
        partners_view.setObjectName("settings_partners")
        partners_view.setModel(self.partners_model)
        partners_layout.addWidget(partners_view)
        add_partner = QPushButton("Ajouter un &partenaire…")
        add_partner.clicked.connect(lambda: PartnerDialog(self.context, self).exec())
        partners_layout.addWidget(add_partner)
        column.addWidget(partners)

        staff = QGroupBox("Utilisateurs du logiciel")
        staff_layout = QVBoxLayout(staff)
        self.staff_model = ItemListModel()
        staff_view = QListView()
        staff_view.setModel(self.staff_model)
        staff_layout.addWidget(staff_view)
        add_user = QPushButton("Ajouter un &utilisateur…")
        add_user.clicked.connect(self.add_user)
        staff_layout.addWidget(add_user)
        column.addWidget(staff)
        column.addStretch(1)

        context.registry_ready.connect(self.reload)
        context.data_changed.connect(
            lambda e: (
                self.reload()
                if e & {"mission_type", "app_setting", "staff_user", "partner"}
                else None
            )
        )
        if context.ready:
            self.reload()

    def reload(self) -> None:
        def fetch(registry: Registry) -> Loaded:
            return (
                list_mission_types(registry, include_inactive=True),
                hourly_rates(registry),
                list_staff(registry),
                list_partners(registry),
            )

        self.context.read(fetch, self._loaded)

    def _loaded(self, result: Loaded) -> None:
        types, rates, staff, partners = result
        self.partners_model.set_items([ListItem(p.id, p.name, p.kind) for p in partners])
        self.types = types
        self.types_model.set_items([type_item(t) for t in types])
        self.staff_model.set_items(
            [ListItem(a.username, a.display_name, ROLE_LABELS.get(a.role, a.role)) for a in staff]
        )
        # The rows are rebuilt after every change of settings, the save's own included:
        # what the staff were told ("Taux enregistrés.") must survive the rebuild.
        said, said_style = self.rates_message.text(), self.rates_message.styleSheet()
        while self.rates_layout.rowCount() > 1:
            self.rates_layout.removeRow(1)
        self.rates_source.setText(f"Source du taux par défaut : {rates.source}.")
        self.rate_fields = {}
        default = QLineEdit(euros(rates.default))
        self.rates_layout.addRow("Taux par défaut", default)
        self.rate_fields[None] = default
        for mission_type in types:
            field = QLineEdit(
                euros(rates.by_code[mission_type.code])
                if mission_type.code in rates.by_code
                else ""
            )
            field.setPlaceholderText(f"par défaut ({euros(rates.default)})")
            self.rates_layout.addRow(mission_type.label, field)
            self.rate_fields[mission_type.code] = field
        self.rates_message = QLabel(said)
        self.rates_message.setStyleSheet(said_style)
        self.rates_message.setWordWrap(True)
        self.save_rates_button = QPushButton("&Enregistrer les taux")
        self.save_rates_button.clicked.connect(self.save_rates)
        self.rates_layout.addRow(self.rates_message)
        self.rates_layout.addRow(self.save_rates_button)

    def save_rates(self) -> None:
        wanted: list[tuple[str | None, Decimal | None]] = []
        try:
            for code, field in self.rate_fields.items():
                wanted.append((code, read_euros(field.text())))
        except ValueError as error:
            self._rates_said(str(error), error=True)
            return

        def work(registry: Registry) -> None:
            for code, rate in wanted:
                set_hourly_rate(registry, code, rate)

        self.context.mutate(
            work,
            {"app_setting"},
            lambda _r: self._rates_said("Taux enregistrés."),
            lambda e: self._rates_said(str(e), error=True),
        )

    def _rates_said(self, text: str, error: bool = False) -> None:
        self.rates_message.setStyleSheet(ERROR_STYLE if error else "")
        self.rates_message.setText(text)

    def edit_type(self, new: bool = False) -> None:
        current = None if new else self.types_model.item(self.types_view.currentIndex().row())
        if not new and current is None:
            return
        MissionTypeDialog(self.context, current.payload if current else None, self).exec()

    def add_user(self) -> None:
        UserDialog(self.context, self).exec()


class MissionTypeDialog(FormDialog):
    def __init__(self, context: AppContext, existing: MissionTypeView | None, parent: QWidget):
        super().__init__(context, "Type de mission", parent)
        self.existing = existing
        self.label = QLineEdit(existing.label if existing else "")
        self.family = QComboBox()
        for code, text in FAMILIES.items():
            self.family.addItem(text, code)
        if existing:
            self.family.setCurrentIndex(max(0, self.family.findData(existing.family)))
        self.duration = QSpinBox()
        self.duration.setRange(5, 720)
        self.duration.setSingleStep(15)
        self.duration.setSuffix(" min")
        self.duration.setValue(existing.default_duration_min if existing else 60)
        self.needs_car = QCheckBox("Il faut une &voiture")
        self.needs_car.setChecked(bool(existing and existing.needs_car))
        self.active = QCheckBox("&Proposé aux habitants")
        self.active.setChecked(existing.active if existing else True)
        self.row("label", "&Libellé", self.label)
        self.row("family", "&Famille", self.family)
        self.row("default_duration_min", "&Durée habituelle", self.duration)
        self.row("needs_car", "", self.needs_car)
        self.row("active", "", self.active)
        self.fit()

    def save(self) -> None:
        data = MissionTypeInput(
            self.label.text(),
            str(self.family.currentData()),
            self.duration.value(),
            self.needs_car.isChecked(),
            self.active.isChecked(),
        )
        type_id = self.existing.id if self.existing else None
        self.submit(lambda r: save_mission_type(r, data, type_id), {"mission_type"})


class PartnerDialog(FormDialog):
    def __init__(self, context: AppContext, parent: QWidget):
        super().__init__(context, "Nouveau partenaire", parent)
        self.name = QLineEdit()
        self.kind = QComboBox()
        for text in ("association", "service d'aide à domicile", "établissement", "autre"):
            self.kind.addItem(text, text)
        self.phone = QLineEdit()
        self.email = QLineEdit()
        self.row("name", "&Nom", self.name)
        self.row("kind", "&Type", self.kind)
        self.row("phone", "&Téléphone", self.phone)
        self.row("email", "&Courriel", self.email)
        self.fit()

    def save(self) -> None:
        name, kind = self.name.text(), str(self.kind.currentData())
        phone, email = self.phone.text(), self.email.text()
        self.submit(lambda r: create_partner(r, name, kind, phone, email), {"partner"})


class UserDialog(FormDialog):
    def __init__(self, context: AppContext, parent: QWidget):
        super().__init__(context, "Nouvel utilisateur", parent)
        self.username = QLineEdit()
        self.username.setPlaceholderText("prenom.nom")
        self.display_name = QLineEdit()
        self.role = QComboBox()
        for code, text in ROLE_LABELS.items():
            self.role.addItem(text, code)
        self.row("username", "&Identifiant", self.username)
        self.row("display_name", "&Nom affiché", self.display_name)
        self.row("role", "&Rôle", self.role)
        self.fit()

    def save(self) -> None:
        login, name = self.username.text(), self.display_name.text()
        role = str(self.role.currentData())
        self.submit(lambda r: add_staff_user(r, login, name, role), {"staff_user"})
