"""One place that says what time it is, so tests and services agree.

Timestamps of record keeping (created, updated, audit) are naive UTC. Times of
missions and wished visits are naive local wall-clock time in Europe/Paris: a visit
"every Tuesday at 14:00" stays at 14:00 across daylight-saving changes.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def local_now() -> dt.datetime:
    return dt.datetime.now(PARIS).replace(tzinfo=None)


def local_today() -> dt.date:
    return local_now().date()


def utc_to_local(moment: dt.datetime | None) -> dt.datetime | None:
    """A stored UTC timestamp as the commune's wall-clock time."""
    if moment is None:
        return None
    return moment.replace(tzinfo=dt.UTC).astimezone(PARIS).replace(tzinfo=None)
