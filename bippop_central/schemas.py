"""Request and response bodies (pydantic): they make the published OpenAPI meaningful."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

MAX_BATCH = 500


class ErrorOut(BaseModel):
    detail: str = Field(description="Phrase en français, à montrer telle quelle.")


class UpgradeOut(ErrorOut):
    min_protocol: int


class ValidationOut(ErrorOut):
    errors: dict[str, str] = Field(default_factory=dict, description="champ → message")


class CommuneOut(BaseModel):
    insee_code: str
    name: str
    departement: str


class EnrollIn(BaseModel):
    code: str = Field(min_length=1, max_length=40, examples=["ABCD-EFGH-JKLM"])
    device_id: uuid.UUID
    device_name: str = Field(default="", max_length=120)
    # The desk's commune: a code of another commune is refused before it is spent.
    insee_code: str | None = Field(default=None, pattern=r"^(\d{5}|2[AB]\d{3})$")


class EnrollOut(BaseModel):
    device_token: str
    device_id: str
    commune: CommuneOut
    server_time: str


class MutationIn(BaseModel):
    mutation_id: uuid.UUID
    entity: str = Field(max_length=40)
    record_id: uuid.UUID
    op: Literal["upsert", "delete", "erase"]
    base_version: int | None = Field(default=None, ge=0, le=2**62)
    changed: list[str] = Field(default_factory=list, max_length=400)
    fields: dict[str, Any] = Field(default_factory=dict)
    extra: dict[str, Any] = Field(default_factory=dict)


class PushIn(BaseModel):
    batch_id: uuid.UUID
    mutations: list[MutationIn] = Field(max_length=MAX_BATCH)


class ConflictOut(BaseModel):
    server: Any
    server_version: int


class ResultOut(BaseModel):
    model_config = ConfigDict(extra="forbid")

    mutation_id: str
    status: Literal["applied", "duplicate", "conflict", "rejected"]
    version: int | None = None
    conflicts: dict[str, ConflictOut] | None = None
    detail: str | None = None


class PushOut(BaseModel):
    batch_id: str
    server_time: str
    results: list[ResultOut]


class ChangeOut(BaseModel):
    seq: int
    entity: str
    record_id: str
    op: Literal["upsert", "delete", "erase"]
    version: int
    fields: dict[str, Any]
    extra: dict[str, Any]
    origin_device: str | None


class PullOut(BaseModel):
    changes: list[ChangeOut]
    next_cursor: int
    has_more: bool
    server_time: str


class StatusOut(BaseModel):
    commune: CommuneOut
    device_id: str
    server_time: str
    latest_seq: int
    # The database's history: a new epoch after a restored backup, starting at epoch_seq.
    epoch: str = ""
    epoch_seq: int = 0


class VolunteerSignupIn(BaseModel):
    first_name: str = Field(min_length=1, max_length=80)
    last_name: str = Field(min_length=1, max_length=80)
    email: str = Field(min_length=3, max_length=200)
    phone: str = Field(min_length=1, max_length=30)
    postal_code: str = Field(pattern=r"^\d{5}$")
    city: str = Field(min_length=1, max_length=120)
    birth_date: dt.date | None = None
    has_car: bool = False
    mission_type_codes: list[str] = Field(default_factory=list, max_length=50)
    message: str = Field(default="", max_length=4000)


class VolunteerSignupOut(BaseModel):
    volunteer_id: str


class HelpRequestIn(BaseModel):
    first_name: str = Field(min_length=1, max_length=80)
    last_name: str = Field(min_length=1, max_length=80)
    phone: str = Field(min_length=1, max_length=30)
    email: str = Field(default="", max_length=200)
    address_line: str = Field(default="", max_length=200)
    postal_code: str = Field(default="", pattern=r"^(\d{5})?$")
    city: str = Field(default="", max_length=120)
    mission_type_code: str = Field(min_length=1, max_length=40)
    wished_date: dt.date | None = None
    notes: str = Field(default="", max_length=4000)


class HelpRequestOut(BaseModel):
    request_id: str
    beneficiary_id: str
