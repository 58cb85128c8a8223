"""The read model of one ISO week of missions: its seven days (with French public
holidays) and every mission, ready to print or to show in a week view.

One Core query (tuples, no ORM objects) loads the week: fast enough for 2,000 missions.
May run on any thread that owns the registry (the desk's database worker).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy import select
from sqlalchemy.orm import aliased

from bippop_desk.registry.clock import local_today
from bippop_desk.registry.errors import ValidationError
from bippop_desk.registry.frdates import long_date
from bippop_desk.registry.models import (
    Beneficiary,
    Commune,
    Mission,
    MissionType,
    Request,
    Volunteer,
)
from bippop_desk.registry.models.missions import MISSION_STATUSES
from bippop_desk.registry.phones import format_phone
from bippop_desk.registry.public_holidays import french_holidays, holiday_subdivision
from bippop_desk.registry.store import Registry

_ISO_WEEK = re.compile(r"^\s*(\d{4})\s*-?\s*[Ww]\s*(\d{1,2})\s*$")


@dataclass(frozen=True)
class WeekMission:
    """One mission as the roster and the week view show it (text already formatted)."""

    id: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    status: str
    status_label: str
    volunteer_id: str | None
    volunteer_name: str
    volunteer_sort: str
    beneficiary_id: str
    beneficiary_name: str
    address: str
    access_notes: str
    phone: str
    mission_type_code: str
    mission_type_label: str
    notes: str
    request_notes: str

    @property
    def day(self) -> dt.date:
        return self.starts_at.date()


@dataclass(frozen=True)
class WeekDay:
    day: dt.date
    holiday: str | None
    missions: tuple[WeekMission, ...]


@dataclass(frozen=True)
class VolunteerWeek:
    volunteer_id: str | None
    volunteer_name: str
    missions: tuple[WeekMission, ...]


@dataclass(frozen=True)
class WeekData:
    iso_year: int
    iso_week: int
    commune_name: str
    insee_code: str
    days: tuple[WeekDay, ...]

    @property
    def monday(self) -> dt.date:
        return self.days[0].day

    @property
    def sunday(self) -> dt.date:
        return self.days[-1].day

    @property
    def code(self) -> str:
        """ "2026-W48"."""
        return f"{self.iso_year}-W{self.iso_week:02d}"

    @property
    def label(self) -> str:
        """ "Semaine 48 — du lundi 23 novembre au dimanche 29 novembre 2026"."""
        first = long_date(self.monday).rsplit(" ", 1)[0]
        return f"Semaine {self.iso_week} — du {first} au {long_date(self.sunday)}"

    @property
    def public_holidays(self) -> list[tuple[dt.date, str]]:
        return [(d.day, d.holiday) for d in self.days if d.holiday]

    def missions(self) -> Iterator[WeekMission]:
        """Every mission of the week, in time order."""
        for day in self.days:
            yield from day.missions

    def mission_count(self) -> int:
        return sum(len(day.missions) for day in self.days)

    def by_volunteer(self) -> list[VolunteerWeek]:
        """One entry per volunteer (sorted by name), missions still to staff last."""
        groups: dict[str | None, list[WeekMission]] = {}
        for mission in self.missions():
            groups.setdefault(mission.volunteer_id, []).append(mission)
        ordered = sorted(
            (key for key in groups if key is not None),
            key=lambda key: (groups[key][0].volunteer_sort, key),
        )
        result = [
            VolunteerWeek(key, groups[key][0].volunteer_name, tuple(groups[key])) for key in ordered
        ]
        if None in groups:
            result.append(VolunteerWeek(None, UNSTAFFED, tuple(groups[None])))
        return result


UNSTAFFED = "Sans bénévole (à pourvoir)"


def parse_iso_week(text: str) -> tuple[int, int]:
    """Read "2026-W48" (or "2026W48", "2026-w48") into (2026, 48); French ValidationError."""
    match = _ISO_WEEK.match(text or "")
    if not match:
        raise ValidationError.single(
            "week", f"« {text} » n'est pas une semaine (exemple : 2026-W48)."
        )
    year, week = int(match.group(1)), int(match.group(2))
    week_monday(year, week)
    return year, week


def week_monday(iso_year: int, iso_week: int) -> dt.date:
    """The Monday of that ISO week; ValidationError when the week does not exist."""
    try:
        return dt.date.fromisocalendar(iso_year, iso_week, 1)
    except ValueError:
        raise ValidationError.single(
            "week", f"L'année {iso_year} n'a pas de semaine {iso_week}."
        ) from None


def current_iso_week(today: dt.date | None = None) -> tuple[int, int]:
    year, week, _ = (today or local_today()).isocalendar()
    return year, week


@lru_cache(maxsize=4096)
def _phone_text(e164: str) -> str:
    return format_phone(e164)


def _address(line: str, complement: str, postal: str, city: str) -> str:
    town = " ".join(part for part in (postal, city) if part)
    return ", ".join(part for part in (line, complement, town) if part)


def week_missions(
    registry: Registry, iso_year: int, iso_week: int, volunteer_id: str | None = None
) -> WeekData:
    """The week's seven days and every live mission (tombstones left out; cancelled ones
    kept, with their status, for the caller to show or not), in time order.

    With `volunteer_id`, only that volunteer's missions.
    """
    monday = week_monday(iso_year, iso_week)
    start = dt.datetime.combine(monday, dt.time())
    end = start + dt.timedelta(days=7)
    staff = aliased(Volunteer)
    query = (
        select(
            Mission.id,
            Mission.starts_at,
            Mission.ends_at,
            Mission.status,
            Mission.volunteer_id,
            staff.first_name,
            staff.last_name,
            Mission.beneficiary_id,
            Beneficiary.civility,
            Beneficiary.first_name,
            Beneficiary.last_name,
            Beneficiary.address_line,
            Beneficiary.address_complement,
            Beneficiary.postal_code,
            Beneficiary.city,
            Beneficiary.access_notes,
            Beneficiary.phone,
            Beneficiary.phone_secondary,
            MissionType.code,
            MissionType.label,
            Mission.notes,
            Request.notes,
        )
        .join(Beneficiary, Beneficiary.id == Mission.beneficiary_id)
        .join(MissionType, MissionType.id == Mission.mission_type_id)
        .outerjoin(staff, staff.id == Mission.volunteer_id)
        .outerjoin(Request, Request.id == Mission.request_id)
        .where(Mission.starts_at >= start, Mission.starts_at < end, Mission.deleted_at.is_(None))
        .order_by(Mission.starts_at, staff.last_name, staff.first_name, Beneficiary.last_name)
    )
    if volunteer_id is not None:
        query = query.where(Mission.volunteer_id == volunteer_id)
    per_day: dict[dt.date, list[WeekMission]] = {
        monday + dt.timedelta(days=i): [] for i in range(7)
    }
    with registry.engine.connect() as conn:
        commune = conn.execute(
            select(Commune.name, Commune.insee_code, Commune.departement).where(
                Commune.deleted_at.is_(None)
            )
        ).first()
        for (
            mid,
            starts,
            ends,
            status,
            vol_id,
            vol_first,
            vol_last,
            ben_id,
            civility,
            ben_first,
            ben_last,
            line,
            complement,
            postal,
            city,
            access,
            phone,
            phone2,
            type_code,
            type_label,
            notes,
            request_notes,
        ) in conn.execute(query):
            phones = " / ".join(_phone_text(p) for p in (phone, phone2) if p)
            per_day[starts.date()].append(
                WeekMission(
                    id=mid,
                    starts_at=starts,
                    ends_at=ends,
                    status=status,
                    status_label=MISSION_STATUSES.get(status, status),
                    volunteer_id=vol_id,
                    volunteer_name=f"{vol_first} {vol_last}" if vol_id else UNSTAFFED,
                    volunteer_sort=f"{vol_last}\x00{vol_first}".casefold() if vol_id else "",
                    beneficiary_id=ben_id,
                    beneficiary_name=" ".join(p for p in (civility, ben_first, ben_last) if p),
                    address=_address(line, complement, postal, city),
                    access_notes=access or "",
                    phone=phones,
                    mission_type_code=type_code,
                    mission_type_label=type_label,
                    notes=notes or "",
                    request_notes=request_notes or "",
                )
            )
    name, insee, departement = commune if commune else ("", "", "")
    subdivision = holiday_subdivision(departement)
    days = tuple(
        WeekDay(
            day,
            french_holidays(day.year, subdivision).get(day),
            tuple(missions),
        )
        for day, missions in per_day.items()
    )
    return WeekData(iso_year, iso_week, name, insee, days)
