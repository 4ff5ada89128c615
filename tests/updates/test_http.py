"""The update surface over HTTP, as staff and their tools use it, on a real server with two HTTP processes and
two query workers each: tokens, a change seen by every worker at once, versions, the Graph Store Protocol,
rollback, and a new source document quoted by new evidence."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from graph.build import Built
from graph.evidence import read_source
from tests.servers import product_server
from tests.updates.helpers import STATUS_QUERY, TO_INFERRED, TOKEN, WITHOUT_EVIDENCE

pytestmark = pytest.mark.integration
AUTH = {"Authorization": f"Bearer {TOKEN}"}
UPDATE = {"Content-Type": "application/sparql-update"}


@pytest.fixture(scope="module")
def server(built: Built, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("updates-http")
    built.write(folder / "build")
    with product_server(folder / "build", state_dir=str(folder / "state"), update_tokens=f"alice:{TOKEN},bob:other",
                        http_workers="2", workers="2", rate_limit="off") as base:
        yield base


def _versions(base: str) -> list[dict]:
    return httpx.get(f"{base}/api/versions").json()["versions"]  # type: ignore[no-any-return]


def _statuses(base: str, times: int = 12) -> list[set[str]]:
    """The Da Vinci claim's status as `times` queries in a row see it (spread over every process and worker)."""
    seen = []
    for _ in range(times):
        answer = httpx.post(f"{base}/sparql", data={"query": STATUS_QUERY},
                            headers={"Accept": "application/sparql-results+json"})
        seen.append({b["status"]["value"].rsplit("#", 1)[1] for b in answer.json()["results"]["bindings"]})
    return seen


def _equipment_status(base: str) -> str:
    """The status of the network's "has equipment" edge to the Da Vinci system (asked of both HTTP processes)."""
    seen = set()
    for _ in range(4):
        view = httpx.get(f"{base}/api/graph/entity", params={"id": "ttc:DaVinciSurgicalSystem"}).json()
        seen |= {edge["status"] for edge in view["edges"] if edge["label"] == "has equipment"}
    assert len(seen) == 1, seen
    return seen.pop()


def test_changes_need_a_token_and_updates_can_be_off(server: str, live_server: str) -> None:
    before = _versions(server)
    missing = httpx.post(f"{server}/update", content=TO_INFERRED, headers=UPDATE)
    assert missing.status_code == 401 and missing.headers["www-authenticate"].startswith("Bearer")
    assert "token" in missing.text and "令牌" in missing.text
    wrong = httpx.post(f"{server}/update", content=TO_INFERRED, headers={**UPDATE, "Authorization": "Bearer nope"})
    assert wrong.status_code == 403
    in_query = httpx.post(f"{server}/update?access_token={TOKEN}", content=TO_INFERRED, headers=UPDATE)
    assert in_query.status_code == 401
    off = httpx.post(f"{live_server}/update", content=TO_INFERRED, headers={**UPDATE, **AUTH})  # no tokens configured
    assert off.status_code == 403 and "disabled" in off.text and "未开启" in off.text
    for method in ("PUT", "POST", "DELETE"):
        assert httpx.request(method, f"{live_server}/rdf-graphs?default", content=b"", headers=AUTH).status_code == 403
    assert httpx.post(f"{live_server}/api/versions/1/rollback", headers=AUTH).status_code == 403
    assert _versions(server) == before and _statuses(server, 4) == [{"Ambiguous"}] * 4


def test_a_refused_change_is_a_list_of_violations_and_changes_nothing(server: str) -> None:
    before = _versions(server)
    refused = httpx.post(f"{server}/update", content=WITHOUT_EVIDENCE, headers={**UPDATE, **AUTH})
    assert refused.status_code == 422 and refused.headers["content-type"].startswith("application/json")
    body = refused.json()
    assert body["violations"] and {"rule", "focus", "message"} <= set(body["violations"][0])
    assert body["violations"][0]["rule"] == "claims" and body["violations"][0]["focus"].endswith("/id/Center")
    assert set(body["message"]) == {"en", "zh"}
    unparsable = httpx.post(f"{server}/update", content="INSERT DATA { oops", headers={**UPDATE, **AUTH})
    assert unparsable.status_code == 400
    assert _versions(server) == before


def test_an_accepted_change_is_seen_by_every_worker_listed_and_reversible(server: str, built: Built) -> None:
    changed = httpx.post(f"{server}/update", data={"update": TO_INFERRED, "message": "weighed as inferred"},
                         headers=AUTH, timeout=60)
    assert changed.status_code == 200, changed.text
    version = changed.json()["version"]
    assert (version["by"], version["message"], version["kind"]) == ("alice", "weighed as inferred", "update")
    assert _statuses(server) == [{"Inferred"}] * 12  # the very next query, on every process and worker
    assert _equipment_status(server) == "inferred"  # the network's cache is keyed by the version's content
    listed = _versions(server)
    assert listed[0]["id"] == version["id"] and [v["id"] for v in listed] == sorted((v["id"] for v in listed), reverse=True)
    assert {"id", "at", "by", "message", "added", "removed", "content_sha256"} <= set(listed[0])
    detail = httpx.get(f"{server}/api/versions/{version['id']}").json()
    assert any("#Inferred" in line for line in detail["statements_added"])
    graph = httpx.get(f"{server}/downloads/graph.nt").content
    assert hashlib.sha256(graph).hexdigest() == version["content_sha256"]
    assert httpx.get(f"{server}/downloads/manifest.json").json()["version"] == version["id"]
    curated = httpx.get(f"{server}/rdf-graphs?default")
    assert curated.status_code == 200 and b"kg:Inferred" in curated.content
    back = httpx.post(f"{server}/api/versions/1/rollback", params={"message": "undo"}, headers=AUTH, timeout=60)
    assert back.status_code == 200 and back.json()["version"]["rollback_of"] == 1
    assert back.json()["version"]["content_sha256"] == built.manifest["content_sha256"]
    assert _statuses(server) == [{"Ambiguous"}] * 12
    assert _equipment_status(server) == "ambiguous"
    assert httpx.post(f"{server}/api/versions/999/rollback", headers=AUTH).status_code == 404


def test_a_new_source_document_can_be_quoted_by_new_evidence(server: str) -> None:
    text = read_source("thoracic-tumor-center.txt")
    start = text.index("robotic (Da Vinci) surgery")
    excerpt = text[text.rindex(".", 0, start) + 1:text.index(".", start) + 1].strip()  # one sentence of the source
    uploaded = httpx.put(f"{server}/api/sources/excerpt.txt", content=excerpt.encode(), headers={
        **AUTH, "Content-Type": "text/plain; charset=utf-8"}, timeout=60)  # a source is content: a build
    assert uploaded.status_code == 200 and uploaded.json()["version"]["kind"] == "source"
    again = httpx.put(f"{server}/api/sources/excerpt.txt", content=b"other words", headers={
        **AUTH, "Content-Type": "text/plain"}, timeout=60)
    assert again.status_code == 409  # evidence may quote it: never replaced
    at = excerpt.index("robotic (Da Vinci) surgery")
    cite = f"""INSERT {{ ttc:excerpt a kg:SourceDocument ; rdfs:label "An excerpt of the center's description"@en ;
                  dcterms:identifier "excerpt.txt" ; dcterms:format "text/plain; charset=utf-8" .
              ev:excerpt-robotic a kg:EvidenceSpan ; prov:value "robotic (Da Vinci) surgery" ;
                  oa:start {at} ; oa:end {at + 26} ; prov:wasQuotedFrom ttc:excerpt .
              ?c prov:wasDerivedFrom ev:excerpt-robotic }}
           WHERE {{ ?c rdf:subject ttc:Center ; rdf:predicate kg:hasEquipment ; rdf:object ttc:DaVinciSurgicalSystem }}"""
    wrong = httpx.post(f"{server}/update", content=cite.replace(f"oa:start {at} ", f"oa:start {at + 1} "),
                       headers={**UPDATE, **AUTH}, timeout=60)
    assert wrong.status_code == 422 and "evidence" in {v["rule"] for v in wrong.json()["violations"]}
    cited = httpx.post(f"{server}/update", content=cite, headers={**UPDATE, **AUTH}, timeout=60)
    assert cited.status_code == 200, json.dumps(cited.json())[:2000]
    answer = httpx.post(f"{server}/sparql", headers={"Accept": "text/csv"}, data={"query": (
        "SELECT ?q WHERE { ?s <http://www.w3.org/ns/prov#wasQuotedFrom> <https://ttc-kg.example/id/excerpt> ; "
        "<http://www.w3.org/ns/prov#value> ?q }")})
    assert answer.text.splitlines()[1:] == ["robotic (Da Vinci) surgery"]


def test_the_graph_store_reads_and_refuses_other_graphs(server: str, tmp_path: Path) -> None:
    assert httpx.get(f"{server}/rdf-graphs?graph=urn:x").status_code == 404
    nt = httpx.get(f"{server}/rdf-graphs?default", headers={"Accept": "application/n-triples"})
    assert nt.headers["content-type"].startswith("application/n-triples") and b"_:" in nt.content
    named = httpx.put(f"{server}/rdf-graphs?graph=urn:x", content=b"<urn:a> <urn:b> <urn:c> .",
                      headers={**AUTH, "Content-Type": "application/n-triples"})
    assert named.status_code == 422 and named.json()["violations"][0]["rule"] == "graph-store"
    odd = httpx.post(f"{server}/rdf-graphs?default", content=b"x", headers={**AUTH, "Content-Type": "text/csv"})
    assert odd.status_code == 415
