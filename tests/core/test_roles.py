"""Role enforcement in the services themselves: each service called as each role
(with and without register access), refused or not by the service, never by the UI."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from decimal import Decimal

import pytest

from bippop_desk.registry.actor import Actor
from bippop_desk.registry.clock import local_today
from bippop_desk.registry.errors import PermissionDeniedError, RegistryError
from bippop_desk.registry.permissions import PERMISSIONS, allowed
from bippop_desk.registry.services import (
    backups,
    campaigns,
    commune,
    erasure,
    person_export,
    register,
    retention,
    settings,
)
from bippop_desk.registry.services.auth import set_staff_access
from bippop_desk.registry.services.journal import journal_ids
from bippop_desk.registry.store import Registry
from tests.core.register_helpers import REGISTRAR, add_staff, registered

ACTORS = {
    "secretaire": (Actor("s", "S", "secretaire"), False),
    "secretaire_registre": (Actor("sr", "SR", "secretaire"), True),
    "coordinateur": (Actor("c", "C", "coordinateur"), False),
    "administrateur": (Actor("a", "A", "administrateur"), False),
    "administrateur_registre": (Actor("ar", "AR", "administrateur"), True),
}
Call = Callable[[Registry, dict[str, str]], object]
SERVICES: dict[str, tuple[str, Call]] = {
    "register_list": ("register.read", lambda r, ids: register.register_list(r)),
    "entry_detail": ("register.read", lambda r, ids: register.entry_detail(r, ids["entry"])),
    "overdue": ("register.read", lambda r, ids: register.overdue_acknowledgements(r)),
    "register_person": (
        "register.write",
        lambda r, ids: register.register_person(r, register.RegisterInput()),
    ),
    "acknowledge": ("register.write", lambda r, ids: register.mark_acknowledged(r, ids["entry"])),
    "remove": ("register.write", lambda r, ids: register.remove_entry(r, "none")),
    "prefet": ("register.export", lambda r, ids: register.prefet_export_rows(r, ids["alert"])),
    "record_alert": (
        "campaign.manage",
        lambda r, ids: campaigns.record_alert(r, "x", local_today()),
    ),
    "call_list": ("campaign.run", lambda r, ids: campaigns.call_list(r, ids["alert"])),
    "record_call": (
        "campaign.run",
        lambda r, ids: campaigns.record_call(r, ids["alert"], ids["entry"], "?"),
    ),
    "erase": ("data_protection", lambda r, ids: erasure.erase_person(r, "beneficiary", "none")),
    "person_data": ("data_protection", lambda r, ids: person_export.person_data(r, "none")),
    "review": ("retention", lambda r, ids: retention.review_list(r)),
    "archive": ("retention", lambda r, ids: retention.archive(r, [])),
    "staff": ("staff.manage", lambda r, ids: set_staff_access(r, "nobody", register=True)),
    "backup": ("backup", lambda r, ids: backups.require_backup_rights(r)),
    "journal": ("journal.read", lambda r, ids: journal_ids(r)),
    # Services of the first release, checked by role inside their transaction.
    "hourly_rate": (
        "coordination",
        lambda r, ids: settings.set_hourly_rate(r, None, Decimal("21.50")),
    ),
    "add_staff_user": (
        "staff.manage",
        lambda r, ids: commune.add_staff_user(
            r, f"u{uuid.uuid4().hex[:8]}", "Nouveau", "secretaire"
        ),
    ),
}


@pytest.fixture(scope="module")
def prepared(tmp_path_factory: pytest.TempPathFactory) -> tuple[Registry, dict[str, str]]:
    from bippop_desk.registry.services.commune import setup_commune

    reg = Registry(tmp_path_factory.mktemp("roles") / "registre.sqlite3")
    setup_commune(reg, "60159", "Compiègne", "60")
    add_staff(reg, REGISTRAR, register=True)
    for actor, access in ACTORS.values():
        add_staff(reg, actor, register=access)
    entry = registered(reg, "Ana", "Role")
    reg.actor = REGISTRAR
    alert = campaigns.record_alert(reg, "canicule", local_today())
    return reg, {"entry": entry, "alert": alert}


@pytest.mark.parametrize("who", list(ACTORS))
@pytest.mark.parametrize("service", list(SERVICES))
def test_each_service_refuses_or_serves_each_role_as_the_matrix_says(
    prepared: tuple[Registry, dict[str, str]], who: str, service: str
) -> None:
    registry, ids = prepared
    actor, access = ACTORS[who]
    permission, call = SERVICES[service]
    rule = PERMISSIONS[permission]
    expected = actor.role in rule.roles and (access or not rule.register)
    registry.actor = actor
    assert allowed(registry, permission) == expected
    if expected:
        try:
            call(registry, ids)
        except PermissionDeniedError as error:  # pragma: no cover - the failure to report
            pytest.fail(f"{who} refused {service}: {error}")
        except RegistryError:
            pass  # bad input on purpose: the permission check came first and passed
    else:
        with pytest.raises(PermissionDeniedError):
            call(registry, ids)


def test_a_secretary_without_register_access_is_told_why_in_french(
    prepared: tuple[Registry, dict[str, str]],
) -> None:
    registry, _ids = prepared
    registry.actor = ACTORS["secretaire"][0]
    with pytest.raises(PermissionDeniedError) as error:
        register.register_list(registry)
    assert "nommé·e pour le registre" in str(error.value)
