"""The benchmark asks what the catalog asks: its SPARQL text with example values gives the named query's rows."""

from __future__ import annotations

import re

import pytest

from benchmarks.workload import Workload, workloads
from graph.store import OxigraphStore
from queries.catalog import bind, load_catalog

CATALOG = load_catalog()
WORKLOADS = workloads()


def _rows(rows: list[dict]) -> list[tuple]:
    """Rows comparable across runs: the order of GROUP_CONCAT's items is not defined by SPARQL, so each
    value's words are sorted."""
    return sorted(tuple(sorted((k, " ".join(sorted(re.split(r"[;\s]+", str(v))))) for k, v in row.items()))
                  for row in rows)


def test_every_catalog_query_and_the_adhoc_ones_are_benchmarked() -> None:
    names = [w.name for w in WORKLOADS]
    assert set(CATALOG) <= set(names)
    assert {"tiny_label", "count_triples", "label_contains", "procedure_condition_equipment",
            "construct_stated"} <= set(names)
    assert len(names) == len(set(names))


@pytest.mark.parametrize("workload", [w for w in WORKLOADS if w.origin == "catalog"], ids=lambda w: w.name)
def test_inlined_examples_answer_like_the_bound_named_query(store: OxigraphStore, workload: Workload) -> None:
    query = CATALOG[workload.name]
    bound = store.select(query.sparql, bindings=bind(query, query.examples()))
    assert bound, f"{workload.name}: its example finds nothing, so the benchmark would time an empty answer"
    assert _rows(store.select(workload.sparql)) == _rows(bound)
    assert workload.named_path is not None and workload.named_path.startswith(f"/queries/{workload.name}?")


@pytest.mark.parametrize("workload", [w for w in WORKLOADS if w.origin == "adhoc"], ids=lambda w: w.name)
def test_adhoc_queries_find_something(store: OxigraphStore, workload: Workload) -> None:
    answer = store.answer(workload.sparql, formats={"graph": "ntriples"})
    assert answer.kind == workload.form
    if workload.form == "graph":
        assert answer.body.count(b" .\n") >= 10
    else:
        assert store.select(workload.sparql)
