"""The survey page's reads and writes on the platform's records.

The link names a `survey_contact` record by id; its secret is checked against the
record's `token_hash` (SHA-256, compared in constant time). The answers are written like
a push (the commune's counter row locked first, a sequence number per record), as
`survey_answer` records plus the contact's new state, so they flow down to the desks.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, select, update

from bippop_central.db import reading, writing
from bippop_central.fields import Invalid, check_record
from bippop_central.models import commune_t, record_t, utcnow
from bippop_central.push import lock_counter, retrying, save_counter
from bippop_central.survey_web.form import Question, Stored, read_questions

ORIGIN = "plateforme"
_LINK = re.compile(r"^([0-9a-f-]{36})\.([A-Za-z0-9_-]{20,100})$")


@dataclass(frozen=True)
class Found:
    """What a link leads to: `state` is ok, unknown, answered or closed."""

    state: str
    commune: str = ""  # its INSEE code (the pages' layout shows the commune's contact)
    title: str = ""
    intro: str = ""
    questions: tuple[Question, ...] = ()
    contact_id: str = ""
    commune_id: int = 0


UNKNOWN = Found("unknown")


def _iso(moment: dt.datetime) -> str:
    return moment.isoformat(timespec="microseconds")


def _records(conn: Connection, *record_ids: str) -> dict[str, Any]:
    rows = conn.execute(select(record_t).where(record_t.c.record_id.in_(record_ids))).mappings()
    return {row["record_id"]: row for row in rows}


def _look(conn: Connection, link: str) -> Found:
    match = _LINK.match(link)
    if match is None:
        return UNKNOWN
    contact_id, secret = match.groups()
    contact = _records(conn, contact_id).get(contact_id)
    if contact is None or contact["entity"] != "survey_contact" or contact["deleted"]:
        return UNKNOWN
    fields = contact["fields"]
    expected = str(fields.get("token_hash") or "")
    given = hashlib.sha256(secret.encode()).hexdigest()
    if not expected or not hmac.compare_digest(expected, given):
        return UNKNOWN
    survey_id = str(fields.get("survey_id") or "")
    survey = _records(conn, survey_id).get(survey_id)
    if (
        survey is None
        or survey["entity"] != "survey"
        or survey["commune_id"] != contact["commune_id"]
    ):
        return UNKNOWN
    insee = conn.execute(
        select(commune_t.c.insee_code).where(commune_t.c.id == contact["commune_id"])
    ).scalar()
    found = Found(
        "ok", str(insee or ""), str(survey["fields"].get("title", "")),
        str(survey["fields"].get("intro", "")),
        tuple(read_questions(str(survey["fields"].get("questions", "[]")))),
        contact_id, int(contact["commune_id"]),
    )  # fmt: skip
    if fields.get("state") == "repondu" or fields.get("answered_at"):
        return Found("answered", found.commune, found.title)
    if survey["deleted"] or survey["fields"].get("status") != "en_cours":
        return Found("closed", found.commune, found.title)
    return found


def look_up(engine: Engine, link: str) -> Found:
    with reading(engine) as conn:
        return _look(conn, link)


def save_answers(engine: Engine, link: str, answers: dict[str, Stored]) -> Found:
    """Write the answers and mark the contact answered, all or nothing. Returns what
    the link led to at that moment (answered by someone else meanwhile: nothing written)."""
    found: Found = retrying(_save, engine, link, answers)
    return found


def _save(engine: Engine, link: str, answers: dict[str, Stored]) -> Found:
    first = look_up(engine, link)
    if first.state != "ok":
        return first
    with writing(engine) as conn:
        seq = lock_counter(conn, first.commune_id)  # serialises the commune's writers
        found = _look(conn, link)  # again, under the lock: a link serves once
        if found.state != "ok":
            return found
        contact = _records(conn, found.contact_id)[found.contact_id]
        survey_id = str(contact["fields"]["survey_id"])
        now = _iso(utcnow())
        rows = []
        for key, stored in answers.items():
            seq += 1
            fields = {
                "survey_id": survey_id, "contact_id": found.contact_id, "question": key,
                "value_num": stored.value_num, "value_text": stored.value_text,
                "skipped": stored.skipped, "answered_at": now, "created_at": now,
                "updated_at": now, "row_version": 1, "deleted_at": None,
            }  # fmt: skip
            check_record("survey_answer", fields, {})
            rows.append({
                "record_id": str(uuid.uuid4()), "commune_id": found.commune_id,
                "entity": "survey_answer", "version": seq, "fields": fields, "extra": {},
                "field_versions": dict.fromkeys(fields, seq), "field_origins": {"": ""},
                "deleted": False, "erased": False, "origin_device": None,
                "updated_at": utcnow(),
            })  # fmt: skip
        if rows:
            conn.execute(record_t.insert(), rows)
        seq += 1
        changed: dict[str, Any] = {
            "state": "repondu", "consent": True, "consent_at": now, "consent_by": "En ligne",
            "answered_at": now, "updated_at": now,
            "row_version": int(contact["fields"].get("row_version") or 1) + 1,
        }  # fmt: skip
        contact_fields = {**contact["fields"], **changed}
        try:
            check_record("survey_contact", contact_fields, contact["extra"] or {})
        except Invalid:
            return UNKNOWN
        versions = {**contact["field_versions"], **dict.fromkeys(changed, seq)}
        # Written by the platform itself: no desk's earlier edit of these fields is "its own".
        origins = {**(contact["field_origins"] or {}), **dict.fromkeys(changed, ORIGIN)}
        conn.execute(
            update(record_t)
            .where(record_t.c.record_id == found.contact_id)
            .values(fields=contact_fields, version=seq, field_versions=versions,
                    field_origins=origins, origin_device=None, updated_at=utcnow())
        )  # fmt: skip
        save_counter(conn, found.commune_id, seq)
    return Found("answered", found.commune, found.title)
