"""Changes by staff: SPARQL 1.1 Update at /update, the Graph Store Protocol at /rdf-graphs, versions, rollback.

Off unless update tokens are configured. Every change is validated like a build and committed as a version
(`graph.changes`); a refused one answers 422 with its violations and changes nothing. Reads stay anonymous.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import parse_qsl

from fastapi import APIRouter, Header, Path, Query, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from starlette.concurrency import run_in_threadpool

from api.auth import EditorDep
from api.conneg import choose
from api.deps import ContentDep
from graph.changes import ChangeRefused, graph_store, parse_upload, sparql_update
from graph.problems import Problem

router = APIRouter(tags=["updates"])

_MESSAGE = Query(description="Why the change is made; kept with the version.", max_length=2000)
_CHANGED = {"description": "The change was committed: the new version.", "content": {"application/json": {}}}
_VIOLATIONS = {"type": "object", "required": ["message", "violations"], "properties": {
    "message": {"type": "object", "properties": {"en": {"type": "string"}, "zh": {"type": "string"}}},
    "violations": {"type": "array", "items": {"type": "object", "required": ["rule", "message"], "properties": {
        "rule": {"type": "string"}, "focus": {"type": ["string", "null"]}, "message": {"type": "string"}}}}}}
_REFUSED = {"description": "The change breaks a rule; nothing was changed: `violations` lists rule, focus node "
            "and message (JSON). Invalid parameters: plain text.",
            "content": {"application/json": {"schema": _VIOLATIONS}, "text/plain": {"schema": {"type": "string"}}}}
_ANSWERS: dict[int | str, dict[str, Any]] = {
    200: _CHANGED, 400: {"description": "The update or document does not parse.", "content": {"text/plain": {}}},
    401: {"description": "No bearer token.", "content": {"text/plain": {}}},
    403: {"description": "A wrong token, or updates are disabled on this server.", "content": {"text/plain": {}}},
    409: {"description": "The change conflicts with the ledger's state.", "content": {"text/plain": {}}},
    413: {"description": "The body is larger than TKG_MAX_BODY_BYTES; nothing was read or changed.",
          "content": {"text/plain": {}}},
    415: {"description": "The body's media type is not one this route reads.", "content": {"text/plain": {}}},
    422: _REFUSED}
_RDF_OUT = {"turtle": "text/turtle", "ntriples": "application/n-triples"}
_TEXT = {"schema": {"type": "string"}}


def _body(*media: str, form: bool = False) -> dict[str, Any]:
    """The request body a write route reads, for the OpenAPI document (the routes read the raw body themselves)."""
    content: dict[str, Any] = {name: _TEXT for name in media}
    if form:
        content["application/x-www-form-urlencoded"] = {"schema": {"type": "object", "required": ["update"],
                                                                   "properties": {"update": {"type": "string"},
                                                                                  "message": {"type": "string"}}}}
    return {"requestBody": {"required": True, "content": content}}


_UPLOAD = _body("text/turtle", "application/n-triples", "application/rdf+xml", "application/ld+json")


def _changed(version: Any) -> JSONResponse:
    return JSONResponse({"version": version.summary()})


def _media_type(value: str | None) -> str:
    return (value or "").split(";")[0].strip().lower()


@router.post("/update", operation_id="sparql_update", responses=_ANSWERS, response_class=JSONResponse,
             summary="SPARQL 1.1 Update on the curated statements (bearer token)",
             openapi_extra=_body("application/sparql-update", form=True))
async def update(request: Request, content: ContentDep, editor: EditorDep,
                 content_type: Annotated[str | None, Header(include_in_schema=False)] = None,
                 message: Annotated[str, _MESSAGE] = "") -> Response:
    """An update (`application/sparql-update`, or the form field `update`) on the curated statements, with the
    project's prefixes predeclared. LOAD, SERVICE and named graphs are refused. The changed statements are built
    and checked like graph/data (evidence at its offsets, ICD-10 codes, claims, labels, notes, SHACL); a derived
    triple changes only through its claim."""
    body, media = await request.body(), _media_type(content_type)
    try:
        decoded = body.decode("utf-8")
    except UnicodeDecodeError:
        return PlainTextResponse("the update is not UTF-8 text\n更新内容不是 UTF-8 文本", status_code=400)
    if media == "application/sparql-update":
        text = decoded
    elif media == "application/x-www-form-urlencoded":
        try:
            form = dict(parse_qsl(decoded, keep_blank_values=True, errors="strict"))
        except UnicodeDecodeError:
            return PlainTextResponse("the form is not UTF-8 (percent-encode the update's UTF-8 bytes)\n"
                                     "表单不是 UTF-8 编码（请对更新的 UTF-8 字节做百分号编码）", status_code=400)
        if "update" not in form:
            return PlainTextResponse("the form has no 'update' field\n表单中没有 'update' 字段", status_code=400)
        text, message = form["update"], form.get("message", message)
        if len(message) > 2000:
            return PlainTextResponse("the message is longer than 2,000 characters\n说明超过 2000 个字符",
                                     status_code=422)
    else:
        return PlainTextResponse("send the update as application/sparql-update, or as a form with the field 'update'"
                                 "\n请以 application/sparql-update 或带 'update' 字段的表单发送更新", status_code=415)
    operation = sparql_update(text)
    return _changed(await run_in_threadpool(content.change, operation, by=editor, message=message, kind="update"))


def _default_graph(default: str | None, graph: str | None) -> None:
    """The Graph Store's only graph is its default graph (the curated statements)."""
    if graph is not None or default is None:
        raise ChangeRefused([Problem("graph-store", "the graph store holds one graph, the curated statements: "
                                     "address it with ?default (the built graph, with its named graphs, is read at "
                                     "/sparql and /downloads)", focus=graph)])


@router.get("/rdf-graphs", operation_id="graph_store_get", tags=["updates"], response_class=Response,
            responses={200: {"content": {"text/turtle": {}, "application/n-triples": {}},
                             "description": "The curated statements."},
                       404: {"description": "Not the default graph: the store holds only that one.",
                             "content": {"text/plain": {}}}})
def graph_store_get(content: ContentDep, default: Annotated[str | None, Query(description="Present (empty): the "
                    "default graph.")] = None, graph: Annotated[str | None, Query(description="Not served: the "
                    "store has only its default graph.", max_length=2000)] = None,
                    accept: Annotated[str | None, Header(include_in_schema=False)] = None) -> Response:
    """The curated statements as they are now (anonymous): what /update and PUT/POST/DELETE here change."""
    if graph is not None or default is None:
        return PlainTextResponse("the graph store holds one graph, the curated statements: ask for ?default\n"
                                 "图存储只有一个图，即编审陈述：请用 ?default", status_code=404)
    if choose(accept, _RDF_OUT, default="turtle") == "ntriples":
        return Response("\n".join(sorted(content.curated_lines())) + "\n", media_type="application/n-triples")
    return Response(content.curated_turtle(), media_type="text/turtle; charset=utf-8")


async def _graph_store_write(request: Request, content: Any, editor: str, method: str, default: str | None,
                             graph: str | None, message: str, content_type: str | None) -> Response:
    _default_graph(default, graph)
    quads = None
    if method != "DELETE":
        quads = parse_upload(await request.body(), _media_type(content_type))
    operation = graph_store(method, quads)
    return _changed(await run_in_threadpool(content.change, operation, by=editor, kind="graph-store",
                                            message=message or f"{method} of the curated statements"))


_DEFAULT = Query(description="Present (empty): the default graph, the curated statements.")
_GRAPH = Query(description="Refused: the store has only its default graph.", max_length=2000)


@router.put("/rdf-graphs", operation_id="graph_store_put", responses=_ANSWERS, response_class=JSONResponse,
            openapi_extra=_UPLOAD)
async def graph_store_put(request: Request, content: ContentDep, editor: EditorDep,
                          default: Annotated[str | None, _DEFAULT] = None, graph: Annotated[str | None, _GRAPH] = None,
                          message: Annotated[str, _MESSAGE] = "",
                          content_type: Annotated[str | None, Header(include_in_schema=False)] = None) -> Response:
    """Replace the curated statements by the document sent (Turtle, N-Triples, RDF/XML or JSON-LD; nothing it
    names is fetched), validated like a build (bearer token)."""
    return await _graph_store_write(request, content, editor, "PUT", default, graph, message, content_type)


@router.post("/rdf-graphs", operation_id="graph_store_post", responses=_ANSWERS, response_class=JSONResponse,
             openapi_extra=_UPLOAD)
async def graph_store_post(request: Request, content: ContentDep, editor: EditorDep,
                           default: Annotated[str | None, _DEFAULT] = None, graph: Annotated[str | None, _GRAPH] = None,
                           message: Annotated[str, _MESSAGE] = "",
                           content_type: Annotated[str | None, Header(include_in_schema=False)] = None) -> Response:
    """Add the document's statements to the curated statements (its blank nodes are new ones), validated like a
    build (bearer token)."""
    return await _graph_store_write(request, content, editor, "POST", default, graph, message, content_type)


@router.delete("/rdf-graphs", operation_id="graph_store_delete", responses=_ANSWERS, response_class=JSONResponse)
async def graph_store_delete(request: Request, content: ContentDep, editor: EditorDep,
                             default: Annotated[str | None, _DEFAULT] = None,
                             graph: Annotated[str | None, _GRAPH] = None,
                             message: Annotated[str, _MESSAGE] = "") -> Response:
    """Empty the curated statements (bearer token); recorded, and reversible by a rollback like any change."""
    return await _graph_store_write(request, content, editor, "DELETE", default, graph, message, None)


@router.get("/api/versions", operation_id="versions")
def versions(content: ContentDep) -> dict[str, Any]:
    """Every version, newest first: id, time, who, message, kind, statements added and removed, content hash."""
    listed = [v.summary() for v in reversed(content.ledger.all())] if not content.prebuilt else []
    head = content.head()
    return {"versions": listed, "current": head.id if head else None,
            "content_sha256": content.snapshot().content_sha256}


@router.get("/api/versions/{version_id}", operation_id="version",
            responses={404: {"description": "No such version.", "content": {"text/plain": {}}}})
def version(content: ContentDep, version_id: Annotated[int, Path(ge=1, le=10**9)]) -> Response:
    """One version with its curated statements added and removed (N-Triples lines)."""
    try:
        found = content.ledger.get(version_id)
    except KeyError:
        return PlainTextResponse(f"there is no version {version_id}; /api/versions lists them\n"
                                 f"没有版本 {version_id}；/api/versions 列出全部版本", status_code=404)
    return JSONResponse({**found.summary(), "statements_added": list(found.added),
                         "statements_removed": list(found.removed)})


@router.post("/api/versions/{version_id}/rollback", operation_id="rollback", responses={
    **_ANSWERS, 404: {"description": "No such version.", "content": {"text/plain": {}}}}, response_class=JSONResponse)
def rollback(content: ContentDep, editor: EditorDep, version_id: Annotated[int, Path(ge=1, le=10**9)],
             message: Annotated[str, _MESSAGE] = "") -> Response:
    """Return the graph to exactly the content of that version (bearer token); a new version records it."""
    if version_id not in content.ledger.ids():
        return PlainTextResponse(f"there is no version {version_id}; /api/versions lists them\n"
                                 f"没有版本 {version_id}；/api/versions 列出全部版本", status_code=404)
    return _changed(content.rollback(version_id, by=editor, message=message))


@router.put("/api/sources/{name}", operation_id="upload_source", responses=_ANSWERS, response_class=JSONResponse,
            openapi_extra=_body("text/plain"))
async def upload_source(request: Request, content: ContentDep, editor: EditorDep,
                        name: Annotated[str, Path(max_length=104, description="File name, ending in .txt.")],
                        message: Annotated[str, _MESSAGE] = "",
                        content_type: Annotated[str | None, Header(include_in_schema=False)] = None) -> Response:
    """Keep a new source document (UTF-8 `text/plain`), so that new evidence spans may quote it (bearer token).
    A document once held is never replaced: evidence may quote it."""
    if _media_type(content_type) != "text/plain":
        return PlainTextResponse("send the source document as text/plain; charset=utf-8\n"
                                 "请以 text/plain; charset=utf-8 发送来源文档", status_code=415)
    body = await request.body()
    return _changed(await run_in_threadpool(content.add_source, name, body, by=editor, message=message))
