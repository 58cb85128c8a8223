"""The survey's figures as the reports and the page write them (French numbers, points
of percentage, intervals), shared by the PDF, the workbook and the results page."""

from __future__ import annotations

from bippop_desk.registry.services.survey_results import (
    TOO_FEW,
    GroupResult,
    QuestionResult,
    SurveyResults,
)
from bippop_desk.registry.survey_stats import Interval


def number(value: float, decimals: int = 1) -> str:
    text = f"{value:,.{decimals}f}".replace(",", "\u202f").replace(".", ",")
    return text


def percent(share: float) -> str:
    return f"{number(share * 100, 0)} %"


def share_interval(interval: Interval) -> str:
    return f"{percent(interval.low)} – {percent(interval.high)}"


def mean_text(interval: Interval) -> str:
    return (
        f"{number(interval.estimate)} (IC 95 % : {number(interval.low)} – {number(interval.high)})"
    )


def margin_text(results: SurveyResults) -> str:
    margin = results.margin
    return "—" if margin is None else f"± {number(margin * 100)} points"


def rate_text(results: SurveyResults) -> str:
    rate = results.response_rate
    return "—" if rate is None else percent(rate)


def headline(question: QuestionResult) -> str:
    """The question's one figure (the share of "oui", a mean), or why there is none."""
    if question.hidden:
        return TOO_FEW
    kind = question.question.kind
    if kind == "oui_non" and question.shares:
        yes = question.shares[0].interval
        return f"{percent(yes.estimate)} de oui (IC 95 % : {share_interval(yes)})"
    if question.mean is not None:
        return f"moyenne {mean_text(question.mean)}"
    if kind == "texte":
        return f"{question.answered} réponses libres"
    if question.shares:
        top = max(question.shares, key=lambda s: s.count)
        return f"le plus cité : « {top.label} », {percent(top.interval.estimate)}"
    return ""


def group_text(question: QuestionResult, group: GroupResult) -> str:
    """One quartier's figure, only when it has enough answers ("trop peu…" otherwise)."""
    if not group.enough:
        return TOO_FEW
    if question.question.kind == "oui_non" and group.shares:
        yes = group.shares[0].interval
        return f"{percent(yes.estimate)} de oui ({share_interval(yes)})"
    if group.mean is not None:
        return mean_text(group.mean)
    return " ; ".join(f"{s.label} {percent(s.interval.estimate)}" for s in group.shares)


def group_name(name: str) -> str:
    return name or "Quartier non renseigné"
