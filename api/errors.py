"""Domain errors → precise HTTP status codes, in one place. Bodies are plain text, no tracebacks or paths."""

from __future__ import annotations

import logging
import math
from collections.abc import Iterable, Iterator
from typing import Any

from fastapi import FastAPI, Request
from fastapi.dependencies.models import Dependant
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import BaseRoute

from api.auth import NotAllowed
from api.conneg import NotAcceptable
from api.deps import _store
from api.ratelimit import is_expensive
from graph.changes import ChangeConflict, ChangeRefused, ChangeSyntaxError, UnsupportedMedia
from graph.guard import QueryRefused
from graph.network.projection import UnknownEntity
from graph.store import QueryRejected, QuerySyntaxError, QueryTimeout, ResultTooLarge, StoreUnavailable
from graph.workers import EngineFailure, WorkersBusy
from queries.catalog import CatalogError, UnknownQuery
from queries.params import InvalidParameter

log = logging.getLogger("thoracic_kg.api")
#: Seconds a client should wait after a 503 for an unavailable store: a replacement worker loads in about that.
UNAVAILABLE_RETRY_SECONDS = 5


def retry_after(exc: QueryTimeout, deadline: float) -> int:
    """Seconds to wait before trying again after a 503 at the deadline: 1 when every worker was merely busy;
    after a query was stopped, one whole deadline, so that a client retrying the same query does not keep a
    worker at it.

    Example:
        >>> retry_after(WorkersBusy("busy"), 10.0), retry_after(QueryTimeout("stopped"), 2.5)
        (1, 3)
    """
    return 1 if isinstance(exc, WorkersBusy) else max(1, math.ceil(deadline))


_PLAIN = {"text/plain": {"schema": {"type": "string"}}}
_RETRY_AFTER = {"Retry-After": {"description": "Seconds to wait before trying again", "required": True,
                                "schema": {"type": "integer", "minimum": 1}}}
#: Answers a route does not declare itself: a 503 where it queries the store, a 429 where it is rate limited.
UNAVAILABLE = {"description": "The query ran past the deadline and was stopped, every query worker stayed busy, "
               "or the store is unavailable: plain text, with Retry-After", "content": _PLAIN, "headers": _RETRY_AFTER}
TOO_MANY = {"description": "This client made too many requests to the expensive routes: plain text, with Retry-After",
            "content": _PLAIN, "headers": _RETRY_AFTER}


def _needs_store(dependant: Dependant) -> bool:
    return any(dependency.call is _store or _needs_store(dependency) for dependency in dependant.dependencies)


def _api_routes(routes: Iterable[BaseRoute]) -> Iterator[APIRoute]:
    """Every APIRoute, also inside included routers (FastAPI keeps them as routers of their own since 0.15x)."""
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        elif (router := getattr(route, "original_router", None)) is not None:
            yield from _api_routes(router.routes)


def _fastapi_default(answer: dict[str, Any]) -> bool:
    """Whether a 422 is FastAPI's own JSON validation model (or has no content), not one a route declared."""
    content = answer.get("content")
    return not content or "HTTPValidationError" in str(content.get("application/json", {}).get("schema", {}))


def document_answers(app: FastAPI) -> None:
    """Say in the OpenAPI document what the answers not written in each route are: a 422 is plain text, not
    FastAPI's JSON error model; a route that queries the store may answer 503, an expensive one 429, both
    with Retry-After."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = generate()
            querying = {route.operation_id or route.unique_id for route in _api_routes(app.routes)
                        if _needs_store(route.dependant)}
            for path, operations in schema.get("paths", {}).items():
                for operation in operations.values():
                    if not isinstance(operation, dict):
                        continue
                    responses = operation.setdefault("responses", {})
                    answer = responses.get("422")
                    if answer is not None and _fastapi_default(answer):
                        answer["description"] = "Invalid input, said in plain words; nothing was run or changed"
                        answer["content"] = {"text/plain": {"schema": {"type": "string"},
                                                            "example": "invalid request: q: must not be empty"}}
                    if operation.get("operationId") in querying:
                        responses.setdefault("503", UNAVAILABLE)
                    if is_expensive(path):
                        responses.setdefault("429", TOO_MANY)
            for unused in ("HTTPValidationError", "ValidationError"):
                schema.get("components", {}).get("schemas", {}).pop(unused, None)
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def install(app: FastAPI) -> None:
    """Register the handlers; anything not listed stays a logged 500."""
    document_answers(app)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        """Plain text like every other error of ours (Starlette's own are JSON). A path nothing serves says where
        to go; Starlette's 405 names the methods of the first route on the path only (GET, for /sparql's GET and
        POST): the Allow header RFC 9110 asks for lists every route's."""
        if exc.status_code == 404 and exc.detail == "Not Found":
            return PlainTextResponse(f"nothing is served at {request.url.path}: the pages start at /, the API is "
                                     f"described at /docs\n{request.url.path} 处没有内容：页面从 / 开始，API 说明见 /docs",
                                     status_code=404)
        if exc.status_code != 405:
            return PlainTextResponse(str(exc.detail), status_code=exc.status_code, headers=exc.headers)
        allowed = sorted({method for route in _api_routes(request.app.routes) if route.path_regex.match(request.url.path)
                          for method in route.methods or ()})
        return PlainTextResponse(f"{request.method} is not allowed here; allowed: {', '.join(allowed)}",
                                 status_code=405, headers={"Allow": ", ".join(allowed)})

    @app.exception_handler(RequestValidationError)
    def _validation(_: Request, exc: RequestValidationError) -> PlainTextResponse:
        problems = "; ".join(f"{'.'.join(str(part) for part in error['loc'][1:]) or error['loc'][0]}: {error['msg']}"
                             for error in exc.errors())
        return PlainTextResponse(f"invalid request: {problems}\n请求无效（见上一行）", status_code=422)

    @app.exception_handler(NotAllowed)
    def _not_allowed(_: Request, exc: NotAllowed) -> PlainTextResponse:
        headers = ({"WWW-Authenticate": 'Bearer realm="thoracic-kg updates"'} if exc.status == 401 else
                   {"Retry-After": str(UNAVAILABLE_RETRY_SECONDS)} if exc.status == 503 else None)
        return PlainTextResponse(f"{exc.en}\n{exc.zh}", status_code=exc.status, headers=headers)

    @app.exception_handler(ChangeRefused)
    def _change_refused(_: Request, exc: ChangeRefused) -> JSONResponse:
        return JSONResponse({"message": {"en": f"the change was refused and nothing was changed: {len(exc.problems)} "
                                               "rule(s) broken (see violations)",
                                         "zh": f"更改被拒绝，未作任何改动：违反了 {len(exc.problems)} 条规则（见 violations）"},
                             "violations": exc.violations()}, status_code=422)

    @app.exception_handler(ChangeSyntaxError)
    def _change_syntax(_: Request, exc: ChangeSyntaxError) -> PlainTextResponse:
        if isinstance(exc, UnsupportedMedia):
            return PlainTextResponse(f"{exc}\n无法读取该格式：更改未执行", status_code=415)
        return PlainTextResponse(f"{exc}\n无法解析：更改未执行", status_code=400)

    @app.exception_handler(ChangeConflict)
    def _change_conflict(_: Request, exc: ChangeConflict) -> PlainTextResponse:
        return PlainTextResponse(f"{exc}\n与当前版本记录冲突：更改未执行", status_code=409)

    @app.exception_handler(QueryRefused)
    def _refused(_: Request, exc: QueryRefused) -> PlainTextResponse:
        return PlainTextResponse(str(exc), status_code=exc.status)

    @app.exception_handler(QuerySyntaxError)
    def _syntax(_: Request, exc: QuerySyntaxError) -> PlainTextResponse:
        return PlainTextResponse(f"the query does not parse: {exc}", status_code=400)

    @app.exception_handler(QueryRejected)
    def _rejected(_: Request, exc: QueryRejected) -> PlainTextResponse:
        return PlainTextResponse(f"the query cannot be evaluated: {exc}", status_code=400)

    @app.exception_handler(NotAcceptable)
    def _not_acceptable(_: Request, exc: NotAcceptable) -> PlainTextResponse:
        return PlainTextResponse(str(exc), status_code=406)

    @app.exception_handler(UnknownQuery)
    def _unknown(_: Request, exc: UnknownQuery) -> PlainTextResponse:
        return PlainTextResponse(str(exc), status_code=404)

    @app.exception_handler(InvalidParameter)
    def _invalid(_: Request, exc: InvalidParameter) -> PlainTextResponse:
        return PlainTextResponse(str(exc), status_code=422)

    @app.exception_handler(StoreUnavailable)
    def _unavailable(_: Request, exc: StoreUnavailable) -> PlainTextResponse:
        log.error("store unavailable: %s", exc)
        return PlainTextResponse("the graph store is unavailable; try again shortly", status_code=503,
                                 headers={"Retry-After": str(UNAVAILABLE_RETRY_SECONDS)})

    @app.exception_handler(UnknownEntity)
    def _no_such_entity(_: Request, exc: UnknownEntity) -> PlainTextResponse:
        return PlainTextResponse(str(exc.args[0]), status_code=404)

    @app.exception_handler(QueryTimeout)
    def _timeout(request: Request, exc: QueryTimeout) -> PlainTextResponse:
        return PlainTextResponse(str(exc), status_code=503,  # as Fuseki and GraphDB answer a query timeout
                                 headers={"Retry-After": str(retry_after(exc, request.app.state.settings.query_timeout))})

    @app.exception_handler(ResultTooLarge)
    def _too_large(_: Request, exc: ResultTooLarge) -> PlainTextResponse:
        return PlainTextResponse(f"the answer was stopped, not truncated: {exc}", status_code=422)

    @app.exception_handler(EngineFailure)
    def _engine(_: Request, exc: EngineFailure) -> PlainTextResponse:
        log.error("query engine failure: %s", exc)
        return PlainTextResponse(str(exc), status_code=500)

    @app.exception_handler(CatalogError)
    def _catalog(_: Request, exc: CatalogError) -> PlainTextResponse:
        log.error("catalog error: %s", exc)
        return PlainTextResponse("a named query is broken; see the server log", status_code=500)
