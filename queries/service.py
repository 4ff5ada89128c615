"""The two ways to ask the graph: an analyst's SPARQL text, or a named query with parameters.

Both go through here so that the guard, the bindings, the store and the answer cache are used the same way
by the HTTP API and the command line. Imports `graph`, the catalog and `queries.cache`; never `api` or FastAPI.

The answer cache (`queries.cache`, `TKG_CACHE_BYTES`; 0 turns it off) is one per store object, so one per
HTTP process. It is exact: keyed by the question and the version served (`served_state`: the id and content
hash of the latest committed version, the one every query worker answers from), read before and after the
query. The content hash alone would not do: a rollback returns to an earlier hash while the served versions
graph has grown. A caller that gives no `served` gets no cache. A remote server's store is never cached: it
can be changed behind the product's back.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable, Hashable, Mapping
from typing import Literal

from graph.changes import Content
from graph.guard import check_query
from graph.settings import Settings
from graph.store import Answer, Dataset, RemoteStore, ResultKind, Store
from queries.cache import AnswerCache
from queries.catalog import NamedQuery, bind

#: What the cache did for one answer: found it, computed and (if it could) kept it, or was not used.
CacheStatus = Literal["hit", "miss", "off"]
#: What identifies the served graph now (read before and after a query): see `served_state`.
Served = Callable[[], Hashable]

_caches: weakref.WeakKeyDictionary[Store, AnswerCache] = weakref.WeakKeyDictionary()
_caches_lock = threading.Lock()


def answer_cache(store: Store, settings: Settings) -> AnswerCache | None:
    """The cache of `store`'s answers, sized by `settings.cache_bytes`; None when off or for a remote store."""
    if settings.cache_bytes <= 0 or isinstance(store, RemoteStore):
        return None
    cache = _caches.get(store)
    if cache is None or cache.max_bytes != settings.cache_bytes:
        with _caches_lock:
            cache = _caches.get(store)
            if cache is None or cache.max_bytes != settings.cache_bytes:
                cache = _caches[store] = AnswerCache(settings.cache_bytes)
    return cache


def served_state(content: Content) -> Hashable:
    """The version the store serves now: (id, content hash) of the latest committed version of the build's run
    (one `stat` of the ledger when nothing changed), or (None, the build's hash) before any."""
    head = content.head()
    return (head.id, head.content_sha256) if head is not None else (None, content.build_sha)


def _formats_key(formats: Mapping[ResultKind, str]) -> tuple[tuple[str, str], ...]:
    return tuple(sorted(formats.items()))


def _sparql_key(settings: Settings, sparql: str, formats: Mapping[ResultKind, str], dataset: Dataset | None,
                state: Hashable) -> Hashable:
    return ("sparql", sparql, _formats_key(formats), dataset, settings.max_query_chars, settings.max_nesting, state)


def _named_key(query: NamedQuery, raw: Mapping[str, str], formats: Mapping[ResultKind, str],
               state: Hashable) -> Hashable:
    return ("named", query.name, query.sparql, tuple(sorted(raw.items())), _formats_key(formats), state)


def _cached(cache: AnswerCache | None, served: Served | None, make_key, compute,  # type: ignore[no-untyped-def]
            key_chars: int) -> tuple[Answer, CacheStatus]:
    if cache is None or served is None:
        return compute(), "off"
    before = served()
    found = cache.get(make_key(before))
    if found is not None:
        return found, "hit"
    answer = compute()
    if served() == before:  # no version committed while it ran
        cache.put(make_key(before), answer, key_chars)
    return answer, "miss"


def cached_sparql(store: Store, settings: Settings, sparql: str, formats: Mapping[ResultKind, str],
                  dataset: Dataset | None, served: Served) -> Answer | None:
    """The kept answer to this query about the version served now, or None (nothing runs): cheap enough for
    the event loop, so that a hit needs no thread."""
    cache = answer_cache(store, settings)
    if cache is None:
        return None
    return cache.get(_sparql_key(settings, sparql, formats, dataset, served()))


def ask_sparql(store: Store, settings: Settings, sparql: str, formats: Mapping[ResultKind, str],
               dataset: Dataset | None = None, served: Served | None = None) -> tuple[Answer, CacheStatus]:
    """Run an ad-hoc read-only query after the guard has checked it, or find its answer in the cache
    (which holds only answers to queries the guard passed under the same limits)."""
    def compute() -> Answer:
        check_query(sparql, max_chars=settings.max_query_chars, max_nesting=settings.max_nesting)
        return store.answer(sparql, formats=formats, dataset=dataset)

    return _cached(answer_cache(store, settings), served,
                   lambda state: _sparql_key(settings, sparql, formats, dataset, state), compute, len(sparql))


def run_sparql(store: Store, settings: Settings, sparql: str, formats: Mapping[ResultKind, str],
               dataset: Dataset | None = None, served: Served | None = None) -> Answer:
    """Run an ad-hoc read-only query after the guard has checked it (its answer cached given `served`)."""
    return ask_sparql(store, settings, sparql, formats, dataset, served)[0]


def ask_named(store: Store, query: NamedQuery, raw: Mapping[str, str], formats: Mapping[ResultKind, str],
              settings: Settings | None = None, served: Served | None = None) -> tuple[Answer, CacheStatus]:
    """Run a catalog query with its parameters validated and bound (never pasted into the text), or find its
    answer in the cache (keyed by the raw parameter values: the same values bind the same way). Without
    `settings` and `served`, no cache."""
    def compute() -> Answer:
        return store.answer(query.sparql, bindings=bind(query, raw), formats=formats)

    cache = answer_cache(store, settings) if settings is not None else None
    return _cached(cache, served, lambda state: _named_key(query, raw, formats, state), compute,
                   len(query.sparql) + sum(len(k) + len(v) for k, v in raw.items()))


def cached_named(store: Store, query: NamedQuery, raw: Mapping[str, str], formats: Mapping[ResultKind, str],
                 settings: Settings, served: Served) -> Answer | None:
    """The kept answer to this catalog query with these values about the version served now, or None."""
    cache = answer_cache(store, settings)
    if cache is None:
        return None
    return cache.get(_named_key(query, raw, formats, served()))


def run_named(store: Store, query: NamedQuery, raw: Mapping[str, str], formats: Mapping[ResultKind, str],
              settings: Settings | None = None, served: Served | None = None) -> Answer:
    """Run a catalog query with its parameters validated and bound (cached when `settings` and `served` are
    given)."""
    return ask_named(store, query, raw, formats, settings, served)[0]
