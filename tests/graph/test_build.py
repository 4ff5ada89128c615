"""The build accepts the shipped facts, refuses each kind of broken input, and is deterministic."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from graph.build import Built, Inputs, build, cached_build
from graph.evidence import read_source
from graph.problems import BuildRefused
from graph.sources import DATA_DIR

INVALID = Path(__file__).parents[1] / "fixtures" / "invalid"

# fixture file → the check that must refuse it (each fixture breaks exactly one rule)
REFUSALS = {
    "claim-without-evidence.ttl": "shacl kgsh:ClaimShape",
    "inferred-without-reason.ttl": "shacl kgsh:ClaimShape",
    "altered-quote.ttl": "evidence",
    "invalid-icd10-code.ttl": "icd10",
    "wrong-who-label.ttl": "icd10",
    "plain-relation.ttl": "claims",
    "no-english-label.ttl": "shacl kgsh:EntityShape",
    "figure-value-not-a-bound.ttl": "shacl kgsh:FigureShape",
    "syntax-error.ttl": "syntax",
    "plain-broader.ttl": "claims",
    "added-synonym-as-source-words.ttl": "labels",
    "hidden-label-not-verbatim.ttl": "labels",
    "probable-translation-not-a-label.ttl": "labels",
    "decade-as-year.ttl": "figures",
    "decade-not-a-decade.ttl": "shacl kgsh:FigureShape",
    "condition-without-code.ttl": "shacl kgsh:ConditionShape",
    "note-without-translation.ttl": "notes",
    "translation-without-note.ttl": "notes",
}


def test_every_invalid_fixture_is_covered() -> None:
    assert sorted(p.name for p in INVALID.glob("*.ttl")) == sorted(REFUSALS)


@pytest.mark.parametrize("fixture", sorted(REFUSALS))
def test_build_refuses_one_violation_naming_file_line_and_rule(fixture: str) -> None:
    with pytest.raises(BuildRefused) as refused:
        build(Inputs.default(extra=(INVALID / fixture,)))
    problems = refused.value.problems
    assert len(problems) == 1, [str(p) for p in problems]
    problem = problems[0]
    assert problem.rule == REFUSALS[fixture]
    assert problem.file == fixture
    assert problem.line is not None and problem.line >= 10  # the fixture's statement, after its prefixes


def test_an_altered_quote_in_the_shipped_evidence_is_refused(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    evidence = data / "evidence.ttl"
    evidence.write_text(evidence.read_text(encoding="utf-8").replace(
        '"There are 40 clinical specialty nurses', '"There are 41 clinical specialty nurses'), encoding="utf-8")
    with pytest.raises(BuildRefused) as refused:
        build(Inputs(data=tuple(sorted(data.glob("*.ttl"))), source_dir=data / "source"))
    [problem] = refused.value.problems
    assert problem.rule == "evidence" and problem.file == "evidence.ttl"
    assert "41 clinical specialty nurses" in problem.message


def test_a_claim_that_loses_its_evidence_is_refused(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    claims = data / "claims.ttl"
    text = claims.read_text(encoding="utf-8")
    line = "rdf:object ttc:Hospital ;\n    kg:status kg:Stated ; prov:wasDerivedFrom ev:key-department ."
    assert line in text
    claims.write_text(text.replace(line, "rdf:object ttc:Hospital ;\n    kg:status kg:Stated ."), encoding="utf-8")
    with pytest.raises(BuildRefused) as refused:
        build(Inputs(data=tuple(sorted(data.glob("*.ttl"))), source_dir=data / "source"))
    [problem] = refused.value.problems
    assert problem.rule == "shacl kgsh:ClaimShape" and "kg:keyDepartmentOf" in problem.message


def test_a_note_without_its_translation_names_the_subject_and_the_property(tmp_path: Path) -> None:
    """A claim's English-only note is named by the claim's subject, predicate and object, and its property."""
    scratch = tmp_path / "scratch.ttl"
    prefixes = [line for line in (INVALID / "note-without-translation.ttl").read_text(encoding="utf-8").splitlines()
                if line.startswith("@prefix")]
    scratch.write_text("\n".join(prefixes) + """
[] a kg:Claim ; rdf:subject ttc:Center ; rdf:predicate kg:offers ; rdf:object ttc:ECT ;
    kg:status kg:Ambiguous ; prov:wasDerivedFrom ev:preop-exam ;
    skos:editorialNote "Whether the center itself performs ECT is not said."@en .
kg:Claim rdfs:comment "一条关系及其依据状态和证据。"@zh-Hans .
""", encoding="utf-8")
    with pytest.raises(BuildRefused) as refused:
        build(Inputs.default(extra=(scratch,)))
    messages = sorted(str(p) for p in refused.value.problems)
    assert all(p.rule == "notes" and p.file == "scratch.ttl" for p in refused.value.problems), messages
    [claim, comment] = sorted(refused.value.problems, key=lambda p: p.line or 0)
    assert claim.message.startswith("claim ttc:Center kg:offers ttc:ECT: English skos:editorialNote")
    assert "has no Chinese (zh-Hans) translation in skos:editorialNote" in claim.message
    assert comment.message.startswith("kg:Claim: Chinese (zh-Hans) rdfs:comment") and "English original" in comment.message
    assert comment.focus == "https://ttc-kg.example/ontology#Claim"


def test_an_untagged_note_counts_as_english() -> None:
    from rdflib import Graph

    from graph.curation import check_note_translations
    from graph.sources import ParsedFiles

    graph = Graph().parse(data="""@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
        <https://ttc-kg.example/id/X> skos:editorialNote "No count." .
        <https://ttc-kg.example/id/Y> skos:editorialNote "No count.", "未给出数量。"@zh-Hans .
        <https://ttc-kg.example/id/Z> skos:editorialNote "One."@en-GB, "Two."@en, "一。"@zh-Hans .""", format="turtle")
    problems = check_note_translations(graph, ParsedFiles())
    assert [(p.focus, "(2 English, 1 zh-Hans)" in p.message) for p in problems] == [
        ("https://ttc-kg.example/id/X", False), ("https://ttc-kg.example/id/Z", True)]


def test_build_is_deterministic(built: Built) -> None:
    again = build()
    assert again.ntriples == built.ntriples
    assert again.manifest == built.manifest


def test_build_is_byte_identical_across_processes_with_different_hash_seeds(built: Built, tmp_path: Path) -> None:
    """Set and dict order change with PYTHONHASHSEED; the output must not."""
    outputs = []
    for seed in ("1", "4242"):
        target = tmp_path / seed
        script = f"from pathlib import Path; from graph.build import build; build().write(Path({str(target)!r}))"
        subprocess.run([sys.executable, "-c", script],
                       check=True, cwd=Path(__file__).parents[2], env={**os.environ, "PYTHONHASHSEED": seed}, timeout=240)
        outputs.append(((target / "graph.nt").read_bytes(), (target / "manifest.json").read_bytes()))
    assert outputs[0] == outputs[1]
    assert outputs[0][0] == built.ntriples


def test_manifest_counts_and_hash(built: Built) -> None:
    import hashlib

    manifest = built.manifest
    assert manifest["content_sha256"] == hashlib.sha256(built.ntriples).hexdigest()
    assert manifest["triples"] == built.ntriples.count(b"\n")
    assert manifest["classes"]["schema:MedicalCondition"] == 10
    assert set(manifest["claims_by_status"]) == {"kg:Stated", "kg:Implied", "kg:Inferred", "kg:Ambiguous"}
    assert "_:" not in built.ntriples.decode()  # blank nodes are skolemised to stable IRIs


def test_cached_build_reuses_an_up_to_date_build_and_rebuilds_a_stale_one(tmp_path: Path, built: Built) -> None:
    built.write(tmp_path)
    ntriples, manifest = cached_build(tmp_path)
    assert ntriples == built.ntriples
    (tmp_path / "manifest.json").write_text('{"input_fingerprint": "stale"}', encoding="utf-8")
    ntriples, manifest = cached_build(tmp_path)
    assert manifest["content_sha256"] == built.manifest["content_sha256"]


def test_source_ships_inside_the_package_unchanged() -> None:
    text = read_source("thoracic-tumor-center.txt")
    assert text.startswith("Thoracic Tumor Center") and "Jiang’s Anastomosis" in text
