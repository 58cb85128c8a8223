"""Requests (demandes): logging one while the caller is on the line, listing, status."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select

from bippop_desk.registry.changes import ChangeSet
from bippop_desk.registry.clock import local_today, utc_to_local, utcnow
from bippop_desk.registry.errors import NotFoundError, StatusTransitionError, ValidationError
from bippop_desk.registry.frdates import short_date, short_datetime, short_time
from bippop_desk.registry.models import Beneficiary, MissionType, Request
from bippop_desk.registry.models.missions import (
    CHANNELS,
    RECURRENCES,
    REQUEST_STATUSES,
    URGENCIES,
)
from bippop_desk.registry.services import validation
from bippop_desk.registry.store import Registry

# Where a request may go from each status. Finished requests never move again;
# a planned request goes back to "en recherche" only when its volunteer drops out.
REQUEST_TRANSITIONS: dict[str, frozenset[str]] = {
    "nouvelle": frozenset({"en_recherche", "planifiee", "annulee"}),
    "en_recherche": frozenset({"planifiee", "annulee"}),
    "planifiee": frozenset({"realisee", "annulee", "en_recherche"}),
    "realisee": frozenset(),
    "annulee": frozenset(),
}

MAX_RECURRENCE_WEEKS = 104


@dataclass
class RequestInput:
    beneficiary_id: str = ""
    mission_type_id: str = ""
    channel: str = "telephone"
    caller_name: str = ""
    wished_date: dt.date | None = None
    wished_date_end: dt.date | None = None
    wished_time_from: dt.time | None = None
    wished_time_to: dt.time | None = None
    urgency: str = "normale"
    notes: str = ""
    recurrence: str = "aucune"
    recurrence_count: int | None = None
    recurrence_until: dt.date | None = None


def request_errors(changes: ChangeSet, data: RequestInput) -> dict[str, str]:
    """Every problem with `data`, by field (empty when the request can be saved)."""
    errors: dict[str, str] = validation.text_fields(data, Request)
    # Two one-column reads, not whole objects: this runs while the caller is on the line.
    session = changes.session
    if (
        not data.beneficiary_id
        or session.execute(
            select(Beneficiary.id).where(
                Beneficiary.id == data.beneficiary_id, Beneficiary.deleted_at.is_(None)
            )
        ).first()
        is None
    ):
        errors["beneficiary_id"] = "Choisissez la personne concernée (ou créez sa fiche)."
    if _mission_type_label(changes, data.mission_type_id) is None:
        errors["mission_type_id"] = "Choisissez le type d'aide demandé."
    if data.channel not in CHANNELS:
        errors["channel"] = "Indiquez comment la demande est arrivée."
    if data.urgency not in URGENCIES:
        errors["urgency"] = "Urgence inconnue."
    today = local_today()
    if data.wished_date and data.wished_date < today:
        errors["wished_date"] = "La date souhaitée est déjà passée."
    if data.wished_date_end:
        if not data.wished_date:
            errors["wished_date"] = "Indiquez le premier jour souhaité."
        elif data.wished_date_end < data.wished_date:
            errors["wished_date_end"] = "La fin de la période est avant son début."
    if (
        data.wished_time_from
        and data.wished_time_to
        and data.wished_time_to <= data.wished_time_from
    ):
        errors["wished_time_to"] = "L'heure de fin doit être après l'heure de début."
    if data.recurrence not in RECURRENCES:
        errors["recurrence"] = "Rythme inconnu."
    elif data.recurrence != "aucune":
        if not data.wished_date:
            errors["wished_date"] = "Une demande régulière a besoin d'une date de début."
        if not data.wished_time_from:
            errors["wished_time_from"] = "Une demande régulière a besoin d'une heure."
        if (
            data.recurrence_count is not None
            and not 1 <= data.recurrence_count <= MAX_RECURRENCE_WEEKS
        ):
            errors["recurrence_count"] = f"Entre 1 et {MAX_RECURRENCE_WEEKS} séances."
        if data.recurrence_until and data.wished_date and data.recurrence_until < data.wished_date:
            errors["recurrence_until"] = "La date de fin est avant la première séance."
    notes_error = validation.notes(data.notes)
    if notes_error:
        errors["notes"] = notes_error
    if len(data.caller_name) > 160:
        errors["caller_name"] = "Le nom de l'appelant est trop long."
    return errors


def _mission_type_label(changes: ChangeSet, type_id: str) -> str | None:
    """The label of an active mission type, remembered for the ChangeSet's transaction."""
    if not type_id:
        return None
    cache: dict[str, str | None] = changes.memo.setdefault("mission_type_labels", {})
    if type_id not in cache:
        cache[type_id] = changes.session.scalar(
            select(MissionType.label).where(
                MissionType.id == type_id,
                MissionType.deleted_at.is_(None),
                MissionType.active.is_(True),
            )
        )
    return cache[type_id]


def create_request(registry: Registry, data: RequestInput) -> str:
    """Log a request. Returns its id once it is committed with its audit and outbox rows."""
    with registry.change() as changes:
        errors = request_errors(changes, data)
        if errors:
            raise ValidationError(errors)
        return add_request(changes, data).id


def add_request(changes: ChangeSet, data: RequestInput) -> Request:
    """Insert an already-validated request inside an open ChangeSet."""
    record = Request(
        commune_id=changes.commune_id,
        beneficiary_id=data.beneficiary_id,
        mission_type_id=data.mission_type_id,
        channel=data.channel,
        caller_name=data.caller_name.strip(),
        received_at=utcnow(),
        received_by=changes.actor.display_name,
        wished_date=data.wished_date,
        wished_date_end=data.wished_date_end,
        wished_time_from=data.wished_time_from,
        wished_time_to=data.wished_time_to,
        urgency=data.urgency,
        notes=data.notes.strip(),
        status="nouvelle",
        status_changed_at=utcnow(),
        recurrence=data.recurrence,
        recurrence_count=data.recurrence_count if data.recurrence != "aucune" else None,
        recurrence_until=data.recurrence_until if data.recurrence != "aucune" else None,
    )
    label = _mission_type_label(changes, data.mission_type_id) or "?"
    changes.create(record, f"Demande « {label} » reçue ({CHANNELS[data.channel].lower()})")
    return record


def move_request(
    changes: ChangeSet, request: Request, status: str, summary: str, **extra: object
) -> None:
    """Change a request's status inside an open ChangeSet, forward only."""
    if status == request.status:
        return
    if status not in REQUEST_TRANSITIONS.get(request.status, frozenset()):
        raise StatusTransitionError(
            f"Une demande « {REQUEST_STATUSES.get(request.status, request.status)} » ne peut pas "
            f"passer à « {REQUEST_STATUSES.get(status, status)} »."
        )
    values: dict[str, object] = {"status": status, "status_changed_at": utcnow(), **extra}
    if status == "planifiee" and request.matched_at is None:
        values["matched_at"] = utcnow()
    changes.update(request, values, summary, action="status")


def cancel_request(registry: Registry, request_id: str, reason: str) -> None:
    if not reason.strip():
        raise ValidationError.single("cancel_reason", "Indiquez pourquoi la demande est annulée.")
    with registry.change() as changes:
        request = changes.session.get(Request, request_id)
        if request is None or request.deleted_at is not None:
            raise NotFoundError("Cette demande n'existe plus.")
        move_request(changes, request, "annulee", "Demande annulée", cancel_reason=reason.strip())


# -- reading ------------------------------------------------------------------------
@dataclass(frozen=True)
class RequestFilter:
    status: str | None = None
    mission_type_id: str | None = None
    received_from: dt.date | None = None
    received_to: dt.date | None = None
    beneficiary_id: str | None = None
    urgent_only: bool = False


REQUEST_COLUMNS = ("Reçue le", "Personne", "Type d'aide", "Souhaitée", "Canal", "Urgence", "Statut")


def request_ids(registry: Registry, filters: RequestFilter = RequestFilter()) -> list[str]:
    """Ids newest first, filtered; the lazy table asks for the rows it shows."""
    query = select(Request.id).where(Request.deleted_at.is_(None))
    if filters.status:
        query = query.where(Request.status == filters.status)
    if filters.mission_type_id:
        query = query.where(Request.mission_type_id == filters.mission_type_id)
    if filters.beneficiary_id:
        query = query.where(Request.beneficiary_id == filters.beneficiary_id)
    if filters.urgent_only:
        query = query.where(Request.urgency == "urgente")
    if filters.received_from:
        start = dt.datetime.combine(filters.received_from, dt.time())
        query = query.where(Request.received_at >= start)
    if filters.received_to:
        end = dt.datetime.combine(filters.received_to + dt.timedelta(days=1), dt.time())
        query = query.where(Request.received_at < end)
    with registry.engine.connect() as conn:
        return list(conn.scalars(query.order_by(Request.received_at.desc())))


def wished_text(
    day: dt.date | None, day_end: dt.date | None, start: dt.time | None, end: dt.time | None
) -> str:
    """ "24/11/2026 14:00–16:00", "du 24/11/2026 au 28/11/2026", "dès que possible"."""
    if day is None:
        text = "dès que possible"
    elif day_end and day_end != day:
        text = f"du {short_date(day)} au {short_date(day_end)}"
    else:
        text = short_date(day)
    if start and end:
        text += f" {short_time(start)}–{short_time(end)}"
    elif start:
        text += f" à partir de {short_time(start)}"
    return text


def request_rows(registry: Registry, ids: list[str]) -> dict[str, tuple[str, ...]]:
    if not ids:
        return {}
    query = (
        select(
            Request.id,
            Request.received_at,
            Beneficiary.first_name,
            Beneficiary.last_name,
            MissionType.label,
            Request.wished_date,
            Request.wished_date_end,
            Request.wished_time_from,
            Request.wished_time_to,
            Request.channel,
            Request.urgency,
            Request.status,
        )
        .join(Beneficiary, Beneficiary.id == Request.beneficiary_id)
        .join(MissionType, MissionType.id == Request.mission_type_id)
        .where(Request.id.in_(ids))
    )
    rows: dict[str, tuple[str, ...]] = {}
    with registry.engine.connect() as conn:
        for (
            rid,
            received,
            first,
            last,
            label,
            day,
            day_end,
            t_from,
            t_to,
            channel,
            urgency,
            status,
        ) in conn.execute(query):
            rows[rid] = (
                short_datetime(utc_to_local(received)),
                f"{first} {last}".strip(),
                label,
                wished_text(day, day_end, t_from, t_to),
                CHANNELS.get(channel, str(channel)),
                URGENCIES.get(urgency, str(urgency)),
                REQUEST_STATUSES.get(status, str(status)),
            )
    return rows


def count_requests_by_status(registry: Registry) -> dict[str, int]:
    query = (
        select(Request.status, func.count())
        .where(Request.deleted_at.is_(None))
        .group_by(Request.status)
    )
    with registry.engine.connect() as conn:
        return {status: int(count) for status, count in conn.execute(query)}


@dataclass(frozen=True)
class RequestDetail:
    id: str
    beneficiary_id: str
    beneficiary_name: str
    mission_type_id: str
    mission_type_label: str
    status: str
    status_label: str
    channel_label: str
    caller_name: str
    received: str
    received_by: str
    wished: str
    urgent: bool
    notes: str
    recurrence_label: str
    cancel_reason: str
    recurrence: str = "aucune"
    wished_date: dt.date | None = None
    wished_time_from: dt.time | None = None
    wished_time_to: dt.time | None = None


def request_detail(registry: Registry, request_id: str) -> RequestDetail:
    with registry.session() as session:
        request = session.get(Request, request_id)
        if request is None or request.deleted_at is not None:
            raise NotFoundError("Cette demande n'existe plus.")
        person = session.get(Beneficiary, request.beneficiary_id)
        mission_type = session.get(MissionType, request.mission_type_id)
        recurrence = RECURRENCES.get(request.recurrence, request.recurrence)
        if request.recurrence != "aucune" and request.recurrence_count:
            recurrence += f", {request.recurrence_count} séances"
        if request.recurrence != "aucune" and request.recurrence_until:
            recurrence += f", jusqu'au {short_date(request.recurrence_until)}"
        return RequestDetail(
            id=request.id,
            beneficiary_id=request.beneficiary_id,
            beneficiary_name=person.full_name if person else "?",
            mission_type_id=request.mission_type_id,
            mission_type_label=mission_type.label if mission_type else "?",
            status=request.status,
            status_label=REQUEST_STATUSES.get(request.status, request.status),
            channel_label=CHANNELS.get(request.channel, request.channel),
            caller_name=request.caller_name,
            received=short_datetime(utc_to_local(request.received_at)),
            received_by=request.received_by,
            wished=wished_text(
                request.wished_date,
                request.wished_date_end,
                request.wished_time_from,
                request.wished_time_to,
            ),
            urgent=request.urgency == "urgente",
            notes=request.notes,
            recurrence_label=recurrence,
            cancel_reason=request.cancel_reason,
            recurrence=request.recurrence,
            wished_date=request.wished_date,
            wished_time_from=request.wished_time_from,
            wished_time_to=request.wished_time_to,
        )
