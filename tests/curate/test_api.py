"""The review page's calls over HTTP on a real server with an update token: a proposals file read by sentence;
accepted proposals committed as one version with their source text, which the served graph then answers; bad
input refused in English and Chinese with nothing changed; an export that a build of graph/data accepts."""

from __future__ import annotations

import io
import shutil
import zipfile
from pathlib import Path

import httpx
import pytest

from graph.build import Inputs, build
from graph.sources import DATA_DIR, data_files
from tests.curate.helpers import DEPT, FIXTURE, P, ask, versions
from tests.updates.helpers import TOKEN

pytestmark = pytest.mark.integration
AUTH = {"Authorization": f"Bearer {TOKEN}"}



def _post(base: str, path: str, **body: object) -> httpx.Response:
    return httpx.post(f"{base}/api/curate/{path}", json={"proposals": FIXTURE.read_text(encoding="utf-8"), **body},
                      headers=AUTH, timeout=120)




def test_the_file_is_read_by_sentence_with_every_proposal(server: str) -> None:
    answer = _post(server, "review")
    assert answer.status_code == 200, answer.text
    review = answer.json()
    assert review["source"]["name"] == "riverside-chest-clinic.txt"
    assert review["department"]["zh"] == "河滨胸科诊所"
    texts = [s["text"] for s in review["sentences"]]
    assert texts[-1] == "Visiting hours are posted at the entrance."
    assert [s["proposals"] for s in review["sentences"]][-1] == []  # shown, with no proposal
    assert sum(len(s["proposals"]) for s in review["sentences"]) == len(review["proposals"]) == 7
    treats = next(s for s in review["sentences"] if s["text"].startswith("It treats"))
    assert [(p["text"], len(p["proposals"])) for p in treats["pieces"] if p["proposals"]][:2] == [
        ("It treats ", 1), ("lung cancer", 2)]  # the mention and the relation share the words
    relation = next(p for p in review["proposals"] if p["iri"] == P + "treats-lung-cancer")
    assert (relation["subject"]["en"], relation["predicate"]["en"], relation["target"]["zh"]) == (
        "Riverside Chest Clinic", "treats condition", "肺癌")


def test_bad_input_is_refused_in_both_languages_and_changes_nothing(server: str) -> None:
    before = versions(server)
    cases = [
        (httpx.post(f"{server}/api/curate/review", json={"proposals": "@prefix x: <"}, headers=AUTH), 400),
        (httpx.post(f"{server}/api/curate/review", json={"proposals": "<urn:a> <urn:b> <urn:c> ."}, headers=AUTH),
         422),
        (_post(server, "commit", decisions=[{"proposal": P + "nothing-like-this", "action": "accept"}]), 422),
        (_post(server, "commit", decisions=[{"proposal": P + "treats-lung-cancer", "action": "maybe"}]), 422),
        (_post(server, "commit", decisions=[{"proposal": P + "treats-lung-cancer", "action": "reject"}]), 422),
        (_post(server, "commit", decisions=[{"proposal": P + "treats-lung-cancer", "action": "accept",
                                             "target": "not an entity"}]), 422),
        (_post(server, "commit", decisions=[{"proposal": P + "treats-lung-cancer", "action": "accept",
                                             "target": "ttc:NoSuchCondition"}]), 422),
    ]
    for answer, status in cases:
        assert answer.status_code == status, answer.text
        message = answer.json()["message"]
        assert message["en"] and any("\u4e00" <= c <= "\u9fff" for c in message["zh"])
    no_token = httpx.post(f"{server}/api/curate/review", json={"proposals": ""})
    assert no_token.status_code == 401
    assert versions(server) == before


def test_a_rule_the_build_refuses_is_refused_with_its_reasons(server: str) -> None:
    before = versions(server)
    # weighed as ambiguous without saying why: the build's own claim shape refuses it, nothing is written
    answer = _post(server, "commit", decisions=[{"proposal": P + "offers-segmentectomy", "action": "accept",
                                                 "status": "Ambiguous"}])
    assert answer.status_code == 422, answer.text
    assert any("editorialNote" in v["message"] for v in answer.json()["violations"])
    assert versions(server) == before


def test_accepted_proposals_are_committed_with_their_source_and_the_rejected_leave_nothing(server: str) -> None:
    answer = _post(server, "commit", message="Riverside onboarding", decisions=[
        {"proposal": P + "treats-lung-cancer", "action": "accept"},
        {"proposal": P + "fig-surgeons", "action": "accept", "label_zh": "胸外科医生"},
        {"proposal": P + "offers-segmentectomy", "action": "reject"}])
    assert answer.status_code == 200, answer.text
    version = answer.json()["version"]
    assert (version["by"], version["message"], version["kind"]) == ("alice", "Riverside onboarding", "curate")
    assert ask(server, f"ASK {{ <{DEPT}> <https://ttc-kg.example/ontology#treatsCondition> "
                        "<https://ttc-kg.example/id/LungCancer> }")
    assert not ask(server, f"ASK {{ <{DEPT}> <https://ttc-kg.example/ontology#offers> ?x }}")
    assert ask(server, f'ASK {{ <{P}fig-surgeons> <http://www.w3.org/2000/01/rdf-schema#label> "胸外科医生"@zh-Hans }}')
    assert not ask(server, "ASK { ?p a <https://ttc-kg.example/ontology#Proposal> }")
    assert not ask(server, "ASK { ?p <https://ttc-kg.example/ontology#status> "
                            "<https://ttc-kg.example/ontology#Proposed> }")
    newest = versions(server)[0]
    assert (newest["id"], newest["by"]) == (version["id"], "alice")
    # the same accepted proposal again: the graph holds it already, so there is nothing to change
    again = _post(server, "commit", decisions=[{"proposal": P + "treats-lung-cancer", "action": "accept"}])
    assert again.status_code == 422


def test_an_export_unpacked_into_graph_data_is_accepted_by_a_build(server: str, tmp_path: Path) -> None:
    answer = _post(server, "export", format="zip", decisions=[
        {"proposal": P + "new-mesothelioma", "action": "accept"},
        {"proposal": P + "treats-mesothelioma", "action": "accept", "status": "Ambiguous"},
        {"proposal": P + "slip-segmentectmy", "action": "reject"}])
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "application/zip"
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    with zipfile.ZipFile(io.BytesIO(answer.content)) as archive:
        assert sorted(archive.namelist()) == ["riverside-chest-clinic.ttl", "source/riverside-chest-clinic.txt"]
        archive.extractall(data)
    lines = build(Inputs(data=tuple(data_files(data)), source_dir=data / "source")).ntriples.decode("utf-8")
    assert "https://ttc-kg.example/id/PleuralMesothelioma" in lines
    assert "segmentectmy" not in lines
    assert "#Ambiguous" in lines
    turtle = _post(server, "export", format="turtle", decisions=[{"proposal": P + "entity-lung-cancer",
                                                                  "action": "accept"}])
    assert turtle.status_code == 200 and turtle.headers["content-type"].startswith("text/turtle")
    assert "kg:Proposal" not in turtle.text and "foundBy" not in turtle.text
