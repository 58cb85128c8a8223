"""Conflicts and refused changes, as the staff see and settle them.

A conflict is a protected field (identity, contact, consent, assignment) changed here
and on the platform at once. "mine" and "edit" write a normal local change (audit
event, outbox entry) based on the server's version, so it wins on the server without
a new conflict; "theirs" takes the platform's value here, with an audit event and no
outbox entry (the platform already has it).

Every function runs on the DB worker (or any thread holding no session).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import text

from bippop_desk.registry.changes import record_fields, server_version_of
from bippop_desk.registry.clock import utcnow
from bippop_desk.registry.errors import NotFoundError, RegistryError, ValidationError
from bippop_desk.registry.frdates import parse_date, short_date, short_datetime
from bippop_desk.registry.models import Base, OutboxEntry, SyncConflict, new_id
from bippop_desk.registry.models.sync import SYNCED_ENTITIES
from bippop_desk.registry.phones import format_phone, parse_phone
from bippop_desk.registry.remote_values import local_helpers, python_converter
from bippop_desk.registry.store import Registry

ENTITY_LABELS = {
    "beneficiary": "Bénéficiaire",
    "volunteer": "Bénévole",
    "volunteer_availability": "Disponibilité",
    "volunteer_absence": "Absence",
    "partner": "Partenaire",
    "mission_type": "Type de mission",
    "request": "Demande",
    "mission": "Intervention",
    "hours_entry": "Heures",
    "register_entry": "Registre canicule",
    "call_campaign": "Campagne d'appels",
    "call_attempt": "Appel",
}

FIELD_LABELS = {
    "civility": "Civilité",
    "first_name": "Prénom",
    "last_name": "Nom",
    "birth_name": "Nom de naissance",
    "birth_date": "Date de naissance",
    "address_line": "Adresse",
    "address_complement": "Complément d'adresse",
    "postal_code": "Code postal",
    "city": "Ville",
    "phone": "Téléphone",
    "phone_secondary": "Autre téléphone",
    "email": "E-mail",
    "emergency_contact_name": "Personne à prévenir",
    "emergency_contact_phone": "Téléphone de la personne à prévenir",
    "consent_date": "Date du consentement",
    "consent_channel": "Recueil du consentement",
    "consent_by": "Consentement donné par",
    "consent_third_party": "Tiers ayant fait la démarche",
    "volunteer_id": "Bénévole",
    "starts_at": "Début",
    "ends_at": "Fin",
    "beneficiary_id": "Bénéficiaire",
}

_PHONES = {"phone", "phone_secondary", "emergency_contact_phone"}
_PEOPLE = {"volunteer_id": "volunteer", "beneficiary_id": "beneficiary"}


@dataclass(frozen=True)
class ConflictView:
    id: int
    entity: str
    entity_label: str
    record_id: str
    record_label: str
    field: str
    field_label: str
    local_value: str  # as shown to the staff
    server_value: str
    local_raw: Any  # as stored (JSON)
    server_raw: Any
    server_version: int
    created_at: dt.datetime


@dataclass(frozen=True)
class RejectedView:
    id: int
    entity: str
    record_id: str
    op: str
    label: str
    reason: str
    created_at: dt.datetime


def _model(entity: str) -> Any:
    for mapper in Base.registry.mappers:
        if getattr(mapper.class_, "__tablename__", None) == entity:
            return mapper.class_
    raise NotFoundError("Type de fiche inconnu.")


def _name(conn: Any, table: str, record_id: Any) -> str:
    if not record_id:
        return ""
    row = conn.execute(
        f"SELECT first_name, last_name FROM {table} WHERE id = ?", (record_id,)
    ).fetchone()
    return f"{row[0]} {row[1]}".strip() if row else ""


def _record_label(conn: Any, entity: str, record_id: str) -> str:
    if entity in ("beneficiary", "volunteer"):
        return _name(conn, entity, record_id) or ENTITY_LABELS[entity]
    if entity in ("mission", "request"):
        row = conn.execute(
            f"SELECT beneficiary_id FROM {entity} WHERE id = ?", (record_id,)
        ).fetchone()
        who = _name(conn, "beneficiary", row[0]) if row else ""
        kind = "Intervention" if entity == "mission" else "Demande"
        return f"{kind} pour {who}" if who else kind
    return ENTITY_LABELS.get(entity, entity)


def _shown(conn: Any, name: str, value: Any) -> str:
    if value is None or value == "":
        return ""
    if name in _PHONES:
        return format_phone(str(value))
    if name in _PEOPLE:
        return _name(conn, _PEOPLE[name], value) or str(value)
    if isinstance(value, str) and name.endswith(("_date", "_on")):
        try:
            return short_date(dt.date.fromisoformat(value[:10]))
        except ValueError:
            return value
    if isinstance(value, str) and name.endswith("_at"):
        try:
            return short_datetime(dt.datetime.fromisoformat(value))
        except ValueError:
            return value
    return str(value)


def list_conflicts(registry: Registry) -> list[ConflictView]:
    """Open conflicts, oldest first."""
    views: list[ConflictView] = []
    with registry.raw() as conn:
        rows = conn.execute(
            "SELECT id, entity, record_id, field, local_value, server_value, server_version,"
            " created_at FROM sync_conflict WHERE resolved_at IS NULL ORDER BY id"
        ).fetchall()
        for cid, entity, record_id, name, local_json, server_json, version, created in rows:
            local, server = json.loads(local_json), json.loads(server_json)
            views.append(
                ConflictView(
                    cid,
                    entity,
                    ENTITY_LABELS.get(entity, entity),
                    record_id,
                    _record_label(conn, entity, record_id),
                    name,
                    FIELD_LABELS.get(name, name),
                    _shown(conn, name, local),
                    _shown(conn, name, server),
                    local,
                    server,
                    int(version),
                    dt.datetime.fromisoformat(str(created)),
                )
            )
    return views


def _typed(model: Any, name: str, typed: str) -> Any:
    """A value typed by the staff for `name`, checked; ValidationError in French."""
    column = model.__table__.columns[name]
    text_value = typed.strip()
    if name in _PEOPLE:
        raise ValidationError.single(
            "value",
            "Pour ce champ, gardez la valeur de ce poste ou celle de la plateforme.",
        )
    if name in _PHONES:
        return parse_phone(text_value, "value")
    python_type = getattr(column.type, "python_type", str)
    if python_type is dt.date:
        try:
            return parse_date(text_value) if text_value else None
        except ValueError as error:
            raise ValidationError.single("value", str(error)) from None
    if python_type is dt.datetime:
        try:
            day, _, clock = text_value.partition(" ")
            hours, _, minutes = clock.replace("h", ":").partition(":")
            return dt.datetime.combine(parse_date(day), dt.time(int(hours), int(minutes or 0)))
        except ValueError:
            raise ValidationError.single(
                "value", "Écrivez la date et l'heure ainsi : 24/11/2026 14:30."
            ) from None
    if len(text_value) > (getattr(column.type, "length", None) or 4000):
        raise ValidationError.single("value", "La valeur est trop longue.")
    return text_value


def resolve_conflict(
    registry: Registry, conflict_id: int | str, choice: str, value: str | None = None
) -> frozenset[str]:
    """Settle a conflict: "mine" (this desk's value), "theirs" (the platform's) or
    "edit" (`value`, typed the French way). Returns the kinds of records changed."""
    if choice not in ("mine", "theirs", "edit"):
        raise ValidationError.single("choice", "Choisissez une des trois solutions.")
    with registry.change() as changes:
        session = changes.session
        conflict = session.get(SyncConflict, int(conflict_id))
        if conflict is None or conflict.resolved_at is not None:
            raise NotFoundError("Ce conflit est déjà réglé.")
        model = _model(conflict.entity)
        record = session.get(model, conflict.record_id)
        if record is None:
            raise NotFoundError("Cette fiche n'existe plus dans le registre.")
        name = conflict.field
        label = FIELD_LABELS.get(name, name)
        if choice == "theirs":
            convert = python_converter(model.__table__.columns[name].type)
            new = convert(json.loads(conflict.server_value))
        elif choice == "mine":
            new = getattr(record, name)
        else:
            new = _typed(model, name, value or "")
        values = {name: new}
        helpers = {
            key: getattr(record, key)
            for key in ("first_name", "last_name", "phone", "phone_secondary")
            if hasattr(record, key)
        }
        helpers.update(values)
        local_helpers(conflict.entity, helpers)
        for key in ("search_phones", "name_key"):
            if key in helpers:
                values[key] = helpers[key]
        what = f"{ENTITY_LABELS.get(conflict.entity, conflict.entity)} : {label}"
        if choice == "theirs":
            for key, item in values.items():
                setattr(record, key, item)
            session.flush()
            # Taken from the platform, which has it already: no outbox entry.
            changes.note_local(
                "sync_conflict", conflict.entity, conflict.record_id,
                f"Conflit réglé ({what}) : valeur de la plateforme gardée", name,
            )  # fmt: skip
        else:
            kept = "valeur de ce poste gardée" if choice == "mine" else "valeur corrigée"
            changes.update(
                record,
                values,
                f"Conflit réglé ({what}) : {kept}",
                action="sync_conflict",
                touch=[name],
                base_version=conflict.server_version,
            )
        conflict.resolved_at = utcnow()
        conflict.resolution = choice
        conflict.resolved_by = changes.actor.display_name
        session.flush()
        return frozenset({conflict.entity, "sync_conflict"})


# -- refused changes --------------------------------------------------------------------------
def list_rejected(registry: Registry) -> list[RejectedView]:
    views: list[RejectedView] = []
    with registry.raw() as conn:
        rows = conn.execute(
            "SELECT id, entity, record_id, op, last_error, created_at FROM outbox "
            "WHERE state = 'rejected' ORDER BY id"
        ).fetchall()
        for oid, entity, record_id, op, reason, created in rows:
            label = (
                f"{ENTITY_LABELS.get(entity, entity)} — {_record_label(conn, entity, record_id)}"
            )
            views.append(
                RejectedView(
                    oid, entity, record_id, op, label, reason or "",
                    dt.datetime.fromisoformat(str(created)),
                )
            )  # fmt: skip
    return views


def _set_state(registry: Registry, outbox_id: int, state: str) -> None:
    with registry.remote_transaction() as conn:
        done = conn.execute(
            text(
                "UPDATE outbox SET state = :s, batch_id = NULL, last_error = "
                "CASE WHEN :s = 'pending' THEN '' ELSE last_error END "
                "WHERE id = :i AND state = 'rejected'"
            ),
            {"s": state, "i": int(outbox_id)},
        ).rowcount
    if not done:
        raise NotFoundError("Cette modification n'est plus en attente de décision.")


BOOKKEEPING = ("updated_at", "row_version")
RETRY_NEWER = (
    "Cette fiche a changé depuis la modification refusée ({fields}) : elle n'est pas "
    "renvoyée, pour ne pas écraser la valeur plus récente. Abandonnez-la, puis modifiez "
    "la fiche de nouveau si besoin."
)


def retry_rejected(registry: Registry, outbox_id: int | str) -> None:
    """Send a refused change again at the next sync (after the cause was fixed), rebased
    on the record as it is now (issue 14).

    Sent as it was, the old change would follow newer ones of the same record, and the
    platform lets a desk's change overwrite its own earlier ones (and a stale base lets
    it pass others'): the old value would come back on every desk. So: when a field it
    changed has moved since (a later change of this desk, or a value received from the
    platform), it is refused here, in French, and stays refused. Otherwise it goes again
    as a new mutation at the end of the queue, with the record's current values and the
    base of the last pulled state."""
    with registry.change() as changes:  # no audit event: nothing changes in the record
        session = changes.session
        entry = session.get(OutboxEntry, int(outbox_id))
        if entry is None or entry.state != "rejected":
            raise NotFoundError("Cette modification n'est plus en attente de décision.")
        payload = json.loads(entry.payload)
        if entry.entity not in SYNCED_ENTITIES or entry.entity not in Base.metadata.tables:
            raise NotFoundError("Cette fiche n'existe plus dans le registre.")
        record = session.get(_model(entry.entity), entry.record_id)
        if record is None:
            raise NotFoundError("Cette fiche n'existe plus dans le registre.")
        changed = [n for n in payload.get("changed") or [] if n not in BOOKKEEPING]
        current = record_fields(record)
        sent = payload.get("fields") or {}
        later: set[str] = set()
        for (text_payload,) in session.execute(
            text(
                "SELECT payload FROM outbox WHERE entity = :e AND record_id = :r AND id > :i "
                "AND state IN ('pending', 'sent')"
            ),
            {"e": entry.entity, "r": entry.record_id, "i": entry.id},
        ):
            later.update(json.loads(text_payload).get("changed") or [])
        moved = [n for n in changed if n in later or current.get(n) != sent.get(n)]
        extra = dict(payload.get("extra") or {})
        if "mission_type_ids" in extra:
            offered = sorted(
                str(v)
                for v in session.execute(
                    text("SELECT mission_type_id FROM volunteer_offer WHERE volunteer_id = :r"),
                    {"r": entry.record_id},
                ).scalars()
            )
            if offered != sorted(str(v) for v in extra["mission_type_ids"]):
                moved.append("mission_type_ids")
        if moved:
            names = ", ".join(FIELD_LABELS.get(n, n).lower() for n in dict.fromkeys(moved))
            raise RegistryError(RETRY_NEWER.format(fields=names))
        rebased: dict[str, Any] = {
            "fields": current,
            "changed": payload.get("changed") or [],
            "base_version": server_version_of(session, entry.entity, entry.record_id),
        }
        if extra:
            rebased["extra"] = extra
        session.add(
            OutboxEntry(
                mutation_id=new_id(),
                entity=entry.entity,
                record_id=entry.record_id,
                op=entry.op,
                payload=json.dumps(rebased, ensure_ascii=False, separators=(",", ":")),
                state="pending",
                attempts=entry.attempts,
                created_at=entry.created_at,
            )
        )
        session.delete(entry)


def discard_rejected(registry: Registry, outbox_id: int | str) -> None:
    """Give up a refused change: it will not be sent. The local record keeps its value
    until the platform next sends that record."""
    _set_state(registry, int(outbox_id), "discarded")


def count_open(registry: Registry) -> tuple[int, int, int]:
    """(pending, rejected, open conflicts): the status bar's figures, one cheap read."""
    with registry.raw() as conn:
        pending, rejected = conn.execute(
            "SELECT coalesce(sum(state = 'pending'), 0), coalesce(sum(state = 'rejected'), 0) "
            "FROM outbox WHERE state IN ('pending', 'rejected')"
        ).fetchone()
        conflicts = conn.execute(
            "SELECT count(*) FROM sync_conflict WHERE resolved_at IS NULL"
        ).fetchone()[0]
    return int(pending), int(rejected), int(conflicts)


__all__ = [
    "ConflictView",
    "RejectedView",
    "count_open",
    "discard_rejected",
    "list_conflicts",
    "list_rejected",
    "resolve_conflict",
]
