"""Content negotiation: pick the result format from `?format=` / `?output=` or the Accept header.

Written by hand (about 40 lines) because no maintained library in our dependency set parses
Accept with q-values against a fixed table. Imports nothing of rdflib.
"""

from __future__ import annotations

from dataclasses import dataclass

from graph.store import GRAPH_FORMATS, SOLUTION_FORMATS, ResultKind

#: Short names clients put in ?format= / ?output= / ?results= (SPARQLWrapper, YASGUI), to our names.
ALIASES = {"json": "json", "xml": "xml", "csv": "csv", "tsv": "tsv", "turtle": "turtle", "ttl": "turtle",
           "n3": "turtle", "nt": "ntriples", "ntriples": "ntriples", "json-ld": "jsonld", "jsonld": "jsonld",
           "rdfxml": "rdfxml", "rdf+xml": "rdfxml",
           **{media: name for name, media in {**SOLUTION_FORMATS, **GRAPH_FORMATS}.items()}}


class NotAcceptable(ValueError):
    """No format we produce matches what the client accepts."""


def parse_accept(header: str | None) -> list[tuple[str, float]]:
    """Media ranges with their q-values, best first (stable for equal q)."""
    ranges: list[tuple[str, float]] = []
    for part in (header or "*/*").split(","):
        media, *params = (p.strip() for p in part.split(";"))
        q = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if media:
            ranges.append((media.lower(), q))
    return sorted(ranges, key=lambda item: -item[1])


def choose(accept: str | None, table: dict[str, str], *, default: str, explicit: str | None = None) -> str:
    """The format name in `table` (name → media type) the client prefers; NotAcceptable if none."""
    if explicit:
        name = ALIASES.get(explicit.lower())
        if name in table:
            return name
        raise NotAcceptable(f"format {explicit!r} is not one of: {', '.join(table)}")
    for media, q in parse_accept(accept):
        if q <= 0:
            continue
        if media in ("*/*", "application/*", "text/*"):
            return default
        for name, media_type in table.items():
            if media == media_type or (media == "application/json" and name in ("json", "jsonld")):
                return name
    raise NotAcceptable(f"cannot produce any of {accept!r}; available: {', '.join(table.values())}")


@dataclass(frozen=True)
class Negotiated:
    """The format for each result kind, and the kinds the client cannot take (answered with 406)."""

    formats: dict[ResultKind, str]
    refused: frozenset[str]


def negotiate(accept: str | None, explicit: str | None = None) -> Negotiated:
    """Pick a format per result kind, so the answer can be serialised whatever the query's form."""
    solutions = _safe(accept, SOLUTION_FORMATS, "json", explicit)
    graph = _safe(accept, GRAPH_FORMATS, "turtle", explicit)
    if solutions is None and graph is None:
        raise NotAcceptable(f"cannot produce {explicit or accept!r}; available: "
                            f"{', '.join([*SOLUTION_FORMATS.values(), *GRAPH_FORMATS.values()])}")
    refused = {kind for kind, name in (("solutions", solutions), ("boolean", solutions), ("graph", graph))
               if name is None}
    formats: dict[ResultKind, str] = {"solutions": solutions or "json", "boolean": solutions or "json",
                                      "graph": graph or "turtle"}
    return Negotiated(formats, frozenset(refused))


def _safe(accept: str | None, table: dict[str, str], default: str, explicit: str | None) -> str | None:
    try:
        return choose(accept, table, default=default, explicit=explicit)
    except NotAcceptable:
        return None
