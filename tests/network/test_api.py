"""The network JSON and pages over HTTP, on the real server (uvicorn on 127.0.0.1)."""

from __future__ import annotations

import io
import re

import httpx
import networkx as nx
import pytest

from tests.network.conftest import TTC

pytestmark = pytest.mark.integration

CONSTRUCT = ("PREFIX kg: <https://ttc-kg.example/ontology#> PREFIX ttc: <https://ttc-kg.example/id/> "
             "CONSTRUCT { ?p kg:treats ttc:EsophagealCancer } WHERE { ?p kg:treats ttc:EsophagealCancer }")


@pytest.fixture(scope="module")
def client(live_server: str) -> httpx.Client:
    with httpx.Client(base_url=live_server, timeout=60) as http:
        yield http  # type: ignore[misc]


def test_center_json_has_the_promised_shape(client: httpx.Client) -> None:
    answer = client.get("/api/graph").json()
    assert answer["capped"] is False and "note" not in answer
    node = next(n for n in answer["nodes"] if n["id"] == TTC + "Mediastinoscope")
    assert (node["label"], node["labels"], node["type"]) == ("Mediastinoscope", {"en": "Mediastinoscope", "zh": "纵隔镜"},
                                                             "Equipment")
    edge = next(e for e in answer["edges"] if e["source"] == TTC + "JiangsAnastomosis" and e["property"] == "kg:treats")
    assert (edge["target"], edge["status"]) == (TTC + "EsophagealCancer", "inferred")
    assert {"source", "target", "property", "status"} <= set(answer["edges"][0])
    facts = client.get("/api/graph", params={"inferred": "false"}).json()
    assert {e["status"] for e in facts["edges"]} <= {"stated", "implied", "modelled"}


def test_the_cap_applies_with_a_note(client: httpx.Client) -> None:
    answer = client.get("/api/graph", params={"max_nodes": 7}).json()
    assert answer["capped"] is True and len(answer["nodes"]) == 7 and answer["total_nodes"] > 7
    assert answer["note"].startswith("Showing 7 of ")
    assert client.get("/api/graph", params={"max_nodes": 0}).status_code == 422


def test_entity_neighbourhood_and_its_errors(client: httpx.Client) -> None:
    answer = client.get("/api/graph/entity", params={"id": "ttc:Mediastinoscope", "depth": 2}).json()
    assert {n["id"] for n in answer["nodes"]} == {TTC + n for n in ("Mediastinoscope", "Center", "MediastinoscopyBiopsy",
                                                                   "LungCancer", "EsophagealCancer")}
    assert answer["focus"] == TTC + "Mediastinoscope"
    missing = client.get("/api/graph/entity", params={"id": "ttc:NoSuchThing"})
    assert missing.status_code == 404 and "ttc:NoSuchThing" in missing.text and "Traceback" not in missing.text
    assert client.get("/api/graph/entity", params={"id": "ttc:Mediastinoscope", "depth": 4}).status_code == 422
    bad = client.get("/api/graph/entity", params={"id": "not an iri <>"})
    assert bad.status_code == 422 and "id" in bad.text


def test_query_network_by_get_and_post_through_the_guard(client: httpx.Client) -> None:
    by_get = client.get("/api/graph/query", params={"query": CONSTRUCT}).json()
    by_post = client.post("/api/graph/query", data={"query": CONSTRUCT}).json()
    assert by_get["edges"] == by_post["edges"]
    jiang = [e for e in by_get["edges"] if e["source"] == TTC + "JiangsAnastomosis"]
    assert jiang == []  # inferred: never a plain triple, so a CONSTRUCT over triples cannot find it
    radical = next(e for e in by_get["edges"] if e["source"] == TTC + "MinimallyInvasiveRadicalEsophagectomy")
    assert radical["status"] == "stated"  # the status and evidence of the same relation in the center's network
    assert "laparoscopic radical esophageal cancer surgery" in radical["evidence"][0]["quote"]
    labels = {n["id"]: n["labels"].get("zh") for n in by_get["nodes"]}
    assert labels[TTC + "EsophagealCancer"] == "食管癌"  # labels lent by the center's network
    select = client.get("/api/graph/query", params={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 1"})
    assert select.status_code == 400 and "CONSTRUCT" in select.text
    update = client.post("/api/graph/query", data={"query": "INSERT DATA { <urn:a> <urn:b> <urn:c> }"})
    assert update.status_code == 403
    broken = client.get("/api/graph/query", params={"query": "CONSTRUCT { ?s ?p } WHERE { ?s ?p ?o }"})
    assert broken.status_code == 400 and "Traceback" not in broken.text


def test_paths_and_analytics(client: httpx.Client) -> None:
    paths = client.get("/api/graph/paths", params={"source": "ttc:LungCancer", "target": "ttc:Mediastinoscope"})
    assert [p["text"] for p in paths.json()["paths"]] == [
        "Lung cancer —has staging examination→ Mediastinoscopic biopsy [implied] —uses device→ Mediastinoscope [implied]"]
    analytics = client.get("/api/graph/analytics").json()
    assert analytics["underpinning"][0]["id"] == TTC + "MinimallyInvasiveApproach"
    assert {(r["resource"], r["condition"]) for r in analytics["single_points_of_failure"]} >= {
        (TTC + "Thoracoscope", TTC + "PalmarHyperhidrosis")}


def test_graphml_export_over_http_matches_the_json_counts(client: httpx.Client) -> None:
    answer = client.get("/api/graph", params={"max_nodes": 3000}).json()
    response = client.get("/api/graph/export", params={"format": "graphml"})
    assert response.headers["content-type"].startswith("application/graphml+xml")
    back = nx.read_graphml(io.BytesIO(response.content))
    assert (back.number_of_nodes(), back.number_of_edges()) == (len(answer["nodes"]), len(answer["edges"]))
    assert client.get("/api/graph/export", params={"format": "png"}).status_code == 422


def test_pages_are_html_with_the_strict_csp(client: httpx.Client) -> None:
    for path, params in (("/graph", {}), ("/graph/entity", {"id": "ttc:Mediastinoscope", "depth": "2"}),
                         ("/graph/query", {}), ("/graph/paths", {"source": "ttc:LungCancer", "target": "ttc:Thoracoscope"})):
        response = client.get(path, params=params)
        assert response.status_code == 200, (path, response.text[:200])
        assert "script-src" not in response.headers["content-security-policy"]  # default-src 'self': no inline scripts
        assert '<script type="application/json" id="graph-data">' in response.text
        assert not re.search(r'(?:src|href|action)="(?:https?:)?//', response.text)  # nothing from another host
    missing = client.get("/graph/entity", params={"id": "ttc:NoSuchThing"})
    assert missing.status_code == 404 and missing.text.startswith("ttc:NoSuchThing is not in the network")


def test_every_operation_of_the_openapi_document_has_its_own_id(client: httpx.Client) -> None:
    ids = [operation["operationId"] for path in client.get("/openapi.json").json()["paths"].values()
           for operation in path.values() if isinstance(operation, dict) and "operationId" in operation]
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
    assert {"network_query", "network_query_form"} <= set(ids)
    posted = client.post("/api/graph/query", data={"query": CONSTRUCT})
    assert posted.status_code == 200 and posted.json()["nodes"]
