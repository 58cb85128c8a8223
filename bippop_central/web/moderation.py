"""The desks' side of the web: the moderation queue (submissions past the commune's daily
quota, held on the platform) and the rate limit of the public JSON forms.

GET /api/v1/moderation lists the commune's held submissions; POST /api/v1/moderation
accepts (records written, they come down with the next pull) or rejects (deleted) some.
Authorised like push and pull: the device token's commune only.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from bippop_central.web import catalogue, submit
from bippop_central.web.limits import hit
from bippop_central.web.render import Web
from bippop_central.web.security import client_address

MAX_DECISIONS = 200


class HeldRecordOut(BaseModel):
    entity: str
    record_id: str
    fields: dict[str, Any]
    extra: dict[str, Any]


class HeldOut(BaseModel):
    held_id: str
    kind: Literal["volunteer", "request"]
    summary: str
    received_at: str
    records: list[HeldRecordOut]


class ModerationOut(BaseModel):
    held: list[HeldOut]
    total: int = Field(
        description="Soumissions en attente en tout (la liste en montre au plus `limit`)"
    )


class ModerationIn(BaseModel):
    action: Literal["accept", "reject"]
    held_ids: list[uuid.UUID] = Field(min_length=1, max_length=MAX_DECISIONS)


class DecisionsOut(BaseModel):
    results: dict[str, Literal["accepted", "rejected", "unknown"]]


class RateLimited(Exception):
    def __init__(self, retry_after_s: int) -> None:
        super().__init__(retry_after_s)
        self.retry_after_s = retry_after_s


def rate_limited_response(error: RateLimited) -> JSONResponse:
    minutes = max(1, -(-error.retry_after_s // 60))
    return JSONResponse(
        {"detail": f"Trop d'envois depuis cette adresse ou pour cette commune : réessayez "
                   f"dans {minutes} minute{'s' if minutes > 1 else ''}."},
        status_code=429, headers={"Retry-After": str(error.retry_after_s)},
    )  # fmt: skip


def limit_json_form(web: Web, request: Request, insee: str) -> None:
    """The web pages' limits for the public JSON forms (RateLimited → 429)."""
    if catalogue.commune(web.engine, insee) is None:
        return  # the endpoint answers 404 itself
    address = client_address(request, web.config)
    verdict = hit(web.engine, [(f"ip:{address}", web.config.limits["ip"]),
                               (f"commune:{insee}", web.config.limits["commune"])])  # fmt: skip
    if not verdict.allowed:
        raise RateLimited(verdict.retry_after_s)


def router(web: Web, device: Any, errors: dict[int | str, dict[str, Any]]) -> APIRouter:
    routes = APIRouter()

    @routes.get("/api/v1/moderation", summary="Soumissions web en attente de modération",
                response_model=ModerationOut, responses=errors)  # fmt: skip
    def held(limit: Annotated[int, Query(ge=1, le=500)] = 100,
             caller: Any = Depends(device)) -> dict[str, Any]:  # fmt: skip  # noqa: B008
        """Les inscriptions et demandes arrivées du web au-delà du quota du jour de la
        commune : elles n'ont pas été transmises aux postes, elles attendent ici."""
        found, total = submit.held_list(web.engine, caller.commune_id, limit)
        return {"total": total, "held": [
            {"held_id": h.held_id, "kind": h.kind, "summary": h.summary,
             "received_at": h.received_at,
             "records": [{"entity": r[0], "record_id": r[1], "fields": r[2], "extra": r[3]}
                         for r in h.records]}
            for h in found
        ]}  # fmt: skip

    @routes.post("/api/v1/moderation", summary="Accepter ou refuser des soumissions web",
                 response_model=DecisionsOut, responses=errors)  # fmt: skip
    def decide(body: ModerationIn, caller: Any = Depends(device)) -> dict[str, Any]:  # noqa: B008
        """Accepter : les fiches sont écrites et descendent au prochain tirage. Refuser :
        la soumission est supprimée. Un identifiant inconnu (ou d'une autre commune)
        répond « unknown »."""
        ids = [str(held_id) for held_id in dict.fromkeys(body.held_ids)]
        results = submit.decide(web.engine, caller.commune_id, ids, body.action == "accept")
        return {"results": results}

    return routes
