"""The read-only FHIR R4B server: every resource and Bundle validated by the fhir.resources R4B models, counts
compared with the graph, searches and paging, the CapabilityStatement, and OperationOutcomes for what is refused."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.capabilitystatement import CapabilityStatement
from fhir.resources.R4B.healthcareservice import HealthcareService
from fhir.resources.R4B.operationoutcome import OperationOutcome
from fhir.resources.R4B.organization import Organization
from rdflib import Graph
from rdflib.namespace import RDF, SKOS
from typer.testing import CliRunner

from api.cli import app as cli
from graph.build import Built
from graph.namespaces import KG, SCHEMA, TTC
from queries.fhir import ICD10_SYSTEM, SEARCH_PARAMS, TREATS_EXTENSION

MEDIA = "application/fhir+json"
BASE = "http://testserver"
MODELS = {"Organization": Organization, "HealthcareService": HealthcareService}


def _get(client: TestClient, path: str, status: int = 200, **params: Any) -> dict[str, Any]:
    answer = client.get(path, params=params)
    assert answer.status_code == status, (path, params, answer.text)
    assert answer.headers["content-type"] == MEDIA, path
    return answer.json()  # type: ignore[no-any-return]


def _bundle(client: TestClient, resource_type: str, **params: Any) -> dict[str, Any]:
    body = _get(client, f"/fhir/{resource_type}", **params)
    bundle = Bundle.model_validate(body)
    assert bundle.type == "searchset"
    for entry in body.get("entry", []):
        MODELS[resource_type].model_validate(entry["resource"])
        assert entry["fullUrl"] == f"{BASE}/fhir/{resource_type}/{entry['resource']['id']}"
        assert entry["search"] == {"mode": "match"}
    return body


def _ids(bundle: dict[str, Any]) -> list[str]:
    return [entry["resource"]["id"] for entry in bundle.get("entry", [])]


def _outcome(client: TestClient, path: str, status: int, **params: Any) -> str:
    body = _get(client, path, status, **params)
    OperationOutcome.model_validate(body)
    return str(body["issue"][0]["diagnostics"])


def _graph(built: Built) -> Graph:
    return Graph().parse(data=built.ntriples, format="nt")


def test_organizations_are_the_hospital_and_the_center_with_nothing_invented(client: TestClient) -> None:
    bundle = _bundle(client, "Organization")
    assert bundle["total"] == 2 and sorted(_ids(bundle)) == ["Center", "Hospital"]
    center = _get(client, "/fhir/Organization/Center")
    Organization.model_validate(center)
    assert center["name"] == "Thoracic Tumor Center" and "胸部肿瘤中心" in center["alias"]
    assert center["partOf"] == {"reference": "Organization/Hospital"}
    assert center["type"][0]["coding"][0]["code"] == "dept" and center["address"] == [{"city": "Chongqing"}]
    hospital = _get(client, "/fhir/Organization/Hospital")
    assert "name" not in hospital and "alias" not in hospital  # the source never names it
    text = json.dumps(bundle)
    text += json.dumps(_bundle(client, "HealthcareService", _count=100))
    for invented in ("telecom", "availableTime", "notAvailable", "availabilityExceptions", "contact", "endpoint",
                     "appointmentRequired", "referralMethod", "coverageArea"):
        assert invented not in text, invented


def test_one_healthcare_service_per_offered_service_with_plain_facts_only(client: TestClient, built: Built) -> None:
    graph = _graph(built)
    offered = {str(s)[len(str(TTC)):] for s in graph.objects(TTC.Center, SCHEMA.availableService)}
    bundle = _bundle(client, "HealthcareService", _count=100)
    services = {entry["resource"]["id"]: entry["resource"] for entry in bundle["entry"]}
    assert bundle["total"] == len(offered) == len(services) and set(services) == offered
    for service_id, service in services.items():
        iri = TTC[service_id]
        assert service["providedBy"]["reference"] == "Organization/Center"
        assert service["category"] and service["type"][0]["coding"][0]["code"] == service_id
        assert {c["coding"][0]["code"] for c in service["specialty"]} == {"ThoracicSurgery", "Oncologic"}
        treated = {e["valueCodeableConcept"]["coding"][0]["code"]: e["valueCodeableConcept"]
                   for e in service.get("extension", []) if e["url"] == TREATS_EXTENSION}
        assert set(treated) == {str(c)[len(str(TTC)):] for c in graph.objects(iri, KG.treats)}, service_id
        for code, concept in treated.items():
            icd = [c["code"] for c in concept["coding"] if c["system"] == ICD10_SYSTEM]
            exact = {str(graph.value(m, SCHEMA.codeValue)) for m in graph.objects(TTC[code], SCHEMA.code)
                     if graph.value(m, KG.codeMapping) == SKOS.exactMatch}
            assert set(icd) == exact, (service_id, code)  # a broader or narrower code is never given as this concept
        eligible = {e["code"]["coding"][0]["code"] for e in service.get("eligibility", [])}
        assert eligible == {str(c)[len(str(TTC)):] for c in graph.objects(iri, KG.hasIndication)}, service_id
        assert all("comment" in e and "“" in e["comment"] for e in service.get("eligibility", []))
        assert service["comment"].startswith("Offered by the center, in the source's words: “")
        assert "inferred" not in service["comment"] and "ambiguous" not in service["comment"]
    # inferred and ambiguous claims stay out: Jiang's anastomosis treating esophageal cancer is only inferred,
    # and robotic surgery's indication for unresectable tumours is ambiguous
    assert "EsophagealCancer" not in json.dumps(services["JiangsAnastomosis"].get("extension", []))
    assert "eligibility" not in services["RoboticSurgery"]
    lung = services["RadicalLungCancerSurgery"]
    [treats] = [e["valueCodeableConcept"] for e in lung["extension"] if e["url"] == TREATS_EXTENSION]
    assert {"system": ICD10_SYSTEM, "code": "C34"} in treats["coding"]
    assert lung["_name"]["extension"][0]["extension"][1]["valueString"] == "肺癌根治术"


def test_paging_walks_every_match_once_with_the_same_total(client: TestClient) -> None:
    first = _bundle(client, "HealthcareService", _count=5)
    total, seen, page = first["total"], [], first
    while True:
        assert page["total"] == total and len(_ids(page)) <= 5
        seen += _ids(page)
        links = {link["relation"]: link["url"] for link in page["link"]}
        assert {"self", "first", "last"} <= set(links)
        if "next" not in links:
            break
        url = urlsplit(links["next"])
        assert f"{url.scheme}://{url.netloc}" == BASE
        page = _bundle(client, "HealthcareService", **dict(p.split("=", 1) for p in url.query.split("&")))
    assert len(seen) == len(set(seen)) == total
    assert "previous" in {link["relation"] for link in page["link"]}
    empty = _bundle(client, "HealthcareService", _count=0)
    assert empty["total"] == total and "entry" not in empty


@pytest.mark.parametrize(("resource_type", "params", "expected"), [
    ("Organization", {"_id": "Center"}, ["Center"]),
    ("Organization", {"_id": "Center,Hospital"}, ["Center", "Hospital"]),
    ("Organization", {"name": "thoracic tum"}, ["Center"]),
    ("Organization", {"name": "胸部"}, ["Center"]),
    ("Organization", {"name:contains": "TUMOUR"}, ["Center"]),
    ("Organization", {"name:exact": "thoracic tumor center"}, []),
    ("Organization", {"name:exact": "Thoracic Tumor Center"}, ["Center"]),
    ("HealthcareService", {"name": "射频"}, ["RadiofrequencyAblation"]),
    ("HealthcareService", {"name": "radiofrequency", "organization": "Organization/Center"}, ["RadiofrequencyAblation"]),
    ("HealthcareService", {"organization": "Hospital"}, []),
    ("HealthcareService", {"specialty": "https://ttc-kg.example/id/|ThoracicSurgery", "_id": "Segmentectomy"},
     ["Segmentectomy"]),
    ("HealthcareService", {"specialty": "http://snomed.info/sct|394609007"}, []),
])
def test_searches(client: TestClient, resource_type: str, params: dict[str, str], expected: list[str]) -> None:
    assert sorted(_ids(_bundle(client, resource_type, **params))) == expected


def test_every_service_matches_its_specialty_and_provider(client: TestClient) -> None:
    total = _bundle(client, "HealthcareService")["total"]
    for params in ({"specialty": "ThoracicSurgery"}, {"specialty": "Oncologic"}, {"organization": "Center"}):
        assert _bundle(client, "HealthcareService", **params)["total"] == total, params


def test_refusals_are_operation_outcomes(client: TestClient) -> None:
    assert "not known" in _outcome(client, "/fhir/Organization/Nowhere", 404)
    assert "not known" in _outcome(client, "/fhir/HealthcareService/Center", 404)
    assert "not served" in _outcome(client, "/fhir/Patient", 404)
    assert "not served" in _outcome(client, "/fhir/Patient/1", 404)
    assert "unknown search parameter" in _outcome(client, "/fhir/Organization", 400, telecom="1")
    assert "unknown search parameter" in _outcome(client, "/fhir/Organization", 400, specialty="x")
    assert "modifier" in _outcome(client, "/fhir/HealthcareService", 400, **{"specialty:text": "x"})
    for bad in ("-1", "x", "101", "1.5"):
        assert "_count" in _outcome(client, "/fhir/HealthcareService", 400, _count=bad)
    assert "_format" in _outcome(client, "/fhir/Organization", 400, _format="xml")
    assert "needs a value" in _outcome(client, "/fhir/Organization", 400, name="")
    assert "takes no parameter" in _outcome(client, "/fhir/Organization/Center", 400, name="x")
    assert _get(client, "/fhir/Organization/Center", _format="json")["id"] == "Center"


def test_the_capability_statement_says_exactly_what_is_supported(client: TestClient) -> None:
    body = _get(client, "/fhir/metadata")
    statement = CapabilityStatement.model_validate(body)
    assert statement.fhirVersion == "4.3.0" and statement.kind == "instance"
    [rest] = body["rest"]
    assert rest["mode"] == "server"
    served = {r["type"]: r for r in rest["resource"]}
    assert set(served) == set(SEARCH_PARAMS) == {"Organization", "HealthcareService"}
    for name, resource in served.items():
        assert {i["code"] for i in resource["interaction"]} == {"read", "search-type"}
        assert {(p["name"], p["type"]) for p in resource["searchParam"]} == {
            (param, kind) for param, (kind, _) in SEARCH_PARAMS[name].items()}
        for param in resource["searchParam"]:  # each one documented really filters (or is refused with 400)
            client.get(f"/fhir/{name}", params={param["name"]: "x"}).raise_for_status()
    paths = client.get("/openapi.json").json()["paths"]
    for path in ("/fhir/metadata", "/fhir/{resource_type}", "/fhir/{resource_type}/{resource_id}"):
        assert set(paths[path]["get"]["responses"]["200"]["content"]) == {MEDIA}, path


def test_the_cli_writes_a_bundle_per_type_and_the_capability_statement(built: Built, tmp_path: Path) -> None:
    build_dir = tmp_path / "build"
    built.write(build_dir)
    result = CliRunner().invoke(cli, ["export", "--format", "fhir", "-o", str(tmp_path / "fhir"), "--base-url",
                                      "https://fhir.example.org/"], env={"TKG_BUILD_DIR": str(build_dir)})
    assert result.exit_code == 0, result.output
    files = {p.name: json.loads(p.read_text(encoding="utf-8")) for p in (tmp_path / "fhir").iterdir()}
    assert set(files) == {"Organization.json", "HealthcareService.json", "metadata.json"}
    CapabilityStatement.model_validate(files["metadata.json"])
    graph = _graph(built)
    for name, model in MODELS.items():
        bundle = files[f"{name}.json"]
        Bundle.model_validate(bundle)
        assert bundle["total"] == len(bundle["entry"])
        for entry in bundle["entry"]:
            model.model_validate(entry["resource"])
            assert entry["fullUrl"].startswith(f"https://fhir.example.org/fhir/{name}/")
    assert files["HealthcareService.json"]["total"] == len(set(graph.objects(TTC.Center, SCHEMA.availableService)))
    assert (TTC.Hospital, RDF.type, SCHEMA.Hospital) in graph
