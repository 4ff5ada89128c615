"""Fixtures of the network tests: the small graph with known answers, and the center's own network."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import pytest

from graph.build import Built
from graph.network.projection import ProjectionOptions, Triples, from_ntriples, project

SMALL = Path(__file__).parent / "fixtures" / "small.ttl"
TTC = "https://ttc-kg.example/id/"
FX = "https://example.org/fixture/"


def small_network(options: ProjectionOptions | None = None) -> nx.MultiDiGraph:
    return project(Triples.parse(SMALL.read_text(encoding="utf-8"), "turtle"), options or ProjectionOptions())


@pytest.fixture(scope="session")
def small() -> nx.MultiDiGraph:
    return small_network()


@pytest.fixture(scope="session")
def center(built: Built) -> nx.MultiDiGraph:
    """The shipped graph's network, projected from the session build."""
    return from_ntriples(built.ntriples)
