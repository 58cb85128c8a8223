"""Benchmarks: `python -m bench NAME` (or `all`). Each prints, as its last line, one JSON
object {"bench", "value", "unit", "target", "floor", "ratio", "ok"} where the floor is the
same work done the plainest way, measured in the same run."""
