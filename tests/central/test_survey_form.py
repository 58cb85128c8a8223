"""The platform's survey page stores what the desk's call screen stores for the same
answer (bippop_central/survey_web/form.py is a copy: the server imports nothing from the
desk), and reads the questionnaire the desk writes."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bippop_central.survey_web.form import Stored, check, read_questions
from bippop_desk.registry.errors import ValidationError
from bippop_desk.registry.services.survey_questions import (
    model_questions,
    parse_answer,
    questions_to_json,
)

QUESTIONS = {q.key: q for q in model_questions()}
WEB = {q.key: q for q in read_questions(questions_to_json(model_questions()))}


def test_the_page_reads_every_question_the_desk_writes() -> None:
    assert [(q.key, q.kind, q.text, q.options) for q in WEB.values()] == [
        (q.key, q.kind, q.text, q.options) for q in QUESTIONS.values()
    ]
    assert WEB["q6"].maximum == 100 and WEB["q1"].low_label == "Pas du tout"


@pytest.mark.parametrize(
    ("key", "desk", "web"),
    [("q1", "4", ["4"]), ("q2", "o", ["1"]), ("q2", "n", ["0"]), ("q3", "2", ["1"]),
     ("q4", "1 3", ["0", "2"]), ("q6", "2,5", ["2,5"]), ("q6", "12", ["12"]),
     ("q7", "Très bien", ["Très bien"])],
)  # fmt: skip
def test_the_same_answer_is_stored_alike(key: str, desk: str, web: list[str]) -> None:
    mine = parse_answer(QUESTIONS[key], desk)
    theirs = check(WEB[key], web)
    assert isinstance(theirs, Stored)
    number = None if theirs.value_num is None else Decimal(theirs.value_num)
    assert (mine.value_num, mine.value_text, mine.skipped) == (number, theirs.value_text, False)


@pytest.mark.parametrize(
    ("key", "desk", "web"),
    [("q1", "6", ["6"]), ("q3", "4", ["3"]), ("q6", "101", ["101"]), ("q6", "x", ["x"])],
)
def test_the_same_answer_is_refused_alike(key: str, desk: str, web: list[str]) -> None:
    with pytest.raises(ValidationError):
        parse_answer(QUESTIONS[key], desk)
    assert isinstance(check(WEB[key], web), str)
