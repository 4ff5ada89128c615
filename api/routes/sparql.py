"""`/sparql`: the SPARQL 1.1 Protocol query service (read-only), and its service description."""

from __future__ import annotations

import re
from functools import partial
from typing import Annotated, Any
from urllib.parse import parse_qsl

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, Response
from starlette.concurrency import run_in_threadpool

from api.conneg import negotiate
from api.deps import SettingsDep, StoreDep, snapshot
from api.i18n import request_lang
from api.pages import render
from api.texts import EDITOR
from graph.guard import QueryRefused
from graph.store import GRAPH_FORMATS, SOLUTION_FORMATS, Answer, Dataset
from graph.void import DATASET, service_graph_turtle
from queries.service import CacheStatus, Served, ask_sparql, cached_sparql, served_state

router = APIRouter(tags=["sparql"])
_READ_ONLY = "this endpoint is read-only: updates go to /update (SPARQL 1.1 Update, with a bearer token)"

#: What /sparql answers, as OpenAPI lists it: every result format, and the plain-text refusals.
RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"description": "SPARQL results (SELECT, ASK) or an RDF graph (CONSTRUCT, DESCRIBE), as negotiated; without "
                         "a query, the service description (Turtle), or the editor for a browser",
          "content": {media: {} for media in [*SOLUTION_FORMATS.values(), *GRAPH_FORMATS.values(), "text/html"]}},
    400: {"description": "The query does not parse or cannot be evaluated", "content": {"text/plain": {}}},
    403: {"description": "Updates are refused: the endpoint is read-only", "content": {"text/plain": {}}},
    406: {"description": "No accepted media type can be produced for this query form", "content": {"text/plain": {}}},
    413: {"description": "The query, or the request body, is longer than this service accepts",
          "content": {"text/plain": {}}},
    422: {"description": "The answer passed the row cap or the size cap: stopped, not truncated",
          "content": {"text/plain": {}}},
}

SERVICE_DESCRIPTION = """@prefix sd: <http://www.w3.org/ns/sparql-service-description#> .
@prefix fmt: <http://www.w3.org/ns/formats/> .
@prefix void: <http://rdfs.org/ns/void#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
[] a sd:Service ;
    sd:endpoint <{endpoint}> ;
    sd:supportedLanguage sd:SPARQL11Query ;
    sd:resultFormat fmt:SPARQL_Results_JSON, fmt:SPARQL_Results_XML, fmt:SPARQL_Results_CSV,
        fmt:SPARQL_Results_TSV, fmt:Turtle, fmt:N-Triples, fmt:JSON-LD, fmt:RDF_XML ;
    sd:defaultDataset [ a sd:Dataset ; sd:defaultGraph <{dataset}> ] .
{graph}"""

_GRAPH_IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|^`\\]*")
#: Parameters that name the result format, as SPARQLWrapper, YASGUI and others send them.
_FORMAT_PARAMS = ("format", "output", "results")

Format = Annotated[str | None, Query(description="Result format: json, xml, csv, tsv, turtle, ntriples, jsonld, "
                                                 "rdfxml (overrides Accept).")]


def service_description(endpoint: str, manifest: dict[str, Any]) -> str:
    """The SPARQL Service Description (Turtle): its default graph is the VoID dataset of /.well-known/void."""
    base = endpoint.rsplit("/sparql", 1)[0]
    return SERVICE_DESCRIPTION.format(endpoint=endpoint, dataset=DATASET,
                                      graph=service_graph_turtle(manifest, base))


def _dataset(pairs: list[tuple[str, str]]) -> Dataset | None:
    """The protocol's `default-graph-uri` / `named-graph-uri` values (graph names only: nothing is fetched)."""
    default = tuple(v for k, v in pairs if k == "default-graph-uri")
    named = tuple(v for k, v in pairs if k == "named-graph-uri")
    for iri in default + named:
        if not _GRAPH_IRI.fullmatch(iri):
            raise QueryRefused(f"{iri[:200]!r} is not an absolute IRI for default-graph-uri / named-graph-uri")
    return Dataset(default, named) if default or named else None


def _respond(answer: Answer, status: CacheStatus, refused: frozenset[str], asked: str | None) -> Response:
    if answer.kind in refused:
        return PlainTextResponse(f"the query returns {answer.kind}, which cannot be produced in {asked!r}",
                                 status_code=406, headers={"X-Cache": status})
    media = answer.media_type + ("; charset=utf-8" if answer.media_type.startswith("text/") else "")
    return Response(answer.body, media_type=media, headers={"X-Cache": status})


def _answer(store: StoreDep, settings: SettingsDep, sparql: str, accept: str | None, fmt: str | None,
            dataset: Dataset | None, served: Served) -> Response:
    negotiated = negotiate(accept, fmt)
    answer, status = ask_sparql(store, settings, sparql, negotiated.formats, dataset, served)
    return _respond(answer, status, negotiated.refused, fmt or accept)


async def _answer_soon(request: Request, store: StoreDep, settings: SettingsDep, sparql: str, accept: str | None,
                       fmt: str | None, dataset: Dataset | None) -> Response:
    """A cached answer straight from the event loop (no thread, no engine); otherwise the query in a thread."""
    negotiated = negotiate(accept, fmt)
    served = partial(served_state, request.app.state.content)
    found = cached_sparql(store, settings, sparql, negotiated.formats, dataset, served)
    if found is not None:
        return _respond(found, "hit", negotiated.refused, fmt or accept)
    return await run_in_threadpool(_answer, store, settings, sparql, accept, fmt, dataset, served)


@router.get("/sparql", operation_id="sparql_get", summary="SPARQL 1.1 query (GET)", response_class=Response,
            responses=RESPONSES)
async def sparql_get(
    request: Request, store: StoreDep, settings: SettingsDep,
    query: Annotated[str | None, Query(description="The SPARQL query.")] = None,
    format: Format = None,
    output: Annotated[str | None, Query(include_in_schema=False)] = None,
    accept: Annotated[str | None, Header()] = None,
) -> Response:
    """Run a query given as `?query=`; without one, the editor (for a browser) or the service description."""
    try:
        parse_qsl(request.scope["query_string"].decode("latin-1"), encoding="utf-8", errors="strict")
    except UnicodeDecodeError:
        raise QueryRefused("the query string is not valid UTF-8 (percent-encode the query's UTF-8 bytes)") from None
    queries = request.query_params.getlist("query")
    if len(queries) > 1:
        raise QueryRefused("send one query, not several")
    if "update" in request.query_params:
        raise QueryRefused("send a query or an update, not both; updates are refused here" if queries
                           else _READ_ONLY, status=400 if queries else 403)
    if query is None:
        if "text/html" in (accept or ""):
            lang = request_lang(request)
            return HTMLResponse(await run_in_threadpool(render, "editor.html", lang=lang, title=EDITOR[lang]["title"],
                                                        t=EDITOR[lang]))
        endpoint = str(request.url_for("sparql_get"))
        described = await run_in_threadpool(lambda: service_description(endpoint, snapshot(request).manifest))
        return Response(described, media_type="text/turtle; charset=utf-8")
    pairs = list(request.query_params.multi_items())
    return await _answer_soon(request, store, settings, query, accept, format or output or request.query_params.get("results"),
                              _dataset(pairs))


@router.post("/sparql", operation_id="sparql_post", summary="SPARQL 1.1 query (POST)", response_class=Response,
             responses={**RESPONSES, 415: {"description": "A body that is neither application/sparql-query nor a form",
                                           "content": {"text/plain": {}}}})
async def sparql_post(
    request: Request, store: StoreDep, settings: SettingsDep,
    format: Format = None,
    accept: Annotated[str | None, Header()] = None,
) -> Response:
    """Run a query sent form-encoded (`query=`) or as `application/sparql-query`."""
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    body = await request.body()
    if len(body) > settings.max_query_chars * 4:
        raise QueryRefused(f"the request body is {len(body)} bytes; at most {settings.max_query_chars * 4} accepted",
                           status=413)
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise QueryRefused("the request body is not valid UTF-8") from None
    pairs = list(request.query_params.multi_items())
    if media == "application/sparql-query":
        if any(k in ("query", "update") for k, _ in pairs):
            raise QueryRefused("the query is in the body; do not send query= or update= in the URL as well")
        sparql = text
    elif media == "application/x-www-form-urlencoded":
        try:
            form = parse_qsl(text, keep_blank_values=True, encoding="utf-8", errors="strict")
        except UnicodeDecodeError:
            raise QueryRefused("the form's percent-encoded bytes are not valid UTF-8") from None
        pairs += form
        names = [k for k, _ in pairs]
        if "update" in names:
            raise QueryRefused("send a query or an update, not both; updates are refused here" if "query" in names
                               else _READ_ONLY, status=400 if "query" in names else 403)
        if names.count("query") != 1:
            raise QueryRefused("send exactly one query parameter")
        sparql = next(v for k, v in pairs if k == "query")
        format = format or next((v for k, v in pairs if k in _FORMAT_PARAMS), None)
    elif media == "application/sparql-update":
        raise QueryRefused(_READ_ONLY, status=403)
    else:
        raise QueryRefused(f"unsupported media type {media or '(none)'!r}; send application/sparql-query "
                           "or application/x-www-form-urlencoded", status=415)
    format = format or next((v for k, v in pairs if k in _FORMAT_PARAMS), None)
    return await _answer_soon(request, store, settings, sparql, accept, format, _dataset(pairs))
