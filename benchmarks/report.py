"""Summaries of a benchmark run: geometric means of the ratios, the issue's targets, a Markdown report.

Works on the plain dictionaries `benchmarks.run` writes to `latest.json`, so a report can be
rebuilt from a saved run: `python -m benchmarks.report benchmarks/results/latest.json`.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from benchmarks.servers import OXIGRAPH, PRODUCT, RDFLIB
from benchmarks.workload import TINY
from benchmarks.wrk import geomean

NAMED = "product-named"
OTHERS = (OXIGRAPH, RDFLIB)


def summarise(graph: dict) -> dict[str, dict]:
    """Per other server: geometric means over the queries of the product/other ratios, over the
    queries where both runs are valid and the servers agree on the number of rows."""
    summary = {}
    for other in OTHERS:
        kept = [q["ratios"][other] for q in graph["queries"]
                if q["ratios"].get(other) and q["rows"].get(PRODUCT) == q["rows"].get(other)]
        summary[other] = {"queries": len(kept), "of": len(graph["queries"]),
                          **{key: geomean(r[key] for r in kept) for key in ("throughput", "p50", "p95")}}
    return summary


def targets(graphs: list[dict]) -> list[dict]:
    """The issue's targets, checked on the graphs of this run (a graph not measured gives no verdict)."""
    by_name = {graph["name"]: graph for graph in graphs}
    checks = [("center", RDFLIB, "throughput", ">=", 10.0, "center graph: throughput ≥ 10× rdflib-endpoint"),
              ("large", OXIGRAPH, "p50", "<=", 1.5, "larger graph: p50 within 1.5× of oxigraph server"),
              ("large", OXIGRAPH, "throughput", ">=", 0.5, "larger graph: throughput ≥ 0.5× oxigraph server")]
    found = []
    for graph_name, other, key, op, bound, text in checks:
        value = by_name[graph_name]["geomean"][other][key] if graph_name in by_name else None
        met = None if value is None else (value >= bound if op == ">=" else value <= bound)
        found.append({"target": text, "graph": graph_name, "versus": other, "figure": key, "value": value,
                      "bound": f"{op} {bound}", "met": met})
    return found


def tiny(graphs: list[dict]) -> dict:
    """The tiny query's product/oxigraph figures beside the product's HTTP floor, in words and numbers."""
    parts, figures = [], {}
    for graph in graphs:
        query = next((q for q in graph["queries"] if q["name"] == TINY), None)
        if query is None:
            continue
        product, oxigraph = query["measures"].get(PRODUCT), query["measures"].get(OXIGRAPH)
        floor = graph.get("http_floor")
        ratio = query["ratios"].get(OXIGRAPH)
        figures[graph["name"]] = {"ratios": ratio, "floor_throughput": floor and floor["throughput"]}
        if not (product and oxigraph and ratio):
            continue
        text = (f"{graph['name']} graph: the product {product['throughput']:.0f} req/s against oxigraph's "
                f"{oxigraph['throughput']:.0f} (throughput {_ratio(ratio['throughput'])}, p50 {_ratio(ratio['p50'])})")
        if floor:
            text += (f"; the product's HTTP layer alone (`GET /api/prefixes`, no query) serves {floor['throughput']:.0f} "
                     f"req/s, so the query itself costs the product {product['throughput'] / floor['throughput']:.0%} "
                     "of that ceiling")
        parts.append(text + ".")
    words = (f"`{TINY}` asks for the two labels of one entity: the engine's work is negligible. " + " ".join(parts)
             + " What bounds the product here is its Python HTTP layer (uvicorn, FastAPI routing and middleware, "
             "and the hand-off to a query worker process), not the engine: oxigraph's server is Rust end to end.")
    return {"query": TINY, "text": words, "figures": figures}


def _num(value: float | None, digits: int = 1) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def _ratio(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}×"


def _cell(measure: dict | None, skipped: str | None, stretched: int | None = None) -> str:
    if measure is None:
        return "skipped¹" if skipped else "—"
    rate = f"{measure['throughput']:.0f}" if measure["throughput"] >= 10 else f"{measure['throughput']:.2g}"
    figures = f"{rate} ({_num(measure['p50_ms'])} / {_num(measure['p95_ms'])})" + (f" ²{stretched} s" if stretched else "")
    if not measure["valid"]:
        return f"{figures} ⚠ {sum(measure['errors'].values())} errors" if measure["requests"] else "no answer in time"
    return figures


def markdown(run: dict) -> str:
    """The run as Markdown: settings, one table per graph, the geometric means, the targets."""
    s = run["settings"]
    lines = [f"# Benchmark: {run['started']}", "",
             f"wrk {s['threads']} threads, {s['connections']} connections, {s['duration_s']:g} s per query and server; "
             f"the product with `TKG_QUERY_TIMEOUT={s['query_timeout_s']:g}`, `TKG_HTTP_WORKERS={s.get('http_workers', 1)}` "
             f"and `TKG_WORKERS={s['workers']}`. "
             f"Machine: {run['machine']['cpus']} CPUs, load average {run['machine']['loadavg_start'][0]:.2f} at "
             f"the start and {run['machine']['loadavg_end'][0]:.2f} at the end. {run['machine']['note']}", "",
             "Cells: requests per second (p50 / p95 latency in ms). Every server gets the same SPARQL text (a catalog "
             "query's example values inlined as a VALUES block); `product /queries/…` is the product's named-query "
             "route with the same values bound as parameters, shown for comparison and left out of the ratios. "
             "Ratios: product ÷ other server (throughput above 1 and latency below 1 favour the product). "
             "\"no answer in time\": not one request completed during the run.", ""]
    for graph in run["graphs"]:
        lines += [f"## {graph['title']}: {graph['triples']:,} triples", ""]
        for note in graph["notes"]:
            lines.append(f"- {note}")
        if graph["notes"]:
            lines.append("")
        named = any(q["measures"].get(NAMED) for q in graph["queries"])
        head = ["query", "rows", PRODUCT, OXIGRAPH, RDFLIB] + ([f"{PRODUCT} `/queries/…`"] if named else [])
        head += ["thr ×oxigraph", "p50 ×oxigraph", "thr ×rdflib", "p50 ×rdflib"]
        lines += ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        for q in graph["queries"]:
            rows = q["rows"].get(PRODUCT, "?")
            rows_text = f"{rows}" if q["rows_agree"] else "⚠ " + ", ".join(f"{k} {v}" for k, v in q["rows"].items())
            cells = [f"`{q['name']}`", rows_text]
            cells += [_cell(q["measures"].get(name), q["skipped"].get(name), q.get("stretched_s", {}).get(name))
                      for name in ((PRODUCT, OXIGRAPH, RDFLIB, NAMED) if named else (PRODUCT, OXIGRAPH, RDFLIB))]
            for other in OTHERS:
                ratio = q["ratios"].get(other) or {}
                cells += [_ratio(ratio.get("throughput")), _ratio(ratio.get("p50"))]
            lines.append("| " + " | ".join(cells) + " |")
        geo = graph["geomean"]
        cells = ["**geometric mean**", "", "", "", ""] + ([""] if named else [])
        for other in OTHERS:
            cells += [f"**{_ratio(geo[other]['throughput'])}**", f"**{_ratio(geo[other]['p50'])}**"]
        lines += ["| " + " | ".join(cells) + " |", ""]
        skipped = [f"`{q['name']}` on {name}: {reason}" for q in graph["queries"] for name, reason in q["skipped"].items()]
        if skipped:
            lines += ["¹ Skipped: " + "; ".join(skipped) + ".", ""]
        if any(q.get("stretched_s") for q in graph["queries"]):
            lines += ["² A slow server's run was stretched to this many seconds so that the requests queued on its "
                      "connections complete.", ""]
        lines.append(f"Geometric means over {geo[OXIGRAPH]['queries']} of {geo[OXIGRAPH]['of']} queries against "
                     f"oxigraph and {geo[RDFLIB]['queries']} of {geo[RDFLIB]['of']} against rdflib-endpoint; "
                     f"p95 ×oxigraph {_ratio(geo[OXIGRAPH]['p95'])}, p95 ×rdflib {_ratio(geo[RDFLIB]['p95'])}.")
        floor = graph.get("http_floor")
        if floor:
            lines.append(f"HTTP floor: the product's `GET /api/prefixes` (no query at all) serves "
                         f"{floor['throughput']:.0f} requests/s (p50 {_num(floor['p50_ms'], 2)} ms).")
        lines.append("")
    lines += ["## Targets (geometric means)", "", "| target | figure | met |", "|---|---|---|"]
    for t in run["targets"]:
        verdict = "not measured" if t["met"] is None else ("yes" if t["met"] else "**no**")
        lines.append(f"| {t['target']} | {_ratio(t['value'])} | {verdict} |")
    lines += ["", "## Tiny query", "", run["tiny"]["text"], ""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Print the Markdown report of a saved run."""
    args = sys.argv[1:] if argv is None else argv
    path = Path(args[0] if args else "benchmarks/results/latest.json")
    print(markdown(json.loads(path.read_text(encoding="utf-8"))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
