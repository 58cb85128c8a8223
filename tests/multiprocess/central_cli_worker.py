"""A `bippop-central` CLI process that stays up: each line `code` on stdin runs
`bippop-central enroll-code INSEE --db URL` in this process (`bippop_central.cli.main`,
the installed command's code) and answers `code XXXX-XXXX-XXXX` once it returned 0."""

from __future__ import annotations

import contextlib
import io
import sys

from bippop_central.cli import main as cli_main


def main() -> int:
    url, insee = sys.argv[1], sys.argv[2]
    print("ready", flush=True)
    for _line in sys.stdin:
        said = io.StringIO()
        with contextlib.redirect_stdout(said):
            code = cli_main(["enroll-code", insee, "--db", url])
        words = said.getvalue().split()
        print(f"code {words[-1]}" if code == 0 and words else f"failed {code}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
