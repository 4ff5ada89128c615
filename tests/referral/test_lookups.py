"""The lookups on the real built graph: no widening, statuses, sequence, evidence that is really in the source."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from graph.namespaces import TTC
from graph.store import OxigraphStore
from queries import matching
from queries import referral as ref

SOURCE = (Path(__file__).resolve().parents[2] / "graph/data/source/thoracic-tumor-center.txt").read_text(encoding="utf-8")
LUNG_ONLY = {TTC.LungCancer, TTC.RadicalLungCancerSurgery, TTC.UniportalThoracoscopicLobectomy, TTC.Segmentectomy,
             TTC.LobectomyWithPartialAtrialResection, TTC.SuperiorSulcusTumour, TTC.SuperiorSulcusTumourRadicalResection,
             TTC.ThoracoscopicBronchialSleeveResection, TTC.ThoracoscopicDoubleSleeveResection, TTC.SuperiorVenaCavaResection}
ESOPHAGEAL_ONLY = {TTC.EsophagealCancer, TTC.MinimallyInvasiveRadicalEsophagectomy, TTC.JiangsAnastomosis,
                   TTC.NonThoracicEsophagealCancerEndoscopicRadicalResection, TTC.BenignEsophagealTumourResection}
UMBRELLA_ONLY = {TTC.ThoracicTumour, TTC.ThermalPerfusionChemotherapy, TTC.RadiofrequencyAblation,
                 TTC.RadioactiveSeedImplantation, TTC.RoboticSurgery}


@pytest.fixture(scope="module")
def index(store: OxigraphStore) -> matching.LabelIndex:
    return matching.LabelIndex.load(store)


def ask(store: OxigraphStore, index: matching.LabelIndex, name: str, q: str, *includes: str) -> matching.Answer:
    return ref.lookup(store, index, name, q, include=frozenset(includes))


def ids(value: Any) -> Iterator[str]:
    """Every `id` anywhere in an answer: results, their approaches, equipment, indications, sequence steps."""
    if isinstance(value, dict):
        if "id" in value:
            yield value["id"]
        for item in value.values():
            yield from ids(item)
    elif isinstance(value, list):
        for item in value:
            yield from ids(item)


def spans(value: Any) -> Iterator[dict[str, Any]]:
    if isinstance(value, dict):
        yield from value.get("evidence", [])
        for item in value.values():
            yield from spans(item)
    elif isinstance(value, list):
        for item in value:
            yield from spans(item)


@pytest.mark.parametrize("name", ["procedures-for-condition", "workup-for-condition"])
def test_an_answer_for_one_cancer_holds_nothing_of_the_other(store: OxigraphStore, index: matching.LabelIndex,
                                                             name: str) -> None:
    for question, foreign in (("lung cancer", ESOPHAGEAL_ONLY | UMBRELLA_ONLY),
                              ("esophageal cancer", LUNG_ONLY | UMBRELLA_ONLY)):
        for includes in ((), ("inferred",), ("inferred", "narrower")):
            answer = ask(store, index, name, question, *includes).as_json()
            assert answer["results"], (question, includes)
            leaked = set(ids(answer["results"])) & {str(iri) for iri in foreign}
            assert not leaked, f"{question} {includes}: {leaked}"


def test_neoadjuvant_chemotherapy_precedes_only_this_cancers_operation(store: OxigraphStore,
                                                                       index: matching.LabelIndex) -> None:
    # before the lung cancer resection; before the *minimally invasive* esophagectomy only as an ambiguous reading
    for question, operations, include in (("lung cancer", [TTC.RadicalLungCancerSurgery], ""),
                                          ("esophageal cancer", [], ""),
                                          ("esophageal cancer", [TTC.MinimallyInvasiveRadicalEsophagectomy], "inferred")):
        results = ask(store, index, "procedures-for-condition", question, *filter(None, [include])).results
        chemo = next(item for item in results if item["id"] == str(TTC.NeoadjuvantChemotherapy))
        assert chemo["type"] == "therapy"
        assert [step["id"] for step in chemo["precedes"]] == [str(operation) for operation in operations]
        assert [i["id"] for i in chemo["indications"]] == [str(TTC.LateLesions)]
        assert chemo["indications"][0]["status"] == "stated"


def test_never_climbs_to_the_broader_condition(store: OxigraphStore, index: matching.LabelIndex) -> None:
    pancoast = ask(store, index, "procedures-for-condition", "Pancoast tumour", "inferred")
    assert [item["id"] for item in pancoast.results] == [str(TTC.SuperiorSulcusTumourRadicalResection)]
    assert any("Lung cancer is not searched" in note for note in pancoast.notes)
    assert ask(store, index, "workup-for-condition", "superior sulcus tumour").results == []  # lung cancer's is not his
    mediastinal = ask(store, index, "procedures-for-condition", "mediastinal tumor")
    assert [item["id"] for item in mediastinal.results] == [str(TTC.EndoscopicMediastinalTumourResection)]


def test_narrower_conditions_only_when_asked_and_marked(store: OxigraphStore, index: matching.LabelIndex) -> None:
    plain = ask(store, index, "procedures-for-condition", "lung cancer")
    assert str(TTC.SuperiorSulcusTumourRadicalResection) not in {item["id"] for item in plain.results}
    assert any("Superior sulcus tumour" in note and "include=narrower" in note for note in plain.notes)
    wider = ask(store, index, "procedures-for-condition", "lung cancer", "narrower")
    marked = [item for item in wider.results if item["narrower"]]
    assert [item["id"] for item in marked] == [str(TTC.SuperiorSulcusTumourRadicalResection)]
    assert marked[0]["condition"]["id"] == str(TTC.SuperiorSulcusTumour)
    assert all(item["condition"]["id"] == str(TTC.LungCancer) for item in wider.results if not item["narrower"])


def test_inferred_and_ambiguous_only_when_asked_each_marked(store: OxigraphStore, index: matching.LabelIndex) -> None:
    plain = ask(store, index, "procedures-for-condition", "lung cancer")
    assert {item["status"] for item in plain.results} <= {"stated", "implied"}
    assert str(TTC.SuperiorVenaCavaResection) not in {item["id"] for item in plain.results}
    assert any("include=inferred" in note for note in plain.notes)
    radical = next(item for item in plain.results if item["id"] == str(TTC.RadicalLungCancerSurgery))
    assert radical["approaches"] == []  # 'single hole' may qualify only the lobectomy: ambiguous, so left out
    everything = ask(store, index, "procedures-for-condition", "lung cancer", "inferred")
    svc = next(item for item in everything.results if item["id"] == str(TTC.SuperiorVenaCavaResection))
    assert svc["status"] == "inferred" and "Not in the source" in svc["note"]
    radical = next(item for item in everything.results if item["id"] == str(TTC.RadicalLungCancerSurgery))
    assert [(a["id"], a["status"]) for a in radical["approaches"]] == [(str(TTC.UniportalThoracoscopicApproach),
                                                                        "ambiguous")]
    robot = ask(store, index, "conditions-for-procedure", "robotic surgery")
    assert robot.results == [] and any(matching.NOT_STATED in note for note in robot.notes)
    robot = ask(store, index, "conditions-for-procedure", "robotic surgery", "inferred")
    assert {(item["id"], item["status"]) for item in robot.results} == {(str(TTC.UnresectableAdvancedTumour), "ambiguous")}


def test_unresectable_disease_is_answered_by_its_indication(store: OxigraphStore, index: matching.LabelIndex) -> None:
    answer = ask(store, index, "procedures-for-condition", "unresectable tumour")
    assert answer.matched["id"] == str(TTC.UnresectableAdvancedTumour)  # type: ignore[index]
    assert {item["id"] for item in answer.results} == {
        str(TTC.ThermalPerfusionChemotherapy), str(TTC.RadiofrequencyAblation), str(TTC.RadioactiveSeedImplantation)}
    assert {item["via"] for item in answer.results} == {"indication"}


def test_every_quote_is_the_source_at_its_offsets(store: OxigraphStore, index: matching.LabelIndex) -> None:
    checked = 0
    for name, question in (("procedures-for-condition", "lung cancer"), ("procedures-for-condition", "胸部肿瘤"),
                           ("conditions-for-procedure", "PET-CT"), ("equipment-for-procedure", "robotic surgery"),
                           ("workup-for-condition", "食管癌")):
        for span in spans(ask(store, index, name, question, "inferred").as_json()):
            assert SOURCE[span["start"]:span["end"]] == span["quote"]
            checked += 1
    profile = ref.center_profile(store, index, include=frozenset({"inferred"}))
    for span in spans(profile):
        assert SOURCE[span["start"]:span["end"]] == span["quote"]
        checked += 1
    assert checked > 40


def test_center_figures_keep_bounds_and_periods(store: OxigraphStore, index: matching.LabelIndex) -> None:
    profile = ref.center_profile(store, index)
    papers = next(f for f in profile["figures"] if f["label"] == "Papers published in the past 5 years")
    assert (papers["value"], papers["minimum"], papers["exclusive"], papers["period"]) == (None, 40, True, "P5Y")
    assert papers["unit"] == "papers" and "more than 40 papers" in papers["verbatim"]
    assert not any(f["value"] == 40 and f["unit"] == "papers" for f in profile["figures"])
    specialists = next(f for f in profile["figures"] if f["label"] == "Specialists (junior and senior)")
    assert (specialists["value"], specialists["minimum"], specialists["exclusive"]) == (15, None, False)
    since = next(f for f in profile["figures"] if f["verbatim"] == "as early as the 1970s")
    assert (since["value"], since["decade"]) == (None, "1970s")  # a decade, never a year-like number
    oncology = next(f for f in profile["figures"] if f["label"] == "Oncology department established")
    assert (oncology["value"], oncology["decade"]) == (None, "1980s")
    assert oncology["about"] == "Oncology department (established in the 1980s)"
    doctors = next(f for f in profile["figures"] if f["verbatim"] == "including 3 doctors")  # shown by default
    assert doctors["status"] == "ambiguous" and doctors["note"]
    assert not any("left out" in note for note in profile["notes"])
    assert profile["parent"]["id"] == str(TTC.Hospital)
    assert [a["id"] for a in profile["affiliations"]] == [str(TTC.ChongqingThoracicCardiacSurgeryCommission)]
    assert {i["id"] for i in profile["innovations"]} == {
        str(TTC.JiangsAnastomosis), str(TTC.NonThoracicEsophagealCancerEndoscopicRadicalResection)}
    sleeve = next(s for s in profile["services"]["procedure"] if s["id"] == str(TTC.ThoracoscopicBronchialSleeveResection))
    assert sleeve["routine"] and sleeve["difficult"] and sleeve["minimally_invasive"]
    robot = next(s for s in profile["services"]["procedure"] if s["id"] == str(TTC.RoboticSurgery))
    assert not robot["routine"]  # 'routinely conducts' governing robotic surgery is ambiguous
    assert {s["id"] for s in profile["services"]["examination"]} == {str(TTC.MediastinoscopyBiopsy)}
    # the work-up the center uses, apart from what it is said to perform
    assert {(w["id"], w["routine"]) for w in profile["workup"]} == {
        (str(TTC.HeadMRI), True), (str(TTC.ECT), True), (str(TTC.PETCT), False), (str(TTC.MediastinoscopyBiopsy), False)}
    assert papers["labels"]["zh"] == "近5年发表论文"
    chinese = ref.center_profile(store, index, lang="zh")
    assert chinese["notes"] == ["标记仅来自原文陈述或隐含的事实；原文未给出的总数不作计算。"]


def test_notes_built_in_python_follow_the_language(store: OxigraphStore, index: matching.LabelIndex) -> None:
    """'Only what the source states…', 'add include=…', 'not stated in the source' exist in Chinese too."""
    english = ref.lookup(store, index, "procedures-for-condition", "superior sulcus tumour")
    chinese = ref.lookup(store, index, "procedures-for-condition", "superior sulcus tumour", lang="zh")
    assert english.notes and len(chinese.notes) == len(english.notes)
    assert not any(re.search(r"[A-Za-z]{4,} [a-z]{3,}", note.replace("include=inferred", "")) for note in chinese.notes)
    empty = ref.lookup(store, index, "workup-for-condition", "palmar hyperhidrosis", lang="zh")
    assert empty.results == [] and empty.notes[0] == "手汗症的检查项目：原文未提及。"


def test_curators_notes_follow_the_language(store: OxigraphStore, index: matching.LabelIndex) -> None:
    """A note of the curators (why a claim is inferred or ambiguous) reads in Chinese on a Chinese answer, with
    both languages in `notes`, and one row per claim whatever the number of languages."""
    english = ask(store, index, "procedures-for-condition", "lung cancer", "inferred")
    chinese = ref.lookup(store, index, "procedures-for-condition", "lung cancer",
                         include=frozenset({"inferred"}), lang="zh")
    assert [item["id"] for item in chinese.results] == [item["id"] for item in english.results]
    svc_en = next(item for item in english.results if item["id"] == str(TTC.SuperiorVenaCavaResection))
    svc_zh = next(item for item in chinese.results if item["id"] == str(TTC.SuperiorVenaCavaResection))
    assert svc_en["note"] == svc_zh["notes"]["en"] and "Not in the source" in svc_en["note"]
    assert svc_zh["note"] == svc_zh["notes"]["zh"] and re.search(r"[\u4e00-\u9fff]", svc_zh["note"])
    doctors = next(f for f in ref.center_profile(store, index, lang="zh")["figures"]
                   if f["verbatim"] == "including 3 doctors")
    assert doctors["note"] == doctors["notes"]["zh"] != doctors["notes"]["en"]
