"""Referral lookups for coordinators: answer from the graph about the one entity a person's words name.

What the center offers for a condition, its work-up, the conditions a procedure is for, a procedure's
equipment, and the center's profile; each fact carries its status and evidence, inferred or ambiguous
ones only when asked, and a lookup never climbs to a broader concept. Naming the entity (normalising,
the label index, candidates and suggestions) is `queries.matching`, imported here with `QUERIES`, the
checked `queries/referral/*.rq`, which get bound values only. Imports rdflib terms, `graph`,
`queries.catalog`, `queries.params` and `queries.matching`; never FastAPI or `api`.
"""

from __future__ import annotations

import copy
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from rdflib import Literal
from rdflib.term import Node

from graph.namespaces import KG, SCHEMA, TTC
from graph.partition import department_graph_iri
from graph.store import Store
from queries.catalog import bind
from queries.fhir import resource_id
from queries.matching import QUERIES, Answer, Entity, LabelIndex, message, resolve
from queries.params import InvalidParameter, convert

CONDITION_KINDS = frozenset({"condition", "indication"})
PROCEDURE_KINDS = frozenset({"procedure", "therapy", "examination"})
INCLUDES = ("inferred", "narrower")
STATUSES = {str(KG.Stated): "stated", str(KG.Implied): "implied", str(KG.Inferred): "inferred",
            str(KG.Ambiguous): "ambiguous"}
_FIRMNESS = ("stated", "implied", "inferred", "ambiguous")
FIRM = frozenset({"stated", "implied"})


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


@dataclass
class Fact:
    """One relation (subject, predicate, object) gathered from its claim rows: status, evidence, note."""

    target: str
    status: str
    evidence: list[dict[str, Any]] = field(default_factory=list)
    notes: dict[str, str] = field(default_factory=dict)  # the curators' note, {"en": …, "zh": …} as far as it exists
    extra: dict[str, Any] = field(default_factory=dict)
    departments: set[str] = field(default_factory=set)  # whose descriptions its claims are read from (kg:claimedBy)
    statuses: dict[str, str] = field(default_factory=dict)  # the firmest status of each department's claims
    notes_by: dict[str | None, dict[str, str]] = field(default_factory=dict)  # each department's claim's note

    def gather_notes(self) -> None:
        """`notes` from the claims of the departments the fact still names (and of claims no department made)."""
        self.notes = {}
        for department in sorted(self.notes_by, key=lambda d: d or ""):
            if department is None or department in self.departments:
                for lang, text in self.notes_by[department].items():
                    self.notes.setdefault(lang, text)

    def note(self, lang: str) -> str | None:
        """The note in `lang`, English where it has no Chinese translation."""
        return self.notes.get(lang) or self.notes.get("en")


def _facts(rows: Iterable[Mapping[str, Node]], target: str, key: Iterable[str] = (),
           only: frozenset[str] = frozenset()) -> list[Fact]:
    """Claim rows (one per evidence span) grouped per target (and `key` columns), firmest status kept, overall and
    per department; with `only`, the rows of those departments' claims alone (status, evidence and notes are theirs)."""
    grouped: dict[tuple[str, ...], Fact] = {}
    keys = tuple(key)
    for row in rows:
        department = str(row["department"]) if "department" in row else None
        if only and department not in only:
            continue
        ident = (str(row[target]), *(str(row.get(k, "")) for k in keys))
        status = STATUSES.get(str(row.get("status", "")), "stated")
        fact = grouped.setdefault(ident, Fact(ident[0], status, extra={k: row.get(k) for k in keys}))
        if _FIRMNESS.index(status) < _FIRMNESS.index(fact.status):
            fact.status = status
        if department:
            fact.departments.add(department)
            held = fact.statuses.get(department)
            if held is None or _FIRMNESS.index(status) < _FIRMNESS.index(held):
                fact.statuses[department] = status
        if "quote" in row:
            span = {"quote": str(row["quote"]), "start": int(_number(row["start"])), "end": int(_number(row["end"])),
                    "department": department}
            if span not in fact.evidence:
                fact.evidence.append(span)
                fact.evidence.sort(key=lambda s: (s["department"] or "", s["start"], s["end"]))
        for column, lang in (("note", "en"), ("note_zh", "zh")):
            if column in row:
                fact.notes_by.setdefault(department, {}).setdefault(lang, str(row[column]))
    for fact in grouped.values():
        fact.gather_notes()
    return list(grouped.values())


def _number(term: Node) -> int | float:
    value = term.toPython() if isinstance(term, Literal) else term
    if isinstance(value, int | float | Decimal):
        return int(value) if value == int(value) else float(value)
    return int(str(value)[:4]) if str(value)[:4].isdigit() else float(str(value))


def run_referral(store: Store, name: str, *, each: Mapping[str, Iterable[str]] | None = None,
                 **raw: str) -> list[dict[str, Node]]:
    """The rows of the referral query `name` (queries/referral/{name}.rq) with these values bound; `each` binds a
    parameter to several values at once (the rows of all of them, in one query; none for no value), each value
    checked like a single one."""
    query = QUERIES[name]
    many = {param: sorted(set(values)) for param, values in (each or {}).items()}
    if any(not values for values in many.values()):
        return []
    bindings: dict[str, Node | tuple[Node, ...]] = {
        **bind(query, {**raw, **{param: values[0] for param, values in many.items()}}),
        **{param: tuple(convert(query.param(param), value) for value in values) for param, values in many.items()}}
    return store.select(query.sparql, bindings=bindings)


def _item(index: LabelIndex, fact: Fact, lang: str, only: frozenset[str] = frozenset()) -> dict[str, Any] | None:
    """The fact's target as an ENTITY with status, evidence, notes and `departments`, the departments (among `only`,
    when given) whose descriptions state it; None if it is not in the index, or if `only` keeps no department."""
    entity = index.entities.get(fact.target)
    departments = _within(fact.departments, only)
    if entity is None or (only and not departments):
        return None
    return {**entity.json(lang), "status": fact.status, "evidence": fact.evidence, **_notes(fact, lang),
            "departments": _with_status(index.departments_json(departments, lang), fact)}


def _with_status(departments: list[dict[str, Any]], fact: Fact) -> list[dict[str, Any]]:
    """Each department with the status of its own claims of the fact (never another department's)."""
    return [{**d, "status": fact.statuses.get(d["id"])} for d in departments]


def _within(departments: Iterable[str], only: frozenset[str]) -> set[str]:
    """These departments, only those of `only` when it names any (the `department=` filter)."""
    return {d for d in departments if not only or d in only}


def _notes(fact: Fact, lang: str) -> dict[str, Any]:
    """`note` in `lang` (English where untranslated) and `notes` in both languages."""
    return {"note": fact.note(lang), "notes": dict(fact.notes)}


def _keep(facts: list[Fact], include: frozenset[str], left_out: list[Fact] | None = None) -> list[Fact]:
    """The facts stated or implied (all, with include=inferred); of a fact kept, a department whose own claims are
    only inferred or ambiguous is left out with its quotes, unless inferred ones are asked for: one department's
    firm words never lend another department's weaker claim their status."""
    kept = [fact for fact in facts if fact.status in FIRM or "inferred" in include]
    if left_out is not None:
        left_out.extend(fact for fact in facts if fact not in kept)
    if "inferred" not in include:
        for fact in kept:
            weak = {d for d, status in fact.statuses.items() if status not in FIRM}
            if weak:
                fact.departments -= weak
                fact.evidence = [span for span in fact.evidence if span.get("department") not in weak]
                fact.gather_notes()
    return kept


def _left_out_note(left_out: list[Fact], lang: str = "en") -> list[str]:
    return [message("left_out", lang, n=len(left_out))] if left_out else []


def _none_for(what: str, entity: Entity, lang: str) -> str:
    return message("none_for", lang, what=message(what, lang), name=entity.label(lang))


_RELATIONS = {str(KG.hasApproach): "approaches", str(KG.usesEquipment): "equipment",
              str(SCHEMA.usesDevice): "equipment", str(KG.hasIndication): "indications", str(KG.precedes): "precedes"}


def _no_facts() -> dict[str, list[dict[str, Any]]]:
    return {"approaches": [], "equipment": [], "indications": [], "precedes": []}


def facts_of_procedures(store: Store, index: LabelIndex, procedures: Iterable[str], include: frozenset[str],
                        lang: str, only: frozenset[str] = frozenset()) -> dict[str, dict[str, list[dict[str, Any]]]]:
    """Each procedure's approaches, equipment, indications and the procedures it precedes, each with evidence and the
    departments that state it, from one query for all of them; a piece of equipment says which departments list it
    as their own (`held_by`; `center_has` when the real center does)."""
    wanted = set(procedures)
    grouped = {procedure: _no_facts() for procedure in wanted}
    rows = run_referral(store, "procedure_facts", each={"procedure": wanted})
    for fact in _keep(_facts(rows, "target", ["procedure", "relation"], only), include):
        item = _item(index, fact, lang, only)
        if item is not None:
            group = _RELATIONS[str(fact.extra["relation"])]
            if group == "equipment":
                held = _within(index.having(fact.target), only)
                item.update(center_has=str(TTC.Center) in held,  # the real center's own equipment, as always
                            held_by=index.departments_json(held, lang))
            grouped[str(fact.extra["procedure"])][group].append(item)
    return grouped


def procedure_facts(store: Store, index: LabelIndex, procedure: str, include: frozenset[str],
                    lang: str, only: frozenset[str] = frozenset()) -> dict[str, list[dict[str, Any]]]:
    """One procedure's facts (`facts_of_procedures`)."""
    return facts_of_procedures(store, index, [procedure], include, lang, only)[procedure]


def _bool(term: Node | None) -> bool:
    return term is not None and str(term).lower() in ("true", "1")


def _hierarchy(fact: Fact, lang: str) -> dict[str, Any]:
    """The status and note (in `lang`, English where untranslated) of the hierarchy claim a narrower item was
    reached through (None when plain)."""
    status = fact.extra.get("hierarchy_status")
    note = (fact.extra.get("hierarchy_note_zh") if lang == "zh" else None) or fact.extra.get("hierarchy_note")
    return {"hierarchy_status": STATUSES.get(str(status), None) if status is not None else None,
            "hierarchy_note": str(note) if note is not None else None}


def procedures_for(store: Store, index: LabelIndex, entity: Entity, include: frozenset[str],
                   lang: str, only: frozenset[str] = frozenset()) -> tuple[list[dict[str, Any]], list[str]]:
    """What the departments offer for exactly this condition or indication (narrower ones only if asked).

    `departments` are the departments that offer the procedure and whose own descriptions say it is for this
    condition; `also_offered_by` those that offer it without saying so (their words do not link it to this
    condition, so they are listed apart, never as treating it)."""
    rows = run_referral(store, "procedures_for_condition", condition=entity.id,
                include_narrower="true" if "narrower" in include else "false")
    left_out: list[Fact] = []
    facts = _keep(_facts(rows, "procedure", ["treated", "via", "hierarchy_status", "hierarchy_note",
                                             "hierarchy_note_zh"], only), include, left_out)
    results = []
    for fact in facts:
        item = _item(index, fact, lang)
        offering = index.offering(fact.target)
        stating, others = _within(offering & fact.departments, only), _within(offering - fact.departments, only)
        if item is None or (only and not stating and not others):
            continue
        item.update(departments=_with_status(index.departments_json(stating, lang), fact),
                    also_offered_by=index.departments_json(others, lang))  # their words link it to nothing here
        treated = index.entities.get(str(fact.extra["treated"]))
        item.update(via="treats" if str(fact.extra["via"]) == str(KG.treats) else "indication",
                    condition=treated.json(lang) if treated else None,
                    narrower=str(fact.extra["treated"]) != entity.id, **_hierarchy(fact, lang))
        results.append(item)
    facts_of = facts_of_procedures(store, index, [item["id"] for item in results], include, lang, only)
    for item in results:  # a copy each: one procedure can be two results (it treats the condition and is indicated)
        item.update(copy.deepcopy(facts_of[item["id"]]))
    if entity.kind == "condition":  # a sequence step for another condition's operation is not this answer
        offered = {item["id"] for item in results}
        for item in results:
            item["precedes"] = [step for step in item["precedes"] if step["id"] in offered]
    results.sort(key=lambda item: (item["narrower"], item["type"] == "therapy", item["labels"]["en"]))
    notes = _scope_notes(index, entity, include, lang) + _left_out_note(left_out, lang)
    if not results:
        notes.insert(0, _none_for("what_procedures", entity, lang))
    return results, notes


def _scope_notes(index: LabelIndex, entity: Entity, include: frozenset[str], lang: str = "en") -> list[str]:
    notes = []
    comma = "、" if lang == "zh" else ", "
    broader = [index.entities[b].label(lang) for b in entity.broader if b in index.entities]
    if broader:
        notes.append(message("only_itself", lang, name=entity.label(lang), broader=comma.join(broader)))
    narrower = [index.entities[n].label(lang) for n in index.narrower.get(entity.id, []) if n in index.entities]
    if narrower and "narrower" not in include:
        notes.append(message("narrower_hint", lang, narrower=comma.join(sorted(narrower))))
    elif narrower:
        notes.append(message("narrower_in", lang))
    return notes


def workup_for(store: Store, index: LabelIndex, entity: Entity, include: frozenset[str],
               lang: str, only: frozenset[str] = frozenset()) -> tuple[list[dict[str, Any]], list[str]]:
    """The staging examinations stated for exactly this condition, each with the departments whose descriptions state
    it (each `routine` when that department includes it routinely in its work-up)."""
    rows = run_referral(store, "workup_for_condition", condition=entity.id,
                include_narrower="true" if "narrower" in include else "false")
    left_out: list[Fact] = []
    results = []
    keys = ["staged", "hierarchy_status", "hierarchy_note", "hierarchy_note_zh"]
    for fact in _keep(_facts(rows, "examination", keys, only), include, left_out):
        item = _item(index, fact, lang, only)
        if item is not None:
            staged = index.entities.get(str(fact.extra["staged"]))
            for department in item["departments"]:
                department["routine"] = fact.target in index.departments[department["id"]].routine
            item.update(routine=any(d["routine"] for d in item["departments"]),
                        condition=staged.json(lang) if staged else None,
                        narrower=str(fact.extra["staged"]) != entity.id, **_hierarchy(fact, lang))
            results.append(item)
    facts_of = facts_of_procedures(store, index, [item["id"] for item in results], include, lang, only)
    for item in results:
        item["equipment"] = copy.deepcopy(facts_of[item["id"]]["equipment"])
    results.sort(key=lambda item: (item["narrower"], not item["routine"], item["labels"]["en"]))
    notes = _scope_notes(index, entity, include, lang) + _left_out_note(left_out, lang)
    if not results:
        notes.insert(0, _none_for("what_workup", entity, lang))
    return results, notes


def conditions_for(store: Store, index: LabelIndex, entity: Entity, include: frozenset[str],
                   lang: str, only: frozenset[str] = frozenset()) -> tuple[list[dict[str, Any]], list[str]]:
    """The conditions a procedure treats, the indications it is for, or the conditions an examination stages."""
    left_out: list[Fact] = []
    results = []
    for fact in _keep(_facts(run_referral(store, "conditions_for_procedure", procedure=entity.id), "condition",
                             ["relation"], only), include, left_out):
        item = _item(index, fact, lang, only)
        if item is not None:
            item["relation"] = str(fact.extra["relation"])
            results.append(item)
    notes = _left_out_note(left_out, lang)
    if not results:
        notes.insert(0, _none_for("what_conditions", entity, lang))
    return results, notes


def equipment_for(store: Store, index: LabelIndex, entity: Entity, include: frozenset[str],
                  lang: str, only: frozenset[str] = frozenset()) -> tuple[list[dict[str, Any]], list[str]]:
    """The devices a procedure or examination uses, and which departments list them as their own."""
    results = procedure_facts(store, index, entity.id, include, lang, only)["equipment"]
    return results, ([] if results else [_none_for("what_equipment", entity, lang)])


def lookup(store: Store, index: LabelIndex, name: str, q: str, *, include: frozenset[str] = frozenset(),
           lang: str = "en", departments: frozenset[str] = frozenset()) -> Answer:
    """Run the lookup called `name` on the person's words `q`, for every department or only `departments`."""
    kinds, answer_for = LOOKUPS[name]
    answer = resolve(index, q, kinds, lang)
    if answer.entity is not None:
        answer.results, notes = answer_for(store, index, answer.entity, include, lang, departments)
        answer.notes.extend(notes)
    return answer


LOOKUPS = {
    "procedures-for-condition": (CONDITION_KINDS, procedures_for),
    "conditions-for-procedure": (PROCEDURE_KINDS, conditions_for),
    "equipment-for-procedure": (PROCEDURE_KINDS, equipment_for),
    "workup-for-condition": (frozenset({"condition"}), workup_for),
}


def departments(store: Store, index: LabelIndex, lang: str) -> list[dict[str, Any]]:
    """Every department (the real center first, synthetic ones marked) with its hospital and place where stated, how
    many services, pieces of equipment and claims of its own the graph holds, its `key` (`Center`, `syn-0001`), the
    paths of its schema.org JSON-LD and FHIR Organization, and its named graph (`graph.partition`) with the paths of
    its TriG and N-Quads downloads."""
    claims = {str(row["department"]): int(_number(row["claims"])) for row in run_referral(store, "department_claims")}
    listed = index.departments_json(index.departments, lang)
    for entry in listed:
        department = index.departments[entry["id"]]
        key = resource_id(entry["id"])
        entry.update(key=key, services=len(department.services), equipment=len(department.equipment),
                     claims=claims.get(entry["id"], 0), jsonld=f"/departments/{key}.jsonld",
                     fhir=f"/fhir/Organization/{key}",
                     graph={"iri": department_graph_iri(entry["id"]), "download": f"/departments/{key}.trig",
                            "nquads": f"/departments/{key}.nq"})
    return listed


def department_choices(index: LabelIndex, lang: str, chosen: Iterable[str] = ()) -> list[dict[str, Any]]:
    """The departments a page offers to choose from, by hospital: `[{hospital, synthetic, departments}]`, each
    department a DEPARTMENT with `chosen` and `short` (its label less its hospital's name). The real center's
    hospital comes first, real departments before synthetic ones, then by hospital and department name in English
    (one order in both languages). Empty when the graph holds fewer than two departments: nothing to choose."""
    if len(index.departments) < 2:
        return []
    picked = set(chosen)

    def order(department: dict[str, Any]) -> tuple[bool, bool, str, str]:
        hospital = department["hospital"]["labels"]["en"] if department["hospital"] else "\uffff"
        return department["id"] != str(TTC.Center), department["synthetic"], hospital, department["labels"]["en"]

    groups: dict[str | None, dict[str, Any]] = {}
    for department in sorted(index.departments_json(index.departments, lang), key=order):
        hospital = department["hospital"]
        group = groups.setdefault(hospital["id"] if hospital else None,
                                  {"hospital": hospital, "synthetic": True, "departments": []})
        group["synthetic"] = group["synthetic"] and department["synthetic"]
        group["departments"].append({**department, "short": _short(department), "chosen": department["id"] in picked})
    return list(groups.values())


def _short(department: dict[str, Any]) -> str:
    """The department's label without its hospital's name, which its group already shows ("Department of Thoracic
    Surgery, X Hospital" → "Department of Thoracic Surgery"; "X医院胸外科" → "胸外科"); the whole label otherwise."""
    label, hospital = department["label"], department["hospital"]
    for name in filter(None, (hospital or {}).get("labels", {}).values()):
        if label.endswith(", " + name):
            return str(label[: -len(name) - 2])
        if label.startswith(name) and len(label) > len(name):
            return str(label[len(name):].lstrip(" ,，"))
    return str(label)


def center_claims(store: Store, index: LabelIndex, entity: str | None, include: frozenset[str],
                  lang: str) -> dict[str, list[dict[str, Any]]]:
    """The center's claims (about one entity, or all), by predicate local name, each target an ENTITY."""
    if index.center is None:
        return {}
    raw = {"center": index.center, **({"entity": entity} if entity else {})}
    rows = run_referral(store, "center_relations", each=None, **raw)
    by_predicate: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for fact in _keep(_facts(rows, "target", ["predicate", "target_en", "target_zh"]), include):
        item = _item(index, fact, lang)
        if item is None:  # a vocabulary term such as schema:Oncologic, outside the index
            en, zh = fact.extra.get("target_en"), fact.extra.get("target_zh")
            known = Entity(fact.target, "specialty", str(en or fact.target), str(zh) if zh else None)
            item = {**known.json(lang), "status": fact.status, "evidence": fact.evidence, **_notes(fact, lang)}
        by_predicate[str(fact.extra["predicate"]).rsplit("#", 1)[-1]].append(item)
    return by_predicate


def center_profile(store: Store, index: LabelIndex, *, include: frozenset[str] = frozenset(),
                   lang: str = "en") -> dict[str, Any]:
    """The center's profile: organisation, innovations, services with flags, and its figures with bounds kept."""
    if index.center is None:
        return {"center": None, "parent": None, "affiliations": [], "specialties": [], "innovations": [],
                "services": {}, "workup": [], "figures": [],
                "notes": [message("center_none", lang)]}
    claims = center_claims(store, index, None, include, lang)
    offered = {item["id"]: item for key in ("offers", "performsRoutinely") for item in claims.get(key, [])}
    services: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in run_referral(store, "center_services", center=index.center):
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
    # Every figure, whatever its status: each carries its status and editorial note, so none is hidden.
    figures = [_figure(fact, lang) for fact in _facts(run_referral(store, "center_figures", center=index.center), "figure", [
        "label", "kind", "value", "min_value", "min_exclusive", "unit", "period", "decade", "verbatim",
        "about_label", "label_zh"])]
    parent = claims.get("keyDepartmentOf", [])
    notes = [message("flags", lang)]
    routine = {item["id"] for item in claims.get("includesRoutinelyInWorkup", [])}
    workup = list({item["id"]: {**item, "routine": item["id"] in routine}  # used by the work-up; who performs it: not said
                   for item in (*claims.get("includesInWorkup", []), *claims.get("includesRoutinelyInWorkup", []))}.values())
    return {"center": index.entities[index.center].json(lang), "parent": parent[0] if parent else None,
            "affiliations": claims.get("memberUnitOf", []), "specialties": claims.get("hasSpecialty", []),
            "innovations": claims.get("developedInnovation", []), "location": claims.get("locatedIn", []),
            "services": dict(sorted(services.items())), "workup": workup, "figures": figures, "notes": notes}


def _figure(fact: Fact, lang: str) -> dict[str, Any]:
    extra = fact.extra
    bound = extra.get("min_value") is not None
    decade = str(extra["decade"]) if extra.get("decade") is not None else None
    label = str(extra.get("label") or fact.target.rsplit("/", 1)[-1])
    return {"label": label, "labels": {"en": label, "zh": str(extra["label_zh"]) if extra.get("label_zh") else None},
            "value": None if bound or decade or extra.get("value") is None else _number(extra["value"]),
            "decade": decade, **_notes(fact, lang),
            "about": str(extra["about_label"]) if extra.get("about_label") is not None else None,
            "minimum": _number(extra["min_value"]) if bound else None,
            "exclusive": bound and _bool(extra.get("min_exclusive")),
            "unit": str(extra["unit"]) if extra.get("unit") is not None else None,
            "period": str(extra["period"]) if extra.get("period") is not None else None,
            "kind": str(extra["kind"]) if extra.get("kind") is not None else None,
            "verbatim": str(extra.get("verbatim") or ""), "status": fact.status, "evidence": fact.evidence}


__all__ = ["CONDITION_KINDS", "INCLUDES", "LOOKUPS", "PROCEDURE_KINDS", "center_claims", "center_profile", "conditions_for",
           "departments",
           "equipment_for", "lookup", "parse_include", "procedure_facts", "procedures_for", "workup_for"]
