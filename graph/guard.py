"""Refuse what the read-only query service must never run, before the engine sees it.

A light lexer drops comments, strings and IRIs, then looks for update operations and for the
keywords that would reach the network (SERVICE, LOAD, FROM). Where the engine could read the text
another way (`<` as less-than, a keyword glued to a name), the lexer takes the reading that shows it
more of the query, never less. This is the first of two layers: the query workers themselves have no
network at all (`graph.sandbox`). Imports nothing of `api`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

_NOISE = re.compile(r'"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|<[^<>"{}|^`\s]*>|#[^\n]*')
#: SPARQL's tokens, tried in order at each position, so that a keyword is found where the engine finds one:
#: `10SERVICE` is the number 10 followed by SERVICE (a word-boundary test would miss it), while `?service`,
#: `ex:SERVICE`, `_:service` and `@en` are names. An IRI holds none of `<>"{}|^`\` and no space or control.
_LEX = re.compile(r"""
      (?P<string>\"\"\"[\s\S]*?\"\"\"|'''[\s\S]*?'''|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')
    | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
    | (?P<comment>\#[^\n]*)
    | (?P<var>[?$][\w\u00B7\u0300-\u036F\u203F\u2040]+)
    | (?P<bnode>_:[\w.\-\u00B7\u0300-\u036F\u203F\u2040]*)
    | (?P<pname>(?:[^\W\d][\w.\-]*)?:(?:[\w.\-%]|\\.)*)
    | (?P<lang>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
    | (?P<number>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)
    | (?P<word>[^\W\d]\w*)
    | (?P<bracket>[{}()\[\]])
    | (?P<space>\s+)
    | (?P<other>.)
""", re.VERBOSE)
#: What a `<` may follow, inside parentheses, to be the less-than operator rather than the start of an IRI.
_OPERAND_ENDS = {"string", "iri", "var", "bnode", "pname", "lang", "number", "word", ")", "]"}
_UPDATE = {"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH"}
_REMOTE = {"SERVICE": "SERVICE would query another server", "FROM": "FROM would load a graph from elsewhere"}


class QueryRefused(ValueError):
    """A request the read-only service will not run; the message says why in plain words."""

    def __init__(self, message: str, *, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


def tokens(sparql: str) -> Iterator[tuple[str, str]]:
    """The query's tokens as (kind, text), read as the engine may read them wherever two readings exist.

    `<` opens an IRI, except inside parentheses right after an operand, where the engine reads less-than:
    `FILTER(?a<?b)SERVICE#>` is a comparison, then SERVICE, then a comment, not an IRI `<?b)SERVICE#>`. Where
    both readings are possible (an RDF collection of IRIs), the operator is taken: the guard then sees more.

    Example:
        >>> [text for kind, text in tokens('FILTER(?a<?b)SERVICE#>') if kind != "space"]
        ['FILTER', '(', '?a', '<', '?b', ')', 'SERVICE', '#>']
        >>> [kind for kind, _ in tokens('FILTER(?p = <urn:x>)') if kind != "space"]
        ['word', 'bracket', 'var', 'other', 'iri', 'bracket']
    """
    position, previous = 0, ""
    brackets: list[str] = []
    while position < len(sparql):
        if sparql[position] == "<" and brackets[-1:] == ["("] and previous in _OPERAND_ENDS:
            kind, text = "other", "<"
        else:
            match = _LEX.match(sparql, position)
            assert match is not None and match.lastgroup is not None  # `other` matches any one character
            kind, text = match.lastgroup, match.group()
        if kind == "bracket":
            if text in "{([":
                brackets.append(text)
            elif brackets:
                brackets.pop()
        if kind not in ("space", "comment"):
            previous = text if kind == "bracket" else kind
        yield kind, text
        position += len(text)


def keywords(sparql: str) -> set[str]:
    """The upper-cased keywords of a query, outside comments, strings and IRIs.

    Example:
        >>> sorted(keywords('SELECT ?insert WHERE { ?s ex:load "DROP ALL" } # DELETE'))
        ['SELECT', 'WHERE']
        >>> sorted(keywords('ASK { ?s ?p 10SERVICE <http://x/> { } }'))
        ['ASK', 'SERVICE']
    """
    return {text.upper() for kind, text in tokens(sparql) if kind == "word"}


def _may_read_service(kind: str, text: str) -> bool:
    """Whether the engine may read SERVICE in this token: it matches keywords without a word boundary, so
    `SERVICE:x` (SERVICE, then `:x`), `SERVICEex:x` and `trueSERVICE` all open a SERVICE clause. Any word, and
    any prefix of a prefixed name, holding the letters SERVICE counts; variables, local names and labels don't.

    Example:
        >>> _may_read_service("pname", "SERVICE:x"), _may_read_service("pname", "ex:Service"), \\
        ...     _may_read_service("var", "?service")
        (True, False, False)
    """
    return kind in ("word", "pname") and "SERVICE" in text.split(":", 1)[0].upper()


def where_body_start(sparql: str) -> int:
    """The offset just inside the `{` that opens the query's WHERE clause (-1 if there is none).

    Used on the catalog's own queries only, to bind their parameters.

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
    for kind, text in tokens(sparql):
        if kind == "bracket":
            depth += 1 if text in "{([" else -1
            deepest = max(deepest, depth)
    return deepest


def check_query(sparql: str, *, max_chars: int, max_nesting: int = 100) -> None:
    """Raise QueryRefused for an oversized or too deeply nested query, an update, or anything that
    reaches the network. The nesting limit keeps pathological queries from overflowing the engine's stack.

    Example:
        >>> try:
        ...     check_query('PREFIX s: <http://127.0.0.1:9/> SELECT * { FILTER(1<2)SERVICEs:x#>\\n{} }', max_chars=99)
        ... except QueryRefused as refused:
        ...     print(refused)
        SERVICE is refused here: SERVICE would query another server, and this service makes no outside requests
    """
    if not sparql.strip():
        raise QueryRefused("the query is empty")
    if len(sparql) > max_chars:
        raise QueryRefused(f"the query is {len(sparql)} characters; this service accepts at most {max_chars}",
                           status=413)
    depth = deepest = 0
    found: set[str] = set()
    for kind, text in tokens(sparql):  # one pass: depth, keywords, and every place SERVICE may hide
        if kind == "bracket":
            depth += 1 if text in "{([" else -1
            deepest = max(deepest, depth)
        elif kind == "word":
            found.add(text.upper())
        if _may_read_service(kind, text):
            found.add("SERVICE")
    if deepest > max_nesting:
        raise QueryRefused(f"the query nests groups {deepest} deep; this service accepts at most {max_nesting}")
    updates = sorted(found & _UPDATE)
    if updates:
        raise QueryRefused(f"this endpoint is read-only: {', '.join(updates)} is an update and was not run",
                           status=403)
    for word, reason in _REMOTE.items():
        if word in found:
            raise QueryRefused(f"{word} is refused here: {reason}, and this service makes no outside requests")
