"""The curators' examples in examples/updates do what their headers say.

Each example's header states what to expect in lines the test reads:
    # Expect: accepted                     or   # Expect: refused, rule <rule>
    # Served graph gains: <s> <p> <o>      (a triple the built graph holds after the change, not before)
    # Served graph loses: <s> <p> <o>      (a triple it holds before, not after)
Every accepted example is run once on one Content (a private state directory, the session's build), every
refused one too; one accepted and one refused example also through `python -m api update`.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import BNode, Graph, URIRef

from graph.build import Built
from graph.changes import ChangeRefused, Content, sparql_update
from graph.ledger import VERSIONS_GRAPH
from graph.namespaces import PREFIXES
from graph.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples" / "updates"
_EXPECT = re.compile(r"^# Expect: (accepted|refused, rule ([a-z0-9-]+))\s*$", re.MULTILINE)
_SERVED = re.compile(r"^# Served graph (gains|loses): (\S+) (\S+) (\S+)\s*$", re.MULTILINE)


@dataclass(frozen=True)
class Example:
    path: Path
    accepted: bool
    rule: str | None
    gains: tuple[str, ...]
    loses: tuple[str, ...]

    @property
    def text(self) -> str:
        return self.path.read_text(encoding="utf-8")


def _iri(name: str) -> str:
    prefix, _, local = name.partition(":")
    return f"<{PREFIXES[prefix]}{local}>" if not name.startswith("<") else name


def _example(path: Path) -> Example:
    text = path.read_text(encoding="utf-8")
    expected = _EXPECT.findall(text)
    assert len(expected) == 1, f"{path.name}: its header needs one '# Expect: accepted|refused, rule R' line"
    served: dict[str, list[str]] = {"gains": [], "loses": []}
    for kind, s, p, o in _SERVED.findall(text):
        served[kind].append(f"{_iri(s)} {_iri(p)} {_iri(o)} .")
    accepted = expected[0][0] == "accepted"
    return Example(path, accepted, expected[0][1] or None, tuple(served["gains"]), tuple(served["loses"]))


ALL = [_example(p) for p in sorted(EXAMPLES.glob("*.ru"))]
ACCEPTED = [e for e in ALL if e.accepted]
REFUSED = [e for e in ALL if not e.accepted]


def test_there_are_examples_of_each_kind_and_a_readme() -> None:
    assert len(ACCEPTED) >= 1 and {e.rule for e in REFUSED} >= {"claims", "icd10", "evidence"}
    assert all(e.path.name.startswith("accepted-" if e.accepted else "refused-") for e in ALL)
    readme = (EXAMPLES / "README.md").read_text(encoding="utf-8")
    for example in ALL:
        assert example.path.name in readme, f"README.md does not say how to run {example.path.name}"
    assert re.search(r"[\u4e00-\u9fff]", readme), "README.md has no Chinese"


def _settings(tmp: Path) -> Settings:
    return Settings(build_dir=tmp / "build", state_dir=tmp / "state", update_tokens="curator:example-token")


@pytest.fixture(scope="module")
def content(built: Built, tmp_path_factory: pytest.TempPathFactory) -> Content:
    """One Content for the module's examples: the build, a ledger of its own."""
    tmp = tmp_path_factory.mktemp("examples")
    opened = Content(_settings(tmp), ntriples=built.ntriples, manifest=built.manifest)
    opened.start()
    return opened


def _signature(lines: set[str] | tuple[str, ...]) -> set[tuple]:
    """Statements compared whatever their blank nodes are called: an IRI subject's triples as they are (a blank
    node object as its own signature), a blank node no triple points to (a claim) as the set of its pairs."""
    graph = Graph()
    graph.parse(data="\n".join(lines), format="nt")

    def term(node: object) -> object:
        if not isinstance(node, BNode):
            return node
        return frozenset((p, term(o)) for p, o in graph.predicate_objects(node))

    found: set[tuple] = set()
    for s, p, o in graph:
        if isinstance(s, URIRef):
            found.add(("iri", s, p, term(o)))
        elif (None, None, s) not in graph:
            found.add(("claim", term(s)))
    return found


def _run_on(lines: set[str], update: str) -> set[str]:
    """The curated statements after the update, run on a plain store: what the example itself asks for."""
    store = ox.Store()
    if lines:
        store.extend(ox.parse("\n".join(lines).encode("utf-8"), format=ox.RdfFormat.N_TRIPLES))
    store.update(update, prefixes=dict(PREFIXES))
    return {line for line in (ox.serialize(store, format=ox.RdfFormat.N_TRIPLES) or b"").decode().splitlines()
            if line.strip()}


def _served(content: Content) -> set[str]:
    return set(content.snapshot().ntriples.decode("utf-8").splitlines())


@pytest.mark.parametrize("example", ACCEPTED, ids=[e.path.stem for e in ACCEPTED])
def test_an_accepted_example_commits_a_version_holding_what_it_inserts(content: Content, example: Example) -> None:
    before, served_before = content.curated_lines(), _served(content)
    wanted = _run_on(before, example.text)
    inserted, deleted = _signature(wanted) - _signature(before), _signature(before) - _signature(wanted)
    assert inserted, f"{example.path.name} inserts nothing new: it would duplicate what graph/data holds"
    assert example.gains or example.loses, f"{example.path.name}: say what the served graph gains or loses"
    for line in example.gains:
        assert line not in served_before, f"the graph already holds {line}: the example would duplicate it"
    for line in example.loses:
        assert line in served_before

    head = content.head()
    version = content.change(sparql_update(example.text), by="curator", message=example.path.name, kind="update")

    assert head is not None and version.id == head.id + 1 and content.head() == version
    assert inserted <= _signature(version.added) and deleted <= _signature(version.removed)
    assert _signature(content.curated_lines()) == _signature(wanted)
    served_after = _served(content)
    assert content.snapshot().version == version.id
    for line in example.gains:
        assert line in served_after and line in version.served_added
    for line in example.loses:
        assert line not in served_after and line in version.served_removed


@pytest.mark.parametrize("example", REFUSED, ids=[e.path.stem for e in REFUSED])
def test_a_refused_example_breaks_its_rule_and_changes_nothing(content: Content, example: Example) -> None:
    head, lines = content.head(), content.curated_lines()
    with pytest.raises(ChangeRefused) as refused:
        content.change(sparql_update(example.text), by="curator", message=example.path.name, kind="update")
    assert {p.rule for p in refused.value.problems} == {example.rule}, refused.value.violations()
    assert content.head() == head and content.ledger.head() == head
    assert content.curated_lines() == lines


def _cli(tmp: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TKG_")}
    env.update(TKG_BUILD_DIR=str(tmp / "build"), TKG_STATE_DIR=str(tmp / "state"), TKG_STORE="memory")
    return subprocess.run([sys.executable, "-m", "api", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=300, check=False)


def test_the_command_line_applies_an_accepted_example_and_refuses_a_refused_one(tmp_path: Path, built: Built) -> None:
    built.write(tmp_path / "build")  # graph.nt and manifest.json of the current build: nothing is rebuilt
    accepted, refused = ACCEPTED[0], next(e for e in REFUSED if e.rule == "claims")

    done = _cli(tmp_path, "update", str(accepted.path), "--by", "curator", "-m", "from the examples")
    assert done.returncode == 0, done.stderr
    assert re.match(r"version 2: \+\d+ -0 statements, content [0-9a-f]{12}", done.stdout), done.stdout

    failed = _cli(tmp_path, "update", str(refused.path), "--by", "curator")
    assert failed.returncode == 1
    assert "refused, nothing changed" in failed.stderr and f"[{refused.rule}]" in failed.stderr, failed.stderr

    listed = _cli(tmp_path, "history")
    assert listed.returncode == 0 and listed.stdout.splitlines()[0].startswith("*    2 ")
    assert "from the examples" in listed.stdout and len(listed.stdout.splitlines()) == 2


def test_a_change_from_the_command_line_after_a_rebuild_keeps_the_earlier_changes(tmp_path: Path,
                                                                                  built: Built) -> None:
    settings = _settings(tmp_path)
    first = Content(settings, ntriples=built.ntriples, manifest=built.manifest)
    first.start()
    first.change(sparql_update(ACCEPTED[0].text), by="curator", message="on the first build", kind="update")
    # graph/data rebuilt (another build hash; graph/data does not hold the change), and a curator runs
    # `thoracic-kg update` before the server starts: the command line opens a Content and changes it, as api/cli.py does
    rebuilt = {**built.manifest, "content_sha256": "f" * 64}
    cli = Content(settings, ntriples=built.ntriples, manifest=rebuilt)
    cli.change(sparql_update(ACCEPTED[1].text), by="curator", message="on the new build", kind="update")
    server = Content(settings, ntriples=built.ntriples, manifest=rebuilt)
    server.start()
    assert ACCEPTED[0].gains[0] in _served(server), "the change made on the earlier build was dropped"


def test_the_command_line_reader_holds_the_audit_graph(content: Content) -> None:
    first = content.ledger.all()[0]
    asked = f"ASK {{ GRAPH <{VERSIONS_GRAPH}> {{ <{first.iri}> a <{PREFIXES['prov']}Activity> }} }}"
    reader = content.reader()
    try:
        answer = reader.answer(asked, formats={"boolean": "json"})
    finally:
        reader.close()
    assert b"true" in answer.body
