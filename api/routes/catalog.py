"""`/queries`: the catalog of named queries, each runnable by URL with bound parameters."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import PlainTextResponse, Response
from pydantic import BaseModel

from api.conneg import choose
from api.deps import CatalogDep, StoreDep
from queries.catalog import NamedQuery, get_query
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


FormatParam = Annotated[str | None, Query(description="json, csv or tsv (overrides Accept).")]
AcceptHeader = Annotated[str | None, Header()]


def named_query_routes(catalog: dict[str, NamedQuery]) -> APIRouter:
    """One documented operation per catalog query (`GET /queries/<name>`), its parameters typed from the
    query's header, so the OpenAPI document and /docs show every question with its inputs and an example.
    The values are still read raw and validated by `bind`, exactly as on the generic route."""
    routes = APIRouter(tags=["queries"])
    for query in sorted(catalog.values(), key=lambda q: q.name):
        routes.add_api_route(f"/queries/{query.name}", _operation(query), methods=["GET"], summary=query.title,
                             description=query.description, operation_id=f"query_{query.name}",
                             responses={200: {"content": {media: {} for media in TABULAR.values()},
                                              "description": "SPARQL JSON results, or CSV/TSV"}})
    return routes


def _operation(query: NamedQuery) -> Callable[..., Response]:
    def operation(request: Request, store: StoreDep, format: FormatParam = None, accept: AcceptHeader = None,
                  **_: str | None) -> Response:
        return _run(query, request, store, format, accept)

    documented = [inspect.Parameter(
        param.name, inspect.Parameter.KEYWORD_ONLY, default=inspect.Parameter.empty if param.required else None,
        annotation=Annotated[str if param.required else str | None,
                             Query(description=f"{param.description} ({param.type})", examples=[param.example])])
        for param in query.params]
    fixed = [p for p in inspect.signature(operation).parameters.values() if p.kind != inspect.Parameter.VAR_KEYWORD]
    operation.__signature__ = inspect.Signature(fixed + documented, return_annotation=Response)  # type: ignore[attr-defined]
    operation.__name__ = f"query_{query.name}"
    return operation


@router.get("/queries/{name}", operation_id="run_query", include_in_schema=False)
def run_query(name: str, request: Request, store: StoreDep, catalog: CatalogDep, format: FormatParam = None,
              accept: AcceptHeader = None) -> Response:
    """Run a named query; its parameters come as query-string values, validated and bound."""
    return _run(get_query(catalog, name), request, store, format, accept)


def _run(query: NamedQuery, request: Request, store: StoreDep, format: str | None, accept: str | None) -> Response:
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
