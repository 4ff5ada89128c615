"""The home page, prefixes for the editor, and downloads of the graph and the ontology."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from api.deps import SnapshotDep
from api.i18n import request_lang
from api.pages import render
from graph.exports import ontology_file
from graph.namespaces import PREFIXES

router = APIRouter()


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def home(request: Request, now: SnapshotDep) -> HTMLResponse:
    """The front door: the referral search first, then what each part of the product is for."""
    manifest = now.manifest
    lang = request_lang(request)
    return HTMLResponse(render("home.html", title="首页" if lang == "zh" else "Home", lang=lang,
                               triples=manifest["triples"], sha=manifest["content_sha256"]))


@router.get("/docs", response_class=HTMLResponse, include_in_schema=False)
def api_docs(request: Request) -> HTMLResponse:
    """The API documentation (Swagger UI from the pinned npm package, nothing from a CDN)."""
    return HTMLResponse(render("apidocs.html", lang=(lang := request_lang(request)),
                               title="API 文档" if lang == "zh" else "API documentation"))


@router.get("/api/prefixes", operation_id="prefixes", tags=["vocabulary"])
def prefixes() -> dict[str, str]:
    """The prefixes the graph and its queries use."""
    return PREFIXES


@router.get("/downloads/ontology.ttl", operation_id="download_ontology", tags=["downloads"], response_class=Response,
            responses={200: {"content": {"text/turtle": {}}, "description": "The ontology"}})
def download_ontology() -> Response:
    """The OWL ontology, as Turtle (the file itself, under the published base IRI)."""
    return Response(ontology_file("turtle"), media_type="text/turtle; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="thoracic.ttl"'})


@router.get("/downloads/graph.nt", operation_id="download_graph", tags=["downloads"], response_class=Response,
            responses={200: {"content": {"application/n-triples": {}}, "description": "The graph"}})
def download_graph(now: SnapshotDep) -> Response:
    """The whole built graph, as canonical N-Triples (at the latest version)."""
    return Response(now.ntriples, media_type="application/n-triples",
                    headers={"Content-Disposition": 'attachment; filename="graph.nt"'})


@router.get("/downloads/manifest.json", operation_id="download_manifest", tags=["downloads"])
def download_manifest(now: SnapshotDep) -> JSONResponse:
    """The build manifest: content hash and counts per class and property (at the latest version)."""
    return JSONResponse({**now.manifest, "version": now.version})
