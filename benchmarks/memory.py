"""Resident memory per backend as the graph grows (issue 11): the product on embedded memory, on embedded disk and
in front of an Oxigraph server, and that server alone, each serving the center's graph replicated N times.

For every N (`--copies 1,100,1000`; 1,000 copies are 3 million triples, the issue's "where it stands") and every
backend, one product starts on the same N-Triples file with the default processes (2 HTTP processes, 2 query
workers each) and no answer cache, so that what is timed is the engine. Measured: the time to be ready; the resident
memory of the whole process tree (HTTP processes and query workers; for the remote backend the server's too, and
apart) once ready and after the requests; and the p50 of `--requests` sequential requests of one referral lookup and
one catalog query after a warm-up. The Oxigraph server is timed on the same catalog query's text, as a reference.

    python -m benchmarks.memory --copies 1,100,1000 -o benchmarks/results/memory-2026-12-03.json

Writes the JSON and a Markdown table beside it. Loopback only; every server is stopped at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import httpx

from benchmarks import servers
from benchmarks.departments import lookup_path, tree_rss_bytes
from benchmarks.replicate import replicate, split
from benchmarks.workload import SOLUTIONS_MEDIA, catalog_workload
from queries.catalog import load_catalog

ROOT = Path(__file__).resolve().parents[1]
BACKENDS = ("memory", "disk", "remote")
CATALOG_QUERY = "procedures_for_condition"
LOOKUP = "procedures-for-condition"
MB = 2**20


def p50_ms(ask, requests: int) -> dict:  # type: ignore[no-untyped-def]
    """The median of `requests` timed calls of `ask` after one warm-up (its own time apart), in ms, with the last
    status and what the answer held (results, candidates); a request that fails or times out ends the measurement
    and is recorded, so that one slow backend does not lose the run."""
    found: dict = {}
    try:
        started = time.perf_counter()
        answer = ask()
        found["first_ms"] = round((time.perf_counter() - started) * 1000, 1)
        times = []
        for _ in range(requests):
            started = time.perf_counter()
            answer = ask()
            times.append(time.perf_counter() - started)
    except httpx.HTTPError as exc:
        return {**found, "p50_ms": None, "status": None, "error": f"{type(exc).__name__}: {exc}"[:200]}
    found.update({"p50_ms": round(statistics.median(times) * 1000, 2), "status": answer.status_code})
    if answer.headers.get("content-type", "").startswith("application/json"):
        body = answer.json()
        found.update({"results": len(body.get("results") or []), "candidates": len(body.get("candidates") or [])})
    elif answer.status_code == 200:
        found["rows"] = len(answer.json()["results"]["bindings"])
    return found


@contextmanager
def backend(name: str, graph: Path, work: Path, oxigraph: servers.Server | None) -> Iterator[servers.Server]:
    """The product serving `graph` on backend `name` (remote: in front of `oxigraph`, loaded by `load`)."""
    settings = {"CACHE_BYTES": "0"}
    if name == "disk":
        settings.update({"STORE": "disk", "STORE_PATH": str(work / "store")})
    elif name == "remote":
        assert oxigraph is not None
        done = subprocess.run([sys.executable, "-m", "api", "load", "--to", oxigraph.query_url,
                               "--graph-store", oxigraph.base + "/store", "--graph-file", str(graph)],
                              cwd=ROOT, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"load failed: {done.stderr.strip()[-500:]}")
        settings.update({"STORE": "remote", "SPARQL_QUERY_URL": oxigraph.query_url})
    with servers.product(graph, work, query_timeout=60, workers=2, http_workers=2, startup=1800, name=name,
                         settings={**settings, "BUILD_DIR": str(work / "build")}) as served:
        yield served


def measure(copies: int, source: bytes, args: argparse.Namespace, work: Path) -> dict:
    graph = work / f"n{copies}.nt"
    graph.write_bytes(replicate(source, copies))
    triples = split(source).size(copies)
    row: dict = {"copies": copies, "triples": triples, "backends": {}}
    workload = catalog_workload(load_catalog()[CATALOG_QUERY])
    print(f"[{copies} copies] {triples:,} triples", file=sys.stderr, flush=True)
    with servers.oxigraph(graph, work, startup=1800) as oxigraph, httpx.Client(timeout=args.timeout) as client:
        row["oxigraph"] = {"ready_s": round(oxigraph.ready_s, 2), "rss_mb": round(tree_rss_bytes(oxigraph.pid) / MB)}
        row["oxigraph"]["catalog"] = p50_ms(lambda: client.post(
            oxigraph.query_url, content=workload.sparql.encode(),
            headers={"Content-Type": "application/sparql-query", "Accept": SOLUTIONS_MEDIA}), args.requests)
        for name in args.backends:
            folder = work / f"n{copies}-{name}"
            folder.mkdir()
            with backend(name, graph, folder, oxigraph) as served:
                entry: dict = {"ready_s": round(served.ready_s, 2), "processes": 1 + servers.child_count(served.pid),
                               "rss_ready_mb": round(tree_rss_bytes(served.pid) / MB)}
                entry["lookup"] = p50_ms(lambda: client.get(served.base + lookup_path(LOOKUP),
                                                            headers={"Accept": "application/json"}), args.requests)
                entry["catalog"] = p50_ms(lambda: client.get(served.base + (workload.named_path or ""),
                                                             headers={"Accept": SOLUTIONS_MEDIA}), args.requests)
                entry["rss_end_mb"] = round(tree_rss_bytes(served.pid) / MB)
                if name == "remote":
                    entry["server_rss_mb"] = round(tree_rss_bytes(oxigraph.pid) / MB)
            row["backends"][name] = entry
            print(f"[{copies} copies] {name}: {entry}", file=sys.stderr, flush=True)
    graph.unlink()
    return row


def _ms(found: dict) -> str:
    """A p50 cell: the figure, or what stopped it; and what a lookup answered when it was candidates."""
    if found.get("p50_ms") is None:
        return f"– ({found.get('error', 'no answer')[:60]})"
    cell = f"{found['p50_ms']}"
    if found.get("candidates") and not found.get("results"):
        cell += f" ({found['candidates']} candidates)"
    return cell


def markdown(run: dict) -> str:
    lines = ["| copies | triples | backend | ready s | processes | RSS ready MB | RSS after MB | lookup first ms "
             "| lookup p50 ms | catalog p50 ms | Oxigraph server: RSS MB, catalog p50 ms |",
             "| ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for row in run["rows"]:
        ox = row["oxigraph"]
        for name, entry in row["backends"].items():
            after = f"{entry['rss_end_mb']:,}" + (f" (+ server {entry['server_rss_mb']:,})" if "server_rss_mb" in entry
                                                  else "")
            lines.append(f"| {row['copies']:,} | {row['triples']:,} | {name} | {entry['ready_s']} | {entry['processes']} "
                         f"| {entry['rss_ready_mb']:,} | {after} | {entry['lookup'].get('first_ms', '–')} "
                         f"| {_ms(entry['lookup'])} | {_ms(entry['catalog'])} | {ox['rss_mb']:,}, {_ms(ox['catalog'])} |")
    return "\n".join(lines) + "\n"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.memory", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--copies", default="1,100,1000", help="copies of the center's graph, comma-separated")
    parser.add_argument("--backends", default=",".join(BACKENDS), help="memory,disk,remote (default all)")
    parser.add_argument("--requests", type=int, default=15, help="timed requests per measurement (default 15)")
    parser.add_argument("--timeout", type=float, default=300, help="seconds per request (default 300)")
    parser.add_argument("--graph", type=Path, default=ROOT / "build" / "graph.nt", help="the center's N-Triples")
    parser.add_argument("-o", "--out", type=Path, required=True, help="the result JSON (Markdown beside it)")
    args = parser.parse_args(argv)
    args.copies = [int(n) for n in args.copies.split(",")]
    args.backends = [b for b in args.backends.split(",") if b]
    unknown = set(args.backends) - set(BACKENDS)
    if unknown:
        parser.error(f"unknown backends: {', '.join(sorted(unknown))}")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if not args.graph.exists():
        subprocess.run([sys.executable, "-m", "api", "build"], cwd=ROOT, check=True)
    source = args.graph.read_bytes()
    run: dict = {"started": datetime.now(UTC).isoformat(timespec="seconds"),
                 "command": "python -m benchmarks.memory " + " ".join(argv or sys.argv[1:]),
                 "machine": {"cpus": os.cpu_count(), "memory_gb": round(os.sysconf("SC_PHYS_PAGES")
                                                                      * os.sysconf("SC_PAGE_SIZE") / 2**30, 1),
                             "python": platform.python_version(), "loadavg_start": list(os.getloadavg())},
                 "settings": {"http_workers": 2, "workers": 2, "cache": "off", "requests": args.requests},
                 "rows": []}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="tkg-memory-") as work:
        for copies in args.copies:
            folder = Path(work) / f"c{copies}"
            folder.mkdir()
            run["rows"].append(measure(copies, source, args, folder))
            run["machine"]["loadavg_end"] = list(os.getloadavg())
            args.out.write_text(json.dumps(run, indent=1) + "\n", encoding="utf-8")  # after each N: a crash keeps them
            args.out.with_suffix(".md").write_text(markdown(run), encoding="utf-8")
    print(markdown(run))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
