"""`/sparql`: the SPARQL 1.1 Protocol query service (read-only), and its service description."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import parse_qs

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, Response
from starlette.concurrency import run_in_threadpool

from api.conneg import negotiate
from api.deps import SettingsDep, StoreDep
from api.pages import render
from graph.guard import QueryRefused
from queries.service import run_sparql

router = APIRouter(tags=["sparql"])

SERVICE_DESCRIPTION = """@prefix sd: <http://www.w3.org/ns/sparql-service-description#> .
@prefix fmt: <http://www.w3.org/ns/formats/> .
[] a sd:Service ;
    sd:endpoint <{endpoint}> ;
    sd:supportedLanguage sd:SPARQL11Query ;
    sd:resultFormat fmt:SPARQL_Results_JSON, fmt:SPARQL_Results_XML, fmt:SPARQL_Results_CSV,
        fmt:SPARQL_Results_TSV, fmt:Turtle, fmt:N-Triples, fmt:JSON-LD, fmt:RDF_XML ;
    sd:defaultDataset [ a sd:Dataset ; sd:defaultGraph [ a sd:Graph ] ] .
"""

Format = Annotated[str | None, Query(description="Result format: json, xml, csv, tsv, turtle, ntriples, jsonld, "
                                                 "rdfxml (overrides Accept).")]


def _answer(store: StoreDep, settings: SettingsDep, sparql: str, accept: str | None, fmt: str | None) -> Response:
    negotiated = negotiate(accept, fmt)
    answer = run_sparql(store, settings, sparql, negotiated.formats)
    if answer.kind in negotiated.refused:
        return PlainTextResponse(f"the query returns {answer.kind}, which cannot be produced in {fmt or accept!r}",
                                 status_code=406)
    media = answer.media_type + ("; charset=utf-8" if answer.media_type.startswith("text/") else "")
    return Response(answer.body, media_type=media)


@router.get("/sparql", operation_id="sparql_get", summary="SPARQL 1.1 query (GET)")
def sparql_get(
    request: Request, store: StoreDep, settings: SettingsDep,
    query: Annotated[str | None, Query(description="The SPARQL query.")] = None,
    format: Format = None,
    output: Annotated[str | None, Query(include_in_schema=False)] = None,
    accept: Annotated[str | None, Header()] = None,
) -> Response:
    """Run a query given as `?query=`; without one, the editor (for a browser) or the service description."""
    queries = request.query_params.getlist("query")
    if len(queries) > 1:
        raise QueryRefused("send one query, not several")
    if query is None:
        if "text/html" in (accept or ""):
            return HTMLResponse(render("editor.html", title="SPARQL editor"))
        return Response(SERVICE_DESCRIPTION.format(endpoint=str(request.url_for("sparql_get"))),
                        media_type="text/turtle; charset=utf-8")
    if "update" in request.query_params:
        raise QueryRefused("send a query or an update, not both; updates are refused here", status=403)
    return _answer(store, settings, query, accept, format or output)


@router.post("/sparql", operation_id="sparql_post", summary="SPARQL 1.1 query (POST)")
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
    if media == "application/sparql-query":
        sparql = text
    elif media == "application/x-www-form-urlencoded":
        form = parse_qs(text, keep_blank_values=True)
        if "update" in form:
            raise QueryRefused("this endpoint is read-only: updates are refused", status=403)
        if len(form.get("query", [])) != 1:
            raise QueryRefused("send exactly one query parameter")
        sparql = form["query"][0]
        format = format or next(iter(form.get("format", []) + form.get("output", [])), None)
    elif media == "application/sparql-update":
        raise QueryRefused("this endpoint is read-only: updates are refused", status=403)
    else:
        raise QueryRefused(f"unsupported media type {media or '(none)'!r}; send application/sparql-query "
                           "or application/x-www-form-urlencoded", status=415)
    return await run_in_threadpool(_answer, store, settings, sparql, accept, format)
