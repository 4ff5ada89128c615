"""A larger graph for the benchmark: the center's facts repeated under fresh, copy-specific IRIs.

Copy 0 is the graph as it is (so the catalog's example parameters, such as `ttc:LungCancer`, still
name an entity); copy k > 0 moves every IRI of the project's own namespaces (`ttc:`, `ev:`, genid)
under a `c{k}/` segment. Vocabulary IRIs (the ontology, schema.org, SKOS, PROV, ICD-10 codes) and
literals stay as they are, so triples that mention nothing of the project are written once.
Deterministic: the same input and number of copies give the same bytes. Imports pyoxigraph only.

    python -m benchmarks.replicate build/graph.nt --factor 50 -o build/bench/replicated.nt
"""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from graph.namespaces import EV, GENID, TTC

#: The namespaces whose IRIs get a copy-specific twin; anything else is shared vocabulary.
PROJECT_NAMESPACES: tuple[str, ...] = (str(TTC), str(EV), str(GENID))


@dataclass(frozen=True)
class Split:
    """How many triples of a graph mention a project IRI (replicated) and how many do not (shared)."""

    project: int
    shared: int

    @property
    def total(self) -> int:
        return self.project + self.shared

    def size(self, copies: int) -> int:
        """Triples in the replicated graph of `copies` copies (copy 0 included)."""
        return copies * self.project + self.shared

    def copies_for(self, factor: float) -> int:
        """The fewest copies whose graph has at least `factor` times this graph's triples.

        Example:
            >>> Split(project=90, shared=10).copies_for(50)
            56
        """
        if self.project == 0:
            raise ValueError("the graph has no triple in the project's namespaces to replicate")
        return max(1, math.ceil((factor * self.total - self.shared) / self.project))


def project_iri(iri: str, copy: int) -> str:
    """The IRI of copy `copy`: project IRIs get a `c{copy}/` segment after their namespace, others stay.

    Example:
        >>> project_iri("https://ttc-kg.example/id/LungCancer", 17)
        'https://ttc-kg.example/id/c17/LungCancer'
        >>> project_iri("https://schema.org/MedicalCondition", 17)
        'https://schema.org/MedicalCondition'
    """
    if copy:
        for namespace in PROJECT_NAMESPACES:
            if iri.startswith(namespace):
                return f"{namespace}c{copy}/{iri[len(namespace):]}"
    return iri


def _mentions_project(triple: ox.Triple) -> bool:
    return any((isinstance(term, ox.NamedNode) and term.value.startswith(PROJECT_NAMESPACES))
               or isinstance(term, ox.BlankNode) for term in (triple.subject, triple.predicate, triple.object))


def _term(term, copy: int):  # type: ignore[no-untyped-def]
    if isinstance(term, ox.NamedNode):
        return ox.NamedNode(project_iri(term.value, copy))
    if isinstance(term, ox.BlankNode):
        return ox.BlankNode(f"{term.value}c{copy}") if copy else term
    if isinstance(term, ox.Literal):
        return term
    raise ValueError(f"cannot replicate the term {term!r} (quoted triples are not supported)")


def split(ntriples: bytes) -> Split:
    """Count the replicated and the shared triples of an N-Triples document."""
    triples = [quad.triple for quad in ox.parse(ntriples, format=ox.RdfFormat.N_TRIPLES)]
    project = sum(1 for triple in triples if _mentions_project(triple))
    return Split(project=project, shared=len(triples) - project)


def _copies(triples: list[ox.Triple], copies: int) -> Iterator[ox.Triple]:
    for copy in range(copies):
        for triple in triples:
            if copy == 0:
                yield triple
            elif _mentions_project(triple):
                yield ox.Triple(_term(triple.subject, copy), _term(triple.predicate, copy), _term(triple.object, copy))


def replicate(ntriples: bytes, copies: int) -> bytes:
    """The graph repeated `copies` times (copy 0 unchanged), as N-Triples in input order, copy by copy.

    Example:
        >>> graph = b'<https://ttc-kg.example/id/a> <https://schema.org/name> "A" .\\n'
        >>> print(replicate(graph, 2).decode(), end="")
        <https://ttc-kg.example/id/a> <https://schema.org/name> "A" .
        <https://ttc-kg.example/id/c1/a> <https://schema.org/name> "A" .
    """
    if copies < 1:
        raise ValueError("copies must be at least 1")
    triples = [quad.triple for quad in ox.parse(ntriples, format=ox.RdfFormat.N_TRIPLES)]
    return ox.serialize(_copies(triples, copies), format=ox.RdfFormat.N_TRIPLES) or b""


def write_replica(source: Path, target: Path, *, factor: float) -> tuple[int, int]:
    """Write the replica of `source` at least `factor` times larger to `target`; return (copies, triples)."""
    ntriples = source.read_bytes()
    parts = split(ntriples)
    copies = parts.copies_for(factor)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(replicate(ntriples, copies))
    return copies, parts.size(copies)


def main(argv: list[str] | None = None) -> int:
    """Command line: replicate an N-Triples file by a number of copies or a size factor."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.replicate", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("source", type=Path, help="N-Triples file of the center's graph (build/graph.nt)")
    parser.add_argument("-o", "--output", type=Path, required=True, help="where to write the N-Triples")
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--copies", type=int, help="number of copies, copy 0 (the original) included")
    size.add_argument("--factor", type=float, default=50.0,
                      help="make the graph at least this many times larger (default 50)")
    args = parser.parse_args(argv)
    ntriples = args.source.read_bytes()
    parts = split(ntriples)
    copies = args.copies if args.copies is not None else parts.copies_for(args.factor)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_bytes(replicate(ntriples, copies))
    print(f"{copies} copies: {parts.size(copies)} triples ({parts.size(copies) / parts.total:.1f}× "
          f"{parts.total}; {parts.project} replicated, {parts.shared} shared) → {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
