"""The catalog of named SPARQL queries: reads each `*.rq` file's `#+` header and checks the query parses.

`bind` turns a request's raw strings into rdflib terms by parameter type (see `queries.params`).
Imports rdflib, PyYAML and `graph.namespaces` only: never fastapi, pydantic or anything of `api`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import yaml
from rdflib.term import Node

from graph.namespaces import KG, read_published
from queries.params import MAX_IRI, MAX_STRING, PARAM_TYPES, InvalidParameter, Param, ParamType, convert

#: Where the shipped `.rq` files live.
QUERIES_DIR = Path(__file__).resolve().parent

_HEADER_KEYS = {"title", "title_zh", "description", "description_zh", "params", "tags"}
_PARAM_KEYS = {"type", "required", "example", "description", "description_zh"}
#: White space a folded YAML line break leaves between two Chinese characters (Chinese has no spaces between words).
_CJK_GAP = re.compile(r"(?<=[\u2e80-\u9fff\u3000-\u303f\uff00-\uffef])\s+(?=[\u2e80-\u9fff\u3000-\u303f\uff00-\uffef])")
_NAME = re.compile(r"[a-z][a-z0-9_]*")


class CatalogError(Exception):
    """A `.rq` file is broken: bad header, invalid example, or a query that does not parse.

    The message starts with the file's name.
    """


class UnknownQuery(LookupError):
    """No query of that name is in the catalog."""

    def __init__(self, name: str) -> None:
        super().__init__(f"no query named {name!r}")
        self.name = name


@dataclass(frozen=True)
class NamedQuery:
    """A `.rq` file: its header and its SPARQL text (header comments and PREFIX lines included)."""

    name: str
    title: str
    description: str
    params: tuple[Param, ...]
    title_zh: str
    description_zh: str
    tags: tuple[str, ...]
    sparql: str
    path: Path

    def titled(self, lang: str = "en") -> str:
        """The title in `lang` ("en" or "zh")."""
        return self.title_zh if lang == "zh" else self.title

    def describe(self, lang: str = "en") -> str:
        """The description in `lang` ("en" or "zh")."""
        return self.description_zh if lang == "zh" else self.description

    def param(self, name: str) -> Param:
        """The parameter called `name`.

        Raises:
            InvalidParameter: The query has no such parameter.
        """
        for param in self.params:
            if param.name == name:
                return param
        takes = ", ".join(param.name for param in self.params) or "no parameters"
        raise InvalidParameter(name, f"unknown parameter; {self.name} takes {takes}")

    def examples(self) -> dict[str, str]:
        """Every parameter's example value, as raw strings for `bind`."""
        return {param.name: param.example for param in self.params}


def load_catalog(directory: Path = QUERIES_DIR, *, readers: bool = True) -> dict[str, NamedQuery]:
    """Read and check every `*.rq` file of `directory`, keyed by file name without `.rq`.

    With `readers` (the public catalog, whose titles and descriptions people read on /queries and /docs), every
    title and description must also exist in Chinese (`title_zh`, `description_zh`); the internal queries of the
    lookups (`readers=False`) may leave them out.

    Raises:
        CatalogError: A header is missing or malformed, an example is invalid, a query does not
            parse, or a parameter is not a projected variable used in its query's WHERE clause.

    Example:
        >>> catalog = load_catalog()
        >>> catalog["procedures_for_condition"].param("condition").type
        'iri'
    """
    return {path.stem: load_query(path, readers=readers) for path in sorted(directory.glob("*.rq"))}


def get_query(catalog: Mapping[str, NamedQuery], name: str) -> NamedQuery:
    """The query called `name`.

    Raises:
        UnknownQuery: The catalog has no such query.
    """
    try:
        return catalog[name]
    except KeyError:
        raise UnknownQuery(name) from None


def load_query(path: Path, *, readers: bool = True) -> NamedQuery:
    """Read and check one `.rq` file.

    Raises:
        CatalogError: As for `load_catalog`, naming this file.
    """
    try:
        return _load(path, readers)
    except CatalogError as exc:
        raise CatalogError(f"{path.name}: {exc}") from exc


def bind(query: NamedQuery, raw: Mapping[str, str]) -> dict[str, Node]:
    """Validate raw string values against the query's parameters and convert them to rdflib terms.

    Optional parameters left out stay unbound. The result goes to `Store.select(..., bindings=...)`,
    which binds values, never pastes text.

    Raises:
        InvalidParameter: A name the query does not declare, a required one missing, or a value that
            is not valid for its type.

    Example:
        >>> query = load_catalog()["procedures_for_condition"]
        >>> bind(query, {"condition": "ttc:LungCancer"})["condition"]
        rdflib.term.URIRef('https://ttc-kg.example/id/LungCancer')
    """
    bound: dict[str, Node] = {}
    for name, value in raw.items():
        bound[name] = convert(query.param(name), value)
    for param in query.params:
        if param.required and param.name not in bound:
            raise InvalidParameter(param.name, f"is required by {query.name}")
    return bound


def _load(path: Path, readers: bool) -> NamedQuery:
    if not _NAME.fullmatch(path.stem):
        raise CatalogError("a query's file name must be lower_snake_case")
    try:
        text = read_published(path)
    except (OSError, UnicodeDecodeError) as exc:
        raise CatalogError(f"cannot read the file: {exc}") from exc
    header = _header(text)
    unknown = set(header) - _HEADER_KEYS
    if unknown:
        raise CatalogError(f"unknown header keys {sorted(unknown)}; allowed: {sorted(_HEADER_KEYS)}")
    title, description = _text(header, "title"), _text(header, "description")
    title_zh, description_zh = (_text(header, "title_zh"), _text(header, "description_zh")) if readers else (
        _text(header, "title_zh", optional=True) or title, _text(header, "description_zh", optional=True) or description)
    tags = header.get("tags") or []
    if not isinstance(tags, list) or not all(isinstance(tag, str) for tag in tags):
        raise CatalogError("`tags` must be a list of strings")
    params = _params(header.get("params") or {}, readers)
    _check_sparql(text, params)
    return NamedQuery(name=path.stem, title=title, description=description, title_zh=title_zh,
                      description_zh=description_zh, params=params, tags=tuple(tags), sparql=text, path=path)


def _text(spec: dict, key: str, what: str = "the header", *, optional: bool = False) -> str:
    """A required text of a header or parameter, white space folded (and none left between Chinese characters).

    Every text a reader sees exists in English and Chinese: `title`/`title_zh`, `description`/`description_zh`.
    """
    value = spec.get(key)
    if optional and value is None:
        return ""
    if not isinstance(value, str) or not value.strip():
        raise CatalogError(f"{what} needs a `{key}` (a string; every title and description exists in English and "
                           "Chinese)")
    return _CJK_GAP.sub("", " ".join(value.split()))


def _header(text: str) -> dict:
    lines = []
    for line in text.splitlines():
        if line.rstrip() == "#+":
            lines.append("")
        elif line.startswith("#+ "):
            lines.append(line[3:])
        else:
            break
    if not lines:
        raise CatalogError("the file must start with a `#+ ` YAML header")
    try:
        header = yaml.safe_load("\n".join(lines))
    except yaml.YAMLError as exc:
        raise CatalogError(f"the `#+` header is not valid YAML: {exc}") from exc
    if not isinstance(header, dict):
        raise CatalogError("the `#+` header must be a YAML mapping")
    return header


def _params(raw: object, readers: bool) -> tuple[Param, ...]:
    if not isinstance(raw, dict):
        raise CatalogError("`params` must be a mapping of name to {type, required, example, description}")
    params = []
    for name, spec in raw.items():
        if not isinstance(name, str) or not _NAME.fullmatch(name):
            raise CatalogError(f"parameter name {name!r} must be lower_snake_case")
        if not isinstance(spec, dict) or not _PARAM_KEYS - {"description_zh"} <= set(spec) <= _PARAM_KEYS:
            raise CatalogError(f"parameter {name!r} needs exactly the keys {sorted(_PARAM_KEYS)}")
        if spec["type"] not in PARAM_TYPES:
            raise CatalogError(f"parameter {name!r} has type {spec['type']!r}; allowed: {', '.join(PARAM_TYPES)}")
        if not isinstance(spec["required"], bool):
            raise CatalogError(f"parameter {name!r}: `required` must be true or false")
        if not isinstance(spec["example"], str):
            raise CatalogError(f"parameter {name!r}: `example` must be a string (quote it)")
        what = f"parameter {name!r}"
        param = Param(name=name, type=spec["type"], required=spec["required"], example=spec["example"],
                      description=_text(spec, "description", what),
                      description_zh=_text(spec, "description_zh", what, optional=not readers))
        try:
            convert(param, param.example)
        except InvalidParameter as exc:
            raise CatalogError(f"the example of parameter {name!r} is invalid: {exc.message}") from exc
        params.append(param)
    return tuple(params)


def _check_sparql(text: str, params: tuple[Param, ...]) -> None:
    """Parse the query with Oxigraph, the engine that answers it, by running it on an empty store (microseconds;
    rdflib's parser took a second and a half of every process's start for the two catalogs). A query calling
    another endpoint (SERVICE) is refused before it runs: that would reach the network at start-up."""
    code = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
    if _SERVICE.search(code):
        raise CatalogError("the query calls another endpoint (SERVICE): a named query reads this graph only")
    try:
        answer = ox.Store().query(text)
    except SyntaxError as exc:
        raise CatalogError(f"the query does not parse: {exc}") from exc
    projected = {v.value for v in answer.variables} if isinstance(answer, ox.QuerySolutions) else None
    where = code[code.find("{"):]
    for param in params:
        if not re.search(rf"[?$]{param.name}\b", where):
            raise CatalogError(f"parameter {param.name!r} is not used in the query's WHERE clause")
        if projected is not None and param.name not in projected:
            raise CatalogError(f"parameter ?{param.name} must be in the SELECT clause: every answer echoes its parameters")


#: The SERVICE keyword followed by an endpoint and a group (not `?service`, not `schema:availableService`).
_SERVICE = re.compile(r"(?<![?$\w:])SERVICE\s+(?:SILENT\s+)?\S+\s*\{", re.IGNORECASE)


__all__ = ["MAX_IRI", "MAX_STRING", "PARAM_TYPES", "QUERIES_DIR", "CatalogError", "InvalidParameter", "NamedQuery",
           "Param", "ParamType", "UnknownQuery", "bind", "get_query", "load_catalog", "load_query"]


#: A claim status as a full IRI in a CSV cell (the whole cell: other IRIs are left as they are).
_STATUS_CELL = re.compile(rb"(?m)(^|,)" + re.escape(str(KG).encode())
                          + rb"(Stated|Implied|Inferred|Ambiguous)(?=,|\r?$)")


def spreadsheet_csv(body: bytes) -> bytes:
    """SPARQL CSV results with claim statuses as spreadsheet users read them: `stated`, not `…ontology#Stated`.

    Example:
        >>> spreadsheet_csv(b"x,status\\r\\nhttps://ttc-kg.example/id/A,https://ttc-kg.example/ontology#Implied\\r\\n")
        b'x,status\\r\\nhttps://ttc-kg.example/id/A,implied\\r\\n'
    """
    return _STATUS_CELL.sub(lambda match: match.group(1) + match.group(2).lower(), body)
