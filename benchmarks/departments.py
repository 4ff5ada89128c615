"""Growth with many departments (issue 11): build, start-up, memory and query latency as departments are added.

For each N of `--departments` (default 1, 10, 30), in one run:

1. `graph.synth.generate(N, seed)` writes N synthetic departments into the work folder; `build_with` builds the
   shipped center with them (timed, in this process), and the build is written to its own build folder; the
   TriG download is made from it afresh (`trig_s`: every triple put in its department's named graph, then
   serialised), with the count of named graphs;
2. the product starts on it as an operator would (`python -m api serve` with `TKG_DEPARTMENTS_DIR`, and
   `TKG_BUILD_DIR` the folder just written, so it reuses that build: the input fingerprint matches), on the
   memory store with its default HTTP processes and query workers, `TKG_CACHE_BYTES=0` (every timed request
   reaches the engine) and `TKG_RATE_LIMIT=off`; its start-up time (process start to the first answer) and the
   resident memory of its whole process tree (RSS of the server and every process below it, from /proc) are
   recorded, at start and after the load;
3. `oxigraph serve` starts in memory on the same N-Triples (the build's graph.nt), as `benchmarks.servers` does;
4. wrk (`--connections` 8, `--duration` seconds each, stretched up to `--max-duration` for an answer so slow that
   the requests queued on the connections would not complete: wrk counts only those that do) times the lookups
   `procedures-for-condition?q=lung cancer` and `workup-for-condition?q=lung cancer` on the product, then every
   catalog query (its example values inlined, as `benchmarks.workload` sends them) on the product's /sparql
   and on Oxigraph's /query with the same text;
   ratios are product ÷ Oxigraph of the same query, the summary their geometric mean over the catalog;
5. the JSON results, a Markdown table (one row per N) and, if matplotlib is importable, a PNG of the growth
   curves are written (`--out` names the JSON; the .md and .png go beside it).

Before wrk, every lookup is asked once with httpx and must answer 200: the answer's result count and the
departments each item names are kept (the item "Radical lung cancer surgery" should name the center and some
synthetic departments), with `/api/departments` and `/api/card?q=lung cancer` as checks.

    python -m benchmarks.departments                                   # N = 1, 10, 30; 3 s per measurement
    python -m benchmarks.departments --departments 1,10,100 --duration 5
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlencode

import httpx

from benchmarks import servers, wrk
from benchmarks.run import _measure, precheck
from benchmarks.servers import OXIGRAPH, Server
from benchmarks.workload import Workload, workloads

if TYPE_CHECKING:
    from graph.build import Built

ROOT = Path(__file__).resolve().parents[1]
SEED = 11
PRODUCT = "product"
QUESTION = "lung cancer"
#: The lookups timed, by short name: the route after /api/lookup/.
LOOKUPS = {"procedures": "procedures-for-condition", "workup": "workup-for-condition"}
#: The item whose departments the results report (the center's and synthetic departments' radical surgery).
WATCHED = "Radical lung cancer surgery"
JSON_MEDIA = "application/json"


def tree_rss_bytes(pid: int) -> int:
    """Resident memory of `pid` and every process below it (HTTP processes, query workers), from /proc.

    Example:
        >>> tree_rss_bytes(os.getpid()) > 0
        True
    """
    table = servers._processes()
    total = 0
    for member in [pid, *servers._descendants(pid, table)]:
        try:
            status = Path(f"/proc/{member}/status").read_text()
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1]) * 1024
    return total


@contextmanager
def product(departments: Path, build_dir: Path, state_dir: Path, logs: Path, *, startup: float = 1800,
            settings: dict[str, str] | None = None) -> Iterator[Server]:
    """The product serving the center and the departments of `departments`, reusing the build in `build_dir`:
    memory store, default HTTP processes and query workers, no answer cache, no rate limit."""
    port, started = servers.free_port(), time.monotonic()
    env = {key: value for key, value in os.environ.items() if not key.startswith("TKG_")}
    env.update({"TKG_STORE": "memory", "TKG_DEPARTMENTS_DIR": str(departments.resolve()),
                "TKG_BUILD_DIR": str(build_dir.resolve()), "TKG_STATE_DIR": str(state_dir.resolve()),
                "TKG_CACHE_BYTES": "0", "TKG_RATE_LIMIT": "off",
                **{f"TKG_{key}": value for key, value in (settings or {}).items()}})
    command = [sys.executable, "-m", "api", "serve", "--port", str(port)]
    with servers._process(command, logs / f"{PRODUCT}.log", env) as process:
        base = f"http://127.0.0.1:{port}"
        servers._wait(base + "/api/prefixes", process, startup)
        yield Server(PRODUCT, base, base + "/sparql", time.monotonic() - started, process.pid)


def lookup_path(route: str, question: str = QUESTION) -> str:
    """The lookup's path and query string.

    Example:
        >>> lookup_path("procedures-for-condition")
        '/api/lookup/procedures-for-condition?q=lung+cancer'
    """
    return f"/api/lookup/{route}?" + urlencode({"q": question})


def summarise_answer(status: int, answer: dict) -> dict:
    """What a lookup's answer says: its status, how many results, the departments each item names (ids).

    Example:
        >>> summary = summarise_answer(200, {"matched": {"label": "Lung cancer"}, "results": [
        ...     {"label": "Radical lung cancer surgery", "departments": [{"id": "ttc:Center"}, {"id": "ttc:syn-0001"}]}]})
        >>> summary["results"], summary["departments_named"], summary["items"]["Radical lung cancer surgery"]
        (1, 2, ['ttc:Center', 'ttc:syn-0001'])
    """
    items = {str(item.get("label")): sorted(str(d.get("id")) for d in item.get("departments") or [])
             for item in answer.get("results") or []}
    named = {d for ids in items.values() for d in ids}
    matched = answer.get("matched") or {}
    return {"status": status, "matched": matched.get("label"), "results": len(answer.get("results") or []),
            "departments_named": len(named), "items": items}


def stretched(seconds: float, args: argparse.Namespace) -> float:
    """How long to run wrk when one request takes `seconds`: `--duration`, longer for a slow answer (up to
    `--max-duration`), so that the requests queued on every connection complete and are counted (wrk counts
    only completed requests: a short run of a slow route reports the few fast ones), as benchmarks.run does.

    Example:
        >>> args = argparse.Namespace(duration=3.0, max_duration=30.0, connections=8)
        >>> stretched(0.02, args), stretched(1.0, args), stretched(10.0, args)
        (3.0, 12.0, 30.0)
    """
    return min(max(args.duration, 1.5 * args.connections * seconds), max(args.duration, args.max_duration))


def _wrk(url: str, body: Path | None, accept: str, args: argparse.Namespace, pid: int,
         duration: float) -> wrk.Measure:
    try:
        return wrk.run(url, body=body, accept=accept, duration=duration, connections=args.connections,
                       threads=args.threads, timeout=args.timeout)
    finally:  # requests still queued must not run during the next measurement
        servers.wait_quiet(pid)


def _line(label: str, found: wrk.Measure) -> None:
    print(f"  {label:<34} {found.throughput:8.1f} req/s  p50 {found.p50_ms:8.2f} ms  p95 {found.p95_ms:8.2f} ms"
          + ("" if found.valid else f"  ERRORS {found.errors}"), file=sys.stderr, flush=True)


def trig_seconds(built: Built) -> float:
    """The TriG download of this build made afresh in this process (every triple put in its named graph, then
    serialised), as the first request for /downloads/graph.trig pays it; later ones are cached."""
    from graph import exports, partition

    partition.partition.cache_clear()
    exports.graph_file.cache_clear()
    started = time.perf_counter()
    exports.graph_file(built.ntriples, "trig")
    return time.perf_counter() - started


def measure_n(n: int, args: argparse.Namespace, chosen: list[Workload]) -> dict:
    """Synthesise, build and serve N departments; time the lookups and the catalog against Oxigraph."""
    from graph.departments import build_with
    from graph.synth import generate

    work = args.work_dir / f"n{n}"
    if work.exists():
        shutil.rmtree(work)
    folder, build_dir, logs = work / "departments", work / "build", work / "logs"
    generate(n, args.seed, folder)
    print(f"[N={n}] building …", file=sys.stderr, flush=True)
    started = time.perf_counter()
    built = build_with(folder)
    build_s = time.perf_counter() - started
    built.write(build_dir)
    graph = build_dir / "graph.nt"
    row: dict = {"departments": n, "seed": args.seed, "triples": int(built.manifest["triples"]),
                 "content_sha256": built.manifest.get("content_sha256"), "build_s": round(build_s, 2),
                 "named_graphs": len(built.manifest.get("named_graphs") or {}), "trig_s": round(trig_seconds(built), 3),
                 "lookups": {}, "checks": {}, "queries": [], "notes": []}
    print(f"[N={n}] built {row['triples']:,} triples in {build_s:.1f} s; starting the product …",
          file=sys.stderr, flush=True)
    body_dir = work / "queries"
    body_dir.mkdir(parents=True, exist_ok=True)
    with product(folder, build_dir, work / "state", logs) as served, httpx.Client(timeout=args.timeout) as client:
        row["start_s"] = round(served.ready_s, 2)
        row["processes"] = 1 + servers.child_count(served.pid)
        row["rss_start_bytes"] = tree_rss_bytes(served.pid)
        listed = client.get(served.base + "/api/departments")
        row["checks"]["departments"] = {"status": listed.status_code,
                                        "listed": len(listed.json()) if listed.status_code == 200 else None}
        card = client.get(served.base + "/api/card?" + urlencode({"q": QUESTION}))
        row["checks"]["card"] = {"status": card.status_code,
                                 "card": bool(card.status_code == 200 and card.json().get("card"))}
        for short, route in LOOKUPS.items():
            url = served.base + lookup_path(route)
            timings = []
            for _ in range(2):  # the first warms up; the second's time sets how long wrk runs
                first = time.perf_counter()
                answer = client.get(url)
                timings.append(time.perf_counter() - first)
            entry = summarise_answer(answer.status_code, answer.json() if answer.headers.get(
                "content-type", "").startswith(JSON_MEDIA) else {})
            entry["first_request_ms"] = round(timings[0] * 1000, 2)
            entry["second_request_ms"] = round(timings[1] * 1000, 2)
            entry["path"] = lookup_path(route)
            if answer.status_code == 200:
                duration = stretched(timings[1], args)
                if duration > args.duration:
                    entry["stretched_s"] = round(duration)
                found = _wrk(url, None, JSON_MEDIA, args, served.pid, duration)
                entry["measure"] = found.as_dict()
                _line(f"[N={n}] {route}", found)
            else:
                row["notes"].append(f"{route} answered {answer.status_code}: not timed")
            row["lookups"][short] = entry
        with servers.oxigraph(graph, logs) as reference:
            row["oxigraph_ready_s"] = round(reference.ready_s, 2)
            for workload in chosen:
                row["queries"].append(_catalog_query(client, served, reference, workload, args, body_dir, n))
        row["rss_end_bytes"] = tree_rss_bytes(served.pid)
    row["rss_mb"] = round(max(row["rss_start_bytes"], row["rss_end_bytes"]) / 2**20, 1)
    agreed = [q for q in row["queries"] if q["rows_agree"] and q.get("ratios")]
    row["catalog"] = {
        "queries": len(row["queries"]), "compared": len(agreed),
        "p50_ratio": wrk.geomean(q["ratios"]["p50"] for q in agreed),
        "throughput_ratio": wrk.geomean(q["ratios"]["throughput"] for q in agreed),
        "product_p50_ms": wrk.geomean(q["measures"][PRODUCT]["p50_ms"] for q in agreed),
        "oxigraph_p50_ms": wrk.geomean(q["measures"][OXIGRAPH]["p50_ms"] for q in agreed)}
    if len(agreed) < len(row["queries"]):
        left = [q["name"] for q in row["queries"] if q not in agreed]
        row["notes"].append(f"left out of the catalog means (rows differ, an error or no valid run): {', '.join(left)}")
    return row


def _catalog_query(client: httpx.Client, served: Server, reference: Server, workload: Workload,
                   args: argparse.Namespace, body_dir: Path, n: int) -> dict:
    body = body_dir / f"{workload.name}.rq"
    body.write_text(workload.sparql, encoding="utf-8")
    entry: dict = {"name": workload.name, "rows": {}, "measures": {}, "skipped": {}, "stretched_s": {}}
    for server in (served, reference):
        try:
            entry["rows"][server.name], seconds = precheck(client, server, workload, timeout=args.timeout)
        except (RuntimeError, httpx.HTTPError, ValueError) as exc:
            entry["skipped"][server.name] = f"pre-check failed: {exc}"
            continue
        duration = stretched(seconds, args)
        if duration > args.duration:
            entry["stretched_s"][server.name] = round(duration)
        found = _wrk(server.query_url, body, workload.accept, args, server.pid, duration)
        entry["measures"][server.name] = found.as_dict()
        _line(f"[N={n}] {workload.name} {server.name}", found)
    entry["rows_agree"] = len(entry["rows"]) == 2 and len(set(entry["rows"].values())) == 1
    if len(entry["measures"]) == 2:
        entry["ratios"] = wrk.ratios(_measure(entry["measures"][PRODUCT]), _measure(entry["measures"][OXIGRAPH]))
    return entry


def _fmt(value: float | None, pattern: str) -> str:
    return "–" if value is None else format(value, pattern)


def markdown(run: dict) -> str:
    """One row per N: departments, triples, build, start-up, memory, the lookups' figures, the catalog's ratios."""
    settings = run["settings"]
    lines = [f"Many departments (seed {settings['seed']}), wrk -c{settings['connections']} for "
             f"{settings['duration_s']:g} s per measurement (longer for a slow answer, up to "
             f"{settings.get('max_duration_s', 30):g} s); the product on the memory store with its default workers "
             f"and no answer cache; catalog ratios are product ÷ `oxigraph serve` (geometric mean over the catalog, "
             f"below 1 for p50 and above 1 for throughput favour the product). Machine: {run['machine']['cpus']} cores, "
             f"load average {run['machine']['loadavg_start']} at start, {run['machine']['loadavg_end']} at end.", "",
             "| departments | triples | build s | start s | RSS MB | lookup p50 ms | lookup req/s | workup p50 ms "
             "| catalog p50 ratio | catalog throughput ratio | catalog p50 ms (product / oxigraph) "
             "| named graphs | TriG export s |",
             "|" + " ---: |" * 13]
    for row in run["rows"]:
        procedures = row["lookups"].get("procedures", {}).get("measure") or {}
        workup = row["lookups"].get("workup", {}).get("measure") or {}
        catalog = row["catalog"]
        lines.append(
            f"| {row['departments']} | {row['triples']:,} | {row['build_s']:.1f} | {row['start_s']:.1f} | "
            f"{row['rss_mb']:,.0f} | {_fmt(procedures.get('p50_ms'), '.2f')} | {_fmt(procedures.get('throughput'), ',.0f')} "
            f"| {_fmt(workup.get('p50_ms'), '.2f')} | {_fmt(catalog['p50_ratio'], '.2f')} "
            f"| {_fmt(catalog['throughput_ratio'], '.2f')} "
            f"| {_fmt(catalog['product_p50_ms'], '.2f')} / {_fmt(catalog['oxigraph_p50_ms'], '.2f')} "
            f"| {row.get('named_graphs', '–')} | {_fmt(row.get('trig_s'), '.2f')} |")
    notes = [f"N={row['departments']}: {note}" for row in run["rows"] for note in row["notes"]]
    notes += [f"N={row['departments']}: wrk ran {lookup['stretched_s']} s on {lookup['path']} (one request took "
              f"{lookup['second_request_ms']:,.0f} ms)" for row in run["rows"] for lookup in row["lookups"].values()
              if lookup.get("stretched_s")]
    watched = [f"N={row['departments']}: {len(row['lookups'].get('procedures', {}).get('items', {}).get(WATCHED, []))}"
               for row in run["rows"]]
    lines += ["", f"Departments named by the lookup's item \"{WATCHED}\": {'; '.join(watched)}."]
    if notes:
        lines += ["", *(f"- {note}" for note in notes)]
    return "\n".join(lines)


def _lookup_p50(row: dict, short: str) -> float:
    found = (row["lookups"].get(short, {}).get("measure") or {}).get("p50_ms")
    return float("nan") if found is None else float(found)


def plot(run: dict, target: Path) -> bool:
    """The growth curves as a PNG: lookup p50 and catalog p50 (with Oxigraph's) against N, and RSS against N.
    False (and a printed message) when matplotlib is not importable."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib is not installed: no PNG (pip install -e '.[bench]' adds it)", file=sys.stderr)
        return False
    rows = run["rows"]
    ns = [row["departments"] for row in rows]

    def series(pick: Callable[[dict], float | None]) -> list[float]:
        return [float("nan") if value is None else float(value) for value in map(pick, rows)]

    figure, (latency, memory) = plt.subplots(1, 2, figsize=(11, 4.2))
    for label, short in (("procedures-for-condition p50", "procedures"), ("workup-for-condition p50", "workup")):
        latency.plot(ns, [_lookup_p50(row, short) for row in rows], marker="o", label=label)
    latency.plot(ns, series(lambda r: r["catalog"]["product_p50_ms"]), marker="s", label="catalog p50, product (geomean)")
    latency.plot(ns, series(lambda r: r["catalog"]["oxigraph_p50_ms"]), marker="s", linestyle="--",
                 label="catalog p50, oxigraph serve (geomean)")
    latency.set_xlabel("departments")
    latency.set_ylabel("p50 latency (ms)")
    latency.set_title(f"Latency, wrk -c{run['settings']['connections']}")
    latency.legend(fontsize=8)
    memory.plot(ns, series(lambda r: r["rss_mb"]), marker="o", color="tab:red", label="product RSS (process tree)")
    memory.set_xlabel("departments")
    memory.set_ylabel("resident memory (MB)")
    memory.set_title("Memory")
    memory.legend(fontsize=8)
    for axis in (latency, memory):
        axis.grid(alpha=0.3)
        axis.set_xticks(ns)
    figure.tight_layout()
    figure.savefig(target, dpi=110)
    plt.close(figure)
    return True


def _versions() -> dict[str, str]:
    from importlib.metadata import version

    probe = subprocess.run(["wrk", "--version"], capture_output=True, text=True, check=False)
    said = (probe.stdout or probe.stderr).splitlines()
    return {"oxigraph": version("oxigraph"), "pyoxigraph": version("pyoxigraph"), "python": sys.version.split()[0],
            "wrk": said[0].split(" [")[0] if said else "?"}


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """The command line of `python -m benchmarks.departments`."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.departments", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--departments", default="1,10,30", help="comma-separated N (default 1,10,30)")
    parser.add_argument("--seed", type=int, default=SEED, help=f"the synthetic seed (default {SEED})")
    parser.add_argument("--duration", type=float, default=3.0, help="seconds of wrk per measurement (default 3)")
    parser.add_argument("--max-duration", type=float, default=30.0,
                        help="longest wrk run for a slow answer, stretched so its queued requests complete (default 30)")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds before a request counts as timed out")
    parser.add_argument("--queries", default="", help="comma-separated catalog query names (default: the catalog)")
    parser.add_argument("--work-dir", type=Path, default=None,
                        help="departments, builds and logs (default: a temporary folder, removed afterwards)")
    parser.add_argument("--out", type=Path, default=None,
                        help="the JSON results (default benchmarks/results/departments-DATE.json; .md and .png beside)")
    parser.add_argument("--no-png", dest="png", action="store_false", help="do not draw the PNG")
    args = parser.parse_args(argv)
    try:
        args.departments = [int(part) for part in args.departments.split(",") if part.strip()]
    except ValueError:
        parser.error("--departments takes comma-separated whole numbers")
    if not args.departments or min(args.departments) < 1:
        parser.error("--departments takes numbers of at least 1")
    args.queries = [q.strip() for q in args.queries.split(",") if q.strip()]
    return args


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; write the JSON, the Markdown and (with matplotlib) the PNG."""
    args = parse_args(argv)
    started = datetime.now(UTC)
    out = args.out or ROOT / "benchmarks" / "results" / f"departments-{started:%Y-%m-%d}.json"
    chosen = [w for w in workloads(set(args.queries) or None) if w.origin == "catalog"]
    run: dict = {"started": started.isoformat(timespec="seconds"),
                 "command": "python -m benchmarks.departments " + " ".join(sys.argv[1:] if argv is None else argv),
                 "machine": {"cpus": os.cpu_count(), "loadavg_start": _loadavg(), "versions": _versions(),
                             "note": "wrk, the product, oxigraph serve and whatever else runs share the cores: "
                                     "ratios measured back to back are what to read, not absolute figures."},
                 "settings": {"seed": args.seed, "duration_s": args.duration, "max_duration_s": args.max_duration,
                              "connections": args.connections,
                              "threads": args.threads, "store": "memory", "cache_bytes": 0,
                              "workers": "default", "question": QUESTION,
                              "method": "lookups: GET; catalog: POST application/sparql-query to both servers"},
                 "rows": []}
    with _work_dir(args.work_dir) as work:
        args.work_dir = work
        for n in args.departments:
            run["rows"].append(measure_n(n, args, chosen))
    run["machine"]["loadavg_end"] = _loadavg()
    run["finished"] = datetime.now(UTC).isoformat(timespec="seconds")
    out.parent.mkdir(parents=True, exist_ok=True)
    text = markdown(run)
    png = out.with_suffix(".png")
    if args.png and plot(run, png):
        run["png"] = png.name
        text += f"\n\n![growth curves]({png.name})"
    out.write_text(json.dumps(run, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    out.with_suffix(".md").write_text(text + "\n", encoding="utf-8")
    print(text)
    return 0


def _loadavg() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


@contextmanager
def _work_dir(given: Path | None) -> Iterator[Path]:
    if given is not None:
        given.mkdir(parents=True, exist_ok=True)
        yield given
        return
    with tempfile.TemporaryDirectory(prefix="tkg-bench-departments-") as scratch:
        yield Path(scratch)


if __name__ == "__main__":
    sys.exit(main())
