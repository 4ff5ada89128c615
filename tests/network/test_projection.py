"""The RDF → networkx projection: typed nodes with both labels, claims as edges with their status."""

from __future__ import annotations

import networkx as nx

from graph.build import Built
from graph.network.projection import ProjectionOptions, center_network, from_ntriples
from graph.store import OxigraphStore
from tests.network.conftest import FX, TTC, small_network


def _edge(network: nx.MultiDiGraph, source: str, prop: str, target: str) -> dict | None:
    data = network.get_edge_data(source, target) or {}
    return data.get(prop)


def test_nodes_carry_type_labels_in_both_languages_synonyms_and_codes(small: nx.MultiDiGraph) -> None:
    scope = small.nodes[FX + "E1"]
    assert (scope["type"], scope["label"], scope["labels"]) == ("Equipment", "Scope one", {"en": "Scope one", "zh": "一号镜"})
    assert scope["synonyms"] == ["first scope"]
    assert small.nodes[FX + "E4"]["hidden_labels"] == ["neddle"]
    assert small.nodes[FX + "C1"]["codes"] == ["C34"]
    assert small.nodes[FX + "X1"]["type"] == "Examination"


def test_edges_carry_property_status_evidence_and_note(small: nx.MultiDiGraph) -> None:
    treats = _edge(small, FX + "P1", "kg:treats", FX + "C1")
    assert treats is not None
    assert (treats["status"], treats["label"], treats["note"]) == ("stated", "treats", "a note on the claim")
    assert treats["evidence"] == [{"id": FX + "span1", "quote": "a quote", "start": 0, "end": 7}]
    assert _edge(small, FX + "P2", "kg:usesEquipment", FX + "E1")["status"] == "implied"  # type: ignore[index]
    assert _edge(small, FX + "A1", "skos:broader", FX + "A0")["status"] == "modelled"  # type: ignore[index]


def test_inferred_relations_come_from_claims_and_can_be_hidden(small: nx.MultiDiGraph) -> None:
    assert _edge(small, FX + "P5", "kg:treats", FX + "C4")["status"] == "inferred"  # type: ignore[index]
    facts = small_network(ProjectionOptions(inferred=False))
    assert _edge(facts, FX + "P5", "kg:treats", FX + "C4") is None
    assert {d["status"] for *_, d in facts.edges(data=True)} <= {"stated", "implied", "modelled"}
    assert FX + "P5" in facts  # the entity stays; only the inferred relation goes


def test_figures_and_evidence_are_side_items_unless_asked_for_as_nodes(small: nx.MultiDiGraph) -> None:
    assert FX + "papers" not in small and FX + "span1" not in small
    [figure] = small.graph["side"][FX + "Center"]
    assert (figure["kind"], figure["value"], figure["status"]) == ("Figure", "more than 40 papers over 5 years", "stated")
    full = small_network(ProjectionOptions(evidence=True, figures=True))
    assert full.nodes[FX + "papers"]["type"] == "Figure"
    assert _edge(full, FX + "papers", "schema:observationAbout", FX + "Center") is not None
    assert full.nodes[FX + "span1"]["quote"] == "a quote"
    assert _edge(full, FX + "P1", "prov:wasDerivedFrom", FX + "span1")["status"] == "evidence"  # type: ignore[index]


def test_every_claim_of_the_center_is_one_edge_and_inferred_ones_stay_claims(built: Built,
                                                                              center: nx.MultiDiGraph) -> None:
    claims = {d["claim"] for *_, d in center.edges(data=True) if d.get("claim")}
    assert len(claims) == built.manifest["classes"]["kg:Claim"]
    jiang = _edge(center, TTC + "JiangsAnastomosis", "kg:treats", TTC + "EsophagealCancer")
    assert jiang is not None and jiang["status"] == "inferred"
    assert jiang["evidence"][0]["quote"] == "Jiang’s Anastomosis"
    facts = from_ntriples(built.ntriples, ProjectionOptions(inferred=False))
    assert _edge(facts, TTC + "JiangsAnastomosis", "kg:treats", TTC + "EsophagealCancer") is None


def test_center_network_has_the_centers_entities_and_no_entailed_clutter(center: nx.MultiDiGraph) -> None:
    mediastinoscope = center.nodes[TTC + "Mediastinoscope"]
    assert mediastinoscope["labels"] == {"en": "Mediastinoscope", "zh": "纵隔镜"}
    assert mediastinoscope["evidence"][0]["quote"].startswith("a variety of advanced equipment")
    properties = {d["property"] for *_, d in center.edges(data=True)}
    assert "kg:treats" in properties and "kg:treatedBy" not in properties and "schema:availableService" not in properties
    assert not [n for n, t in center.nodes(data="type") if t in ("Resource", "Figure", "Evidence")]
    assert "Figure" in {item["kind"] for item in center.graph["side"][TTC + "Center"]}


def test_the_store_gives_the_same_network_as_the_build(store: OxigraphStore, center: nx.MultiDiGraph) -> None:
    from_store = center_network(store)
    assert sorted(from_store.nodes) == sorted(center.nodes)
    assert sorted(from_store.edges(keys=True)) == sorted(center.edges(keys=True))
    assert from_store.nodes[TTC + "Center"] == center.nodes[TTC + "Center"]
    assert from_store.graph["side"] == center.graph["side"]
    assert center_network(store) is from_store  # projected once per build


def test_hierarchy_links_are_claims_with_their_status_and_inferred_ones_can_be_hidden(built: Built,
                                                                                     center: nx.MultiDiGraph) -> None:
    stated = _edge(center, TTC + "LungCancer", "skos:broader", TTC + "ThoracicTumour")
    assert stated is not None and stated["status"] in ("stated", "implied") and stated["claim"]
    inferred = _edge(center, TTC + "SuperiorSulcusTumour", "skos:broader", TTC + "LungCancer")
    assert inferred is not None and inferred["status"] == "inferred" and inferred["claim"]
    assert "modelled" not in {d["status"] for *_, d in center.edges(data=True)}  # no unmarked hierarchy edge
    facts = from_ntriples(built.ntriples, ProjectionOptions(inferred=False))
    assert _edge(facts, TTC + "SuperiorSulcusTumour", "skos:broader", TTC + "LungCancer") is None
    assert _edge(facts, TTC + "LungCancer", "skos:broader", TTC + "ThoracicTumour") is not None
