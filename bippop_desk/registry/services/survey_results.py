"""The survey's figures: per question the counts, proportions with their Wilson 95 %
interval, the mean of a scale or a number with its interval; the margin of error the
answers obtained give (finite population) and the response rate; comparisons between
quartiers where each group has enough answers.

Pseudonymous by construction: nothing here carries a name or an id; a group (a
question's answers, a quartier's) under MIN_GROUP people is never shown; a quartier
under MIN_COMPARE answers is "trop peu de réponses", never a figure; free texts go
through survey_texts.pseudonymise. `compute_results` is pure (the bench times it with
the read); `survey_results` reads and journals that someone saw the free texts.
"""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import filterfalse, groupby
from operator import itemgetter

from bippop_desk.registry.permissions import require
from bippop_desk.registry.services.survey_questions import SCALE, Question
from bippop_desk.registry.services.surveys import SurveyView, get_survey
from bippop_desk.registry.store import Registry
from bippop_desk.registry.survey_stats import (
    Interval,
    achieved_margin,
    mean_interval_from_counts,
    wilson,
)
from bippop_desk.registry.survey_texts import name_words, pseudonymise, shown_order

MIN_GROUP = 5  # fewer people than this: never shown
MIN_COMPARE = 30  # answers a quartier needs to be compared with the others
TOO_FEW = "trop peu de réponses"


@dataclass(frozen=True)
class Share:
    label: str
    count: int
    interval: Interval  # the proportion and its Wilson interval


@dataclass(frozen=True)
class GroupResult:
    name: str
    answered: int
    shares: list[Share]
    mean: Interval | None

    @property
    def enough(self) -> bool:
        return self.answered >= MIN_COMPARE


@dataclass(frozen=True)
class QuestionResult:
    question: Question
    answered: int
    skipped: int
    shares: list[Share]
    mean: Interval | None
    median: float | None
    texts: list[str]
    groups: list[GroupResult]

    @property
    def hidden(self) -> bool:
        return self.answered < MIN_GROUP


@dataclass(frozen=True)
class SurveyResults:
    survey: SurveyView
    population: int
    contacts: dict[str, int]  # state → people
    respondents: int
    questions: list[QuestionResult]

    @property
    def asked(self) -> int:
        return sum(self.contacts.values())

    @property
    def response_rate(self) -> float | None:
        return self.respondents / self.asked if self.asked else None

    @property
    def margin(self) -> float | None:
        """The margin of error (0.05 = ± 5 points) the answers obtained give."""
        return achieved_margin(self.respondents, self.population)


# The answers, and apart the people who consented with their quartier: joined in
# Python, cheaper than 35,000 lookups of the contact rows; no ORDER BY (walking the index
# for the order costs a row lookup per answer: sorted in Python instead).
ANSWERS_SQL = """
SELECT contact_id, question, value_num, value_text, skipped FROM survey_answer
 WHERE survey_id = ? AND deleted_at IS NULL
"""
CONSENTED_SQL = """
SELECT id, stratum FROM survey_contact WHERE survey_id = ? AND deleted_at IS NULL AND consent = 1
"""
CONTACTS_SQL = """
SELECT state, count(*) FROM survey_contact WHERE survey_id = ? AND deleted_at IS NULL
 GROUP BY state
"""
# Names a free text could quote: every volunteer, and the people this survey asked.
NAMES_SQL = """
SELECT first_name || ' ' || last_name FROM volunteer WHERE deleted_at IS NULL
UNION
SELECT b.first_name || ' ' || b.last_name || ' ' || b.birth_name
  FROM survey_contact c JOIN beneficiary b ON b.id = c.beneficiary_id WHERE c.survey_id = ?
"""

Row = tuple[str, str, float | None, str, int, str]


def read_answers(conn: sqlite3.Connection, survey_id: str) -> tuple[list[Row], dict[str, int]]:
    """(contact, question, value_num, value_text, skipped, stratum) of the people who
    consented, and how many people are in each state."""
    strata = dict(conn.execute(CONSENTED_SQL, (survey_id,)).fetchall())
    rows = [
        (*row, strata[row[0]])
        for row in conn.execute(ANSWERS_SQL, (survey_id,))
        if row[0] in strata
    ]
    contacts = dict(conn.execute(CONTACTS_SQL, (survey_id,)).fetchall())
    return rows, contacts


def _shares(labels: Sequence[str], counts: Sequence[int], n: int) -> list[Share]:
    return [
        Share(label, count, wilson(count, n)) for label, count in zip(labels, counts, strict=True)
    ]


Value = float | str | None  # value_num, or value_text for several choices


_QUESTION = itemgetter(1)
_SKIPPED = itemgetter(4)


def _median(counts: dict[float, int], n: int) -> float:
    ordered = sorted(counts.items())
    low_rank, high_rank = (n - 1) // 2, n // 2  # 0-based ranks of the middle values
    seen, low = 0, None
    for value, count in ordered:
        if low is None and seen + count > low_rank:
            low = value
        if seen + count > high_rank:
            assert low is not None
            return (low + value) / 2
        seen += count
    raise AssertionError("unreachable")


def _figures(
    question: Question, counts: Counter[Value]
) -> tuple[list[Share], Interval | None, float | None]:
    """Shares, mean and median of one question's answers (none skipped), from how many
    gave each distinct value: one pass over the rows, then work per distinct value."""
    n = sum(counts.values())
    if n == 0:
        return [], None, None
    kind = question.kind
    if kind == "oui_non":
        yes = sum(c for v, c in counts.items() if v == 1)
        return _shares(("Oui", "Non"), (yes, n - yes), n), None, None
    if kind == "echelle":
        levels = dict.fromkeys(SCALE, 0)
        for v, c in counts.items():
            if isinstance(v, float | int) and int(v) in levels:
                levels[int(v)] += c
        labels = [
            f"{level}"
            + (f" — {question.low_label}" if level == 1 else "")
            + (f" — {question.high_label}" if level == 5 else "")
            for level in SCALE
        ]
        shares = _shares(labels, [levels[level] for level in SCALE], n)
        mean = mean_interval_from_counts({float(k): c for k, c in levels.items()})
        low, high = max(SCALE[0], mean.low), min(SCALE[-1], mean.high)
        return shares, Interval(mean.estimate, low, high), None
    options = len(question.options)
    if kind == "choix_unique":
        chosen = [0] * options
        for v, c in counts.items():
            if isinstance(v, float | int) and 0 <= int(v) < options:
                chosen[int(v)] += c
        return _shares(question.options, chosen, n), None, None
    if kind == "choix_multiple":
        chosen = [0] * options
        for text, c in counts.items():
            for index in json.loads(str(text or "[]")):
                if 0 <= index < options:
                    chosen[index] += c
        return _shares(question.options, chosen, n), None, None
    if kind == "nombre":
        numbers = {float(v): c for v, c in counts.items() if isinstance(v, float | int)}
        total = sum(numbers.values())
        if not total:
            return [], None, None
        return [], mean_interval_from_counts(numbers), _median(numbers, total)
    return [], None, None


def compute_results(
    survey: SurveyView,
    rows: Iterable[Row],
    contacts: dict[str, int],
    known_names: frozenset[str] = frozenset(),
) -> SurveyResults:
    """Every figure of the survey from its answer rows (pure: no database)."""
    # One answer per person and question (two desks answering the same call at once
    # would leave two: the later row read wins). The rows are put in question order (one
    # sort); grouping and counting go through C-level itemgetter/Counter/groupby: a
    # survey of 5,000 people is 35,000 rows (bench `survey`).
    rows = list(rows)
    latest = dict(zip(map(itemgetter(0, 1), rows), rows, strict=True))
    by_question = {
        key: list(group)
        for key, group in groupby(sorted(latest.values(), key=_QUESTION), key=_QUESTION)
    }
    results = []
    for question in survey.questions:
        answers = by_question.get(question.key, [])
        given = list(filterfalse(_SKIPPED, answers))
        kind = question.kind
        value = 3 if kind == "choix_multiple" else 2
        pairs: Counter[tuple[str, Value]] = Counter(map(itemgetter(5, value), given))
        overall: Counter[Value] = Counter()
        by_stratum: dict[str, Counter[Value]] = {}
        for (stratum, v), count in pairs.items():
            overall[v] += count
            by_stratum.setdefault(stratum, Counter())[v] += count
        shares, mean, median = _figures(question, overall)
        texts: list[str] = []
        if kind == "texte" and len(given) >= MIN_GROUP:
            texts = shown_order(
                (pseudonymise(r[3], known_names) for r in given if r[3].strip()), survey.seed or 0
            )
        groups: list[GroupResult] = []
        if len(by_stratum) > 1 and kind != "texte":
            for stratum in sorted(by_stratum):
                mine = by_stratum[stratum]
                answered = sum(mine.values())
                g_shares, g_mean, _m = (
                    _figures(question, mine) if answered >= MIN_COMPARE else ([], None, None)
                )
                groups.append(GroupResult(stratum, answered, g_shares, g_mean))
        results.append(
            QuestionResult(
                question, len(given), len(answers) - len(given), shares, mean, median, texts, groups
            )
        )
    respondents = contacts.get("repondu", 0)
    population = survey.population or sum(contacts.values())
    return SurveyResults(survey, population, contacts, respondents, results)


def survey_results(registry: Registry, survey_id: str) -> SurveyResults:
    """The results as the page, the PDF and the workbook show them (DB worker)."""
    from bippop_desk.registry.services.audit_trail import VIEW, log_event

    require(registry, "survey.manage", record_id=survey_id)
    survey = get_survey(registry, survey_id)
    with registry.raw() as conn:
        rows, contacts = read_answers(conn, survey_id)
        names = name_words(row[0] for row in conn.execute(NAMES_SQL, (survey_id,)))
    results = compute_results(survey, rows, contacts, names)
    if any(q.texts for q in results.questions):
        log_event(registry, VIEW, "survey", "Réponses libres d'une enquête consultées", survey_id)
    return results
