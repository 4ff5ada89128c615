"""Caps on answers in the embedded store, and the exactness of the capped serialisation path."""

from __future__ import annotations

import json

import pyoxigraph as ox
import pytest
from rdflib import Graph

from graph.build import Built
from graph.guard import QueryRefused, check_query, nesting_depth
from graph.store import Dataset, Limits, OxigraphStore, ResultTooLarge

AWKWARD = ('SELECT ?x ?y WHERE { VALUES (?x ?y) { ("tab\\there\\nnew \\"quoted\\" \\\\ back"@en UNDEF) '
           '("中文" "crlf\\r\\nend") (<urn:x> "1"^^<http://www.w3.org/2001/XMLSchema#integer>) } }')


@pytest.fixture(scope="module")
def capped(built: Built) -> OxigraphStore:
    store = OxigraphStore(limits=Limits(max_rows=100, max_bytes=40_000))
    store.replace(built.ntriples, content_sha256=built.manifest["content_sha256"])
    return store


@pytest.mark.parametrize("fmt", ["json", "xml", "csv", "tsv"])
def test_capped_path_gives_the_same_bytes_as_oxigraph_direct(capped: OxigraphStore, fmt: str) -> None:
    direct = ox.Store().query(AWKWARD).serialize(format=getattr(ox.QueryResultsFormat, fmt.upper()))
    assert capped.answer(AWKWARD, formats={"solutions": fmt}).body == direct


def test_rows_up_to_the_cap_pass_and_one_more_is_refused(capped: OxigraphStore) -> None:
    answer = capped.answer("SELECT ?s WHERE { ?s ?p ?o } LIMIT 100")
    assert len(json.loads(answer.body)["results"]["bindings"]) == 100
    with pytest.raises(ResultTooLarge, match="more than 100 rows"):
        capped.answer("SELECT ?s WHERE { ?s ?p ?o } LIMIT 101")
    with pytest.raises(ResultTooLarge, match="more than 100 rows"):
        capped.select("SELECT ?s WHERE { ?s ?p ?o } LIMIT 101")


def test_a_capped_cross_product_stops_instead_of_running_on(capped: OxigraphStore) -> None:
    with pytest.raises(ResultTooLarge):  # 10^16 rows: only finishing because evaluation stops at the cap
        capped.answer("SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }")


def test_construct_counts_triples_and_converts_formats(capped: OxigraphStore) -> None:
    query = "CONSTRUCT { ?c a <https://schema.org/MedicalCondition> } WHERE { ?c a <https://schema.org/MedicalCondition> }"
    for fmt, parser in [("turtle", "turtle"), ("ntriples", "nt"), ("jsonld", "json-ld"), ("rdfxml", "xml")]:
        assert len(Graph().parse(data=capped.answer(query, formats={"graph": fmt}).body, format=parser)) == 10
    turtle = capped.answer(query, formats={"graph": "turtle"}).body.decode()
    assert "@prefix schema: <https://schema.org/>" in turtle  # readable: the project's prefixes
    with pytest.raises(ResultTooLarge, match="triples"):
        capped.answer("CONSTRUCT WHERE { ?s ?p ?o }")


def test_the_response_size_cap(capped: OxigraphStore) -> None:
    with pytest.raises(ResultTooLarge, match="40000-byte"):
        capped.answer("SELECT * WHERE { ?s ?p ?o . ?s2 ?p2 ?o2 } LIMIT 100", formats={"solutions": "xml"})


def test_the_dataset_restricts_the_default_graph(capped: OxigraphStore) -> None:
    only_build = capped.answer("SELECT ?p WHERE { ?s ?p ?o }", dataset=Dataset(default=("urn:ttc-kg:build",)))
    assert [b["p"]["value"] for b in json.loads(only_build.body)["results"]["bindings"]] == [
        "http://purl.org/dc/terms/identifier"]


def test_nesting_is_measured_outside_strings_and_refused_past_the_limit() -> None:
    assert nesting_depth('SELECT * { ?s ?p "{{{{{{" }') == 1
    check_query("SELECT * WHERE " + "{" * 10 + "}" * 10, max_chars=1000, max_nesting=10)
    with pytest.raises(QueryRefused, match="11 deep"):
        check_query("SELECT * WHERE " + "{" * 11 + "}" * 11, max_chars=1000, max_nesting=10)
