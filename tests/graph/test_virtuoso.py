"""What OpenLink Virtuoso 7.2 (Debian's virtuoso-opensource) does differently from the SPARQL 1.1 standard, each
shown on the private Virtuoso the tests start, and how RemoteStore copes so that the product answers as it does on
the embedded store. Also what Oxigraph server does differently. A test here that starts failing after an upgrade
says that the server changed, and that the workaround it names may go."""

from __future__ import annotations

import csv
import io
import json
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from rdflib import Graph, Literal, URIRef

from graph.build import Built
from graph.namespaces import TTC
from graph.settings import Settings
from graph.store import (
    UPDATE_CHUNK,
    VIRTUOSO_GRAPH,
    OxigraphStore,
    QueryRejected,
    QueryTimeout,
    RemoteStore,
    ResultTooLarge,
    StoreUnavailable,
    prepared_store,
)
from tests.servers import Virtuoso, oxigraph_server

pytestmark = pytest.mark.integration

XML = "application/sparql-results+xml"
XSD = "http://www.w3.org/2001/XMLSchema#"
#: A query Virtuoso needs minutes for on the build: 4,000³ combinations to count.
ENDLESS = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


@pytest.fixture(scope="module")
def loaded(virtuoso: Virtuoso, built: Built) -> Iterator[RemoteStore]:
    """The private Virtuoso holding the build, loaded by the product's own loader (SPARQL Update as dba)."""
    settings = Settings(store="remote", sparql_query_url=virtuoso.sparql, sparql_update_url=virtuoso.sparql_auth,
                        sparql_user=virtuoso.user, sparql_password=virtuoso.password)  # type: ignore[arg-type]
    store = prepared_store(settings, ntriples=built.ntriples, content_sha256=built.manifest["content_sha256"])
    assert isinstance(store, RemoteStore)
    yield store
    store.close()


def raw(virtuoso: Virtuoso, query: str, accept: str = XML, *, graph: str | None = VIRTUOSO_GRAPH,
        **params: str) -> httpx.Response:
    """Virtuoso's own answer to a query, as any SPARQL client gets it."""
    form = {"query": query, **({"default-graph-uri": graph} if graph else {}), **params}
    return httpx.post(virtuoso.sparql, data=form, headers={"Accept": accept}, timeout=60)


def update(virtuoso: Virtuoso, text: str) -> httpx.Response:
    return httpx.post(virtuoso.sparql_auth, content=text.encode(), timeout=30,
                      headers={"Content-Type": "application/sparql-update"},
                      auth=httpx.DigestAuth(virtuoso.user, virtuoso.password))


def test_virtuoso_default_graph_is_the_union_of_all_its_graphs(virtuoso: Virtuoso, loaded: RemoteStore,
                                                               built: Built) -> None:
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    union = int(raw(virtuoso, count, "text/csv", graph=None).text.split()[1])
    assert union > built.manifest["triples"] + 1000  # its system graphs (virtrdf, ...) are in every default graph
    # so the store keeps the build in a named graph, which every query names as its default graph
    assert loaded.virtuoso and loaded.graph == VIRTUOSO_GRAPH
    assert int(loaded.select(count)[0]["n"]) == built.manifest["triples"]


def test_virtuoso_refuses_insert_data_without_a_graph(virtuoso: Virtuoso) -> None:
    answer = update(virtuoso, "INSERT DATA { <urn:a> <urn:b> <urn:c> }")
    assert answer.status_code == 400 and "No plain default graph" in answer.text  # hence the named graph


def test_virtuoso_refuses_a_large_insert_data_so_loads_go_in_chunks(virtuoso: Virtuoso) -> None:
    triples = "\n".join(f"<urn:s{i}> <urn:p> {i} ." for i in range(6000))
    answer = update(virtuoso, f"INSERT DATA {{ GRAPH <urn:probe:big> {{ {triples} }} }}")
    assert answer.status_code == 400 and "memory exhausted" in answer.text  # its SPARQL compiler gives up
    store = RemoteStore(virtuoso.sparql, virtuoso.sparql_auth, graph="urn:probe:big",
                        credentials=(virtuoso.user, virtuoso.password))
    seen: list[int] = []
    store.replace(triples.encode(), content_sha256="big", progress=lambda done, total: seen.append(done))
    assert seen == [UPDATE_CHUNK, 2 * UPDATE_CHUNK, 6000]  # in chunks, with a progress line each
    assert int(store.select("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")[0]["n"]) == 6000


def test_virtuoso_refuses_blank_nodes_in_insert_data_so_they_go_by_insert_where(virtuoso: Virtuoso) -> None:
    data = '<urn:a> <urn:code> _:c .\n_:c <urn:value> "C34" .\n'
    answer = update(virtuoso, f"INSERT DATA {{ GRAPH <urn:probe:bnodes> {{ {data} }} }}")
    assert answer.status_code == 400 and "Blank node '_:c' is not allowed" in answer.text
    store = RemoteStore(virtuoso.sparql, virtuoso.sparql_auth, graph="urn:probe:bnodes",
                        credentials=(virtuoso.user, virtuoso.password))
    store.replace(data.encode(), content_sha256="bnodes")
    rows = store.select("SELECT ?v WHERE { <urn:a> <urn:code> ?c . ?c <urn:value> ?v FILTER(isBlank(?c)) }")
    assert rows == [{"v": Literal("C34")}]
    with pytest.raises(StoreUnavailable, match="blank nodes"):  # several updates would split them: refused
        store.replace((data * (UPDATE_CHUNK // 2 + 1)).encode(), content_sha256="many")


def test_virtuoso_writes_booleans_as_integers(virtuoso: Virtuoso, loaded: RemoteStore, store: OxigraphStore) -> None:
    query = ("PREFIX kg: <https://ttc-kg.example/ontology#> SELECT ?c ?treats ?flag WHERE { "
             "VALUES ?flag { true } ?c a kg:ClinicalCenter BIND(EXISTS { ?c kg:treatsCondition ?x } AS ?treats) }")
    own = raw(virtuoso, query).text
    assert f'datatype="{XSD}integer">1<' in own and f"{XSD}boolean" not in own  # EXISTS and a VALUES true as 1
    assert loaded.select(query) == store.select(query)  # the store reads them back as true, knowing the query
    assert loaded.select(query)[0]["treats"] == Literal(True)


def test_virtuoso_json_csv_and_tsv_results_are_not_the_standard_ones(virtuoso: Virtuoso, loaded: RemoteStore,
                                                                      store: OxigraphStore) -> None:
    query = "SELECT ?b ?n WHERE { VALUES (?b ?n) { (true 3) } }"
    own = json.loads(raw(virtuoso, query, "application/sparql-results+json").text)["results"]["bindings"][0]
    assert own["b"] == {"type": "typed-literal", "datatype": XSD + "integer", "value": "1"}  # SPARQL 1.0's name
    assert raw(virtuoso, query, "text/csv").text.splitlines()[0] == '"b","n"'  # CSV header names are quoted
    assert raw(virtuoso, query, "text/tab-separated-values").text.splitlines()[1] == "1\t3"  # TSV terms are bare
    for name in ("json", "xml", "csv", "tsv"):  # never asked for: the store asks for XML and writes the rest itself
        assert loaded.answer(query, formats={"solutions": name}) == store.answer(query, formats={"solutions": name})


def test_virtuoso_json_ld_drops_language_tags(virtuoso: Virtuoso, loaded: RemoteStore, store: OxigraphStore) -> None:
    values = " ".join(f'"C{n}" "编码{n}"@zh-Hans' for n in range(8))  # in an order of Virtuoso's own
    construct = f"CONSTRUCT {{ <urn:x> <urn:label> ?l }} WHERE {{ VALUES ?l {{ {values} }} }}"
    own = json.loads(raw(virtuoso, construct, "application/ld+json").text)["@graph"][0]["urn:label"]
    assert sum(isinstance(value, dict) and "@language" in value for value in own) < 8  # after a plain value, gone
    for name, syntax in (("jsonld", "json-ld"), ("turtle", "turtle"), ("ntriples", "nt"), ("rdfxml", "xml")):
        got, expected = (set(Graph().parse(data=b.answer(construct, formats={"graph": name}).body, format=syntax))
                         for b in (loaded, store))  # the store asks for N-Triples and writes the rest itself
        assert got == expected and len(got) == 16, name
        assert {Literal(f"编码{n}", lang="zh-hans") for n in range(8)} <= {o for _, _, o in got}


def test_virtuoso_names_blank_nodes_in_results_nodeid(virtuoso: Virtuoso) -> None:
    assert update(virtuoso, "INSERT { GRAPH <urn:probe:nodeid> { <urn:a> <urn:b> [] } } WHERE { }").status_code == 200
    query = "SELECT ?x WHERE { <urn:a> <urn:b> ?x }"
    assert "<bnode>nodeID://" in raw(virtuoso, query, graph="urn:probe:nodeid").text  # no blank node label can be
    row = RemoteStore(virtuoso.sparql, graph="urn:probe:nodeid").select(query)[0]
    assert type(row["x"]).__name__ == "BNode" and not str(row["x"]).startswith("nodeID")
    assert raw(virtuoso, "SELECT (BNODE() AS ?x) WHERE { }").status_code == 400  # and it has no BNODE()


def test_virtuoso_evaluates_exists_inside_bind_wrongly(virtuoso: Virtuoso, loaded: RemoteStore,
                                                       store: OxigraphStore) -> None:
    from queries.matching import QUERIES

    query = QUERIES["index_entities"].sparql
    rows = list(csv.DictReader(io.StringIO(raw(virtuoso, query, "text/csv").text)))
    kinds = {row["entity"]: row["kind"] for row in rows}
    assert kinds[str(TTC.Center)] != "center"  # its nested IF(EXISTS ...) gave the centre another branch's kind
    assert {str(r["entity"]): str(r["kind"]) for r in loaded.select(query)}[str(TTC.Center)] == "center"
    # and the same construct beside a nested OPTIONAL and GROUP BY does not compile at all
    from queries.catalog import bind, load_catalog

    late = load_catalog()["late_or_unresectable_options"]
    assert "SQ156" in raw(virtuoso, late.sparql).text
    assert loaded.select(late.sparql, bindings=bind(late, late.examples())) == store.select(
        late.sparql, bindings=bind(late, late.examples()))


def test_virtuoso_orders_long_literals_by_a_prefix(virtuoso: Virtuoso, loaded: RemoteStore,
                                                   store: OxigraphStore) -> None:
    query = ("PREFIX skos: <http://www.w3.org/2004/02/skos/core#> SELECT ?l WHERE { ?x skos:prefLabel ?l "
             'FILTER(STRSTARTS(STR(?l), "Thoracoscopic bronchial")) } ORDER BY ?l')
    own = [line.strip('"') for line in raw(virtuoso, query, "text/csv").text.splitlines()[1:]]
    assert own != sorted(own)  # "…bronchial sleeve resection" before "…bronchial and …"
    assert loaded.select(query) == store.select(query) and len(loaded.select(query)) == 2


def test_virtuoso_str_of_a_non_ascii_constant_is_question_marks(virtuoso: Virtuoso, loaded: RemoteStore) -> None:
    query = "SELECT (STR(?t) AS ?s) WHERE { BIND(?t AS ?u) }"
    assert "<literal>??</literal>" in raw(virtuoso, 'SELECT (STR("肺癌") AS ?s) WHERE { }').text
    assert loaded.select(query, bindings={"t": Literal("肺癌")}) == [{"s": Literal("肺癌")}]


def test_virtuoso_group_concat_skips_errors(virtuoso: Virtuoso, loaded: RemoteStore, store: OxigraphStore) -> None:
    query = ('SELECT ?s (GROUP_CONCAT(STR(?none); separator=" ") AS ?all) '
             "WHERE { VALUES ?s { <urn:a> } OPTIONAL { ?s <urn:no> ?none } } GROUP BY ?s")
    assert "<literal></literal>" in raw(virtuoso, query).text  # the standard: an error, so unbound
    assert loaded.select(query) == store.select(query) == [{"s": URIRef("urn:a")}]


def test_virtuoso_refuses_group_concat_without_a_separator(virtuoso: Virtuoso, loaded: RemoteStore,
                                                           store: OxigraphStore) -> None:
    query = "SELECT (GROUP_CONCAT(STR(?n)) AS ?all) WHERE { VALUES ?n { 1 2 } }"
    assert "Required argument delim" in raw(virtuoso, query).text
    assert loaded.select(query) == store.select(query) == [{"all": Literal("1 2")}]


def test_virtuoso_cuts_answers_at_its_result_set_max_rows(virtuoso: Virtuoso, loaded: RemoteStore) -> None:
    query = f"SELECT ?a ?d WHERE {{ ?a ?b ?c . ?d ?e ?f }} LIMIT {virtuoso.max_rows + 10}"
    own = raw(virtuoso, query)
    assert own.status_code == 200 and own.headers["x-sparql-maxrows"] == str(virtuoso.max_rows)
    assert own.text.count("<result>") == virtuoso.max_rows  # a 200 with fewer rows than asked for
    with pytest.raises(ResultTooLarge, match="ResultSetMaxRows"):
        loaded.select(query)


def _cpu_ticks(pid: int) -> int:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime + stime, in 1/100 s


def _busy_for(pid: int, limit: float = 30) -> float:
    """Seconds until the process stops using a noticeable share of a core."""
    started, before = time.monotonic(), _cpu_ticks(pid)
    while time.monotonic() - started < limit:
        time.sleep(0.25)
        now = _cpu_ticks(pid)
        if now - before < 5:
            break
        before = now
    return time.monotonic() - started


def test_virtuoso_returns_partial_results_at_its_own_time_limit(virtuoso: Virtuoso, loaded: RemoteStore) -> None:
    _busy_for(virtuoso.pid)
    own = raw(virtuoso, ENDLESS, timeout="1000")  # its `timeout` parameter, in milliseconds
    assert own.status_code == 200 and own.headers["x-sql-state"] == "S1TAT"  # "incomplete results", with a 200
    assert _busy_for(virtuoso.pid) < 1.5  # but it does stop
    # so the store gives it the deadline, and refuses what comes back incomplete
    hurried = RemoteStore(virtuoso.sparql, timeout=30, deadline=1.5)
    started = time.monotonic()
    with pytest.raises(QueryTimeout):
        hurried.select(ENDLESS)
    with pytest.raises(QueryTimeout):
        hurried.select(ENDLESS.replace("(COUNT(*) AS ?n)", "?a ?d ?g") + " ORDER BY ?a")  # a 500 past the deadline
    assert time.monotonic() - started < 8
    assert _busy_for(virtuoso.pid) < 1.5  # its CPU is free again
    hurried.close()


def test_virtuoso_describe_adds_incoming_triples(virtuoso: Virtuoso, loaded: RemoteStore,
                                                 store: OxigraphStore) -> None:
    describe = f"DESCRIBE <{TTC.Mediastinoscope}>"
    own = Graph().parse(data=raw(virtuoso, describe, "application/n-triples").text, format="nt")
    assert any(o == URIRef(TTC.Mediastinoscope) for _, _, o in own)  # triples pointing at it, too
    got, expected = (set(backend.answer(describe, formats={"graph": "ntriples"}).body.splitlines())
                     for backend in (loaded, store))
    assert got == expected  # asked for the concise bounded description, which Oxigraph gives


def test_virtuoso_never_answers_a_direct_post_of_a_query(virtuoso: Virtuoso) -> None:
    with pytest.raises(httpx.ReadTimeout):  # the SPARQL 1.1 Protocol's POST of application/sparql-query
        httpx.post(virtuoso.sparql, content=b"ASK {}", headers={"Content-Type": "application/sparql-query"},
                   timeout=1.5)
    # so the store sends queries as a form, which every server takes


def test_virtuoso_reports_a_query_fault_as_a_server_error(virtuoso: Virtuoso, loaded: RemoteStore) -> None:
    query = "SELECT ?s WHERE { ?s ?p ?o FILTER(<urn:no-such-function>(?o)) } LIMIT 1"
    own = raw(virtuoso, query)
    assert own.status_code == 500 and "Undefined procedure" in own.text
    with pytest.raises(QueryRejected):  # the client's to fix, a 400, as on the embedded store
        loaded.select(query)


def test_oxigraph_server_reports_an_unknown_function_as_a_server_error() -> None:
    query = "SELECT ?s WHERE { ?s ?p ?o FILTER(<urn:no-such-function>(?o)) }"
    with oxigraph_server() as base:
        httpx.post(f"{base}/update", data={"update": "INSERT DATA { <urn:a> <urn:b> 1 }"}).raise_for_status()
        own = httpx.post(f"{base}/query", data={"query": query}, headers={"Accept": XML})
        assert own.status_code == 500 and "not supported" in own.text
        with pytest.raises(QueryRejected):
            RemoteStore(f"{base}/query").select(query)


def test_virtuoso_rewrites_some_datatypes_so_the_build_holds_none_of_them(virtuoso: Virtuoso, built: Built) -> None:
    duration = update(virtuoso, f'INSERT DATA {{ GRAPH <urn:probe:types> {{ <urn:x> <urn:d> "P5Y"^^<{XSD}duration> }} }}')
    assert duration.status_code == 500 and "xsd:duration can not be created" in duration.text
    numbers = f'<urn:x> <urn:d> "1.0E0"^^<{XSD}double>, "3.50"^^<{XSD}decimal> .'
    assert update(virtuoso, f"INSERT DATA {{ GRAPH <urn:probe:types> {{ {numbers} }} }}").status_code == 200
    back = raw(virtuoso, "CONSTRUCT WHERE { ?s ?p ?o }", "application/n-triples", graph="urn:probe:types").text
    assert f'"1.0"^^<{XSD}double>' in back and f'"3.5"^^<{XSD}decimal>' in back  # other lexical forms
    datatypes = {str(o.datatype) for o in Graph().parse(data=built.ntriples, format="nt").objects()
                 if isinstance(o, Literal) and o.datatype is not None}
    assert datatypes <= {XSD + "integer", XSD + "boolean", XSD + "string"}, datatypes  # all kept as they are


def test_virtuoso_asks_for_digest_credentials_and_the_store_gives_them(virtuoso: Virtuoso) -> None:
    challenge = httpx.post(virtuoso.sparql_auth, data={"query": "ASK {}"})
    assert challenge.status_code == 401 and challenge.headers["www-authenticate"].startswith("Digest")
    good = RemoteStore(virtuoso.sparql_auth, credentials=(virtuoso.user, virtuoso.password))
    assert json.loads(good.answer("ASK {}").body)["boolean"] is True
    with pytest.raises(StoreUnavailable, match="TKG_SPARQL_PASSWORD"):
        RemoteStore(virtuoso.sparql_auth, credentials=(virtuoso.user, "wrong")).select("SELECT * WHERE { }")


def test_virtuoso_loads_through_the_graph_store_protocol(virtuoso: Virtuoso, built: Built, store: OxigraphStore) -> None:
    gsp = RemoteStore(virtuoso.sparql, graph_store_url=virtuoso.graph_store, graph="urn:probe:gsp",
                      credentials=(virtuoso.user, virtuoso.password))
    gsp.replace(built.ntriples, content_sha256="gsp")
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    assert gsp.select(count) == store.select(count)
    gsp.close()


def test_a_machine_without_virtuoso_fails_the_tests_with_how_to_install_it(monkeypatch: pytest.MonkeyPatch,
                                                                           tmp_path: Path) -> None:
    import tests.servers

    monkeypatch.setattr(tests.servers.shutil, "which", lambda name: None)
    with pytest.raises(pytest.fail.Exception, match="apt-get install -y --no-install-recommends virtuoso-opensource"):
        with tests.servers.virtuoso_server(tmp_path):
            pass  # never skipped: CI must run the suite on Virtuoso
