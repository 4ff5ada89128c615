"""Blank-node labels: graph.canonical gives exactly rdflib's canonical labels, faster.

The labels name the served graph's blank nodes and the curated statements a ledger keeps on disk, so a faster
labelling is only acceptable if it is the same labelling: on the shipped statements, on a build with synthetic
departments, and on random graphs, including symmetric ones that take rdflib's search path.
"""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import to_canonical_graph as rdflib_canonical

from graph.build import Inputs, check
from graph.canonical import to_canonical_graph
from graph.departments import department_folders, staged
from graph.synth import generate


def lines(graph: Graph) -> list[str]:
    return sorted(line for line in graph.serialize(format="nt").splitlines() if line.strip())


def blank_triples(graph: Graph) -> Graph:
    out = Graph()
    for triple in graph:
        if any(isinstance(term, BNode) for term in triple):
            out.add(triple)
    return out


def test_the_curated_statements_get_rdflibs_labels() -> None:
    curated = Graph()
    for path in Inputs.default().data:
        curated.parse(path)
    assert any(isinstance(term, BNode) for triple in curated for term in triple)
    assert lines(to_canonical_graph(curated)) == lines(rdflib_canonical(curated))


def test_a_build_with_synthetic_departments_gets_rdflibs_labels(tmp_path: Path) -> None:
    generate(3, 11, tmp_path)
    with staged(Inputs.default(), department_folders(tmp_path)) as stage:
        merged, _, problems = check(stage.inputs)
    assert not problems
    blank = blank_triples(merged)
    assert len(blank) > 1000
    assert lines(to_canonical_graph(blank)) == lines(rdflib_canonical(blank))


NODES = [BNode(f"b{i}") for i in range(8)]
IRIS = [URIRef(f"https://example.org/{name}") for name in "xyz"]
PREDICATES = [URIRef(f"https://example.org/p{i}") for i in range(3)]
TERMS = st.sampled_from(NODES + IRIS + [Literal(0), Literal("a", lang="en")])
TRIPLES = st.tuples(st.sampled_from(NODES + IRIS[:1]), st.sampled_from(PREDICATES), TERMS)


@settings(max_examples=150, deadline=None, derandomize=True)
@given(st.lists(TRIPLES, min_size=1, max_size=16), st.integers(min_value=1, max_value=3))
def test_random_and_symmetric_graphs_get_rdflibs_labels(triples: list, copies: int) -> None:
    """`copies` repeats the same shape on fresh blank nodes: automorphic blank nodes, which refinement alone cannot
    tell apart, so rdflib individuates one and searches."""
    graph = Graph()
    for copy in range(copies):
        rename = {node: BNode(f"{node}c{copy}") for node in NODES}
        for s, p, o in triples:
            graph.add((rename.get(s, s), p, rename.get(o, o)))
    assert lines(to_canonical_graph(graph)) == lines(rdflib_canonical(graph))
