"""Run the SHACL shapes (pyshacl) and turn each violation into a Problem with file and line.

Imports rdflib and pyshacl; nothing of `api`.
"""

from __future__ import annotations

from pathlib import Path

from rdflib import BNode, Graph
from rdflib.namespace import SH

from graph.claims import describe
from graph.namespaces import parse_published
from graph.problems import Problem
from graph.sources import ParsedFiles


def check_shapes(graph: Graph, shapes_path: Path, parsed: ParsedFiles) -> list[Problem]:
    """One Problem per SHACL validation result, named after the node shape it broke."""
    from pyshacl import validate  # here, not at the top: only a build needs it, and it costs every process 0.2 s

    shapes = parse_published(shapes_path)
    conforms, report, _ = validate(graph, shacl_graph=shapes, inference="none", advanced=False,
                                   allow_warnings=True, do_owl_imports=False)
    if conforms:
        return []
    problems = []
    for result in report.subjects(SH.resultSeverity, SH.Violation):
        focus = report.value(result, SH.focusNode)
        path = report.value(result, SH.resultPath)
        message = report.value(result, SH.resultMessage)
        file, line = parsed.locate(focus)
        where = f"{graph.qname(str(path))}: " if path is not None and not isinstance(path, BNode) else ""
        rule = f"shacl {_shape_name(report.value(result, SH.sourceShape), shapes)}"
        problems.append(Problem(rule, f"{describe(focus, graph)}: {where}{message}",
                                file=file, line=line, focus=str(focus)))
    return problems


def _shape_name(shape, shapes: Graph) -> str:  # type: ignore[no-untyped-def]
    """The named node shape a (possibly blank property) shape belongs to."""
    if shape is None:
        return "shape"
    if not isinstance(shape, BNode):
        return shapes.qname(str(shape))
    for parent in shapes.subjects(SH.property, shape):
        return shapes.qname(str(parent))
    return "shape"
