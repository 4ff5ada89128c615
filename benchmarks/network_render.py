"""Render time of the network views, as ratios to a baseline measured in the same run.

For the center's graph and a synthetic 5,000-node graph it times, each as the median of several runs:

- baseline: projecting the graph's N-Triples into networkx (`graph.network.projection.from_ntriples`);
- render: the capped view, pyvis's drawing data and the standalone HTML page (`api.routes.network.page_html`);
- browser (with --browser): headless Chromium opening that standalone file until vis-network's physics has
  stabilised and stopped.

Ratios against the baseline make runs on different machines comparable. Re-run with:

    .venv/bin/python -m benchmarks.network_render [--browser] [--repeat 5] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from api.routes.network import page_html
from graph.build import build
from graph.network.projection import ProjectionOptions, from_ntriples
from graph.network.synthetic import synthetic_ntriples
from graph.network.views import DEFAULT_MAX_NODES, whole


def _median_seconds(work: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = work()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def _browser_seconds(html: Path, repeat: int) -> float | None:
    """Median seconds from opening the file to the layout having stabilised, in headless Chromium."""
    chromium = shutil.which("chromium")
    if chromium is None:
        return None
    from playwright.sync_api import sync_playwright

    times = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, headless=True,
                                             args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        try:
            for _ in range(repeat):
                page = browser.new_page(viewport={"width": 1280, "height": 900})
                started = time.perf_counter()
                page.goto(html.as_uri())
                while page.evaluate("document.getElementById('network').dataset.stabilized") != "true":
                    time.sleep(0.02)
                times.append(time.perf_counter() - started)
                page.close()
        finally:
            browser.close()
    return statistics.median(times)


def measure(name: str, ntriples: bytes, *, repeat: int, browser: bool, folder: Path) -> dict[str, Any]:
    """One graph's timings and ratios."""
    baseline, network = _median_seconds(lambda: from_ntriples(ntriples), repeat)
    options = ProjectionOptions()

    def render() -> str:
        return page_html(whole(network, max_nodes=DEFAULT_MAX_NODES), options, standalone=True)

    render_seconds, html = _median_seconds(render, repeat)
    view = whole(network, max_nodes=DEFAULT_MAX_NODES)
    row: dict[str, Any] = {
        "graph": name, "triples": ntriples.count(b"\n"), "nodes": network.number_of_nodes(),
        "edges": network.number_of_edges(), "drawn_nodes": view.network.number_of_nodes(),
        "drawn_edges": view.network.number_of_edges(), "capped": view.capped, "html_bytes": len(html.encode()),
        "baseline_projection_s": round(baseline, 4), "render_s": round(render_seconds, 4),
        "render_ratio": round(render_seconds / baseline, 3),
    }
    if browser:
        path = folder / f"{name}.html"
        path.write_text(html, encoding="utf-8")
        seconds = _browser_seconds(path, max(1, repeat // 2))
        if seconds is not None:
            row.update(browser_s=round(seconds, 3), browser_ratio=round(seconds / baseline, 3))
    return row


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="runs per measurement (the median is kept)")
    parser.add_argument("--size", type=int, default=5000, help="nodes of the synthetic graph")
    parser.add_argument("--browser", action="store_true", help="also time headless Chromium until the layout settles")
    parser.add_argument("--json", type=Path, help="also write the rows as JSON here")
    args = parser.parse_args(argv)
    graphs = {"center": build().ntriples, f"synthetic-{args.size}": synthetic_ntriples(args.size)}
    with tempfile.TemporaryDirectory() as folder:
        rows = [measure(name, data, repeat=args.repeat, browser=args.browser, folder=Path(folder))
                for name, data in graphs.items()]
    header = f"{'graph':<16}{'nodes':>7}{'drawn':>7}{'projection s':>14}{'render s':>10}{'× base':>8}"
    header += f"{'browser s':>11}{'× base':>8}" if args.browser else ""
    print(header)
    for row in rows:
        line = (f"{row['graph']:<16}{row['nodes']:>7}{row['drawn_nodes']:>7}{row['baseline_projection_s']:>14.3f}"
                f"{row['render_s']:>10.3f}{row['render_ratio']:>8.2f}")
        if "browser_s" in row:
            line += f"{row['browser_s']:>11.2f}{row['browser_ratio']:>8.2f}"
        print(line)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
