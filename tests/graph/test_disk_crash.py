"""The on-disk store survives a crash: a process killed (SIGKILL) in the middle of loading a new build into it
leaves the previous store intact, and the product restarted on it serves the previous build without a rebuild."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from graph.build import Built
from graph.settings import Settings
from graph.store import OxigraphStore, disk_store_holds, load_disk_store
from tests.servers import ROOT, product_server

pytestmark = pytest.mark.integration

#: The child: load a large new build (60 renamed copies of the center's, about 2 s) into the on-disk store.
CHILD = """
import sys
from pathlib import Path
from graph.store import load_disk_store
path, source = Path(sys.argv[1]), Path(sys.argv[2]).read_bytes()
big = b"".join(source.replace(b"<https://ttc-kg.example/", b"<https://ttc-kg.example/r%d/" % i) for i in range(60))
print("loading", flush=True)
load_disk_store(path, big, content_sha256="the-new-build")
print("done", flush=True)
"""


def test_a_build_killed_midway_leaves_the_previous_store_served(tmp_path: Path, built: Built) -> None:
    build_dir, path = tmp_path / "build", tmp_path / "store"
    built.write(build_dir)
    sha = built.manifest["content_sha256"]
    load_disk_store(path, built.ntriples, content_sha256=sha)  # the store in service

    child = subprocess.Popen([sys.executable, "-c", CHILD, str(path), str(build_dir / "graph.nt")], cwd=ROOT,
                             stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None and child.stdout.readline().strip() == "loading"
    fresh = path.with_name("store.new")
    deadline = time.monotonic() + 30
    while not fresh.exists() and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(0.4)  # well inside the load, which takes about 2 s
    assert child.poll() is None, "the load finished before it could be interrupted"
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=10)
    assert child.returncode == -signal.SIGKILL
    assert fresh.exists()  # the half-written new store is left beside the old one

    reader = OxigraphStore(path, read_only=True)  # the previous store, intact
    assert reader.content_sha256() == sha and len(reader) == built.manifest["triples"] + 1  # + its hash
    reader.close()

    settings = {"store": "disk", "store_path": str(path), "http_workers": "1", "workers": "1"}
    with product_server(build_dir, **settings) as base:  # the restart reopens it: no rebuild, no reload
        count = httpx.get(base + "/sparql", params={"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"},
                          headers={"Accept": "text/csv"}).text.split()
        assert count == ["n", str(built.manifest["triples"])]
        lookup = httpx.get(base + "/api/lookup/procedures-for-condition", params={"q": "lung cancer"})
        assert lookup.status_code == 200 and lookup.json()["matched"]["id"].endswith("/LungCancer")
    assert disk_store_holds(Settings(store="disk", store_path=path), sha)

    load_disk_store(path, built.ntriples, content_sha256="next")  # the next build clears the leftover
    assert not fresh.exists() and not path.with_name("store.old").exists()
