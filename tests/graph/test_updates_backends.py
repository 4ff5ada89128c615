"""Staff changes on every backend that accepts writes: an accepted change is visible to the next query and the
audit trail is in the server's versions graph; a rollback returns the server to the build's exact hash. The
embedded memory and disk stores are covered in tests/updates; here the real `oxigraph serve` and Virtuoso."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from graph.build import Built
from graph.changes import ChangeRefused, sparql_update
from graph.ledger import VERSION_IRI, VERSIONS_GRAPH
from graph.settings import Settings
from graph.store import STAGING_GRAPH, Dataset, RemoteStore, prepared_store, remote_store
from tests.servers import Virtuoso, oxigraph_server
from tests.updates.helpers import STATUS_QUERY, WITHOUT_EVIDENCE, settings_for, started, to_inferred

pytestmark = pytest.mark.integration
GRAPH = "urn:ttc-kg:updates-test"
PARTS = ("added", "removed", "built-added", "built-removed")


@pytest.fixture(params=["oxigraph-server", "virtuoso"])
def remote(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Settings]:
    if request.param == "oxigraph-server":
        with oxigraph_server() as base:
            yield settings_for(tmp_path, store="remote", sparql_query_url=f"{base}/query",
                               sparql_update_url=f"{base}/update")
        return
    virtuoso: Virtuoso = request.getfixturevalue("virtuoso")
    settings = settings_for(tmp_path, store="remote", sparql_query_url=virtuoso.sparql,
                            sparql_update_url=virtuoso.sparql_auth, sparql_user=virtuoso.user,
                            sparql_password=virtuoso.password, sparql_graph=GRAPH)
    yield settings
    # the session's Virtuoso is shared, and its default graph is the union of all its graphs: leave nothing behind
    server = remote_store(settings)
    versions = [f"{VERSION_IRI}{n}" for n in range(1, 20)]
    server.forget("urn:ttc-kg:none", VERSIONS_GRAPH, [VERSIONS_GRAPH, GRAPH, server.marker, f"{STAGING_GRAPH}/{GRAPH}",
                                                      *(f"{v}/{part}" for v in versions for part in PARTS)])
    server.close()


def _statuses(store: RemoteStore) -> set[str]:
    return {str(r["status"]).rsplit("#", 1)[1] for r in store.select(STATUS_QUERY)}


def test_a_change_reaches_the_remote_server_and_a_rollback_undoes_it(remote: Settings, built: Built) -> None:
    sha = built.manifest["content_sha256"]
    prepared_store(remote, ntriples=built.ntriples, content_sha256=sha).close()
    content = started(remote, built)
    server = remote_store(remote)
    try:
        assert _statuses(server) == {"Ambiguous"}
        with pytest.raises(ChangeRefused):
            content.change(sparql_update(WITHOUT_EVIDENCE), by="alice", message="", kind="update")
        assert server.content_sha256() == sha  # a refused change never reached it
        version = to_inferred(content)
        assert _statuses(server) == {"Inferred"}
        assert server.content_sha256() == version.content_sha256  # type: ignore[attr-defined]
        # the audit trail, in the versions graph (named in the dataset: Virtuoso's default graph is the build's)
        audit = server.answer(f"SELECT ?who WHERE {{ GRAPH <{VERSIONS_GRAPH}> {{ <{version.iri}> "  # type: ignore[attr-defined]
                              "<http://www.w3.org/ns/prov#wasAssociatedWith> ?agent . ?agent "
                              "<http://www.w3.org/2000/01/rdf-schema#label> ?who } }", formats={"solutions": "json"},
                              dataset=Dataset(named=(VERSIONS_GRAPH,)))
        assert [b["who"]["value"] for b in json.loads(audit.body)["results"]["bindings"]] == ["alice"]
        content.rollback(1, by="alice")
        assert _statuses(server) == {"Ambiguous"}
        assert server.content_sha256() == sha
    finally:
        server.close()
