"""What the proposer reads that a curator would otherwise add by hand: a scope's words, a site shared across a list,
and (each test says which) the status it gives, every proposal with the exact words it was read from."""

from __future__ import annotations

import re
from functools import cache

from rdflib import Graph, URIRef
from rdflib.namespace import PROV, RDF, SKOS

from graph.namespaces import KG, OA
from graph.propose import proposals_in, propose
from graph.propose.lexicon import Lexicon, vocabulary_graph, without_labels_in


def _local(node: object) -> str:
    return re.split(r"[/#]", str(node))[-1]


@cache
def _vocabulary() -> Graph:
    return vocabulary_graph()


def _new_department(text: str) -> Graph:
    """The text read as a new department's: with every English label it uses taken out of the vocabulary (the
    benchmark's "center" reading), so what is found comes from the rules, not from the text's own words."""
    return propose(text, department="u", source_name="u.txt",
                   lexicon=Lexicon.from_graph(without_labels_in(_vocabulary(), text)))


def _relations(graph: Graph) -> dict[tuple[str, str, str], tuple[str, list[str]]]:
    """(subject, predicate, object) by local name → (proposed status, the quotes of its evidence spans)."""
    found = {}
    for p in proposals_in(graph):
        if graph.value(p, RDF.subject) is None or graph.value(p, KG.proposedStatus) is None:
            continue
        key = (_local(graph.value(p, RDF.subject)), _local(graph.value(p, RDF.predicate)),
               _local(graph.value(p, RDF.object)))
        found[key] = (_local(graph.value(p, KG.proposedStatus)), _quotes(graph, p))
    return found


def _quotes(graph: Graph, proposal: URIRef) -> list[str]:
    text = str(next(graph.objects(None, KG.sourceText)))
    quotes = []
    for span in graph.objects(proposal, PROV.wasDerivedFrom):
        start, end = int(graph.value(span, OA.start)), int(graph.value(span, OA.end))
        assert text[start:end] == str(graph.value(span, PROV.value))
        quotes.append(text[start:end])
    return sorted(quotes)


def _read(text: str) -> dict[tuple[str, str, str], tuple[str, list[str]]]:
    """The relations of a text read with the shipped vocabulary."""
    return _relations(propose(text, department="u", source_name="u.txt"))


def _statuses(text: str) -> dict[tuple[str, str, str], str]:
    return {key: status for key, (status, _) in _read(text).items()}


def _entity_quotes(graph: Graph, local: str) -> list[str]:
    return next(_quotes(graph, p) for p in proposals_in(graph)
                if graph.value(p, KG.proposes) is not None and _local(graph.value(p, KG.proposes)) == local)


def test_a_scope_word_names_the_scope_its_approach_and_thoracoscopic_surgery() -> None:
    text = ("Chest Unit\n\nThe unit's equipment includes a thoracoscopy and a mediastinoscopy. It performs "
            "thoracoscopic pleural biopsy. Minimally invasive thoracoscopy technique is used.")
    graph = _new_department(text)
    relations = {k: status for k, (status, _) in _relations(graph).items()}
    assert relations[("department", "hasEquipment", "Thoracoscope")] == "Stated"
    assert relations[("department", "hasEquipment", "Mediastinoscope")] == "Stated"
    assert relations[("ThoracoscopicPleuralBiopsy", "hasApproach", "ThoracoscopicApproach")] == "Stated"
    assert relations[("ThoracoscopicPleuralBiopsy", "usesEquipment", "Thoracoscope")] == "Implied"
    assert relations[("department", "offers", "ThoracoscopicSurgery")] == "Stated"
    assert _entity_quotes(graph, "Thoracoscope") == ["thoracoscopy", "thoracoscopy"]
    assert _entity_quotes(graph, "ThoracoscopicApproach") == ["thoracoscopic"]
    assert _entity_quotes(graph, "ThoracoscopicSurgery") == ["Minimally invasive thoracoscopy technique"]


def test_a_scope_word_the_vocabulary_has_no_scope_for_names_nothing() -> None:
    graph = _new_department("Eye Clinic\n\nThe clinic's equipment includes a gonioscopy and it does gonioscopic work.")
    assert not [p for p in proposals_in(graph) if graph.value(p, KG.proposes) is not None]


def test_a_site_alone_before_another_sites_phrase_shares_its_words_in_either_order() -> None:
    text = ("Chest Unit\n\nMore surgeries are carried out, including lung, esophageal benign tumor resection. "
            "The unit also does thymic and tracheal benign tumor resection.")
    graph = propose(text, department="u", source_name="u.txt")
    relations = _relations(graph)
    first = "lung, esophageal benign tumor resection"
    assert relations[("department", "offers", "BenignLungTumourResection")] == ("Stated", [text[text.index(
        "More"):text.index("resection.") + 10]])
    assert relations[("BenignLungTumourResection", "treats", "BenignLungTumour")][0] == "Stated"
    assert relations[("BenignEsophagealTumourResection", "treats", "BenignEsophagealTumour")][0] == "Stated"
    assert relations[("department", "offers", "BenignEsophagealTumourResection")][0] == "Stated"
    assert _entity_quotes(graph, "BenignLungTumourResection") == [first]
    assert _entity_quotes(graph, "BenignEsophagealTumourResection") == ["esophageal benign tumor resection"]
    assert _entity_quotes(graph, "BenignLungTumour") == ["lung, esophageal benign tumor"]
    assert not any(k[1] == "treats" and k[2] == "BenignLungTumour" and k[0] != "BenignLungTumourResection"
                   for k in relations)  # the esophageal operation is not read as treating the lung's tumour


def test_a_noun_site_in_a_list_does_not_lend_its_place_to_the_next_item() -> None:
    graph = propose("Chest Unit\n\nThe unit treats diseases of the lung, esophageal cancer and myasthenia gravis.",
                    department="u", source_name="u.txt")
    assert ("department", "treatsCondition", "LungCancer") not in _relations(graph)


def test_the_aspects_a_sentence_announces_for_a_condition_imply_what_the_next_sentences_treat() -> None:
    announcing = "The unit has built a system for the treatment of lung cancer in the following aspects: staging first."
    aspect = "For patients with late lesions, neoadjuvant chemotherapy is carried out."
    text = (f"Chest Unit\n\n{announcing} {aspect} Trauma is reduced. Systematic lymph node dissection is stressed. "
            "Esophageal cancer surgery is routine, and so is segmentectomy.\n\nThe unit also performs "
            "pleurodesis.")
    relations = _read(text)
    assert relations[("NeoadjuvantChemotherapy", "treats", "LungCancer")] == ("Implied", sorted([announcing, aspect]))
    assert relations[("SystematicLymphNodeDissection", "treats", "LungCancer")][0] == "Implied"
    assert ("Segmentectomy", "treats", "LungCancer") not in relations  # its sentence names a condition of its own
    assert not any(k[0] != "NeoadjuvantChemotherapy" and k[0] != "SystematicLymphNodeDissection"
                   and k[1:] == ("treats", "LungCancer") for k in relations)  # nor does the next paragraph


def test_an_operation_given_as_an_example_of_a_treatment_by_an_approach_has_that_approach_implied() -> None:
    text = ("Chest Unit\n\nThe unit offers uniportal treatment of various diseases such as segmentectomy and "
            "thoracoscopic pleural biopsy. The unit also does thoracic surgery, uniportal, and segmentectomy.")
    graph = propose(text, department="u", source_name="u.txt")
    relations = _relations(graph)
    first = text[text.index("The unit offers"):text.index("biopsy.") + 7]
    assert relations[("Segmentectomy", "hasApproach", "UniportalThoracoscopicApproach")] == ("Implied", [first])
    assert relations[("Segmentectomy", "usesEquipment", "Thoracoscope")][0] == "Implied"
    assert ("ThoracoscopicPleuralBiopsy", "hasApproach", "UniportalThoracoscopicApproach") in relations
    note = next(graph.objects(next(p for p in proposals_in(graph) if _local(graph.value(p, RDF.object))
                                   == "UniportalThoracoscopicApproach" and _local(graph.value(p, RDF.subject))
                                   == "Segmentectomy"), SKOS.editorialNote))
    assert "example" in str(note)
    # the second sentence has no treatment word right after the approach: it gives no example, adds no evidence
    assert relations.get(("Segmentectomy", "hasApproach", "UniportalThoracoscopicApproach"))[1] == [first]


def test_a_device_in_brackets_within_an_operations_name_is_stated_as_its_equipment() -> None:
    text = "Chest Unit\n\nThe unit performs robotic (Da Vinci) surgery and thoracoscopy bronchial sleeve resection."
    statuses = _statuses(text)
    assert statuses[("RoboticSurgery", "usesEquipment", "DaVinciSurgicalSystem")] == "Stated"
    assert statuses[("ThoracoscopicBronchialSleeveResection", "usesEquipment", "Thoracoscope")] == "Implied"


def test_a_chinese_site_alone_before_another_sites_phrase_shares_its_words() -> None:
    text = "胸外科\n\n开展胸腔镜胸膜活检术、肺、食管良性肿瘤切除术。本科擅长肺和食管癌的治疗。尘肺和食管癌患者也来就诊。"
    graph = propose(text, department="zh", source_name="zh.txt")
    relations = _relations(graph)
    assert relations[("BenignLungTumourResection", "treats", "BenignLungTumour")][0] == "Stated"
    assert relations[("department", "offers", "BenignLungTumourResection")][0] == "Stated"
    assert _entity_quotes(graph, "BenignLungTumourResection") == ["肺、食管良性肿瘤切除术"]
    assert _entity_quotes(graph, "LungCancer") == ["肺和食管癌"]  # not 尘肺 (pneumoconiosis), a word of its own


def test_a_service_appended_after_a_closed_list_is_offered_and_its_routine_is_ambiguous() -> None:
    text = ("Chest Unit\n\nThe unit routinely conducts treatments such as segmentectomy, radiofrequency ablation, and "
            "thoracoscopic pleural biopsy, and robotic surgery. It routinely performs segmentectomy and robotic "
            "surgery.")
    first = text[text.index("The unit"):text.index("It routinely")].strip()
    relations = _read(text)
    assert relations[("department", "performsRoutinely", "RadiofrequencyAblation")] == ("Stated", [first])
    assert relations[("department", "offers", "RoboticSurgery")] == ("Stated", [first])
    # the second sentence calls it routine outright: that is the stronger reading, and the one proposed
    assert relations[("department", "performsRoutinely", "RoboticSurgery")][0] == "Stated"
    alone = _read(text[:text.index(" It routinely")])
    assert alone[("department", "performsRoutinely", "RoboticSurgery")] == ("Ambiguous", [first])
    assert alone[("department", "performsRoutinely", "ThoracoscopicPleuralBiopsy")][0] == "Stated"


def test_an_approach_before_a_lists_first_item_is_only_ambiguous_for_the_next_items() -> None:
    text = ("Chest Unit\n\nThe unit is good at uniportal thoracoscopic lobectomy, segmentectomy, sleeve lobectomy, and "
            "robotic surgery. It also does video-assisted thoracoscopic surgery and pleurodesis.")
    relations = _read(text)
    assert relations[("UniportalThoracoscopicLobectomy", "hasApproach", "UniportalThoracoscopicApproach")][0] == "Stated"
    assert relations[("Segmentectomy", "hasApproach", "UniportalThoracoscopicApproach")][0] == "Ambiguous"
    # a device read from an ambiguous approach is no surer than it
    assert relations[("Segmentectomy", "usesEquipment", "Thoracoscope")][0] == "Ambiguous"
    # the list stops at an item with an approach of its own
    assert ("RoboticSurgery", "hasApproach", "UniportalThoracoscopicApproach") not in relations
    # "video-assisted thoracoscopic surgery" is a surgery's own name: its approach is not lent to the next item
    assert not [k for k in relations if k[1] == "hasApproach" and k[2] == "ThoracoscopicApproach"
                and k[0] not in ("ThoracoscopicSurgery",)]


def test_a_device_read_from_a_denied_approach_is_not_implied() -> None:
    statuses = _statuses("Chest Unit\n\nThe unit no longer performs thoracoscopic pleural biopsy.")
    assert statuses[("ThoracoscopicPleuralBiopsy", "hasApproach", "ThoracoscopicApproach")] == "Ambiguous"
    assert statuses[("ThoracoscopicPleuralBiopsy", "usesEquipment", "Thoracoscope")] == "Ambiguous"


def test_the_patients_a_sentence_gives_a_list_for_are_ambiguous_for_a_treatment_appended_after_it() -> None:
    text = ("Chest Unit\n\nFor patients whose advanced tumors cannot be surgically resected, the unit conducts "
            "treatments such as radiofrequency ablation, and radioactive particle implantation, and robotic surgery.")
    statuses = _statuses(text)
    assert statuses[("RadiofrequencyAblation", "hasIndication", "UnresectableAdvancedTumour")] == "Stated"
    assert statuses[("RoboticSurgery", "hasIndication", "UnresectableAdvancedTumour")] == "Ambiguous"


def test_an_examinations_device_is_schema_uses_device_as_the_curated_files_write_it() -> None:
    statuses = _statuses("Chest Unit\n\nThe unit performs mediastinoscopy biopsy and thoracoscopy bronchial sleeve "
                         "resection.")
    assert statuses[("MediastinoscopyBiopsy", "usesDevice", "Mediastinoscope")] == "Implied"
    assert ("MediastinoscopyBiopsy", "usesEquipment", "Mediastinoscope") not in statuses
    assert statuses[("ThoracoscopicBronchialSleeveResection", "usesEquipment", "Thoracoscope")] == "Implied"
