"""The build's shortcuts for speed give what the slow, reference way gives: the entailments come from `reasonable`
(Rust), not owlrl, and the skolem ids label the blank-node triples only. If either differed, a query would answer
differently, or a claim's id would change, after a speed-up."""

from __future__ import annotations

from pathlib import Path

from rdflib import BNode
from rdflib.compare import to_canonical_graph

from graph import reasoning
from graph.build import Inputs, _skolemise, check
from graph.departments import department_folders, staged
from graph.namespaces import GENID
from graph.synth import generate


def _lines(triples) -> set[str]:  # type: ignore[no-untyped-def]
    """As the output writes them: rdflib holds "x"@zh-hans equal to "x"@zh-Hans, the output's bytes do not."""
    return {" ".join(term.n3() for term in triple) for triple in triples}


def _both(inputs: Inputs) -> tuple[set, set]:
    merged, _, problems = check(inputs)
    assert problems == []
    return _lines(reasoning.entailments(merged)), _lines(reasoning.entailments(merged, engine="owlrl"))


def test_the_fast_reasoner_entails_exactly_what_owlrl_does_on_the_center() -> None:
    fast, reference = _both(Inputs.default())
    assert len(reference) > 1000  # types from the hierarchy, inverses, SKOS closure, labels
    assert fast == reference, (sorted(fast - reference)[:5], sorted(reference - fast)[:5])


def test_the_fast_reasoner_entails_exactly_what_owlrl_does_with_synthetic_departments(tmp_path: Path) -> None:
    generate(3, 7, tmp_path)
    with staged(Inputs.default(), department_folders(tmp_path)) as together:
        assert together.problems == []
        fast, reference = _both(together.inputs)
    assert fast == reference, (sorted(fast - reference)[:5], sorted(reference - fast)[:5])


def test_labelling_only_the_blank_node_triples_gives_the_ids_of_labelling_the_whole_graph(tmp_path: Path) -> None:
    generate(3, 7, tmp_path)
    with staged(Inputs.default(), department_folders(tmp_path)) as together:
        merged, _, _ = check(together.inputs)
    merged += reasoning.entailments(merged)
    whole = _lines(tuple(GENID[str(t)] if isinstance(t, BNode) else t for t in triple)
                   for triple in to_canonical_graph(merged))
    skolemised = _lines(_skolemise(merged))
    assert any(line.startswith(f"<{GENID}") for line in skolemised)
    assert skolemised == whole
