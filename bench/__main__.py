"""`python -m bench NAME [NAME...]` or `python -m bench all`.

A bench is any module of this folder with a `run()` returning `bench.common.report(...)`:
it is found by its file name, nothing to register. The exit code is non-zero when any
bench misses its target (or fails to run), so `make bench` can fail.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
import traceback
from pathlib import Path

HERE = Path(__file__).parent
NOT_BENCHES = {"common", "__main__", "bare_window"}
# `import` is a Python keyword: its module is import_bench.py, its name stays `import`.
ALIASES = {"import": "import_bench"}


def available() -> list[str]:
    return sorted(
        module.name
        for module in pkgutil.iter_modules([str(HERE)])
        if module.name not in NOT_BENCHES and not module.name.startswith("_")
    )


def main(argv: list[str]) -> int:
    names = available() if not argv or argv == ["all"] else [ALIASES.get(a, a) for a in argv]
    unknown = [name for name in names if name not in available()]
    if unknown:
        print(f"unknown bench {unknown}; available: {', '.join(available())}", file=sys.stderr)
        return 2
    missed: list[str] = []
    broken: list[str] = []
    for name in names:
        print(f"== bench {name}", flush=True)
        try:
            module = importlib.import_module(f"bench.{name}")
            result = module.run()
        except Exception:  # one broken bench must not hide the others' results
            traceback.print_exc()
            broken.append(name)
            continue
        if not result.get("ok"):
            missed.append(name)
    if missed:
        print(f"benches over target: {', '.join(missed)}", file=sys.stderr)
    if broken:
        print(f"benches that failed to run: {', '.join(broken)}", file=sys.stderr)
    return 1 if missed or broken else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
