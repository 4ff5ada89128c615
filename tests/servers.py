"""Real servers for tests, on 127.0.0.1 only, started and stopped by the tests: `oxigraph serve` (from PyPI), a
private OpenLink Virtuoso (Debian's virtuoso-opensource-7-bin) and the product itself."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_until_up(url: str, process: subprocess.Popen, seconds: float = 30) -> None:
    """Poll `url` until it answers; fail early if the process died."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not come up in {seconds} s")


@contextmanager
def oxigraph_server() -> Iterator[str]:
    """An in-memory `oxigraph serve` on a free loopback port; yields its base URL."""
    binary = shutil.which("oxigraph") or str(Path(sys.executable).with_name("oxigraph"))
    port = free_port()
    process = subprocess.Popen([binary, "serve", "--bind", f"127.0.0.1:{port}"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base + "/query?query=ASK%7B%7D", process)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


ROOT = Path(__file__).parents[1]

VIRTUOSO_MISSING = ("OpenLink Virtuoso is not installed (no virtuoso-t on PATH). The tests need it: run `make test` "
                    "(scripts/system-packages.sh --servers installs it when missing), or as root "
                    "`apt-get install -y --no-install-recommends virtuoso-opensource-7-bin` (the server of Debian's "
                    "virtuoso-opensource, without its system service).")

#: A private Virtuoso: its own database in `{folder}`, listening on two loopback ports only, no Unix socket,
#: reading and writing files nowhere else, with small buffers (4,000 pages of 8 kB) and a result cap the tests
#: can reach (ResultSetMaxRows). No automatic checkpoints: the database lives as long as the test session.
VIRTUOSO_INI = """\
[Database]
DatabaseFile = {folder}/virtuoso.db
ErrorLogFile = {folder}/virtuoso.log
LockFile = {folder}/virtuoso.lck
TransactionFile = {folder}/virtuoso.trx
xa_persistent_file = {folder}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {folder}/virtuoso-temp.db
TransactionFile = {folder}/virtuoso-temp.trx

[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
DisableTcpSocket = 0
ServerThreads = 10
CheckpointInterval = 0
NumberOfBuffers = 4000
MaxDirtyBuffers = 3000
CaseMode = 2
DirsAllowed = {folder}
VADInstallDir = {folder}
SchedulerInterval = 0

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {folder}
ServerThreads = 8
MaxClientConnections = 8
KeepAliveTimeout = 5
EnableRequestTrap = 0

[SPARQL]
ResultSetMaxRows = {max_rows}
"""


@dataclass(frozen=True)
class Virtuoso:
    """A running private Virtuoso: its endpoints, and the administrator a fresh database has (dba/dba)."""

    base: str
    folder: Path
    pid: int
    max_rows: int
    user: str = "dba"
    password: str = "dba"

    @property
    def sparql(self) -> str:
        """The SPARQL endpoint (queries; anonymous, read-only)."""
        return self.base + "/sparql"

    @property
    def sparql_auth(self) -> str:
        """The SPARQL endpoint behind HTTP Digest authentication, where updates are allowed to dba."""
        return self.base + "/sparql-auth"

    @property
    def graph_store(self) -> str:
        """The Graph Store Protocol endpoint behind HTTP Digest authentication."""
        return self.base + "/sparql-graph-crud-auth"


@contextmanager
def virtuoso_server(folder: Path, *, max_rows: int = 50_000) -> Iterator[Virtuoso]:
    """A private Virtuoso with its own database and virtuoso.ini in `folder`; stopped (and waited for) at the end."""
    binary = shutil.which("virtuoso-t")
    if binary is None:
        pytest.fail(VIRTUOSO_MISSING, pytrace=False)
    folder.mkdir(parents=True, exist_ok=True)
    http_port, sql_port = free_port(), free_port()
    ini = folder / "virtuoso.ini"
    ini.write_text(VIRTUOSO_INI.format(folder=folder, http_port=http_port, sql_port=sql_port, max_rows=max_rows))
    log = (folder / "stdout.log").open("wb")
    process = subprocess.Popen([binary, "-c", str(ini), "+foreground"], cwd=folder, stdout=log,
                               stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{http_port}"
    try:
        try:  # a fresh database takes a few seconds to create
            wait_until_up(base + "/sparql?query=ASK%7B%7D", process, seconds=90)
        except RuntimeError as exc:
            tail = (folder / "virtuoso.log").read_text(errors="replace")[-2000:] if (folder / "virtuoso.log").exists() else ""
            raise RuntimeError(f"Virtuoso did not start: {exc}\n{tail}") from None
        yield Virtuoso(base, folder, process.pid, max_rows)
    finally:
        process.terminate()  # Virtuoso checkpoints and exits on SIGTERM
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


@pytest.fixture(scope="session")
def virtuoso(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Virtuoso]:
    """One private Virtuoso for the test session, empty; fails (never skips) with how to install it if missing."""
    with virtuoso_server(tmp_path_factory.mktemp("virtuoso")) as server:
        yield server


@contextmanager
def product_server(build_dir: Path, log: Path | None = None, **settings: str) -> Iterator[str]:
    """`thoracic-kg serve` on uvicorn on a free loopback port; `settings` become TKG_* variables. Its stdout and
    stderr go to `log` when given (a test reads what the server logged), else nowhere."""
    port = free_port()
    env = {**os.environ, "TKG_BUILD_DIR": str(build_dir),
           **{f"TKG_{name.upper()}": value for name, value in settings.items()}}
    output = log.open("wb") if log is not None else None
    process = subprocess.Popen([sys.executable, "-m", "api", "serve", "--port", str(port)], env=env, cwd=ROOT,
                               stdout=output or subprocess.DEVNULL,
                               stderr=subprocess.STDOUT if output else subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base + "/api/prefixes", process, seconds=120)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if output is not None:
            output.close()
