"""Small helpers of the server tests (tests/servers.py starts the server itself)."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import text

from tests.servers import CentralServer, batch


def push(http: httpx.Client, *mutations: dict[str, Any]) -> list[dict[str, Any]]:
    response = http.post("/api/v1/push", json=batch(*mutations))
    assert response.status_code == 200, response.text
    return response.json()["results"]  # type: ignore[no-any-return]


def pull_all(
    http: httpx.Client, after: int = 0, limit: int = 500
) -> tuple[list[dict[str, Any]], int]:
    """Every change after the cursor, page by page: (changes, final cursor)."""
    changes: list[dict[str, Any]] = []
    while True:
        page = http.get("/api/v1/pull", params={"after": after, "limit": limit})
        assert page.status_code == 200, page.text
        body = page.json()
        changes += body["changes"]
        after = body["next_cursor"]
        if not body["has_more"]:
            return changes, after


def by_id(changes: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {change["record_id"]: change for change in changes}


def database_text(server: CentralServer) -> str:
    """Every table of the server's database as text (to prove a value is nowhere)."""
    engine = server.engine()
    parts: list[str] = []
    with engine.connect() as conn:
        for table in ("commune", "device", "enroll_code", "record", "applied_mutation",
                      "push_batch"):  # fmt: skip
            for row in conn.execute(text(f"SELECT * FROM {table}")):
                parts.append(repr(tuple(row)))
    return "\n".join(parts)
