"""Every page a person can open, in headless Chromium: it renders, logs no error, and asks nothing of any
host but 127.0.0.1 (a hospital intranet has no internet)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.browser import poll, visit
from tests.servers import ROOT, free_port

pytestmark = pytest.mark.integration

PAGES = {
    "home": ("/", "h1"),
    "referral": ("/referral?q=lung%20cancer", ".card"),
    "network": ("/graph", "#network canvas"),
    "editor": ("/sparql", ".yasqe"),
    "ontology": ("/ontology", "h1"),
    "entity": ("/entity?id=ttc:LungCancer", "h1"),
    "api-docs": ("/docs", ".opblock"),
}


@pytest.mark.parametrize("name", PAGES)
def test_page_renders_offline(live_server: str, browser: Any, name: str) -> None:
    path, selector = PAGES[name]
    with visit(browser, live_server + path) as page:
        page.page.wait_for_selector(selector, timeout=60_000)
        page.page.wait_for_load_state("networkidle")
        page.screenshot(f"page-{name}")
        assert page.outside_requests() == []
        assert page.console_errors == []


def test_api_docs_list_every_catalog_query_as_an_operation(live_server: str, browser: Any) -> None:
    with visit(browser, live_server + "/docs") as page:
        page.page.wait_for_selector(".opblock", timeout=60_000)
        operations = poll(page.page, "Array.from(document.querySelectorAll('.opblock-summary-path')).map(e => e.textContent)")
        assert "/queries/procedures_for_condition" in " ".join(operations)
        assert page.outside_requests() == []


def test_start_up_without_the_front_end_packages_says_how_to_install_them(tmp_path: Path) -> None:
    empty = tmp_path / "node_modules"
    empty.mkdir()
    env = {**os.environ, "TKG_WEB_MODULES": str(empty), "TKG_BUILD_DIR": str(tmp_path / "build")}
    started = subprocess.run([sys.executable, "-m", "api", "serve", "--port", str(free_port())], env=env, cwd=ROOT,
                             capture_output=True, text=True, timeout=120)
    assert started.returncode != 0
    assert "npm ci --prefix web" in started.stderr and "make setup" in started.stderr
    assert "vis-network" in started.stderr and "Traceback" not in started.stderr
