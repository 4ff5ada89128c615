"""The three servers of the benchmark, each started on a free loopback port with one N-Triples file.

- product: `python -m api serve` with `TKG_GRAPH_FILE` and the deadline / worker settings, `/sparql`;
- oxigraph: `oxigraph serve` in memory, the file POSTed to its graph store (`/store?default`), `/query`;
- rdflib-endpoint: `rdflib-endpoint serve FILE` (an rdflib Dataset in memory), endpoint `/`.

Each process gets its own session (process group) so that stopping it also stops the children it
started (the product's query workers); its output goes to a log file beside the graph.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
PRODUCT, OXIGRAPH, RDFLIB = "product", "oxigraph", "rdflib-endpoint"


@dataclass(frozen=True)
class Server:
    """A running server: where to send SPARQL, and how long it took to be ready with the data."""

    name: str
    base: str
    query_url: str
    ready_s: float
    pid: int


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _binary(name: str) -> str:
    return shutil.which(name) or str(Path(sys.executable).with_name(name))


def _wait(url: str, process: subprocess.Popen, seconds: float, headers: dict[str, str] | None = None) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url}: the server exited with status {process.returncode} (see its log)")
        try:
            if httpx.get(url, headers=headers, timeout=5).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not come up in {seconds:.0f} s")


@contextmanager
def _process(command: list[str], log: Path, env: dict[str, str] | None = None) -> Iterator[subprocess.Popen]:
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=env, cwd=ROOT,
                                   start_new_session=True)
        try:
            yield process
        finally:
            _stop(process)


def _stop(process: subprocess.Popen) -> None:
    """SIGTERM to the server's process group (it and the workers it started), SIGKILL after 20 s.

    Signals go to the group only while its leader is not yet reaped, so the group id is still ours."""
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


@contextmanager
def product(graph: Path, logs: Path, *, query_timeout: float, workers: int, http_workers: int,
            startup: float = 600, name: str = PRODUCT, settings: dict[str, str] | None = None) -> Iterator[Server]:
    """The product serving `graph` as it is, with the query deadline and the worker processes set; `settings`
    are more TKG_* variables (`{"CACHE_BYTES": "0"}`: no answer cache)."""
    port, started = free_port(), time.monotonic()
    env = {**{k: v for k, v in os.environ.items() if k != "TKG_STORE"},  # the embedded memory store unless asked
           "TKG_GRAPH_FILE": str(graph.resolve()), "TKG_QUERY_TIMEOUT": str(query_timeout),
           "TKG_WORKERS": str(workers), "TKG_HTTP_WORKERS": str(http_workers),
           "TKG_RATE_LIMIT": "off",  # wrk is one client sending thousands a second: the limit is not what is timed
           **{f"TKG_{key}": value for key, value in (settings or {}).items()}}
    with _process([sys.executable, "-m", "api", "serve", "--port", str(port)], logs / f"{name}.log", env) as process:
        base = f"http://127.0.0.1:{port}"
        _wait(base + "/api/prefixes", process, startup)
        yield Server(name, base, base + "/sparql", time.monotonic() - started, process.pid)


@contextmanager
def oxigraph(graph: Path, logs: Path, *, startup: float = 600) -> Iterator[Server]:
    """`oxigraph serve` in memory, loaded with `graph` through its SPARQL 1.1 Graph Store endpoint."""
    port, started = free_port(), time.monotonic()
    command = [_binary("oxigraph"), "serve", "--bind", f"127.0.0.1:{port}"]
    with _process(command, logs / f"{OXIGRAPH}.log") as process:
        base = f"http://127.0.0.1:{port}"
        _wait(base + "/query?query=ASK%7B%7D", process, 60)
        loaded = httpx.post(base + "/store?default", content=graph.read_bytes(),
                            headers={"Content-Type": "application/n-triples"}, timeout=startup)
        loaded.raise_for_status()
        yield Server(OXIGRAPH, base, base + "/query", time.monotonic() - started, process.pid)


@contextmanager
def rdflib_endpoint(graph: Path, logs: Path, *, startup: float = 1800) -> Iterator[Server]:
    """`rdflib-endpoint serve` with `graph` parsed into an in-memory rdflib Dataset."""
    port, started = free_port(), time.monotonic()
    command = [_binary("rdflib-endpoint"), "serve", str(graph.resolve()), "--host", "127.0.0.1", "--port", str(port)]
    with _process(command, logs / f"{RDFLIB}.log") as process:
        base = f"http://127.0.0.1:{port}"
        _wait(base + "/", process, startup, headers={"Accept": "text/turtle"})
        yield Server(RDFLIB, base, base + "/", time.monotonic() - started, process.pid)


class Fleet:
    """The servers of one graph, each startable and restartable on its own (rdflib-endpoint cannot stop
    a query it has begun: after a request gives up on it, a fresh process is the way to a free server)."""

    def __init__(self, starters: dict[str, Callable[[], AbstractContextManager[Server]]]) -> None:
        self._starters = starters
        self._stacks: dict[str, ExitStack] = {}
        self.running: dict[str, Server] = {}

    def start(self, name: str) -> Server:
        stack = ExitStack()
        self.running[name] = stack.enter_context(self._starters[name]())
        self._stacks[name] = stack
        return self.running[name]

    def restart(self, name: str) -> Server:
        self._stacks.pop(name).close()
        return self.start(name)

    def close(self) -> None:
        for stack in self._stacks.values():
            stack.close()
        self._stacks.clear()

    def __enter__(self) -> Fleet:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _processes() -> dict[int, tuple[int, int]]:
    """Every process: pid → (parent pid, CPU ticks used so far), read from /proc."""
    table: dict[int, tuple[int, int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        table[int(stat.parent.name)] = (int(fields[1]), int(fields[11]) + int(fields[12]))  # ppid, utime + stime
    return table


def _descendants(pid: int, table: dict[int, tuple[int, int]]) -> list[int]:
    """The processes `pid` started, and theirs (the product's HTTP processes and their query workers)."""
    children = [child for child, (parent, _) in table.items() if parent == pid]
    return children + [grand for child in children for grand in _descendants(child, table)]


def _cpu_ticks(pid: int) -> int:
    """CPU ticks used so far by `pid` and every process below it."""
    table = _processes()
    return sum(table[p][1] for p in [pid, *_descendants(pid, table)] if p in table)


def wait_quiet(pid: int, *, window: float = 0.5, longest: float = 60.0) -> bool:
    """Wait until the server has used almost no CPU for `window` seconds (work queued by a finished
    wrk run must not steal CPU from the next measurement); False if it is still busy after `longest`."""
    started = time.monotonic()
    before = _cpu_ticks(pid)
    while time.monotonic() - started < longest:
        time.sleep(window)
        after = _cpu_ticks(pid)
        if after - before <= max(1, os.sysconf("SC_CLK_TCK") * window * 0.05):
            return True
        before = after
    return False


def child_count(pid: int) -> int:
    """How many processes `pid` started, directly or not (HTTP processes, query workers), read from /proc."""
    return len(_descendants(pid, _processes()))
