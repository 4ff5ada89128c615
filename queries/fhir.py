"""FHIR R4B, read-only: the hospital and the center as `Organization`, each service the center offers as a
`HealthcareService`, searches with paging, and the `CapabilityStatement` of exactly what is supported.

Every resource is built from plain facts only (stated or implied claims; the bound queries of `queries/fhir/`)
and validated by the R4B models of `fhir.resources` as it is made. Nothing the source does not state is filled
in: no telecom, no hours, no name for the hospital (the source never names it: the resource has only its
identifier), and an ICD-10 coding only where the graph's mapping is exact (a broader or narrower code is not
the same concept). Search values are matched in Python against the built resources, never put into a query.
Imports rdflib terms, `graph`, the catalog loader and `fhir.resources`; never FastAPI.
"""

from __future__ import annotations

import json
import threading
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any
from urllib.parse import urlencode

from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.capabilitystatement import CapabilityStatement
from fhir.resources.R4B.healthcareservice import HealthcareService
from fhir.resources.R4B.operationoutcome import OperationOutcome
from fhir.resources.R4B.organization import Organization
from rdflib import Literal, URIRef
from rdflib.term import Node

from graph.namespaces import BASE, KG, SCHEMA, TTC
from graph.partition import department_key
from graph.store import Store
from graph.vocabulary import document
from queries.catalog import QUERIES_DIR, NamedQuery, load_catalog

FHIR_QUERIES = QUERIES_DIR / "fhir"
MEDIA_TYPE = "application/fhir+json"
FHIR_VERSION = "4.3.0"
ICD10_SYSTEM = "http://hl7.org/fhir/sid/icd-10"
#: The graph's own entities as a code system: the code is the local name of `{base}id/…`.
ENTITY_SYSTEM = str(TTC)
ORG_TYPE_SYSTEM = "http://terminology.hl7.org/CodeSystem/organization-type"
TRANSLATION = "http://hl7.org/fhir/StructureDefinition/translation"
EXTENSION_BASE = BASE + "fhir/StructureDefinition/"
TREATS_EXTENSION = EXTENSION_BASE + "treats-condition"
CAPABILITY_DATE = "2026-12-02"  # when this statement of the server's capabilities last changed
DEFAULT_COUNT, MAX_COUNT = 20, 100
_STATUS = {str(KG.Stated): "stated", str(KG.Implied): "implied"}
_RESOURCES: dict[str, Any] = {"Organization": Organization, "HealthcareService": HealthcareService}
#: Search parameters by resource type → (type, what it matches), as the CapabilityStatement documents them.
SEARCH_PARAMS: dict[str, dict[str, tuple[str, str]]] = {
    "Organization": {
        "_id": ("token", "The resource id (several, comma-separated, match any)."),
        "name": ("string", "Starts with the value, case- and accent-insensitive, in name or alias (:exact and "
                           ":contains as FHIR defines them)."),
    },
    "HealthcareService": {
        "_id": ("token", "The resource id (several, comma-separated, match any)."),
        "name": ("string", "Starts with the value, case- and accent-insensitive, in the name or its Chinese "
                           "translation (:exact and :contains as FHIR defines them)."),
        "specialty": ("token", "A specialty as code or system|code; the specialties are those the source states "
                               "for the department that provides the service."),
        "organization": ("reference", "The providing organization: Organization/Center or Center."),
    },
}
RESULT_PARAMS = ("_count", "_offset", "_format")
_JSON_FORMATS = {"json", "application/json", "application/fhir+json"}


class FhirError(ValueError):
    """A request FHIR answers with an OperationOutcome: `status` is the HTTP status, `code` the issue type."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def outcome(error: FhirError) -> dict[str, Any]:
    """The OperationOutcome of an error (validated)."""
    return _valid(OperationOutcome, {"resourceType": "OperationOutcome", "issue": [
        {"severity": "error", "code": error.code, "diagnostics": error.message}]})


@cache
def fhir_queries() -> dict[str, NamedQuery]:
    """The queries of `queries/fhir/`, parsed and checked once."""
    return load_catalog(FHIR_QUERIES, readers=False)


def _valid(model: Any, data: dict[str, Any]) -> dict[str, Any]:
    """`data` checked by its fhir.resources R4B model and written back as the model writes it."""
    return json.loads(model.model_validate(data).model_dump_json())  # type: ignore[no-any-return]


def _local(iri: str) -> str:
    return iri[len(ENTITY_SYSTEM):] if iri.startswith(ENTITY_SYSTEM) else iri.rsplit("/", 1)[-1].rsplit("#", 1)[-1]


def _coding(iri: str, display: str | None) -> dict[str, Any]:
    system = ENTITY_SYSTEM if iri.startswith(ENTITY_SYSTEM) else iri[: len(iri) - len(_local(iri))]
    return {"system": system, "code": _local(iri), **({"display": display} if display else {})}


def _translated(zh: str | None) -> dict[str, Any] | None:
    """The standard translation extension of a string element, for its Chinese name."""
    if not zh:
        return None
    return {"extension": [{"url": TRANSLATION, "extension": [{"url": "lang", "valueCode": "zh-Hans"},
                                                             {"url": "content", "valueString": zh}]}]}


def _quotes(rows: Sequence[Mapping[str, Node]], whose: str = "the center's") -> list[str]:
    seen, out = set(), []
    for row in sorted(rows, key=lambda r: (int(str(r.get("start", 0))), str(r.get("quote", "")))):
        if "quote" not in row:
            continue
        text = (f"“{row['quote']}” (characters {row['start']}–{row['end']} of {whose} description; "
                f"{_STATUS.get(str(row.get('status')), 'stated')})")
        if text not in seen:
            seen.add(text)
            out.append(text)
    return out


@dataclass(frozen=True)
class Resources:
    """Every resource the server has, by type and id, in a stable order."""

    by_type: dict[str, dict[str, dict[str, Any]]]

    def get(self, resource_type: str, resource_id: str) -> dict[str, Any]:
        """One resource.

        Raises:
            FhirError: 404 for an unknown type or id.
        """
        if resource_type not in self.by_type:
            raise FhirError(404, "not-supported", f"resource type {resource_type[:100]!r} is not served here; "
                                                  f"this server has {', '.join(self.by_type)} (see /fhir/metadata)")
        try:
            return self.by_type[resource_type][resource_id]
        except KeyError:
            raise FhirError(404, "not-found", f"{resource_type}/{resource_id[:100]} is not known") from None


def resources(store: Store) -> Resources:
    """The Organization and HealthcareService resources of the graph, each validated: for every department (the
    real center keeps its ids: Organization/Center, HealthcareService/{service}), its hospital and its services
    (another department's as `{department}.{service}`, `syn-0001.Segmentectomy`), each built from that department's
    own claims, and every resource of a synthetic department tagged as test data (`meta.tag` HTEST)."""
    nodes = store.select(fhir_queries()["departments"].sparql)
    centers = sorted((URIRef(str(row["node"])) for row in nodes if str(row["kind"]) == "department"),
                     key=lambda c: (c != TTC.Center, str(c)))
    synthetic = {str(row["node"]) for row in nodes if str(row["kind"]) == "synthetic"}
    organizations: dict[str, dict[str, Any]] = {}
    services: dict[str, dict[str, Any]] = {}
    for center in centers:
        organization_rows = store.select(fhir_queries()["organization"].sparql, bindings={"center": center})
        service_rows = store.select(fhir_queries()["services"].sparql, bindings={"center": center})
        own, specialties = _organizations(center, organization_rows, synthetic)
        organizations.update(own)
        services.update(_services(center, service_rows, specialties, own[resource_id(center)], synthetic))
    return Resources({"Organization": dict(sorted(organizations.items())), "HealthcareService": dict(sorted(services.items()))})


def resource_id(iri: URIRef | str) -> str:
    """A FHIR id for a node: the local name of the graph's own entities (`Center`), otherwise its path under the
    graph's base with `-` for `/`, a synthetic department by its id (`syn-0001`), so that departments never share
    an id and a service's id (`syn-0001.Segmentectomy`) stays within FHIR's 64 characters, never cut.

    Example:
        >>> resource_id(BASE + "synthetic/syn-0001/department"), resource_id(BASE + "synthetic/hospital/h0001")
        ('syn-0001', 'hospital-h0001')
    """
    return department_key(str(iri))


#: How a resource says it is test data (HL7 v3 ActReason HTEST, "test health data").
_TEST_DATA = {"tag": [{"system": "http://terminology.hl7.org/CodeSystem/v3-ActReason", "code": "HTEST",
                       "display": "test health data"}]}


def _organizations(center: URIRef, rows: Sequence[Mapping[str, Node]],
                   synthetic: frozenset[str] | set[str] = frozenset()) -> tuple[dict[str, dict[str, Any]],
                                                                                list[dict[str, Any]]]:
    fields: dict[str, list[Mapping[str, Node]]] = defaultdict(list)
    for row in rows:
        fields[str(row["field"])].append(row)
    center_id = resource_id(center)
    specialties = [_concept(row) for row in fields["specialty"]]
    out: dict[str, dict[str, Any]] = {}
    department: dict[str, Any] = {
        "resourceType": "Organization", "id": center_id,
        "identifier": [{"system": ENTITY_SYSTEM, "value": center_id}],
        "type": [{"coding": [{"system": ORG_TYPE_SYSTEM, "code": "dept", "display": "Hospital Department"}]}],
        **({"meta": _TEST_DATA} if str(center) in synthetic else {}),
    }
    names = [str(r["value"]) for r in fields["name"]]
    if names:
        department["name"] = names[0]
    aliases = sorted({str(r["value"]) for r in fields["alias"]} - set(names))
    if aliases:
        department["alias"] = aliases
    cities = sorted({str(r["value"]) for r in fields["city"]})
    if cities:
        department["address"] = [{"city": city} for city in cities]
    for row in fields["parent"]:
        parent_id = resource_id(str(row["value"]))
        department["partOf"] = {"reference": f"Organization/{parent_id}"}
        out[parent_id] = _valid(Organization, {  # the center's source never names its hospital: an identifier, no name
            "resourceType": "Organization", "id": parent_id,
            "identifier": [{"system": ENTITY_SYSTEM, "value": parent_id}],
            "type": [{"coding": [{"system": ORG_TYPE_SYSTEM, "code": "prov", "display": "Healthcare Provider"}]}],
            **({"meta": _TEST_DATA} if str(row["value"]) in synthetic else {}),
        })
    out[center_id] = _valid(Organization, department)
    return dict(sorted(out.items())), specialties


def _most_specific(types: set[str]) -> list[str]:
    ancestors = document().ancestors
    broader = {a for t in types for a in ancestors.get(t, ())} | {str(SCHEMA.Thing)}
    return sorted(types - broader) or sorted(types)


def _term_label(iri: str) -> str:
    ref = document().ref(iri)
    return ref.label if ref and ref.label else iri.rsplit("/", 1)[-1]


def _concept(row: Mapping[str, Node]) -> dict[str, Any]:
    label = str(row["label"]) if "label" in row else None
    coding = [_coding(str(row["value"]), label)]
    if "code" in row:
        coding.append({"system": ICD10_SYSTEM, "code": str(row["code"])})
    concept: dict[str, Any] = {"coding": coding, **({"text": label} if label else {})}
    translation = _translated(str(row["label_zh"]) if "label_zh" in row else None)
    if translation and label:
        concept["_text"] = translation
    return concept


def _services(center: URIRef, rows: Sequence[Mapping[str, Node]], specialties: list[dict[str, Any]],
              provider: dict[str, Any], synthetic: frozenset[str] | set[str] = frozenset()) -> dict[str, dict[str, Any]]:
    grouped: dict[str, dict[str, list[Mapping[str, Node]]]] = defaultdict(lambda: defaultdict(list))
    for row in rows:
        grouped[str(row["service"])][str(row["field"])].append(row)
    out = {}
    for iri, fields in sorted(grouped.items()):
        service_id = _local(iri) if center == TTC.Center else f"{provider['id']}.{_local(iri)}"
        names = {str(v.language).lower()[:2]: str(v) for v in (r["value"] for r in fields["name"])
                 if isinstance(v, Literal) and v.language}
        name = names.get("en")
        kinds = _most_specific({str(r["value"]) for r in fields["type"]})
        service: dict[str, Any] = {
            "resourceType": "HealthcareService", "id": service_id,
            "identifier": [{"system": ENTITY_SYSTEM, "value": service_id}],
            "providedBy": {"reference": f"Organization/{provider['id']}",
                           **({"display": provider["name"]} if "name" in provider else {})},
            "category": [{"coding": [{"system": str(SCHEMA), "code": kind[len(str(SCHEMA)):],
                                      "display": _term_label(kind)}], "text": _term_label(kind)} for kind in kinds],
            "type": [{"coding": [_coding(iri, name)], **({"text": name} if name else {})}],
        }
        if str(center) in synthetic:
            service["meta"] = _TEST_DATA
        if name:
            service["name"] = name
            if translation := _translated(names.get("zh")):
                service["_name"] = translation
        if specialties:
            service["specialty"] = specialties
        treated = _by_value(fields["treats"])
        if treated:
            service["extension"] = [{"url": TREATS_EXTENSION, "valueCodeableConcept": _concept(group[0])}
                                    for group in treated]
        whose = "the center's" if center == TTC.Center else f"{provider.get('name', provider['id'])}'s"
        eligibility = [{"code": _concept(group[0]), **({"comment": " ".join(q)} if (q := _quotes(group, whose)) else {})}
                       for group in _by_value(fields["indication"])]
        if eligibility:
            service["eligibility"] = eligibility
        quotes = _quotes(fields["offered"], whose)
        if quotes:
            by = "the center" if center == TTC.Center else provider.get("name", provider["id"])
            service["comment"] = f"Offered by {by}, in the source's words: " + " ".join(quotes)
        out[service_id] = _valid(HealthcareService, service)
    return out


def _by_value(rows: Sequence[Mapping[str, Node]]) -> list[list[Mapping[str, Node]]]:
    groups: dict[str, list[Mapping[str, Node]]] = defaultdict(list)
    for row in rows:
        groups[str(row["value"])].append(row)
    return [groups[key] for key in sorted(groups)]


# ---------------------------------------------------------------- search


Matcher = Callable[[Mapping[str, Any]], bool]


def _fold(text: str) -> str:
    """Case- and accent-insensitive form for string search (FHIR: "ignoring case and accents")."""
    return "".join(c for c in unicodedata.normalize("NFKD", text.casefold()) if not unicodedata.combining(c))


def _strings(resource: Mapping[str, Any]) -> list[str]:
    out = [resource.get("name", ""), *resource.get("alias", [])]
    for extension in resource.get("_name", {}).get("extension", []):
        out += [e.get("valueString", "") for e in extension.get("extension", []) if e.get("url") == "content"]
    return [s for s in out if s]


def _string_match(modifier: str, wanted: str) -> Matcher:
    target = _fold(wanted)
    if modifier == "exact":
        return lambda r: wanted in _strings(r)
    if modifier == "contains":
        return lambda r: any(target in _fold(s) for s in _strings(r))
    return lambda r: any(_fold(s).startswith(target) for s in _strings(r))


def _token_match(wanted: str) -> Matcher:
    system, bar, code = wanted.rpartition("|")

    def matches(resource: Mapping[str, Any]) -> bool:
        for concept in resource.get("specialty", []):
            for coding in concept.get("coding", []):
                if coding.get("code") == code and (not bar or coding.get("system", "") == system):
                    return True
        return False

    return matches


def _reference_match(wanted: str) -> Matcher:
    reference = wanted if "/" in wanted else f"Organization/{wanted}"
    return lambda r: r.get("providedBy", {}).get("reference") == reference


def _any_of(matchers: Sequence[Matcher]) -> Matcher:
    return lambda resource: any(match(resource) for match in matchers)


def _id_in(ids: frozenset[str]) -> Matcher:
    return lambda resource: resource["id"] in ids


def _filters(resource_type: str, params: Sequence[tuple[str, str]]) -> list[Matcher]:
    allowed = SEARCH_PARAMS[resource_type]
    filters: list[Matcher] = []
    for key, value in params:
        name, _, modifier = key.partition(":")
        if name in RESULT_PARAMS:
            continue
        if name not in allowed:
            raise FhirError(400, "not-supported", f"unknown search parameter {key[:100]!r} for {resource_type}; "
                                                  f"supported: {', '.join([*allowed, *RESULT_PARAMS])}")
        kind = allowed[name][0]
        if modifier and not (kind == "string" and modifier in ("exact", "contains")):
            raise FhirError(400, "not-supported", f"modifier {modifier[:50]!r} is not supported on {name}")
        choices = [v for v in value.split(",") if v.strip()]  # a comma means OR, as FHIR defines it
        if not choices:
            raise FhirError(400, "invalid", f"{name} needs a value")
        if name == "_id":
            filters.append(_id_in(frozenset(choices)))
        elif kind == "string":
            filters.append(_any_of([_string_match(modifier, v) for v in choices]))
        elif kind == "token":
            filters.append(_any_of([_token_match(v) for v in choices]))
        else:
            filters.append(_any_of([_reference_match(v) for v in choices]))
    return filters


def _integer(params: Sequence[tuple[str, str]], name: str, default: int, low: int, high: int) -> int:
    values = [v for k, v in params if k == name]
    if not values:
        return default
    if len(values) > 1 or not values[0].isdigit() or not low <= int(values[0]) <= high:
        raise FhirError(400, "invalid", f"{name} must be one whole number from {low} to {high}")
    return int(values[0])


def check_format(params: Sequence[tuple[str, str]]) -> None:
    """`_format`, when given, must ask for JSON: the only format served.

    Raises:
        FhirError: 400 for another format (this server writes JSON only).
    """
    for key, value in params:
        if key == "_format" and value.strip().lower() not in _JSON_FORMATS:
            raise FhirError(400, "not-supported", f"_format {value[:50]!r} is not served; only JSON "
                                                  "(application/fhir+json)")


def search(all_resources: Resources, resource_type: str, params: Sequence[tuple[str, str]],
           base_url: str, *, max_count: int = MAX_COUNT) -> dict[str, Any]:
    """A searchset Bundle of the matches, one page of `_count` from `_offset`, with total and paging links.

    Raises:
        FhirError: 404 for a type not served, 400 for an unknown parameter or a bad value.
    """
    if resource_type not in all_resources.by_type:
        all_resources.get(resource_type, "")
    check_format(params)
    filters = _filters(resource_type, params)
    count = _integer(params, "_count", DEFAULT_COUNT, 0, max_count)
    offset = _integer(params, "_offset", 0, 0, 10**6)
    matches = [r for r in all_resources.by_type[resource_type].values() if all(f(r) for f in filters)]
    page = matches[offset:offset + count]
    kept = [(k, v) for k, v in params if k not in ("_count", "_offset")]

    def url(start: int) -> str:
        query = urlencode([*kept, ("_count", str(count)), ("_offset", str(start))])
        return f"{base_url}/fhir/{resource_type}?{query}"

    links = [{"relation": "self", "url": url(offset)}, {"relation": "first", "url": url(0)}]
    if count and offset + count < len(matches):
        links.append({"relation": "next", "url": url(offset + count)})
    if count and offset > 0:
        links.append({"relation": "previous", "url": url(max(0, offset - count))})
    if count:
        links.append({"relation": "last", "url": url(max(0, (len(matches) - 1) // count * count))})
    return _valid(Bundle, {
        "resourceType": "Bundle", "type": "searchset", "total": len(matches), "link": links,
        "entry": [{"fullUrl": f"{base_url}/fhir/{resource_type}/{r['id']}", "resource": r,
                   "search": {"mode": "match"}} for r in page],
    })


_CACHE: dict[str, Resources] = {}
_CACHE_LOCK = threading.Lock()


def cached_resources(store: Store, key: str) -> Resources:
    """The resources of the graph whose content hash is `key`, built and validated from `store` the first time only
    (searches never change them)."""
    found = _CACHE.get(key)
    if found is None:
        with _CACHE_LOCK:
            found = _CACHE.get(key)
            if found is None:
                found = resources(store)
                while len(_CACHE) >= 4:
                    _CACHE.pop(next(iter(_CACHE)))
                _CACHE[key] = found
    return found


def search_store(store: Store, key: str, resource_type: str, params: Sequence[tuple[str, str]],
                 base_url: str) -> dict[str, Any]:
    """`search` over the resources of the graph whose content hash is `key` (what `GET /fhir/{type}` answers)."""
    return search(cached_resources(store, key), resource_type, params, base_url)


def read(store: Store, key: str, resource_type: str, resource_id: str,
         params: Sequence[tuple[str, str]]) -> dict[str, Any]:
    """One resource by type and id (what `GET /fhir/{type}/{id}` answers).

    Raises:
        FhirError: 404 for an unknown type or id, 400 for a `_format` other than JSON or any other parameter.
    """
    check_format(params)
    unknown = [k for k, _ in params if k != "_format"]
    if unknown:
        raise FhirError(400, "not-supported", f"a read takes no parameter but _format; got {unknown[0][:100]!r}")
    return cached_resources(store, key).get(resource_type, resource_id)


def bundles(store: Store, base_url: str) -> dict[str, dict[str, Any]]:
    """Every resource type's searchset Bundle holding all its resources, and the CapabilityStatement, by file
    name (what `thoracic-kg export --format fhir` writes)."""
    everything = resources(store)
    out = {f"{name}.json": search(everything, name, [("_count", str(len(everything.by_type[name])))], base_url,
                                  max_count=max(len(everything.by_type[name]), 1))
           for name in everything.by_type}
    return {**out, "metadata.json": capability_statement(base_url)}


def capability_statement(base_url: str) -> dict[str, Any]:
    """What this server does, exactly: read and search-type on Organization and HealthcareService, JSON only."""
    resources_ = [{
        "type": name,
        "interaction": [{"code": "read"}, {"code": "search-type"}],
        "searchParam": [{"name": param, "type": kind, "documentation": text}
                        for param, (kind, text) in SEARCH_PARAMS[name].items()],
    } for name in _RESOURCES]
    return _valid(CapabilityStatement, {
        "resourceType": "CapabilityStatement", "status": "active", "date": CAPABILITY_DATE, "kind": "instance",
        "software": {"name": "thoracic-kg"},
        "implementation": {"description": "Thoracic Tumor Center knowledge graph: read-only FHIR R4B view",
                           "url": f"{base_url}/fhir"},
        "fhirVersion": FHIR_VERSION, "format": ["json", MEDIA_TYPE],
        "rest": [{"mode": "server",
                  "documentation": "Read-only. Searches page with _count (0 to 100, default 20) and _offset; "
                                   "_format may only ask for JSON. An unknown parameter is refused (400). Every "
                                   "resource holds only what its department's own description states or implies.",
                  "resource": resources_}],
    })


__all__ = ["FHIR_VERSION", "ICD10_SYSTEM", "MEDIA_TYPE", "SEARCH_PARAMS", "FhirError", "Resources", "bundles",
           "cached_resources", "capability_statement", "check_format", "fhir_queries", "outcome", "read", "resources", "search",
           "search_store"]
