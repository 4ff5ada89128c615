"""Fixtures of the export tests: the app in this process on the session's build, and a machine with no network."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from graph.build import Built
from graph.settings import Settings


@pytest.fixture(scope="session")
def client(built: Built, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """The product in this process (TestClient), serving the session's build: written where the app's build
    cache finds it, so nothing is built twice."""
    build_dir = tmp_path_factory.mktemp("exports-build")
    built.write(build_dir)
    with TestClient(create_app(Settings(build_dir=build_dir, workers=1))) as http:
        yield http


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Any]]:
    """Every outbound connection (and name look-up) raises; yields the attempts, which a test expects empty."""
    attempts: list[Any] = []

    def refuse(*args: Any, **kwargs: Any) -> Any:
        attempts.append(args[1:] or args)
        raise OSError("network blocked by the test: nothing may be fetched")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    yield attempts
