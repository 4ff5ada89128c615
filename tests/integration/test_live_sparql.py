"""The served product on a real uvicorn on 127.0.0.1, called with real SPARQL clients."""

from __future__ import annotations

import io
import warnings
from csv import DictReader

import httpx
import pytest
from rdflib import Graph
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import CSV, JSON, TSV, TURTLE, XML, SPARQLWrapper

pytestmark = pytest.mark.integration

CONDITIONS = "PREFIX schema: <https://schema.org/> SELECT ?c WHERE { ?c a schema:MedicalCondition } ORDER BY ?c"


@pytest.fixture(scope="module")
def server(live_server: str) -> str:
    return live_server


@pytest.mark.parametrize("fmt", [JSON, XML, CSV, TSV])
def test_sparqlwrapper_select_in_every_format(server: str, fmt: str) -> None:
    client = SPARQLWrapper(server + "/sparql")
    client.setQuery(CONDITIONS)
    client.setReturnFormat(fmt)
    result = client.query().convert()
    if fmt == JSON:
        assert len(result["results"]["bindings"]) == 10
    elif fmt == XML:
        assert len(result.getElementsByTagName("result")) == 10
    else:
        assert len(result.decode("utf-8").strip().splitlines()) == 11


def test_sparqlwrapper_construct_as_turtle(server: str) -> None:
    client = SPARQLWrapper(server + "/sparql")
    client.setQuery("CONSTRUCT { ?c a <https://schema.org/MedicalCondition> } "
                    "WHERE { ?c a <https://schema.org/MedicalCondition> }")
    client.setReturnFormat(TURTLE)
    graph = Graph().parse(data=client.query().convert(), format="turtle")
    assert len(graph) == 10


def test_rdflib_sparqlstore_reads_the_endpoint(server: str) -> None:
    store = SPARQLStore(server + "/sparql", returnFormat="json")
    rows = list(Graph(store=store).query(CONDITIONS))
    assert len(rows) == 10


def test_refusals_are_clear_and_change_nothing(server: str) -> None:
    update = httpx.post(server + "/sparql", data={"update": "DROP ALL"})
    assert update.status_code == 403 and "read-only" in update.text
    service = httpx.get(server + "/sparql", params={"query": "SELECT * { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"})
    assert service.status_code == 400 and "SERVICE" in service.text
    bad = httpx.get(server + "/sparql", params={"query": "SELECT ?s WHERE { ?s ?p }"})
    assert bad.status_code == 400 and "Traceback" not in bad.text and "/work" not in bad.text
    media = httpx.post(server + "/sparql", content=b"SELECT * {}", headers={"Content-Type": "text/plain"})
    assert media.status_code == 415
    utf8 = httpx.post(server + "/sparql", content=b"SELECT \xff", headers={"Content-Type": "application/sparql-query"})
    assert utf8.status_code == 400 and "UTF-8" in utf8.text
    big = httpx.post(server + "/sparql", content=b"#" * 1_000_000, headers={"Content-Type": "application/sparql-query"})
    assert big.status_code == 413
    count = httpx.get(server + "/sparql", params={"query": CONDITIONS}, headers={"Accept": "application/sparql-results+json"})
    assert len(count.json()["results"]["bindings"]) == 10  # the data is intact


def test_named_query_as_csv_with_bom_and_hostile_parameter(server: str) -> None:
    csv = httpx.get(server + "/queries/workup_for_condition", params={"condition": "ttc:EsophagealCancer", "format": "csv"})
    assert csv.status_code == 200 and csv.content.startswith(b"\xef\xbb\xbf")
    hostile = httpx.get(server + "/queries/label_search", params={"text": 'x" } ; DROP ALL ; SELECT * { "'})
    assert hostile.status_code == 200 and hostile.json()["results"]["bindings"] == []
    wrong = httpx.get(server + "/queries/workup_for_condition", params={"condition": "not an iri"})
    assert wrong.status_code == 422
    assert httpx.get(server + "/queries/nope").status_code == 404


FORMS = {
    "select": CONDITIONS,
    "ask": "PREFIX schema: <https://schema.org/> ASK { ?c a schema:MedicalCondition }",
    "construct": "CONSTRUCT { ?c a <https://schema.org/MedicalCondition> } "
                 "WHERE { ?c a <https://schema.org/MedicalCondition> }",
    "describe": "DESCRIBE <https://ttc-kg.example/id/LungCancer>",
}


@pytest.mark.parametrize("form", list(FORMS))
@pytest.mark.parametrize("fmt", ["xml", "json", "json-ld", "n3", "turtle", "csv", "tsv", "rdf+xml"])
def test_sparqlwrapper_every_return_format_and_query_form(server: str, form: str, fmt: str) -> None:
    client = SPARQLWrapper(server + "/sparql")
    client.setQuery(FORMS[form])
    client.setReturnFormat(fmt)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # SPARQLWrapper warns when it sends */*
        result = client.query().convert()
    if form in ("construct", "describe"):
        graph = result if isinstance(result, Graph) else Graph().parse(data=result, format="turtle")
        assert len(graph) >= 10 if form == "construct" else len(graph) > 0
    elif isinstance(result, dict):
        assert result.get("boolean") is True or len(result["results"]["bindings"]) == 10
    elif isinstance(result, bytes):
        assert b"true" in result.lower() or len(result.decode().strip().splitlines()) == 11
    else:  # a parsed XML document
        assert result.getElementsByTagName("boolean") or len(result.getElementsByTagName("result")) == 10


def test_accept_q_zero_excludes_and_text_wildcard_gives_text(server: str) -> None:
    no_json = httpx.get(server + "/sparql", params={"query": CONDITIONS},
                        headers={"Accept": "application/sparql-results+json;q=0, */*"})
    assert no_json.status_code == 200 and "json" not in no_json.headers["content-type"]
    text = httpx.get(server + "/sparql", params={"query": CONDITIONS}, headers={"Accept": "text/*"})
    assert text.headers["content-type"].split(";")[0] in ("text/csv", "text/tab-separated-values")
    page = httpx.get(server + "/entity", params={"id": "ttc:LungCancer"}, headers={"Accept": "text/html;q=0, */*"})
    assert page.status_code == 200 and "html" not in page.headers["content-type"]


def test_an_unknown_function_is_the_clients_error(server: str) -> None:
    response = httpx.get(server + "/sparql", params={"query": "SELECT * { ?s ?p ?o FILTER(<urn:no:fn>(?o)) }"})
    assert response.status_code == 400 and "urn:no:fn" in response.text


def test_jsonld_is_compacted_with_the_projects_prefixes(server: str) -> None:
    response = httpx.get(server + "/sparql", params={"query": FORMS["describe"]}, headers={"Accept": "application/ld+json"})
    body = response.json()
    assert body["@context"]["kg"] == "https://ttc-kg.example/ontology#"
    assert len(Graph().parse(data=response.text, format="json-ld")) > 0


def test_catalog_csv_gives_short_statuses(server: str) -> None:
    csv = httpx.get(server + "/queries/workup_for_condition", params={"condition": "ttc:EsophagealCancer", "format": "csv"})
    rows = list(DictReader(io.StringIO(csv.text.lstrip("\ufeff"))))
    assert rows and {row["status"] for row in rows} <= {"stated", "implied"}
