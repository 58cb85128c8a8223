"""The shapes of matching: the reasons and their weights, a suggestion, the result,
and the internal target and candidate tallies shared by the weighing and the wording."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from bippop_desk.registry.services.recurrence import (
    Occurrence,
    SkippedDay,
)

Kind = Literal["positive", "negative", "blocking"]

# Problems the coordinator may override with a written reason (missions.assign_volunteer).
OVERRIDABLE = frozenset({"outside_slots", "absent", "over_max"})

# How many visits of a series are checked (the series is planned further later).
MATCH_WEEKS = 8
DONE = ("realisee", "validee")

W_AVAILABLE, W_OUTSIDE, W_ABSENT_ALL, W_ABSENT_SOME = 50, -50, -60, -25
W_OFFERS, W_NO_OFFER, W_NO_CAR = 30, -30, -40
W_KNOWS, W_KNOWS_PER_VISIT, KNOWS_CAP = 25, 3, 5
W_LOAD_PER_VISIT, W_OVER_MAX, W_QUARTIER = -5, -35, 10


@dataclass(frozen=True)
class Reason:
    """One reason shown next to a suggestion: a stable code, a French label, and
    whether it speaks for the volunteer, against, or rules them out."""

    code: str
    label: str
    kind: Kind


@dataclass(frozen=True)
class Suggestion:
    volunteer_id: str
    full_name: str
    phone: str  # shown the French way, to call the volunteer
    quartier: str
    has_car: bool
    missions_that_week: int
    max_per_week: int
    score: int
    reasons: tuple[Reason, ...]

    @property
    def blocked(self) -> bool:
        """A double booking: the assignment would be refused."""
        return any(r.kind == "blocking" for r in self.reasons)

    @property
    def needs_override(self) -> bool:
        """Assignable only with a written reason (outside slots, absent, over maximum)."""
        return any(r.code in OVERRIDABLE for r in self.reasons)


@dataclass(frozen=True)
class MatchResult:
    request_id: str | None
    occurrences: tuple[Occurrence, ...]  # the visits checked
    skipped: tuple[SkippedDay, ...]  # holidays left out of the series
    candidates: int  # how many volunteers were weighed
    suggestions: tuple[Suggestion, ...]

    @property
    def dated(self) -> bool:
        """False when the request has no day and time yet: availability is not checked."""
        return bool(self.occurrences)


@dataclass(frozen=True)
class Target:
    request_id: str | None
    beneficiary_id: str
    beneficiary_first: str
    quartier: str
    mission_type_id: str
    type_label: str
    needs_car: bool
    recurring: bool
    occurrences: tuple[Occurrence, ...]
    skipped: tuple[SkippedDay, ...]
    exclude: frozenset[str]


class Candidate:
    """Plain per-volunteer tallies; names and reasons are fetched and worded only for
    the winners. Class attributes are the defaults: most candidates keep most of them."""

    knows = 0
    last_visit = ""
    load = 0
    outside = 0
    absent = 0
    absence: tuple[str, str, str] | None = None
    busy: tuple[Occurrence, ...] = ()
    score = 0

    def __init__(self, row: Sequence[Any], offers: bool) -> None:
        self.id, same_quartier, car, self.max_week = row
        self.same_quartier = bool(same_quartier)
        self.has_car = bool(car)
        self.offers = offers
