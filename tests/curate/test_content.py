"""Content.curate: the accepted statements and their new source text are one version; a refused one adds
neither; the same accepted claim twice is one claim; a held source is never replaced by other text."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import URIRef
from rdflib.namespace import RDF

from graph.build import Built
from graph.changes import ChangeConflict, ChangeRefused
from graph.ledger import canonical_lines
from graph.namespaces import KG
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


HARBOR = (Path(__file__).parents[2] / "examples" / "onboarding" / "harbor.txt").read_text(encoding="utf-8")


def test_the_proposers_own_file_is_reviewed_accepted_and_served(built: Built, tmp_path: Path) -> None:
    """Onboarding end to end on the real proposer's output (not a hand-written file): every proposal of a new
    department's text accepted but one refused passes the build's checks, is served, and the refused one is not."""
    from graph.propose import propose, to_turtle

    proposals = to_turtle(propose(HARBOR, department="harbor", source_name="harbor.txt"))
    read = review.read(proposals, review.vocabulary())
    kinds = {p.kind for p in read.proposals.values()}
    assert {"relation", "figure"} <= kinds
    refused = next(iri for iri, p in read.proposals.items() if p.kind == "relation")
    decisions = [Decision(iri, "reject" if iri == refused else "accept") for iri in read.proposals]
    accepted = review.apply(read, decisions, review.vocabulary())
    assert review.check_accepted(accepted, read.source_name, read.text) == []
    content = started(settings_for(tmp_path), built)
    version = content.curate(set(canonical_lines(accepted)), read.source_name, HARBOR.encode("utf-8"),
                             by="alice", message="onboarding Harbor")
    served = content.snapshot().ntriples.decode("utf-8")
    assert version.kind == "curate" and "harbor" in served
    assert f"<{RDF.type}> <{KG.Proposal}>" not in served and f"<{KG.status}> <{KG.Proposed}>" not in served
    graph = review.parse(proposals)
    subject, predicate, obj = (graph.value(URIRef(refused), term) for term in (RDF.subject, RDF.predicate, RDF.object))
    kept = {(claim_s, claim_p, claim_o) for claim_s, claim_p, claim_o in _served_claims(served)}
    assert (subject, predicate, obj) not in kept  # the refused relation left no claim
    assert kept  # and the accepted ones are claims of the served graph


def _served_claims(ntriples: str) -> set[tuple]:
    from rdflib import Graph

    graph = Graph().parse(data=ntriples, format="nt")
    return {(graph.value(c, RDF.subject), graph.value(c, RDF.predicate), graph.value(c, RDF.object))
            for c in graph.subjects(RDF.type, KG.Claim) if "harbor" in str(graph.value(c, KG.claimedBy) or "")}
