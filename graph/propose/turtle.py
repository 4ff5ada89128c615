"""A proposals graph as Turtle: the same graph always gives the same bytes, with every prefix declared.

rdflib's own Turtle serialiser orders objects by blank-node id, which changes from run to run, so two codes of one
new condition could swap places; this writer orders everything by what it writes: the source document, the
department, the evidence spans by their offsets, the proposals, the new entities and the ICD-10 concepts, each
subject's rdf:type first and then its properties by prefixed name, and every blank node written inline
(`[ a schema:MedicalCode ; ... ]`, as the curated files write codes and bounds). Literals are escaped by rdflib.
Imports rdflib and the project's namespaces; nothing of `api`.
"""

from __future__ import annotations

import re

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, SKOS, XSD

from graph.namespaces import KG, OA

_LOCAL = re.compile(r"[A-Za-z0-9_](?:[A-Za-z0-9_.\-]*[A-Za-z0-9_\-])?")
#: Datatypes Turtle writes bare, with the lexical forms it reads back as them.
_PLAIN = {XSD.integer: re.compile(r"[+-]?[0-9]+"), XSD.decimal: re.compile(r"[+-]?[0-9]*\.[0-9]+"),
          XSD.boolean: re.compile(r"true|false")}
#: Where a subject stands in the file: lower first.
_ORDER = ((KG.SourceDocument, 0), (KG.ClinicalCenter, 1), (KG.EvidenceSpan, 2), (KG.Proposal, 3), (SKOS.Concept, 5))


def to_turtle(graph: Graph, header: str = "") -> str:
    """The graph as Turtle, deterministic: `header` (comment lines, without "# ") first, then the prefixes of
    `graph` that the file uses, then one block per subject."""
    prefixes = sorted(((str(p), str(n)) for p, n in graph.namespaces() if p), key=lambda item: -len(item[1]))
    writer = _Writer(graph, prefixes)
    blocks = [writer.block(subject) for subject in sorted(
        {s for s in graph.subjects() if isinstance(s, URIRef)}, key=writer.order)]
    used = sorted((p, n) for p, n in prefixes if p in writer.used)
    lines = [f"# {line}" if line else "#" for line in header.splitlines()]
    lines += [f"@prefix {prefix}: <{namespace}> ." for prefix, namespace in used]
    return "\n".join(lines) + "\n\n" + "\n\n".join(blocks) + "\n"


class _Writer:
    def __init__(self, graph: Graph, prefixes: list[tuple[str, str]]) -> None:
        self.graph = graph
        self.prefixes = prefixes
        self.used: set[str] = set()

    def order(self, subject: URIRef) -> tuple[int, int, str]:
        types = set(self.graph.objects(subject, RDF.type))
        group = next((rank for cls, rank in _ORDER if cls in types), 4)
        start = self.graph.value(subject, OA.start)
        return group, int(start.toPython()) if isinstance(start, Literal) else 0, str(subject)

    def term(self, node: object, depth: int = 1) -> str:
        if isinstance(node, URIRef):
            if node == RDF.type:
                return "a"
            iri = str(node)
            for prefix, namespace in self.prefixes:
                local = iri[len(namespace):]
                if iri.startswith(namespace) and (local == "" or _LOCAL.fullmatch(local)):
                    self.used.add(prefix)
                    return f"{prefix}:{local}"
            return f"<{iri}>"
        if isinstance(node, Literal):
            lexical = str(node)
            if node.datatype in _PLAIN and _PLAIN[node.datatype].fullmatch(lexical):
                return lexical  # Turtle's own forms: 40, 0.95, true
            if node.datatype is not None and node.datatype != XSD.string:
                return Literal(lexical).n3() + "^^" + self.term(node.datatype)
            return node.n3()
        if isinstance(node, BNode):
            body = self.properties(node, depth + 1)
            return "[ " + " ;\n".join(body).replace("\n", "\n" + "    " * (depth + 1)) + " ]" if body else "[]"
        raise TypeError(f"cannot write {node!r}")

    def properties(self, subject: URIRef | BNode, depth: int = 1) -> list[str]:
        predicates = sorted(set(self.graph.predicates(subject)), key=lambda p: (p != RDF.type, self.term(p)))
        out = []
        for predicate in predicates:
            objects = sorted(self.term(o, depth) for o in self.graph.objects(subject, predicate))
            out.append(f"{self.term(predicate)} {', '.join(objects)}")
        return out

    def block(self, subject: URIRef) -> str:
        body = self.properties(subject)
        if subject == self.graph.value(None, RDF.type, KG.SourceDocument) and len(body) > 1:
            body.sort(key=lambda line: line.startswith(self.term(KG.sourceText)))  # the long text last
        return self.term(subject) + " " + " ;\n    ".join(body) + " ."


__all__ = ["to_turtle"]
