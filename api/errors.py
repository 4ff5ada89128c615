"""Domain errors → precise HTTP status codes, in one place. Bodies are plain text, no tracebacks or paths."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import PlainTextResponse

from api.conneg import NotAcceptable
from graph.guard import QueryRefused
from graph.network.projection import UnknownEntity
from graph.store import QueryRejected, QuerySyntaxError, QueryTimeout, ResultTooLarge, StoreUnavailable
from graph.workers import EngineFailure
from queries.catalog import CatalogError, UnknownQuery
from queries.params import InvalidParameter

log = logging.getLogger("thoracic_kg.api")


def document_plain_validation_errors(app: FastAPI) -> None:
    """Say in the OpenAPI document what a 422 really is here: plain text, not FastAPI's JSON error model."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = generate()
            for operations in schema.get("paths", {}).values():
                for operation in operations.values():
                    answer = operation.get("responses", {}).get("422") if isinstance(operation, dict) else None
                    if answer is not None:
                        answer["description"] = "Invalid input, said in plain words; nothing was run or changed"
                        answer["content"] = {"text/plain": {"schema": {"type": "string"},
                                                            "example": "invalid request: q: must not be empty"}}
            for unused in ("HTTPValidationError", "ValidationError"):
                schema.get("components", {}).get("schemas", {}).pop(unused, None)
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def install(app: FastAPI) -> None:
    """Register the handlers; anything not listed stays a logged 500."""
    document_plain_validation_errors(app)

    @app.exception_handler(RequestValidationError)
    def _validation(_: Request, exc: RequestValidationError) -> PlainTextResponse:
        problems = "; ".join(f"{'.'.join(str(part) for part in error['loc'][1:]) or error['loc'][0]}: {error['msg']}"
                             for error in exc.errors())
        return PlainTextResponse(f"invalid request: {problems}", status_code=422)

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
        return PlainTextResponse("the graph store is unavailable; try again shortly", status_code=503)

    @app.exception_handler(UnknownEntity)
    def _no_such_entity(_: Request, exc: UnknownEntity) -> PlainTextResponse:
        return PlainTextResponse(str(exc.args[0]), status_code=404)

    @app.exception_handler(QueryTimeout)
    def _timeout(_: Request, exc: QueryTimeout) -> PlainTextResponse:
        return PlainTextResponse(str(exc), status_code=503)  # as Fuseki and GraphDB answer a query timeout

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
