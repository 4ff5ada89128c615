"""Outbound attempts: every way a request could make the product open a connection, aimed at a listener the test
starts on 127.0.0.1, which must record none. SERVICE in every spelling the engine accepts (the guard refuses it
with a 400), LOAD (an update: 403), FROM and FROM NAMED (400), default-graph-uri / named-graph-uri (graph
names only: a correct empty answer), JSON-LD contexts and XML external entities (no route parses either: 415,
and answers that carry them stay inert text)."""

from __future__ import annotations

import json
from xml.etree import ElementTree

import httpx
import pytest

from tests.hostile.conftest import Listener

pytestmark = pytest.mark.integration


def services(url: str) -> list[str]:
    """SERVICE as the engine reads it, including the spellings an older guard let through (each one reached the
    listener from the engine itself: pyoxigraph does SERVICE and LOAD over HTTP in Rust)."""
    return [
        f"SELECT * WHERE {{ SERVICE <{url}/sparql> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ SERVICE SILENT <{url}/sparql> {{ ?s ?p ?o }} }}",
        f"select * where {{ ?x ?y ?z . service <{url}/sparql> {{ ?a ?b ?c }} }}",
        f"SELECT * WHERE {{ ?x ?y 10SERVICE <{url}/sparql> {{ ?a ?b ?c }} }}",
        # `<?b)SERVICE#>` looks like one IRI, but the engine reads less-than, SERVICE, then a comment
        f"SELECT * WHERE {{ FILTER(?a<?b)SERVICE#>\n<{url}/sparql> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ FILTER(1<2)SERVICE#>\nSILENT <{url}/sparql> {{ ?s ?p ?o }} }}",
        # the engine matches keywords without a word boundary: SERVICE, then the prefixed name `:sparql`
        f"PREFIX : <{url}/> SELECT * WHERE {{ SERVICE:sparql {{ ?s ?p ?o }} }}",
        f"PREFIX x: <{url}/> SELECT * WHERE {{ SERVICEx:sparql {{ ?s ?p ?o }} }}",
        f"PREFIX x: <{url}/> SELECT * WHERE {{ SERVICESILENTx:sparql {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ ?s ?p trueSERVICE <{url}/sparql> {{ ?a ?b ?c }} }}",
        f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ SERVICE <{url}/sparql> {{ ?s ?p ?o }} }}",
    ]


def test_service_in_every_spelling_is_refused_before_the_engine(client: httpx.Client, listener: Listener) -> None:
    for query in services(listener.url):
        for answer in (client.get("/sparql", params={"query": query}),
                       client.post("/sparql", content=query, headers={"Content-Type": "application/sparql-query"}),
                       client.post("/sparql", data={"query": query}),
                       client.get("/api/graph/query", params={"query": query}),
                       client.post("/graph/query", data={"query": query})):
            assert answer.status_code == 400 and "SERVICE" in answer.text, (query, answer.status_code, answer.text)
    assert listener.seen == []


def test_load_is_an_update_and_refused(client: httpx.Client, listener: Listener) -> None:
    load = f"LOAD <{listener.url}/data.ttl>"
    answers = [client.post("/sparql", data={"update": load}),
               client.post("/sparql", content=load, headers={"Content-Type": "application/sparql-update"}),
               client.get("/sparql", params={"update": load}),
               client.get("/sparql", params={"query": load}),
               client.get("/sparql", params={"query": f"SELECT * WHERE {{ ?s ?p ?o }} # \n LOAD <{listener.url}/x>"}),
               client.post("/update", content=load, headers={"Content-Type": "application/sparql-update"})]
    assert [a.status_code for a in answers[:5]] == [403, 403, 403, 403, 403]
    assert answers[5].status_code in (403, 404)  # /update: refused, or absent while updates are off
    assert listener.seen == []


def test_from_and_from_named_are_refused(client: httpx.Client, listener: Listener) -> None:
    for query in (f"SELECT * FROM <{listener.url}/g> WHERE {{ ?s ?p ?o }}",
                  f"SELECT * FROM NAMED <{listener.url}/g> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
                  f"CONSTRUCT {{ ?s ?p ?o }} FROM <{listener.url}/g> WHERE {{ ?s ?p ?o }}"):
        answer = client.get("/sparql", params={"query": query})
        assert answer.status_code == 400 and "FROM" in answer.text
    assert listener.seen == []


def test_dataset_parameters_name_graphs_and_fetch_nothing(client: httpx.Client, listener: Listener) -> None:
    """`default-graph-uri` and `named-graph-uri` choose graphs the store holds; one it does not hold is empty."""
    query = "SELECT * WHERE { ?s ?p ?o } LIMIT 5"
    json_results = {"Accept": "application/sparql-results+json"}
    for params in ({"default-graph-uri": f"{listener.url}/g"}, {"named-graph-uri": f"{listener.url}/g"},
                   {"default-graph-uri": f"{listener.url}/g", "named-graph-uri": f"{listener.url}/h"}):
        answer = client.get("/sparql", params={"query": query, **params}, headers=json_results)
        assert answer.status_code == 200 and answer.json()["results"]["bindings"] == []
        posted = client.post("/sparql", data={"query": query, **params}, headers=json_results)
        assert posted.status_code == 200 and posted.json()["results"]["bindings"] == []
    named = client.get("/sparql", headers=json_results, params={
        "query": "SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } }", "named-graph-uri": f"{listener.url}/g"})
    assert named.status_code == 200 and named.json()["results"]["bindings"] == []
    for bad in ("not an iri", "<http://x/>", f"{listener.url}/g\n"):
        assert client.get("/sparql", params={"query": query, "default-graph-uri": bad}).status_code == 400
    assert listener.seen == []


def test_json_ld_with_a_remote_context_is_never_parsed_or_fetched(client: httpx.Client, listener: Listener) -> None:
    document = json.dumps({"@context": f"{listener.url}/context.jsonld", "@id": "urn:x", "name": "x"})
    for media in ("application/ld+json", "application/json"):
        answer = client.post("/sparql", content=document, headers={"Content-Type": media})
        assert answer.status_code == 415
        graph = client.post("/api/graph/query", content=document, headers={"Content-Type": media})
        assert graph.status_code in (400, 415, 422)
    # an answer that *names* a remote context is data: the JSON-LD written keeps the project's own @context
    construct = ("CONSTRUCT { <urn:x> <http://www.w3.org/ns/json-ld#context> ?c ; <urn:p> ?text } WHERE { "
                 f"BIND(<{listener.url}/context.jsonld> AS ?c) BIND({json.dumps(document)} AS ?text) }}")
    answer = client.get("/sparql", params={"query": construct, "format": "jsonld"})
    assert answer.status_code == 200
    assert isinstance(json.loads(answer.text)["@context"], dict)
    entity = client.get("/entity", params={"id": "ttc:LungCancer"}, headers={"Accept": "application/ld+json"})
    assert entity.status_code == 200 and isinstance(entity.json()["@context"], dict)
    assert listener.seen == []


def test_xml_external_entities_are_never_parsed_or_expanded(client: httpx.Client, listener: Listener) -> None:
    xxe = (f'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "{listener.url}/entity">'
           f'<!ENTITY % p SYSTEM "{listener.url}/dtd"> %p;]><r>&x;</r>')
    for media in ("application/rdf+xml", "application/xml", "text/xml", "application/sparql-results+xml"):
        assert client.post("/sparql", content=xxe, headers={"Content-Type": media}).status_code == 415
    # the same text as a literal comes back escaped: an XML reader finds no DOCTYPE and no entity in the answer
    query = f"SELECT ?x WHERE {{ BIND({json.dumps(xxe)} AS ?x) }}"
    results = client.get("/sparql", params={"query": query}, headers={"Accept": "application/sparql-results+xml"})
    assert results.status_code == 200 and "<!DOCTYPE" not in results.text and "<!ENTITY" not in results.text
    literal = ElementTree.fromstring(results.content).find(".//{http://www.w3.org/2005/sparql-results#}literal")
    assert literal is not None and literal.text == xxe
    construct = f"CONSTRUCT {{ <urn:x> <urn:p> ?x }} WHERE {{ BIND({json.dumps(xxe)} AS ?x) }}"
    rdfxml = client.get("/sparql", params={"query": construct, "format": "rdfxml"})
    assert rdfxml.status_code == 200 and "<!DOCTYPE" not in rdfxml.text and "<!ENTITY" not in rdfxml.text
    assert listener.seen == []
