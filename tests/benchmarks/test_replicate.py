"""The benchmark's larger graph: the center's facts under fresh IRIs per copy, vocabulary and literals shared."""

from __future__ import annotations

import re

import pyoxigraph as ox
import pytest

from benchmarks.replicate import PROJECT_NAMESPACES, Split, project_iri, replicate, split
from graph.build import Built
from graph.store import OxigraphStore
from queries.catalog import bind, load_catalog

COPY = re.compile(r"^(?P<ns>https://ttc-kg\.example/(?:id|evidence|\.well-known/genid)/)c(?P<copy>[0-9]+)/")


def _triples(ntriples: bytes) -> list[ox.Triple]:
    return [q.triple for q in ox.parse(ntriples, format=ox.RdfFormat.N_TRIPLES)]


def _iris(triples: list[ox.Triple]) -> set[str]:
    return {t.value for triple in triples for t in (triple.subject, triple.predicate, triple.object)
            if isinstance(t, ox.NamedNode)}


def _is_project(iri: str) -> bool:
    return iri.startswith(PROJECT_NAMESPACES)


@pytest.fixture(scope="module")
def parts(built: Built) -> Split:
    return split(built.ntriples)


@pytest.fixture(scope="module")
def replica(built: Built, parts: Split) -> tuple[int, list[ox.Triple]]:
    copies = parts.copies_for(50)
    return copies, _triples(replicate(built.ntriples, copies))


def test_the_replica_is_at_least_50_times_the_center_graph(built: Built, parts: Split,
                                                          replica: tuple[int, list[ox.Triple]]) -> None:
    copies, triples = replica
    center = len(_triples(built.ntriples))
    assert parts.total == center
    assert len(triples) == len(set(triples)) == parts.size(copies)
    assert len(triples) >= 50 * center
    assert parts.size(copies - 1) < 50 * center  # the fewest copies that reach 50 times


def test_fifty_copies_multiply_the_center_facts_by_fifty_and_keep_the_vocabulary_once(
        built: Built, parts: Split) -> None:
    triples = _triples(replicate(built.ntriples, 50))
    assert len(triples) == 50 * parts.project + parts.shared
    assert 4 * parts.project >= 3 * len(_triples(built.ntriples))  # most triples (three quarters) are the center's facts
    claims = [t for t in triples if t.predicate.value.endswith("22-rdf-syntax-ns#type")
              and t.object.value == "https://ttc-kg.example/ontology#Claim"]
    center_claims = [t for t in _triples(built.ntriples) if t.predicate.value.endswith("22-rdf-syntax-ns#type")
                     and t.object.value == "https://ttc-kg.example/ontology#Claim"]
    assert len(claims) == 50 * len(center_claims) > 0


def test_every_copy_has_fresh_iris_and_is_the_center_graph_renamed(built: Built,
                                                                  replica: tuple[int, list[ox.Triple]]) -> None:
    copies, triples = replica
    center = _triples(built.ntriples)
    center_project = {iri for iri in _iris(center) if _is_project(iri)}
    by_copy: dict[int, set[str]] = {}
    for iri in _iris(triples):
        match = COPY.match(iri)
        if match:
            by_copy.setdefault(int(match["copy"]), set()).add(iri)
    assert sorted(by_copy) == list(range(1, copies))
    for copy, iris in by_copy.items():
        assert iris == {project_iri(iri, copy) for iri in center_project}
        assert not iris & center_project
    seventeen = {ox.Triple(*(ox.NamedNode(COPY.sub(r"\g<ns>", t.value)) if isinstance(t, ox.NamedNode) else t
                             for t in (triple.subject, triple.predicate, triple.object)))
                 for triple in triples
                 if any(isinstance(t, ox.NamedNode) and "/c17/" in t.value
                        for t in (triple.subject, triple.predicate, triple.object))}
    assert seventeen == {triple for triple in center
                         if any(isinstance(t, ox.NamedNode) and _is_project(t.value)
                                for t in (triple.subject, triple.predicate, triple.object))}


def test_vocabulary_iris_and_literals_are_shared(built: Built, replica: tuple[int, list[ox.Triple]]) -> None:
    _, triples = replica
    center = _triples(built.ntriples)
    vocabulary = {iri for iri in _iris(center) if not _is_project(iri)}
    assert {iri for iri in _iris(triples) if not COPY.match(iri) and not _is_project(iri)} == vocabulary
    assert {"https://ttc-kg.example/ontology#Claim", "https://schema.org/MedicalProcedure",
            "http://www.w3.org/2004/02/skos/core#prefLabel"} <= vocabulary
    literals = {triple.object for triple in triples if isinstance(triple.object, ox.Literal)}
    assert literals == {triple.object for triple in center if isinstance(triple.object, ox.Literal)}


def test_the_replica_is_deterministic(built: Built) -> None:
    assert replicate(built.ntriples, 3) == replicate(built.ntriples, 3)


def test_a_catalog_query_finds_every_copy_of_its_answer(built: Built) -> None:
    """A label search on the replica answers once per copy: the copies are whole graphs, not fragments."""
    query = load_catalog()["label_search"]
    bindings = bind(query, {"text": "肺癌"})
    center, larger = OxigraphStore(), OxigraphStore()
    center.replace(built.ntriples, content_sha256="center")
    larger.replace(replicate(built.ntriples, 4), content_sha256="x4")
    rows, copied = center.select(query.sparql, bindings=bindings), larger.select(query.sparql, bindings=bindings)
    assert rows and len(copied) == 4 * len(rows)
    assert {row["matched_label"] for row in copied} == {row["matched_label"] for row in rows}
    assert all("肺癌" in str(row["matched_label"]) for row in copied)
