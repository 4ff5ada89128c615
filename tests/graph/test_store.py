"""One compliance suite run against every store backend: embedded memory, embedded disk, two real SPARQL servers
(`oxigraph serve` and a private OpenLink Virtuoso, loaded by the product's own loader), and the pool of query
workers over memory and disk that the web service uses. What Virtuoso does differently, and how the store copes,
is in test_virtuoso.py."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef

from graph.build import Built
from graph.guard import keywords
from graph.namespaces import TTC
from graph.settings import Settings
from graph.store import OxigraphStore, QuerySyntaxError, Store, load_disk_store, open_store, prepared_store
from graph.workers import serving_store
from queries.catalog import NamedQuery
from tests.servers import Virtuoso, oxigraph_server

TREATED_BY = """PREFIX kg: <https://ttc-kg.example/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?condition ?procedure ?label WHERE {
  ?condition kg:treatedBy ?procedure . ?procedure skos:prefLabel ?label FILTER(langMatches(lang(?label), "en"))
} ORDER BY ?label"""


def virtuoso_settings(virtuoso: Virtuoso, **more: object) -> Settings:
    """The product's settings for the private Virtuoso: anonymous queries at /sparql, loads as dba at /sparql-auth."""
    return Settings(store="remote", sparql_query_url=virtuoso.sparql, sparql_update_url=virtuoso.sparql_auth,
                    sparql_user=virtuoso.user, sparql_password=virtuoso.password, **more)  # type: ignore[arg-type]


@pytest.fixture(scope="module",
                params=["memory", "disk", "oxigraph-server", "virtuoso", "memory-workers", "disk-workers"])
def backend(request: pytest.FixtureRequest, built: Built, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    sha = built.manifest["content_sha256"]
    if request.param == "oxigraph-server":
        with oxigraph_server() as base:
            settings = Settings(store="remote", sparql_query_url=f"{base}/query", sparql_update_url=f"{base}/update")
            store = prepared_store(settings, ntriples=built.ntriples, content_sha256=sha)
            yield store
            store.close()
        return
    if request.param == "virtuoso":
        store = prepared_store(virtuoso_settings(request.getfixturevalue("virtuoso")), ntriples=built.ntriples,
                               content_sha256=sha)
        yield store
        store.close()
        return
    kind, _, workers = request.param.partition("-")
    folder = tmp_path_factory.mktemp(request.param)
    settings = Settings(store=kind, store_path=folder / "store" if kind == "disk" else None, workers=2)
    if workers:  # the served path: a pool of query worker processes, each with its own copy of the graph
        (folder / "graph.nt").write_bytes(built.ntriples)
        store = serving_store(settings, ntriples=built.ntriples, graph_path=folder / "graph.nt", content_sha256=sha)
    else:
        store = prepared_store(settings, ntriples=built.ntriples, content_sha256=sha)
    yield store
    store.close()


def test_holds_the_build(backend: Store, built: Built) -> None:
    assert backend.content_sha256() == built.manifest["content_sha256"]


def test_bound_parameter_selects_one_condition(backend: Store) -> None:
    rows = backend.select(TREATED_BY, bindings={"condition": URIRef(TTC.EsophagealCancer)})
    procedures = {str(r["procedure"]).removeprefix(str(TTC)) for r in rows}
    assert "MinimallyInvasiveRadicalEsophagectomy" in procedures
    assert "UniportalThoracoscopicLobectomy" not in procedures  # lung cancer's, not esophageal cancer's
    assert {str(r["condition"]) for r in rows} == {str(TTC.EsophagealCancer)}


def test_hostile_literal_is_bound_not_spliced(backend: Store) -> None:
    hostile = Literal('x" } ; DROP ALL ; SELECT * { "')
    rows = backend.select("SELECT ?label ?e WHERE { ?e <http://www.w3.org/2004/02/skos/core#prefLabel> ?label }",
                          bindings={"label": hostile})
    assert rows == []
    assert backend.content_sha256() is not None  # nothing was dropped


def test_serialises_every_format(backend: Store) -> None:
    select = "SELECT ?s WHERE { ?s a <https://schema.org/MedicalCondition> } ORDER BY ?s"
    answer = backend.answer(select, formats={"solutions": "json"})
    assert answer.kind == "solutions"
    assert len(json.loads(answer.body)["results"]["bindings"]) == 10
    csv = backend.answer(select, formats={"solutions": "csv"})
    assert csv.body.decode().splitlines()[0].strip() == "s" and len(csv.body.decode().splitlines()) == 11
    ask = backend.answer("ASK { ?s a <https://schema.org/MedicalCondition> }")
    assert ask.kind == "boolean" and json.loads(ask.body)["boolean"] is True
    construct = backend.answer("CONSTRUCT { ?s a ?t } WHERE { ?s a ?t . FILTER(?t = <https://schema.org/City>) }",
                               formats={"graph": "ntriples"})
    assert construct.kind == "graph"
    assert len(Graph().parse(data=construct.body.decode(), format="nt")) == 1


def test_syntax_error_is_reported(backend: Store) -> None:
    with pytest.raises(QuerySyntaxError):
        backend.select("SELEC ?s WHERE { ?s ?p ?o }")


def test_disk_store_reopens_without_rebuild(tmp_path: Path, built: Built) -> None:
    path = tmp_path / "store"
    sha = built.manifest["content_sha256"]
    settings = Settings(store="disk", store_path=path)
    store = prepared_store(settings, ntriples=built.ntriples, content_sha256=sha)
    assert isinstance(store, OxigraphStore)
    store._store.update("INSERT DATA { <urn:sentinel> <urn:p> <urn:o> }")  # a mark a rebuild would erase
    store.close()
    again = prepared_store(settings, ntriples=built.ntriples, content_sha256=sha)
    assert again.select("SELECT ?o WHERE { <urn:sentinel> <urn:p> ?o }")  # reopened, not rebuilt
    again.close()


def test_interrupted_swap_recovers_the_previous_store(tmp_path: Path, built: Built) -> None:
    path = tmp_path / "store"
    load_disk_store(path, built.ntriples, content_sha256="first")
    path.rename(path.with_name("store.old"))  # as if a crash hit between the two renames
    store = open_store(Settings(store="disk", store_path=path))
    assert store.content_sha256() == "first"
    store.close()


def _multiset(rows: list[dict]) -> list[str]:
    """Rows as a sorted list, so that two engines' orders of rows the query leaves unordered compare equal."""
    return sorted(repr(sorted(row.items())) for row in rows)


def _every_named_query() -> list[tuple[str, NamedQuery]]:
    """Every query of queries/ and its folders (the catalog, referral, entity, schema.org, FHIR, ...)."""
    from queries.catalog import QUERIES_DIR, load_catalog

    folders = sorted({path.parent for path in QUERIES_DIR.rglob("*.rq")})
    return [(f"{folder.relative_to(QUERIES_DIR.parent)}/{name}", query) for folder in folders
            for name, query in load_catalog(folder, readers=folder == QUERIES_DIR).items()]


def test_named_queries_answer_the_same_on_every_backend(backend: Store, store: OxigraphStore) -> None:
    from queries.catalog import bind, load_catalog

    for name, query in _every_named_query():
        bindings = bind(query, query.examples()) if query.examples() else None
        if {"CONSTRUCT", "DESCRIBE"} & keywords(query.sparql):
            got, expected = (set(b.answer(query.sparql, bindings=bindings, formats={"graph": "ntriples"}).body.splitlines())
                             for b in (backend, store))
            assert got == expected and got, name
            continue
        expected = store.select(query.sparql, bindings=bindings)
        assert _multiset(backend.select(query.sparql, bindings=bindings)) == _multiset(expected), name
    catalog = load_catalog()
    for name in ("label_search", "minimally_invasive_options", "procedures_for_condition"):  # in their order, too
        query = catalog[name]
        bindings = bind(query, query.examples())
        assert backend.select(query.sparql, bindings=bindings) == store.select(query.sparql, bindings=bindings), name


LOOKUP_INPUTS = ("lung cancer", "食管癌", "C34.9", "cancer lung", "NSCLC", "breast cancer", "mediastinoscope",
                 "uniportal thoracoscopic lobectomy", "VATS", "mediastinoscopy", "unresectable tumour", "no such thing")


def test_referral_lookups_answer_the_same_on_every_backend(backend: Store, store: OxigraphStore) -> None:
    from queries.matching import LabelIndex
    from queries.referral import LOOKUPS, center_profile, lookup

    index, expected_index = LabelIndex.load(backend), LabelIndex.load(store)
    assert index.entities == expected_index.entities
    assert sorted(map(repr, index.labels)) == sorted(map(repr, expected_index.labels))
    assert index.codes == expected_index.codes
    for name in LOOKUPS:
        for q in LOOKUP_INPUTS:
            for include, lang in ((frozenset(), "en"), (frozenset({"narrower", "inferred"}), "zh")):
                got = lookup(backend, index, name, q, include=include, lang=lang).as_json()
                assert got == lookup(store, expected_index, name, q, include=include, lang=lang).as_json(), (name, q)
    assert center_profile(backend, index) == center_profile(store, expected_index)


def test_answers_are_the_same_bytes_on_every_backend(backend: Store, store: OxigraphStore) -> None:
    select = ("PREFIX skos: <http://www.w3.org/2004/02/skos/core#> SELECT ?c ?label WHERE { "
              "?c a <https://schema.org/MedicalCondition> ; skos:prefLabel ?label } ORDER BY ?c ?label")
    for name in ("json", "xml", "csv", "tsv"):
        assert backend.answer(select, formats={"solutions": name}) == store.answer(select, formats={"solutions": name})
    ask = "ASK { ?s a <https://schema.org/MedicalCondition> }"
    for name in ("json", "xml"):
        assert backend.answer(ask, formats={"boolean": name}) == store.answer(ask, formats={"boolean": name})
    construct = "CONSTRUCT { ?c a ?t } WHERE { ?c a ?t . FILTER(?t = <https://schema.org/MedicalCondition>) }"
    got, expected = (set(b.answer(construct, formats={"graph": "ntriples"}).body.splitlines()) for b in (backend, store))
    assert got == expected and len(got) == 10
