"""Analytics: known answers on the small fixture, and known facts of the source on the center's network."""

from __future__ import annotations

import networkx as nx
import pytest

from graph.network.analytics import (
    articulation_points,
    explanations,
    single_points_of_failure,
    underpinned,
    underpinning_centrality,
)
from graph.network.projection import UnknownEntity
from graph.network.views import between, neighbourhood, whole
from tests.network.conftest import FX, TTC


def test_underpinning_counts_equipment_and_approaches_through_the_hierarchy(small: nx.MultiDiGraph) -> None:
    under = underpinned(small)
    assert under[FX + "E1"] == {FX + "P1", FX + "P2"}
    assert under[FX + "E2"] == {FX + "P3", FX + "X1"}  # P5 uses it only by an inferred claim
    assert under[FX + "A0"] == {FX + "P1", FX + "P3"}  # P1 through the narrower approach A1
    ranking = [(row["label"], row["count"]) for row in underpinning_centrality(small)]
    assert ranking == [("Scope one", 2), ("Scope two", 2), ("Wide approach", 2), ("Narrow approach", 1), ("Needle", 1)]


def test_single_points_of_failure_on_the_fixture(small: nx.MultiDiGraph) -> None:
    found = {(r["resource"], r["condition"], r["line"]) for r in single_points_of_failure(small)}
    assert found == {(FX + "E1", FX + "C1", "treatment"), (FX + "E2", FX + "C1", "staging"),
                     (FX + "E4", FX + "C1", "staging")}


def test_articulation_points_on_the_fixture(small: nx.MultiDiGraph) -> None:
    assert [(r["id"], r["cut_off"]) for r in articulation_points(small)] == [(FX + "X1", [FX + "E4"])]


def test_shortest_explanations_avoid_the_center_unless_asked(small: nx.MultiDiGraph) -> None:
    paths = explanations(small, FX + "C2", FX + "E4")
    assert {p.nodes for p in paths} == {(FX + "C2", FX + "P2", FX + "C1", FX + "X1", FX + "E4"),
                                        (FX + "C2", FX + "P3", FX + "E2", FX + "X1", FX + "E4")}
    assert not any(p.through_center for p in paths)
    via = explanations(small, FX + "C2", FX + "E4", through_center=True)
    assert {len(p.steps) for p in via} == {3} and all(p.through_center for p in via)
    first = paths[0].steps[0]
    assert (first.property, first.forward) == ("kg:treats", False)  # Procedure two treats Cancer two: walked backwards
    with pytest.raises(UnknownEntity):
        explanations(small, FX + "C2", FX + "Nothing")


def test_the_thoracoscope_underpins_the_six_thoracoscopic_operations(center: nx.MultiDiGraph) -> None:
    expected = {"ThoracoscopicSurgery", "UniportalThoracoscopicLobectomy", "ThoracoscopicPleuralBiopsy",
                "UniportalSurgeryForPalmarHyperhidrosis", "ThoracoscopicBronchialSleeveResection",
                "ThoracoscopicDoubleSleeveResection"}
    assert underpinned(center)[TTC + "Thoracoscope"] == {TTC + name for name in expected}
    # Segmentectomy and radical lung cancer surgery use the uniportal approach only by an ambiguous claim
    assert underpinned(center)[TTC + "UniportalThoracoscopicApproach"] == {
        TTC + "UniportalThoracoscopicLobectomy", TTC + "UniportalSurgeryForPalmarHyperhidrosis"}
    top = underpinning_centrality(center)[0]
    assert top["id"] == TTC + "MinimallyInvasiveApproach"


def test_the_thoracoscope_is_the_single_point_of_failure_for_sweating_hands(center: nx.MultiDiGraph) -> None:
    rows = single_points_of_failure(center)
    thoracoscope = {(r["condition"], r["line"]) for r in rows if r["resource"] == TTC + "Thoracoscope"}
    assert thoracoscope == {(TTC + "PalmarHyperhidrosis", "treatment")}
    assert not [r for r in rows if r["resource"] == TTC + "Mediastinoscope"]  # staging has PET-CT, MRI, ECT too


def test_the_mediastinoscope_hangs_on_mediastinoscopy_biopsy(center: nx.MultiDiGraph) -> None:
    points = {r["id"]: r["cut_off"] for r in articulation_points(center)}
    assert points[TTC + "MediastinoscopyBiopsy"] == [TTC + "Mediastinoscope"]
    [path] = explanations(center, TTC + "LungCancer", TTC + "Mediastinoscope")
    assert [(s.property, s.status) for s in path.steps] == [("kg:hasStagingExamination", "implied"),
                                                            ("schema:usesDevice", "implied")]
    assert path.text == ("Lung cancer —has staging examination→ Mediastinoscopic biopsy [implied] "
                         "—uses device→ Mediastinoscope [implied]")
    # for esophageal cancer mediastinoscopy is only an ambiguous claim: the facts-only chain goes round by lung cancer
    esophageal = explanations(center, TTC + "EsophagealCancer", TTC + "Mediastinoscope")
    assert esophageal and all(len(p.steps) > 2 for p in esophageal)


def test_neighbourhood_does_not_walk_through_the_center(center: nx.MultiDiGraph) -> None:
    view = neighbourhood(center, TTC + "Mediastinoscope", 2)
    assert set(view.network) == {TTC + n for n in ("Mediastinoscope", "Center", "MediastinoscopyBiopsy", "LungCancer",
                                                   "EsophagealCancer")}
    assert neighbourhood(center, TTC + "Mediastinoscope", 2, through_center=True).network.number_of_nodes() > 50
    capped = neighbourhood(center, TTC + "Mediastinoscope", 2, max_nodes=3)
    assert capped.capped and set(capped.network) == {TTC + "Mediastinoscope", TTC + "Center",
                                                     TTC + "MediastinoscopyBiopsy"}
    assert "Showing 3 of 5 nodes" in (capped.note or "")


def test_whole_view_caps_at_the_most_connected_nodes(center: nx.MultiDiGraph) -> None:
    view = whole(center, max_nodes=5)
    assert view.capped and view.network.number_of_nodes() == 5 and TTC + "Center" in view.network
    assert not whole(center).capped


def test_paths_view_draws_only_the_explanations(center: nx.MultiDiGraph) -> None:
    view = between(center, TTC + "EsophagealCancer", TTC + "Mediastinoscope")
    assert set(view.network) == {TTC + "EsophagealCancer", TTC + "MediastinoscopyBiopsy", TTC + "Mediastinoscope"}
    assert view.network.number_of_edges() == 2
