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

pytestmark = pytest.mark.integration

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance,
          response_headers_conformance, unsupported_method, allow_header_conformance]
CONFIG = {
    "seed": 20261128,
    "generation": {"max-examples": int(os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "4")), "database": "none"},
    "phases": {"stateful": {"enabled": False}},  # the API has no links between operations
    "request-timeout": 30,
    # FHIR searches build and validate every resource on each request (about 0.3 s): fewer generated ones there
    "operations": [{"include-path-regex": "^/fhir/", "generation": {"max-examples": 2}}],
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


@schema.parametrize()
def test_every_operation_answers_as_documented(case: Any, hostile_server: str) -> None:
    case.call_and_validate(base_url=hostile_server, checks=CHECKS)
