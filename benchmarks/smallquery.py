"""The small-query gap (issue 11): the catalog on the center's graph, `oxigraph serve` against the product
with its answer cache off and on, all in one run, back to back.

One `oxigraph serve` and two products (`TKG_CACHE_BYTES=0`, and the default cache) start on the center's
graph. For every catalog query (its example values inlined, as `benchmarks.run` sends them) and every
round, each server in turn: two requests (the rows must agree with Oxigraph's; on the cached product the
second is a hit, checked by its `X-Cache` header), then wrk for `--duration` seconds. The order of the
servers turns each round, so a drift in the machine's load does not always fall on the same one.
Ratios are product ÷ Oxigraph of the same query and round; the summary is the geometric mean over the
catalog (and the rounds). `--named` also times `/queries/{name}` on both products.

    python -m benchmarks.smallquery                        # 2 rounds, 4 s per query and server
    python -m benchmarks.smallquery --rounds 1 --duration 2 --queries center_services
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

import httpx

from benchmarks import servers, wrk
from benchmarks.run import ROOT, _measure, precheck
from benchmarks.servers import OXIGRAPH, Server
from benchmarks.workload import SOLUTIONS_MEDIA, Workload, workloads
from graph.build import cached_build

UNCACHED, CACHED = "product-nocache", "product-cache"
UNCACHED_NAMED, CACHED_NAMED = "named-nocache", "named-cache"


def _versions() -> dict[str, str]:
    probe = subprocess.run(["wrk", "--version"], capture_output=True, text=True, check=False)
    said = (probe.stdout or probe.stderr).splitlines()
    return {"oxigraph": version("oxigraph"), "pyoxigraph": version("pyoxigraph"), "uvicorn": version("uvicorn"),
            "python": sys.version.split()[0], "wrk": said[0].split(" [")[0] if said else "?"}


def _uptime() -> str:
    try:
        return Path("/proc/loadavg").read_text().strip()
    except OSError:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())


def _cache_header(client: httpx.Client, server: Server, workload: Workload, named: bool) -> str:
    if named:
        assert workload.named_path is not None
        response = client.get(server.base + workload.named_path, headers={"Accept": SOLUTIONS_MEDIA})
    else:
        response = client.post(server.query_url, content=workload.sparql.encode(),
                               headers={"Content-Type": "application/sparql-query", "Accept": workload.accept})
    return response.headers.get("x-cache", "")


def measure(args: argparse.Namespace) -> dict:
    """Start the three servers, time every catalog query on each, every round; return the figures."""
    ntriples, manifest = cached_build(ROOT / "build")
    graph = args.work_dir / "center.nt"
    graph.parent.mkdir(parents=True, exist_ok=True)
    graph.write_bytes(ntriples)
    body_dir = args.work_dir / "queries"
    body_dir.mkdir(parents=True, exist_ok=True)
    chosen = [w for w in workloads(set(args.queries) or None) if w.origin == "catalog" or args.queries]
    logs = args.work_dir / "logs" / "smallquery"
    common = {"query_timeout": args.query_timeout, "workers": args.workers, "http_workers": args.http_workers}
    starters: dict[str, Callable[[], AbstractContextManager[Server]]] = {
        OXIGRAPH: lambda: servers.oxigraph(graph, logs),
        UNCACHED: lambda: servers.product(graph, logs, name=UNCACHED, settings={"CACHE_BYTES": "0"}, **common),
        CACHED: lambda: servers.product(graph, logs, name=CACHED, **common)}
    labels = [OXIGRAPH, UNCACHED, CACHED] + ([UNCACHED_NAMED, CACHED_NAMED] if args.named else [])
    target = {OXIGRAPH: OXIGRAPH, UNCACHED: UNCACHED, CACHED: CACHED, UNCACHED_NAMED: UNCACHED, CACHED_NAMED: CACHED}
    result: dict = {"graph": {"file": str(graph), "triples": int(manifest["triples"])}, "queries": [],
                    "load": {"start": _uptime()}, "servers": {}}
    with servers.Fleet(starters) as fleet, httpx.Client(timeout=args.timeout) as client:
        for name in starters:
            print(f"starting {name} …", file=sys.stderr, flush=True)
            result["servers"][name] = {"ready_s": round(fleet.start(name).ready_s, 2)}
        for workload in chosen:
            body = body_dir / f"{workload.name}.rq"
            body.write_text(workload.sparql, encoding="utf-8")
            entry: dict = {"name": workload.name, "rows": {}, "x_cache": {}, "rounds": []}
            for round_no in range(args.rounds):
                turn = round_no % len(labels)
                order = labels[turn:] + labels[:turn]
                measures: dict[str, dict] = {}
                for label in order:
                    named = label in (UNCACHED_NAMED, CACHED_NAMED)
                    if named and not workload.named_path:
                        continue
                    server = fleet.running[target[label]]
                    rows, _ = precheck(client, server, workload, named=named, timeout=args.timeout)
                    entry["rows"][label] = rows
                    if label != OXIGRAPH:
                        entry["x_cache"][label] = _cache_header(client, server, workload, named)
                    url = server.base + workload.named_path if named and workload.named_path else server.query_url
                    found = wrk.run(url, body=None if named else body,
                                    accept=SOLUTIONS_MEDIA if named else workload.accept, duration=args.duration,
                                    connections=args.connections, threads=args.threads, timeout=args.timeout)
                    servers.wait_quiet(server.pid)
                    measures[label] = found.as_dict()
                    print(f"{workload.name:<30} r{round_no} {label:<16} {found.throughput:8.1f} req/s  "
                          f"p50 {found.p50_ms:7.2f} ms" + ("" if found.valid else f"  ERRORS {found.errors}"),
                          file=sys.stderr, flush=True)
                oxigraph = _measure(measures[OXIGRAPH])
                ratios = {label: wrk.ratios(_measure(saved), oxigraph) for label, saved in measures.items()
                          if label != OXIGRAPH}
                entry["rounds"].append({"order": order, "measures": measures, "ratios": ratios})
            entry["rows_agree"] = len(set(entry["rows"].values())) <= 1
            entry["ratios"] = {label: _combined([r["ratios"].get(label) for r in entry["rounds"]])
                               for label in labels if label != OXIGRAPH}
            result["queries"].append(entry)
    result["load"]["end"] = _uptime()
    result["geomean"] = {label: {key: wrk.geomean(q["ratios"][label][key] for q in result["queries"]
                                                  if q["rows_agree"] and q["ratios"].get(label))
                                 for key in ("throughput", "p50")}
                         for label in labels if label != OXIGRAPH}
    result["geomean_by_round"] = [
        {label: wrk.geomean(q["rounds"][n]["ratios"][label]["throughput"] for q in result["queries"]
                            if q["rows_agree"] and (q["rounds"][n]["ratios"].get(label) or {}).get("throughput"))
         for label in labels if label != OXIGRAPH}
        for n in range(args.rounds)]
    return result


def _combined(rounds: list[dict[str, float] | None]) -> dict[str, float] | None:
    """The rounds' ratios of one query, as their geometric mean (None if no round was valid)."""
    valid = [r for r in rounds if r]
    if not valid:
        return None
    return {key: wrk.geomean(r[key] for r in valid) or 0.0 for key in ("throughput", "p50", "p95")}


def markdown(run: dict) -> str:
    """The figures as a Markdown table: per query, each product's throughput and p50 over Oxigraph's."""
    labels = list(run["geomean"])
    head = "| query | oxigraph req/s | " + " | ".join(f"{label} ×thr | {label} ×p50" for label in labels) + " |"
    lines = [f"Small catalog queries on the center's graph ({run['graph']['triples']:,} triples), "
             f"{run['settings']['rounds']} round(s) of {run['settings']['duration_s']:g} s per query and server, "
             f"wrk -c{run['settings']['connections']}; load average at start {run['load']['start']}, "
             f"at end {run['load']['end']}.", "", head, "|" + " --- |" * (2 + 2 * len(labels))]
    for query in run["queries"]:
        oxigraph = statistics.mean(r["measures"][OXIGRAPH]["throughput"] for r in query["rounds"])
        cells = []
        for label in labels:
            ratio = query["ratios"].get(label)
            cells += [f"{ratio['throughput']:.2f}", f"{ratio['p50']:.2f}"] if ratio else ["–", "–"]
        flag = "" if query["rows_agree"] else " (rows differ!)"
        lines.append(f"| {query['name']}{flag} | {oxigraph:,.0f} | " + " | ".join(cells) + " |")
    cells = []
    for label in labels:
        mean = run["geomean"][label]
        cells += [f"**{mean['throughput']:.2f}**" if mean["throughput"] else "–",
                  f"**{mean['p50']:.2f}**" if mean["p50"] else "–"]
    lines.append("| **geometric mean** | | " + " | ".join(cells) + " |")
    per_round = "; ".join(", ".join(f"{label} {value:.2f}" for label, value in r.items() if value)
                          for r in run["geomean_by_round"])
    lines += ["", f"Throughput geometric mean by round: {per_round}."]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.smallquery", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=float, default=4.0, help="seconds of wrk per query, server and round")
    parser.add_argument("--rounds", type=int, default=2, help="rounds over every query and server (default 2)")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=60.0)
    parser.add_argument("--query-timeout", type=float, default=10.0)
    parser.add_argument("--workers", type=int, default=2, help="the products' TKG_WORKERS (default 2)")
    parser.add_argument("--http-workers", type=int, default=2, help="the products' TKG_HTTP_WORKERS (default 2)")
    parser.add_argument("--named", action="store_true", help="also time /queries/{name} on both products")
    parser.add_argument("--queries", default="", help="comma-separated query names (default: the catalog)")
    parser.add_argument("--work-dir", type=Path, default=ROOT / "build" / "bench")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "smallquery.json")
    args = parser.parse_args(argv)
    args.queries = [q.strip() for q in args.queries.split(",") if q.strip()]
    started = datetime.now(UTC)
    run = measure(args)
    run = {"started": started.isoformat(timespec="seconds"), "finished": datetime.now(UTC).isoformat(timespec="seconds"),
           "command": "python -m benchmarks.smallquery " + " ".join(sys.argv[1:] if argv is None else argv),
           "machine": {"cpus": os.cpu_count(), "versions": _versions(),
                       "note": "wrk, the three servers and other people's test runs share the machine's cores: "
                               "read the ratios, measured back to back, not the absolute figures."},
           "settings": {"duration_s": args.duration, "rounds": args.rounds, "connections": args.connections,
                        "threads": args.threads, "workers": args.workers, "http_workers": args.http_workers,
                        "method": "POST application/sparql-query (named: GET /queries/{name})"},
           **run}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(run, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(markdown(run))
    return 0


if __name__ == "__main__":
    sys.exit(main())
