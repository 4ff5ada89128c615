"""Shared fixtures: one real build per test session, and real stores loaded with it."""

from __future__ import annotations

import pytest

from graph.build import Built, build
from graph.store import OxigraphStore


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
