"""`/center.jsonld`: the center as schema.org JSON-LD for the hospital's web pages."""

from __future__ import annotations

import json

from fastapi import APIRouter
from fastapi.responses import Response

from api.deps import StoreDep
from queries.schemaorg import MEDIA_TYPE, center_jsonld

router = APIRouter(tags=["linked data"])


@router.get("/center.jsonld", operation_id="center_jsonld", response_class=Response,
            responses={200: {"description": "One compact JSON-LD document with an embedded context.",
                             "content": {MEDIA_TYPE: {}}}},
            summary="The center as schema.org JSON-LD (MedicalClinic)")
def center(store: StoreDep) -> Response:
    """The department as a schema.org `MedicalClinic`: names, the services it offers, its specialties, parent
    organisation and location, and its figures (stated or implied only, bounds kept), compacted with schema.org
    as `@vocab` in an embedded context: ready to paste into a web page's `<script type="application/ld+json">`."""
    return Response(json.dumps(center_jsonld(store), ensure_ascii=False, indent=1).encode(), media_type=MEDIA_TYPE)
