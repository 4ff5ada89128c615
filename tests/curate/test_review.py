"""graph.propose.review on the Riverside fixture: the text by sentence with every proposal; an accepted proposal
passes the build's own checks and carries no proposal mark; a rejected one leaves no trace; edits of status,
target and label are applied; decisions that do not fit the file are refused."""

from __future__ import annotations

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SKOS

from graph.claims import PROPOSAL_MARKS
from graph.namespaces import KG, TTC
from graph.propose import review
from graph.propose.review import Decision, ReviewRefused
from tests.curate.helpers import DEPT as DEPARTMENT
from tests.curate.helpers import FIXTURE, P

DEPT = URIRef(DEPARTMENT)


@pytest.fixture(scope="module")
def read() -> review.Review:
    return review.read(FIXTURE.read_text(encoding="utf-8"), review.vocabulary())


def _apply(read: review.Review, *decisions: Decision) -> Graph:
    return review.apply(read, list(decisions), review.vocabulary())


def _claims(graph: Graph) -> set[tuple]:
    return {(graph.value(c, RDF.subject), graph.value(c, RDF.predicate), graph.value(c, RDF.object),
             graph.value(c, KG.status)) for c in graph.subjects(RDF.type, KG.Claim)}


def test_every_sentence_is_shown_and_every_proposal_is_in_one(read: review.Review) -> None:
    assert "".join(s.text for s in read.sentences).replace(" ", "") == read.text.replace(" ", "").replace("\n", "")
    placed = [n for s in read.sentences for n in s.proposals]
    assert sorted(placed) == list(range(1, len(read.proposals) + 1))
    empty = [s.text for s in read.sentences if not s.proposals]
    assert "Visiting hours are posted at the entrance." in empty
    for sentence in read.sentences:
        assert "".join(p.text for p in sentence.pieces) == sentence.text
        for piece in sentence.pieces:
            assert read.text[piece.start:piece.end] == piece.text
    for proposal in read.proposals.values():
        assert read.text[proposal.start:proposal.end] == proposal.quote


def test_accepted_proposals_pass_the_build_checks_without_a_proposal_mark(read: review.Review) -> None:
    accepted = _apply(read, *(Decision(iri, "accept") for iri in read.proposals))
    assert review.check_accepted(accepted, read.source_name, read.text) == []
    assert not any((None, mark, None) in accepted for mark in PROPOSAL_MARKS)
    assert (None, KG.sourceText, None) not in accepted
    assert (None, RDF.type, KG.Proposal) not in accepted
    assert (DEPT, KG.treatsCondition, TTC.LungCancer, KG.Stated) in _claims(accepted)
    assert (TTC.Segmentectomy, SKOS.hiddenLabel, Literal("segmentectmy", lang="en")) in accepted


def test_a_rejected_proposal_leaves_no_trace(read: review.Review) -> None:
    accepted = _apply(read, Decision(P + "treats-lung-cancer", "accept"), Decision(P + "new-mesothelioma", "reject"),
                      Decision(P + "slip-segmentectmy", "reject"))
    text = review.turtle(accepted).decode("utf-8")
    assert "PleuralMesothelioma" not in text and "C45.0" not in text  # nor the new entity it described
    assert "segmentectmy" not in text  # nor its evidence span
    assert "performs segmentectomy" not in text  # an undecided proposal is left out too
    assert review.check_accepted(accepted, read.source_name, read.text) == []


def test_edits_of_status_target_and_label_are_applied(read: review.Review) -> None:
    accepted = _apply(
        read,
        Decision(P + "treats-mesothelioma", "accept", status="Ambiguous", note_en="Seen, perhaps only referred on.",
                 note_zh="只说就诊，也许只是转诊。"),
        Decision(P + "new-mesothelioma", "accept", label_en="Malignant pleural mesothelioma"),
        Decision(P + "offers-segmentectomy", "accept", target="ttc:UniportalThoracoscopicLobectomy"),
        Decision(P + "fig-surgeons", "accept", label_zh="胸外科医生"))
    claims = _claims(accepted)
    assert (DEPT, KG.treatsCondition, TTC.PleuralMesothelioma, KG.Ambiguous) in claims
    assert (DEPT, KG.offers, TTC.UniportalThoracoscopicLobectomy, KG.Stated) in claims
    assert (DEPT, KG.offers, TTC.Segmentectomy, KG.Stated) not in claims
    assert set(accepted.objects(TTC.PleuralMesothelioma, SKOS.prefLabel)) == {
        Literal("Malignant pleural mesothelioma", lang="en"), Literal("胸膜间皮瘤", lang="zh-Hans")}
    figure = URIRef(P + "fig-surgeons")
    assert set(accepted.objects(figure, RDFS.label)) == {Literal("Thoracic surgeons", lang="en"),
                                                          Literal("胸外科医生", lang="zh-Hans")}
    assert Literal("Seen, perhaps only referred on.", lang="en") in set(accepted.objects(None, SKOS.editorialNote))
    assert review.check_accepted(accepted, read.source_name, read.text) == []


def test_a_new_entity_retargeted_to_a_known_one_becomes_its_evidence(read: review.Review) -> None:
    accepted = _apply(read, Decision(P + "new-mesothelioma", "accept", target="ttc:MediastinalTumour"))
    assert (TTC.PleuralMesothelioma, None, None) not in accepted
    assert (TTC.MediastinalTumour, None, None) in accepted


def test_an_accepted_status_without_its_reason_is_refused_by_the_build(read: review.Review) -> None:
    accepted = _apply(read, Decision(P + "offers-segmentectomy", "accept", status="Implied"))
    problems = review.check_accepted(accepted, read.source_name, read.text)
    assert any("editorialNote" in p.message for p in problems)


@pytest.mark.parametrize("decisions, words", [
    ([Decision(P + "no-such-proposal", "accept")], "no proposal"),
    ([Decision(P + "treats-lung-cancer", "accept"), Decision(P + "treats-lung-cancer", "reject")], "twice"),
    ([Decision(P + "treats-lung-cancer", "reject")], "nothing to write"),
    ([Decision(P + "treats-lung-cancer", "accept", status="Certain")], "none of"),
    ([Decision(P + "treats-lung-cancer", "accept", target="ttc:NoSuchThing")], "no entity"),
    ([Decision(P + "treats-lung-cancer", "accept", target="<urn:x> } ; DROP")], "not an entity"),
    ([Decision(P + "treats-lung-cancer", "accept", label_en="A label")], "cannot be edited"),
    ([Decision(P + "entity-lung-cancer", "accept", status="Stated")], "cannot be edited"),
])
def test_decisions_that_do_not_fit_are_refused(read: review.Review, decisions: list[Decision], words: str) -> None:
    with pytest.raises(ReviewRefused) as refused:
        _apply(read, *decisions)
    assert words in refused.value.en and refused.value.zh


@pytest.mark.parametrize("turtle, status", [
    ("@prefix x: <", 400),
    ("<urn:a> <urn:b> <urn:c> .", 422),
    (FIXTURE.read_text(encoding="utf-8").replace('oa:start 98 ; oa:end 119', 'oa:start 97 ; oa:end 118'), 422),
])
def test_a_file_that_is_not_a_good_proposals_file_is_refused(turtle: str, status: int) -> None:
    with pytest.raises(ReviewRefused) as refused:
        review.read(turtle)
    assert refused.value.status == status


def test_malformed_decisions_are_refused() -> None:
    for items in ([{"action": "accept"}], [{"proposal": P, "action": "approve"}], [{"proposal": P, "action": "accept",
                                                                                     "status": 3}]):
        with pytest.raises(ReviewRefused):
            review.decisions_from(items)


def test_an_entity_a_version_added_may_be_a_target(read: review.Review) -> None:
    added = frozenset({'<https://ttc-kg.example/id/Thymoma> <http://www.w3.org/2004/02/skos/core#prefLabel> '
                       '"Thymoma"@en .'})
    with pytest.raises(ReviewRefused):
        _apply(read, Decision(P + "treats-lung-cancer", "accept", target="ttc:Thymoma"))
    accepted = review.apply(read, [Decision(P + "treats-lung-cancer", "accept", target="ttc:Thymoma")],
                            review.known(review.DATA_DIR, added))
    assert (DEPT, KG.treatsCondition, TTC.Thymoma, KG.Stated) in _claims(accepted)
