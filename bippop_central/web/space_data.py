"""What the volunteer space reads and writes: the validated volunteer behind an e-mail,
sign-in links and sessions, the volunteer's missions (only what the printed roster
shows: day, time, type, the person's first name and street), and the records it
sends down to the desk (hours declared, awaiting validation; an absence).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, delete, func, select, update

from bippop_central.db import reading, writing
from bippop_central.merge import _now_iso
from bippop_central.models import record_t, utcnow
from bippop_central.push import retrying
from bippop_central.web.checks import PARIS
from bippop_central.web.submit import write_records
from bippop_central.web.tables import feed_t, login_t, session_t

LINK_MINUTES = 30
SESSION_HOURS = 12
COMING_DAYS = 90
DECLARE_DAYS = 60  # how far back a visit's hours may be declared


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class Volunteer:
    record_id: str
    first_name: str
    last_name: str
    email: str


@dataclass(frozen=True)
class Visit:
    mission_id: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    type_label: str
    first_name: str
    street: str
    declared: bool = False

    @property
    def planned_minutes(self) -> int:
        return max(1, int((self.ends_at - self.starts_at).total_seconds() // 60))


def _records(conn: Any, commune_id: int, entity: str, *ids: str) -> Any:
    query = select(record_t.c.record_id, record_t.c.fields).where(
        record_t.c.commune_id == commune_id, record_t.c.entity == entity,
        record_t.c.deleted.is_(False),
    )  # fmt: skip
    if ids:
        query = query.where(record_t.c.record_id.in_(ids))
    return conn.execute(query).all()


def _active(fields: dict[str, Any]) -> bool:
    return fields.get("status") == "valide" and not fields.get("deleted_at")


def validated_volunteer(engine: Engine, commune_id: int, email: str) -> Volunteer | None:
    """The commune's validated volunteer with this e-mail (case and spaces forgiven)."""
    wanted = email.strip().lower()
    if not wanted:
        return None
    with reading(engine) as conn:
        for record_id, fields in _records(conn, commune_id, "volunteer"):
            if str(fields.get("email") or "").strip().lower() == wanted and _active(fields):
                return _volunteer(record_id, fields)
    return None


def _volunteer(record_id: str, fields: dict[str, Any]) -> Volunteer:
    return Volunteer(
        record_id,
        str(fields.get("first_name") or ""),
        str(fields.get("last_name") or ""),
        str(fields.get("email") or ""),
    )


def volunteer(engine: Engine, commune_id: int, record_id: str) -> Volunteer | None:
    with reading(engine) as conn:
        rows = _records(conn, commune_id, "volunteer", record_id)
    return next((_volunteer(r, f) for r, f in rows if _active(f)), None)


# -- links and sessions ------------------------------------------------------------------


def new_link(engine: Engine, commune_id: int, volunteer_id: str) -> str:
    token = secrets.token_urlsafe(32)
    now = utcnow()
    with writing(engine) as conn:
        conn.execute(login_t.insert().values(
            token_hash=digest(token), commune_id=commune_id, volunteer_id=volunteer_id,
            created_at=now, expires_at=now + dt.timedelta(minutes=LINK_MINUTES), used_at=None,
        ))  # fmt: skip
        conn.execute(delete(login_t).where(login_t.c.expires_at < now - dt.timedelta(days=1)))
    return token


def link_is_open(engine: Engine, commune_id: int, token: str) -> bool:
    with reading(engine) as conn:
        row = conn.execute(select(login_t.c.used_at, login_t.c.expires_at).where(
            login_t.c.token_hash == digest(token), login_t.c.commune_id == commune_id,
        )).first()  # fmt: skip
    return row is not None and row.used_at is None and row.expires_at > utcnow()


def spend_link(engine: Engine, commune_id: int, token: str) -> str | None:
    """A new session token for the link's volunteer, or None (unknown, used, expired).
    The link is spent in the same transaction: it opens one session, once."""
    now = utcnow()
    session = secrets.token_urlsafe(32)
    with writing(engine) as conn:
        spent = conn.execute(
            update(login_t)
            .where(login_t.c.token_hash == digest(token), login_t.c.commune_id == commune_id,
                   login_t.c.used_at.is_(None), login_t.c.expires_at > now)
            .values(used_at=now)
            .returning(login_t.c.volunteer_id)
        ).scalar()  # fmt: skip
        if spent is None:
            return None
        conn.execute(session_t.insert().values(
            token_hash=digest(session), commune_id=commune_id, volunteer_id=spent,
            created_at=now, expires_at=now + dt.timedelta(hours=SESSION_HOURS),
        ))  # fmt: skip
        conn.execute(delete(session_t).where(session_t.c.expires_at < now))
    return session


def session_volunteer(engine: Engine, commune_id: int, session: str) -> Volunteer | None:
    if not session or len(session) > 100:
        return None
    with reading(engine) as conn:
        volunteer_id = conn.execute(select(session_t.c.volunteer_id).where(
            session_t.c.token_hash == digest(session), session_t.c.commune_id == commune_id,
            session_t.c.expires_at > utcnow(),
        )).scalar()  # fmt: skip
    return volunteer(engine, commune_id, str(volunteer_id)) if volunteer_id else None


def end_session(engine: Engine, session: str) -> None:
    with writing(engine) as conn:
        conn.execute(delete(session_t).where(session_t.c.token_hash == digest(session)))


# -- missions ------------------------------------------------------------------------------


def visits(engine: Engine, commune_id: int, volunteer_id: str) -> list[Visit]:
    """The volunteer's planned visits from DECLARE_DAYS ago to COMING_DAYS ahead, with
    the roster's facts only."""
    now = dt.datetime.now(PARIS).replace(tzinfo=None)  # missions are Paris wall-clock
    start, end = now - dt.timedelta(days=DECLARE_DAYS), now + dt.timedelta(days=COMING_DAYS)
    with reading(engine) as conn:
        missions = [
            (rid, f) for rid, f in _records(conn, commune_id, "mission")
            if f.get("volunteer_id") == volunteer_id and f.get("status") == "planifiee"
            and not f.get("deleted_at")
        ]  # fmt: skip
        people_ids = {str(f.get("beneficiary_id")) for _r, f in missions}
        type_ids = {str(f.get("mission_type_id")) for _r, f in missions}
        people = dict(_records(conn, commune_id, "beneficiary", *people_ids)) if people_ids else {}
        types = dict(_records(conn, commune_id, "mission_type", *type_ids)) if type_ids else {}
        declared = _declared(conn, commune_id, volunteer_id)
    found = []
    for rid, f in missions:
        try:
            starts = dt.datetime.fromisoformat(str(f["starts_at"]))
            ends = dt.datetime.fromisoformat(str(f["ends_at"]))
        except (KeyError, ValueError):
            continue
        if not start <= starts <= end:
            continue
        person = people.get(str(f.get("beneficiary_id")), {})
        kind = types.get(str(f.get("mission_type_id")), {})
        found.append(Visit(rid, starts, ends, str(kind.get("label") or "Mission"),
                           str(person.get("first_name") or ""),
                           str(person.get("address_line") or ""), rid in declared))  # fmt: skip
    return sorted(found, key=lambda v: v.starts_at)


def _declared(conn: Any, commune_id: int, volunteer_id: str) -> set[str]:
    rows = _records(conn, commune_id, "hours_declaration")
    return {
        str(f.get("mission_id")) for _r, f in rows
        if f.get("volunteer_id") == volunteer_id and f.get("status") != "refusee"
    }  # fmt: skip


def declare_hours(engine: Engine, commune_id: int, volunteer_id: str, visit: Visit,
                  minutes: int, mileage: str, note: str) -> str:  # fmt: skip
    """An `hours_declaration` awaiting the desk's validation (never an hours entry)."""
    now = _now_iso()
    record: tuple[Any, ...] = ("hours_declaration", str(uuid.uuid4()), {
        "volunteer_id": volunteer_id, "mission_id": visit.mission_id, "minutes": minutes,
        "mileage_km": mileage, "note": note, "declared_at": now, "status": "en_attente",
        "decided_by": "", "decided_at": None, "refusal_reason": "", "created_at": now,
        "updated_at": now,
    }, {})  # fmt: skip
    return str(retrying(_write_one, engine, commune_id, record))


def declare_absence(engine: Engine, commune_id: int, volunteer_id: str, start: dt.date,
                    end: dt.date, reason: str) -> str:  # fmt: skip
    now = _now_iso()
    record: tuple[Any, ...] = ("volunteer_absence", str(uuid.uuid4()), {
        "volunteer_id": volunteer_id, "start_date": start.isoformat(),
        "end_date": end.isoformat(), "reason": reason, "created_at": now, "updated_at": now,
    }, {})  # fmt: skip
    return str(retrying(_write_one, engine, commune_id, record))


def _write_one(engine: Engine, commune_id: int, record: tuple[Any, ...]) -> str:
    with writing(engine) as conn:
        write_records(conn, commune_id, [record])
    return str(record[1])


def absences(engine: Engine, commune_id: int, volunteer_id: str) -> list[tuple[dt.date, dt.date]]:
    today = dt.datetime.now(PARIS).date()
    with reading(engine) as conn:
        rows = _records(conn, commune_id, "volunteer_absence")
    found = []
    for _rid, f in rows:
        if f.get("volunteer_id") != volunteer_id or f.get("deleted_at"):
            continue
        try:
            start, end = (
                dt.date.fromisoformat(f["start_date"]),
                dt.date.fromisoformat(f["end_date"]),
            )
        except (KeyError, TypeError, ValueError):
            continue
        if end >= today:
            found.append((start, end))
    return sorted(found)


# -- the calendar feed -----------------------------------------------------------------------


def new_feed(engine: Engine, commune_id: int, volunteer_id: str) -> str:
    """A new private calendar address for the volunteer (the previous one stops)."""
    token = secrets.token_urlsafe(24)
    with writing(engine) as conn:
        conn.execute(delete(feed_t).where(feed_t.c.volunteer_id == volunteer_id))
        conn.execute(
            feed_t.insert().values(
                volunteer_id=volunteer_id,
                commune_id=commune_id,
                token_hash=digest(token),
                created_at=utcnow(),
            )
        )
    return token


def has_feed(engine: Engine, volunteer_id: str) -> bool:
    with reading(engine) as conn:
        count = conn.execute(
            select(func.count()).select_from(feed_t).where(feed_t.c.volunteer_id == volunteer_id)
        ).scalar_one()
    return bool(count)


def feed_volunteer(engine: Engine, commune_id: int, token: str) -> Volunteer | None:
    with reading(engine) as conn:
        volunteer_id = conn.execute(select(feed_t.c.volunteer_id).where(
            feed_t.c.token_hash == digest(token), feed_t.c.commune_id == commune_id,
        )).scalar()  # fmt: skip
    return volunteer(engine, commune_id, str(volunteer_id)) if volunteer_id else None
