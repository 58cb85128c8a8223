"""A request the app reported saved is in the file, whatever other processes did with
the registry meanwhile (issue 13: a plain open()/close() of the file by the app dropped
its POSIX locks; the next process to close the file deleted the app's WAL)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.multiprocess.processes import (
    ROOT,
    AppProcess,
    deleted_registry_files,
    integrity,
    notes_of_requests,
    read_with_another_process,
    run_cli,
)

pytestmark = pytest.mark.slow


def test_a_request_saved_after_another_process_read_the_file_survives_a_kill(
    demo_file: Path, app: AppProcess
) -> None:
    read_with_another_process(demo_file)
    request_id = app.save("après-lecture")
    assert deleted_registry_files(app.pid, demo_file) == []
    app.kill()
    assert notes_of_requests(demo_file).get(request_id) == "après-lecture"
    assert integrity(demo_file) == "ok"


def test_a_request_saved_around_a_cli_import_survives_a_kill(
    demo_file: Path, app: AppProcess
) -> None:
    before = app.save("avant-import")
    imported = run_cli(
        "import",
        "beneficiaries",
        str(ROOT / "resources/demo/exemple-beneficiaires.csv"),
        "--db",
        str(demo_file),
    )
    assert imported.returncode == 0, imported.stderr
    after = app.save("après-import")
    read_with_another_process(demo_file)
    assert deleted_registry_files(app.pid, demo_file) == []
    app.kill()
    notes = notes_of_requests(demo_file)
    assert notes.get(before) == "avant-import"
    assert notes.get(after) == "après-import"
    assert integrity(demo_file) == "ok"
