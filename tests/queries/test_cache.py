"""The answer cache (queries.cache, queries.service): exact, bounded, and never an answer of another version.

In this process (TestClient) with one query worker and a private state directory, so a staff change can be
committed through `Content.change` and the next answer checked; the guarantees that rest on timing (a change
committed while a query runs, a deadline) are checked on a store that stands in for the workers."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from graph.build import Built
from graph.changes import sparql_update
from graph.settings import Settings
from graph.store import Answer, Dataset, QueryTimeout, ResultKind, Store
from queries.cache import ENTRY_OVERHEAD, AnswerCache
from queries.service import answer_cache, ask_sparql
from tests.updates.helpers import STATUS_QUERY, TO_INFERRED, settings_for

JSON = {"Accept": "application/sparql-results+json"}
SPARQL_BODY = {"Content-Type": "application/sparql-query"}
VERSIONS_QUERY = ("SELECT (COUNT(?v) AS ?n) WHERE { GRAPH <https://ttc-kg.example/graph/versions> "
                  "{ ?v a <https://ttc-kg.example/ontology#Version> } }")
TINY = "SELECT ?l WHERE { <https://ttc-kg.example/id/Center> <http://www.w3.org/2000/01/rdf-schema#label> ?l }"


def _client(built: Built, tmp: Path, **overrides: object) -> TestClient:
    settings = settings_for(tmp, workers=1, rate_limit="off", **overrides)
    built.write(settings.build_dir)
    return TestClient(create_app(settings))


@pytest.fixture(scope="module")
def cached(built: Built, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    with _client(built, tmp_path_factory.mktemp("cache-on")) as client:
        yield client


@pytest.fixture(scope="module")
def uncached(built: Built, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    with _client(built, tmp_path_factory.mktemp("cache-off"), cache_bytes=0) as client:
        yield client


def _post(client: TestClient, query: str, headers: Mapping[str, str] = JSON, params: object = None):  # type: ignore[no-untyped-def]
    return client.post("/sparql", content=query.encode(), headers={**SPARQL_BODY, **headers}, params=params)  # type: ignore[arg-type]


def test_a_hit_is_byte_identical_to_the_miss_and_to_no_cache(cached: TestClient, uncached: TestClient) -> None:
    query = STATUS_QUERY + " # identical"
    first, second = _post(cached, query), _post(cached, query)
    assert (first.headers["x-cache"], second.headers["x-cache"]) == ("miss", "hit")
    assert first.status_code == second.status_code == 200
    assert second.content == first.content and second.headers["content-type"] == first.headers["content-type"]
    by_get = cached.get("/sparql", params={"query": query}, headers=JSON)  # GET and POST ask the same question
    assert by_get.headers["x-cache"] == "hit" and by_get.content == first.content
    off = _post(uncached, query)
    assert off.headers["x-cache"] == "off" and off.content == first.content
    assert _post(uncached, query).headers["x-cache"] == "off"


def test_another_format_dataset_or_binding_is_another_entry(cached: TestClient) -> None:
    query = TINY + " # formats"
    bodies = {}
    for accept in ("application/sparql-results+json", "application/sparql-results+xml", "text/csv"):
        answer = _post(cached, query, {"Accept": accept})
        assert answer.headers["x-cache"] == "miss", accept
        bodies[accept] = answer.content
        again = _post(cached, query, {"Accept": accept})
        assert again.headers["x-cache"] == "hit" and again.content == answer.content
    assert len(set(bodies.values())) == 3
    # ?format= names the same format as Accept does: the same entry
    assert _post(cached, query, {}, params={"format": "csv"}).headers["x-cache"] == "hit"
    # a dataset is part of the question
    in_graph = _post(cached, query, params={"default-graph-uri": "urn:nothing:here"})
    assert in_graph.headers["x-cache"] == "miss" and in_graph.json()["results"]["bindings"] == []
    assert _post(cached, query, params={"default-graph-uri": "urn:nothing:here"}).headers["x-cache"] == "hit"
    # named queries: the bound value is part of the key
    lung = cached.get("/queries/evidence_for_entity", params={"entity": "ttc:LungCancer"})
    center = cached.get("/queries/evidence_for_entity", params={"entity": "ttc:Center"})
    assert (lung.headers["x-cache"], center.headers["x-cache"]) == ("miss", "miss")
    assert lung.content != center.content
    again = cached.get("/queries/evidence_for_entity", params={"entity": "ttc:LungCancer"})
    assert again.headers["x-cache"] == "hit" and again.content == lung.content
    csv = cached.get("/queries/evidence_for_entity", params={"entity": "ttc:LungCancer", "format": "csv"})
    assert csv.headers["x-cache"] == "miss" and csv.content.startswith(b"\xef\xbb\xbf")
    assert cached.get("/queries/evidence_for_entity", params={"entity": "ttc:LungCancer", "format": "csv"}).content \
        == csv.content


def test_errors_are_never_cached(cached: TestClient) -> None:
    cache = answer_cache(cached.app.state.store, cached.app.state.settings)  # type: ignore[attr-defined]
    assert cache is not None
    kept = len(cache)
    for _ in range(2):
        broken = _post(cached, "SELECT ?x WHERE { ?x ")
        assert broken.status_code == 400 and "x-cache" not in broken.headers
        refused = cached.get("/queries/evidence_for_entity", params={"entity": "not an iri"})
        assert refused.status_code >= 400 and "x-cache" not in refused.headers
        service = _post(cached, "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }")
        assert service.status_code == 400
    assert len(cache) == kept


def test_after_a_change_the_next_answer_is_the_new_contents(built: Built, tmp_path: Path) -> None:
    with _client(built, tmp_path) as client:
        named = "/queries/evidence_for_entity?entity=ttc:DaVinciSurgicalSystem"
        before, named_before = _post(client, STATUS_QUERY), client.get(named)
        assert _post(client, STATUS_QUERY).headers["x-cache"] == "hit"
        assert client.get(named).headers["x-cache"] == "hit"
        assert [b["status"]["value"].rsplit("#")[1] for b in before.json()["results"]["bindings"]] == ["Ambiguous"]
        content = client.app.state.content  # type: ignore[attr-defined]
        content.change(sparql_update(TO_INFERRED), by="alice", message="weighed as inferred", kind="update")
        after = _post(client, STATUS_QUERY)
        assert after.headers["x-cache"] == "miss"
        assert [b["status"]["value"].rsplit("#")[1] for b in after.json()["results"]["bindings"]] == ["Inferred"]
        assert _post(client, STATUS_QUERY).content == after.content
        named_after = client.get(named)
        assert named_after.headers["x-cache"] == "miss" and named_after.content != named_before.content
        assert b"Inferred" in named_after.content
        # a rollback returns to the build's content hash, but the served versions graph has grown: the key is
        # the version, so the answer before the change is not served again
        versions = _post(client, VERSIONS_QUERY)
        assert versions.headers["x-cache"] == "miss" and _post(client, VERSIONS_QUERY).headers["x-cache"] == "hit"
        first = content.run()[0].id
        content.rollback(first, by="alice", message="back to the build")
        assert content.head().content_sha256 == content.build_sha
        back, versions_back = _post(client, STATUS_QUERY), _post(client, VERSIONS_QUERY)
        assert back.headers["x-cache"] == versions_back.headers["x-cache"] == "miss"
        assert [b["status"]["value"].rsplit("#")[1] for b in back.json()["results"]["bindings"]] == ["Ambiguous"]
        count = int(versions_back.json()["results"]["bindings"][0]["n"]["value"])
        assert count == int(versions.json()["results"]["bindings"][0]["n"]["value"]) + 1


def test_the_byte_bound_evicts_least_recently_used_first() -> None:
    body = b"x" * 100
    cost = len(body) + 1 + ENTRY_OVERHEAD
    cache = AnswerCache(max_bytes=3 * cost)
    for key in "abc":
        assert cache.put(key, Answer("solutions", "text/csv", body), 1)
    assert cache.get("a") is not None  # now b is the least recently used
    cache.put("d", Answer("solutions", "text/csv", body), 1)
    assert cache.get("b") is None and all(cache.get(k) is not None for k in "acd")
    assert cache.size <= cache.max_bytes and cache.stats()["evictions"] == 1
    assert not cache.put("huge", Answer("solutions", "text/csv", b"y" * 4 * cost), 4)  # never larger than the bound
    assert len(cache) == 3


def test_a_small_cache_over_http_keeps_within_its_bound(built: Built, tmp_path: Path) -> None:
    with _client(built, tmp_path, cache_bytes=4000) as client:
        for n in range(6):
            _post(client, f"{TINY} # {n}")
        cache = answer_cache(client.app.state.store, client.app.state.settings)  # type: ignore[attr-defined]
        assert cache is not None and 0 < cache.size <= 4000 and cache.stats()["evictions"] > 0
        assert _post(client, f"{TINY} # 5").headers["x-cache"] == "hit"
        assert _post(client, f"{TINY} # 0").headers["x-cache"] == "miss"


class _Standin(Store):
    """A store whose content hash and answers the test sets, counting the engine's work."""

    def __init__(self) -> None:
        self.sha, self.calls = "v1", 0
        self.during: str | None = None  # the hash a version committed while the next query ran gives
        self.fail: Exception | None = None

    def answer(self, sparql: str, *, bindings: object = None, formats: Mapping[ResultKind, str] | None = None,
               dataset: Dataset | None = None) -> Answer:
        self.calls += 1
        if self.fail is not None:
            raise self.fail
        if self.during is not None:
            self.sha, self.during = self.during, None
        return Answer("solutions", "application/sparql-results+json", f'{{"sha":"{self.sha}"}}'.encode())

    def select(self, sparql: str, *, bindings: object = None) -> list:  # type: ignore[override]
        raise NotImplementedError

    def replace(self, ntriples: bytes, *, content_sha256: str) -> None:
        raise NotImplementedError

    def content_sha256(self) -> str | None:
        return self.sha


def test_a_deadline_or_a_change_during_the_query_keeps_nothing() -> None:
    store, settings = _Standin(), Settings()
    formats: dict[ResultKind, str] = {"solutions": "json"}

    def ask() -> tuple[Answer, str]:
        return ask_sparql(store, settings, TINY, formats, None, lambda: store.sha)

    store.fail = QueryTimeout("past the deadline")
    with pytest.raises(QueryTimeout):
        ask()
    store.fail = None
    store.during = "v2"  # a version commits while the query runs: its answer is filed under neither
    assert ask()[1] == "miss"
    assert ask() == (Answer("solutions", "application/sparql-results+json", b'{"sha":"v2"}'), "miss")
    assert ask()[1] == "hit" and store.calls == 3
    store.sha = "v3"
    assert ask()[0].body == b'{"sha":"v3"}' and store.calls == 4
    store.sha = "v2"  # the same served state again: its answers are right again
    assert ask()[1] == "hit" and store.calls == 4
    assert ask_sparql(store, settings, TINY, formats)[1] == "off"  # nothing says which version is served: no cache
    assert answer_cache(store, Settings(cache_bytes=0)) is None
