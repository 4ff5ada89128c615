"""Each department in its own named graph: the TriG and N-Quads downloads of the regional build (the package's
three synthetic departments) read back by pyoxigraph, one department's graph downloaded alone, and the center
alone keeping its three graphs."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient
from rdflib import URIRef
from rdflib.namespace import SKOS

from api.app import create_app
from graph import partition as named
from graph.build import Built
from graph.exports import department_file, graph_file
from graph.namespaces import ICD10, KG, TTC
from graph.settings import Settings
from graph.synth import SYNTHETIC

RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
PROV = "http://www.w3.org/ns/prov#"
OA = "http://www.w3.org/ns/oa#"
FORMATS = {"trig": ox.RdfFormat.TRIG, "nquads": ox.RdfFormat.N_QUADS}
MEDIA = {"trig": "application/trig", "nq": "application/n-quads"}


def department(number: int) -> str:
    return f"{SYNTHETIC}syn-{number:04d}/department"


def triples(ntriples: bytes) -> set[tuple[ox.Term, ...]]:
    return {(t.subject, t.predicate, t.object) for t in ox.parse(ntriples, format=ox.RdfFormat.N_TRIPLES)}


def quads(data: bytes, fmt: str) -> list[ox.Quad]:
    return list(ox.parse(data, format=FORMATS[fmt]))


def by_graph(found: list[ox.Quad]) -> dict[str, set[tuple[ox.Term, ...]]]:
    graphs: dict[str, set[tuple[ox.Term, ...]]] = {}
    for q in found:
        graphs.setdefault(q.graph_name.value if isinstance(q.graph_name, ox.NamedNode) else "", set()).add(
            (q.subject, q.predicate, q.object))
    return graphs


@pytest.fixture(scope="module")
def regional_client(regional: Built, region: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """The product serving the regional build (written where its build cache finds it: nothing is built again)."""
    build_dir = tmp_path_factory.mktemp("regional-build")
    regional.write(build_dir)
    with TestClient(create_app(Settings(build_dir=build_dir, departments_dir=region, workers=1))) as http:
        yield http


@pytest.mark.parametrize("fmt", ["trig", "nquads"])
def test_every_triple_is_in_exactly_one_named_graph_and_their_union_is_graph_nt(regional: Built, fmt: str) -> None:
    found = quads(graph_file(regional.ntriples, fmt), fmt)
    assert all(isinstance(q.graph_name, ox.NamedNode) for q in found)  # nothing in the default graph
    every = Counter((q.subject, q.predicate, q.object) for q in found)
    assert max(every.values()) == 1  # no triple in two graphs
    assert set(every) == triples(regional.ntriples) and len(found) == regional.manifest["triples"]
    sizes = {g: len(t) for g, t in by_graph(found).items()}
    assert sizes == regional.manifest["void"]["graphs"]
    assert set(sizes) == {named.ONTOLOGY_GRAPH, named.ICD10_GRAPH, named.CENTER_GRAPH, named.SHARED_GRAPH,
                          *(named.DEPARTMENT_GRAPH_NS + f"syn-{n:04d}" for n in (1, 2, 3))}


def test_the_same_build_gives_the_same_bytes(regional: Built) -> None:
    first = graph_file(regional.ntriples, "trig")
    named.partition.cache_clear()
    graph_file.cache_clear()
    assert graph_file(regional.ntriples, "trig") == first


@pytest.mark.parametrize("number", [1, 2, 3])
def test_a_synthetic_departments_graph_holds_its_claims_and_spans_of_its_own_text_and_nothing_of_another(
        regional: Built, region: Path, number: int) -> None:
    me, key = department(number), f"syn-{number:04d}"
    graphs = by_graph(quads(graph_file(regional.ntriples, "trig"), "trig"))
    mine = graphs[named.DEPARTMENT_GRAPH_NS + key]
    subjects = {s for s, _, _ in mine}
    everything = triples(regional.ntriples)
    claimed_by = ox.NamedNode(str(KG.claimedBy))
    my_claims = {s for s, p, o in everything if p == claimed_by and o == ox.NamedNode(me)}
    assert my_claims and my_claims <= subjects  # every claim of its own, with its reification and status
    for claim in my_claims:
        assert {(claim, p, o) for s, p, o in everything if s == claim} <= mine
    assert {o for s, p, o in mine if p == claimed_by} == {ox.NamedNode(me)}  # no other department's claim
    text = (region / key / "source" / f"{key}.txt").read_text(encoding="utf-8")
    spans = {s for s, p, o in mine if p == RDF_TYPE and o == ox.NamedNode(str(KG.EvidenceSpan))}
    assert spans
    for span in spans:
        value = {p.value: o.value for s, p, o in mine if s == span}
        assert text[int(value[OA + "start"]):int(value[OA + "end"])] == value[PROV + "value"]
    others = [SYNTHETIC + f"syn-{n:04d}/" for n in (1, 2, 3) if n != number]
    assert not any(term.value.startswith(tuple(others)) for t in mine for term in t if isinstance(term, ox.NamedNode))
    assert not any(s == ox.NamedNode(str(TTC.Center)) or s.value.startswith(str(ICD10)) for s in subjects)
    assert (ox.NamedNode(me), ox.NamedNode(str(KG.synthetic)), ox.Literal("true", datatype=ox.NamedNode(
        "http://www.w3.org/2001/XMLSchema#boolean"))) in mine
    described = regional.manifest["named_graphs"][named.DEPARTMENT_GRAPH_NS + key]
    names = {label.language: str(label) for label in regional.graph.objects(URIRef(me), SKOS.prefLabel)}
    assert described["title"] == {"en": f"{names['en']} (synthetic)", "zh": f"{names['zh-Hans']}（合成数据）"}
    assert "generated test data" in described["description"]["en"] and "测试数据" in described["description"]["zh"]


def test_a_hospital_three_departments_name_is_shared_and_each_ones_evidence_link_is_its_own(regional: Built) -> None:
    graphs = by_graph(quads(graph_file(regional.ntriples, "trig"), "trig"))
    hospital = ox.NamedNode(SYNTHETIC + "hospital/h0001")
    label = {(s, p, o) for s, p, o in graphs[named.SHARED_GRAPH] if s == hospital and p.value.endswith("prefLabel")}
    assert {o.value for *_, o in label} == {"Qingdao Jiangtai County Hospital", "青岛江台县医院"}
    for n in (1, 2, 3):
        links = {o for s, p, o in graphs[named.DEPARTMENT_GRAPH_NS + f"syn-{n:04d}"]
                 if s == hospital and p == ox.NamedNode(PROV + "wasDerivedFrom")}
        assert links == {ox.NamedNode(SYNTHETIC + f"syn-{n:04d}/evidence/hospital")}


def test_the_center_alone_keeps_its_three_graphs_and_its_graph_is_what_it_was(built: Built) -> None:
    graphs = by_graph(quads(graph_file(built.ntriples, "trig"), "trig"))
    assert set(graphs) == {named.ONTOLOGY_GRAPH, named.ICD10_GRAPH, named.CENTER_GRAPH}
    before = {t for t in triples(built.ntriples)  # the rule before departments had graphs: by subject alone
              if t[0].value not in named.ontology_terms() and not t[0].value.startswith(str(ICD10))}
    assert graphs[named.CENTER_GRAPH] == before
    assert department_file(built.ntriples, "Center", "trig") is not None


@pytest.mark.parametrize("ext", ["trig", "nq"])
def test_each_listed_department_downloads_exactly_its_own_graph(regional_client: TestClient, regional: Built,
                                                                ext: str) -> None:
    listed = regional_client.get("/api/departments").json()
    assert listed[0]["graph"]["iri"] == named.CENTER_GRAPH  # the real center first, keeping its graph's name
    assert {entry["graph"]["iri"] for entry in listed[1:]} == {named.DEPARTMENT_GRAPH_NS + f"syn-{n:04d}" for n in (1, 2, 3)}
    graphs = by_graph(quads(graph_file(regional.ntriples, "trig"), "trig"))
    for entry in listed:
        url = entry["graph"]["download"] if ext == "trig" else entry["graph"]["nquads"]
        assert url == f"/departments/{entry['key']}.{ext}"
        answer = regional_client.get(url)
        assert answer.status_code == 200, url
        assert answer.headers["content-type"].split(";")[0] == MEDIA[ext]
        assert answer.headers["content-disposition"] == f'attachment; filename="{entry["key"]}.{ext}"'
        alone = by_graph(quads(answer.content, "trig" if ext == "trig" else "nquads"))
        assert alone == {entry["graph"]["iri"]: graphs[entry["graph"]["iri"]]}


def test_an_unknown_department_is_a_404_that_says_so_in_both_languages(regional_client: TestClient) -> None:
    for path in ("/departments/syn-9999.trig", "/departments/Nowhere.nq"):
        answer = regional_client.get(path)
        assert answer.status_code == 404, path
        assert "No department has the key" in answer.text and "没有键为" in answer.text
        assert "/api/departments" in answer.text


def test_void_describes_each_departments_graph_in_both_languages(regional_client: TestClient,
                                                                 regional: Built) -> None:
    void = ox.Store()
    void.load(regional_client.get("/.well-known/void", headers={"Accept": "text/turtle"}).content,
              format=ox.RdfFormat.TURTLE)
    rows = {row["g"].value: (int(row["n"].value), row["en"].value, row["zh"].value) for row in void.query(
        """PREFIX void: <http://rdfs.org/ns/void#> PREFIX dcterms: <http://purl.org/dc/terms/>
        SELECT ?g ?n ?en ?zh WHERE { ?d void:subset ?g . ?g void:triples ?n ;
          dcterms:description ?en, ?zh FILTER(lang(?en) = "en" && lcase(lang(?zh)) = "zh-hans") }""")}
    assert {g: n for g, (n, _, _) in rows.items()} == regional.manifest["void"]["graphs"]
    for n in (1, 2, 3):
        _, en, zh = rows[named.DEPARTMENT_GRAPH_NS + f"syn-{n:04d}"]
        assert "Synthetic: generated test data" in en and "合成数据" in zh
    dumps = {q.object.value for q in void.quads_for_pattern(ox.NamedNode(named.DEPARTMENT_GRAPH_NS + "syn-0001"),
                                                            ox.NamedNode("http://rdfs.org/ns/void#dataDump"), None)}
    assert "http://testserver/departments/syn-0001.trig" in dumps
