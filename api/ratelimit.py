"""Per-client rate limits on the expensive routes: `/sparql`, the network views (`/graph…`, `/api/graph…`) and the
update doors (`/update`, `/rdf-graphs`), answered with 429 and Retry-After.

A plain ASGI middleware (as `SecurityHeaders`: no task or stream per request) over the `limits` library's moving
windows, kept in this process's memory: no Redis, nothing to run beside the product. One budget per client for
all those routes together, so spreading requests over them gains nothing. A client is its address as uvicorn
reports it (uvicorn takes X-Forwarded-For from a proxy on 127.0.0.1); IPv6 clients count by their /64, which one
host can fill with addresses. Each HTTP process (TKG_HTTP_WORKERS) keeps its own windows.
"""

from __future__ import annotations

import ipaddress
import math
import time
from collections.abc import Iterable

from limits import RateLimitItem, parse_many
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Receive, Scope, Send

#: Path prefixes of the routes that run queries or build networks on demand.
EXPENSIVE = ("/sparql", "/graph", "/api/graph", "/update", "/rdf-graphs")
_NAMESPACE = "tkg-expensive"


def is_expensive(path: str) -> bool:
    """Whether a request path is rate limited.

    Example:
        >>> [is_expensive(p) for p in ("/sparql", "/api/graph/entity", "/graph", "/graphs", "/api/lookup/x")]
        [True, True, True, False, False]
    """
    return any(path == prefix or path.startswith(prefix + "/") for prefix in EXPENSIVE)


def client_key(host: str | None) -> str:
    """The key a client's requests are counted under: its IPv4 address, its IPv6 /64, or the name it has.

    Example:
        >>> client_key("2001:db8::1") == client_key("2001:db8::ffff"), client_key("127.0.0.1")
        (True, '127.0.0.1')
    """
    if not host:
        return "unknown"
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


def describe(items: Iterable[RateLimitItem]) -> str:
    """The limits in words.

    Example:
        >>> describe(parse_many("10/second;300/hour"))
        '10 per 1 second, 300 per 1 hour'
    """
    return ", ".join(str(item) for item in items)


class RateLimit:
    """Counts each client's requests to the expensive routes; past a limit, 429 with Retry-After, and the request
    goes no further (a refused request does not count)."""

    def __init__(self, app: ASGIApp, *, limit: str, exempt: Iterable[str] = ()) -> None:
        self.app = app
        self.items = parse_many(limit)
        self.limiter = MovingWindowRateLimiter(MemoryStorage())
        self.exempt = [ipaddress.ip_network(network, strict=False) for network in exempt]

    def _exempt(self, host: str | None) -> bool:
        try:
            address = ipaddress.ip_address(host or "")
        except ValueError:
            return False
        return any(address in network for network in self.exempt)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not is_expensive(scope["path"]):
            await self.app(scope, receive, send)
            return
        host = (scope.get("client") or (None, None))[0]
        if self._exempt(host):
            await self.app(scope, receive, send)
            return
        key = client_key(host)
        refused = [item for item in self.items if not self.limiter.hit(item, _NAMESPACE, key)]
        if not refused:
            await self.app(scope, receive, send)
            return
        now = time.time()
        wait = max(max(math.ceil(self.limiter.get_window_stats(item, _NAMESPACE, key).reset_time - now), 1)
                   for item in refused)
        answer = PlainTextResponse(
            f"too many requests: a client may make {describe(self.items)} to /sparql and the network views; "
            f"try again in {wait} s", status_code=429, headers={"Retry-After": str(wait)})
        await answer(scope, receive, send)


__all__ = ["EXPENSIVE", "RateLimit", "client_key", "is_expensive"]
