"""Web submissions into the commune's records, within its daily quota.

One write transaction per submission: the commune's counter row locked first (as a
push does), the day's quota counter increased, then either the records are written
(each with the next number of the commune's sequence, so they flow down to its desks)
or, past the quota, the whole submission waits in `web_held` for a desk's staff. The
form was checked and the mission types read BEFORE this transaction (forms.py).
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, delete, func, select

from bippop_central.db import reading, writing
from bippop_central.models import record_t, utcnow
from bippop_central.push import lock_counter, retrying, save_counter
from bippop_central.web.checks import PARIS
from bippop_central.web.config import Limit
from bippop_central.web.forms import Record, Submission
from bippop_central.web.limits import Verdict, count, increment
from bippop_central.web.tables import held_t, web_commune_t

HELD_DAYS = 30  # a held submission nobody looked at is dropped after this


def _quota_day() -> tuple[int, dt.datetime]:
    today = dt.datetime.now(PARIS).date()
    return today.toordinal(), utcnow() + dt.timedelta(days=2)


def write_records(conn: Connection, commune_id: int, records: list[Any]) -> list[str]:
    """Insert records as the platform's own (no device), numbered from the commune's
    counter, which the caller locked in this transaction."""
    seq = lock_counter(conn, commune_id)
    now = utcnow()
    rows = []
    for entity, record_id, fields, extra in records:
        seq += 1
        rows.append({
            "record_id": record_id, "commune_id": commune_id, "entity": entity, "version": seq,
            "fields": fields, "extra": extra, "field_versions": dict.fromkeys(fields, seq),
            "field_origins": {"": ""}, "deleted": False, "erased": False,
            "origin_device": None, "updated_at": now,
        })  # fmt: skip
    if rows:
        conn.execute(record_t.insert(), rows)
    save_counter(conn, commune_id, seq)
    return [str(r[1]) for r in records]


def store(engine: Engine, commune_id: int, quota: int, submission: Submission,
          limits: list[tuple[str, Limit]] | None = None) -> str | Verdict:  # fmt: skip
    """'stored' (records written) or 'held' (past the day's quota; `quota` is the
    platform's default, the commune's own setting wins). With `limits`, they are
    counted in the same transaction first: a refusal (Verdict) writes no record."""
    result = retrying(_store_once, engine, commune_id, quota, submission, limits or [])
    return result if isinstance(result, Verdict) else str(result)


def _store_once(engine: Engine, commune_id: int, quota: int, submission: Submission,
                limits: list[tuple[str, Limit]]) -> str | Verdict:  # fmt: skip
    day, expires = _quota_day()
    with writing(engine) as conn:
        if limits:
            verdict = count(conn, limits)
            if not verdict.allowed:
                return verdict  # the counters commit; nothing else is written
        lock_counter(conn, commune_id)  # the quota's decisions queue per commune
        # The quota as set now (one row by its key): a mairie lowering it during a
        # flood is obeyed at once, whatever the pages' cache holds.
        set_quota = conn.execute(
            select(web_commune_t.c.daily_quota).where(web_commune_t.c.commune_id == commune_id)
        ).scalar()
        quota = int(set_quota) if set_quota is not None else quota
        used = increment(conn, f"quota:{commune_id}", day, expires)
        if used > quota:
            conn.execute(held_t.insert().values(
                id=str(uuid.uuid4()), commune_id=commune_id, kind=submission.kind,
                records=[list(r) for r in submission.records], summary=submission.summary,
                received_at=utcnow(),
            ))  # fmt: skip
            return "held"
        write_records(conn, commune_id, submission.records)
    return "stored"


# -- the moderation queue, for the desks (moderation_api.py) ---------------------------


@dataclass(frozen=True)
class Held:
    held_id: str
    kind: str
    summary: str
    received_at: str
    records: list[Record]


def held_list(engine: Engine, commune_id: int, limit: int) -> tuple[list[Held], int]:
    """The oldest held submissions of the commune first, and how many wait in all."""
    horizon = utcnow() - dt.timedelta(days=HELD_DAYS)
    with reading(engine) as conn:
        total = conn.execute(
            select(func.count()).select_from(held_t)
            .where(held_t.c.commune_id == commune_id, held_t.c.received_at >= horizon)
        ).scalar_one()  # fmt: skip
        rows = conn.execute(
            select(held_t)
            .where(held_t.c.commune_id == commune_id, held_t.c.received_at >= horizon)
            .order_by(held_t.c.received_at, held_t.c.id).limit(limit)
        ).mappings().all()  # fmt: skip
    return [
        Held(r["id"], r["kind"], r["summary"], r["received_at"].isoformat(timespec="seconds"),
             [tuple(item) for item in r["records"]])
        for r in rows
    ], int(total)  # fmt: skip


def decide(engine: Engine, commune_id: int, held_ids: list[str], accept: bool) -> dict[str, str]:
    """Accept (the records are written, whatever the quota: staff decided) or reject
    (deleted) held submissions of the caller's commune; held_id → 'accepted',
    'rejected' or 'unknown' (another commune's id is unknown here too)."""
    return dict(retrying(_decide_once, engine, commune_id, held_ids, accept))


def _decide_once(engine: Engine, commune_id: int, held_ids: list[str],
                 accept: bool) -> dict[str, str]:  # fmt: skip
    results = dict.fromkeys(held_ids, "unknown")
    with writing(engine) as conn:
        lock_counter(conn, commune_id)
        rows = conn.execute(
            select(held_t.c.id, held_t.c.records)
            .where(held_t.c.commune_id == commune_id, held_t.c.id.in_(held_ids))
        ).all()  # fmt: skip
        for held_id, records in rows:
            if accept:
                write_records(conn, commune_id, [tuple(item) for item in records])
            results[held_id] = "accepted" if accept else "rejected"
        if rows:
            conn.execute(delete(held_t).where(held_t.c.id.in_([r[0] for r in rows])))
        conn.execute(delete(held_t).where(
            held_t.c.commune_id == commune_id,
            held_t.c.received_at < utcnow() - dt.timedelta(days=HELD_DAYS),
        ))  # fmt: skip
    return results
