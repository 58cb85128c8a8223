"""The questionnaire as the page shows and checks it: the `questions` JSON of a synced
`survey` record (the desk's bippop_desk/registry/services/survey_questions.py writes it;
the platform imports nothing from the desk, tests/central/test_survey_web.py checks both
read answers alike). Stored values are the desk's: oui/non 1/0, échelle 1…5, one choice
its number from 0, several choices the JSON list of numbers, a number, a text.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

KINDS = ("oui_non", "echelle", "choix_unique", "choix_multiple", "nombre", "texte")
MAX_TEXT = 2000
MAX_NUMBER = Decimal("9999999999")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029]")


@dataclass(frozen=True)
class Question:
    key: str
    kind: str
    text: str
    low_label: str = ""
    high_label: str = ""
    options: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None


@dataclass(frozen=True)
class Stored:
    value_num: str | None  # a decimal as the schema wants it ("4", "2.50")
    value_text: str
    skipped: bool


@dataclass
class Checked:
    answers: dict[str, Stored] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def read_questions(raw: str) -> list[Question]:
    try:
        items = json.loads(raw or "[]")
    except ValueError:
        return []
    questions = []
    for item in items if isinstance(items, list) else []:
        if isinstance(item, dict) and item.get("kind") in KINDS and item.get("key"):
            questions.append(
                Question(
                    str(item["key"]), str(item["kind"]), str(item.get("text", "")),
                    str(item.get("low_label", "")), str(item.get("high_label", "")),
                    tuple(str(o) for o in item.get("options") or ()),
                    _number(item.get("minimum")), _number(item.get("maximum")),
                )
            )  # fmt: skip
    return questions


def _fr(value: float) -> str:
    return f"{value:g}".replace(".", ",")


def check(question: Question, values: list[str]) -> Stored | str:
    """The stored value of what the form sent for one question, or the French reason.
    Nothing chosen or typed: the question is skipped ("ne souhaite pas répondre")."""
    typed = [v.strip() for v in values if v.strip()]
    if not typed:
        return Stored(None, "", True)
    kind, first = question.kind, typed[0]
    if kind == "oui_non":
        return Stored(first, "", False) if first in ("0", "1") else "Choisissez oui ou non."
    if kind == "echelle":
        if first in ("1", "2", "3", "4", "5"):
            return Stored(first, "", False)
        return "Choisissez une note de 1 à 5."
    if kind in ("choix_unique", "choix_multiple"):
        count = len(question.options)
        if not all(v.isdigit() and int(v) < count for v in typed):
            return "Choisissez parmi les réponses proposées."
        if kind == "choix_unique":
            return Stored(str(int(first)), "", False) if len(typed) == 1 else "Un seul choix."
        return Stored(None, json.dumps(sorted({int(v) for v in typed})), False)
    if kind == "nombre":
        try:
            number = Decimal(first.replace(" ", "").replace("\u202f", "").replace(",", "."))
        except InvalidOperation:
            return "Écrivez un nombre (par exemple 3 ou 2,5)."
        if not number.is_finite() or abs(number) > MAX_NUMBER:
            return "Ce nombre est trop grand."
        if question.minimum is not None and number < Decimal(str(question.minimum)):
            return f"Au moins {_fr(question.minimum)}."
        if question.maximum is not None and number > Decimal(str(question.maximum)):
            return f"Au plus {_fr(question.maximum)}."
        return Stored(str(number.quantize(Decimal("0.01"))), "", False)
    text = "\n".join(typed) if len(typed) > 1 else first
    if _CONTROL.search(text):
        return "Ce texte contient un caractère invisible : retirez-le."
    if len(text) > MAX_TEXT:
        return f"Ce texte est trop long ({MAX_TEXT} caractères au plus)."
    return Stored(None, text, False)


def check_all(questions: list[Question], form: dict[str, list[str]]) -> Checked:
    checked = Checked()
    if form.get("consentement") != ["oui"]:
        checked.errors["consentement"] = (
            "Cochez la case pour accepter de répondre (sinon, fermez simplement cette page)."
        )
    for question in questions:
        outcome = check(question, form.get(question.key, []))
        if isinstance(outcome, str):
            checked.errors[question.key] = outcome
        else:
            checked.answers[question.key] = outcome
    return checked
