"""A SPARQL Update run on the curated statements in a process of its own: cut off the network, and stopped at a
deadline, so that neither an update that reaches for the network (past the keyword scan) nor one that never ends
(a cartesian product in its WHERE) can touch anything or hold the writers' lock.

Imports pyoxigraph, `graph.sandbox` and the standard library only (a fresh process starts in a fraction of a second).
"""

from __future__ import annotations

import multiprocessing
from multiprocessing.connection import Connection

import pyoxigraph as ox

from graph.sandbox import forbid_network

_CONTEXT = multiprocessing.get_context("spawn")


class UpdateFailed(Exception):
    """The update failed in the engine (`syntax` True: it does not parse)."""

    def __init__(self, message: str, *, syntax: bool = False) -> None:
        super().__init__(message)
        self.syntax = syntax


class UpdateTimeout(Exception):
    """The update ran past its deadline and its process was killed."""


def _run(conn: Connection, before: bytes, text: str, prefixes: dict[str, str]) -> None:
    forbid_network()
    store = ox.Store()
    if before:  # parsed, not bulk-loaded: the parser keeps blank node labels, the loader renames them
        store.extend(ox.parse(before, format=ox.RdfFormat.N_TRIPLES))
    try:
        store.update(text, prefixes=prefixes)
    except SyntaxError as exc:
        conn.send(("syntax", str(exc)))
        return
    except (RuntimeError, OSError) as exc:  # PermissionError from the sandbox included
        conn.send(("failed", str(exc)))
        return
    named = any(q.graph_name != ox.DefaultGraph() for q in store)
    conn.send(("named", "") if named else ("ok", ox.serialize(store, format=ox.RdfFormat.N_TRIPLES) or b""))


def run_update(before: bytes, text: str, prefixes: dict[str, str], *, timeout: float) -> bytes:
    """The N-Triples of `before` after `text`, computed in a sandboxed process given `timeout` seconds."""
    parent, child = _CONTEXT.Pipe(duplex=False)
    process = _CONTEXT.Process(target=_run, args=(child, before, text, prefixes), daemon=True, name="tkg-update")
    process.start()
    child.close()
    try:
        if not parent.poll(timeout):
            raise UpdateTimeout(f"the update ran past {timeout:g} s and was stopped")
        try:
            status, payload = parent.recv()
        except EOFError:
            raise UpdateFailed(f"the update's process ended without an answer (exit code {process.exitcode})") from None
    finally:
        process.kill()
        process.join(5)
        parent.close()
    if status == "syntax":
        raise UpdateFailed(str(payload), syntax=True)
    if status == "failed":
        raise UpdateFailed(str(payload))
    if status == "named":
        raise UpdateFailed("the update wrote into a named graph; the curated statements are one default graph")
    return payload  # type: ignore[no-any-return]


__all__ = ["UpdateFailed", "UpdateTimeout", "run_update"]
