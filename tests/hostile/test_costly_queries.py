"""Queries built to cost: 10,000 nested groups or parentheses, catastrophic-backtracking regular expressions,
cartesian products, unknown functions. Each gets a clear 4xx, or a 503 with Retry-After at the deadline, in
about the time the deadline allows, and the service answers correctly right after."""

from __future__ import annotations

import json
import time

import httpx
import pytest

from tests.hostile.conftest import DEADLINE

pytestmark = pytest.mark.integration

JSON = {"Accept": "application/sparql-results+json"}
CONDITIONS = "SELECT ?c WHERE { ?c a <https://schema.org/MedicalCondition> }"


def _conditions(client: httpx.Client) -> int:
    answer = client.get("/sparql", params={"query": CONDITIONS}, headers=JSON)
    assert answer.status_code == 200
    return len(answer.json()["results"]["bindings"])


@pytest.mark.parametrize("query", [
    "SELECT * WHERE " + "{" * 10_000 + "}" * 10_000,
    "SELECT * WHERE { FILTER(" + "(" * 10_000 + "1" + ")" * 10_000 + ") }",
    "SELECT * WHERE { ?s ?p " + "[ ?p " * 10_000 + "1" + " ]" * 10_000 + " }",
    "SELECT * WHERE { ?s ?p ?o FILTER(?o<" + "(" * 10_000 + "1" + ")" * 10_000 + ") }",  # `<` read as less-than
    "CONSTRUCT { ?s ?p ?o } WHERE " + "{" * 10_000 + "?s ?p ?o" + "}" * 10_000,
])
def test_ten_thousand_nested_groups_are_refused_not_run(client: httpx.Client, query: str) -> None:
    for answer in (client.post("/sparql", data={"query": query}),
                   client.post("/sparql", content=query, headers={"Content-Type": "application/sparql-query"}),
                   client.post("/api/graph/query", data={"query": query})):
        assert answer.status_code == 400 and "nests groups" in answer.text, answer.text[:200]
    assert _conditions(client) > 0


@pytest.mark.parametrize(("pattern", "matches"), [("^(a+)+$", "false"), ("^(a|a)*$", "false"), ("^(a|aa)+$", "false"),
                                                 ("(.*a){25}", "true"), ("^(([a-z])+.)+[A-Z]([a-z])+$", "false")])
def test_backtracking_regular_expressions_answer_at_once(client: httpx.Client, pattern: str, matches: str) -> None:
    """The engine's regular expressions run in linear time (no backtracking), so the classic ReDoS patterns over
    a long subject, and over every label, finish well inside the deadline."""
    subject = "a" * 30_000 + "!"
    started = time.monotonic()
    answer = client.post("/sparql", headers=JSON, data={"query": (
        f"SELECT (REGEX({json.dumps(subject)}, {json.dumps(pattern)}) AS ?m) (COUNT(?l) AS ?n) WHERE {{ "
        f"?x <http://www.w3.org/2000/01/rdf-schema#label> ?l FILTER(!REGEX(?l, {json.dumps(pattern)}, \"i\")) }}")})
    assert answer.status_code == 200, answer.text[:200]
    assert time.monotonic() - started < DEADLINE
    assert answer.json()["results"]["bindings"][0]["m"]["value"] == matches


def test_a_regular_expression_too_large_to_compile_is_an_error_not_a_hang(client: httpx.Client) -> None:
    started = time.monotonic()
    answer = client.get("/sparql", headers=JSON, params={
        "query": 'SELECT (REGEX("aaaa", "((a{1000}){1000}){1000}") AS ?m) WHERE {}'})
    assert answer.status_code in (200, 400) and time.monotonic() - started < DEADLINE
    if answer.status_code == 200:  # an expression error leaves the value unbound, as SPARQL says
        assert "m" not in answer.json()["results"]["bindings"][0]


@pytest.mark.parametrize(("path", "query"), [
    ("/sparql", "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"),
    ("/sparql", "SELECT ?a WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i FILTER(STR(?a) = CONCAT(STR(?d), STR(?g))) }"),
    # a filter never true, so the engine must go through the whole product: with `?c = ?i && ?f = ?c` the 278
    # claims' kg:claimedBy ttc:Center (and prov:wasAttributedTo) match fast enough to reach the row cap (a 422) first
    ("/api/graph/query", "CONSTRUCT { ?a ?b ?g } WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i "
                         "FILTER(STR(?a) = CONCAT(STR(?d), STR(?g))) }"),
])
def test_cartesian_products_stop_at_the_deadline_with_retry_after(client: httpx.Client, path: str, query: str) -> None:
    started = time.monotonic()
    answer = client.post(path, data={"query": query})
    took = time.monotonic() - started
    assert answer.status_code == 503 and "deadline" in answer.text, answer.text[:200]
    assert int(answer.headers["retry-after"]) >= 1
    assert DEADLINE - 0.1 <= took < DEADLINE + 3
    assert _conditions(client) > 0  # the other worker answers at once while the stopped one is replaced


@pytest.mark.parametrize(("path", "query"), [
    ("/sparql", "SELECT * WHERE { ?s ?p ?o FILTER(<urn:no:such>(?o)) } LIMIT 1"),
    ("/sparql", "PREFIX ex: <http://example.org/> SELECT (ex:nope(1) AS ?x) WHERE {}"),
    ("/sparql", "SELECT * WHERE { BIND(<http://www.w3.org/2005/xpath-functions#no-such>(1) AS ?x) }"),
    ("/sparql", "SELECT * WHERE { ?s ?p ?o FILTER(NOSUCHFUNCTION(?o)) }"),
    ("/api/graph/query", "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o FILTER(<urn:no:such>(?o)) }"),
    ("/graph/query", "CONSTRUCT { <urn:a> <urn:b> ?x } WHERE { BIND(<urn:no:such>(1) AS ?x) }"),
])
def test_unknown_functions_are_a_400(client: httpx.Client, path: str, query: str) -> None:
    answer = client.get(path, params={"query": query})
    assert answer.status_code == 400 and "Traceback" not in answer.text, answer.text[:200]
