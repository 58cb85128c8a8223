"""`python -m bench NAME [NAME...]` or `python -m bench all`."""

from __future__ import annotations

import importlib
import pkgutil
import sys
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
    failed = []
    for name in names:
        print(f"== bench {name}", flush=True)
        module = importlib.import_module(f"bench.{name}")
        result = module.run()
        if not result.get("ok"):
            failed.append(name)
    if failed:
        print(f"benches over target: {', '.join(failed)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
