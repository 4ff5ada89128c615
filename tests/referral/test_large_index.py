"""The label index at any size: read in parts under the row cap, and answers that stay bounded when many
entities share one name (a graph of many centers, such as the benchmark's replicated graph)."""

from __future__ import annotations

from collections import Counter

import pytest

from graph.build import Built
from graph.namespaces import TTC
from graph.store import Limits, OxigraphStore, ResultTooLarge
from queries import matching
from queries import referral as ref

CAP = 200  # the center alone has more label rows than this (342 when written)


def _loaded(built: Built, limits: Limits | None = None) -> OxigraphStore:
    store = OxigraphStore(limits=limits or Limits())
    store.replace(built.ntriples, content_sha256=built.manifest["content_sha256"])
    return store


@pytest.fixture(scope="module")
def capped(built: Built) -> OxigraphStore:
    return _loaded(built, Limits(max_rows=CAP))


@pytest.fixture(scope="module")
def uncapped(built: Built) -> OxigraphStore:
    return _loaded(built)


def _labels(index: matching.LabelIndex) -> Counter[tuple[str, str, str, str, str]]:
    return Counter((label.entity, label.kind, label.text, label.lang, label.mapping) for label in index.labels)


def test_the_label_query_passes_the_cap_on_its_own(capped: OxigraphStore) -> None:
    with pytest.raises(ResultTooLarge):
        capped.select(matching.QUERIES["index_labels"].sparql)


def test_the_index_read_under_a_small_cap_is_the_whole_index(capped: OxigraphStore, uncapped: OxigraphStore) -> None:
    small, whole = matching.LabelIndex.load(capped), matching.LabelIndex.load(uncapped)
    assert len(whole.labels) > CAP
    assert small.entities == whole.entities and small.codes == whole.codes and small.center == whole.center
    assert _labels(small) == _labels(whole)
    # the order of narrower entities follows the parts read; every answer and the card sort them
    assert {k: sorted(v) for k, v in small.narrower.items()} == {k: sorted(v) for k, v in whole.narrower.items()}


@pytest.mark.parametrize(("name", "q"), [("procedures-for-condition", "lung cancer"),
                                         ("procedures-for-condition", "肺癌"),
                                         ("workup-for-condition", "oesophageal cancer"),
                                         ("conditions-for-procedure", "VATS")])
def test_a_lookup_under_a_small_cap_answers_as_without_one(capped: OxigraphStore, uncapped: OxigraphStore,
                                                           name: str, q: str) -> None:
    small, whole = matching.LabelIndex.load(capped), matching.LabelIndex.load(uncapped)
    expected = ref.lookup(uncapped, whole, name, q).as_json()
    assert ref.lookup(capped, small, name, q).as_json() == expected
    if q == "lung cancer":
        assert expected["matched"]["id"] == str(TTC.LungCancer) and expected["results"]


def test_one_name_shared_by_many_entities_lists_a_bounded_number_of_candidates() -> None:
    many = matching.MAX_CANDIDATES + 25
    entities = {f"urn:x:c{n:03d}": matching.Entity(f"urn:x:c{n:03d}", "condition", "Lung cancer") for n in range(many)}
    index = matching.LabelIndex(entities, [matching._label("Lung cancer", "prefLabel", e, "en") for e in entities])
    answer = matching.resolve(index, "lung cancer", ref.CONDITION_KINDS)
    assert answer.found and answer.matched is None and answer.entity is None  # still never a guess
    assert [c["id"] for c in answer.candidates] == sorted(entities)[:matching.MAX_CANDIDATES]
    assert answer.notes == [matching.message("several", q="lung cancer", n=many),
                            matching.message("first_listed", shown=matching.MAX_CANDIDATES)]
    other = matching.resolve(index, "lung cancer", ref.PROCEDURE_KINDS)  # the name is a condition's, not a procedure's
    assert not other.found and len(other.candidates) <= matching.MAX_CANDIDATES + 5  # five close names at most
    assert len(other.notes[0]) < 200 * matching.MAX_CANDIDATES
