"""Materialise the entailments queries rely on, with owlrl's OWL 2 RL rules.

Kept: types from the class hierarchy, super-properties, inverses, transitive SKOS hierarchy and
rdfs:label from the SKOS labels. Dropped: OWL/RDFS bookkeeping (owl:sameAs x x, owl:Thing, schema
closure) that would only clutter answers. Imports rdflib and owlrl; nothing of `api`.
"""

from __future__ import annotations

import owlrl
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS

_BOOKKEEPING = (str(OWL), str(RDFS), str(RDF))


def entailments(graph: Graph) -> Graph:
    """The new triples OWL 2 RL entails from `graph` that a query can use."""
    closure = Graph()
    for triple in graph:
        closure.add(triple)
    owlrl.DeductiveClosure(
        owlrl.OWLRL_Semantics, rdfs_closure=False, axiomatic_triples=False, datatype_axioms=False
    ).expand(closure)
    kept = Graph()
    for triple in closure:
        if triple not in graph and _useful(*triple):
            kept.add(triple)
    return kept


def _useful(subject, predicate, obj) -> bool:  # type: ignore[no-untyped-def]
    if isinstance(subject, Literal):
        return False
    if predicate == RDF.type:
        return isinstance(obj, URIRef) and not str(obj).startswith(_BOOKKEEPING)
    if predicate == RDFS.label:
        return True
    return not str(predicate).startswith(_BOOKKEEPING)
