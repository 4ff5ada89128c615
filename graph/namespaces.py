"""The project's namespaces and the prefixes every query and serialisation shares.

Every IRI of the project lives under one base. The curated files, the ontology and the `.rq` queries are
written with the placeholder base `https://ttc-kg.example/`; a site that publishes the graph under its own
domain sets `TKG_BASE_IRI` (for example `https://kg.hospital.example/thoracic/`), and every file of ours is
read through `published`, which puts that base in place of the placeholder, before anything parses it. So the
build, the store, every query, page, link, download and FHIR resource carry the site's IRIs, and the code
never needs to know which base is in use. The base is read once per process from the environment (the query
workers inherit it); a build made under another base is never reused (the base is part of its fingerprint).

Imports rdflib, and pyoxigraph as a Turtle parser only.
"""

import os
import re
from collections.abc import Callable

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import OWL, PROV, RDF, RDFS, SKOS, XSD
from rdflib.term import Node

#: The base the project's own files are written with.
PLACEHOLDER_BASE = "https://ttc-kg.example/"
_BASE_SYNTAX = re.compile(r"https?://[A-Za-z0-9.-]+(:[0-9]+)?(/[A-Za-z0-9._~!$&'()*+,;=:@%-]*)*/")


def _base(value: str | None) -> str:
    """The base IRI from `TKG_BASE_IRI`: an absolute http(s) IRI ending in "/", else the placeholder.

    Example:
        >>> _base(None)
        'https://ttc-kg.example/'
        >>> _base("https://kg.hospital.example/thoracic/")
        'https://kg.hospital.example/thoracic/'
        >>> _base("kg.hospital.example")
        Traceback (most recent call last):
        ...
        ValueError: TKG_BASE_IRI must be an absolute http(s) IRI ending in "/", not 'kg.hospital.example'
    """
    if not value:
        return PLACEHOLDER_BASE
    if not _BASE_SYNTAX.fullmatch(value):
        raise ValueError(f'TKG_BASE_IRI must be an absolute http(s) IRI ending in "/", not {value!r}')
    return value


#: The base every IRI of the project is published under.
BASE = _base(os.environ.get("TKG_BASE_IRI"))


def published(text: str) -> str:
    """A file of ours (Turtle, SPARQL, N-Triples) with the placeholder base replaced by the published one.

    Example:
        >>> published("PREFIX ttc: <https://ttc-kg.example/id/>") == f"PREFIX ttc: <{BASE}id/>"
        True
    """
    return text if BASE == PLACEHOLDER_BASE else text.replace(PLACEHOLDER_BASE, BASE)


def read_published(path: "os.PathLike[str] | str") -> str:
    """One of our files as text, under the published base."""
    with open(path, encoding="utf-8") as handle:
        return published(handle.read())


def parse_published(path: "os.PathLike[str] | str", graph: Graph | None = None) -> Graph:
    """One of our Turtle files parsed under the published base (into `graph` if given), with its prefixes bound.

    Oxigraph's parser reads the text (15 times faster than rdflib's on the departments' files, which made it a
    sixth of a build) and each term becomes the term rdflib's own parser gives: a plain literal stays plain
    (oxrdflib's parser gives it an explicit xsd:string, a different rdflib term, and binds no prefix), and a
    language tag gets the case RFC 5646 recommends (`zh-Hans`), which Oxigraph folds to lower case. A syntax
    error is Python's SyntaxError with the line in its message.

    Example:
        >>> import tempfile
        >>> with tempfile.NamedTemporaryFile("w", suffix=".ttl", delete=False) as f:
        ...     _ = f.write('@prefix ex: <urn:ex:> . ex:a ex:b "x", "y"@zh-hans, 2 .')
        >>> sorted(str(o.n3()) for o in parse_published(f.name).objects())
        ['"2"^^<http://www.w3.org/2001/XMLSchema#integer>', '"x"', '"y"@zh-Hans']
    """
    target = Graph() if graph is None else graph
    parser = ox.parse(read_published(path).encode("utf-8"), format=ox.RdfFormat.TURTLE)
    target.addN((from_ox(q.subject, bcp47_case), from_ox(q.predicate), from_ox(q.object, bcp47_case), target)
                for q in parser)
    for prefix, namespace in parser.prefixes.items():
        target.bind(prefix, namespace, override=False)
    return target


def from_ox(term: "ox.NamedNode | ox.BlankNode | ox.Literal", language: Callable[[str], str] | None = None) -> Node:
    """An Oxigraph term as the rdflib term rdflib's own parsers give: a simple literal without a datatype (as rdflib
    and the SPARQL JSON results parser write it), a language tag as Oxigraph gives it (lower case) unless `language`
    restores a case.

    Example:
        >>> from_ox(ox.Literal("x")), from_ox(ox.Literal("y", language="zh-hans"), bcp47_case)
        (rdflib.term.Literal('x'), rdflib.term.Literal('y', lang='zh-Hans'))
    """
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if not isinstance(term, ox.Literal):
        raise ValueError(f"not an RDF term: {term!r}")
    if term.language:
        return Literal(term.value, lang=language(term.language) if language else term.language)
    datatype = term.datatype.value
    return Literal(term.value) if datatype == _XSD_STRING else Literal(term.value, datatype=URIRef(datatype))


_XSD_STRING = str(XSD.string)


def bcp47_case(tag: str) -> str:
    """A language tag in the case RFC 5646 (2.1.1) recommends: language lower, script title, region upper.

    Example:
        >>> bcp47_case("zh-hans"), bcp47_case("EN-gb"), bcp47_case("en"), bcp47_case("de-ch-x-phonebk")
        ('zh-Hans', 'en-GB', 'en', 'de-CH-x-phonebk')
    """
    parts, out = tag.split("-"), []
    for position, part in enumerate(parts):
        after_singleton = any(len(p) == 1 for p in parts[:position])
        if position and not after_singleton and len(part) == 4 and part.isalpha():
            out.append(part.title())
        elif position and not after_singleton and len(part) == 2:
            out.append(part.upper())
        else:
            out.append(part.lower())
    return "-".join(out)


KG = Namespace(BASE + "ontology#")
TTC = Namespace(BASE + "id/")
EV = Namespace(BASE + "evidence/")
ICD10 = Namespace(BASE + "icd10/")
SCHEMA = Namespace("https://schema.org/")
OA = Namespace("http://www.w3.org/ns/oa#")
GENID = Namespace(BASE + ".well-known/genid/")
#: The ontology document's own IRI.
ONTOLOGY = BASE + "ontology"

#: Prefix → namespace IRI, in the order shown to analysts (editor, Turtle output, docs).
PREFIXES: dict[str, str] = {
    "kg": str(KG),
    "ttc": str(TTC),
    "ev": str(EV),
    "icd10": str(ICD10),
    "schema": str(SCHEMA),
    "skos": str(SKOS),
    "prov": str(PROV),
    "oa": str(OA),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "owl": str(OWL),
    "xsd": str(XSD),
}


def bind_prefixes(graph) -> None:  # type: ignore[no-untyped-def]
    """Bind the project's prefixes on an rdflib graph (replacing rdflib's defaults)."""
    for prefix, iri in PREFIXES.items():
        graph.bind(prefix, iri, override=True, replace=True)


def tag_case(tag: str) -> str:
    """A language tag in the conventional case the curated files use (`zh-Hans`, `en-GB`): language tags are
    case-insensitive, but Oxigraph and reasonable write them in lower case, and one literal must give one line.

    Example:
        >>> tag_case("zh-hans"), tag_case("EN-gb")
        ('zh-Hans', 'en-GB')
    """
    parts = tag.split("-")
    return "-".join([parts[0].lower()] + [p.title() if len(p) == 4 else p.upper() if len(p) == 2 else p.lower()
                                          for p in parts[1:]])
