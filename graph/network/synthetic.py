"""A synthetic graph in the center's vocabulary, of any size, for tests and benchmarks of the network views.

Deterministic for a given size and seed. Every relation is a kg:Claim plus its plain triple, as in a
real build; labels come in English and Chinese. It is test data, never served as the center's facts.
Imports rdflib only.
"""

from __future__ import annotations

import random

from rdflib import Graph, Literal, Namespace
from rdflib.namespace import RDF, SKOS

from graph.namespaces import BASE, KG

SYN = Namespace(BASE + "synthetic/")
#: Share of nodes of each class (the rest are procedures).
_MIX = ((KG.Cancer, 0.10, "Condition", "病症"), (KG.Equipment, 0.06, "Device", "设备"),
        (KG.SurgicalApproach, 0.04, "Approach", "入路"), (KG.StagingExamination, 0.10, "Examination", "检查"))


def synthetic_graph(size: int = 5000, *, seed: int = 20240501) -> Graph:
    """A center with `size` nodes in all (itself included): conditions, equipment, approaches, examinations and
    procedures, linked by stated, implied, inferred and ambiguous claims."""
    rng = random.Random(seed)  # noqa: S311 - reproducible test data, not secrets
    rdf = Graph()
    center = SYN.Center
    rdf.add((center, RDF.type, KG.ClinicalCenter))
    rdf.add((center, SKOS.prefLabel, Literal("Synthetic center", lang="en")))
    rdf.add((center, SKOS.prefLabel, Literal("合成中心", lang="zh-Hans")))
    groups: dict[str, list] = {}
    start = 1
    for cls, share, name, zh in _MIX:
        count = max(1, int(size * share))
        groups[name] = [_entity(rdf, cls, name, zh, i) for i in range(start, start + count)]
        start += count
    groups["Procedure"] = [_entity(rdf, KG.SurgicalProcedure, "Procedure", "手术", i) for i in range(start, size)]
    claim_number = 0

    def claim(subject, predicate, obj, status=None) -> None:  # type: ignore[no-untyped-def]
        nonlocal claim_number
        claim_number += 1
        status = status or rng.choices((KG.Stated, KG.Implied, KG.Inferred, KG.Ambiguous), (70, 20, 6, 4))[0]
        node = SYN[f"claim-{claim_number}"]
        rdf.add((node, RDF.type, KG.Claim))
        rdf.add((node, RDF.subject, subject))
        rdf.add((node, RDF.predicate, predicate))
        rdf.add((node, RDF.object, obj))
        rdf.add((node, KG.status, status))
        if status in (KG.Stated, KG.Implied):
            rdf.add((subject, predicate, obj))

    for procedure in groups["Procedure"]:
        claim(center, KG.offers, procedure, KG.Stated)
        for condition in rng.sample(groups["Condition"], k=min(2, len(groups["Condition"]))):
            claim(procedure, KG.treats, condition)
        if rng.random() < 0.7:
            claim(procedure, KG.usesEquipment, rng.choice(groups["Device"]))
        if rng.random() < 0.6:
            claim(procedure, KG.hasApproach, rng.choice(groups["Approach"]))
    for condition in groups["Condition"]:
        for examination in rng.sample(groups["Examination"], k=min(2, len(groups["Examination"]))):
            claim(condition, KG.hasStagingExamination, examination)
    for device in groups["Device"]:
        claim(center, KG.hasEquipment, device, KG.Stated)
    return rdf


def _entity(rdf: Graph, cls, name: str, zh: str, number: int):  # type: ignore[no-untyped-def]
    node = SYN[f"{name.lower()}-{number}"]
    rdf.add((node, RDF.type, cls))
    rdf.add((node, SKOS.prefLabel, Literal(f"{name} {number}", lang="en")))
    rdf.add((node, SKOS.prefLabel, Literal(f"{zh}{number}", lang="zh-Hans")))
    return node


def synthetic_ntriples(size: int = 5000, *, seed: int = 20240501) -> bytes:
    """The synthetic graph as sorted N-Triples."""
    lines = synthetic_graph(size, seed=seed).serialize(format="nt", encoding="utf-8").splitlines()
    return b"\n".join(sorted(line for line in lines if line.strip())) + b"\n"


__all__ = ["SYN", "synthetic_graph", "synthetic_ntriples"]
