"""Soak: reads alone, then the same reads while staff changes are committed back to back, and checks at the end.

The product starts on a free loopback port on a private copy of the build (build/graph.nt and manifest.json,
so it does not rebuild) with its own state directory and an update token. Then, in one run:

1. *alone*: N reader threads (httpx, one keep-alive client each) cycle through the catalog's named queries with
   their header's example values (`/queries/{name}?…`), the referral lookups (`/api/lookup/…?q=lung cancer`, …)
   and a probe on `/sparql` (the status of one claim, and how many versions the store holds), for a bounded time;
2. *writes*: the same reads while one writer commits changes back to back: the claim (ttc:Center kg:hasEquipment
   ttc:DaVinciSurgicalSystem) toggled between kg:Ambiguous and kg:Inferred by `POST /update`, and every few
   changes a `POST /api/versions/{id}/rollback` to an earlier version of the other status; bounded by time and by
   a count of writes.

Every request has a timeout, every phase a time bound and a count bound, and only 127.0.0.1 is ever asked.
Errors: any status >= 500 and any connection error or timeout; 4xx answers are counted apart. The checks:

- one_version: every probe saw exactly one status of the claim, and the status of the version it saw (the
  count of versions in the store's audit graph names that version); no reader thread saw versions go back;
- served_equals_head: `/downloads/graph.nt` hashes to the head version's content_sha256 of `/api/versions`
  (asked on fresh connections, so both HTTP processes answer);
- replay: the head's curated statements replayed from the ledger (`Ledger.curated_lines`) and built again
  (`Content._build`) give that hash, and so does a `Content` opened freshly on the state directory;
- workers_agree: concurrent `/sparql` triple counts and probes (several query workers) all give the downloaded
  graph's triple count and the head version.

    python -m benchmarks.soak --seconds 90 --baseline 30 --store memory --readers 8 -o benchmarks/results/soak-memory.json
    python -m benchmarks.soak --seconds 90 --baseline 30 --store disk --readers 8 -o benchmarks/results/soak-disk.json
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from urllib.parse import urlencode

import httpx

from benchmarks import servers
from benchmarks.workload import SOLUTIONS_MEDIA, workloads

ROOT = Path(__file__).resolve().parents[1]
EDITOR = "soak"  # the name the versions record as their author
KG, TTC = "https://ttc-kg.example/ontology#", "https://ttc-kg.example/id/"
AMBIGUOUS, INFERRED = KG + "Ambiguous", KG + "Inferred"
VERSIONS_GRAPH = "https://ttc-kg.example/graph/versions"
_CLAIM = "?c rdf:subject ttc:Center ; rdf:predicate kg:hasEquipment ; rdf:object ttc:DaVinciSurgicalSystem"
#: The claim's status(es) and the number of versions the store holds, in one query (so from one version).
PROBE = ("PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> PREFIX kg: <https://ttc-kg.example/ontology#> "
         f"PREFIX ttc: <https://ttc-kg.example/id/> SELECT ?s ?n WHERE {{ {{ {_CLAIM} ; kg:status ?s }} "
         f"{{ SELECT (COUNT(?v) AS ?n) WHERE {{ GRAPH <{VERSIONS_GRAPH}> {{ ?v a kg:Version }} }} }} }}")
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


def toggle(to: str) -> str:
    """The update moving the claim's status to `to` (kg:Inferred or kg:Ambiguous) from the other one."""
    old, new = ("Ambiguous", "Inferred") if to == INFERRED else ("Inferred", "Ambiguous")
    return f"DELETE {{ ?c kg:status kg:{old} }} INSERT {{ ?c kg:status kg:{new} }} WHERE {{ {_CLAIM} ; kg:status kg:{old} }}"


#: Referral lookups a coordinator makes (route, words); each answers 200 with results on the center's graph.
LOOKUPS = [("procedures-for-condition", "lung cancer"), ("procedures-for-condition", "esophageal cancer"),
           ("workup-for-condition", "lung cancer"), ("conditions-for-procedure", "lobectomy"),
           ("equipment-for-procedure", "robotic surgery")]


@dataclass(frozen=True)
class Read:
    """One read of the mix: its kind (catalog, lookup, probe), a name, and the path with its query string."""

    kind: str
    name: str
    path: str


def reads() -> list[Read]:
    """The read mix, in the order a reader cycles through it: every catalog query, the lookups, and the probe
    three times (so about one read in seven checks which version it saw)."""
    mix = [Read("catalog", w.name, w.named_path) for w in workloads() if w.origin == "catalog" and w.named_path]
    mix += [Read("lookup", f"{name}?q={words}", f"/api/lookup/{name}?" + urlencode({"q": words}))
            for name, words in LOOKUPS]
    probe = Read("probe", "sparql_probe", "/sparql?" + urlencode({"query": PROBE}))
    return [*mix[: len(mix) // 3], probe, *mix[len(mix) // 3: 2 * len(mix) // 3], probe, *mix[2 * len(mix) // 3:], probe]


def percentile(values: list[float], p: float) -> float | None:
    """The nearest-rank percentile `p` (0 to 100) of `values`, None if there are none.

    Example:
        >>> percentile([1.0, 2.0, 3.0, 4.0], 50), percentile([1.0, 2.0, 3.0, 4.0], 99), percentile([], 50)
        (2.0, 4.0, None)
    """
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def latency_ms(seconds: list[float], points: tuple[int, ...] = (50, 95, 99)) -> dict[str, float | None]:
    found: dict[str, float | None] = {}
    for p in points:
        value = percentile(seconds, p)
        found[f"p{p}"] = None if value is None else round(value * 1000, 2)
    found["max"] = round(max(seconds) * 1000, 2) if seconds else None
    return found


def ratio(during: float | None, alone: float | None) -> float | None:
    return round(during / alone, 2) if during is not None and alone else None


@dataclass
class Sample:
    """One request: what, when (seconds since the soak began), how long, and its status (None: no answer)."""

    kind: str
    name: str
    phase: str
    at: float
    seconds: float
    status: int | None
    error: str | None = None
    #: A probe's answer: (statuses seen, versions the store holds) — None for other reads.
    probe: tuple[tuple[str, ...], int | None] | None = None
    reader: int = -1


def is_error(sample: Sample) -> bool:
    """An error of the soak: no answer (connection error, timeout) or a server error (5xx)."""
    return sample.status is None or sample.status >= 500


def is_client_error(sample: Sample) -> bool:
    return sample.status is not None and 400 <= sample.status < 500


def _probe_answer(body: bytes) -> tuple[tuple[str, ...], int | None]:
    rows = json.loads(body)["results"]["bindings"]
    statuses = tuple(sorted(row["s"]["value"] for row in rows if "s" in row))
    counts = {int(row["n"]["value"]) for row in rows if "n" in row}
    return statuses, (counts.pop() if len(counts) == 1 else None)


@dataclass
class Soak:
    """The shared state of a run: the server's base URL, the samples, and the bounds."""

    base: str
    token: str
    timeout: float
    started: float = field(default_factory=time.monotonic)
    samples: list[Sample] = field(default_factory=list)
    writes: list[dict] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def now(self) -> float:
        return time.monotonic() - self.started

    def record(self, sample: Sample) -> None:
        with self.lock:
            self.samples.append(sample)

    # -- reads -----------------------------------------------------------------------------------------------

    def read(self, client: httpx.Client, item: Read, phase: str, reader: int) -> Sample:
        at, started = self.now(), time.perf_counter()
        try:
            response = client.get(self.base + item.path, headers={"Accept": SOLUTIONS_MEDIA}
                                  if item.kind != "lookup" else {"Accept": "application/json"}, timeout=self.timeout)
        except httpx.HTTPError as exc:
            return Sample(item.kind, item.name, phase, at, time.perf_counter() - started, None,
                          f"{type(exc).__name__}: {exc}"[:300], reader=reader)
        seconds = time.perf_counter() - started
        sample = Sample(item.kind, item.name, phase, at, seconds, response.status_code,
                        None if response.status_code < 400 else response.text[:300], reader=reader)
        if item.kind == "probe" and response.status_code == 200:
            try:
                sample.probe = _probe_answer(response.content)
            except (ValueError, KeyError) as exc:
                sample.error = f"unreadable probe answer: {exc}"
                sample.probe = ((), None)
        return sample

    def readers(self, mix: list[Read], phase: str, count: int, seconds: float, max_reads: int,
                until: threading.Event | None = None) -> float:
        """Run `count` reader threads for `seconds` (or until `until` is set, or `max_reads` reads in all);
        returns the phase's length in seconds."""
        stop, done = threading.Event(), [0]
        deadline = time.monotonic() + seconds

        def reader(index: int) -> None:
            position = index * max(1, len(mix) // max(1, count))
            with httpx.Client() as client:
                while not stop.is_set() and time.monotonic() < deadline and not (until and until.is_set()):
                    with self.lock:
                        if done[0] >= max_reads:
                            return
                        done[0] += 1
                    self.record(self.read(client, mix[position % len(mix)], phase, index))
                    position += 1

        started = time.monotonic()
        threads = [threading.Thread(target=reader, args=(i,), daemon=True, name=f"soak-reader-{i}") for i in range(count)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=seconds + self.timeout + 5)
        stop.set()
        for thread in threads:
            thread.join(timeout=self.timeout + 5)
        return time.monotonic() - started

    # -- writes ----------------------------------------------------------------------------------------------

    def versions(self, client: httpx.Client) -> dict:
        response = client.get(self.base + "/api/versions", timeout=self.timeout)
        response.raise_for_status()
        return response.json()

    def writer(self, seconds: float, max_writes: int, rollback_every: int, seed: int, finished: threading.Event,
               status_of: dict[str, str]) -> None:
        """Commit changes back to back until `seconds` have passed or `max_writes` were tried; `status_of` maps
        a content hash to the claim's status in it (the build's: kg:Ambiguous), filled in as hashes appear."""
        rng = random.Random(seed)  # noqa: S311 (which earlier version to roll back to, not a secret)
        deadline = time.monotonic() + seconds
        headers = {"Authorization": f"Bearer {self.token}"}
        try:
            with httpx.Client() as client:
                listing = self.versions(client)
                known = {v["id"]: status_of.get(v["content_sha256"]) for v in listing["versions"]}
                current = status_of.get(listing["content_sha256"])
                for number in range(1, max_writes + 1):
                    if time.monotonic() >= deadline or current is None:
                        break
                    other = INFERRED if current == AMBIGUOUS else AMBIGUOUS
                    targets = sorted(i for i, s in known.items() if s == other)
                    rolling = number % rollback_every == 0 and bool(targets)
                    at, started = self.now(), time.perf_counter()
                    entry: dict = {"n": number, "kind": "rollback" if rolling else "update", "to": other, "at": round(at, 3)}
                    try:
                        if rolling:
                            entry["target"] = target = rng.choice(targets)
                            response = client.post(f"{self.base}/api/versions/{target}/rollback", headers=headers,
                                                   params={"message": f"soak: rollback to {target}"},
                                                   timeout=self.timeout * 4)
                        else:
                            response = client.post(self.base + "/update", content=toggle(other).encode(),
                                                   params={"message": f"soak: status to {other.rsplit('#')[1]}"},
                                                   headers={**headers, "Content-Type": "application/sparql-update"},
                                                   timeout=self.timeout * 4)
                        entry["status"] = response.status_code
                    except httpx.HTTPError as exc:
                        response, entry["status"], entry["error"] = None, None, f"{type(exc).__name__}: {exc}"[:300]
                    entry["seconds"] = round(time.perf_counter() - started, 4)
                    if response is not None and response.status_code == 200:
                        committed = response.json()["version"]
                        status_of.setdefault(committed["content_sha256"], other)
                        if status_of[committed["content_sha256"]] != other:
                            entry["error"] = "the committed hash is another status's"
                        entry["version"], entry["content_sha256"] = committed["id"], committed["content_sha256"]
                        known[committed["id"]] = current = other
                    else:
                        if response is not None:
                            entry["error"] = response.text[:300]
                        current = status_of.get(self.versions(client)["content_sha256"])  # what the ledger holds now
                    with self.lock:
                        self.writes.append(entry)
        finally:
            finished.set()


# -- the server ------------------------------------------------------------------------------------------------

@contextmanager
def product(work: Path, *, store: str, token: str, http_workers: int, workers: int, query_timeout: float,
            startup: float = 300) -> Iterator[servers.Server]:
    """The product on a free loopback port, updates on, on a copy of build/ with its own state (and store)."""
    source = ROOT / "build"
    if not (source / "graph.nt").exists() or not (source / "manifest.json").exists():
        subprocess.run([sys.executable, "-m", "api", "build", "--out", str(source)], cwd=ROOT, check=True)
    build_dir = work / "build"
    build_dir.mkdir(parents=True, exist_ok=True)
    for name in ("graph.nt", "manifest.json"):
        shutil.copyfile(source / name, build_dir / name)
    env = {k: v for k, v in os.environ.items() if not k.startswith("TKG_")}
    env.update({"TKG_BUILD_DIR": str(build_dir), "TKG_STATE_DIR": str(work / "state"), "TKG_STORE": store,
                "TKG_UPDATE_TOKENS": f"{EDITOR}:{token}", "TKG_RATE_LIMIT": "off",
                "TKG_HTTP_WORKERS": str(http_workers), "TKG_WORKERS": str(workers),
                "TKG_QUERY_TIMEOUT": str(query_timeout), "TKG_HOST": "127.0.0.1"})
    if store == "disk":
        env["TKG_STORE_PATH"] = str(work / "store")
    port, started = servers.free_port(), time.monotonic()
    command = [sys.executable, "-m", "api", "serve", "--host", "127.0.0.1", "--port", str(port)]
    with servers._process(command, work / "product.log", env) as process:
        base = f"http://127.0.0.1:{port}"
        servers._wait(base + "/api/versions", process, startup)
        yield servers.Server(servers.PRODUCT, base, base + "/sparql", time.monotonic() - started, process.pid)


# -- the checks ------------------------------------------------------------------------------------------------

def check_one_version(samples: list[Sample], status_by_version: dict[int, str | None]) -> dict:
    """Every probe saw one status, the one of the version it saw; no reader saw the versions go back."""
    probes = [s for s in samples if s.probe is not None]
    bad: list[dict] = []
    last: dict[int, int] = {}
    regressions = 0
    for sample in sorted(probes, key=lambda s: s.at):
        statuses, seen = sample.probe  # type: ignore[misc]
        expected = status_by_version.get(seen) if seen is not None else None
        if len(statuses) != 1 or seen is None or expected is None or statuses[0] != expected:
            bad.append({"at": round(sample.at, 3), "statuses": list(statuses), "version": seen, "expected": expected})
        if seen is not None:
            if sample.reader in last and seen < last[sample.reader]:
                regressions += 1
                bad.append({"at": round(sample.at, 3), "reader": sample.reader, "version": seen,
                            "after": last[sample.reader], "problem": "versions went back"})
            last[sample.reader] = max(seen, last.get(sample.reader, 0))
    versions_seen = sorted({s.probe[1] for s in probes if s.probe and s.probe[1] is not None})
    return {"ok": bool(probes) and not bad, "probes": len(probes), "versions_seen": len(versions_seen),
            "regressions": regressions, "bad": bad[:20], "bad_count": len(bad)}


def _fresh(base: str, path: str, timeout: float, **kwargs) -> httpx.Response:  # type: ignore[no-untyped-def]
    """A request on a connection of its own (so the kernel may hand it to either HTTP process)."""
    with httpx.Client() as client:
        return client.get(base + path, timeout=timeout, **kwargs)


def final_checks(soak: Soak, state_dir: Path, status_of: dict[str, str], *, asks: int = 8) -> tuple[dict, dict]:
    """(served_equals_head, workers_agree) against the running server; also returns what the replay needs."""
    with httpx.Client() as client:
        listing = soak.versions(client)
    head = listing["versions"][0]
    downloads = [_fresh(soak.base, "/downloads/graph.nt", soak.timeout) for _ in range(asks)]
    hashes = sorted({hashlib.sha256(r.content).hexdigest() for r in downloads if r.status_code == 200})
    listed = sorted({_fresh(soak.base, "/api/versions", soak.timeout).json()["content_sha256"] for _ in range(asks)})
    body = downloads[0].content
    triples = sum(1 for line in body.splitlines() if line.strip() and not line.startswith(b"#"))
    served = {"ok": hashes == [head["content_sha256"]] and listed == [head["content_sha256"]]
              and all(r.status_code == 200 for r in downloads),
              "head": head["id"], "head_content_sha256": head["content_sha256"], "downloaded_sha256": hashes,
              "listed_content_sha256": listed, "asks": asks, "triples": triples}

    def ask(query: str) -> httpx.Response:
        return _fresh(soak.base, "/sparql?" + urlencode({"query": query}), soak.timeout,
                      headers={"Accept": SOLUTIONS_MEDIA})

    with ThreadPoolExecutor(max_workers=4) as pool:
        counts_raw = list(pool.map(ask, [COUNT] * (2 * asks)))
        probes_raw = list(pool.map(ask, [PROBE] * (2 * asks)))
    counts = sorted({int(r.json()["results"]["bindings"][0]["n"]["value"]) if r.status_code == 200 else -r.status_code
                     for r in counts_raw})
    probes = sorted({(_probe_answer(r.content) if r.status_code == 200 else ((f"HTTP {r.status_code}",), None))
                     for r in probes_raw})
    expected_probe = ((status_of.get(head["content_sha256"], "?"),), head["id"])
    agree = {"ok": counts == [triples] and probes == [expected_probe], "counts": counts, "triples": triples,
             "probes": [[list(s), n] for s, n in probes], "expected_probe": [list(expected_probe[0]), head["id"]],
             "asks": 2 * asks}
    return served, agree


def replay_check(work: Path, head_sha: str, downloaded: list[str]) -> dict:
    """The head's curated statements replayed from the ledger and built again, and a freshly opened Content."""
    from graph.changes import open_content
    from graph.ledger import Ledger
    from graph.settings import Settings

    settings = Settings(build_dir=work / "build", state_dir=work / "state", store="memory", graph_file=None,
                        update_tokens=None, update_token_file=None)
    ledger = Ledger(work / "state")
    head = ledger.head()
    assert head is not None
    started = time.perf_counter()
    content = open_content(settings)
    built = content._build(ledger.curated_lines(head))
    rebuilt = hashlib.sha256(built.ntriples).hexdigest()
    fresh = open_content(settings).snapshot()
    opened = hashlib.sha256(fresh.ntriples).hexdigest()
    return {"ok": rebuilt == opened == fresh.content_sha256 == head.content_sha256 == head_sha and downloaded == [rebuilt],
            "ledger_head": head.id, "ledger_versions": len(ledger.ids()), "rebuilt_sha256": rebuilt,
            "fresh_snapshot_sha256": opened, "fresh_snapshot_content_sha256": fresh.content_sha256,
            "seconds": round(time.perf_counter() - started, 2)}


# -- the figures -----------------------------------------------------------------------------------------------

def phase_figures(samples: list[Sample], phase: str, seconds: float) -> dict:
    mine = [s for s in samples if s.phase == phase]
    answered = [s.seconds for s in mine if s.status is not None and s.status < 400]
    by_kind = {}
    for kind in sorted({s.kind for s in mine}):
        of_kind = [s.seconds for s in mine if s.kind == kind and s.status is not None and s.status < 400]
        by_kind[kind] = {"reads": sum(1 for s in mine if s.kind == kind), "latency_ms": latency_ms(of_kind)}
    errors = [s for s in mine if is_error(s)]
    return {"seconds": round(seconds, 2), "reads": len(mine), "reads_per_s": round(len(mine) / seconds, 1) if seconds else None,
            "errors": len(errors), "client_errors": sum(1 for s in mine if is_client_error(s)),
            "latency_ms": latency_ms(answered), "by_kind": by_kind,
            "error_samples": [{"name": s.name, "status": s.status, "error": s.error} for s in errors[:10]]}


def write_figures(writes: list[dict], seconds: float) -> dict:
    ok = [w for w in writes if w.get("status") == 200]
    return {"attempted": len(writes), "committed": len(ok), "updates": sum(1 for w in ok if w["kind"] == "update"),
            "rollbacks": sum(1 for w in ok if w["kind"] == "rollback"),
            "errors": sum(1 for w in writes if w.get("status") is None or w["status"] >= 500),
            "client_errors": sum(1 for w in writes if w.get("status") is not None and 400 <= w["status"] < 500),
            "latency_ms": latency_ms([w["seconds"] for w in ok], (50, 95)),
            "commits_per_minute": round(len(ok) / seconds * 60, 1) if seconds else None,
            "log": writes}


def markdown(result: dict) -> str:
    """The run as a Markdown table (what benchmarks/README.md shows)."""
    alone, during = result["phases"]["alone"], result["phases"]["writes"]
    writes, totals, s = result["writes"], result["totals"], result["settings"]

    def cell(figures: dict, key: str) -> str:
        value = figures["latency_ms"][key]
        return "–" if value is None else f"{value:.1f}"

    rows = ["| | reads | reads/s | p50 ms | p95 ms | p99 ms | errors (5xx, no answer) | 4xx |",
            "|---|---|---|---|---|---|---|---|"]
    for title, figures in (("reads alone", alone), ("reads during writes", during)):
        rows.append(f"| {title} | {figures['reads']} | {figures['reads_per_s']} | {cell(figures, 'p50')} | "
                    f"{cell(figures, 'p95')} | {cell(figures, 'p99')} | {figures['errors']} | {figures['client_errors']} |")
    r = result["ratios"]
    rows.append(f"| during ÷ alone | | {r['throughput']}× | {r['p50']}× | {r['p95']}× | {r['p99']}× | | |")
    for kind in sorted(during["by_kind"]):
        a, d = alone["by_kind"].get(kind), during["by_kind"][kind]
        if a is None:
            continue
        rows.append(f"| `{kind}` during ÷ alone | {a['reads']} / {d['reads']} | | "
                    f"{ratio(d['latency_ms']['p50'], a['latency_ms']['p50'])}× | "
                    f"{ratio(d['latency_ms']['p95'], a['latency_ms']['p95'])}× | "
                    f"{ratio(d['latency_ms']['p99'], a['latency_ms']['p99'])}× | | |")
    checks = ", ".join(f"{name} {'✓' if c['ok'] else '✗'}" for name, c in result["checks"].items())
    m = result["machine"]
    return "\n".join([
        f"**store={s['store']}**, {s['readers']} readers, {alone['seconds']:.0f} s alone then {during['seconds']:.0f} s "
        f"with writes ({result['started']}); {m['cpus']} CPUs ({m['cpu']}), load average {m['loadavg_start'][0]:.2f} "
        f"at the start, {m['loadavg_end'][0]:.2f} at the end.", "", *rows, "",
        f"Writes: {writes['committed']} versions committed ({writes['updates']} updates, {writes['rollbacks']} "
        f"rollbacks) of {writes['attempted']} tried, {writes['errors']} errors, {writes['client_errors']} 4xx; "
        f"latency p50 {writes['latency_ms']['p50']} ms, p95 {writes['latency_ms']['p95']} ms. "
        f"Requests in all: {totals['requests']}, errors {totals['errors']}, 4xx {totals['client_errors']}. "
        f"Probes that checked their version: {result['checks']['one_version']['probes']} "
        f"(seeing {result['checks']['one_version']['versions_seen']} versions). Checks: {checks}."])


def _cpu() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "?"


def soak(args: argparse.Namespace) -> dict:
    """One run: start the product, read alone, read during writes, check, stop; returns the result."""
    token = hashlib.sha256(os.urandom(32)).hexdigest()
    work = Path(tempfile.mkdtemp(prefix="tkg-soak-", dir=args.work_dir))
    mix = reads()
    result: dict = {"started": datetime.now(UTC).isoformat(timespec="seconds"),
                    "command": "python -m benchmarks.soak " + " ".join(args.argv),
                    "machine": {"cpus": os.cpu_count(), "cpu": _cpu(), "kernel": os.uname().release,
                                "loadavg_start": list(os.getloadavg()),
                                "versions": {"pyoxigraph": version("pyoxigraph"), "rdflib": version("rdflib"),
                                             "httpx": version("httpx"), "python": sys.version.split()[0]}},
                    "settings": {"store": args.store, "readers": args.readers, "baseline_s": args.baseline,
                                 "writes_s": args.seconds, "max_writes": args.max_writes,
                                 "max_reads_per_phase": args.max_reads, "rollback_every": args.rollback_every,
                                 "http_workers": args.http_workers, "workers": args.workers,
                                 "request_timeout_s": args.timeout, "query_timeout_s": args.query_timeout,
                                 "reads": [{"kind": r.kind, "name": r.name} for r in mix]}}
    try:
        with product(work, store=args.store, token=token, http_workers=args.http_workers, workers=args.workers,
                     query_timeout=args.query_timeout) as server:
            result["server"] = {"ready_s": round(server.ready_s, 2), "processes": servers.child_count(server.pid)}
            run = Soak(server.base, token, args.timeout)
            with httpx.Client() as client:
                build_sha = run.versions(client)["content_sha256"]
                warm = [run.read(client, item, "warm-up", -1) for item in mix]
            status_of = {build_sha: AMBIGUOUS}
            result["warm_up"] = [{"name": s.name, "status": s.status, "ms": round(s.seconds * 1000, 1)} for s in warm]
            if any(s.status != 200 for s in warm):
                raise RuntimeError("a read of the mix does not answer 200: "
                                   + "; ".join(f"{s.name}: {s.status} {s.error}" for s in warm if s.status != 200))
            servers.wait_quiet(server.pid, longest=20)
            run.started = time.monotonic()
            alone_s = run.readers(mix, "alone", args.readers, args.baseline, args.max_reads)
            servers.wait_quiet(server.pid, longest=20)
            finished = threading.Event()
            writer = threading.Thread(target=run.writer, daemon=True, name="soak-writer",
                                      args=(args.seconds, args.max_writes, args.rollback_every, args.seed, finished,
                                            status_of))
            writer.start()
            writes_s = run.readers(mix, "writes", args.readers, args.seconds + args.timeout * 4, args.max_reads,
                                   until=finished)
            writer.join(timeout=args.timeout * 4 + 5)
            with httpx.Client() as client:
                status_by_version = {v["id"]: status_of.get(v["content_sha256"])
                                     for v in run.versions(client)["versions"]}
            served, agree = final_checks(run, work / "state", status_of)
            samples = run.samples
            result["server"]["processes_end"] = servers.child_count(server.pid)
        replay = replay_check(work, served["head_content_sha256"], served["downloaded_sha256"])
    finally:
        result["machine"]["loadavg_end"] = list(os.getloadavg())
        result["finished"] = datetime.now(UTC).isoformat(timespec="seconds")
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
        else:
            result["work_dir"] = str(work)
    alone, during = phase_figures(samples, "alone", alone_s), phase_figures(samples, "writes", writes_s)
    result["phases"] = {"alone": alone, "writes": during}
    result["ratios"] = {p: ratio(during["latency_ms"][p], alone["latency_ms"][p]) for p in ("p50", "p95", "p99")}
    result["ratios"]["throughput"] = ratio(during["reads_per_s"], alone["reads_per_s"])
    result["writes"] = write_figures(run.writes, writes_s)
    reads_total = len(samples) + len(warm)
    result["totals"] = {"requests": reads_total + len(run.writes), "reads": reads_total, "writes": len(run.writes),
                        "errors": alone["errors"] + during["errors"] + result["writes"]["errors"]
                        + sum(1 for s in warm if is_error(s)),
                        "client_errors": alone["client_errors"] + during["client_errors"]
                        + result["writes"]["client_errors"]}
    result["checks"] = {"one_version": check_one_version(samples, status_by_version), "served_equals_head": served,
                        "replay": replay, "workers_agree": agree}
    result["ok"] = result["totals"]["errors"] == 0 and all(c["ok"] for c in result["checks"].values())
    return result


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.soak", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=90.0, help="seconds of writes (phase 2; default 90)")
    parser.add_argument("--baseline", type=float, default=None,
                        help="seconds of reads alone (phase 1; default a third of --seconds, at least 5)")
    parser.add_argument("--store", choices=("memory", "disk"), default="memory", help="TKG_STORE (default memory)")
    parser.add_argument("--readers", type=int, default=8, help="reader threads (default 8)")
    parser.add_argument("--max-writes", type=int, default=200, help="most writes tried in phase 2 (default 200)")
    parser.add_argument("--max-reads", type=int, default=200_000, help="most reads per phase (default 200000)")
    parser.add_argument("--rollback-every", type=int, default=4, help="every Nth write is a rollback (default 4)")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds per read (writes: 4×; default 30)")
    parser.add_argument("--query-timeout", type=float, default=10.0, help="TKG_QUERY_TIMEOUT (default 10)")
    parser.add_argument("--http-workers", type=int, default=2, help="TKG_HTTP_WORKERS (default 2)")
    parser.add_argument("--workers", type=int, default=2, help="TKG_WORKERS (default 2)")
    parser.add_argument("--seed", type=int, default=7, help="seed of the rollback targets (default 7)")
    parser.add_argument("--work-dir", type=Path, default=None, help="parent of the run's temporary directory")
    parser.add_argument("--keep", action="store_true", help="keep the temporary build, state and log")
    parser.add_argument("-o", "--out", type=Path, default=None, help="write the result JSON here")
    args = parser.parse_args(argv)
    args.argv = sys.argv[1:] if argv is None else list(argv)
    if args.baseline is None:
        args.baseline = max(5.0, args.seconds / 3)
    if min(args.seconds, args.baseline) <= 0 or args.readers < 1 or args.max_writes < 1 or args.rollback_every < 1:
        parser.error("--seconds, --baseline, --readers, --max-writes and --rollback-every must be positive")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    result = soak(args)
    if args.out is not None:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(markdown(result))
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
