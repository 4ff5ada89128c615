"""Matching a person's words to one entity of the graph: normalisation, input checks, the label index, search.

Matching folds case, Unicode width (NFKC), apostrophes, hyphens/spaces and British/American spelling
(`graph.words.normalise`, shared with the proposer of claims),
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

from rdflib import Literal
from rdflib.term import Node

from graph.namespaces import KG, TTC
from graph.store import ResultTooLarge, Store
from graph.words import SPELLINGS, normalise
from queries.catalog import QUERIES_DIR, load_catalog
from queries.params import InvalidParameter, Param, convert

REFERRAL_DIR = QUERIES_DIR / "referral"
#: Every `.rq` of `queries/referral/`, parsed and checked at import: a broken query fails start-up.
QUERIES = load_catalog(REFERRAL_DIR, readers=False)

KINDS = ("condition", "indication", "therapy", "examination", "procedure", "equipment", "approach", "center",
         "organization", "specialty", "place", "research", "training")
LANGS = ("en", "zh")
#: The most candidates an answer lists (the center's own graph has at most 15 for any word): the first by rank,
#: with a note that says so, when one name is shared by more entities (a graph of many centers).
MAX_CANDIDATES = 50
NOT_STATED = "not stated in the source"

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_CODE = re.compile(r"([A-Z][0-9]{2})(?:\.?([0-9]{1,2}))?")
_LABEL_RANK = {"prefLabel": 0, "altLabel": 1, "hiddenLabel": 2, "code": 3, "codeLabel": 4}
_Q = Param("q", "string", True, "", "")



#: Common subtype names the source never uses, and the broader condition it does state. A coordinator who
#: types one is shown that condition marked as broader, never answered as if the subtype were stated.
#: Keys are normalised (`normalise`); values are `ttc:` names. `None`: the center is not stated to treat it.
SUBTYPES: dict[str, str | None] = {
    "nsclc": "ttc:LungCancer", "non small cell lung cancer": "ttc:LungCancer",
    "non small cell lung carcinoma": "ttc:LungCancer", "sclc": "ttc:LungCancer",
    "small cell lung cancer": "ttc:LungCancer", "small cell lung carcinoma": "ttc:LungCancer",
    "lung adenocarcinoma": "ttc:LungCancer", "adenocarcinoma of the lung": "ttc:LungCancer",
    "squamous cell carcinoma of the lung": "ttc:LungCancer", "lung squamous cell carcinoma": "ttc:LungCancer",
    "非小细胞肺癌": "ttc:LungCancer", "小细胞肺癌": "ttc:LungCancer", "肺腺癌": "ttc:LungCancer", "肺鳞癌": "ttc:LungCancer",
    "breast cancer": None, "breast carcinoma": None, "乳腺癌": None,
}

#: Every message `resolve` and `search` build, in English and Chinese, chosen by `lang`.
MESSAGES: dict[str, dict[str, str]] = {
    "left_out": {"en": "{n} inferred or ambiguous relation(s) left out; add include=inferred to see them, "
                       "each marked with its status.",
                 "zh": "已略去{n}条推断或有歧义的关系；加上 include=inferred 可查看，每条均标明其状态。"},
    "none_for": {"en": "{what} for {name}: not stated in the source.",
                 "zh": "{name}的{what}：原文未提及。"},
    "only_itself": {"en": "Only what the source states for {name} itself; the broader {broader} is not searched.",
                    "zh": "仅列出原文对{name}本身的陈述；不检索更宽泛的{broader}。"},
    "narrower_hint": {"en": "Narrower conditions in the graph: {narrower}; add include=narrower to list theirs too, "
                            "each marked.",
                      "zh": "图谱中更具体的病种：{narrower}；加上 include=narrower 可一并列出，每项均有标注。"},
    "narrower_in": {"en": "Items for narrower conditions are included and marked narrower: true.",
                    "zh": "已包含更具体病种的条目，并标注 narrower: true。"},
    "flags": {"en": "Flags come from stated or implied facts only; totals the source does not give are not computed.",
              "zh": "标记仅来自原文陈述或隐含的事实；原文未给出的总数不作计算。"},
    "what_procedures": {"en": "Procedures and therapies", "zh": "手术与治疗"},
    "what_workup": {"en": "Work-up", "zh": "检查项目"},
    "what_conditions": {"en": "Conditions", "zh": "适应病种"},
    "what_equipment": {"en": "Equipment", "zh": "设备"},
    "center_none": {"en": "The center: not stated in the source.", "zh": "本中心：原文未提及。"},
    "not_called": {"en": "Not stated in the source: no {what} in the graph is called '{q}'.",
                   "zh": "原文未提及：图谱中没有名为“{q}”的{what}。"},
    "nothing_called": {"en": "Not stated in the source: nothing in the graph is called '{q}'.",
                       "zh": "原文未提及：图谱中没有名为“{q}”的条目。"},
    "other_kind": {"en": "Not stated in the source: no {what} is called '{q}'; it is {kind}: {name}.",
                   "zh": "原文未提及：没有名为“{q}”的{what}；它是{kind}：{name}。"},
    "all_words": {"en": "Nothing is called exactly '{q}'; the one name holding every word of it is '{label}' ({name}).",
                  "zh": "没有完全名为“{q}”的条目；包含其全部词语的唯一名称是“{label}”（{name}）。"},
    "several": {"en": "'{q}' names {n} entities: choose one; nothing is guessed.",
                "zh": "“{q}”对应{n}个条目：请选择一个，系统不做猜测。"},
    "first_listed": {"en": "The first {shown} of them are listed: type more of the name, or choose by id.",
                     "zh": "仅列出其中前{shown}个：请输入更完整的名称，或按 id 选择。"},
    "several_words": {"en": "Nothing is called exactly '{q}'; {n} names hold every word of it: choose one; nothing is guessed.",
                      "zh": "没有完全名为“{q}”的条目；{n}个名称包含其全部词语：请选择一个，系统不做猜测。"},
    "no_same_code": {"en": "No entity has the same meaning as ICD-10 '{q}': choose one; nothing is guessed.",
                     "zh": "没有条目与 ICD-10“{q}”含义相同：请选择一个，系统不做猜测。"},
    "broader": {"en": "Broader: the source does not distinguish this subtype. '{q}' is not in the graph; "
                      "the source states {name}, which covers it.",
                "zh": "更宽泛：原文未区分这一亚型。图谱中没有“{q}”；原文提及的是涵盖它的{name}。"},
    "not_treated": {"en": "The center is not stated to treat '{q}'. The source's words 'breast benign and malignant "
                          "tumors' are read as chest (Chinese 胸 means both), not as breast cancer.",
                    "zh": "原文未说明本中心治疗“{q}”。原文“breast benign and malignant tumors”一语按“胸部”理解"
                          "（中文“胸”兼指两者），并非乳腺癌。"},
    "hidden": {"en": "'{label}' is the source's own wording, kept as a hidden label of {name}.",
               "zh": "“{label}”是原文用语，作为{name}的隐藏标签保留。"},
    "editorial": {"en": " Editorial note: {note}", "zh": " 编者注：{note}"},
    "editorial_en": {"en": " Editorial note: {note}", "zh": " 编者注（英文）：{note}"},
    "code_same": {"en": "ICD-10 {label} has the same meaning as {name}.", "zh": "ICD-10 {label} 与{name}含义相同。"},
    "code_label": {"en": "'{label}' is WHO's name of the ICD-10 code that means the same as {name}.",
                   "zh": "“{label}”是世卫组织对与{name}含义相同的 ICD-10 编码的命名。"},
    "code_category": {"en": "ICD-10 {label} is not in the graph; it falls under {category}, the code of {name}: "
                            "choose it only if that is what you mean.",
                      "zh": "图谱中没有 ICD-10 {label}；它属于{name}的编码 {category}：仅在确为此意时选择。"},
    "code_broad": {"en": "ICD-10 {label} is broader than {name}: choose it only if that is what you mean.",
                   "zh": "ICD-10 {label} 比{name}更宽泛：仅在确为此意时选择。"},
    "code_narrow": {"en": "ICD-10 {label} covers only part of {name}: choose it only if that is what you mean.",
                    "zh": "ICD-10 {label} 只涵盖{name}的一部分：仅在确为此意时选择。"},
    "code_close": {"en": "ICD-10 {label} is close to {name}: choose it only if that is what you mean.",
                   "zh": "ICD-10 {label} 与{name}相近：仅在确为此意时选择。"},
    "code_related": {"en": "ICD-10 {label} is related to {name}: choose it only if that is what you mean.",
                     "zh": "ICD-10 {label} 与{name}相关：仅在确为此意时选择。"},
}
KIND_NAMES: dict[str, dict[str, str]] = {
    "condition": {"en": "a condition", "zh": "病症"}, "indication": {"en": "an indication", "zh": "适应证"},
    "therapy": {"en": "a therapy", "zh": "治疗"}, "examination": {"en": "an examination", "zh": "检查"},
    "procedure": {"en": "a procedure", "zh": "操作"}, "equipment": {"en": "a piece of equipment", "zh": "设备"},
    "approach": {"en": "an approach", "zh": "手术方式"}, "center": {"en": "a center", "zh": "中心"},
    "organization": {"en": "an organization", "zh": "机构"}, "specialty": {"en": "a specialty", "zh": "专科"},
    "place": {"en": "a place", "zh": "地点"}, "research": {"en": "research", "zh": "研究"},
    "training": {"en": "training", "zh": "培训"},
}


def message(key: str, lang: str = "en", **values: object) -> str:
    """The catalogue's message `key` in `lang` (`en` or `zh`), filled with `values`."""
    return MESSAGES[key]["zh" if lang == "zh" else "en"].format(**values)


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
    unstated_broader: tuple[str, ...] = ()  # the broader links that are only inferred or ambiguous claims
    notes_zh: str = ""  # the curators' notes in Chinese ("" where they exist in English only)

    def label(self, lang: str) -> str:
        return (self.zh if lang == "zh" else None) or self.en

    def note(self, lang: str) -> str:
        """The curators' notes in `lang`, English where there is no Chinese translation."""
        return (self.notes_zh if lang == "zh" else "") or self.notes

    def json(self, lang: str = "en", matched_label: str | None = None) -> dict[str, Any]:
        """The contract's ENTITY."""
        labels = {"en": self.en, **({"zh": self.zh} if self.zh else {})}
        return {"id": self.id, "type": self.kind, "label": self.label(lang), "labels": labels,
                "matched_label": matched_label or self.en}


@dataclass
class Department:
    """A department (kg:ClinicalCenter) as the lookups show it: its hospital, place, whether it is synthetic, and
    what it says of itself (the plain triples of its stated or implied claims)."""

    id: str
    hospital: str | None = None
    location: str | None = None
    synthetic: bool = False
    services: set[str] = field(default_factory=set)  # schema:availableService
    equipment: set[str] = field(default_factory=set)  # kg:hasEquipment
    routine: set[str] = field(default_factory=set)  # kg:includesRoutinelyInWorkup

    def json(self, entities: Mapping[str, Entity], lang: str = "en") -> dict[str, Any]:
        """The contract's DEPARTMENT: {id, label, labels, hospital, location, synthetic}."""
        def named(iri: str | None) -> dict[str, Any] | None:
            entity = entities.get(iri) if iri else None
            if entity is None:
                return None
            return {"id": entity.id, "label": entity.label(lang), "labels": {"en": entity.en, "zh": entity.zh}}

        own = named(self.id) or {"id": self.id, "label": self.id, "labels": {"en": self.id, "zh": None}}
        return {**own, "hospital": named(self.hospital), "location": named(self.location), "synthetic": self.synthetic}


_DEPARTMENT_RELATIONS = {"https://schema.org/availableService": "services", str(KG.hasEquipment): "equipment",
                         str(KG.includesRoutinelyInWorkup): "routine"}


def departments_from(rows: Iterable[Mapping[str, Node]]) -> dict[str, Department]:
    """The departments of the rows of index_departments.rq."""
    departments: dict[str, Department] = {}
    for row in rows:
        department = departments.setdefault(str(row["entity"]), Department(str(row["entity"])))
        relation, target = str(row["relation"]), str(row.get("target", ""))
        if relation in _DEPARTMENT_RELATIONS:
            getattr(department, _DEPARTMENT_RELATIONS[relation]).add(target)
        elif relation == "https://schema.org/parentOrganization":
            department.hospital = min(filter(None, (department.hospital, target)))
        elif relation == str(KG.locatedIn):
            department.location = min(filter(None, (department.location, target)))
        elif relation == str(KG.synthetic):
            department.synthetic = target.lower() in ("true", "1")
    return departments


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


def _label(text: str, kind: str, entity: str, lang: str = "", mapping: str = "",
           forms: dict[str, tuple[str, str, tuple[str, ...]]] | None = None) -> Label:
    """A label with its normalised forms, taken from `forms` when the same text was normalised before."""
    known = forms.get(text) if forms is not None else None
    if known is None:
        norm = normalise(text)
        known = (norm, norm.replace(" ", ""), tuple(norm.split()))
        if forms is not None:
            forms[text] = known
    return Label(text, kind, entity, lang, mapping, *known)


#: The most rows one part of an index query may have: under the default row cap (`Settings.max_rows`), and small
#: enough that a part stays well inside the query deadline on a large graph.
PART_ROWS = 10_000
_END = 16 ** 8  # parts are ranges of the first 8 hex digits of an entity IRI's MD5


def _hex(position: int) -> str:
    return f"{position:08x}" if position < _END else "g"  # "g" sorts after every hex digit


def index_rows(store: Store, name: str, size: int | None = None) -> list[dict[str, Node]]:
    """Every row of the index query `name`, in disjoint parts when there are more than one answer may carry.

    The row cap applies to every answer, the product's own queries included, and a graph of many centers has
    more labels than it. Up to `PART_ROWS` rows (or the store's own cap, if smaller) the query runs whole, as it
    always did; beyond, one COUNT says how many rows there are (or `size`, an estimate given: the label rows, for
    the entities, whose own COUNT costs as much as the query), and it runs once per part: the entities whose
    IRI's MD5 falls in one range (`part_from`, `part_to`), as many equal ranges as make each part about three
    quarters of that. The parts are disjoint and together complete, in whatever order an engine answers, and
    all the rows of one entity are in one part; no ORDER BY is needed (OFFSET paging would sort the whole answer
    again for every page). A part that still passes the cap (a graph changed meanwhile) is halved.

    Raises:
        ResultTooLarge: The entities of one 8-hex-digit range alone have more rows than the cap.
    """
    sparql = QUERIES[name].sparql
    cap = getattr(getattr(store, "limits", None), "max_rows", None)
    page = min(PART_ROWS, cap) if cap else PART_ROWS
    if size is None or size <= page:  # whole, as it always was, unless known to be large
        whole: list[dict[str, Node]] | None
        try:
            whole = store.select(f"{sparql}\nLIMIT {page + 1}")
        except ResultTooLarge:  # a smaller cap than this store tells
            whole = None
        if whole is not None and len(whole) <= page:
            return whole
        size = None
    total = _count(store, sparql) if size is None else size
    parts = -(-total // max(1, page * 3 // 4))
    pending = [(_END * i // parts, _END * (i + 1) // parts) for i in range(parts)]
    rows: list[dict[str, Node]] = []
    while pending:
        low, high = pending.pop(0)
        try:
            part = store.select(f"{sparql}\nLIMIT {page + 1}",
                                bindings={"part_from": Literal(_hex(low)), "part_to": Literal(_hex(high))})
        except ResultTooLarge:
            part = None
        if part is None or len(part) > page:
            if high - low == 1:
                raise ResultTooLarge(f"{name}: the entities of one part have more than {page} rows")
            middle = (low + high) // 2
            pending[:0] = [(low, middle), (middle, high)]
            continue
        rows.extend(part)
    return rows


def _count(store: Store, sparql: str) -> int:
    """How many rows the query has (its SELECT counted as a subquery)."""
    prologue, select = re.split(r"(?m)^SELECT\b", sparql, maxsplit=1)
    rows = store.select(f"{prologue}SELECT (COUNT(*) AS ?rows) WHERE {{ {{ SELECT{select} }} }}")
    return int(str(rows[0]["rows"]))


class LabelIndex:
    """Every label, code and entity of one graph content, for matching without a query per keystroke."""

    def __init__(self, entities: Mapping[str, Entity], labels: Iterable[Label],
                 codes: Mapping[str, list[Code]] | None = None,
                 departments: Mapping[str, Department] | None = None) -> None:
        self.entities = dict(entities)
        self.departments = dict(departments or {})
        self._offered: dict[str, set[str]] = defaultdict(set)
        self._held: dict[str, set[str]] = defaultdict(set)
        for department in self.departments.values():
            for service in department.services:
                self._offered[service].add(department.id)
            for device in department.equipment:
                self._held[device].add(department.id)
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
        """Read entities, labels and codes with three SELECTs through the store interface, each in parts under
        the row cap when it is large (`index_rows`)."""
        label_rows = index_rows(store, "index_labels")
        size = len(label_rows)  # no more entities or codes than labels, as a rule
        entities = {}
        for row in index_rows(store, "index_entities", size):
            iri = str(row["entity"])
            entities[iri] = Entity(iri, str(row["kind"]), str(row.get("label_en") or iri.rsplit("/", 1)[-1]),
                                   str(row["label_zh"]) if "label_zh" in row else None, str(row.get("notes", "")),
                                   tuple(str(row.get("broaders", "")).split()),
                                   tuple(str(row.get("unstated_broaders", "")).split()), str(row.get("notes_zh", "")))
        forms: dict[str, tuple[str, str, tuple[str, ...]]] = {}  # copies of a graph repeat their labels
        labels = [_label(str(row["label"]), str(row["label_kind"]), str(row["entity"]), _lang(row["label"]), forms=forms)
                  for row in label_rows]
        codes: dict[str, list[Code]] = defaultdict(list)
        for row in index_rows(store, "index_codes", size):
            code = Code(str(row["code_value"]), str(row.get("mapping", "")).rsplit("#", 1)[-1],
                        str(row["who_label"]) if "who_label" in row else None)
            codes[str(row["entity"])].append(code)
            labels.append(_label(code.value, "code", str(row["entity"]), "", code.mapping, forms=forms))
            if code.who_label:
                labels.append(_label(code.who_label, "codeLabel", str(row["entity"]), "en", code.mapping, forms=forms))
        departments = departments_from(index_rows(store, "index_departments"))
        return cls(entities, labels, {entity: sorted(found) for entity, found in codes.items()}, departments)

    def departments_json(self, ids: Iterable[str], lang: str = "en") -> list[dict[str, Any]]:
        """These departments as the contract's DEPARTMENT list: the real center first, then by English label."""
        known = [self.departments[i] for i in set(ids) if i in self.departments]
        known.sort(key=lambda d: (d.id != str(TTC.Center), d.synthetic, self._label(d.id), d.id))
        return [department.json(self.entities, lang) for department in known]

    def _label(self, iri: str) -> str:
        entity = self.entities.get(iri)
        return entity.en if entity else iri

    def offering(self, service: str) -> set[str]:
        """The departments that offer this service (their own stated or implied claim)."""
        return set(self._offered.get(service, ()))

    def having(self, device: str) -> set[str]:
        """The departments that list this equipment as their own."""
        return set(self._held.get(device, ()))

    def department_ids(self, refs: Iterable[str]) -> frozenset[str]:
        """The departments named by IRIs or `ttc:` names (the `department=` filter).

        Raises:
            InvalidParameter: A name that is no department of this graph.
        """
        found = set()
        for ref in refs:
            iri = str(TTC) + ref[4:] if ref.startswith("ttc:") else ref
            if iri not in self.departments:
                raise InvalidParameter("department", f"{ref!r} is not a department of this graph; GET /api/departments "
                                                     "lists them")
            found.add(iri)
        return frozenset(found)

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


def _what(kinds: frozenset[str], lang: str = "en") -> str:
    if lang == "zh":
        return "或".join(KIND_NAMES[kind]["zh"] for kind in sorted(kinds)) if kinds else "条目"
    return " or ".join(sorted(kinds)) if kinds else "entity"


def resolve(index: LabelIndex, q: str, kinds: frozenset[str], lang: str = "en") -> Answer:
    """Match `q` to one entity of `kinds` by its IRI, an exact label, a code of the same meaning, or the
    one name that holds every word typed (in any order).

    Anything less than that is never a match: several exact names, a code that is broader or
    narrower than a condition, or several names that hold every word typed give `candidates` to
    choose from; nothing at all gives `found` false with a way on: close names, the broader condition
    a common subtype name falls under (marked `broader`), never merged into the answer.
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
        why = message("several", lang, q=text, n=len(firm))
    elif loose := _best_per_entity(label for label in exact if label.mapping not in ("", "exactMatch")) or \
            _category_codes(index, text, kinds):
        firm, why = loose, message("no_same_code", lang, q=text)
    elif len(same := _best_per_entity(_same_words(index, text, kinds))) == 1:
        entity = index.entities[same[0].entity]
        _matched(answer, entity, same[0], lang, how="all_words")
        answer.notes.insert(0, message("all_words", lang, q=text, label=same[0].text, name=entity.label(lang)))
        return answer
    elif words := _best_per_entity(_by_words(index, text, kinds)):
        firm, why = words, message("several_words", lang, q=text, n=len(words))
    if firm:
        listed = firm[:MAX_CANDIDATES]  # a graph of many centers repeats one name on many entities
        answer.candidates = [index.entities[label.entity].json(lang, label.text) for label in listed]
        answer.notes = [why] + ([message("first_listed", lang, shown=len(listed))] if len(firm) > len(listed) else []) \
            + [_code_note(label, index.entities[label.entity], lang)
               for label in listed if label.mapping not in ("", "exactMatch")]
        return answer
    answer.found = False
    others = [index.entities[label.entity]
              for label in _best_per_entity(label for label in named if label not in exact)][:MAX_CANDIDATES]
    if others:
        answer.notes.append(message("other_kind", lang, q=text, what=_what(kinds, lang),
                                    kind=KIND_NAMES.get(others[0].kind, {}).get(lang, others[0].kind),
                                    name=", ".join(other.label(lang) for other in others)))
        answer.candidates = [other.json(lang) for other in others]
    else:
        answer.notes.append(message("not_called", lang, q=text, what=_what(kinds, lang)))
    answer.candidates += [index.entities[label.entity].json(lang, label.text)
                          for label in suggestions(index, text, kinds)
                          if label.entity not in {c["id"] for c in answer.candidates}]
    _broader_way_on(index, answer, text, lang)
    return answer


def _broader_way_on(index: LabelIndex, answer: Answer, text: str, lang: str) -> None:
    """For a common subtype name the graph lacks: the broader condition the source states, marked as broader."""
    norm = normalise(text)
    if norm not in SUBTYPES:
        return
    broader = SUBTYPES[norm]
    entity = index.entity(broader) if broader else None
    if entity is None:
        answer.notes.append(message("not_treated", lang, q=text))
        return
    answer.notes.append(message("broader", lang, q=text, name=entity.label(lang)))
    item = entity.json(lang)
    item["broader"] = message("broader", lang, q=text, name=entity.label(lang))
    answer.candidates = [item] + [c for c in answer.candidates if c["id"] != entity.id]


def _matched(answer: Answer, entity: Entity, label: Label, lang: str = "en", how: str = "") -> Answer:
    answer.entity, answer.matched = entity, entity.json(lang, label.text)
    answer.matched["match"] = how or {"id": "id", "code": "code", "codeLabel": "code_label"}.get(label.kind, "label")
    name = entity.label(lang)
    if how:
        pass
    elif label.kind == "hiddenLabel":
        answer.notes.append(message("hidden", lang, label=label.text, name=name)
                            + (message("editorial" if lang == "en" or entity.notes_zh else "editorial_en", lang,
                                       note=entity.note(lang)) if entity.notes else ""))
    elif label.kind == "code":
        answer.notes.append(message("code_same", lang, label=label.text, name=name))
    elif label.kind == "codeLabel":
        answer.notes.append(message("code_label", lang, label=label.text, name=name))
    return answer


def _code_note(label: Label, entity: Entity, lang: str = "en") -> str:
    name = entity.label(lang)
    if label.mapping.startswith("category "):
        return message("code_category", lang, label=label.text, category=label.mapping[9:], name=name)
    key = {"broadMatch": "code_broad", "narrowMatch": "code_narrow", "closeMatch": "code_close"}.get(label.mapping,
                                                                                                  "code_related")
    return message(key, lang, label=label.text, name=name)


def _category_codes(index: LabelIndex, text: str, kinds: frozenset[str]) -> list[Label]:
    """For a valid-looking code the graph lacks (C34.9), the conditions whose code is its category (C34)."""
    code = _CODE.fullmatch(unicodedata.normalize("NFKC", text).upper().replace(" ", ""))
    if code is None or not code.group(2):
        return []
    return [Label(text, "code", label.entity, mapping=f"category {label.text}")
            for label in index.exact.get(normalise(code.group(1)), [])
            if label.kind == "code" and label.mapping == "exactMatch" and index.entities[label.entity].kind in kinds]


def _same_words(index: LabelIndex, text: str, kinds: frozenset[str]) -> list[Label]:
    """Labels made of exactly the words typed, in another order ("cancer lung"): no word more, so never
    a narrower or broader name."""
    words = sorted(normalise(text).split())
    return [label for label in index.labels
            if label.kind in ("prefLabel", "altLabel") and index.entities[label.entity].kind in kinds
            and len(words) > 1 and sorted(label.words) == words]


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
        for label in _category_codes(index, text, frozenset(KINDS) if kinds is None else kinds):
            item = index.entities[label.entity].json(lang, label.text)
            item.update(match="code_category", match_lang=None)
            answer.results.append(item)
            answer.notes.append(_code_note(label, index.entities[label.entity], lang))
    if not answer.results:
        answer.found = False
        answer.notes.append(message("nothing_called", lang, q=text))
        answer.candidates = [index.entities[label.entity].json(lang, label.text)
                             for label in suggestions(index, text, kinds)]
        _broader_way_on(index, answer, text, lang)
    return answer


__all__ = [
    "KINDS",
    "KIND_NAMES",
    "LANGS",
    "MAX_CANDIDATES",
    "MESSAGES",
    "NOT_STATED",
    "PART_ROWS",
    "QUERIES",
    "REFERRAL_DIR",
    "SPELLINGS",
    "SUBTYPES",
    "Answer",
    "Code",
    "Entity",
    "Label",
    "LabelIndex",
    "check_input",
    "index_rows",
    "label_index",
    "message",
    "normalise",
    "parse_lang",
    "resolve",
    "search",
    "suggestions",
]
