"""Many departments in one graph: who offers what, the `department=` filter, and the center alone unchanged.

Three synthetic departments (seed 5) are built beside the shipped center with the build's own pipeline
(`build --with`, the package's `regional` fixture), loaded into a real Oxigraph store, and asked the coordinators'
questions.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from rdflib import URIRef
from rdflib.namespace import PROV, RDF

from graph.build import Built
from graph.departments import build_with
from graph.namespaces import KG, TTC
from graph.problems import BuildRefused
from graph.store import OxigraphStore
from graph.synth import SYNTHETIC
from queries import card as cards
from queries import matching
from queries import referral as ref
from queries.catalog import bind, load_catalog
from queries.params import InvalidParameter

CENTER = str(TTC.Center)


def department(number: int) -> str:
    return f"{SYNTHETIC}syn-{number:04d}/department"


@pytest.fixture(scope="module")
def regional_store(regional: Built) -> OxigraphStore:
    store = OxigraphStore()
    store.replace(regional.ntriples, content_sha256=regional.manifest["content_sha256"])
    return store


@pytest.fixture(scope="module")
def index(regional_store: OxigraphStore) -> matching.LabelIndex:
    return matching.LabelIndex.load(regional_store)


@pytest.fixture(scope="module")
def center_index(store: OxigraphStore) -> matching.LabelIndex:
    return matching.LabelIndex.load(store)


def by_label(answer: matching.Answer) -> dict[str, dict[str, Any]]:
    return {item["labels"]["en"]: item for item in answer.results}


def ids(departments: list[dict[str, Any]]) -> list[str]:
    return [d["id"] for d in departments]


def test_every_claim_is_claimed_by_the_department_whose_text_it_quotes(regional: Built) -> None:
    graph = regional.graph
    claims = set(graph.subjects(RDF.type, KG.Claim))
    assert claims
    for claim in claims:
        owners = set(graph.objects(claim, KG.claimedBy))
        assert len(owners) == 1, claim
        owner = str(next(iter(owners)))
        for span in graph.objects(claim, PROV.wasDerivedFrom):
            document = str(graph.value(span, PROV.wasQuotedFrom))
            if owner == CENTER:
                assert document == str(TTC.source)
            else:
                assert document == owner.replace("/department", "/source")


def test_a_procedure_offered_by_several_departments_lists_each(regional_store: OxigraphStore,
                                                                index: matching.LabelIndex) -> None:
    answer = ref.lookup(regional_store, index, "procedures-for-condition", "lung cancer")
    radical = by_label(answer)["Radical lung cancer surgery"]
    assert ids(radical["departments"]) == [CENTER, department(1), department(2)]  # the real center first, then by name
    assert [d["synthetic"] for d in radical["departments"]] == [False, True, True]
    assert radical["departments"][1]["hospital"]["label"] == "Qingdao Jiangtai County Hospital"
    # every quote says whose description it is from, and each department's own quote is there
    assert {span["department"] for span in radical["evidence"]} == {CENTER, department(1), department(2)}


def test_a_department_whose_words_do_not_link_a_procedure_to_the_condition_is_listed_apart(
        regional_store: OxigraphStore, index: matching.LabelIndex) -> None:
    answer = ref.lookup(regional_store, index, "procedures-for-condition", "lung cancer")
    thoracoscopic = by_label(answer)["Minimally invasive thoracoscopic surgery"]
    assert ids(thoracoscopic["departments"]) == [CENTER]
    assert set(ids(thoracoscopic["also_offered_by"])) == {department(1), department(2), department(3)}


def test_the_department_filter_keeps_only_what_those_departments_state(regional_store: OxigraphStore,
                                                                       index: matching.LabelIndex) -> None:
    only = index.department_ids([department(2)])
    answer = ref.lookup(regional_store, index, "procedures-for-condition", "lung cancer", departments=only)
    named = {d for item in answer.results for d in ids(item["departments"]) + ids(item["also_offered_by"])}
    assert named == {department(2)}
    assert "Uniportal thoracoscopic lobectomy" not in by_label(answer)  # the real center's alone
    assert "Radical lung cancer surgery" in by_label(answer)
    workup = ref.lookup(regional_store, index, "workup-for-condition", "lung cancer", departments=only)
    assert workup.results and all(ids(item["departments"]) == [department(2)] for item in workup.results)
    assert "Head MRI" not in by_label(workup)  # the center's work-up, not this department's


def test_an_unknown_department_is_refused_by_name(index: matching.LabelIndex) -> None:
    with pytest.raises(InvalidParameter, match="not a department"):
        index.department_ids(["ttc:Nowhere"])
    assert index.department_ids(["ttc:Center"]) == frozenset({CENTER})


def test_routine_work_up_is_per_department(regional_store: OxigraphStore, index: matching.LabelIndex) -> None:
    workup = by_label(ref.lookup(regional_store, index, "workup-for-condition", "lung cancer"))
    pet = {d["id"]: d["routine"] for d in workup["PET-CT"]["departments"]}
    assert pet[CENTER] is False and pet[department(2)] is True


LOOKUPS = [("procedures-for-condition", "lung cancer"), ("procedures-for-condition", "esophageal cancer"),
           ("procedures-for-condition", str(TTC.UnresectableAdvancedTumour)), ("workup-for-condition", "lung cancer"),
           ("workup-for-condition", "食管癌"), ("conditions-for-procedure", "radiofrequency ablation"),
           ("conditions-for-procedure", "PET-CT"), ("equipment-for-procedure", str(TTC.MediastinoscopyBiopsy)),
           ("equipment-for-procedure", "robotic surgery")]


@pytest.mark.parametrize(("name", "q"), LOOKUPS)
def test_the_center_filtered_from_the_region_answers_as_the_center_alone(
        name: str, q: str, store: OxigraphStore, center_index: matching.LabelIndex,
        regional_store: OxigraphStore, index: matching.LabelIndex) -> None:
    alone = ref.lookup(store, center_index, name, q).as_json()
    filtered = ref.lookup(regional_store, index, name, q, departments=frozenset({CENTER})).as_json()
    assert filtered == alone


@pytest.mark.parametrize(("name", "q"), LOOKUPS)
def test_the_center_alone_names_itself_on_every_item(name: str, q: str, store: OxigraphStore,
                                                      center_index: matching.LabelIndex) -> None:
    answer = ref.lookup(store, center_index, name, q)
    items = [*answer.results, *(fact for item in answer.results for group in ("approaches", "equipment",
                                                                              "indications", "precedes")
                                for fact in item.get(group, []))]
    assert answer.results
    for item in items:
        assert ids(item["departments"]) == [CENTER]
        assert item.get("also_offered_by", []) == []
        assert {span["department"] for span in item["evidence"]} <= {CENTER}


def test_the_card_groups_by_department_only_when_several_answer(regional_store: OxigraphStore,
                                                                index: matching.LabelIndex, store: OxigraphStore,
                                                                center_index: matching.LabelIndex) -> None:
    _, regional_card = cards.card_for(regional_store, index, "lung cancer", frozenset(), "zh")
    assert regional_card is not None
    groups = {g["department"]["id"]: g for g in regional_card["departments"]}
    assert next(iter(groups)) == CENTER and set(groups) == {CENTER, department(1), department(2), department(3)}
    assert groups[department(1)]["department"]["label"] == "青岛江台县医院肺癌诊疗中心"  # Chinese names on a Chinese card
    # a department's line cites that department's quote only
    for item in groups[department(2)]["procedures"]:
        assert all(regional_card["footnotes"][n - 1]["department"] == department(2) for n in item["refs"])
    assert any(f["department_of"] and f["department_of"]["synthetic"] for f in regional_card["footnotes"])
    _, alone = cards.card_for(store, center_index, "lung cancer", frozenset(), "zh")
    assert alone is not None and alone["departments"] == []
    assert all(f["department_of"] is None for f in alone["footnotes"])


def test_departments_are_listed_with_their_counts(regional_store: OxigraphStore, index: matching.LabelIndex) -> None:
    listed = ref.departments(regional_store, index, "en")
    assert ids(listed) == [CENTER, department(3), department(1), department(2)]  # the real center first, then by name
    assert listed[0]["synthetic"] is False and all(d["synthetic"] for d in listed[1:])
    assert listed[0]["claims"] > 100 and all(d["claims"] > 5 and d["services"] > 0 for d in listed)
    assert listed[0]["hospital"]["labels"]["zh"] == "所属医院（来源未写明名称）"


def test_a_department_with_a_span_off_its_text_refuses_the_build_naming_it(region: Path, tmp_path: Path) -> None:
    broken = tmp_path / "region"
    for folder in region.iterdir():
        (broken / folder.name / "source").mkdir(parents=True)
        for path in folder.rglob("*.*"):
            (broken / folder.name / path.relative_to(folder)).write_bytes(path.read_bytes())
    evidence = broken / "syn-0002" / "evidence.ttl"
    text = evidence.read_text(encoding="utf-8")
    evidence.write_text(text.replace("oa:start 0 ;", "oa:start 1 ;", 1), encoding="utf-8")
    with pytest.raises(BuildRefused) as refused:
        build_with(broken)
    assert any(p.file == "syn-0002/evidence.ttl" and p.rule == "evidence" for p in refused.value.problems)


def test_fhir_gives_each_department_its_organization_and_services_from_its_own_claims(
        regional: Built, regional_store: OxigraphStore, store: OxigraphStore) -> None:
    from queries import fhir

    region = fhir.resources(regional_store)
    organizations, services = region.by_type["Organization"], region.by_type["HealthcareService"]
    assert {"Center", "syn-0001", "syn-0002", "syn-0003"} <= set(organizations)
    for key, organization in organizations.items():  # a synthetic department and its hospital say they are test data
        tagged = [t["code"] for t in organization.get("meta", {}).get("tag", [])]
        assert tagged == ([] if key in ("Center", "Hospital") else ["HTEST"]), key
    alone = fhir.resources(store).by_type["HealthcareService"]
    assert all(services[key] == resource for key, resource in alone.items())  # the center's, unchanged
    graph = regional.graph
    for key, service in services.items():
        if key in alone:
            continue
        assert [t["code"] for t in service["meta"]["tag"]] == ["HTEST"]
        owner = URIRef(SYNTHETIC + key.split(".")[0] + "/department")
        assert service["providedBy"]["reference"] == "Organization/" + key.split(".")[0]
        procedure = TTC[key.split(".")[1]]
        for extension in service.get("extension", []):
            condition = TTC[extension["valueCodeableConcept"]["coding"][0]["code"]]
            own = [c for c in graph.subjects(RDF.subject, procedure)
                   if (c, RDF.object, condition) in graph and (c, KG.claimedBy, owner) in graph]
            assert own, f"{key}: treats {condition} without a claim of its own"


def test_each_department_keeps_its_own_status_and_notes(regional_store: OxigraphStore, index: matching.LabelIndex,
                                                        store: OxigraphStore, center_index: matching.LabelIndex) -> None:
    regional = by_label(ref.lookup(regional_store, index, "procedures-for-condition", "lung cancer"))
    alone = by_label(ref.lookup(store, center_index, "procedures-for-condition", "lung cancer"))
    for label, item in regional.items():
        statuses = {d["id"]: d["status"] for d in item["departments"]}
        assert all(statuses.values()), label  # every department named with its own claim's status
        if CENTER in statuses and label in alone:
            assert statuses[CENTER] == alone[label]["status"], label  # the center's, never another's firmer one
        if CENTER not in statuses:  # the center's words dropped (weaker, or not linking it): so is its note
            assert not alone.get(label) or item["notes"] != alone[label]["notes"] or not item["notes"], label
    _, card = cards.card_for(regional_store, index, "lung cancer", frozenset(), "en")
    assert card is not None
    center_group = next(g for g in card["departments"] if g["department"]["id"] == CENTER)
    for entry in center_group["procedures"]:
        assert entry["status"] == alone[entry["labels"]["en"]]["status"]


def test_a_card_filtered_to_another_department_shows_nothing_of_the_centers(regional_store: OxigraphStore,
                                                                            index: matching.LabelIndex) -> None:
    only = frozenset({department(2)})
    _, card = cards.card_for(regional_store, index, "lung cancer", frozenset(), "zh", only)
    assert card is not None
    assert card["center"] == [] and card["sources_many"] is True
    assert {span["department"] for span in card["footnotes"]} == {department(2)}
    for device in card["equipment"]:
        assert device["center_has"] is False  # "listed among the center's equipment" is the real center's alone
        assert all(holder["id"] == department(2) and holder["refs"] for holder in device["held_by"])


def test_the_regional_network_names_each_department_once(regional_store: OxigraphStore) -> None:
    from graph.network.projection import center_network
    from graph.network.views import regional

    view = regional(center_network(regional_store))
    for node, data in view.network.nodes(data=True):
        names = [d["en"] for d in data.get("departments", [])]
        assert len(names) == len(set(names)), node
        assert all(d.get("synthetic") for d in data.get("departments", []) if d["en"] != "Thoracic Tumor Center")


def test_the_regional_question_says_how_each_department_words_its_offer_and_its_link(
        regional: Built, regional_store: OxigraphStore) -> None:
    """`departments_for_procedure` says, per department, whether its own words state the offer and the link to the
    condition: never firmer than that department's own claims, never stated where it states none."""
    query = load_catalog()["departments_for_procedure"]
    rows = regional_store.select(query.sparql, bindings=bind(query, {"condition": "ttc:LungCancer"}))
    assert rows
    graph = regional.graph

    def own(department: object, subject: object, predicates: set[URIRef], obj: object) -> set[URIRef]:
        return {graph.value(claim, KG.status) for claim in graph.subjects(RDF.subject, subject)
                if graph.value(claim, RDF.predicate) in predicates and graph.value(claim, RDF.object) == obj
                and graph.value(claim, KG.claimedBy) == department}

    seen = set()
    for row in rows:
        offers = own(row["department"], row["department"], {KG.offers, KG.performsRoutinely}, row["procedure"])
        links = own(row["department"], row["procedure"], {KG.treats, KG.hasIndication}, row["condition"])
        assert row["offer_stated"].toPython() is (KG.Stated in offers), row
        assert KG.Stated in offers or KG.Implied in offers, row
        assert row["link_stated"].toPython() is (KG.Stated in links), row
        assert row["links"].toPython() is bool(links & {KG.Stated, KG.Implied}), row
        seen.add((row["links"].toPython(), row["link_stated"].toPython()))
    # the data shows a stated link, an implied one, and an offer whose words do not link it to the condition
    assert {(True, True), (True, False), (False, False)} <= seen, seen
