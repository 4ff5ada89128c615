"""Claims: the only way a relation enters the graph. Stated and implied ones become plain triples.

Imports rdflib; nothing of `api`.
"""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph
from rdflib.namespace import PROV, RDF

from graph.namespaces import KG
from graph.problems import Problem
from graph.sources import ParsedFiles

#: Claim statuses whose relation is also asserted as a plain triple.
MATERIALISED = (KG.Stated, KG.Implied)


def claimable_properties(model: Graph) -> set:
    """Properties that may only be stated through a kg:Claim."""
    return set(model.subjects(RDF.type, KG.ClaimableProperty))


def check_no_plain_relations(parsed: ParsedFiles, data_paths: list[Path], claimable: set) -> list[Problem]:
    """A relation written as a plain triple in a data file bypasses its evidence: refuse it."""
    problems = []
    for path in data_paths:
        graph = parsed.graphs.get(path)
        if graph is None:
            continue
        for subject, predicate, obj in sorted(graph.triples((None, None, None))):
            if predicate in claimable:
                _, line = parsed.locate(subject, within=path)
                problems.append(Problem(
                    "claims",
                    f"plain triple {_name(graph, subject)} {_name(graph, predicate)} {_name(graph, obj)} has no evidence: "
                    "state it as a kg:Claim with kg:status and prov:wasDerivedFrom",
                    file=path.name, line=line, focus=str(subject)))
    return problems


#: What marks a node of a proposals file (`thoracic-kg propose`): the proposal's class, status and its own properties.
PROPOSAL_MARKS = (KG.foundBy, KG.confidence, KG.proposedStatus, KG.proposalKind, KG.proposes)


def check_no_proposals(parsed: ParsedFiles, data_paths: list[Path]) -> list[Problem]:
    """A machine's proposal never enters the served graph: refuse every node of a data file that has status
    kg:Proposed, is a kg:Proposal or carries a proposal's own marks (kg:foundBy, kg:confidence, ...)."""
    problems = []
    for path in data_paths:
        graph = parsed.graphs.get(path)
        if graph is None:
            continue
        nodes = {*graph.subjects(KG.status, KG.Proposed), *graph.subjects(RDF.type, KG.Proposal)}
        nodes.update(s for mark in PROPOSAL_MARKS for s in graph.subjects(mark, None))
        for node in sorted(nodes, key=str):
            _, line = parsed.locate(node, within=path)
            problems.append(Problem(
                "proposals",
                f"{describe(node, graph)} is a machine's proposal (status kg:Proposed): a proposal never enters the "
                "served graph. Accept it first (give it a curator's status, e.g. its kg:proposedStatus, and remove "
                "kg:Proposal, kg:foundBy, kg:confidence, kg:proposedStatus, kg:proposalKind and kg:proposes), or "
                "delete it to refuse it",
                file=path.name, line=line, focus=str(node)))
    return problems


def _name(graph: Graph, node: object) -> str:
    return graph.qname(str(node))


def materialise(graph: Graph) -> Graph:
    """The plain triples of every stated or implied claim."""
    plain = Graph()
    for claim in graph.subjects(RDF.type, KG.Claim):
        if graph.value(claim, KG.status) in MATERIALISED:
            subject = graph.value(claim, RDF.subject)
            predicate = graph.value(claim, RDF.predicate)
            obj = graph.value(claim, RDF.object)
            if subject is not None and predicate is not None and obj is not None:
                plain.add((subject, predicate, obj))
    return plain


def attribution(graph: Graph) -> Graph:
    """`kg:claimedBy`: every claim to the department whose own description its evidence is quoted from.

    A department's description is the source document its own node (`kg:ClinicalCenter`) is derived from: the
    center's title span, a synthetic department's. A claim whose evidence quotes a document no department node is
    derived from (a source uploaded by staff, say) is claimed by no department: nothing is guessed.

    Example:
        >>> g = Graph()
        >>> from rdflib import URIRef
        >>> dept, doc, title, span, claim = (URIRef(f"urn:{n}") for n in ("d", "doc", "t", "s", "c"))
        >>> for t in [(dept, RDF.type, KG.ClinicalCenter), (dept, PROV.wasDerivedFrom, title),
        ...           (title, PROV.wasQuotedFrom, doc), (claim, RDF.type, KG.Claim),
        ...           (claim, PROV.wasDerivedFrom, span), (span, PROV.wasQuotedFrom, doc)]:
        ...     _ = g.add(t)
        >>> list(attribution(g)) == [(claim, KG.claimedBy, dept)]
        True
    """
    described: dict = {}
    for department in graph.subjects(RDF.type, KG.ClinicalCenter):
        for span in graph.objects(department, PROV.wasDerivedFrom):
            for document in graph.objects(span, PROV.wasQuotedFrom):
                described.setdefault(document, set()).add(department)
    out = Graph()
    for claim in graph.subjects(RDF.type, KG.Claim):
        for span in graph.objects(claim, PROV.wasDerivedFrom):
            for document in graph.objects(span, PROV.wasQuotedFrom):
                for department in described.get(document, ()):
                    out.add((claim, KG.claimedBy, department))
    return out


def describe(node, graph: Graph) -> str:  # type: ignore[no-untyped-def]
    """A readable name for a focus node; a claim is named by its subject, predicate and object."""
    if (node, RDF.type, KG.Claim) in graph:
        parts = [graph.value(node, p) for p in (RDF.subject, RDF.predicate, RDF.object)]
        return "claim " + " ".join(graph.qname(str(p)) if p is not None else "?" for p in parts)
    try:
        return graph.qname(str(node))
    except Exception:  # noqa: BLE001 - blank nodes and odd IRIs have no qname
        return str(node)
