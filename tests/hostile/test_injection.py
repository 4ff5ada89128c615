"""Injection through every parameter of every route: each operation of the OpenAPI document, and the pages it
leaves out, gets each hostile value in each of its parameters (query, path, header), the others valid.

Values are bound, never spliced: every answer is a 4xx or a correct answer that holds nothing from outside its
query: never a 5xx, never the canary fact (which only a query the caller wrote could reach), never a file of the
machine, never a named query's rows for a value that names nothing, never markup from the value on a page; and
the graph is whole afterwards (one value tries DROP ALL).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import quote

import httpx
import pytest

from tests.hostile.conftest import CANARY_VALUE, markup_problems

pytestmark = pytest.mark.integration

PAYLOADS = [
    '" } UNION { ?s ?p ?o } #',
    "' } UNION { ?s <urn:canary:says> ?o } #",
    "> } UNION { ?s <urn:canary:says> ?o } #",
    "ttc:LungCancer> ?p ?o } UNION { ?s ?p ?o } #",
    "urn:x:a> . ?s <urn:canary:says> ?o . <urn:x:b",
    '""") } UNION { ?s ?p ?o } #\n',
    '\\" } UNION { ?s ?p ?o } #',
    "} ; DROP ALL ; INSERT DATA { <urn:a> <urn:b> <urn:c> } #",
    "' OR '1'='1",
    "<script>alert(1)</script>",
    "../../../../../../etc/passwd",
    "..%2F..%2F..%2Fpyproject.toml",
    "\x00",
    "x" * 3000,
    "?s ?p ?o",
    "{{7*7}}",
]
#: What a machine file or the project's own files look like, should one ever be served through a parameter.
FILES = ("root:x:0:0", "[build-system]", "BEGIN PRIVATE KEY")
#: Valid values for the parameters an operation requires, by name (the catalog's come from their examples).
VALID = {"q": "lung cancer", "id": "ttc:LungCancer", "source": "ttc:Mediastinoscope", "target": "ttc:LungCancer",
         "text": "lung", "name": "label_search", "resource_type": "HealthcareService", "resource_id": "x",
         "query": "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 5"}
#: Operations that answer with the whole graph, or run the caller's own SPARQL: the canary is theirs to show.
WHOLE_GRAPH = ("download_", "network_export", "sparql_", "network_query", "center_jsonld", "void")
#: The pages left out of the OpenAPI document, with their parameters.
PAGES = {"/referral": ["q", "id", "lang", "include"], "/graph": ["max_nodes", "evidence", "lang"],
         "/graph/entity": ["id", "depth", "max_nodes"], "/graph/paths": ["source", "target", "inferred"],
         "/graph/query": ["query"], "/queries/label_search": ["text", "format", "lang"],
         "/id/{name}": ["name"], "/evidence/{name}": ["name"], "/queries/{name}": ["name"]}


def _operations(document: dict[str, Any]) -> list[tuple[str, str, str, list[dict[str, Any]]]]:
    found = []
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            found.append((operation["operationId"], method.upper(), path, operation.get("parameters", [])))
    return found


def _valid(parameter: dict[str, Any]) -> str:
    examples = parameter.get("examples") or parameter.get("schema", {}).get("examples")
    if isinstance(examples, list) and examples:
        return str(examples[0])
    return VALID.get(parameter["name"], "x")


def _request(method: str, path: str, parameters: list[dict[str, Any]], target: str, value: str
             ) -> tuple[str, str, dict[str, str], dict[str, str]]:
    params, headers = {}, {}
    for parameter in parameters:
        where, name = parameter["in"], parameter["name"]
        if name != target and not parameter.get("required"):
            continue
        given = value if name == target else _valid(parameter)
        if where == "path":
            path = path.replace("{" + name + "}", quote(given, safe=""))
        elif where == "header":
            headers[name] = given
        else:
            params[name] = given
    return method, path, params, headers


def _check(client: httpx.Client, operation: str, method: str, path: str, params: dict[str, str],
           headers: dict[str, str], bound: bool) -> str | None:
    try:
        answer = client.request(method, path, params=params, headers=headers)
    except (httpx.LocalProtocolError, UnicodeEncodeError):  # a header value no client can send
        return None
    where = f"{operation} {method} {path} {params} {headers}: {answer.status_code}"
    if answer.status_code >= 500:
        return f"{where} {answer.text[:200]}"
    body = answer.text
    if not operation.startswith(WHOLE_GRAPH) and CANARY_VALUE in body:
        return f"{where} returned the canary"
    if any(marker in body for marker in FILES):
        return f"{where} returned a file"
    if answer.headers.get("content-type", "").startswith("text/html") and markup_problems(body):
        return f"{where} {markup_problems(body)}"
    if bound and answer.status_code == 200 and answer.headers.get("content-type", "").startswith(
            "application/sparql-results+json") and answer.json().get("results", {}).get("bindings"):
        return f"{where} rows for a value that names nothing"
    return None


def test_every_parameter_of_every_operation_binds_hostile_values(client: httpx.Client) -> None:
    before = client.get("/sparql", params={"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"},
                        headers={"Accept": "text/csv"}).text
    cases = []
    for operation, method, path, parameters in _operations(client.get("/openapi.json").json()):
        for parameter in parameters:
            # a catalog query's own parameter: the value is bound, so it names nothing and finds no rows
            bound = operation.startswith("query_") and parameter["name"] not in ("format", "accept")
            cases += [(operation, *_request(method, path, parameters, parameter["name"], value), bound)
                      for value in PAYLOADS]
    for page, names in PAGES.items():
        specs = [{"name": n, "in": "path" if "{" + n + "}" in page else "query", "required": True} for n in names]
        for name in names:
            cases += [(f"page {page}", *_request("GET", page, specs, name, value), False) for value in PAYLOADS]
    with ThreadPoolExecutor(3) as pool:
        problems = [p for p in pool.map(lambda case: _check(client, *case), cases) if p]
    assert problems == [], "\n".join(problems[:20])
    assert len(cases) > 1500
    after = client.get("/sparql", params={"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"},
                       headers={"Accept": "text/csv"}).text
    assert after == before  # nothing was dropped or added


def test_lookups_answer_an_injected_name_with_a_correct_empty_answer(client: httpx.Client) -> None:
    for value in PAYLOADS[:10]:
        answer = client.get("/api/lookup/procedures-for-condition", params={"q": value})
        assert answer.status_code in (404, 422)
        if answer.status_code == 404:
            assert answer.json()["results"] == [] and answer.json()["matched"] is None
        search = client.get("/api/search", params={"q": value})
        assert search.status_code in (200, 404, 422)
        if search.status_code != 422:
            assert all("canary" not in str(item["id"]) for item in search.json()["results"])
