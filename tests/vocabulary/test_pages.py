"""`/ontology` and `/entity` on a real uvicorn: the documentation page, the RDF by content negotiation, the
entity page with its evidence, Linked Data, and the refusals. The graph served is the build plus one entity
whose label is full of HTML, to see it escaped."""

from __future__ import annotations

import json
from collections.abc import Iterator
from html.parser import HTMLParser
from urllib.parse import parse_qs, unquote, urlsplit

import httpx
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import SKOS

import ontology
from graph.build import Built
from graph.namespaces import TTC
from graph.vocabulary import anchor_for
from tests.servers import product_server

pytestmark = pytest.mark.integration

NASTY = "<script>alert('x')</script> & \"Tumour\" <b>bold</b>"
EXTRA = (f'<{TTC.HtmlTest}> <{SKOS.prefLabel}> "{NASTY.replace(chr(34), chr(92) + chr(34))}"@en .\n'
         f"<{TTC.HtmlTest}> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://ttc-kg.example/ontology#Neoplasm> .\n")
HTML = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


class Page(HTMLParser):
    """The ids and links of an HTML page, and its text."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.links: list[str] = []
        self.text: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if found.get("id"):
            self.ids.add(str(found["id"]))
        if tag == "a" and found.get("href"):
            self.links.append(str(found["href"]))

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def words(self) -> str:
        return " ".join(" ".join(self.text).split())


@pytest.fixture(scope="module")
def server(built: Built, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("vocabulary")
    graph = folder / "graph.nt"
    graph.write_bytes(built.ntriples + EXTRA.encode())
    with product_server(folder / "build", graph_file=str(graph), workers="1") as base:
        yield base


@pytest.fixture(scope="module")
def client(server: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server, timeout=30) as http:
        yield http


def test_ontology_page_documents_every_term_with_its_anchor(client: httpx.Client) -> None:
    response = client.get("/ontology", headers=HTML)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    assert "Accept" in response.headers["vary"]
    page = Page(response.text)
    own = Graph().parse(ontology.MODEL)
    declared = {s for s in own.subjects(None, None) if isinstance(s, URIRef) and (s, None, None) in own
                and any(own.objects(s, URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")))}
    declared.discard(URIRef("https://ttc-kg.example/ontology"))
    for term in declared:
        name = anchor_for(str(term))  # the local name for kg: terms, prefix-local (skos-broader) otherwise
        assert name in page.ids, f"{term} has no section #{name}"
    assert {"SurgicalProcedure", "offers", "Claim", "Stated", "hierarchy", "classes", "properties"} <= page.ids
    for link in page.links:  # every in-page link lands on a section
        if link.startswith("#"):
            assert link[1:] in page.ids, link


def test_ontology_page_shows_the_standard_term_and_an_example(client: httpx.Client) -> None:
    html = client.get("/ontology", headers=HTML).text
    section = html[html.index('id="offers"'):]
    section = section[:section.index("</section>")]
    words = Page(section).words()
    assert "sub-property of available service schema:availableService" in words
    assert "Domain Clinical center kg:ClinicalCenter" in words
    editor = next(link for link in Page(section).links if link.startswith("/sparql#query="))
    query = unquote(editor.split("=", 1)[1])
    assert "rdf:predicate kg:offers" in query
    claims = ("SELECT ?subject ?object WHERE { ?c a <https://ttc-kg.example/ontology#Claim> ; "
              "<http://www.w3.org/1999/02/22-rdf-syntax-ns#predicate> <https://ttc-kg.example/ontology#offers> ; "
              "<http://www.w3.org/1999/02/22-rdf-syntax-ns#subject> ?subject ; "
              "<http://www.w3.org/1999/02/22-rdf-syntax-ns#object> ?object }")

    def pairs(sparql: str) -> set[tuple[str, str]]:
        answer = client.get("/sparql", params={"query": sparql}, headers={"Accept": "application/sparql-results+json"})
        return {(b["subject"]["value"], b["object"]["value"]) for b in answer.json()["results"]["bindings"]}

    assert len(pairs(query)) == len(pairs(claims)) == 16  # the example finds every claim of kg:offers


@pytest.mark.parametrize(("accept", "fmt", "parser"), [
    ("text/turtle", None, "turtle"), ("application/ld+json", None, "json-ld"),
    ("application/n-triples", None, "nt"), (None, "rdfxml", "xml"), (None, "ttl", "turtle")])
def test_ontology_as_rdf_by_content_negotiation(client: httpx.Client, accept: str | None, fmt: str | None,
                                               parser: str) -> None:
    response = client.get("/ontology", headers={"Accept": accept} if accept else {},
                          params={"format": fmt} if fmt else {})
    assert response.status_code == 200
    assert isomorphic(Graph().parse(data=response.content, format=parser), Graph().parse(ontology.MODEL))
    assert client.get("/downloads/ontology.ttl").content == ontology.MODEL.read_bytes()


def test_entity_page_shows_labels_types_facts_and_evidence(client: httpx.Client) -> None:
    response = client.get("/entity", params={"id": "ttc:LungCancer"}, headers=HTML)
    assert response.status_code == 200 and "Accept" in response.headers["vary"]
    page = Page(response.text)
    words = page.words()
    assert "Lung cancer" in words and "肺癌" in words and "bronchogenic carcinoma" in words
    assert "“It has distinguished itself in the treatment of lung cancer" in words and "characters 715–857" in words
    assert "stated" in words and "inferred" in words  # claims of every status, each with its badge
    assert "/ontology#Cancer" in page.links and "/graph/entity?id=ttc%3ALungCancer" in page.links
    assert "/referral?id=ttc%3ALungCancer" in page.links
    neighbours = {parse_qs(urlsplit(link).query)["id"][0] for link in page.links if link.startswith("/entity?")}
    assert {"ttc:RadicalLungCancerSurgery", "ttc:PETCT", "ttc:SuperiorSulcusTumour", "ev:distinguished"} <= neighbours


def test_every_link_of_an_entity_page_resolves(client: httpx.Client) -> None:
    page = Page(client.get("/entity", params={"id": "ttc:EsophagealCancer"}, headers=HTML).text)
    anchors = Page(client.get("/ontology", headers=HTML).text).ids
    targets = {link for link in page.links if link.startswith("/entity?")}
    assert len(targets) > 10
    for link in targets:
        assert client.get(link, headers=HTML).status_code == 200, link
    for link in page.links:
        if link.startswith("/ontology#"):
            assert link.split("#", 1)[1] in anchors, link


def test_entity_as_linked_data(client: httpx.Client) -> None:
    label = Literal("Lung cancer", lang="en")
    turtle = client.get("/entity", params={"id": "ttc:LungCancer"}, headers={"Accept": "text/turtle"})
    assert turtle.headers["content-type"].startswith("text/turtle")
    graph = Graph().parse(data=turtle.text, format="turtle")
    assert (TTC.LungCancer, SKOS.prefLabel, label) in graph
    assert (TTC.RadicalLungCancerSurgery, URIRef("https://ttc-kg.example/ontology#treats"), TTC.LungCancer) in graph
    jsonld = client.get("/entity", params={"id": str(TTC.LungCancer)}, headers={"Accept": "application/ld+json"})
    assert jsonld.headers["content-type"].startswith("application/ld+json")
    assert isomorphic(Graph().parse(data=jsonld.text, format="json-ld"), graph)
    nt = client.get("/entity", params={"id": "ttc:LungCancer", "format": "nt"})
    assert isomorphic(Graph().parse(data=nt.text, format="nt"), graph)
    redirect = client.get("/id/LungCancer", headers={"Accept": "text/turtle"}, follow_redirects=False)
    assert redirect.status_code == 303
    assert redirect.headers["location"] == "/entity?id=https%3A%2F%2Fttc-kg.example%2Fid%2FLungCancer"
    assert client.get("/id/LungCancer", headers={"Accept": "text/turtle"}, follow_redirects=True).text == turtle.text


def test_unknown_and_malformed_ids_get_plain_messages(client: httpx.Client) -> None:
    missing = client.get("/entity", params={"id": "ttc:NoSuchThing"}, headers=HTML)
    assert missing.status_code == 404 and "ttc:NoSuchThing is not in the graph" in Page(missing.text).words()
    text = client.get("/entity", params={"id": "ttc:NoSuchThing"}, headers={"Accept": "text/turtle"})
    assert text.status_code == 404 and text.headers["content-type"].startswith("text/plain")
    as_json = client.get("/entity", params={"id": "ttc:NoSuchThing"}, headers={"Accept": "application/ld+json"})
    assert as_json.status_code == 404 and "not in the graph" in as_json.json()["detail"]
    for bad in ("Lung cancer", "nope:LungCancer", "ttc:<x>", "x" * 3000):
        refused = client.get("/entity", params={"id": bad}, headers={"Accept": "text/turtle"})
        assert refused.status_code == 422 and refused.text.startswith("id: "), bad
        assert "Traceback" not in refused.text and "/work" not in refused.text
    page = client.get("/entity", params={"id": "ttc:<x>"}, headers=HTML)
    assert page.status_code == 422 and "any of &lt;&gt;&#34;" in page.text  # the message, escaped
    assert client.get("/entity").status_code == 422
    assert client.get("/entity?id=ttc:A&id=ttc:B").status_code == 422
    assert client.get("/entity", params={"id": "ttc:LungCancer"}, headers={"Accept": "image/png"}).status_code == 406


def test_labels_with_html_are_escaped(client: httpx.Client) -> None:
    page = client.get("/entity", params={"id": "ttc:HtmlTest"}, headers=HTML)
    assert page.status_code == 200
    assert "<script>alert" not in page.text and "<b>bold" not in page.text
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &#34;Tumour&#34; &lt;b&gt;bold&lt;/b&gt;" in page.text
    assert NASTY in Page(page.text).words()
    data = client.get("/entity", params={"id": "ttc:HtmlTest"}, headers={"Accept": "application/ld+json"})
    assert (TTC.HtmlTest, SKOS.prefLabel, Literal(NASTY, lang="en")) in Graph().parse(data=data.text, format="json-ld")
    assert json.loads(data.text)
