"""The command line asks who acts: --user, the password from the keyring (or the
prompt); the services then apply that user's rights."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from bippop_desk.cli import main
from bippop_desk.cli.auth import password_key
from bippop_desk.registry.clock import local_today
from bippop_desk.registry.services.campaigns import record_alert
from bippop_desk.registry.store import Registry
from bippop_desk.secrets import set_secret
from tests.conftest import SECRETARY
from tests.core.register_helpers import ADMIN, PASSWORD, REGISTRAR, add_staff, registered


@pytest.fixture
def cli_registry(registry: Registry, db_path: Path) -> Path:
    for actor, access in ((REGISTRAR, True), (ADMIN, False), (SECRETARY, False)):
        add_staff(registry, actor, register=access)
        set_secret(password_key(registry, actor.username), PASSWORD)
    registered(registry, "Hélène", "Ligne")
    registry.actor = REGISTRAR
    record_alert(registry, "canicule", local_today())
    registry.close()
    return db_path


def test_reading_the_register_needs_a_user(
    cli_registry: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["register", "list", "--db", str(cli_registry)]) == 2
    assert "--user" in capsys.readouterr().err
    assert main(["register", "list", "--db", str(cli_registry), "--user", "claire"]) == 0
    assert "Ligne Hélène" in capsys.readouterr().out


def test_a_secretary_not_named_is_refused_by_the_service(
    cli_registry: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["register", "list", "--db", str(cli_registry), "--user", "sophie"]) == 2
    assert "registre" in capsys.readouterr().err


def test_the_prefet_export_and_call_sheets_from_the_command_line(
    cli_registry: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["--db", str(cli_registry), "--user", "claire"]
    assert main(["register", "prefet", "-o", str(tmp_path), *args]) == 0
    assert list(tmp_path.glob("registre-prefet-*.xlsx"))
    assert main(["register", "calls", "-o", str(tmp_path / "appels.pdf"), *args]) == 0
    assert (tmp_path / "appels.pdf").stat().st_size > 1000


def test_backup_and_restore_from_the_command_line(
    cli_registry: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["--db", str(cli_registry)]
    assert main(["backup", "now", *args, "--user", "claire"]) == 2  # not an administrator
    assert main(["backup", "now", *args, "--user", "admin"]) == 0
    copy = capsys.readouterr().out.split("Copie faite : ")[1].strip()
    with Registry(cli_registry) as registry, registry.change() as changes:
        changes.session.execute(text("UPDATE beneficiary SET last_name = 'Changé'"))
    assert main(["backup", "restore", copy, *args, "--user", "admin"]) == 0
    with Registry(cli_registry) as registry, registry.raw() as conn:
        assert conn.execute("SELECT last_name FROM beneficiary").fetchone()[0] == "Ligne"


def test_a_registry_without_accounts_yet_opens_as_the_os_login(
    registry: Registry, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    registry.close()  # no administrator with a password: nobody to sign in as
    assert main(["backup", "now", "--db", str(db_path)]) == 0
    assert "Copie faite" in capsys.readouterr().out


def test_reading_people_from_the_command_line_asks_who_acts_once_accounts_exist(
    cli_registry: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["search", "ligne", "--db", str(cli_registry)]
    assert main(args) == 2
    assert "--user" in capsys.readouterr().err
    assert main([*args, "--user", "sophie"]) == 0
    assert "Hélène Ligne" in capsys.readouterr().out
    assert main([*args, "--user", "inconnu"]) == 2  # no password stored, no terminal
