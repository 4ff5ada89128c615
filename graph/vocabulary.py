"""Documentation of the model, read from the ontology files themselves (pyLODE/WIDOCO style).

`document()` turns `ontology/thoracic.ttl` (with the schema.org, SKOS and PROV-O extracts for the
standard terms' labels and hierarchy) into plain dataclasses: classes with their hierarchy,
properties with domain, range and the standard term each maps to, named individuals, and an
example SPARQL query per term. The queries are built from ontology IRIs only, never from user
input. Every word the documentation adds (relation words, kinds of term, the examples' comments)
exists in English and Chinese; labels and definitions come in every language the files give
(`in_lang` picks one). Imports rdflib and `graph.namespaces`; never FastAPI.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS

import ontology
from graph.namespaces import KG, PREFIXES, SCHEMA, bind_prefixes, parse_published, read_published

#: Prefixes for compact names in the documentation (the project's, plus the few the model files use).
CURIE_PREFIXES: dict[str, str] = {**PREFIXES, "dcterms": str(DCTERMS)}
_MAPPINGS = (  # (predicate, words) for the relations that tie a project term to a standard one
    (OWL.equivalentClass, "equivalent class"),
    (OWL.equivalentProperty, "equivalent property"),
    (SKOS.exactMatch, "exact match"),
    (SKOS.closeMatch, "close match"),
    (SKOS.broadMatch, "broader match"),
    (SKOS.narrowMatch, "narrower match"),
    (SKOS.relatedMatch, "related match"),
    (RDFS.seeAlso, "see also (nearest standard term, not equivalent)"),
)
_PROPERTY_KINDS = {OWL.ObjectProperty: "object property", OWL.DatatypeProperty: "datatype property",
                   OWL.AnnotationProperty: "annotation property", KG.ClaimableProperty: "claimable"}
#: The Chinese of every relation word a Mapping_ can carry (Mapping_.words gives the one of a page's language).
RELATION_ZH = {
    "equivalent class": "等价类", "equivalent property": "等价属性", "exact match": "精确匹配",
    "close match": "近似匹配", "broader match": "上位匹配", "narrower match": "下位匹配", "related match": "相关匹配",
    "see also (nearest standard term, not equivalent)": "另见（最接近的标准术语，并不等价）",
    "subclass of": "上位类为", "sub-property of": "上位属性为", "inverse of": "逆属性为",
    "generalises (the standard term is a sub-property of this one)": "概括（该标准术语是本属性的子属性）",
    "refined by the project term": "由本项目术语细化：",
    "the nearest standard term (see also) of": "为以下项目术语最接近的标准术语（另见）：",
}
#: The Chinese of every kind of term the page names (a property's kinds, "class", "individual").
KIND_ZH = {"class": "类", "individual": "个体", "object property": "对象属性", "datatype property": "数据类型属性",
           "annotation property": "注解属性", "claimable": "可声明"}
_DOMAIN = ((SCHEMA.domainIncludes, "schema:domainIncludes"), (RDFS.domain, "rdfs:domain"))
_RANGE = ((SCHEMA.rangeIncludes, "schema:rangeIncludes"), (RDFS.range, "rdfs:range"))


@dataclass(frozen=True)
class TermRef:
    """A term as a link: its IRI, compact name, English label and anchor on the documentation page."""

    iri: str
    curie: str
    label: str
    anchor: str
    local: bool  # a project (kg:) term
    label_zh: str = ""  # its Chinese (zh-Hans) label, "" when the files give none

    def label_in(self, lang: str) -> str:
        """The label in `lang` ("en" or "zh"), English when there is none in that language."""
        return self.label_zh if lang == "zh" and self.label_zh else self.label


@dataclass(frozen=True)
class Text:
    """A literal with its language tag (None when untagged)."""

    text: str
    lang: str | None


@dataclass(frozen=True)
class Mapping_:
    """How a project term relates to another term: `relation` in words, the target, and the project
    term it goes through when the relation is inherited (kg:performsRoutinely → kg:offers → schema:…)."""

    relation: str
    target: TermRef
    via: tuple[TermRef, ...] = ()

    def words(self, lang: str = "en") -> str:
        """`relation` in the page's language ("en" or "zh")."""
        return RELATION_ZH.get(self.relation, self.relation) if lang == "zh" else self.relation


@dataclass(frozen=True)
class TermDoc:
    """What every documented term has."""

    ref: TermRef
    types: tuple[TermRef, ...]
    labels: tuple[Text, ...]
    definitions: tuple[Text, ...]
    notes: tuple[Text, ...]
    mappings: tuple[Mapping_, ...]
    example: str  # the example query, its comments in English
    example_zh: str  # the same question with its comments in Chinese, asking for the Chinese labels

    def example_in(self, lang: str) -> str:
        """The example query for a page in `lang`."""
        return self.example_zh if lang == "zh" and self.example_zh else self.example


@dataclass(frozen=True)
class ClassDoc(TermDoc):
    """A class with its place in the hierarchy and the properties that point to or from it."""

    superclasses: tuple[TermRef, ...] = ()
    ancestors: tuple[TermRef, ...] = ()
    subclasses: tuple[TermRef, ...] = ()
    domain_of: tuple[TermRef, ...] = ()
    range_of: tuple[TermRef, ...] = ()


@dataclass(frozen=True)
class PropertyDoc(TermDoc):
    """A property with its kind, domain and range (as declared, or inherited from a super-property)."""

    kinds: tuple[str, ...] = ()
    claimable: bool = False
    domain: tuple[TermRef, ...] = ()
    range: tuple[TermRef, ...] = ()
    declared_with: str = ""
    range_from: TermRef | None = None
    superproperties: tuple[TermRef, ...] = ()
    subproperties: tuple[TermRef, ...] = ()
    inverses: tuple[TermRef, ...] = ()


@dataclass(frozen=True)
class TreeNode:
    """One class of the hierarchy tree and the classes under it."""

    ref: TermRef
    children: tuple[TreeNode, ...]


@dataclass(frozen=True)
class Vocabulary:
    """The whole documentation: the ontology's header, its terms and the standard terms they use."""

    iri: str
    title: str
    description: str
    version: str
    imports: tuple[str, ...]
    classes: tuple[ClassDoc, ...]
    properties: tuple[PropertyDoc, ...]
    individuals: tuple[TermDoc, ...]
    standard_terms: tuple[TermDoc, ...]
    class_tree: tuple[TreeNode, ...]
    refs: dict[str, TermRef] = field(default_factory=dict)
    ancestors: dict[str, frozenset[str]] = field(default_factory=dict)  # every class of the model files → its superclasses
    labels: dict[str, str] = field(default_factory=dict)  # every labelled term of the model files → its English label
    labels_zh: dict[str, str] = field(default_factory=dict)  # … → its Chinese label, where it has one
    titles: tuple[Text, ...] = ()  # dcterms:title in every language the ontology gives
    descriptions: tuple[Text, ...] = ()  # dcterms:description, likewise

    def ref(self, iri: str) -> TermRef | None:
        """The documented term with this IRI, if the page documents it."""
        return self.refs.get(iri)

    def untranslated(self, lang: str = "zh") -> dict[str, int]:
        """What the documentation lacks in `lang`, by part: "title", "description" (1 or 0), and how many
        terms have a "definitions" or "notes" text with none in `lang`. Empty when nothing is missing."""
        def lacks(texts: tuple[Text, ...]) -> bool:
            return bool(texts) and not any(_lang_is(t.lang, lang) for t in texts)

        docs = (*self.classes, *self.properties, *self.individuals)
        found = {"title": int(lacks(self.titles)), "description": int(lacks(self.descriptions)),
                 "definitions": sum(lacks(d.definitions) for d in docs), "notes": sum(lacks(d.notes) for d in docs)}
        return {part: n for part, n in found.items() if n}


def curie(iri: str) -> str:
    """`kg:offers` for the IRI of kg:offers; the IRI itself when no known prefix fits."""
    best = max((ns for ns in CURIE_PREFIXES.values() if iri.startswith(ns)), key=len, default=None)
    if best is None or not re.fullmatch(r"\w[\w.\-]*", iri[len(best):]):
        return iri
    prefix = next(p for p, ns in CURIE_PREFIXES.items() if ns == best)
    return f"{prefix}:{iri[len(best):]}"


def _lang_is(tag: str | None, lang: str) -> bool:
    """Whether a language tag is of `lang` ("en", "zh"): zh-Hans and zh-hans are zh, en-GB is en."""
    return (tag or "").lower().split("-")[0] == lang


def in_lang(texts: Iterable[Text], lang: str) -> tuple[Text, ...]:
    """The texts in `lang`; where none is, the English ones (the page marks them lang="en"); else all of them.

    Example:
        >>> in_lang([Text("A tumour.", "en"), Text("肿瘤。", "zh-Hans")], "zh")
        (Text(text='肿瘤。', lang='zh-Hans'),)
        >>> in_lang([Text("A tumour.", "en")], "zh")
        (Text(text='A tumour.', lang='en'),)
    """
    texts = tuple(texts)
    for wanted in (lang, "en"):
        found = tuple(t for t in texts if _lang_is(t.lang, wanted))
        if found:
            return found
    return texts


def anchor_for(iri: str) -> str:
    """The fragment of a term on the documentation page: the local name for kg: terms, `prefix-local` otherwise."""
    name = curie(iri)
    if iri.startswith(str(KG)):
        return iri[len(str(KG)):]
    return re.sub(r"[^\w.\-]", "-", name)


def counts_from_manifest(manifest: Mapping[str, object]) -> dict[str, int]:
    """Instances per class and triples per property, keyed by IRI, from a build manifest (empty if it has none)."""
    counts: dict[str, int] = {}
    for key in ("classes", "properties"):
        table = manifest.get(key)
        if not isinstance(table, dict):
            continue
        for name, count in table.items():
            prefix, _, local = str(name).partition(":")
            if prefix in CURIE_PREFIXES and isinstance(count, int):
                counts[CURIE_PREFIXES[prefix] + local] = count
    return counts


@cache
def document(model: Path = ontology.MODEL, extracts: tuple[Path, ...] = ontology.MODEL_FILES) -> Vocabulary:
    """The documentation of `model` (the terms it declares), with labels and hierarchy of the standard terms
    taken from `extracts`. Cached: the files do not change while the product runs.

    Example:
        >>> offers = next(p for p in document().properties if p.ref.curie == "kg:offers")
        >>> [m.target.curie for m in offers.mappings]
        ['schema:availableService']
    """
    own = parse_published(model)
    full = Graph()
    for path in {model, *extracts}:
        parse_published(path, full)
    return _Builder(own, full).build()


#: Serialisations of the model: our format name → rdflib's.
MODEL_FORMATS = {"turtle": "turtle", "ntriples": "nt", "jsonld": "json-ld", "rdfxml": "xml"}


def serialize_model(fmt: str, model: Path = ontology.MODEL) -> bytes:
    """The ontology file in another RDF syntax (`fmt` a key of MODEL_FORMATS); Turtle is the file itself."""
    if fmt == "turtle":
        return read_published(model).encode("utf-8")
    graph = parse_published(model)
    bind_prefixes(graph)
    if fmt == "jsonld":  # compacted with the model's prefixes, as the other syntaxes abbreviate with them
        return graph.serialize(format="json-ld", encoding="utf-8", auto_compact=True,
                               context={prefix: str(ns) for prefix, ns in graph.namespaces() if prefix})
    return graph.serialize(format=MODEL_FORMATS[fmt], encoding="utf-8")


class _Builder:
    """Reads the graphs once; each method answers one question about a term."""

    def __init__(self, own: Graph, full: Graph) -> None:
        self.own, self.full = own, full
        self.onto = next(iter(_iris(own.subjects(RDF.type, OWL.Ontology))), URIRef(str(KG).rstrip("#")))
        declared = {s for s in own.subjects(RDF.type, None) if isinstance(s, URIRef) and s != self.onto}
        self.classes = sorted(s for s in declared if (s, RDF.type, OWL.Class) in own)
        self.properties = sorted(s for s in declared if any((s, RDF.type, k) in full for k in _PROPERTY_KINDS))
        self.individuals = sorted(declared - set(self.classes) - set(self.properties))
        self.documented = {*self.classes, *self.properties, *self.individuals}

    def build(self) -> Vocabulary:
        classes = tuple(self._class(c) for c in self.classes)
        properties = tuple(self._property(p) for p in self.properties)
        individuals = tuple(self._term(i, mappings=(), examples=_examples(_individual_example, self._ref(i)))
                            for i in self.individuals)
        used = {ref.iri for doc in (*classes, *properties, *individuals) for ref in _refs_of(doc)}
        standard = tuple(self._standard(URIRef(iri)) for iri in sorted(used - {str(t) for t in self.documented}))
        refs = {doc.ref.iri: doc.ref for doc in (*classes, *properties, *individuals, *standard)}
        return Vocabulary(
            iri=str(self.onto), title=self._first(self.onto, DCTERMS.title) or curie(str(self.onto)),
            description=self._first(self.onto, DCTERMS.description) or "",
            titles=self._texts(self.onto, DCTERMS.title), descriptions=self._texts(self.onto, DCTERMS.description),
            version=self._first(self.onto, OWL.versionInfo) or "",
            imports=tuple(sorted(str(i) for i in self.own.objects(self.onto, OWL.imports))),
            classes=classes, properties=properties, individuals=individuals, standard_terms=standard,
            class_tree=self._tree(), refs=refs,
            ancestors={str(c): frozenset(str(a) for a in self._closure(c, RDFS.subClassOf))
                       for c in _iris(self.full.subjects(RDFS.subClassOf, None))},
            labels={str(t): self._label(t) or "" for t in _iris(self.full.subjects(RDFS.label, None))},
            labels_zh={str(t): zh for t in _iris(self.full.subjects(RDFS.label, None)) if (zh := self._label_zh(t))})

    # ------------------------------------------------------------------ terms

    def _ref(self, term: URIRef) -> TermRef:
        label = self._label(term)
        return TermRef(str(term), curie(str(term)), label or curie(str(term)), anchor_for(str(term)),
                       str(term).startswith(str(KG)), self._label_zh(term) or "")

    def _term(self, term: URIRef, *, mappings: tuple[Mapping_, ...], examples: tuple[str, str]) -> TermDoc:
        return TermDoc(self._ref(term), self._refs(self.full.objects(term, RDF.type)), self._texts(term, RDFS.label,
                       SKOS.prefLabel), self._texts(term, SKOS.definition, RDFS.comment),
                       self._texts(term, SKOS.editorialNote, SKOS.scopeNote), mappings, *examples)

    def _standard(self, term: URIRef) -> TermDoc:
        """A standard term the model uses: its parents in the extracts and the project terms refining it."""
        is_class = (term, RDF.type, OWL.Class) in self.full or (None, RDFS.subClassOf, term) in self.full
        parent = RDFS.subClassOf if is_class else RDFS.subPropertyOf
        words = "subclass of" if is_class else "sub-property of"
        mappings = [Mapping_(words, self._ref(up)) for up in _iris(self.full.objects(term, parent))]
        mappings += [Mapping_("inverse of", self._ref(inv)) for inv in _iris(self.full.objects(term, OWL.inverseOf))]
        mappings += [Mapping_("refined by the project term", self._ref(down))
                     for down in _iris(self.full.subjects(parent, term)) if str(down).startswith(str(KG))]
        mappings += [Mapping_("the nearest standard term (see also) of", self._ref(near))
                     for near in _iris(self.full.subjects(RDFS.seeAlso, term)) if str(near).startswith(str(KG))]
        examples = ("", "")
        if not str(term).startswith((str(RDF), str(RDFS), str(OWL), CURIE_PREFIXES["xsd"])):
            ref = self._ref(term)
            examples = _examples(_class_example, ref) if is_class else _examples(_property_example, ref, claimable=False)
        return self._term(term, mappings=tuple(mappings), examples=examples)

    def _class(self, cls: URIRef) -> ClassDoc:
        base = self._term(cls, mappings=self._class_mappings(cls), examples=_examples(_class_example, self._ref(cls)))
        return ClassDoc(**vars(base),
                        superclasses=self._refs(self.full.objects(cls, RDFS.subClassOf)),
                        ancestors=self._refs(self._closure(cls, RDFS.subClassOf)),
                        subclasses=self._refs(self.full.subjects(RDFS.subClassOf, cls)),
                        domain_of=self._refs(s for p, _ in _DOMAIN for s in self.full.subjects(p, cls)),
                        range_of=self._refs(s for p, _ in _RANGE for s in self.full.subjects(p, cls)))

    def _property(self, prop: URIRef) -> PropertyDoc:
        kinds = tuple(words for kind, words in _PROPERTY_KINDS.items() if (prop, RDF.type, kind) in self.full)
        domain, declared = self._declared(prop, _DOMAIN)
        rng, range_with = self._declared(prop, _RANGE)
        range_from = None
        if not rng:  # inherit the range of the nearest super-property that declares one
            for ancestor in self._closure(prop, RDFS.subPropertyOf):
                rng, range_with = self._declared(ancestor, _RANGE)
                if rng:
                    range_from = self._ref(ancestor)
                    break
        claimable = (prop, RDF.type, KG.ClaimableProperty) in self.full
        base = self._term(prop, mappings=self._property_mappings(prop),
                          examples=_examples(_property_example, self._ref(prop), claimable=claimable))
        inverses = {*self.full.objects(prop, OWL.inverseOf), *self.full.subjects(OWL.inverseOf, prop)}
        return PropertyDoc(**vars(base), kinds=kinds, claimable=claimable, domain=domain, range=rng,
                           declared_with=declared or range_with, range_from=range_from,
                           superproperties=self._refs(self.full.objects(prop, RDFS.subPropertyOf)),
                           subproperties=self._refs(self.full.subjects(RDFS.subPropertyOf, prop)),
                           inverses=self._refs(inverses))

    def _class_mappings(self, cls: URIRef) -> tuple[Mapping_, ...]:
        return (*self._inherited(cls, RDFS.subClassOf, "subclass of"), *self._direct(cls))

    def _property_mappings(self, prop: URIRef) -> tuple[Mapping_, ...]:
        found = [*self._inherited(prop, RDFS.subPropertyOf, "sub-property of"), *self._direct(prop)]
        for other in _iris({*self.full.objects(prop, OWL.inverseOf), *self.full.subjects(OWL.inverseOf, prop)}):
            found.append(Mapping_("inverse of", self._ref(other)))
        for narrower in _iris(self.full.subjects(RDFS.subPropertyOf, prop)):
            if not str(narrower).startswith(str(KG)):
                found.append(Mapping_("generalises (the standard term is a sub-property of this one)",
                                      self._ref(narrower)))
        return tuple(found)

    def _inherited(self, term: URIRef, parent: URIRef, words: str) -> list[Mapping_]:
        """The nearest standard (non-kg) ancestors, with the project terms in between."""
        found: list[Mapping_] = []

        def walk(node: URIRef, via: tuple[TermRef, ...]) -> None:
            for up in _iris(self.full.objects(node, parent)):
                if str(up).startswith(str(KG)):
                    walk(up, (*via, self._ref(up)))
                elif all(m.target.iri != str(up) for m in found):
                    found.append(Mapping_(words, self._ref(up), via))

        walk(term, ())
        return found

    def _direct(self, term: URIRef) -> list[Mapping_]:
        return [Mapping_(words, self._ref(target)) for predicate, words in _MAPPINGS
                for target in _iris(self.full.objects(term, predicate))]

    def _declared(self, prop: URIRef, pairs: Sequence[tuple[URIRef, str]]) -> tuple[tuple[TermRef, ...], str]:
        for predicate, name in pairs:
            found = self._refs(self.full.objects(prop, predicate))
            if found:
                return found, name
        return (), ""

    # ------------------------------------------------------------------ hierarchy

    def _closure(self, term: URIRef, parent: URIRef) -> list[URIRef]:
        """Every ancestor, nearest first (breadth first), without repeats."""
        seen: list[URIRef] = []
        frontier = [term]
        while frontier:
            nxt: list[URIRef] = []
            for node in frontier:
                for up in _iris(self.full.objects(node, parent)):
                    if up not in seen and up != term:
                        seen.append(up)
                        nxt.append(up)
            frontier = nxt
        return seen

    def _tree(self) -> tuple[TreeNode, ...]:
        nodes = set(self.classes)
        for cls in self.classes:
            nodes.update(self._closure(cls, RDFS.subClassOf))
        children: dict[URIRef, list[URIRef]] = {n: [] for n in nodes}
        roots = []
        for node in sorted(nodes):
            parents = [p for p in self.full.objects(node, RDFS.subClassOf) if p in nodes]
            for up in parents:
                children[up].append(node)  # type: ignore[index]
            if not parents:
                roots.append(node)

        def grow(node: URIRef) -> TreeNode:
            kids = sorted(children[node], key=lambda c: self._ref(c).label.lower())
            return TreeNode(self._ref(node), tuple(grow(k) for k in kids))

        return tuple(grow(r) for r in sorted(roots, key=lambda r: curie(str(r))))

    # ------------------------------------------------------------------ literals

    def _label(self, term: URIRef) -> str | None:
        for predicate in (RDFS.label, SKOS.prefLabel):
            for lang in ("en", None):
                for value in self.full.objects(term, predicate):
                    if isinstance(value, Literal) and (value.language or "").split("-")[0] == (lang or ""):
                        return str(value)
        return None

    def _label_zh(self, term: URIRef) -> str | None:
        for predicate in (RDFS.label, SKOS.prefLabel):
            found = sorted(str(v) for v in self.full.objects(term, predicate)
                           if isinstance(v, Literal) and _lang_is(v.language, "zh"))
            if found:
                return found[0]
        return None

    def _texts(self, term: URIRef, *predicates: URIRef) -> tuple[Text, ...]:
        found = {Text(str(v), v.language) for p in predicates for v in self.full.objects(term, p) if isinstance(v, Literal)}
        return tuple(sorted(found, key=lambda t: (t.lang != "en", t.lang or "", t.text)))

    def _first(self, term: URIRef, predicate: URIRef) -> str | None:
        texts = self._texts(term, predicate)
        return texts[0].text if texts else None

    def _refs(self, terms: Iterable[object]) -> tuple[TermRef, ...]:
        unique = {t for t in terms if isinstance(t, URIRef)}
        return tuple(sorted((self._ref(t) for t in unique), key=lambda r: (not r.local, r.label.lower())))


def _iris(nodes: Iterable[object]) -> list[URIRef]:
    """The IRIs among `nodes`, sorted and without repeats (blank nodes and literals dropped)."""
    return sorted({n for n in nodes if isinstance(n, URIRef)})


def _refs_of(doc: TermDoc) -> Iterable[TermRef]:
    """Every term a documented term links to (these get a short entry in the standard-terms section)."""
    yield from (t for t in doc.types if not t.iri.startswith((str(OWL), str(RDFS), str(RDF))))
    yield from (m.target for m in doc.mappings)
    for name in ("superclasses", "ancestors", "subclasses", "domain", "range", "superproperties", "subproperties",
                 "inverses", "domain_of", "range_of"):
        yield from getattr(doc, name, ())


# ---------------------------------------------------------------------- example queries

_LABEL = 'OPTIONAL {{ ?{var} skos:prefLabel ?{var}_label . FILTER(langMatches(lang(?{var}_label), "{lang}")) }}'
#: The comment lines of the examples, by language: {curie} and {label} are filled in.
_COMMENTS = {
    "en": {"class": "# Every instance of {curie} ({label}), with its English label\n",
           "claims": "# Every claim of {curie} ({label}), whatever its status, with the quoted evidence.\n"
                     "# Stated and implied claims are also plain triples: ?subject {curie} ?object\n",
           "uses": "# Every use of {curie} ({label}) in the graph\n",
           "pointing": "# Every statement that points to {curie} ({label})\n"},
    "zh": {"class": "# {curie}（{label}）的每个实例，及其中文名称\n",
           "claims": "# {curie}（{label}）的每条声明，不论其依据，附来源引文。\n"
                     "# 明确陈述和措辞暗示的声明同时也是普通三元组：?subject {curie} ?object\n",
           "uses": "# 图谱中对 {curie}（{label}）的每次使用\n",
           "pointing": "# 指向 {curie}（{label}）的每条陈述\n"},
}


def _examples(make: Callable[..., str], ref: TermRef, **options: bool) -> tuple[str, str]:
    """The English and the Chinese example: the same question, comments and label language apart."""
    return make(ref, "en", **options), make(ref, "zh", **options)


def _comment(kind: str, ref: TermRef, lang: str) -> str:
    return _COMMENTS[lang][kind].format(curie=ref.curie, label=ref.label_in(lang))


def _with_prefixes(body: str) -> str:
    used = sorted(set(re.findall(r"(?<![\w<#/])([a-z][a-z0-9]*):(?=[A-Za-z_])", body)) & set(CURIE_PREFIXES),
                  key=list(CURIE_PREFIXES).index)
    return "".join(f"PREFIX {p}: <{CURIE_PREFIXES[p]}>\n" for p in used) + "\n" + body


def _class_example(ref: TermRef, lang: str = "en") -> str:
    return _with_prefixes(
        _comment("class", ref, lang) +
        f"SELECT ?instance ?instance_label WHERE {{\n  ?instance a {ref.curie} .\n  "
        f"{_LABEL.format(var='instance', lang=lang)}\n}}\nORDER BY ?instance_label ?instance\nLIMIT 200\n")


def _property_example(ref: TermRef, lang: str = "en", *, claimable: bool) -> str:
    if claimable:
        return _with_prefixes(
            _comment("claims", ref, lang) +
            f"SELECT ?subject ?subject_label ?object ?object_label ?status ?quote WHERE {{\n"
            f"  ?claim a kg:Claim ;\n      rdf:predicate {ref.curie} ;\n      rdf:subject ?subject ;\n"
            f"      rdf:object ?object ;\n      kg:status ?status .\n"
            f"  OPTIONAL {{ ?claim prov:wasDerivedFrom ?span . ?span prov:value ?quote }}\n"
            f"  {_LABEL.format(var='subject', lang=lang)}\n  {_LABEL.format(var='object', lang=lang)}\n}}\n"
            f"ORDER BY ?subject_label ?object_label\nLIMIT 200\n")
    return _with_prefixes(
        _comment("uses", ref, lang) +
        f"SELECT ?subject ?subject_label ?value WHERE {{\n  ?subject {ref.curie} ?value .\n"
        f"  {_LABEL.format(var='subject', lang=lang)}\n}}\nORDER BY ?subject_label ?subject\nLIMIT 200\n")


def _individual_example(ref: TermRef, lang: str = "en") -> str:
    return _with_prefixes(
        _comment("pointing", ref, lang) +
        f"SELECT ?subject ?property WHERE {{\n  ?subject ?property {ref.curie} .\n}}\nLIMIT 200\n")


__all__ = ["CURIE_PREFIXES", "KIND_ZH", "MODEL_FORMATS", "RELATION_ZH", "ClassDoc", "Mapping_", "PropertyDoc", "TermDoc",
           "TermRef", "Text", "TreeNode", "Vocabulary", "anchor_for", "counts_from_manifest", "curie", "document",
           "in_lang", "serialize_model"]
