"""Synthetic departments: deterministic, clearly marked, drawn from the shared vocabulary with variety, each
passing the build's own checks against its own source, and a broken one refused with its department named."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import PROV, RDF, SKOS
from typer.testing import CliRunner

from api.cli import app as cli
from graph.namespaces import EV, KG, OA, SCHEMA, TTC, parse_published
from graph.sources import DATA_DIR, SOURCE_DIR
from graph.synth import SYNTHETIC, VOCABULARY_USED, check_departments, department_folders, generate, vocabulary


def _files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _graph(folder: Path) -> Graph:
    graph = Graph()
    for name in ("department.ttl", "evidence.ttl"):
        parse_published(folder / name, graph)
    return graph


@pytest.fixture(scope="module")
def twenty(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("synth20")
    generate(20, 11, root)
    return root


def test_the_same_seed_writes_the_same_bytes_and_another_seed_other_ones(tmp_path: Path) -> None:
    generate(5, 3, tmp_path / "a")
    subprocess.run([sys.executable, "-m", "api", "synth", "-n", "5", "--seed", "3", "-o", str(tmp_path / "b")],
                   check=True, capture_output=True, env={**os.environ, "PYTHONHASHSEED": "12345"})  # another process
    generate(5, 4, tmp_path / "c")
    first, again, other = (_files(tmp_path / n) for n in "abc")
    assert first == again and len(first) == 15
    assert first.keys() == other.keys() and first != other


def test_twenty_departments_in_seven_hospitals_each_marked_synthetic(twenty: Path) -> None:
    folders = department_folders(twenty)
    assert [f.name for f in folders] == [f"syn-{n:04d}" for n in range(1, 21)]
    hospitals = set()
    for folder in folders:
        graph = _graph(folder)
        own = URIRef(f"{SYNTHETIC}{folder.name}/department")
        assert set(graph.subjects(RDF.type, KG.ClinicalCenter)) == {own}
        assert (own, KG.synthetic, Literal(True)) in graph
        assert {str(label.language) for label in graph.objects(own, SKOS.prefLabel)} == {"en", "zh-Hans"}
        (hospital,) = graph.subjects(RDF.type, SCHEMA.Hospital)
        assert (hospital, KG.synthetic, Literal(True)) in graph and str(hospital).startswith(SYNTHETIC + "hospital/")
        assert any(label.language == "zh-Hans" for label in graph.objects(hospital, SKOS.prefLabel))
        hospitals.add(hospital)
    assert len(hospitals) == 7


def test_departments_use_only_the_shared_vocabulary_never_the_real_centers_nodes_or_innovations(twenty: Path) -> None:
    terms, named = vocabulary()
    assert set(VOCABULARY_USED) <= {str(t).removeprefix(str(TTC)) for t in terms}
    assert named and not named & {TTC[name] for name in VOCABULARY_USED}
    real = Graph()
    for name in ("center.ttl", "claims.ttl", "evidence.ttl"):
        parse_published(DATA_DIR / name, real)
    center_nodes = {s for s in real.subjects() if isinstance(s, URIRef)}
    real_text = (SOURCE_DIR / "thoracic-tumor-center.txt").read_text(encoding="utf-8")
    for folder in department_folders(twenty):
        graph = _graph(folder)
        used = {n for triple in graph for n in triple if isinstance(n, URIRef)}
        assert not used & center_nodes, folder.name
        assert not used & named, folder.name
        assert not any(str(n).startswith(str(EV)) for n in used)
        text = (folder / "source" / f"{folder.name}.txt").read_text(encoding="utf-8")
        assert "Thoracic Tumor Center" not in text and "Anastomosis" not in text and "Non-thoracic" not in text
        for sentence in re.split(r"(?<=\.)\s+", real_text):
            assert len(sentence) < 40 or sentence not in text  # varied sentences, not copies of the real source


def test_every_quote_is_at_its_offsets_in_its_own_source(twenty: Path) -> None:
    for folder in department_folders(twenty):
        graph = _graph(folder)
        text = (folder / "source" / f"{folder.name}.txt").read_bytes().decode("utf-8")
        spans = list(graph.subjects(RDF.type, KG.EvidenceSpan))
        assert len(spans) > 8
        for span in spans:
            start, end = (int(graph.value(span, p).toPython()) for p in (OA.start, OA.end))
            assert text[start:end] == str(graph.value(span, PROV.value)), (folder.name, span)
            assert graph.value(span, PROV.wasQuotedFrom) == URIRef(f"{SYNTHETIC}{folder.name}/source")
        for figure in graph.subjects(RDF.type, KG.Figure):  # a figure's words are in its span
            quote = str(graph.value(graph.value(figure, PROV.wasDerivedFrom), PROV.value))
            assert str(graph.value(figure, KG.verbatim)) in quote, figure


def test_variety_frequencies_and_figures(twenty: Path) -> None:
    offered: list[frozenset] = []
    bounds = exact = periods = 0
    for folder in department_folders(twenty):
        graph = _graph(folder)
        own = URIRef(f"{SYNTHETIC}{folder.name}/department")
        claims = [c for c in graph.subjects(RDF.type, KG.Claim) if graph.value(c, RDF.subject) == own
                  and graph.value(c, RDF.predicate) in (KG.offers, KG.performsRoutinely)]
        offered.append(frozenset(graph.value(c, RDF.object) for c in claims))
        for figure in graph.subjects(RDF.type, KG.Figure):
            value = graph.value(figure, SCHEMA.value)
            bounds += (value, RDF.type, KG.Bound) in graph
            exact += isinstance(value, Literal)
            periods += graph.value(figure, SCHEMA.observationPeriod) is not None
    assert len(set(offered)) >= 15  # not all the same set
    counts = Counter(item for items in offered for item in items)
    assert counts[TTC.ThoracoscopicSurgery] > 12 and counts[TTC.RoboticSurgery] < 6
    everything = set().union(*offered)
    assert all(items < everything for items in offered)  # every department misses something another has
    assert bounds and exact and periods


def test_the_generated_departments_pass_validate(tmp_path: Path, twenty: Path) -> None:
    generate(2, 5, tmp_path)
    assert check_departments(tmp_path) == []  # one at a time: each against its own source alone
    result = CliRunner().invoke(cli, ["validate", "--with", str(twenty), "--together"])
    assert result.exit_code == 0, result.output
    assert "valid" in result.output and "20 synthetic department(s)" in result.output


def test_a_moved_quote_is_refused_with_its_department_named(tmp_path: Path) -> None:
    generate(2, 5, tmp_path)
    evidence = tmp_path / "syn-0002" / "evidence.ttl"
    text = evidence.read_text(encoding="utf-8")
    start = re.search(r"oa:start (\d+)", text)
    assert start
    evidence.write_text(text[: start.start(1)] + str(int(start.group(1)) + 3) + text[start.end(1):], encoding="utf-8")
    for together in (False, True):
        problems = check_departments(tmp_path, together=together)
        assert [(p.rule, p.file) for p in problems] == [("evidence", "syn-0002/evidence.ttl")], problems
        assert "is not at" in problems[0].message and "syn-0002.txt" in problems[0].message
    result = CliRunner().invoke(cli, ["validate", "--with", str(tmp_path), "--together"])
    assert result.exit_code == 1
    assert "syn-0002/evidence.ttl" in result.output and "invalid: 1 problem(s)" in result.output


def test_a_department_claiming_the_real_centers_innovation_or_unmarked_is_refused(tmp_path: Path) -> None:
    generate(2, 5, tmp_path)
    department = tmp_path / "syn-0001" / "department.ttl"
    text = department.read_text(encoding="utf-8").replace("    kg:synthetic true ;\n", "", 1)
    text += ("[] a kg:Claim ; rdf:subject d:department ; rdf:predicate kg:offers ; rdf:object ttc:JiangsAnastomosis ;\n"
             "    kg:status kg:Stated ; prov:wasDerivedFrom dev:title .\n"
             "ttc:LungCancer skos:prefLabel \"Lung cancer (synthetic)\"@en .\n")
    department.write_text(text, encoding="utf-8")
    problems = check_departments(tmp_path)
    messages = "\n".join(str(p) for p in problems)
    assert all(p.file is None or p.file.startswith("syn-0001/") or "department syn-0001" in p.message
               for p in problems), messages
    assert "named innovation of the real center" in messages
    assert "is not marked kg:synthetic true" in messages
    assert "which is not its own" in messages
    assert "shacl kgsh:EntityShape" in messages  # the build's own check sees the second English label


def test_synth_refuses_to_mix_with_an_earlier_run_unless_told(tmp_path: Path) -> None:
    assert CliRunner().invoke(cli, ["synth", "-n", "3", "-o", str(tmp_path)]).exit_code == 0
    result = CliRunner().invoke(cli, ["synth", "-n", "2", "-o", str(tmp_path)])
    assert result.exit_code == 2 and "--overwrite" in result.output
    result = CliRunner().invoke(cli, ["synth", "-n", "2", "-o", str(tmp_path), "--overwrite"])
    assert result.exit_code == 0 and len(department_folders(tmp_path)) == 2
    assert "writing: 2 / 2 departments" in result.output  # plain progress lines when not on a terminal
