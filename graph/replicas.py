"""How the embedded stores follow the ledger: a store directory per version on disk, replay in memory.

- On disk (store=disk) the query workers of every HTTP process share one store, read-only; RocksDB does not
  allow one process to write what others read. So each version gets its own directory, `stores/{id}`: a
  checkpoint of the previous one (hard links, milliseconds at any size) with the version's triples applied,
  made before the version is committed. A worker that sees a newer version opens its directory and drops the
  old; old directories are removed once a few newer ones exist.
- In memory (store=memory) each worker holds its own copy: it replays, before its next query, every version
  committed since its last one. A query therefore runs on one version, whole; none sees half a change.

Imports `graph.store` and `graph.ledger`.
"""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

from graph.ledger import Ledger, Version, audit_quads
from graph.settings import Settings
from graph.store import Limits, OxigraphStore, worker_store

log = logging.getLogger("thoracic_kg.replicas")
#: Version store directories kept besides the newest (a worker still on one of them finishes its query).
KEEP_STORES = 4


def version_store_path(settings: Settings, ledger: Ledger, version: Version | None) -> Path:
    """The directory holding the graph of `version` on disk (the build's own store while no version exists)."""
    assert settings.store_path is not None
    return settings.store_path if version is None else ledger.stores_dir / f"{version.id:06d}"


def build_version_store(settings: Settings, ledger: Ledger, version: Version, head: Version | None) -> None:
    """Make the on-disk store of `version` from that of `head` (the build's store if None, adding the audit trail
    of every earlier version then); the directory appears whole, by rename, before the version is committed."""
    source = version_store_path(settings, ledger, head)
    if head is not None and not source.is_dir():  # never made (a crash before a commit), or removed: from the build
        source, head = version_store_path(settings, ledger, None), None
    target = version_store_path(settings, ledger, version)
    work = target.with_name(target.name + ".tmp")
    shutil.rmtree(work, ignore_errors=True)
    ledger.stores_dir.mkdir(parents=True, exist_ok=True)
    reader = OxigraphStore(source, read_only=True)
    try:
        reader.backup(work)
    finally:
        reader.close()
    store = OxigraphStore(work)
    try:
        if head is None:  # from the build: this run's versions so far replayed, and every earlier version's audit
            run = [] if version.kind == "build" else [v for v in ledger.run(version.build) if v.id < version.id]
            audit = "".join(audit_quads(earlier) for earlier in ledger.all() if earlier.id < version.id)
            store.apply_change((), (), audit, content_sha256=version.build)
            for earlier in run:
                if earlier.kind != "build":
                    store.apply_change(earlier.served_removed, earlier.served_added, "",
                                       content_sha256=earlier.content_sha256)
        store.apply_change(version.served_removed, version.served_added, audit_quads(version),
                           content_sha256=version.content_sha256)
    finally:
        store.close()
    shutil.rmtree(target, ignore_errors=True)
    work.rename(target)
    _prune(ledger, keep_from=version.id - KEEP_STORES)


def _prune(ledger: Ledger, *, keep_from: int) -> None:
    for directory in ledger.stores_dir.iterdir():
        name = directory.name
        if name.isdigit() and int(name) < keep_from:
            shutil.rmtree(directory, ignore_errors=True)


class Follower:
    """A query worker's store, kept at the ledger's latest version of its build's run."""

    def __init__(self, settings: Settings, graph_path: Path | None, *, build_sha: str, ledger_dir: Path | None,
                 limits: Limits) -> None:
        self.settings, self.graph_path, self.build_sha, self.limits = settings, graph_path, build_sha, limits
        self.ledger = Ledger(ledger_dir) if ledger_dir is not None else None
        self.at: int | None = None  # the version the store holds (None: the build, no version)
        self.store = self._open()

    def _run(self) -> list[Version]:
        return self.ledger.run(self.build_sha) if self.ledger is not None else []

    def _open(self) -> OxigraphStore:
        run = self._run()
        if self.settings.store == "disk":
            head = run[-1] if run else None
            path = version_store_path(self.settings, self.ledger, head) if head is not None and self.ledger else None
            if path is not None and path.is_dir():
                self.at = head.id if head else None
                return OxigraphStore(path, read_only=True, limits=self.limits)
            return worker_store(self.settings, self.graph_path, content_sha256=self.build_sha, limits=self.limits)
        store = worker_store(self.settings, self.graph_path, content_sha256=self.build_sha, limits=self.limits)
        if self.ledger is not None:
            last = run[-1].id if run else None
            audit = "".join(audit_quads(v) for v in self.ledger.all() if last is None or v.id <= last)
            store.apply_change((), (), audit, content_sha256=self.build_sha)  # the audit trail of every run
        self._replay(store, run)
        return store

    def _replay(self, store: OxigraphStore, run: list[Version]) -> None:
        for version in run:
            if self.at is not None and version.id <= self.at:
                continue
            if version.kind != "build":
                store.apply_change(version.served_removed, version.served_added, "",
                                   content_sha256=version.content_sha256)
            self.at = version.id

    def current(self) -> OxigraphStore:
        """The store at the latest committed version (one `stat` of the ledger when nothing changed)."""
        if self.ledger is None:
            return self.store
        ids = self.ledger.ids()
        if not ids or (self.at is not None and ids[-1] <= self.at):
            return self.store
        run = self._run()
        if not run or (self.at is not None and run[-1].id <= self.at):
            return self.store
        if self.settings.store == "disk":
            path = version_store_path(self.settings, self.ledger, run[-1])
            if path.is_dir():
                fresh = OxigraphStore(path, read_only=True, limits=self.limits)
                self.store.close()
                self.store, self.at = fresh, run[-1].id
            return self.store
        new = [v for v in run if self.at is None or v.id > self.at]
        for version in new:
            self.store.apply_change(() if version.kind == "build" else version.served_removed,
                                    () if version.kind == "build" else version.served_added,
                                    audit_quads(version), content_sha256=version.content_sha256)
            self.at = version.id
        return self.store


__all__ = ["KEEP_STORES", "Follower", "build_version_store", "version_store_path"]
