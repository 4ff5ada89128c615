"""The catalog: every `.rq` file loads and parses, declares exactly its parameters, and `bind` checks values."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import BNode, Literal, URIRef, Variable
from rdflib.namespace import XSD
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.parserutils import CompValue

from queries.catalog import (
    QUERIES_DIR,
    CatalogError,
    InvalidParameter,
    NamedQuery,
    UnknownQuery,
    bind,
    get_query,
    load_catalog,
    load_query,
)

CATALOG = load_catalog()
EXPECTED = {
    "procedures_for_condition", "conditions_for_procedure", "equipment_for_procedure", "workup_for_condition",
    "minimally_invasive_options", "late_or_unresectable_options", "center_figures", "named_innovations",
    "evidence_for_entity", "label_search", "center_services", "conditions_with_codes", "departments_for_procedure",
    "departments_with_equipment",
}
HOSTILE = 'x" } ; DROP ALL ; SELECT * { "'


def test_every_rq_file_is_in_the_catalog() -> None:
    assert {path.stem for path in QUERIES_DIR.glob("*.rq")} == set(CATALOG)
    assert set(CATALOG) >= EXPECTED


@pytest.mark.parametrize("name", sorted(CATALOG))
def test_query_has_documentation_and_parses(name: str) -> None:
    query = CATALOG[name]
    assert query.name == name
    assert query.title and query.description and query.tags
    assert query.sparql.startswith("#+ ")
    prepareQuery(query.sparql)
    for param in query.params:
        assert param.description and param.example


_EXPRESSION_KEYS = {"expr", "other", "arg", "arg1", "arg2", "arg3", "vars"}


def _nodes(node: object) -> Iterator[CompValue]:
    if isinstance(node, CompValue):
        yield node
        for key, value in node.items():
            if key != "_vars":
                yield from _nodes(value)
    elif isinstance(node, list | tuple):
        for item in node:
            yield from _nodes(item)
    elif isinstance(node, dict):
        for value in node.values():
            yield from _nodes(value)


class _Usage:
    """Where a query's variables occur, read from rdflib's algebra."""

    def __init__(self, sparql: str) -> None:
        algebra = prepareQuery(sparql).algebra
        self.projected = {str(v) for v in algebra["PV"]}
        self.bound: set[str] = set()  # matched by a triple pattern (EXISTS patterns included)
        self.assigned: set[str] = set()  # BIND ... AS, VALUES, (aggregate AS ?x)
        self.in_expressions: set[str] = set()  # FILTER, BIND, ORDER BY, aggregate arguments
        # rdflib projects each grouping key through SAMPLE(?key) AS ?key: plumbing, not an assignment
        self._samples = {node["res"] for node in _nodes(algebra) if node.name == "Aggregate_Sample"}
        self.assigned.update(str(sample) for sample in self._samples)
        self._walk(algebra["p"], expression=False)

    def _walk(self, node: object, *, expression: bool) -> None:
        if isinstance(node, Variable):
            (self.in_expressions if expression else self.bound).add(str(node))
        elif isinstance(node, CompValue):
            self._walk_comp(node, expression=expression)
        elif isinstance(node, dict):  # a VALUES row
            self.assigned.update(str(key) for key in node)
        elif isinstance(node, list | tuple):
            for item in node:
                self._walk(item, expression=expression)

    def _walk_comp(self, node: CompValue, *, expression: bool) -> None:
        if node.name in ("Project", "Group"):  # projection and grouping keys repeat variables, never use them
            self._walk(node["p"], expression=False)
        elif node.name in ("BGP", "TriplesBlock"):
            self.bound.update(str(term) for triple in node["triples"] for term in triple if isinstance(term, Variable))
        elif node.name == "Aggregate_Sample":
            pass
        else:
            if node.name == "Extend" and not (isinstance(node["expr"], Variable) and node["expr"] in self._samples):
                self.assigned.add(str(node["var"]))
            aggregate = node.name.startswith("Aggregate_")
            if aggregate:
                self.assigned.add(str(node["res"]))
            exists = node.name in ("Builtin_EXISTS", "Builtin_NOTEXISTS")
            for key, value in node.items():
                if key not in ("_vars", "PV", "var") and not (aggregate and key == "res"):
                    self._walk(value, expression=not exists and (expression or key in _EXPRESSION_KEYS))


@pytest.mark.parametrize("name", sorted(CATALOG))
def test_declared_params_are_exactly_the_query_parameters(name: str) -> None:
    query = CATALOG[name]
    usage = _Usage(query.sparql)
    declared = {param.name for param in query.params}
    used = usage.bound | usage.in_expressions
    # each declared parameter is projected (Oxigraph binds only projected variables) and used in the body
    assert declared <= usage.projected
    assert declared <= used, f"projected-only parameters: {declared - used}"
    assert not declared & usage.assigned, "a parameter must not be assigned by BIND, VALUES or AS"
    # a variable only ever read in an expression, never matched or assigned, is an undeclared parameter
    free = usage.in_expressions - usage.bound - usage.assigned
    assert free <= declared, f"undeclared parameters: {free - declared}"
    # nothing projected that the query never mentions
    assert usage.projected <= used | usage.assigned


def test_get_query_raises_unknown_query() -> None:
    assert get_query(CATALOG, "label_search").name == "label_search"
    with pytest.raises(UnknownQuery):
        get_query(CATALOG, "no_such_query")


def test_bind_converts_each_type() -> None:
    procedures = CATALOG["procedures_for_condition"]
    bound = bind(procedures, {"condition": "ttc:LungCancer", "include_inferred": "TRUE"})
    assert bound == {"condition": URIRef("https://ttc-kg.example/id/LungCancer"), "include_inferred": Literal(True)}
    assert bind(procedures, {"condition": "https://ttc-kg.example/id/LungCancer", "include_inferred": "0"}) == {
        "condition": URIRef("https://ttc-kg.example/id/LungCancer"), "include_inferred": Literal(False)}
    assert bind(procedures, {"condition": "urn:example:x"})["condition"] == URIRef("urn:example:x")
    text = bind(CATALOG["label_search"], {"text": HOSTILE})["text"]
    assert text == Literal(HOSTILE) and isinstance(text, Literal) and text.language is None


def test_optional_params_may_be_left_out() -> None:
    assert bind(CATALOG["minimally_invasive_options"], {}) == {}


@pytest.mark.parametrize("value", [
    "ttc:Lung Cancer", "<https://ttc-kg.example/id/LungCancer>", 'ttc:x"y', "ttc:a{b}", "ttc:a|b", "ttc:a^b",
    "ttc:a`b", "https://ex.org/a\nb", "https://ex.org/\x00", "nope:LungCancer", "LungCancer", "", "ftp://ex.org/a",
    "javascript:alert(1)", "ttc:", "https://",
])
def test_bind_rejects_a_bad_iri(value: str) -> None:
    with pytest.raises(InvalidParameter) as caught:
        bind(CATALOG["procedures_for_condition"], {"condition": value})
    assert caught.value.name == "condition"
    assert caught.value.message


def test_bind_rejects_an_unknown_parameter() -> None:
    with pytest.raises(InvalidParameter) as caught:
        bind(CATALOG["procedures_for_condition"], {"condition": "ttc:LungCancer", "conditon": "ttc:LungCancer"})
    assert caught.value.name == "conditon"


def test_bind_rejects_a_missing_required_parameter() -> None:
    with pytest.raises(InvalidParameter) as caught:
        bind(CATALOG["procedures_for_condition"], {"include_inferred": "true"})
    assert caught.value.name == "condition"


@pytest.mark.parametrize("value", ["x" * 1000, "x" * 201, "", "lung\x00", "lung\x1b[2J"])
def test_bind_rejects_a_bad_string(value: str) -> None:
    with pytest.raises(InvalidParameter) as caught:
        bind(CATALOG["label_search"], {"text": value})
    assert caught.value.name == "text"


def test_string_of_the_maximum_length_is_accepted() -> None:
    assert bind(CATALOG["label_search"], {"text": "肺" * 200})["text"] == Literal("肺" * 200)


@pytest.mark.parametrize("value", ["yes", "2", "", "truee"])
def test_bind_rejects_a_bad_boolean(value: str) -> None:
    with pytest.raises(InvalidParameter):
        bind(CATALOG["procedures_for_condition"], {"condition": "ttc:LungCancer", "include_inferred": value})


def _broken_files() -> Iterator[tuple[str, str]]:
    good = (QUERIES_DIR / "workup_for_condition.rq").read_text(encoding="utf-8")
    yield "no_header.rq", "SELECT ?s WHERE { ?s ?p ?o }"
    yield "bad_yaml.rq", "#+ title: [unclosed\n" + good
    yield "bad_sparql.rq", good.replace("WHERE {", "WHERE {{", 1)
    yield "bad_type.rq", good.replace("type: iri", "type: uri")
    yield "bad_example.rq", good.replace("example: ttc:EsophagealCancer", "example: nope:EsophagealCancer")
    yield "not_projected.rq", good.replace("SELECT ?condition ", "SELECT ")
    yield "unused.rq", good.replace("condition:\n#+     type", "unused:\n#+     type")
    yield "typo_key.rq", good.replace("#+ title:", "#+ summary:")
    # parsed by running it on an empty store: one calling another endpoint is refused before it runs
    yield "service.rq", good.replace("WHERE {", "WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?x ?y ?z }", 1)


def test_a_broken_file_raises_catalog_error_naming_it(tmp_path: Path) -> None:
    for file_name, text in _broken_files():
        directory = tmp_path / file_name.removesuffix(".rq")
        directory.mkdir()
        (directory / file_name).write_text(text, encoding="utf-8")
        with pytest.raises(CatalogError, match=file_name):
            load_catalog(directory)


def test_examples_bind_to_typed_terms() -> None:
    for query in CATALOG.values():
        for name, term in bind(query, query.examples()).items():
            kind = query.param(name).type
            assert not isinstance(term, BNode)
            if kind == "iri":
                assert isinstance(term, URIRef)
            elif kind == "boolean":
                assert isinstance(term, Literal) and term.datatype == XSD.boolean


def test_named_query_is_frozen() -> None:
    query: NamedQuery = CATALOG["label_search"]
    with pytest.raises(AttributeError):
        query.name = "other"  # type: ignore[misc]


def test_a_query_without_its_chinese_title_is_refused(tmp_path: Path) -> None:
    source = (QUERIES_DIR / "center_services.rq").read_text(encoding="utf-8")
    broken = tmp_path / "no_chinese.rq"
    broken.write_text("\n".join(line for line in source.splitlines() if not line.startswith("#+ title_zh")),
                      encoding="utf-8")
    with pytest.raises(CatalogError, match="needs a `title_zh`"):
        load_query(broken)


def test_chinese_descriptions_keep_no_space_where_a_folded_line_broke() -> None:
    query = load_catalog()["procedures_for_condition"]
    assert "每个手术" in query.description_zh and "每 个" not in query.description_zh
    assert query.param("condition").describe("zh").startswith("疾病，例如")
