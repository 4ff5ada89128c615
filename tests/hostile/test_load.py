"""A burst of 200 concurrent requests, and the per-client rate limit.

The burst mixes SPARQL, lookups, catalog queries and network views from one client (loopback, exempt from the
rate limit), and four queries that run until the deadline stops them, so both workers are taken for a while:
none may fail but as an explicit 503 with Retry-After (stopped at the deadline, or every worker busy for the
whole of it), and every answer afterwards, for a client that waits as Retry-After says, is the one given
before the burst. The rate limit is seen from another client (its
address given through X-Forwarded-For, as a proxy on 127.0.0.1 would): 20 requests a minute to the expensive
routes, then 429 with Retry-After, while the cheap routes and other clients are still served.
"""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest

from tests.hostile.conftest import RATE_LIMIT

pytestmark = pytest.mark.integration

REQUESTS = [
    ("/sparql", {"query": "SELECT ?c WHERE { ?c a <https://schema.org/MedicalCondition> } ORDER BY ?c"}),
    ("/api/lookup/procedures-for-condition", {"q": "lung cancer"}),
    ("/queries/procedures_for_condition", {"condition": "ttc:LungCancer"}),
    ("/api/graph/entity", {"id": "ttc:Mediastinoscope", "depth": "2"}),
    ("/api/search", {"q": "食管"}),
]
JSON = {"Accept": "application/sparql-results+json"}


#: Queries that run until the deadline stops them: with them in the burst, both workers are taken for a while.
ENDLESS = ("/sparql", {"query": "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"})


def _get(client: httpx.Client, path: str, params: dict[str, str]) -> httpx.Response:
    """A well-behaved client: after a 503, it waits as long as Retry-After says, a few times at most."""
    for _ in range(5):
        answer = client.get(path, params=params, headers=JSON)
        if answer.status_code != 503:
            return answer
        time.sleep(int(answer.headers["retry-after"]))
    return answer


def _answers(client: httpx.Client) -> list[tuple[int, bytes]]:
    return [(r.status_code, r.content) for r in (_get(client, path, params) for path, params in REQUESTS)]


async def _burst(base: str, count: int) -> list[httpx.Response | BaseException]:
    limits = httpx.Limits(max_connections=count, max_keepalive_connections=0)
    async with httpx.AsyncClient(base_url=base, timeout=60, limits=limits) as http:
        requests = [ENDLESS] * 4 + [REQUESTS[index % len(REQUESTS)] for index in range(count - 4)]
        return await asyncio.gather(*(http.get(path, params=params, headers=JSON) for path, params in requests),
                                    return_exceptions=True)


def test_a_burst_of_200_concurrent_requests(client: httpx.Client, hostile_server: str) -> None:
    before = _answers(client)
    assert all(status == 200 for status, _ in before)
    started = time.monotonic()
    answers = asyncio.run(_burst(hostile_server, 200))
    assert time.monotonic() - started < 60
    failures = [a for a in answers if isinstance(a, BaseException)]
    assert failures == []
    statuses = [a.status_code for a in answers if isinstance(a, httpx.Response)]
    for answer in answers:
        assert isinstance(answer, httpx.Response)
        assert answer.status_code == 200 or (answer.status_code == 503 and int(answer.headers["retry-after"]) >= 1), (
            answer.status_code, answer.text[:200])
    assert statuses.count(503) >= 4, statuses  # the endless queries, stopped at the deadline
    assert statuses.count(200) >= 100, statuses  # most are answered; the rest are told when to come back
    assert _answers(client) == before


def test_the_rate_limit_answers_429_with_retry_after(client: httpx.Client) -> None:
    allowed = int(RATE_LIMIT.split("/")[0])
    other = {"X-Forwarded-For": "203.0.113.7"}  # TEST-NET-3: a documentation address, never a real client
    query = {"query": "ASK { ?s ?p ?o }"}
    served = [client.get("/sparql", params=query, headers=other).status_code for _ in range(allowed)]
    assert served == [200] * allowed
    refused = client.get("/api/graph", headers=other)
    assert refused.status_code == 429 and "too many requests" in refused.text
    assert 1 <= int(refused.headers["retry-after"]) <= 60
    assert refused.headers["content-security-policy"]  # answered inside the security headers
    assert client.get("/sparql", params=query, headers=other).status_code == 429
    assert client.get("/api/lookup/workup-for-condition", params={"q": "lung cancer"}, headers=other).status_code == 200
    assert client.get("/sparql", params=query, headers={"X-Forwarded-For": "203.0.113.8"}).status_code == 200
    assert client.get("/sparql", params=query).status_code == 200  # loopback is exempt on this server
