"""The downloads read back by real parsers (rdflib, csv, zipfile) with the graph's own counts; media types in the
responses and in OpenAPI; the home page links them in both languages; `thoracic-kg export` writes the same bytes."""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from rdflib import Dataset, Graph, URIRef
from rdflib.namespace import RDF
from typer.testing import CliRunner

import ontology
from api.cli import app as cli
from graph.build import Built
from graph.exports import ONTOLOGY_IRI, TABLES_ZIP
from graph.vocabulary import curie

RDF_DOWNLOADS = {  # path → (media type, rdflib format)
    "ttl": ("text/turtle", "turtle"), "nt": ("application/n-triples", "nt"), "trig": ("application/trig", "trig"),
    "nq": ("application/n-quads", "nquads"), "jsonld": ("application/ld+json", "json-ld"),
}
#: The graphs of the center alone: the same three names as before the departments had graphs of their own.
CENTER_ALONE = {f"https://ttc-kg.example/graph/{name}" for name in ("ontology", "icd10", "center")}


def _triples(data: bytes, fmt: str) -> set[tuple[Any, ...]]:
    if fmt in ("trig", "nquads"):
        dataset = Dataset()
        dataset.parse(data=data, format=fmt)
        return {(s, p, o) for s, p, o, _ in dataset.quads()}
    return set(Graph().parse(data=data, format=fmt))


def _download(client: TestClient, path: str, media: str) -> bytes:
    answer = client.get(path)
    assert answer.status_code == 200, path
    assert answer.headers["content-type"].split(";")[0] == media, path
    assert re.fullmatch(r'attachment; filename="[\w.-]+"', answer.headers["content-disposition"]), path
    return answer.content


@pytest.mark.parametrize("ext", RDF_DOWNLOADS)
def test_the_whole_graph_in_every_syntax_holds_exactly_the_built_triples(client: TestClient, built: Built,
                                                                        ext: str) -> None:
    media, fmt = RDF_DOWNLOADS[ext]
    expected = set(Graph().parse(data=built.ntriples, format="nt"))
    assert len(expected) == built.manifest["triples"]
    assert _triples(_download(client, f"/downloads/graph.{ext}", media), fmt) == expected


@pytest.mark.parametrize("ext", RDF_DOWNLOADS)
def test_the_ontology_in_every_syntax_holds_the_ontology_files_triples(client: TestClient, ext: str) -> None:
    media, fmt = RDF_DOWNLOADS[ext]
    expected = set(Graph().parse(ontology.MODEL))
    assert _triples(_download(client, f"/downloads/ontology.{ext}", media), fmt) == expected


def test_trig_partitions_the_graph_into_its_named_graphs_with_the_manifest_counts(client: TestClient,
                                                                                  built: Built) -> None:
    dataset = Dataset()
    dataset.parse(data=client.get("/downloads/graph.trig").content, format="trig")
    sizes = Counter(str(g) for *_, g in dataset.quads())
    assert set(sizes) == CENTER_ALONE  # nothing left in the default graph
    assert dict(sizes) == built.manifest["void"]["graphs"]
    assert sum(sizes.values()) == built.manifest["triples"]
    center = dataset.graph(URIRef("https://ttc-kg.example/graph/center"))
    vocabulary = dataset.graph(URIRef("https://ttc-kg.example/graph/ontology"))
    assert (URIRef("https://ttc-kg.example/id/LungCancer"), None, None) in center
    assert (URIRef("https://ttc-kg.example/ontology#offers"), None, None) in vocabulary
    ontology_trig = Dataset()
    ontology_trig.parse(data=client.get("/downloads/ontology.trig").content, format="trig")
    assert {str(g) for *_, g in ontology_trig.quads()} == {ONTOLOGY_IRI}


def test_json_ld_downloads_embed_their_context_and_parse_with_the_network_blocked(
        client: TestClient, built: Built, no_network: list[Any]) -> None:
    for path in ("/downloads/graph.jsonld", "/downloads/ontology.jsonld"):
        document = json.loads(client.get(path).content)
        assert isinstance(document["@context"], dict), path  # embedded, never a URL to fetch
        assert document["@context"]["schema"] == "https://schema.org/"
    graph = Graph().parse(data=client.get("/downloads/graph.jsonld").content, format="json-ld")
    assert len(graph) == built.manifest["triples"]
    assert no_network == []


def _tables(client: TestClient) -> dict[str, list[dict[str, str]]]:
    data = _download(client, "/downloads/tables.zip", "application/zip")
    assert client.get("/downloads/tables.zip").headers["content-disposition"] == f'attachment; filename="{TABLES_ZIP}"'
    tables = {}
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.testzip() is None
        names = archive.namelist()
        assert names[0] == "README.txt"
        for name in names[1:]:
            raw = archive.read(name)
            assert raw.startswith(b"\xef\xbb\xbf"), name  # UTF-8 with a BOM: Excel shows the Chinese
            tables[name] = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    return tables


def test_the_csv_zip_has_one_table_per_class_with_every_instance_and_every_triple(client: TestClient,
                                                                                  built: Built) -> None:
    tables = _tables(client)
    graph = Graph().parse(data=built.ntriples, format="nt")
    classes = Counter(str(o) for o in graph.objects(None, RDF.type))
    assert len(tables) == len(classes)
    for cls, count in classes.items():
        name = next(n for n in tables if n == curie(cls).replace(":", "_") + ".csv")
        rows = tables[name]
        assert len(rows) == count == built.manifest["void"]["classes"][cls], name
        subjects = {curie(str(s)) for s in graph.subjects(RDF.type, URIRef(cls))}
        assert {row["id"] for row in rows} == subjects, name
        values = sum(len(cell.split(" | ")) for row in rows for column, cell in row.items() if column != "id" and cell)
        assert values == sum(1 for s in graph.subjects(RDF.type, URIRef(cls)) for _ in graph.predicate_objects(s)), name
    conditions = {row["id"]: row for row in tables["schema_MedicalCondition.csv"]}
    lung = conditions["ttc:LungCancer"]
    assert lung["skos:prefLabel@en"] == "Lung cancer" and lung["skos:prefLabel@zh-Hans"] == "肺癌"
    claims = tables["kg_Claim.csv"]
    assert {row["kg:status"] for row in claims} == {"kg:Stated", "kg:Implied", "kg:Inferred", "kg:Ambiguous"}


def test_one_table_alone_and_an_unknown_table(client: TestClient) -> None:
    answer = client.get("/downloads/tables/kg_Figure.csv")
    assert answer.headers["content-type"] == "text/csv; charset=utf-8"
    assert answer.headers["content-disposition"] == 'attachment; filename="kg_Figure.csv"'
    assert answer.content.startswith(b"\xef\xbb\xbfid,")
    for missing in ("nope.csv", "README.txt"):
        refused = client.get(f"/downloads/tables/{missing}")
        assert refused.status_code == 404 and refused.headers["content-type"].startswith("text/plain"), missing
    assert client.get("/downloads/tables/..%2Fgraph.nt").status_code == 404  # a path never reaches the zip
    assert client.get("/downloads/tables/" + "x" * 300).status_code == 422


def test_openapi_gives_each_download_its_media_type(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for base in ("graph", "ontology"):
        for ext, (media, _) in RDF_DOWNLOADS.items():
            if (base, ext) in (("graph", "nt"), ("ontology", "ttl")):
                continue  # the older downloads of pages.py
            assert set(paths[f"/downloads/{base}.{ext}"]["get"]["responses"]["200"]["content"]) == {media}
    assert set(paths["/downloads/tables.zip"]["get"]["responses"]["200"]["content"]) == {"application/zip"}


@pytest.mark.parametrize(("lang", "words"), [("en", "Downloads in other formats"), ("zh", "其他格式的下载")])
def test_the_home_page_links_every_download_in_its_language(client: TestClient, lang: str, words: str) -> None:
    page = client.get("/", params={"lang": lang}).text
    assert words in page and f'<input type="hidden" name="lang" value="{lang}">' in page
    links = set(re.findall(r'href="(/downloads/[^"]+)"', page))
    expected = {f"/downloads/{base}.{ext}" for base in ("graph", "ontology") for ext in RDF_DOWNLOADS}
    assert expected | {"/downloads/tables.zip", "/downloads/manifest.json"} <= links
    for link in links:
        assert client.get(link).status_code == 200, link
    for link in ("/center.jsonld", "/.well-known/void", "/fhir/Organization", "/fhir/HealthcareService",
                 "/fhir/metadata"):
        assert f'href="{link}"' in page and client.get(link).status_code == 200, link
    if lang == "zh":
        assert "Find what the center offers" not in page and "Look up" not in page


@pytest.mark.parametrize("fmt", ["ttl", "nt", "trig", "nq", "jsonld", "csv"])
def test_the_cli_writes_the_files_the_downloads_serve(client: TestClient, built: Built, tmp_path: Path,
                                                      fmt: str) -> None:
    build_dir = tmp_path / "build"
    built.write(build_dir)
    result = CliRunner().invoke(cli, ["export", "--format", fmt, "-o", str(tmp_path / "out")],
                                env={"TKG_BUILD_DIR": str(build_dir)})
    assert result.exit_code == 0, result.output
    names = {p.name for p in (tmp_path / "out").iterdir()}
    if fmt == "csv":
        assert names == {TABLES_ZIP}
        assert (tmp_path / "out" / TABLES_ZIP).read_bytes() == client.get("/downloads/tables.zip").content
        return
    assert names == {f"graph.{fmt}", f"ontology.{fmt}"}
    for name in names:
        served = client.get(f"/downloads/{name}").content
        assert (tmp_path / "out" / name).read_bytes() == served, name


def test_the_cli_asks_for_a_folder_and_keeps_its_network_formats(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["export", "--format", "csv"])
    assert result.exit_code == 2 and "-o DIR" in result.output
    result = CliRunner().invoke(cli, ["export", "--format", "pdf"])
    assert result.exit_code == 2 and "graphml" in result.output
