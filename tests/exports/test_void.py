"""/.well-known/void by content negotiation, read back by rdflib: the manifest's counts, the named graphs, the
endpoint, the dumps, examples, source and licence; and the SPARQL service description that points to it."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS

from graph.build import Built
from graph.partition import CENTER_GRAPH, ICD10_GRAPH, ONTOLOGY_GRAPH
from graph.void import DATASET, EXAMPLES, SD, VOID, void_graph


def _void(client: TestClient, **kwargs: Any) -> tuple[Graph, str]:
    answer = client.get("/.well-known/void", **kwargs)
    assert answer.status_code == 200, answer.text
    media = answer.headers["content-type"].split(";")[0]
    return Graph().parse(data=answer.content, format="json-ld" if media == "application/ld+json" else "turtle"), media


@pytest.mark.parametrize(("kwargs", "media"), [
    ({}, "text/turtle"),
    ({"headers": {"Accept": "text/turtle"}}, "text/turtle"),
    ({"headers": {"Accept": "application/ld+json"}}, "application/ld+json"),
    ({"headers": {"Accept": "application/ld+json;q=0.5, text/turtle;q=0.9"}}, "text/turtle"),
    ({"headers": {"Accept": "text/turtle;q=0, */*"}}, "application/ld+json"),
    ({"params": {"format": "jsonld"}}, "application/ld+json"),
])
def test_void_is_turtle_or_json_ld_by_negotiation(client: TestClient, kwargs: dict, media: str,
                                                  no_network: list[Any]) -> None:
    graph, got = _void(client, **kwargs)
    assert got == media
    assert (DATASET, RDF.type, VOID.Dataset) in graph and no_network == []


def test_void_gives_the_manifest_counts_named_graphs_endpoint_dumps_and_examples(client: TestClient,
                                                                                 built: Built) -> None:
    graph, _ = _void(client)
    manifest, statistics = built.manifest, built.manifest["void"]
    assert graph.value(DATASET, VOID.triples).toPython() == manifest["triples"]
    for key, term in (("entities", VOID.entities), ("distinct_subjects", VOID.distinctSubjects),
                      ("distinct_objects", VOID.distinctObjects)):
        assert graph.value(DATASET, term).toPython() == statistics[key], key
    classes = {str(graph.value(p, VOID["class"])): graph.value(p, VOID.entities).toPython()
               for p in graph.objects(DATASET, VOID.classPartition)}
    properties = {str(graph.value(p, VOID.property)): graph.value(p, VOID.triples).toPython()
                  for p in graph.objects(DATASET, VOID.propertyPartition)}
    assert classes == statistics["classes"] and properties == statistics["properties"]
    assert classes["https://schema.org/MedicalCondition"] == manifest["classes"]["schema:MedicalCondition"]
    subsets = {str(s): graph.value(s, VOID.triples).toPython() for s in graph.objects(DATASET, VOID.subset)}
    assert subsets == statistics["graphs"] and set(subsets) == {ONTOLOGY_GRAPH, ICD10_GRAPH, CENTER_GRAPH}
    for subset in graph.objects(DATASET, VOID.subset):  # every graph titled and described in both languages
        for term in (DCTERMS.title, DCTERMS.description):
            assert {o.language for o in graph.objects(subset, term) if isinstance(o, Literal)} == {"en", "zh-Hans"}
    assert sum(subsets.values()) == manifest["triples"]
    base = "http://testserver"
    assert graph.value(DATASET, VOID.sparqlEndpoint) == URIRef(base + "/sparql")
    dumps = {str(d) for d in graph.objects(DATASET, VOID.dataDump)}
    assert dumps == {f"{base}/downloads/graph.{ext}" for ext in ("ttl", "nt", "trig", "nq", "jsonld")}
    for dump in dumps:
        assert client.get(dump.removeprefix(base)).status_code == 200, dump
    full = Graph().parse(data=built.ntriples, format="nt")
    examples = set(graph.objects(DATASET, VOID.exampleResource))
    assert examples == set(EXAMPLES) and all((e, None, None) in full for e in examples)
    assert (graph.value(DATASET, DCTERMS.source), RDF.type, URIRef("https://ttc-kg.example/ontology#SourceDocument")) \
        in full


def test_no_licence_is_invented_and_a_configured_one_is_given(built: Built) -> None:
    unset = void_graph(built.manifest, "http://x")
    assert unset.value(DATASET, DCTERMS.license) is None
    assert {c.language for c in unset.objects(DATASET, RDFS.comment) if isinstance(c, Literal)} == {"en", "zh-Hans"}
    licensed = void_graph(built.manifest, "http://x", license="https://creativecommons.org/licenses/by/4.0/")
    assert licensed.value(DATASET, DCTERMS.license) == URIRef("https://creativecommons.org/licenses/by/4.0/")


def test_the_service_description_points_its_default_graph_to_the_void_dataset(client: TestClient,
                                                                              built: Built) -> None:
    answer = client.get("/sparql", headers={"Accept": "text/turtle"})
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/turtle")
    description = Graph().parse(data=answer.content, format="turtle")
    [service] = description.subjects(RDF.type, SD.Service)
    assert description.value(service, SD.endpoint) == URIRef("http://testserver/sparql")
    dataset = description.value(service, SD.defaultDataset)
    assert description.value(dataset, SD.defaultGraph) == DATASET
    assert {SD.Graph, VOID.Dataset} <= set(description.objects(DATASET, RDF.type))
    assert description.value(DATASET, VOID.triples).toPython() == built.manifest["triples"]
    assert description.value(DATASET, RDFS.seeAlso) == URIRef("http://testserver/.well-known/void")
    void, _ = _void(client)
    assert (DATASET, VOID.sparqlEndpoint, description.value(service, SD.endpoint)) in void


def test_void_refuses_what_it_cannot_produce(client: TestClient) -> None:
    refused = client.get("/.well-known/void", headers={"Accept": "application/rdf+xml"})
    assert refused.status_code == 406 and refused.headers["content-type"].startswith("text/plain")
    assert client.get("/.well-known/void", params={"format": "csv"}).status_code == 406
    paths = client.get("/openapi.json").json()["paths"]
    assert set(paths["/.well-known/void"]["get"]["responses"]["200"]["content"]) == {"text/turtle",
                                                                                   "application/ld+json"}
