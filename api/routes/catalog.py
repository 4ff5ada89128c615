"""`/queries`: the catalog of named queries, each runnable by URL with bound parameters."""

from __future__ import annotations

import inspect
import json
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, Response
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from api.conneg import NotAcceptable, choose
from api.deps import CatalogDep, StoreDep
from api.i18n import page_lang, request_lang
from api.pages import render
from graph.store import Answer
from queries.catalog import NamedQuery, get_query, spreadsheet_csv
from queries.service import CacheStatus, Served, ask_named, cached_named, run_named, served_state

router = APIRouter(tags=["queries"])

FormatParam = Annotated[str | None, Query(description="json, csv or tsv (overrides Accept).")]
AcceptHeader = Annotated[str | None, Header()]
AcceptLanguage = Annotated[str | None, Header()]
PageLang = Annotated[str, Query(description="Language of the browser page: en or zh (default from Accept-Language).")]

TABULAR = {"json": "application/sparql-results+json", "csv": "text/csv", "tsv": "text/tab-separated-values"}


class ParamInfo(BaseModel):
    name: str
    type: str
    required: bool
    example: str
    description: str
    description_zh: str


class QueryInfo(BaseModel):
    name: str
    title: str
    title_zh: str
    description: str
    description_zh: str
    params: list[ParamInfo]


class Catalog(BaseModel):
    queries: list[QueryInfo]


@router.get("/queries", operation_id="list_queries", response_model=Catalog,
            responses={200: {"content": {"text/html": {}}, "description": "The catalog; a page for browsers"}})
def list_queries(catalog: CatalogDep, accept: AcceptHeader = None, accept_language: AcceptLanguage = None,
                 lang: PageLang = "") -> Any:
    """Every named query with its parameters (JSON; a browser asking for text/html gets the catalog page)."""
    if _wants_html(accept):
        return HTMLResponse(_catalog_page(catalog, page_lang(lang, accept_language)))
    return Catalog(queries=[
        QueryInfo(name=q.name, title=q.title, title_zh=q.title_zh, description=q.description,
                  description_zh=q.description_zh,
                  params=[ParamInfo(name=p.name, type=p.type, required=p.required, example=p.example,
                                    description=p.description, description_zh=p.description_zh) for p in q.params])
        for q in sorted(catalog.values(), key=lambda q: q.name)])


@router.get("/queries/{name}.rq", operation_id="query_text", response_class=PlainTextResponse,
            responses={200: {"content": {"application/sparql-query": {}}, "description": "The query's text"},
                       404: {"description": "No named query of that name", "content": {"text/plain": {}}}})
def query_text(name: str, catalog: CatalogDep) -> PlainTextResponse:
    """The SPARQL text of a named query (for the editor)."""
    return PlainTextResponse(get_query(catalog, name).sparql, media_type="application/sparql-query; charset=utf-8")


def named_query_routes(catalog: dict[str, NamedQuery]) -> APIRouter:
    """One documented operation per catalog query (`GET /queries/<name>`), its parameters typed from the
    query's header, so the OpenAPI document and /docs show every question with its inputs and an example.
    The values are still read raw and validated by `bind`, exactly as on the generic route."""
    routes = APIRouter(tags=["queries"])
    for query in sorted(catalog.values(), key=lambda q: q.name):
        routes.add_api_route(f"/queries/{query.name}", _operation(query), methods=["GET"], summary=query.title,
                             description=query.description, operation_id=f"query_{query.name}",
                             responses={200: {"content": {**{media: {} for media in TABULAR.values()}, "text/html": {}},
                                              "description": "SPARQL JSON results, or CSV/TSV (format=html: a table)"},
                                        406: {"description": "No accepted media type (or format) can be produced",
                                              "content": {"text/plain": {}}}})
    return routes


def _operation(query: NamedQuery) -> Callable[..., Awaitable[Response]]:
    async def operation(request: Request, store: StoreDep, format: FormatParam = None, accept: AcceptHeader = None,
                        **_: str | None) -> Response:
        return await _run_soon(query, request, store, format, accept)

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
async def run_query(name: str, request: Request, store: StoreDep, catalog: CatalogDep, format: FormatParam = None,
                    accept: AcceptHeader = None) -> Response:
    """Run a named query; its parameters come as query-string values, validated and bound."""
    return await _run_soon(get_query(catalog, name), request, store, format, accept)


def _formats(chosen: str) -> dict[str, str]:
    return {"solutions": chosen, "boolean": "json", "graph": "turtle"}


def _served(request: Request) -> Served:
    return partial(served_state, request.app.state.content)


async def _run_soon(query: NamedQuery, request: Request, store: StoreDep, format: str | None,
                    accept: str | None) -> Response:
    """A cached answer straight from the event loop (no thread, no engine); otherwise the query in a thread."""
    if format != "html":
        chosen = choose(accept, TABULAR, default="json", explicit=format)
        raw = {k: v for k, v in request.query_params.items() if k != "format"}
        found = cached_named(store, query, raw, _formats(chosen), request.app.state.settings, _served(request))  # type: ignore[arg-type]
        if found is not None:
            return _tabular(found, chosen, "hit")
    return await run_in_threadpool(_run, query, request, store, format, accept)


def _run(query: NamedQuery, request: Request, store: StoreDep, format: str | None, accept: str | None) -> Response:
    if format == "html":
        return _table(query, request, store)
    chosen = choose(accept, TABULAR, default="json", explicit=format)
    raw = {k: v for k, v in request.query_params.items() if k != "format"}
    answer, status = ask_named(store, query, raw, _formats(chosen), request.app.state.settings, _served(request))  # type: ignore[arg-type]
    return _tabular(answer, chosen, status)


def _tabular(answer: Answer, chosen: str, status: CacheStatus) -> Response:
    body = answer.body
    media = answer.media_type
    if chosen == "csv":
        body, media = b"\xef\xbb\xbf" + spreadsheet_csv(body), "text/csv; charset=utf-8"  # BOM: Excel then reads UTF-8 Chinese
    elif chosen == "tsv":
        media = "text/tab-separated-values; charset=utf-8"
    return Response(body, media_type=media, headers={"X-Cache": status})


def _wants_html(accept: str | None) -> bool:
    """A browser's Accept (text/html before JSON); no Accept, */* or JSON keep the JSON catalog."""
    try:
        return choose(accept, {"json": "application/json", "html": "text/html"}, default="json") == "html"
    except NotAcceptable:
        return False


def _catalog_page(catalog: dict[str, NamedQuery], lang: str) -> str:
    queries = []
    for query in sorted(catalog.values(), key=lambda q: q.name):
        examples = query.examples()
        run = f"/queries/{query.name}?" + urlencode(examples)
        editor = "/sparql#" + urlencode({"query": _with_examples(query, lang), "endpoint": "/sparql"}, quote_via=quote)
        queries.append({"name": query.name, "title": query.titled(lang), "description": query.describe(lang),
                        "params": query.params, "table": run + ("&" if examples else "") + "format=html",
                        "csv": run + ("&" if examples else "") + "format=csv", "json": run, "editor": editor})
    return render("catalog.html", lang=lang, title="查询目录" if lang == "zh" else "Query catalog", queries=queries)


def _with_examples(query: NamedQuery, lang: str = "en") -> str:
    """The query text for the editor, its parameters given their examples in a VALUES line the reader can edit."""
    if not query.params:
        return query.sparql
    names = " ".join(f"?{p.name}" for p in query.params)
    values = " ".join(p.example if p.type in ("iri", "integer", "decimal", "boolean") else json.dumps(p.example)
                      for p in query.params)
    intro = f"# /queries/{query.name} 的参数及其示例值（请在此自行绑定）：" if lang == "zh" else \
        f"# Parameters of /queries/{query.name}, with their examples (bind them yourself here): "
    return f"{intro}{names} = {values}\n" + query.sparql


def _table(query: NamedQuery, request: Request, store: StoreDep) -> HTMLResponse:
    """The answer as an HTML table, for the catalog page's "table" link."""
    raw = {k: v for k, v in request.query_params.items() if k not in ("format", "lang")}
    lang = request_lang(request)
    answer = run_named(store, query, raw, _formats("json"), request.app.state.settings, _served(request))  # type: ignore[arg-type]
    data = json.loads(answer.body) if answer.kind != "graph" else None
    columns = data["head"].get("vars", []) if data else []
    rows = [[row.get(c, {}).get("value", "") for c in columns] for row in data["results"]["bindings"]] \
        if data and "results" in data else []
    return HTMLResponse(render("catalog.html", lang=lang, title=query.titled(lang), table={
        "query": query, "columns": columns, "rows": rows, "boolean": data.get("boolean") if data else None,
        "text": answer.body.decode("utf-8") if data is None else None, "params": raw,
        "csv": f"/queries/{query.name}?" + urlencode({**raw, "format": "csv"})}))
