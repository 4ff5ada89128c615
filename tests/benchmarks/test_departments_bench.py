"""The many-departments benchmark, short: two synthetic departments, 1 s per measurement, two catalog queries.

One run of `benchmarks.departments` (about 30 s: the build, the product's start, Oxigraph's, six wrk runs of 1 to 4 s),
then what a reader of its results relies on: one row per N, every lookup answered 200 with results, the radical
surgery item naming the center and the synthetic departments, positive memory and latency figures, the Markdown
table written. No timing thresholds: the machine is shared. matplotlib is not needed (the PNG step is off here, and
its absence is said). The bench's own lookup carries the radical surgery item's departments, so restarting the
product on that build to ask again (26 s of CI) is left out.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest

from benchmarks import departments as bench

pytestmark = pytest.mark.integration

QUERIES = "departments_for_procedure,center_services"


@pytest.fixture(scope="module")
def short_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, Path]:
    if shutil.which("wrk") is None:  # fails, never skips, as the Virtuoso tests do
        pytest.fail("wrk is not installed: make test (scripts/system-packages.sh --servers) installs Debian's wrk")
    work = tmp_path_factory.mktemp("departments-bench")
    out = work / "results" / "departments-test.json"
    assert bench.main(["--departments", "2", "--duration", "1", "--max-duration", "4", "--queries", QUERIES,
                       "--no-png", "--work-dir", str(work / "work"), "--out", str(out)]) == 0
    return json.loads(out.read_text(encoding="utf-8")), out


@pytest.mark.timeout(150)
def test_the_results_have_one_row_per_n_with_answered_lookups_and_positive_figures(
        short_run: tuple[dict, Path]) -> None:
    run, _ = short_run
    assert [row["departments"] for row in run["rows"]] == [2]
    row = run["rows"][0]
    assert row["triples"] > 0 and row["build_s"] > 0 and row["start_s"] > 0
    assert row["trig_s"] > 0 and row["named_graphs"] >= 5  # the ontology, ICD-10, the center and one per department
    assert row["rss_mb"] > 0 and row["rss_start_bytes"] > 0 and row["rss_end_bytes"] > 0
    assert row["checks"]["departments"] == {"status": 200, "listed": 3}  # the center and the two synthetic ones
    assert row["checks"]["card"]["status"] == 200
    assert set(row["lookups"]) == {"procedures", "workup"}
    for name, lookup in row["lookups"].items():
        assert lookup["status"] == 200 and lookup["results"] > 0, (name, lookup)
        measure = lookup["measure"]
        assert measure["valid"] and measure["requests"] > 0, (name, measure)  # every timed request answered 2xx
        assert measure["p50_ms"] > 0 and measure["p95_ms"] >= measure["p50_ms"]
    assert len(row["lookups"]["procedures"]["items"][bench.WATCHED]) >= 2
    assert {q["name"] for q in row["queries"]} == set(QUERIES.split(","))
    for query in row["queries"]:
        assert query["rows_agree"], query
        assert query["measures"]["product"]["valid"] and query["measures"]["oxigraph"]["valid"], query
    catalog = row["catalog"]
    assert catalog["compared"] == 2
    assert catalog["p50_ratio"] > 0 and catalog["throughput_ratio"] > 0 and catalog["oxigraph_p50_ms"] > 0


def test_the_markdown_table_is_written_beside_the_results(short_run: tuple[dict, Path]) -> None:
    run, out = short_run
    table = out.with_suffix(".md").read_text(encoding="utf-8")
    assert "| departments | triples | build s | start s | RSS MB | lookup p50 ms | lookup req/s |" in table
    assert "catalog p50 ratio | catalog throughput ratio" in table and "| named graphs | TriG export s |" in table
    rows = [line for line in table.splitlines() if line.startswith("| 2 |")]
    assert len(rows) == 1 and f"{run['rows'][0]['triples']:,}" in rows[0]
    assert "png" not in run and not out.with_suffix(".png").exists()


def test_the_png_step_says_why_it_is_skipped_without_matplotlib(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import matplotlib now raises ImportError
    assert bench.plot({"rows": [], "settings": {"connections": 8}}, tmp_path / "curves.png") is False
    assert "matplotlib is not installed" in capsys.readouterr().err
    assert not (tmp_path / "curves.png").exists()
