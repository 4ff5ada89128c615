"""The benchmark, in one command: the product, `oxigraph serve` and rdflib-endpoint on the same data, under wrk.

For each graph (the center's, and one at least 50 times larger made by `benchmarks.replicate`), the
three servers start on loopback ports with the same N-Triples file; every query is first sent once
to each (same SPARQL text, POST application/sparql-query) to check they agree on the number of
rows, then timed with wrk (8 connections by default). Results go to `benchmarks/results/latest.json`
and `latest.md`, and the Markdown is printed.

    python -m benchmarks.run                       # both graphs, 5 s per query and server
    python -m benchmarks.run --graphs center --duration 2 --queries tiny_label,count_triples
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

import httpx

from benchmarks import report, servers, wrk
from benchmarks.replicate import write_replica
from benchmarks.servers import OXIGRAPH, PRODUCT, RDFLIB, Server
from benchmarks.workload import SOLUTIONS_MEDIA, Workload, workloads
from graph.build import cached_build

ROOT = Path(__file__).resolve().parents[1]
NOTE = ("wrk and the three servers share the machine's two cores (and whatever else runs on it), so absolute "
        "figures are noisy; the ratios, measured back to back in one run, are what to read.")


def _count(body: bytes, workload: Workload) -> int:
    """Rows of a SPARQL JSON answer (1 for ASK), or triples of an N-Triples answer."""
    if workload.form == "graph":
        return sum(1 for line in body.splitlines() if line.strip() and not line.startswith(b"#"))
    parsed = json.loads(body)
    return 1 if "boolean" in parsed else len(parsed["results"]["bindings"])


def precheck(client: httpx.Client, server: Server, workload: Workload, *, named: bool = False,
             timeout: float) -> tuple[int, float]:
    """Send the query twice (the first warms caches up); return its rows and the second request's seconds.

    Raises:
        RuntimeError: The server did not answer 200, with the start of its message.
        httpx.TimeoutException: No answer within `timeout` seconds.
    """
    elapsed = 0.0
    for _ in range(2):
        started = time.perf_counter()
        if named:
            assert workload.named_path is not None
            response = client.get(server.base + workload.named_path, headers={"Accept": SOLUTIONS_MEDIA},
                                  timeout=timeout)
        else:
            response = client.post(server.query_url, content=workload.sparql.encode(), timeout=timeout,
                                   headers={"Content-Type": "application/sparql-query", "Accept": workload.accept})
        elapsed = time.perf_counter() - started
        if response.status_code != 200:
            raise RuntimeError(f"HTTP {response.status_code}: {response.text.strip()[:300]}")
    return _count(response.content, workload), elapsed


def measure_graph(title: str, name: str, graph: Path, triples: int, args: argparse.Namespace,
                  chosen: list[Workload], body_dir: Path) -> dict:
    """Start the three servers on `graph`, check the rows agree, time every query on each, stop them."""
    logs = args.work_dir / "logs" / name
    skip_rdflib = name == "large" and args.skip_rdflib_large
    starters: dict[str, Callable[[], AbstractContextManager[Server]]] = {
        PRODUCT: lambda: servers.product(graph, logs, query_timeout=args.query_timeout, workers=args.workers,
                                                 http_workers=args.http_workers,
                                                 settings={"CACHE_BYTES": str(args.cache_bytes)}),
        OXIGRAPH: lambda: servers.oxigraph(graph, logs)}
    if not skip_rdflib:
        starters[RDFLIB] = lambda: servers.rdflib_endpoint(graph, logs)
    notes: list[str] = []
    if skip_rdflib:
        notes.append("rdflib-endpoint not run on this graph (--skip-rdflib-large).")
    result: dict = {"name": name, "title": title, "file": str(graph), "triples": triples, "servers": {},
                    "queries": [], "notes": notes}
    with servers.Fleet(starters) as fleet, httpx.Client(timeout=args.timeout) as client:
        for server_name in starters:
            print(f"[{name}] starting {server_name} …", file=sys.stderr, flush=True)
            result["servers"][server_name] = {"ready_s": round(fleet.start(server_name).ready_s, 2)}
        workers = servers.child_count(fleet.running[PRODUCT].pid)
        result["servers"][PRODUCT]["child_processes"] = workers
        notes.append(f"The product ran with TKG_QUERY_TIMEOUT={args.query_timeout:g}, TKG_HTTP_WORKERS={args.http_workers}, "
                     f"TKG_WORKERS={args.workers} and TKG_CACHE_BYTES={args.cache_bytes}; "
                     f"it had {workers} processes below it (HTTP processes, query workers, helpers) during the run.")
        for workload in chosen:
            result["queries"].append(_measure_query(client, fleet, workload, args, body_dir, name))
        if args.http_floor:
            floor = wrk.run(fleet.running[PRODUCT].base + "/api/prefixes", body=None, accept="application/json",
                            duration=args.duration, connections=args.connections, threads=args.threads,
                            timeout=args.timeout)
            result["http_floor"] = floor.as_dict()
        restarts = sum("restarted" in reason for q in result["queries"] for reason in q["skipped"].values())
        if restarts:
            notes.append(f"rdflib-endpoint was restarted {restarts} times: it cannot stop a query it has begun, "
                         f"so after a request gave up on it (over {args.rdflib_max_request:g} s) a fresh process "
                         "took its place.")
    result["geomean"] = report.summarise(result)
    return result


def _measure_query(client: httpx.Client, fleet: servers.Fleet, workload: Workload, args: argparse.Namespace,
                   body_dir: Path, graph_name: str) -> dict:
    body = body_dir / f"{workload.name}.rq"
    body.write_text(workload.sparql, encoding="utf-8")
    entry: dict = {"name": workload.name, "origin": workload.origin, "form": workload.form, "rows": {},
                   "first_request_ms": {}, "measures": {}, "skipped": {}, "stretched_s": {}, "ratios": {}}
    targets: list[tuple[str, str, bool]] = [(name, name, False) for name in fleet.running]
    if args.named_route and workload.named_path:
        targets.append((report.NAMED, PRODUCT, True))
    for label, server_name, named in targets:
        server = fleet.running[server_name]
        limit = args.rdflib_max_request if label == RDFLIB else args.timeout
        try:
            rows, seconds = precheck(client, server, workload, named=named, timeout=limit)
        except httpx.TimeoutException:
            if label == RDFLIB:
                fleet.restart(RDFLIB)
                entry["skipped"][label] = f"no answer within {limit:g} s (--rdflib-max-request); server restarted"
            else:
                entry["skipped"][label] = f"pre-check: no answer within {limit:g} s"
            continue
        except (RuntimeError, httpx.HTTPError, ValueError) as exc:
            entry["skipped"][label] = f"pre-check failed: {exc}"
            continue
        entry["rows"][label], entry["first_request_ms"][label] = rows, round(seconds * 1000, 2)
        url = server.base + workload.named_path if named and workload.named_path else server.query_url
        # A slow server gets a longer run (up to --max-duration), so that requests queued behind the
        # first ones on its connections complete and are counted.
        duration = min(max(args.duration, 1.5 * args.connections * seconds), max(args.duration, args.max_duration))
        if duration > args.duration:
            entry["stretched_s"][label] = round(duration)
        try:
            measure = wrk.run(url, body=None if named else body, accept=SOLUTIONS_MEDIA if named else workload.accept,
                              duration=duration, connections=args.connections, threads=args.threads,
                              timeout=args.timeout)
        except wrk.WrkFailed as exc:
            entry["skipped"][label] = str(exc)
            continue
        finally:  # requests still queued must not run during the next measurement
            if not servers.wait_quiet(server.pid) and label == RDFLIB:
                fleet.restart(RDFLIB)
        entry["measures"][label] = measure.as_dict()
        print(f"[{graph_name}] {workload.name:<30} {label:<16} {measure.throughput:8.1f} req/s  "
              f"p50 {measure.p50_ms:8.2f} ms  p95 {measure.p95_ms:8.2f} ms  rows {rows}"
              + ("" if measure.valid else f"  ERRORS {measure.errors}"), file=sys.stderr, flush=True)
    entry["rows_agree"] = len(set(entry["rows"].values())) <= 1
    product = entry["measures"].get(PRODUCT)
    for other in report.OTHERS:
        if product and entry["measures"].get(other):
            entry["ratios"][other] = wrk.ratios(_measure(product), _measure(entry["measures"][other]))
    return entry


def _measure(saved: dict) -> wrk.Measure:
    fields = {key: saved[key] for key in ("requests", "duration_s", "p50_ms", "p95_ms", "p99_ms", "mean_ms", "max_ms",
                                          "bytes", "errors")}
    return wrk.Measure(**fields)


def _graphs(args: argparse.Namespace) -> Iterator[tuple[str, str, Path, int]]:
    ntriples, manifest = cached_build(ROOT / "build")
    center = args.work_dir / "center.nt"
    center.parent.mkdir(parents=True, exist_ok=True)
    center.write_bytes(ntriples)
    if "center" in args.graphs:
        yield "Center graph", "center", center, int(manifest["triples"])
    if "large" in args.graphs:
        target = args.work_dir / f"replicated-x{args.factor:g}.nt"
        copies, triples = write_replica(center, target, factor=args.factor)
        yield (f"Replicated graph ({copies} copies, {triples / int(manifest['triples']):.1f}× the center's)", "large",
               target, triples)


def _tool_versions() -> dict[str, str]:
    found = {"oxigraph": version("oxigraph"), "pyoxigraph": version("pyoxigraph"),
             "rdflib": version("rdflib"), "rdflib-endpoint": version("rdflib-endpoint"),
             "python": sys.version.split()[0]}
    probe = subprocess.run(["wrk", "--version"], capture_output=True, text=True, check=False)
    found["wrk"] = (probe.stdout or probe.stderr).splitlines()[0].split(" [")[0] if (probe.stdout or probe.stderr) else "?"
    return found


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """The command line of `python -m benchmarks.run`."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=float, default=5.0, help="seconds of wrk per query and server (default 5)")
    parser.add_argument("--max-duration", type=float, default=30.0,
                        help="longest wrk run for a slow server, stretched so its queued requests complete (default 30)")
    parser.add_argument("--connections", type=int, default=8, help="wrk connections (default 8)")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (default 2)")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds before wrk counts a request as timed out")
    parser.add_argument("--graphs", default="center,large", help="comma-separated: center, large (default both)")
    parser.add_argument("--factor", type=float, default=50.0, help="the large graph is at least this many times "
                        "the center's (default 50)")
    parser.add_argument("--queries", default="", help="comma-separated query names (default: all)")
    parser.add_argument("--query-timeout", type=float, default=10.0, help="the product's TKG_QUERY_TIMEOUT (default 10)")
    parser.add_argument("--workers", type=int, default=2, help="the product's TKG_WORKERS (default 2)")
    parser.add_argument("--http-workers", type=int, default=2, help="the product's TKG_HTTP_WORKERS (default 2)")
    parser.add_argument("--cache-bytes", type=int, default=0, help="the product's TKG_CACHE_BYTES (default 0: no "
                        "answer cache, so every timed request reaches the engine; benchmarks.smallquery times the cache)")
    parser.add_argument("--skip-rdflib-large", action="store_true", help="do not run rdflib-endpoint on the large graph")
    parser.add_argument("--rdflib-max-request", type=float, default=10.0,
                        help="do not time rdflib-endpoint on a query one request of which takes longer (default 10 s)")
    parser.add_argument("--no-named-route", dest="named_route", action="store_false",
                        help="do not also time the product's /queries/{name} route")
    parser.add_argument("--no-http-floor", dest="http_floor", action="store_false",
                        help="do not time the product's GET /api/prefixes (its HTTP layer alone)")
    parser.add_argument("--work-dir", type=Path, default=ROOT / "build" / "bench",
                        help="graphs, query bodies and server logs (default build/bench)")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results",
                        help="where latest.json and latest.md go (default benchmarks/results)")
    args = parser.parse_args(argv)
    args.graphs = [g.strip() for g in args.graphs.split(",") if g.strip()]
    if not args.graphs or set(args.graphs) - {"center", "large"}:
        parser.error("--graphs takes center, large or both")
    return args


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and write its results."""
    args = parse_args(argv)
    chosen = workloads({q.strip() for q in args.queries.split(",") if q.strip()} or None)
    started = datetime.now(UTC)
    run: dict = {"started": started.isoformat(timespec="seconds"),
                 "command": "python -m benchmarks.run " + " ".join(sys.argv[1:] if argv is None else argv),
                 "machine": {"cpus": os.cpu_count(), "loadavg_start": list(os.getloadavg()), "note": NOTE,
                             "versions": _tool_versions()},
                 "settings": {"duration_s": args.duration, "connections": args.connections, "threads": args.threads,
                              "wrk_timeout_s": args.timeout, "query_timeout_s": args.query_timeout,
                              "workers": args.workers, "http_workers": args.http_workers, "factor": args.factor,
                              "cache_bytes": args.cache_bytes,
                              "method": "POST application/sparql-query",
                              "rdflib_max_request_s": args.rdflib_max_request,
                              "max_duration_s": args.max_duration},
                 "graphs": []}
    body_dir = args.work_dir / "queries"
    body_dir.mkdir(parents=True, exist_ok=True)
    for title, name, graph, triples in _graphs(args):
        run["graphs"].append(measure_graph(title, name, graph, triples, args, chosen, body_dir))
    run["machine"]["loadavg_end"] = list(os.getloadavg())
    run["finished"] = datetime.now(UTC).isoformat(timespec="seconds")
    run["targets"] = report.targets(run["graphs"])
    run["tiny"] = report.tiny(run["graphs"])
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "latest.json").write_text(json.dumps(run, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    text = report.markdown(run)
    (args.out / "latest.md").write_text(text + "\n", encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
