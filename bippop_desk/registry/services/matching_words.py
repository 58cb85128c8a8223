"""The French reasons of the returned suggestions (worded only for the winners)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from bippop_desk.registry.frdates import short_date, short_time, weekday_name
from bippop_desk.registry.phones import format_phone
from bippop_desk.registry.services.matching_types import (
    Candidate,
    Reason,
    Suggestion,
    Target,
)


# -- wording ------------------------------------------------------------------------
def _day(iso: str) -> str:
    """ "2026-11-24" → "24/11/2026" (the French short date, without a babel call)."""
    return f"{iso[8:10]}/{iso[5:7]}/{iso[0:4]}"


def _count(hit: int, total: int) -> str:
    return f"{hit} séance{'s' if hit > 1 else ''} sur {total}"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'s' if count > 1 else ''}"


class Wording:
    """French reasons for the returned suggestions; what all share is worded once."""

    def __init__(self, target: Target, week_start: dt.date, this_week: bool) -> None:
        self.target = target
        self.n = len(target.occurrences)
        self.when = ""
        if self.n:
            first = target.occurrences[0]
            hours = f"{short_time(first.start)}–{short_time(first.end)}"
            weekday = weekday_name(first.start.weekday())
            self.when = (
                f"le {weekday} {hours}"
                if target.recurring
                else f"le {weekday} {short_date(first.day)} {hours}"
            )
        self.quoted = f"« {target.type_label} »"
        self.week = "cette semaine" if this_week else f"la semaine du {short_date(week_start)}"

    def suggestion(self, c: Candidate, details: Sequence[Any]) -> Suggestion:
        _id, first, last, phone, quartier = details
        target, n = self.target, self.n
        reasons: list[Reason] = []
        if n:
            if c.busy:
                dates = ", ".join(
                    f"{_day(v.day.isoformat())} {short_time(v.start)}" for v in c.busy[:3]
                )
                more = f" ({_count(len(c.busy), n)})" if n > 1 else ""
                reasons.append(Reason("busy", f"Déjà une intervention : {dates}{more}", "blocking"))
            if c.outside:
                reasons.append(
                    Reason(
                        "outside_slots",
                        f"En dehors de ses disponibilités ({self.when})",
                        "negative",
                    )
                )
            elif not c.absent and not c.busy:
                reasons.append(Reason("available", f"Disponible {self.when}", "positive"))
            if c.absent and c.absence is not None:
                start, end, why = c.absence
                span = f"le {_day(start)}" if start == end else f"du {_day(start)} au {_day(end)}"
                label = f"Absent·e {span}" + (f" ({why.lower()})" if why else "")
                if n > 1:
                    label += f" : {_count(c.absent, n)}"
                reasons.append(Reason("absent", label, "negative"))
        if c.offers:
            reasons.append(Reason("offers_type", f"Propose {self.quoted}", "positive"))
        else:
            reasons.append(Reason("no_offer", f"Ne propose pas {self.quoted}", "negative"))
        if target.needs_car:
            if c.has_car:
                reasons.append(Reason("has_car", "A une voiture (nécessaire ici)", "positive"))
            else:
                reasons.append(
                    Reason(
                        "no_car", f"N'a pas de voiture, nécessaire pour {self.quoted}", "negative"
                    )
                )
        if c.knows:
            last = f", la dernière le {_day(c.last_visit)}" if c.last_visit else ""
            reasons.append(
                Reason(
                    "knows_beneficiary",
                    f"Connaît déjà {target.beneficiary_first} : "
                    f"{_plural(c.knows, 'intervention')}{last}",
                    "positive",
                )
            )
        if c.load >= c.max_week:
            reasons.append(
                Reason(
                    "over_max",
                    f"Déjà {_plural(c.load, 'intervention')} {self.week} (maximum {c.max_week})",
                    "negative",
                )
            )
        else:
            reasons.append(
                Reason(
                    "load",
                    f"{_plural(c.load, 'intervention')} {self.week} sur {c.max_week} au plus",
                    "positive",
                )
            )
        if c.same_quartier:
            reasons.append(
                Reason("same_quartier", f"Même quartier ({target.quartier})", "positive")
            )
        return Suggestion(
            c.id,
            f"{first} {last}".strip(),
            format_phone(phone),
            quartier,
            c.has_car,
            c.load,
            c.max_week,
            c.score,
            tuple(reasons),
        )
