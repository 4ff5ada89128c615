"""Shared fixtures: one real build per test session, real stores loaded with it, a live server, a browser."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from graph.build import Built, build
from graph.store import OxigraphStore
from tests.browser import chromium
from tests.servers import product_server

# A test asserts what a user sees, never how fast (speed lives in benchmarks/): the CI machine ran this suite at half
# this machine's speed and an update, which validates the whole graph, passed httpx's 5 s default there. Every httpx
# call of the suite (module functions and clients) waits up to two minutes unless it asks for less.
for _call in (httpx.request, httpx.get, httpx.post, httpx.put, httpx.delete, httpx.head,
              httpx.Client.__init__):
    assert _call.__kwdefaults__ is not None and "timeout" in _call.__kwdefaults__, _call
    _call.__kwdefaults__["timeout"] = httpx.Timeout(120)


@pytest.fixture(scope="session")
def built() -> Built:
    """The shipped graph, built once for the whole session (the real pipeline, no shortcut)."""
    return build()


@pytest.fixture(scope="session")
def store(built: Built) -> OxigraphStore:
    """An in-memory Oxigraph store holding the built graph (read-only use in tests)."""
    memory = OxigraphStore()
    memory.replace(built.ntriples, content_sha256=built.manifest["content_sha256"])
    return memory


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The product on a real uvicorn on 127.0.0.1 with default settings; yields its base URL."""
    with product_server(tmp_path_factory.mktemp("build")) as base:
        yield base


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One headless Debian Chromium per test module (a fresh context per page visit). Not per session: Playwright's
    sync API keeps an asyncio loop running in the main thread while it is started, which stops any later test's
    `asyncio.run` (tests/hostile), and with two xdist workers any module may come after a browser's."""
    with chromium() as running:
        yield running
