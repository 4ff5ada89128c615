"""Query workers cannot open outbound connections at all, whatever the engine is asked to do.

The guard refuses SERVICE before the engine sees it (test_outbound.py); these tests skip the guard and hand
SERVICE, and Python's own networking, straight to a confined process, with a listener that must see nothing.
pyoxigraph does SERVICE over HTTP in Rust, which an audit hook never sees: the seccomp filter stops it.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from graph.build import Built
from graph.settings import Settings
from graph.store import Limits, QueryRejected
from graph.workers import WorkerPool, WorkerSpec
from tests.hostile.conftest import Listener

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="the kernel filter is Linux's seccomp")


@pytest.fixture(scope="module")
def pool(built: Built, tmp_path_factory: pytest.TempPathFactory) -> Iterator[WorkerPool]:
    graph = tmp_path_factory.mktemp("sandbox") / "graph.nt"
    graph.write_bytes(built.ntriples)
    workers = WorkerPool(WorkerSpec(Settings(), graph, built.manifest["content_sha256"], Limits()), size=1, timeout=10)
    try:
        yield workers
    finally:
        workers.close()


def test_workers_run_under_the_audit_hook_and_the_kernel_filter(pool: WorkerPool) -> None:
    assert pool.confinement is not None
    assert pool.confinement.audit_hook and pool.confinement.seccomp, pool.confinement.detail


def test_service_past_the_guard_reaches_nothing(pool: WorkerPool, listener: Listener) -> None:
    for name in (listener.url, f"http://localhost:{listener.port}"):  # an address, and a name to look up
        with pytest.raises(QueryRejected, match="reach the network"):
            pool.answer(f"SELECT * WHERE {{ SERVICE <{name}/sparql> {{ ?s ?p ?o }} }}")
    silent = pool.answer(f"SELECT * WHERE {{ SERVICE SILENT <{listener.url}/sparql> {{ ?s ?p ?o }} }}")
    assert silent.kind == "solutions"  # SILENT: the failed call is an empty solution, as SPARQL says
    assert b"LungCancer" in pool.answer("SELECT ?c WHERE { ?c a <https://schema.org/MedicalCondition> }").body
    assert listener.seen == []


CONFINED = """
    import ctypes, socket, urllib.request
    import pyoxigraph
    from graph.sandbox import forbid_network
    print("confined", forbid_network())
    url = "http://127.0.0.1:{port}/"
    attempts = {{
        "socket.create_connection": lambda: socket.create_connection(("127.0.0.1", {port}), timeout=2),
        "socket.getaddrinfo": lambda: socket.getaddrinfo("localhost", {port}),
        "udp sendto": lambda: socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b"x", ("127.0.0.1", {port})),
        "urllib": lambda: urllib.request.urlopen(url, timeout=2),
        "libc socket()": lambda: ctypes.CDLL(None, use_errno=True).socket(socket.AF_INET, socket.SOCK_STREAM, 0),
        "engine SERVICE": lambda: list(pyoxigraph.Store().query(f"SELECT * {{{{ SERVICE <{{url}}> {{{{ ?s ?p ?o }}}} }}}}")),
        "engine LOAD": lambda: pyoxigraph.Store().update(f"LOAD <{{url}}data.ttl>"),
    }}
    for name, attempt in attempts.items():
        try:
            result = attempt()
            print(name, "refused" if result == -1 else f"ALLOWED {{result!r}}")
        except OSError as exc:
            print(name, "refused", type(exc).__name__)
    unix = socket.socketpair()  # the worker's own pipe is a Unix socket: still allowed
    unix[0].sendall(b"ok")
    print("unix socketpair", unix[1].recv(2).decode())
"""


def test_a_confined_process_opens_no_connection_by_any_route(listener: Listener) -> None:
    code = textwrap.dedent(CONFINED.format(port=listener.port))
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                            cwd=Path(__file__).parents[2])
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert "seccomp=True" in lines[0], lines[0]
    assert [line for line in lines[1:-1] if " refused" not in line] == []
    assert len(lines) == 9 and lines[-1] == "unix socketpair ok"
    assert listener.seen == []
