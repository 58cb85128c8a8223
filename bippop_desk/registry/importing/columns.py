"""Which column holds what: the fields each kind of import knows, the headers town halls
write for them, the header row found under title rows, and the column mapping."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bippop_desk.registry.importing.readers import Cell
from bippop_desk.registry.textkeys import fold

KINDS = {
    "beneficiaries": "Bénéficiaires",
    "volunteers": "Bénévoles",
    "register": "Registre canicule",
}
HEADER_SEARCH_ROWS = 30  # title rows above the header: a few, never dozens


@dataclass(frozen=True)
class Field:
    key: str
    label: str
    headers: tuple[str, ...]  # folded header texts that mean this field


def _f(key: str, label: str, *headers: str) -> Field:
    return Field(key, label, tuple(fold_header(h) for h in headers))


def fold_header(text: str) -> str:
    """ "Né(e) le :" → "ne e le"; "Tél." → "tel"."""
    return re.sub(r"[^a-z0-9]+", " ", fold(text)).strip()


_PERSON = (
    _f(
        "full_name",
        "Nom et prénom",
        "nom prenom",
        "nom et prenom",
        "nom prenoms",
        "nom et prenoms",
        "noms prenoms",
        "identite",
        "nom complet",
        "personne",
        "prenom nom",
        "prenom et nom",
        "beneficiaire",
        "benevole",
    ),
    _f("last_name", "Nom", "nom", "nom de famille", "nom d usage", "nom usage", "noms"),
    _f("first_name", "Prénom", "prenom", "prenoms"),
    _f("civility", "Civilité", "civilite", "titre", "m mme", "mme m", "genre"),
    _f(
        "birth_date",
        "Date de naissance",
        "date de naissance",
        "ne le",
        "nee le",
        "ne e le",
        "naissance",
        "ddn",
        "date naissance",
        "ne e le",
        "date de naiss",
    ),
    _f("address_line", "Adresse", "adresse", "adresse postale", "rue", "voie", "domicile"),
    _f("postal_code", "Code postal", "code postal", "cp", "c p"),
    _f("city", "Ville", "ville", "commune", "localite"),
    _f("quartier", "Quartier", "quartier", "secteur", "hameau"),
    _f(
        "phone",
        "Téléphone",
        "telephone",
        "tel",
        "tel fixe",
        "telephone fixe",
        "portable",
        "mobile",
        "telephone 1",
        "tel 1",
        "n de telephone",
        "numero de telephone",
        "telephones",
    ),
    _f(
        "phone_secondary",
        "Autre téléphone",
        "telephone 2",
        "tel 2",
        "autre telephone",
        "second telephone",
        "telephone portable",
        "tel portable",
    ),
    _f(
        "email",
        "E-mail",
        "email",
        "e mail",
        "courriel",
        "mail",
        "adresse mail",
        "adresse e mail",
        "adresse electronique",
    ),
    _f(
        "notes",
        "Notes",
        "notes",
        "observations",
        "observation",
        "remarques",
        "remarque",
        "commentaire",
        "commentaires",
        "informations",
    ),
)
_BENEFICIARY_ONLY = (
    _f("has_internet", "Accès à internet", "internet", "acces internet", "acces a internet"),
    _f(
        "emergency_contact_name",
        "Personne à prévenir",
        "personne a prevenir",
        "contact d urgence",
        "contact urgence",
        "personne a contacter",
        "famille",
    ),
    _f(
        "emergency_contact_phone",
        "Téléphone de la personne à prévenir",
        "telephone personne a prevenir",
        "tel personne a prevenir",
        "tel urgence",
        "telephone urgence",
        "tel contact",
        "telephone contact",
        "telephone famille",
        "tel famille",
    ),
    _f(
        "home_care_service",
        "Service d'aide à domicile",
        "service d aide a domicile",
        "aide a domicile",
        "ssiad",
        "saad",
        "intervenant a domicile",
    ),
)
_VOLUNTEER_ONLY = (
    _f("has_car", "Véhicule", "voiture", "vehicule", "vehicule personnel", "vehicule oui non"),
)
_REGISTER_ONLY = (
    _f(
        "category", "Catégorie", "categorie", "motif", "motif d inscription", "situation", "qualite"
    ),
    _f(
        "request_date",
        "Date de la demande",
        "date de la demande",
        "date d inscription",
        "date demande",
        "inscrit le",
        "date inscription",
    ),
    _f("lives_alone", "Vit seul·e", "vit seul", "vit seule", "vit seul e", "seul", "isole"),
)

FIELDS: dict[str, tuple[Field, ...]] = {
    "beneficiaries": _PERSON + _BENEFICIARY_ONLY,
    "volunteers": _PERSON + _VOLUNTEER_ONLY,
    "register": _PERSON + _BENEFICIARY_ONLY + _REGISTER_ONLY,
}
# A column mapped to one of these is enough to name a person.
NAME_FIELDS = frozenset({"full_name", "last_name"})
# When a second column matches a field already taken, it fills this one instead.
SECOND_CHOICE = {"phone": "phone_secondary"}


def _as_header(cell: Cell) -> str:
    return fold_header(cell) if isinstance(cell, str) else ""


def match_field(header: str, kind: str) -> str | None:
    """The field a folded header names, exactly, else by its leading words ("Téléphone
    (domicile)" → phone); None when it names none."""
    if not header:
        return None
    fields = FIELDS[kind]
    for field in fields:
        if header in field.headers:
            return field.key
    for field in fields:
        for known in field.headers:
            if len(known) > 2 and (header.startswith(known + " ") or header.endswith(" " + known)):
                return field.key
    return None


def auto_mapping(header_row: list[Cell], kind: str) -> dict[int, str]:
    """Column index → field key, each field used once (a second phone column becomes
    the second phone)."""
    mapping: dict[int, str] = {}
    used: set[str] = set()
    for index, cell in enumerate(header_row):
        key = match_field(_as_header(cell), kind)
        if key in used:
            key = SECOND_CHOICE.get(key or "")
        if key is None or key in used:
            continue
        mapping[index] = key
        used.add(key)
    return mapping


def find_header(rows: list[list[Cell]], kind: str) -> int | None:
    """The index of the header row: among the first rows, the one naming most known
    fields, at least two of them, one of which names the person. None when no row does."""
    best, best_score = None, 1
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        mapping = auto_mapping(row, kind)
        if not NAME_FIELDS & set(mapping.values()):
            continue
        if len(mapping) > best_score:
            best, best_score = index, len(mapping)
    return best


def field_labels(kind: str) -> dict[str, str]:
    return {field.key: field.label for field in FIELDS[kind]}
