"""The query service's limits on a live server: deadline with real cancellation, caps, refusals, containment.

Each server here is a real `thoracic-kg serve` on uvicorn with small limits, so the tests stay quick.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from graph.build import Built
from tests.servers import product_server

pytestmark = pytest.mark.integration

DEADLINE = 2.0
ENDLESS = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
QUICK = "SELECT ?c WHERE { ?c a <https://schema.org/MedicalCondition> }"
JSON = {"Accept": "application/sparql-results+json"}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with product_server(tmp_path_factory.mktemp("build"), query_timeout=str(DEADLINE), workers="2", http_workers="1",
                        max_rows="200",
                        max_response_bytes="60000") as base:
        yield base


def _descendants(pid: int) -> list[int]:
    children: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        text = (task / "children").read_text().split()
        children += [int(child) for child in text]
    return children + [grand for child in children for grand in _descendants(child)]


def _cpu_seconds(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime + stime, in clock ticks
    return total / os.sysconf("SC_CLK_TCK")


def _server_pid(base: str) -> int:
    port = base.rsplit(":", 1)[1]
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if b"serve" in cmdline and port.encode() in cmdline:
                return int(entry.name)
    raise AssertionError("server process not found")


def test_a_query_past_the_deadline_is_stopped_while_others_are_served(server: str) -> None:
    with ThreadPoolExecutor(1) as pool:
        started = time.monotonic()
        slow = pool.submit(httpx.post, server + "/sparql", data={"query": ENDLESS}, headers=JSON, timeout=60)
        time.sleep(0.3)
        quick_started = time.monotonic()
        quick = httpx.get(server + "/sparql", params={"query": QUICK}, headers=JSON, timeout=60)
        quick_seconds = time.monotonic() - quick_started
        answer = slow.result()
        slow_seconds = time.monotonic() - started
    assert quick.status_code == 200 and len(quick.json()["results"]["bindings"]) == 10
    assert quick_seconds < 1.0, "another client waited on the slow query"
    assert answer.status_code == 503
    assert "deadline" in answer.text and "Traceback" not in answer.text
    assert DEADLINE <= slow_seconds < DEADLINE + 1.5


def test_the_stopped_query_frees_its_cpu(server: str) -> None:
    pid = _server_pid(server)
    answer = httpx.post(server + "/sparql", data={"query": ENDLESS}, timeout=60)
    assert answer.status_code == 503
    time.sleep(3)  # the replacement worker has loaded the graph by now
    before = _cpu_seconds(_descendants(pid))
    time.sleep(1.5)
    assert _cpu_seconds(_descendants(pid)) - before < 0.3, "a worker is still computing the stopped query"
    # the pool is whole again: two slow queries at once both reach their own worker and both time out
    with ThreadPoolExecutor(2) as pool:
        answers = list(pool.map(lambda _: httpx.post(server + "/sparql", data={"query": ENDLESS}, timeout=60), range(2)))
    assert [a.status_code for a in answers] == [503, 503]


def test_the_row_cap_is_reported_not_silent(server: str) -> None:
    capped = httpx.get(server + "/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o }"}, headers=JSON)
    assert capped.status_code == 422
    assert "row cap" in capped.text and "200" in capped.text
    within = httpx.get(server + "/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 200"}, headers=JSON)
    assert within.status_code == 200 and len(within.json()["results"]["bindings"]) == 200
    triples = httpx.get(server + "/sparql", params={"query": "CONSTRUCT WHERE { ?s ?p ?o }"})
    assert triples.status_code == 422 and "triples" in triples.text


def test_the_response_size_cap_is_reported(server: str) -> None:
    query = "SELECT ?s ?p ?o ?s2 ?p2 ?o2 WHERE { ?s ?p ?o . ?s2 ?p2 ?o2 } LIMIT 199"
    answer = httpx.get(server + "/sparql", params={"query": query}, headers={"Accept": "application/sparql-results+xml"})
    assert answer.status_code == 422 and "response cap" in answer.text


@pytest.mark.parametrize("spelling", ["SERVICE", "service", "?s ?p 10SERVICE", "?s ?p 1.5e0SERVICE",
                                      "?s <urn:p> ?o FILTER(?o > 1)SERVICE"])
def test_service_never_reaches_the_listener_it_names(server: str, spelling: str) -> None:
    """However SERVICE is glued to the token before it (`10SERVICE` is the number 10, then SERVICE)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    listener.settimeout(0.2)
    port = listener.getsockname()[1]
    seen: list[object] = []

    def accept() -> None:
        deadline = time.monotonic() + 2
        while time.monotonic() < deadline:
            try:
                seen.append(listener.accept())
            except TimeoutError:
                continue

    watcher = threading.Thread(target=accept)
    watcher.start()
    answer = httpx.get(server + "/sparql", params={
        "query": f"SELECT * WHERE {{ ?x ?y ?z . {spelling} <http://127.0.0.1:{port}/sparql> {{ ?a ?b ?c }} }}"})
    watcher.join()
    listener.close()
    assert answer.status_code == 400 and "SERVICE" in answer.text
    assert seen == []


@pytest.mark.parametrize(("request_kwargs", "status", "words"), [
    ({"data": {"update": "LOAD <http://127.0.0.1:9/x.ttl>"}}, 403, "read-only"),
    ({"content": b"LOAD <http://127.0.0.1:9/x.ttl>", "headers": {"Content-Type": "application/sparql-update"}}, 403,
     "read-only"),
    ({"data": {"query": "ASK {}", "update": "DROP ALL"}}, 400, "not both"),
    ({"data": {"query": ["ASK {}", "ASK {}"]}}, 400, "exactly one"),
    ({"content": b"ASK {}", "params": {"query": "ASK {}"}, "headers": {"Content-Type": "application/sparql-query"}}, 400,
     "body"),
    ({"data": {"query": "SELECT * WHERE " + "{" * 500 + "?s ?p ?o" + "}" * 500}}, 400, "500 deep"),
    ({"data": {"query": "SELECT * FROM <http://127.0.0.1:9/g> WHERE { ?s ?p ?o }"}}, 400, "FROM"),
    ({"data": {"query": "ASK {}", "default-graph-uri": "not an iri"}}, 400, "absolute IRI"),
])
def test_refusals(server: str, request_kwargs: dict, status: int, words: str) -> None:
    answer = httpx.post(server + "/sparql", **request_kwargs)
    assert answer.status_code == status, answer.text
    assert words in answer.text
    assert "Traceback" not in answer.text and "/work" not in answer.text


def test_invalid_utf8_in_the_url_or_the_form_is_a_400(server: str) -> None:
    answer = httpx.get(server + "/sparql?query=SELECT%20%FF%FE")
    assert answer.status_code == 400 and "UTF-8" in answer.text
    form = httpx.post(server + "/sparql", content=b"query=SELECT%20%FF%FE",
                      headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert form.status_code == 400 and "UTF-8" in form.text


def test_dataset_parameters_choose_the_graphs(server: str) -> None:
    everything = "SELECT ?p WHERE { ?s ?p ?o }"
    build_graph = httpx.get(server + "/sparql", params={"query": everything, "default-graph-uri": "urn:ttc-kg:build"},
                            headers=JSON)
    assert [row["p"]["value"] for row in build_graph.json()["results"]["bindings"]] == ["http://purl.org/dc/terms/identifier"]
    named = httpx.post(server + "/sparql", data={"query": "SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } }",
                                                  "named-graph-uri": "urn:nothing-here"}, headers=JSON)
    assert named.json()["results"]["bindings"] == []
    only_named = {"named-graph-uri": "urn:ttc-kg:build"}  # named graphs alone: the default graph is empty
    assert httpx.get(server + "/sparql", params={"query": everything, **only_named},
                     headers=JSON).json()["results"]["bindings"] == []
    graphs = httpx.get(server + "/sparql", params={"query": "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }",
                                                   **only_named}, headers=JSON)
    assert [row["g"]["value"] for row in graphs.json()["results"]["bindings"]] == ["urn:ttc-kg:build"]


@pytest.mark.parametrize("param", ["format", "output", "results"])
def test_format_parameters_that_clients_add_are_honoured(server: str, param: str) -> None:
    answer = httpx.get(server + "/sparql", params={"query": QUICK, param: "csv"})
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/csv")


def test_every_catalog_query_is_an_operation_in_the_openapi_document(server: str) -> None:
    catalog = httpx.get(server + "/queries").json()["queries"]
    paths = httpx.get(server + "/openapi.json").json()["paths"]
    for query in catalog:
        operation = paths[f"/queries/{query['name']}"]["get"]
        documented = {p["name"]: p["required"] for p in operation["parameters"] if p["in"] == "query"}
        assert documented == {"format": False, **{p["name"]: p["required"] for p in query["params"]}}
        assert operation["summary"] == query["title"]


def test_a_query_that_crashes_the_engine_is_contained(tmp_path: Path) -> None:
    """With the nesting limit lifted, a pathologically deep query overflows the engine's stack: only its
    worker dies, the client gets a plain 500, and the service goes on answering."""
    with product_server(tmp_path, max_nesting="1000000", max_query_chars="1000000", workers="1",
                        query_timeout="30") as base:
        deep = "SELECT * WHERE " + "{" * 100_000 + "?s ?p ?o" + "}" * 100_000
        answer = httpx.post(base + "/sparql", content=deep.encode(),
                            headers={"Content-Type": "application/sparql-query"}, timeout=60)
        assert answer.status_code == 500 and "still up" in answer.text
        again = httpx.get(base + "/sparql", params={"query": QUICK}, headers=JSON, timeout=60)
        assert again.status_code == 200 and len(again.json()["results"]["bindings"]) == 10


@pytest.mark.parametrize("graph_file", [False, True], ids=["built-from-graph-data", "TKG_GRAPH_FILE"])
def test_two_http_processes_share_one_disk_store(tmp_path: Path, built: Built, graph_file: bool) -> None:
    """The store is loaded once, before the HTTP processes start, and each opens it read-only for its workers: none
    fights over the write lock. With TKG_GRAPH_FILE both processes once loaded it at once, and RocksDB refused the
    start ("Corruption: Mismatch in unique ID on table file")."""
    settings = {"store": "disk", "store_path": str(tmp_path / "store"), "http_workers": "2"}
    if graph_file:
        (tmp_path / "graph.nt").write_bytes(built.ntriples)
        settings["graph_file"] = str(tmp_path / "graph.nt")
    with product_server(tmp_path / "build", tmp_path / "server.log", **settings) as base:
        answers = [httpx.get(base + "/sparql", params={"query": QUICK}, headers=JSON, timeout=60) for _ in range(20)]
        assert {a.status_code for a in answers} == {200}
        assert all(len(a.json()["results"]["bindings"]) == 10 for a in answers)
        log = (tmp_path / "server.log").read_text(encoding="utf-8")
    assert log.count("Application startup complete") == 2 and "Traceback" not in log, log[-3000:]  # both, neither died
