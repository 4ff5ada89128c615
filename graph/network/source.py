"""Where the projection's triples come from: a CONSTRUCT result's N-Triples, or the store itself.

Triples are kept in a small index of plain strings (rdflib's Graph is ten times slower on a 5,000-node
graph). The store is read with a few SELECT queries of one row per claim or per attribute, so that a
large graph stays under the row cap that a single CONSTRUCT of every triple would pass. These queries
take no parameters and are internal to the network view, so they live here rather than in the catalog
(`graph` cannot import `queries`). Imports pyoxigraph and `graph.store`; nothing of `api`.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator
from typing import Any, NamedTuple

import pyoxigraph as ox

from graph.namespaces import KG
from graph.store import Store

_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_LANG_STRING, _XSD_STRING = _RDF + "langString", "http://www.w3.org/2001/XMLSchema#string"
_PREFIXES = f"""PREFIX kg: <{KG}>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX schema: <https://schema.org/>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX oa: <http://www.w3.org/ns/oa#>
"""
#: One row per claim: its subject, predicate, object and status.
CLAIMS = _PREFIXES + """SELECT ?claim ?s ?p ?o ?status WHERE {
  ?claim a kg:Claim ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o .
  OPTIONAL { ?claim kg:status ?status }
}"""
#: The classes of everything but claims (their class is implied by the query above).
TYPES = _PREFIXES + "SELECT ?s ?o WHERE { ?s a ?o FILTER(?o != kg:Claim) }"
#: The statuses of figures and statements (those of claims come with the claims).
STATUSES = _PREFIXES + "SELECT ?s ?o WHERE { ?s kg:status ?o MINUS { ?s a kg:Claim } }"
#: Labels, notes, evidence, codes, figure values and the few links the projection draws or reads.
ATTRIBUTES = _PREFIXES + """SELECT ?s ?p ?o WHERE {
  VALUES ?p { skos:prefLabel skos:altLabel skos:hiddenLabel skos:editorialNote skos:definition rdfs:label
              schema:name prov:value oa:start oa:end schema:code schema:codeValue schema:value schema:minValue
              kg:minExclusive schema:unitText schema:observationPeriod kg:decade kg:verbatim skos:broader
              prov:wasDerivedFrom schema:observationAbout kg:about rdfs:subClassOf kg:synthetic }
  ?s ?p ?o
}"""


class Lit(NamedTuple):
    """A literal: its text, language tag (lower-cased) and datatype IRI."""

    value: str
    lang: str | None
    datatype: str | None


Term = str | Lit


class Triples:
    """The triples of one RDF document, indexed by subject and by predicate. IRIs are `str`, blank nodes
    `_:id`, literals `Lit`.

    Example:
        >>> t = Triples.parse('<urn:a> <urn:b> "c"@en .', "nt")
        >>> t.value("urn:a", "urn:b")
        Lit(value='c', lang='en', datatype='http://www.w3.org/1999/02/22-rdf-syntax-ns#langString')
    """

    def __init__(self) -> None:
        self.out: dict[str, dict[str, list[Term]]] = defaultdict(lambda: defaultdict(list))
        self.by_predicate: dict[str, list[tuple[str, Term]]] = defaultdict(list)

    @classmethod
    def parse(cls, data: bytes | str, fmt: str = "nt") -> Triples:
        """Read N-Triples (`nt`) or Turtle (`turtle`) with pyoxigraph's parser."""
        triples = cls()
        if not data.strip():
            return triples
        formats = {"nt": ox.RdfFormat.N_TRIPLES, "turtle": ox.RdfFormat.TURTLE}
        for triple in ox.parse(data, format=formats[fmt]):
            triples.add(_from_ox(triple.subject), str(triple.predicate.value), _from_ox(triple.object))
        return triples

    def add(self, subject: Term, predicate: str, obj: Term) -> None:
        if not isinstance(subject, str):
            raise TypeError("a literal cannot be a subject")
        self.out[subject][predicate].append(obj)
        self.by_predicate[predicate].append((subject, obj))

    def objects(self, subject: Term, predicate: str) -> list[Term]:
        if not isinstance(subject, str) or subject not in self.out:
            return []
        return self.out[subject].get(predicate, [])

    def value(self, subject: Term, predicate: str) -> Term | None:
        found = self.objects(subject, predicate)
        return found[0] if found else None

    def subjects(self, predicate: str, obj: Term | None = None) -> list[str]:
        return sorted({s for s, o in self.by_predicate.get(predicate, []) if obj is None or o == obj})

    def __iter__(self) -> Iterator[tuple[str, str, Term]]:
        for predicate, pairs in self.by_predicate.items():
            for subject, obj in pairs:
                yield subject, predicate, obj


def _from_ox(term: Any) -> Term:
    if isinstance(term, ox.NamedNode):
        return str(term.value)
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.Literal):
        return Lit(str(term.value), term.language.lower() if term.language else None, str(term.datatype.value))
    return str(term)


def _from_json(term: dict[str, str]) -> Term:
    """A term of the SPARQL 1.1 JSON results format."""
    if term["type"] == "uri":
        return term["value"]
    if term["type"] == "bnode":
        return f"_:{term['value']}"
    lang = term.get("xml:lang")
    return Lit(term["value"], lang.lower() if lang else None,
               term.get("datatype") or (_LANG_STRING if lang else _XSD_STRING))


def _rows(store: Store, sparql: str) -> list[dict[str, Term]]:
    body = store.answer(sparql, formats={"solutions": "json"}).body
    return [{name: _from_json(term) for name, term in row.items()} for row in json.loads(body)["results"]["bindings"]]


def read_center(store: Store) -> Triples:
    """The triples the projection needs, read from the store (four SELECTs, each under the row cap)."""
    triples = Triples()
    for row in _rows(store, CLAIMS):
        claim = row["claim"]
        triples.add(claim, _RDF + "type", str(KG.Claim))
        for name, predicate in (("s", "subject"), ("p", "predicate"), ("o", "object")):
            triples.add(claim, _RDF + predicate, row[name])
        if "status" in row:
            triples.add(claim, str(KG.status), row["status"])
    for row in _rows(store, TYPES):
        triples.add(row["s"], _RDF + "type", row["o"])
    for row in _rows(store, STATUSES):
        triples.add(row["s"], str(KG.status), row["o"])
    for row in _rows(store, ATTRIBUTES):
        triples.add(row["s"], str(row["p"]), row["o"])
    return triples


__all__ = ["ATTRIBUTES", "CLAIMS", "STATUSES", "TYPES", "Lit", "Term", "Triples", "read_center"]
