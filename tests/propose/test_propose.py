"""`thoracic-kg propose` as a curator meets it: a proposals file whose every quote is at its offsets, that passes the
proposal shapes, that the build refuses, that says what it read and how sure it is, and that is the same file for
the same text."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import PROV, RDF, SKOS

from graph import evidence
from graph.build import Inputs, build, check
from graph.namespaces import KG, OA, SCHEMA, TTC
from graph.problems import BuildRefused
from graph.propose import check_turtle, proposals_for, proposals_in, propose
from graph.sources import SOURCE_DIR, parse_files

CENTER = "thoracic-tumor-center.txt"
CENTER_TEXT = evidence.read_source(CENTER)
BILINGUAL = ("Department of Chest Surgery\n胸部外科\n\n"
             "For lung cancer, the department performs segmentectomy and thoracoscopic pleural biopsy. "
             "In the past 5 years, the department has published more than 40 papers. It dates from the 1970s.\n\n"
             "本科常规开展胸腔镜肺叶切除术，治疗肺癌。")


def _run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "api", *args], capture_output=True, text=True, timeout=300,
                          env={**os.environ, **(env or {})})


@pytest.fixture(scope="module")
def center_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("propose") / "proposals.ttl"
    result = _run("propose", str(SOURCE_DIR / CENTER), "--department", "ttc", "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert re.search(r"proposed \d+: \d+ entity, \d+ relation", result.stderr)
    assert re.search(r"已提出 \d+ 条建议（提到已知实体 \d+，关系 \d+", result.stderr)  # the same count, in Chinese
    return out


@pytest.fixture(scope="module")
def center(center_file: Path) -> Graph:
    return Graph().parse(center_file, format="turtle")


def _kind(graph: Graph, kind: str) -> list[URIRef]:
    return [p for p in proposals_in(graph) if graph.value(p, KG.proposalKind) == Literal(kind)]


def _relations(graph: Graph) -> dict[tuple[str, str, str], str]:
    """(subject, predicate, object) by local name → the proposed status's local name."""
    def local(node: object) -> str:
        return re.split(r"[/#]", str(node))[-1]
    return {(local(graph.value(p, RDF.subject)), local(graph.value(p, RDF.predicate)), local(graph.value(p, RDF.object))):
            local(graph.value(p, KG.proposedStatus)) for p in _kind(graph, "relation")}


def test_every_quote_is_at_its_offsets_in_the_real_source_and_in_the_text_the_file_carries(center_file: Path,
                                                                                            center: Graph) -> None:
    parsed = parse_files([center_file])
    assert evidence.check_spans(parsed.merged(), parsed, SOURCE_DIR) == []  # the build's own checker
    carried = str(next(center.objects(None, KG.sourceText)))
    assert carried == CENTER_TEXT
    spans = set(center.subjects(RDF.type, KG.EvidenceSpan))
    assert len(spans) > 50
    for span in spans:
        start, end = int(center.value(span, OA.start)), int(center.value(span, OA.end))
        assert carried[start:end] == str(center.value(span, PROV.value))
    for proposal in proposals_in(center):
        assert set(center.objects(proposal, PROV.wasDerivedFrom)) <= spans, proposal


def test_a_bilingual_text_gives_spans_at_their_offsets_in_both_languages() -> None:
    graph = propose(BILINGUAL, department="chest", source_name="chest.txt")
    quotes = {str(graph.value(s, PROV.value)) for s in graph.subjects(RDF.type, KG.EvidenceSpan)}
    assert "肺癌" in quotes and "segmentectomy" in quotes
    for span in graph.subjects(RDF.type, KG.EvidenceSpan):
        assert BILINGUAL[int(graph.value(span, OA.start)):int(graph.value(span, OA.end))] == str(graph.value(span, PROV.value))
    department = next(graph.subjects(RDF.type, KG.ClinicalCenter))
    assert set(graph.objects(department, SKOS.prefLabel)) == {Literal("Department of Chest Surgery", lang="en"),
                                                              Literal("胸部外科", lang="zh-Hans")}
    assert (URIRef(TTC.LungCancer) in set(graph.objects(None, KG.proposes)))


def test_the_proposals_file_passes_the_proposal_shapes_and_a_broken_one_does_not(center_file: Path) -> None:
    turtle = center_file.read_text(encoding="utf-8")
    assert check_turtle(turtle) == []
    proposal = re.search(r"^(dp:relation-\w+) a kg:Claim, kg:Proposal ;$", turtle, re.MULTILINE)
    assert proposal is not None
    start = proposal.end()
    broken = turtle[:start] + re.sub(r'\n    kg:foundBy "[^\n]*" ;', "", turtle[start:], count=1)
    problems = check_turtle(broken)
    assert any("kg:foundBy" in problem.message for problem in problems), problems
    moved = turtle.replace("oa:start 0 ;", "oa:start 1 ;", 1)
    assert any(problem.rule == "evidence" for problem in check_turtle(moved))


def test_the_build_refuses_a_proposals_file_naming_each_proposal(center_file: Path, center: Graph) -> None:
    inputs = Inputs.default(extra=(center_file,))
    _, _, problems = check(inputs)
    refused = [p for p in problems if p.rule == "proposals"]
    assert {p.focus for p in refused} >= {str(p) for p in proposals_in(center)}
    assert all(p.file == center_file.name for p in refused)
    with pytest.raises(BuildRefused):
        build(inputs)


def test_the_same_text_gives_the_same_bytes(tmp_path: Path, center_file: Path) -> None:
    again = tmp_path / "again.ttl"
    result = _run("propose", str(SOURCE_DIR / CENTER), "--department", "ttc", "-o", str(again),
                  env={"PYTHONHASHSEED": "12345"})
    assert result.returncode == 0, result.stderr
    assert again.read_bytes() == center_file.read_bytes()


def test_a_text_with_nothing_known_writes_no_proposals_and_says_so(tmp_path: Path) -> None:
    source = tmp_path / "tea.txt"
    source.write_text("Tea Room\n\nWe serve green tea and biscuits every afternoon.\n", encoding="utf-8")
    out = tmp_path / "tea.ttl"
    result = _run("propose", str(source), "--department", "tea-room", "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert "nothing to propose" in result.stderr and "没有可提出的建议" in result.stderr
    graph = Graph().parse(out, format="turtle")
    assert proposals_in(graph) == [] and not list(graph.subjects(RDF.type, KG.Claim))
    assert str(next(graph.objects(None, KG.sourceText))).startswith("Tea Room")


def test_an_empty_text_writes_no_proposals_and_says_so(tmp_path: Path) -> None:
    source = tmp_path / "empty.txt"
    source.write_text("\n\n", encoding="utf-8")
    result = _run("propose", str(source), "--department", "empty", "-o", "-")
    assert result.returncode == 0 and "nothing to propose" in result.stderr
    assert proposals_in(Graph().parse(data=result.stdout, format="turtle")) == []


def test_a_chinese_text_is_read_in_chinese_and_nothing_is_translated() -> None:
    text = "胸外科\n\n本科常规开展胸腔镜肺叶切除术，治疗肺癌。成立于1985年，近5年发表论文超过40篇。"
    proposals = proposals_for(text, department="zh", source_name="zh.txt")
    assert proposals.problems == []
    graph = Graph().parse(data=proposals.turtle, format="turtle")
    assert TTC.LungCancer in set(graph.objects(None, KG.proposes))
    new = [graph.value(p, KG.proposes) for p in _kind(graph, "new-procedure")]
    labels = {(str(v), v.language) for n in new for v in graph.objects(n, SKOS.prefLabel)}
    assert ("胸腔镜肺叶切除术", "zh-Hans") in labels
    assert {str(v) for v, lang in labels if lang == "en"} == {"Unnamed procedure (to be named in English): 胸腔镜肺叶切除术"}
    years = [graph.value(f, SCHEMA.value) for f in _kind(graph, "figure")
             if graph.value(f, KG.figureKind) == Literal("history")]
    assert [str(y) for y in years] == ["1985"]
    department = next(graph.subjects(RDF.type, KG.ClinicalCenter))
    assert Literal("胸外科", lang="zh-Hans") in set(graph.objects(department, SKOS.prefLabel))


def test_a_bad_department_id_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    out = tmp_path / "x.ttl"
    result = _run("propose", str(SOURCE_DIR / CENTER), "--department", "a b", "-o", str(out))
    assert result.returncode == 2 and "--department" in result.stderr
    assert not out.exists()


def test_a_relation_is_stated_only_when_the_sentence_links_the_two() -> None:
    graph = propose("Chest Unit\n\nFor lung cancer, the unit performs segmentectomy. The unit's fields are "
                    "thoracoscopic pleural biopsy and lung cancer research.", department="u", source_name="u.txt")
    relations = _relations(graph)
    assert relations[("Segmentectomy", "treats", "LungCancer")] == "Stated"
    assert relations[("ThoracoscopicPleuralBiopsy", "treats", "LungCancer")] == "Ambiguous"
    ambiguous = next(p for p in _kind(graph, "relation") if graph.value(p, KG.proposedStatus) == KG.Ambiguous)
    assert {n.language for n in graph.objects(ambiguous, SKOS.editorialNote)} == {"en", "zh-Hans"}
    assert relations[("department", "offers", "Segmentectomy")] == "Stated"


def test_a_figure_keeps_its_bound_and_period_and_a_decade_is_not_a_year() -> None:
    graph = propose(BILINGUAL, department="chest", source_name="chest.txt")
    figures = {str(graph.value(f, KG.verbatim)): f for f in _kind(graph, "figure")}
    papers = figures["more than 40 papers"]
    bound = graph.value(papers, SCHEMA.value)
    assert (bound, RDF.type, KG.Bound) in graph
    assert graph.value(bound, SCHEMA.minValue) == Literal(40) and graph.value(bound, KG.minExclusive) == Literal(True)
    assert graph.value(papers, SCHEMA.observationPeriod) == Literal("P5Y")
    decade = figures["the 1970s"]
    assert graph.value(decade, KG.decade) == Literal("1970s") and graph.value(decade, SCHEMA.value) is None


def test_a_new_condition_gets_a_who_code_that_is_true_of_it_and_its_mapping() -> None:
    graph = propose("Chest Unit\n\nThe unit treats thymic cancer and myasthenia gravis.", department="u",
                    source_name="u.txt")
    codes = {}
    for proposal in _kind(graph, "new-condition"):
        entity = graph.value(proposal, KG.proposes)
        for code in graph.objects(entity, SCHEMA.code):
            codes[str(graph.value(code, SCHEMA.codeValue))] = str(graph.value(code, KG.codeMapping)).rsplit("#", 1)[-1]
    assert codes == {"C37": "exactMatch", "G70.0": "exactMatch"}


def test_an_umbrella_gets_no_code() -> None:
    graph = propose("Chest Unit\n\nThe unit treats tumours of many kinds and chest wall tumors.", department="u",
                    source_name="u.txt", lexicon=_empty_lexicon())
    assert not list(graph.objects(None, SCHEMA.code))


def test_a_probable_slip_is_a_hidden_label_proposal_with_a_note_in_both_languages() -> None:
    graph = propose("Chest Unit\n\nMost lung cancer operations are done under minimally invasive laparoscopy.",
                    department="u", source_name="u.txt")
    slips = _kind(graph, "slip")
    assert len(slips) == 1
    slip = slips[0]
    assert graph.value(slip, RDF.predicate) == SKOS.hiddenLabel
    assert str(graph.value(slip, RDF.object)) == "minimally invasive laparoscopy"
    notes = {n.language: str(n) for n in graph.objects(slip, SKOS.editorialNote)}
    assert "thoracoscop" in notes["en"] and "胸腔镜" in notes["zh-Hans"]
    eye = propose("Eye Clinic\n\nThe clinic performs laparoscopic cataract work.", department="e", source_name="e.txt")
    assert _kind(eye, "slip") == []


def test_a_procedure_the_vocabulary_lacks_is_proposed_with_its_own_words() -> None:
    proposals = proposals_for("Chest Unit\n\nThe unit performs carinal resection and tracheal sleeve pneumonectomy.",
                              department="u", source_name="u.txt")
    assert proposals.problems == []
    graph = Graph().parse(data=proposals.turtle, format="turtle")
    labels = {str(graph.value(graph.value(p, KG.proposes), SKOS.prefLabel)) for p in _kind(graph, "new-procedure")}
    assert labels == {"Carinal resection", "Tracheal sleeve pneumonectomy"}
    for proposal in proposals_in(graph):
        confidence = graph.value(proposal, KG.confidence)
        assert Decimal("0") <= confidence.toPython() <= Decimal("1")
        assert str(graph.value(proposal, KG.foundBy))


def _empty_lexicon():  # type: ignore[no-untyped-def]
    from graph.propose.lexicon import Lexicon

    return Lexicon()
