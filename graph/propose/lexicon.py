"""What the proposer knows: every entity of a vocabulary graph with every label, synonym, hidden label and code.

`Lexicon.from_graph` reads a vocabulary (the model and the shared conditions.ttl and services.ttl by default)
with rdflib: each entity of a kind the proposer reads (condition, indication, procedure, therapy, examination,
equipment, approach), its SKOS preferred, alternative and hidden labels and kg:addedSynonym in both languages,
its ICD-10 codes and WHO's title of a code of the same meaning. `Lexicon.find` gives every place a label
occurs in a run of tokens. `without_labels_in` and `without_own_words` make the reduced vocabularies the
benchmark runs the center with. Imports rdflib and the project's namespaces; nothing of `api`.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SKOS

import ontology
from graph.codes import who_label
from graph.namespaces import KG, SCHEMA, parse_published
from graph.propose.text import _CJK, Token, sentences, tokens
from graph.sources import DATA_DIR

#: The shared vocabulary files of graph/data (graph.synth.VOCABULARY_FILES): conditions and services.
VOCABULARY_FILES = ("conditions.ttl", "services.ttl")
#: Kinds by class, most specific first: an entity takes the first kind one of its classes falls under.
KIND_CLASSES = (
    ("approach", KG.SurgicalApproach), ("equipment", SCHEMA.MedicalDevice), ("indication", SCHEMA.MedicalIndication),
    ("condition", SCHEMA.MedicalCondition), ("procedure", SCHEMA.SurgicalProcedure), ("therapy", SCHEMA.MedicalTherapy),
    ("examination", SCHEMA.MedicalTest), ("examination", SCHEMA.DiagnosticProcedure),
    ("procedure", SCHEMA.MedicalProcedure),
)
#: Mentions of one family compete for the same words; mentions of different families may nest.
FAMILIES = {"condition": "condition", "indication": "condition", "procedure": "service", "therapy": "service",
            "examination": "service", "equipment": "equipment", "approach": "approach"}
LABEL_PROPERTIES = (("prefLabel", SKOS.prefLabel), ("altLabel", SKOS.altLabel), ("addedSynonym", KG.addedSynonym),
                    ("hiddenLabel", SKOS.hiddenLabel))
#: How much a match by each kind of label is trusted (kg:confidence of an entity proposal).
LABEL_CONFIDENCE = {"prefLabel": 0.95, "altLabel": 0.9, "addedSynonym": 0.85, "hiddenLabel": 0.75, "code": 0.9,
                    "icd10-title": 0.8}


@dataclass(frozen=True)
class Label:
    """One way the vocabulary names an entity: its words, its kind (prefLabel, ..., code, icd10-title), language."""

    text: str
    kind: str
    lang: str
    entity: str
    tokens: tuple[str, ...]

    def found_by(self) -> str:
        """The label in words a curator can check: `prefLabel "Lung cancer"@en`."""
        if self.kind in ("code", "icd10-title"):
            return f'{self.kind} "{self.text}"'
        return f'{self.kind} "{self.text}"@{self.lang}'


@dataclass(frozen=True)
class Entity:
    """A vocabulary entity: IRI, kind, labels in English and Chinese (the first preferred ones)."""

    iri: str
    kind: str
    en: str
    zh: str | None = None
    codes: tuple[str, ...] = ()

    @property
    def family(self) -> str:
        return FAMILIES[self.kind]


@dataclass
class Lexicon:
    """The entities and labels of one vocabulary, indexed by their first token."""

    entities: dict[str, Entity] = field(default_factory=dict)
    labels: list[Label] = field(default_factory=list)
    _first: dict[str, list[Label]] = field(default_factory=lambda: defaultdict(list))
    _scopes: dict[str, str] | None = field(default=None, repr=False)

    def add(self, label: Label) -> None:
        """Index a label; one of two letters or fewer ("CT") is too short to find safely, but two Chinese
        characters are a whole word (肺癌, 化疗)."""
        joined = "".join(label.tokens)
        if label.tokens and (len(joined) > 2 or (len(label.tokens) == 2 and all(_CJK.match(t) for t in label.tokens))):
            self.labels.append(label)
            self._first[label.tokens[0]].append(label)

    def find(self, run: Sequence[Token]) -> list[tuple[int, int, Label]]:
        """Every (first token, end token, label) at which a label's tokens stand in `run`, longest first."""
        norms = [t.norm for t in run]
        found = []
        for i, norm in enumerate(norms):
            for label in self._first.get(norm, ()):
                j = i + len(label.tokens)
                if tuple(norms[i:j]) == label.tokens:
                    found.append((i, j, label))
        return sorted(found, key=lambda item: (item[0] - item[1], item[0], item[2].entity))

    def scope_pairs(self) -> dict[str, str]:
        """Approach → the scope it is named after, by the vocabulary's own English names: an approach whose
        preferred name (brackets aside) has a word "...scopic" and a device named "...scope" ("Uniportal
        thoracoscopic" and "Thoracoscope"); an umbrella such as "Endoscopic (thoracoscopic or laparoscopic)" pairs
        with no device of another name."""
        if self._scopes is None:
            devices: dict[str, str] = {}
            for entity in self.entities.values():
                if entity.kind == "equipment":
                    for word in re.findall(r"[a-z]+scope\b", entity.en.lower()):
                        devices.setdefault(word[:-1], entity.iri)
            pairs: dict[str, str] = {}
            for entity in self.entities.values():
                if entity.kind == "approach":
                    words = re.findall(r"[a-z]+scopic\b", _unbracketed(entity.en).lower())
                    found = [devices[w[:-2]] for w in words if w[:-2] in devices]
                    if len(found) == 1:
                        pairs[entity.iri] = found[0]
            self._scopes = pairs
        return self._scopes

    def scope_approaches(self) -> dict[str, str]:
        """A scope → the approach named after it alone (the thoracoscope's is "Thoracoscopic", not "Uniportal
        thoracoscopic"): of the approaches paired with it, the one of the fewest words."""
        devices: dict[str, str] = {}
        for approach, scope in sorted(self.scope_pairs().items(),
                                      key=lambda item: (-len(_unbracketed(self.entities[item[0]].en).split()), item[0])):
            devices[scope] = approach
        return devices

    @classmethod
    def from_graph(cls, graph: Graph) -> Lexicon:
        """The lexicon of a vocabulary graph (model files included, for the class hierarchy)."""
        lexicon = cls()
        kinds = _kinds(graph)
        for iri, kind in sorted(kinds.items()):
            en = _first_label(graph, iri, "en") or str(iri).rsplit("/", 1)[-1]
            codes = tuple(sorted(str(graph.value(code, SCHEMA.codeValue)) for code in graph.objects(iri, SCHEMA.code)
                                 if graph.value(code, SCHEMA.codeValue) is not None))
            entity = Entity(str(iri), kind, en, _first_label(graph, iri, "zh"), codes)
            lexicon.entities[entity.iri] = entity
            for kind_name, prop in LABEL_PROPERTIES:
                literals = [v for v in graph.objects(iri, prop) if isinstance(v, Literal)]
                for literal in sorted(literals, key=lambda v: (str(v), v.language or "")):
                    lang = "zh-Hans" if (literal.language or "").lower().startswith("zh") else "en"
                    lexicon.add(Label(str(literal), kind_name, lang, entity.iri, label_tokens(str(literal))))
            mappings = sorted((str(graph.value(code, SCHEMA.codeValue) or ""), graph.value(code, KG.codeMapping))
                              for code in graph.objects(iri, SCHEMA.code))  # sorted: the same lexicon every run
            for value, mapping in mappings:
                if not value:
                    continue
                lexicon.add(Label(value, "code", "", entity.iri, label_tokens(value)))
                title = who_label(value)
                if title and mapping == SKOS.exactMatch:
                    lexicon.add(Label(title, "icd10-title", "en", entity.iri, label_tokens(title)))
        return lexicon


def _unbracketed(name: str) -> str:
    return re.sub(r"\(.*?\)", "", name)


def label_tokens(text: str) -> tuple[str, ...]:
    """A label's tokens, folded as the text's are."""
    return tuple(t.norm for t in tokens(text))


def _kinds(graph: Graph) -> dict[URIRef, str]:
    """Every IRI typed with a class of KIND_CLASSES (directly or through rdfs:subClassOf), with its kind."""
    supers: dict[URIRef, set[URIRef]] = {}

    def ancestors(cls: URIRef) -> set[URIRef]:
        if cls not in supers:
            supers[cls] = {cls}
            for parent in graph.objects(cls, RDFS.subClassOf):
                if isinstance(parent, URIRef):
                    supers[cls] |= ancestors(parent)
        return supers[cls]

    found: dict[URIRef, str] = {}
    for subject in set(graph.subjects(RDF.type, None)):
        if not isinstance(subject, URIRef) or (subject, SKOS.prefLabel, None) not in graph:
            continue
        classes = set().union(*(ancestors(c) for c in graph.objects(subject, RDF.type) if isinstance(c, URIRef)))
        kind = next((name for name, cls in KIND_CLASSES if cls in classes), None)
        if kind is not None:
            found[subject] = kind
    return found


def _first_label(graph: Graph, iri: URIRef, lang: str) -> str | None:
    values = sorted(str(v) for v in graph.objects(iri, SKOS.prefLabel)
                    if isinstance(v, Literal) and (v.language or "").lower().startswith(lang))
    return values[0] if values else None


def vocabulary_graph(data_dir: Path = DATA_DIR, names: Iterable[str] = VOCABULARY_FILES) -> Graph:
    """The model files and the shared vocabulary files of `data_dir`, in one graph."""
    graph = Graph()
    for path in (*ontology.MODEL_FILES, *(data_dir / name for name in names)):
        parse_published(path, graph)
    return graph


def without_labels_in(vocabulary: Graph, text: str) -> Graph:
    """The vocabulary with the center's own words taken out (the benchmark's strict reading of "removed"):
    every entity that is the center's own (a kg:NamedTechnique, its innovations) is dropped whole, and every
    English label of any kind (preferred, alternative, hidden, added synonym) that the proposer's own label
    matching finds in `text` is dropped. What is left: English labels the text does not use, the Chinese labels,
    the ICD-10 codes and WHO's titles."""
    lexicon = Lexicon.from_graph(vocabulary)
    found = {(label.entity, label.text) for sentence in sentences(text)
             for _, _, label in lexicon.find(sentence.tokens) if label.lang == "en"}
    reduced = _without_named_techniques(vocabulary)
    for _, prop in LABEL_PROPERTIES:
        for subject, value in list(reduced.subject_objects(prop)):
            if (str(subject), str(value)) in found:
                reduced.remove((subject, prop, value))
    return reduced


def without_own_words(vocabulary: Graph) -> Graph:
    """The vocabulary without the labels the project defines as the source's own words (the benchmark's second
    reading of "removed"): every skos:altLabel and skos:hiddenLabel (the build requires both to be the source's
    words) and every kg:NamedTechnique; preferred labels, added synonyms and codes stay."""
    reduced = _without_named_techniques(vocabulary)
    for prop in (SKOS.altLabel, SKOS.hiddenLabel):
        reduced.remove((None, prop, None))
    return reduced


def _without_named_techniques(vocabulary: Graph) -> Graph:
    reduced = Graph()
    named = set(vocabulary.subjects(RDF.type, KG.NamedTechnique))
    for triple in vocabulary:
        if triple[0] not in named and triple[2] not in named:
            reduced.add(triple)
    return reduced


__all__ = ["FAMILIES", "LABEL_CONFIDENCE", "VOCABULARY_FILES", "Entity", "Label", "Lexicon", "label_tokens",
           "vocabulary_graph", "without_labels_in", "without_own_words"]
