"""A CLI process that stays up: each line on stdin runs one real `bippop-desk` command
in this process (`bippop_desk.cli.main`: the same checks, registry opening and service
as the installed command, without paying Python's start-up each time).

- `read` → `bippop-desk search durand` (a read of the people index);
- `write NAME` → `bippop-desk import beneficiaries` of a one-row list naming NAME.
Answers `done read` / `wrote NAME` once the command returned 0, `failed …` otherwise.
"""

from __future__ import annotations

import contextlib
import io
import sys
from pathlib import Path

from bippop_desk.cli import main as cli_main


def one_row_list(folder: Path, name: str) -> Path:
    path = folder / f"liste-{name}.csv"
    path.write_text(f"NOM Prénom;Né(e) le\n{name} Lucienne;12/03/1936\n", "utf-8")
    return path


def main() -> int:
    registry, folder = sys.argv[1], Path(sys.argv[2])
    print("ready", flush=True)
    for line in sys.stdin:
        command, _, name = line.strip().partition(" ")
        if command == "read":
            argv = ["search", "durand", "--db", registry]
        else:
            argv = ["import", "beneficiaries", str(one_row_list(folder, name)), "--db", registry]
        said, complaints = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(said), contextlib.redirect_stderr(complaints):
            code = cli_main(argv)
        if code != 0 and not (command == "read" and code == 1):  # 1: nobody found
            why = " ".join((said.getvalue() + complaints.getvalue()).split())
            print(f"failed {command} {code}: {why}", flush=True)
        else:
            print(f"wrote {name}" if command == "write" else "done read", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
