"""Changes to the curated statements: refused whole or committed whole as a version, followed by every store,
audited as PROV, reversible to the exact earlier content, and never dropped by a rebuild."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.compare import isomorphic
from rdflib.namespace import RDF

from graph.build import Built, Inputs, build
from graph.changes import ChangeConflict, ChangeRefused, Content, graph_store, parse_upload, sparql_update
from graph.ledger import VERSIONS_GRAPH
from graph.namespaces import KG, TTC
from graph.replicas import Follower
from graph.sources import DATA_DIR
from graph.store import Limits
from tests.updates.helpers import STATUS_QUERY, WITHOUT_EVIDENCE, settings_for, started, to_inferred


def _graph(ntriples: bytes) -> Graph:
    return Graph().parse(data=ntriples, format="nt")


def _statuses(store) -> set[str]:  # type: ignore[no-untyped-def]
    return {str(row["status"]).rsplit("#", 1)[1] for row in store.select(STATUS_QUERY)}


def _state_files(directory: Path) -> dict[str, bytes]:
    return {str(p.relative_to(directory)): p.read_bytes() for p in sorted(directory.rglob("*"))
            if p.is_file() and p.name != "lock"}


def test_a_refused_change_says_which_rules_and_changes_nothing(tmp_path: Path, built: Built) -> None:
    content = started(settings_for(tmp_path), built)
    before = _state_files(content.ledger.directory)
    misspelt = """INSERT DATA { ttc:LungCancer skos:exactMatch ttc:icd10-C34 .
                  ttc:icd10-C34 a skos:Concept ; skos:notation "C3A" ; skos:prefLabel "Malignant neoplasm"@en ;
                  skos:inScheme kg:ICD10 }"""
    for update, rule in ((WITHOUT_EVIDENCE, "claims"), (misspelt, "icd10"),
                         ("DELETE DATA { ttc:Center kg:offers ttc:HeadMRI }", "no-change")):
        with pytest.raises(ChangeRefused) as refused:
            content.change(sparql_update(update), by="alice", message="", kind="update")
        assert rule in {v["rule"] for v in refused.value.violations()}, refused.value.violations()
        assert all(v["message"] for v in refused.value.violations())
    assert _state_files(content.ledger.directory) == before
    assert content.snapshot().content_sha256 == built.manifest["content_sha256"]


def test_a_quote_not_at_its_offsets_is_refused(tmp_path: Path, built: Built) -> None:
    content = started(settings_for(tmp_path), built)
    shifted = ("DELETE { ev:robotic oa:start ?s } INSERT { ev:robotic oa:start ?t } "
               "WHERE { ev:robotic oa:start ?s BIND(?s + 1 AS ?t) }")
    with pytest.raises(ChangeRefused) as refused:
        content.change(sparql_update(shifted), by="alice", message="", kind="update")
    assert {"evidence"} <= {v["rule"] for v in refused.value.violations()}
    assert any("robotic" in (v["focus"] or "") for v in refused.value.violations())
    assert len(content.ledger.ids()) == 1


def test_updates_reaching_outside_the_curated_statements_are_refused_before_they_run() -> None:
    for update in ("LOAD <http://127.0.0.1:9/x>",
                   "INSERT { ?s ?p ?o } WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }",
                   "INSERT DATA { GRAPH <urn:g> { <urn:a> <urn:b> <urn:c> } }",
                   "WITH <urn:g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
                   "COPY DEFAULT TO <urn:g>", "DROP GRAPH <urn:g>"):
        with pytest.raises(ChangeRefused) as refused:
            sparql_update(update)
        assert {v["rule"] for v in refused.value.violations()} == {"refused"}


def test_an_accepted_change_is_a_version_and_every_store_follows_it(tmp_path: Path, built: Built) -> None:
    settings = settings_for(tmp_path)
    content = started(settings, built)
    graph_path = settings.build_dir / "graph.nt"
    follower = Follower(settings, graph_path, build_sha=content.build_sha, ledger_dir=content.ledger.directory,
                        limits=Limits())
    assert _statuses(follower.current()) == {"Ambiguous"}
    version = to_inferred(content)
    summary = version.summary()  # type: ignore[attr-defined]
    assert (summary["id"], summary["by"], summary["kind"]) == (2, "alice", "update")
    # blank nodes are labelled by content: the claim whose status changed is one claim removed, one added
    assert summary["added"] == summary["removed"] == len(version.added) > 1  # type: ignore[attr-defined]
    assert [line for line in version.added if "#Inferred" in line]  # type: ignore[attr-defined]
    assert not [line for line in version.removed if "#Inferred" in line]  # type: ignore[attr-defined]
    assert summary["parent_sha256"] == built.manifest["content_sha256"] != summary["content_sha256"]
    # the served graph is the build of the changed statements: the claim's status, and nothing derived from it
    served = content.snapshot()
    assert served.version == 2 and served.content_sha256 == summary["content_sha256"]
    assert b"#Inferred" in served.ntriples
    assert _statuses(follower.current()) == {"Inferred"}  # a worker replays it before its next query
    late = Follower(settings, graph_path, build_sha=content.build_sha, ledger_dir=content.ledger.directory,
                    limits=Limits())
    assert _statuses(late.current()) == {"Inferred"}  # and one started after it
    assert late.current().content_sha256() == summary["content_sha256"]
    # the audit trail, readable through SPARQL
    rows = late.current().select(f"""SELECT ?who ?message ?added ?after WHERE {{ GRAPH <{VERSIONS_GRAPH}> {{
        <{version.iri}> a <http://www.w3.org/ns/prov#Activity> ;
            <http://www.w3.org/ns/prov#wasAssociatedWith>/<http://www.w3.org/2000/01/rdf-schema#label> ?who ;
            <http://www.w3.org/2000/01/rdf-schema#comment> ?message ;
            <https://ttc-kg.example/ontology#statementsAdded> ?added ;
            <https://ttc-kg.example/ontology#contentAfter> ?after }} }}""")  # type: ignore[attr-defined]
    assert [(str(r["who"]), str(r["message"]), int(r["added"]), str(r["after"])) for r in rows] == [
        ("alice", "weighed as inferred", summary["added"], summary["content_sha256"])]
    added = late.current().select(f"SELECT ?o WHERE {{ GRAPH <{version.iri}/added> {{ ?c kg:status ?o }} }}"
                                  .replace("kg:status", "<https://ttc-kg.example/ontology#status>"))
    assert [str(r["o"]) for r in added] == ["https://ttc-kg.example/ontology#Inferred"]


def test_the_disk_store_gets_a_directory_per_version_and_its_workers_follow(tmp_path: Path, built: Built) -> None:
    settings = settings_for(tmp_path, store="disk")
    content = started(settings, built)
    follower = Follower(settings, None, build_sha=content.build_sha, ledger_dir=content.ledger.directory,
                        limits=Limits())
    assert _statuses(follower.current()) == {"Ambiguous"}
    version = to_inferred(content)
    assert _statuses(follower.current()) == {"Inferred"}
    assert follower.current().content_sha256() == version.content_sha256  # type: ignore[attr-defined]
    assert content.reader().content_sha256() == version.content_sha256  # type: ignore[attr-defined]
    back = content.rollback(1, by="alice")
    assert _statuses(follower.current()) == {"Ambiguous"}
    assert back.content_sha256 == built.manifest["content_sha256"]
    assert sorted(p.name for p in content.ledger.stores_dir.iterdir()) == ["000001", "000002", "000003"]


def test_a_rollback_restores_exactly_the_earlier_content(tmp_path: Path, built: Built) -> None:
    content = started(settings_for(tmp_path), built)
    first = to_inferred(content)
    rolled = content.rollback(1, by="carol", message="undo all")
    assert (rolled.kind, rolled.rollback_of, rolled.by) == ("rollback", 1, "carol")
    assert rolled.content_sha256 == built.manifest["content_sha256"]
    assert isomorphic(_graph(content.snapshot().ntriples), _graph(built.ntriples))
    assert content.curated_lines() == set(content.ledger.base_lines(content.build_sha))
    again = content.rollback(2, by="carol")  # the same statements built again: the same bytes
    assert again.content_sha256 == first.content_sha256  # type: ignore[attr-defined]
    with pytest.raises(ChangeRefused):
        content.rollback(2, by="carol")  # already there: nothing to change
    with pytest.raises(ChangeConflict):
        content.rollback(99, by="carol")


def test_the_graph_store_replaces_merges_and_reads_the_curated_statements(tmp_path: Path, built: Built) -> None:
    content = started(settings_for(tmp_path), built)
    turtle = content.curated_turtle()
    with pytest.raises(ChangeRefused) as same:  # PUT of what is there changes nothing
        content.change(graph_store("PUT", parse_upload(turtle, "text/turtle")), by="alice", message="", kind="graph-store")
    assert {v["rule"] for v in same.value.violations()} == {"no-change"}
    document = Graph().parse(data=turtle, format="turtle")
    claim = next(c for c in document.subjects(RDF.object, TTC.DaVinciSurgicalSystem)
                 if document.value(c, RDF.predicate) == KG.hasEquipment)
    document.set((claim, KG.status, KG.Inferred))
    changed = document.serialize(format="turtle", encoding="utf-8")
    version = content.change(graph_store("PUT", parse_upload(changed, "text/turtle")), by="alice", message="",
                             kind="graph-store")
    assert 1 < len(version.added) == len(version.removed) < 20  # one claim, not every blank node
    assert isomorphic(Graph().parse(data=content.curated_turtle(), format="turtle"),
                      Graph().parse(data=changed, format="turtle"))
    emptied = content.change(graph_store("DELETE"), by="alice", message="", kind="graph-store")
    assert emptied.added == () and len(emptied.removed) == len(content.ledger.base_lines(content.build_sha))
    assert b"ttc-kg.example/id/Center" not in content.snapshot().ntriples
    assert content.rollback(1, by="alice").content_sha256 == built.manifest["content_sha256"]  # and reversible


def test_export_changes_gives_what_graph_data_needs_to_hold_the_same(tmp_path: Path, built: Built) -> None:
    content = started(settings_for(tmp_path), built)
    to_inferred(content)
    added, removed, run = content.export_changes()
    assert [v.id for v in run] == [1, 2]
    add, remove = Graph().parse(data=added, format="turtle"), Graph().parse(data=removed, format="turtle")
    assert b"kg:Inferred" in added and b"kg:Ambiguous" in removed and b"kg:Claim" in added
    # graph/data, less the removed claim, plus the added one: the changed statements exactly
    from graph.sources import data_files, parse_files

    curated = parse_files(data_files(DATA_DIR)).merged()
    for claim in set(remove.subjects()):
        for triple in [t for t in curated if _same_claim(curated, t[0], remove, claim)]:
            curated.remove(triple)
    curated += add
    head = Graph().parse(data="\n".join(sorted(content.curated_lines())), format="nt")
    assert isomorphic(curated, head)


def _same_claim(graph: Graph, node, other: Graph, claim) -> bool:  # type: ignore[no-untyped-def]
    return set(graph.predicate_objects(node)) == set(other.predicate_objects(claim))


def _modified_data(tmp_path: Path, old: bytes, new: bytes) -> Path:
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    claims = data / "claims.ttl"
    text = claims.read_bytes()
    assert old in text
    claims.write_bytes(text.replace(old, new, 1))
    return data


DAVINCI_AMBIGUOUS = b"rdf:object ttc:DaVinciSurgicalSystem ;\n    kg:status kg:Ambiguous ; prov:wasDerivedFrom ev:robotic"


def test_a_rebuild_keeps_what_staff_changed(tmp_path: Path, built: Built) -> None:
    settings = settings_for(tmp_path)
    to_inferred(started(settings, built))
    data = _modified_data(tmp_path / "one", DAVINCI_AMBIGUOUS, DAVINCI_AMBIGUOUS)  # a copy: the same build
    rebuilt = started(settings, built, data_dir=data)
    assert [v.kind for v in rebuilt.ledger.all()] == ["build", "update"]  # the same build: the run goes on
    assert b"#Inferred" in rebuilt.snapshot().ntriples
    # graph/data now says the same as the staff change (it was exported and committed): nothing to carry
    merged = _modified_data(tmp_path / "two", DAVINCI_AMBIGUOUS, DAVINCI_AMBIGUOUS.replace(b"kg:Ambiguous", b"kg:Inferred"))
    new_build = build(Inputs.default(merged))
    holding = started(settings, new_build, data_dir=merged)
    assert [v.kind for v in holding.ledger.all()] == ["build", "update", "build"]
    assert holding.snapshot().content_sha256 == new_build.manifest["content_sha256"]


def test_changes_a_new_build_cannot_take_stop_the_start_and_commit_nothing(tmp_path: Path, built: Built) -> None:
    # the earlier build cited a second span for the Da Vinci claim; the staff change weighed that claim
    data = _modified_data(tmp_path / "old", DAVINCI_AMBIGUOUS, DAVINCI_AMBIGUOUS + b", ev:robotic-again")
    evidence = data / "evidence.ttl"
    evidence.write_bytes(evidence.read_bytes() + b'\nev:robotic-again a kg:EvidenceSpan ; prov:value "robotic (Da Vinci)'
                         b' surgery" ;\n    oa:start 3837 ; oa:end 3863 ; prov:wasQuotedFrom ttc:source .\n')
    settings = settings_for(tmp_path)
    to_inferred(started(settings, build(Inputs.default(data)), data_dir=data))
    before = _state_files(settings.state_dir)  # type: ignore[arg-type]
    # the new build (the shipped graph/data) has no such span: the carried claim would cite nothing
    with pytest.raises(SystemExit) as stopped:
        started(settings, built)
    assert "export-changes" in str(stopped.value) and "ttc:DaVinciSurgicalSystem" in str(stopped.value)
    assert {k: v for k, v in _state_files(settings.state_dir).items() if not k.startswith("base/")} == {  # type: ignore[arg-type]
        k: v for k, v in before.items() if not k.startswith("base/")}


def test_an_uploaded_source_is_content_and_a_rollback_returns_to_the_sources_of_its_target(
        tmp_path: Path, built: Built) -> None:
    content = started(settings_for(tmp_path), built)
    words = b"Malignant neoplasm of trachea"  # WHO's title of C33, held by the graph: the build marks its source words
    uploaded = content.add_source("notes.txt", words, by="alice")
    assert uploaded.sources == ("notes.txt",) and uploaded.source == "notes.txt"
    assert uploaded.content_sha256 != built.manifest["content_sha256"]  # the build read the new document's words
    assert b"sourceWords> \"Malignant neoplasm of trachea\"" in content.snapshot().ntriples
    with pytest.raises(ChangeRefused):
        content.add_source("notes.txt", words, by="alice")  # held already
    with pytest.raises(ChangeConflict):
        content.add_source("notes.txt", b"other words", by="alice")  # never replaced
    back = content.rollback(1, by="alice")
    assert back.sources == () and back.content_sha256 == built.manifest["content_sha256"]
    again = content.add_source("notes.txt", words, by="alice")  # the same text brings it back
    assert again.content_sha256 == uploaded.content_sha256


def test_an_update_that_never_ends_is_stopped_and_an_ill_typed_literal_refused(tmp_path: Path, built: Built) -> None:
    content = started(settings_for(tmp_path, query_timeout=2), built)
    endless = "INSERT { ?a kg:x ?l } WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
    with pytest.raises(ChangeRefused) as stopped:
        content.change(sparql_update(endless), by="alice", message="", kind="update")
    assert [v["rule"] for v in stopped.value.violations()] == ["deadline"]
    with pytest.raises(ChangeRefused) as typed:
        content.change(sparql_update('INSERT DATA { ttc:Ward rdfs:comment "x" . ttc:Ward kg:beds "abc"^^xsd:integer }'),
                       by="alice", message="", kind="update")
    assert [v["rule"] for v in typed.value.violations()] == ["literal"]
    assert len(content.ledger.ids()) == 1


def test_a_carry_a_crash_interrupted_is_made_by_the_next_writer(tmp_path: Path, built: Built) -> None:
    settings = settings_for(tmp_path)
    to_inferred(started(settings, built))
    data = _modified_data(tmp_path, b"kg:status kg:Stated ; prov:wasDerivedFrom ev:ward .",
                          b"kg:status kg:Stated ; prov:wasDerivedFrom ev:ward, ev:title .")
    new_build = build(Inputs.default(data))
    interrupted = Content(settings, ntriples=new_build.ntriples, manifest=new_build.manifest, data_dir=data)
    with interrupted.ledger.writing():  # the build record committed, then the process died before the carry
        interrupted.ledger.save_base(interrupted.build_sha, interrupted._curated_graph())
        interrupted._commit_build_record(None)
    assert [v.kind for v in interrupted.ledger.all()] == ["build", "update", "build"]
    carried = started(settings, new_build, data_dir=data)  # a rebuild that lacks the staff change carries it over
    assert [(v.kind, v.by) for v in carried.ledger.all()] == [("build", "build"), ("update", "alice"),
                                                               ("build", "build"), ("carry", "system")]
    now = carried.snapshot().ntriples
    assert b"#Inferred" in now and now != new_build.ntriples


def test_reading_the_ledger_while_another_thread_commits_never_fails(tmp_path: Path) -> None:
    """The HTTP process reads the ledger on every request while a staff change commits in another of its
    threads; a reader must see the listing before or after the commit, never fail (the soak once saw a 500 and,
    on the connection uvicorn then closed, a reset). A tiny switch interval makes the threads interleave often."""
    import sys
    import threading

    from graph.ledger import Ledger, Version

    ledger, failures, done = Ledger(tmp_path), [], threading.Event()
    ledger.versions_dir.mkdir(parents=True)

    def read() -> None:
        while not done.is_set():
            try:
                ids = ledger.ids()
                assert ids == tuple(range(1, len(ids) + 1)), ids
            except Exception as exc:  # any failure of a reader is what this test looks for
                failures.append(exc)
                done.set()

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    readers = [threading.Thread(target=read) for _ in range(3)]
    try:
        for thread in readers:
            thread.start()
        for number in range(1, 301):
            if done.is_set():
                break
            with ledger.writing():
                ledger.commit(Version(number, "2026-12-03T00:00:00Z", "test", "", "update", "b", None, f"c{number}"))
    finally:
        done.set()
        for thread in readers:
            thread.join()
        sys.setswitchinterval(interval)
    assert not failures, failures[:1]
    assert ledger.ids() == tuple(range(1, 301))
