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
from pydantic import BaseModel, ConfigDict, Field

from api.deps import LangDep, StoreDep, snapshot
from api.i18n import page_lang
from api.pages import render
from graph.store import Store
from queries import card as cards
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
Departments = Annotated[list[str], Query(description="Only these departments (repeatable; an IRI or a `ttc:` name, as "
                                       "GET /api/departments lists them): an answer keeps the items they state or "
                                       "offer, and names only them. Every department when left out.")]
Include = Annotated[str, Query(description="`inferred` adds inferred and ambiguous relations, each marked with its "
                               "status; `narrower` adds narrower conditions' answers, marked. Comma-separated.")]


class Evidence(BaseModel):
    """An exact quote of the source and its offsets (Unicode code points, end exclusive), and the department whose
    description it is quoted from (null for a source no department is derived from)."""

    quote: str
    start: int
    end: int
    department: str | None = None


class Named(BaseModel):
    """An IRI and its labels."""

    id: str
    label: str
    labels: dict[str, str | None]


class Department(Named):
    """The contract's DEPARTMENT: a department (kg:ClinicalCenter), its hospital and place where stated, and whether
    it is synthetic (generated test data, never a real department)."""

    hospital: Named | None = None
    location: Named | None = None
    synthetic: bool = False


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
    departments: list[Department] = []  # the departments whose own descriptions state it


class LookupAnswer(BaseModel):
    """Every lookup's answer; a 404 has the same shape with `results: []` and close names in `candidates`."""

    input: str
    matched: Entity | None
    candidates: list[Entity]
    results: list[Item]
    notes: list[str]


class Figure(BaseModel):
    """A number the source gives: an exact `value`, a bound (`minimum`, `exclusive`) or a `decade` ("1970s"),
    never two; every figure with its `status` and editorial `note` (in `lang`, English where untranslated; `notes`
    has each language there is); `about` names the department it is about when that is not the center itself."""

    label: str
    labels: dict[str, str | None] = {}
    value: float | None
    minimum: float | None
    exclusive: bool
    decade: str | None = None
    note: str | None = None
    notes: dict[str, str] = {}
    about: str | None = None
    unit: str | None
    period: str | None
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
    workup: list[Item] = []  # examinations the work-up uses (`routine` for its routine items); who performs them: not said
    figures: list[Figure]
    notes: list[str]


_ERRORS: dict[int | str, dict[str, Any]] = {
    404: {"model": LookupAnswer, "description": "Nothing matches: `results` is empty, a note says the source does "
          "not state it, `candidates` holds close names."},
    422: {"description": "Empty, too long (over 200 characters) or control-character input, or an unknown "
          "parameter value: a plain-text message.", "content": {"text/plain": {}}}}


def _index(request: Request, store: Store) -> matching.LabelIndex:
    return matching.label_index(store, snapshot(request).content_sha256)


def _answer(answer: matching.Answer) -> JSONResponse:
    return JSONResponse(answer.as_json(), status_code=200 if answer.found else 404)


def _lookup_route(name: str, summary: str) -> Callable[..., JSONResponse]:
    def handler(request: Request, store: StoreDep, lang: LangDep, q: Q = "", include: Include = "",
                department: Departments = []) -> JSONResponse:  # noqa: B006 - FastAPI copies the default
        index = _index(request, store)
        return _answer(ref.lookup(store, index, name, q, include=ref.parse_include(include), lang=lang,
                                  departments=index.department_ids(department)))

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
def search(request: Request, store: StoreDep, lang: LangDep, q: Q = "",
           type: Annotated[str, Query(description="Only these kinds, comma-separated: " + ", ".join(matching.KINDS))] = "",
           limit: Annotated[str, Query(description="At most this many results, 1 to 50 (default 10).")] = "10"
           ) -> JSONResponse:
    """Type-ahead: entities whose labels, synonyms or ICD-10 codes match, best first, answered from memory."""
    kinds = frozenset(part.strip() for part in type.split(",") if part.strip()) or None
    if kinds and not kinds <= set(matching.KINDS):
        raise InvalidParameter("type", f"unknown kind {sorted(kinds - set(matching.KINDS))[0]!r}; "
                                       f"allowed: {', '.join(matching.KINDS)}")
    count = int(convert(_LIMIT, limit or "10"))  # type: ignore[call-overload]
    if not 1 <= count <= 50:
        raise InvalidParameter("limit", "must be between 1 and 50")
    return _answer(matching.search(_index(request, store), q, kinds=kinds, limit=count, lang=lang))


@router.get("/api/center", operation_id="center_profile", tags=["referral"], response_model=CenterProfile)
def center(request: Request, store: StoreDep, lang: LangDep, include: Include = "") -> dict[str, Any]:
    """The center's profile: parent, affiliations, specialties, innovations, services with flags, figures with bounds."""
    return ref.center_profile(store, _index(request, store), include=ref.parse_include(include), lang=lang)


class DepartmentGraph(BaseModel):
    """A department's own named graph in the TriG and N-Quads downloads, and where to download it alone."""

    iri: str
    download: str = Field(description="The department's named graph alone as TriG (`/departments/{key}.trig`).")
    nquads: str = Field(description="The same graph as N-Quads (`/departments/{key}.nq`).")


class DepartmentEntry(Department):
    """A department with what the graph holds of it."""

    key: str
    services: int
    equipment: int
    claims: int
    jsonld: str
    fhir: str
    graph: DepartmentGraph


@router.get("/api/departments", operation_id="departments", tags=["referral"], response_model=list[DepartmentEntry])
def departments(request: Request, store: StoreDep, lang: LangDep) -> list[dict[str, Any]]:
    """Every department of the graph (the real center first; synthetic ones marked): labels, hospital and place where
    stated, and how many services, pieces of equipment and claims of its own it has."""
    return ref.departments(store, _index(request, store), lang)


@router.get("/api/card", operation_id="referral_card", tags=["referral"], summary="The referral card as JSON",
            responses={404: {"description": "Nothing matches: `card` is null, `candidates` holds close names."},
                       422: _ERRORS[422]})
def card_json(request: Request, store: StoreDep, lang: LangDep, q: Q = "", include: Include = "",
              department: Departments = []) -> JSONResponse:  # noqa: B006 - FastAPI copies the default
    """The printable card of `/referral` for one condition or procedure, as JSON: the lookup's answer
    (`input`, `matched`, `candidates`, `notes`) and `card` (null unless exactly one entity matched; 404 if none);
    `card.departments` groups the answer by department when more than one is in it."""
    index = _index(request, store)
    answer, card = cards.card_for(store, index, q, ref.parse_include(include), lang, index.department_ids(department))
    return JSONResponse({**answer.as_json(), "card": card}, status_code=200 if answer.found else 404)


@router.get("/referral", response_class=HTMLResponse, include_in_schema=False)
def referral_page(request: Request, store: StoreDep, q: str = "", id: str = "", lang: str = "",
                  include: str = "", department: Departments = []) -> HTMLResponse:  # noqa: B006
    """The coordinators' page: search with suggestions, and one printable card for a condition or procedure."""
    lang = page_lang(lang, request.headers.get("accept-language"))
    page: dict[str, Any] = {"lang": STRINGS[lang]["html_lang"], "page_lang": lang, "t": STRINGS[lang], "q": q, "id": id,
                            "title": STRINGS[lang]["title"],
                            "inferred": "inferred" in include, "sha": snapshot(request).content_sha256}
    page["switch_url"] = _url(q=q, id=id, lang=STRINGS[lang]["switch_lang_code"], include=include, department=department)
    page["include_url"] = _url(q=q, id=id, lang=lang, include="" if page["inferred"] else "inferred",
                               department=department)
    page["keep"] = urlencode({"department": department}, doseq=True)  # the choice, carried by the page's links
    page["all_url"] = _url(q=q, id=id, lang=lang, include=include)
    status = 200
    index = _index(request, store)
    try:
        only = index.department_ids(department)
        page["picker"] = ref.department_choices(index, lang, only)
        includes = ref.parse_include(include)
        if not (q or id):
            page["state"] = "start"
            page["treated"] = ref.center_claims(store, index, None, frozenset(), lang).get("treatsCondition", [])
            return HTMLResponse(render("referral.html", **page))
        page["only"] = index.departments_json(only, lang)
        answer = matching.resolve(index, id or q, PAGE_KINDS, lang)
    except InvalidParameter as exc:
        page.update(state="invalid", error=exc.message)
        page.setdefault("picker", ref.department_choices(index, lang))  # nothing chosen if the choice was the error
        return HTMLResponse(render("referral.html", **page), status_code=422)
    page["answer"] = answer
    if answer.entity is None:
        page["state"] = "choose" if answer.found else "notfound"
        status = 200 if answer.found else 404
        if not answer.found:  # no dead end: what the center does treat
            page["treated"] = ref.center_claims(store, index, None, frozenset(), lang).get("treatsCondition", [])
    else:
        page["state"] = "card"
        page["card"] = cards.card(store, index, answer.entity, includes, lang, only)
    return HTMLResponse(render("referral.html", **page), status_code=status)


def _url(**params: str | list[str]) -> str:
    """The page's URL with these parameters (a list repeats its parameter: `department=`)."""
    return "/referral?" + urlencode({key: value for key, value in params.items() if value}, doseq=True)
