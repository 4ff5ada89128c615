"""The review page's tests' server: a real one with an update token, one per test module (so one module's commits
are not another's starting point)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from graph.build import Built
from tests.servers import product_server
from tests.updates.helpers import TOKEN


@pytest.fixture(scope="module")
def server(built: Built, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("curate")
    built.write(folder / "build")
    with product_server(folder / "build", state_dir=str(folder / "state"), update_tokens=f"alice:{TOKEN}",
                        rate_limit="off") as base:
        yield base
