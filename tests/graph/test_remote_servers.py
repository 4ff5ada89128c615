"""A remote SPARQL server as the product's store, end to end: `thoracic-kg load --to` pushes the build to a real
`oxigraph serve` and to the private Virtuoso, then the product started with TKG_STORE=remote in front of each
(two API processes in front of one Oxigraph server: the API is stateless) answers every feature exactly as the
product on its embedded store does."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from benchmarks import scaleout
from graph.build import Built
from tests.servers import ROOT, Virtuoso, oxigraph_server, product_server

pytestmark = pytest.mark.integration

#: One of each feature: the SPARQL endpoint, a catalog query, a referral lookup, the card page, the network.
PATHS = (
    "/sparql?query=PREFIX%20schema%3A%20%3Chttps%3A%2F%2Fschema.org%2F%3E%20SELECT%20%3Fc%20WHERE%20%7B%20%3Fc"
    "%20a%20schema%3AMedicalCondition%20%7D%20ORDER%20BY%20%3Fc",
    "/queries/procedures_for_condition?condition=ttc:LungCancer&format=json",
    "/queries/conditions_with_codes?format=csv",
    "/api/lookup/procedures-for-condition?q=lung%20cancer",
    "/api/lookup/workup-for-condition?q=%E9%A3%9F%E7%AE%A1%E7%99%8C&lang=zh",
    "/referral?q=lung%20cancer",
    "/entity?id=ttc:Mediastinoscope",
    "/api/graph",
)


def load(build_dir: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """`thoracic-kg load` in its own process, as an operator runs it."""
    return subprocess.run([sys.executable, "-m", "api", "load", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=180, env={**os.environ, "TKG_BUILD_DIR": str(build_dir), **(env or {})})


@pytest.fixture(scope="module")
def build_dir(built: Built, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("remote-build")
    built.write(folder)
    return folder


@pytest.fixture(scope="module")
def oxigraph(build_dir: Path) -> Iterator[str]:
    """A real `oxigraph serve`, loaded by `thoracic-kg load --to` through its SPARQL Update endpoint."""
    with oxigraph_server() as base:
        done = load(build_dir, "--to", f"{base}/query", "--update", f"{base}/update")
        assert done.returncode == 0, done.stderr
        yield base


@pytest.fixture(scope="module")
def loaded_virtuoso(virtuoso: Virtuoso, build_dir: Path) -> Virtuoso:
    """The private Virtuoso, loaded by `thoracic-kg load --to` through its Graph Store Protocol endpoint, as dba
    with the password in an environment variable."""
    done = load(build_dir, "--to", virtuoso.sparql, "--graph-store", virtuoso.graph_store, "--user", virtuoso.user,
                "--password-env", "VIRTUOSO_DBA_PASSWORD", env={"VIRTUOSO_DBA_PASSWORD": virtuoso.password})
    assert done.returncode == 0, done.stderr
    assert virtuoso.password not in done.stdout + done.stderr
    return virtuoso


@pytest.fixture(scope="module")
def products(oxigraph: str, loaded_virtuoso: Virtuoso, build_dir: Path) -> Iterator[dict[str, str]]:
    """The product with TKG_STORE=remote (no update URL: it only reads): two API processes in front of the one
    Oxigraph server, one in front of Virtuoso."""
    remote = {"store": "remote", "http_workers": "1"}
    with product_server(build_dir, **remote, sparql_query_url=f"{oxigraph}/query") as first, \
            product_server(build_dir, **remote, sparql_query_url=f"{oxigraph}/query") as second, \
            product_server(build_dir, **remote, sparql_query_url=loaded_virtuoso.sparql) as on_virtuoso:
        yield {"oxigraph-server": first, "oxigraph-server, a second API process": second, "virtuoso": on_virtuoso}


def test_load_pushes_the_build_with_progress_and_its_hash(virtuoso: Virtuoso, build_dir: Path, built: Built) -> None:
    done = load(build_dir, "--to", virtuoso.sparql, "--update", virtuoso.sparql_auth, "--user", virtuoso.user,
                env={"TKG_SPARQL_PASSWORD": virtuoso.password})
    assert done.returncode == 0, done.stderr
    triples, sha = built.manifest["triples"], built.manifest["content_sha256"]
    assert f"loading: {triples:,} / {triples:,} triples (100%)" in done.stderr  # the progress line
    assert f"sha256 {sha}" in done.stdout and "graph urn:ttc-kg:graph" in done.stdout


def test_load_says_what_is_wrong(virtuoso: Virtuoso, build_dir: Path) -> None:
    refused = load(build_dir, "--to", virtuoso.sparql, "--update", virtuoso.sparql_auth, "--user", virtuoso.user,
                   "--password-env", "WRONG_PASSWORD", env={"WRONG_PASSWORD": "not-dba"})
    assert refused.returncode == 1 and "refused the request (401)" in refused.stderr and "not-dba" not in refused.stderr
    anonymous = load(build_dir, "--to", virtuoso.sparql)  # its /sparql reads, and refuses updates to the anonymous
    assert anonymous.returncode == 1 and "SECURITY" in anonymous.stderr
    on_the_line = load(build_dir, "--to", virtuoso.sparql, "--password", "dba")
    assert on_the_line.returncode == 2 and "No such option" in on_the_line.stderr  # never on the command line


def test_every_feature_answers_the_same_on_a_remote_server(products: dict[str, str], live_server: str) -> None:
    for path in PATHS:
        headers = {"Accept": "application/sparql-results+json"} if path.startswith("/sparql") else {}
        expected = httpx.get(live_server + path, headers=headers, timeout=60)
        assert expected.status_code == 200, path
        for name, base in products.items():
            got = httpx.get(base + path, headers=headers, timeout=60)
            assert (got.status_code, got.headers["content-type"]) == (200, expected.headers["content-type"]), (name, path)
            assert got.content == expected.content, (name, path)


def test_the_remote_product_keeps_its_refusals_and_caps(products: dict[str, str]) -> None:
    for name, base in products.items():
        update = httpx.post(base + "/sparql", data={"update": "DROP ALL"})
        assert update.status_code == 403, name
        bad = httpx.get(base + "/sparql", params={"query": "SELECT ?s WHERE { ?s ?p }"})
        assert bad.status_code == 400 and "Traceback" not in bad.text, name
        unknown = httpx.get(base + "/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o FILTER(<urn:f>(?o)) }"})
        assert unknown.status_code == 400, (name, unknown.text)


def test_the_scale_out_benchmark_measures_one_and_two_api_processes(products: dict[str, str]) -> None:
    """benchmarks.scaleout's measurement, short, on these two API processes in front of the one Oxigraph server
    (its own servers are these, started its way): one process and both at once each answered every request."""
    if shutil.which("wrk") is None:  # fails, never skips, as the Virtuoso tests do
        pytest.fail("wrk is not installed: make test (scripts/system-packages.sh --servers) installs Debian's wrk")
    two = [products["oxigraph-server"], products["oxigraph-server, a second API process"]]
    args = scaleout.parse_args(["--rounds", "2", "--duration", "1", "--connections", "4"])
    lookup = "/api/lookup/procedures-for-condition?q=lung%20cancer"
    found = scaleout.measure("lookup", [(base + lookup, None, scaleout.JSON_MEDIA) for base in two], args, [])
    assert found["valid"] and found["ratio"] > 0, found
    assert [len(found["rounds"][side]) for side in ("one", "two")] == [2, 2]
    assert all(r["requests"] > 0 for side in found["rounds"].values() for r in side)
    assert "| lookup | " in scaleout.markdown({"graph": "graph.nt", "triples": 1, "connections": 4, "rounds": 2,
                                               "duration_s": 1, "cpus": 2, "loadavg_end": "0 0 0",
                                               "workloads": [found], "geomean_ratio": found["ratio"],
                                               "rss_mb_end": {"api-1": 1}})
