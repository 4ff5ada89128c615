"""The guard, offline: every spelling in which the engine reads SERVICE is refused, and ordinary queries that only
look like one pass. An older guard let `FILTER(?a<?b)SERVICE#>` (read as one IRI), `SERVICE:x` and `SERVICEx:y`
(keywords glued to names, which the engine splits) through to the engine, which then made the HTTP request."""

from __future__ import annotations

import pytest

from graph.guard import QueryRefused, check_query, nesting_depth

LISTENER = "http://127.0.0.1:9/sparql"


@pytest.mark.parametrize("query", [
    f"SELECT * WHERE {{ SERVICE <{LISTENER}> {{ ?s ?p ?o }} }}",
    f"SELECT * WHERE {{ FILTER(?a<?b)SERVICE#>\n<{LISTENER}> {{ ?s ?p ?o }} }}",
    f"SELECT * WHERE {{ FILTER(1<2)SERVICE#>\nSILENT <{LISTENER}> {{ }} }}",
    f"SELECT * WHERE {{ FILTER(STR(?a)<'x')SERVICE#>\n<{LISTENER}> {{ }} }}",
    f"SELECT * WHERE {{ ?s ?p ?o FILTER(?o<?p).SERVICE#>\n<{LISTENER}> {{ }} }}",
    "PREFIX : <http://127.0.0.1:9/> SELECT * WHERE { SERVICE:sparql { ?s ?p ?o } }",
    "PREFIX x: <http://127.0.0.1:9/> SELECT * WHERE { SERVICEx:sparql { ?s ?p ?o } }",
    "PREFIX x: <http://127.0.0.1:9/> SELECT * WHERE { service_x:sparql { ?s ?p ?o } }",
    f"SELECT * WHERE {{ ?s ?p trueSERVICE <{LISTENER}> {{ }} }}",
    f"SELECT * WHERE {{ ?s ?p 1.5e0SERVICE <{LISTENER}> {{ }} }}",
])
def test_every_spelling_of_service_is_refused(query: str) -> None:
    with pytest.raises(QueryRefused, match="SERVICE"):
        check_query(query, max_chars=10_000)


@pytest.mark.parametrize("query", [
    "SELECT ?service WHERE { ?service a <https://schema.org/Service> }",
    "PREFIX schema: <https://schema.org/> SELECT * WHERE { ?s a schema:Service ; schema:serviceType 'x' }",
    "SELECT * WHERE { ?s ?p ?o FILTER(?o = <https://schema.org/Service>) }",
    "SELECT * WHERE { ?s ?p ?o FILTER(?o IN (<https://schema.org/Service>, <urn:x:SERVICE>)) }",
    "SELECT * WHERE { ?s <http://example.org/#service> 'SERVICE' } # SERVICE",
    "SELECT * WHERE { ?s ?p ?o FILTER(?o < 10 && ?o > 1) }",
])
def test_names_that_only_look_like_service_pass(query: str) -> None:
    check_query(query, max_chars=10_000)


def test_a_pseudo_iri_cannot_hide_nesting() -> None:
    deep = "SELECT * WHERE { ?s ?p ?o FILTER(?o<" + "(" * 500 + "1" + ")" * 500 + ") }"
    assert nesting_depth(deep) >= 500
    with pytest.raises(QueryRefused, match="nests"):
        check_query(deep, max_chars=10_000)
