"""schema.org JSON-LD: /center.jsonld and the JSON-LD each entity page embeds read back by rdflib with the network
blocked, to the same triples; nothing in them the graph does not state as a plain fact."""

from __future__ import annotations

import json
import re
from typing import Any

from fastapi.testclient import TestClient
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDF, RDFS, SKOS

from graph.build import Built
from graph.namespaces import KG, SCHEMA, TTC
from graph.store import OxigraphStore
from queries.schemaorg import center_graph, entity_graph, entity_jsonld, script_json, to_jsonld

_NAMES = {SCHEMA.name: (SCHEMA.name, SKOS.prefLabel, RDFS.label), SCHEMA.alternateName: (SKOS.altLabel,)}
_SCRIPT = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)


def _graph(built: Built) -> Graph:
    return Graph().parse(data=built.ntriples, format="nt")


def _only_what_the_graph_states(out: Graph, full: Graph) -> None:
    """Every triple is one of the graph's, or a name given from one of its labels (the one mapping)."""
    for s, p, o in out:
        if p in _NAMES:
            assert any((s, label, o) in full for label in _NAMES[p]), (s, p, o)
            assert (s, KG.probableTranslation, o) not in full, (s, o)
        else:
            assert (s, p, o) in full, (s, p, o)


def test_center_jsonld_is_a_medical_clinic_with_its_services_specialties_and_stated_figures(
        client: TestClient, store: OxigraphStore, built: Built, no_network: list[Any]) -> None:
    answer = client.get("/center.jsonld")
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/ld+json"
    document = answer.json()
    assert isinstance(document["@context"], dict) and document["@context"]["@vocab"] == "https://schema.org/"
    clinic = document["@graph"][0]
    assert clinic["@id"] == "ttc:Center" and clinic["@type"] == "MedicalClinic"
    parsed = Graph().parse(data=answer.content, format="json-ld")
    assert no_network == []  # parsed without fetching a context
    assert set(parsed) == set(center_graph(store))  # no blank nodes: the same triples (language tags compare
    # case-insensitively; the engine lower-cases them, the JSON-LD writes zh-Hans)
    full = _graph(built)
    _only_what_the_graph_states(parsed, full)
    assert set(parsed.objects(TTC.Center, SCHEMA.availableService)) == set(full.objects(TTC.Center,
                                                                                         SCHEMA.availableService))
    assert set(parsed.objects(TTC.Center, SCHEMA.medicalSpecialty)) == set(full.objects(TTC.Center,
                                                                                         SCHEMA.medicalSpecialty))
    assert (TTC.Center, SCHEMA.parentOrganization, TTC.Hospital) in parsed
    figures = set(parsed.subjects(SCHEMA.observationAbout, TTC.Center))
    firm = {f for f in full.subjects(SCHEMA.observationAbout, TTC.Center)
            if full.value(f, KG.status) in (KG.Stated, KG.Implied)}
    assert figures == firm and TTC["fig-papers"] in figures
    assert TTC["fig-doctors-trained"] not in figures and TTC["fig-specialists-doctors"] not in figures  # ambiguous
    papers = parsed.value(TTC["fig-papers"], SCHEMA.value)
    assert isinstance(papers, URIRef) and parsed.value(papers, SCHEMA.minValue).toPython() == 40
    assert parsed.value(papers, KG.minExclusive).toPython() is True  # "more than 40": never 40


def test_every_entity_jsonld_round_trips_and_holds_only_plain_facts(store: OxigraphStore, built: Built,
                                                                    no_network: list[Any]) -> None:
    full = _graph(built)
    entities = sorted({s for s in full.subjects() if isinstance(s, URIRef) and str(s).startswith(str(TTC))})
    described = 0
    for iri in entities:
        out = entity_graph(store, iri)
        document = entity_jsonld(store, iri)
        if document is None:
            assert len(out) == 0
            continue
        described += 1
        back = Graph().parse(data=json.dumps(document), format="json-ld")
        assert set(back) == set(out), iri
        _only_what_the_graph_states(back, full)
        status = full.value(iri, KG.status)
        assert status in (None, KG.Stated, KG.Implied), iri  # an ambiguous figure or statement says nothing
    assert described > 50 and no_network == []


def test_the_entity_page_embeds_the_same_json_ld(client: TestClient, store: OxigraphStore) -> None:
    page = client.get("/entity", params={"id": "ttc:LungCancer"}, headers={"Accept": "text/html"}).text
    [embedded] = _SCRIPT.findall(page)
    assert json.loads(embedded) == entity_jsonld(store, TTC.LungCancer)
    codes = Graph().parse(data=embedded, format="json-ld").objects(TTC.LungCancer, SCHEMA.code)
    assert any(Graph().parse(data=embedded, format="json-ld").value(code, SCHEMA.codeValue) == Literal("C34")
               for code in codes)
    ambiguous = client.get("/entity", params={"id": "ttc:fig-doctors-trained"}, headers={"Accept": "text/html"}).text
    assert _SCRIPT.findall(ambiguous) == []


def test_a_label_cannot_close_the_script_element() -> None:
    graph = Graph()
    graph.add((TTC.Nasty, RDF.type, SCHEMA.MedicalCondition))
    graph.add((TTC.Nasty, SCHEMA.name, Literal("</script><script>alert(1)</script> & <!-- \u2028", lang="en")))
    document = to_jsonld(graph, TTC.Nasty)
    text = script_json(document)
    assert "<" not in text and ">" not in text and "&" not in text and "\u2028" not in text
    assert json.loads(text) == document
    assert isomorphic(Graph().parse(data=text, format="json-ld"), graph)
