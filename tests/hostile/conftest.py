"""The hostile suite's server and tools: the shipped graph plus entities whose labels carry HTML and a canary
fact no bounded query reaches, served by a real `thoracic-kg serve` with a short deadline; a second server that
takes changes (an update token, its own ledger, its output kept in a log file); a TCP listener that records every
connection made to it; an HTML check that no element or handler came from data."""

from __future__ import annotations

import secrets
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import httpx
import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SKOS

from graph.build import Built
from tests.servers import product_server

TTC = "https://ttc-kg.example/id/"
KG = "https://ttc-kg.example/ontology#"
SCHEMA = "https://schema.org/"
PROV = "http://www.w3.org/ns/prov#"
#: Labels that would run script, load an image or close a script block if a page pasted them unescaped.
SCRIPT = "<script>window.__pwned = 1</script>"
IMG = '<img src=x onerror="window.__pwned = 2">'
BREAKOUT = '"></script><svg onload=alert(3)>'
TEMPLATE = "{{ 7 * 7 }} ${7*7}"
CONDITION, PROCEDURE = URIRef(TTC + "XssCondition"), URIRef(TTC + "XssProcedure")
CONDITION_LABEL = f"Xss condition {SCRIPT}{IMG}"
PROCEDURE_LABEL = f"Xss procedure {BREAKOUT}"
#: A fact of the graph that no catalog query, lookup or view can return unless its text was spliced in.
CANARY = URIRef("urn:canary:secret")
CANARY_VALUE = "CANARY-c8f1e0-never-in-a-bounded-answer"
DEADLINE = 2.0
RATE_LIMIT = "20/minute"


def hostile_triples() -> bytes:
    """N-Triples to append to the build: a condition and a procedure with HTML in every label, note and quote,
    treated by the center and linked to lung cancer (stated claims, so every view draws them), and the canary."""
    graph = Graph()
    center, lung = URIRef(TTC + "Center"), URIRef(TTC + "LungCancer")
    for node, label, types in ((CONDITION, CONDITION_LABEL, ("MedicalCondition", "MedicalEntity", "Thing")),
                               (PROCEDURE, PROCEDURE_LABEL, ("SurgicalProcedure", "MedicalProcedure", "MedicalEntity",
                                                             "Thing"))):
        for kind in types:
            graph.add((node, RDF.type, URIRef(SCHEMA + kind)))
        graph.add((node, RDF.type, URIRef(KG + ("Cancer" if node == CONDITION else "SurgicalProcedure"))))
        for lang in ("en", "zh-Hans"):
            graph.add((node, SKOS.prefLabel, Literal(label, lang=lang)))
            graph.add((node, RDFS.label, Literal(label, lang=lang)))
        graph.add((node, SKOS.altLabel, Literal(f"xss {TEMPLATE} {IMG}", lang="en")))
        graph.add((node, SKOS.editorialNote, Literal(f"note {SCRIPT}", lang="en")))
        graph.add((node, SKOS.editorialNote, Literal(f"注 {SCRIPT}", lang="zh-Hans")))
    relations = [(center, URIRef(KG + "treatsCondition"), CONDITION), (center, URIRef(KG + "offers"), PROCEDURE),
                 (PROCEDURE, URIRef(KG + "treats"), CONDITION), (CONDITION, SKOS.broader, lung)]
    for index, (subject, predicate, target) in enumerate(relations):
        graph.add((subject, predicate, target))
        claim, span = BNode(f"xssclaim{index}"), URIRef(f"https://ttc-kg.example/evidence/xss{index}")
        for triple in ((claim, RDF.type, URIRef(KG + "Claim")), (claim, RDF.subject, subject),
                       (claim, RDF.predicate, predicate), (claim, RDF.object, target),
                       (claim, URIRef(KG + "status"), URIRef(KG + "Stated")),
                       (claim, URIRef(PROV + "wasDerivedFrom"), span),
                       (span, RDF.type, URIRef(KG + "EvidenceSpan")),
                       (span, URIRef(PROV + "value"), Literal(f"quote {BREAKOUT} {SCRIPT}"))):
            graph.add(triple)
    graph.add((CANARY, URIRef("urn:canary:says"), Literal(CANARY_VALUE)))
    return graph.serialize(format="nt", encoding="utf-8")


@pytest.fixture(scope="session")
def hostile_graph(built: Built, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("hostile") / "graph.nt"
    path.write_bytes(built.ntriples + hostile_triples())
    return path


@pytest.fixture(scope="session")
def hostile_server(hostile_graph: Path) -> Iterator[str]:
    """The product over the hostile graph: a 2 s deadline, two query workers, one HTTP process, and a rate limit
    of 20 a minute from which loopback is exempt (so the suite itself is never throttled; the rate-limit test
    speaks as another client through X-Forwarded-For, which uvicorn takes from a proxy on 127.0.0.1)."""
    with product_server(hostile_graph.parent / "build", graph_file=str(hostile_graph), query_timeout=str(DEADLINE),
                        workers="2", http_workers="1", rate_limit=RATE_LIMIT,
                        rate_limit_exempt='["127.0.0.1"]') as base:
        yield base


@pytest.fixture()
def client(hostile_server: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=hostile_server, timeout=30) as http:
        yield http


#: The update server's one token, new each session: the log-file test looks for it in everything the server wrote.
UPDATE_TOKEN = "tkg-hostile-" + secrets.token_hex(16)
EDITOR = "alice"


@dataclass(frozen=True)
class UpdateServer:
    """A running server that takes changes: its base URL, the file its stdout and stderr go to, its token."""

    base: str
    log: Path
    token: str = UPDATE_TOKEN

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@pytest.fixture(scope="session")
def update_server(built: Built, tmp_path_factory: pytest.TempPathFactory) -> Iterator[UpdateServer]:
    """The product over the curated statements of graph/data (the hostile graph is a prebuilt file, which takes no
    changes), with updates on for one token (`alice`), a ledger in a temporary state directory, and the hostile
    server's deadline, workers and rate limit (loopback exempt). Its stdout and stderr go to `server.log`."""
    folder = tmp_path_factory.mktemp("updates")
    built.write(folder / "build")  # the session's build, reused: the server starts without building
    with product_server(folder / "build", folder / "server.log", update_tokens=f"{EDITOR}:{UPDATE_TOKEN}",
                       state_dir=str(folder / "state"), query_timeout=str(DEADLINE), workers="2",
                       http_workers="1", rate_limit=RATE_LIMIT, rate_limit_exempt='["127.0.0.1"]') as base:
        yield UpdateServer(base, folder / "server.log")


@pytest.fixture()
def anonymous(update_server: UpdateServer) -> Iterator[httpx.Client]:
    """A client of the update server without a token."""
    with httpx.Client(base_url=update_server.base, timeout=60) as http:
        yield http


@pytest.fixture()
def editor(update_server: UpdateServer) -> Iterator[httpx.Client]:
    """A client of the update server sending the token."""
    with httpx.Client(base_url=update_server.base, timeout=60, headers=update_server.auth) as http:
        yield http


class Listener:
    """A TCP server on 127.0.0.1 that accepts and records every connection (and its first bytes) until closed."""

    def __init__(self) -> None:
        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen(16)
        self.socket.settimeout(0.1)
        self.port = int(self.socket.getsockname()[1])
        self.url = f"http://127.0.0.1:{self.port}"
        self.seen: list[bytes] = []
        self._open = True
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while self._open:
            try:
                connection, _ = self.socket.accept()
            except (TimeoutError, OSError):
                continue
            with connection:
                connection.settimeout(0.5)
                try:
                    self.seen.append(connection.recv(200) or b"(connected)")
                except OSError:
                    self.seen.append(b"(connected)")

    def close(self) -> None:
        self._open = False
        self._thread.join(timeout=5)
        self.socket.close()


@pytest.fixture()
def listener() -> Iterator[Listener]:
    """A listener the product must never reach; the test asserts `listener.seen == []` at its end."""
    running = Listener()
    try:
        yield running
    finally:
        running.close()


#: Scripts a page may carry: its own files (src) and data blocks that browsers never run.
_DATA_SCRIPTS = {"application/json", "application/ld+json"}


class _Markup(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.in_data_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if self.in_data_script:
            self.problems.append(f"<{tag}> inside a data script block")
        handlers = sorted(name for name in found if name.startswith("on"))
        if handlers:
            self.problems.append(f"<{tag}> has event handler attributes {handlers}")
        if tag in ("img", "svg", "iframe", "object", "embed"):
            self.problems.append(f"<{tag}> element")
        if tag == "script":
            if found.get("type") in _DATA_SCRIPTS:
                self.in_data_script = True
            elif not found.get("src"):
                self.problems.append("an inline script that runs")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self.in_data_script = False

    def handle_data(self, data: str) -> None:
        if "window.__pwned" in data and not self.in_data_script and self.lasttag == "script":
            self.problems.append("a label's script text inside a running script")


def markup_problems(html: str) -> list[str]:
    """What in a page could run or load something: event handlers, images and SVG, inline scripts, markup inside a
    JSON data block (a label that closed it). The product's pages have none of these of their own."""
    parser = _Markup()
    parser.feed(html)
    parser.close()
    return parser.problems
