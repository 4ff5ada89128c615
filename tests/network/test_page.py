"""The network page in headless Chromium: served by the product and as a standalone file."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest

from api.routes.network import page_html
from graph.network.projection import ProjectionOptions
from graph.network.synthetic import synthetic_ntriples
from graph.network.views import whole
from tests.browser import poll, visit
from tests.network.conftest import FX, TTC, small_network
from tests.servers import product_server

pytestmark = pytest.mark.integration

SCRIPT_LABEL = '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2">'




def drawing(page: Any) -> dict[str, str]:
    """The counts the page exposes, read from vis-network's own DataSet and drawn node list."""
    poll(page, "document.getElementById('network').dataset.stabilized === 'true'")
    return page.evaluate("Object.assign({}, document.getElementById('network').dataset)")  # type: ignore[no-any-return]


def find(page: Any, text: str) -> None:
    """Type `text` into the search box and press Enter, then wait until the page has searched for it."""
    page.fill("#search", text)
    page.press("#search", "Enter")
    poll(page, f"document.getElementById('search').dataset.found === {json.dumps(text)}")


def typed(page: Any, text: str) -> None:
    """Type `text` into the search box and wait until the result list is the one for it."""
    page.fill("#search", text)
    poll(page, f"document.getElementById('search').dataset.shown === {json.dumps(text)}")


def api(base: str, path: str, **params: str) -> dict[str, Any]:
    return httpx.get(f"{base}{path}", params=params, timeout=60).json()  # type: ignore[no-any-return]


def test_center_page_draws_every_node_and_asks_nothing_of_other_hosts(live_server: str, browser: Any) -> None:
    expected = api(live_server, "/api/graph")
    with visit(browser, f"{live_server}/graph") as page:
        counts = drawing(page.page)
        assert int(counts["drawnNodes"]) == len(expected["nodes"]) == int(counts["loadedNodes"])
        hub = [e for e in expected["edges"] if TTC + "Center" in (e["source"], e["target"])]
        assert int(counts["hubEdges"]) == len(hub) > 0  # the overview leaves the center's own star out
        assert int(counts["drawnEdges"]) == len(expected["edges"]) - len(hub)
        page.page.check("#hub-toggle")  # and draws it on request
        poll(page.page, f"document.getElementById('network').dataset.drawnEdges === '{len(expected['edges'])}'")
        assert page.outside_requests() == []
        assert page.console_errors == []
        assert page.page.locator("#cap-note").is_hidden()
        page.screenshot("network-center")


DOCS = Path(__file__).parents[2] / "docs"


def test_the_overview_is_readable_and_has_a_text_alternative(live_server: str, browser: Any) -> None:
    """At 1400 x 1000 the whole center is an overview: the center pinned, its relations summarised, labels only
    where they can be read. Writes the README's picture, docs/network.png."""
    expected = api(live_server, "/api/graph")
    with visit(browser, f"{live_server}/graph", viewport=(1400, 1000)) as page:
        drawing(page.page)
        summary = page.page.locator("#hub-summary")
        assert summary.is_visible() and "left out of this overview" in summary.inner_text()
        center = page.page.evaluate("JSON.parse(document.getElementById('graph-data').textContent).vis.nodes"
                                    f".find(n => n.id === '{TTC}Center')")
        assert (center["fixed"], center["x"], center["y"]) == (True, 0, 0)  # pinned
        nodes = page.page.locator(".text-alternative table").nth(0).locator("tbody tr")
        relations = page.page.locator(".text-alternative table").nth(1).locator("tbody tr")
        assert (nodes.count(), relations.count()) == (len(expected["nodes"]), len(expected["edges"]))
        jiang = relations.filter(has_text="Jiang").filter(has_text="treats").first.text_content() or ""
        assert "Esophageal cancer" in jiang and "inferred" in jiang
        assert page.page.locator("#network").get_attribute("role") == "img"
        DOCS.mkdir(exist_ok=True)
        page.page.screenshot(path=str(DOCS / "network.png"))


def test_unticking_a_type_in_the_legend_hides_its_nodes(live_server: str, browser: Any) -> None:
    expected = api(live_server, "/api/graph")
    procedures = next(t["count"] for t in expected["types"] if t["type"] == "Procedure")
    with visit(browser, f"{live_server}/graph") as page:
        total = int(drawing(page.page)["drawnNodes"])
        legend = page.page.locator("#legend li", has_text="Procedure")
        assert legend.inner_text().split()[-1] == str(procedures)  # the legend shows the count
        page.page.uncheck('input[data-type="Procedure"]')
        poll(page.page, f"document.getElementById('network').dataset.drawnNodes === '{total - procedures}'")
        page.screenshot("network-procedures-hidden")
        page.page.check('input[data-type="Procedure"]')
        poll(page.page, f"document.getElementById('network').dataset.drawnNodes === '{total}'")


def test_a_search_in_chinese_focuses_the_node_and_ids_are_not_searched(live_server: str, browser: Any) -> None:
    with visit(browser, f"{live_server}/graph") as page:
        drawing(page.page)
        find(page.page, "纵隔镜")
        poll(page.page, f"document.getElementById('network').dataset.selected === '{TTC}Mediastinoscope'")
        assert page.page.locator("#details h3").inner_text() == "Mediastinoscope"
        assert page.page.locator("#details .label-zh").inner_text() == "纵隔镜"
        assert "Mediastinoscopic biopsy" in page.page.locator("#search-results").inner_text()  # 纵隔镜活检 matches too
        assert page.page.locator("#details a", has_text="Referral card").get_attribute("href") == (
            "/referral?id=" + "https%3A%2F%2Fttc-kg.example%2Fid%2FMediastinoscope")
        page.screenshot("network-search-zh")
        typed(page.page, "MediastinoscopyBiopsy")  # the local name of an id, not a label
        assert page.page.locator("#search-results").inner_text() == "No match"
        typed(page.page, "sweating hand")  # a synonym
        assert "palmar hyperhidrosis" in page.page.locator("#search-results").inner_text().lower()


@pytest.mark.parametrize(("typed_text", "node"), [("ＭＥＤＩＡＳＴＩＮＯＳＣＯＰＥ", "Mediastinoscope"),
                                                 ("縱隔鏡", "Mediastinoscope"), ("胸腔鏡", "Thoracoscope")])
def test_the_search_box_normalises_as_the_server_does(live_server: str, browser: Any, typed_text: str,
                                                      node: str) -> None:
    """Full-width capitals and Traditional Chinese fold as the server's normalise folds them (OpenCC)."""
    with visit(browser, f"{live_server}/graph") as page:
        drawing(page.page)
        find(page.page, typed_text)
        poll(page.page, f"document.getElementById('network').dataset.selected === '{TTC}{node}'")
        assert any("/api/normalise?" in url for url in page.requests)


def test_every_node_carries_the_servers_normalised_search_terms(live_server: str) -> None:
    from queries.matching import normalise

    answer = api(live_server, "/api/graph", vis="true")
    scope = next(n for n in answer["nodes"] if n["id"] == TTC + "Mediastinoscope")
    assert normalise("Mediastinoscope") in scope["search"] and normalise("纵隔镜") in scope["search"]
    assert httpx.get(live_server + "/api/normalise", params={"text": "ＶＡＴＳ"}).json()["normalised"] == "vats"


def test_evidence_quotes_show_in_the_panel_and_in_plain_text_tooltips(live_server: str, browser: Any) -> None:
    with visit(browser, f"{live_server}/graph/entity?id=ttc:EsophagealCancer&depth=1") as page:
        drawing(page.page)
        assert page.page.locator("#details h3").inner_text() == "Esophageal cancer"  # the focus is selected
        find(page.page, "纵隔镜活检")
        assert "mediastinoscopy biopsy technology" in page.page.locator("#details .quotes").first.inner_text()
        time.sleep(0.6)  # the focus animation centres the node
        box = page.page.locator("#network").bounding_box()
        page.page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        tooltip = page.page.locator(".vis-tooltip .tkg-tip")
        tooltip.wait_for(state="visible", timeout=10_000)
        assert tooltip.inner_text().startswith("Mediastinoscopic biopsy\n纵隔镜活检\nExamination")
        assert "mediastinoscopy biopsy technology" in tooltip.inner_text()
        assert page.page.locator(".vis-tooltip *").count() == 1  # one text element, no markup
        page.screenshot("network-entity")


def test_expanding_a_node_fetches_its_neighbours_from_the_same_origin(live_server: str, browser: Any) -> None:
    with visit(browser, f"{live_server}/graph/entity?id=ttc:Mediastinoscope") as page:
        assert int(drawing(page.page)["drawnNodes"]) == 3
        find(page.page, "Mediastinoscopic biopsy")
        page.page.click("#details button")
        poll(page.page, "document.getElementById('network').dataset.drawnNodes === '5'")
        assert page.outside_requests() == []
        assert any("/api/graph/entity?" in url for url in page.requests)


def test_a_script_label_from_a_construct_query_is_shown_as_text(live_server: str, browser: Any) -> None:
    query = ('PREFIX kg: <https://ttc-kg.example/ontology#> PREFIX ttc: <https://ttc-kg.example/id/> '
             'PREFIX skos: <http://www.w3.org/2004/02/skos/core#> '
             'CONSTRUCT { ttc:Probe skos:prefLabel ?label ; kg:treats ttc:LungCancer } '
             f'WHERE {{ BIND(STRLANG({json.dumps(SCRIPT_LABEL)}, "en") AS ?label) }}')
    with visit(browser, f"{live_server}/graph/query?{urlencode({'query': query})}") as page:
        assert int(drawing(page.page)["drawnNodes"]) == 2
        find(page.page, "window.__pwned")
        assert page.page.locator("#details h3").inner_text() == SCRIPT_LABEL
        assert page.page.locator("#details img, #details script").count() == 0
        assert page.page.evaluate("typeof window.__pwned") == "undefined"
        assert not [url for url in page.requests if url.endswith("/x")]
        page.screenshot("network-script-label")


def test_the_rendered_standalone_file_makes_no_request_at_all(tmp_path: Path, live_server: str, browser: Any) -> None:
    out = tmp_path / "mediastinoscope.html"
    result = subprocess.run([sys.executable, "-m", "api", "render", "--focus", "ttc:Mediastinoscope", "--depth", "1",
                             "-o", str(out)], capture_output=True, text=True, cwd=tmp_path, timeout=300)
    assert result.returncode == 0, result.stderr
    expected = api(live_server, "/api/graph/entity", id="ttc:Mediastinoscope", depth="1")
    with visit(browser, out.as_uri()) as page:
        assert int(drawing(page.page)["drawnNodes"]) == len(expected["nodes"]) == 3
        find(page.page, "Mediastinoscopic biopsy")
        page.page.click("#details button")  # expands from the next ring embedded in the file
        poll(page.page, "document.getElementById('network').dataset.drawnNodes === '5'")
        assert page.page.locator("#legend li", has_text="Condition").inner_text().split()[-1] == "2"
        assert page.requests == [out.as_uri()]
        assert page.console_errors == []
        page.screenshot("network-standalone")


def test_a_script_label_in_a_standalone_file_runs_nothing(tmp_path: Path, browser: Any) -> None:
    network = small_network()
    assert network.nodes[FX + "XSS"]["label"] == SCRIPT_LABEL
    out = tmp_path / "fixture.html"
    out.write_text(page_html(whole(network), ProjectionOptions(), standalone=True), encoding="utf-8")
    with visit(browser, out.as_uri()) as page:
        assert int(drawing(page.page)["drawnNodes"]) == network.number_of_nodes()
        find(page.page, "xss probe")
        assert page.page.locator("#details h3").inner_text() == SCRIPT_LABEL
        assert page.page.evaluate("typeof window.__pwned") == "undefined"
        assert page.requests == [out.as_uri()]


@pytest.fixture(scope="module")
def big_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The product serving a synthetic 5,000-node graph, its node cap set to 400 (TKG_NETWORK_MAX_NODES)."""
    folder = tmp_path_factory.mktemp("synthetic")
    (folder / "graph.nt").write_bytes(synthetic_ntriples(5000))
    with product_server(folder / "build", graph_file=str(folder / "graph.nt"), network_max_nodes="400") as base:
        yield base


def test_a_5000_node_graph_is_capped_with_a_message_instead_of_freezing(big_server: str, browser: Any) -> None:
    answer = api(big_server, "/api/graph")
    assert answer["capped"] is True and answer["total_nodes"] == 5000
    with visit(browser, f"{big_server}/graph") as page:
        started = time.monotonic()
        counts = drawing(page.page)
        settled = time.monotonic() - started
        assert int(counts["drawnNodes"]) == len(answer["nodes"]) == 400
        note = page.page.locator("#cap-note")
        assert note.is_visible() and note.inner_text().startswith("Showing 400 of 5,000 nodes")
        responsive = time.monotonic()
        typed(page.page, "Procedure 4999")
        assert time.monotonic() - responsive < 5
        assert settled < 60
        assert page.outside_requests() == []
        page.screenshot("network-5000-capped")

