"""Rate limits and daily quotas as counters in the database (`web_counter`), so that they
hold across uvicorn workers and hosts: one upsert per counted thing, atomic on SQLite
(INSERT … ON CONFLICT … RETURNING, under its write lock) and on PostgreSQL (row lock).

Fixed windows: a key's count for window `now // seconds`. Expired rows are purged now
and then by the same calls (no cron to forget).
"""

from __future__ import annotations

import datetime as dt
import math
import random
import time
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, delete, select
from sqlalchemy.dialects import postgresql, sqlite

from bippop_central.db import reading, writing
from bippop_central.models import utcnow
from bippop_central.web.config import Limit
from bippop_central.web.tables import counter_t

PURGE_ONE_IN = 500


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after_s: int = 0


def increment(conn: Connection, key: str, window: int, expires_at: dt.datetime) -> int:
    """The counter's value once increased by one (in the caller's transaction)."""
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(counter_t).values(
        key=key, window=window, count=1, expires_at=expires_at
    )
    statement = statement.on_conflict_do_update(
        index_elements=["key", "window"], set_={"count": counter_t.c["count"] + 1}
    ).returning(counter_t.c["count"])
    return int(conn.execute(statement).scalar_one())


def over(engine: Engine, limits: list[tuple[str, Limit]], now: float | None = None) -> bool:
    """True when one of the counters is already at its limit (a read: no write lock).
    A flood's attempts are then refused at the cost of this read and one counting write,
    before any form is parsed or checked."""
    now = now if now is not None else time.time()
    wanted = {(key[:120], int(now // limit.seconds)): limit.count for key, limit in limits}
    with reading(engine) as conn:
        rows = conn.execute(
            select(counter_t.c.key, counter_t.c.window, counter_t.c["count"]).where(
                counter_t.c.key.in_([key for key, _window in wanted])
            )
        ).all()
    return any(wanted.get((key, window), 1 << 62) <= count for key, window, count in rows)


def hit(engine: Engine, limits: list[tuple[str, Limit]], now: float | None = None) -> Verdict:
    """Count one attempt against the (key, limit) pairs in order, in one short
    transaction; refused at the first one past its count (that attempt still counts
    there: a flood stays out), the later ones not charged."""
    with writing(engine) as conn:
        return count(conn, limits, now)


def count(conn: Connection, limits: list[tuple[str, Limit]], now: float | None = None) -> Verdict:
    """`hit` inside the caller's write transaction (a form's records go in the same one:
    one write per submission)."""
    now = now if now is not None else time.time()
    retry = 0
    for key, limit in limits:
        window = int(now // limit.seconds)
        ends = (window + 1) * limit.seconds
        expires = utcnow() + dt.timedelta(seconds=ends - now)
        if increment(conn, key[:120], window, expires) > limit.count:
            # The later limits are not charged: one address over its own limit
            # must not use up its commune's (it would shut everyone else out).
            retry = math.ceil(ends - now)
            break
    if random.randrange(PURGE_ONE_IN) == 0:
        conn.execute(delete(counter_t).where(counter_t.c.expires_at < utcnow()))
    return Verdict(retry == 0, retry)
