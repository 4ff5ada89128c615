"""The rate limiter on a tiny app, in process: by default loopback counts like any client, limits combine, the
cheap routes are never counted, an exempt network is never limited, and IPv6 clients count by their /64."""

from __future__ import annotations

import asyncio

import httpx
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from api.ratelimit import RateLimit


def _app(limit: str, exempt: tuple[str, ...] = ()) -> RateLimit:
    async def ok(_: object) -> PlainTextResponse:
        return PlainTextResponse("ok")

    inner = Starlette(routes=[Route("/sparql", ok, methods=["GET", "POST"]), Route("/api/graph/entity", ok),
                              Route("/api/lookup/x", ok)])
    return RateLimit(inner, limit=limit, exempt=exempt)


def _statuses(app: RateLimit, paths: list[str], client: str = "127.0.0.1") -> list[int]:
    async def run() -> list[int]:
        transport = httpx.ASGITransport(app=app, client=(client, 5000))
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
            return [(await http.get(path)).status_code for path in paths]

    return asyncio.run(run())


def test_loopback_is_counted_by_default_and_the_budget_is_shared() -> None:
    app = _app("3/minute")
    assert _statuses(app, ["/sparql", "/api/graph/entity", "/sparql", "/api/graph/entity", "/api/lookup/x"]) == [
        200, 200, 200, 429, 200]


def test_429_says_when_to_come_back() -> None:
    app = _app("1/second;2/minute")

    async def run() -> httpx.Response:
        transport = httpx.ASGITransport(app=app, client=("198.51.100.4", 5000))
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
            await http.get("/sparql")
            return await http.get("/sparql")

    refused = asyncio.run(run())
    assert refused.status_code == 429 and refused.headers["retry-after"] == "1"
    assert "1 per 1 second, 2 per 1 minute" in refused.text


def test_exempt_networks_and_ipv6_prefixes() -> None:
    app = _app("1/minute", exempt=("10.0.0.0/8",))
    assert _statuses(app, ["/sparql"] * 3, client="10.1.2.3") == [200, 200, 200]
    assert _statuses(app, ["/sparql"], client="2001:db8::1") == [200]
    assert _statuses(app, ["/sparql"], client="2001:db8::2") == [429]  # the same /64
    assert _statuses(app, ["/sparql"], client="2001:db8:0:1::1") == [200]
