"""The two ways to ask the graph: an analyst's SPARQL text, or a named query with parameters.

Both go through here so that the guard, the bindings and the store are used the same way by the
HTTP API and the command line. Imports `graph` and the catalog; never `api` or FastAPI.
"""

from __future__ import annotations

from collections.abc import Mapping

from graph.guard import check_query
from graph.settings import Settings
from graph.store import Answer, Dataset, ResultKind, Store
from queries.catalog import NamedQuery, bind


def run_sparql(store: Store, settings: Settings, sparql: str, formats: Mapping[ResultKind, str],
               dataset: Dataset | None = None) -> Answer:
    """Run an ad-hoc read-only query after the guard has checked it."""
    check_query(sparql, max_chars=settings.max_query_chars, max_nesting=settings.max_nesting)
    return store.answer(sparql, formats=formats, dataset=dataset)


def run_named(store: Store, query: NamedQuery, raw: Mapping[str, str], formats: Mapping[ResultKind, str]) -> Answer:
    """Run a catalog query with its parameters validated and bound (never pasted into the text)."""
    return store.answer(query.sparql, bindings=bind(query, raw), formats=formats)
