"""A curator's review of a proposals file: its text by sentence with every proposal, and the decisions applied.

`read(turtle)` reads a proposals file (`thoracic-kg propose`: one kg:SourceDocument with the whole text on
kg:sourceText, the department, evidence spans, kg:Proposal nodes) into a `Review`: the text's sentences
(`graph.propose.text.sentences`), each with the proposals whose evidence starts in it and the pieces of the
sentence each one highlights. Nothing here depends on how the proposer names its nodes: only on the contract.

`apply(review, decisions)` turns the curator's decisions (accept, accept with an edited status, target or label,
reject) into the accepted statements in the curated files' own form (`[] a kg:Claim ; ... kg:status kg:Stated`,
figures, entities, hidden labels, the evidence they cite, the department and its source document), with every
proposal mark removed. A rejected proposal, and one not decided, leaves nothing: not its node, not its evidence
span (unless an accepted one cites it), not the new entity it described. `check(...)` runs the build's own checks
on graph/data with the accepted statements and the source text, before anything is written anywhere.

Imports rdflib and the graph package; nothing of `api`.
"""

from __future__ import annotations

import io
import re
import shutil
import tempfile
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import pairwise
from pathlib import Path

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.exceptions import ParserError
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, SKOS
from rdflib.term import Node

import ontology
from graph.build import Inputs, check
from graph.claims import PROPOSAL_MARKS
from graph.departments import department_data, department_sources
from graph.namespaces import KG, PREFIXES, SCHEMA, bind_prefixes
from graph.problems import Problem
from graph.propose.text import sentences
from graph.sources import DATA_DIR, data_files

OA_START = URIRef("http://www.w3.org/ns/oa#start")
OA_END = URIRef("http://www.w3.org/ns/oa#end")
KINDS = ("entity", "relation", "new-condition", "new-procedure", "figure", "slip")
#: The statuses a curator may give an accepted claim or figure.
STATUSES = ("Stated", "Implied", "Ambiguous", "Inferred")
ACTIONS = ("accept", "reject")
_SOURCE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}\.txt$")
#: What an edited target may be: a prefixed name of the project's prefixes, or an absolute http(s) IRI.
_PNAME = re.compile(r"^([A-Za-z][A-Za-z0-9_-]*):([A-Za-z0-9_][A-Za-z0-9_.%-]*)$")
_IRI = re.compile(r"^https?://[^\s<>\"{}|^`\\]+$")


class ReviewRefused(ValueError):
    """The proposals file or the decisions cannot be used; nothing was changed. `status`: 400 (does not parse),
    422 (not a proposals file, or a decision that does not fit it)."""

    def __init__(self, en: str, zh: str, status: int = 422, problems: Sequence[Problem] = ()) -> None:
        super().__init__(en)
        self.en, self.zh, self.status, self.problems = en, zh, status, list(problems)


@dataclass(frozen=True)
class Named:
    """A node as a curator reads it: its IRI (or literal text), English and Chinese labels."""

    iri: str
    en: str
    zh: str

    def as_dict(self) -> dict[str, str]:
        return {"iri": self.iri, "en": self.en, "zh": self.zh}


@dataclass(frozen=True)
class Proposal:
    """One proposal as the page shows it; `number` is its place in the text (1, 2, ...)."""

    number: int
    iri: str
    kind: str
    found_by: str
    confidence: float
    start: int
    end: int
    quote: str
    proposed_status: str | None  # "Stated", "Implied", ... (claims and figures)
    note_en: str
    note_zh: str
    subject: Named | None = None  # relations and slips: what the statement is about
    predicate: Named | None = None
    target: Named | None = None  # relation: its object; entity: the entity; figure: what it is about; slip: the entity
    label_en: str = ""  # new entity: its preferred labels; figure: its labels; slip: the hidden label
    label_zh: str = ""
    value: str = ""  # figure: its value and unit

    def as_dict(self) -> dict:
        named = {k: (v.as_dict() if v else None) for k, v in
                 (("subject", self.subject), ("predicate", self.predicate), ("target", self.target))}
        return {"number": self.number, "iri": self.iri, "kind": self.kind, "found_by": self.found_by,
                "confidence": self.confidence, "start": self.start, "end": self.end, "quote": self.quote,
                "proposed_status": self.proposed_status, "note_en": self.note_en, "note_zh": self.note_zh,
                "label_en": self.label_en, "label_zh": self.label_zh, "value": self.value, **named}


@dataclass(frozen=True)
class Piece:
    """A run of a sentence's text and the numbers of the proposals whose evidence covers it (none: plain text)."""

    text: str
    start: int
    end: int
    proposals: tuple[int, ...]


@dataclass(frozen=True)
class SentenceView:
    number: int
    start: int
    end: int
    text: str
    pieces: tuple[Piece, ...]
    proposals: tuple[int, ...]  # the proposals whose evidence starts in this sentence

    def as_dict(self) -> dict:
        return {"number": self.number, "start": self.start, "end": self.end, "text": self.text,
                "proposals": list(self.proposals),
                "pieces": [{"text": p.text, "start": p.start, "end": p.end, "proposals": list(p.proposals)}
                           for p in self.pieces]}


@dataclass
class Review:
    """A proposals file read for review."""

    graph: Graph
    source: URIRef
    source_name: str
    text: str
    department: Named | None
    sentences: list[SentenceView]
    proposals: dict[str, Proposal] = field(default_factory=dict)  # by IRI

    def as_dict(self) -> dict:
        return {"source": {"name": self.source_name, "characters": len(self.text)},
                "department": self.department.as_dict() if self.department else None,
                "sentences": [s.as_dict() for s in self.sentences],
                "proposals": [p.as_dict() for p in sorted(self.proposals.values(), key=lambda p: p.number)],
                "statuses": list(STATUSES)}


@dataclass(frozen=True)
class Decision:
    """What the curator decided for one proposal: accept (possibly edited) or reject."""

    proposal: str
    action: str
    status: str | None = None
    target: str | None = None
    label_en: str | None = None
    label_zh: str | None = None
    note_en: str | None = None
    note_zh: str | None = None


# -- reading ---------------------------------------------------------------------------------------------------

def parse(turtle: str | bytes) -> Graph:
    """The proposals file as a graph, or ReviewRefused (400) if it is not Turtle. Nothing it names is fetched."""
    graph = Graph()
    try:
        graph.parse(data=turtle, format="turtle")
    except (SyntaxError, ParserError, ValueError, UnicodeDecodeError) as exc:
        raise ReviewRefused(f"the proposals file does not parse as Turtle: {str(exc)[:300]}",
                            f"建议文件无法按 Turtle 解析：{str(exc)[:300]}", status=400) from None
    return graph


def read(turtle: str | bytes | Graph, labels: Graph | None = None) -> Review:
    """A proposals file read for review; `labels` (the vocabulary) names the entities the file only points to."""
    graph = turtle if isinstance(turtle, Graph) else parse(turtle)
    documents = [s for s in graph.subjects(RDF.type, KG.SourceDocument) if graph.value(s, KG.sourceText)]
    if len(documents) != 1:
        raise ReviewRefused("this is not a proposals file: it needs exactly one kg:SourceDocument carrying the whole "
                            f"text on kg:sourceText (found {len(documents)})",
                            "这不是建议文件：需要恰好一个在 kg:sourceText 上带有全文的 kg:SourceDocument"
                            f"（找到 {len(documents)} 个）")
    source = documents[0]
    if not isinstance(source, URIRef):
        raise ReviewRefused("the source document must be named by an IRI, not a blank node",
                            "来源文档必须用 IRI 命名，不能是空白节点")
    name = str(graph.value(source, DCTERMS.identifier) or "")
    if not _SOURCE_NAME.match(name):
        raise ReviewRefused(f"the source document's dcterms:identifier {name!r} is no file name (letters, digits, "
                            "'.', '_', '-', ending in .txt)",
                            f"来源文档的 dcterms:identifier {name!r} 不是文件名（字母、数字、'.'、'_'、'-'，以 .txt 结尾）")
    text = str(graph.value(source, KG.sourceText))
    nodes = sorted(set(graph.subjects(RDF.type, KG.Proposal)), key=str)
    if not nodes:
        raise ReviewRefused("this is not a proposals file: it holds no kg:Proposal",
                            "这不是建议文件：其中没有任何 kg:Proposal")
    vocabulary = labels if labels is not None else Graph()
    found: list[tuple[int, int, str, Proposal]] = []
    for node in nodes:
        found.append(_proposal(graph, vocabulary, node, source, text))
    found.sort(key=lambda item: (item[0], item[1], item[2]))
    proposals = {p.iri: Proposal(**{**p.__dict__, "number": n}) for n, (_, _, _, p) in enumerate(found, start=1)}
    department = next((s for s in graph.subjects(RDF.type, KG.ClinicalCenter)), None)
    return Review(graph, source, name, text,
                  _named(department, graph, vocabulary) if department is not None else None,
                  _sentences(text, list(proposals.values())), proposals)


def _proposal(graph: Graph, vocabulary: Graph, node: Node, source: URIRef, text: str) -> tuple[int, int, str, Proposal]:
    iri = str(node)
    kind = str(graph.value(node, KG.proposalKind) or "")
    if kind not in KINDS:
        raise ReviewRefused(f"proposal {iri} has kind {kind!r}; a kind is one of {', '.join(KINDS)}",
                            f"建议 {iri} 的类型为 {kind!r}；类型必须是 {', '.join(KINDS)} 之一")
    spans = sorted(graph.objects(node, PROV.wasDerivedFrom), key=lambda s: (_int(graph.value(s, OA_START)), str(s)))
    if not spans:
        raise ReviewRefused(f"proposal {iri} names no evidence span (prov:wasDerivedFrom)",
                            f"建议 {iri} 没有给出证据片段（prov:wasDerivedFrom）")
    span = spans[0]
    start, end = _int(graph.value(span, OA_START)), _int(graph.value(span, OA_END))
    quote = str(graph.value(span, PROV.value) or "")
    if graph.value(span, PROV.wasQuotedFrom) != source or not (0 <= start < end <= len(text)) \
            or text[start:end] != quote:
        raise ReviewRefused(f"the evidence of proposal {iri} is not the text's words at its offsets {start}–{end} "
                            f"(quote {quote[:80]!r})",
                            f"建议 {iri} 的证据与原文在偏移量 {start}–{end} 处的文字不符（引文 {quote[:80]!r}）")
    status = graph.value(node, KG.proposedStatus)
    note_en, note_zh = _notes(graph, node)
    fields: dict = {"number": 0, "iri": iri, "kind": kind, "found_by": str(graph.value(node, KG.foundBy) or ""),
                    "confidence": _float(graph.value(node, KG.confidence)), "start": start, "end": end,
                    "quote": quote, "note_en": note_en, "note_zh": note_zh,
                    "proposed_status": str(status).rsplit("#", 1)[-1] if status is not None else None}
    if kind == "relation":
        fields["subject"] = _named(graph.value(node, RDF.subject), graph, vocabulary)
        fields["predicate"] = _named(graph.value(node, RDF.predicate), graph, vocabulary)
        fields["target"] = _named(graph.value(node, RDF.object), graph, vocabulary)
    elif kind == "figure":
        fields["target"] = _named(graph.value(node, SCHEMA.observationAbout), graph, vocabulary)
        fields["label_en"], fields["label_zh"] = _labels(graph, node, RDFS.label)
        value = graph.value(node, SCHEMA.value) or graph.value(node, KG.decade)
        fields["value"] = " ".join(str(v) for v in (value, graph.value(node, SCHEMA.unitText)) if v is not None)
    elif kind == "slip":
        fields["subject"] = fields["target"] = _named(graph.value(node, RDF.subject), graph, vocabulary)
        fields["predicate"] = _named(SKOS.hiddenLabel, graph, vocabulary)
        fields["label_en"] = str(graph.value(node, RDF.object) or "")
    else:
        entity = graph.value(node, KG.proposes)
        fields["target"] = _named(entity, graph, vocabulary)
        if kind != "entity" and entity is not None:
            fields["label_en"], fields["label_zh"] = _labels(graph, entity, SKOS.prefLabel)
    return start, end, iri, Proposal(**fields)


def _sentences(text: str, proposals: list[Proposal]) -> list[SentenceView]:
    found = sentences(text)
    views = []
    for number, sentence in enumerate(found, start=1):
        starting = tuple(p.number for p in proposals if sentence.start <= p.start < sentence.end
                         or (number == 1 and p.start < sentence.start)
                         or (p.start >= sentence.end and number < len(found)
                             and p.start < found[number].start))  # in the gap after it: shown with it
        covering = [p for p in proposals if p.start < sentence.end and p.end > sentence.start]
        cuts = sorted({sentence.start, sentence.end, *(max(sentence.start, min(sentence.end, x))
                                                       for p in covering for x in (p.start, p.end))})
        pieces = []
        for a, b in pairwise(cuts):
            if b > a:
                marks = tuple(p.number for p in covering if p.start < b and p.end > a)
                pieces.append(Piece(text[a:b], a, b, marks))
        views.append(SentenceView(number, sentence.start, sentence.end, sentence.text, tuple(pieces), starting))
    if proposals and not found:
        raise ReviewRefused("the source text has no sentence", "来源文本中没有句子")
    return views


def _float(value: object) -> float:
    try:
        return float(str(value))
    except (TypeError, ValueError):
        return 0.0


def _int(value: object) -> int:
    try:
        return int(str(value))
    except (TypeError, ValueError):
        return -1


def _notes(graph: Graph, node: Node) -> tuple[str, str]:
    return _labels(graph, node, SKOS.editorialNote)


def _labels(graph: Graph, node: Node, predicate: URIRef) -> tuple[str, str]:
    en = zh = ""
    for value in graph.objects(node, predicate):
        if isinstance(value, Literal):
            if (value.language or "").lower().startswith("zh"):
                zh = zh or str(value)
            else:
                en = en or str(value)
    return en, zh


def _named(node: Node | None, graph: Graph, vocabulary: Graph) -> Named:
    if node is None:
        return Named("", "?", "?")
    if isinstance(node, Literal):
        return Named(str(node), str(node), str(node))
    en = zh = ""
    for where in (graph, vocabulary):
        for predicate in (SKOS.prefLabel, RDFS.label):
            e, z = _labels(where, node, predicate)
            en, zh = en or e, zh or z
    local = re.split(r"[#/]", str(node).rstrip("/#"))[-1]
    return Named(str(node), en or local, zh or en or local)


@lru_cache(maxsize=2)
def vocabulary(data_dir: Path = DATA_DIR) -> Graph:
    """The ontology and the curated data's labels, to name what a proposals file only points to."""
    graph = Graph()
    for path in (*ontology.MODEL_FILES, *data_files(data_dir)):
        graph.parse(path, format="turtle")
    labels = Graph()
    for predicate in (SKOS.prefLabel, RDFS.label):
        for triple in graph.triples((None, predicate, None)):
            labels.add(triple)
    return labels


_LABELS = ("<http://www.w3.org/2004/02/skos/core#prefLabel>", "<http://www.w3.org/2000/01/rdf-schema#label>")


@lru_cache(maxsize=4)
def known(data_dir: Path, curated: frozenset[str]) -> Graph:
    """The vocabulary's labels with those of the curated statements as they are now (N-Triples lines: graph/data,
    departments, staff's changes), so that an entity a version added is named and may be a target."""
    graph = Graph()
    graph += vocabulary(data_dir)
    graph.parse(data="\n".join(line for line in curated if any(p in line for p in _LABELS)), format="nt")
    return graph


# -- deciding --------------------------------------------------------------------------------------------------

def decisions_from(items: Iterable[dict]) -> list[Decision]:
    """Decisions as the page sends them (dicts), checked for shape; ReviewRefused (422) otherwise."""
    out = []
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("proposal"), str):
            raise ReviewRefused("each decision names its proposal ('proposal': the proposal's IRI)",
                                "每条决定都要写明所针对的建议（'proposal'：建议的 IRI）")
        action = item.get("action")
        if action not in ACTIONS:
            raise ReviewRefused(f"the decision on {item['proposal']} is {action!r}; it is 'accept' or 'reject'",
                                f"对 {item['proposal']} 的决定为 {action!r}；只能是 'accept'（接受）或 'reject'（拒绝）")
        values = {}
        for key in ("status", "target", "label_en", "label_zh", "note_en", "note_zh"):
            value = item.get(key)
            if value is not None and (not isinstance(value, str) or len(value) > 2000):
                raise ReviewRefused(f"the decision's {key} is not a text of at most 2,000 characters",
                                    f"决定中的 {key} 不是不超过 2000 个字符的文本")
            values[key] = value.strip() if isinstance(value, str) and value.strip() else None
        out.append(Decision(item["proposal"], action, **values))
    return out


def apply(review: Review, decisions: Sequence[Decision], known: Graph | None = None) -> Graph:
    """The accepted proposals in the curated files' own form, with the department and its source document (without
    the text: that is the source file) and every evidence span they cite; ReviewRefused if a decision names a
    proposal that is not in the file, decides one twice, gives an edit that does not fit or a target that neither
    the file nor `known` (the vocabulary's labels) names, or if none is accepted."""
    graph = review.graph
    seen: set[str] = set()
    for decision in decisions:
        if decision.proposal not in review.proposals:
            raise ReviewRefused(f"there is no proposal {decision.proposal} in this file",
                                f"此文件中没有建议 {decision.proposal}")
        if decision.proposal in seen:
            raise ReviewRefused(f"proposal {decision.proposal} is decided twice", f"建议 {decision.proposal} 被决定了两次")
        seen.add(decision.proposal)
        if decision.target is not None:
            target = _term(decision.target)
            if (target, None, None) not in graph and (known is None or (target, None, None) not in known):
                raise ReviewRefused(f"the target {decision.target} is no entity the graph or the file knows: check "
                                    "its spelling (ttc:LungCancer, say)",
                                    f"目标 {decision.target} 不是图谱或文件中已知的实体：请检查拼写（例如 ttc:LungCancer）")
    accepted = [d for d in decisions if d.action == "accept"]
    if not accepted:
        raise ReviewRefused("no proposal is accepted: there is nothing to write", "没有接受任何建议：没有可写入的内容")
    owned = _owned(graph)
    out = Graph()
    bind_prefixes(out)
    # the department and what else the file describes that no proposal owns (its hospital, say), and the document
    context = {s for s in graph.subjects() if not _is_span(graph, s) and not any(s in nodes for nodes in owned.values())
               and (s, RDF.type, KG.Proposal) not in graph and not isinstance(s, BNode)}
    for node in context:
        _copy(graph, node, out, skip={KG.sourceText})
    for decision in accepted:
        _accept(graph, URIRef(decision.proposal), review.proposals[decision.proposal].kind, decision, owned, out)
    for span in {o for o in out.objects(None, PROV.wasDerivedFrom) if _is_span(graph, o)}:
        _copy(graph, span, out)
    return out


def _is_span(graph: Graph, node: Node) -> bool:
    return (node, RDF.type, KG.EvidenceSpan) in graph


def _owned(graph: Graph) -> dict[Node, set[Node]]:
    """Each proposal's own nodes: itself, its blank nodes, and for a new entity the entity and what only it names."""
    owned: dict[Node, set[Node]] = {}
    for proposal in graph.subjects(RDF.type, KG.Proposal):
        nodes: set[Node] = {proposal}
        kind = str(graph.value(proposal, KG.proposalKind) or "")
        entity = graph.value(proposal, KG.proposes)
        if kind in ("new-condition", "new-procedure") and entity is not None:
            nodes |= _reach(graph, entity)
        owned[proposal] = nodes
    return owned


def _reach(graph: Graph, start: Node) -> set[Node]:
    """`start` and the nodes described in the file that its description leads to (codes, their concepts), stopping
    at spans, proposals and the department."""
    seen, todo = {start}, [start]
    while todo:
        node = todo.pop()
        for obj in graph.objects(node, None):
            if obj in seen or isinstance(obj, Literal) or _is_span(graph, obj):
                continue
            if (obj, RDF.type, KG.Proposal) in graph or (obj, RDF.type, KG.ClinicalCenter) in graph:
                continue
            if isinstance(obj, BNode) or (obj, None, None) in graph:
                seen.add(obj)
                todo.append(obj)
    return seen


def _copy(graph: Graph, node: Node, out: Graph, skip: Iterable[Node] = ()) -> None:
    """The node's statements, and those of its blank nodes."""
    skipped = set(skip)
    for _, predicate, obj in graph.triples((node, None, None)):
        if predicate in skipped:
            continue
        out.add((node, predicate, obj))
        if isinstance(obj, BNode):
            _copy(graph, obj, out)


def _term(text: str) -> URIRef:
    """An edited target: a prefixed name (ttc:LungCancer) or an absolute IRI."""
    found = _PNAME.match(text)
    if found and found.group(1) in PREFIXES:
        return URIRef(PREFIXES[found.group(1)] + found.group(2))
    if _IRI.match(text) and not found:
        return URIRef(text)
    raise ReviewRefused(f"the target {text!r} is not an entity's name: write it as ttc:Name or a full https:// IRI",
                        f"目标 {text!r} 不是实体名称：请写成 ttc:名称 或完整的 https:// IRI")


def _status(decision: Decision, proposed: Node | None, iri: str) -> URIRef:
    if decision.status is None:
        if proposed is None:
            raise ReviewRefused(f"proposal {iri} proposes no status: choose one", f"建议 {iri} 没有建议状态：请选择一个")
        return URIRef(str(proposed))
    if decision.status not in STATUSES:
        raise ReviewRefused(f"the status {decision.status!r} is none of {', '.join(STATUSES)}",
                            f"状态 {decision.status!r} 不属于 {', '.join(STATUSES)}")
    return KG[decision.status]


def _notes_to(out: Graph, graph: Graph, source: Node, target: Node, decision: Decision) -> None:
    """The proposal's editorial notes on `target`, each language replaced by the curator's if given."""
    en, zh = _notes(graph, source)
    en, zh = decision.note_en or en, decision.note_zh or zh
    if en:
        out.add((target, SKOS.editorialNote, Literal(en, lang="en")))
    if zh:
        out.add((target, SKOS.editorialNote, Literal(zh, lang="zh-Hans")))


_MARKS = {*PROPOSAL_MARKS, KG.status, SKOS.editorialNote}


def _accept(graph: Graph, node: URIRef, kind: str, decision: Decision, owned: dict, out: Graph) -> None:
    spans = list(graph.objects(node, PROV.wasDerivedFrom))
    target = _term(decision.target) if decision.target else None
    iri = str(node)
    if kind == "relation":
        if decision.label_en or decision.label_zh:
            _unfit(iri, "a label", "标签")
        claim = BNode()
        for _, predicate, obj in graph.triples((node, None, None)):
            if predicate in _MARKS or (predicate == RDF.type and obj == KG.Proposal):
                continue
            out.add((claim, predicate, target if predicate == RDF.object and target is not None else obj))
        out.add((claim, KG.status, _status(decision, graph.value(node, KG.proposedStatus), iri)))
        _notes_to(out, graph, node, claim, decision)
    elif kind == "figure":
        labels = {"en": decision.label_en, "zh-Hans": decision.label_zh}
        for _, predicate, obj in graph.triples((node, None, None)):
            if predicate in _MARKS or (predicate == RDF.type and obj == KG.Proposal):
                continue
            if predicate == SCHEMA.observationAbout and target is not None:
                obj = target
            if predicate == RDFS.label and isinstance(obj, Literal) and labels.get(_lang(obj)):
                continue
            out.add((node, predicate, obj))
            if isinstance(obj, BNode):
                _copy(graph, obj, out)
        for lang, text in labels.items():
            if text:
                out.add((node, RDFS.label, Literal(text, lang=lang)))
        out.add((node, KG.status, _status(decision, graph.value(node, KG.proposedStatus), iri)))
        _notes_to(out, graph, node, node, decision)
    elif kind == "slip":
        if decision.status or decision.label_zh:
            _unfit(iri, "a status or a Chinese label", "状态或中文标签")
        entity = target or graph.value(node, RDF.subject)
        original = graph.value(node, RDF.object)
        if entity is None or original is None:
            raise ReviewRefused(f"slip {iri} names no entity or no label", f"笔误建议 {iri} 没有给出实体或标签")
        lang = original.language if isinstance(original, Literal) and original.language else "en"
        out.add((entity, SKOS.hiddenLabel, Literal(decision.label_en, lang=lang) if decision.label_en else original))
        for span in spans:
            out.add((entity, PROV.wasDerivedFrom, span))
    else:  # an entity the text names, or a new one
        if decision.status:
            _unfit(iri, "a status", "状态")
        entity = graph.value(node, KG.proposes)
        if target is not None or kind == "entity":  # the text names an entity the graph knows: its evidence
            if decision.label_en or decision.label_zh:
                _unfit(iri, "a label (the entity is already described)", "标签（该实体已有描述）")
            entity = target or entity
        if entity is None:
            raise ReviewRefused(f"proposal {iri} names no entity (kg:proposes)", f"建议 {iri} 没有给出实体（kg:proposes）")
        if target is None and kind != "entity":
            labels = {"en": decision.label_en, "zh-Hans": decision.label_zh}
            for part in owned[node] - {node}:
                for _, predicate, obj in graph.triples((part, None, None)):
                    if part == entity and predicate == SKOS.prefLabel and isinstance(obj, Literal) \
                            and labels.get(_lang(obj)):
                        continue
                    out.add((part, predicate, obj))
            for lang, text in labels.items():
                if text:
                    out.add((entity, SKOS.prefLabel, Literal(text, lang=lang)))
        for span in spans:
            out.add((entity, PROV.wasDerivedFrom, span))


def _lang(value: Literal) -> str:
    return "zh-Hans" if (value.language or "").lower().startswith("zh") else "en"


def _unfit(iri: str, en: str, zh: str) -> None:
    raise ReviewRefused(f"proposal {iri} cannot be edited with {en}", f"建议 {iri} 不能修改{zh}")


# -- checking and writing ---------------------------------------------------------------------------------------

def check_accepted(accepted: Graph, source_name: str, text: str, *, data_dir: Path = DATA_DIR,
                   departments: Sequence[Path] = (), held: Sequence[Path] = ()) -> list[Problem]:
    """The build's own checks on graph/data (with these departments and further held source files) and the accepted
    statements, with the source text among the sources: the problems, none if a build would accept it."""
    with tempfile.TemporaryDirectory(prefix="tkg-review-") as work:
        root = Path(work)
        (root / "source").mkdir()
        for path in [*sorted((data_dir / "source").glob("*.txt")), *department_sources(departments), *held]:
            shutil.copyfile(path, root / "source" / path.name)
        if not (root / "source" / source_name).exists():
            (root / "source" / source_name).write_bytes(text.encode("utf-8"))
        data = root / "accepted.ttl"
        data.write_bytes(turtle(accepted))
        _, _, problems = check(Inputs(data=(*data_files(data_dir), *department_data(departments), data),
                                      source_dir=root / "source"))
    return list(problems)


def turtle(graph: Graph, header: str = "") -> bytes:
    bind_prefixes(graph)
    graph.bind("dcterms", DCTERMS)
    return header.encode("utf-8") + graph.serialize(format="turtle", encoding="utf-8")


def department_id(review: Review) -> str:
    return review.source_name.removesuffix(".txt")


def data_zip(review: Review, accepted: Graph, header: str = "") -> bytes:
    """The accepted statements laid out as graph/data holds its files, in a zip to unpack into graph/data/:
    `{id}.ttl` (the statements) and `source/{name}` (the text their evidence quotes)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"{department_id(review)}.ttl", turtle(accepted, header))
        archive.writestr(f"source/{review.source_name}", review.text.encode("utf-8"))
    return buffer.getvalue()


__all__ = ["Decision", "Named", "Piece", "Proposal", "Review", "ReviewRefused", "SentenceView", "apply",
           "check_accepted", "data_zip", "decisions_from", "department_id", "known", "parse", "read", "turtle", "vocabulary"]
