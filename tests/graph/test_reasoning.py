"""The build's entailments come from `reasonable` (Rust) for speed; owlrl is the reference. The two must give the
same triples, or a query would answer differently after the engine changed."""

from __future__ import annotations

from pathlib import Path

from graph import reasoning
from graph.build import Inputs, check
from graph.departments import department_folders, staged
from graph.synth import generate


def _both(inputs: Inputs) -> tuple[set, set]:
    merged, _, problems = check(inputs)
    assert problems == []
    return set(reasoning.entailments(merged)), set(reasoning.entailments(merged, engine="owlrl"))


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
