"""The `thoracic-kg` command as a curator uses it: a real subprocess, real files."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

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
    assert "oa:start 2917 ; oa:end 2936" in result.stdout
    missing = run("locate", "Jiang's Anastomosis")  # straight apostrophe: not the source's words
    assert missing.returncode == 1 and "’" in missing.stderr


def test_stats_counts_classes(tmp_path: Path) -> None:
    result = run("stats", "--out", str(tmp_path / "build"))
    assert result.returncode == 0
    assert "schema:MedicalCondition" in result.stdout and "kg:Claim" in result.stdout
