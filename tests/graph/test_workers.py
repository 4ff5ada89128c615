"""The pool of query workers on its own: deadline, replacement, and what happens when a worker cannot start."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from graph.build import Built
from graph.settings import Settings
from graph.store import Limits, QueryTimeout, StoreUnavailable
from graph.workers import WorkerPool, WorkerSpec

ENDLESS = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


def _until(action, seconds: float, tolerate: tuple[type[Exception], ...]):  # type: ignore[no-untyped-def]
    """Call `action` until it raises nothing in `tolerate`; the last error if that never happens."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            return action()
        except tolerate:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def test_a_pool_that_cannot_restart_answers_at_once_and_recovers(tmp_path: Path, built: Built) -> None:
    graph = tmp_path / "graph.nt"
    graph.write_bytes(built.ntriples)
    pool = WorkerPool(WorkerSpec(Settings(), graph, built.manifest["content_sha256"], Limits()), size=1, timeout=1.0)
    try:
        with pytest.raises(QueryTimeout, match="deadline"):
            pool.answer(ENDLESS)
        graph.unlink()  # the replacement cannot load the graph
        time.sleep(2)
        started = time.monotonic()
        with pytest.raises(StoreUnavailable, match="no query worker is running"):
            _until(lambda: pool.answer("ASK {}"), 30, (QueryTimeout,))  # timeouts until the first start fails
        assert time.monotonic() - started < 30
        quick = time.monotonic()
        with pytest.raises(StoreUnavailable):
            pool.answer("ASK {}")
        assert time.monotonic() - quick < 0.5, "a broken pool must not make clients wait out the deadline"
        graph.write_bytes(built.ntriples)  # the next retry finds the graph again
        recovered = _until(lambda: pool.answer("ASK { ?s ?p ?o }"), 90, (QueryTimeout, StoreUnavailable))
        assert recovered.body.endswith(b"true}")
    finally:
        pool.close()
