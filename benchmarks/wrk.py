"""Run `wrk` with `sparql.lua`, read the figures its done() prints, and the ratio arithmetic.

`wrk` is the Debian package (/usr/bin/wrk). Latencies come back in microseconds and are kept in
milliseconds; throughput is completed requests per second of the run.
"""

from __future__ import annotations

import math
import re
import shutil
import subprocess
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path

SCRIPT = Path(__file__).resolve().parent / "sparql.lua"
_LINE = re.compile(r"^wrk-result (.*)$", re.MULTILINE)
_PAIR = re.compile(r"(\w+)=([0-9.]+)")
ERROR_KEYS = ("connect_errors", "read_errors", "write_errors", "status_errors", "timeouts")


class WrkFailed(RuntimeError):
    """wrk did not run, or printed no result line."""


@dataclass(frozen=True)
class Measure:
    """What one wrk run measured against one server for one query."""

    requests: int
    duration_s: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    mean_ms: float
    max_ms: float
    bytes: int
    errors: dict[str, int]

    @property
    def throughput(self) -> float:
        """Completed requests per second."""
        return self.requests / self.duration_s if self.duration_s else 0.0

    @property
    def error_count(self) -> int:
        return sum(self.errors.values())

    @property
    def valid(self) -> bool:
        """At least one request completed and none failed (wrong status, timeout, socket error)."""
        return self.requests > 0 and self.error_count == 0

    def as_dict(self) -> dict:
        return {**asdict(self), "throughput": self.throughput, "valid": self.valid}


def parse(output: str) -> Measure:
    """The figures of wrk's output (the line `sparql.lua`'s done() prints).

    Example:
        >>> m = parse("wrk-result requests=50 duration_us=5000000 bytes=900 p50_us=1500 p95_us=3000 "
        ...           "p99_us=3100 mean_us=1600.5 max_us=4000 connect_errors=0 read_errors=0 "
        ...           "write_errors=0 status_errors=0 timeouts=0")
        >>> (m.throughput, m.p50_ms, m.valid)
        (10.0, 1.5, True)
    """
    found = _LINE.findall(output)
    if not found:
        raise WrkFailed("wrk printed no `wrk-result` line: " + output.strip()[-500:])
    values = {key: float(value) for key, value in _PAIR.findall(found[-1])}
    try:
        return Measure(
            requests=int(values["requests"]), duration_s=values["duration_us"] / 1e6,
            p50_ms=values["p50_us"] / 1e3, p95_ms=values["p95_us"] / 1e3, p99_ms=values["p99_us"] / 1e3,
            mean_ms=values["mean_us"] / 1e3, max_ms=values["max_us"] / 1e3, bytes=int(values["bytes"]),
            errors={key: int(values[key]) for key in ERROR_KEYS})
    except KeyError as exc:
        raise WrkFailed(f"wrk's result line lacks {exc}: {found[-1]}") from None


def run(url: str, *, body: Path | None, accept: str, duration: float, connections: int = 8, threads: int = 2,
        timeout: float = 60.0) -> Measure:
    """Load `url` for `duration` seconds with `connections` open connections: POST `body` as
    application/sparql-query, or GET `url` as it is when `body` is None."""
    binary = shutil.which("wrk")
    if binary is None:
        raise WrkFailed("wrk is not installed (Debian package `wrk`)")
    command = [binary, f"-t{min(threads, connections)}", f"-c{connections}", f"-d{max(1, round(duration))}s",
               f"--timeout={max(1, round(timeout))}s", "-s", str(SCRIPT), url, "--", str(body or "-"), accept]
    done = subprocess.run(command, capture_output=True, text=True, timeout=duration + timeout + 60, check=False)
    if done.returncode != 0:
        raise WrkFailed(f"wrk exited with {done.returncode}: {done.stderr.strip()[-500:]}")
    return parse(done.stdout)


def geomean(values: Iterable[float]) -> float | None:
    """The geometric mean of positive values (None if there are none).

    Example:
        >>> geomean([2.0, 8.0])
        4.0
    """
    kept = [value for value in values if value > 0 and math.isfinite(value)]
    if not kept:
        return None
    return math.exp(sum(math.log(value) for value in kept) / len(kept))


def ratios(product: Measure, other: Measure) -> dict[str, float] | None:
    """Product over other: throughput (above 1 means the product serves more), p50 and p95 latency
    (below 1 means the product answers sooner). None unless both runs are valid.

    Example:
        >>> fast = parse("wrk-result requests=100 duration_us=1000000 bytes=1 p50_us=2000 p95_us=4000 p99_us=1 "
        ...              "mean_us=1 max_us=1 connect_errors=0 read_errors=0 write_errors=0 status_errors=0 timeouts=0")
        >>> slow = parse("wrk-result requests=10 duration_us=1000000 bytes=1 p50_us=20000 p95_us=80000 p99_us=1 "
        ...              "mean_us=1 max_us=1 connect_errors=0 read_errors=0 write_errors=0 status_errors=0 timeouts=0")
        >>> ratios(fast, slow)
        {'throughput': 10.0, 'p50': 0.1, 'p95': 0.05}
    """
    if not (product.valid and other.valid):
        return None
    return {"throughput": product.throughput / other.throughput, "p50": product.p50_ms / other.p50_ms,
            "p95": product.p95_ms / other.p95_ms}
