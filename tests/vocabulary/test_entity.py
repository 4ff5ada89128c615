"""`queries.entity`: one entity's labels, types, claims with evidence, statements and links, on the built graph."""

from __future__ import annotations

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import SKOS

from graph.build import Built
from graph.namespaces import KG, TTC
from graph.settings import Settings
from graph.sources import SOURCE_DIR
from graph.store import OxigraphStore, prepared_store
from queries.entity import EntityView, UnknownEntity, describe, entity_queries, entity_view, parse_id
from queries.params import InvalidParameter
from tests.servers import oxigraph_server

SOURCE = (SOURCE_DIR / "thoracic-tumor-center.txt").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def lung(store: OxigraphStore) -> EntityView:
    return entity_view(store, TTC.LungCancer)


def test_the_entity_queries_parse_and_bind_only_the_entity() -> None:
    queries = entity_queries()
    assert set(queries) == {"claims", "describe", "exists", "incoming", "nested", "statements"}
    assert all([p.name for p in q.params] == ["entity"] for q in queries.values())


def test_ids_are_iris_or_project_prefixed_names() -> None:
    assert parse_id("ttc:LungCancer") == TTC.LungCancer
    assert parse_id(str(KG.offers)) == KG.offers
    for bad in ("LungCancer", "foo:bar", "ttc:Lung Cancer", "<https://x>", "javascript:alert(1)", ""):
        with pytest.raises(InvalidParameter):
            parse_id(bad)


def test_labels_in_both_languages_and_most_specific_type(lung: EntityView) -> None:
    labels = {(label.kind, label.lang, label.text): label for label in lung.labels}
    assert ("preferred", "en", "Lung cancer") in labels and ("preferred", "zh-Hans", "肺癌") in labels
    assert labels[("preferred", "en", "Lung cancer")].source_words  # "lung cancer" is in the source
    # a synonym the source does not use is marked so, and shown once (not again as the entailed skos:altLabel)
    assert not labels[("added synonym", "en", "bronchogenic carcinoma")].source_words
    assert ("alternative", "en", "bronchogenic carcinoma") not in labels
    assert lung.entity.label == "Lung cancer" and lung.entity.label_zh == "肺癌"
    assert [t.id for t in lung.types] == ["kg:Cancer"]
    assert {t.id for t in lung.other_types} == {"kg:Neoplasm", "schema:MedicalCondition", "schema:MedicalEntity",
                                               "schema:Thing"}
    assert lung.types[0].anchor == "Cancer" and lung.medical


def test_hidden_labels_are_kept_apart(store: OxigraphStore) -> None:
    approach = entity_view(store, TTC.EndoscopicApproach)
    hidden = [label for label in approach.labels if (label.kind, label.lang, label.text) == ("hidden", "en", "laparoscopic")]
    assert hidden and hidden[0].source_words
    assert any(kind == "editorial note" for kind, _, _ in approach.notes)


def test_probable_translations_are_marked(store: OxigraphStore) -> None:
    ect = entity_view(store, TTC.ECT)
    marked = {label.text for label in ect.labels if label.probable_translation}
    assert marked == {"发射型计算机断层扫描"}
    assert {"骨扫描", "全身骨显像"} <= {label.text for label in ect.labels if label.kind == "added synonym"}


def test_every_claim_quote_is_the_source_text_at_its_offsets(lung: EntityView) -> None:
    spans = [span for claim in lung.claims for span in claim.spans] + lung.evidence
    assert len(spans) >= 15
    for span in spans:
        assert span.start is not None and span.end is not None
        assert SOURCE[span.start:span.end] == span.quote


def test_claims_keep_their_status_and_plain_facts_are_not_repeated(store: OxigraphStore) -> None:
    jiang = entity_view(store, TTC.JiangsAnastomosis)
    inferred = [c for c in jiang.claims if c.predicate.text == str(KG.treats)]
    assert [(c.object.id, c.status.display) for c in inferred] == [("ttc:EsophagealCancer", "inferred")]
    assert inferred[0].notes, "an inferred claim says why"
    assert not any(s.predicate.text == str(KG.treats) for s in jiang.statements)  # never a plain fact
    center = entity_view(store, TTC.Center)
    claimed = {(c.predicate.id, c.object.id) for c in center.claims if c.status.display in ("stated", "implied")}
    assert ("kg:includesInWorkup", "ttc:PETCT") in claimed
    assert ("kg:offers", "ttc:PETCT") not in claimed  # "combined with PET-CT": used, not said to be performed
    assert ("kg:offers", "ttc:PETCT", "ambiguous") in {(c.predicate.id, c.object.id, c.status.display) for c in center.claims}
    assert not claimed & {(s.predicate.id, s.value.id) for s in center.statements}  # a claimed fact is shown once
    assert ("schema:availableService", "ttc:MediastinoscopyBiopsy") in {(s.predicate.id, s.value.id) for s in center.statements}


def test_statements_inline_skolemised_codes_and_incoming_links(lung: EntityView) -> None:
    code = next(s for s in lung.statements if s.predicate.id == "schema:code")
    assert {(p.id, v.text) for p, v in code.details} >= {("schema:codeValue", "C34"), ("schema:codingSystem", "ICD-10")}
    # the superior sulcus tumour is under lung cancer only as an inferred claim, shown with its status, never plain
    assert ("ttc:SuperiorSulcusTumour", "skos:broader") not in {(s.id, p.id) for s, p in lung.incoming}
    hierarchy = [c for c in lung.claims if c.predicate.id == "skos:broader" and c.subject.id == "ttc:SuperiorSulcusTumour"]
    assert [c.status.display for c in hierarchy] == ["inferred"] and hierarchy[0].notes


def test_an_evidence_span_lists_the_claims_it_supports(store: OxigraphStore) -> None:
    span = entity_view(store, parse_id("ev:preop-exam"))
    assert {c.role for c in span.claims} == {"evidence"}
    assert ("ttc:LungCancer", "kg:hasStagingExamination", "ttc:PETCT") in {
        (c.subject.id, c.predicate.id, c.object.id) for c in span.claims}


def test_unknown_entity(store: OxigraphStore) -> None:
    with pytest.raises(UnknownEntity, match="ttc:NoSuchThing is not in the graph"):
        entity_view(store, TTC.NoSuchThing)
    with pytest.raises(UnknownEntity):
        describe(store, URIRef("urn:x-test:nothing"), "turtle")


def test_describe_is_a_bounded_description_with_claims_and_evidence(store: OxigraphStore) -> None:
    graph = Graph().parse(data=describe(store, TTC.JiangsAnastomosis, "turtle").body, format="turtle")
    assert (TTC.JiangsAnastomosis, SKOS.prefLabel, Literal("Jiang's Anastomosis", lang="en")) in graph
    assert (TTC.JiangsAnastomosis, SKOS.altLabel, Literal("Jiang’s Anastomosis", lang="en")) in graph
    claims = set(graph.subjects(KG.status, KG.Inferred))
    assert claims, "the inferred claim travels with the entity"
    spans = {s for c in claims for s in graph.objects(c, URIRef("http://www.w3.org/ns/prov#wasDerivedFrom"))}
    assert all(any(graph.objects(s, URIRef("http://www.w3.org/ns/prov#value"))) for s in spans)
    as_jsonld = Graph().parse(data=describe(store, TTC.JiangsAnastomosis, "jsonld").body, format="json-ld")
    assert isomorphic(as_jsonld, graph)


@pytest.mark.integration
def test_the_same_view_and_description_on_a_remote_sparql_server(built: Built, lung: EntityView,
                                                                  store: OxigraphStore) -> None:
    """A remote store binds the entity with a VALUES block instead of a substitution: same page, same data."""
    with oxigraph_server() as base:
        settings = Settings(store="remote", sparql_query_url=f"{base}/query", sparql_update_url=f"{base}/update")
        remote = prepared_store(settings, ntriples=built.ntriples, content_sha256=built.manifest["content_sha256"])
        try:
            assert entity_view(remote, TTC.LungCancer) == lung
            for fmt, parser in (("turtle", "turtle"), ("ntriples", "nt")):
                assert isomorphic(Graph().parse(data=describe(remote, TTC.LungCancer, fmt).body, format=parser),
                                  Graph().parse(data=describe(store, TTC.LungCancer, fmt).body, format=parser))
            with pytest.raises(UnknownEntity):
                entity_view(remote, TTC.NoSuchThing)
        finally:
            remote.close()
