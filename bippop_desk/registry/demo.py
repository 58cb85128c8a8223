"""A realistic demo commune (Compiègne, 60159): people, volunteers, requests, a year of
missions and hours. Written in bulk (one transaction, Core inserts) so that 100,000
people take seconds; the search index fills through its triggers as usual.

Demo data is fake: it is marked as such (`app_setting.demo = 1`) and writes no outbox
entries, so it never reaches the central platform.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import insert, select

from bippop_desk.registry import demo_names as names
from bippop_desk.registry.clock import local_today, utcnow
from bippop_desk.registry.models import (
    AppSetting,
    AuditEvent,
    Beneficiary,
    HoursEntry,
    Mission,
    MissionType,
    Partner,
    Request,
    Volunteer,
    VolunteerAbsence,
    VolunteerAvailability,
    VolunteerOffer,
    new_id,
)
from bippop_desk.registry.services.commune import ensure_user, setup_commune
from bippop_desk.registry.services.recurrence import HORIZON_WEEKS, Pattern, occurrences
from bippop_desk.registry.store import Registry
from bippop_desk.registry.textkeys import name_key

DEMO_COMMUNE = ("60159", "Compiègne", "60", "60200")
BULK_CACHE_KIB = 256 * 1024
SLOTS = ((9, 11), (10, 12), (14, 16), (14, 17), (15, 18), (9, 12))


@dataclass
class DemoSummary:
    beneficiaries: int
    volunteers: int
    requests: int
    missions: int
    hours_entries: int


def _phone(rng: random.Random, mobile: bool) -> str:
    if mobile:
        return f"+336{rng.randrange(10_000_000, 99_999_999)}"
    return f"+33344{rng.randrange(100_000, 999_999)}"


def _phone_tokens(*numbers: str) -> str:
    # Same tokens as phones.phone_search_tokens, without parsing (these are French numbers).
    tokens = []
    for number in numbers:
        if number:
            digits = number[1:]
            tokens += [digits, digits[2:], "0" + digits[2:]]
    return " ".join(tokens)


def _person(rng: random.Random, today: dt.date, old: bool) -> dict[str, Any]:
    female = rng.random() < (0.65 if old else 0.55)
    first = rng.choice(names.FEMALE_FIRST if female else names.MALE_FIRST)
    last = rng.choice(names.LAST)
    if rng.random() < 0.08:
        last = f"{last}-{rng.choice(names.LAST)}"
    age = rng.randint(66, 99) if old else rng.randint(19, 75)
    birth = today - dt.timedelta(days=age * 365 + rng.randrange(365))
    mobile = rng.random() < (0.35 if old else 0.9)
    phone = _phone(rng, mobile)
    return {
        "id": new_id(),
        "civility": "Mme" if female else "M.",
        "first_name": first,
        "last_name": last,
        "birth_date": birth,
        "address_line": f"{rng.randint(1, 140)} {rng.choice(names.STREETS)}",
        "postal_code": "60200",
        "city": "Compiègne",
        "quartier": rng.choice(names.QUARTIERS),
        "phone": phone,
        "name_key": name_key(first, last),
    }


def _beneficiaries(rng: random.Random, count: int, commune_id: str) -> Iterator[dict[str, Any]]:
    today = local_today()
    now = utcnow()
    for _ in range(count):
        row = _person(rng, today, old=True)
        registered = today - dt.timedelta(days=rng.randrange(700))
        secondary = _phone(rng, True) if rng.random() < 0.25 else ""
        third_party = rng.random() < 0.3
        row.update(
            commune_id=commune_id,
            birth_name="",
            address_complement="",
            access_notes=rng.choice(names.ACCESS_NOTES) if rng.random() < 0.3 else "",
            phone_secondary=secondary,
            email="",
            has_internet=rng.random() < 0.3,
            emergency_contact_name=f"{rng.choice(names.FEMALE_FIRST)} {row['last_name']}",
            emergency_contact_phone=_phone(rng, True),
            home_care_service=rng.choice(names.CARE_SERVICES),
            status="actif" if rng.random() < 0.95 else "en_pause",
            preferences=rng.choice(names.PREFERENCES) if rng.random() < 0.4 else "",
            consent_date=registered,
            consent_channel=rng.choice(("telephone", "accueil", "courrier")),
            consent_by="third_party" if third_party else "self",
            consent_third_party=(
                f"{rng.choice(names.MALE_FIRST)} {row['last_name']} (fils)" if third_party else ""
            ),
            notes="",
            search_phones=_phone_tokens(row["phone"], secondary),
            # Registered over the last two years; half were called in the last months.
            created_at=dt.datetime.combine(registered, dt.time(9, 30)),
            updated_at=now,
            last_contact_at=(
                now - dt.timedelta(days=rng.randrange(120)) if rng.random() < 0.5 else None
            ),
            row_version=1,
        )
        yield row


def _volunteers(
    rng: random.Random, count: int, commune_id: str, partner_ids: list[str]
) -> Iterator[dict[str, Any]]:
    today = local_today()
    now = utcnow()
    for index in range(count):
        row = _person(rng, today, old=False)
        draw = rng.random()
        status = (
            "valide"
            if draw < 0.8
            else "en_attente"
            if draw < 0.9
            else "suspendu"
            if draw < 0.95
            else "parti"
        )
        joined = today - dt.timedelta(days=rng.randrange(30, 900))
        validated = status in ("valide", "suspendu", "parti")
        row.update(
            commune_id=commune_id,
            email=f"benevole{index}@example.org",
            has_car=rng.random() < 0.55,
            partner_id=rng.choice(partner_ids) if partner_ids and rng.random() < 0.3 else None,
            max_missions_per_week=rng.choice((1, 2, 3, 3, 4, 5)),
            status=status,
            status_changed_at=now,
            validated_by="Karim Benali" if validated else "",
            validated_at=dt.datetime.combine(joined, dt.time(10)) if validated else None,
            charter_signed_on=joined if validated else None,
            interview_on=joined - dt.timedelta(days=7),
            training_on=joined + dt.timedelta(days=20) if validated else None,
            left_reason="Déménagement." if status == "parti" else "",
            origin="en_ligne" if rng.random() < 0.6 else "guichet",
            notes="",
            search_phones=_phone_tokens(row["phone"]),
            created_at=now,
            updated_at=now,
            row_version=1,
        )
        yield row


def generate_demo(
    registry: Registry, people: int = 300, volunteers: int | None = None, seed: int = 1942
) -> DemoSummary:
    """Fill an empty registry with the demo commune. Refuses a registry with data."""
    if registry.commune_id_or_empty():
        raise ValueError(
            "Ce registre contient déjà une commune : la démo n'est créée que sur un registre vide."
        )
    rng = random.Random(seed)
    volunteers = volunteers if volunteers is not None else max(12, people // 5)
    insee, city, departement, postal = DEMO_COMMUNE
    commune_id = setup_commune(registry, insee, city, departement, postal)
    ensure_user(registry, "sophie", "Sophie Martin", "secretaire")
    ensure_user(registry, "karim", "Karim Benali", "coordinateur")
    ensure_user(registry, "admin", "Administrateur mairie", "administrateur")
    today = local_today()
    now = utcnow()

    with registry.engine.begin() as conn:
        # Hundreds of thousands of rows keyed by random UUIDs: a large page cache for
        # this one transaction keeps the index inserts in memory (reset below).
        conn.exec_driver_sql(f"PRAGMA cache_size=-{BULK_CACHE_KIB}")
        types = [
            tuple(r)
            for r in conn.execute(
                select(MissionType.id, MissionType.default_duration_min, MissionType.needs_car)
            )
        ]
        partner_rows = [
            {
                "id": new_id(),
                "commune_id": commune_id,
                "name": name,
                "kind": kind,
                "contact_name": "",
                "phone": "",
                "email": "",
                "notes": "",
                "created_at": now,
                "updated_at": now,
                "row_version": 1,
            }
            for name, kind in names.PARTNERS
        ]
        conn.execute(insert(Partner), partner_rows)
        partner_ids = [str(row["id"]) for row in partner_rows]

        beneficiary_rows = list(_beneficiaries(rng, people, commune_id))
        for start in range(0, len(beneficiary_rows), 20_000):
            conn.execute(insert(Beneficiary), beneficiary_rows[start : start + 20_000])
        volunteer_rows = list(_volunteers(rng, volunteers, commune_id, partner_ids))
        conn.execute(insert(Volunteer), volunteer_rows)

        offers: list[dict[str, Any]] = []
        slots: list[dict[str, Any]] = []
        absences: list[dict[str, Any]] = []
        plans: dict[str, _Plan] = {}
        for vol in volunteer_rows:
            chosen = rng.sample(types, rng.randint(2, 6))
            offered = {str(t[0]) for t in chosen if vol["has_car"] or not t[2]}
            offers += [{"volunteer_id": vol["id"], "mission_type_id": t} for t in offered]
            plan = _Plan(vol["id"], vol["max_missions_per_week"], offered, vol["quartier"])
            for weekday in rng.sample(range(6), rng.randint(1, 3)):
                begin, end = rng.choice(SLOTS)
                plan.slots.append((weekday, begin * 60, end * 60))
                slots.append(
                    {
                        "id": new_id(),
                        "volunteer_id": vol["id"],
                        "weekday": weekday,
                        "start_time": dt.time(begin),
                        "end_time": dt.time(end),
                        "created_at": now,
                        "updated_at": now,
                        "row_version": 1,
                    }
                )
            if rng.random() < 0.15:
                first = today + dt.timedelta(days=rng.randrange(-120, 60))
                last = first + dt.timedelta(days=rng.randrange(3, 21))
                plan.away.append((first, last))
                absences.append(
                    {
                        "id": new_id(),
                        "volunteer_id": vol["id"],
                        "start_date": first,
                        "end_date": last,
                        "reason": rng.choice(("Congés", "Congés", "Opération", "Vacances")),
                        "created_at": now,
                        "updated_at": now,
                        "row_version": 1,
                    }
                )
            if vol["status"] == "valide" and plan.offers and plan.slots:
                plans[vol["id"]] = plan
        if offers:
            conn.execute(insert(VolunteerOffer), offers)
        if slots:
            conn.execute(insert(VolunteerAvailability), slots)
        if absences:
            conn.execute(insert(VolunteerAbsence), absences)

        requests, missions, hours = _Activity(
            rng, commune_id, plans, types, today, now, departement
        ).run(beneficiary_rows)
        for table, rows in ((Request, requests), (Mission, missions), (HoursEntry, hours)):
            for start in range(0, len(rows), 20_000):
                conn.execute(insert(table), rows[start : start + 20_000])
        # Back to SQLite's default before the connection returns to the pool.
        conn.exec_driver_sql("PRAGMA cache_size=-2000")
        conn.execute(insert(AppSetting), [{"key": "demo", "value": "1"}])
        conn.execute(
            insert(AuditEvent),
            [
                {
                    "at": now,
                    "user_name": "Bip Pop Desk",
                    "user_role": "administrateur",
                    "action": "demo",
                    "entity": "commune",
                    "record_id": commune_id,
                    "fields": "",
                    "summary": f"Commune de démonstration générée ({people} personnes)",
                }
            ],
        )
    return DemoSummary(
        len(beneficiary_rows), len(volunteer_rows), len(requests), len(missions), len(hours)
    )


@dataclass(eq=False)
class _Plan:
    """A validated volunteer's week, so demo visits are planned the way the desk would:
    inside a slot, never on an absence, never overlapping, within the weekly maximum."""

    id: str
    max_week: int
    offers: set[str]
    quartier: str
    slots: list[tuple[int, int, int]] = field(default_factory=list)  # weekday, from, to (min)
    away: list[tuple[dt.date, dt.date]] = field(default_factory=list)
    booked: dict[dt.date, list[tuple[int, int]]] = field(default_factory=dict)
    per_week: dict[dt.date, int] = field(default_factory=dict)

    def slot_for(self, rng: random.Random, minutes: int) -> tuple[int, int] | None:
        """A weekday and a start (minutes) where a visit of `minutes` fits a slot."""
        fitting = [s for s in self.slots if s[2] - s[1] >= minutes]
        if not fitting:
            return None
        weekday, begin, end = rng.choice(fitting)
        return weekday, begin + 30 * rng.randrange((end - begin - minutes) // 30 + 1)

    def fits(self, day: dt.date, begin: int, end: int) -> bool:
        if any(first <= day <= last for first, last in self.away):
            return False
        if self.per_week.get(day - dt.timedelta(days=day.weekday()), 0) >= self.max_week:
            return False
        return all(end <= b or e <= begin for b, e in self.booked.get(day, ()))

    def book(self, day: dt.date, begin: int, end: int) -> None:
        self.booked.setdefault(day, []).append((begin, end))
        monday = day - dt.timedelta(days=day.weekday())
        self.per_week[monday] = self.per_week.get(monday, 0) + 1


_CHANNELS = ("telephone",) * 3 + ("accueil", "plateforme", "famille", "partenaire")


class _Activity:
    """A year of requests and the coming weeks: their missions and hours, as Core rows."""

    def __init__(
        self,
        rng: random.Random,
        commune_id: str,
        plans: dict[str, _Plan],
        types: list[tuple[Any, ...]],
        today: dt.date,
        now: dt.datetime,
        departement: str,
    ) -> None:
        self.rng = rng
        self.commune_id = commune_id
        self.types = types
        self.today = today
        self.now = now
        self.departement = departement
        self.by_type: dict[str, list[_Plan]] = {str(t[0]): [] for t in types}
        for plan in plans.values():
            for type_id in plan.offers:
                self.by_type[type_id].append(plan)
        # Planned visits reach five weeks ahead, like a coordinator's horizon.
        self.horizon = today - dt.timedelta(days=today.weekday()) + dt.timedelta(weeks=5, days=6)
        self.helper_of: dict[str, _Plan] = {}
        self.requests: list[dict[str, Any]] = []
        self.missions: list[dict[str, Any]] = []
        self.hours: list[dict[str, Any]] = []

    def run(
        self, beneficiaries: list[dict[str, Any]]
    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
        rng = self.rng
        helped = rng.sample(
            beneficiaries, k=min(len(beneficiaries), max(1, len(beneficiaries) * 2 // 5))
        )
        for person in helped:
            for _ in range(2 if rng.random() < 0.12 else 1):
                self._request(person)
        self._ensure_open_concerns(3)
        return self.requests, self.missions, self.hours

    def _ensure_open_concerns(self, minimum: int) -> None:
        """Even a small demo shows the coordinator a few concerns to handle."""
        open_ones = sum(1 for m in self.missions if m["concern"] and not m["concern_handled_at"])
        recent = sorted(
            (m for m in self.missions if m["status"] == "realisee" and not m["concern"]),
            key=lambda m: m["starts_at"],
            reverse=True,
        )
        for mission in recent[: max(0, minimum - open_ones)]:
            mission.update(concern=True, outcome_note=self.rng.choice(names.CONCERNS))

    # -- one request ---------------------------------------------------------------------
    def _request(self, person: dict[str, Any]) -> None:
        rng, today = self.rng, self.today
        type_id, minutes, needs_car = rng.choice(self.types)
        type_id = str(type_id)
        received = self.now - dt.timedelta(days=rng.randrange(0, 365), hours=rng.randrange(8))
        received = max(received, person["created_at"] + dt.timedelta(hours=2))  # not before
        age = (today - received.date()).days
        recurring = rng.random() < 0.3
        row: dict[str, Any] = {
            "id": new_id(),
            "commune_id": self.commune_id,
            "beneficiary_id": person["id"],
            "mission_type_id": type_id,
            "channel": rng.choice(_CHANNELS),
            "caller_name": "",
            "received_at": received,
            "received_by": "Sophie Martin",
            "wished_date": None,
            "wished_date_end": None,
            "wished_time_from": None,
            "wished_time_to": None,
            "urgency": "urgente" if rng.random() < 0.1 else "normale",
            "notes": rng.choice(names.NOTES),
            "status": "nouvelle",
            "status_changed_at": received,
            "matched_at": None,
            "cancel_reason": "",
            "recurrence": "aucune",
            "recurrence_count": None,
            "recurrence_until": None,
            "recurrence_stopped_on": None,
            "created_at": received,
            "updated_at": received,
            "row_version": 1,
        }
        if recurring:
            row["recurrence"] = "bimensuelle" if rng.random() < 0.2 else "hebdomadaire"
        self.requests.append(row)
        draw = rng.random()
        # Recent requests are often still open; a few old ones have waited for weeks.
        if (age < 20 and draw < 0.35) or (20 <= age < 90 and draw < 0.05):
            self._unmatched(row, age)
            return
        if draw > 0.95:
            row.update(status="annulee", cancel_reason="La personne a trouvé une solution.")
            return
        candidates = self.by_type[type_id]
        if not candidates:
            self._unmatched(row, age)
            return
        known = self.helper_of.get(person["id"])
        for attempt in range(6):
            # Continuity first: the person's usual volunteer, when they offer this type.
            if attempt == 0 and known is not None and type_id in known.offers:
                plan = known
            else:
                plan = rng.choice(candidates)
            slot = plan.slot_for(rng, minutes)
            if slot is None:
                continue
            weekday, begin = slot
            first_day = received.date() + dt.timedelta(days=rng.randint(2, 10))
            first_day += dt.timedelta(days=(weekday - first_day.weekday()) % 7)
            if recurring or plan.fits(first_day, begin, begin + minutes):
                self._plan(row, person, plan, first_day, begin, minutes, bool(needs_car))
                return
        self._unmatched(row, age)

    def _unmatched(self, row: dict[str, Any], age: int) -> None:
        rng = self.rng
        row["status"] = rng.choice(("nouvelle", "en_recherche"))
        if row["status"] == "en_recherche":
            row["status_changed_at"] = row["received_at"] + dt.timedelta(hours=rng.randint(1, 48))
        if age < 20 and rng.random() < 0.6:
            hour = rng.choice((9, 10, 14, 15))
            row.update(
                wished_date=self.today + dt.timedelta(days=rng.randint(2, 14)),
                wished_time_from=dt.time(hour),
                wished_time_to=dt.time(hour + 1),
            )
        elif row["recurrence"] != "aucune":
            row["recurrence"] = "aucune"  # a series needs a day and time: keep it simple

    def _plan(
        self,
        row: dict[str, Any],
        person: dict[str, Any],
        plan: _Plan,
        first_day: dt.date,
        begin: int,
        minutes: int,
        needs_car: bool,
    ) -> None:
        rng, today = self.rng, self.today
        start_time = dt.time(begin // 60, begin % 60)
        count: int | None = None
        stopped: dt.date | None = None
        if row["recurrence"] != "aucune":
            count = None if rng.random() < 0.15 else rng.randint(4, 20)
            if count and rng.random() < 0.1:
                stopped = first_day + dt.timedelta(weeks=rng.randint(2, count))
                stopped = min(stopped, today)
        schedule = occurrences(
            Pattern(
                dt.datetime.combine(first_day, start_time),
                dt.timedelta(minutes=minutes),
                row["recurrence"],
                count,
                None,
                stopped,
            ),
            # As the app plans them: a series of N visits whole, an open-ended one up to
            # the 12-week horizon (so the first start has nothing left to roll forward).
            horizon=self.horizon
            if row["recurrence"] == "aucune"
            else today + dt.timedelta(weeks=HORIZON_WEEKS if count is None else 104),
            departement=self.departement,
        )
        statuses: list[str] = []
        for visit in schedule.occurrences:
            end = begin + minutes
            status = self._status(visit.day)
            if status != "annulee":
                if not plan.fits(visit.day, begin, end):
                    continue  # the volunteer is away or full that week: no visit
                plan.book(visit.day, begin, end)
            statuses.append(status)
            self._mission(row, person, plan, visit.start, visit.end, status, minutes, needs_car)
        received = row["received_at"]
        if not statuses:
            self._unmatched(row, (today - received.date()).days)
            return
        self.helper_of[person["id"]] = plan
        first_start = schedule.occurrences[0].start
        matched = received + dt.timedelta(hours=rng.randint(2, 6 * 24))
        going_on = "planifiee" in statuses or (schedule.continues_after is not None and not stopped)
        done = any(s in ("realisee", "validee") for s in statuses)
        status = "planifiee" if going_on else "realisee" if done else "annulee"
        row.update(
            status=status,
            status_changed_at=min(matched, self.now),
            matched_at=min(matched, first_start - dt.timedelta(hours=12), self.now),
            wished_date=first_day,
            wished_time_from=start_time,
            wished_time_to=(
                dt.datetime.combine(first_day, start_time) + dt.timedelta(minutes=minutes)
            ).time(),
            recurrence_count=count,
            recurrence_stopped_on=stopped,
            cancel_reason="" if status != "annulee" else "Visites annulées par la personne.",
        )

    def _status(self, day: dt.date) -> str:
        draw = self.rng.random()
        if day >= self.today:
            return "annulee" if draw < 0.03 else "planifiee"
        if draw < 0.08:
            return "annulee"
        if draw < 0.11:
            return "absent"
        # Coordinators validate past visits once a month.
        old = (self.today - day).days > 45
        return "validee" if (old and draw < 0.9) or draw < 0.25 else "realisee"

    def _mission(
        self,
        row: dict[str, Any],
        person: dict[str, Any],
        plan: _Plan,
        start: dt.datetime,
        end: dt.datetime,
        status: str,
        minutes: int,
        needs_car: bool,
    ) -> None:
        rng = self.rng
        done = status in ("realisee", "validee")
        actual = minutes + rng.choice((-15, 0, 0, 0, 15, 30)) if done else None
        mileage = (
            Decimal(rng.randint(2, 25)) if done and needs_car else Decimal(0) if done else None
        )
        concern = (done and rng.random() < 0.02) or (status == "absent" and rng.random() < 0.1)
        # The coordinator handles most concerns within days: the recent ones remain.
        handled = concern and (self.today - start.date()).days > 10 and rng.random() < 0.97
        mission_id = new_id()
        self.missions.append(
            {
                "id": mission_id,
                "commune_id": self.commune_id,
                "request_id": row["id"],
                "beneficiary_id": person["id"],
                "mission_type_id": row["mission_type_id"],
                "volunteer_id": plan.id,
                "starts_at": start,
                "ends_at": end,
                "status": status,
                "status_changed_at": min(self.now, start + dt.timedelta(days=1)),
                "actual_duration_min": actual,
                "mileage_km": mileage,
                "outcome_note": (
                    rng.choice(names.CONCERNS)
                    if concern and done
                    else rng.choice(names.OUTCOMES)
                    if done
                    else "Personne absente, volets fermés."
                    if status == "absent"
                    else ""
                ),
                "notes": "",
                "concern": concern,
                "concern_handled_at": start + dt.timedelta(days=2) if handled else None,
                "concern_handled_by": "Karim Benali" if handled else "",
                "cancel_reason": rng.choice(names.CANCELS) if status == "annulee" else "",
                "override_reason": "",
                "created_at": row["received_at"],
                "updated_at": self.now,
                "row_version": 1,
                "deleted_at": None,
            }
        )
        if done:
            self.hours.append(
                {
                    "id": new_id(),
                    "commune_id": self.commune_id,
                    "volunteer_id": plan.id,
                    "mission_id": mission_id,
                    "mission_type_id": row["mission_type_id"],
                    "entry_date": start.date(),
                    "minutes": actual,
                    "mileage_km": mileage,
                    "kind": "mission",
                    "corrects_entry_id": None,
                    "note": "",
                    "created_by": "Karim Benali",
                    "created_at": self.now,
                }
            )
