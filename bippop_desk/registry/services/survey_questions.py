"""Questions of a questionnaire: their kinds, the JSON they are kept in (the `questions`
column of `survey`, read by the platform's web page too: bippop_central/survey_form.py
reads the same shape), the checks of a questionnaire, and how a typed answer becomes a
stored value. Pure functions: no database.

Stored values (`survey_answer`): oui/non → value_num 1/0; échelle → 1…5; un choix →
the option's number from 0; nombre → the number; plusieurs choix → value_text, the JSON
list of option numbers; texte → value_text.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field, replace
from decimal import Decimal, InvalidOperation
from typing import Any

from bippop_desk.registry.errors import ValidationError
from bippop_desk.registry.services.validation import text as text_error

KINDS = {
    "oui_non": "Oui / non",
    "echelle": "Échelle de 1 à 5",
    "choix_unique": "Un seul choix",
    "choix_multiple": "Plusieurs choix",
    "nombre": "Nombre",
    "texte": "Texte libre",
}
SCALE = (1, 2, 3, 4, 5)
MAX_QUESTIONS = 40
MAX_OPTIONS = 9  # one key each on the call screen (1…9)
MAX_ANSWER_TEXT = 2000
MAX_NUMBER = Decimal("9999999999")  # value_num is Numeric(12, 2)
YES = {"o", "oui", "1", "y"}
NO = {"n", "non", "0"}


@dataclass(frozen=True)
class Question:
    key: str
    kind: str
    text: str
    low_label: str = ""  # échelle: what 1 means
    high_label: str = ""  # échelle: what 5 means
    options: tuple[str, ...] = field(default_factory=tuple)
    minimum: float | None = None  # nombre
    maximum: float | None = None

    @property
    def kind_label(self) -> str:
        return KINDS.get(self.kind, self.kind)


@dataclass(frozen=True)
class Answer:
    """A stored value: what `survey_answer` holds for one question."""

    value_num: Decimal | None = None
    value_text: str = ""
    skipped: bool = False


SKIPPED = Answer(skipped=True)


def questions_from_json(raw: str) -> list[Question]:
    try:
        items = json.loads(raw or "[]")
    except ValueError:
        return []
    questions = []
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, dict):
            continue
        questions.append(
            Question(
                key=str(item.get("key", "")),
                kind=str(item.get("kind", "")),
                text=str(item.get("text", "")),
                low_label=str(item.get("low_label", "")),
                high_label=str(item.get("high_label", "")),
                options=tuple(str(o) for o in item.get("options") or ()),
                minimum=_number_or_none(item.get("minimum")),
                maximum=_number_or_none(item.get("maximum")),
            )
        )
    return questions


def _number_or_none(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def questions_to_json(questions: list[Question]) -> str:
    items = []
    for question in questions:
        item: dict[str, Any] = {k: v for k, v in asdict(question).items() if v not in ("", None)}
        item["options"] = list(question.options)
        items.append(item)
    return json.dumps(items, ensure_ascii=False, separators=(",", ":"))


def with_keys(questions: list[Question]) -> list[Question]:
    """Give new questions (empty key) the next free key q1, q2…: a question keeps its
    key when edited or moved, so answers never change meaning."""
    used = {q.key for q in questions if q.key}
    numbers = [int(k[1:]) for k in used if re.fullmatch(r"q\d+", k)]
    next_number = max(numbers, default=0) + 1
    result = []
    for question in questions:
        if not question.key:
            question = replace(question, key=f"q{next_number}")
            next_number += 1
        result.append(question)
    return result


def questionnaire_errors(questions: list[Question]) -> dict[str, str]:
    """French messages, keyed `questions` or `question_N` (N from 1)."""
    if not questions:
        return {"questions": "Ajoutez au moins une question."}
    if len(questions) > MAX_QUESTIONS:
        return {"questions": f"{MAX_QUESTIONS} questions au plus."}
    errors: dict[str, str] = {}
    keys = [q.key for q in questions]
    if len(set(keys)) != len(keys):
        errors["questions"] = "Deux questions ont la même clé."
    for number, question in enumerate(questions, start=1):
        message = _question_error(question)
        if message:
            errors[f"question_{number}"] = f"Question {number} : {message}"
    return errors


def _question_error(question: Question) -> str | None:
    if question.kind not in KINDS:
        return "choisissez le type de question."
    if not question.text.strip():
        return "écrivez la question."
    for value in (question.text, question.low_label, question.high_label, *question.options):
        message = text_error(value, 300)
        if message:
            return message[0].lower() + message[1:]
    ends = question.low_label.strip() and question.high_label.strip()
    if question.kind == "echelle" and not ends:
        return "nommez les deux bouts de l'échelle (ce que veulent dire 1 et 5)."
    if question.kind in ("choix_unique", "choix_multiple"):
        options = [o.strip() for o in question.options]
        if len(options) < 2 or not all(options):
            return "donnez au moins deux choix (un par ligne)."
        if len(options) > MAX_OPTIONS:
            return f"{MAX_OPTIONS} choix au plus (une touche chacun au téléphone)."
        if len(set(options)) != len(options):
            return "deux choix sont identiques."
    if (
        question.kind == "nombre"
        and question.minimum is not None
        and question.maximum is not None
        and question.minimum > question.maximum
    ):
        return "le minimum est plus grand que le maximum."
    return None


def parse_answer(question: Question, raw: str) -> Answer:
    """The stored value of what was typed (the call screen's keys, the web form's
    values), or ValidationError with the French reason under the key `answer`."""
    typed = raw.strip()
    if question.kind == "oui_non":
        if typed.lower() in YES:
            return Answer(Decimal(1))
        if typed.lower() in NO:
            return Answer(Decimal(0))
        raise ValidationError.single("answer", "Répondez O (oui) ou N (non).")
    if question.kind == "echelle":
        if typed in {str(level) for level in SCALE}:
            return Answer(Decimal(typed))
        raise ValidationError.single("answer", "Tapez un chiffre de 1 à 5.")
    if question.kind == "choix_unique":
        index = _option(question, typed)
        return Answer(Decimal(index))
    if question.kind == "choix_multiple":
        parts = [p for p in re.split(r"[\s,;]+", typed) if p]
        if len(parts) == 1 and len(parts[0]) > 1 and parts[0].isdigit():
            parts = list(parts[0])  # "13" typed for choices 1 and 3
        if not parts:
            raise ValidationError.single("answer", "Choisissez au moins un choix.")
        indexes = sorted({_option(question, p) for p in parts})
        return Answer(value_text=json.dumps(indexes))
    if question.kind == "nombre":
        return Answer(_number(question, typed))
    if question.kind == "texte":
        message = text_error(typed, MAX_ANSWER_TEXT, multiline=True)
        if message:
            raise ValidationError.single("answer", message)
        if not typed:
            raise ValidationError.single("answer", "Écrivez la réponse (ou passez la question).")
        return Answer(value_text=typed)
    raise ValidationError.single("answer", "Type de question inconnu.")


def _option(question: Question, typed: str) -> int:
    count = len(question.options)
    if typed.isdigit() and 1 <= int(typed) <= count:
        return int(typed) - 1
    raise ValidationError.single("answer", f"Tapez le numéro d'un choix, de 1 à {count}.")


def _number(question: Question, typed: str) -> Decimal:
    try:
        value = Decimal(typed.replace(" ", "").replace("\u202f", "").replace(",", "."))
    except InvalidOperation:
        raise ValidationError.single("answer", "Tapez un nombre (par exemple 3 ou 2,5).") from None
    if not value.is_finite() or abs(value) > MAX_NUMBER:
        raise ValidationError.single("answer", "Ce nombre est trop grand.")
    if question.minimum is not None and value < Decimal(str(question.minimum)):
        raise ValidationError.single("answer", f"Au moins {_fr(question.minimum)}.")
    if question.maximum is not None and value > Decimal(str(question.maximum)):
        raise ValidationError.single("answer", f"Au plus {_fr(question.maximum)}.")
    return value.quantize(Decimal("0.01"))


def _fr(value: float) -> str:
    return (f"{value:g}").replace(".", ",")


def answer_text(question: Question, answer: Answer) -> str:
    """The answer as the caller reads it back ("Oui", "4 — …", "Trop rares, …")."""
    if answer.skipped:
        return "Ne souhaite pas répondre"
    if question.kind == "oui_non":
        return "Oui" if answer.value_num == 1 else "Non"
    if question.kind == "echelle" and answer.value_num is not None:
        level = int(answer.value_num)
        end = question.low_label if level == 1 else question.high_label if level == 5 else ""
        return f"{level}" + (f" ({end})" if end else "")
    if question.kind == "choix_unique" and answer.value_num is not None:
        index = int(answer.value_num)
        return question.options[index] if index < len(question.options) else "?"
    if question.kind == "choix_multiple":
        indexes = json.loads(answer.value_text or "[]")
        return ", ".join(question.options[i] for i in indexes if i < len(question.options))
    if question.kind == "nombre" and answer.value_num is not None:
        return _fr(float(answer.value_num))
    return answer.value_text


# -- the ready questionnaire -------------------------------------------------------------------
MODEL_TITLE = "Isolement et aide reçue"
MODEL_INTRO = (
    "Bonjour, je vous appelle de la mairie au sujet de l'accompagnement Bip Pop dont vous "
    "bénéficiez. Nous demandons leur avis aux personnes accompagnées pour améliorer ce "
    "service. Cela prend environ cinq minutes ; vos réponses restent anonymes dans les "
    "résultats et vous pouvez ne pas répondre à une question. Acceptez-vous de répondre ?"
)

MODEL_INTRO_ONLINE = (
    "La mairie demande leur avis à celles et ceux qui font vivre l'entraide Bip Pop, pour "
    "l'améliorer. Cela prend environ cinq minutes ; vos réponses restent anonymes dans les "
    "résultats et vous pouvez ne pas répondre à une question."
)


def model_intro(audience: str) -> str:
    """The ready intro: read on the phone to the people helped, shown online otherwise."""
    return MODEL_INTRO if audience == "beneficiaires" else MODEL_INTRO_ONLINE


def model_questions() -> list[Question]:
    """The ready French questionnaire on isolation and the help received (editable)."""
    return [
        Question("q1", "echelle",
                 "Depuis que vous êtes accompagné·e, vous sentez-vous moins seul·e ?",
                 low_label="Pas du tout", high_label="Beaucoup moins seul·e"),
        Question("q2", "oui_non",
                 "Recommanderiez-vous cet accompagnement à une personne de votre entourage ?"),
        Question("q3", "choix_unique", "Le rythme des visites ou des appels vous convient-il ?",
                 options=("Trop rare", "Comme il faut", "Trop fréquent")),
        Question("q4", "choix_multiple", "Qu'est-ce que cet accompagnement a changé pour vous ?",
                 options=("Je parle plus souvent avec quelqu'un", "Je sors plus souvent",
                          "Je me sens plus en sécurité chez moi",
                          "Je fais plus facilement mes démarches", "Rien de particulier")),
        Question("q5", "echelle", "Êtes-vous satisfait·e de la personne bénévole qui vous aide ?",
                 low_label="Pas du tout satisfait·e", high_label="Très satisfait·e"),
        Question("q6", "nombre",
                 "Combien de fois par semaine parlez-vous avec quelqu'un (famille, voisins, "
                 "bénévoles) ?", minimum=0, maximum=100),
        Question("q7", "texte",
                 "Voulez-vous nous dire autre chose sur ce qui a changé pour vous ?"),
    ]  # fmt: skip
