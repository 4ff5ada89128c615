"""Refuse what the read-only query service must never run, before the engine sees it.

A light lexer drops comments, strings and IRIs, then looks for update operations and for the
keywords that would reach the network (SERVICE, LOAD, FROM). Imports nothing of `api`.
"""

from __future__ import annotations

import re

_NOISE = re.compile(r'"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|<[^<>"{}|^`\s]*>|#[^\n]*')
#: SPARQL's tokens, so that a keyword is found exactly where the engine finds one: `10SERVICE` is the number
#: 10 followed by SERVICE (a word-boundary test would miss it), while `?service`, `ex:SERVICE`, `_:service`
#: and `@en` are names, not keywords. The alternatives are tried in order; the last one is a bare word.
_TOKEN = re.compile(r"""
      [?$][\w\u00B7\u0300-\u036F\u203F\u2040]+                  # variable
    | _:[\w.\-\u00B7\u0300-\u036F\u203F\u2040]*                   # blank node label
    | (?:[^\W\d][\w.\-]*)?:(?:[\w.\-%]|\\.)*                   # prefixed name (prefix may be empty)
    | @[A-Za-z]+(?:-[A-Za-z0-9]+)*                                # language tag
    | (?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?                         # number
    | ([^\W\d]\w*)                                               # a word: keyword, function name or `a`
""", re.VERBOSE)
_BRACKETS = re.compile(r"[{}()\[\]]")
_UPDATE = {"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH"}
_REMOTE = {"SERVICE": "SERVICE would query another server", "FROM": "FROM would load a graph from elsewhere"}


class QueryRefused(ValueError):
    """A request the read-only service will not run; the message says why in plain words."""

    def __init__(self, message: str, *, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


def keywords(sparql: str) -> set[str]:
    """The upper-cased keywords of a query, outside comments, strings and IRIs.

    Example:
        >>> sorted(keywords('SELECT ?insert WHERE { ?s ex:load "DROP ALL" } # DELETE'))
        ['SELECT', 'WHERE']
        >>> sorted(keywords('ASK { ?s ?p 10SERVICE <http://x/> { } }'))
        ['ASK', 'SERVICE']
    """
    return {word.upper() for word in _TOKEN.findall(_NOISE.sub(" ", sparql)) if word}


def where_body_start(sparql: str) -> int:
    """The offset just inside the `{` that opens the query's WHERE clause (-1 if there is none).

    Example:
        >>> q = 'CONSTRUCT { ?s ?p "{" } WHERE { ?s ?p ?o }'
        >>> q[where_body_start(q):].strip()
        '?s ?p ?o }'
    """
    masked = _NOISE.sub(lambda m: " " * len(m.group()), sparql)
    where = re.search(r"(?<![?$:\w])WHERE\b", masked, re.IGNORECASE)
    brace = masked.find("{", where.end() if where else 0)
    return -1 if brace == -1 else brace + 1


def nesting_depth(sparql: str) -> int:
    """The deepest nesting of braces, parentheses and brackets outside comments, strings and IRIs.

    Example:
        >>> nesting_depth('SELECT * WHERE { { ?s ?p ?o FILTER("{{{" != STR(?o)) } }')
        4
    """
    depth = deepest = 0
    for bracket in _BRACKETS.findall(_NOISE.sub(" ", sparql)):
        depth += 1 if bracket in "{([" else -1
        deepest = max(deepest, depth)
    return deepest


def check_query(sparql: str, *, max_chars: int, max_nesting: int = 100) -> None:
    """Raise QueryRefused for an oversized or too deeply nested query, an update, or anything that
    reaches the network. The nesting limit keeps pathological queries from overflowing the engine's stack."""
    if not sparql.strip():
        raise QueryRefused("the query is empty")
    if len(sparql) > max_chars:
        raise QueryRefused(f"the query is {len(sparql)} characters; this service accepts at most {max_chars}",
                           status=413)
    depth = nesting_depth(sparql)
    if depth > max_nesting:
        raise QueryRefused(f"the query nests groups {depth} deep; this service accepts at most {max_nesting}")
    found = keywords(sparql)
    updates = sorted(found & _UPDATE)
    if updates:
        raise QueryRefused(f"this endpoint is read-only: {', '.join(updates)} is an update and was not run",
                           status=403)
    for word, reason in _REMOTE.items():
        if word in found:
            raise QueryRefused(f"{word} is refused here: {reason}, and this service makes no outside requests")
