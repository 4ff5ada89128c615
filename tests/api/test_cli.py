"""The `thoracic-kg` command as a curator uses it: a real subprocess, real files."""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.namespace import PROV

from graph.namespaces import OA
from tests.servers import free_port, wait_until_up

INVALID = Path(__file__).parents[1] / "fixtures" / "invalid"


def run(*args: str, stdin: str | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "api", *args], input=stdin, capture_output=True, text=True,
                          cwd=cwd, timeout=300)


def test_validate_refuses_with_file_line_and_rule() -> None:
    result = run("validate", "--extra", str(INVALID / "altered-quote.ttl"))
    assert result.returncode == 1
    assert "altered-quote.ttl:12: [evidence]" in result.stderr


def test_build_writes_graph_and_manifest_and_query_reads_it(tmp_path: Path) -> None:
    result = run("build", "--out", str(tmp_path / "build"))
    assert result.returncode == 0, result.stderr
    manifest = json.loads((tmp_path / "build" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["triples"] > 3000
    query = ('PREFIX schema: <https://schema.org/> SELECT ?c ?code WHERE { ?c a schema:MedicalCondition ; '
             'schema:code [ schema:codeValue ?code ] } ORDER BY ?code')
    result = run("query", "-", "--format", "csv", stdin=query, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert {"c": "https://ttc-kg.example/id/LungCancer", "code": "C34"} in rows


def test_query_reports_a_syntax_error_without_a_traceback(tmp_path: Path) -> None:
    result = run("query", "-", stdin="SELECT ?s WHERE { ?s ?p }", cwd=tmp_path)
    assert result.returncode == 2
    assert "query does not parse" in result.stderr and "Traceback" not in result.stderr


def test_locate_prints_offsets_a_build_accepts(tmp_path: Path) -> None:
    result = run("locate", "Jiang’s Anastomosis", "--id", "jiang2")
    assert result.returncode == 0
    span = Graph().parse(data=result.stdout, format="turtle")
    node = URIRef("https://ttc-kg.example/evidence/jiang2")
    assert span.value(node, OA.start).toPython() == 2917 and span.value(node, OA.end).toPython() == 2936
    missing = run("locate", "Jiang's Anastomosis")  # straight apostrophe: not the source's words
    assert missing.returncode == 1 and "’" in missing.stderr


def test_locate_output_parses_when_the_quote_crosses_a_line_break() -> None:
    quote = "Thoracic Tumor Center\n\nThe Thoracic Tumor Center"  # the title, a blank line, the first words
    result = run("locate", quote, "--id", "title")
    assert result.returncode == 0, result.stderr
    span = Graph().parse(data=result.stdout, format="turtle")
    node = URIRef("https://ttc-kg.example/evidence/title")
    assert str(span.value(node, PROV.value)) == quote
    assert (span.value(node, OA.start).toPython(), span.value(node, OA.end).toPython()) == (0, len(quote))


def test_ctrl_c_on_serve_exits_promptly_without_tracebacks(tmp_path: Path) -> None:
    port = free_port()
    env = {**os.environ, "TKG_BUILD_DIR": str(tmp_path / "build")}
    process = subprocess.Popen([sys.executable, "-m", "api", "serve", "--port", str(port)], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        wait_until_up(f"http://127.0.0.1:{port}/api/prefixes", process, seconds=180)
        os.killpg(process.pid, signal.SIGINT)  # what a terminal's Ctrl+C does: SIGINT to the whole process group
        _, stderr = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    assert process.returncode == 0
    assert "Traceback" not in stderr and "KeyboardInterrupt" not in stderr, stderr


def test_stats_counts_classes(tmp_path: Path) -> None:
    result = run("stats", "--out", str(tmp_path / "build"))
    assert result.returncode == 0
    assert "schema:MedicalCondition" in result.stdout and "kg:Claim" in result.stdout


def test_editor_and_ontology_warn_that_language_tags_come_back_lower_cased() -> None:
    from fastapi.testclient import TestClient

    from api.app import create_app
    from graph.settings import Settings

    with TestClient(create_app(Settings())) as client:
        for path in ("/sparql", "/ontology"):
            for lang, words in (("en", "lower-cased"), ("zh", "小写")):
                page = client.get(path, params={"lang": lang}, headers={"Accept": "text/html"})
                assert words in page.text and "langMatches(lang(?l)" in page.text, (path, lang)


def test_openapi_lists_the_sparql_media_types() -> None:
    from fastapi.testclient import TestClient

    from api.app import create_app
    from graph.settings import Settings

    with TestClient(create_app(Settings())) as client:
        schema = client.get("/openapi.json").json()
    for method in ("get", "post"):
        answers = schema["paths"]["/sparql"][method]["responses"]
        assert {"application/sparql-results+json", "text/csv", "text/turtle", "application/ld+json"} \
            <= set(answers["200"]["content"])
        assert "text/plain" in answers["400"]["content"]
    # every 422 is documented as what it is: plain text (or, for /entity, the page or JSON a browser or a
    # JSON-LD client asked for), never FastAPI's JSON validation model
    unprocessable = {path: operation["responses"]["422"] for path, operations in schema["paths"].items()
                     for operation in operations.values() if "422" in operation.get("responses", {})}
    assert unprocessable and all("text/plain" in answer["content"] for answer in unprocessable.values())
    changes = {"/update", "/rdf-graphs", "/api/versions/{version_id}/rollback", "/api/sources/{name}",
               "/api/curate/review", "/api/curate/commit", "/api/curate/export"}
    assert all(set(answer["content"]) == {"text/plain"} for path, answer in unprocessable.items()
               if path != "/entity" and path not in changes)
    # a refused change is a JSON list of violations (rule, focus, message); a bad parameter still plain text
    assert all(set(unprocessable[path]["content"]) == {"application/json", "text/plain"} for path in changes)
    assert "HTTPValidationError" not in json.dumps(schema)
