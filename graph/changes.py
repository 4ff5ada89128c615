"""Changes to the curated statements: applied, validated like a build, committed as a version, reversible.

A change acts on the *curated* statements (what `graph/data` holds: entities, labels, claims with their status
and evidence, figures), never on the built graph directly: the build's own pipeline (evidence at its offsets,
ICD-10 codes, no relation without a claim, labels, notes, SHACL, then claims materialised, entailments,
blank nodes named) runs on the changed statements, and only a change that passes every check is committed.
So a triple the build derives (`ttc:Center kg:offers ttc:HeadMRI`, from its claim) changes only through the
claim it comes from, and the served graph of a version is exactly what a build of its statements gives.

`Content` is what the service serves (the build of graph/data, then the versions of its run) and the only
writer: `change` (a SPARQL 1.1 Update, or a Graph Store Protocol operation), `rollback`, `add_source`.
Stores follow the ledger: an on-disk store gets a new directory per version before the commit; a remote
server gets the change before the commit (a crash in between is repaired from the ledger at the next start);
query workers holding the graph in memory replay each committed version before their next query.

Imports rdflib, pyoxigraph and the graph package; nothing of `api`.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import tempfile
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from xml.parsers import expat

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal

from graph.build import Built, Inputs, build
from graph.departments import department_data, department_sources
from graph.guard import _may_read_service, tokens
from graph.ledger import (
    VERSIONS_GRAPH,
    Ledger,
    Version,
    audit_graphs,
    audit_quads,
    canonical_lines,
    now,
    served_lines,
)
from graph.namespaces import PREFIXES, bind_prefixes, tag_case
from graph.problems import BuildRefused, Problem
from graph.replicas import build_version_store, version_store_path
from graph.settings import Settings
from graph.sources import DATA_DIR, data_files, parse_files
from graph.store import Dataset, remote_store
from graph.update_worker import UpdateFailed, UpdateTimeout, run_update

#: Update keywords that reach outside the curated statements: the network (LOAD, SERVICE) or named graphs.
_REFUSED_WORDS = {"LOAD": "LOAD reads a document from the network",
                  "GRAPH": "the curated statements are one default graph: name no graph",
                  "WITH": "the curated statements are one default graph: name no graph",
                  "USING": "the curated statements are one default graph: name no graph",
                  "NAMED": "the curated statements are one default graph: name no graph",
                  "CREATE": "the curated statements are one default graph: create no graph",
                  "COPY": "the curated statements are one default graph: copy no graph",
                  "MOVE": "the curated statements are one default graph: move no graph",
                  "ADD": "the curated statements are one default graph: add no graph"}
#: Prefixes an update may use without declaring them: the project's, and Dublin Core terms (source documents).
UPDATE_PREFIXES = {**PREFIXES, "dcterms": "http://purl.org/dc/terms/"}
#: Upload formats of the Graph Store Protocol, parsed by Oxigraph: it fetches nothing (no external XML entity,
#: no remote JSON-LD context), whatever the document asks.
UPLOAD_FORMATS = {"text/turtle": ox.RdfFormat.TURTLE, "application/n-triples": ox.RdfFormat.N_TRIPLES,
                  "application/rdf+xml": ox.RdfFormat.RDF_XML, "application/ld+json": ox.RdfFormat.JSON_LD}
_SOURCE_NAME = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}\.txt$"


class ChangeRefused(ValueError):
    """The change breaks a rule; nothing was changed. `problems` says which rules, at which nodes."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems, key=lambda p: (p.rule, p.focus or "", p.message))
        super().__init__(f"{len(self.problems)} problem(s): " + "; ".join(p.message for p in self.problems[:5]))

    def violations(self) -> list[dict]:
        """The problems as the API lists them: rule, focus node, message."""
        return [{"rule": p.rule, "focus": p.focus, "message": p.message} for p in self.problems]


class CarryRefused(ChangeRefused):
    """Changes of an earlier build's run do not pass the checks on this build; nothing was committed."""

    def __init__(self, problems: list[Problem], run: list[Version]) -> None:
        super().__init__(problems)
        self.run = run


class ChangeConflict(ValueError):
    """The change cannot be made in the ledger's present state (a rollback to another run, say)."""


class ChangeSyntaxError(ValueError):
    """The update or the uploaded document does not parse."""


class UnsupportedMedia(ChangeSyntaxError):
    """The uploaded document is in a format the graph store does not read."""


@dataclass(frozen=True)
class Snapshot:
    """The graph as served at one version: its built N-Triples and manifest (`version` None: the plain build)."""

    version: int | None
    content_sha256: str
    ntriples: bytes
    manifest: dict


# -- operations on the curated statements --------------------------------------------------------------------

Operation = Callable[[ox.Store], None]


@dataclass(frozen=True)
class SparqlUpdate:
    """An update to run on the curated statements, in a sandboxed process under a deadline (`graph.update_worker`)."""

    text: str


def sparql_update(text: str) -> SparqlUpdate:
    """A SPARQL 1.1 Update on the curated statements; LOAD, SERVICE and named graphs refused before it runs.
    The project's prefixes (kg:, ttc:, ev:, schema:, prov:, …) are predeclared."""
    problems = []
    for kind, word in tokens(text):
        if _may_read_service(kind, word):
            problems.append(Problem("refused", f"SERVICE is refused in updates: {word!r} would make the engine reach "
                                    "the network; this service makes no outside requests"))
            continue
        # The engine reads a keyword without a word boundary (`LOAD:x` is LOAD, then `:x`; `LOADl:x` too), as it
        # does SERVICE: any word, or prefix of a prefixed name, holding a refused keyword counts.
        head = word.split(":", 1)[0].upper() if kind in ("word", "pname") else ""
        for keyword, why in _REFUSED_WORDS.items():
            if keyword in head:
                problems.append(Problem("refused", f"{keyword} is refused in updates ({word!r}): {why}"))
    if problems:
        raise ChangeRefused(sorted(set(problems)))
    return SparqlUpdate(text)


def parse_upload(body: bytes, media_type: str) -> list[ox.Quad]:
    """An uploaded RDF document as triples of the default graph, each blank node given a fresh label (so a POST
    never merges into an existing one). Named graphs are refused."""
    if media_type not in UPLOAD_FORMATS:
        raise UnsupportedMedia(f"cannot read {media_type or 'a body without Content-Type'}; send one of "
                               f"{', '.join(UPLOAD_FORMATS)}")
    fresh = uuid.uuid4().hex[:12]
    if not body.strip():
        raise ChangeSyntaxError("the document is empty; to empty the curated statements, DELETE ?default")
    if media_type == "application/rdf+xml":
        _well_formed_xml(body)  # Oxigraph returns what it read of a document cut short, as if it were whole
    try:
        quads = list(ox.parse(body, format=UPLOAD_FORMATS[media_type], without_named_graphs=True))
    except SyntaxError as exc:
        raise ChangeSyntaxError(f"the document does not parse as {media_type}: {exc}") from exc
    return [ox.Quad(*(_fresh(term, fresh) for term in (q.subject, q.predicate, q.object))) for q in quads]


def _well_formed_xml(body: bytes) -> None:
    """Refuse an XML document that is not well-formed (cut off, say). Expat reads it with no handler for external
    entities and no parameter entities, so nothing is fetched or read from disk."""
    parser = expat.ParserCreate()
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    try:
        parser.Parse(body, True)
    except expat.ExpatError as exc:
        raise ChangeSyntaxError(f"the document is not well-formed XML: {exc}") from exc


def _fresh(term, prefix: str):  # type: ignore[no-untyped-def]
    return ox.BlankNode(f"u{prefix}{term.value}") if isinstance(term, ox.BlankNode) else term


def graph_store(method: str, quads: list[ox.Quad] | None = None) -> Operation:
    """The Graph Store Protocol on the default graph: PUT replaces it, POST merges into it, DELETE empties it."""

    def run(store: ox.Store) -> None:
        if method in ("PUT", "DELETE"):
            store.clear()
        if quads:
            store.extend(quads)

    return run


# -- what the service serves -----------------------------------------------------------------------------------

class Content:
    """The build of graph/data and the versions after it; answers `snapshot()` and makes every change."""

    def __init__(self, settings: Settings, *, ntriples: bytes, manifest: dict, prebuilt: bool = False,
                 data_dir: Path = DATA_DIR, departments: tuple[Path, ...] = ()) -> None:
        self.settings, self.data_dir, self.prebuilt = settings, data_dir, prebuilt
        self.departments = departments  # folders built with graph/data (graph.departments): their statements are curated too
        self.build_ntriples, self.build_manifest = ntriples, manifest
        self.build_sha: str = manifest["content_sha256"]
        self.ledger = Ledger(state_dir(settings))
        self._snapshot = Snapshot(None, self.build_sha, ntriples, manifest)

    # -- reading -----------------------------------------------------------------------------------------------

    def run(self) -> list[Version]:
        return [] if self.prebuilt else self.ledger.run(self.build_sha)

    def head(self) -> Version | None:
        run = self.run()
        return run[-1] if run else None

    def snapshot(self) -> Snapshot:
        """The graph as served now: the latest version of this build's run (one `stat` when nothing changed)."""
        head = self.head()
        if head is None or head.content_sha256 == self._snapshot.content_sha256:
            if head is not None and self._snapshot.version != head.id:
                self._snapshot = Snapshot(head.id, head.content_sha256, self._snapshot.ntriples, self._snapshot.manifest)
            return self._snapshot
        ntriples, manifest = self._served(head)
        self._snapshot = Snapshot(head.id, head.content_sha256, ntriples, manifest)
        return self._snapshot

    def _served(self, version: Version) -> tuple[bytes, dict]:
        if version.content_sha256 == self.build_sha:
            return self.build_ntriples, self.build_manifest
        kept = self.ledger.served(version.content_sha256)
        if kept is not None:
            return kept
        built = self._build(self.ledger.curated_lines(version), version.sources)  # a pruned cache: rebuilt
        self.ledger.save_served(built.ntriples, built.manifest)
        return built.ntriples, built.manifest

    def curated_lines(self) -> set[str]:
        head = self.head()
        return self.ledger.curated_lines(head) if head is not None else set(self._base_lines())

    def curated_turtle(self) -> bytes:
        """The curated statements as Turtle with the project's prefixes (the Graph Store's default graph)."""
        graph = Graph()
        graph.parse(data="\n".join(sorted(self.curated_lines())), format="nt")
        bind_prefixes(graph)
        return graph.serialize(format="turtle", encoding="utf-8")

    # -- writing -----------------------------------------------------------------------------------------------

    def start(self) -> None:
        """At start-up: open this build's run in the ledger, if the ledger is in use (updates on, or versions
        already there). Changes made on an earlier build that graph/data does not hold are carried onto this
        build as a version of their own, or, if they no longer pass the checks, start-up stops and says how to
        export them: a rebuild never drops what staff changed without a word."""
        if self.prebuilt or not (self.settings.updates_enabled or self.ledger.exists()):
            return
        with self.ledger.writing():
            try:
                self._open_run()
            except CarryRefused as exc:
                raise SystemExit(
                    f"The graph was changed by staff after build {exc.run[0].build[:12]} (versions {exc.run[0].id}–"
                    f"{exc.run[-1].id}), and those changes do not pass the checks on the new build of graph/data:\n  "
                    + "\n  ".join(f"[{p.rule}] {p.message}" + (f" (focus: {p.focus})" if p.focus else "")
                                   for p in exc.problems[:20])
                    + f"\nExport them with `thoracic-kg export-changes --build {exc.run[0].build[:12]} -o DIR`, merge "
                    "them into graph/data by hand, rebuild and start again. Nothing was changed.") from None

    def _carried(self, previous: list[Version], base: list[str]) -> set[str] | None:
        """The new build's statements with an earlier run's changes on them, or None if it holds them already."""
        added, removed = net_change(self.ledger, previous)
        new_base = set(base)
        if added <= new_base and not (removed & new_base):
            return None  # graph/data holds every change of the earlier run
        return (new_base - removed) | added

    def change(self, operation: Operation | SparqlUpdate, *, by: str, message: str, kind: str) -> Version:
        """Apply `operation` to the curated statements and commit it, or raise ChangeRefused changing nothing."""
        self._writable()
        with self.ledger.writing():
            self._open_run()
            before = self.curated_lines()
            written = "\n".join(sorted(before)).encode("utf-8")
            if isinstance(operation, SparqlUpdate):
                result = self._updated(written, operation.text)
            else:
                store = ox.Store()
                if before:  # parsed, not bulk-loaded: the parser keeps blank node labels, the loader renames them
                    store.extend(ox.parse(written, format=ox.RdfFormat.N_TRIPLES))
                operation(store)
                result = ox.serialize(store, format=ox.RdfFormat.N_TRIPLES) or b""
            after = _canonical({_tag_case(line) for line in served_lines(result)})
            return self._commit_change(after, by=by, message=message, kind=kind, before=before)

    def _updated(self, before: bytes, text: str) -> bytes:
        try:
            return run_update(before, text, UPDATE_PREFIXES, timeout=self.settings.query_timeout)
        except UpdateTimeout as exc:
            raise ChangeRefused([Problem("deadline", f"{exc}; an update on the curated statements takes "
                                         "milliseconds: narrow its WHERE")]) from exc
        except UpdateFailed as exc:
            if exc.syntax:
                raise ChangeSyntaxError(f"the update does not parse: {exc}") from exc
            raise ChangeRefused([Problem("refused", f"the update failed: {exc}")]) from exc

    def rollback(self, target: int, *, by: str, message: str = "") -> Version:
        """Return the graph to exactly the content of version `target` (of this build's run), as a new version."""
        self._writable()
        with self.ledger.writing():
            self._open_run()
            run = {v.id: v for v in self.run()}
            if target not in run:
                known = self.ledger.ids()
                raise ChangeConflict(f"version {target} does not exist" if target not in known else
                                     f"version {target} was made on an earlier build of graph/data; a rollback "
                                     f"reaches the versions of the current build only ({min(run)}–{max(run)})")
            wanted = self.ledger.curated_lines(run[target])
            return self._commit_change(wanted, by=by, kind="rollback", rollback_of=target, sources=run[target].sources,
                                       message=message or f"rollback to version {target}")

    def add_source(self, name: str, text: bytes, *, by: str, message: str = "") -> Version:
        """Add a source document to what the graph is built with, so that evidence spans may quote it; a version
        (the build reads every source's words, so the content may change). A document once held under a name is
        never replaced: evidence may quote it; sending the same text again after a rollback brings it back."""
        self._writable()
        if not re.match(_SOURCE_NAME, name):
            raise ChangeRefused([Problem("source", f"{name!r} is no source document name: letters, digits, '.', '_' "
                                         "and '-', ending in .txt", focus=name)])
        try:
            text.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ChangeRefused([Problem("source", f"the document is not UTF-8 text: {exc}", focus=name)]) from exc
        with self.ledger.writing():
            self._open_run()
            head = self.head()
            assert head is not None
            if (self.data_dir / "source" / name).exists():
                raise ChangeConflict(f"{name} is a source document of graph/data; upload under another name")
            kept = self.ledger.sources_dir / name
            if kept.exists() and kept.read_bytes() != text:
                raise ChangeConflict(f"a source document named {name} is already held with other text; evidence "
                                     "may quote it, so it is never replaced: upload the new text under a new name")
            if name in head.sources:
                raise ChangeRefused([Problem("no-change", f"{name} is already held, with this text", focus=name)])
            if not kept.exists():
                self.ledger.keep_source(name, text)  # named by no version until the commit: not yet in effect
            digest = hashlib.sha256(text).hexdigest()
            return self._commit_change(self.curated_lines(), by=by, kind="source", source=name,
                                       sources=tuple(sorted({*head.sources, name})),
                                       message=message or f"source document {name} (sha256 {digest[:12]})")

    def curate(self, lines: set[str], source: str, text: bytes, *, by: str, message: str) -> Version:
        """Add a curator's accepted statements (N-Triples lines, `graph.propose.review`) and, unless it is held
        already, the source document they quote, as one version validated like a build: a refusal adds neither.
        A held document must have this very text (evidence quotes it); a new one is kept as `add_source` keeps it."""
        self._writable()
        if not re.match(_SOURCE_NAME, source):
            raise ChangeRefused([Problem("source", f"{source!r} is no source document name: letters, digits, '.', "
                                         "'_' and '-', ending in .txt", focus=source)])
        with self.ledger.writing():
            self._open_run()
            head = self.head()
            assert head is not None
            shipped = [self.data_dir / "source" / source,
                       *(p for p in department_sources(self.departments) if p.name == source)]
            kept = self.ledger.sources_dir / source
            held = next((p for p in shipped if p.exists()), kept if source in head.sources else None)
            if held is not None and held.read_bytes() != text:
                raise ChangeConflict(f"a source document named {source} is already held with other text; evidence "
                                     "may quote it, so it is never replaced: propose from the held text, or under "
                                     "a new name")
            sources = head.sources
            if held is None:
                if kept.exists() and kept.read_bytes() != text:
                    raise ChangeConflict(f"a source document named {source} was uploaded before with other text; "
                                         "it is never replaced: propose under a new name")
                if not kept.exists():
                    self.ledger.keep_source(source, text)  # named by no version until the commit: not yet in effect
                sources = tuple(sorted({*head.sources, source}))
            before = self.curated_lines()
            after = _canonical(before | {_tag_case(line) for line in _not_held(lines, before)})
            return self._commit_change(after, by=by, message=message, kind="curate", before=before,
                                       sources=sources, source=source if held is None else None)

    def sync_audit(self, store) -> None:  # type: ignore[no-untyped-def]
        """Give a remote server the audit trail it lacks (a fresh server, or one loaded before any change)."""
        versions = self.ledger.all()
        if not versions:
            return
        asked = f"ASK {{ GRAPH <{VERSIONS_GRAPH}> {{ <{versions[-1].iri}> ?p ?o }} }}"
        if b"true" in store.answer(asked, formats={"boolean": "json"}, dataset=Dataset(named=(VERSIONS_GRAPH,))).body:
            return
        store.add_quads("".join(audit_quads(v) for v in versions))

    def reader(self):  # type: ignore[no-untyped-def]
        """A store holding the graph as served now, for the command line: memory, the version's on-disk store
        (read-only), or the remote server (which the service keeps current)."""
        from graph.store import OxigraphStore, prepared_store

        now = self.snapshot()
        if self.settings.store == "disk":
            head = self.head()
            path = version_store_path(self.settings, self.ledger, head) if head is not None else None
            if path is not None and path.is_dir():
                return OxigraphStore(path, read_only=True)
        store = prepared_store(self.settings, ntriples=now.ntriples, content_sha256=now.content_sha256)
        if isinstance(store, OxigraphStore) and store.path is None and self.ledger.exists():  # and the audit trail
            store.apply_change((), (), "".join(audit_quads(v) for v in self.ledger.all()),
                               content_sha256=now.content_sha256)
        return store

    def export_changes(self, build_sha: str | None = None) -> tuple[bytes, bytes, list[Version]]:
        """The changes of a run (this build's, or the run that started on `build_sha`, a prefix of it will do), as
        two Turtle documents in the curated files' own form: the statements to add, and those to remove (a
        changed claim is removed whole and added whole, as its `[] a kg:Claim` block)."""
        runs = self._runs()
        wanted = [r for r in runs if r[0].build.startswith(build_sha)] if build_sha else [
            r for r in runs if r[0].build == self.build_sha]
        if not wanted:
            raise ChangeConflict(f"no run of changes on build {build_sha or self.build_sha[:12]}; "
                                 "`thoracic-kg history` lists the versions")
        run = wanted[-1]
        added, removed = net_change(self.ledger, run) if len(run) > 1 else (set(), set())
        return _turtle(added, "add to graph/data"), _turtle(removed, "remove from graph/data"), run

    def _runs(self) -> list[list[Version]]:
        runs: list[list[Version]] = []
        for version in self.ledger.all():
            if version.kind == "build" or not runs:
                runs.append([])
            runs[-1].append(version)
        return runs

    def _writable(self) -> None:
        if self.prebuilt:
            raise ChangeConflict("this server serves a prebuilt graph file (TKG_GRAPH_FILE), not the curated "
                                 "statements of graph/data: it takes no changes")

    def _open_run(self) -> None:
        """Start this build's run in the ledger unless it is open (under the writer's lock): its build record, and
        the earlier build's changes carried over. Every writer does it first, the command line's as the server's."""
        run = self.ledger.run(self.build_sha)
        if len(run) > 1:
            return
        base = self.ledger.save_base(self.build_sha, self._curated_graph())
        runs = self._runs()
        previous = (runs[-2] if len(runs) > 1 else []) if run else (runs[-1] if runs else [])
        carried = self._carried(previous, base) if previous else None
        if run and carried is None:
            return  # open, and nothing of the earlier run to carry
        built = None
        sources = previous[-1].sources if previous else ()
        if carried is not None:  # checked before anything is committed: a refusal leaves the ledger as it was
            try:
                built = self._build(carried, sources)
            except ChangeRefused as exc:
                raise CarryRefused(exc.problems, previous) from None
        if not run:
            self._commit_build_record(previous[-1].content_sha256 if previous else None)
        if carried is not None:  # also when a crash came between the build record and this: the next writer carries
            self._commit_change(carried, by="system", kind="carry", built=built, sources=sources,
                                message=f"changes made on build {previous[0].build[:12]} (versions "
                                        f"{previous[0].id}–{previous[-1].id}) carried onto this build")

    def _commit_build_record(self, parent: str | None) -> Version:
        record = Version(self.ledger.next_id(), now(), "build", f"built from graph/data "
                         f"({self.build_manifest.get('triples', '?')} triples)", "build", self.build_sha, parent,
                         self.build_sha)
        self._apply_to_store(record, None)
        return self.ledger.commit(record)

    def _commit_change(self, after: set[str], *, by: str, message: str, kind: str, before: set[str] | None = None,
                       rollback_of: int | None = None, built: Built | None = None,
                       sources: tuple[str, ...] | None = None, source: str | None = None) -> Version:
        head = self.head()
        assert head is not None
        before = self.curated_lines() if before is None else before
        sources = head.sources if sources is None else sources
        added, removed = sorted(after - before), sorted(before - after)
        if not added and not removed and sources == head.sources:
            raise ChangeRefused([Problem("no-change", "the change leaves the curated statements (and the source "
                                         "documents) as they are now; a triple the build derives (from a claim, or "
                                         "an entailment) changes only through the claim it comes from")])
        _check_literals(added)
        built = built or self._build(after, sources)
        old = served_lines(self._served(head)[0])
        new = served_lines(built.ntriples)
        version = Version(self.ledger.next_id(), now(), by, message, kind, self.build_sha, head.content_sha256,
                          built.manifest["content_sha256"], tuple(added), tuple(removed),
                          tuple(sorted(new - old)), tuple(sorted(old - new)), rollback_of=rollback_of, source=source,
                          sources=sources)
        self.ledger.save_served(built.ntriples, built.manifest)
        self._apply_to_store(version, head)
        return self.ledger.commit(version)

    def _build(self, lines: set[str], sources: tuple[str, ...] = ()) -> Built:
        """The build of a set of curated statements against every source document: refused with its problems."""
        with tempfile.TemporaryDirectory(prefix="tkg-change-") as work:
            root = Path(work)
            (root / "source").mkdir()
            for path in [*sorted((self.data_dir / "source").glob("*.txt")), *department_sources(self.departments),
                         *self.ledger.source_files(sources)]:
                shutil.copyfile(path, root / "source" / path.name)
            data = root / "curated.ttl"  # N-Triples lines under the project's prefixes: problems name kg:, ttc:, …
            declared = "".join(f"@prefix {name}: <{iri}> .\n" for name, iri in PREFIXES.items())
            data.write_text(declared + "\n".join(sorted(lines)) + "\n", encoding="utf-8")
            try:
                built = build(Inputs(data=(data,), source_dir=root / "source"))
            except BuildRefused as exc:
                raise ChangeRefused([Problem(p.rule, p.message, focus=p.focus) for p in exc.problems]) from exc
        built.manifest.pop("inputs", None)
        built.manifest.pop("input_fingerprint", None)
        built.manifest["build"] = self.build_sha
        return built

    def _apply_to_store(self, version: Version, head: Version | None) -> None:
        """Prepare the store for the commit: a new on-disk store directory, or the change sent to the remote
        server (a build record: its audit only). Memory workers need nothing: they replay committed versions."""
        if self.settings.store == "disk":
            build_version_store(self.settings, self.ledger, version, head)
        elif self.settings.store == "remote":
            store = remote_store(self.settings)
            try:
                store.forget(version.iri, VERSIONS_GRAPH, audit_graphs(version))  # a failed earlier attempt's
                held = store.content_sha256()
                if version.kind == "build":
                    store.add_quads(audit_quads(version))
                elif held == (head.content_sha256 if head is not None else self.build_sha):
                    store.apply_change(version.served_removed, version.served_added, audit_quads(version),
                                       content_sha256=version.content_sha256, ntriples=self._served(version)[0])
                else:  # the server is not at the version the change starts from (a change sent, never committed)
                    store.replace(self._served(version)[0], content_sha256=version.content_sha256)
                    store.add_quads(audit_quads(version))
            finally:
                store.close()

    def _base_lines(self) -> list[str]:
        path = self.ledger.base_path(self.build_sha)
        return self.ledger.base_lines(self.build_sha) if path.exists() else canonical_lines(self._curated_graph())

    def _curated_graph(self) -> Graph:
        parsed = parse_files([*data_files(self.data_dir), *department_data(self.departments)])
        return parsed.merged()


def _canonical(lines: set[str]) -> set[str]:
    """The statements with their blank nodes labelled by content (`canonical_lines`): the curated statements are
    always kept so, so that a change is what differs in content, whatever labels an update or an upload gave its
    blank nodes (a PUT of the same document changes nothing; a claim whose status changes is one claim removed and
    one added)."""
    graph = Graph()
    graph.parse(data="\n".join(sorted(lines)), format="nt")
    return set(canonical_lines(graph))


def _not_held(lines: set[str], held: set[str]) -> set[str]:
    """`lines` without the blank-node structures `held` already has (a claim accepted twice is one claim): a blank
    node whose statements, nested blank nodes and the statements pointing to it are all held is left out."""
    new, old = Graph(), Graph()
    new.parse(data="\n".join(sorted(lines)), format="nt")
    old.parse(data="\n".join(sorted(held)), format="nt")
    kept = {_shape(old, node) for node in set(old.subjects()) if isinstance(node, BNode)}
    dropped: set = set()
    for node in {n for n in new.subjects() if isinstance(n, BNode)}:
        if _shape(new, node) in kept:
            dropped |= _nested(new, node)
    kept_new = Graph()
    for s, p, o in new:
        if s not in dropped and o not in dropped:
            kept_new.add((s, p, o))
    return set(served_lines(kept_new.serialize(format="nt", encoding="utf-8")))


def _signature(graph: Graph, node: BNode) -> frozenset:
    return frozenset((p, _signature(graph, o) if isinstance(o, BNode) else o) for p, o in graph.predicate_objects(node))


def _shape(graph: Graph, node: BNode) -> tuple:
    return _signature(graph, node), frozenset((s if not isinstance(s, BNode) else None, p)
                                              for s, p in graph.subject_predicates(node))


def _nested(graph: Graph, node: BNode) -> set:
    found = {node}
    for obj in graph.objects(node, None):
        if isinstance(obj, BNode) and obj not in found:
            found |= _nested(graph, obj)
    return found


_TAG = re.compile(r'"@([A-Za-z]+(?:-[A-Za-z0-9]+)*) \.$')


def _tag_case(line: str) -> str:
    """A line with its language tag in the conventional case (`zh-Hans`, `en-GB`) that the curated files use:
    Oxigraph writes tags in lower case, and the same literal must give the same line on both sides of a change.

    Example:
        >>> _tag_case('<urn:a> <urn:b> "x"@zh-hans .')
        '<urn:a> <urn:b> "x"@zh-Hans .'
    """
    found = _TAG.search(line)
    if found is None:
        return line
    return line[:found.start(1)] + tag_case(found.group(1)) + line[found.end(1):]


def _check_literals(lines: list[str]) -> None:
    """Refuse a literal that is not of its datatype ("abc"^^xsd:integer): every later build would trip on it."""
    graph = Graph()
    graph.parse(data="\n".join(lines), format="nt")
    bad = [(s, o) for s, _, o in graph if isinstance(o, Literal) and o.ill_typed]
    if bad:
        raise ChangeRefused([Problem("literal", f"{str(o)!r} is not a valid {graph.qname(str(o.datatype))} value",
                                     focus=str(s)) for s, o in bad])


def _turtle(lines: set[str], what: str) -> bytes:
    graph = Graph()
    graph.parse(data="\n".join(sorted(lines)), format="nt")
    bind_prefixes(graph)
    header = (f"# Statements to {what}, written by `thoracic-kg export-changes`: {len(lines)} triple(s).\n"
              "# A claim is a blank node `[] a kg:Claim ...`: a changed claim appears whole in both files.\n")
    return header.encode("utf-8") + graph.serialize(format="turtle", encoding="utf-8")


def open_content(settings: Settings) -> Content:
    """The service's content for these settings: the build of graph/data (reused when current) or the prebuilt
    file, with the ledger; not yet started."""
    from graph.departments import served_build, served_folders

    ntriples, manifest = served_build(settings)
    return Content(settings, ntriples=ntriples, manifest=manifest, prebuilt=settings.graph_file is not None,
                   departments=served_folders(settings))


def net_change(ledger: Ledger, run: list[Version]) -> tuple[set[str], set[str]]:
    """What a run of versions changed, as canonical lines: (added, removed) between its base and its head."""
    base = set(ledger.base_lines(run[0].build))
    head = _canonical(ledger.curated_lines(run[-1]))
    return head - base, base - head


def state_dir(settings: Settings) -> Path:
    return settings.state_dir or settings.build_dir / "state"


__all__ = [
    "UPLOAD_FORMATS",
    "ChangeConflict",
    "ChangeRefused",
    "ChangeSyntaxError",
    "Content",
    "Snapshot",
    "UnsupportedMedia",
    "graph_store",
    "net_change",
    "open_content",
    "parse_upload",
    "sparql_update",
    "state_dir",
]
