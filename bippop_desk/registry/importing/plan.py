"""The preview of an import: every row checked by the same rules as the forms, nothing
written. Rows to import, rows rejected (with the reason in French), possible duplicates
of people already in the registry (or earlier in the file)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select

from bippop_desk.registry.changes import ChangeSet
from bippop_desk.registry.clock import local_today
from bippop_desk.registry.errors import ValidationError
from bippop_desk.registry.frdates import short_date, short_datetime
from bippop_desk.registry.importing import cells
from bippop_desk.registry.importing.columns import (
    KINDS,
    NAME_FIELDS,
    auto_mapping,
    field_labels,
    find_header,
)
from bippop_desk.registry.importing.readers import Cell, Grid, read_grid
from bippop_desk.registry.models import Beneficiary, ImportBatch, Volunteer
from bippop_desk.registry.phones import format_phone
from bippop_desk.registry.store import Registry

MAX_ROWS = 200_000
PREVIEW_ROWS = 30
DATE_FIELDS = frozenset({"birth_date", "request_date"})
PHONE_FIELDS = frozenset({"phone", "phone_secondary", "emergency_contact_phone"})
BOOL_FIELDS = frozenset({"has_internet", "has_car", "lives_alone"})
BIRTH_YEAR = "_birth_year"  # a birth date column that gave a year alone


@dataclass(frozen=True)
class PlannedRow:
    line: int  # 1-based, as the spreadsheet shows it
    values: dict[str, Any]  # cleaned column values of the new record
    extra: dict[str, Any] = field(default_factory=dict)  # register fields, etc.


@dataclass(frozen=True)
class RejectedRow:
    line: int
    name: str
    reason: str


@dataclass(frozen=True)
class RowWarning:
    """A row imported with something the user should know (a birth year alone)."""

    line: int
    name: str
    message: str


@dataclass(frozen=True)
class DuplicateRow:
    line: int
    name: str
    existing_id: str
    existing: str  # how the person already in the registry reads
    reason: str
    certain: bool  # same name and birth date / phone: the same person, never re-created


@dataclass
class ImportPlan:
    kind: str
    file_name: str
    sha256: str
    header_line: int
    headers: list[str]
    mapping: dict[int, str]
    rows: list[PlannedRow]
    rejected: list[RejectedRow]
    duplicates: list[DuplicateRow]
    preview: list[list[str]]
    already_imported: str = ""  # French sentence when this very file was imported
    encoding: str = ""
    warnings: list[RowWarning] = field(default_factory=list)

    @property
    def certain_duplicates(self) -> list[DuplicateRow]:
        return [d for d in self.duplicates if d.certain]

    @property
    def possible_duplicates(self) -> list[DuplicateRow]:
        return [d for d in self.duplicates if not d.certain]

    def rows_to_create(self, include_possible: bool = False) -> list[PlannedRow]:
        """The rows an import writes: never a certain duplicate; possible ones only when
        the user says they are other people."""
        skipped = {d.line for d in self.duplicates if d.certain or not include_possible}
        return [row for row in self.rows if row.line not in skipped]

    def summary(self, include_possible: bool = False) -> str:
        kind = KINDS[self.kind].lower()
        parts = [f"{len(self.rows_to_create(include_possible))} {kind} à créer"]
        if self.certain_duplicates:
            parts.append(f"{len(self.certain_duplicates)} déjà dans le registre")
        if self.possible_duplicates:
            parts.append(f"{len(self.possible_duplicates)} doublon(s) possible(s)")
        parts.append(f"{len(self.rejected)} ligne(s) refusée(s)")
        if self.warnings:
            parts.append(f"{len(self.warnings)} remarque(s)")
        return ", ".join(parts)


def prepare_import(
    registry: Registry,
    path: Path,
    kind: str,
    mapping: Mapping[int, str] | None = None,
    grid: Grid | None = None,
) -> ImportPlan:
    """Read and check `path` (DB worker); writes nothing. `mapping` (column index →
    field key) replaces the automatic one; `grid` reuses a file already read."""
    if kind not in KINDS:
        raise ValidationError.single("kind", f"Type d'import inconnu : {kind}.")
    grid = grid or read_grid(path)
    header = find_header(grid.rows, kind)
    if header is None:
        labels = field_labels(kind)
        raise ValidationError.single(
            "file",
            f"Aucune ligne d'en-tête reconnue dans « {grid.file_name} » : il faut au moins "
            f"une colonne « {labels['last_name']} » (ou « {labels['full_name']} ») et une "
            "autre colonne connue (prénom, date de naissance, téléphone, adresse…).",
        )
    header_row = grid.rows[header]
    used = dict(mapping) if mapping is not None else auto_mapping(header_row, kind)
    if not NAME_FIELDS & set(used.values()):
        raise ValidationError.single("mapping", "Choisissez la colonne qui donne le nom.")
    data = grid.rows[header + 1 :]
    if len(data) > MAX_ROWS:
        raise ValidationError.single(
            "file", f"Le fichier compte plus de {MAX_ROWS} lignes : découpez-le."
        )
    plan = ImportPlan(
        kind=kind,
        file_name=grid.file_name,
        sha256=grid.sha256,
        header_line=header + 1,
        headers=[cells.text(c) for c in header_row],
        mapping=used,
        rows=[],
        rejected=[],
        duplicates=[],
        preview=[[cells.text(c) for c in row] for row in data[:PREVIEW_ROWS]],
        encoding=grid.encoding,
    )
    plan.already_imported = _already_imported(registry, kind, grid.sha256)
    _check_rows(registry, plan, data, header + 2)
    return plan


def _already_imported(registry: Registry, kind: str, sha256: str) -> str:
    with registry.session() as session:
        batch = session.scalars(
            select(ImportBatch).where(ImportBatch.kind == kind, ImportBatch.file_sha256 == sha256)
        ).first()
    if batch is None:
        return ""
    return (
        f"Ce fichier a déjà été importé le {short_datetime(batch.imported_at)} par "
        f"{batch.imported_by or 'un membre du personnel'} ({batch.created_count} fiche(s) "
        "créée(s)) : l'importer à nouveau ne créerait rien."
    )


def _raw_values(
    row: list[Cell], mapping: Mapping[int, str], today: dt.date
) -> tuple[dict[str, Any], list[str]]:
    """The row's cells read as their fields, and the French reasons of unreadable ones.
    A birth date given as a year alone leaves the date empty and the year in
    `values[BIRTH_YEAR]`."""
    values: dict[str, Any] = {}
    errors: list[str] = []
    for index, key in mapping.items():
        cell = row[index] if index < len(row) else None
        try:
            if key == "birth_date" and (year := cells.year_only(cell, today=today)):
                values[key] = None
                values[BIRTH_YEAR] = year
            elif key in DATE_FIELDS:
                values[key] = cells.date(cell, today=today)
            elif key in PHONE_FIELDS:
                values[key] = cells.phone(cell)
            elif key in BOOL_FIELDS:
                values[key] = cells.yes_no(cell)
            else:
                values[key] = cells.text(cell)
        except ValueError as error:
            errors.append(str(error))
    full = values.pop("full_name", "")
    if full and not values.get("last_name"):
        first, last = cells.split_full_name(full)
        values["last_name"] = last
        values.setdefault("first_name", first)
        if not values["first_name"]:
            values["first_name"] = first
    elif "last_name" in values and "first_name" not in mapping.values():
        # One "Nom" column holding "DUPONT Jean": split only when capitals tell.
        first, last = cells.split_full_name(values["last_name"])
        if first and last.isupper():
            values["first_name"], values["last_name"] = first, last
    return values, errors


def _note_birth_year(plan: ImportPlan, planned: PlannedRow, year: int) -> None:
    """The person is kept: the year goes to the record's notes, the date stays empty,
    and the report says so."""
    noted = ""
    if "notes" in planned.values:
        sentence = f"Année de naissance : {year} (date exacte inconnue à l'import)."
        notes = str(planned.values["notes"] or "")
        planned.values["notes"] = f"{notes}\n{sentence}" if notes else sentence
        noted = "notée dans les notes de la fiche, "
    plan.warnings.append(
        RowWarning(
            planned.line,
            _label(planned.values),
            f"Date de naissance « {year} » : l'année seule est {noted}la date reste vide "
            "(à compléter).",
        )
    )


def _label(values: Mapping[str, Any]) -> str:
    return f"{values.get('first_name', '')} {values.get('last_name', '')}".strip()


def _check_rows(registry: Registry, plan: ImportPlan, data: list[list[Cell]], first: int) -> None:
    from bippop_desk.registry.importing.kinds import cleaner_for

    today = local_today()
    known = _Known(registry, plan.kind)
    seen: dict[tuple[str, Any], int] = {}
    with registry.session() as session:
        changes = ChangeSet(session, registry.actor, registry.commune_id_or_empty(session))
        clean: Callable[[dict[str, Any]], PlannedRow] = cleaner_for(plan.kind, changes)
        for offset, row in enumerate(data):
            line = first + offset
            if all(cells.text(c) == "" for c in row):
                continue
            raw, unreadable = _raw_values(row, plan.mapping, today)
            birth_year = raw.pop(BIRTH_YEAR, None)
            if unreadable:
                plan.rejected.append(RejectedRow(line, _label(raw), " ".join(unreadable)))
                continue
            try:
                planned = clean(raw)
            except ValidationError as error:
                labels = field_labels(plan.kind) | {"name": "Nom"}
                reasons = "; ".join(
                    f"{labels.get(key, key)} : {message}" for key, message in error.errors.items()
                )
                plan.rejected.append(RejectedRow(line, _label(raw), reasons))
                continue
            planned = PlannedRow(line, planned.values, planned.extra)
            values = planned.values
            key = (values["name_key"], values.get("birth_date") or values.get("phone") or "")
            if key in seen:
                plan.rejected.append(
                    RejectedRow(
                        line, _label(values), f"En double dans le fichier (ligne {seen[key]})."
                    )
                )
                continue
            seen[key] = line
            if birth_year is not None:
                _note_birth_year(plan, planned, birth_year)
            plan.rows.append(planned)
            duplicate = known.match(line, values)
            if duplicate is not None:
                plan.duplicates.append(duplicate)


class _Known:
    """The people already in the registry, by folded name and by phone, read once."""

    def __init__(self, registry: Registry, kind: str) -> None:
        model = Volunteer if kind == "volunteers" else Beneficiary
        second = Beneficiary.phone_secondary if model is Beneficiary else Volunteer.phone
        query = select(
            model.id,
            model.first_name,
            model.last_name,
            model.name_key,
            model.birth_date,
            model.phone,
            second,
        ).where(model.deleted_at.is_(None))
        self.by_name: dict[str, list[tuple[Any, ...]]] = {}
        self.by_phone: dict[str, tuple[Any, ...]] = {}
        with registry.session() as session:
            for row in session.execute(query):
                person = tuple(row)
                self.by_name.setdefault(row[3], []).append(person)
                for number in (row[5], row[6]):
                    if number:
                        self.by_phone.setdefault(number, person)

    def match(self, line: int, values: Mapping[str, Any]) -> DuplicateRow | None:
        name = _label(values)
        birth = values.get("birth_date")
        phones = {values.get("phone"), values.get("phone_secondary")} - {None, ""}
        for person in self.by_name.get(values["name_key"], []):
            _id, first, last, _key, their_birth, phone, second = person
            existing = _describe(first, last, their_birth, phone)
            if birth and their_birth:
                if birth == their_birth:
                    return DuplicateRow(
                        line, name, _id, existing, "même nom et même date de naissance", True
                    )
                continue  # same name, other birth date: another person
            if phones & {phone, second}:
                return DuplicateRow(line, name, _id, existing, "même nom et même téléphone", True)
            return DuplicateRow(line, name, _id, existing, "même nom", False)
        for number in phones:
            found = self.by_phone.get(str(number))
            if found is not None:
                _id, first, last, _key, their_birth, phone, _second = found
                existing = _describe(first, last, their_birth, phone)
                return DuplicateRow(line, name, _id, existing, "même téléphone", False)
        return None


def _describe(first: str, last: str, birth: dt.date | None, phone: str) -> str:
    parts = [f"{first} {last}".strip()]
    if birth:
        parts.append(f"né·e le {short_date(birth)}")
    if phone:
        parts.append(format_phone(phone))
    return ", ".join(parts)
