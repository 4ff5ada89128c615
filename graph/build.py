"""The build: parse → check evidence, codes, plain relations, shapes → materialise → canonical output.

The same input always gives byte-identical N-Triples and the same manifest hash. Imports rdflib
and the checks of this package; nothing of `api`.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import BNode, Graph
from rdflib.namespace import RDF

import ontology
from graph import claims, codes, curation, evidence, reasoning, shapes
from graph.canonical import to_canonical_graph
from graph.exports import URI_SPACE
from graph.namespaces import BASE, GENID, KG, bind_prefixes
from graph.partition import partition
from graph.problems import BuildRefused, Problem
from graph.sources import DATA_DIR, SOURCE_DIR, ParsedFiles, data_files, parse_files

#: Bump when the build's own logic changes what it outputs, so cached builds are not reused.
BUILD_VERSION = "5"


@dataclass(frozen=True)
class Inputs:
    """Everything a build reads."""

    data: tuple[Path, ...]
    model: tuple[Path, ...] = ontology.MODEL_FILES
    shapes: Path = ontology.SHAPES
    source_dir: Path = SOURCE_DIR

    @classmethod
    def default(cls, data_dir: Path = DATA_DIR, extra: tuple[Path, ...] = ()) -> Inputs:
        """The shipped data files (plus `extra` files, e.g. a test's fixture)."""
        return cls(data=tuple(data_files(data_dir)) + tuple(extra))

    def fingerprint(self) -> str:
        """A hash of every input byte and the build version: equal fingerprints, equal builds."""
        digest = hashlib.sha256(BUILD_VERSION.encode() + b"\0" + BASE.encode())
        sources = sorted(self.source_dir.glob("*.txt"))
        for path in (*self.model, self.shapes, *self.data, *sources):
            digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
        return digest.hexdigest()


@dataclass
class Built:
    """A validated, materialised graph and its manifest."""

    graph: Graph
    ntriples: bytes
    manifest: dict = field(default_factory=dict)

    def write(self, directory: Path) -> None:
        """Write graph.nt and manifest.json; each file is replaced whole, never half-written."""
        directory.mkdir(parents=True, exist_ok=True)
        _atomic_write(directory / "graph.nt", self.ntriples)
        _atomic_write(directory / "manifest.json", json.dumps(self.manifest, indent=2, sort_keys=True).encode())


def check(inputs: Inputs) -> tuple[Graph, ParsedFiles, list[Problem]]:
    """Run every check; return the merged graph with claims materialised, and the problems found."""
    parsed = parse_files([*inputs.model, *inputs.data])
    problems = list(parsed.problems)
    model = parsed.merged(only=inputs.model)
    data = parsed.merged(only=inputs.data)
    merged = model + data
    bind_prefixes(merged)
    problems += evidence.check_spans(data, parsed, inputs.source_dir)
    problems += codes.check_codes(data, parsed)
    problems += curation.check_labels(data, parsed, inputs.source_dir)
    problems += curation.check_years(data, parsed)
    problems += curation.check_note_translations(merged, parsed)
    problems += claims.check_no_plain_relations(parsed, list(inputs.data), claims.claimable_properties(model))
    problems += claims.check_no_proposals(parsed, list(inputs.data))
    merged += claims.materialise(merged)
    merged += claims.attribution(merged)
    merged += curation.source_words(merged, inputs.source_dir)
    if not parsed.problems:  # shapes on a partial graph would only repeat the syntax error
        problems += shapes.check_shapes(merged, inputs.shapes, parsed)
    return merged, parsed, problems


def build(inputs: Inputs | None = None) -> Built:
    """Build the graph, or raise BuildRefused naming every problem.

    Example:
        >>> built = build()
        >>> built.manifest["triples"] > 1000
        True
    """
    inputs = inputs or Inputs.default()
    merged, _, problems = check(inputs)
    if problems:
        raise BuildRefused(problems)
    merged += reasoning.entailments(merged)
    graph = _skolemise(merged)
    bind_prefixes(graph)
    ntriples = _canonical_ntriples(graph)
    manifest = _manifest(graph, ntriples, inputs)
    return Built(graph=graph, ntriples=ntriples, manifest=manifest)


def cached_build(directory: Path, inputs: Inputs | None = None) -> tuple[bytes, dict]:
    """The N-Triples and manifest of the current inputs: reused from `directory` if its build used the
    same input fingerprint, otherwise built now and written there."""
    inputs = inputs or Inputs.default()
    manifest_path, graph_path = directory / "manifest.json", directory / "graph.nt"
    if manifest_path.exists() and graph_path.exists():
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        ntriples = graph_path.read_bytes()
        if (manifest.get("input_fingerprint") == inputs.fingerprint()
                and manifest.get("content_sha256") == hashlib.sha256(ntriples).hexdigest()):
            return ntriples, manifest
    built = build(inputs)
    built.write(directory)
    return built.ntriples, built.manifest


def prebuilt(path: Path) -> tuple[bytes, dict]:
    """An N-Triples file served as it is (a replicated benchmark graph, say), with a minimal manifest."""
    ntriples = path.read_bytes()
    return ntriples, {"content_sha256": hashlib.sha256(ntriples).hexdigest(), "source": path.name,
                      "triples": sum(1 for line in ntriples.splitlines() if line.strip() and not line.startswith(b"#"))}


def _skolemise(graph: Graph) -> Graph:
    """Replace blank nodes by IRIs derived from their canonical labels, so ids are stable across builds.

    rdflib's canonical labels depend only on the triples that hold a blank node, so only those (a third of the
    center's graph) go through the labelling; the others are copied. tests/graph/test_reasoning.py holds the result
    equal to labelling the whole graph."""
    out, blank = Graph(), Graph()
    for triple in graph:
        (blank if any(isinstance(t, BNode) for t in triple) else out).add(triple)
    for triple in to_canonical_graph(blank):
        out.add(tuple(GENID[str(t)] if isinstance(t, BNode) else t for t in triple))  # type: ignore[arg-type]
    return out


def _canonical_ntriples(graph: Graph) -> bytes:
    lines = graph.serialize(format="nt", encoding="utf-8").splitlines()
    return b"\n".join(sorted(line for line in lines if line.strip())) + b"\n"


def _manifest(graph: Graph, ntriples: bytes, inputs: Inputs) -> dict:
    classes = Counter(graph.qname(str(o)) for o in graph.objects(None, RDF.type))
    properties = Counter(graph.qname(str(p)) for p in graph.predicates())
    statuses = Counter(graph.qname(str(graph.value(c, KG.status))) for c in graph.subjects(RDF.type, KG.Claim))
    return {
        "build_version": BUILD_VERSION,
        "content_sha256": hashlib.sha256(ntriples).hexdigest(),
        "input_fingerprint": inputs.fingerprint(),
        "inputs": {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in (*inputs.model, *inputs.data)},
        "triples": len(graph),
        "classes": dict(sorted(classes.items())),
        "properties": dict(sorted(properties.items())),
        "claims_by_status": dict(sorted(statuses.items())),
        "void": _statistics(graph, ntriples),
        "named_graphs": {iri: named.json() for iri, named in partition(ntriples).graphs.items()},
    }


def _statistics(graph: Graph, ntriples: bytes) -> dict:
    """What a VoID description gives, by full IRI: triples per named graph (graph.partition), entities per
    class, triples per property, distinct subjects and objects, and the entities (IRI subjects under the graph's
    own domain, blank-node IRIs aside)."""
    subjects = set(graph.subjects())
    return {
        "graphs": partition(ntriples).sizes(),
        "classes": dict(sorted(Counter(str(o) for o in graph.objects(None, RDF.type)).items())),
        "properties": dict(sorted(Counter(str(p) for p in graph.predicates()).items())),
        "distinct_subjects": len(subjects),
        "distinct_objects": len(set(graph.objects())),
        "entities": sum(1 for s in subjects if str(s).startswith(URI_SPACE) and not str(s).startswith(str(GENID))),
    }


def _atomic_write(path: Path, data: bytes) -> None:
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_bytes(data)
    temporary.replace(path)
