"""The SPARQL editor in headless Chromium against the live product: it loads, runs a catalog example, shows its
rows, and opens shareable links, with no request to any host but 127.0.0.1 and no console error."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import httpx
import pytest

from tests.browser import Visit, poll, visit

pytestmark = pytest.mark.integration

ROWS = ".yasr .dataTable tbody tr"
#: Characters a share link must carry intact: + & = # % quotes, Chinese, a newline.
QUERY = """PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
# a+b & c=d #fragment 100%
SELECT ?entity ?label WHERE {
  ?entity skos:prefLabel ?label .
  FILTER(langMatches(lang(?label), "zh") && CONTAINS(?label, "癌"))
}
ORDER BY ?label"""


def editor_text(page: Any) -> str:
    return str(page.evaluate("() => window.kgEditor.yasgui.getTab().getYasqe().getValue()"))


def result_rows(page: Any) -> int:
    page.locator(ROWS).first.wait_for(timeout=30_000)
    return int(page.locator(ROWS).count())


def assert_offline_and_clean(seen: Visit) -> None:
    assert seen.requests, "the browser recorded no request at all"
    assert seen.outside_requests() == []
    assert seen.console_errors == []


def test_editor_runs_a_catalog_example(live_server: str, browser: Any) -> None:
    catalog = httpx.get(live_server + "/queries").json()["queries"]
    expected = httpx.get(live_server + "/queries/center_figures", params={"format": "json"}).json()
    text = httpx.get(live_server + "/queries/center_figures.rq").text
    with visit(browser, live_server + "/sparql") as seen:
        page = seen.page
        poll(page, "() => !!window.kgEditor")
        options = page.evaluate("() => Array.from(document.querySelectorAll('#examples option')).map(o => o.value)")
        assert options[1:] == [q["name"] for q in catalog]
        page.select_option("#examples", "center_figures")
        poll(page, "() => window.kgEditor.yasgui.getTab().getYasqe().getValue().includes('kg:Figure')")
        shown = editor_text(page)
        # the query itself, under a comment in the page's language that replaces the bilingual `#+` header
        assert all(line in shown for line in text.splitlines() if line.strip() and not line.startswith("#+"))
        assert shown.startswith("# Example “The center's figures” (/queries/center_figures)\n# Every number")
        assert "#+" not in shown and "中心的数字" not in shown
        page.click(".yasqe_queryButton")
        assert result_rows(page) == len(expected["results"]["bindings"]) == 11
        assert "Figure" in page.inner_text("#example-description")
        assert page.locator(ROWS).first.inner_text().strip()
        seen.screenshot("editor-catalog-example")
        assert_offline_and_clean(seen)


def test_a_share_link_reproduces_the_query(live_server: str, browser: Any) -> None:
    answer = httpx.get(live_server + "/sparql", params={"query": QUERY},
                       headers={"Accept": "application/sparql-results+json"}).json()
    expected = len(answer["results"]["bindings"])
    assert expected >= 3  # 肺癌, 食管癌, ... : the link must carry the Chinese characters intact
    with visit(browser, live_server + "/sparql#query=" + quote(QUERY, safe="")) as seen:
        page = seen.page
        poll(page, "() => !!window.kgEditor")
        assert editor_text(page) == QUERY
        assert result_rows(page) == expected  # a share link runs its query on opening
        assert "癌" in page.locator(ROWS).first.inner_text()
        link = str(page.evaluate("() => window.kgEditor.yasgui.getTab().getShareableLink()"))
        seen.screenshot("editor-share-link")
        assert_offline_and_clean(seen)
    assert link.startswith(live_server + "/sparql#") and "endpoint=" in link
    with visit(browser, link) as again:  # the link the editor itself makes, in a fresh browser profile
        poll(again.page, "() => !!window.kgEditor")
        assert editor_text(again.page) == QUERY
        assert result_rows(again.page) == expected
        assert_offline_and_clean(again)


def test_a_share_link_naming_another_endpoint_still_queries_this_one(live_server: str, browser: Any) -> None:
    target = (live_server + "/sparql#query=" + quote("SELECT * WHERE { ?s ?p ?o } LIMIT 3", safe="")
              + "&endpoint=" + quote("https://dbpedia.org/sparql", safe=""))
    with visit(browser, target) as seen:
        poll(seen.page, "() => !!window.kgEditor")
        assert result_rows(seen.page) == 3
        assert seen.page.evaluate("() => window.kgEditor.yasgui.getTab().getEndpoint()") == live_server + "/sparql"
        assert_offline_and_clean(seen)


def test_result_iris_of_the_graph_link_to_entity_pages(live_server: str, browser: Any) -> None:
    query = "PREFIX ttc: <https://ttc-kg.example/id/>\nSELECT ?entity WHERE { VALUES ?entity { ttc:LungCancer } }"
    with visit(browser, live_server + "/sparql#query=" + quote(query, safe="")) as seen:
        page = seen.page
        poll(page, "() => !!window.kgEditor")
        result_rows(page)
        href = poll(page, "() => { const a = document.querySelector('.yasr .dataTable tbody a[href*=\"LungCancer\"]');"
                          " return a && a.getAttribute('href'); }")
        assert href == "/entity?id=" + quote("https://ttc-kg.example/id/LungCancer", safe="")
        assert_offline_and_clean(seen)
