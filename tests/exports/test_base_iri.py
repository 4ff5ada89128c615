"""TKG_BASE_IRI publishes the same graph under a hospital's own domain: every answer, page, link, download and
FHIR resource carries the new IRIs, and the placeholder base appears nowhere."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from rdflib import Dataset

from tests.servers import product_server

BASE = "https://kg.hospital.example/thoracic/"
PLACEHOLDER = "https://ttc-kg.example/"


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with product_server(tmp_path_factory.mktemp("published") / "build", base_iri=BASE) as base:
        yield base


def get(base: str, path: str, **kwargs: object) -> httpx.Response:
    response = httpx.get(base + path, timeout=120, **kwargs)  # type: ignore[arg-type]
    assert response.status_code < 400, (path, response.status_code, response.text[:300])
    return response


def test_every_download_is_under_the_new_base(published: str) -> None:
    graph = get(published, "/downloads/graph.nt").text
    assert PLACEHOLDER not in graph and f"<{BASE}id/LungCancer>" in graph
    ontology = get(published, "/downloads/ontology.ttl").text
    assert PLACEHOLDER not in ontology and f"<{BASE}ontology#>" in ontology
    parsed = Dataset()
    parsed.parse(data=get(published, "/downloads/graph.trig").text, format="trig")
    quads = list(parsed.quads((None, None, None, None)))
    assert len(quads) > 1000 and not any(PLACEHOLDER in str(term) for quad in quads for term in quad)
    assert {str(quad[3]) for quad in quads} >= {BASE + "graph/center", BASE + "graph/ontology"}
    assert BASE in get(published, "/.well-known/void", headers={"Accept": "text/turtle"}).text


def test_queries_lookups_and_prefixes_follow_it(published: str) -> None:
    assert get(published, "/api/prefixes").json()["ttc"] == BASE + "id/"
    rows = get(published, "/sparql", params={"query": "PREFIX kg: <" + BASE + "ontology#> "
                                             "SELECT ?c WHERE { ?c a kg:ClinicalCenter }"},
               headers={"Accept": "application/sparql-results+json"}).json()["results"]["bindings"]
    assert [row["c"]["value"] for row in rows] == [BASE + "id/Center"]
    named = get(published, "/queries/procedures_for_condition", params={"condition": "ttc:LungCancer"}).json()
    assert named["results"]["bindings"] and all(b["condition"]["value"] == BASE + "id/LungCancer"
                                                for b in named["results"]["bindings"])
    answer = get(published, "/api/lookup/procedures-for-condition", params={"q": "lung cancer"}).json()
    assert answer["matched"]["id"] == BASE + "id/LungCancer" and answer["results"]
    assert all(item["id"].startswith(BASE) for item in answer["results"])


def test_pages_links_fhir_and_redirects_follow_it(published: str) -> None:
    card = get(published, "/referral", params={"q": "lung cancer"}).text
    assert PLACEHOLDER not in card and "Lobectomy" in card
    entity = get(published, "/entity", params={"id": "ttc:LungCancer"}, headers={"Accept": "text/html"}).text
    assert BASE + "id/LungCancer" in entity and PLACEHOLDER not in entity
    network = get(published, "/graph").text
    assert BASE + "id/LungCancer" in network and PLACEHOLDER not in network
    redirect = httpx.get(published + "/id/LungCancer", timeout=60, follow_redirects=False)
    assert redirect.status_code == 303 and "LungCancer" in redirect.headers["location"]
    bundle = get(published, "/fhir/HealthcareService").text
    assert PLACEHOLDER not in bundle and re.search(re.escape(BASE) + r"fhir/StructureDefinition/", bundle)


def test_a_base_that_is_not_an_absolute_iri_stops_the_start(tmp_path: Path) -> None:
    import subprocess
    import sys
    result = subprocess.run([sys.executable, "-c", "import graph.namespaces"], capture_output=True, text=True,
                            env={"TKG_BASE_IRI": "kg.hospital.example", "PATH": ""}, timeout=60)
    assert result.returncode != 0 and 'TKG_BASE_IRI must be an absolute http(s) IRI ending in "/"' in result.stderr
