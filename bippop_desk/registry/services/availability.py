"""Former home of the availability rules, kept so existing imports keep working:
the rules now live in `scheduling` (one module for availability and double booking)."""

from __future__ import annotations

from bippop_desk.registry.services.scheduling import (
    Absence,
    AvailabilityCheck,
    WeeklySlot,
    absence_on,
    check,
    is_free,
    merged_day_slots,
    overlaps,
    slot_problems,
    week_bounds,
    within_slots,
)

__all__ = [
    "Absence",
    "AvailabilityCheck",
    "WeeklySlot",
    "absence_on",
    "check",
    "is_free",
    "merged_day_slots",
    "overlaps",
    "slot_problems",
    "week_bounds",
    "within_slots",
]
