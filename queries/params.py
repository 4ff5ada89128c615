"""Parameters of named queries: their declaration and the checks that turn a raw string into an rdflib term.

Imports rdflib and `graph.namespaces` only: never fastapi, pydantic or anything of `api`.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Literal as Kind
from typing import get_args

from rdflib import Literal, URIRef
from rdflib.term import Node

from graph.namespaces import PREFIXES

ParamType = Kind["iri", "string", "boolean", "integer"]
PARAM_TYPES: tuple[str, ...] = get_args(ParamType)

MAX_STRING = 200
MAX_IRI = 2000
_IRI_FORBIDDEN = re.compile(r'[\s<>"{}|^`\\]')
_ABSOLUTE = re.compile(r"(?:https?://[^/?#]+(?:[/?#].*)?|urn:[A-Za-z0-9][A-Za-z0-9-]{0,31}:.+)", re.IGNORECASE)
_CURIE = re.compile(r"([A-Za-z][A-Za-z0-9_-]*):(\w[\w.\-]*)")
_INTEGER = re.compile(r"[+-]?[0-9]{1,18}")
_BOOLEANS = {"true": True, "1": True, "false": False, "0": False}


class InvalidParameter(ValueError):
    """A request's parameter is unknown, missing or not a valid value of its type.

    Attributes:
        name: The parameter's name, as the caller spelt it.
        message: What is wrong, in plain words, without the name.
    """

    def __init__(self, name: str, message: str) -> None:
        super().__init__(f"{name}: {message}")
        self.name = name
        self.message = message


@dataclass(frozen=True)
class Param:
    """One parameter of a named query: a SPARQL variable of the same name, bound at run time."""

    name: str
    type: ParamType
    required: bool
    example: str
    description: str
    description_zh: str = ""

    def describe(self, lang: str = "en") -> str:
        """The description in `lang` ("en" or "zh"), English where there is no Chinese one."""
        return self.description_zh if lang == "zh" and self.description_zh else self.description


def convert(param: Param, value: str) -> Node:
    """One raw string as the rdflib term of `param`'s type.

    `iri`: an absolute http(s) or urn IRI, or a prefixed name with a project prefix (`ttc:LungCancer`);
    `string`: a plain literal of 1 to 200 characters; `boolean`: true, false, 1 or 0; `integer`.

    Raises:
        InvalidParameter: The value is not valid for the type.

    Example:
        >>> convert(Param("condition", "iri", True, "", ""), "ttc:LungCancer")
        rdflib.term.URIRef('https://ttc-kg.example/id/LungCancer')
    """
    if not isinstance(value, str):
        raise InvalidParameter(param.name, "must be given as text")
    if param.type == "iri":
        return URIRef(_iri(param.name, value))
    if param.type == "string":
        return Literal(_string(param.name, value))
    if param.type == "boolean":
        if value.lower() not in _BOOLEANS:
            raise InvalidParameter(param.name, "must be true, false, 1 or 0")
        return Literal(_BOOLEANS[value.lower()])
    if not _INTEGER.fullmatch(value):
        raise InvalidParameter(param.name, "must be a whole number of at most 18 digits")
    return Literal(int(value))


def _iri(name: str, value: str) -> str:
    if not value:
        raise InvalidParameter(name, "must not be empty")
    if len(value) > MAX_IRI:
        raise InvalidParameter(name, f"is longer than {MAX_IRI} characters")
    if _IRI_FORBIDDEN.search(value) or _has_control(value):
        raise InvalidParameter(name, 'must not contain spaces, control characters or any of <>"{}|^`\\')
    if _ABSOLUTE.fullmatch(value):
        return value
    curie = _CURIE.fullmatch(value)
    if curie is None:
        raise InvalidParameter(
            name, "must be an absolute http(s) or urn IRI, or a prefixed name such as ttc:LungCancer")
    prefix, local = curie.groups()
    if prefix not in PREFIXES:
        raise InvalidParameter(name, f"unknown prefix {prefix!r}; known prefixes: {', '.join(PREFIXES)}")
    return PREFIXES[prefix] + local


def _string(name: str, value: str) -> str:
    if not value:
        raise InvalidParameter(name, "must not be empty")
    if len(value) > MAX_STRING:
        raise InvalidParameter(name, f"is longer than {MAX_STRING} characters")
    if _has_control(value):
        raise InvalidParameter(name, "must not contain control characters")
    return value


def _has_control(value: str) -> bool:
    return any(unicodedata.category(char) in ("Cc", "Cs") for char in value)


__all__ = ["MAX_IRI", "MAX_STRING", "PARAM_TYPES", "InvalidParameter", "Param", "ParamType", "convert"]
