"""`create_app(settings)`: the FastAPI application, its store opened for the lifetime of the app."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.staticfiles import StaticFiles
from fastapi.telemetry import TelemetryConfig
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api import errors
from api.auth import tokens_of
from api.pages import CSP
from api.ratelimit import RateLimit
from api.request_limits import RequestLimits
from api.routes import (
    catalog,
    curate,
    downloads,
    fhir,
    linkeddata,
    network,
    pages,
    referral,
    sparql,
    updates,
    vocabulary,
)
from graph.changes import open_content
from graph.settings import Settings
from graph.workers import prepare_base, serving_store
from queries.catalog import load_catalog

STATIC = Path(__file__).parent / "static"
#: Where each front-end package's served files are, under `settings.web_modules` (web/node_modules).
VENDOR_MOUNTS = {"yasgui": Path("@zazuko", "yasgui", "build"), "vis-network": Path("vis-network", "standalone", "umd"),
                 "swagger-ui": Path("swagger-ui-dist")}


def check_front_end(settings: Settings) -> dict[str, Path]:
    """The front-end packages' directories; stops start-up with how to install them if any is missing.

    Without them the editor, the network view and the API docs would load without their scripts and stay blank."""
    found = {name: settings.web_modules / sub for name, sub in VENDOR_MOUNTS.items()}
    missing = sorted(name for name, directory in found.items() if not directory.is_dir())
    if missing:
        raise SystemExit(f"The front-end packages are not installed ({', '.join(missing)} missing in "
                         f"{settings.web_modules}): run `npm ci --prefix web` (or `make setup`), then start again.")
    return found


_NO_TELEMETRY: TelemetryConfig = {"tracing": False, "metrics": False, "logs": False, "operation_spans": False,
                                   "auto_configure": False}


class SecurityHeaders:
    """Adds the Content-Security-Policy (nothing may come from another origin) and nosniff to every response.

    A plain ASGI middleware: Starlette's BaseHTTPMiddleware (`@app.middleware`) costs a task and a stream
    per request, which showed in the benchmark's tiny queries."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("Content-Security-Policy", CSP)
                headers.setdefault("X-Content-Type-Options", "nosniff")
            await send(message)

        await self.app(scope, receive, with_headers)


def create_app(settings: Settings) -> FastAPI:
    """The application; the catalog is parsed now, so a broken query fails start-up, not a request."""
    query_catalog = load_catalog()
    vendor = check_front_end(settings)
    if settings.updates_enabled:  # a malformed token setting or a missing token file stops the start, said plainly
        try:
            tokens_of(settings)
        except (OSError, ValueError) as exc:
            raise SystemExit(f"The update tokens cannot be read: {exc}") from None

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        content = open_content(settings)  # the build (with TKG_DEPARTMENTS_DIR's departments) or TKG_GRAPH_FILE
        ntriples, manifest = content.build_ntriples, content.build_manifest
        graph_path = settings.graph_file or settings.build_dir / "graph.nt"
        prepare_base(settings, ntriples=ntriples, content_sha256=manifest["content_sha256"])
        content.start()  # the ledger's run for this build (and changes carried from an earlier build)
        now = content.snapshot()
        remote = settings.store == "remote"
        store = serving_store(settings, ntriples=now.ntriples if remote else ntriples, graph_path=graph_path,
                              content_sha256=now.content_sha256 if remote else manifest["content_sha256"],
                              ledger_dir=None if content.prebuilt else content.ledger.directory)
        if remote:
            content.sync_audit(store)
        app.state.store, app.state.content = store, content
        yield
        store.close()

    # FastAPI's own /docs and /redoc pull Swagger UI and ReDoc from a CDN and run an inline script our CSP
    # forbids: the API documentation page is served by pages.router from the pinned swagger-ui-dist instead.
    # Telemetry off, explicitly: FASTAPI_OTEL_AUTO_CONFIGURE in the environment would otherwise add exporters
    # that send data off the machine.
    app = FastAPI(title="Thoracic Tumor Center knowledge graph", version="0.1.0", lifespan=lifespan,
                  docs_url=None, redoc_url=None, telemetry=_NO_TELEMETRY)
    app.state.settings, app.state.catalog = settings, query_catalog
    errors.install(app)
    curate.install(app)
    if settings.cors_origins:
        app.add_middleware(CORSMiddleware, allow_origins=settings.cors_origins, allow_credentials=False,
                           allow_methods=["GET", "POST"], allow_headers=["Accept", "Content-Type"])

    app.add_middleware(RequestLimits, max_body_bytes=settings.max_body_bytes)
    if settings.rate_limit.lower() not in ("", "off"):  # inside SecurityHeaders: a 429 gets the same headers
        app.add_middleware(RateLimit, limit=settings.rate_limit, exempt=settings.rate_limit_exempt)
    app.add_middleware(SecurityHeaders)
    app.include_router(catalog.named_query_routes(query_catalog))  # before /queries/{name}, which it documents
    for router in (pages.router, downloads.router, linkeddata.router, fhir.router, sparql.router, catalog.router,
                   vocabulary.router, referral.router, network.router, updates.router, curate.router):
        app.include_router(router)
    app.mount("/static/editor", StaticFiles(directory=STATIC / "editor"), name="editor-static")
    for name, directory in vendor.items():  # installed by `npm ci --prefix web` (make setup)
        app.mount(f"/static/vendor/{name}", StaticFiles(directory=directory), name=f"vendor-{name}")
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    return app


def app_from_environment() -> FastAPI:
    """The application with settings from TKG_* variables: the factory each HTTP process of `serve` calls."""
    return create_app(Settings())
