"""`/downloads/…`: the whole graph and the ontology in every RDF syntax, and the CSV tables for spreadsheets;
`/departments/{key}.trig|.nq`: one department's named graph alone.

The graph's N-Triples, the ontology's Turtle and the manifest stay in `pages.py`; the files are made by
`graph.exports`, from the build this process serves.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import PlainTextResponse, Response

from api.deps import snapshot
from api.texts import DOWNLOADS, both
from graph.exports import (
    CSV_MEDIA_TYPE,
    QUAD_FORMATS,
    RDF_FORMATS,
    TABLES_ZIP,
    ZIP_MEDIA_TYPE,
    department_file,
    graph_file,
    media_type,
    ontology_file,
)
from graph.exports import table_file as csv_table
from graph.exports import tables_zip as csv_zip

router = APIRouter(tags=["downloads"])

_WORDS = {"turtle": "Turtle", "ntriples": "N-Triples", "trig": "TriG", "nquads": "N-Quads", "jsonld": "JSON-LD"}


def _attachment(body: bytes, media: str, filename: str) -> Response:
    return Response(body, media_type=media, headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def _content(media: str) -> dict[int | str, dict[str, Any]]:
    return {200: {"content": {media: {}}, "description": "The file, as an attachment."}}


def _graph_route(fmt: str) -> Callable[[Request], Response]:
    filename = f"graph.{RDF_FORMATS[fmt][1]}"

    def download(request: Request) -> Response:
        return _attachment(graph_file(snapshot(request).ntriples, fmt), media_type(fmt), filename)

    download.__doc__ = (f"The whole built graph as {_WORDS[fmt]}" + (
        ": each triple in its named graph (the ontology's terms, the ICD-10 codes, each department's own facts, and "
        "what several or no departments' words are behind; /.well-known/void describes each graph)."
        if fmt in QUAD_FORMATS else ", compacted with the project's prefixes as an embedded @context." if fmt == "jsonld"
        else ", abbreviated with the project's prefixes."))
    return download


def _ontology_route(fmt: str) -> Callable[[], Response]:
    filename = f"ontology.{RDF_FORMATS[fmt][1]}"

    def download() -> Response:
        return _attachment(ontology_file(fmt), media_type(fmt), filename)

    download.__doc__ = f"The OWL ontology (ontology/thoracic.ttl) as {_WORDS[fmt]}" + (
        ", in one graph named by the ontology's IRI." if fmt in QUAD_FORMATS else ".")
    return download


for _fmt in ("turtle", "trig", "nquads", "jsonld"):  # graph.nt is served by pages.py
    _ext = RDF_FORMATS[_fmt][1]
    router.add_api_route(f"/downloads/graph.{_ext}", _graph_route(_fmt), methods=["GET"], response_class=Response,
                         operation_id=f"download_graph_{_ext}", responses=_content(RDF_FORMATS[_fmt][0]),
                         summary=f"The whole graph ({_WORDS[_fmt]})")
for _fmt in ("ntriples", "trig", "nquads", "jsonld"):  # ontology.ttl, the file itself, is served by pages.py
    _ext = RDF_FORMATS[_fmt][1]
    router.add_api_route(f"/downloads/ontology.{_ext}", _ontology_route(_fmt), methods=["GET"], response_class=Response,
                         operation_id=f"download_ontology_{_ext}", responses=_content(RDF_FORMATS[_fmt][0]),
                         summary=f"The ontology ({_WORDS[_fmt]})")


def _department_route(fmt: str) -> Callable[..., Response]:
    extension = RDF_FORMATS[fmt][1]

    def download(request: Request, key: str = Path(description="The department's key as GET /api/departments lists "
                                                               "it: `Center`, `syn-0001`.", max_length=200)) -> Response:
        body = department_file(snapshot(request).ntriples, key, fmt)
        if body is None:
            return PlainTextResponse(both(DOWNLOADS, "unknown_department", key=repr(key[:100])), status_code=404)
        return _attachment(body, media_type(fmt), f"{key}.{extension}")

    download.__doc__ = (f"One department's named graph alone as {_WORDS[fmt]}: its node, its source document and "
                        "evidence spans, its claims with their status, its figures and statements, and the relations "
                        "the build materialises or entails from them only (graph.download of GET /api/departments).")
    return download


for _fmt in QUAD_FORMATS:
    _ext = RDF_FORMATS[_fmt][1]
    router.add_api_route(f"/departments/{{key}}.{_ext}", _department_route(_fmt), methods=["GET"],
                         response_class=Response, operation_id=f"department_graph_{_ext}",
                         responses={**_content(RDF_FORMATS[_fmt][0]),
                                    404: {"description": "No department has that key (in English and Chinese).",
                                          "content": {"text/plain": {}}}},
                         summary=f"One department's named graph ({_WORDS[_fmt]})")


@router.get("/downloads/tables.zip", operation_id="download_tables", response_class=Response,
            responses=_content(ZIP_MEDIA_TYPE), summary="The graph as CSV tables, one per class (zip)")
def tables_zip(request: Request) -> Response:
    """One CSV table per class (UTF-8 with a byte order mark, so spreadsheets show Chinese) and a README, zipped:
    every instance a row, every property a column, claims with their status."""
    return _attachment(csv_zip(snapshot(request).ntriples), ZIP_MEDIA_TYPE, TABLES_ZIP)


@router.get("/downloads/tables/{name}", operation_id="download_table", response_class=Response,
            responses={**_content("text/csv"), 404: {"description": "No table of that name.",
                                                     "content": {"text/plain": {}}}},
            summary="One CSV table of the zip")
def table(request: Request, name: str = Path(description="A file name of the zip, e.g. kg_SurgicalProcedure.csv.",
                                             max_length=200)) -> Response:
    """One class's table, as in the zip."""
    body = csv_table(snapshot(request).ntriples, name)
    if body is None:
        return PlainTextResponse(f"no table named {name!r}; /downloads/tables.zip has them all (README.txt lists them)",
                                 status_code=404)
    return _attachment(body, CSV_MEDIA_TYPE, name)
