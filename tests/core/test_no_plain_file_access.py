"""No code reads, copies or writes a registry file (or its -wal/-shm) outside SQLite
(issue 13). Closing any descriptor on the database file drops every SQLite lock this
process holds on it: another process then deletes the WAL the app is still writing.

Two guards: a scan of the source for plain file calls, each one reviewed below with why it
never touches a registry; and a run of the app's start-up and file-handling services
under an audit hook that records every open() of a database file.
"""

from __future__ import annotations

import ast
import datetime as dt
import sqlite3
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from bippop_desk.registry.errors import RegistryError, ValidationError
from bippop_desk.registry.importing.plan import prepare_import
from bippop_desk.registry.reader import open_if_current
from bippop_desk.registry.services import backups
from bippop_desk.registry.services.hours_report import Period
from bippop_desk.registry.services.person_export import person_data, write_json
from bippop_desk.registry.sqlite_file import check_registry_file, look_at
from bippop_desk.registry.store import Registry
from bippop_desk.reports.hours_workbook import write_hours_workbook
from bippop_desk.reports.roster import write_roster
from tests.conftest import add_person
from tests.core.register_helpers import ADMIN, add_staff

ROOT = Path(__file__).resolve().parents[2]
PLAIN_CALLS = {
    "read_bytes", "read_text", "write_bytes", "write_text",
    "copy", "copy2", "copyfile", "copyfileobj", "copytree", "move",
}  # fmt: skip
# (module, function, call) → why it never opens a registry file. A new plain file call
# fails this test until it is reviewed and listed here.
REVIEWED = {
    ("bippop_desk/memory.py", "peak_rss_mb", "open"): "/proc/self/status",
    ("bippop_central/erasures.py", "_fsync_folder", "os.open"): (
        "the erasure list's folder itself (a directory, to fsync its entries)"
    ),
    ("bippop_central/erasures.py", "note_erasures", "os.open"): (
        "the central's erasure list, <database>.effacements.jsonl (JSON lines)"
    ),
    ("bippop_central/erasures.py", "read_erasures", "path.read_text"): (
        "the central's erasure list (JSON lines, never a database)"
    ),
    ("bippop_desk/registry/erasure_list.py", "_fsync_folder", "os.open"): (
        "the backups folder itself (a directory, to fsync its entries)"
    ),
    ("bippop_desk/registry/erasure_list.py", "note_erasure", "os.open"): (
        "the erasure list, a JSON-lines file named <registry>-effacements.jsonl"
    ),
    ("bippop_desk/registry/erasure_list.py", "prune_erasures", "os.open"): (
        "the erasure list's temporary file"
    ),
    ("bippop_desk/registry/erasure_list.py", "prune_erasures", "os.replace"): (
        "the erasure list's temporary file onto the list"
    ),
    ("bippop_desk/registry/erasure_list.py", "read_erasures", "path.read_text"): (
        "the erasure list (JSON lines, never a database)"
    ),
    ("bippop_desk/registry/importing/readers.py", "read_grid", "path.read_bytes"): (
        "the spreadsheet to import, refused before this line when it is a database "
        "(is_database_file, through SQLite)"
    ),
    ("bippop_desk/registry/output_file.py", "written_atomically", "partial.replace"): (
        "the document's temporary file onto a target refused when it is a database"
    ),
    ("bippop_desk/registry/network_share.py", "mount_type", "mountinfo.read_text"): (
        "/proc/self/mountinfo"
    ),
    ("bippop_desk/registry/remote.py", "_new_row", "base.copy"): "a dict, not a file",
    ("bippop_desk/registry/services/backups.py", "take_backup", "os.replace"): (
        "a new backup, written by the SQLite backup API and closed, onto its own name"
    ),
    ("bippop_desk/registry/services/person_export.py", "write_json", "partial.write_text"): (
        "written_atomically's temporary file"
    ),
    ("bippop_desk/reports/annual_report.py", "write_annual_report", "partial.write_bytes"): (
        "written_atomically's temporary file"
    ),
    ("bippop_desk/reports/ics.py", "write_volunteer_calendar", "partial.write_bytes"): (
        "written_atomically's temporary file"
    ),
    ("bippop_desk/reports/roster.py", "write_roster", "partial.write_bytes"): (
        "written_atomically's temporary file"
    ),
    ("bippop_desk/reports/survey_report.py", "write_survey_report", "partial.write_bytes"): (
        "written_atomically's temporary file"
    ),
    ("bippop_desk/ui/pages/mission_dialog.py", "report_done", "dialog.open"): "a QDialog",
    ("bippop_desk/ui/pages/reports.py", "to_image", "image.copy"): "a QImage",
    ("bippop_central/cli.py", "main", "Path(args.output).write_text"): (
        "the OpenAPI document the operator asked for"
    ),
}


def plain_file_calls() -> set[tuple[str, str, str]]:
    found: set[tuple[str, str, str]] = set()
    for package in ("bippop_desk", "bippop_central"):
        for source in sorted((ROOT / package).rglob("*.py")):
            module = source.relative_to(ROOT).as_posix()
            tree = ast.parse(source.read_text("utf-8"))
            for function, call in _calls(tree):
                found.add((module, function, call))
    return found


def _calls(tree: ast.AST) -> Iterator[tuple[str, str]]:
    def visit(node: ast.AST, function: str) -> Iterator[tuple[str, str]]:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                yield from visit(child, child.name)
                continue
            if isinstance(child, ast.Call):
                callee = child.func
                if isinstance(callee, ast.Name) and callee.id == "open":
                    yield function, "open"
                elif isinstance(callee, ast.Attribute) and (
                    callee.attr in PLAIN_CALLS | {"open", "replace", "rename"}
                ):
                    name = ast.unparse(callee)
                    # str.replace / datetime.replace are not file calls: only a
                    # replace/rename on something named like a path is looked at.
                    if callee.attr in {"replace", "rename"} and not _looks_like_path(name):
                        pass
                    else:
                        yield function, name
            yield from visit(child, function)

    yield from visit(tree, "<module>")


def _looks_like_path(name: str) -> bool:
    return any(word in name for word in ("path", "partial", "target", "Path(", "os."))


def test_every_plain_file_call_in_the_code_is_reviewed_and_none_touches_a_registry() -> None:
    found = plain_file_calls()
    unreviewed = sorted(found - REVIEWED.keys())
    assert unreviewed == [], (
        "plain file calls not reviewed (a registry must only be read through SQLite: "
        "sqlite_file.look_at, the backup API): " + repr(unreviewed)
    )
    assert sorted(REVIEWED.keys() - found) == [], "reviewed calls that no longer exist"


# -- at run time -------------------------------------------------------------------
_watched: list[Path] = []
_opened: list[str] = []


def _audit(event: str, args: tuple[object, ...]) -> None:
    if event != "open" or not _watched or not args:
        return
    name = str(args[0])
    if name.endswith((".sqlite3", ".sqlite3-wal", ".sqlite3-shm", ".sqlite3-journal")):
        _opened.append(name)


sys.addaudithook(_audit)  # permanent by design; inert unless a test watches


@pytest.fixture
def watch_opens(tmp_path: Path) -> Iterator[list[str]]:
    _watched.append(tmp_path)
    _opened.clear()
    try:
        yield _opened
    finally:
        _watched.remove(tmp_path)


def test_opening_backing_up_exporting_and_restoring_never_open_a_registry_file(
    registry: Registry, db_path: Path, tmp_path: Path, watch_opens: list[str]
) -> None:
    person = add_person(registry, "Hélène", "Bérard")
    add_staff(registry, ADMIN)
    registry.close()
    # The app's start-up: the plain FileReader first, then the full Registry beside it.
    reader = open_if_current(db_path)
    assert reader is not None
    full = Registry(db_path, ADMIN)
    assert check_registry_file(db_path, create=False) is False
    assert look_at(db_path).is_registry_schema
    copy = backups.take_backup(db_path)
    backups.daily_backup(db_path)
    assert [b.path for b in backups.list_backups(db_path)]
    backups.check_backup(copy)
    write_roster(full, 2026, 48, "volunteer", tmp_path / "planning.pdf")
    write_hours_workbook(full, Period(dt.date(2026, 1, 1), dt.date(2026, 12, 31)),
                         tmp_path / "heures.xlsx")  # fmt: skip
    write_json(person_data(full, person), tmp_path / "donnees.json")
    reader.close()
    backups.restore_open_registry(full, copy)
    full.close()
    assert watch_opens == []


def test_a_document_is_never_written_over_a_registry_or_its_wal(
    registry: Registry, db_path: Path
) -> None:
    add_person(registry, "Hélène", "Bérard")
    wal = db_path.with_name(db_path.name + "-wal")
    assert wal.exists()
    for target in (db_path, wal):
        with pytest.raises(RegistryError, match="base de données"):
            write_roster(registry, 2026, 48, "volunteer", target)
    conn = sqlite3.connect(db_path)
    try:
        assert conn.execute("SELECT count(*) FROM beneficiary").fetchone()[0] == 1
    finally:
        conn.close()


def test_importing_the_registry_itself_is_refused_without_reading_it(
    registry: Registry, db_path: Path, watch_opens: list[str]
) -> None:
    with pytest.raises(ValidationError) as refused:
        prepare_import(registry, db_path, "beneficiaries")
    assert "base de données" in refused.value.errors["file"]
    assert watch_opens == []
