"""Shared bench helpers: the JSON result line, percentiles, cached demo registries."""

from __future__ import annotations

import json
import math
import os
import shutil
import statistics
import tempfile
from collections.abc import Sequence
from pathlib import Path


def percentile(values: Sequence[float], fraction: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return math.nan
    index = min(len(ordered) - 1, max(0, math.ceil(fraction * len(ordered)) - 1))
    return ordered[index]


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def report(
    name: str,
    value: float,
    unit: str,
    target: float,
    floor: float | None,
    ok: bool,
    **details: object,
) -> dict[str, object]:
    """Print the details, then the one JSON result line, and return it."""
    ratio = round(value / floor, 2) if floor else None
    for key, detail in details.items():
        print(f"  {key}: {detail}")
    result: dict[str, object] = {
        "bench": name,
        "value": round(value, 3),
        "unit": unit,
        "target": target,
        "floor": round(floor, 3) if floor is not None else None,
        "ratio": ratio,
        "ok": bool(ok),
    }
    print(json.dumps(result, ensure_ascii=False))
    return result


def cache_dir() -> Path:
    path = Path(os.environ.get("BIPPOP_BENCH_CACHE", Path(tempfile.gettempdir()) / "bippop-bench"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def demo_code_hash() -> str:
    """Changes whenever the demo generator or any migration changes (a reserved
    migration filled in keeps the head revision's number), so a cached registry built
    by older code is rebuilt rather than measured."""
    import hashlib

    from bippop_desk.registry import demo, demo_names, textkeys
    from bippop_desk.registry.migrate import MIGRATIONS_DIR

    digest = hashlib.sha256()
    for module in (demo, demo_names, textkeys):
        digest.update(Path(str(module.__file__)).read_bytes())
    for migration in sorted((MIGRATIONS_DIR / "versions").glob("*.py")):
        digest.update(migration.read_bytes())
    return digest.hexdigest()[:10]


def demo_registry_file(people: int, volunteers: int, seed: int = 1942) -> Path:
    """A demo registry of that size, generated once and reused (schema head in the name)."""
    from bippop_desk.registry.demo import generate_demo
    from bippop_desk.registry.migrate import head_revision
    from bippop_desk.registry.store import Registry

    path = (
        cache_dir()
        / f"demo-{people}-{volunteers}-{seed}-{head_revision()}-{demo_code_hash()}.sqlite3"
    )
    if not path.exists():
        building = path.with_suffix(".building")
        for stale in building.parent.glob(building.name + "*"):
            stale.unlink()
        with Registry(building) as registry:
            generate_demo(registry, people, volunteers, seed)
        os.replace(building, path)
    return path


def scratch_copy(path: Path) -> Path:
    """A private copy for benches that write, so the cached file stays pristine."""
    target = Path(tempfile.mkdtemp(prefix="bippop-bench-")) / path.name
    shutil.copy(path, target)
    return target
