"""A platform whose database was restored from a backup (issue 14).

The restored platform has forgotten every change after its backup point; this desk has
not. Left alone, its cursor would be past the platform's sequence (it would skip the
changes to come, numbered again from the backup point) and the changes the platform
had acknowledged would never be sent again. So each sync first asks GET /status: a
new `epoch` (the operator ran `bippop-central restored`, docs/operations.md), or a
cursor past `latest_seq` (the operator forgot), means a restore. Then, in one local
transaction, this desk:

- queues again its acknowledged changes still in the outbox (kept 30 days) under their
  own mutation ids: the platform answers "duplicate" to those it still has. Each goes
  with the record's current values, for the fields whose value here is still its own
  (a field changed since, here or by another desk, is that later change's to send);
- bases every queued change and every record on the backup point at most: what it saw
  after that point is gone from the platform, and a base past it would pass the new
  changes of other desks for seen;
- forgets the server version of every record, and sets its cursor to 0: it reads all
  its records anew, so what it holds from the lost history is replaced by what the
  platform has (or sends again), and the records set aside are judged again;
- writes down a French notice for the Synchronisation page.

After that full pull, the records it still holds that the platform no longer has at
all (an online sign-up after the backup, a desk's that never syncs again) are sent
back as creations (`resend_lost_records`), pushed in the same sync.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from sqlalchemy import text

from bippop_desk.registry.changes import record_fields
from bippop_desk.registry.clock import utc_to_local, utcnow
from bippop_desk.registry.frdates import short_datetime
from bippop_desk.registry.models import AuditEvent, Base, OutboxEntry, new_id
from bippop_desk.registry.models.sync import SYNCED_ENTITIES
from bippop_desk.registry.store import Registry
from bippop_desk.sync.client import SyncError, SyncHttp
from bippop_desk.sync.state import State, read_state, write_state

log = logging.getLogger(__name__)

BOOKKEEPING = ("updated_at", "row_version")
# Kept before the epoch in sync_state.server_epoch from the recovery until the full pull
# that follows it has ended and the lost records are queued (a sync cut in between
# does it at the next one).
RESEND = "renvoi:"


def notice(count: int) -> str:
    when = short_datetime(utc_to_local(utcnow()) or utcnow())
    sent = (
        "aucune modification de ce poste n'était à renvoyer"
        if count == 0
        else f"{count} modification{'s' if count > 1 else ''} de ce poste renvoyée"
        f"{'s' if count > 1 else ''} (elle ignore celles qu'elle avait gardées)"
    )
    return (
        f"La plateforme a été restaurée depuis une sauvegarde (constaté le {when}) : "
        f"{sent}, et toutes les fiches relues."
    )


def check_position(registry: Registry, http: SyncHttp, state: State) -> str:
    """Ask the platform where its history stands; after a restore, recover (above).
    Returns the French notice when it did, else ''."""
    cursor = state.pull_cursor
    known = state.server_epoch.removeprefix(RESEND)
    # Where this desk stands: a cursor past the platform's sequence in the epoch it
    # knows makes the platform start a new epoch itself (bippop_central/restore.py), so
    # the other desks learn of a restore whose operator forgot `restored`.
    answer = http.call("GET", "/api/v1/status", params={"cursor": cursor, "epoch": known})
    latest, epoch = answer.get("latest_seq"), answer.get("epoch") or ""
    epoch_seq = answer.get("epoch_seq") or 0
    if not isinstance(latest, int) or not isinstance(epoch, str) or not isinstance(epoch_seq, int):
        raise SyncError("La plateforme a envoyé un état illisible.")
    if known and epoch and epoch != known:
        since = min(epoch_seq, cursor)
    elif cursor > latest:
        since = latest  # no new epoch: the backup point is at most the latest sequence
    else:
        if epoch != known:
            write_state(registry, server_epoch=epoch)
        return ""
    log.warning("platform restored from a backup (cursor %s, latest %s): recovering", cursor,
                latest)  # fmt: skip
    return recover(registry, since, epoch)


def recover(registry: Registry, since: int, epoch: str) -> str:
    with registry.change() as changes:  # no audit event: no record changes here
        session = changes.session
        count = 0
        sent = session.execute(
            text("SELECT id, entity, record_id, op, payload FROM outbox WHERE state = 'sent'")
        ).all()
        for outbox_id, entity, record_id, op, payload_text in sent:
            payload = _replayed(session, entity, record_id, op, json.loads(payload_text), since)
            if payload is None:
                continue
            session.execute(
                text(
                    "UPDATE outbox SET state = 'pending', batch_id = NULL, sent_at = NULL, "
                    "payload = :p WHERE id = :i"
                ),
                {"p": json.dumps(payload, ensure_ascii=False, separators=(",", ":")),
                 "i": outbox_id},
            )  # fmt: skip
            count += 1
        session.execute(
            text(
                "UPDATE outbox SET payload = json_set(payload, '$.base_version', :s) "
                "WHERE state IN ('pending', 'rejected') AND CASE WHEN json_valid(payload) "
                "THEN json_extract(payload, '$.base_version') > :s ELSE 0 END"
            ),
            {"s": since},
        )
        for entity in _versioned(session):
            # Unknown again until the full pull says where the platform has each record
            # (resend_lost_records: those it no longer has at all). All of them, not only
            # those seen after `since`: a desk that slept through two restores holds
            # versions of a history the platform lost at the first one.
            session.execute(text(f"UPDATE {entity} SET server_version = NULL"))
        session.execute(
            text(
                "UPDATE sync_conflict SET server_version = :s "
                "WHERE resolved_at IS NULL AND server_version > :s"
            ),
            {"s": since},
        )
        # Read again from 0: what still cannot be stored is set aside again; what the
        # restored platform no longer has must not stay listed.
        session.execute(text("DELETE FROM sync_set_aside"))
        message = notice(count)
        session.execute(
            text(
                "UPDATE sync_state SET pull_cursor = 0, server_epoch = :e, restore_notice = :n "
                "WHERE id = 1"
            ),
            {"e": RESEND + epoch, "n": message},  # the resend is due after the full pull
        )
    return message


def _versioned(session: Any) -> list[str]:
    found = []
    for entity in SYNCED_ENTITIES:
        columns = {r[1] for r in session.execute(text(f"PRAGMA table_info({entity})"))}
        if "server_version" in columns:
            found.append(entity)
    return found


def resend_due(state: State) -> bool:
    return state.server_epoch.startswith(RESEND)


def resend_lost_records(registry: Registry) -> int:
    """After the full pull that follows a restore: the records this desk holds from the
    platform's lost history that nobody sends again (an online sign-up after the backup,
    a desk that never syncs again) go back as creations with nothing `changed`: the
    platform creates a record it does not have and writes nothing into one it has (a
    desk that sent it first, or a change since). Journaled like any change here."""
    count = 0
    with registry.change() as changes:
        session = changes.session
        for entity in _versioned(session):
            model = _model_of(entity)
            if model is None:
                continue
            ids = session.execute(
                text(
                    f"SELECT id FROM {entity} WHERE server_version IS NULL AND id NOT IN "
                    "(SELECT record_id FROM outbox WHERE entity = :e AND state IN "
                    "('pending', 'rejected', 'discarded'))"
                ),
                {"e": entity},
            ).scalars()
            for record_id in list(ids):
                record = session.get(model, record_id)
                if record is None:
                    continue
                payload: dict[str, Any] = {
                    "fields": record_fields(record), "changed": [], "base_version": None,
                }  # fmt: skip
                if entity == "volunteer":
                    payload["extra"] = {"mission_type_ids": sorted(
                        str(v) for v in session.execute(
                            text("SELECT mission_type_id FROM volunteer_offer "
                                 "WHERE volunteer_id = :r"), {"r": record_id},
                        ).scalars()
                    )}  # fmt: skip
                deleted = getattr(record, "deleted_at", None) is not None
                session.add(
                    AuditEvent(
                        at=utcnow(), user_name=changes.actor.display_name,
                        user_role=changes.actor.role, action="sync_restore", entity=entity,
                        record_id=record_id, fields="",
                        summary="Fiche renvoyée à la plateforme restaurée depuis une sauvegarde",
                    )
                )  # fmt: skip
                session.add(
                    OutboxEntry(
                        mutation_id=new_id(), entity=entity, record_id=record_id,
                        op="delete" if deleted else "upsert", state="pending",
                        payload=json.dumps(payload, ensure_ascii=False, separators=(",", ":")),
                    )
                )  # fmt: skip
                count += 1
        session.execute(
            text("UPDATE sync_state SET server_epoch = :e WHERE id = 1"),
            {"e": read_state(registry).server_epoch.removeprefix(RESEND)},
        )
    return count


def _model_of(entity: str) -> Any:
    return next(
        (m.class_ for m in Base.registry.mappers
         if getattr(m.class_, "__tablename__", None) == entity),
        None,
    )  # fmt: skip


def _replayed(
    session: Any, entity: str, record_id: str, op: str, payload: dict[str, Any], since: int
) -> dict[str, Any] | None:
    """An acknowledged change as it goes again, or None when nothing of it is left to
    send (every field it changed has changed since)."""
    base = payload.get("base_version")
    if isinstance(base, int) and base > since:
        payload["base_version"] = since
    if op == "erase" or entity not in Base.metadata.tables:
        return payload  # an erasure goes again as it is (already scrubbed)
    model = _model_of(entity)
    record = session.get(model, record_id) if model is not None else None
    if record is None:
        return payload
    current = record_fields(record)
    sent = payload.get("fields") or {}
    changed = [n for n in payload.get("changed") or [] if n not in BOOKKEEPING]
    if base is not None:  # an edit: only the fields whose value here is still its own
        changed = [n for n in changed if current.get(n) == sent.get(n)]
        if not changed:
            return None
    payload["fields"] = current
    payload["changed"] = changed + [n for n in BOOKKEEPING if n in current]
    return payload
