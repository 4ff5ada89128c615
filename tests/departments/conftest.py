"""The regional build these tests share: three synthetic departments (seed 5, one hospital; syn-0001 is a Lung Cancer
Center) built beside the shipped center with the build's own pipeline (`build --with`), and the product serving them
(`serve --with DIR`), each once for the whole package, since builds are slow."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from graph.build import Built
from graph.departments import build_with
from graph.synth import generate
from tests.servers import product_server


@pytest.fixture(scope="package")
def region(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The folder of the three synthetic departments."""
    root = tmp_path_factory.mktemp("region")
    generate(3, 5, root)
    return root


@pytest.fixture(scope="package")
def regional(region: Path) -> Built:
    """The center and the three departments, built."""
    return build_with(region)


@pytest.fixture(scope="package")
def regional_server(region: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The center and the three departments on a live server."""
    with product_server(tmp_path_factory.mktemp("build"), departments_dir=str(region)) as base:
        yield base
