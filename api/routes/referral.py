"""Referral lookups for coordinators: `/api/lookup/*`, `/api/search`, `/api/center` (JSON) and the `/referral` page.

Each route checks its parameters (plain 422 through `InvalidParameter`), calls one function of
`queries.referral` (lookups, center) or `queries.matching` (naming, search) and shapes its answer; the
page arranges the same answers into one printable card.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse
from pydantic import BaseModel, ConfigDict

from api.deps import StoreDep
from api.pages import render
from graph.store import Store
from queries import matching
from queries import referral as ref
from queries.params import InvalidParameter, Param, convert

router = APIRouter()
STRINGS: dict[str, dict[str, Any]] = json.loads(
    (Path(__file__).parents[1] / "static" / "referral" / "i18n.json").read_text(encoding="utf-8"))
PAGE_KINDS = ref.CONDITION_KINDS | ref.PROCEDURE_KINDS
_LIMIT = Param("limit", "integer", False, "10", "")

Q = Annotated[str, Query(description="The person's words: a name, synonym, abbreviation or ICD-10 code, in English "
                         "or Chinese (1 to 200 characters), or an entity IRI from an earlier answer.")]
Include = Annotated[str, Query(description="`inferred` adds inferred and ambiguous relations, each marked with its "
                               "status; `narrower` adds narrower conditions' answers, marked. Comma-separated.")]
Lang = Annotated[str, Query(description="Language of each `label`: `en` (default) or `zh`; `labels` always has both.")]


class Evidence(BaseModel):
    """An exact quote of the source and its offsets (Unicode code points, end exclusive)."""

    quote: str
    start: int
    end: int


class Entity(BaseModel):
    """The contract's ENTITY."""

    id: str
    type: str
    label: str
    labels: dict[str, str]
    matched_label: str


class Item(Entity):
    """An ENTITY plus what the lookup adds (status, evidence, approaches, equipment, indications, ...)."""

    model_config = ConfigDict(extra="allow")
    status: str | None = None
    evidence: list[Evidence] = []


class LookupAnswer(BaseModel):
    """Every lookup's answer; a 404 has the same shape with `results: []` and close names in `candidates`."""

    input: str
    matched: Entity | None
    candidates: list[Entity]
    results: list[Item]
    notes: list[str]


class Figure(BaseModel):
    """A number the source gives: an exact `value`, or a bound (`minimum`, `exclusive`), never both."""

    label: str
    value: float | None
    minimum: float | None
    exclusive: bool
    unit: str | None
    period: str | None
    precision: str | None
    kind: str | None
    verbatim: str
    status: str
    evidence: list[Evidence]


class CenterProfile(BaseModel):
    """The center's profile."""

    center: Entity | None
    parent: Item | None
    affiliations: list[Item]
    specialties: list[Item]
    innovations: list[Item]
    location: list[Item] = []
    services: dict[str, list[Item]]
    figures: list[Figure]
    notes: list[str]


_ERRORS: dict[int | str, dict[str, Any]] = {
    404: {"model": LookupAnswer, "description": "Nothing matches: `results` is empty, a note says the source does "
          "not state it, `candidates` holds close names."},
    422: {"description": "Empty, too long (over 200 characters) or control-character input, or an unknown "
          "parameter value: a plain-text message.", "content": {"text/plain": {}}}}


def _index(request: Request, store: Store) -> matching.LabelIndex:
    return matching.label_index(store, request.app.state.manifest["content_sha256"])


def _answer(answer: matching.Answer) -> JSONResponse:
    return JSONResponse(answer.as_json(), status_code=200 if answer.found else 404)


def _lookup_route(name: str, summary: str) -> Callable[..., JSONResponse]:
    def handler(request: Request, store: StoreDep, q: Q = "", include: Include = "", lang: Lang = "") -> JSONResponse:
        return _answer(ref.lookup(store, _index(request, store), name, q, include=ref.parse_include(include),
                                  lang=matching.pick_lang(lang, request.headers.get("accept-language"))))

    handler.__doc__ = summary
    router.add_api_route(f"/api/lookup/{name}", handler, methods=["GET"], response_model=LookupAnswer,
                         operation_id="lookup_" + name.replace("-", "_"), tags=["referral"], summary=summary,
                         responses=_ERRORS)
    return handler


_lookup_route("procedures-for-condition", "Procedures and therapies the center offers for a condition (or an "
              "indication such as unresectable disease), with approaches, equipment, indication, sequence, status "
              "and evidence; never a broader condition's")
_lookup_route("conditions-for-procedure", "Conditions a procedure or therapy treats, the indications it is for, or "
              "the conditions an examination stages")
_lookup_route("equipment-for-procedure", "Equipment a procedure or examination uses, and whether the center lists it")
_lookup_route("workup-for-condition", "The staging / pre-operative examinations stated for a condition")


@router.get("/api/search", operation_id="search_labels", tags=["referral"], response_model=LookupAnswer,
            responses=_ERRORS)
def search(request: Request, store: StoreDep, q: Q = "",
           type: Annotated[str, Query(description="Only these kinds, comma-separated: " + ", ".join(matching.KINDS))] = "",
           limit: Annotated[str, Query(description="At most this many results, 1 to 50 (default 10).")] = "10",
           lang: Lang = "") -> JSONResponse:
    """Type-ahead: entities whose labels, synonyms or ICD-10 codes match, best first, answered from memory."""
    kinds = frozenset(part.strip() for part in type.split(",") if part.strip()) or None
    if kinds and not kinds <= set(matching.KINDS):
        raise InvalidParameter("type", f"unknown kind {sorted(kinds - set(matching.KINDS))[0]!r}; "
                                       f"allowed: {', '.join(matching.KINDS)}")
    count = int(convert(_LIMIT, limit or "10"))  # type: ignore[call-overload]
    if not 1 <= count <= 50:
        raise InvalidParameter("limit", "must be between 1 and 50")
    chosen = matching.pick_lang(lang, request.headers.get("accept-language"))
    return _answer(matching.search(_index(request, store), q, kinds=kinds, limit=count, lang=chosen))


@router.get("/api/center", operation_id="center_profile", tags=["referral"], response_model=CenterProfile)
def center(request: Request, store: StoreDep, include: Include = "", lang: Lang = "") -> dict[str, Any]:
    """The center's profile: parent, affiliations, specialties, innovations, services with flags, figures with bounds."""
    return ref.center_profile(store, _index(request, store), include=ref.parse_include(include),
                              lang=matching.pick_lang(lang, request.headers.get("accept-language")))


@router.get("/referral", response_class=HTMLResponse, include_in_schema=False)
def referral_page(request: Request, store: StoreDep, q: str = "", id: str = "", lang: str = "",
                  include: str = "") -> HTMLResponse:
    """The coordinators' page: search with suggestions, and one printable card for a condition or procedure."""
    lang = lang if lang in matching.LANGS else matching.pick_lang("", request.headers.get("accept-language"))
    page: dict[str, Any] = {"lang": STRINGS[lang]["html_lang"], "page_lang": lang, "t": STRINGS[lang], "q": q, "id": id,
                            "title": STRINGS[lang]["title"],
                            "inferred": "inferred" in include, "sha": request.app.state.manifest["content_sha256"]}
    page["switch_url"] = _url(q=q, id=id, lang=STRINGS[lang]["switch_lang_code"], include=include)
    page["include_url"] = _url(q=q, id=id, lang=lang, include="" if page["inferred"] else "inferred")
    status = 200
    index = _index(request, store)
    try:
        includes = ref.parse_include(include)
        if not (q or id):
            page["state"] = "start"
            page["treated"] = ref.center_claims(store, index, None, frozenset(), lang).get("treatsCondition", [])
            return HTMLResponse(render("referral.html", **page))
        answer = matching.resolve(index, id or q, PAGE_KINDS, lang)
    except InvalidParameter as exc:
        page.update(state="invalid", error=exc.message)
        return HTMLResponse(render("referral.html", **page), status_code=422)
    page["answer"] = answer
    if answer.entity is None:
        page["state"] = "choose" if answer.found else "notfound"
        status = 200 if answer.found else 404
        if not answer.found:  # no dead end: what the center does treat
            page["treated"] = ref.center_claims(store, index, None, frozenset(), lang).get("treatsCondition", [])
    else:
        page["state"] = "card"
        page["card"] = _card(store, index, answer.entity, includes, lang)
    return HTMLResponse(render("referral.html", **page), status_code=status)


def _url(**params: str) -> str:
    return "/referral?" + urlencode({key: value for key, value in params.items() if value})


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


def _card(store: Store, index: matching.LabelIndex, entity: matching.Entity, include: frozenset[str],
          lang: str) -> dict[str, Any]:
    """Everything one card shows, each line with the footnote numbers of its evidence."""
    refs = _Refs()
    claims = ref.center_claims(store, index, None, include, lang)  # one query for the header and the equipment
    card: dict[str, Any] = {
        "entity": entity.json(lang), "kind": entity.kind, "codes": index.codes.get(entity.id, []),
        "broader": [index.entities[b].json(lang) for b in entity.broader if b in index.entities],
        "narrower": sorted((index.entities[n].json(lang) for n in index.narrower.get(entity.id, [])
                            if n in index.entities), key=lambda e: e["labels"]["en"]),
        "center": [{**claim, "predicate": predicate, "refs": refs(claim["evidence"])}
                   for predicate in ("treatsCondition", "offers", "performsRoutinely")
                   for claim in claims.get(predicate, []) if claim["id"] == entity.id]}
    owned = {claim["id"]: claim for claim in claims.get("hasEquipment", [])}
    if entity.kind in ref.CONDITION_KINDS:
        procedures, notes = ref.procedures_for(store, index, entity, include, lang)
        workup, workup_notes = ref.workup_for(store, index, entity, include, lang) if entity.kind == "condition" \
            else ([], [])
        card["notes"] = list(dict.fromkeys(notes + workup_notes))
        _with_refs(procedures + workup, refs)
        card["groups"] = _by_approach([item for item in procedures if item["type"] != "therapy"], lang)
        card["therapies"] = [item for item in procedures if item["type"] == "therapy"]
        card["sequence"] = _sequence(procedures, refs)
        card["workup"] = workup
        card["equipment"] = _equipment(procedures + workup, refs, owned)
    elif entity.kind in ref.PROCEDURE_KINDS:
        conditions, notes = ref.conditions_for(store, index, entity, include, lang)
        facts = ref.procedure_facts(store, index, entity.id, include, lang)
        card["notes"] = notes
        _with_refs(conditions + [fact for group in facts.values() for fact in group], refs)
        card["conditions"], card["facts"] = conditions, facts
        card["equipment"] = _equipment([{**entity.json(lang), "equipment": facts["equipment"]}], refs, owned)
    card["footnotes"] = refs.spans
    return card


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
