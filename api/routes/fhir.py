"""`/fhir/…`: a read-only FHIR R4B server of the center (Organization, HealthcareService), JSON only.

Each route calls one function of `queries.fhir`; an error is an OperationOutcome with its status (404 for an
unknown type or id, 400 for a parameter the server does not support)."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from api.deps import StoreDep, snapshot
from queries.fhir import MEDIA_TYPE, SEARCH_PARAMS, FhirError, capability_statement, outcome, read, search_store

router = APIRouter(tags=["fhir"])

_OUTCOME = {"description": "An OperationOutcome saying what is wrong.", "content": {MEDIA_TYPE: {}}}
_SEARCH_DOC = [{"name": name, "in": "query", "required": False, "schema": {"type": "string"},
                "description": f"{', '.join(t for t, params in SEARCH_PARAMS.items() if name in params)}: "
                               f"{next(params[name][1] for params in SEARCH_PARAMS.values() if name in params)}"}
               for name in dict.fromkeys(n for params in SEARCH_PARAMS.values() for n in params)]
_PAGING_DOC = [{"name": "_count", "in": "query", "required": False, "schema": {"type": "integer", "minimum": 0,
                                                                               "maximum": 100, "default": 20},
                "description": "Resources per page."},
               {"name": "_offset", "in": "query", "required": False, "schema": {"type": "integer", "minimum": 0},
                "description": "How many matches to skip (the Bundle's next/previous links carry it)."}]


def _fhir(body: dict[str, Any], status: int = 200) -> Response:
    return Response(json.dumps(body, ensure_ascii=False).encode(), status_code=status, media_type=MEDIA_TYPE)


def _key(request: Request) -> str:
    """The served content's hash: the resources are built once per version."""
    return snapshot(request).content_sha256


def _base(request: Request) -> str:
    return str(request.base_url).rstrip("/")


@router.get("/fhir/metadata", operation_id="fhir_metadata", response_class=Response,
            responses={200: {"description": "The CapabilityStatement.", "content": {MEDIA_TYPE: {}}}},
            summary="FHIR CapabilityStatement: exactly what this server supports")
def metadata(request: Request) -> Response:
    """Read and search on Organization and HealthcareService, their search parameters, JSON only."""
    return _fhir(capability_statement(_base(request)))


@router.get("/fhir/{resource_type}", operation_id="fhir_search", response_class=Response,
            responses={200: {"description": "A searchset Bundle with total and paging links.",
                             "content": {MEDIA_TYPE: {}}}, 400: _OUTCOME, 404: _OUTCOME},
            openapi_extra={"parameters": [*_SEARCH_DOC, *_PAGING_DOC]},
            summary="Search Organization or HealthcareService")
def search_type(resource_type: str, request: Request, store: StoreDep) -> Response:
    """`/fhir/Organization` (the hospital and the center) or `/fhir/HealthcareService` (one per service the center
    offers), filtered by the search parameters, one page at a time."""
    try:
        return _fhir(search_store(store, _key(request), resource_type, list(request.query_params.multi_items()),
                                  _base(request)))
    except FhirError as error:
        return _fhir(outcome(error), error.status)


@router.get("/fhir/{resource_type}/{resource_id}", operation_id="fhir_read", response_class=Response,
            responses={200: {"description": "The resource.", "content": {MEDIA_TYPE: {}}}, 400: _OUTCOME,
                       404: _OUTCOME},
            summary="Read one Organization or HealthcareService")
def read_one(resource_type: str, resource_id: str, request: Request, store: StoreDep) -> Response:
    """One resource by its id, e.g. `/fhir/Organization/Center` or `/fhir/HealthcareService/RadiofrequencyAblation`."""
    try:
        return _fhir(read(store, _key(request), resource_type, resource_id, list(request.query_params.multi_items())))
    except FhirError as error:
        return _fhir(outcome(error), error.status)
