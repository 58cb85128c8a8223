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
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bippop_desk.registry.permissions import require
from bippop_desk.registry.services.survey_questions import SCALE, Question
from bippop_desk.registry.services.surveys import SurveyView, get_survey
from bippop_desk.registry.store import Registry
from bippop_desk.registry.survey_stats import (
    Interval,
    achieved_margin,
    mean_interval,
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


# (contact, question, value_num, value_text, skipped, stratum) of the people who consented.
ANSWERS_SQL = """
SELECT a.contact_id, a.question, a.value_num, a.value_text, a.skipped, c.stratum
  FROM survey_answer a JOIN survey_contact c ON c.id = a.contact_id
 WHERE a.survey_id = ? AND a.deleted_at IS NULL AND c.deleted_at IS NULL AND c.consent = 1
"""
CONTACTS_SQL = """
SELECT state, count(*) FROM survey_contact WHERE survey_id = ? AND deleted_at IS NULL
 GROUP BY state
"""
# Names a free text could quote: every volunteer, and the people this survey asked.
NAMES_SQL = """
SELECT first_name, last_name FROM volunteer WHERE deleted_at IS NULL
UNION ALL
SELECT b.first_name, b.last_name FROM survey_contact c JOIN beneficiary b
    ON b.id = c.beneficiary_id WHERE c.survey_id = ?
UNION ALL
SELECT '', b.birth_name FROM survey_contact c JOIN beneficiary b
    ON b.id = c.beneficiary_id WHERE c.survey_id = ? AND b.birth_name != ''
"""

Row = tuple[str, str, float | None, str, int, str]


def read_answers(conn: sqlite3.Connection, survey_id: str) -> tuple[list[Row], dict[str, int]]:
    rows = conn.execute(ANSWERS_SQL, (survey_id,)).fetchall()
    contacts = dict(conn.execute(CONTACTS_SQL, (survey_id,)).fetchall())
    return rows, contacts


def _shares(labels: Sequence[str], counts: Sequence[int], n: int) -> list[Share]:
    return [
        Share(label, count, wilson(count, n)) for label, count in zip(labels, counts, strict=True)
    ]


def _figures(
    question: Question, values: list[tuple[float | None, str]]
) -> tuple[list[Share], Interval | None, float | None]:
    """Shares, mean and median of one question's answers (none skipped)."""
    n = len(values)
    if n == 0:
        return [], None, None
    kind = question.kind
    if kind == "oui_non":
        yes = sum(1 for v, _t in values if v == 1)
        return _shares(("Oui", "Non"), (yes, n - yes), n), None, None
    if kind == "echelle":
        counts = dict.fromkeys(SCALE, 0)
        for v, _t in values:
            if v is not None and int(v) in counts:
                counts[int(v)] += 1
        labels = [
            f"{level}"
            + (f" — {question.low_label}" if level == 1 else "")
            + (f" — {question.high_label}" if level == 5 else "")
            for level in SCALE
        ]
        shares = _shares(labels, [counts[level] for level in SCALE], n)
        mean = mean_interval_from_counts(counts)  # within the scale's own ends
        low, high = max(SCALE[0], mean.low), min(SCALE[-1], mean.high)
        return shares, Interval(mean.estimate, low, high), None
    if kind == "choix_unique":
        counts_list = [0] * len(question.options)
        for v, _t in values:
            if v is not None and 0 <= int(v) < len(counts_list):
                counts_list[int(v)] += 1
        return _shares(question.options, counts_list, n), None, None
    if kind == "choix_multiple":
        counts_list = [0] * len(question.options)
        for _v, text in values:
            for index in json.loads(text or "[]"):
                if 0 <= index < len(counts_list):
                    counts_list[index] += 1
        return _shares(question.options, counts_list, n), None, None
    if kind == "nombre":
        numbers = [float(v) for v, _t in values if v is not None]
        if not numbers:
            return [], None, None
        return [], mean_interval(numbers), statistics.median(numbers)
    return [], None, None


def compute_results(
    survey: SurveyView,
    rows: Iterable[Row],
    contacts: dict[str, int],
    known_names: frozenset[str] = frozenset(),
) -> SurveyResults:
    """Every figure of the survey from its answer rows (pure: no database)."""
    # One answer per person and question (two desks answering the same call at once
    # would leave two: the later row read wins).
    latest: dict[tuple[str, str], Row] = {}
    for row in rows:
        latest[(row[0], row[1])] = row
    by_question: dict[str, list[Row]] = {}
    for row in latest.values():
        by_question.setdefault(row[1], []).append(row)
    results = []
    for question in survey.questions:
        answers = by_question.get(question.key, [])
        given = [r for r in answers if not r[4]]
        shares, mean, median = _figures(question, [(r[2], r[3]) for r in given])
        texts: list[str] = []
        if question.kind == "texte" and len(given) >= MIN_GROUP:
            texts = shown_order(
                (pseudonymise(r[3], known_names) for r in given if r[3].strip()), survey.seed or 0
            )
        groups: list[GroupResult] = []
        strata = sorted({r[5] for r in given})
        if len(strata) > 1 and question.kind != "texte":
            for stratum in strata:
                mine = [(r[2], r[3]) for r in given if r[5] == stratum]
                g_shares, g_mean, _m = (
                    _figures(question, mine) if len(mine) >= MIN_COMPARE else ([], None, None)
                )
                groups.append(GroupResult(stratum, len(mine), g_shares, g_mean))
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
        names = name_words(
            part for pair in conn.execute(NAMES_SQL, (survey_id, survey_id)) for part in pair
        )
    results = compute_results(survey, rows, contacts, names)
    if any(q.texts for q in results.questions):
        log_event(registry, VIEW, "survey", "Réponses libres d'une enquête consultées", survey_id)
    return results
