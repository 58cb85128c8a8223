"""The merge rules of docs/sync-protocol.md as pure functions (no database here).

`merge(stored, mutation, seq)` says what one pushed mutation does to a record's stored
state: the new state to write (with version `seq`) and the item's status. push.py does
the I/O around it, in the commune's locked write transaction.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from bippop_central.fields import Invalid, check_record

SYNCED_ENTITIES = frozenset(
    {
        "beneficiary", "volunteer", "volunteer_availability", "volunteer_absence", "partner",
        "mission_type", "request", "mission", "hours_entry", "hours_declaration",
        "register_entry", "call_campaign", "call_attempt",
        "survey", "survey_contact", "survey_answer", "do_not_call",
    }
)  # fmt: skip

# Never stored by the server: the tenant is the token's commune; the others are the
# desk's own bookkeeping (search helpers, its copy of the server version).
DROPPED_FIELDS = frozenset({"id", "commune_id", "search_phones", "name_key", "server_version"})

PROTECTED = frozenset(
    {
        # identity
        "civility", "first_name", "last_name", "birth_name", "birth_date",
        # contact
        "address_line", "address_complement", "postal_code", "city", "phone",
        "phone_secondary", "email", "emergency_contact_name", "emergency_contact_phone",
        # consent
        "consent_date", "consent_channel", "consent_by", "consent_third_party",
        # assignment
        "volunteer_id", "starts_at", "ends_at", "beneficiary_id",
    }
)  # fmt: skip

# The desk's transition tables (registry/services: missions, requests, volunteers),
# copied so the server does not import the desk; tests/central check they stay equal.
TRANSITIONS: dict[str, dict[str, frozenset[str]]] = {
    "mission": {
        "planifiee": frozenset({"realisee", "annulee", "absent"}),
        "realisee": frozenset({"validee"}),
        "validee": frozenset(),
        "annulee": frozenset(),
        "absent": frozenset(),
    },
    "request": {
        "nouvelle": frozenset({"en_recherche", "planifiee", "annulee"}),
        "en_recherche": frozenset({"planifiee", "annulee"}),
        "planifiee": frozenset({"realisee", "annulee", "en_recherche"}),
        "realisee": frozenset(),
        "annulee": frozenset(),
    },
    "volunteer": {
        "en_attente": frozenset({"valide", "parti"}),
        "valide": frozenset({"suspendu", "parti"}),
        "suspendu": frozenset({"valide", "parti"}),
        "parti": frozenset(),
    },
}


def _closure(table: dict[str, frozenset[str]]) -> dict[str, frozenset[str]]:
    """Every status reachable from each status (forward = reachable by transitions)."""
    reach: dict[str, frozenset[str]] = {}
    for start in table:
        seen: set[str] = set()
        todo = list(table[start])
        while todo:
            status = todo.pop()
            if status not in seen:
                seen.add(status)
                todo.extend(table.get(status, ()))
        reach[start] = frozenset(seen)
    return reach


FORWARD = {entity: _closure(table) for entity, table in TRANSITIONS.items()}

_FIELD_NAME = re.compile(r"^[a-z][a-z0-9_]{0,62}$")


class Rejected(Exception):
    """The item cannot be applied; its message is the French `detail`."""


@dataclass
class Stored:
    entity: str
    version: int
    fields: dict[str, Any]
    extra: dict[str, Any]
    field_versions: dict[str, int]
    deleted: bool = False
    erased: bool = False
    field_origins: dict[str, str] = field(default_factory=dict)

    def origin_of(self, name: str) -> str:
        return self.field_origins.get(name, self.field_origins.get("", ""))

    def wrote(self, name: str, seq: int, device: str) -> None:
        self.field_versions[name] = seq
        if device == self.field_origins.get("", ""):
            self.field_origins.pop(name, None)
        else:
            self.field_origins[name] = device


@dataclass
class Mutation:
    mutation_id: str
    entity: str
    record_id: str
    op: str
    base_version: int | None
    changed: list[str]
    fields: dict[str, Any]
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class Outcome:
    status: str  # applied | conflict | duplicate | rejected
    state: Stored | None = None  # the state to write (None: nothing written)
    version: int | None = None
    conflicts: dict[str, dict[str, Any]] = field(default_factory=dict)
    detail: str = ""


def clean_fields(
    entity: str, fields: dict[str, Any], extra: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The fields the server keeps, checked against the entity's schema (fields.py),
    with `extra`; raises Rejected with a French detail."""
    cleaned: dict[str, Any] = {}
    for name, value in fields.items():
        if not _FIELD_NAME.fullmatch(name):
            raise Rejected(f"Nom de champ invalide : {name[:80]!r}.")
        if name in DROPPED_FIELDS:
            continue
        cleaned[name] = value
    try:
        check_record(entity, cleaned, extra or {})
    except Invalid as error:
        raise Rejected(str(error)) from None
    status = cleaned.get("status")
    if entity in TRANSITIONS and "status" in cleaned and status not in TRANSITIONS[entity]:
        raise Rejected(f"Statut inconnu pour « {entity} » : {str(status)[:40]!r}.")
    return cleaned


def _now_iso() -> str:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None).isoformat(timespec="seconds")


# One answer for every record id the platform will not take (one of another type here,
# one of another commune): the answer never tells that an id exists elsewhere.
REFUSED_ID = (
    "Identifiant de fiche refusé par la plateforme : cette modification ne peut pas "
    "être enregistrée."
)


def merge(stored: Stored | None, m: Mutation, seq: int, device: str = "") -> Outcome:
    """Apply one mutation of `device` to a record's stored state (the protocol's rules).

    A field last written by the same device is never "behind": the desk's own earlier,
    not yet acknowledged change is part of what it edited (its outbox is in order).
    """
    if m.entity not in SYNCED_ENTITIES:
        return Outcome("rejected", detail=f"Type de fiche non synchronisé : {m.entity[:40]!r}.")
    if stored is not None and stored.entity != m.entity:
        return Outcome("rejected", detail=REFUSED_ID)
    try:
        fields = clean_fields(m.entity, m.fields, m.extra)
        bad = next((name for name in m.changed if not _FIELD_NAME.fullmatch(name)), None)
        if bad is not None:
            raise Rejected(f"Nom de champ modifié invalide : {bad[:80]!r}.")
        if m.op == "erase":
            return _erase(m, fields, seq, device)
        if stored is not None and stored.erased:
            raise Rejected("Cette fiche a été effacée (droit à l'effacement) : rien n'est repris.")
        if m.entity == "hours_entry":
            return _hours(stored, m, fields, seq, device)
        if stored is None:
            return _create(m, fields, seq, device)
        return _update(stored, m, fields, seq, device)
    except Rejected as error:
        return Outcome("rejected", detail=str(error))


def _tombstone(state: Stored, fields: dict[str, Any], seq: int, device: str) -> None:
    state.deleted = True
    if not state.fields.get("deleted_at"):
        state.fields["deleted_at"] = fields.get("deleted_at") or _now_iso()
        state.wrote("deleted_at", seq, device)


def _create(m: Mutation, fields: dict[str, Any], seq: int, device: str) -> Outcome:
    state = Stored(m.entity, seq, dict(fields), dict(m.extra), dict.fromkeys(fields, seq))
    state.field_origins = {"": device}
    for key in m.extra:
        state.field_versions[f"extra.{key}"] = seq
    if m.op == "delete":
        _tombstone(state, fields, seq, device)
    return Outcome("applied", state=state, version=seq)


def _update(stored: Stored, m: Mutation, fields: dict[str, Any], seq: int, device: str) -> Outcome:
    state = Stored(
        stored.entity, seq, dict(stored.fields), dict(stored.extra),
        dict(stored.field_versions), stored.deleted, stored.erased, dict(stored.field_origins),
    )  # fmt: skip
    conflicts: dict[str, dict[str, Any]] = {}
    skipped: set[str] = set()
    forward = FORWARD.get(m.entity)
    if forward is not None and "status" in m.changed and "status" in fields:
        current, pushed = stored.fields.get("status"), fields["status"]
        if current in forward and pushed != current and pushed not in forward[current]:
            # A backwards status is ignored silently: the more advanced one stays.
            skipped |= {"status", "status_changed_at"}
    if stored.deleted:
        skipped.add("deleted_at")  # a tombstone stays, with its date
    for name in m.changed:
        if name in DROPPED_FIELDS or name in skipped:
            continue
        if name not in fields:
            raise Rejected(f"Le champ modifié « {name[:40]} » n'a pas de valeur.")
        value, current = fields[name], stored.fields.get(name)
        field_version = stored.field_versions.get(name, 0)
        # A null base: the desk never had a version of this record, so it has seen
        # none of its values (a creation sent again after a restore, onto the record
        # another desk sent back first; an edit made before its creation's answer).
        base = 0 if m.base_version is None else m.base_version
        behind = base < field_version
        if behind and stored.origin_of(name) == device and device:
            behind = False  # its own earlier change, not yet acknowledged on the desk
        if behind and name in PROTECTED and value != current:
            conflicts[name] = {"server": current, "server_version": field_version}
            continue
        if value != current or name not in stored.fields:
            state.fields[name] = value
            state.wrote(name, seq, device)
    for key, value in m.extra.items():
        if state.extra.get(key) != value:
            state.extra[key] = value
            state.wrote(f"extra.{key}", seq, device)
    if m.op == "delete":
        _tombstone(state, fields, seq, device)
    return Outcome("conflict" if conflicts else "applied", state, seq, conflicts)


def _hours(
    stored: Stored | None, m: Mutation, fields: dict[str, Any], seq: int, device: str
) -> Outcome:
    if m.op == "delete":
        raise Rejected("Les heures ne se suppriment pas : saisissez une correction.")
    if stored is None:
        return _create(m, fields, seq, device)
    same = all(stored.fields.get(k) == v for k, v in fields.items()) and all(
        stored.extra.get(k) == v for k, v in m.extra.items()
    )
    if same:
        return Outcome("duplicate", version=stored.version)
    raise Rejected("Une saisie d'heures ne se modifie pas : saisissez une correction.")


def _erase(m: Mutation, fields: dict[str, Any], seq: int, device: str) -> Outcome:
    """Personal-data erasure: the pushed, already scrubbed fields replace everything.

    The old values are not kept anywhere: the record row is overwritten in place.
    """
    state = Stored(m.entity, seq, dict(fields), dict(m.extra), dict.fromkeys(fields, seq))
    state.field_origins = {"": device}
    state.erased = True
    _tombstone(state, fields, seq, device)
    return Outcome("applied", state=state, version=seq)
