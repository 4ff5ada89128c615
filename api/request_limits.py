"""Checks every request passes before any route sees it: a body of at most `max_body_bytes`, refused with 413 as
soon as its Content-Length (or what has arrived of it) says it is larger, so no body is ever held in memory
past the cap; and a URL whose percent-encoded bytes are UTF-8, refused with 400 otherwise (Starlette would
quietly turn them into U+FFFD, and a lookup would answer about a name nobody typed).

A plain ASGI middleware, like `SecurityHeaders`. Imports Starlette only.
"""

from __future__ import annotations

from urllib.parse import unquote_to_bytes

from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send


def invalid_utf8(scope: Scope) -> str | None:
    """What part of the URL is not UTF-8 once percent-decoded, or None.

    Example:
        >>> invalid_utf8({"raw_path": b"/api/search", "query_string": b"q=%E8%82%BA"}) is None
        True
        >>> invalid_utf8({"raw_path": b"/id/%ff", "query_string": b""})
        'the path is not valid UTF-8 (percent-encode the UTF-8 bytes of each character)'
    """
    for where, raw in (("path", scope.get("raw_path") or scope.get("path", "").encode()),
                       ("query string", scope.get("query_string", b""))):
        try:
            unquote_to_bytes(raw.replace(b"+", b" ")).decode("utf-8")
        except UnicodeDecodeError:
            return f"the {where} is not valid UTF-8 (percent-encode the UTF-8 bytes of each character)"
    return None


def _declared_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None  # the server refuses it before we are called
    return None


class RequestLimits:
    """413 for a body over `max_body_bytes`, 400 for a URL that is not UTF-8; anything else goes on unchanged.

    The body is read here, up to the cap, and handed on to the route as it arrived."""

    def __init__(self, app: ASGIApp, *, max_body_bytes: int) -> None:
        self.app, self.max_body_bytes = app, max_body_bytes

    def _too_large(self, size: int | str) -> PlainTextResponse:
        return PlainTextResponse(f"the request body is {size} bytes; this service accepts at most {self.max_body_bytes}"
                                 f"\n请求体为 {size} 字节；本服务最多接受 {self.max_body_bytes} 字节",
                                 status_code=413, headers={"Connection": "close"})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        problem = invalid_utf8(scope)
        if problem:
            await PlainTextResponse(problem, status_code=400)(scope, receive, send)
            return
        declared = _declared_length(scope)
        if declared is not None and declared > self.max_body_bytes:
            await self._too_large(declared)(scope, receive, send)
            return
        arrived: list[Message] = []
        size = 0
        while True:
            message = await receive()
            arrived.append(message)
            if message["type"] != "http.request":
                break
            size += len(message.get("body", b""))
            if size > self.max_body_bytes:
                await self._too_large(f"more than {self.max_body_bytes}")(scope, receive, send)
                return
            if not message.get("more_body", False):
                break

        async def replay() -> Message:
            return arrived.pop(0) if arrived else await receive()

        await self.app(scope, replay, send)


__all__ = ["RequestLimits", "invalid_utf8"]
