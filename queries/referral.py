"""Referral lookups for coordinators: match a person's words to one entity, then answer from the graph.

Matching folds case, Unicode width (NFKC), apostrophes, hyphens/spaces and British/American spelling,
over preferred, alternative and hidden labels in English and Chinese and over ICD-10 codes, using a
label index read once per graph content (`label_index`). Several matches give candidates, none a 404
with suggestions; a lookup never climbs to a broader concept. SPARQL lives in `queries/referral/*.rq`
and gets bound values only. Imports rdflib terms, `graph` and the catalog loader; never FastAPI or `api`.
"""

from __future__ import annotations

import difflib
import re
import threading
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from rdflib import Literal
from rdflib.term import Node

from graph.namespaces import KG, SCHEMA, TTC
from graph.store import Store
from queries.catalog import QUERIES_DIR, bind, load_query
from queries.params import InvalidParameter, Param, convert

REFERRAL_DIR = QUERIES_DIR / "referral"
#: Every `.rq` of `queries/referral/`, parsed and checked at import: a broken query fails start-up.
QUERIES = {path.stem: load_query(path) for path in sorted(Path(REFERRAL_DIR).glob("*.rq"))}

KINDS = ("condition", "indication", "therapy", "examination", "procedure", "equipment", "approach", "center",
         "organization", "specialty", "place", "research", "training")
CONDITION_KINDS = frozenset({"condition", "indication"})
PROCEDURE_KINDS = frozenset({"procedure", "therapy", "examination"})
INCLUDES = ("inferred", "narrower")
LANGS = ("en", "zh")
STATUSES = {str(KG.Stated): "stated", str(KG.Implied): "implied", str(KG.Inferred): "inferred",
            str(KG.Ambiguous): "ambiguous"}
_FIRMNESS = ("stated", "implied", "inferred", "ambiguous")
FIRM = frozenset({"stated", "implied"})
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


def parse_include(raw: str | None) -> frozenset[str]:
    """`include=inferred,narrower` as a set.

    Raises:
        InvalidParameter: An unknown value.
    """
    values = frozenset(part.strip() for part in (raw or "").split(",") if part.strip())
    unknown = values - set(INCLUDES)
    if unknown:
        raise InvalidParameter("include", f"unknown value {sorted(unknown)[0]!r}; allowed: {', '.join(INCLUDES)}")
    return values


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


@dataclass
class Fact:
    """One relation (subject, predicate, object) gathered from its claim rows: status, evidence, note."""

    target: str
    status: str
    evidence: list[dict[str, Any]] = field(default_factory=list)
    note: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def _facts(rows: Iterable[Mapping[str, Node]], target: str, key: Iterable[str] = ()) -> list[Fact]:
    """Claim rows (one per evidence span) grouped per target (and `key` columns), firmest status kept."""
    grouped: dict[tuple[str, ...], Fact] = {}
    keys = tuple(key)
    for row in rows:
        ident = (str(row[target]), *(str(row.get(k, "")) for k in keys))
        status = STATUSES.get(str(row.get("status", "")), "stated")
        fact = grouped.setdefault(ident, Fact(ident[0], status, extra={k: row.get(k) for k in keys}))
        if _FIRMNESS.index(status) < _FIRMNESS.index(fact.status):
            fact.status = status
        if "quote" in row:
            span = {"quote": str(row["quote"]), "start": int(_number(row["start"])), "end": int(_number(row["end"]))}
            if span not in fact.evidence:
                fact.evidence.append(span)
                fact.evidence.sort(key=lambda s: (s["start"], s["end"]))
        if fact.note is None and "note" in row:
            fact.note = str(row["note"])
    return list(grouped.values())


def _number(term: Node) -> int | float:
    value = term.toPython() if isinstance(term, Literal) else term
    if isinstance(value, int | float | Decimal):
        return int(value) if value == int(value) else float(value)
    return int(str(value)[:4]) if str(value)[:4].isdigit() else float(str(value))


def _run(store: Store, name: str, **raw: str) -> list[dict[str, Node]]:
    query = QUERIES[name]
    return store.select(query.sparql, bindings=bind(query, raw))


def _item(index: LabelIndex, fact: Fact, lang: str) -> dict[str, Any] | None:
    entity = index.entities.get(fact.target)
    if entity is None:
        return None
    return {**entity.json(lang), "status": fact.status, "evidence": fact.evidence, "note": fact.note}


def _keep(facts: list[Fact], include: frozenset[str], left_out: list[Fact] | None = None) -> list[Fact]:
    kept = [fact for fact in facts if fact.status in FIRM or "inferred" in include]
    if left_out is not None:
        left_out.extend(fact for fact in facts if fact not in kept)
    return kept


def _left_out_note(left_out: list[Fact]) -> list[str]:
    if not left_out:
        return []
    return [f"{len(left_out)} inferred or ambiguous relation(s) left out; add include=inferred to see them, "
            "each marked with its status."]


_RELATIONS = {str(KG.hasApproach): "approaches", str(KG.usesEquipment): "equipment",
              str(SCHEMA.usesDevice): "equipment", str(KG.hasIndication): "indications", str(KG.precedes): "precedes"}


def procedure_facts(store: Store, index: LabelIndex, procedure: str, include: frozenset[str],
                    lang: str) -> dict[str, list[dict[str, Any]]]:
    """A procedure's approaches, equipment, indications and the procedures it precedes, each with evidence."""
    grouped: dict[str, list[dict[str, Any]]] = {"approaches": [], "equipment": [], "indications": [], "precedes": []}
    rows = _run(store, "procedure_facts", procedure=procedure)
    for fact in _keep(_facts(rows, "target", ["relation", "center_has"]), include):
        item = _item(index, fact, lang)
        if item is not None:
            group = _RELATIONS[str(fact.extra["relation"])]
            if group == "equipment":
                item["center_has"] = bool(_bool(fact.extra.get("center_has")))
            grouped[group].append(item)
    return grouped


def _bool(term: Node | None) -> bool:
    return term is not None and str(term).lower() in ("true", "1")


def procedures_for(store: Store, index: LabelIndex, entity: Entity, include: frozenset[str],
                   lang: str) -> tuple[list[dict[str, Any]], list[str]]:
    """What the center offers for exactly this condition or indication (narrower ones only if asked)."""
    rows = _run(store, "procedures_for_condition", condition=entity.id,
                include_narrower="true" if "narrower" in include else "false")
    left_out: list[Fact] = []
    facts = _keep(_facts(rows, "procedure", ["treated", "via"]), include, left_out)
    results = []
    for fact in facts:
        item = _item(index, fact, lang)
        if item is None:
            continue
        treated = index.entities.get(str(fact.extra["treated"]))
        item.update(via="treats" if str(fact.extra["via"]) == str(KG.treats) else "indication",
                    condition=treated.json(lang) if treated else None,
                    narrower=str(fact.extra["treated"]) != entity.id)
        item.update(procedure_facts(store, index, fact.target, include, lang))
        results.append(item)
    if entity.kind == "condition":  # a sequence step for another condition's operation is not this answer
        offered = {item["id"] for item in results}
        for item in results:
            item["precedes"] = [step for step in item["precedes"] if step["id"] in offered]
    results.sort(key=lambda item: (item["narrower"], item["type"] == "therapy", item["labels"]["en"]))
    notes = _scope_notes(index, entity, include) + _left_out_note(left_out)
    if not results:
        notes.insert(0, f"Procedures and therapies for {entity.en}: {NOT_STATED}.")
    return results, notes


def _scope_notes(index: LabelIndex, entity: Entity, include: frozenset[str]) -> list[str]:
    notes = []
    broader = [index.entities[b].en for b in entity.broader if b in index.entities]
    if broader:
        notes.append(f"Only what the source states for {entity.en} itself; the broader {', '.join(broader)} "
                     "is not searched.")
    narrower = [index.entities[n].en for n in index.narrower.get(entity.id, []) if n in index.entities]
    if narrower and "narrower" not in include:
        notes.append(f"Narrower conditions in the graph: {', '.join(sorted(narrower))}; add include=narrower to "
                     "list theirs too, each marked.")
    elif narrower:
        notes.append("Items for narrower conditions are included and marked narrower: true.")
    return notes


def workup_for(store: Store, index: LabelIndex, entity: Entity, include: frozenset[str],
               lang: str) -> tuple[list[dict[str, Any]], list[str]]:
    """The staging examinations stated for exactly this condition."""
    rows = _run(store, "workup_for_condition", condition=entity.id,
                include_narrower="true" if "narrower" in include else "false")
    left_out: list[Fact] = []
    results = []
    for fact in _keep(_facts(rows, "examination", ["staged", "routine"]), include, left_out):
        item = _item(index, fact, lang)
        if item is not None:
            staged = index.entities.get(str(fact.extra["staged"]))
            item.update(routine=_bool(fact.extra["routine"]), condition=staged.json(lang) if staged else None,
                        narrower=str(fact.extra["staged"]) != entity.id,
                        equipment=procedure_facts(store, index, fact.target, include, lang)["equipment"])
            results.append(item)
    results.sort(key=lambda item: (item["narrower"], not item["routine"], item["labels"]["en"]))
    notes = _scope_notes(index, entity, include) + _left_out_note(left_out)
    if not results:
        notes.insert(0, f"Work-up for {entity.en}: {NOT_STATED}.")
    return results, notes


def conditions_for(store: Store, index: LabelIndex, entity: Entity, include: frozenset[str],
                   lang: str) -> tuple[list[dict[str, Any]], list[str]]:
    """The conditions a procedure treats, the indications it is for, or the conditions an examination stages."""
    left_out: list[Fact] = []
    results = []
    for fact in _keep(_facts(_run(store, "conditions_for_procedure", procedure=entity.id), "condition",
                             ["relation"]), include, left_out):
        item = _item(index, fact, lang)
        if item is not None:
            item["relation"] = str(fact.extra["relation"])
            results.append(item)
    notes = _left_out_note(left_out)
    if not results:
        notes.insert(0, f"Conditions for {entity.en}: {NOT_STATED}.")
    return results, notes


def equipment_for(store: Store, index: LabelIndex, entity: Entity, include: frozenset[str],
                  lang: str) -> tuple[list[dict[str, Any]], list[str]]:
    """The devices a procedure or examination uses, and whether the center lists them as its own."""
    results = procedure_facts(store, index, entity.id, include, lang)["equipment"]
    return results, ([] if results else [f"Equipment for {entity.en}: {NOT_STATED}."])


def lookup(store: Store, index: LabelIndex, name: str, q: str, *, include: frozenset[str] = frozenset(),
           lang: str = "en") -> Answer:
    """Run the lookup called `name` on the person's words `q`."""
    kinds, answer_for = LOOKUPS[name]
    answer = resolve(index, q, kinds, lang)
    if answer.entity is not None:
        answer.results, notes = answer_for(store, index, answer.entity, include, lang)
        answer.notes.extend(notes)
    return answer


LOOKUPS = {
    "procedures-for-condition": (CONDITION_KINDS, procedures_for),
    "conditions-for-procedure": (PROCEDURE_KINDS, conditions_for),
    "equipment-for-procedure": (PROCEDURE_KINDS, equipment_for),
    "workup-for-condition": (frozenset({"condition"}), workup_for),
}


def center_claims(store: Store, index: LabelIndex, entity: str | None, include: frozenset[str],
                  lang: str) -> dict[str, list[dict[str, Any]]]:
    """The center's claims (about one entity, or all), by predicate local name, each target an ENTITY."""
    if index.center is None:
        return {}
    raw = {"center": index.center, **({"entity": entity} if entity else {})}
    rows = _run(store, "center_relations", **raw)
    by_predicate: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for fact in _keep(_facts(rows, "target", ["predicate", "target_en", "target_zh"]), include):
        item = _item(index, fact, lang)
        if item is None:  # a vocabulary term such as schema:Oncologic, outside the index
            en, zh = fact.extra.get("target_en"), fact.extra.get("target_zh")
            known = Entity(fact.target, "specialty", str(en or fact.target), str(zh) if zh else None)
            item = {**known.json(lang), "status": fact.status, "evidence": fact.evidence, "note": fact.note}
        by_predicate[str(fact.extra["predicate"]).rsplit("#", 1)[-1]].append(item)
    return by_predicate


def center_profile(store: Store, index: LabelIndex, *, include: frozenset[str] = frozenset(),
                   lang: str = "en") -> dict[str, Any]:
    """The center's profile: organisation, innovations, services with flags, and its figures with bounds kept."""
    if index.center is None:
        return {"center": None, "parent": None, "affiliations": [], "specialties": [], "innovations": [],
                "services": {}, "figures": [], "notes": [f"The center: {NOT_STATED}."]}
    claims = center_claims(store, index, None, include, lang)
    offered = {item["id"]: item for key in ("offers", "performsRoutinely") for item in claims.get(key, [])}
    services: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in _run(store, "center_services", center=index.center):
        entity = index.entities.get(str(row["service"]))
        if entity is None:
            continue
        item = {**entity.json(lang), "routine": _bool(row.get("routine")), "difficult": _bool(row.get("difficult")),
                "minimally_invasive": _bool(row.get("minimally_invasive")),
                "status": offered.get(entity.id, {}).get("status", "stated"),
                "evidence": offered.get(entity.id, {}).get("evidence", [])}
        services[entity.kind].append(item)
    for items in services.values():
        items.sort(key=lambda item: item["labels"]["en"])
    left_out: list[Fact] = []
    figures = [_figure(fact) for fact in _keep(_facts(_run(store, "center_figures", center=index.center), "figure", [
        "label", "kind", "value", "min_value", "min_exclusive", "unit", "period", "precision", "verbatim"]),
        include, left_out)]
    parent = claims.get("keyDepartmentOf", [])
    notes = ["Flags come from stated or implied facts only; totals the source does not give are not computed."]
    if left_out:
        notes.append(f"{len(left_out)} figure(s) with an ambiguous reading left out; add include=inferred to see them.")
    return {"center": index.entities[index.center].json(lang), "parent": parent[0] if parent else None,
            "affiliations": claims.get("memberUnitOf", []), "specialties": claims.get("hasSpecialty", []),
            "innovations": claims.get("developedInnovation", []), "location": claims.get("locatedIn", []),
            "services": dict(sorted(services.items())), "figures": figures, "notes": notes}


def _figure(fact: Fact) -> dict[str, Any]:
    extra = fact.extra
    bound = extra.get("min_value") is not None
    return {"label": str(extra.get("label") or fact.target.rsplit("/", 1)[-1]),
            "value": None if bound or extra.get("value") is None else _number(extra["value"]),
            "minimum": _number(extra["min_value"]) if bound else None,
            "exclusive": bound and _bool(extra.get("min_exclusive")),
            "unit": str(extra["unit"]) if extra.get("unit") is not None else None,
            "period": str(extra["period"]) if extra.get("period") is not None else None,
            "precision": str(extra["precision"]) if extra.get("precision") is not None else None,
            "kind": str(extra["kind"]) if extra.get("kind") is not None else None,
            "verbatim": str(extra.get("verbatim") or ""), "status": fact.status, "evidence": fact.evidence}


__all__ = ["CONDITION_KINDS", "INCLUDES", "KINDS", "LANGS", "LOOKUPS", "NOT_STATED", "PROCEDURE_KINDS", "SPELLINGS",
           "Answer", "Code", "Entity", "Label", "LabelIndex", "center_claims", "center_profile", "check_input",
           "conditions_for", "equipment_for", "label_index", "lookup", "normalise", "parse_include", "parse_lang",
           "procedure_facts", "procedures_for", "resolve", "search", "suggestions", "workup_for"]
