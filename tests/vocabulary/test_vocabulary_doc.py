"""`graph.vocabulary`: the documentation read from the ontology files, and its example queries run on the graph."""

from __future__ import annotations

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF

import ontology
from graph.build import Built
from graph.namespaces import KG
from graph.store import OxigraphStore
from graph.vocabulary import PropertyDoc, TreeNode, Vocabulary, anchor_for, counts_from_manifest, document, serialize_model


@pytest.fixture(scope="module")
def vocab() -> Vocabulary:
    return document()


def _declared() -> set[str]:
    """Every term thoracic.ttl gives a type to, read independently of the module under test."""
    own = Graph().parse(ontology.MODEL)
    onto = next(own.subjects(RDF.type, OWL.Ontology))
    return {str(s) for s in own.subjects(RDF.type, None) if isinstance(s, URIRef) and s != onto}


def _property(vocab: Vocabulary, name: str) -> PropertyDoc:
    return next(p for p in vocab.properties if p.ref.curie == name)


def test_every_term_of_the_ontology_file_is_documented_once(vocab: Vocabulary) -> None:
    documented = [d.ref.iri for d in (*vocab.classes, *vocab.properties, *vocab.individuals)]
    assert sorted(documented) == sorted(_declared())
    # kg:Version and its 11 properties (issue 12), kg:claimedBy; kg:Proposal and its 5 properties, kg:sourceText (issue 14)
    assert len(vocab.classes) == 28 and len(vocab.properties) == 58


def test_anchors_are_local_names_for_project_terms_and_unique(vocab: Vocabulary) -> None:
    assert anchor_for(str(KG.SurgicalProcedure)) == "SurgicalProcedure"
    assert anchor_for("https://schema.org/SurgicalProcedure") == "schema-SurgicalProcedure"
    anchors = [d.ref.anchor for d in (*vocab.classes, *vocab.properties, *vocab.individuals, *vocab.standard_terms)]
    assert len(anchors) == len(set(anchors))


def test_properties_name_the_standard_term_they_map_to(vocab: Vocabulary) -> None:
    offers = _property(vocab, "kg:offers")
    assert [(m.relation, m.target.curie) for m in offers.mappings] == [("sub-property of", "schema:availableService")]
    assert [r.curie for r in offers.domain] == ["kg:ClinicalCenter"]
    assert {r.curie for r in offers.range} == {"schema:MedicalProcedure", "schema:MedicalTest", "schema:MedicalTherapy"}
    assert offers.declared_with == "schema:domainIncludes" and offers.claimable

    routinely = _property(vocab, "kg:performsRoutinely")
    inherited = routinely.mappings[0]
    assert inherited.target.curie == "schema:availableService" and [v.curie for v in inherited.via] == ["kg:offers"]
    assert routinely.range_from is not None and routinely.range_from.curie == "kg:offers"
    assert {r.curie for r in routinely.range} == {r.curie for r in offers.range}

    treats = _property(vocab, "kg:treats")
    assert {(m.relation.split(" (")[0], m.target.curie) for m in treats.mappings} == {
        ("see also", "schema:possibleTreatment"), ("inverse of", "kg:treatedBy")}
    equipment = _property(vocab, "kg:usesEquipment")
    assert [m.target.curie for m in equipment.mappings] == ["schema:usesDevice"]
    assert equipment.mappings[0].relation.startswith("generalises")
    assert _property(vocab, "kg:hasEquipment").mappings == ()  # "none: schema.org has no such property"


def test_class_hierarchy_reaches_the_standard_parents(vocab: Vocabulary) -> None:
    cancer = next(c for c in vocab.classes if c.ref.curie == "kg:Cancer")
    assert [r.curie for r in cancer.superclasses] == ["kg:Neoplasm"]
    assert {r.curie for r in cancer.ancestors} == {"kg:Neoplasm", "schema:MedicalCondition", "schema:MedicalEntity",
                                                   "schema:Thing"}
    assert cancer.mappings[0].target.curie == "schema:MedicalCondition"

    def path_to(nodes: tuple[TreeNode, ...], curie: str, trail: tuple[str, ...] = ()) -> tuple[str, ...] | None:
        for node in nodes:
            here = (*trail, node.ref.curie)
            if node.ref.curie == curie:
                return here
            found = path_to(node.children, curie, here)
            if found:
                return found
        return None

    assert path_to(vocab.class_tree, "kg:ComplexProcedure") == (
        "schema:Thing", "schema:MedicalEntity", "schema:MedicalProcedure", "schema:SurgicalProcedure",
        "kg:SurgicalProcedure", "kg:ComplexProcedure")


def test_every_example_query_runs_and_finds_what_the_graph_holds(vocab: Vocabulary, store: OxigraphStore,
                                                                 built: Built) -> None:
    counts = counts_from_manifest(built.manifest)
    assert counts[str(KG.SurgicalProcedure)] == 23
    for doc in (*vocab.classes, *vocab.properties, *vocab.individuals, *vocab.standard_terms):
        if not doc.example:
            continue
        rows = store.select(doc.example)
        if counts.get(doc.ref.iri, 0) > 0:
            assert rows, f"the example of {doc.ref.curie} finds nothing though the graph uses it"
    claims = store.select(_property(vocab, "kg:treats").example)
    assert {str(r["status"]) for r in claims} >= {str(KG.Stated), str(KG.Inferred)}  # claims that are no plain fact too


def test_the_model_serialises_to_the_same_graph_in_every_syntax() -> None:
    from rdflib.compare import isomorphic

    reference = Graph().parse(ontology.MODEL)
    for fmt, rdflib_name in (("turtle", "turtle"), ("ntriples", "nt"), ("jsonld", "json-ld"), ("rdfxml", "xml")):
        assert isomorphic(Graph().parse(data=serialize_model(fmt), format=rdflib_name), reference), fmt
