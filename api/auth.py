"""Who may change the graph: bearer tokens from TKG_UPDATE_TOKENS or a file of their hashes.

Only SHA-256 digests of the tokens are held once read; a presented token is hashed and compared with every
digest by `hmac.compare_digest`, so neither the comparison nor the number of tokens checked depends on where
a wrong token first differs. Tokens are never logged or echoed. Reads stay anonymous.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Annotated

from fastapi import Depends, Request

from graph.settings import Settings

log = logging.getLogger("thoracic_kg.auth")


class NotAllowed(Exception):
    """A change was asked for without the right to make it: `status` 401 (no token) or 403 (wrong, or off); 503 when
    the server cannot read its own tokens."""

    def __init__(self, status: int, en: str, zh: str) -> None:
        super().__init__(en)
        self.status, self.en, self.zh = status, en, zh


@dataclass(frozen=True)
class Tokens:
    """(name, sha256 digest) of every token that may change the graph."""

    digests: tuple[tuple[str, bytes], ...]

    def who(self, token: str) -> str | None:
        """The name the token belongs to, or None; constant time in the token and over all entries."""
        presented = hashlib.sha256(token.encode("utf-8")).digest()
        found = None
        for name, digest in self.digests:
            if hmac.compare_digest(presented, digest) and found is None:
                found = name
        return found


def parse_tokens(inline: str | None, file: Path | None) -> Tokens:
    """`name:token,name2:token2` and lines `name:sha256hex` of a file, as digests.

    Example:
        >>> Tokens.who(parse_tokens("alice:s3cret, bob:other", None), "other")
        'bob'
    """
    entries: list[tuple[str, bytes]] = []
    for item in (inline or "").split(","):
        name, _, token = item.strip().partition(":")
        if name and token:
            entries.append((name.strip(), hashlib.sha256(token.strip().encode("utf-8")).digest()))
        elif item.strip():
            raise ValueError("TKG_UPDATE_TOKENS takes 'name:token' pairs separated by commas")
    if file is not None:
        for number, line in enumerate(file.read_text(encoding="utf-8").splitlines(), start=1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            name, _, digest = line.partition(":")
            try:
                raw = bytes.fromhex(digest.strip())
            except ValueError:
                raw = b""
            if not name.strip() or len(raw) != 32:
                raise ValueError(f"{file}:{number}: expected 'name:sha256-hex-of-the-token'")
            entries.append((name.strip(), raw))
    return Tokens(tuple(entries))


@lru_cache(maxsize=4)
def _tokens(inline: str | None, file: Path | None, stamp: float | None) -> Tokens:
    return parse_tokens(inline, file)


def tokens_of(settings: Settings) -> Tokens:
    """The settings' tokens; a token file is read again when it changes (so a revoked token stops at once)."""
    inline = settings.update_tokens.get_secret_value() if settings.update_tokens else None
    file = settings.update_token_file
    return _tokens(inline, file, file.stat().st_mtime if file is not None else None)


def _editor(request: Request) -> str:
    settings: Settings = request.app.state.settings
    if not settings.updates_enabled:
        raise NotAllowed(403, "updates are disabled on this server (no TKG_UPDATE_TOKENS); the graph is read-only",
                         "本服务器未开启更新（未设置 TKG_UPDATE_TOKENS），图谱为只读")
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise NotAllowed(401, "a change needs a token: send 'Authorization: Bearer <token>'",
                         "更改需要令牌：请发送 'Authorization: Bearer <令牌>'")
    try:
        known = tokens_of(settings)
    except (OSError, ValueError) as exc:  # the token file was removed or broken after the start: ours to fix
        log.error("the update tokens cannot be read: %s", exc)
        raise NotAllowed(503, "the update tokens cannot be read on this server (see its log); no change is taken "
                         "until an operator fixes TKG_UPDATE_TOKEN_FILE", "本服务器无法读取更新令牌（见服务器日志）；"
                         "在运维人员修复 TKG_UPDATE_TOKEN_FILE 之前不接受任何更改") from None
    name = known.who(token.strip())
    if name is None:
        raise NotAllowed(403, "this token may not change the graph", "此令牌无权更改图谱")
    return name


#: The name of the token holder making a change (401 without a token, 403 with a wrong one or updates off).
EditorDep = Annotated[str, Depends(_editor)]
