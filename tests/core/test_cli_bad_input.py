"""The command line on bad input: a French message, exit code 2, nothing changed,
no registry created at a mistyped path, no half-written file left behind."""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path

import pytest

from bippop_desk.cli import main
from bippop_desk.registry.sqlite_file import APPLICATION_ID
from bippop_desk.registry.store import Registry


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    try:
        code = main(list(argv))
    except SystemExit as leaving:  # argparse refuses an option value
        code = int(leaving.code or 0)
    captured = capsys.readouterr()
    return code, captured.out + captured.err


@pytest.fixture
def other_program_db(tmp_path: Path) -> Path:
    path = tmp_path / "comptes.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE facture (id INTEGER PRIMARY KEY, montant REAL)")
    conn.execute("INSERT INTO facture (montant) VALUES (12.5)")
    conn.commit()
    conn.close()
    return path


@pytest.mark.parametrize("command", [["search", "dupont"], ["demo", "--people", "5"]])
def test_another_programs_sqlite_file_is_refused_and_left_untouched(
    capsys: pytest.CaptureFixture[str], other_program_db: Path, command: list[str]
) -> None:
    before = digest(other_program_db)
    code, out = run(capsys, *command, "--db", str(other_program_db))
    assert code == 2
    assert "autre logiciel" in out and "Traceback" not in out
    assert digest(other_program_db) == before
    assert not Path(f"{other_program_db}-wal").exists()
    conn = sqlite3.connect(other_program_db)
    try:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
    finally:
        conn.close()
    assert tables == {"facture"}


def test_a_directory_or_a_text_file_is_not_a_registry(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out = run(capsys, "search", "dupont", "--db", str(tmp_path))
    assert (code, "est un dossier" in out) == (2, True)
    text = tmp_path / "notes.txt"
    text.write_text("pas une base")
    code, out = run(capsys, "search", "dupont", "--db", str(text))
    assert (code, "pas une base SQLite" in out) == (2, True)
    assert text.read_text() == "pas une base"


def test_a_read_only_command_never_creates_a_registry(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    mistyped = tmp_path / "registre-mal-tape.sqlite3"
    for argv in (
        ["search", "dupont"],
        ["roster", "--week", "2026-W48", "-o", str(tmp_path / "p.pdf")],
        ["export-hours", "--year", "2026", "-o", str(tmp_path / "h.xlsx")],
        ["ics", "--volunteer", "Marc", "-o", str(tmp_path / "m.ics")],
    ):
        code, out = run(capsys, *argv, "--db", str(mistyped))
        assert code == 2 and "Aucun registre" in out, argv
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_a_registry_in_a_missing_folder_is_not_created(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out = run(capsys, "demo", "--people", "5", "--db", str(tmp_path / "non" / "r.sqlite3"))
    assert code == 2 and "n'existe pas" in out
    assert not (tmp_path / "non").exists()


NOBODY = 65534


@contextmanager
def as_nobody() -> Iterator[None]:
    """This very process as `nobody` (real and effective ids), root kept as the saved id
    to come back. Root writes anywhere; `nobody` is refused by the kernel like any user.
    Needs no mount, no second process and no access to the project's files (a clone in a
    private folder, as CI makes): only CAP_SETUID, which root has in any container."""
    groups = os.getgroups()
    os.setgroups([])
    os.setresgid(NOBODY, NOBODY, 0)
    os.setresuid(NOBODY, NOBODY, 0)
    try:
        yield
    finally:
        os.setresuid(0, 0, 0)  # allowed: 0 is the saved id
        os.setresgid(0, 0, 0)
        os.setgroups(groups)


def test_a_read_only_folder_is_said_so(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """The command, run in this process, by a user who cannot write the folder: the
    tester, or `nobody` when the tests run as root."""
    as_root = os.geteuid() == 0
    if as_root:
        # pytest's own temp folder is private to root: a world-readable one instead.
        tmp_path = Path(tempfile.mkdtemp(prefix="bippop-ro-"))
        tmp_path.chmod(0o755)
    folder = tmp_path / "lecture-seule"
    folder.mkdir()
    writable = tmp_path / "ecrivable"
    writable.mkdir(mode=0o777)
    writable.chmod(0o777)
    # The same command where it may write (which also loads every module it needs
    # while they can still be read), then where it may not.
    code, out = run(capsys, "demo", "--people", "5", "--db", str(writable / "r.sqlite3"))
    assert code == 0, out
    folder.chmod(0o555)
    try:
        with as_nobody() if as_root else nullcontext():
            assert not os.access(folder, os.W_OK)  # the kernel refuses, not a pretence
            code, out = run(capsys, "demo", "--people", "5", "--db", str(folder / "r.sqlite3"))
    finally:
        folder.chmod(0o755)
    left = list(folder.iterdir())
    if as_root:
        shutil.rmtree(tmp_path, ignore_errors=True)
    assert code == 2, out
    assert "lecture seule" in out and "Traceback" not in out
    assert left == []


@pytest.fixture
def registry_file(registry: Registry, db_path: Path) -> Path:
    registry.close()
    return db_path


@pytest.mark.parametrize(
    "argv",
    [
        ["roster", "--week", "9999-W52"],
        ["roster", "--week", "0001-W01"],
        ["roster", "--week", "2026-W60"],
        ["export-hours", "--year", "0"],
        ["export-hours", "--year", "99999"],
        ["export-hours", "--month", "2026-13"],
        ["export-hours", "--from", "0001-01-01", "--to", "0001-12-31"],
        ["ics", "--volunteer", "x", "--from", "9999-12-01"],
        ["ics", "--volunteer", "x", "--weeks", "9999"],
        ["search", "--limit", "-5", "dupont"],
    ],
)
def test_out_of_range_dates_and_numbers_get_a_french_message(
    capsys: pytest.CaptureFixture[str], registry_file: Path, tmp_path: Path, argv: list[str]
) -> None:
    target = tmp_path / "sortie.bin"
    if argv[0] != "search":
        argv = [*argv, "-o", str(target)]
    code, out = run(capsys, *argv, "--db", str(registry_file))
    assert code == 2, out
    assert "Traceback" not in out and "Error:" not in out
    assert not target.exists()
    assert [p.name for p in tmp_path.iterdir() if "partial" in p.name or "partiel" in p.name] == []


@pytest.mark.parametrize(
    "argv",
    [
        ["roster", "--week", "2026-W48"],
        ["export-hours", "--year", "2026"],
    ],
)
def test_an_output_that_is_a_folder_or_in_a_missing_folder_is_refused(
    capsys: pytest.CaptureFixture[str], registry_file: Path, tmp_path: Path, argv: list[str]
) -> None:
    out_dir = tmp_path / "exports"
    out_dir.mkdir()
    code, out = run(capsys, *argv, "-o", str(out_dir), "--db", str(registry_file))
    assert code == 2 and "est un dossier" in out
    code, out = run(
        capsys, *argv, "-o", str(tmp_path / "absent" / "f.out"), "--db", str(registry_file)
    )
    assert code == 2 and "n'existe pas" in out
    leftovers = [p.name for p in tmp_path.rglob("*") if p.suffix in (".partial", ".partiel")]
    assert leftovers == []


def test_db_given_before_the_command_is_kept_after_a_double_dash(
    capsys: pytest.CaptureFixture[str], registry: Registry, db_path: Path, tmp_path: Path
) -> None:
    from tests.conftest import add_person

    add_person(registry, "Jérôme", "Lefèvre")
    registry.close()
    code, out = run(capsys, "--db", str(db_path), "search", "--", "-lefevre")
    assert code == 0 and "Jérôme Lefèvre" in out
    # And the user's own registry (the default path) was neither used nor created.
    home = Path(os.environ["BIPPOP_DESK_HOME"])
    assert not (home / "registre.sqlite3").exists()


def test_a_registry_from_before_the_application_id_opens_and_is_stamped(
    capsys: pytest.CaptureFixture[str], registry_file: Path
) -> None:
    conn = sqlite3.connect(registry_file)
    conn.execute("PRAGMA application_id=0")
    conn.commit()
    conn.close()
    code, _out = run(capsys, "search", "lefevre", "--db", str(registry_file))
    assert code == 1  # nobody found, and no error
    Registry(registry_file).close()
    conn = sqlite3.connect(registry_file)
    try:
        assert conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    finally:
        conn.close()
