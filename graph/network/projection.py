"""The typed projection of the RDF graph into networkx: entities as nodes, claims as edges.

Nodes carry their display type, English and Chinese labels, synonyms, codes and evidence quotes. Edges carry
their property and the status of the claim behind them (stated, implied, inferred, ambiguous): inferred and
ambiguous relations exist only as kg:Claim nodes, so edges are read from the claims, never from plain triples.
Evidence spans and figures can be left out as nodes and kept as attributes and side-panel items instead.
Imports networkx and `graph.network.source` (which reads the triples); nothing of `api`.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import networkx as nx

from graph.namespaces import KG, OA, PREFIXES, SCHEMA
from graph.network.source import Lit, Term, Triples, read_center
from graph.store import Store

_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_RDFS = "http://www.w3.org/2000/01/rdf-schema#"
_SKOS = "http://www.w3.org/2004/02/skos/core#"
_PROV = "http://www.w3.org/ns/prov#"
TYPE, SUBJECT, PREDICATE, OBJECT = _RDF + "type", _RDF + "subject", _RDF + "predicate", _RDF + "object"
PREF, ALT, HIDDEN, BROADER = _SKOS + "prefLabel", _SKOS + "altLabel", _SKOS + "hiddenLabel", _SKOS + "broader"
NOTE, DEFINITION, LABEL, SUBCLASS = _SKOS + "editorialNote", _SKOS + "definition", _RDFS + "label", _RDFS + "subClassOf"
DERIVED, QUOTE = _PROV + "wasDerivedFrom", _PROV + "value"


def _kg(name: str) -> str:
    return str(KG[name])


def _schema(name: str) -> str:
    return str(SCHEMA[name])


#: Display types, most specific first: a node gets the first whose class it has. (key, label, colour, classes)
TYPES: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    ("Center", "Center", "#1f4e79", (_kg("ClinicalCenter"), _schema("MedicalClinic"))),
    ("Equipment", "Equipment", "#d55e00", (_kg("Equipment"), _schema("MedicalDevice"))),
    ("Approach", "Surgical approach", "#cc79a7", (_kg("SurgicalApproach"),)),
    ("Examination", "Examination", "#009e73",
     (_kg("StagingExamination"), _schema("MedicalTest"), _schema("ImagingTest"))),
    ("Procedure", "Procedure", "#0072b2",
     (_kg("SurgicalProcedure"), _kg("ComplexProcedure"), _kg("NamedTechnique"), _schema("SurgicalProcedure"))),
    ("Therapy", "Therapy", "#56b4e9", (_kg("Chemotherapy"), _kg("InterventionalTherapy"), _schema("MedicalTherapy"))),
    ("Examination", "Examination", "#009e73", (_schema("DiagnosticProcedure"),)),
    ("Procedure", "Procedure", "#0072b2", (_schema("MedicalProcedure"), _schema("TherapeuticProcedure"))),
    ("Condition", "Condition", "#e69f00",
     (_kg("Neoplasm"), _kg("Cancer"), _kg("BenignNeoplasm"), _schema("MedicalCondition"))),
    ("Indication", "Indication", "#f0c05a", (_schema("MedicalIndication"),)),
    ("ImagingTechnique", "Imaging technique", "#7fbf7b", (_schema("MedicalImagingTechnique"),)),
    ("Specialty", "Specialty", "#8c6bb1", (_schema("MedicalSpecialty"),)),
    ("Organisation", "Organisation", "#4d6b8a", (_schema("Hospital"), _kg("ProfessionalBody"), _schema("Organization"))),
    ("Place", "Place", "#999999", (_kg("Ward"), _schema("City"), _schema("Place"))),
    ("Research", "Research", "#a6761d", (_kg("ResearchActivity"),)),
    ("Training", "Training", "#b8860b", (_kg("TrainingActivity"),)),
    ("Figure", "Figure", "#6b6b6b", (_kg("Figure"), _schema("Observation"))),
    ("Statement", "Center's statement", "#8a8a5c", (_kg("OutcomeClaim"), _kg("Recognition"), _kg("CenterStatement"))),
    ("Evidence", "Evidence span", "#b0b0b0", (_kg("EvidenceSpan"),)),
)
#: Type key → (label, colour), in legend order; "Resource" is anything of no known class (in a query's result).
TYPE_STYLE: dict[str, tuple[str, str]] = {key: (label, colour) for key, label, colour, _ in TYPES}
TYPE_STYLE["Resource"] = ("Other resource", "#c7c7c7")
#: The units the curated figures use (schema:unitText is English), for a figure's value in Chinese words.
UNIT_ZH = {"specialists": "名专家", "nurses": "名护士", "papers": "篇论文", "years": "年", "percent": "%", "doctors": "名医生"}
#: Type key → its Chinese name, for the legend, the panel and the text tables of a Chinese page.
TYPE_ZH: dict[str, str] = {
    "Center": "中心", "Equipment": "设备", "Approach": "手术入路", "Examination": "检查", "Procedure": "手术/操作",
    "Therapy": "治疗", "Condition": "疾病", "Indication": "适应证", "ImagingTechnique": "影像技术", "Specialty": "专科",
    "Organisation": "机构", "Place": "地点", "Research": "研究", "Training": "培训", "Figure": "数字",
    "Statement": "中心的陈述", "Evidence": "证据片段", "Resource": "其他资源"}
_CLASS_ORDER: dict[str, tuple[int, str]] = {}
for _index, (_key, _, _, _classes) in enumerate(TYPES):
    for _cls in _classes:
        _CLASS_ORDER.setdefault(_cls, (_index, _key))

#: Edge statuses. The first four are claim statuses; the others name edges that are not claims.
STATUSES = ("stated", "implied", "inferred", "ambiguous", "modelled", "asserted", "evidence")
CLAIM_STATUS = {_kg("Stated"): "stated", _kg("Implied"): "implied", _kg("Inferred"): "inferred",
                _kg("Ambiguous"): "ambiguous"}
#: Statuses of relations that are facts of the graph; inferred and ambiguous ones never are.
FACT_STATUSES = frozenset({"stated", "implied", "modelled", "asserted"})
_RANK = {status: rank for rank, status in enumerate(("stated", "implied", "modelled", "asserted", "ambiguous",
                                                     "inferred", "evidence"))}
SIDE_KINDS = frozenset({"Figure", "Statement"})
_NOT_NODES = frozenset({"Figure", "Statement", "Evidence"})
_CLAIM, _FIGURE, _ABOUT, _OBSERVATION_ABOUT = _kg("Claim"), _kg("Figure"), _kg("about"), _schema("observationAbout")
_STATEMENTS = (_kg("CenterStatement"), _kg("OutcomeClaim"), _kg("Recognition"))
#: Predicates that never become edges of a query result's network: reification, bookkeeping, closure, mappings.
_NOT_EDGES = frozenset({TYPE, SUBJECT, PREDICATE, OBJECT, _kg("status"), _schema("code"), _schema("value"),
                        _PROV + "wasQuotedFrom", _kg("codeMapping"), _kg("icd10Concept"), DERIVED, _ABOUT,
                        _OBSERVATION_ABOUT, _SKOS + "inScheme", _SKOS + "hasTopConcept", _SKOS + "broaderTransitive",
                        _SKOS + "narrowerTransitive", _SKOS + "narrower", _SKOS + "exactMatch", _SKOS + "broadMatch",
                        _SKOS + "narrowMatch", _SKOS + "closeMatch", _schema("domainIncludes"),
                        _schema("rangeIncludes")})
_LABELS = (PREF, LABEL, _schema("name"))


class UnknownEntity(LookupError):
    """The id names nothing in the network."""


@dataclass(frozen=True)
class ProjectionOptions:
    """What the projection keeps.

    Attributes:
        evidence: Evidence spans as nodes (linked by prov:wasDerivedFrom); otherwise only as node/edge attributes.
        figures: Figures and the center's statements as nodes; otherwise only as side-panel items.
        inferred: Inferred and ambiguous claims as (dotted) edges; otherwise left out.
    """

    evidence: bool = False
    figures: bool = False
    inferred: bool = True


def qname(iri: str) -> str:
    """A prefixed name with the project's prefixes, or the IRI itself."""
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(namespace) and len(iri) > len(namespace):
            return f"{prefix}:{iri[len(namespace):]}"
    return iri


def local_name(iri: str) -> str:
    text = iri.rstrip("/#")
    return text.rsplit("#", 1)[-1].rsplit("/", 1)[-1] or text


def _zh(lit: Lit) -> bool:
    return bool(lit.lang) and lit.lang.startswith("zh")  # type: ignore[union-attr]


def _en(lit: Lit) -> bool:
    return not lit.lang or lit.lang.startswith("en")


def _int(term: Term | None) -> int | None:
    return int(term.value) if isinstance(term, Lit) and term.value.lstrip("-").isdigit() else None


class _Reader:
    """Reads node and edge attributes out of one document's triples."""

    def __init__(self, triples: Triples, fallback: nx.MultiDiGraph | None = None) -> None:
        self.t = triples
        self.fallback = fallback
        self._spans: dict[Term, dict[str, Any] | None] = {}
        self._types: dict[Term, tuple[str | None, list[str]]] = {}
        self._property_labels: dict[str, dict[str, str]] = {}
        self._fallback_labels: dict[str, dict[str, str]] | None = None

    def _literals(self, node: Term, predicate: str) -> list[Lit]:
        return [v for v in self.t.objects(node, predicate) if isinstance(v, Lit)]

    def labels(self, node: str) -> tuple[str, str | None]:
        english = chinese = None
        for predicate in _LABELS:
            for lit in self._literals(node, predicate):
                if english is None and _en(lit):
                    english = lit.value
                if chinese is None and _zh(lit):
                    chinese = lit.value
            if english is not None:
                break
        if english is None and self.fallback is not None and node in self.fallback:
            english = self.fallback.nodes[node]["label"]
            chinese = chinese or self.fallback.nodes[node]["labels"].get("zh")
        return english or local_name(node), chinese

    def words(self, node: str, predicate: str) -> list[str]:
        return sorted({lit.value for lit in self._literals(node, predicate)})

    def english(self, node: Term, predicate: str) -> str | None:
        return " ".join(sorted(lit.value for lit in self._literals(node, predicate) if _en(lit))) or None

    def texts(self, node: Term, predicate: str) -> dict[str, str]:
        """The literals of `predicate` in each language present, {"en": …, "zh": …}."""
        found = {"en": self.english(node, predicate),
                 "zh": " ".join(sorted(lit.value for lit in self._literals(node, predicate) if _zh(lit))) or None}
        return {lang: text for lang, text in found.items() if text}

    def display_type(self, node: Term) -> tuple[str | None, list[str]]:
        """The display type (None if the node has no class we draw) and the node's most specific classes."""
        if node not in self._types:
            classes = [c for c in self.t.objects(node, TYPE) if isinstance(c, str)]
            found = [_CLASS_ORDER[c] for c in classes if c in _CLASS_ORDER]
            if not found and self.fallback is not None and node in self.fallback:
                self._types[node] = self.fallback.nodes[node]["type"], self.fallback.nodes[node]["classes"]
            else:
                self._types[node] = (min(found)[1] if found else None), self._most_specific(classes)
        return self._types[node]

    def _most_specific(self, classes: list[str]) -> list[str]:
        """The classes that are not a superclass of another of the node's classes (by rdfs:subClassOf, if present)."""
        chosen = set(classes)
        for cls in classes:
            seen, stack = set(), [cls]
            while stack:
                for parent in self.t.objects(stack.pop(), SUBCLASS):
                    if isinstance(parent, str) and parent not in seen:
                        seen.add(parent)
                        stack.append(parent)
            chosen -= seen - {cls}
        return sorted(qname(c) for c in chosen if not c.startswith(("http://www.w3.org/", "https://schema.org/Thing")))

    def span(self, span: Term) -> dict[str, Any] | None:
        if span not in self._spans:
            quote = self.t.value(span, QUOTE)
            self._spans[span] = None if not isinstance(quote, Lit) else {
                "id": span, "quote": quote.value, "start": _int(self.t.value(span, str(OA.start))),
                "end": _int(self.t.value(span, str(OA.end)))}
        return self._spans[span]

    def evidence(self, node: Term) -> list[dict[str, Any]]:
        spans = (self.span(s) for s in sorted(str(s) for s in self.t.objects(node, DERIVED)))
        return [s for s in spans if s is not None]

    def codes(self, node: str) -> list[str]:
        return sorted({v.value for code in self.t.objects(node, _schema("code"))
                       for v in self._literals(code, _schema("codeValue"))})

    def node_attributes(self, node: str, display: str) -> dict[str, Any]:
        english, chinese = self.labels(node)
        attributes: dict[str, Any] = {
            "label": english, "labels": {"en": english, **({"zh": chinese} if chinese else {})},
            "type": display, "classes": self.display_type(node)[1], "iri": node,
            "synonyms": self.words(node, ALT), "hidden_labels": self.words(node, HIDDEN),
            "evidence": self.evidence(node), "note": self.english(node, NOTE), "notes": self.texts(node, NOTE),
            "definition": self.english(node, DEFINITION), "codes": self.codes(node),
        }
        if any(lit.value.lower() == "true" for lit in self._literals(node, _kg("synthetic"))):
            attributes["synthetic"] = True  # generated test data (thoracic-kg synth): every view marks it
        if display in SIDE_KINDS:
            verbatim = self.t.value(node, _kg("verbatim"))
            values = {lang: self.figure_value(node, lang) for lang in ("en", "zh")}
            status = CLAIM_STATUS.get(str(self.t.value(node, _kg("status"))), "stated")
            attributes.update(value=values["en"], values={k: v for k, v in values.items() if v}, status=status,
                              verbatim=verbatim.value if isinstance(verbatim, Lit) else None)
        if display == "Evidence":
            span = self.span(node)
            if span:
                attributes.update(quote=span["quote"], start=span["start"], end=span["end"])
        return attributes

    def figure_value(self, node: str, lang: str = "en") -> str | None:
        """A figure's value in words: "more than 40 papers over 5 years" (in Chinese too), never a bare 40."""
        zh = lang == "zh"
        value = self.t.value(node, _schema("value"))
        decade = self.t.value(node, _kg("decade"))
        if value is None:  # a decade ("1970s") is a string of its own, never a year
            if not isinstance(decade, Lit):
                return None
            words = decade.value
            if zh and len(words) == 5 and words[:4].isdigit() and words.endswith("0s"):  # 1970s → 20世纪70年代
                return f"{int(words[:2]) + 1}世纪{words[2:4]}年代"
            return words
        if isinstance(value, Lit):
            text = value.value
        else:
            minimum = self.t.value(value, _schema("minValue"))
            exclusive = self.t.value(value, _kg("minExclusive"))
            bound = minimum.value if isinstance(minimum, Lit) else "?"
            strict = isinstance(exclusive, Lit) and exclusive.value in ("true", "1")
            text = (("超过 " if strict else "至少 ") if zh else ("more than " if strict else "at least ")) + bound
        unit_lit = self.t.value(node, _schema("unitText"))
        unit = unit_lit.value if isinstance(unit_lit, Lit) else ""
        period = self.t.value(node, _schema("observationPeriod"))
        years = period.value[1:-1] if isinstance(period, Lit) and period.value[:1] == "P" and period.value[-1:] == "Y" else ""
        if zh:
            span = ("每年" if years == "1" else f"{years} 年内") if years.isdigit() else (
                period.value if isinstance(period, Lit) else "")
            return f"{text} {UNIT_ZH.get(unit, unit)}".strip() + (f"（{span}）" if span else "")
        span = ("per year" if years == "1" else f"over {years} years") if years.isdigit() else (
            period.value if isinstance(period, Lit) else "")
        return " ".join(part for part in (text, unit, span) if part)

    def property_labels(self, predicate: str) -> dict[str, str]:
        """The property's labels, {"en": …, "zh": …} (from the document, else from the fallback network); the English
        one falls back to its local name, the Chinese one is absent when neither has it."""
        if predicate not in self._property_labels:
            literals = [lit for p in (LABEL, PREF) for lit in self._literals(predicate, p)]
            english = next((lit.value for lit in literals if _en(lit)), None)
            chinese = next((lit.value for lit in literals if _zh(lit)), None)
            if english is None and self.fallback is not None:
                if self._fallback_labels is None:
                    self._fallback_labels = {d["property"]: d["labels"] for *_, d in self.fallback.edges(data=True)}
                lent = self._fallback_labels.get(qname(predicate), {})
                english, chinese = lent.get("en"), chinese or lent.get("zh")
            self._property_labels[predicate] = {"en": english or local_name(predicate), **({"zh": chinese} if chinese else {})}
        return self._property_labels[predicate]


def _add_edge(network: nx.MultiDiGraph, source: str, target: str, predicate: str, status: str, reader: _Reader, *,
              evidence: list[dict[str, Any]] | None = None, notes: dict[str, str] | None = None,
              claim: str | None = None) -> None:
    """Add one edge keyed by its property; a second claim of the same relation merges in, the firmest status wins."""
    key = qname(predicate)
    if network.has_edge(source, target, key):
        data = network.edges[source, target, key]
        if _RANK[status] < _RANK[data["status"]]:
            data["status"] = status
        data["evidence"] += [e for e in evidence or [] if e not in data["evidence"]]
        return
    labels = reader.property_labels(predicate)
    network.add_edge(source, target, key=key, property=key, label=labels["en"], labels=labels, status=status,
                     evidence=list(evidence or []), note=(notes or {}).get("en"), notes=dict(notes or {}), claim=claim)


def project(triples: Triples, options: ProjectionOptions = ProjectionOptions(), *, plain: bool = False,
            fallback: nx.MultiDiGraph | None = None) -> nx.MultiDiGraph:
    """The network of an RDF document: typed entities, claims as edges with their status (hierarchy claims too).

    A skos:broader with no claim behind it (a CONSTRUCT result, a fixture) is drawn as `modelled`.

    With `plain` (a CONSTRUCT result), every other triple between two resources also becomes an edge: it takes the
    status of the same relation in `fallback` (usually the center's network, which also lends labels and types to
    nodes the result does not describe), else `asserted`. Without it (the center), entailed triples such as
    kg:treatedBy or schema:availableService stay out: the claims already say it, with status and evidence.

    Example:
        >>> triples = Triples.parse('''@prefix kg: <https://ttc-kg.example/ontology#> .
        ... @prefix ttc: <https://ttc-kg.example/id/> . @prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
        ... ttc:P a kg:SurgicalProcedure . ttc:C a kg:Cancer .
        ... [] a kg:Claim ; rdf:subject ttc:P ; rdf:predicate kg:treats ; rdf:object ttc:C ; kg:status kg:Inferred .
        ... ''', "turtle")
        >>> [(d["property"], d["status"]) for _, _, d in project(triples).edges(data=True)]
        [('kg:treats', 'inferred')]
    """
    reader = _Reader(triples, fallback)
    network = nx.MultiDiGraph()
    claims = set(triples.subjects(TYPE, _CLAIM))
    claimed: set[tuple[str, str, Term]] = set()

    def ensure(node: str) -> str:
        if node not in network:
            display, _ = reader.display_type(node)
            network.add_node(node, **reader.node_attributes(node, display or "Resource"))
        return node

    for claim in sorted(claims):
        subject, predicate, obj = (triples.value(claim, p) for p in (SUBJECT, PREDICATE, OBJECT))
        if not isinstance(subject, str) or not isinstance(predicate, str) or not isinstance(obj, str):
            continue
        status = CLAIM_STATUS.get(str(triples.value(claim, _kg("status"))), "asserted")
        claimed.add((subject, predicate, obj))
        if status not in FACT_STATUSES and not options.inferred:
            continue
        ensure(subject), ensure(obj)
        _add_edge(network, subject, obj, predicate, status, reader, evidence=reader.evidence(claim),
                  notes=reader.texts(claim, NOTE), claim=claim)

    candidates = (list(triples) if plain else [(s, BROADER, o) for s, o in triples.by_predicate.get(BROADER, [])])
    candidates.sort(key=lambda t: (t[0], t[1], str(t[2])))
    for subject, predicate, obj in candidates:
        if (not isinstance(obj, str) or predicate in _NOT_EDGES or predicate.startswith(("http://www.w3.org/2002/07/owl#",
                                                                                          _RDFS))
                or (subject, predicate, obj) in claimed or subject in claims or obj in claims):
            continue
        kinds = {reader.display_type(subject)[0], reader.display_type(obj)[0]}
        if kinds & _NOT_NODES or (not plain and None in kinds):
            continue
        known = fallback.get_edge_data(subject, obj, qname(predicate)) if fallback is not None else None
        status = "modelled" if predicate == BROADER else str(known["status"]) if known else "asserted"
        if status not in FACT_STATUSES and not options.inferred:
            continue
        ensure(subject), ensure(obj)
        _add_edge(network, subject, obj, predicate, status, reader, evidence=known and known["evidence"],
                  notes=known and known["notes"], claim=known and known["claim"])

    for node in sorted(set(triples.subjects(PREF)) | (set(triples.subjects(LABEL)) if plain else set())):
        display, _ = reader.display_type(node)
        if node not in claims and display not in _NOT_NODES and (display is not None or plain):
            ensure(node)

    network.graph["side"] = _side_items(triples, reader, network, options, ensure)
    if options.evidence:
        for node in list(network.nodes):
            for span in network.nodes[node]["evidence"]:
                if span["id"] not in network:
                    network.add_node(span["id"], **reader.node_attributes(span["id"], "Evidence"))
                _add_edge(network, node, span["id"], DERIVED, "evidence", reader)
    return network


def _side_items(triples: Triples, reader: _Reader, network: nx.MultiDiGraph, options: ProjectionOptions,
                ensure: Any) -> dict[str, list[dict[str, Any]]]:
    """Figures and the center's statements: nodes (with `figures`) or side-panel items keyed by what they are about."""
    side: dict[str, list[dict[str, Any]]] = defaultdict(list)
    items = {(item, _OBSERVATION_ABOUT) for item in triples.subjects(TYPE, _FIGURE)}
    items |= {(item, _ABOUT) for cls in _STATEMENTS for item in triples.subjects(TYPE, cls)}
    for item, about in sorted(items):
        display, _ = reader.display_type(item)
        attributes = reader.node_attributes(item, display or "Statement")
        for target in sorted(str(t) for t in triples.objects(item, about)):
            if options.figures:
                ensure(item), ensure(target)
                _add_edge(network, item, target, about, attributes["status"], reader, evidence=attributes["evidence"])
            elif target in network:
                side[target].append({"id": item, "kind": attributes["type"], "label": attributes["label"],
                                     "labels": attributes["labels"], "value": attributes.get("value"),
                                     "values": attributes.get("values", {}), "status": attributes["status"],
                                     "evidence": attributes["evidence"]})
    return {key: sorted(entries, key=lambda e: e["label"]) for key, entries in side.items()}


def from_ntriples(data: bytes, options: ProjectionOptions = ProjectionOptions(), *, plain: bool = False,
                  fallback: nx.MultiDiGraph | None = None) -> nx.MultiDiGraph:
    """The network of an N-Triples document: a build, or with `plain` a CONSTRUCT result (see `project`)."""
    return project(Triples.parse(data, "nt"), options, plain=plain, fallback=fallback)


_cache: dict[tuple[str | None, ProjectionOptions], nx.MultiDiGraph] = {}
_lock = threading.Lock()


def center_network(store: Store, options: ProjectionOptions = ProjectionOptions()) -> nx.MultiDiGraph:
    """The whole center's network, read from the store once per build (keyed by the store's content hash).

    Callers must not modify the returned graph: views copy what they take from it.
    """
    key = (store.content_sha256(), options)
    with _lock:
        cached = _cache.get(key)
    if cached is not None:
        return cached
    network = project(read_center(store), options)
    if store.content_sha256() != key[0]:  # a version was committed meanwhile: what was read may be the newer one
        return network
    with _lock:
        if len(_cache) >= 8:
            _cache.clear()
        _cache[key] = network
    return network


def find_entity(network: nx.MultiDiGraph, iri: str) -> str:
    """The node of `iri`, or UnknownEntity."""
    if iri not in network:
        raise UnknownEntity(f"{qname(iri)} is not in the network (not stated in the source, or not an entity)")
    return iri


__all__ = ["CLAIM_STATUS", "FACT_STATUSES", "STATUSES", "TYPES", "TYPE_STYLE", "TYPE_ZH", "Lit", "ProjectionOptions", "Triples",
           "UnknownEntity", "center_network", "find_entity", "from_ntriples", "local_name", "project", "qname"]
