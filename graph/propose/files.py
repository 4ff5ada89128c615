"""A proposals file: written from a source file, and checked as the build checks curated files.

`proposals_file(source, department)` reads a description, proposes, writes the Turtle and checks it before anyone
sees it: every evidence span against the text the file itself carries (graph.evidence.check_spans, the build's own
checker, on a scratch folder holding kg:sourceText under its dcterms:identifier) and the SHACL shapes, the
proposal shapes with them (graph.shapes.check_shapes over the model, the ICD-10 concepts and the file). Imports
rdflib and the build's checks; nothing of `api`.
"""

from __future__ import annotations

import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Literal
from rdflib.namespace import DCTERMS, RDF

import ontology
from graph import evidence, shapes
from graph.namespaces import KG
from graph.problems import Problem
from graph.propose.assemble import KINDS, proposals_in, propose
from graph.propose.lexicon import Lexicon
from graph.propose.turtle import to_turtle
from graph.sources import DATA_DIR, parse_files

#: The curated file whose ICD-10 concepts a proposals file may name (it describes any other it names itself).
ICD10_FILE = DATA_DIR / "icd10.ttl"


@dataclass
class Proposals:
    """A proposals file's text, how many proposals of each kind it holds, and the problems its check found."""

    turtle: str
    kinds: Counter[str] = field(default_factory=Counter)
    problems: list[Problem] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.kinds.values())

    def summary(self) -> str:
        """`12 entity, 30 relation, ...` in the kinds' own order."""
        return ", ".join(f"{self.kinds[kind]} {kind}" for kind in KINDS if self.kinds[kind])


def header(source_name: str, department: str) -> str:
    return (f"Proposals for department {department}, read from {source_name} by `thoracic-kg propose`.\n"
            "Machine guesses (kg:status kg:Proposed) for a curator to accept, edit or refuse: the build refuses this\n"
            "file as it is. kg:proposedStatus is the status a curator would most likely give; kg:foundBy says why.\n"
            f"建议文件：由 `thoracic-kg propose` 从 {source_name} 读出的科室 {department} 的机器建议（kg:Proposed），\n"
            "供编者接受、修改或拒绝；构建会拒绝原样的此文件。")


def proposals_for(text: str, *, department: str, source_name: str, lexicon: Lexicon | None = None,
                  checked: bool = True) -> Proposals:
    """The proposals file of a text: its Turtle, its kinds counted and (when `checked`) its problems."""
    graph = propose(text, department=department, source_name=source_name, lexicon=lexicon)
    turtle = to_turtle(graph, header(source_name, department))
    kinds = Counter(str(graph.value(node, KG.proposalKind)) for node in proposals_in(graph))
    return Proposals(turtle, kinds, check_turtle(turtle) if checked else [])


def check_turtle(turtle: str, name: str = "proposals.ttl") -> list[Problem]:
    """Every problem of a proposals file: syntax, evidence spans not at their offsets in its own kg:sourceText,
    and SHACL violations (the curated shapes and the proposal shapes)."""
    with tempfile.TemporaryDirectory(prefix="tkg-propose-") as scratch:
        folder = Path(scratch)
        path = folder / name
        path.write_text(turtle, encoding="utf-8")
        parsed = parse_files([*ontology.MODEL_FILES, ICD10_FILE, path])
        if parsed.problems:
            return list(parsed.problems)
        data = parsed.merged(only=[path])
        sources = folder / "source"
        sources.mkdir()
        for document in data.subjects(RDF.type, KG.SourceDocument):
            identifier, text = data.value(document, DCTERMS.identifier), data.value(document, KG.sourceText)
            if isinstance(identifier, Literal) and isinstance(text, Literal) and "/" not in str(identifier):
                (sources / str(identifier)).write_bytes(str(text).encode("utf-8"))
        problems = evidence.check_spans(data, parsed, sources)
        problems += shapes.check_shapes(parsed.merged(), ontology.SHAPES, parsed)
        return problems


__all__ = ["ICD10_FILE", "Proposals", "check_turtle", "header", "proposals_for"]
