"""One entity of the graph, for its page and as Linked Data: the bound queries of `queries/entity/`.

`entity_view` gathers labels, types, claims with their status and evidence, other statements and
incoming links into plain dataclasses for a template, every name and note in each language the graph
gives (the page picks its own, with English where no translation exists); `describe` serialises a concise bounded
description (Turtle, N-Triples, JSON-LD). Every query takes the entity as a bound parameter.
Imports rdflib, `graph` and the catalog loader; never FastAPI.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import cache

from rdflib import Literal, URIRef
from rdflib.namespace import PROV, RDF, RDFS, SKOS
from rdflib.term import Node

from graph.namespaces import KG, SCHEMA
from graph.store import Answer, Store
from graph.vocabulary import Text, Vocabulary, curie, document, in_lang
from queries.catalog import QUERIES_DIR, NamedQuery, load_catalog
from queries.params import Param, convert

ENTITY_QUERIES = QUERIES_DIR / "entity"
#: Most rows a page lists per section; the page says when there are more (the SPARQL editor gives them all).
MAX_LISTED = 500
ID = Param("id", "iri", True, "ttc:LungCancer", "An IRI or a prefixed name such as ttc:LungCancer.")
_LABELS = {SKOS.prefLabel: "preferred", SKOS.altLabel: "alternative", KG.addedSynonym: "added synonym",
           SKOS.hiddenLabel: "hidden"}
_NOTES = {SKOS.definition: "definition", RDFS.comment: "comment", SKOS.scopeNote: "scope note",
          SKOS.editorialNote: "editorial note"}
_PLAIN_STATUSES = {str(KG.Stated), str(KG.Implied)}


class UnknownEntity(LookupError):
    """No triple of the graph mentions the IRI."""

    def __init__(self, iri: str) -> None:
        super().__init__(f"{curie(iri)} is not in the graph: no triple mentions it")
        self.iri = iri


@dataclass(frozen=True)
class Value:
    """An IRI or a literal, as a page shows it."""

    text: str
    is_iri: bool
    label: str | None = None
    label_zh: str | None = None
    lang: str | None = None
    datatype: str | None = None
    anchor: str | None = None  # its section on /ontology, when the ontology documents it

    @property
    def id(self) -> str:
        """What `/entity?id=` takes: the compact name when there is one."""
        return curie(self.text) if self.is_iri else self.text

    @property
    def display(self) -> str:
        """The English label, else the compact name, else the text."""
        return self.label or (self.id if self.is_iri else self.text)

    def display_in(self, lang: str) -> str:
        """The label in `lang` ("en" or "zh"), else `display`."""
        return self.label_zh if lang == "zh" and self.label_zh else self.display


@dataclass(frozen=True)
class Span:
    """An evidence span: its quote and its offsets in the source (start inclusive, end exclusive)."""

    node: Value
    quote: str | None
    start: int | None
    end: int | None


@dataclass
class ClaimView:
    """A claim about the entity, with its status, notes and evidence."""

    node: Value
    role: str
    subject: Value
    predicate: Value
    object: Value
    status: Value
    notes: list[Text] = field(default_factory=list)  # the curators' notes, in every language given
    spans: list[Span] = field(default_factory=list)


@dataclass
class Statement:
    """A triple about the entity that no claim covers, with the details of a skolemised value."""

    predicate: Value
    value: Value
    span: Span | None = None
    details: list[tuple[Value, Value]] = field(default_factory=list)


@dataclass(frozen=True)
class Label:
    """One name of an entity and whose words it is: the source's (`source_words`, found there by the build),
    the curators' preferred reading, an added synonym, or a probable translation."""

    kind: str  # preferred, alternative, added synonym, hidden, label
    lang: str | None
    text: str
    source_words: bool = False
    probable_translation: bool = False


@dataclass
class EntityView:
    """Everything the entity page shows."""

    entity: Value
    labels: list[Label]
    types: list[Value]
    other_types: list[Value]
    notes: list[tuple[str, str | None, str]]
    evidence: list[Span]
    claims: list[ClaimView]
    statements: list[Statement]
    incoming: list[tuple[Value, Value]]
    medical: bool  # a schema:MedicalEntity or the center: a referral card makes sense
    totals: dict[str, int] = field(default_factory=dict)  # rows before the page's cap, per list

    def cut(self, name: str) -> bool:
        """Whether the list `name` shows fewer rows than the graph has."""
        return self.totals.get(name, 0) > len(getattr(self, name))

    def notes_in(self, lang: str) -> list[tuple[str, Text]]:
        """Each kind of note in `lang`, English (or whatever there is) where the graph has none in `lang`."""
        kinds = dict.fromkeys(kind for kind, _, _ in self.notes)
        return [(kind, text) for kind in kinds
                for text in in_lang((Text(t, tag) for k, tag, t in self.notes if k == kind), lang)]


@cache
def entity_queries() -> dict[str, NamedQuery]:
    """The queries of `queries/entity/`, parsed and checked once (a broken one fails at start-up)."""
    return load_catalog(ENTITY_QUERIES, readers=False)


def parse_id(raw: str) -> URIRef:
    """The IRI an `id` names (absolute IRI or project prefixed name).

    Raises:
        InvalidParameter: It is neither.
    """
    return URIRef(str(convert(ID, raw)))


def ensure_known(store: Store, iri: URIRef) -> None:
    """Raise UnknownEntity unless some triple mentions `iri`."""
    if not _rows(store, "exists", iri):
        raise UnknownEntity(str(iri))


def describe(store: Store, iri: URIRef, fmt: str) -> Answer:
    """The entity's concise bounded description in `fmt` (turtle, ntriples, jsonld, rdfxml).

    Raises:
        UnknownEntity: No triple mentions it.
    """
    ensure_known(store, iri)
    return store.answer(entity_queries()["describe"].sparql, bindings={"entity": iri}, formats={"graph": fmt})


def entity_view(store: Store, iri: URIRef) -> EntityView:
    """Everything the page shows about `iri`.

    Raises:
        UnknownEntity: No triple mentions it.
    """
    ensure_known(store, iri)
    vocab = document()
    claims = _claims(_rows(store, "claims", iri), vocab)
    claimed = {(c.subject.text, c.predicate.text, c.object.text) for c in claims if c.status.text in _PLAIN_STATUSES}
    labels: list[Label] = []
    names: list[Label] = []
    marks: dict[Node, set[str]] = {KG.sourceWords: set(), KG.probableTranslation: set(), KG.addedSynonym: set()}
    notes: list[tuple[str, str | None, str]] = []
    evidence: list[Span] = []
    types: list[Value] = []
    statements: dict[tuple[Node, Node], Statement] = {}
    for row in _rows(store, "statements", iri):
        predicate, value = row["predicate"], row["value"]
        if predicate == RDFS.label and isinstance(value, Literal):
            names.append(Label("label", _lang(value.language), str(value)))
        elif predicate in marks and isinstance(value, Literal):
            marks[predicate].add(str(value))
            if predicate in _LABELS:
                labels.append(Label(_LABELS[predicate], _lang(value.language), str(value)))  # type: ignore[index]
        elif predicate in _LABELS and isinstance(value, Literal):
            labels.append(Label(_LABELS[predicate], _lang(value.language), str(value)))  # type: ignore[index]
        elif predicate in _NOTES and isinstance(value, Literal):
            notes.append((_NOTES[predicate], _lang(value.language), str(value)))  # type: ignore[index]
        elif predicate == PROV.wasDerivedFrom and "quote" in row:
            evidence.append(_span(row, "value", vocab))
        elif predicate == RDF.type:
            types.append(_value(value, vocab, row, "value"))
        elif (str(iri), str(predicate), str(value)) not in claimed:
            statements[(predicate, value)] = Statement(_value(predicate, vocab), _value(value, vocab, row, "value"),
                                                       _span(row, "value", vocab) if "quote" in row else None)
    # an added synonym is also entailed as skos:altLabel: show it once, under its own kind
    labels = [replace(label, source_words=label.text in marks[KG.sourceWords],
                      probable_translation=label.text in marks[KG.probableTranslation])
              for label in labels if not (label.kind == "alternative" and label.text in marks[KG.addedSynonym])]
    if not labels:  # an ontology term or a source document: its rdfs:label is its only name
        labels = names
    for row in _rows(store, "nested", iri):
        for statement in statements.values():
            if statement.value.text == str(row["node"]):
                statement.details.append((_value(row["predicate"], vocab), _value(row["value"], vocab, row, "value")))
    for claim in claims:  # its evidence in the source's order, whatever order the store returns its rows in
        claim.spans.sort(key=lambda span: (span.start or 0, span.node.text))
    for statement in statements.values():
        statement.details.sort(key=lambda pair: (pair[0].text, pair[1].text))
    claim_nodes = {c.node.text for c in claims}
    incoming = {(str(r["subject"]), str(r["predicate"])): (_value(r["subject"], vocab, r, "subject"),
                                                          _value(r["predicate"], vocab))
                for r in _rows(store, "incoming", iri)
                if (str(r["subject"]), str(r["predicate"]), str(iri)) not in claimed and str(r["subject"]) not in claim_nodes}
    specific, general = _split_types(types, vocab)
    view = EntityView(
        entity=replace(_value(iri, vocab), label=_pick(labels, "en") or _value(iri, vocab).label,
                       label_zh=_pick(labels, "zh")),
        labels=sorted(set(labels), key=_label_order), types=specific, other_types=general,
        notes=sorted(set(notes), key=lambda n: (n[0], n[1] != "en", n[2])),
        evidence=sorted({s.node.text: s for s in evidence}.values(), key=lambda s: (s.start or 0, s.node.text)),
        claims=sorted(claims, key=lambda c: (c.role, c.predicate.display.lower(), c.subject.display.lower(),
                                             c.object.display.lower())),
        statements=sorted(statements.values(), key=lambda s: (s.predicate.id, s.value.display.lower())),
        incoming=sorted(incoming.values(), key=lambda pair: (pair[1].id, pair[0].display.lower())),
        medical=any(t.text in (str(SCHEMA.MedicalEntity), str(KG.ClinicalCenter)) for t in types))
    for name in ("claims", "statements", "incoming"):  # a hub (a class, a property) on a big graph stays one page
        rows = getattr(view, name)
        view.totals[name] = len(rows)
        setattr(view, name, rows[:MAX_LISTED])
    return view


def _rows(store: Store, name: str, iri: URIRef) -> list[dict[str, Node]]:
    return store.select(entity_queries()[name].sparql, bindings={"entity": iri})


def _claims(rows: Iterable[Mapping[str, Node]], vocab: Vocabulary) -> list[ClaimView]:
    claims: dict[str, ClaimView] = {}
    for row in rows:
        key = str(row["claim"])
        claim = claims.get(key)
        if claim is None:
            claim = claims[key] = ClaimView(
                _value(row["claim"], vocab), str(row["role"]), _value(row["subject"], vocab, row, "subject"),
                _value(row["predicate"], vocab), _value(row["object"], vocab, row, "object"),
                _value(row["status"], vocab))
        note = row.get("note")
        if isinstance(note, Literal) and (text := Text(str(note), _lang(note.language))) not in claim.notes:
            claim.notes.append(text)
        if "span" in row and all(s.node.text != str(row["span"]) for s in claim.spans):
            claim.spans.append(_span(row, "span", vocab))
    for claim in claims.values():  # the same order from every store, whatever order its rows come in
        claim.notes.sort(key=lambda note: (note.lang != "en", note.text))
    return list(claims.values())


def _value(term: Node, vocab: Vocabulary, row: Mapping[str, Node] | None = None, var: str = "") -> Value:
    """A term with its labels from the query row (`{var}_label`, `{var}_label_zh`, `{var}_name`, `{var}_name_zh`)
    or, for an ontology or standard term, from the ontology's documentation."""
    row = row or {}
    if isinstance(term, Literal):
        datatype = curie(str(term.datatype)) if term.datatype else None
        return Value(str(term), False, lang=_lang(term.language), datatype=datatype)
    text = str(term)
    ref = vocab.ref(text)
    label = row.get(f"{var}_label") or row.get(f"{var}_name") or (ref.label if ref else vocab.labels.get(text))
    zh = row.get(f"{var}_label_zh") or row.get(f"{var}_name_zh") or (ref.label_zh if ref else vocab.labels_zh.get(text))
    return Value(text, True, label=str(label) if label else None, label_zh=str(zh) if zh else None,
                 anchor=ref.anchor if ref else None)


def _span(row: Mapping[str, Node], var: str, vocab: Vocabulary) -> Span:
    def number(name: str) -> int | None:
        value = row.get(name)
        return int(value) if isinstance(value, Literal) else None  # type: ignore[call-overload]

    quote = row.get("quote")
    return Span(_value(row[var], vocab), str(quote) if quote is not None else None, number("start"), number("end"))


def _split_types(types: list[Value], vocab: Vocabulary) -> tuple[list[Value], list[Value]]:
    """The most specific types (no other type of the entity is under them) and the rest (entailed supertypes)."""
    unique = {t.text: t for t in types}
    broader = {a for t in unique for a in vocab.ancestors.get(t, ())}
    order = sorted(unique.values(), key=lambda t: (not t.text.startswith(str(KG)), t.id))
    return [t for t in order if t.text not in broader], [t for t in order if t.text in broader]


def _pick(labels: list[Label], lang: str) -> str | None:
    for label in labels:
        if label.kind in ("preferred", "label") and (label.lang or "").lower().split("-")[0] == lang:
            return label.text
    return None


def _lang(tag: str | None) -> str | None:
    """A BCP 47 tag in its usual case (`zh-Hans`, `en-GB`): Oxigraph returns tags lower-cased."""
    if not tag:
        return None
    head, *rest = tag.split("-")
    return "-".join([head.lower(), *(p.title() if len(p) == 4 else p.upper() if len(p) == 2 else p for p in rest)])


def _label_order(label: Label) -> tuple[int, int, str]:
    kinds = ["preferred", "label", "alternative", "added synonym", "hidden"]
    lang = (label.lang or "").lower()
    return kinds.index(label.kind) if label.kind in kinds else 9, 0 if lang.startswith("en") else 1, label.text.lower()


__all__ = ["ID", "ClaimView", "EntityView", "Span", "Statement", "UnknownEntity", "Value", "describe",
           "ensure_known", "entity_queries", "entity_view", "parse_id"]
