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
from dataclasses import dataclass
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
from bippop_desk.registry.store import Registry
from bippop_desk.registry.textkeys import name_key

DEMO_COMMUNE = ("60159", "Compiègne", "60", "60200")
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
            consent_date=today - dt.timedelta(days=rng.randrange(700)),
            consent_channel=rng.choice(("telephone", "accueil", "courrier")),
            consent_by="third_party" if third_party else "self",
            consent_third_party=(
                f"{rng.choice(names.MALE_FIRST)} {row['last_name']} (fils)" if third_party else ""
            ),
            notes="",
            search_phones=_phone_tokens(row["phone"], secondary),
            created_at=now,
            updated_at=now,
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
        slot_of: dict[str, list[tuple[int, int, int]]] = {}
        offers_of: dict[str, set[str]] = {}
        for vol in volunteer_rows:
            chosen = rng.sample(types, rng.randint(2, 6))
            offers_of[vol["id"]] = {str(t[0]) for t in chosen if vol["has_car"] or not t[2]}
            offers += [
                {"volunteer_id": vol["id"], "mission_type_id": t} for t in offers_of[vol["id"]]
            ]
            own = []
            for weekday in rng.sample(range(6), rng.randint(1, 3)):
                begin, end = rng.choice(SLOTS)
                own.append((weekday, begin, end))
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
            slot_of[vol["id"]] = own
            if rng.random() < 0.15:
                first = today + dt.timedelta(days=rng.randrange(-120, 60))
                absences.append(
                    {
                        "id": new_id(),
                        "volunteer_id": vol["id"],
                        "start_date": first,
                        "end_date": first + dt.timedelta(days=rng.randrange(3, 21)),
                        "reason": "Congés",
                        "created_at": now,
                        "updated_at": now,
                        "row_version": 1,
                    }
                )
        if offers:
            conn.execute(insert(VolunteerOffer), offers)
        if slots:
            conn.execute(insert(VolunteerAvailability), slots)
        if absences:
            conn.execute(insert(VolunteerAbsence), absences)

        active = [v for v in volunteer_rows if v["status"] == "valide" and offers_of[v["id"]]]
        requests, missions, hours = _activity(
            rng, commune_id, beneficiary_rows, active, slot_of, offers_of, types, today, now
        )
        for table, rows in ((Request, requests), (Mission, missions), (HoursEntry, hours)):
            for start in range(0, len(rows), 20_000):
                conn.execute(insert(table), rows[start : start + 20_000])
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


def _activity(
    rng: random.Random,
    commune_id: str,
    beneficiaries: list[dict[str, Any]],
    volunteers: list[dict[str, Any]],
    slot_of: dict[str, list[tuple[int, int, int]]],
    offers_of: dict[str, set[str]],
    types: list[tuple[Any, ...]],
    today: dt.date,
    now: dt.datetime,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    """Requests over the past year and the coming weeks, their missions and hours."""
    requests: list[dict[str, Any]] = []
    missions: list[dict[str, Any]] = []
    hours: list[dict[str, Any]] = []
    booked: set[tuple[str, dt.datetime]] = set()
    duration = {t[0]: t[1] for t in types}
    needs_car = {t[0]: t[2] for t in types}
    monday = today - dt.timedelta(days=today.weekday())
    helped = rng.sample(
        beneficiaries, k=min(len(beneficiaries), max(1, len(beneficiaries) * 2 // 5))
    )
    for person in helped:
        type_id = rng.choice(types)[0]
        received = now - dt.timedelta(days=rng.randrange(0, 365), hours=rng.randrange(8))
        recurring = rng.random() < 0.3
        base = {
            "commune_id": commune_id,
            "beneficiary_id": person["id"],
            "mission_type_id": type_id,
            "channel": rng.choice(
                (
                    "telephone",
                    "telephone",
                    "telephone",
                    "accueil",
                    "plateforme",
                    "famille",
                    "partenaire",
                )
            ),
            "caller_name": "",
            "received_at": received,
            "received_by": "Sophie Martin",
            "wished_date": None,
            "wished_date_end": None,
            "wished_time_from": None,
            "wished_time_to": None,
            "urgency": "urgente" if rng.random() < 0.1 else "normale",
            "notes": rng.choice(names.NOTES),
            "status_changed_at": received,
            "matched_at": None,
            "cancel_reason": "",
            "recurrence": "hebdomadaire" if recurring else "aucune",
            "recurrence_count": None,
            "recurrence_until": None,
            "recurrence_stopped_on": None,
            "created_at": received,
            "updated_at": received,
            "row_version": 1,
        }
        request_id = new_id()
        candidates = [v for v in volunteers if type_id in offers_of[v["id"]]]
        unmatched = not candidates or (
            received.date() > today - dt.timedelta(days=20) and rng.random() < 0.35
        )
        if unmatched:
            base.update(id=request_id, status=rng.choice(("nouvelle", "en_recherche")))
            requests.append(base)
            continue
        if rng.random() < 0.05:
            base.update(
                id=request_id, status="annulee", cancel_reason="La personne a trouvé une solution."
            )
            requests.append(base)
            continue
        volunteer = rng.choice(candidates)
        weekday, begin, end = rng.choice(slot_of[volunteer["id"]])
        first_day = received.date() + dt.timedelta(days=rng.randint(2, 10))
        first_day += dt.timedelta(days=(weekday - first_day.weekday()) % 7)
        sessions = rng.randint(4, 20) if recurring else 1
        days = [first_day + dt.timedelta(weeks=i) for i in range(sessions)]
        days = [d for d in days if d <= monday + dt.timedelta(weeks=5)]
        minutes = duration[type_id]
        last_status = "planifiee"
        for day in days:
            start = dt.datetime.combine(day, dt.time(begin, rng.choice((0, 0, 30))))
            if (volunteer["id"], start) in booked:
                continue
            booked.add((volunteer["id"], start))
            mission_id = new_id()
            past = day < today
            draw = rng.random()
            status = "planifiee"
            if past:
                status = (
                    "realisee"
                    if draw < 0.75
                    else "validee"
                    if draw < 0.89
                    else "annulee"
                    if draw < 0.97
                    else "absent"
                )
            done = status in ("realisee", "validee")
            actual = minutes + rng.choice((-15, 0, 0, 0, 15, 30)) if done else None
            mileage = (
                Decimal(rng.randint(2, 25))
                if done and needs_car[type_id]
                else Decimal(0)
                if done
                else None
            )
            missions.append(
                {
                    "id": mission_id,
                    "commune_id": commune_id,
                    "request_id": request_id,
                    "beneficiary_id": person["id"],
                    "mission_type_id": type_id,
                    "volunteer_id": volunteer["id"],
                    "starts_at": start,
                    "ends_at": start + dt.timedelta(minutes=minutes),
                    "status": status,
                    "status_changed_at": now,
                    "actual_duration_min": actual,
                    "mileage_km": mileage,
                    "outcome_note": rng.choice(names.OUTCOMES) if done else "",
                    "notes": "",
                    "concern": done and rng.random() < 0.02,
                    "concern_handled_at": None,
                    "concern_handled_by": "",
                    "cancel_reason": "Imprévu" if status == "annulee" else "",
                    "override_reason": "",
                    "created_at": received,
                    "updated_at": now,
                    "row_version": 1,
                    "deleted_at": None,
                }
            )
            if done:
                hours.append(
                    {
                        "id": new_id(),
                        "commune_id": commune_id,
                        "volunteer_id": volunteer["id"],
                        "mission_id": mission_id,
                        "mission_type_id": type_id,
                        "entry_date": day,
                        "minutes": actual,
                        "mileage_km": mileage,
                        "kind": "mission",
                        "corrects_entry_id": None,
                        "note": "",
                        "created_by": "Karim Benali",
                        "created_at": now,
                    }
                )
            last_status = status
        if not days:
            base.update(id=request_id, status="en_recherche")
        else:
            finished = days[-1] < today and not recurring
            base.update(
                id=request_id,
                status="realisee"
                if finished and last_status in ("realisee", "validee")
                else "planifiee",
                matched_at=received + dt.timedelta(days=rng.randint(1, 6)),
                wished_date=first_day,
                wished_time_from=dt.time(begin),
                wished_time_to=dt.time(end),
                recurrence_count=sessions if recurring else None,
            )
        requests.append(base)
    return requests, missions, hours
