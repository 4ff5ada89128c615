"""Canonical blank-node labels: rdflib's own algorithm (RGDA1), with its colour refinement made cheap.

Every build names its blank nodes by rdflib's canonical labels (`graph.build._skolemise`) and every staff change
compares curated statements by them (`graph.ledger.canonical_lines`), so the labels are part of what a build
gives and of what a ledger on disk holds: they must stay exactly rdflib's. rdflib's `_refine`, though, asks every
blank-node colour to split against every colour taken from the refinement sequence, and most of those splits
change nothing: a colour none of whose nodes shares a triple with the splitting colour keeps its own colour. On
the center's curated statements that is nine calls in ten, each costing triple lookups, list copies and a
hash; together they made a third of every staff change's time.

`to_canonical_graph` here runs rdflib's own `_TripleCanonicalizer` with two changes that leave every label as
rdflib gives it (tests/graph/test_canonical.py compares the two on the shipped data, on synthetic departments,
and on random graphs with symmetric blank nodes, which take rdflib's search path):
- the splits that cannot change a colour are skipped, and the order rdflib's list of colours would have after
  each pass (the colours it splits move to its end, in the order it met them) is kept, since later passes and
  the search for a discrete colouring depend on it;
- the graph it reads is indexed by (subject, object), the only lookup the refinement makes.
Imports rdflib only.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator

from rdflib import BNode, Graph
from rdflib.compare import Color, _TripleCanonicalizer
from rdflib.graph import ReadOnlyGraphAggregate
from rdflib.term import Node

Triple = tuple[Node, Node, Node]


class _Indexed:
    """What the canonicalizer reads of a graph: its triples, their number, and `triples((s, None, o))`."""

    def __init__(self, triples: Iterable[Triple]) -> None:
        self._triples = list(triples)
        self._predicates: dict[tuple[Node, Node], list[Node]] = defaultdict(list)
        self.neighbours: dict[Node, set[Node]] = defaultdict(set)
        for s, p, o in self._triples:
            self._predicates[(s, o)].append(p)
            self.neighbours[s].add(o)
            self.neighbours[o].add(s)

    def __iter__(self) -> Iterator[Triple]:
        return iter(self._triples)

    def __len__(self) -> int:
        return len(self._triples)

    def triples(self, pattern: tuple[Node | None, Node | None, Node | None]) -> list[Triple]:
        s, p, o = pattern
        if s is None or p is not None or o is None:  # the refinement asks for nothing else
            raise NotImplementedError(f"triples({pattern!r})")
        return [(s, q, o) for q in self._predicates.get((s, o), ())]


class _Canonicalizer(_TripleCanonicalizer):
    graph: _Indexed  # type: ignore[assignment]

    def _refine(self, coloring: list[Color], sequence: list[Color]) -> list[Color]:
        """rdflib's `_refine`, giving the same colours in the same order, without the splits that change nothing."""
        sequence = sorted(sequence, key=lambda x: x.key(), reverse=True)
        fixed = [c for c in coloring if not (len(c.nodes) > 1 or isinstance(c.nodes[0], BNode))]
        active = [c for c in coloring if len(c.nodes) > 1 or isinstance(c.nodes[0], BNode)]
        passes = 0
        neighbours = self.graph.neighbours
        while sequence and any(len(c.nodes) > 1 for c in active):  # `fixed` holds single nodes only
            w = sequence.pop()
            touched: set[Node] = set()
            for node in w.nodes:
                touched |= neighbours.get(node, set())
            after: list[Color] = []
            for c in active:
                if touched.isdisjoint(c.nodes):  # no triple joins c to w: rdflib's split gives c's own colour back
                    after.append(c)
                    continue
                colors = sorted(c.distinguish(w, self.graph), key=lambda x: x.key(), reverse=True)  # type: ignore[arg-type]
                after.extend(colors)
                try:
                    si = sequence.index(c)
                    sequence = sequence[:si] + colors + sequence[si + 1:]
                except ValueError:
                    sequence = colors[1:] + sequence
            active = after
            passes += 1
        ordered = fixed + active if passes else coloring[:]
        combined_colors: list[Color] = []
        combined_color_map: dict[str, Color] = {}
        for color in ordered:
            color_hash = color.hash_color()
            if color_hash in combined_color_map:  # a hash collision: combined into one colour for individuation
                combined_color_map[color_hash].nodes.extend(color.nodes)
            else:
                combined_colors.append(color)
                combined_color_map[color_hash] = color
        return combined_colors


def to_canonical_graph(graph: Iterable[Triple]) -> ReadOnlyGraphAggregate:
    """rdflib.compare.to_canonical_graph, faster: the same triples with the same blank-node labels."""
    out = Graph()
    out += _Canonicalizer(_Indexed(graph)).canonical_triples()  # type: ignore[arg-type]
    return ReadOnlyGraphAggregate([out])
