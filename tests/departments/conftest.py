"""The product serving the center and three synthetic departments (`serve --with DIR`), built once a session for
every test of the regional directory."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from graph.synth import generate
from tests.servers import product_server


@pytest.fixture(scope="session")
def regional_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The center and three synthetic departments (seed 5: syn-0001 is a Lung Cancer Center) on a live server."""
    root = tmp_path_factory.mktemp("region")
    generate(3, 5, root)
    with product_server(tmp_path_factory.mktemp("build"), departments_dir=str(root)) as base:
        yield base
