"""The named graphs of the published dataset: every triple of a build in exactly one, each department in its own.

`partition(ntriples)` reads the build's canonical N-Triples once and assigns each triple, with dictionaries, to
the ontology graph (a subject the ontology files describe), the ICD-10 graph (a WHO code), one graph per
department (`…/graph/center` for the real center, `…/graph/department/{key}` for another), `…/graph/shared` (what
the words of several departments state) or `…/graph/unattributed` (what no department's words are behind). The
department of a triple, in this order:

1. a relation a claim materialises, or that the build entails from it (a super-property, an inverse): the
   departments claiming it (`kg:claimedBy`); a claim claimed by none makes it unattributed, never guessed;
2. otherwise its subject's: for a source document or evidence span, the department whose own node is derived from
   that document (`graph.claims.attribution`'s rule: a document staff uploaded is nobody's); else the department's
   own IRIs (`ttc:`/`ev:`, the center's curated files, shared vocabulary included; `synthetic/{id}/`), a claim's
   `kg:claimedBy`, the departments whose documents and spans the subject is derived from (a synthetic hospital or
   city), and for a skolemised node (a code, a bound) the subjects that point to it;
3. an evidence link (`prov:wasDerivedFrom` a span) of a subject several departments name goes to the span's.

One department: its graph; several: shared; none: unattributed. Same N-Triples, same partition, same bytes.
Imports pyoxigraph and `graph.namespaces`; never rdflib's Graph, nothing of `api`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache, lru_cache

import pyoxigraph as ox
from rdflib import URIRef

import ontology
from graph.claims import MATERIALISED
from graph.namespaces import BASE, EV, GENID, ICD10, KG, TTC, parse_published

GRAPH_NS = BASE + "graph/"
ONTOLOGY_GRAPH = GRAPH_NS + "ontology"
ICD10_GRAPH = GRAPH_NS + "icd10"
CENTER_GRAPH = GRAPH_NS + "center"
DEPARTMENT_GRAPH_NS = GRAPH_NS + "department/"
SHARED_GRAPH = GRAPH_NS + "shared"
UNATTRIBUTED_GRAPH = GRAPH_NS + "unattributed"
#: Where synthetic departments live (graph.synth.SYNTHETIC; repeated here, since graph.synth imports the build).
SYNTHETIC = BASE + "synthetic/"

_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_RDFS = "http://www.w3.org/2000/01/rdf-schema#"
_PROV = "http://www.w3.org/ns/prov#"
_SKOS = "http://www.w3.org/2004/02/skos/core#"
_TYPE, _SUBJECT, _PREDICATE, _OBJECT = (ox.NamedNode(_RDF + n) for n in ("type", "subject", "predicate", "object"))
_SUB_PROPERTY, _INVERSE = ox.NamedNode(_RDFS + "subPropertyOf"), ox.NamedNode("http://www.w3.org/2002/07/owl#inverseOf")
_DERIVED, _QUOTED = ox.NamedNode(_PROV + "wasDerivedFrom"), ox.NamedNode(_PROV + "wasQuotedFrom")
_PREF_LABEL = ox.NamedNode(_SKOS + "prefLabel")
_CLAIM, _CLAIMED_BY, _STATUS = ox.NamedNode(str(KG.Claim)), ox.NamedNode(str(KG.claimedBy)), ox.NamedNode(str(KG.status))
_CENTER_KIND, _SYNTHETIC = ox.NamedNode(str(KG.ClinicalCenter)), ox.NamedNode(str(KG.synthetic))
_DOCUMENT, _SPAN = ox.NamedNode(str(KG.SourceDocument)), ox.NamedNode(str(KG.EvidenceSpan))
_MATERIALISED = frozenset(ox.NamedNode(str(s)) for s in MATERIALISED)
_TRUE = ox.Literal("true", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#boolean"))

Words = Mapping[str, str]  # {"en": …, "zh": …}

FIXED: dict[str, tuple[Words, Words]] = {
    ONTOLOGY_GRAPH: (
        {"en": "The ontology", "zh": "本体"},
        {"en": "The vocabulary: every triple about a class, property or individual the ontology files describe "
               "(schema.org, SKOS and PROV-O terms restated there included), with what the build entails about them.",
         "zh": "本体：本体文件所描述的每个类、属性或个体的全部三元组（包括其中重述的 schema.org、SKOS 和 PROV-O 术语），"
               "以及构建时对它们推出的三元组。"}),
    ICD10_GRAPH: (
        {"en": "ICD-10 codes", "zh": "ICD-10 编码"},
        {"en": "The WHO ICD-10 codes the conditions map to, with WHO's English titles.",
         "zh": "各疾病所映射的 WHO ICD-10 编码，附 WHO 的英文名称。"}),
    CENTER_GRAPH: (
        {"en": "The Thoracic Tumor Center", "zh": "胸部肿瘤中心"},
        {"en": "The Thoracic Tumor Center's facts: its services, conditions, equipment, figures and statements, "
               "every claim with its status and evidence span, the source document, and what the build derives "
               "from them. The shared vocabulary (conditions, procedures, approaches, equipment, examinations with "
               "their labels, codes and hierarchy) is curated in the center's files from the center's text, so it "
               "is here too; another department's claim about it is in that department's graph.",
         "zh": "胸部肿瘤中心的事实：其服务、疾病、设备、数据和陈述，每条声明及其依据状态和证据片段、"
               "来源文档，以及构建时由此推出的三元组。共享词表（疾病、手术、入路、设备、检查及其标签、"
               "编码和层级）由中心的文件依据中心的文本整理，因此也在此图中；其他科室关于它们的声明在该科室"
               "自己的图中。"}),
    SHARED_GRAPH: (
        {"en": "Stated by several departments", "zh": "多个科室共同陈述"},
        {"en": "What the words of more than one department state, so no single department's graph can hold it: a "
               "hospital or city several departments name (each one's evidence link is in its own graph), and a "
               "relation several departments' claims materialise (each claim is in its own department's graph).",
         "zh": "多个科室的文字共同陈述、因而无法归入单个科室图的内容：多个科室提到的同一医院或城市"
               "（每个科室的证据链接在其自己的图中），以及多个科室的声明共同物化的关系（每条声明在其所属"
               "科室的图中）。"}),
    UNATTRIBUTED_GRAPH: (
        {"en": "Not attributed to a department", "zh": "未归属任何科室"},
        {"en": "What no department's words are behind: a claim quoting a document that no department is derived "
               "from (a source uploaded by staff, say), with what it materialises. Nothing here is guessed into a "
               "department.",
         "zh": "没有任何科室的文字作为依据的内容：引用了不属于任何科室的文档（例如工作人员上传的来源）的声明，及其物化的关系。"
               "这里的内容不会被猜测归入某个科室。"}),
}


@dataclass(frozen=True)
class NamedGraph:
    """One named graph of the dataset: its IRI, title and description in English and Chinese, its triple count,
    and for a department's graph the department, its key (`Center`, `syn-0001`) and whether it is synthetic."""

    iri: str
    title: Words
    description: Words
    triples: int
    department: str | None = None
    key: str | None = None
    synthetic: bool = False

    def json(self) -> dict:
        """The manifest's entry for this graph."""
        out = {"title": dict(self.title), "description": dict(self.description), "triples": self.triples}
        if self.department:
            out.update(department=self.department, key=self.key, synthetic=self.synthetic)
        return out


@dataclass(frozen=True)
class Partition:
    """The build's triples as quads, one block per graph in graph-name order (N-Triples order inside a block)."""

    quads: list[ox.Quad]
    graphs: dict[str, NamedGraph]
    blocks: dict[str, tuple[int, int]] = field(default_factory=dict)  # graph IRI → [start, end) in quads

    def of(self, iri: str) -> list[ox.Quad]:
        """The quads of one graph (empty for a graph with no triples)."""
        start, end = self.blocks.get(iri, (0, 0))
        return self.quads[start:end]

    def department_graph(self, key: str) -> NamedGraph | None:
        """The graph of the department whose key (`Center`, `syn-0001`) is `key`, or None."""
        return next((g for g in self.graphs.values() if g.key is not None and g.key == key), None)

    def sizes(self) -> dict[str, int]:
        """Triples per graph, in graph order."""
        return {iri: g.triples for iri, g in self.graphs.items()}


@cache
def ontology_terms() -> frozenset[str]:
    """Every IRI the ontology files describe (a subject there): the terms whose triples form the ontology graph."""
    terms: set[str] = set()
    for path in ontology.MODEL_FILES:
        terms.update(str(s) for s in parse_published(path).subjects() if isinstance(s, URIRef))
    return frozenset(terms)


def department_key(iri: str) -> str:
    """A department's key, as GET /api/departments gives it, and the FHIR id of any node (`queries.fhir.resource_id`):
    the local name of the graph's own entities, else its path under the base with `-` for `/`, a synthetic
    department by its id.

    Example:
        >>> department_key(BASE + "id/Center"), department_key(BASE + "synthetic/syn-0001/department")
        ('Center', 'syn-0001')
    """
    if iri.startswith(str(TTC)):
        return iri[len(str(TTC)):]
    if not iri.startswith(BASE):
        return iri.rsplit("/", 1)[-1].rsplit("#", 1)[-1]
    path = iri[len(BASE):].removeprefix("synthetic/").removesuffix("/department")
    return path.strip("/").replace("/", "-").replace("#", "-")


def department_graph_iri(department: str) -> str:
    """The graph of a department: the real center keeps `…/graph/center`, another is `…/graph/department/{key}`."""
    return CENTER_GRAPH if department == str(TTC.Center) else DEPARTMENT_GRAPH_NS + department_key(department)


@lru_cache(maxsize=2)
def partition(ntriples: bytes) -> Partition:
    """Every triple of the build in exactly one named graph (the rules are the module's docstring).

    Example:
        >>> nt = f'<{BASE}id/Center> <{_RDF}type> <{KG.ClinicalCenter}> .\\n<{ICD10}C34> <urn:p> "x" .\\n'
        >>> [(str(q.graph_name), q.subject.value.rsplit("/", 1)[-1]) for q in partition(nt.encode()).quads]
        [('<https://ttc-kg.example/graph/center>', 'Center'), ('<https://ttc-kg.example/graph/icd10>', 'C34')]
    """
    triples = list(ox.parse(ntriples, format=ox.RdfFormat.N_TRIPLES))
    facts = _Facts(triples)
    terms, icd10 = ontology_terms(), str(ICD10)
    names: list[str] = []
    for triple in triples:
        subject = triple.subject.value
        if subject in terms:
            names.append(ONTOLOGY_GRAPH)
        elif subject.startswith(icd10):
            names.append(ICD10_GRAPH)
        else:
            names.append(facts.graph_of(triple))
    order = sorted(range(len(triples)), key=lambda i: names[i])  # stable: N-Triples order inside each graph
    quads: list[ox.Quad] = []
    blocks: dict[str, tuple[int, int]] = {}
    for i in order:
        t, name = triples[i], names[i]
        start, _ = blocks.get(name, (len(quads), 0))
        quads.append(ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(name)))
        blocks[name] = (start, len(quads))
    return Partition(quads, facts.describe(blocks), blocks)


class _Facts:
    """What the assignment needs of the build, gathered in one pass: who claims what, whose spans are whose."""

    def __init__(self, triples: Iterable[ox.Quad]) -> None:
        index: dict[ox.NamedNode, dict] = defaultdict(lambda: defaultdict(list))
        self.referrers: dict = defaultdict(set)
        genid = str(GENID)
        for t in triples:
            index[t.predicate][t.subject].append(t.object)
            if isinstance(t.object, ox.NamedNode) and t.object.value.startswith(genid):
                self.referrers[t.object].add(t.subject)
        self.index = index
        self.departments = sorted((s for s, types in index[_TYPE].items() if _CENTER_KIND in types), key=str)
        self.graph_iri = {d: department_graph_iri(d.value) for d in self.departments}
        self._own_space = {SYNTHETIC + department_key(d.value) + "/": d for d in self.departments
                           if d.value.startswith(SYNTHETIC)}
        self.center = ox.NamedNode(str(TTC.Center)) if ox.NamedNode(str(TTC.Center)) in self.graph_iri else None
        described: dict = defaultdict(set)  # document → the departments whose own node is derived from it
        for department in self.departments:
            for span in index[_DERIVED].get(department, ()):
                for document in index[_QUOTED].get(span, ()):
                    described[document].add(department)
        self.evidence: dict = dict(described)  # a department's document or span → its departments
        for span, documents in index[_QUOTED].items():
            owners = set().union(*(described.get(d, set()) for d in documents))
            if owners:
                self.evidence[span] = owners
        self.claimed_by = {c: set(o) for c, o in index[_CLAIMED_BY].items()}
        self.claimed = self._claimed_relations()
        self._owners: dict = {}

    def _claimed_relations(self) -> dict[tuple, frozenset]:
        """(s, p, o) → the departments whose materialised claims state it, or entail it by a super-property or an
        inverse; an unattributed claim's relation maps to no department."""
        index = self.index
        supers: dict = defaultdict(set)
        for p, objects in index[_SUB_PROPERTY].items():
            supers[p].update(objects)
        inverses: dict = defaultdict(set)
        for p, objects in index[_INVERSE].items():
            for q in objects:
                inverses[p].add(q)
                inverses[q].add(p)

        @cache
        def up(p: ox.NamedNode) -> frozenset:
            seen, todo = {p}, [p]
            while todo:
                for q in supers.get(todo.pop(), ()):
                    if q not in seen:
                        seen.add(q)
                        todo.append(q)
            return frozenset(seen)

        claimed: dict[tuple, set] = defaultdict(set)
        for claim in index[_TYPE]:
            if _CLAIM not in index[_TYPE][claim] or not _MATERIALISED & set(index[_STATUS].get(claim, ())):
                continue
            owners = self.claimed_by.get(claim, set())
            for s in index[_SUBJECT].get(claim, ()):
                for p in index[_PREDICATE].get(claim, ()):
                    for o in index[_OBJECT].get(claim, ()):
                        for q in up(p):
                            claimed[(s, q, o)].update(owners)
                            for r in inverses.get(q, ()):
                                for u in up(r):
                                    claimed[(o, u, s)].update(owners)
        return {key: frozenset(owners) for key, owners in claimed.items()}

    def owners(self, node: ox.NamedNode | ox.BlankNode, seen: frozenset = frozenset()) -> frozenset:
        """The departments a subject belongs to (rule 2 of the module's docstring)."""
        if node not in self._owners:
            found = self._find(node, seen)
            if seen:  # inside a cycle of skolemised nodes: not final
                return found
            self._owners[node] = found
        return self._owners[node]  # type: ignore[no-any-return]

    def _find(self, node: ox.NamedNode | ox.BlankNode, seen: frozenset) -> frozenset:
        types = self.index[_TYPE].get(node, ())
        if node in self.evidence or _DOCUMENT in types or _SPAN in types or node in self.index[_QUOTED]:
            return frozenset(self.evidence.get(node, ()))  # a document no department is derived from is nobody's
        if _CLAIM in types:
            return frozenset(self.claimed_by.get(node, ()))
        iri = node.value
        if iri.startswith(SYNTHETIC):
            space = SYNTHETIC + iri[len(SYNTHETIC):].split("/", 1)[0] + "/"
            if space in self._own_space:
                return frozenset({self._own_space[space]})
        elif self.center is not None and iri.startswith((str(TTC), str(EV))):
            return frozenset({self.center})
        derived = self.index[_DERIVED].get(node, ())
        found = frozenset().union(*(self.evidence.get(e, set()) for e in derived))
        if not found and node in self.referrers and node not in seen:
            return frozenset().union(*(self.owners(r, seen | {node}) for r in sorted(self.referrers[node], key=str)))
        return found

    def graph_of(self, triple: ox.Quad) -> str:
        key = (triple.subject, triple.predicate, triple.object)
        owners = self.claimed[key] if key in self.claimed else self.owners(triple.subject)  # type: ignore[arg-type]
        if len(owners) > 1 and triple.predicate == _DERIVED and len(self.evidence.get(triple.object, ())) == 1:
            owners = frozenset(self.evidence[triple.object])
        if len(owners) == 1:
            return self.graph_iri[next(iter(owners))]
        return SHARED_GRAPH if owners else UNATTRIBUTED_GRAPH

    def describe(self, blocks: Mapping[str, tuple[int, int]]) -> dict[str, NamedGraph]:
        """Every graph with triples (the ontology, ICD-10 and the center's always), titled in both languages."""
        size = {name: end - start for name, (start, end) in blocks.items()}
        graphs: dict[str, NamedGraph] = {}
        for department, iri in self.graph_iri.items():
            labels = {(label.language or "").lower(): label.value  # pyoxigraph gives tags in lower case: zh-hans
                      for label in self.index[_PREF_LABEL].get(department, ()) if isinstance(label, ox.Literal)}
            synthetic = _TRUE in self.index[_SYNTHETIC].get(department, ())
            if iri == CENTER_GRAPH:
                title, description = FIXED[CENTER_GRAPH]
            else:
                english = labels.get("en", department.value)
                title, description = _department_words(english, labels.get("zh-hans", english), synthetic)
            graphs[iri] = NamedGraph(iri, title, description, size.get(iri, 0), department.value,
                                     department_key(department.value), synthetic)
        for iri, (title, description) in FIXED.items():
            if iri not in graphs and (size.get(iri) or iri in (ONTOLOGY_GRAPH, ICD10_GRAPH, CENTER_GRAPH)):
                graphs[iri] = NamedGraph(iri, title, description, size.get(iri, 0))
        return dict(sorted(graphs.items()))


def _department_words(en: str, zh: str, synthetic: bool) -> tuple[Words, Words]:
    title = {"en": en, "zh": zh}
    description = {
        "en": f"The facts of {en}: its node, its hospital and place where only it names them, its source document "
              "and evidence spans, its claims (kg:claimedBy) with their status, its figures and statements, and the "
              "relations the build materialises or entails from them.",
        "zh": f"{zh}的事实：其节点，仅由它提到的医院和所在地，其来源文档和证据片段，其声明（kg:claimedBy）及依据状态，"
              "其数据和陈述，以及构建时由此物化或推出的关系。"}
    if synthetic:
        title = {"en": f"{en} (synthetic)", "zh": f"{zh}（合成数据）"}
        description = {"en": description["en"] + " Synthetic: generated test data (thoracic-kg synth), not a real "
                                                 "department.",
                       "zh": description["zh"] + "合成数据：由 thoracic-kg synth 生成的测试数据，不是真实的科室。"}
    return title, description


__all__ = ["CENTER_GRAPH", "DEPARTMENT_GRAPH_NS", "FIXED", "GRAPH_NS", "ICD10_GRAPH", "ONTOLOGY_GRAPH", "SHARED_GRAPH",
           "UNATTRIBUTED_GRAPH", "NamedGraph", "Partition", "department_graph_iri", "department_key", "ontology_terms",
           "partition"]
