"""The whole graph and the ontology as files: Turtle, N-Triples, TriG (with named graphs), JSON-LD, and a zip of
CSV tables (one per class) for spreadsheets.

Everything is generated from the build's canonical N-Triples, so every file holds exactly the triples the
SPARQL endpoint serves, and the same build always gives the same bytes. The named graphs of the TriG and N-Quads
files are `graph.partition`'s: the ontology, the ICD-10 codes, each department's own facts (the center's in
`…/graph/center`), and what several or no departments' words are behind. Imports rdflib, pyoxigraph (as a parser
and serialiser only) and `graph`; never FastAPI.
"""

from __future__ import annotations

import csv
import hashlib
import io
import zipfile
from collections import defaultdict
from dataclasses import dataclass
from functools import cache, lru_cache

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SKOS
from rdflib.term import Node

import ontology
from graph.namespaces import BASE, ONTOLOGY, PREFIXES, bind_prefixes, read_published
from graph.partition import CENTER_GRAPH, ICD10_GRAPH, ONTOLOGY_GRAPH, partition
from graph.store import compact_jsonld
from graph.vocabulary import curie, serialize_model

#: Where the graph's own IRIs live (VoID's uriSpace).
URI_SPACE = BASE
#: The ontology file's own graph name in ontology.trig: the owl:Ontology IRI.
ONTOLOGY_IRI = ONTOLOGY

#: Download format → (media type, file extension).
RDF_FORMATS: dict[str, tuple[str, str]] = {
    "turtle": ("text/turtle", "ttl"),
    "ntriples": ("application/n-triples", "nt"),
    "trig": ("application/trig", "trig"),
    "nquads": ("application/n-quads", "nq"),
    "jsonld": ("application/ld+json", "jsonld"),
}
#: The formats that carry the named graphs.
QUAD_FORMATS = {"trig": ox.RdfFormat.TRIG, "nquads": ox.RdfFormat.N_QUADS}
#: Short names (CLI, file extensions) → format.
FORMAT_NAMES = {"ttl": "turtle", "turtle": "turtle", "nt": "ntriples", "ntriples": "ntriples", "trig": "trig",
                "nq": "nquads", "nquads": "nquads", "jsonld": "jsonld", "json-ld": "jsonld"}
ZIP_MEDIA_TYPE = "application/zip"
TABLES_ZIP = "thoracic-kg-tables.zip"
CSV_MEDIA_TYPE = "text/csv; charset=utf-8"
_BOM = "\ufeff"
_SEPARATOR = " | "
_ZIP_DATE = (2000, 1, 1, 0, 0, 0)  # a fixed timestamp: the same build gives the same zip, byte for byte


def media_type(fmt: str) -> str:
    """The media type of a download format, with the charset for text types."""
    media = RDF_FORMATS[fmt][0]
    return media + "; charset=utf-8" if media.startswith("text/") else media


@lru_cache(maxsize=4)
def graph_file(ntriples: bytes, fmt: str) -> bytes:
    """The whole graph in `fmt` (turtle, ntriples, trig, nquads, jsonld); TriG and N-Quads put each triple in its
    named graph (`graph.partition`), one block per graph.

    Example:
        >>> center = f'<{BASE}id/Center> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{BASE}ontology#ClinicalCenter>'
        >>> trig = graph_file(f'{center} .\\n<{BASE}id/A> <urn:p> "x" .\\n'.encode(), "trig").decode()
        >>> f"<{BASE}graph/center> {{" in trig
        True
    """
    if fmt == "ntriples":
        return ntriples
    if fmt == "jsonld":
        return compact_jsonld(ntriples)
    if fmt == "turtle":
        triples = ox.parse(ntriples, format=ox.RdfFormat.N_TRIPLES)
        return ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=dict(PREFIXES)) or b""
    if fmt in QUAD_FORMATS:
        return _quads_file(partition(ntriples).quads, fmt)
    raise ValueError(f"unknown format {fmt!r}")


@lru_cache(maxsize=8)
def department_file(ntriples: bytes, key: str, fmt: str) -> bytes | None:
    """One department's named graph alone (its key as GET /api/departments gives it: `Center`, `syn-0001`) in TriG
    or N-Quads, or None when no department has that key.

    Example:
        >>> nt = f'<{BASE}id/Center> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{BASE}ontology#ClinicalCenter> .\\n'
        >>> department_file(nt.encode(), "Center", "nquads").decode().split()[-2] == f"<{CENTER_GRAPH}>"
        True
        >>> department_file(nt.encode(), "syn-9999", "trig") is None
        True
    """
    found = partition(ntriples)
    graph = found.department_graph(key)
    return None if graph is None else _quads_file(found.of(graph.iri), fmt)


def _quads_file(quads: list[ox.Quad], fmt: str) -> bytes:
    return ox.serialize(quads, format=QUAD_FORMATS[fmt], prefixes=dict(PREFIXES)) or b""  # N-Quads has none: ignored


@cache
def ontology_file(fmt: str) -> bytes:
    """The ontology (`ontology/thoracic.ttl`) in `fmt`; Turtle is the file itself, comments included, and TriG and
    N-Quads hold it in one graph named by the ontology's IRI."""
    if fmt in QUAD_FORMATS:
        quads = [ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(ONTOLOGY_IRI))
                 for t in ox.parse(read_published(ontology.MODEL), format=ox.RdfFormat.TURTLE)]
        return _quads_file(sorted(quads, key=str), fmt)
    return serialize_model(fmt)


# ---------------------------------------------------------------- CSV tables


@dataclass(frozen=True)
class Table:
    """One class's table: the file name and its CSV text (UTF-8 with a BOM, so spreadsheets show Chinese)."""

    cls: str
    name: str
    rows: int
    text: str

    @property
    def data(self) -> bytes:
        return (_BOM + self.text).encode("utf-8")


def _cell(term: Node) -> str:
    return curie(str(term)) if isinstance(term, URIRef) else str(term)


def _column(predicate: Node, value: Node) -> str:
    name = curie(str(predicate))
    return f"{name}@{value.language}" if isinstance(value, Literal) and value.language else name


def file_name(cls: str) -> str:
    """`kg_SurgicalProcedure.csv` for kg:SurgicalProcedure: a compact name safe in every file system.

    Example:
        >>> file_name("https://schema.org/MedicalCondition")
        'schema_MedicalCondition.csv'
    """
    name = curie(cls)
    if name == cls:  # no known prefix: the IRI's last segment
        name = cls.rstrip("/#").rsplit("/", 1)[-1].rsplit("#", 1)[-1]
    return "".join(c if c.isalnum() or c in "-." else "_" for c in name) + ".csv"


def tables(graph: Graph) -> list[Table]:
    """One table per class with instances, holding every instance (by the types the build entails too, so
    schema_MedicalCondition.csv lists every condition): columns `id`, the labels, then one per property (and
    language), every value of a triple about the subject in its cell, several values joined by " | "; IRIs as
    compact names (`ttc:LungCancer`)."""
    members: dict[Node, list[Node]] = defaultdict(list)
    for subject, cls in graph.subject_objects(RDF.type):
        members[cls].append(subject)
    out = []
    for cls in sorted(members, key=lambda c: file_name(str(c))):
        subjects = sorted(members[cls], key=_cell)
        rows: list[dict[str, list[str]]] = []
        columns: set[str] = set()
        for subject in subjects:
            row: dict[str, list[str]] = defaultdict(list)
            for predicate, value in sorted(graph.predicate_objects(subject), key=lambda pv: (_cell(pv[0]), _cell(pv[1]))):
                row[_column(predicate, value)].append(_cell(value))
            columns.update(row)
            rows.append(row)
        labels = [c for name in (SKOS.prefLabel, RDFS.label) for c in sorted(columns) if c.startswith(curie(str(name)) + "@")]
        header = ["id", *labels, *sorted(columns - set(labels))]
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(header)
        for subject, row in zip(subjects, rows, strict=True):
            writer.writerow([_cell(subject), *(_SEPARATOR.join(row.get(c, ())) for c in header[1:])])
        out.append(Table(str(cls), file_name(str(cls)), len(subjects), buffer.getvalue()))
    return out


_README = """Thoracic Tumor Center knowledge graph: one CSV table per class / 胸部肿瘤中心知识图谱：每个类一个 CSV 表格

Each entity is in the table of every class it belongs to, the classes the build entails included
(lung cancer is in kg_Cancer.csv, kg_Neoplasm.csv and schema_MedicalCondition.csv).
Columns: id, then one column per property; a language-tagged value is in a column named property@language.
Several values of one property are joined by " | ". IRIs are written as compact names (ttc:LungCancer);
the prefixes are listed below. Files are UTF-8 with a byte order mark, so spreadsheets show Chinese.
Claims (kg_Claim.csv) carry their status: only kg:Stated and kg:Implied ones are plain facts of the graph;
kg:Inferred (clinical knowledge, not the source) and kg:Ambiguous (the words allow another reading) are not.

每个实体出现在它所属的每个类的表格中，包括构建时推出的类
（肺癌见于 kg_Cancer.csv、kg_Neoplasm.csv 和 schema_MedicalCondition.csv）。
列：id，然后每个属性一列；带语言标签的值位于名为“属性@语言”的列中。
同一属性的多个值以 " | " 分隔。IRI 以简写形式书写（ttc:LungCancer），前缀见下。
文件为带 BOM 的 UTF-8 编码，电子表格可正确显示中文。
声明（kg_Claim.csv）带有依据状态：只有 kg:Stated（来源明确陈述）和 kg:Implied（措辞暗示）是图谱中的普通事实；
kg:Inferred（临床知识，来源中没有）和 kg:Ambiguous（来源有歧义）不是。

Build / 构建: {sha}

Prefixes / 前缀:
{prefixes}
Tables / 表格:
{tables}
"""


@lru_cache(maxsize=2)
def tables_zip(ntriples: bytes) -> bytes:
    """The CSV tables of the whole graph as one zip, with a bilingual README.txt; the same build gives the
    same bytes."""
    graph = _parse(ntriples)
    made = tables(graph)
    readme = _README.format(
        sha=hashlib.sha256(ntriples).hexdigest(),
        prefixes="".join(f"  {p}: {ns}\n" for p, ns in {**PREFIXES, "dcterms": "http://purl.org/dc/terms/"}.items()),
        tables="".join(f"  {t.name}  {curie(t.cls)}  {t.rows}\n" for t in made))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in (("README.txt", (_BOM + readme).encode("utf-8")), *((t.name, t.data) for t in made)):
            info = zipfile.ZipInfo(name, date_time=_ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
    return buffer.getvalue()


def table_names(ntriples: bytes) -> list[str]:
    """The file names inside the zip, README first."""
    with zipfile.ZipFile(io.BytesIO(tables_zip(ntriples))) as archive:
        return archive.namelist()


def table_file(ntriples: bytes, name: str) -> bytes | None:
    """One CSV table of the zip by its file name, or None if there is none of that name."""
    with zipfile.ZipFile(io.BytesIO(tables_zip(ntriples))) as archive:
        return archive.read(name) if name in archive.namelist() and name.endswith(".csv") else None


@lru_cache(maxsize=2)
def _parse(ntriples: bytes) -> Graph:
    graph = Graph()
    graph.parse(data=ntriples, format="nt")
    bind_prefixes(graph)
    return graph


def written(ntriples: bytes, fmt: str) -> dict[str, bytes]:
    """The download files of one CLI format: file name → bytes (`ttl`, `nt`, `trig`, `nq`, `jsonld`, `csv`)."""
    if fmt == "csv":
        return {TABLES_ZIP: tables_zip(ntriples)}
    name = FORMAT_NAMES[fmt]
    extension = RDF_FORMATS[name][1]
    return {f"graph.{extension}": graph_file(ntriples, name), f"ontology.{extension}": ontology_file(name)}


__all__ = ["CENTER_GRAPH", "ICD10_GRAPH", "ONTOLOGY_GRAPH", "QUAD_FORMATS", "RDF_FORMATS", "TABLES_ZIP", "Table",
           "department_file", "graph_file", "media_type", "ontology_file", "tables", "tables_zip", "written"]
