"""The soak benchmark, short: reads alone, reads while an update and a rollback are committed, and its checks.

One run of `benchmarks.soak` (about 40 s: the product's start, 2 s of reads alone, two writes of 4 to 10 s each
under 2 readers, ended by the count bound rather than the time bound, the checks and a rebuild of the head); then
the checks themselves, fed answers they must refuse.
"""

from __future__ import annotations

import pytest

from benchmarks.soak import AMBIGUOUS, INFERRED, Sample, check_one_version, markdown, parse_args, reads, soak


@pytest.fixture(scope="module")
def short_run(tmp_path_factory: pytest.TempPathFactory) -> dict:
    work = tmp_path_factory.mktemp("soak")
    return soak(parse_args(["--seconds", "40", "--baseline", "2", "--readers", "2", "--max-writes", "2",
                            "--rollback-every", "2", "--timeout", "20", "--work-dir", str(work)]))


@pytest.mark.integration
@pytest.mark.timeout(120)
def test_a_short_soak_has_no_server_error_and_every_check_holds(short_run: dict) -> None:
    result = short_run
    assert result["totals"]["errors"] == 0, (result["phases"]["alone"]["error_samples"],
                                             result["phases"]["writes"]["error_samples"])
    assert result["totals"]["client_errors"] == 0
    writes = result["writes"]
    assert (writes["committed"], writes["updates"], writes["rollbacks"]) == (2, 1, 1), writes["log"]
    for name, check in result["checks"].items():
        assert check["ok"], (name, check)
    one = result["checks"]["one_version"]
    assert one["probes"] >= 5 and one["versions_seen"] >= 2, one  # probes saw the build and the update at least
    assert result["checks"]["replay"]["ledger_head"] == 3 == result["checks"]["served_equals_head"]["head"]
    assert result["phases"]["alone"]["reads"] > 0 and result["phases"]["writes"]["reads"] > 0
    assert result["ok"]
    assert "| reads during writes |" in markdown(result)


def _probe(at: float, statuses: tuple[str, ...], version: int | None, reader: int = 0) -> Sample:
    return Sample("probe", "sparql_probe", "writes", at, 0.01, 200, probe=(statuses, version), reader=reader)


VERSIONS = {1: AMBIGUOUS, 2: INFERRED, 3: AMBIGUOUS}


def test_the_version_check_passes_probes_that_each_saw_one_version() -> None:
    samples = [_probe(0.1, (AMBIGUOUS,), 1), _probe(0.2, (INFERRED,), 2), _probe(0.3, (AMBIGUOUS,), 3, reader=1)]
    assert check_one_version(samples, VERSIONS)["ok"]


@pytest.mark.parametrize("bad", [
    _probe(0.5, (AMBIGUOUS, INFERRED), 2),  # both statuses at once
    _probe(0.5, (), 2),                     # none
    _probe(0.5, (AMBIGUOUS,), 2),           # the status of another version than the one it saw
    _probe(0.5, (INFERRED,), None),         # no version count
    _probe(0.5, (INFERRED,), 9),            # a version the ledger does not have
    _probe(0.5, (AMBIGUOUS,), 1),           # reader 0 saw version 2 before: versions went back
], ids=["both", "none", "wrong-status", "no-version", "unknown-version", "went-back"])
def test_the_version_check_refuses_a_probe_that_mixed_versions_or_went_back(bad: Sample) -> None:
    found = check_one_version([_probe(0.1, (AMBIGUOUS,), 1), _probe(0.2, (INFERRED,), 2), bad], VERSIONS)
    assert not found["ok"] and found["bad_count"] >= 1


def test_no_probe_is_no_pass() -> None:
    assert not check_one_version([], VERSIONS)["ok"]


def test_the_read_mix_has_every_catalog_query_the_lookups_and_probes() -> None:
    mix = reads()
    kinds = [r.kind for r in mix]
    assert kinds.count("probe") == 3 and kinds.count("lookup") >= 4 and kinds.count("catalog") >= 10
    assert all(r.path.startswith("/") and "//" not in r.path for r in mix)  # paths on the server under test only
