"""Evidence spans: check every quote against the source at its offsets, and find new quotes.

Offsets count Unicode code points from 0, start inclusive, end exclusive (Python slicing).
Imports rdflib; nothing of `api`.
"""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph, Literal
from rdflib.namespace import DCTERMS, PROV, RDF
from rdflib.term import Node

from graph.namespaces import EV, KG, OA, TTC, bind_prefixes
from graph.problems import Problem
from graph.sources import SOURCE_DIR, ParsedFiles


def read_source(name: str, source_dir: Path = SOURCE_DIR) -> str:
    """The text of a source document, exactly as stored (UTF-8, no newline translation)."""
    return (source_dir / name).read_bytes().decode("utf-8")


def locate(quote: str, text: str) -> list[tuple[int, int]]:
    """Every (start, end) at which `quote` occurs in `text`.

    Example:
        >>> locate("lung", "lung and lung")
        [(0, 4), (9, 13)]
    """
    spans, start = [], text.find(quote)
    while quote and start != -1:
        spans.append((start, start + len(quote)))
        start = text.find(quote, start + 1)
    return spans


def check_spans(graph: Graph, parsed: ParsedFiles, source_dir: Path = SOURCE_DIR) -> list[Problem]:
    """One Problem per evidence span whose quote is not, character for character, at its offsets."""
    problems: list[Problem] = []
    texts: dict[str, str] = {}
    for span in sorted(set(graph.subjects(RDF.type, KG.EvidenceSpan)), key=str):
        message = _span_problem(graph, span, texts, source_dir)
        if message is not None:  # located only then: a search of its file, which a change's build has as one
            file, line = parsed.locate(span)
            problems.append(Problem("evidence", message, file=file, line=line, focus=str(span)))
    return problems


def _span_problem(graph: Graph, span: Node, texts: dict[str, str], source_dir: Path) -> str | None:
    """What is wrong with one span (None: its quote is at its offsets); `texts` caches the source documents."""
    quote = graph.value(span, PROV.value)
    start, end = graph.value(span, OA.start), graph.value(span, OA.end)
    document = graph.value(span, PROV.wasQuotedFrom)
    identifier = graph.value(document, DCTERMS.identifier) if document is not None else None
    if not all(isinstance(x, Literal) for x in (quote, start, end, identifier)):
        return "span lacks a quote, offsets or a source document with a dcterms:identifier"
    name = str(identifier)
    if name not in texts:
        try:
            texts[name] = read_source(name, source_dir)
        except OSError:
            return f"source document {name!r} is not in {source_dir.name}/"
    text, wanted = texts[name], str(quote)
    first, last = int(start.toPython()), int(end.toPython())  # type: ignore[union-attr]
    if text[first:last] == wanted:
        return None
    found = locate(wanted, text)
    hint = f"; the quote occurs at {found[0][0]}–{found[0][1]}" if found else "; the quote occurs nowhere in the source"
    return f"quote {_clip(wanted)!r} is not at {first}–{last} of {name} (there: {_clip(text[first:last])!r}){hint}"


def _clip(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def span_turtle(span_id: str, quote: str, text: str, occurrence: int = 1) -> str:
    """The Turtle block of a new evidence span for `quote`, ready to paste into data/evidence.ttl.

    Raises:
        LookupError: the quote is not in the source, or has fewer occurrences than asked for.
    """
    found = locate(quote, text)
    if len(found) < occurrence:
        raise LookupError(f"the quote occurs {len(found)} time(s) in the source" if found
                          else "the quote is not in the source (check apostrophes: the source uses ’)")
    start, end = found[occurrence - 1]
    span = Graph()
    bind_prefixes(span)
    node = EV[span_id]
    for predicate, value in ((RDF.type, KG.EvidenceSpan), (PROV.value, Literal(quote)), (OA.start, Literal(start)),
                             (OA.end, Literal(end)), (PROV.wasQuotedFrom, TTC.source)):
        span.add((node, predicate, value))
    return span.serialize(format="turtle")  # rdflib escapes the quote (line breaks, quotes, backslashes)
