"""One query string finds beneficiaries and volunteers, by name, phone or street.

The FTS5 index (`search_index`, kept by triggers, see migrations 0001 and 0006) holds
names and streets folded by `textkeys` (accents, case, œ/æ/ß/ø/ł/ı…, full-width and
decomposed letters), names also joined ("legoff", "dalembert"); the query is folded by
the same function, so "helene" finds "Hélène" and "oeuvray" finds "Œuvray". Only the
first `MAX_QUERY_WORDS` words of a query count: a pasted page costs what a name costs.
A query that looks
like a phone number ("06 12 34 56 78", "+33 6 12", "0612") searches the digits of the
stored numbers by prefix. Results are ranked by bm25, names weighing most.

Speed (every keystroke is one search, 100,000 people, p95 ≤ 5 ms — `bench/search.py`):
bm25 costs about 2 µs for every matching row, plus a scan of each word's whole list to
weigh it, so a ranked "ma" or "rue" (20,000–80,000 rows) takes 30–130 ms. Hence:
- Phone digits are not ranked (bm25 says nothing about digits): the first matches.
- Names and streets are ranked by bm25 when at most `RANKED_UP_TO` people match,
  which is what the search exists for ("helene le goff", "solferino le").
  A query matching more people (one or two letters, a first name alone) is a sample
  until the next keystroke narrows it: people whose *name* matches come first.
- A one-letter word ("helene l", "rue de l'e") would make FTS5 merge the lists of
  every word starting with that letter (no one-letter prefix index): it is left out
  of the FTS5 query and checked on the matching rows' text instead.
"""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Literal

from bippop_desk.registry.phones import format_phone, phone_query_digits, phone_search_tokens
from bippop_desk.registry.textkeys import query_words

if TYPE_CHECKING:
    from bippop_desk.registry.reader import Reader

Kind = Literal["beneficiaire", "benevole"]
_KINDS: dict[str, Kind] = {"B": "beneficiaire", "V": "benevole"}
MIN_QUERY_LENGTH = 2
# A name and a street are a few words; more is a paste, and each word costs a merge
# of its posting lists: the first words are enough to find the person.
MAX_QUERY_WORDS = 8
# What the phone test looks at: no phone number is longer.
MAX_PHONE_QUERY_CHARS = 40
# Up to this many matching people, bm25 ranks them all (≈1 ms); beyond, see above.
RANKED_UP_TO = 300
# Beyond, the rows looked at (per 20 results asked) to put name matches first.
SAMPLE_PER_20 = 100
NAMES_AND_STREET = "{names street}"


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


def _terms(words: Iterable[str]) -> str:
    # Every word must match (AND), each as a prefix; quoted so that FTS5 operators
    # typed by the user ("OR", "NEAR", "-") are taken as plain text.
    return " ".join(f'"{word}"*' for word in words)


def _query(query: str) -> tuple[str | None, list[str]]:
    """The phone digits the query asks for, or its folded words (at most MAX_QUERY_WORDS)."""
    digits = phone_query_digits(query) if len(query) <= MAX_PHONE_QUERY_CHARS else None
    if digits is not None:
        return digits, []
    words = query_words(query)[:MAX_QUERY_WORDS]
    if sum(len(w) for w in words) < MIN_QUERY_LENGTH:
        return None, []
    return None, words


def build_match(query: str) -> str | None:
    """The FTS5 MATCH expression for what the user typed, or None for "too short"."""
    digits, words = _query(query)
    if digits is not None:
        return f'phones : "{digits}"*'
    if not words:
        return None
    return NAMES_AND_STREET + " : (" + _terms(words) + ")"


# -- the search --------------------------------------------------------------------
_PEOPLE_SQL = """
SELECT d.docid, d.kind, d.record_id,
       coalesce(b.first_name, v.first_name), coalesce(b.last_name, v.last_name),
       b.birth_date, coalesce(b.phone, v.phone),
       coalesce(b.address_line, v.address_line), coalesce(b.city, v.city),
       coalesce(b.status, v.status), b.phone_secondary
  FROM search_doc AS d
  LEFT JOIN beneficiary AS b ON d.kind = 'B' AND b.id = d.record_id
  LEFT JOIN volunteer AS v ON d.kind = 'V' AND v.id = d.record_id
 WHERE d.docid IN ({marks})
"""
_UNRANKED = "SELECT rowid FROM search_index WHERE search_index MATCH ? LIMIT ?"
_RANKED = "SELECT rowid FROM search_index WHERE search_index MATCH ? ORDER BY rank LIMIT ?"
_TEXT = "SELECT rowid, names, street FROM search_index WHERE search_index MATCH ? LIMIT ?"


def search_people(registry: Reader, query: str, limit: int = 20) -> list[SearchHit]:
    """Ranked matches among beneficiaries and volunteers (tombstones excluded).

    May run on any thread that owns no session; the desktop calls it from the DB worker.
    """
    if limit <= 0:
        return []
    digits, words = _query(query)
    if digits is None and not words:
        return []
    # Plain sqlite3 under the pool: these few statements are the whole cost of a keystroke.
    with registry.raw() as conn:
        if digits is not None:
            docids = _ids(conn, _UNRANKED, f'phones : "{digits}"*', limit)
        else:
            docids = _text_docids(conn, words, limit)
        rows = _people(conn, docids)
    return [_hit(rows[docid], digits) for docid in docids if docid in rows]


def _ids(conn: sqlite3.Connection, sql: str, match: str, limit: int) -> list[int]:
    return [row[0] for row in conn.execute(sql, (match, limit))]


def _text_docids(conn: sqlite3.Connection, words: list[str], limit: int) -> list[int]:
    letters = [word for word in words if len(word) == 1 and word.isalnum()]
    longer = [word for word in words if word not in letters]
    if not longer:  # only one-letter words ("a b"): FTS5 does it all
        longer, letters = words, []
    match = f"{NAMES_AND_STREET} : ({_terms(longer)})"
    if not letters and len(_ids(conn, _UNRANKED, match, RANKED_UP_TO + 1)) <= RANKED_UP_TO:
        return _ids(conn, _RANKED, match, limit)
    # Too many to rank, or a one-letter word to check: the first matching rows with
    # their text (all of them when few), people matched by name first.
    sample = max(SAMPLE_PER_20, SAMPLE_PER_20 * limit // 20)
    patterns = [_word_start(word) for word in words]
    checked = [_word_start(letter) for letter in letters]
    scored: list[tuple[int, int]] = []  # (-words found in the name, docid)
    best = 0
    for docid, names, street in conn.execute(_TEXT, (match, max(RANKED_UP_TO, sample))):
        if all(p.search(names) or p.search(street) for p in checked):
            # The more words match the name the better, as bm25 weighs names most.
            in_name = sum(1 for p in patterns if p.search(names))
            scored.append((-in_name, docid))
            best += in_name == len(patterns)
            if best >= limit or len(scored) >= sample:
                break
    scored.sort(key=lambda item: item[0])  # stable: the index's order within
    return [docid for _, docid in scored[:limit]]


def _people(conn: sqlite3.Connection, docids: Sequence[int]) -> dict[int, tuple[object, ...]]:
    if not docids:
        return {}
    sql = _PEOPLE_SQL.format(marks=",".join("?" * len(docids)))
    return {row[0]: row for row in conn.execute(sql, docids)}


def _matched_phone(phone: str, secondary: str, digits: str | None) -> str:
    """The number to show: the second one when the query's digits found that one."""
    if digits and secondary:
        found_first = any(t.startswith(digits) for t in phone_search_tokens(phone).split())
        if not found_first and any(
            t.startswith(digits) for t in phone_search_tokens(secondary).split()
        ):
            return secondary
    return phone


def _hit(row: tuple[object, ...], digits: str | None = None) -> SearchHit:
    _, kind, record_id, first, last, birth, phone, street, city, status, secondary = row
    phone = _matched_phone(str(phone or ""), str(secondary or ""), digits)
    return SearchHit(
        kind=_KINDS[str(kind)],
        id=str(record_id),
        first_name=str(first or ""),
        last_name=str(last or ""),
        birth_date=dt.date.fromisoformat(str(birth)) if birth else None,
        phone=format_phone(phone),
        address=", ".join(str(part) for part in (street, city) if part),
        status=str(status or ""),
    )


# -- words checked on the text as FTS5 would ------------------------------------------
@lru_cache(maxsize=1024)
def _word_start(word: str) -> re.Pattern[str]:
    """Matches a word of the indexed text starting with `word`. Both are folded by
    `textkeys`, so plain lower-case text: no accent or case classes needed."""
    return re.compile(r"(?<![^\W_])" + re.escape(word))
