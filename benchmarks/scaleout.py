"""Several API processes in front of one SPARQL server (issue 11): one API process against two, in the same run.

1. The graph (the build of graph/data, or `--graph FILE`, e.g. a replica `benchmarks.replicate` wrote) is loaded
   into one `oxigraph serve` (in memory) by `python -m api load --to`, as an operator would;
2. two product processes start in front of it with `TKG_STORE=remote` and only its query URL, each one HTTP
   process (`--http-workers`, default 1: an "API process" is one `serve`), no answer cache (`TKG_CACHE_BYTES=0`:
   every timed request reaches the server) and no rate limit;
3. for each workload (the referral lookup `procedures-for-condition?q=lung cancer`, the card, and the catalog
   queries of `--queries` through `/sparql`), in `--rounds` rounds whose order alternates (one, two, two, one, …)
   so that a drift in the machine's load favours neither: **one** = wrk with `--connections` connections on the
   first process; **two** = two wrk at once, half the connections each, one on each process (what a load
   balancer in front of both does), their throughputs added;
4. the ratio two ÷ one of throughput per workload and its geometric mean are the result, with each side's p50
   (the larger of the two processes' p50 for "two"), the resident memory of each process tree, and the load
   average; JSON to `--out` and a Markdown table beside it.

No proxy is put in front: a proxy would be one more process on this 2-core machine and would measure itself.

    python -m benchmarks.scaleout                       # the center's graph, 3 s per measurement, 2 rounds
    python -m benchmarks.scaleout --graph build/replica-60.nt --duration 5
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode

import httpx

from benchmarks import servers, wrk
from benchmarks.departments import tree_rss_bytes
from benchmarks.workload import workloads

ROOT = Path(__file__).resolve().parents[1]
#: The catalog queries timed by default: cheap ones, where the API layer and not the engine sets the pace.
QUERIES = "center_services,conditions_with_codes,named_innovations,procedures_for_condition,label_search"
JSON_MEDIA = "application/json"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--graph", type=Path, help="an N-Triples file (default: the build of graph/data)")
    parser.add_argument("--duration", type=float, default=3.0, help="seconds of wrk per measurement (default 3)")
    parser.add_argument("--rounds", type=int, default=2, help="rounds of one and two (default 2)")
    parser.add_argument("--connections", type=int, default=8, help="wrk connections in all (default 8)")
    parser.add_argument("--http-workers", type=int, default=1, help="TKG_HTTP_WORKERS of each process (default 1)")
    parser.add_argument("--queries", default=QUERIES, help=f"catalog queries timed (default {QUERIES})")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds before a request counts as timed out")
    parser.add_argument("--out", type=Path, help="the JSON results (default benchmarks/results/scaleout-DATE.json)")
    return parser.parse_args(argv)


def _load(graph: Path, oxigraph: servers.Server, logs: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "api", "load", "--to", oxigraph.query_url,
                           "--update", oxigraph.base + "/update", "--graph-file", str(graph)],
                          cwd=ROOT, capture_output=True, text=True, timeout=1800, check=False)
    (logs / "load.log").write_text(done.stdout + done.stderr, encoding="utf-8")
    if done.returncode != 0:
        raise RuntimeError(f"load --to failed: {done.stderr.strip()[-500:]}")


def _both(jobs: list[tuple[str, Path | None, str]], args: argparse.Namespace, pids: list[int]) -> list[wrk.Measure]:
    """wrk on each (url, body, accept) at once, the connections shared among them."""
    each = max(1, args.connections // len(jobs))
    with ThreadPoolExecutor(len(jobs)) as pool:
        runs = [pool.submit(wrk.run, url, body=body, accept=accept, duration=args.duration, connections=each,
                            threads=1, timeout=args.timeout) for url, body, accept in jobs]
        found = [run.result() for run in runs]
    for pid in pids:  # requests still queued must not run during the next measurement
        servers.wait_quiet(pid)
    return found


def measure(name: str, targets: list[tuple[str, Path | None, str]], args: argparse.Namespace,
            pids: list[int]) -> dict:
    """One workload: `--rounds` of one process against both, order alternating; throughputs summed per round."""
    rounds: dict[str, list[dict]] = {"one": [], "two": []}
    for number in range(args.rounds):
        for side in (("one", "two") if number % 2 == 0 else ("two", "one")):
            found = _both(targets[:1] if side == "one" else targets, args, pids)
            rounds[side].append({"throughput": sum(m.throughput for m in found),
                                 "p50_ms": max(m.p50_ms for m in found), "valid": all(m.valid for m in found),
                                 "requests": sum(m.requests for m in found)})
            last = rounds[side][-1]
            print(f"  {name:<28} {side}: {last['throughput']:8.1f} req/s  p50 {last['p50_ms']:7.2f} ms"
                  + ("" if last["valid"] else "  ERRORS"), file=sys.stderr, flush=True)
    one, two = (sum(r["throughput"] for r in rounds[s]) / len(rounds[s]) for s in ("one", "two"))
    return {"name": name, "rounds": rounds, "one_throughput": round(one, 1), "two_throughput": round(two, 1),
            "ratio": round(two / one, 3) if one else None,
            "one_p50_ms": round(sorted(r["p50_ms"] for r in rounds["one"])[len(rounds["one"]) // 2], 2),
            "two_p50_ms": round(sorted(r["p50_ms"] for r in rounds["two"])[len(rounds["two"]) // 2], 2),
            "valid": all(r["valid"] for side in rounds.values() for r in side)}


def run(args: argparse.Namespace, work: Path) -> dict:
    logs = work / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    graph = args.graph
    if graph is None:
        from graph.build import build
        graph = work / "graph.nt"
        graph.write_bytes(build().ntriples)
    chosen = workloads(set(args.queries.split(",")))
    with ExitStack() as stack:
        oxigraph = stack.enter_context(servers.oxigraph(graph, logs))
        _load(graph, oxigraph, logs)
        remote = {"STORE": "remote", "SPARQL_QUERY_URL": oxigraph.query_url, "CACHE_BYTES": "0"}
        products = [stack.enter_context(servers.product(graph, logs, query_timeout=args.timeout, workers=1,
                                                        http_workers=args.http_workers, name=f"api-{i}",
                                                        settings=remote)) for i in (1, 2)]
        lookup = "/api/lookup/procedures-for-condition?" + urlencode({"q": "lung cancer"})
        card = "/api/card?" + urlencode({"q": "lung cancer"})
        for path in (lookup, card):  # both processes answer, and answer the same, before anything is timed
            bodies = {httpx.get(p.base + path, timeout=args.timeout).raise_for_status().content for p in products}
            if len(bodies) != 1:
                raise RuntimeError(f"{path}: the two API processes answer differently")
        pids = [p.pid for p in (*products, oxigraph)]
        rss_before = {p.name: tree_rss_bytes(p.pid) for p in (*products, oxigraph)}
        results = [measure("lookup procedures-for-condition", [(p.base + lookup, None, JSON_MEDIA) for p in products],
                           args, pids),
                   measure("card", [(p.base + card, None, JSON_MEDIA) for p in products], args, pids)]
        for workload in chosen:
            body = work / f"{workload.name}.rq"
            body.write_text(workload.sparql, encoding="utf-8")
            results.append(measure(workload.name, [(p.query_url, body, workload.accept) for p in products],
                                   args, pids))
        rss_after = {p.name: tree_rss_bytes(p.pid) for p in (*products, oxigraph)}
    ratios = [r["ratio"] for r in results if r["ratio"] and r["valid"]]
    return {"date": datetime.now(UTC).isoformat(timespec="seconds"), "graph": graph.name,
            "triples": sum(1 for line in graph.read_bytes().splitlines() if line.strip()),
            "cpus": os.cpu_count(), "loadavg_end": _loadavg(), "duration_s": args.duration, "rounds": args.rounds,
            "connections": args.connections, "http_workers_per_process": args.http_workers,
            "workloads": results, "geomean_ratio": round(wrk.geomean(ratios) or 0, 3),
            "rss_mb_start": {k: round(v / 2**20) for k, v in rss_before.items()},
            "rss_mb_end": {k: round(v / 2**20) for k, v in rss_after.items()}}


def markdown(result: dict) -> str:
    lines = [f"Two API processes against one, in front of one `oxigraph serve` ({result['graph']}, "
             f"{result['triples']:,} triples), {result['connections']} connections in all, "
             f"{result['rounds']} rounds of {result['duration_s']:g} s each, {result['cpus']} CPUs, load average at "
             f"the end {result['loadavg_end']}.", "",
             "| workload | one process req/s | two processes req/s | two ÷ one | p50 one ms | p50 two ms |",
             "| --- | ---: | ---: | ---: | ---: | ---: |"]
    for r in result["workloads"]:
        lines.append(f"| {r['name']}{'' if r['valid'] else ' (errors)'} | {r['one_throughput']:,.1f} | "
                     f"{r['two_throughput']:,.1f} | {r['ratio']:.2f} | {r['one_p50_ms']:.1f} | {r['two_p50_ms']:.1f} |")
    lines += ["", f"Geometric mean of two ÷ one: **{result['geomean_ratio']:.2f}**. Resident memory at the end (MB): "
              + ", ".join(f"{k} {v}" for k, v in result["rss_mb_end"].items()) + "."]
    return "\n".join(lines) + "\n"


def _loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    out = args.out or ROOT / "benchmarks" / "results" / f"scaleout-{datetime.now(UTC):%Y-%m-%d}.json"
    with tempfile.TemporaryDirectory(prefix="tkg-scaleout-") as scratch:
        started = time.monotonic()
        result = run(args, Path(scratch))
        result["elapsed_s"] = round(time.monotonic() - started, 1)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    out.with_suffix(".md").write_text(markdown(result), encoding="utf-8")
    print(markdown(result))
    return 0 if all(r["valid"] for r in result["workloads"]) else 1


if __name__ == "__main__":
    raise SystemExit(main())
