"""Property-based fuzzing of every operation of the OpenAPI document (schemathesis 4): for each, the examples,
the coverage phase's boundary and invalid values, and a few generated requests, valid and invalid. No answer is
a 5xx, and every answer's status, media type, headers and body are the ones the document gives.

Kept small enough for CI (a few examples per operation, one fixed seed, so a run is reproducible); for a longer
look, `SCHEMATHESIS_MAX_EXAMPLES=200` raises the number of generated requests, or run the CLI against a server:
`.venv/bin/schemathesis run http://127.0.0.1:8000/openapi.json`.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import schemathesis
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    allow_header_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
    unsupported_method,
)

from api.app import create_app
from graph.settings import Settings
from tests.hostile.conftest import UpdateServer

pytestmark = pytest.mark.integration

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance,
          response_headers_conformance, unsupported_method, allow_header_conformance]
CONFIG = {
    "seed": 20261128,
    "generation": {"max-examples": int(os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "4")), "database": "none"},
    "phases": {"stateful": {"enabled": False}},  # the API has no links between operations
    "request-timeout": 30,
    # FHIR searches build and validate every resource on each request (about 0.3 s): fewer generated ones there
    "operations": [{"include-path-regex": "^/fhir/", "generation": {"max-examples": 2}},
                   # the update routes: each accepted change is a build of several seconds
                   {"include-tag": "updates", "generation": {"max-examples": 2}},
                   {"include-tag": "curation", "generation": {"max-examples": 2}}],
}


#: The document the server serves, made here from the same code at collection time (schemathesis's lazy loader
#: from a fixture does not run on pytest 9); `test_the_served_document_is_the_one_fuzzed` checks they agree.
DOCUMENT = create_app(Settings(rate_limit="off")).openapi()
schema = schemathesis.openapi.from_dict(DOCUMENT, config=schemathesis.Config.from_dict(CONFIG))


def test_the_served_document_is_the_one_fuzzed(client: httpx.Client) -> None:
    assert client.get("/openapi.json").json() == json.loads(json.dumps(DOCUMENT))
    paths = DOCUMENT["paths"]
    for path in ("/sparql", "/api/lookup/procedures-for-condition", "/queries/label_search", "/api/graph/entity"):
        assert paths[path]["get"]["responses"]["503"]["headers"]["Retry-After"]["required"]  # they query the store
    assert "503" not in paths["/api/prefixes"]["get"]["responses"]
    assert "429" in paths["/api/graph"]["get"]["responses"] and "429" not in paths["/api/search"]["get"]["responses"]


#: The operations that change the graph. The hostile server has no token configured, so there they answer 403;
#: they are fuzzed again against the update server with its token, so that requests reach the routes' own checks.
WRITES = ["sparql_update", "graph_store_put", "graph_store_post", "graph_store_delete", "rollback", "upload_source",
          "curate_review", "curate_commit", "curate_export"]
_IDS = [operation["operationId"] for operations in DOCUMENT["paths"].values() for operation in operations.values()]


def only(ids: list[str]) -> Any:
    """The schema with these operations only (schemathesis 4.32's `include(operation_id=…)` keeps every one)."""
    return schema.exclude(operation_id=[found for found in _IDS if found not in ids])


@schema.parametrize()
def test_every_operation_answers_as_documented(case: Any, hostile_server: str) -> None:
    case.call_and_validate(base_url=hostile_server, checks=CHECKS)


@pytest.fixture(scope="module")
def unchanged(update_server: UpdateServer) -> Iterator[None]:
    """Whatever the fuzz changed with the token (DELETE ?default empties the curated statements, a rollback goes
    back), the graph is rolled back to the version before once it is done, for the tests that follow."""
    with httpx.Client(base_url=update_server.base, timeout=60, headers=update_server.auth) as http:
        before = http.get("/api/versions").json()
        yield
        if http.get("/api/versions").json()["content_sha256"] != before["content_sha256"]:
            undone = http.post(f"/api/versions/{before['current']}/rollback", params={"message": "the fuzz undone"})
            assert undone.status_code == 200, undone.text[:300]


@only(WRITES).parametrize()
def test_every_write_with_the_token_answers_as_documented(case: Any, update_server: UpdateServer,
                                                          unchanged: None) -> None:
    case.call_and_validate(base_url=update_server.base, headers=update_server.auth, checks=CHECKS)
