"""Read the curated Turtle files one by one, so that every problem can name its file and line.

Imports rdflib; nothing of `api`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.term import Node

from graph.namespaces import parse_published
from graph.problems import Problem

DATA_DIR = Path(__file__).parent / "data"
SOURCE_DIR = DATA_DIR / "source"


def data_files(data_dir: Path = DATA_DIR) -> list[Path]:
    """The curated fact files, in a stable order."""
    return sorted(data_dir.glob("*.ttl"))


@dataclass
class ParsedFiles:
    """Each input file's own graph, plus a way back from a node to the line that states it."""

    graphs: dict[Path, Graph] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def merged(self, only: Iterable[Path] | None = None) -> Graph:
        """All (or some) files' triples in one graph; blank nodes stay distinct per file."""
        merged = Graph()
        for path, graph in self.graphs.items():
            if only is None or path in only:
                for triple in graph:
                    merged.add(triple)
        return merged

    def locate(self, node: Node, within: Path | None = None) -> tuple[str | None, int | None]:
        """The file and first line where `node` is described.

        IRIs are found by their prefixed or full form at the start of a statement; blank nodes
        by the line that mentions most of the IRIs and literals they point to. `within` limits
        the search to one file.
        """
        for path, file_graph in self.graphs.items():
            if (within is not None and path != within) or (node, None, None) not in file_graph:
                continue
            lines = path.read_text(encoding="utf-8").splitlines()
            needles = _needles(node, file_graph)
            best, best_score = None, 0
            for number, text in enumerate(lines, start=1):
                score = sum(1 for needle in needles if needle in text)
                if isinstance(node, URIRef) and needles and text.lstrip().startswith(needles[0]):
                    return path.name, number
                if score > best_score:
                    best, best_score = number, score
            return path.name, best
        return None, None


    def locate_triple(self, triple: tuple[Node, Node, Node]) -> tuple[str | None, int | None]:
        """The file and line of the statement of `triple` (the line that holds its object, else its subject's)."""
        for path, file_graph in self.graphs.items():
            if triple not in file_graph:
                continue
            name, line = self.locate(triple[0], within=path)
            needle = str(triple[2])
            for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
                if number >= (line or 0) and needle in text:
                    return name, number
            return name, line
        return None, None


def _needles(node: Node, graph: Graph) -> list[str]:
    if isinstance(node, URIRef):
        return [_short(node, graph), f"<{node}>"]
    needles: list[str] = []
    for _, obj in graph.predicate_objects(node):
        if isinstance(obj, URIRef):
            needles.append(_short(obj, graph))
        elif isinstance(obj, Literal):
            needles.append(str(obj)[:40])
    return needles


def _short(iri: URIRef, graph: Graph) -> str:
    try:
        return graph.namespace_manager.normalizeUri(iri)
    except Exception:  # noqa: BLE001 - rdflib raises plain errors for IRIs it cannot shorten
        return f"<{iri}>"


_LINE = re.compile(r"line (\d+)", re.IGNORECASE)


def parse_files(paths: Sequence[Path]) -> ParsedFiles:
    """Parse each Turtle file on its own; a file that does not parse becomes a Problem."""
    parsed = ParsedFiles()
    for path in paths:
        graph = Graph()
        try:
            parse_published(path, graph)
        except Exception as exc:  # noqa: BLE001 - rdflib's parsers raise many exception types
            found = _LINE.search(str(exc))
            line = int(found.group(1)) if found else None
            message = getattr(exc, "_why", None) or str(exc).strip().splitlines()[-1]
            parsed.problems.append(Problem("syntax", f"Turtle does not parse: {message}", file=path.name, line=line))
            continue
        parsed.graphs[path] = graph
    return parsed

