"""schema.org JSON-LD for web pages: the center (`/center.jsonld`) and each entity (embedded in its page).

The bound CONSTRUCT queries of `queries/schemaorg/` pick the schema.org statements of the graph, which are plain
facts only (the build entails them from stated or implied claims), and the names: `skos:prefLabel` and
`skos:altLabel` are given as `schema:name` and `schema:alternateName`, the one mapping added (a Chinese label the
graph marks as only a probable translation is not given as a name). Figures and
statements whose own status is inferred or ambiguous are left out. The result is written as one compact JSON-LD
tree with an embedded context (schema.org as `@vocab`), which rdflib reads back to the same triples without
fetching anything. Imports rdflib, `graph` and the catalog loader; never FastAPI.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from functools import cache
from typing import Any

from rdflib import XSD, Graph, Literal, URIRef
from rdflib.namespace import RDF, SKOS
from rdflib.term import Node

from graph.namespaces import EV, ICD10, KG, SCHEMA, TTC
from graph.store import Store
from graph.vocabulary import document
from queries.catalog import QUERIES_DIR, NamedQuery, load_catalog
from queries.entity import _lang as bcp47_case
from queries.fhir import resource_id

SCHEMAORG_QUERIES = QUERIES_DIR / "schemaorg"
#: The embedded context: schema.org terms by their own names, the project's by prefix; nothing to fetch.
CONTEXT: dict[str, str] = {"@vocab": str(SCHEMA), "kg": str(KG), "ttc": str(TTC), "ev": str(EV),
                           "icd10": str(ICD10), "skos": str(SKOS), "xsd": str(XSD)}
MEDIA_TYPE = "application/ld+json"
_NATIVE = {XSD.integer: int, XSD.boolean: bool}


@cache
def schemaorg_queries() -> dict[str, NamedQuery]:
    """The queries of `queries/schemaorg/`, parsed and checked once (a broken one fails at start-up)."""
    return load_catalog(SCHEMAORG_QUERIES, readers=False)


def _construct(store: Store, name: str, bindings: Mapping[str, Node]) -> Graph:
    answer = store.answer(schemaorg_queries()[name].sparql, bindings=bindings, formats={"graph": "ntriples"})
    graph = Graph()
    graph.parse(data=answer.body, format="nt")
    return _most_specific_types(graph)


def _most_specific_types(graph: Graph) -> Graph:
    """Drop a schema.org type another type of the same node is under (MedicalEntity beside SurgicalProcedure),
    and schema:Thing: what a web page needs is the precise type; the others follow from schema.org itself."""
    ancestors = document().ancestors
    for node in set(graph.subjects(RDF.type, None)):
        types = {str(t) for t in graph.objects(node, RDF.type)}
        implied = {a for t in types for a in ancestors.get(t, ())} | {str(SCHEMA.Thing)}
        if types - implied:
            for extra in types & implied:
                graph.remove((node, RDF.type, URIRef(extra)))
    return graph


def center_graph(store: Store, center: URIRef = TTC.Center) -> Graph:
    """The center's schema.org triples (see `queries/schemaorg/center.rq`)."""
    return _construct(store, "center", {"center": center})


def entity_graph(store: Store, iri: URIRef) -> Graph:
    """One entity's schema.org triples; empty when it has none or its own status is inferred or ambiguous."""
    return _construct(store, "entity", {"entity": iri})


def center_jsonld(store: Store, center: URIRef = TTC.Center) -> dict[str, Any]:
    """The center as a compact JSON-LD document, ready to paste into a web page."""
    return to_jsonld(center_graph(store, center), center)


def department_jsonld(store: Store, departments: Iterable[str], key: str) -> dict[str, Any] | None:
    """The department whose key (`Center`, `syn-0001`: `queries.fhir.resource_id`) is `key`, as `center_jsonld`
    gives the center; None when no department of `departments` has that key."""
    for iri in departments:
        if resource_id(iri) == key:
            return center_jsonld(store, URIRef(iri))
    return None


def entity_jsonld(store: Store, iri: URIRef) -> dict[str, Any] | None:
    """The entity's schema.org JSON-LD, or None when there is nothing to say in schema.org terms."""
    graph = entity_graph(store, iri)
    return to_jsonld(graph, iri) if len(graph) else None


def _compact(iri: str) -> str:
    """A compact IRI for `@id` (prefixes of the context; never `@vocab`, which does not apply to `@id`)."""
    for prefix, namespace in CONTEXT.items():
        if prefix != "@vocab" and iri.startswith(namespace) and len(iri) > len(namespace):
            return f"{prefix}:{iri[len(namespace):]}"
    return iri


def _key(iri: str) -> str:
    """A property or type name: schema.org terms by their own name (`@vocab`), others compact."""
    local = iri[len(str(SCHEMA)):]
    return local if iri.startswith(str(SCHEMA)) and local and ":" not in local else _compact(iri)


def _literal(term: Literal) -> Any:
    if term.language:
        return {"@value": str(term), "@language": bcp47_case(term.language)}
    if term.datatype is None or term.datatype == XSD.string:
        return str(term)
    native = _NATIVE.get(term.datatype)
    if native is not None and term.toPython() is not None and str(term) == str(Literal(term.toPython())):
        return term.toPython()  # JSON's own number or boolean reads back as the same xsd:integer / xsd:boolean
    return {"@value": str(term), "@type": _compact(str(term.datatype))}


def to_jsonld(graph: Graph, root: URIRef) -> dict[str, Any]:
    """The graph as one JSON-LD tree from `root`: every node it points to is nested where first met, and any node
    not reachable from the root (a figure pointing at the center) follows in `@graph`.

    Example:
        >>> g = Graph()
        >>> _ = g.add((TTC.A, SCHEMA.name, Literal("A", lang="en")))
        >>> to_jsonld(g, TTC.A)["name"]
        {'@value': 'A', '@language': 'en'}
    """
    done: set[Node] = set()

    def node(subject: Node) -> dict[str, Any]:
        done.add(subject)
        out: dict[str, Any] = {"@id": _compact(str(subject))}
        types = sorted(_key(str(t)) for t in graph.objects(subject, RDF.type))
        if types:
            out["@type"] = types[0] if len(types) == 1 else types
        for predicate in sorted({p for p in graph.predicates(subject) if p != RDF.type}, key=lambda p: _key(str(p))):
            values = []
            for value in sorted(graph.objects(subject, predicate), key=lambda v: (isinstance(v, Literal), str(v))):
                if isinstance(value, Literal):
                    values.append(_literal(value))
                elif value not in done and (value, None, None) in graph:
                    values.append(node(value))
                else:
                    values.append({"@id": _compact(str(value))})
            out[_key(str(predicate))] = values[0] if len(values) == 1 else values
        return out

    tree = node(root)
    rest = [node(s) for s in sorted(set(graph.subjects()), key=str) if s not in done]
    if not rest:
        return {"@context": CONTEXT, **tree}
    return {"@context": CONTEXT, "@graph": [tree, *rest]}


def script_json(document: Mapping[str, Any]) -> str:
    """JSON for a `<script type="application/ld+json">` element: `<`, `>` and `&` as JSON escapes, so no label can
    close the element (`</script>`) or open a comment, and the text parses to the same JSON.

    Example:
        >>> script_json({"name": "</script><b>"})
        '{"name": "\\\\u003c/script\\\\u003e\\\\u003cb\\\\u003e"}'
    """
    text = json.dumps(document, ensure_ascii=False)
    for char, escape in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"),
                         ("\u2029", "\\u2029")):
        text = text.replace(char, escape)
    return text


__all__ = ["CONTEXT", "MEDIA_TYPE", "center_graph", "center_jsonld", "department_jsonld", "entity_graph", "entity_jsonld",
           "schemaorg_queries", "script_json", "to_jsonld"]
