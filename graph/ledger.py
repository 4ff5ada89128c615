"""The ledger: every change staff make to the curated statements, as numbered versions on disk.

The build of `graph/data` is where a run of changes starts. Each accepted change is one version, written whole
into `versions/` by an atomic rename (the commit): who, when, a message, the curated statements added and
removed, the built graph's content hash before and after, and what the stores must change (the built triples
added and removed). What a version's graph holds is always the build it started from plus the versions after
it, so the ledger, not any store, is the truth: a store that missed a commit (a crash, a server down) is
brought up to date from it.

    state/                       settings.state_dir (default build/state)
      versions/000001.json       one per version; the file's arrival is the commit
      base/{build sha}.nt        the curated statements of a build, blank nodes labelled canonically
      served/{sha}.nt, .json     the built graph and manifest of a version (a cache: rebuilt when missing)
      sources/{name}             source documents uploaded by staff
      stores/{sha}/              the on-disk store of a version (store=disk)
      lock                       held while a change is made: one writer at a time, across processes

Readers never take the lock: a version file is complete when it appears, and `head()` costs one `stat` while
nothing changes. Imports rdflib and the standard library.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import PROV, RDF, RDFS, XSD

from graph.canonical import to_canonical_graph
from graph.namespaces import BASE, KG

#: The named graph of the audit trail (one PROV activity per version), and the IRIs of versions and agents.
VERSIONS_GRAPH = f"{BASE}graph/versions"
VERSION_IRI = f"{BASE}version/"
AGENT_IRI = f"{BASE}agent/"
_VERSION_FILE = re.compile(r"^(\d{6,})\.json$")
#: Kinds of version; `build` starts a run of changes (it changes nothing itself).
KINDS = ("build", "update", "graph-store", "rollback", "source", "carry", "curate")


@dataclass(frozen=True)
class Version:
    """One committed version. `added`/`removed` are curated statements as N-Triples lines; `served_*` the lines
    of the built graph that changed with them."""

    id: int
    at: str
    by: str
    message: str
    kind: str
    build: str
    parent_sha256: str | None
    content_sha256: str
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    served_added: tuple[str, ...] = ()
    served_removed: tuple[str, ...] = ()
    rollback_of: int | None = None
    source: str | None = None
    #: The uploaded source documents the graph is built with at this version (graph/data's own always are): a
    #: source is content, since the build reads its words; a rollback returns to the sources of its target too.
    sources: tuple[str, ...] = ()

    @property
    def iri(self) -> str:
        return f"{VERSION_IRI}{self.id}"

    def summary(self) -> dict:
        """What `GET /api/versions` lists for it."""
        return {"id": self.id, "at": self.at, "by": self.by, "message": self.message, "kind": self.kind,
                "added": len(self.added), "removed": len(self.removed), "content_sha256": self.content_sha256,
                "parent_sha256": self.parent_sha256, "build": self.build, "rollback_of": self.rollback_of,
                "source": self.source, "sources": list(self.sources)}

    def to_json(self) -> bytes:
        return json.dumps(asdict(self), ensure_ascii=False, indent=1).encode("utf-8")

    @classmethod
    def from_json(cls, data: bytes) -> Version:
        raw = json.loads(data)
        for name in ("added", "removed", "served_added", "served_removed", "sources"):
            raw[name] = tuple(raw.get(name, ()))
        return cls(**raw)


def now() -> str:
    """The time of a version: UTC, to the second, ISO 8601."""
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _fsynced_write(path: Path, data: bytes) -> None:
    """Write `data` to `path` whole or not at all: a temporary file, flushed to disk, renamed, the rename synced."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(temporary, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


@dataclass
class Ledger:
    """The versions under `directory`, read without locks and written under one."""

    directory: Path
    _listing: tuple[int, tuple[int, ...]] | None = field(default=None, repr=False)
    _cache: dict[int, Version] = field(default_factory=dict, repr=False)
    _runs: dict[str, tuple[tuple[int, ...], list[Version]]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self.directory = Path(self.directory)

    @property
    def versions_dir(self) -> Path:
        return self.directory / "versions"

    @property
    def sources_dir(self) -> Path:
        return self.directory / "sources"

    @property
    def stores_dir(self) -> Path:
        return self.directory / "stores"

    def exists(self) -> bool:
        """Whether any version was ever committed here."""
        return bool(self.ids())

    def ids(self) -> tuple[int, ...]:
        """The committed versions' ids, oldest first. Versions are numbered without gaps and never removed, so
        while the next one's file does not exist the listing stands: one `stat` per call (a directory's mtime
        would do only to the file system's clock tick, and two commits may share one).

        Safe across the threads of one HTTP process: the listing is read once, as a commit in another thread may
        reset it between two reads (that race answered a reader 500 during writes)."""
        listing = self._listing
        if listing is not None:
            if not (self.versions_dir / f"{listing[0] + 1:06d}.json").exists():
                return listing[1]
        try:
            names = os.listdir(self.versions_dir)
        except FileNotFoundError:
            return ()
        found = tuple(sorted(int(m.group(1)) for m in map(_VERSION_FILE.match, names) if m))
        self._listing = (found[-1] if found else 0, found)
        return found

    def get(self, version_id: int) -> Version:
        """One version (KeyError if there is none of that id)."""
        if version_id not in self._cache:
            try:
                data = (self.versions_dir / f"{version_id:06d}.json").read_bytes()
            except FileNotFoundError:
                raise KeyError(version_id) from None
            self._cache[version_id] = Version.from_json(data)
        return self._cache[version_id]

    def all(self) -> list[Version]:
        return [self.get(i) for i in self.ids()]

    def head(self) -> Version | None:
        """The latest committed version, or None if there is none."""
        ids = self.ids()
        return self.get(ids[-1]) if ids else None

    def run(self, build_sha: str) -> list[Version]:
        """The versions of the current run on build `build_sha`: its build record and every version after it,
        or [] if the ledger's latest run started on another build (or none did). Read again only when a version
        was committed (each request asks)."""
        ids = self.ids()
        known = self._runs.get(build_sha)
        if known is not None and known[0] is ids:
            return known[1]
        run = self._run(build_sha)
        self._runs[build_sha] = (ids, run)
        return run

    def _run(self, build_sha: str) -> list[Version]:
        versions = self.all()
        for index in range(len(versions) - 1, -1, -1):
            if versions[index].kind == "build":
                return versions[index:] if versions[index].build == build_sha else []
        return []

    def run_of(self, version: Version) -> list[Version]:
        """The versions of the run `version` belongs to, from its build record up to `version` itself."""
        ids = [i for i in self.ids() if i <= version.id]
        run: list[Version] = []
        for version_id in reversed(ids):
            run.append(self.get(version_id))
            if run[-1].kind == "build":
                break
        return run[::-1]

    @contextlib.contextmanager
    def writing(self) -> Iterator[None]:
        """Hold the writer's lock (blocking) for one change, across every process using this directory."""
        self.versions_dir.mkdir(parents=True, exist_ok=True)
        with open(self.directory / "lock", "a+b") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def next_id(self) -> int:
        ids = self.ids()
        return ids[-1] + 1 if ids else 1

    def commit(self, version: Version) -> Version:
        """Make `version` part of history (call under `writing()`); it must be the next id."""
        if version.id != self.next_id():
            raise RuntimeError(f"version {version.id} is not the next one ({self.next_id()})")
        _fsynced_write(self.versions_dir / f"{version.id:06d}.json", version.to_json())
        self._listing = None
        return version

    # -- what a version holds ----------------------------------------------------------------------------------

    def base_path(self, build_sha: str) -> Path:
        return self.directory / "base" / f"{build_sha}.nt"

    def save_base(self, build_sha: str, curated: Graph) -> list[str]:
        """Keep the curated statements of a build, blank nodes labelled canonically; returns the lines."""
        lines = canonical_lines(curated)
        path = self.base_path(build_sha)
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            _fsynced_write(path, ("\n".join(lines) + "\n").encode("utf-8"))
        return lines

    def base_lines(self, build_sha: str) -> list[str]:
        return [line for line in self.base_path(build_sha).read_text(encoding="utf-8").splitlines() if line]

    def curated_lines(self, version: Version) -> set[str]:
        """The curated statements at `version`: its run's base with every change of the run up to it replayed."""
        run = self.run_of(version)
        lines = set(self.base_lines(version.build))
        for step in run:
            lines.difference_update(step.removed)
            lines.update(step.added)
        return lines

    def served_path(self, content_sha256: str) -> Path:
        return self.directory / "served" / f"{content_sha256}.nt"

    def save_served(self, ntriples: bytes, manifest: dict) -> None:
        path = self.served_path(manifest["content_sha256"])
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists():
            _fsynced_write(path, ntriples)
        _fsynced_write(path.with_suffix(".json"), json.dumps(manifest, indent=1, sort_keys=True).encode())

    def served(self, content_sha256: str) -> tuple[bytes, dict] | None:
        """The built graph and manifest of a content hash, if kept."""
        path = self.served_path(content_sha256)
        try:
            return path.read_bytes(), json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None

    def source_files(self, names: tuple[str, ...]) -> list[Path]:
        """The uploaded source documents of these names."""
        return [self.sources_dir / name for name in sorted(names)]

    def keep_source(self, name: str, text: bytes) -> None:
        """Store an uploaded source document whole (a crash leaves none or all of it; no version names it yet)."""
        self.sources_dir.mkdir(parents=True, exist_ok=True)
        _fsynced_write(self.sources_dir / name, text)


def canonical_lines(graph: Graph) -> list[str]:
    """A graph's triples as sorted N-Triples lines, its blank nodes given canonical labels (the same graph
    always gives the same lines, whichever parse its blank nodes came from)."""
    text = to_canonical_graph(graph).serialize(format="nt", encoding="utf-8").decode("utf-8")
    return sorted(line for line in text.splitlines() if line.strip())


def served_lines(ntriples: bytes) -> set[str]:
    return {line for line in ntriples.decode("utf-8").splitlines() if line.strip() and not line.startswith("#")}


def audit_quads(version: Version) -> str:
    """The version as PROV, in N-Quads: the activity and its figures in the versions graph, its added and removed
    curated statements each in a graph of their own (`…/version/N/added`, `…/removed`)."""
    graph = Graph()
    activity, agent = URIRef(version.iri), URIRef(AGENT_IRI + _agent_path(version.by))
    add = graph.add
    add((activity, RDF.type, PROV.Activity))
    add((activity, RDF.type, KG.Version))
    add((activity, RDFS.label, Literal(f"version {version.id}", lang="en")))
    add((activity, RDFS.label, Literal(f"版本 {version.id}", lang="zh-Hans")))
    add((activity, PROV.startedAtTime, Literal(version.at, datatype=XSD.dateTime)))
    add((activity, PROV.wasAssociatedWith, agent))
    add((agent, RDF.type, PROV.Agent))
    add((agent, RDFS.label, Literal(version.by)))
    if version.message:
        add((activity, RDFS.comment, Literal(version.message)))
    add((activity, KG.changeKind, Literal(version.kind)))
    add((activity, KG.statementsAdded, Literal(len(version.added))))
    add((activity, KG.statementsRemoved, Literal(len(version.removed))))
    add((activity, KG.contentAfter, Literal(version.content_sha256)))
    if version.parent_sha256:
        add((activity, KG.contentBefore, Literal(version.parent_sha256)))
    if version.id > 1:
        add((activity, PROV.wasInformedBy, URIRef(f"{VERSION_IRI}{version.id - 1}")))
    if version.rollback_of is not None:
        add((activity, KG.rollbackOf, URIRef(f"{VERSION_IRI}{version.rollback_of}")))
    added, removed = URIRef(f"{version.iri}/added"), URIRef(f"{version.iri}/removed")
    built_added, built_removed = URIRef(f"{version.iri}/built-added"), URIRef(f"{version.iri}/built-removed")
    add((activity, KG.addedStatements, added))
    add((activity, KG.removedStatements, removed))
    add((activity, KG.addedTriples, built_added))
    add((activity, KG.removedTriples, built_removed))
    for name in version.sources:
        add((activity, KG.withSource, Literal(name)))
    lines = [f"{line[:-1].rstrip()} <{VERSIONS_GRAPH}> ." for line in
             graph.serialize(format="nt", encoding="utf-8").decode("utf-8").splitlines() if line.strip()]
    for target, statements in ((added, version.added), (removed, version.removed),
                               (built_added, version.served_added), (built_removed, version.served_removed)):
        lines += [f"{line[:-1].rstrip()} <{target}> ." for line in statements]
    return "\n".join(lines) + "\n"


def audit_graphs(version: Version) -> tuple[str, ...]:
    """The named graphs a version's audit record fills besides its activity in the versions graph."""
    return tuple(f"{version.iri}/{part}" for part in ("added", "removed", "built-added", "built-removed"))


def _agent_path(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._~-]", lambda m: "%" + "%".join(f"{b:02X}" for b in m.group().encode()), name)


__all__ = [
    "AGENT_IRI",
    "KINDS",
    "VERSIONS_GRAPH",
    "VERSION_IRI",
    "Ledger",
    "Version",
    "audit_graphs",
    "audit_quads",
    "canonical_lines",
    "now",
    "served_lines",
]
