"""Missions (interventions): assigning a volunteer to a request, then each visit's life.

Statuses move forward only: planifiée → réalisée → validée, or planifiée → annulée /
personne absente. Assigning checks the volunteer's week before writing anything:
- a double booking (an overlapping mission not cancelled) is refused outright;
- outside their weekly slots, on an absence, or past their weekly maximum, the
  assignment needs a written reason, kept in `Mission.override_reason`.
Each call is one transaction (ChangeSet): the missions, the request's new status,
the hours of a done visit, their audit events and outbox entries, or nothing.

The services live by concern, this module gathers them for callers:
- `missions_assign`  assign_volunteer, reassign_mission
- `missions_visits`  mark_done, mark_no_show, validate_missions, cancel_mission,
                     cancel_request_and_missions
- `missions_series`  stop_recurrence, extend_recurrence, extend_all_recurrences
- `missions_common`  the status table and the helpers they share
- `scheduling`       the availability and double-booking rules (shared with matching)
"""

from __future__ import annotations

from bippop_desk.registry.services.missions_assign import (
    Assignment,
    assign_volunteer,
    reassign_mission,
)
from bippop_desk.registry.services.missions_common import (
    DONE,
    MAX_DURATION_MIN,
    MISSION_TRANSITIONS,
)
from bippop_desk.registry.services.missions_series import (
    Extension,
    extend_all_recurrences,
    extend_recurrence,
    stop_recurrence,
)
from bippop_desk.registry.services.missions_visits import (
    VisitReport,
    cancel_mission,
    cancel_request_and_missions,
    mark_done,
    mark_no_show,
    validate_missions,
)
from bippop_desk.registry.services.validation import MAX_MILEAGE_KM

__all__ = [
    "DONE",
    "MAX_DURATION_MIN",
    "MAX_MILEAGE_KM",
    "MISSION_TRANSITIONS",
    "Assignment",
    "Extension",
    "VisitReport",
    "assign_volunteer",
    "cancel_mission",
    "cancel_request_and_missions",
    "extend_all_recurrences",
    "extend_recurrence",
    "mark_done",
    "mark_no_show",
    "reassign_mission",
    "stop_recurrence",
    "validate_missions",
]
