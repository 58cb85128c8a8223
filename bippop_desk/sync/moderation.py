"""The platform's moderation queue, seen from the desk (issue 15): web submissions that
came past the commune's daily quota wait on the platform, not in the registry. Staff
list them here and accept them (the records come down with the next pull, to check
like any web arrival) or reject them (deleted on the platform). Network calls: run on
the network pool, never on the GUI thread or the DB worker."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import httpx

from bippop_desk.registry.errors import RegistryError
from bippop_desk.registry.store import Registry
from bippop_desk.sync.client import RetryPolicy, SyncHttp
from bippop_desk.sync.credentials import load_token
from bippop_desk.sync.state import read_state

KINDS = {"volunteer": "Inscription bénévole", "request": "Demande d'aide"}


@dataclass(frozen=True)
class HeldSubmission:
    held_id: str
    kind: str
    summary: str
    received_at: str
    phone: str

    @property
    def kind_label(self) -> str:
        return KINDS.get(self.kind, self.kind)


def _http(registry: Registry, transport: httpx.BaseTransport | None,
          retry: RetryPolicy | None) -> SyncHttp:  # fmt: skip
    state = read_state(registry)
    if not state.enrolled:
        raise RegistryError("Ce poste n'est pas encore inscrit auprès de la plateforme.")
    token = load_token(state.device_id)
    if not token:
        raise RegistryError("Le jeton de ce poste n'est plus dans le trousseau : inscrivez-le.")
    return SyncHttp(state.server_url, token, ca_file=state.ca_file, transport=transport,
                    retry=retry)  # fmt: skip


def _phone(records: Sequence[dict[str, Any]]) -> str:
    for record in records:
        phone = (record.get("fields") or {}).get("phone")
        if phone:
            return str(phone)
    return ""


def held_submissions(
    registry: Registry, *, transport: httpx.BaseTransport | None = None,
    retry: RetryPolicy | None = None, limit: int = 200,
) -> tuple[list[HeldSubmission], int]:  # fmt: skip
    """The oldest held submissions (at most `limit`) and how many wait in all."""
    with _http(registry, transport, retry) as http:
        answer = http.call("GET", "/api/v1/moderation", params={"limit": limit})
    held = [
        HeldSubmission(str(h["held_id"]), str(h["kind"]), str(h["summary"]),
                       str(h["received_at"]), _phone(h.get("records") or []))
        for h in answer.get("held", [])
    ]  # fmt: skip
    return held, int(answer.get("total", len(held)))


def decide_submissions(
    registry: Registry, held_ids: Sequence[str], accept: bool, *,
    transport: httpx.BaseTransport | None = None, retry: RetryPolicy | None = None,
) -> dict[str, str]:  # fmt: skip
    """held_id → accepted / rejected / unknown (already decided by another desk)."""
    results: dict[str, str] = {}
    ids = list(dict.fromkeys(held_ids))
    with _http(registry, transport, retry) as http:
        for start in range(0, len(ids), 200):
            body = {
                "action": "accept" if accept else "reject",
                "held_ids": ids[start : start + 200],
            }
            results.update(http.call("POST", "/api/v1/moderation", body=body).get("results", {}))
    return results
