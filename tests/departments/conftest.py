"""The regional build these tests share: three synthetic departments (seed 5, one hospital) built beside the
shipped center with the build's own pipeline (`build --with`), once for the whole package, since builds are slow."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph.build import Built
from graph.departments import build_with
from graph.synth import generate


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
