"""graph.partition on a tiny hand-written graph: a relation goes to the department whose claim states it (its
inverse too), whatever namespace its subject is in, and what no department's words are behind is unattributed,
never guessed into the center."""

from __future__ import annotations

import pyoxigraph as ox

from graph.namespaces import BASE
from graph.partition import CENTER_GRAPH, DEPARTMENT_GRAPH_NS, UNATTRIBUTED_GRAPH, partition

SMALL = f"""
@prefix kg: <{BASE}ontology#> . @prefix ttc: <{BASE}id/> . @prefix ev: <{BASE}evidence/> .
@prefix d: <{BASE}synthetic/syn-0001/> . @prefix dev: <{BASE}synthetic/syn-0001/evidence/> .
@prefix g: <{BASE}.well-known/genid/> . @prefix prov: <http://www.w3.org/ns/prov#> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> . @prefix owl: <http://www.w3.org/2002/07/owl#> .

ttc:Center a kg:ClinicalCenter ; prov:wasDerivedFrom ev:title .
ev:title a kg:EvidenceSpan ; prov:wasQuotedFrom ttc:source .
ttc:source a kg:SourceDocument .
d:department a kg:ClinicalCenter ; prov:wasDerivedFrom dev:title .
dev:title a kg:EvidenceSpan ; prov:wasQuotedFrom d:source .
dev:segmentectomy a kg:EvidenceSpan ; prov:wasQuotedFrom d:source .
kg:treatedBy owl:inverseOf kg:treats .

g:c1 a kg:Claim ; rdf:subject ttc:Segmentectomy ; rdf:predicate kg:treats ; rdf:object ttc:LungCancer ;
    kg:status kg:Stated ; prov:wasDerivedFrom dev:segmentectomy ; kg:claimedBy d:department .
ttc:Segmentectomy kg:treats ttc:LungCancer .
ttc:LungCancer kg:treatedBy ttc:Segmentectomy .

ttc:excerpt a kg:SourceDocument .
ev:excerpt-robotic a kg:EvidenceSpan ; prov:wasQuotedFrom ttc:excerpt .
g:c2 a kg:Claim ; rdf:subject ttc:Center ; rdf:predicate kg:offers ; rdf:object ttc:RoboticSurgery ;
    kg:status kg:Stated ; prov:wasDerivedFrom ev:excerpt-robotic .
ttc:Center kg:offers ttc:RoboticSurgery .
"""


def graphs() -> dict[tuple[str, str, str], str]:
    ntriples = ox.serialize(ox.parse(SMALL, format=ox.RdfFormat.TURTLE), format=ox.RdfFormat.N_TRIPLES)
    assert ntriples is not None
    found = partition(ntriples)
    assert len(found.quads) == len(list(ox.parse(ntriples, format=ox.RdfFormat.N_TRIPLES)))  # every triple, once
    return {(local(q.subject), local(q.predicate), local(q.object)): q.graph_name.value  # type: ignore[union-attr]
            for q in found.quads}


def local(term: ox.Term) -> str:
    return term.value.rsplit("/", 1)[-1].rsplit("#", 1)[-1]  # type: ignore[union-attr]


def test_a_relation_and_its_inverse_go_to_the_department_whose_claim_states_them() -> None:
    placed = graphs()
    assert placed[("Segmentectomy", "treats", "LungCancer")] == DEPARTMENT_GRAPH_NS + "syn-0001"
    assert placed[("LungCancer", "treatedBy", "Segmentectomy")] == DEPARTMENT_GRAPH_NS + "syn-0001"
    assert placed[("c1", "claimedBy", "department")] == DEPARTMENT_GRAPH_NS + "syn-0001"
    assert placed[("department", "wasDerivedFrom", "title")] == DEPARTMENT_GRAPH_NS + "syn-0001"


def test_what_no_departments_words_are_behind_is_unattributed_even_about_the_center() -> None:
    placed = graphs()
    assert placed[("Center", "offers", "RoboticSurgery")] == UNATTRIBUTED_GRAPH  # the claim quotes an upload
    assert placed[("c2", "status", "Stated")] == UNATTRIBUTED_GRAPH
    assert placed[("excerpt-robotic", "wasQuotedFrom", "excerpt")] == UNATTRIBUTED_GRAPH
    assert placed[("Center", "wasDerivedFrom", "title")] == CENTER_GRAPH
