"""One query string finds beneficiaries and volunteers, by name, phone or street.

The FTS5 index (`search_index`, kept by triggers, see migration 0001) folds accents
and case, so "helene" finds "Hélène" and "le goff" finds "Le Goff". A query that looks
like a phone number ("06 12 34 56 78", "+33 6 12", "0612") searches the digits of the
stored numbers by prefix. Results are ranked by bm25, names weighing most.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Literal

from bippop_desk.registry.phones import format_phone, phone_query_digits
from bippop_desk.registry.store import Registry

Kind = Literal["beneficiaire", "benevole"]
_KINDS: dict[str, Kind] = {"B": "beneficiaire", "V": "benevole"}
_WORD = re.compile(r"\w+", re.UNICODE)

MIN_QUERY_LENGTH = 2


@dataclass(frozen=True)
class SearchHit:
    kind: Kind
    id: str
    first_name: str
    last_name: str
    birth_date: dt.date | None
    phone: str  # shown the French way
    address: str
    status: str

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


def build_match(query: str) -> str | None:
    """The FTS5 MATCH expression for what the user typed, or None for "too short"."""
    digits = phone_query_digits(query)
    if digits is not None:
        return f'phones : "{digits}"*'
    words = _WORD.findall(query)
    if not words or sum(len(w) for w in words) < MIN_QUERY_LENGTH:
        return None
    # Every word must match (AND), each as a prefix; quoted so that FTS5 operators
    # typed by the user ("OR", "NEAR", "-") are taken as plain text.
    terms = " ".join(f'"{word}"*' for word in words)
    return "{names street} : (" + terms + ")"


_SQL = """
SELECT d.kind, d.record_id,
       coalesce(b.first_name, v.first_name), coalesce(b.last_name, v.last_name),
       b.birth_date, coalesce(b.phone, v.phone),
       coalesce(b.address_line, v.address_line), coalesce(b.city, v.city),
       coalesce(b.status, v.status)
  FROM (SELECT rowid AS docid, rank FROM search_index
         WHERE search_index MATCH ? ORDER BY rank LIMIT ?) AS s
  JOIN search_doc AS d ON d.docid = s.docid
  LEFT JOIN beneficiary AS b ON d.kind = 'B' AND b.id = d.record_id
  LEFT JOIN volunteer AS v ON d.kind = 'V' AND v.id = d.record_id
 ORDER BY s.rank
"""


def search_people(registry: Registry, query: str, limit: int = 20) -> list[SearchHit]:
    """Ranked matches among beneficiaries and volunteers (tombstones excluded).

    May run on any thread that owns no session; the desktop calls it from the DB worker.
    """
    match = build_match(query)
    if match is None:
        return []
    with registry.engine.connect() as conn:
        rows = conn.exec_driver_sql(_SQL, (match, limit)).fetchall()
    hits: list[SearchHit] = []
    for kind, record_id, first, last, birth, phone, street, city, status in rows:
        hits.append(
            SearchHit(
                kind=_KINDS[kind],
                id=record_id,
                first_name=first or "",
                last_name=last or "",
                birth_date=dt.date.fromisoformat(birth) if birth else None,
                phone=format_phone(phone or ""),
                address=", ".join(part for part in (street, city) if part),
                status=status or "",
            )
        )
    return hits
