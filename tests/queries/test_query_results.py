"""What a user of the named queries sees, run on the real built graph (session fixture `store`)."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import RDF, SKOS
from rdflib.term import Node

from graph.build import Built
from graph.namespaces import KG, TTC
from graph.store import OxigraphStore
from queries.catalog import bind, load_catalog

CATALOG = load_catalog()
SOURCE = (Path(__file__).resolve().parents[2] / "graph/data/source/thoracic-tumor-center.txt").read_bytes().decode()
HOSTILE = 'x" } ; DROP ALL ; SELECT * { "'
FIRM = {KG.Stated, KG.Implied}

Row = dict[str, Node]


def run(store: OxigraphStore, name: str, **raw: str) -> list[Row]:
    query = CATALOG[name]
    return store.select(query.sparql, bindings=bind(query, raw))


def column(rows: list[Row], name: str) -> set[Node]:
    return {row[name] for row in rows if name in row}


def _check_quotes(rows: list[Row]) -> int:
    checked = 0
    for row in rows:
        if "quote" in row:
            start, end = int(row["start"]), int(row["end"])  # type: ignore[call-overload]
            assert SOURCE[start:end] == str(row["quote"]), row
            checked += 1
    return checked


@pytest.mark.parametrize("name", sorted(CATALOG))
def test_every_query_answers_its_header_examples(store: OxigraphStore, name: str) -> None:
    rows = run(store, name, **CATALOG[name].examples())
    assert rows, f"{name} returned no rows for its examples"
    _check_quotes(rows)


@pytest.mark.parametrize("name", sorted(n for n, q in CATALOG.items() if not any(p.required for p in q.params)))
def test_queries_without_required_params_answer_with_none_given(store: OxigraphStore, name: str) -> None:
    assert run(store, name)


def test_every_evidence_quote_is_the_source_at_its_offsets(store: OxigraphStore) -> None:
    checked = 0
    for condition in ("ttc:LungCancer", "ttc:EsophagealCancer", "ttc:ThoracicTumour", "ttc:MediastinalTumour"):
        checked += _check_quotes(run(store, "procedures_for_condition", condition=condition, include_inferred="true"))
        checked += _check_quotes(run(store, "workup_for_condition", condition=condition))
    for entity in ("ttc:Center", "ttc:RoboticSurgery", "ttc:NeoadjuvantChemotherapy", "ttc:Thoracoscope"):
        checked += _check_quotes(run(store, "evidence_for_entity", entity=entity))
    for name in ("center_figures", "named_innovations", "late_or_unresectable_options", "minimally_invasive_options"):
        checked += _check_quotes(run(store, name))
    assert checked > 100


def test_procedures_for_lung_cancer(store: OxigraphStore) -> None:
    rows = run(store, "procedures_for_condition", condition="ttc:LungCancer")
    procedures = column(rows, "procedure")
    assert {TTC.UniportalThoracoscopicLobectomy, TTC.RadicalLungCancerSurgery} <= procedures
    assert TTC.MinimallyInvasiveRadicalEsophagectomy not in procedures  # esophagus only
    assert TTC.ThoracoscopicBronchialSleeveResection not in procedures  # inferred
    assert column(rows, "status") <= FIRM
    explicit = run(store, "procedures_for_condition", condition="ttc:LungCancer", include_inferred="false")
    assert [{k: v for k, v in row.items() if k != "include_inferred"} for row in explicit] == rows
    lobectomy = next(row for row in rows if row["procedure"] == TTC.UniportalThoracoscopicLobectomy)
    assert str(lobectomy["approaches"]) == str(TTC.UniportalThoracoscopicApproach)
    assert str(lobectomy["equipment_labels"]) == "Thoracoscope"
    assert str(lobectomy["kind"]) == "procedure"


def test_procedures_for_lung_cancer_with_inferred_claims(store: OxigraphStore) -> None:
    rows = run(store, "procedures_for_condition", condition="ttc:LungCancer", include_inferred="true")
    status = {row["procedure"]: row["status"] for row in rows}
    assert status[TTC.ThoracoscopicBronchialSleeveResection] == KG.Inferred
    assert status[TTC.UniportalThoracoscopicLobectomy] == KG.Implied
    assert status[TTC.RadicalLungCancerSurgery] == KG.Stated
    assert TTC.MinimallyInvasiveRadicalEsophagectomy not in status


def test_procedures_never_come_from_another_condition(store: OxigraphStore, built: Built) -> None:
    graph = built.graph
    conditions = set(graph.subjects(RDF.type, URIRef("https://schema.org/MedicalCondition")))
    for condition in conditions:
        rows = run(store, "procedures_for_condition", condition=str(condition), include_inferred="true")
        for row in rows:
            claims = [c for c in graph.subjects(RDF.subject, row["procedure"])
                      if graph.value(c, RDF.predicate) == KG.treats and graph.value(c, RDF.object) == condition]
            assert claims, (condition, row["procedure"])
    lung = column(run(store, "procedures_for_condition", condition="ttc:LungCancer", include_inferred="true"),
                  "procedure")
    assert TTC.RadiofrequencyAblation not in lung  # treats the broader ttc:ThoracicTumour only
    assert TTC.SuperiorSulcusTumourRadicalResection not in lung  # treats the narrower superior sulcus tumour


def test_therapies_are_returned_as_therapies(store: OxigraphStore) -> None:
    rows = run(store, "procedures_for_condition", condition="ttc:LungCancer")
    kinds = {row["procedure"]: str(row["kind"]) for row in rows}
    assert kinds[TTC.NeoadjuvantChemotherapy] == "therapy"
    # interventional therapies are for unresectable advanced tumours, never linked to a condition wider than that
    assert TTC.RadiofrequencyAblation not in kinds
    assert not run(store, "procedures_for_condition", condition="ttc:ThoracicTumour")


def test_conditions_for_procedure(store: OxigraphStore) -> None:
    rows = run(store, "conditions_for_procedure", procedure="ttc:ThoracoscopicSurgery")
    assert column(rows, "condition") == {TTC.LungCancer, TTC.EsophagealCancer}
    assert not run(store, "conditions_for_procedure", procedure="ttc:JiangsAnastomosis")
    inferred = run(store, "conditions_for_procedure", procedure="ttc:JiangsAnastomosis", include_inferred="true")
    assert [(row["condition"], row["status"]) for row in inferred] == [(TTC.EsophagealCancer, KG.Inferred)]


def test_equipment_includes_uses_device(store: OxigraphStore) -> None:
    rows = run(store, "equipment_for_procedure", procedure="ttc:MediastinoscopyBiopsy")
    assert column(rows, "equipment") == {TTC.Mediastinoscope}
    assert column(rows, "predicate") == {URIRef("https://schema.org/usesDevice")}
    robot = run(store, "equipment_for_procedure", procedure="ttc:RoboticSurgery")
    assert column(robot, "equipment") == {TTC.DaVinciSurgicalSystem}
    assert column(robot, "center_has") == {Literal(False)}  # the robot is used; whose it is, the source does not say


def test_workup_for_esophageal_cancer_is_three_examinations_and_an_ambiguous_fourth(store: OxigraphStore) -> None:
    rows = run(store, "workup_for_condition", condition="ttc:EsophagealCancer")
    assert column(rows, "examination") == {TTC.HeadMRI, TTC.ECT, TTC.PETCT}
    assert column(rows, "status") == {KG.Implied}  # one joint sentence for lung and esophageal cancer: a reading
    # mediastinoscopic biopsy is a lung cancer staging test; for esophageal cancer it stays an ambiguous claim
    assert not run(store, "workup_for_condition", condition="ttc:SuperiorSulcusTumour")  # no inheritance


def test_minimally_invasive_options(store: OxigraphStore) -> None:
    everything = run(store, "minimally_invasive_options")
    approaches = column(everything, "approach")
    assert approaches <= {TTC.MinimallyInvasiveApproach, TTC.ThoracoscopicApproach, TTC.UniportalThoracoscopicApproach,
                          TTC.EndoscopicApproach, TTC.RoboticApproach}
    assert TTC.MinimallyInvasiveRadicalEsophagectomy in column(everything, "procedure")
    assert TTC.RoboticSurgery not in column(everything, "procedure")  # robotic → minimally invasive is only inferred
    assert TTC.Segmentectomy not in column(everything, "procedure")  # its uniportal approach is ambiguous
    lung = column(run(store, "minimally_invasive_options", condition="ttc:LungCancer"), "procedure")
    assert TTC.UniportalThoracoscopicLobectomy in lung
    assert TTC.MinimallyInvasiveRadicalEsophagectomy not in lung
    assert lung < column(everything, "procedure")


def test_late_or_unresectable_options(store: OxigraphStore) -> None:
    rows = run(store, "late_or_unresectable_options")
    by_option = {row["option"]: row for row in rows}
    neoadjuvant = by_option[TTC.NeoadjuvantChemotherapy]
    assert neoadjuvant["indication"] == TTC.LateLesions
    # before lung cancer resection; before the *minimally invasive* esophagectomy only as an ambiguous claim
    assert set(str(neoadjuvant["precedes"]).split()) == {str(TTC.RadicalLungCancerSurgery)}
    assert by_option[TTC.RadiofrequencyAblation]["indication"] == TTC.UnresectableAdvancedTumour
    assert TTC.RoboticSurgery not in by_option
    wider = run(store, "late_or_unresectable_options", include_inferred="true")
    assert {(row["option"], row["status"]) for row in wider} >= {(TTC.RoboticSurgery, KG.Ambiguous)}


def test_center_figures_keep_bounds_as_bounds(store: OxigraphStore) -> None:
    rows = run(store, "center_figures")
    papers = [row for row in rows if row["figure"] == TTC["fig-papers"]]
    assert len(papers) == 1
    paper = papers[0]
    assert "value" not in paper
    assert paper["min_value"] == Literal(40) and paper["min_exclusive"] == Literal(True)
    assert str(paper["period"]) == "P5Y"
    assert all(not ("value" in row and "min_value" in row) for row in rows)
    assert not [row for row in rows if row.get("value") == Literal(40) and str(row["unit"]) == "papers"]
    nurses = next(row for row in rows if row["figure"] == TTC["fig-nurses"])
    assert nurses["value"] == Literal(40) and "min_value" not in nurses


def test_named_innovations(store: OxigraphStore) -> None:
    rows = run(store, "named_innovations")
    expected = {TTC.JiangsAnastomosis, TTC.NonThoracicEsophagealCancerEndoscopicRadicalResection}
    assert column(rows, "technique") == expected


def test_evidence_for_entity_shows_every_status(store: OxigraphStore) -> None:
    rows = run(store, "evidence_for_entity", entity="ttc:RoboticSurgery")
    assert {KG.Stated, KG.Ambiguous} <= column(rows, "status")
    assert {str(role) for role in column(rows, "role")} == {"subject", "object"}
    ambiguous = [row for row in rows if row["status"] == KG.Ambiguous]
    assert all("note" in row for row in ambiguous)
    assert not run(store, "evidence_for_entity", entity="ttc:NoSuchThing")


def test_label_search_finds_chinese_and_british_spellings(store: OxigraphStore) -> None:
    chinese = run(store, "label_search", text="肺癌")
    assert TTC.LungCancer in column(chinese, "entity")
    assert chinese[0]["entity"] == TTC.LungCancer and str(chinese[0]["label_kind"]) == "prefLabel"
    british = run(store, "label_search", text="OESOPHAGEAL")
    assert TTC.EsophagealCancer in column(british, "entity")
    lung = next(row for row in chinese if row["entity"] == TTC.LungCancer)
    assert lung["label"] == Literal("Lung cancer", lang="en")
    assert str(KG.Cancer) in str(lung["types"]).split()
    hidden = run(store, "label_search", text="breast benign")
    assert [(row["entity"], str(row["label_kind"])) for row in hidden] == [(TTC.ThoracicTumour, "hiddenLabel")]


def test_a_hostile_string_is_only_a_literal(store: OxigraphStore) -> None:
    before, digest = len(store), store.content_sha256()
    assert run(store, "label_search", text=HOSTILE) == []
    assert run(store, "label_search", text="') } DELETE WHERE { ?s ?p ?o } #") == []
    assert len(store) == before and store.content_sha256() == digest


def test_center_services(store: OxigraphStore, built: Built) -> None:
    rows = run(store, "center_services")
    expected = set(built.graph.objects(TTC.Center, URIRef("https://schema.org/availableService")))
    assert column(rows, "service") == expected
    by_service = {row["service"]: row for row in rows}
    assert TTC.HeadMRI not in by_service  # a routine item of the work-up, not said to be done by the center
    assert str(by_service[TTC.MediastinoscopyBiopsy]["kind"]) == "examination"
    assert by_service[TTC.MediastinoscopyBiopsy]["label_zh"] == Literal("纵隔镜活检", lang="zh-Hans")
    assert str(by_service[TTC.RadiofrequencyAblation]["kind"]) == "therapy"
    assert by_service[TTC.RoboticSurgery]["routine"] == Literal(False)  # routine only as an ambiguous claim


def test_conditions_with_codes(store: OxigraphStore) -> None:
    rows = run(store, "conditions_with_codes")
    lung = [row for row in rows if row["condition"] == TTC.LungCancer]
    assert [(str(row["code_value"]), row["mapping"]) for row in lung] == [("C34", SKOS.exactMatch)]
    mediastinal = {row["code_value"] for row in rows if row["condition"] == TTC.MediastinalTumour}
    assert len(mediastinal) == 5
    assert all(str(row["coding_system"]) == "ICD-10" for row in rows if "code_value" in row)
