"""`/queries`: the catalog of named queries, each runnable by URL with bound parameters."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import PlainTextResponse, Response
from pydantic import BaseModel

from api.conneg import choose
from api.deps import CatalogDep, StoreDep
from queries.catalog import get_query
from queries.service import run_named

router = APIRouter(tags=["queries"])

TABULAR = {"json": "application/sparql-results+json", "csv": "text/csv", "tsv": "text/tab-separated-values"}


class ParamInfo(BaseModel):
    name: str
    type: str
    required: bool
    example: str
    description: str


class QueryInfo(BaseModel):
    name: str
    title: str
    description: str
    params: list[ParamInfo]


class Catalog(BaseModel):
    queries: list[QueryInfo]


@router.get("/queries", operation_id="list_queries", response_model=Catalog)
def list_queries(catalog: CatalogDep) -> Catalog:
    """Every named query with its parameters."""
    return Catalog(queries=[
        QueryInfo(name=q.name, title=q.title, description=q.description,
                  params=[ParamInfo(name=p.name, type=p.type, required=p.required, example=p.example,
                                    description=p.description) for p in q.params])
        for q in sorted(catalog.values(), key=lambda q: q.name)])


@router.get("/queries/{name}.rq", operation_id="query_text", response_class=PlainTextResponse)
def query_text(name: str, catalog: CatalogDep) -> PlainTextResponse:
    """The SPARQL text of a named query (for the editor)."""
    return PlainTextResponse(get_query(catalog, name).sparql, media_type="application/sparql-query; charset=utf-8")


@router.get("/queries/{name}", operation_id="run_query")
def run_query(
    name: str, request: Request, store: StoreDep, catalog: CatalogDep,
    format: Annotated[str | None, Query(description="json, csv or tsv (overrides Accept).")] = None,
    accept: Annotated[str | None, Header()] = None,
) -> Response:
    """Run a named query; its parameters come as query-string values, validated and bound."""
    query = get_query(catalog, name)
    chosen = choose(accept, TABULAR, default="json", explicit=format)
    raw = {k: v for k, v in request.query_params.items() if k != "format"}
    answer = run_named(store, query, raw, {"solutions": chosen, "boolean": "json", "graph": "turtle"})
    body = answer.body
    media = answer.media_type
    if chosen == "csv":
        body, media = b"\xef\xbb\xbf" + body, "text/csv; charset=utf-8"  # BOM: Excel then reads UTF-8 Chinese
    elif chosen == "tsv":
        media = "text/tab-separated-values; charset=utf-8"
    return Response(body, media_type=media)
