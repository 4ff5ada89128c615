"""The memory benchmark's table and arguments (its measurement starts four servers on 3 million triples: it is run by
hand, `python -m benchmarks.memory`, and its results are kept in benchmarks/results/)."""

from __future__ import annotations

import pytest

from benchmarks.memory import markdown, parse_args

ROW = {"copies": 1000, "triples": 3_000_000, "oxigraph": {"ready_s": 30.0, "rss_mb": 1500, "catalog": {"p50_ms": 900.0}},
       "backends": {"memory": {"ready_s": 60.0, "processes": 8, "rss_ready_mb": 6000, "rss_end_mb": 6100,
                               "lookup": {"first_ms": 900.0, "p50_ms": 7.5, "results": 0, "candidates": 50},
                               "catalog": {"p50_ms": 950.0}},
                    "remote": {"ready_s": 5.0, "processes": 4, "rss_ready_mb": 360, "rss_end_mb": 370,
                               "server_rss_mb": 1600, "lookup": {"first_ms": 2000.0, "p50_ms": None,
                                                                 "error": "ReadTimeout: timed out"},
                               "catalog": {"p50_ms": 990.0}}}}


def test_the_table_says_what_each_backend_held_answered_and_what_stopped_a_measurement() -> None:
    table = markdown({"rows": [ROW]}).splitlines()
    assert table[0].startswith("| copies | triples | backend | ready s |")
    memory, remote = table[2], table[3]
    assert memory.startswith("| 1,000 | 3,000,000 | memory |") and "| 6,000 | 6,100 | 900.0 |" in memory
    assert "| 7.5 (50 candidates) |" in memory  # a lookup that answered candidates, not results, says so
    assert "| 370 (+ server 1,600) |" in remote and "| – (ReadTimeout: timed out) |" in remote
    assert remote.endswith("| 1,500, 900.0 |")


def test_the_arguments_are_read_and_an_unknown_backend_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    args = parse_args(["--copies", "1,100", "--backends", "disk", "-o", "out.json"])
    assert (args.copies, args.backends) == ([1, 100], ["disk"])
    with pytest.raises(SystemExit):
        parse_args(["--backends", "memory,tape", "-o", "out.json"])
    assert "unknown backends: tape" in capsys.readouterr().err
