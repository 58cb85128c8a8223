"""Every right is checked by the service through the one permission table, and every
refusal leaves a trace in the journal (not only the newer register services)."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest
from sqlalchemy import select

from bippop_desk.registry.errors import PermissionDeniedError
from bippop_desk.registry.models import AuditEvent
from bippop_desk.registry.services.catalogue import MissionTypeInput, save_mission_type
from bippop_desk.registry.services.commune import add_staff_user
from bippop_desk.registry.services.missions_visits import validate_missions
from bippop_desk.registry.services.settings import set_hourly_rate
from bippop_desk.registry.services.volunteers import change_volunteer_status
from bippop_desk.registry.store import Registry
from tests.conftest import SECRETARY

REFUSED: dict[str, Callable[[Registry], object]] = {
    "add a staff user": lambda r: add_staff_user(r, "paul", "Paul Martin", "administrateur"),
    "change an hourly rate": lambda r: set_hourly_rate(r, None, Decimal("20")),
    "validate visits": lambda r: validate_missions(r, []),
    "validate a volunteer": lambda r: change_volunteer_status(r, "no-such-id", "valide"),
    "edit the catalogue": lambda r: save_mission_type(
        r, MissionTypeInput("Jardinage", "mobilite_inversee", 60, False)
    ),
}


@pytest.mark.parametrize("action", sorted(REFUSED))
def test_a_secretary_is_refused_by_the_service_and_the_refusal_is_journaled(
    registry: Registry, action: str
) -> None:
    registry.actor = SECRETARY
    with registry.session() as session:
        before = session.scalar(select(AuditEvent.id).order_by(AuditEvent.id.desc()).limit(1))
    with pytest.raises(PermissionDeniedError, match="Votre rôle ne permet pas"):
        REFUSED[action](registry)
    with registry.session() as session:
        events = session.scalars(select(AuditEvent).where(AuditEvent.id > (before or 0))).all()
    assert [(e.user_name, e.action) for e in events] == [("Sophie Martin", "refus")]
