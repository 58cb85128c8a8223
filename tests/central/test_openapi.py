"""The published OpenAPI document: kept current in the repo, and the app honours it
(schemathesis generates requests from it: no 5xx, no response outside the schema)."""

from __future__ import annotations

import atexit
import json
import shutil
import tempfile
import uuid
from pathlib import Path

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

import bippop_central
from bippop_central import admin, auth
from bippop_central.app import create_app, openapi_document
from bippop_central.db import migrate
from tests.central.conftest import Town

COMMITTED = Path(bippop_central.__file__).parent / "openapi.json"


def test_the_committed_openapi_document_is_current(sqlite_town: Town) -> None:
    assert COMMITTED.read_text(encoding="utf-8") == openapi_document(), (
        "bippop_central/openapi.json is stale: run "
        "`bippop-central openapi --output bippop_central/openapi.json`"
    )
    served = httpx.get(f"{sqlite_town.server.url}/openapi.json").json()
    assert served == json.loads(COMMITTED.read_text(encoding="utf-8"))


def _app_with_a_device(tmp: Path) -> tuple[object, str]:
    url = f"sqlite:///{tmp / 'fuzz.sqlite3'}"
    migrate(url)
    app = create_app(url)
    engine = app.state.engine
    admin.add_commune(engine, "60159", "Compiègne", "60")
    code = admin.enroll_code(engine, "60159")
    token, _caller = auth.enroll(engine, code, str(uuid.uuid4()), "fuzz")
    return app, token


_TMP = Path(tempfile.mkdtemp(prefix="bippop-fuzz-"))
atexit.register(shutil.rmtree, _TMP, True)
APP, TOKEN = _app_with_a_device(_TMP)
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_any_request_from_the_schema_gets_a_documented_answer(case: schemathesis.Case) -> None:
    case.call_and_validate(checks=CHECKS)


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_a_current_enrolled_desk_gets_documented_answers(case: schemathesis.Case) -> None:
    # With valid versions and token, generation reaches the endpoints' own code.
    if case.headers:
        case.headers = {k: v for k, v in case.headers.items() if not k.lower().startswith("x-b")}
    headers = {"X-Bippop-Protocol": "1", "X-Bippop-Schema": "0008",
               "Authorization": f"Bearer {TOKEN}"}  # fmt: skip
    case.call_and_validate(headers=headers, checks=CHECKS)


pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
