"""The VoID description of the dataset (`/.well-known/void`), from the build manifest.

The dataset, its named graphs (the TriG and N-Quads downloads', `graph.partition`: each department's own) as subsets,
with their titles and descriptions in English and Chinese, triples and
entities per class and per property, the SPARQL endpoint, the dumps, example resources, the source document and
the licence: the one set with TKG_LICENSE, otherwise a statement that none is given (none is invented). URLs
of the service (endpoint, dumps) are where this service answers; the dataset's IRIs stay the graph's own.
Imports rdflib and `graph`; never FastAPI.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, FOAF, RDF, RDFS, XSD

from graph.exports import QUAD_FORMATS, RDF_FORMATS, URI_SPACE
from graph.namespaces import KG, OA, PREFIXES, SCHEMA, TTC
from graph.partition import FIXED

VOID = Namespace("http://rdfs.org/ns/void#")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
FORMATS = Namespace("http://www.w3.org/ns/formats/")
#: The VoID document's IRI in the graph's own domain (RFC 5785 well-known location), and the dataset it describes.
DOCUMENT = URIRef(URI_SPACE + ".well-known/void")
DATASET = URIRef(URI_SPACE + ".well-known/void#dataset")
#: Entities to start from; the tests check each is in the graph.
EXAMPLES = (TTC.Center, TTC.LungCancer, TTC.EsophagealCancer, TTC.ThoracoscopicSurgery, TTC.PETCT)
VOCABULARIES = (str(SCHEMA), "http://www.w3.org/2004/02/skos/core#", "http://www.w3.org/ns/prov#", str(OA), str(KG))
_DUMP_FEATURES = {"turtle": FORMATS.Turtle, "ntriples": FORMATS["N-Triples"], "trig": FORMATS.TriG,
                  "nquads": FORMATS["N-Quads"], "jsonld": FORMATS["JSON-LD"]}
_LANGS = {"en": "en", "zh": "zh-Hans"}
_IN_DUMP = {"en": " The triples of this named graph in the TriG and N-Quads dumps; the SPARQL endpoint holds the "
                  "union of the named graphs in its default graph.",
            "zh": "TriG 和 N-Quads 下载中此命名图的三元组；SPARQL 端点的默认图是全部命名图的并集。"}
CONTEXT = {**PREFIXES, "void": str(VOID), "sd": str(SD), "dcterms": str(DCTERMS), "foaf": str(FOAF),
           "formats": str(FORMATS)}
MEDIA_TYPES = {"turtle": "text/turtle", "jsonld": "application/ld+json"}
_NO_LICENCE = (Literal("No licence is stated for this dataset or for the description it is curated from; ask the "
                       "center before reusing it.", lang="en"),
               Literal("本数据集及其所依据的中心介绍均未声明许可协议；复用前请先联系中心。", lang="zh-Hans"))


def void_graph(manifest: Mapping[str, Any], base_url: str, *, license: str | None = None) -> Graph:
    """The VoID description of the build that `manifest` describes, served at `base_url` (no trailing slash).

    Example:
        >>> graph = void_graph({"triples": 3}, "http://127.0.0.1:8000")
        >>> graph.value(DATASET, VOID.triples).toPython()
        3
    """
    graph = Graph()
    for prefix, namespace in CONTEXT.items():
        graph.bind(prefix, namespace, override=True, replace=True)
    add = graph.add
    add((DOCUMENT, RDF.type, VOID.DatasetDescription))
    add((DOCUMENT, DCTERMS.title, Literal("VoID description of the Thoracic Tumor Center knowledge graph", lang="en")))
    add((DOCUMENT, DCTERMS.title, Literal("胸部肿瘤中心知识图谱的 VoID 描述", lang="zh-Hans")))
    add((DOCUMENT, FOAF.primaryTopic, DATASET))
    add((DATASET, RDF.type, VOID.Dataset))
    add((DATASET, DCTERMS.title, Literal("Thoracic Tumor Center capability knowledge graph", lang="en")))
    add((DATASET, DCTERMS.title, Literal("胸部肿瘤中心能力知识图谱", lang="zh-Hans")))
    add((DATASET, DCTERMS.description, Literal(
        "What a hospital's Thoracic Tumor Center treats, how and with what, from the center's own description: every "
        "relation a claim with its status (stated, implied, inferred, ambiguous) and the exact quote it rests on. "
        "Only stated and implied claims are plain triples.", lang="en")))
    add((DATASET, DCTERMS.description, Literal(
        "医院胸部肿瘤中心治疗哪些疾病、如何治疗、使用哪些设备，依据中心自身的介绍：每条关系都是一条声明，带有依据状态"
        "（明确陈述、措辞暗示、推断、有歧义）及其所依据的原文引文。只有明确陈述和措辞暗示的声明是普通三元组。",
        lang="zh-Hans")))
    add((DATASET, DCTERMS.source, TTC.source))
    if license:
        add((DATASET, DCTERMS.license, URIRef(license)))
    else:
        for note in _NO_LICENCE:
            add((DATASET, RDFS.comment, note))
    if manifest.get("content_sha256"):
        add((DATASET, DCTERMS.identifier, Literal("sha256:" + str(manifest["content_sha256"]))))
    add((DATASET, VOID.sparqlEndpoint, URIRef(base_url + "/sparql")))
    for fmt, (_, extension) in RDF_FORMATS.items():
        add((DATASET, VOID.dataDump, URIRef(f"{base_url}/downloads/graph.{extension}")))
        add((DATASET, VOID.feature, _DUMP_FEATURES[fmt]))
    add((DATASET, VOID.uriSpace, Literal(URI_SPACE)))
    add((DATASET, VOID.rootResource, TTC.Center))
    for example in EXAMPLES:
        add((DATASET, VOID.exampleResource, example))
    for vocabulary in VOCABULARIES:
        add((DATASET, VOID.vocabulary, URIRef(vocabulary)))
    add((DATASET, VOID.triples, _count(manifest.get("triples", 0))))
    statistics = manifest.get("void") or {}
    for key, term in (("entities", VOID.entities), ("distinct_subjects", VOID.distinctSubjects),
                      ("distinct_objects", VOID.distinctObjects)):
        if key in statistics:
            add((DATASET, term, _count(statistics[key])))
    classes, properties = statistics.get("classes", {}), statistics.get("properties", {})
    if classes:
        add((DATASET, VOID.classes, _count(len(classes))))
    if properties:
        add((DATASET, VOID.properties, _count(len(properties))))
    for name, (term, measure, count_term) in {"class": (VOID.classPartition, VOID["class"], VOID.entities),
                                              "property": (VOID.propertyPartition, VOID.property, VOID.triples)}.items():
        for iri, count in (classes if name == "class" else properties).items():
            partition = BNode()
            add((DATASET, term, partition))
            add((partition, measure, URIRef(iri)))
            add((partition, count_term, _count(count)))
    described = manifest.get("named_graphs") or {}
    for iri, count in (statistics.get("graphs") or {}).items():
        subset = URIRef(iri)
        add((DATASET, VOID.subset, subset))
        add((subset, RDF.type, VOID.Dataset))
        named = described.get(iri) or {}
        title = named.get("title") or FIXED.get(iri, ({}, {}))[0]
        description = named.get("description") or FIXED.get(iri, ({}, {}))[1]
        for lang, tag in _LANGS.items():
            if lang in title:
                add((subset, DCTERMS.title, Literal(title[lang], lang=tag)))
            add((subset, DCTERMS.description, Literal((description.get(lang, "") + _IN_DUMP[lang]).strip(), lang=tag)))
        add((subset, VOID.triples, _count(count)))
        for fmt in QUAD_FORMATS:
            add((subset, VOID.dataDump, URIRef(f"{base_url}/downloads/graph.{RDF_FORMATS[fmt][1]}")))
            if named.get("key"):
                add((subset, VOID.dataDump, URIRef(f"{base_url}/departments/{named['key']}.{RDF_FORMATS[fmt][1]}")))
        if named.get("department"):
            add((subset, VOID.rootResource, URIRef(named["department"])))
    return graph


def _count(value: Any) -> Literal:
    return Literal(int(value), datatype=XSD.integer)


def serialize(graph: Graph, fmt: str) -> bytes:
    """The description as Turtle or as JSON-LD compacted with its prefixes (an embedded context)."""
    if fmt == "jsonld":
        return graph.serialize(format="json-ld", context=dict(CONTEXT), auto_compact=True, encoding="utf-8")
    return graph.serialize(format="turtle", encoding="utf-8")


def service_graph_turtle(manifest: Mapping[str, Any], base_url: str) -> str:
    """Turtle that makes the SPARQL service description's default graph this dataset: the same IRI, both an
    `sd:Graph` and a `void:Dataset` with its `void:triples` (as the Service Description recommendation's own
    example describes a graph), and `rdfs:seeAlso` the VoID document where this service serves it."""
    return (f"<{DATASET}> a sd:Graph, void:Dataset ;\n    void:triples {int(manifest.get('triples', 0))} ;\n"
            f"    rdfs:seeAlso <{base_url}/.well-known/void> .\n")


__all__ = ["CONTEXT", "DATASET", "DOCUMENT", "EXAMPLES", "MEDIA_TYPES", "SD", "VOID", "serialize",
           "service_graph_turtle", "void_graph"]
