"""How many curated facts `thoracic-kg propose` finds, and how many of its proposals a curator would accept unchanged.

Two corpora:

- **center**: the center's own description (graph/data/source/thoracic-tumor-center.txt) against its curated facts
  (the claims of claims.ttl, the figures of center.ttl), read with the vocabulary **without the center's own
  words** (`graph.propose.lexicon.without_labels_in`: every kg:NamedTechnique dropped, and every English label of
  any kind that the proposer finds in the text removed), so the proposer must find them as for a new department:
  from the labels the text does not use, the Chinese labels, the ICD-10 codes and titles and its patterns. It is
  also run with the full vocabulary (`center-full`), the ceiling, and with the project's second reading of
  "removed" (`center-no-own-words`: every altLabel and hiddenLabel, the source's own words by the build's rule).
- **synthetic**: `graph.synth.generate(n, seed)` departments against the curated facts synth writes for them,
  read with the shipped vocabulary (a new department described in words the vocabulary already has).

Per kind, precision and recall:

- entities: the vocabulary entities the curated claims name, against the entities proposed (an entity proposal,
  or a new-condition / new-procedure proposal whose quote the full vocabulary names as one entity: the name a
  curator accepting it would give it);
- relations: curated claims (subject, predicate, object) against relation proposals, the department node mapped to
  the curated one and new entities as above; "accepted unchanged" is a proposal whose subject, predicate, object
  **and** proposed status equal a curated claim's; recall is given over every curated claim and over the claims of
  the predicates the proposer reads (not the organisation's: key department of, member unit of, located in, ...);
- statuses: of the relation proposals that match a curated claim, those with the curated status;
- figures: curated figures against figure proposals with the same value (number, bound and whether it is
  exclusive, year or decade), unit and period.

    python -m benchmarks.propose                    # writes benchmarks/results/propose.json and prints a table
    python -m benchmarks.propose --departments 20 --seed 7
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from rdflib import Graph, Literal, Node, URIRef
from rdflib.namespace import PROV, RDF

from graph.evidence import read_source
from graph.namespaces import KG, SCHEMA, TTC, parse_published
from graph.propose import proposals_in, propose
from graph.propose.lexicon import Lexicon, vocabulary_graph, without_labels_in, without_own_words
from graph.propose.text import sentences
from graph.sources import DATA_DIR, SOURCE_DIR
from graph.synth import SYNTHETIC, generate

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "results" / "propose.json"
#: The predicates the proposer reads (graph.propose.rules); the others (organisation, lineage, specialty) it does not.
READ = frozenset(KG[name] for name in ("offers", "performsRoutinely", "includesInWorkup", "includesRoutinelyInWorkup",
                                       "treatsCondition", "treats", "hasApproach", "usesEquipment", "hasEquipment",
                                       "hasStagingExamination", "hasIndication"))


@dataclass
class Score:
    """Counts for one kind: curated, proposed, and the matches each way."""

    curated: int = 0
    proposed: int = 0
    found: int = 0  # curated facts a proposal matches (recall's numerator)
    accepted: int = 0  # proposals that match a curated fact unchanged (precision's numerator)
    extra: dict = field(default_factory=dict)

    def add(self, other: Score) -> None:
        self.curated += other.curated
        self.proposed += other.proposed
        self.found += other.found
        self.accepted += other.accepted
        for key, value in other.extra.items():
            self.extra[key] = self.extra.get(key, 0) + value

    def as_dict(self) -> dict:
        out = {"curated": self.curated, "proposed": self.proposed, "found": self.found, "accepted": self.accepted,
               "recall": _ratio(self.found, self.curated), "precision": _ratio(self.accepted, self.proposed),
               **self.extra}
        if "curated_read" in self.extra:
            out["recall_read"] = _ratio(self.extra["found_read"], self.extra["curated_read"])
            out["precision_triple"] = _ratio(self.extra["matching_triple"], self.proposed)
        return out


def _ratio(a: int, b: int) -> float | None:
    return round(a / b, 3) if b else None


def score(proposals: Graph, curated: Graph, department: URIRef, full: Lexicon) -> dict[str, Score]:
    """Precision and recall per kind of one department's proposals against its curated facts."""
    ours = next(proposals.subjects(RDF.type, KG.ClinicalCenter))
    names = _names(proposals, full)

    def mapped(node: object) -> str:
        if node == ours:
            return str(department)
        return names.get(str(node), str(node))

    curated_claims: dict[tuple[str, str, str], set[str]] = {}
    for claim in curated.subjects(RDF.type, KG.Claim):
        key = (str(curated.value(claim, RDF.subject)), str(curated.value(claim, RDF.predicate)),
               str(curated.value(claim, RDF.object)))
        curated_claims.setdefault(key, set()).add(str(curated.value(claim, KG.status)))
    read = {k: v for k, v in curated_claims.items() if URIRef(k[1]) in READ}
    proposed: dict[tuple[str, str, str], str] = {}
    for node in proposals_in(proposals):
        if proposals.value(node, KG.proposalKind) == Literal("relation"):
            key = (mapped(proposals.value(node, RDF.subject)), str(proposals.value(node, RDF.predicate)),
                   mapped(proposals.value(node, RDF.object)))
            proposed[key] = str(proposals.value(node, KG.proposedStatus))
    relations = Score(len(curated_claims), len(proposed), sum(1 for k in curated_claims if k in proposed),
                      sum(1 for k, s in proposed.items() if s in curated_claims.get(k, set())))
    relations.extra = {"curated_read": len(read), "found_read": sum(1 for k in read if k in proposed),
                       "matching_triple": sum(1 for k in proposed if k in curated_claims)}
    matched = [k for k in proposed if k in curated_claims]
    statuses = Score(len(matched), len(matched), sum(1 for k in matched if proposed[k] in curated_claims[k]),
                     sum(1 for k in matched if proposed[k] in curated_claims[k]))

    vocabulary = set(full.entities)
    curated_entities = {n for k in curated_claims for n in (k[0], k[2]) if n in vocabulary}
    entity_proposals = [mapped(proposals.value(node, KG.proposes)) for node in proposals_in(proposals)
                        if proposals.value(node, KG.proposes) is not None]
    entities = Score(len(curated_entities), len(entity_proposals),
                     len(curated_entities & set(entity_proposals)),
                     sum(1 for e in entity_proposals if e in curated_entities))

    curated_figures = [_figure(curated, f) for f in curated.subjects(RDF.type, KG.Figure)
                       if curated.value(f, SCHEMA.observationAbout) == department]
    proposed_figures = [_figure(proposals, f) for f in proposals.subjects(RDF.type, KG.Figure)]
    figures = Score(len(curated_figures), len(proposed_figures),
                    sum(1 for f in set(curated_figures) if f in proposed_figures),
                    sum(1 for f in proposed_figures if f in curated_figures))
    return {"entities": entities, "relations": relations, "statuses": statuses, "figures": figures}


def _names(proposals: Graph, full: Lexicon) -> dict[str, str]:
    """New entities (dnew:) → the vocabulary entity the full vocabulary names their quote as, when it names it
    whole (what a curator accepting the proposal would call it)."""
    names = {}
    for node in proposals_in(proposals):
        entity = proposals.value(node, KG.proposes)
        if entity is None or str(proposals.value(node, KG.proposalKind)) == "entity":
            continue
        for span in proposals.objects(node, PROV.wasDerivedFrom):
            quote = str(proposals.value(span, PROV.value))
            found = [label.entity for sentence in sentences(quote) for i, j, label in full.find(sentence.tokens)
                     if i == 0 and j == len(sentence.tokens)]
            if found:
                names[str(entity)] = found[0]
                break
    return names


def _figure(graph: Graph, figure: Node) -> tuple:
    value = graph.value(figure, SCHEMA.value)
    if value is not None and (value, RDF.type, KG.Bound) in graph:
        shown: object = ("bound", str(graph.value(value, SCHEMA.minValue)), str(graph.value(value, KG.minExclusive)))
    else:
        shown = str(value) if value is not None else ("decade", str(graph.value(figure, KG.decade)))
    return shown, str(graph.value(figure, SCHEMA.unitText)), str(graph.value(figure, SCHEMA.observationPeriod))


def _curated_center() -> Graph:
    graph = Graph()
    for name in ("claims.ttl", "center.ttl", "evidence.ttl"):
        parse_published(DATA_DIR / name, graph)
    return graph


def run(departments: int, seed: int) -> dict:
    full_vocabulary = vocabulary_graph()
    full = Lexicon.from_graph(full_vocabulary)
    text = read_source("thoracic-tumor-center.txt", SOURCE_DIR)
    curated = _curated_center()
    results: dict = {"when": datetime.now(UTC).isoformat(timespec="seconds"), "corpora": {}}
    for name, lexicon in (("center", Lexicon.from_graph(without_labels_in(full_vocabulary, text))),
                          ("center-no-own-words", Lexicon.from_graph(without_own_words(full_vocabulary))),
                          ("center-full", full)):
        proposals = propose(text, department="ttc", source_name="thoracic-tumor-center.txt", lexicon=lexicon)
        results["corpora"][name] = {k: v.as_dict() for k, v in score(proposals, curated, TTC.Center, full).items()}
    totals = {k: Score() for k in ("entities", "relations", "statuses", "figures")}
    with tempfile.TemporaryDirectory(prefix="tkg-propose-bench-") as scratch:
        for folder in generate(departments, seed, Path(scratch)):
            graph = Graph()
            for file in ("department.ttl", "evidence.ttl"):
                parse_published(folder / file, graph)
            source = read_source(f"{folder.name}.txt", folder / "source")
            proposals = propose(source, department=folder.name, source_name=f"{folder.name}.txt", lexicon=full)
            for kind, value in score(proposals, graph, URIRef(f"{SYNTHETIC}{folder.name}/department"), full).items():
                totals[kind].add(value)
    results["corpora"]["synthetic"] = {k: v.as_dict() for k, v in totals.items()}
    results["synthetic"] = {"departments": departments, "seed": seed}
    return results


def table(results: dict) -> str:
    """The results as a Markdown table: one row per corpus and kind."""
    lines = ["| corpus | kind | curated | proposed | recall | accepted unchanged (precision) |",
             "| --- | --- | ---: | ---: | ---: | ---: |"]
    for corpus, kinds in results["corpora"].items():
        for kind, s in kinds.items():
            recall = _pct(s["recall"])
            if kind == "relations":
                recall += f" (of the predicates read: {_pct(s['recall_read'])})"
            precision = _pct(s["precision"])
            if kind == "relations":
                precision += f" (triple right, any status: {_pct(s['precision_triple'])})"
            lines.append(f"| {corpus} | {kind} | {s['curated']} | {s['proposed']} | {recall} | {precision} |")
    return "\n".join(lines)


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:.0f}%"


def main(argv: Iterable[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--departments", type=int, default=10, help="How many synthetic departments (default 10).")
    parser.add_argument("--seed", type=int, default=1, help="Their seed (default 1).")
    parser.add_argument("--out", type=Path, default=OUT, help="The JSON results (default benchmarks/results/propose.json).")
    args = parser.parse_args(list(argv) if argv is not None else None)
    results = run(args.departments, args.seed)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    sys.stdout.write(table(results) + "\n")


if __name__ == "__main__":
    main()
