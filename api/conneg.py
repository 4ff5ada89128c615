"""Content negotiation by RFC 9110 (section 12.5.1): pick the format from `?format=` / `?output=` or Accept.

The Accept header is parsed and matched by python-mimeparse: the most specific media range that
matches a type gives its weight, so `text/html;q=0, */*` excludes HTML, and `text/*` matches only text
formats. Imports nothing of rdflib.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass

import mimeparse

from graph.store import GRAPH_FORMATS, SOLUTION_FORMATS, ResultKind

#: Short names clients put in ?format= / ?output= / ?results= (SPARQLWrapper, YASGUI, Virtuoso-style), to
#: (name for solutions, name for a graph): what a client asking "xml" means depends on the query's form.
SHORT_NAMES: dict[str, tuple[str | None, str | None]] = {
    "json": ("json", "jsonld"), "xml": ("xml", "rdfxml"), "csv": ("csv", None), "tsv": ("tsv", None),
    "turtle": (None, "turtle"), "ttl": (None, "turtle"), "n3": (None, "turtle"),  # Turtle is valid N3
    "nt": (None, "ntriples"), "ntriples": (None, "ntriples"), "n-triples": (None, "ntriples"),
    "json-ld": (None, "jsonld"), "jsonld": (None, "jsonld"), "rdfxml": (None, "rdfxml"), "rdf+xml": (None, "rdfxml"),
    "rdf": (None, "rdfxml"), "html": ("html", "html"),
}
#: Other media types that mean one of ours (SPARQLWrapper's lists, older names of the same format).
SYNONYMS: dict[str, tuple[str, ...]] = {
    "application/sparql-results+json": ("application/json",),
    "application/sparql-results+xml": ("application/xml", "text/xml"),
    "text/turtle": ("application/turtle", "application/x-turtle", "text/n3", "text/rdf+n3", "application/n3"),
    "application/ld+json": ("application/json", "application/x-json+ld"),
    "application/rdf+xml": ("application/xml", "text/xml"),
}


class NotAcceptable(ValueError):
    """No format we produce matches what the client accepts."""


def _ranges(accept: str) -> list[tuple[str, str, dict[str, str]]]:
    parsed = []
    for part in accept.split(","):
        if part.strip():
            try:
                parsed.append(mimeparse.parse_media_range(part.strip().lower()))
            except mimeparse.MimeTypeParseException:
                continue  # a malformed range matches nothing; the others still count
    return parsed


def _from_accept(accept: str | None, table: Mapping[str, str], default: str) -> str | None:
    """The best name in `table` for this Accept header (absent: the default), or None if it excludes them all."""
    if not accept or not accept.strip():
        return default
    return _best(accept, tuple(table.items()), default)


@functools.lru_cache(maxsize=512)  # clients send few distinct Accept headers; parsing each once keeps this cheap
def _best(accept: str, table: tuple[tuple[str, str], ...], default: str) -> str | None:
    ranges = _ranges(accept)
    names = dict(table)
    best: tuple[float, float, int] | None = None
    chosen = None
    for rank, name in enumerate([default, *(name for name in names if name != default)]):
        q, fitness = _weight(names[name], ranges)
        score = (q, fitness, -rank)
        if q > 0 and (best is None or score > best):
            best, chosen = score, name
    return chosen


def _weight(media: str, ranges: list[tuple[str, str, dict[str, str]]]) -> tuple[float, float]:
    """(q, fitness) of our type: its own media type decides; a synonym counts only where named exactly
    (`application/json` for SPARQL JSON results), never through a wildcard, so `text/*` is not `text/xml`."""
    q, fitness = mimeparse.quality_and_fitness_parsed(media, ranges)
    if fitness >= 110:  # named exactly: that weight is final, q=0 included
        return q, fitness
    for synonym in SYNONYMS.get(media, ()):
        sq, sfitness = mimeparse.quality_and_fitness_parsed(synonym, ranges)
        if sfitness >= 110 and (sq, sfitness) > (q, fitness):
            q, fitness = sq, sfitness
    return q, fitness


def choose(accept: str | None, table: Mapping[str, str], *, default: str, explicit: str | None = None) -> str:
    """The format name in `table` (name → media type) the client prefers; NotAcceptable if none.

    `explicit` (the ?format= value) wins over Accept: a short name (`csv`, `xml`, `turtle`...) or a media
    type list (`application/ld+json,application/x-json+ld`, as SPARQLWrapper sends it).

    Example:
        >>> choose("text/html;q=0, */*", {"html": "text/html", "turtle": "text/turtle"}, default="html")
        'turtle'
    """
    name = _pick(accept, table, default, explicit)
    if name is None:
        wanted = explicit or accept
        raise NotAcceptable(f"cannot produce {wanted!r}; available: {', '.join(table.values())} "
                            f"(or ?format= {', '.join(table)})")
    return name


def _pick(accept: str | None, table: Mapping[str, str], default: str, explicit: str | None) -> str | None:
    if explicit and explicit.strip():
        value = explicit.strip().lower()
        if "/" in value:
            return _from_accept(value, table, default)
        for candidate in (value, *(SHORT_NAMES.get(value) or ())):
            if candidate in table:
                return candidate
        return None
    return _from_accept(accept, table, default)


@dataclass(frozen=True)
class Negotiated:
    """The format for each result kind, and the kinds the client cannot take (answered with 406)."""

    formats: dict[ResultKind, str]
    refused: frozenset[str]


def negotiate(accept: str | None, explicit: str | None = None) -> Negotiated:
    """Pick a format per result kind, so the answer can be serialised whatever the query's form.

    A ?format= that names a format of one kind only (`csv`, `turtle`) decides for that kind; for the other,
    Accept decides, so SPARQLWrapper's `format=turtle` with `Accept: */*` on a SELECT still gets results.
    A ?format= that names nothing we produce is refused.
    """
    explicit = explicit.strip() if explicit and explicit.strip() else None
    picked = {kind: _pick(accept, table, default, explicit) if explicit else None
              for kind, table, default in (("solutions", SOLUTION_FORMATS, "json"), ("graph", GRAPH_FORMATS, "turtle"))}
    if explicit and picked["solutions"] is None and picked["graph"] is None:
        raise NotAcceptable(f"format {explicit!r} is none of ours: {', '.join(sorted(set(SHORT_NAMES) - {'html'}))}, "
                            f"or a media type: {', '.join([*SOLUTION_FORMATS.values(), *GRAPH_FORMATS.values()])}")
    if picked["solutions"] is None:
        picked["solutions"] = _from_accept(accept, SOLUTION_FORMATS, "json")
    if picked["graph"] is None:
        picked["graph"] = _from_accept(accept, GRAPH_FORMATS, "turtle")
    solutions, graph = picked["solutions"], picked["graph"]
    if solutions is None and graph is None:
        raise NotAcceptable(f"cannot produce {explicit or accept!r}; available: "
                            f"{', '.join([*SOLUTION_FORMATS.values(), *GRAPH_FORMATS.values()])}")
    refused = {kind for kind, name in (("solutions", solutions), ("boolean", solutions), ("graph", graph))
               if name is None}
    formats: dict[ResultKind, str] = {"solutions": solutions or "json", "boolean": solutions or "json",
                                      "graph": graph or "turtle"}
    return Negotiated(formats, frozenset(refused))

