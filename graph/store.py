"""Store backends behind one interface: embedded Oxigraph (memory or disk) or a remote SPARQL server.

This is the only module that knows which backend is in use. Every backend takes parameters as
bound values, never as text pasted into the query: a VALUES block of rdflib-serialised terms as
the first element of the WHERE clause (rdflib's own initBindings works the same way). Oxigraph's
substitutions would do too, but on the benchmark's 180,000-triple graph they made
`procedures_for_condition` over 100 times slower (14 s against 0.12 s for the same rows).
Imports rdflib, pyoxigraph and httpx.
"""

from __future__ import annotations

import shutil
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import Literal as Kind

import httpx
import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib import Graph as RDFGraph
from rdflib.query import Result
from rdflib.term import Node

from graph.guard import where_body_start
from graph.namespaces import PREFIXES
from graph.settings import Settings

#: Result format name → media type, for SELECT/ASK and for CONSTRUCT/DESCRIBE.
SOLUTION_FORMATS = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
}
GRAPH_FORMATS = {
    "turtle": "text/turtle",
    "ntriples": "application/n-triples",
    "jsonld": "application/ld+json",
    "rdfxml": "application/rdf+xml",
}
_OX_SOLUTIONS = {"json": ox.QueryResultsFormat.JSON, "xml": ox.QueryResultsFormat.XML,
                 "csv": ox.QueryResultsFormat.CSV, "tsv": ox.QueryResultsFormat.TSV}
_OX_GRAPH = {"turtle": ox.RdfFormat.TURTLE, "ntriples": ox.RdfFormat.N_TRIPLES,
             "jsonld": ox.RdfFormat.JSON_LD, "rdfxml": ox.RdfFormat.RDF_XML}
BUILD_GRAPH = "urn:ttc-kg:build"
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_IDENTIFIER = "http://purl.org/dc/terms/identifier"

ResultKind = Kind["solutions", "boolean", "graph"]
Bindings = Mapping[str, Node]


class QuerySyntaxError(ValueError):
    """The query does not parse; the message carries the parser's position."""


class QueryRejected(ValueError):
    """The engine refused to evaluate a query that parses (an unknown function, say): the client's to fix."""


class StoreUnavailable(RuntimeError):
    """The backend could not answer (remote server down, store locked, ...)."""


class QueryTimeout(RuntimeError):
    """The query passed its deadline and was stopped."""


class ResultTooLarge(ValueError):
    """The answer would pass the row cap or the response-size cap; it was stopped, not truncated."""


@dataclass(frozen=True)
class Dataset:
    """The SPARQL protocol's `default-graph-uri` / `named-graph-uri`: which graphs a query sees."""

    default: tuple[str, ...] = ()
    named: tuple[str, ...] = ()


@dataclass(frozen=True)
class Limits:
    """Caps on one answer: rows of a SELECT (or triples of a CONSTRUCT) and bytes of the serialised body."""

    max_rows: int | None = None
    max_bytes: int | None = None


@dataclass(frozen=True)
class Answer:
    """A serialised query result."""

    kind: ResultKind
    media_type: str
    body: bytes


class Store(ABC):
    """What every backend offers: answer a query, list rows, replace the whole graph."""

    @abstractmethod
    def answer(self, sparql: str, *, bindings: Bindings | None = None,
               formats: Mapping[ResultKind, str] | None = None, dataset: Dataset | None = None) -> Answer:
        """Run a query and serialise its result in the format chosen for its kind."""

    @abstractmethod
    def select(self, sparql: str, *, bindings: Bindings | None = None) -> list[dict[str, Node]]:
        """Run a SELECT query; each row maps variable names to rdflib terms (unbound ones absent)."""

    @abstractmethod
    def replace(self, ntriples: bytes, *, content_sha256: str) -> None:
        """Replace the whole graph by `ntriples` and record its hash; readers see old or new, never half."""

    @abstractmethod
    def content_sha256(self) -> str | None:
        """The hash of the build the store holds, or None if it holds none."""

    def close(self) -> None:
        """Release the backend's resources."""


def _choose(formats: Mapping[ResultKind, str] | None, kind: ResultKind) -> str:
    default = "turtle" if kind == "graph" else "json"
    return (formats or {}).get(kind, default)


class OxigraphStore(Store):
    """The embedded Oxigraph engine, in memory (path None) or on disk.

    Example:
        >>> store = OxigraphStore()
        >>> store.replace(b'<urn:a> <urn:b> "c" .\\n', content_sha256="x")
        >>> store.select("SELECT ?s ?o WHERE { ?s ?p ?o }", bindings={"s": URIRef("urn:a")})[0]["o"]
        rdflib.term.Literal('c')
    """

    def __init__(self, path: Path | None = None, *, read_only: bool = False, limits: Limits = Limits()) -> None:
        self.path, self.limits, self.read_only = path, limits, read_only
        try:
            if path is None:
                self._store = ox.Store()
            elif read_only:
                self._store = ox.Store.read_only(str(path))
            else:
                self._store = ox.Store(str(path))
        except OSError as exc:
            raise StoreUnavailable(f"cannot open the Oxigraph store at {path}: {exc}") from exc

    def _run(self, sparql: str, bindings: Bindings | None, dataset: Dataset | None = None):  # type: ignore[no-untyped-def]
        text = _with_values(sparql, bindings) if bindings else sparql
        graphs: dict = {}
        if dataset is not None:  # named graphs alone leave the default graph empty (SPARQL 1.1 Protocol, 2.1.4)
            graphs["default_graph"] = [ox.NamedNode(iri) for iri in dataset.default]
            if dataset.named:
                graphs["named_graphs"] = [ox.NamedNode(iri) for iri in dataset.named]
        try:
            return self._store.query(text, **graphs)
        except SyntaxError as exc:
            raise QuerySyntaxError(str(exc)) from exc
        except RuntimeError as exc:  # pyoxigraph's evaluation errors other than parsing and I/O
            raise QueryRejected(str(exc)) from exc

    def answer(self, sparql: str, *, bindings: Bindings | None = None,
               formats: Mapping[ResultKind, str] | None = None, dataset: Dataset | None = None) -> Answer:
        """Oxigraph serialises the result itself. Rows are counted on the way out in a line-based format
        (TSV, N-Triples: one row per line, exactly), so a cap stops the evaluation at once; the result is
        then rewritten into the format asked for, still inside Oxigraph, unless that format is the line one."""
        result = self._run(sparql, bindings, dataset)
        if isinstance(result, ox.QueryBoolean):
            name = _choose(formats, "boolean")
            return Answer("boolean", SOLUTION_FORMATS[name], result.serialize(format=_OX_SOLUTIONS[name]) or b"")
        if isinstance(result, ox.QueryTriples):
            name = _choose(formats, "graph")
            lines = self._capped(result, ox.RdfFormat.N_TRIPLES, header_lines=0, unit="triples")
            body: bytes | None
            if name == "jsonld":  # Oxigraph writes expanded JSON-LD; rdflib compacts it with our prefixes
                body = compact_jsonld(lines)
            else:
                body = lines if name == "ntriples" else ox.serialize(
                    ox.parse(lines, format=ox.RdfFormat.N_TRIPLES), format=_OX_GRAPH[name], prefixes=_prefixes(name))
            return Answer("graph", GRAPH_FORMATS[name], self._checked_size(body or b""))
        name = _choose(formats, "solutions")
        lines = self._capped(result, ox.QueryResultsFormat.TSV, header_lines=1, unit="rows")
        body = lines if name == "tsv" else ox.parse_query_results(lines, format=ox.QueryResultsFormat.TSV).serialize(
            format=_OX_SOLUTIONS[name])
        return Answer("solutions", SOLUTION_FORMATS[name], self._checked_size(body or b""))

    def _capped(self, result, line_format, *, header_lines: int, unit: str) -> bytes:  # type: ignore[no-untyped-def]
        sink = _CountingSink(self.limits, header_lines, unit)
        try:
            result.serialize(sink, format=line_format)
        except RuntimeError as exc:  # an evaluation error met while the solutions stream out
            raise QueryRejected(str(exc)) from exc
        return b"".join(sink.parts)

    def _checked_size(self, body: bytes) -> bytes:
        if self.limits.max_bytes is not None and len(body) > self.limits.max_bytes:
            raise ResultTooLarge(f"the answer would be {len(body)} bytes, more than the {self.limits.max_bytes}-byte "
                                 "response cap; ask for fewer rows (LIMIT/OFFSET) or fewer columns")
        return body

    def select(self, sparql: str, *, bindings: Bindings | None = None) -> list[dict[str, Node]]:
        result = self._run(sparql, bindings)
        if not isinstance(result, ox.QuerySolutions):
            raise QuerySyntaxError("select() needs a SELECT query")
        names = [v.value for v in result.variables]
        cap = self.limits.max_rows
        rows: list[dict[str, Node]] = []
        for row in result:
            if cap is not None and len(rows) >= cap:
                raise ResultTooLarge(f"the query has more than {cap} rows (the row cap)")
            rows.append({n: _from_ox(row[n]) for n in names if row[n] is not None})
        return rows

    def replace(self, ntriples: bytes, *, content_sha256: str) -> None:
        marker = f'<{BUILD_GRAPH}> <{_IDENTIFIER}> "{content_sha256}" <{BUILD_GRAPH}> .\n'.encode()
        self._store.update("CLEAR ALL")
        self._store.bulk_load(ntriples, format=ox.RdfFormat.N_TRIPLES)
        self._store.bulk_load(marker, format=ox.RdfFormat.N_QUADS)
        self._store.flush()

    def content_sha256(self) -> str | None:
        rows = self.select(f"SELECT ?h WHERE {{ GRAPH <{BUILD_GRAPH}> {{ <{BUILD_GRAPH}> <{_IDENTIFIER}> ?h }} }}")
        return str(rows[0]["h"]) if rows else None

    def __len__(self) -> int:
        return len(self._store)

    def close(self) -> None:
        if self.path is not None and not self.read_only:
            self._store.flush()
        del self._store


class _CountingSink:
    """A file-like target for Oxigraph's serialisers that counts lines and bytes as they are written.

    Raising from `write` stops Oxigraph's lazy evaluation at once, so a capped query costs no more
    than the rows it was allowed."""

    def __init__(self, limits: Limits, header_lines: int, unit: str) -> None:
        self.limits, self.unit = limits, unit
        self.parts: list[bytes] = []
        self.lines, self.size = -header_lines, 0

    def write(self, chunk: bytes) -> int:
        self.lines += chunk.count(b"\n")
        self.size += len(chunk)
        if self.limits.max_rows is not None and self.lines > self.limits.max_rows:
            raise ResultTooLarge(f"the query has more than {self.limits.max_rows} {self.unit} (the row cap); "
                                 "add LIMIT, or page through it with LIMIT and OFFSET")
        if self.limits.max_bytes is not None and self.size > self.limits.max_bytes:
            raise ResultTooLarge(f"the answer passes the {self.limits.max_bytes}-byte response cap; "
                                 "ask for fewer rows (LIMIT/OFFSET) or fewer columns")
        self.parts.append(bytes(chunk))
        return len(chunk)

    def flush(self) -> None:
        """Nothing is buffered here."""


def compact_jsonld(ntriples: bytes) -> bytes:
    """N-Triples as JSON-LD compacted with the project's prefixes (an `@context`, `kg:`, `schema:` names)."""
    graph = RDFGraph()
    graph.parse(data=ntriples, format="nt")
    return graph.serialize(format="json-ld", context=dict(PREFIXES), auto_compact=True, encoding="utf-8")


def _prefixes(name: str) -> dict[str, str] | None:
    """Our prefixes for the formats that abbreviate IRIs with them."""
    return dict(PREFIXES) if name in ("turtle", "rdfxml") else None


class RemoteStore(Store):
    """A SPARQL 1.1 Protocol server (Oxigraph server, Fuseki, Virtuoso, GraphDB, ...)."""

    def __init__(self, query_url: str, update_url: str | None = None, *, timeout: float = 30.0,
                 deadline: float | None = None) -> None:
        self.query_url, self.update_url, self.deadline = query_url, update_url, deadline or timeout
        self._client = httpx.Client(timeout=timeout)

    def _post(self, sparql: str, bindings: Bindings | None, accept: str, dataset: Dataset | None = None) -> httpx.Response:
        text = _with_values(sparql, bindings) if bindings else sparql
        params = httpx.QueryParams({"default-graph-uri": list(dataset.default if dataset else ()),
                                    "named-graph-uri": list(dataset.named if dataset else ())})
        try:
            response = self._client.post(self.query_url, content=text.encode(), params=params, timeout=self.deadline,
                                         headers={"Content-Type": "application/sparql-query", "Accept": accept})
        except httpx.TimeoutException:
            raise QueryTimeout(f"the SPARQL server did not answer within the {self.deadline:g} s deadline") from None
        except httpx.HTTPError as exc:
            raise StoreUnavailable(f"SPARQL server at {self.query_url} did not answer: {exc}") from exc
        if response.status_code == 400:
            raise QuerySyntaxError(response.text.strip()[:2000])
        if response.status_code >= 300:
            raise StoreUnavailable(f"SPARQL server answered {response.status_code}: {response.text[:500]}")
        return response

    def answer(self, sparql: str, *, bindings: Bindings | None = None,
               formats: Mapping[ResultKind, str] | None = None, dataset: Dataset | None = None) -> Answer:
        accept = (f'{SOLUTION_FORMATS[_choose(formats, "solutions")]}, {GRAPH_FORMATS[_choose(formats, "graph")]};q=0.9, '
                  f'{SOLUTION_FORMATS[_choose(formats, "boolean")]};q=0.8')
        response = self._post(sparql, bindings, accept, dataset)
        media_type = response.headers.get("content-type", "").split(";")[0].strip()
        kind: ResultKind = "graph" if media_type in GRAPH_FORMATS.values() else "solutions"
        if kind == "solutions" and b'"boolean"' in response.content[:200]:
            kind = "boolean"
        return Answer(kind, media_type, response.content)

    def select(self, sparql: str, *, bindings: Bindings | None = None) -> list[dict[str, Node]]:
        response = self._post(sparql, bindings, SOLUTION_FORMATS["json"])
        result = Result.parse(BytesIO(response.content), format="json")
        return [{str(k): v for k, v in row.asdict().items()} for row in result]  # type: ignore[union-attr]

    def replace(self, ntriples: bytes, *, content_sha256: str) -> None:
        if self.update_url is None:
            raise StoreUnavailable("the remote store has no update endpoint (TKG_SPARQL_UPDATE_URL)")
        update = (f"CLEAR ALL ;\nINSERT DATA {{\n{ntriples.decode()}\n"
                  f'GRAPH <{BUILD_GRAPH}> {{ <{BUILD_GRAPH}> <{_IDENTIFIER}> "{content_sha256}" }} }}')
        try:
            response = self._client.post(self.update_url, content=update.encode(),
                                         headers={"Content-Type": "application/sparql-update"})
        except httpx.HTTPError as exc:
            raise StoreUnavailable(f"SPARQL server at {self.update_url} did not answer: {exc}") from exc
        if response.status_code >= 300:
            raise StoreUnavailable(f"update refused ({response.status_code}): {response.text[:500]}")

    def content_sha256(self) -> str | None:
        rows = self.select(f"SELECT ?h WHERE {{ GRAPH <{BUILD_GRAPH}> {{ <{BUILD_GRAPH}> <{_IDENTIFIER}> ?h }} }}")
        return str(rows[0]["h"]) if rows else None

    def close(self) -> None:
        self._client.close()


def _with_values(sparql: str, bindings: Bindings) -> str:
    """The query with a VALUES block of N-Triples-serialised terms (escaped by rdflib, never raw user
    text) as the first element of its WHERE clause, where it binds before anything is evaluated; a
    trailing VALUES would join after OPTIONAL and FILTER and change the answer."""
    names = " ".join(f"?{name}" for name in bindings)
    values = " ".join(term.n3() for term in bindings.values())
    start = where_body_start(sparql)
    if start < 0:
        raise QuerySyntaxError("the query has no WHERE clause to bind parameters in")
    return f"{sparql[:start]} VALUES ({names}) {{ ({values}) }} {sparql[start:]}"


def _from_ox(term) -> Node:  # type: ignore[no-untyped-def]
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if term.language:
        return Literal(term.value, lang=term.language)
    if term.datatype.value == _XSD_STRING:  # a simple literal, as rdflib and the JSON results parser write it
        return Literal(term.value)
    return Literal(term.value, datatype=URIRef(term.datatype.value))


def open_store(settings: Settings, *, read_only: bool = False) -> Store:
    """The store the settings name. It may be empty: `load_build` fills it."""
    if settings.store == "remote":
        assert settings.sparql_query_url is not None
        update = str(settings.sparql_update_url) if settings.sparql_update_url else None
        return RemoteStore(str(settings.sparql_query_url), update, timeout=settings.remote_timeout,
                           deadline=settings.query_timeout)
    if settings.store == "disk":
        assert settings.store_path is not None
        _recover(settings.store_path)
        return OxigraphStore(settings.store_path, read_only=read_only)
    return OxigraphStore()


def load_disk_store(path: Path, ntriples: bytes, *, content_sha256: str) -> None:
    """Write a new on-disk store beside `path`, then swap it in: a crash leaves the old or the new one."""
    fresh, old = path.with_name(path.name + ".new"), path.with_name(path.name + ".old")
    shutil.rmtree(fresh, ignore_errors=True)
    store = OxigraphStore(fresh)
    store.replace(ntriples, content_sha256=content_sha256)
    store.close()
    if path.exists():
        shutil.rmtree(old, ignore_errors=True)
        path.rename(old)
    fresh.rename(path)
    shutil.rmtree(old, ignore_errors=True)


def _recover(path: Path) -> None:
    """Finish a swap a crash interrupted: the previous store comes back if the new one never landed."""
    old = path.with_name(path.name + ".old")
    if not path.exists() and old.exists():
        old.rename(path)


def worker_store(settings: Settings, graph_path: Path | None, *, content_sha256: str, limits: Limits) -> OxigraphStore:
    """The store one query worker process holds: a fresh in-memory copy loaded from `graph_path`, or the
    on-disk store opened read-only (several workers share it; `prepared_store` has made it current)."""
    if settings.store == "disk":
        assert settings.store_path is not None
        return OxigraphStore(settings.store_path, read_only=True, limits=limits)
    if settings.store == "memory" and graph_path is not None:
        store = OxigraphStore(limits=limits)
        store.replace(graph_path.read_bytes(), content_sha256=content_sha256)
        return store
    raise StoreUnavailable(f"no query worker store for store={settings.store} without a graph file")


def disk_store_holds(settings: Settings, content_sha256: str) -> bool:
    """Whether the on-disk store already holds this build, read without taking its write lock (another
    process of the same service may hold it, or be reading it)."""
    assert settings.store_path is not None
    try:
        reader = OxigraphStore(settings.store_path, read_only=True)
    except StoreUnavailable:
        return False
    try:
        return reader.content_sha256() == content_sha256
    finally:
        reader.close()


def prepared_store(settings: Settings, *, ntriples: bytes, content_sha256: str) -> Store:
    """Open the configured store and make sure it holds this build; an up-to-date store is not reloaded."""
    store = open_store(settings)
    if store.content_sha256() == content_sha256:
        return store
    if isinstance(store, OxigraphStore) and store.path is not None:
        store.close()
        load_disk_store(store.path, ntriples, content_sha256=content_sha256)
        return open_store(settings)
    store.replace(ntriples, content_sha256=content_sha256)
    return store


__all__ = ["Answer", "Dataset", "Limits", "OxigraphStore", "QuerySyntaxError", "QueryTimeout", "RemoteStore",
           "ResultTooLarge", "Store", "StoreUnavailable", "disk_store_holds", "load_disk_store", "open_store",
           "prepared_store", "worker_store"]
