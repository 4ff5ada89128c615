"""Matching a person's words to one entity of the graph: normalisation, input checks, the label index, search.

Matching folds case, Unicode width (NFKC), apostrophes, hyphens/spaces and British/American spelling,
over preferred, alternative and hidden labels in English and Chinese and over ICD-10 codes, using a
label index read once per graph content (`label_index`). `resolve` gives one entity, or candidates when
several match, or a miss with suggestions; it never guesses. `search` is the type-ahead over the same
index. `QUERIES` loads every `queries/referral/*.rq` once, for the index here and the lookups of
`queries.referral`, which imports this module (never the other way round). Imports rdflib terms,
`graph`, `queries.catalog` and `queries.params`; never FastAPI or `api`.
"""

from __future__ import annotations

import difflib
import re
import threading
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from rdflib.term import Node

from graph.namespaces import TTC
from graph.store import Store
from queries.catalog import QUERIES_DIR, load_catalog
from queries.params import InvalidParameter, Param, convert

REFERRAL_DIR = QUERIES_DIR / "referral"
#: Every `.rq` of `queries/referral/`, parsed and checked at import: a broken query fails start-up.
QUERIES = load_catalog(REFERRAL_DIR)

KINDS = ("condition", "indication", "therapy", "examination", "procedure", "equipment", "approach", "center",
         "organization", "specialty", "place", "research", "training")
LANGS = ("en", "zh")
NOT_STATED = "not stated in the source"

#: British → American spelling stems, applied to both the labels and the question, so either spelling
#: finds both. Written by hand: the medical stems a thoracic service meets; general word lists (breame)
#: are unmaintained, whole-word only and miss derived forms such as "oesophagectomy" or "haemoptysis".
SPELLINGS: tuple[tuple[str, str], ...] = (
    ("oesophag", "esophag"), ("tumour", "tumor"), ("leukaem", "leukem"), ("anaem", "anem"), ("ischaem", "ischem"),
    ("haem", "hem"), ("oedem", "edem"), ("anaesth", "anesth"), ("paediatr", "pediatr"), ("gynaecolog", "gynecolog"),
    ("orthopaed", "orthoped"), ("oestrogen", "estrogen"), ("diarrhoea", "diarrhea"), ("dyspnoea", "dyspnea"),
    ("apnoea", "apnea"), ("foet", "fet"), ("centre", "center"), ("fibre", "fiber"), ("litre", "liter"),
    ("colour", "color"), ("behaviour", "behavior"), ("programme", "program"),
)
_ISE = re.compile(r"(\w{3,}i)s(e|ed|es|ing|ation|ations)\b")  # localised → localized, -isation → -ization
_APOSTROPHES = dict.fromkeys(map(ord, "'’ʼ‘`´′"), None)
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_CODE = re.compile(r"([A-Z][0-9]{2})(?:\.?([0-9]{1,2}))?")
_LABEL_RANK = {"prefLabel": 0, "altLabel": 1, "hiddenLabel": 2, "code": 3, "codeLabel": 4}
_Q = Param("q", "string", True, "", "")


def normalise(text: str) -> str:
    """The form two spellings of one name share: NFKC, case-folded, apostrophes dropped, punctuation and
    hyphens as spaces, American spelling, single spaces.

    Example:
        >>> normalise("Oesophageal  Tumour") == normalise("esophageal tumor")
        True
        >>> normalise("\uff2a\uff49\uff41\uff4e\uff47\u2019s anastomosis")  # full-width, curly apostrophe
        'jiangs anastomosis'
    """
    text = unicodedata.normalize("NFKC", text).casefold().translate(_APOSTROPHES)
    text = "".join(" " if unicodedata.category(char).startswith("P") else char for char in text)
    for british, american in SPELLINGS:
        text = text.replace(british, american)
    return " ".join(_ISE.sub(r"\1z\2", text).split())


def check_input(q: str) -> str:
    """The question without surrounding spaces.

    Raises:
        InvalidParameter: It is empty, longer than 200 characters or holds a control character.
    """
    convert(_Q, q)  # empty, too long, control characters: the catalog's own plain messages
    if not q.strip():
        raise InvalidParameter("q", "must not be empty")
    return q.strip()


def parse_lang(raw: str | None) -> str:
    """`en` or `zh` (default `en`).

    Raises:
        InvalidParameter: Another language.
    """
    if raw in (None, ""):
        return "en"
    if raw not in LANGS:
        raise InvalidParameter("lang", "must be en or zh")
    return raw


@dataclass(frozen=True)
class Entity:
    """One thing a coordinator can ask about, with what the index knows of it."""

    id: str
    kind: str
    en: str
    zh: str | None = None
    notes: str = ""
    broader: tuple[str, ...] = ()

    def label(self, lang: str) -> str:
        return (self.zh if lang == "zh" else None) or self.en

    def json(self, lang: str = "en", matched_label: str | None = None) -> dict[str, Any]:
        """The contract's ENTITY."""
        labels = {"en": self.en, **({"zh": self.zh} if self.zh else {})}
        return {"id": self.id, "type": self.kind, "label": self.label(lang), "labels": labels,
                "matched_label": matched_label or self.en}


@dataclass(frozen=True)
class Label:
    """One way to name an entity: a SKOS label, an ICD-10 code or WHO's label of that code."""

    text: str
    kind: str
    entity: str
    lang: str = ""
    mapping: str = ""  # for codes: exactMatch, broadMatch, narrowMatch or closeMatch
    norm: str = ""
    compact: str = ""
    words: tuple[str, ...] = ()


@dataclass(frozen=True, order=True)
class Code:
    """An ICD-10 code of a condition, how it maps (exactMatch, broadMatch, narrowMatch, closeMatch), WHO's label."""

    value: str
    mapping: str
    who_label: str | None = None


def _label(text: str, kind: str, entity: str, lang: str = "", mapping: str = "") -> Label:
    norm = normalise(text)
    return Label(text, kind, entity, lang, mapping, norm, norm.replace(" ", ""), tuple(norm.split()))


class LabelIndex:
    """Every label, code and entity of one graph content, for matching without a query per keystroke."""

    def __init__(self, entities: Mapping[str, Entity], labels: Iterable[Label],
                 codes: Mapping[str, list[Code]] | None = None) -> None:
        self.entities = dict(entities)
        self.codes = dict(codes or {})
        self.labels = [label for label in labels if label.entity in self.entities and label.norm]
        self.exact: dict[str, list[Label]] = defaultdict(list)
        for label in self.labels:
            self.exact[label.norm].append(label)
            if label.compact != label.norm:
                self.exact[label.compact].append(label)
        self.narrower: dict[str, list[str]] = defaultdict(list)
        for entity in self.entities.values():
            for broader in entity.broader:
                self.narrower[broader].append(entity.id)
        centers = sorted(e.id for e in self.entities.values() if e.kind == "center")
        self.center = str(TTC.Center) if str(TTC.Center) in centers else (centers[0] if centers else None)

    @classmethod
    def load(cls, store: Store) -> LabelIndex:
        """Read entities, labels and codes with three SELECTs through the store interface."""
        entities = {}
        for row in store.select(QUERIES["index_entities"].sparql):
            iri = str(row["entity"])
            entities[iri] = Entity(iri, str(row["kind"]), str(row.get("label_en") or iri.rsplit("/", 1)[-1]),
                                   str(row["label_zh"]) if "label_zh" in row else None, str(row.get("notes", "")),
                                   tuple(str(row.get("broaders", "")).split()))
        labels = [_label(str(row["label"]), str(row["label_kind"]), str(row["entity"]), _lang(row["label"]))
                  for row in store.select(QUERIES["index_labels"].sparql)]
        codes: dict[str, list[Code]] = defaultdict(list)
        for row in store.select(QUERIES["index_codes"].sparql):
            code = Code(str(row["code_value"]), str(row.get("mapping", "")).rsplit("#", 1)[-1],
                        str(row["who_label"]) if "who_label" in row else None)
            codes[str(row["entity"])].append(code)
            labels.append(_label(code.value, "code", str(row["entity"]), "", code.mapping))
            if code.who_label:
                labels.append(_label(code.who_label, "codeLabel", str(row["entity"]), "en", code.mapping))
        return cls(entities, labels, {entity: sorted(found) for entity, found in codes.items()})

    def entity(self, ref: str) -> Entity | None:
        """The entity named by an IRI or a `ttc:` name, if the index has it."""
        iri = str(TTC) + ref[4:] if ref.startswith("ttc:") else ref
        return self.entities.get(iri)


def _lang(term: Node) -> str:
    language = getattr(term, "language", None) or ""
    return "zh" if language.lower().startswith("zh") else language.lower()[:2]


_CACHE: dict[str, LabelIndex] = {}
_CACHE_LOCK = threading.Lock()


def label_index(store: Store, key: str) -> LabelIndex:
    """The index of the graph whose content hash is `key`, read from `store` the first time only."""
    index = _CACHE.get(key)
    if index is None:
        with _CACHE_LOCK:
            index = _CACHE.get(key)
            if index is None:
                index = LabelIndex.load(store)
                while len(_CACHE) >= 4:
                    _CACHE.pop(next(iter(_CACHE)))
                _CACHE[key] = index
    return index


@dataclass
class Answer:
    """A lookup's answer in the contract's shape; `found` is false when nothing matched (HTTP 404)."""

    input: str
    matched: dict[str, Any] | None = None
    candidates: list[dict[str, Any]] = field(default_factory=list)
    results: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    found: bool = True
    entity: Entity | None = None

    def as_json(self) -> dict[str, Any]:
        return {"input": self.input, "matched": self.matched, "candidates": self.candidates,
                "results": self.results, "notes": self.notes}


def _what(kinds: frozenset[str]) -> str:
    return " or ".join(sorted(kinds)) if kinds else "entity"


def resolve(index: LabelIndex, q: str, kinds: frozenset[str], lang: str = "en") -> Answer:
    """Match `q` to one entity of `kinds` by its IRI, an exact label or a code of the same meaning.

    Anything less than that is never a match: several exact names, a code that is broader or
    narrower than a condition, or names that merely contain every word typed give `candidates` to
    choose from; nothing at all gives `found` false with close suggestions.
    """
    text = check_input(q)
    answer = Answer(input=q)
    direct = index.entity(text)
    if direct is not None and direct.kind in kinds:
        return _matched(answer, direct, Label(text, "id", direct.id), lang)
    norm = normalise(text)
    named = index.exact.get(norm, []) + index.exact.get(norm.replace(" ", ""), [])
    exact = [label for label in named if index.entities[label.entity].kind in kinds]
    firm = _best_per_entity((label for label in exact if label.mapping in ("", "exactMatch")), text)
    if len(firm) == 1:
        return _matched(answer, index.entities[firm[0].entity], firm[0], lang)
    why = ""
    if firm:
        why = f"'{text}' names {len(firm)} entities"
    elif loose := _best_per_entity(label for label in exact if label.mapping not in ("", "exactMatch")) or \
            _category_codes(index, text, kinds):
        firm, why = loose, f"No entity has the same meaning as ICD-10 '{text}'"
    elif words := _best_per_entity(_by_words(index, text, kinds)):
        firm, why = words, f"Nothing is called exactly '{text}'; {len(words)} name(s) hold every word of it"
    if firm:
        answer.candidates = [index.entities[label.entity].json(lang, label.text) for label in firm]
        answer.notes = [f"{why}: choose one; nothing is guessed."] + [
            _code_note(label, index.entities[label.entity]) for label in firm if label.mapping not in ("", "exactMatch")]
        return answer
    answer.found = False
    answer.notes.append(f"{NOT_STATED.capitalize()}: no {_what(kinds)} in the graph is called '{text}'.")
    for label in _best_per_entity(label for label in named if label not in exact):
        other = index.entities[label.entity]
        answer.notes.append(f"'{text}' names the {other.kind} {other.en}, not a {_what(kinds)}.")
    answer.candidates = [index.entities[label.entity].json(lang, label.text) for label in suggestions(index, text, kinds)]
    return answer


def _matched(answer: Answer, entity: Entity, label: Label, lang: str = "en") -> Answer:
    answer.entity, answer.matched = entity, entity.json(lang, label.text)
    if label.kind == "hiddenLabel":
        answer.notes.append(f"'{label.text}' is the source's own wording, kept as a hidden label of {entity.en}."
                            + (f" Editorial note: {entity.notes}" if entity.notes else ""))
    elif label.kind == "code":
        answer.notes.append(f"ICD-10 {label.text} has the same meaning as {entity.en}.")
    elif label.kind == "codeLabel":
        answer.notes.append(f"'{label.text}' is WHO's name of the ICD-10 code that means the same as {entity.en}.")
    return answer


def _code_note(label: Label, entity: Entity) -> str:
    if label.mapping.startswith("category "):
        return (f"ICD-10 {label.text} is not in the graph; it falls under {label.mapping[9:]}, the code of {entity.en}: "
                "choose it only if that is what you mean.")
    how = {"broadMatch": "is broader than", "narrowMatch": "covers only part of",
           "closeMatch": "is close to"}.get(label.mapping, "is related to")
    return f"ICD-10 {label.text} {how} {entity.en}: choose it only if that is what you mean."


def _category_codes(index: LabelIndex, text: str, kinds: frozenset[str]) -> list[Label]:
    """For a valid-looking code the graph lacks (C34.9), the conditions whose code is its category (C34)."""
    code = _CODE.fullmatch(unicodedata.normalize("NFKC", text).upper().replace(" ", ""))
    if code is None or not code.group(2):
        return []
    return [Label(text, "code", label.entity, mapping=f"category {label.text}")
            for label in index.exact.get(normalise(code.group(1)), [])
            if label.kind == "code" and label.mapping == "exactMatch" and index.entities[label.entity].kind in kinds]


def _by_words(index: LabelIndex, text: str, kinds: frozenset[str]) -> list[Label]:
    """Preferred or alternative labels that hold every word typed (Chinese: the whole text, 2+ characters)."""
    norm = normalise(text)
    cjk = bool(_CJK.search(norm))
    if not norm or (cjk and len(norm.replace(" ", "")) < 2):
        return []
    words = norm.split()
    return [label for label in index.labels
            if label.kind in ("prefLabel", "altLabel") and index.entities[label.entity].kind in kinds
            and (norm.replace(" ", "") in label.compact if cjk else all(word in label.words for word in words))]


def _best_per_entity(labels: Iterable[Label], typed: str = "") -> list[Label]:
    """One label per entity: the one written as typed, else preferred before alternative, hidden and codes."""
    def rank(label: Label) -> tuple[bool, int, int, str]:
        return label.text.casefold() != typed.casefold(), _LABEL_RANK[label.kind], len(label.text), label.entity

    best: dict[str, Label] = {}
    for label in labels:
        if label.entity not in best or rank(label) < rank(best[label.entity]):
            best[label.entity] = label
    return sorted(best.values(), key=rank)


def suggestions(index: LabelIndex, text: str, kinds: frozenset[str] | None, limit: int = 5) -> list[Label]:
    """Labels close to a misspelt `text` (difflib), one per entity, closest first.

    Every word typed must be close to a word of the label, so "colon cancer" does not suggest "lung
    cancer" for sharing "cancer". difflib's cheap upper bounds skip most labels before `ratio()`.
    """
    norm = normalise(text)
    cjk = bool(_CJK.search(norm))
    cutoff = 0.6 if cjk else 0.75
    whole, word = difflib.SequenceMatcher(), difflib.SequenceMatcher()
    whole.set_seq2(norm)
    scored: list[tuple[float, Label]] = []
    for label in index.labels:
        if label.kind == "code" or (kinds is not None and index.entities[label.entity].kind not in kinds):
            continue
        whole.set_seq1(label.norm)
        if whole.real_quick_ratio() < cutoff or whole.quick_ratio() < cutoff or whole.ratio() < cutoff:
            continue
        if not cjk and not all(_close_word(word, typed, label.words, cutoff) for typed in norm.split()):
            continue
        scored.append((whole.ratio(), label))
    scored.sort(key=lambda item: (-item[0], _LABEL_RANK[item[1].kind]))
    seen: dict[str, Label] = {}
    for _, label in scored:
        seen.setdefault(label.entity, label)
    return list(seen.values())[:limit]


def _close_word(matcher: difflib.SequenceMatcher, typed: str, words: tuple[str, ...], cutoff: float) -> bool:
    matcher.set_seq2(typed)
    for candidate in words:
        matcher.set_seq1(candidate)
        if matcher.real_quick_ratio() >= cutoff and matcher.quick_ratio() >= cutoff and matcher.ratio() >= cutoff:
            return True
    return False


def _complete_spelling(word: str) -> str:
    """A British stem still being typed ("oesoph") as the American one it will become ("esoph")."""
    for british, american in SPELLINGS:
        if len(word) >= 3 and british.startswith(word) and not american.startswith(word):
            return american[: max(1, len(american) - (len(british) - len(word)))]
    return word


def search(index: LabelIndex, q: str, *, kinds: frozenset[str] | None = None, limit: int = 10,
           lang: str = "en") -> Answer:
    """Type-ahead: entities whose labels, synonyms or codes match `q`, best first, from memory only.

    Ranking: the whole label, then its start, then every typed word starting a word of it, then
    anywhere inside it; within that, preferred before alternative, hidden and code labels, then
    shorter labels.
    """
    text = check_input(q)
    words = normalise(text).split()
    words[-1:] = [_complete_spelling(word) for word in words[-1:]]
    norm = " ".join(words)
    compact = norm.replace(" ", "")
    cjk = bool(_CJK.search(norm))  # Chinese has no spaces: any part of a label may match
    best: dict[str, tuple[tuple[int, bool, int, int], Label]] = {}
    for label in index.labels if norm else ():
        if not (compact in label.compact or words[0] in label.norm):
            continue  # every tier below needs one of these: a cheap test that skips most labels
        if kinds is not None and index.entities[label.entity].kind not in kinds:
            continue
        if label.norm == norm or label.compact == compact:
            tier = 0
        elif label.norm.startswith(norm) or label.compact.startswith(compact):
            tier = 1
        elif all(any(lw.startswith(w) for lw in label.words) for w in words):
            tier = 2
        elif cjk and compact in label.compact:
            tier = 3
        else:
            continue
        rank = (tier, label.text.casefold() != text.casefold(), _LABEL_RANK[label.kind], len(label.text))
        if label.entity not in best or rank < best[label.entity][0]:
            best[label.entity] = (rank, label)
    ranked = sorted(best.values(), key=lambda item: (item[0], item[1].entity))[:limit]
    answer = Answer(input=q)
    for _, label in ranked:
        item = index.entities[label.entity].json(lang, label.text)
        item.update(match=label.kind, match_lang=label.lang or None)
        answer.results.append(item)
    if not answer.results:
        answer.found = False
        answer.notes.append(f"{NOT_STATED.capitalize()}: nothing in the graph is called '{text}'.")
        answer.candidates = [index.entities[label.entity].json(lang, label.text)
                             for label in suggestions(index, text, kinds)]
    return answer


__all__ = ["KINDS", "LANGS", "NOT_STATED", "QUERIES", "REFERRAL_DIR", "SPELLINGS", "Answer", "Code", "Entity", "Label",
           "LabelIndex", "check_input", "label_index", "normalise", "parse_lang", "resolve", "search", "suggestions"]
