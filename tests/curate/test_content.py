"""Content.curate: the accepted statements and their new source text are one version; a refused one adds
neither; the same accepted claim twice is one claim; a held source is never replaced by other text."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph.build import Built
from graph.changes import ChangeConflict, ChangeRefused
from graph.ledger import canonical_lines
from graph.propose import review
from graph.propose.review import Decision
from tests.curate.helpers import FIXTURE, P
from tests.updates.helpers import settings_for, started


def _lines(*decisions: Decision) -> tuple[set[str], review.Review]:
    read = review.read(FIXTURE.read_text(encoding="utf-8"), review.vocabulary())
    return set(canonical_lines(review.apply(read, list(decisions), review.vocabulary()))), read


def test_curate_commits_once_refuses_without_trace_and_never_replaces_a_source(built: Built, tmp_path: Path) -> None:
    content = started(settings_for(tmp_path), built)
    lines, read = _lines(Decision(P + "treats-lung-cancer", "accept"))
    text = read.text.encode("utf-8")
    version = content.curate(lines, read.source_name, text, by="alice", message="first review")
    assert (version.kind, version.by, version.source) == ("curate", "alice", read.source_name)
    assert read.source_name in version.sources
    with pytest.raises(ChangeRefused):  # the same claim again: nothing to change, not a second claim
        content.curate(lines, read.source_name, text, by="alice", message="again")
    with pytest.raises(ChangeConflict):
        content.curate(lines, read.source_name, text + b" More.", by="alice", message="other text")
    refused, _ = _lines(Decision(P + "offers-segmentectomy", "accept", status="Implied"))  # no reason given
    with pytest.raises(ChangeRefused):
        content.curate(refused, "another-clinic.txt", text, by="alice", message="refused")
    head = content.head()
    assert head is not None and head.id == version.id and "another-clinic.txt" not in head.sources
