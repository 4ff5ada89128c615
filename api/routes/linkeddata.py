"""`/center.jsonld`, the center as schema.org JSON-LD for the hospital's web pages, and `/.well-known/void`, the
VoID description of the dataset (Turtle or JSON-LD by content negotiation)."""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import PlainTextResponse, Response

from api.conneg import choose
from api.deps import SettingsDep, StoreDep, snapshot
from graph.void import MEDIA_TYPES as VOID_MEDIA
from graph.void import serialize, void_graph
from queries.matching import label_index
from queries.schemaorg import MEDIA_TYPE, center_jsonld, department_jsonld

router = APIRouter(tags=["linked data"])
VoidFormat = Annotated[str | None, Query(description="turtle (ttl) or jsonld; overrides the Accept header.")]


@router.get("/center.jsonld", operation_id="center_jsonld", response_class=Response,
            responses={200: {"description": "One compact JSON-LD document with an embedded context.",
                             "content": {MEDIA_TYPE: {}}}},
            summary="The center as schema.org JSON-LD (MedicalClinic)")
def center(store: StoreDep) -> Response:
    """The department as a schema.org `MedicalClinic`: names, the services it offers, its specialties, parent
    organisation and location, and its figures (stated or implied only, bounds kept), compacted with schema.org
    as `@vocab` in an embedded context: ready to paste into a web page's `<script type="application/ld+json">`."""
    return Response(json.dumps(center_jsonld(store), ensure_ascii=False, indent=1).encode(), media_type=MEDIA_TYPE)


@router.get("/departments/{key}.jsonld", operation_id="department_jsonld", response_class=Response,
            responses={200: {"description": "One compact JSON-LD document with an embedded context.",
                             "content": {MEDIA_TYPE: {}}},
                       404: {"description": "No department has that key.", "content": {"text/plain": {}}}},
            summary="A department as schema.org JSON-LD (MedicalClinic)")
def department(request: Request, store: StoreDep, key: str) -> Response:
    """A department (its `key` as GET /api/departments lists it: `Center`, `syn-0001`) as `/center.jsonld` gives the
    center; a synthetic one carries `kg:synthetic true`."""
    index = label_index(store, snapshot(request).content_sha256)
    found = department_jsonld(store, index.departments, key)
    if found is None:
        return PlainTextResponse(f"no department has the key {key[:100]!r}; GET /api/departments lists them",
                                 status_code=404)
    return Response(json.dumps(found, ensure_ascii=False, indent=1).encode(), media_type=MEDIA_TYPE)


@router.get("/.well-known/void", operation_id="void", response_class=Response,
            responses={200: {"description": "The VoID description.", "content": {m: {} for m in VOID_MEDIA.values()}},
                       406: {"description": "Neither Turtle nor JSON-LD is acceptable.", "content": {"text/plain": {}}}},
            summary="VoID description of the dataset (Turtle or JSON-LD)")
def void(request: Request, settings: SettingsDep, format: VoidFormat = None,
         accept: Annotated[str | None, Header(include_in_schema=False)] = None) -> Response:
    """The dataset, its named graphs, triples and entities per class and per property (from the build manifest),
    the SPARQL endpoint, the dumps, example resources, the source and the licence. Turtle unless `Accept` or
    `?format=` asks for JSON-LD."""
    fmt = choose(accept, VOID_MEDIA, default="turtle", explicit=format)
    base = str(request.base_url).rstrip("/")
    body = serialize(void_graph(snapshot(request).manifest, base,
                                license=str(settings.license) if settings.license else None), fmt)
    media = VOID_MEDIA[fmt] + ("; charset=utf-8" if fmt == "turtle" else "")
    return Response(body, media_type=media, headers={"Vary": "Accept"})
