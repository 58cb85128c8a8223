"""The statements matching runs, built once at import (building a select costs more
than running it). Dates and times are read as their stored ISO text: no parsing for
thousands of rows, and ISO text sorts like time."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    Date,
    DateTime,
    String,
    and_,
    bindparam,
    func,
    or_,
    select,
    type_coerce,
)

from bippop_desk.registry.models import (
    Beneficiary,
    Commune,
    Mission,
    MissionType,
    Request,
    Volunteer,
    VolunteerAbsence,
    VolunteerAvailability,
    VolunteerOffer,
)
from bippop_desk.registry.services.matching_types import (
    DONE,
    MATCH_WEEKS,
)


# -- the statements (built once: building a select costs more than running it) ----
def text(column: Any) -> Any:
    """Read a date/time column as its stored ISO text: no parsing for thousands of rows."""
    return type_coerce(column, String)


def stamp(moment: dt.datetime) -> str:
    """A datetime as SQLAlchemy stores it on SQLite, to compare with `text` columns."""
    return moment.strftime("%Y-%m-%d %H:%M:%S.%f")


LIVE_MISSION = and_(Mission.status != "annulee", Mission.deleted_at.is_(None))
VALIDATED = and_(Volunteer.status == "valide", Volunteer.deleted_at.is_(None))
# What scoring needs of each candidate (names and phones only for the winners).
VOLUNTEER_COLUMNS = (
    Volunteer.id,
    (Volunteer.quartier == bindparam("quartier")).label("same_quartier"),
    Volunteer.has_car,
    Volunteer.max_missions_per_week,
)
DETAILS = select(
    Volunteer.id, Volunteer.first_name, Volunteer.last_name, Volunteer.phone, Volunteer.quartier
).where(Volunteer.id.in_(bindparam("ids", expanding=True)))
# Matches nothing typed by a person: a beneficiary without quartier shares it with nobody.
NO_QUARTIER = "\x00"

REQUEST = (
    select(
        Request.beneficiary_id,
        Request.mission_type_id,
        Request.wished_date,
        Request.wished_time_from,
        Request.wished_time_to,
        Request.recurrence,
        Request.recurrence_count,
        Request.recurrence_until,
        Request.recurrence_stopped_on,
        MissionType.default_duration_min,
        Commune.departement,
    )
    .join(MissionType, MissionType.id == Request.mission_type_id)
    .join(Commune, Commune.id == Request.commune_id)
    .where(Request.id == bindparam("request_id"), Request.deleted_at.is_(None))
)
MISSION = select(
    Mission.request_id,
    Mission.beneficiary_id,
    Mission.mission_type_id,
    Mission.volunteer_id,
    Mission.starts_at,
    Mission.ends_at,
).where(Mission.id == bindparam("mission_id"), Mission.deleted_at.is_(None))
WHO_AND_WHAT = select(
    Beneficiary.first_name,
    Beneficiary.quartier,
    select(MissionType.label).where(MissionType.id == bindparam("type_id")).scalar_subquery(),
    select(MissionType.needs_car).where(MissionType.id == bindparam("type_id")).scalar_subquery(),
).where(Beneficiary.id == bindparam("beneficiary_id"))
# Only a slot that overlaps the visit can cover it (alone or joined to a neighbour).
NEAR_SLOT = and_(
    VolunteerAvailability.weekday == bindparam("weekday"),
    text(VolunteerAvailability.start_time) < bindparam("end", type_=String),
    text(VolunteerAvailability.end_time) > bindparam("start", type_=String),
    VolunteerAvailability.deleted_at.is_(None),
)
SLOT_TEXT = (text(VolunteerAvailability.start_time), text(VolunteerAvailability.end_time))
# The likely winners: offering the type, with a slot touching the visit.
OFFERING_NEAR = (
    select(*VOLUNTEER_COLUMNS, *SLOT_TEXT)
    .select_from(VolunteerAvailability)
    .join(
        VolunteerOffer,
        and_(
            VolunteerOffer.volunteer_id == VolunteerAvailability.volunteer_id,
            VolunteerOffer.mission_type_id == bindparam("type_id"),
        ),
    )
    .join(Volunteer, Volunteer.id == VolunteerAvailability.volunteer_id)
    # `status || ''` keeps SQLite from starting at the status index (thousands of
    # validated volunteers) instead of the few slots touching the visit.
    .where(NEAR_SLOT, (Volunteer.status + "") == "valide", Volunteer.deleted_at.is_(None))
)
SLOTS_OF = select(VolunteerAvailability.volunteer_id, *SLOT_TEXT).where(
    VolunteerAvailability.volunteer_id.in_(bindparam("ids", expanding=True)), NEAR_SLOT
)
# Continuity: who already helped this person, how often, and when last.
KNOWN = (
    select(Mission.volunteer_id, func.count(), func.max(text(Mission.starts_at)))
    .where(
        Mission.beneficiary_id == bindparam("beneficiary_id"),
        Mission.status.in_(DONE),
        Mission.deleted_at.is_(None),
    )
    .group_by(Mission.volunteer_id)
)
# Those who know the person, whether or not they offer the type.
VOLUNTEERS_BY_ID = select(
    *VOLUNTEER_COLUMNS,
    select(VolunteerOffer.volunteer_id)
    .where(
        VolunteerOffer.volunteer_id == Volunteer.id,
        VolunteerOffer.mission_type_id == bindparam("type_id"),
    )
    .exists()
    .label("offers"),
).where(Volunteer.id.in_(bindparam("ids", expanding=True)), VALIDATED)
WEEK = and_(
    Mission.starts_at >= bindparam("week_start", type_=DateTime),
    Mission.starts_at < bindparam("week_end", type_=DateTime),
    LIVE_MISSION,
)
LOAD_OF = (
    select(Mission.volunteer_id, func.count())
    .where(Mission.volunteer_id.in_(bindparam("ids", expanding=True)), WEEK)
    .group_by(Mission.volunteer_id)
)
# The widest reads of all (every volunteer offering the type, every mission of the
# week) are run on the DB-API cursor: plain tuples, no result processing. They run
# inside the SQLAlchemy connection's read transaction, so all reads see one snapshot.
ALL_OFFERING_SQL = """
SELECT v.id, v.quartier = ?, v.has_car, v.max_missions_per_week
  FROM volunteer_offer AS o JOIN volunteer AS v ON v.id = o.volunteer_id
 WHERE o.mission_type_id = ? AND v.status = 'valide' AND v.deleted_at IS NULL
"""
ALL_LOAD_SQL = """
SELECT volunteer_id, count(*) FROM mission
 WHERE starts_at >= ? AND starts_at < ? AND status != 'annulee' AND deleted_at IS NULL
   AND volunteer_id IS NOT NULL
 GROUP BY volunteer_id
"""
ABSENCES = select(
    VolunteerAbsence.volunteer_id,
    text(VolunteerAbsence.start_date),
    text(VolunteerAbsence.end_date),
    VolunteerAbsence.reason,
).where(
    VolunteerAbsence.end_date >= bindparam("first_day", type_=Date),
    VolunteerAbsence.start_date <= bindparam("last_day", type_=Date),
    VolunteerAbsence.deleted_at.is_(None),
)


@lru_cache(maxsize=MATCH_WEEKS + 1)
def busy_statement(visits: int) -> Any:
    """Missions overlapping any of `visits` windows. A mission never lasts a day, so
    "started less than a day before the visit ends" bounds the index scan on starts_at."""
    windows = [
        and_(
            Mission.starts_at < bindparam(f"end{i}", type_=DateTime),
            Mission.starts_at > bindparam(f"floor{i}", type_=DateTime),
            Mission.ends_at > bindparam(f"start{i}", type_=DateTime),
        )
        for i in range(visits)
    ]
    return select(Mission.volunteer_id, text(Mission.starts_at), text(Mission.ends_at)).where(
        or_(*windows),
        LIVE_MISSION,
        Mission.volunteer_id.is_not(None),
        # The request's own visits are what is being (re)planned, not a clash.
        or_(Mission.request_id.is_(None), Mission.request_id != bindparam("request_id")),
    )
