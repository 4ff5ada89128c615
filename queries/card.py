"""The referral card: everything one printable card shows for a condition or procedure, assembled from
the lookups of `queries.referral` and the naming of `queries.matching`, each line with the footnote
numbers of its evidence. Used by the `/referral` page and the JSON `/api/card`; never imports FastAPI.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from graph.namespaces import TTC
from graph.store import Store
from queries import matching
from queries import referral as ref

KINDS = ref.CONDITION_KINDS | ref.PROCEDURE_KINDS


def card_for(store: Store, index: matching.LabelIndex, q: str, include: frozenset[str],
             lang: str, only: frozenset[str] = frozenset()) -> tuple[matching.Answer, dict[str, Any] | None]:
    """Resolve `q` to one condition or procedure and, if it is one, its card in JSON-ready form.

    Raises:
        InvalidParameter: `q` is empty, too long or holds control characters.
    """
    answer = matching.resolve(index, q, KINDS, lang)
    if answer.entity is None:
        return answer, None
    found = card(store, index, answer.entity, include, lang, only)
    found["codes"] = [dataclasses.asdict(code) for code in found["codes"]]
    return answer, found


class _Refs:
    """Footnote numbers for evidence spans, in order of first use, so that each quote prints once."""

    def __init__(self) -> None:
        self.spans: list[dict[str, Any]] = []

    def __call__(self, evidence: list[dict[str, Any]]) -> list[int]:
        numbers = []
        for span in evidence:
            if span not in self.spans:
                self.spans.append(span)
            numbers.append(self.spans.index(span) + 1)
        return sorted(set(numbers))


def card(store: Store, index: matching.LabelIndex, entity: matching.Entity, include: frozenset[str],
          lang: str, only: frozenset[str] = frozenset()) -> dict[str, Any]:
    """Everything one card shows, each line with the footnote numbers of its evidence; `departments` groups the
    answer by department when more than one department is in it (empty for the center alone)."""
    refs = _Refs()
    claims = ref.center_claims(store, index, None, include, lang)  # one query for the header and the equipment
    card: dict[str, Any] = {
        "entity": entity.json(lang), "kind": entity.kind, "codes": index.codes.get(entity.id, []),
        "broader": [index.entities[b].json(lang) for b in entity.broader if b in index.entities],
        "narrower": sorted(({**index.entities[n].json(lang),
                             "link_stated": entity.id not in index.entities[n].unstated_broader}
                            for n in index.narrower.get(entity.id, []) if n in index.entities),
                           key=lambda e: e["labels"]["en"]),
        "center": [{**claim, "predicate": predicate, "refs": refs(claim["evidence"])}
                   for predicate in ("treatsCondition", "offers", "performsRoutinely")
                   for claim in claims.get(predicate, []) if claim["id"] == entity.id
                   if not only or str(TTC.Center) in only]}  # the real center's own words, unless filtered out
    owned = {claim["id"]: claim for claim in claims.get("hasEquipment", [])}
    if entity.kind in ref.CONDITION_KINDS:
        procedures, notes = ref.procedures_for(store, index, entity, include, lang, only)
        workup, workup_notes = ref.workup_for(store, index, entity, include, lang, only) if entity.kind == "condition" \
            else ([], [])
        card["notes"] = list(dict.fromkeys(notes + workup_notes))
        _with_refs(procedures + workup, refs)
        card["groups"] = _by_approach([item for item in procedures if item["type"] != "therapy"], lang)
        card["therapies"] = [item for item in procedures if item["type"] == "therapy"]
        card["sequence"] = _sequence(procedures, refs)
        card["workup"] = workup
        card["equipment"] = _equipment(procedures + workup, refs, owned)
        card["departments"] = _by_department(index, lang, refs, procedures=procedures, workup=workup)
    elif entity.kind in ref.PROCEDURE_KINDS:
        conditions, notes = ref.conditions_for(store, index, entity, include, lang, only)
        facts = ref.procedure_facts(store, index, entity.id, include, lang, only)
        card["notes"] = notes
        _with_refs(conditions + [fact for group in facts.values() for fact in group], refs)
        card["conditions"], card["facts"] = conditions, facts
        card["equipment"] = _equipment([{**entity.json(lang), "equipment": facts["equipment"]}], refs, owned)
        card["departments"] = _by_department(index, lang, refs, conditions=conditions)
    _holders(store, card["equipment"], refs)
    card["footnotes"] = [{**span, "department_of": _department_of(index, span.get("department"), lang)}
                         for span in refs.spans]
    # whose descriptions the quotes are from: the center's alone (the single-center card's line) or several
    card["sources_many"] = any(span.get("department") not in (None, str(TTC.Center)) for span in refs.spans)
    return card


def _holders(store: Store, equipment: list[dict[str, Any]], refs: _Refs) -> None:
    """Each department that lists a device as its own (`held_by`), with the footnotes of its own words saying so."""
    held = [device for device in equipment if device.get("held_by")]
    rows = ref.run_referral(store, "equipment_holders", each={"equipment": [device["id"] for device in held]})
    for device in held:
        for holder in device["held_by"]:
            own = [{"quote": str(r["quote"]), "start": int(str(r["start"])), "end": int(str(r["end"])),
                    "department": holder["id"]} for r in rows
                   if str(r["equipment"]) == device["id"] and str(r["department"]) == holder["id"] and "quote" in r]
            holder["refs"] = refs(own)


def _department_of(index: matching.LabelIndex, department: str | None, lang: str) -> dict[str, Any] | None:
    """The department a quote is from, for a footnote (None when the graph has one department: it is the center)."""
    if len(index.departments) < 2 or department is None:
        return None
    found = index.departments_json([department], lang)
    return found[0] if found else None


def _by_department(index: matching.LabelIndex, lang: str, refs: _Refs,
                   **sections: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The answer again per department, when it holds more than one: each department (the real center first) with
    the items of each section its own description states (`procedures`, `workup`, `conditions`), each with the
    footnotes of that department's evidence only (a work-up item with that department's `routine`), and, for
    procedures, those it offers without linking them to this condition (`also`). Empty for one department or none."""
    groups: dict[str, dict[str, Any]] = {}

    def group(department: dict[str, Any]) -> dict[str, Any]:
        return groups.setdefault(department["id"], {"department": department, "also": [],
                                                    **{name: [] for name in sections}})

    for name, items in sections.items():
        for item in items:
            for department in item.get("departments", []):
                own = [span for span in item.get("evidence", []) if span.get("department") == department["id"]]
                group(department)[name].append({
                    **{key: item[key] for key in ("id", "type", "label", "labels")},
                    "status": department.get("status"),  # that department's own claims', never the item's
                    "routine": bool(department.get("routine")), "refs": refs(own)})
            for department in item.get("also_offered_by", []):
                group(department)["also"].append({key: item[key] for key in ("id", "type", "label", "labels")})
    if len(groups) < 2:
        return []
    return [groups[d["id"]] for d in index.departments_json(groups, lang)]


def _with_refs(items: list[dict[str, Any]], refs: _Refs) -> None:
    for item in items:
        item["refs"] = refs(item.get("evidence", []))
        for key in ("approaches", "indications", "precedes", "equipment"):
            for fact in item.get(key, []):
                fact["refs"] = refs(fact.get("evidence", []))


def _by_approach(items: list[dict[str, Any]], lang: str) -> list[dict[str, Any]]:
    """Procedures under their (firmest) approach; those without a stated approach last."""
    groups: dict[str, dict[str, Any]] = {}
    for item in items:
        approach = item["approaches"][0] if item["approaches"] else None
        key = approach["id"] if approach else ""
        group = groups.setdefault(key, {"approach": approach, "items": []})
        group["items"].append(item)
    return sorted(groups.values(), key=lambda g: (g["approach"] is None, g["approach"]["label"] if g["approach"] else ""))


def _sequence(items: list[dict[str, Any]], refs: _Refs) -> list[dict[str, Any]]:
    """Per indication: the options the source gives for it and what they come before."""
    steps: dict[str, dict[str, Any]] = {}
    for item in items:
        for indication in item.get("indications", []):
            step = steps.setdefault(indication["id"], {"indication": indication, "options": [], "then": [], "refs": []})
            step["options"].append(item)
            step["then"].extend(p for p in item.get("precedes", []) if p not in step["then"])
            step["refs"] = sorted(set(step["refs"]) | set(indication["refs"])
                                  | {n for p in item.get("precedes", []) for n in p["refs"]})
    return list(steps.values())


def _equipment(items: list[dict[str, Any]], refs: _Refs, owned: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """Each device once: what it is used for (with that evidence), and whether the center lists it (with that)."""
    devices: dict[str, dict[str, Any]] = {}
    for item in items:
        for device in item.get("equipment", []):
            entry = devices.setdefault(device["id"], {**device, "used_for": [], "refs": [], "owned_refs": []})
            entry["used_for"].append(item)
            entry["refs"] = sorted(set(entry["refs"]) | set(refs(device.get("evidence", []))))
            if device["id"] in owned:
                entry["center_has"], entry["owned_refs"] = True, refs(owned[device["id"]]["evidence"])
    return sorted(devices.values(), key=lambda d: d["labels"]["en"])
