"""Queries run in worker processes, so that a deadline really stops the work and a crash stays contained.

Each worker holds its own copy of the graph (see `graph.store.worker_store`) and answers one request
at a time over a pipe. The pool hands a request to an idle worker and waits until the request's
deadline; past it, the worker is killed (its CPU is freed at once, which no thread-based timeout can
do while the engine is inside Rust) and a fresh one starts in the background, while the other workers
go on serving. A worker that dies mid-query (the engine's stack overflowing on a pathological query,
say) is replaced the same way, and the client gets a plain error instead of a dropped service.
A worker has no network at all (`graph.sandbox`): whatever a query asks the engine, it reaches nothing.

Imports `graph.store`, `graph.sandbox` and the standard library only.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import queue
import signal
import threading
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from rdflib.term import Node

from graph.ledger import Ledger
from graph.replicas import Follower
from graph.sandbox import Confinement, forbid_network
from graph.settings import Settings
from graph.store import (
    Answer,
    Bindings,
    Dataset,
    Limits,
    QueryRejected,
    QueryTimeout,
    ResultKind,
    Store,
    StoreUnavailable,
    disk_store_holds,
    prepared_store,
)

log = logging.getLogger("thoracic_kg.workers")
_CONTEXT = multiprocessing.get_context("spawn")  # fork() of a threaded server process is unsafe
_START_SECONDS = 300.0  # loading a large graph into a fresh worker may take a while
_LEAST_SECONDS = 0.05  # a request that gets a worker with less time left than this is not sent to it


class EngineFailure(RuntimeError):
    """The worker running the query died; a fresh one replaces it."""


class WorkersBusy(QueryTimeout):
    """Every query worker stayed busy for the whole deadline; the same request may well succeed in a moment."""


@dataclass(frozen=True)
class WorkerSpec:
    """What a worker needs to open its own copy of the graph (picklable: it crosses a process boundary)."""

    settings: Settings
    graph_path: Path | None
    content_sha256: str
    limits: Limits
    #: The ledger of staff changes the worker follows (`graph.replicas.Follower`), if updates are in use.
    ledger_dir: Path | None = None


def _serve(spec: WorkerSpec, conn: Connection) -> None:
    """A worker's whole life: cut itself off the network, open the store, say ready, then answer requests until
    the pipe closes.

    Ctrl+C in a terminal reaches every process of the group; a worker ignores it (the server it belongs to
    shuts down and stops its workers), so one keypress prints no traceback per worker."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        _answer_requests(spec, conn)
    except KeyboardInterrupt:  # only if SIGINT came before the line above ran
        return


def _answer_requests(spec: WorkerSpec, conn: Connection) -> None:
    confinement = forbid_network()  # before the store exists: no query ever runs with the network reachable
    try:
        follower = Follower(spec.settings, spec.graph_path, build_sha=spec.content_sha256, ledger_dir=spec.ledger_dir,
                            limits=spec.limits)
    except Exception as exc:  # noqa: BLE001 - reported to the parent, which logs it
        conn.send(("failed", f"{type(exc).__name__}: {exc}"))
        return
    conn.send(("ready", confinement))
    while True:
        try:
            operation, args, kwargs = conn.recv()
        except EOFError:
            return
        try:
            store = follower.current()  # every version committed so far, before this query runs
            conn.send(("ok", getattr(store, operation)(*args, **kwargs)))
        except (ValueError, StoreUnavailable) as exc:  # the domain errors: bad query, capped result, store down
            conn.send(("error", exc))
        except PermissionError as exc:  # the sandbox refused the engine the network (SERVICE, LOAD past the guard)
            conn.send(("error", QueryRejected(f"the query asks the engine to reach the network, which query workers "
                                              f"cannot do ({exc}); this service makes no outside requests")))
        except Exception as exc:  # noqa: BLE001 - anything else is reported, and the worker lives on
            conn.send(("failed", f"{type(exc).__name__}: {exc}"))


@contextlib.contextmanager
def _sigint_ignored() -> Iterator[None]:
    """Ignore SIGINT while a worker is started (main thread only: elsewhere signals cannot be changed)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


class _Worker:
    def __init__(self, spec: WorkerSpec) -> None:
        self.conn, child = _CONTEXT.Pipe()
        self.process = _CONTEXT.Process(target=_serve, args=(spec, child), daemon=True, name="tkg-query-worker")
        with _sigint_ignored():  # the child inherits it, so a Ctrl+C while it imports prints nothing either
            self.process.start()
        child.close()
        self.confinement: Confinement | None = None

    def wait_ready(self) -> None:
        if not self.conn.poll(_START_SECONDS):
            self.stop()
            raise StoreUnavailable(f"a query worker did not load the graph in {_START_SECONDS:g} s")
        try:
            status, detail = self.conn.recv()
        except EOFError:
            status, detail = "failed", f"exited with code {self.process.exitcode}"
        if status != "ready":
            self.stop()
            raise StoreUnavailable(f"a query worker could not open the graph: {detail}")
        self.confinement = detail

    def stop(self) -> None:
        self.process.kill()
        self.process.join(timeout=10)
        self.conn.close()


class WorkerPool(Store):
    """A read-only Store whose queries run in `size` worker processes under a deadline of `timeout` seconds.

    The deadline counts from the moment the request reaches the pool, waiting for a free worker included.
    """

    def __init__(self, spec: WorkerSpec, *, size: int, timeout: float) -> None:
        self.spec, self.size, self.timeout = spec, size, timeout
        self._ledger = Ledger(spec.ledger_dir) if spec.ledger_dir is not None else None
        self._idle: queue.SimpleQueue[_Worker] = queue.SimpleQueue()
        self._closed = False
        self._workers: set[_Worker] = set()
        self._lock = threading.Lock()
        self._ready = size  # workers that hold the graph (idle or busy); the others are being replaced
        self._broken = False  # the last attempt to start a replacement failed
        starting = [self._spawn() for _ in range(size)]
        try:
            for worker in starting:
                worker.wait_ready()
        except StoreUnavailable:
            for worker in starting:
                self._retire(worker)
            raise
        for worker in starting:
            self._idle.put(worker)
        #: How the workers are cut off the network (the same for all: one platform, one code path).
        self.confinement = starting[0].confinement

    def _spawn(self) -> _Worker:
        with self._lock:
            if self._closed:
                raise StoreUnavailable("the query pool is closed")
            worker = _Worker(self.spec)
            self._workers.add(worker)
        return worker

    def _retire(self, worker: _Worker) -> None:
        worker.stop()
        with self._lock:
            self._workers.discard(worker)

    def _call(self, operation: str, *args: Any, **kwargs: Any) -> Any:
        if self._ready == 0 and self._broken:
            raise StoreUnavailable("no query worker is running: starting them failed (see the server log)")
        deadline = time.monotonic() + self.timeout
        try:
            worker = self._idle.get(timeout=self.timeout)
        except queue.Empty:
            raise WorkersBusy(f"every query worker stayed busy for the whole {self.timeout:g} s deadline; "
                              "try again shortly") from None
        if deadline - time.monotonic() < _LEAST_SECONDS:  # no time left to run it: the worker stays healthy
            self._idle.put(worker)
            raise WorkersBusy(f"every query worker stayed busy for the whole {self.timeout:g} s deadline; "
                              "try again shortly")
        try:
            worker.conn.send((operation, args, kwargs))
            finished = worker.conn.poll(max(0.0, deadline - time.monotonic()))
            status, payload = worker.conn.recv() if finished else ("late", None)
        except Exception:  # noqa: BLE001 - a broken pipe or a garbled message: that worker cannot be trusted
            status, payload = "died", None
        if status == "late":
            self._replace(worker)
            raise QueryTimeout(f"the query ran past the {self.timeout:g} s deadline and was stopped; "
                               "narrow it (more specific patterns, LIMIT) and try again")
        if status == "died":
            self._replace(worker)
            raise EngineFailure("the query engine stopped while running this query (it may be too deeply "
                                "nested or otherwise pathological); the service itself is still up")
        self._idle.put(worker)
        if status == "error" and isinstance(payload, Exception):
            raise payload
        if status == "failed":
            log.error("query worker failed: %s", payload)
            raise EngineFailure("the query engine failed on this query; the service itself is still up")
        return payload

    def _replace(self, worker: _Worker) -> None:
        """Kill `worker` now; start its successor in the background so this request returns at once. A failed
        start is retried with growing pauses for as long as the pool lives; while no worker runs and the last
        start failed, requests get a 503 at once instead of waiting out their deadline."""
        worker.process.kill()
        with self._lock:
            self._ready -= 1

        def restart() -> None:
            self._retire(worker)
            pause = 1.0
            while not self._closed:
                fresh: _Worker | None = None
                try:
                    fresh = self._spawn()
                    fresh.wait_ready()
                except Exception as exc:  # noqa: BLE001 - any failure to start is logged and retried
                    if fresh is not None:
                        self._retire(fresh)
                    if self._closed:
                        return
                    self._broken = True
                    log.error("starting a replacement query worker failed; retrying in %g s: %s", pause, exc)
                    time.sleep(pause)
                    pause = min(pause * 2, 60.0)
                    continue
                with self._lock:
                    self._ready += 1
                    self._broken = False
                self._idle.put(fresh)
                return

        threading.Thread(target=restart, name="tkg-worker-restart", daemon=True).start()

    def answer(self, sparql: str, *, bindings: Bindings | None = None,
               formats: Mapping[ResultKind, str] | None = None, dataset: Dataset | None = None) -> Answer:
        return self._call("answer", sparql, bindings=bindings, formats=formats, dataset=dataset)  # type: ignore[no-any-return]

    def select(self, sparql: str, *, bindings: Bindings | None = None) -> list[dict[str, Node]]:
        return self._call("select", sparql, bindings=bindings)  # type: ignore[no-any-return]

    def replace(self, ntriples: bytes, *, content_sha256: str) -> None:
        raise StoreUnavailable("the query workers are read-only: load a new build into the store, then restart")

    def content_sha256(self) -> str | None:
        """The content the workers answer from: the latest committed version of the build's run, else the build."""
        if self._ledger is not None:
            run = self._ledger.run(self.spec.content_sha256)
            if run:
                return run[-1].content_sha256
        return self.spec.content_sha256

    def close(self) -> None:
        self._closed = True
        with self._lock:
            workers, self._workers = list(self._workers), set()
        for worker in workers:
            worker.stop()


def prepare_base(settings: Settings, *, ntriples: bytes, content_sha256: str) -> None:
    """Make the on-disk store hold the build (once; a store that holds it already is left alone)."""
    if settings.store == "disk" and not disk_store_holds(settings, content_sha256):
        prepared_store(settings, ntriples=ntriples, content_sha256=content_sha256).close()


def serving_store(settings: Settings, *, ntriples: bytes, graph_path: Path, content_sha256: str,
                  ledger_dir: Path | None = None) -> Store:
    """The store the web service queries: a pool of query workers over the embedded store (memory or disk),
    following the ledger in `ledger_dir` (`graph.replicas`), or the remote server itself, which runs its own
    queries and is given the deadline as its timeout. For a remote server, `ntriples` and `content_sha256` are
    what it must hold now (the latest version); for the embedded stores, the build's."""
    limits = Limits(max_rows=settings.max_rows, max_bytes=settings.max_response_bytes)
    if settings.store == "remote":
        return prepared_store(settings, ntriples=ntriples, content_sha256=content_sha256)
    prepare_base(settings, ntriples=ntriples, content_sha256=content_sha256)
    spec = WorkerSpec(settings, graph_path if settings.store == "memory" else None, content_sha256, limits, ledger_dir)
    return WorkerPool(spec, size=settings.workers, timeout=settings.query_timeout)


__all__ = ["EngineFailure", "WorkerPool", "WorkerSpec", "WorkersBusy", "prepare_base", "serving_store"]
