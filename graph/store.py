"""Store backends behind one interface: embedded Oxigraph (memory or disk) or a remote SPARQL server.

This is the only module that knows which backend is in use. Every backend takes parameters as
bound values, never as text pasted into the query: a VALUES block of rdflib-serialised terms as
the first element of the WHERE clause (rdflib's own initBindings works the same way). Oxigraph's
substitutions would do too, but on the benchmark's 180,000-triple graph they made
`procedures_for_condition` over 100 times slower (14 s against 0.12 s for the same rows).
Imports rdflib, pyoxigraph and httpx.
"""

from __future__ import annotations

import itertools
import re
import shutil
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal as Kind

import httpx
import pyoxigraph as ox
from rdflib import Graph as RDFGraph
from rdflib import Literal, URIRef
from rdflib.term import Node

from graph.guard import keywords, where_body_start
from graph.namespaces import PREFIXES, from_ox
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
_IDENTIFIER = "http://purl.org/dc/terms/identifier"

ResultKind = Kind["solutions", "boolean", "graph"]
#: Values bound to a query's variables: one term each, or a tuple of terms for "any of these" (the answer is then
#: the union over the values, in one query: a lookup asks about all its items at once, not one query per item).
Bindings = Mapping[str, Node | tuple[Node, ...]]


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
        """Oxigraph serialises the result itself (see `_shape`)."""
        return _shape(self._run(sparql, bindings, dataset), formats, self.limits)

    def select(self, sparql: str, *, bindings: Bindings | None = None) -> list[dict[str, Node]]:
        return _rows(self._run(sparql, bindings), self.limits)

    def replace(self, ntriples: bytes, *, content_sha256: str) -> None:
        marker = f'<{BUILD_GRAPH}> <{_IDENTIFIER}> "{content_sha256}" <{BUILD_GRAPH}> .\n'.encode()
        self._store.update("CLEAR ALL")
        self._store.bulk_load(ntriples, format=ox.RdfFormat.N_TRIPLES)
        self._store.bulk_load(marker, format=ox.RdfFormat.N_QUADS)
        self._store.flush()

    def content_sha256(self) -> str | None:
        rows = self.select(f"SELECT ?h WHERE {{ GRAPH <{BUILD_GRAPH}> {{ <{BUILD_GRAPH}> <{_IDENTIFIER}> ?h }} }}")
        return str(rows[0]["h"]) if rows else None

    def apply_change(self, removed: Sequence[str], added: Sequence[str], audit_nquads: str, *,
                     content_sha256: str) -> None:
        """Take one version: remove and add built triples (N-Triples lines, no blank nodes: the build names them),
        add its audit quads, record the new content hash. Not one transaction: a store is changed like this only
        where no query can run meanwhile (a worker between two requests, a store directory not yet committed)."""
        for quad in ox.parse("\n".join(removed).encode("utf-8"), format=ox.RdfFormat.N_TRIPLES):
            self._store.remove(quad)
        if added:
            self._store.bulk_load("\n".join(added).encode("utf-8"), format=ox.RdfFormat.N_TRIPLES)
        if audit_nquads.strip():
            self._store.bulk_load(audit_nquads.encode("utf-8"), format=ox.RdfFormat.N_QUADS)
        self._store.update(f"DROP SILENT GRAPH <{BUILD_GRAPH}>")
        marker = f'<{BUILD_GRAPH}> <{_IDENTIFIER}> "{content_sha256}" <{BUILD_GRAPH}> .\n'.encode()
        self._store.bulk_load(marker, format=ox.RdfFormat.N_QUADS)

    def backup(self, target: Path) -> None:
        """A copy of this on-disk store at `target` (hard links where the file system allows: fast at any size)."""
        self._store.backup(str(target))

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


def _capped(result, line_format, limits: Limits, *, header_lines: int, unit: str) -> bytes:  # type: ignore[no-untyped-def]
    """The result in a line-based format (TSV, N-Triples: one row per line, exactly), counted on the way out."""
    sink = _CountingSink(limits, header_lines, unit)
    try:
        result.serialize(sink, format=line_format)
    except RuntimeError as exc:  # an evaluation error met while the solutions stream out
        raise QueryRejected(str(exc)) from exc
    return b"".join(sink.parts)


def _checked_size(body: bytes, limits: Limits) -> bytes:
    if limits.max_bytes is not None and len(body) > limits.max_bytes:
        raise ResultTooLarge(f"the answer would be {len(body)} bytes, more than the {limits.max_bytes}-byte "
                             "response cap; ask for fewer rows (LIMIT/OFFSET) or fewer columns")
    return body


def _shape(result, formats: Mapping[ResultKind, str] | None, limits: Limits) -> Answer:  # type: ignore[no-untyped-def]
    """A result held by pyoxigraph, serialised by Oxigraph in the format chosen for its kind. Rows are counted on
    the way out in a line-based format, so a cap stops the evaluation at once; the result is then rewritten into
    the format asked for, still inside Oxigraph, unless that format is the line one. Every backend answers
    through here, so the bytes are the same whichever engine evaluated the query."""
    if isinstance(result, ox.QueryBoolean):
        name = _choose(formats, "boolean")
        return Answer("boolean", SOLUTION_FORMATS[name], result.serialize(format=_OX_SOLUTIONS[name]) or b"")
    if isinstance(result, ox.QuerySolutions):
        name = _choose(formats, "solutions")
        lines = _capped(result, ox.QueryResultsFormat.TSV, limits, header_lines=1, unit="rows")
        body = lines if name == "tsv" else ox.parse_query_results(lines, format=ox.QueryResultsFormat.TSV).serialize(
            format=_OX_SOLUTIONS[name])
        return Answer("solutions", SOLUTION_FORMATS[name], _checked_size(body or b"", limits))
    name = _choose(formats, "graph")  # ox.QueryTriples, or _Triples parsed from a remote server's answer
    lines = _capped(result, ox.RdfFormat.N_TRIPLES, limits, header_lines=0, unit="triples")
    graph_body: bytes | None
    if name == "jsonld":  # Oxigraph writes expanded JSON-LD; rdflib compacts it with our prefixes
        graph_body = compact_jsonld(lines)
    else:
        graph_body = lines if name == "ntriples" else ox.serialize(
            ox.parse(lines, format=ox.RdfFormat.N_TRIPLES), format=_OX_GRAPH[name], prefixes=_prefixes(name))
    return Answer("graph", GRAPH_FORMATS[name], _checked_size(graph_body or b"", limits))


def _rows(result, limits: Limits) -> list[dict[str, Node]]:  # type: ignore[no-untyped-def]
    """A SELECT's solutions as rdflib terms, under the row cap."""
    if not isinstance(result, ox.QuerySolutions):
        raise QuerySyntaxError("select() needs a SELECT query")
    names = [v.value for v in result.variables]
    rows: list[dict[str, Node]] = []
    for row in result:
        if limits.max_rows is not None and len(rows) >= limits.max_rows:
            raise ResultTooLarge(f"the query has more than {limits.max_rows} rows (the row cap)")
        rows.append({n: from_ox(row[n]) for n in names if row[n] is not None})
    return rows


class _Triples:
    """Triples parsed from a remote server's answer, serialisable like Oxigraph's own QueryTriples."""

    def __init__(self, triples) -> None:  # type: ignore[no-untyped-def]
        self.triples = triples

    def serialize(self, output, format) -> None:  # type: ignore[no-untyped-def]
        ox.serialize(self.triples, output, format=format)


#: The named graph that holds the build on a server whose default graph is not a graph of its own (Virtuoso's is
#: the union of every graph it holds, its system graphs included); queries name it as their default graph.
VIRTUOSO_GRAPH = "urn:ttc-kg:graph"
#: Where a load is assembled before it is moved into place in one update.
STAGING_GRAPH = "urn:ttc-kg:staging"
#: Triples per INSERT DATA request. Virtuoso 7.2's SPARQL compiler gives up ("SP030: ... memory exhausted") a
#: little under 5,000 triples in one request; chunks also give a long load its progress line.
UPDATE_CHUNK = 2000
_RESULTS_XML = "application/sparql-results+xml"
_NTRIPLES = "application/n-triples"
_PARSED_GRAPH = {"application/n-triples": ox.RdfFormat.N_TRIPLES, "text/plain": ox.RdfFormat.N_TRIPLES,
                 "text/turtle": ox.RdfFormat.TURTLE, "application/rdf+xml": ox.RdfFormat.RDF_XML}
#: A blank node as the subject or the object of an N-Triples line (not inside a literal).
_BNODE_LINE = re.compile(rb'^_:|\s_:[^\s"<>]*\s*\.\s*$')
#: Answers of failure (5xx) that are the query's fault, not the server's: they become a 400 like the embedded
#: engine's. Virtuoso reports an undefined function or a bad cast as a 500 with an SQL state; so does Oxigraph
#: server an unknown custom function.
_QUERY_FAULTS = (re.compile(r"^Virtuoso (?:22\w{3}|42001|37000) Error|^Virtuoso 42000 Error SQ200"),
                 re.compile(r"custom function .* not supported"))
_WRITE_SECONDS = 600.0
_GRACE_SECONDS = 5.0  # past the deadline, for a server that stops the query itself


class _ServerAuth(httpx.Auth):
    """HTTP Basic or Digest, whichever the server's challenge names (Virtuoso's /sparql-auth asks for Digest).

    Nothing is sent until the server asks; then the scheme is remembered for the next requests."""

    def __init__(self, user: str, password: str) -> None:
        self._basic, self._digest = httpx.BasicAuth(user, password), httpx.DigestAuth(user, password)
        self._scheme: httpx.Auth | None = None

    def auth_flow(self, request: httpx.Request):  # type: ignore[no-untyped-def]
        if self._scheme is not None:
            yield from self._scheme.auth_flow(request)
            return
        response = yield request
        if response.status_code != 401:
            return
        digest = response.headers.get("www-authenticate", "").lower().startswith("digest")
        self._scheme = self._digest if digest else self._basic
        yield from self._scheme.auth_flow(request)


class RemoteStore(Store):
    """A SPARQL 1.1 Protocol server (Oxigraph server, Virtuoso, Fuseki, GraphDB, ...).

    It asks the server for the two formats every server writes alike, SPARQL XML results and N-Triples, parses
    them with Oxigraph and serialises the answer itself, through the same code as the embedded store: the same
    bytes, the same row and size caps, whatever the server. Where a server departs from the standard, it copes:

    - Virtuoso's default graph is the union of all its graphs (its system graphs included) and it refuses
      INSERT DATA without GRAPH: the build goes into a named graph (`graph`, VIRTUOSO_GRAPH by default on
      Virtuoso) that every query names as its default graph (`default-graph-uri`).
    - Virtuoso writes JSON results with booleans as "1", "typed-literal" terms and CSV/TSV that are not the
      standard ones, and JSON-LD without language tags: never asked for, XML results and N-Triples are.
    - Virtuoso writes blank nodes in results as `nodeID://b1`, which is no blank node label: read as `b1`.
    - Virtuoso never answers a POST of `application/sparql-query`: queries go as a form (`query=`), which every
      server takes.
    - Virtuoso cuts an answer at its ResultSetMaxRows with a 200 (header X-SPARQL-MaxRows): refused, never passed
      on as if complete. A client that gives up does not always stop it at once (it went on for up to 18 s), so it is
      given the deadline as its own `timeout`: it then stops at the deadline and answers a 200 with partial
      results (X-SQL-State: S1TAT, or a 206) or a 500 ("Misc Transaction Error"), which become a QueryTimeout;
      the HTTP timeout is the deadline and a few seconds more.
    - Virtuoso answers booleans as the integers 1 and 0, and a GROUP_CONCAT of errors as "" (unbound in the
      standard): read back as the query says they are (`result_columns`).
    - Virtuoso 7.2 evaluates EXISTS inside BIND wrongly or cannot compile it: written as an OPTIONAL subquery
      and BOUND (`_virtuoso_exists_in_bind`).
    - Virtuoso's cost model overflows its stack on a FILTER NOT EXISTS beside a UNION of OPTIONALs ("SQ200"): the
      query is sent again with its FILTER EXISTS written as OPTIONAL subqueries (`_virtuoso_filter_exists`).
    - Virtuoso orders long literals by a prefix of their text: ORDER BY ?v is preceded by their STR().
    - Virtuoso's STR() of a bound non-ASCII string gives question marks: STR(?v) of a bound simple literal is ?v.
    - Virtuoso refuses GROUP_CONCAT without a separator: given the standard's default, a space.
    - Virtuoso's DESCRIBE adds the triples pointing at the resource: asked for the concise bounded description
      (`define sql:describe-mode "CBD"`), which is what Oxigraph gives.
    - Virtuoso's SPARQL compiler runs out of memory on a large INSERT DATA, and refuses blank nodes in one:
      loads go in chunks of UPDATE_CHUNK triples into a staging graph moved into place in one update (readers
      see the old build or the new one), through INSERT { } WHERE { } when there are blank nodes.
    """

    def __init__(self, query_url: str, update_url: str | None = None, *, graph_store_url: str | None = None,
                 graph: str | None = None, credentials: tuple[str, str] | None = None, timeout: float = 30.0,
                 deadline: float | None = None, limits: Limits = Limits()) -> None:
        self.query_url, self.update_url, self.graph_store_url = query_url, update_url, graph_store_url
        self.timeout, self.deadline, self.limits, self._graph = timeout, deadline or timeout, limits, graph
        self._client = httpx.Client(timeout=timeout, auth=_ServerAuth(*credentials) if credentials else None)
        self._server: str | None = None  # the Server header, once known

    # -- which server, which graph ------------------------------------------------------------------------------

    @property
    def virtuoso(self) -> bool:
        """Whether the server is OpenLink Virtuoso (by its Server header; asked once, with `ASK {}`)."""
        if self._server is None:
            self._request("POST", self.query_url, data={"query": "ASK {}"}, headers={"Accept": _RESULTS_XML})
        return (self._server or "").startswith("Virtuoso")

    @property
    def graph(self) -> str | None:
        """The named graph that holds the build, or None for the server's default graph."""
        return self._graph or (VIRTUOSO_GRAPH if self.virtuoso else None)

    @property
    def marker(self) -> str:
        """The graph that records the hash of the build this store's graph holds (one per graph of the server)."""
        return BUILD_GRAPH if self.graph is None else f"{BUILD_GRAPH}/{self.graph}"

    # -- HTTP ---------------------------------------------------------------------------------------------------

    def _request(self, method: str, url: str, **kwargs) -> httpx.Response:  # type: ignore[no-untyped-def]
        try:
            response = self._client.request(method, url, **kwargs)
        except httpx.TimeoutException:
            raise StoreUnavailable(f"the SPARQL server at {url} did not answer within {self.timeout:g} s") from None
        except httpx.HTTPError as exc:
            raise StoreUnavailable(f"the SPARQL server at {url} did not answer: {exc}") from exc
        self._server = response.headers.get("server", "")
        if response.status_code >= 300:
            raise self._failure(response, url)
        return response

    def _failure(self, response: httpx.Response, url: str) -> Exception:
        text = response.text.strip()
        if response.status_code == 400:
            return QuerySyntaxError(text[:2000])
        if response.status_code in (401, 403) or "SECURITY" in text[:200]:
            return StoreUnavailable(f"the SPARQL server at {url} refused the request ({response.status_code}): "
                                    "set TKG_SPARQL_USER and TKG_SPARQL_PASSWORD, or use an endpoint that takes "
                                    f"them; it said: {text[:300]}")
        if text.startswith("Virtuoso S1T00"):
            return QueryTimeout(f"the SPARQL server stopped the query at its own time limit: {text[:300]}")
        if any(fault.search(text[:500]) for fault in _QUERY_FAULTS):
            return QueryRejected(text[:2000])
        return StoreUnavailable(f"the SPARQL server at {url} answered {response.status_code}: {text[:500]}")

    def _query(self, sparql: str, bindings: Bindings | None, dataset: Dataset | None):  # type: ignore[no-untyped-def]
        """Run a query on the server; the result parsed by Oxigraph (QuerySolutions, QueryBoolean or _Triples)."""
        virtuoso = self.virtuoso
        text = _virtuoso_str_of_bound(sparql, bindings) if virtuoso and bindings else sparql
        text = _with_values(text, bindings) if bindings else text
        if virtuoso:
            text = _virtuoso_group_concat(_virtuoso_order_by(_virtuoso_exists_in_bind(text)))
        words = keywords(text)
        graph_form = bool(words & {"CONSTRUCT", "DESCRIBE"})
        if graph_form and "DESCRIBE" in words and virtuoso:
            text = f'define sql:describe-mode "CBD"\n{text}'
        form: dict[str, str | list[str]] = {"query": text}
        if dataset is not None:
            form["default-graph-uri"], form["named-graph-uri"] = list(dataset.default), list(dataset.named)
        elif self.graph is not None:
            form["default-graph-uri"] = self.graph
        if virtuoso:  # its own time limit stops the work at once, where a closed connection does not
            form["timeout"] = str(max(1, int(self.deadline * 1000)))
        accept = _NTRIPLES if graph_form else _RESULTS_XML
        try:
            media_type, body = self._fetch(form, accept, marker=b"\n" if graph_form else b"<result>")
        except (QueryRejected, StoreUnavailable) as exc:  # Virtuoso's compiler gives up on some FILTER EXISTS
            if not virtuoso or not re.search(r"SQ200|SQ156", str(exc)[:200]):
                raise
            form["query"] = _virtuoso_filter_exists(text)
            if form["query"] == text:
                raise
            media_type, body = self._fetch(form, accept, marker=b"\n" if graph_form else b"<result>")
        if graph_form:
            if media_type not in _PARSED_GRAPH:
                raise StoreUnavailable(f"the SPARQL server answered a graph as {media_type!r}, not N-Triples")
            try:
                return _Triples(list(ox.parse(body, format=_PARSED_GRAPH[media_type])))
            except SyntaxError as exc:
                raise StoreUnavailable(f"the SPARQL server's answer does not parse: {exc}") from exc
        if media_type != _RESULTS_XML:
            raise StoreUnavailable(f"the SPARQL server answered a query as {media_type!r}, not SPARQL XML results")
        if virtuoso:  # its blank nodes read `nodeID://b10000`, which no blank node label may be; its booleans 1 and 0
            body = body.replace(b"<bnode>nodeID://", b"<bnode>")
            if b"__tkg_" in body:  # the flags of the EXISTS rewrites, should SELECT * show them
                body = _FLAG_OUTPUT.sub(b"", body)
            bound = frozenset(name for name, term in (bindings or {}).items()
                              if isinstance(term, Literal) and str(term.datatype) == _XSD_BOOLEAN)
            body = _virtuoso_results(body, result_columns(sparql, bound))
        try:
            return ox.parse_query_results(body, format=ox.QueryResultsFormat.XML)
        except SyntaxError as exc:
            raise StoreUnavailable(f"the SPARQL server's answer does not parse: {exc}") from exc

    def _fetch(self, form: Mapping[str, str | list[str]], accept: str, *, marker: bytes) -> tuple[str, bytes]:
        """POST the query as a form; read the answer while counting its rows (`marker` per row), so that an
        answer past the row cap is given up at once instead of downloaded whole."""
        started, server_limit = time.monotonic(), "timeout" in form
        try:
            with self._client.stream("POST", self.query_url, data=form, headers={"Accept": accept},
                                     timeout=self.deadline + (_GRACE_SECONDS if server_limit else 0)) as response:
                self._server = response.headers.get("server", "")
                if response.status_code >= 300:
                    response.read()
                    failure = self._failure(response, self.query_url)
                    if server_limit and response.status_code >= 500 and time.monotonic() - started >= self.deadline:
                        failure = QueryTimeout(f"the query ran past the {self.deadline:g} s deadline and the SPARQL "
                                               f"server stopped it ({response.text.strip()[:120]})")
                    raise failure
                self._refuse_incomplete(response)
                body = self._read_capped(response, marker)
        except httpx.TimeoutException:
            raise QueryTimeout(f"the query ran past the {self.deadline:g} s deadline and was stopped; narrow it "
                               "(more specific patterns, LIMIT) and try again") from None
        except httpx.HTTPError as exc:
            raise StoreUnavailable(f"the SPARQL server at {self.query_url} did not answer: {exc}") from exc
        return response.headers.get("content-type", "").split(";")[0].strip(), body

    @staticmethod
    def _refuse_incomplete(response: httpx.Response) -> None:
        if response.headers.get("x-sql-state", "").startswith("S1T") or response.status_code == 206:
            raise QueryTimeout("the SPARQL server stopped the query at its own time limit and sent incomplete "
                               "results, which were not passed on; narrow the query and try again")
        if "x-sparql-maxrows" in response.headers:
            raise ResultTooLarge(f"the SPARQL server cut the answer at its own cap of "
                                 f"{response.headers['x-sparql-maxrows']} rows (Virtuoso's ResultSetMaxRows); it was "
                                 "refused, not passed on truncated: add LIMIT, or page through it with LIMIT and OFFSET")

    def _read_capped(self, response: httpx.Response, marker: bytes) -> bytes:
        parts: list[bytes] = []
        rows, size, tail = 0, 0, b""
        raw_cap = 8 * self.limits.max_bytes if self.limits.max_bytes is not None else None  # XML is wordy
        for chunk in response.iter_bytes():
            window = tail + chunk
            rows += window.count(marker)
            tail = window[-(len(marker) - 1):] if len(marker) > 1 else b""
            size += len(chunk)
            if self.limits.max_rows is not None and rows > self.limits.max_rows:
                raise ResultTooLarge(f"the query has more than {self.limits.max_rows} rows (the row cap); "
                                     "add LIMIT, or page through it with LIMIT and OFFSET")
            if raw_cap is not None and size > raw_cap:
                raise ResultTooLarge(f"the answer passes the {self.limits.max_bytes}-byte response cap; "
                                     "ask for fewer rows (LIMIT/OFFSET) or fewer columns")
            parts.append(chunk)
        return b"".join(parts)

    # -- the Store interface ------------------------------------------------------------------------------------

    def answer(self, sparql: str, *, bindings: Bindings | None = None,
               formats: Mapping[ResultKind, str] | None = None, dataset: Dataset | None = None) -> Answer:
        return _shape(self._query(sparql, bindings, dataset), formats, self.limits)

    def select(self, sparql: str, *, bindings: Bindings | None = None) -> list[dict[str, Node]]:
        return _rows(self._query(sparql, bindings, None), self.limits)

    def content_sha256(self) -> str | None:
        marker = self.marker
        result = self._query(f"SELECT ?h WHERE {{ GRAPH <{marker}> {{ <{marker}> <{_IDENTIFIER}> ?h }} }}",
                             None, Dataset(named=(marker,)))
        rows = _rows(result, Limits())
        return str(rows[0]["h"]) if rows else None

    def replace(self, ntriples: bytes, *, content_sha256: str,
                progress: Callable[[int, int], None] | None = None) -> None:
        """Load `ntriples` as the server's build: through the Graph Store Protocol when its URL is set (one PUT,
        which the server applies as a whole), otherwise by SPARQL Update in chunks into a staging graph, moved into
        place with the new build's hash in one last update. `progress(done, total)` counts triples."""
        lines = [line for line in ntriples.splitlines() if line.strip() and not line.lstrip().startswith(b"#")]
        if self.graph_store_url is not None:
            self._put_graph(lines, content_sha256, progress)
        elif self.update_url is not None:
            self._update_graph(lines, content_sha256, progress)
        else:
            held = self.content_sha256()
            raise StoreUnavailable(f"the SPARQL server at {self.query_url} holds "
                                   f"{'build ' + held[:12] if held else 'no build'}, not build {content_sha256[:12]}, "
                                   "and neither TKG_SPARQL_UPDATE_URL nor TKG_SPARQL_GRAPH_STORE_URL names an "
                                   "endpoint to write it with: push it with `thoracic-kg load --to ...`")

    def _update(self, update: str) -> None:
        if self.update_url is None:
            raise StoreUnavailable(f"the SPARQL server at {self.query_url} has no update endpoint configured "
                                   "(TKG_SPARQL_UPDATE_URL): it cannot take changes")
        self._request("POST", self.update_url, content=update.encode(), timeout=httpx.Timeout(self.timeout,
                      read=max(self.timeout, _WRITE_SECONDS)), headers={"Content-Type": "application/sparql-update"})

    def _update_graph(self, lines: list[bytes], content_sha256: str,
                      progress: Callable[[int, int], None] | None) -> None:
        with_bnodes = any(_BNODE_LINE.search(line) for line in lines)
        if with_bnodes and len(lines) > UPDATE_CHUNK:
            raise StoreUnavailable(f"the graph has blank nodes and {len(lines)} triples: loaded in several updates "
                                   "they would split into different nodes; load it through the Graph Store Protocol "
                                   "(TKG_SPARQL_GRAPH_STORE_URL, or --graph-store)")
        staging = STAGING_GRAPH if self.graph is None else f"{STAGING_GRAPH}/{self.graph}"
        self._update(f"DROP SILENT GRAPH <{staging}>")
        for start in range(0, len(lines), UPDATE_CHUNK):
            chunk = b"\n".join(lines[start:start + UPDATE_CHUNK]).decode()
            self._update(f"INSERT {{ GRAPH <{staging}> {{\n{chunk}\n}} }} WHERE {{}}" if with_bnodes
                         else f"INSERT DATA {{ GRAPH <{staging}> {{\n{chunk}\n}} }}")
            if progress is not None:
                progress(min(start + UPDATE_CHUNK, len(lines)), len(lines))
        target = f"GRAPH <{self.graph}>" if self.graph else "DEFAULT"
        self._update(f"DROP SILENT GRAPH <{self.marker}> ;\n"
                     f"{'CLEAR SILENT ' + target + ' ;' if not lines else ''}\n"
                     f"MOVE SILENT GRAPH <{staging}> TO {target} ;\n"
                     f'INSERT DATA {{ GRAPH <{self.marker}> {{ <{self.marker}> <{_IDENTIFIER}> "{content_sha256}" }} }}')

    def apply_change(self, removed: Sequence[str], added: Sequence[str], audit_nquads: str, *, content_sha256: str,
                     ntriples: bytes) -> None:
        """Take one version: its built triples removed and added, and the new hash, in one update when they fit in
        one (UPDATE_CHUNK), else the whole new graph (`ntriples`) loaded as `replace` does; then its audit quads."""
        if self.update_url is None:
            raise StoreUnavailable(f"the SPARQL server at {self.query_url} has no update endpoint configured "
                                   "(TKG_SPARQL_UPDATE_URL): it cannot take changes")
        target = f"GRAPH <{self.graph}> " if self.graph else ""
        if len(removed) + len(added) <= UPDATE_CHUNK:
            parts = [f"DROP SILENT GRAPH <{self.marker}>"]
            if removed:
                parts.append(f"DELETE DATA {{ {target}{{\n" + "\n".join(removed) + "\n} }" if target
                             else "DELETE DATA {\n" + "\n".join(removed) + "\n}")
            if added:
                parts.append(f"INSERT DATA {{ {target}{{\n" + "\n".join(added) + "\n} }" if target
                             else "INSERT DATA {\n" + "\n".join(added) + "\n}")
            parts.append(f'INSERT DATA {{ GRAPH <{self.marker}> {{ <{self.marker}> <{_IDENTIFIER}> "{content_sha256}" }} }}')
            self._update(" ;\n".join(parts))
        else:
            self.replace(ntriples, content_sha256=content_sha256)
        self.add_quads(audit_nquads)

    def forget(self, subject: str, graph: str, graphs: Sequence[str]) -> None:
        """Remove what `subject` says in `graph`, and the named `graphs` whole (an audit record written by a change
        that was never committed, before its id is used again)."""
        drops = "".join(f"DROP SILENT GRAPH <{name}> ;\n" for name in graphs)
        self._update(f"{drops}DELETE WHERE {{ GRAPH <{graph}> {{ <{subject}> ?p ?o }} }}")

    def add_quads(self, nquads: str) -> None:
        """Insert N-Quads (blank nodes allowed) into their named graphs, in chunks a server's compiler takes."""
        lines = [line for line in nquads.splitlines() if line.strip()]
        for start in range(0, len(lines), UPDATE_CHUNK):
            by_graph: dict[str, list[str]] = {}
            for line in lines[start:start + UPDATE_CHUNK]:
                body, graph = _split_quad(line)
                by_graph.setdefault(graph, []).append(body)
            blocks = " ".join(f"GRAPH {g} {{\n" + "\n".join(b) + "\n}" for g, b in by_graph.items())
            self._update(f"INSERT {{ {blocks} }} WHERE {{}}")

    def _put_graph(self, lines: list[bytes], content_sha256: str, progress: Callable[[int, int], None] | None) -> None:
        assert self.graph_store_url is not None
        url, timeout = self.graph_store_url, httpx.Timeout(self.timeout, read=max(self.timeout, _WRITE_SECONDS))
        headers = {"Content-Type": _NTRIPLES}
        try:  # first the hash goes: a crash before the new hash lands leaves no hash, so the next start reloads
            self._request("DELETE", url, params={"graph": self.marker})
        except StoreUnavailable as exc:
            if "answered 404" not in str(exc):
                raise
        target = {"graph": self.graph} if self.graph else {"default": ""}
        self._request("PUT", url, params=target, content=b"\n".join(lines) + b"\n", headers=headers, timeout=timeout)
        if progress is not None:
            progress(len(lines), len(lines))
        marker = f'<{self.marker}> <{_IDENTIFIER}> "{content_sha256}" .\n'.encode()
        self._request("PUT", url, params={"graph": self.marker}, content=marker, headers=headers)

    def close(self) -> None:
        self._client.close()


# -- Virtuoso's ways, undone -------------------------------------------------------------------------------------

_XSD_BOOLEAN = "http://www.w3.org/2001/XMLSchema#boolean"
#: Expressions whose value is a boolean, by the name rdflib's SPARQL algebra gives them.
_BOOLEAN_EXPRESSIONS = frozenset({
    "RelationalExpression", "ConditionalAndExpression", "ConditionalOrExpression", "UnaryNot", "Builtin_EXISTS",
    "Builtin_NOTEXISTS", "Builtin_BOUND", "Builtin_isIRI", "Builtin_isURI", "Builtin_isBLANK", "Builtin_isLITERAL",
    "Builtin_isNUMERIC", "Builtin_LANGMATCHES", "Builtin_REGEX", "Builtin_CONTAINS", "Builtin_STRSTARTS",
    "Builtin_STRENDS", "Builtin_sameTerm"})
_INTEGER_BINDING = re.compile(rb'(<binding name="([^"]+)">\s*<literal datatype=")http://www\.w3\.org/2001/XMLSchema#integer'
                              rb'(">)([01])(</literal>)')


def _is_boolean(expression, known: set[str]) -> bool:  # type: ignore[no-untyped-def]
    from rdflib.plugins.sparql.parserutils import CompValue
    from rdflib.term import Variable

    if isinstance(expression, Variable):
        return str(expression) in known
    if isinstance(expression, Literal):
        return str(expression.datatype) == _XSD_BOOLEAN
    if not isinstance(expression, CompValue):
        return False
    if expression.name in _BOOLEAN_EXPRESSIONS:
        return True
    if expression.name == "Builtin_IF":
        return _is_boolean(expression.arg2, known) and _is_boolean(expression.arg3, known)
    if expression.name == "Builtin_COALESCE":
        return all(_is_boolean(arg, known) for arg in expression.arg)
    if expression.name == "Function":
        return str(expression.iri) == _XSD_BOOLEAN
    return False


def _never_an_error(expression) -> bool:  # type: ignore[no-untyped-def]
    """Whether an expression always has a value: a constant, or a COALESCE ending with one."""
    from rdflib.plugins.sparql.parserutils import CompValue

    if isinstance(expression, Literal | URIRef):
        return True
    return (isinstance(expression, CompValue) and expression.name == "Builtin_COALESCE"
            and isinstance(expression.arg[-1], Literal | URIRef))


@dataclass(frozen=True)
class _Columns:
    """What a query's answer columns hold that Virtuoso writes its own way."""

    booleans: frozenset[str] = frozenset()
    concatenations: frozenset[str] = frozenset()


@lru_cache(maxsize=512)
def result_columns(sparql: str, bound: frozenset[str] = frozenset()) -> _Columns:
    """The variables of a query whose values are booleans (bound to one: `bound`, or in VALUES; or to an
    expression whose value is one: EXISTS, a comparison, BOUND...; through BIND, SELECT expressions and SAMPLE,
    MIN, MAX), and those bound to a GROUP_CONCAT. Read with rdflib's SPARQL algebra, cached by query text.

    Virtuoso's SQL engine has no boolean type: it answers booleans as the integers 1 and 0 (its issue #251). And
    its GROUP_CONCAT skips the values that are errors (an unbound variable), where the standard makes the whole
    aggregate an error, so that it is unbound: Virtuoso answers "" where Oxigraph binds nothing (unless the
    expression cannot fail: GROUP_CONCAT(COALESCE(STR(?x), "")) is "" on both).

    Example:
        >>> columns = result_columns('SELECT ?s ?has ?copy (GROUP_CONCAT(?o) AS ?all) WHERE { ?s ?p ?o '
        ...                          'BIND(EXISTS { ?s ?p 1 } AS ?has) BIND(?has AS ?copy) } GROUP BY ?s ?has ?copy')
        >>> sorted(columns.booleans), sorted(columns.concatenations)
        (['copy', 'has'], ['all'])
        >>> sorted(result_columns('SELECT * WHERE { BIND(IF(?flag, true, ?x > 2) AS ?b) }', frozenset({"flag"})).booleans)
        ['b', 'flag']
    """
    from rdflib.plugins.sparql.algebra import translateQuery
    from rdflib.plugins.sparql.parser import parseQuery
    from rdflib.plugins.sparql.parserutils import CompValue
    from rdflib.term import Variable

    try:
        algebra = translateQuery(parseQuery(sparql)).algebra
    except Exception:  # noqa: BLE001 - a query rdflib cannot read: nothing is recognised, nothing is changed
        return _Columns(frozenset(bound))
    bindings: list[tuple[str, object]] = []  # (variable, expression) of BIND, SELECT expressions, SAMPLE/MIN/MAX
    known, concatenated = set(bound), set()

    def walk(node) -> None:  # type: ignore[no-untyped-def]
        if isinstance(node, CompValue):
            if node.name == "Extend":
                bindings.append((str(node.var), node.expr))
            elif node.name in ("Aggregate_Sample", "Aggregate_Min", "Aggregate_Max"):
                bindings.append((str(node.res), node.vars))
            elif node.name == "Aggregate_GroupConcat" and not _never_an_error(node.vars):
                concatenated.add(str(node.res))
            elif node.name == "values":
                for variable in {str(v) for row in node.res for v in row}:
                    values = [value for row in node.res for v, value in row.items() if str(v) == variable]
                    if values and all(_is_boolean(value, set()) for value in values if value is not None):
                        known.add(variable)
            for value in node.values():
                walk(value)
        elif isinstance(node, list | tuple):
            for item in node:
                walk(item)

    walk(algebra)
    changed = True
    while changed:
        changed = False
        for variable, expression in bindings:
            if variable not in known and _is_boolean(expression, known):
                known.add(variable)
                changed = True
    concatenations = {variable for variable, expression in bindings
                      if isinstance(expression, Variable) and str(expression) in concatenated}
    return _Columns(frozenset(v for v in known if not v.startswith("__agg_")), frozenset(concatenations))


def _virtuoso_results(body: bytes, columns: _Columns) -> bytes:
    """Virtuoso's SPARQL XML results as the standard has them: its integers 1 and 0 read as true and false in the
    boolean columns, and its "" of a GROUP_CONCAT of errors unbound."""
    booleans = {name.encode() for name in columns.booleans}

    def boolean(match: re.Match[bytes]) -> bytes:
        if match.group(2) not in booleans:
            return match.group(0)
        return (match.group(1) + _XSD_BOOLEAN.encode() + match.group(3) + (b"true" if match.group(4) == b"1" else b"false")
                + match.group(5))

    if booleans and (b'XMLSchema#integer">0<' in body or b'XMLSchema#integer">1<' in body):
        body = _INTEGER_BINDING.sub(boolean, body)
    for name in columns.concatenations:
        body = body.replace(f'<binding name="{name}"><literal></literal></binding>'.encode(), b"")
    return body


#: Strings, IRIs and comments of a query, which a rewrite must never touch.
_QUOTED = re.compile(r'"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|<[^<>"{}|^`\s]*>|#[^\n]*')


def _virtuoso_str_of_bound(sparql: str, bindings: Bindings) -> str:
    """`STR(?v)` written as `?v` for each bound simple literal holding characters beyond ASCII: Virtuoso's STR()
    of such a constant gives question marks (its issue #609), and STR of a simple literal is that literal."""
    names = [name for name, term in bindings.items() if isinstance(term, Literal) and term.language is None
             and term.datatype is None and not str(term).isascii()]
    if not names:
        return sparql
    masked = _QUOTED.sub(lambda m: " " * len(m.group()), sparql)
    call = re.compile(r"(?<![\w:])STR\s*\(\s*[?$](" + "|".join(map(re.escape, names)) + r")\s*\)", re.IGNORECASE)
    out, last = [], 0
    for match in call.finditer(masked):
        out += [sparql[last:match.start()], "?" + match.group(1)]
        last = match.end()
    return "".join([*out, sparql[last:]])


_EXISTS_FLAG = "__tkg_e"
_FLAG_OUTPUT = re.compile(rb'\s*<variable name="__tkg_[ef]\d+"/>|\s*<binding name="__tkg_[ef]\d+">.*?</binding>',
                          re.DOTALL)


def _closing(masked: str, start: int) -> int:
    """The offset of the bracket closing the one at `start`, in a query whose strings and IRIs are masked."""
    pairs = {"(": ")", "{": "}"}
    opener, closer, depth = masked[start], pairs[masked[start]], 0
    for position in range(start, len(masked)):
        if masked[position] == opener:
            depth += 1
        elif masked[position] == closer:
            depth -= 1
            if depth == 0:
                return position
    raise QuerySyntaxError(f"unbalanced {opener!r} in the query")


def _virtuoso_exists_in_bind(sparql: str) -> str:
    """Every EXISTS { P } inside a BIND, written as a flag set by an OPTIONAL subquery placed just before the
    BIND: `OPTIONAL { SELECT DISTINCT ?shared (1 AS ?flag) WHERE { P } }`, then `BOUND(?flag)` for the EXISTS.

    Virtuoso 7.2 evaluates EXISTS inside BIND wrongly (nested IF(EXISTS ...) chains gave other branches' values;
    its issues #1000 and #935) or fails to compile it ("SQ156: Internal Optimized compiler error" beside a nested
    OPTIONAL and GROUP BY). The variables of P that the query names before the BIND are the ones it shares; the
    rewrite is exact when they are bound there, as in every query of the catalog. FILTER EXISTS stays as it is.

    Example:
        >>> print(_virtuoso_exists_in_bind('SELECT * {?e a ?t BIND(EXISTS {?e ?p 1} AS ?k)}'))
        SELECT * {?e a ?t OPTIONAL { SELECT DISTINCT ?e (1 AS ?__tkg_e1) WHERE {?e ?p 1} } BIND(BOUND(?__tkg_e1) AS ?k)}
    """
    masked = _QUOTED.sub(lambda m: " " * len(m.group()), sparql)
    binds = [m for m in re.finditer(r"(?<![\w:?$])BIND\s*\(", masked, re.IGNORECASE)]
    if not binds or not re.search(r"(?<![\w:?$])EXISTS\b", masked, re.IGNORECASE):
        return sparql
    out, last, count = [], 0, 0
    for bind in binds:
        if bind.start() < last:
            continue  # a BIND inside an EXISTS pattern already moved into a subquery
        close = _closing(masked, bind.end() - 1)
        expression, pieces, cursor, prefix = masked[bind.start():close + 1], [], bind.start(), []
        for found in re.finditer(r"(?<![\w:?$])(NOT\s+)?EXISTS\s*(?=\{)", expression, re.IGNORECASE):
            start = bind.start() + found.start()
            if start < cursor:
                continue  # inside the pattern of an EXISTS already taken
            brace = bind.start() + found.end()
            end = _closing(masked, brace)
            pattern = sparql[brace + 1:end]
            before = masked[:bind.start()]
            shared = sorted({v for v in re.findall(r"[?$](\w+)", masked[brace:end])
                             if re.search(rf"[?$]{re.escape(v)}(?!\w)", before)})
            count += 1
            flag = f"?{_EXISTS_FLAG}{count}"
            select = (f"SELECT DISTINCT {' '.join('?' + v for v in shared)} (1 AS {flag}) WHERE {{{pattern}}}" if shared
                      else f"SELECT (1 AS {flag}) WHERE {{{pattern}}} LIMIT 1")
            prefix.append(f"OPTIONAL {{ {select} }} ")
            pieces += [sparql[cursor:start], f"(!BOUND({flag}))" if found.group(1) else f"BOUND({flag})"]
            cursor = end + 1
        if not prefix:
            continue
        out += [sparql[last:bind.start()], *prefix, *pieces, sparql[cursor:close + 1]]
        last = close + 1
    return "".join([*out, sparql[last:]]) if out else sparql


def _enclosing_group(masked: str, position: int) -> tuple[int, int]:
    """The offsets of the `{` and `}` of the innermost group holding `position`."""
    depth = 0
    for start in range(position - 1, -1, -1):
        if masked[start] == "}":
            depth += 1
        elif masked[start] == "{":
            if depth == 0:
                return start, _closing(masked, start)
            depth -= 1
    raise QuerySyntaxError("a FILTER outside any group")


def _virtuoso_filter_exists(sparql: str) -> str:
    """Each `FILTER [NOT] EXISTS { P }` written as a flag set by an OPTIONAL subquery at the end of its group,
    `OPTIONAL { SELECT DISTINCT ?shared (1 AS ?flag) WHERE { P } } FILTER([!]BOUND(?flag))`: a FILTER applies to
    its whole group wherever it stands, and the subquery joins on the variables P shares with the group.

    Used only when Virtuoso cannot compile a query ("SQ200: Stack Overflow in cost model" for a FILTER NOT EXISTS
    beside a UNION of OPTIONALs); exact when the shared variables are bound, as in the catalog's queries.

    Example:
        >>> print(_virtuoso_filter_exists('SELECT * { FILTER NOT EXISTS { ?s a ?c } ?s ?p ?o }'))
        SELECT * {  ?s ?p ?o OPTIONAL { SELECT DISTINCT ?s (1 AS ?__tkg_f1) WHERE { ?s a ?c } } FILTER(!BOUND(?__tkg_f1)) }
    """
    count = 0
    keyword = re.compile(r"(?<![\w:?$])FILTER\s+(NOT\s+)?EXISTS\s*(?=\{)", re.IGNORECASE)
    while True:
        masked = _QUOTED.sub(lambda m: " " * len(m.group()), sparql)
        found = keyword.search(masked)
        if found is None:
            return sparql
        brace = found.end()
        end = _closing(masked, brace)
        group_start, group_end = _enclosing_group(masked, found.start())
        outside = masked[group_start:found.start()] + masked[end + 1:group_end]
        shared = sorted({v for v in re.findall(r"[?$](\w+)", masked[brace:end])
                         if re.search(rf"[?$]{re.escape(v)}(?!\w)", outside)})
        count += 1
        flag = f"?__tkg_f{count}"
        pattern = sparql[brace + 1:end]
        select = (f"SELECT DISTINCT {' '.join('?' + v for v in shared)} (1 AS {flag}) WHERE {{{pattern}}}" if shared
                  else f"SELECT (1 AS {flag}) WHERE {{{pattern}}} LIMIT 1")
        test = f"!BOUND({flag})" if found.group(1) else f"BOUND({flag})"
        sparql = (sparql[:found.start()] + sparql[end + 1:group_end].rstrip()
                  + f" OPTIONAL {{ {select} }} FILTER({test}) " + sparql[group_end:])


def _virtuoso_group_concat(sparql: str) -> str:
    """GROUP_CONCAT given its default separator (a space) where the query leaves it out: Virtuoso refuses it
    without one ("SR183: Required argument delim (no 3) not supplied to DB.DBA.GROUP_CONCAT_ACC").

    Example:
        >>> _virtuoso_group_concat('SELECT (GROUP_CONCAT(DISTINCT ?o) AS ?all) (GROUP_CONCAT(?o; separator=",") AS ?c) {}')
        'SELECT (GROUP_CONCAT(DISTINCT ?o; separator=" ") AS ?all) (GROUP_CONCAT(?o; separator=",") AS ?c) {}'
    """
    masked = _QUOTED.sub(lambda m: " " * len(m.group()), sparql)
    out, last = [], 0
    for call in re.finditer(r"(?<![\w:?$])GROUP_CONCAT\s*\(", masked, re.IGNORECASE):
        close = _closing(masked, call.end() - 1)
        if not re.search(r"\bSEPARATOR\b", masked[call.end():close], re.IGNORECASE):
            out += [sparql[last:close], '; separator=" "']
            last = close
    return "".join([*out, sparql[last:]]) if out else sparql


def _string_key(name: str) -> str:
    return f'IF(isLITERAL(?{name}) && !isNUMERIC(?{name}), STR(?{name}), "")'


def _virtuoso_order_by(sparql: str) -> str:
    """Each ORDER BY key that is a variable, preceded by the string value of the literals it holds.

    Virtuoso orders long literals by a prefix and then by its own ids, not by their whole text ("Thoracoscopic
    bronchial sleeve resection" came before "Thoracoscopic bronchial and ..."), while it orders their STR()
    correctly. The added key is "" for what is no string (IRIs, numbers), so that those keep the order of the
    variable itself, as the standard gives it.

    Example:
        >>> _virtuoso_order_by('SELECT * WHERE { ?s ?p ?o } ORDER BY DESC(?o) STRLEN(?o) ?s LIMIT 2')
        'SELECT * WHERE { ?s ?p ?o } ORDER BY DESC(IF(isLITERAL(?o) && !isNUMERIC(?o), STR(?o), "")) DESC(?o) STRLEN(?o) \
(IF(isLITERAL(?s) && !isNUMERIC(?s), STR(?s), "")) ?s LIMIT 2'
    """
    masked = _QUOTED.sub(lambda m: " " * len(m.group()), sparql)
    out, last = [], 0
    for order in re.finditer(r"(?<![\w:?$])ORDER\s+BY\b", masked, re.IGNORECASE):
        position = order.end()
        while True:
            while position < len(masked) and masked[position].isspace():
                position += 1
            variable = re.compile(r"[?$](\w+)").match(masked, position)
            direction = re.compile(r"(ASC|DESC)\s*\(\s*[?$](\w+)\s*\)", re.IGNORECASE).match(masked, position)
            call = re.compile(r"\w*\s*\(").match(masked, position)
            if variable:
                out += [sparql[last:position], f"({_string_key(variable.group(1))}) "]
                last = position
                position = variable.end()
            elif direction:
                name, way = direction.group(2), direction.group(1)
                out += [sparql[last:position], f"{way}({_string_key(name)}) "]
                last = position
                position = direction.end()
            elif call and not re.match(r"(LIMIT|OFFSET|VALUES)\b", masked[position:], re.IGNORECASE):
                position = _closing(masked, call.end() - 1) + 1
            else:
                break
    return "".join([*out, sparql[last:]]) if out else sparql


def _split_quad(line: str) -> tuple[str, str]:
    """An N-Quads line of ours (graph IRI last) as its triple and its graph: `(s p o ., <g>)`."""
    body, _, graph = line.rstrip().removesuffix(".").rstrip().rpartition(" ")
    return body + " .", graph


def _with_values(sparql: str, bindings: Bindings) -> str:
    """The query with a VALUES block of N-Triples-serialised terms (escaped by rdflib, never raw user
    text) as the first element of its WHERE clause, where it binds before anything is evaluated; a
    trailing VALUES would join after OPTIONAL and FILTER and change the answer. A tuple of terms gives one row per
    term (every combination, when several variables have tuples; none at all for an empty tuple).

    Example:
        >>> _with_values("SELECT * WHERE { ?s ?p ?o }", {"p": URIRef("urn:p"), "s": (URIRef("urn:a"), URIRef("urn:b"))})
        'SELECT * WHERE { VALUES (?p ?s) { (<urn:p> <urn:a>) (<urn:p> <urn:b>) }  ?s ?p ?o }'
    """
    names = " ".join(f"?{name}" for name in bindings)
    choices = [term if isinstance(term, tuple) else (term,) for term in bindings.values()]
    rows = " ".join("(" + " ".join(term.n3() for term in row) + ")" for row in itertools.product(*choices))
    start = where_body_start(sparql)
    if start < 0:
        raise QuerySyntaxError("the query has no WHERE clause to bind parameters in")
    return f"{sparql[:start]} VALUES ({names}) {{ {rows} }} {sparql[start:]}"


def open_store(settings: Settings, *, read_only: bool = False) -> Store:
    """The store the settings name. It may be empty: `load_build` fills it."""
    if settings.store == "remote":
        return remote_store(settings)
    if settings.store == "disk":
        assert settings.store_path is not None
        _recover(settings.store_path)
        return OxigraphStore(settings.store_path, read_only=read_only)
    return OxigraphStore()


def remote_store(settings: Settings, *, query_url: str | None = None, update_url: str | None = None,
                 graph_store_url: str | None = None, graph: str | None = None, user: str | None = None,
                 password: str | None = None) -> RemoteStore:
    """The remote server the settings name (any of its URLs, its graph or its credentials overridden), with the
    settings' deadline and caps: the remote server runs the queries, the product still refuses answers past
    TKG_MAX_ROWS."""
    query = query_url or (str(settings.sparql_query_url) if settings.sparql_query_url else None)
    if query is None:
        raise StoreUnavailable("store=remote needs the SPARQL query URL (TKG_SPARQL_QUERY_URL)")
    update = update_url or (str(settings.sparql_update_url) if settings.sparql_update_url else None)
    graph_store = graph_store_url or (str(settings.sparql_graph_store_url) if settings.sparql_graph_store_url else None)
    user = user or settings.sparql_user
    if password is None and settings.sparql_password is not None:
        password = settings.sparql_password.get_secret_value()
    if user is not None and password is None:
        raise StoreUnavailable(f"a user ({user}) but no password: set TKG_SPARQL_PASSWORD")
    return RemoteStore(query, update, graph_store_url=graph_store, graph=graph or settings.sparql_graph,
                       credentials=(user, password) if user is not None and password is not None else None,
                       timeout=settings.remote_timeout, deadline=settings.query_timeout,
                       limits=Limits(max_rows=settings.max_rows, max_bytes=settings.max_response_bytes))


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
           "prepared_store", "remote_store", "worker_store"]
