"""Exports: GraphML and GEXF read back by networkx with the same counts; node-link JSON likewise."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import networkx as nx
import pytest

from graph.build import Built
from graph.network.export import export, flat
from graph.network.projection import ProjectionOptions, from_ntriples
from tests.network.conftest import TTC

OPTIONS = [ProjectionOptions(), ProjectionOptions(evidence=True, figures=True, inferred=False)]


@pytest.mark.parametrize("options", OPTIONS, ids=["default", "evidence-figures-facts"])
def test_graphml_round_trips_with_the_same_counts(built: Built, options: ProjectionOptions) -> None:
    network = from_ntriples(built.ntriples, options)
    back = nx.read_graphml(io.BytesIO(export(network, "graphml")))
    assert (back.number_of_nodes(), back.number_of_edges()) == (network.number_of_nodes(), network.number_of_edges())
    assert back.is_directed() and back.is_multigraph()
    node = back.nodes[TTC + "Mediastinoscope"]
    assert (node["label_en"], node["label_zh"], node["type"]) == ("Mediastinoscope", "纵隔镜", "Equipment")
    statuses = {d["status"] for *_, d in back.edges(data=True)}
    assert ("inferred" in statuses) is options.inferred


def test_gexf_and_node_link_json_round_trip(built: Built) -> None:
    network = from_ntriples(built.ntriples)
    gexf = nx.read_gexf(io.BytesIO(export(network, "gexf")))
    assert (gexf.number_of_nodes(), gexf.number_of_edges()) == (network.number_of_nodes(), network.number_of_edges())
    data = json.loads(export(network, "json"))
    linked = nx.node_link_graph(data, edges="edges")
    assert (linked.number_of_nodes(), linked.number_of_edges()) == (network.number_of_nodes(), network.number_of_edges())
    assert linked.nodes[TTC + "Mediastinoscope"]["labels"]["zh"] == "纵隔镜"


def test_flat_attributes_are_scalars_only(built: Built) -> None:
    flattened = flat(from_ntriples(built.ntriples, ProjectionOptions(evidence=True, figures=True)))
    values = [v for _, d in flattened.nodes(data=True) for v in d.values()]
    values += [v for *_, d in flattened.edges(data=True) for v in d.values()]
    assert values and all(isinstance(v, str | int | float | bool) for v in values)


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "api", *args], capture_output=True, cwd=cwd, timeout=300)


def test_cli_export_writes_to_stdout_or_a_file(tmp_path: Path, built: Built) -> None:
    network = from_ntriples(built.ntriples)
    printed = _cli("export", "--format", "graphml", cwd=tmp_path)
    assert printed.returncode == 0, printed.stderr
    back = nx.read_graphml(io.BytesIO(printed.stdout))
    assert (back.number_of_nodes(), back.number_of_edges()) == (network.number_of_nodes(), network.number_of_edges())
    written = _cli("export", "--format", "gexf", "--no-inferred", "-o", str(tmp_path / "facts.gexf"), cwd=tmp_path)
    assert written.returncode == 0 and written.stdout == b""
    facts = nx.read_gexf(tmp_path / "facts.gexf")
    assert {d["status"] for *_, d in facts.edges(data=True)} == {"stated", "implied"}  # hierarchy links are claims too
    refused = _cli("export", "--format", "png", cwd=tmp_path)
    assert refused.returncode == 2 and b"graphml, gexf or json" in refused.stderr and b"Traceback" not in refused.stderr
