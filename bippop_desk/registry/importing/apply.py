"""Writing an import: every record with its audit event and its outbox entry, and the
batch (the file's SHA-256), in one transaction; all or nothing.

Rows go in with executemany (10,000 people in well under a second) rather than one ORM
flush per record; the journal rows are the same as `ChangeSet.create` writes, so the
Journal page and the sync see an imported person exactly like one typed at the desk.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Table, select

from bippop_desk.registry.changes import Change, ChangeSet, to_jsonable
from bippop_desk.registry.clock import utcnow
from bippop_desk.registry.errors import ValidationError
from bippop_desk.registry.importing.columns import KINDS
from bippop_desk.registry.importing.plan import ImportPlan, PlannedRow
from bippop_desk.registry.models import (
    AuditEvent,
    Base,
    Beneficiary,
    ImportBatch,
    OutboxEntry,
    Volunteer,
    new_id,
)
from bippop_desk.registry.permissions import require
from bippop_desk.registry.store import Registry


@dataclass(frozen=True)
class ImportResult:
    created: int
    skipped: int
    rejected: int
    batch_id: str
    ids: list[str]

    def sentence(self, kind: str) -> str:
        return (
            f"{self.created} fiche(s) {KINDS[kind].lower()} créée(s), "
            f"{self.skipped} déjà présente(s) ou doublon(s) non importé(s), "
            f"{self.rejected} ligne(s) refusée(s)."
        )


def full_rows(
    model: type[Base], rows: Sequence[Mapping[str, Any]], commune_id: str
) -> list[dict[str, Any]]:
    """Every column of every new record: the given values, then the model's defaults."""
    table = model.__table__
    assert isinstance(table, Table)
    now = utcnow()
    defaults: dict[str, Any] = {}
    for column in table.columns:
        default = column.default
        if default is not None and getattr(default, "is_scalar", False):
            defaults[column.key] = getattr(default, "arg", None)
        else:
            defaults[column.key] = None
    fixed = {"created_at": now, "updated_at": now, "row_version": 1, "deleted_at": None}
    if "commune_id" in table.columns:
        fixed["commune_id"] = commune_id
    return [{**defaults, **values, **fixed, "id": new_id()} for values in rows]


def bulk_create(
    changes: ChangeSet,
    model: type[Base],
    records: list[dict[str, Any]],
    summary: Callable[[dict[str, Any]], str],
) -> None:
    """Insert full rows (see full_rows) with their audit events and outbox entries."""
    if not records:
        return
    table = model.__table__
    assert isinstance(table, Table)
    entity = table.name
    local_only: frozenset[str] = getattr(model, "local_only_columns", frozenset())
    keys = [column.key for column in table.columns]
    synced = [key for key in keys if key not in local_only]
    changed = ",".join(keys)
    actor = changes.actor
    now = utcnow()
    audits, outbox = [], []
    for record in records:
        audits.append(
            {
                "at": now,
                "user_name": actor.display_name,
                "user_role": actor.role,
                "action": "create",
                "entity": entity,
                "record_id": record["id"],
                "fields": changed,
                "summary": summary(record),
            }
        )
        payload = {
            "fields": {key: to_jsonable(record[key]) for key in synced},
            "changed": keys,
            "base_version": 0,
        }
        outbox.append(
            {
                "mutation_id": new_id(),
                "entity": entity,
                "record_id": record["id"],
                "op": "upsert",
                "payload": json.dumps(payload, ensure_ascii=False, separators=(",", ":")),
                "created_at": now,
                "state": "pending",
                "attempts": 0,
                "last_error": "",
                "sent_at": None,
            }
        )
        changes.changes.append(Change(entity, record["id"], "create"))
    session = changes.session
    session.execute(table.insert(), records)
    session.execute(AuditEvent.__table__.insert(), audits)  # type: ignore[attr-defined]
    session.execute(OutboxEntry.__table__.insert(), outbox)  # type: ignore[attr-defined]


def _person_summary(kind_label: str, file_name: str) -> Callable[[dict[str, Any]], str]:
    def summary(record: dict[str, Any]) -> str:
        name = f"{record['first_name']} {record['last_name']}".strip()
        return f"{kind_label} {name} créé·e (import de « {file_name} »)"

    return summary


def _write_people(changes: ChangeSet, plan: ImportPlan, rows: list[PlannedRow]) -> list[str]:
    model: type[Base] = Volunteer if plan.kind == "volunteers" else Beneficiary
    label = "Bénévole" if plan.kind == "volunteers" else "Bénéficiaire"
    records = full_rows(model, [row.values for row in rows], changes.commune_id)
    bulk_create(changes, model, records, _person_summary(label, plan.file_name))
    return [record["id"] for record in records]


def apply_import(
    registry: Registry, plan: ImportPlan, *, include_possible_duplicates: bool = False
) -> ImportResult:
    """Write the plan (DB worker): the rows to create, the batch record, or nothing.

    Refused (French ValidationError) when this file was already imported, even by
    another computer's import that landed after the preview."""
    if plan.already_imported:
        raise ValidationError.single("file", plan.already_imported)
    rows = plan.rows_to_create(include_possible_duplicates)
    require(registry, "import")  # refusal journaled
    if plan.kind == "register":
        require(registry, "register.write")  # only staff named for the register
    with registry.change() as changes:
        session = changes.session
        taken = session.scalar(
            select(ImportBatch.id).where(
                ImportBatch.kind == plan.kind, ImportBatch.file_sha256 == plan.sha256
            )
        )
        if taken is not None:
            raise ValidationError.single(
                "file", "Ce fichier a déjà été importé : l'importer à nouveau ne créerait rien."
            )
        if plan.kind == "register":
            from bippop_desk.registry.importing.register_kind import write_register

            ids = write_register(changes, plan, rows)
        else:
            ids = _write_people(changes, plan, rows)
        batch = ImportBatch(
            id=new_id(),
            kind=plan.kind,
            file_name=plan.file_name[:260],
            file_sha256=plan.sha256,
            created_count=len(ids),
            skipped_count=len(plan.rows) - len(rows),
            rejected_count=len(plan.rejected),
            imported_by=changes.actor.display_name,
            imported_at=utcnow(),
        )
        session.add(batch)
        changes.note_local(
            "import",
            "import_batch",
            batch.id,
            f"Import de « {plan.file_name} » ({KINDS[plan.kind]}) : {len(ids)} fiche(s) créée(s), "
            f"{len(plan.rejected)} ligne(s) refusée(s)",
            fields="",
        )
    return ImportResult(len(ids), len(plan.rows) - len(rows), len(plan.rejected), batch.id, ids)
