"""The proposer's benchmark: the center is read without its own words, and the figures it reports are what a
curator would count."""

from __future__ import annotations

from benchmarks.propose import run, table
from graph.evidence import read_source
from graph.propose.lexicon import Lexicon, vocabulary_graph, without_labels_in
from graph.propose.text import sentences


def test_the_strict_center_vocabulary_finds_none_of_the_english_words_the_center_uses() -> None:
    text = read_source("thoracic-tumor-center.txt")
    strict = Lexicon.from_graph(without_labels_in(vocabulary_graph(), text))
    found = {label.text for s in sentences(text) for _, _, label in strict.find(s.tokens) if label.lang == "en"}
    assert found == set()
    assert not any("Jiang" in e.en for e in strict.entities.values())  # the center's named techniques are gone


def test_a_run_scores_every_corpus_and_kind_and_meets_the_goal_on_synthetic_departments() -> None:
    results = run(3, 1)
    assert set(results["corpora"]) == {"center", "center-no-own-words", "center-full", "synthetic"}
    for kinds in results["corpora"].values():
        assert set(kinds) == {"entities", "relations", "statuses", "figures"}
        for score in kinds.values():
            assert score["found"] <= score["curated"] and score["accepted"] <= score["proposed"]
    center, full = results["corpora"]["center"]["relations"], results["corpora"]["center-full"]["relations"]
    assert center["found"] < full["found"]  # taking the center's words out costs it what hangs on them
    synthetic = results["corpora"]["synthetic"]["relations"]
    assert synthetic["recall"] >= 0.8 and synthetic["precision"] >= 0.7
    assert "| synthetic | relations |" in table(results)
