"""Questions an analyst asks of the network: what underpins the most procedures, what is a single point of
failure, and the shortest explanations of how two entities are connected.

Definitions (the README repeats them):

- A service (procedure, examination or therapy) is *underpinned* by a piece of equipment when the graph says it
  uses it (`kg:usesEquipment` or `schema:usesDevice`), and by an approach when it has that approach
  (`kg:hasApproach`) or a narrower one (`skos:broader`, transitively). Only facts count (stated and implied
  relations, and the approach hierarchy); inferred and ambiguous claims never do.
- *Underpinning centrality* of a piece of equipment or an approach: the number of services it underpins (and that
  number over all services in the network).
- A *line* of a condition is its treatment (the services that `kg:treats` it) or its staging work-up (the
  examinations of `kg:hasStagingExamination`). A resource is a *single point of failure* for a line when the line
  is not empty and every service in it is underpinned by that resource: without it the whole line is gone.
- *Articulation points* of the clinical network: nodes whose removal splits the undirected network of fact edges,
  without the center itself (which links to nearly everything and would hide the clinical structure).
- A *shortest explanation* between two entities: a shortest chain of relations, in either direction, that does
  not pass through the center (unless there is no other); each step keeps its property, direction and status.

Imports networkx and `graph.network.projection`; nothing of `api`.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

import networkx as nx

from graph.network.projection import FACT_STATUSES, find_entity

#: Properties by which a service rests on a resource, and the kind of resource.
UNDERPINNING = {"kg:usesEquipment": "Equipment", "schema:usesDevice": "Equipment", "kg:hasApproach": "Approach"}
SERVICE_TYPES = frozenset({"Procedure", "Examination", "Therapy"})
_NOT_IN_PATHS = frozenset({"Evidence", "Figure", "Statement"})
_STATUS_RANK = {"stated": 0, "implied": 1, "modelled": 2, "asserted": 3, "ambiguous": 4, "inferred": 5, "evidence": 6}


def _fact_edges(network: nx.MultiDiGraph, prop: str) -> list[tuple[str, str]]:
    return [(s, t) for s, t, d in network.edges(data=True) if d["property"] == prop and d["status"] in FACT_STATUSES]


def underpinned(network: nx.MultiDiGraph) -> dict[str, set[str]]:
    """Each piece of equipment and each approach → the services it underpins (see the module's definitions)."""
    result: dict[str, set[str]] = {n: set() for n, t in network.nodes(data="type") if t in ("Equipment", "Approach")}
    broader = nx.DiGraph(_fact_edges(network, "skos:broader"))
    for prop in UNDERPINNING:
        for service, resource in _fact_edges(network, prop):
            if network.nodes[service]["type"] not in SERVICE_TYPES:
                continue
            result.setdefault(resource, set()).add(service)
            if prop == "kg:hasApproach" and resource in broader:
                for wider in nx.descendants(broader, resource):
                    if network.nodes[wider]["type"] == "Approach":
                        result.setdefault(wider, set()).add(service)
    return result


def _label(network: nx.MultiDiGraph, node: str) -> str:
    return str(network.nodes[node]["label"])


def _treated(network: nx.MultiDiGraph, services: set[str]) -> set[str]:
    return {t for s, t in _fact_edges(network, "kg:treats") if s in services}


def underpinning_centrality(network: nx.MultiDiGraph) -> list[dict[str, Any]]:
    """Equipment and approaches ranked by the number of services they underpin (ties by label)."""
    services = [n for n, t in network.nodes(data="type") if t in SERVICE_TYPES]
    rows = []
    for resource, under in underpinned(network).items():
        rows.append({"id": resource, "label": _label(network, resource), "type": network.nodes[resource]["type"],
                     "services": sorted(under, key=lambda n: _label(network, n)), "count": len(under),
                     "share": round(len(under) / len(services), 4) if services else 0.0,
                     "conditions": sorted(_treated(network, under), key=lambda n: _label(network, n))})
    return sorted(rows, key=lambda r: (-r["count"], r["label"]))


def lines_of(network: nx.MultiDiGraph) -> dict[tuple[str, str], set[str]]:
    """(condition, "treatment" | "staging") → the services in that line (facts only)."""
    lines: dict[tuple[str, str], set[str]] = defaultdict(set)
    for service, condition in _fact_edges(network, "kg:treats"):
        if network.nodes[service]["type"] in SERVICE_TYPES:
            lines[condition, "treatment"].add(service)
    for condition, examination in _fact_edges(network, "kg:hasStagingExamination"):
        lines[condition, "staging"].add(examination)
    return dict(lines)


def single_points_of_failure(network: nx.MultiDiGraph) -> list[dict[str, Any]]:
    """Each (resource, condition, line) where the resource underpins every service of that line."""
    lines = lines_of(network)
    rows = []
    for resource, under in underpinned(network).items():
        for (condition, line), services in lines.items():
            if services and services <= under:
                rows.append({"resource": resource, "resource_label": _label(network, resource),
                             "resource_type": network.nodes[resource]["type"], "condition": condition,
                             "condition_label": _label(network, condition), "line": line,
                             "services": sorted(services, key=lambda n: _label(network, n))})
    return sorted(rows, key=lambda r: (r["resource_label"], r["condition_label"], r["line"]))


def clinical_graph(network: nx.MultiDiGraph, *, facts_only: bool = True, through_center: bool = False) -> nx.Graph:
    """The undirected simple graph of relations between entities (no evidence, figures or statements; no center)."""
    simple = nx.Graph()
    keep = {n for n, t in network.nodes(data="type") if t not in _NOT_IN_PATHS and (through_center or t != "Center")}
    simple.add_nodes_from(keep)
    for s, t, d in network.edges(data=True):
        if s in keep and t in keep and s != t and d["status"] != "evidence" and (
                not facts_only or d["status"] in FACT_STATUSES):
            simple.add_edge(s, t)
    return simple


def articulation_points(network: nx.MultiDiGraph) -> list[dict[str, Any]]:
    """Nodes whose removal splits the clinical network, each with what it alone connects (the smaller parts)."""
    simple = clinical_graph(network)
    rows = []
    for node in nx.articulation_points(simple):
        rest = simple.subgraph(nx.node_connected_component(simple, node) - {node})
        parts = sorted((sorted(c) for c in nx.connected_components(rest)), key=lambda part: (len(part), part))
        cut_off = [n for part in parts[:-1] for n in part]
        rows.append({"id": node, "label": _label(network, node), "type": network.nodes[node]["type"],
                     "separates": len(cut_off), "cut_off": sorted(cut_off, key=lambda n: _label(network, n))})
    return sorted(rows, key=lambda r: (-r["separates"], r["label"]))


@dataclass(frozen=True)
class Step:
    """One relation of an explanation; `forward` is False when the relation points from target to source."""

    source: str
    target: str
    property: str
    label: str
    status: str
    forward: bool


@dataclass(frozen=True)
class Explanation:
    """A chain of relations from one entity to another."""

    nodes: tuple[str, ...]
    steps: tuple[Step, ...]
    text: str
    through_center: bool

    def as_dict(self) -> dict[str, Any]:
        return {"nodes": list(self.nodes), "text": self.text, "through_center": self.through_center,
                "steps": [vars(step) for step in self.steps]}


def _step(network: nx.MultiDiGraph, a: str, b: str, facts_only: bool) -> Step:
    candidates = [(s, t, d) for s, t in ((a, b), (b, a)) if network.has_edge(s, t)
                  for d in network.get_edge_data(s, t).values()
                  if d["status"] != "evidence" and (not facts_only or d["status"] in FACT_STATUSES)]
    s, t, d = min(candidates, key=lambda c: (_STATUS_RANK[c[2]["status"]], c[2]["property"], c[0]))
    return Step(s, t, d["property"], d["label"], d["status"], forward=(s == a))


def explanations(network: nx.MultiDiGraph, source: str, target: str, *, max_paths: int = 20,
                 through_center: bool = False, facts_only: bool = True) -> list[Explanation]:
    """The shortest chains of relations between two entities, avoiding the center unless nothing else connects them.

    Each hop takes the firmest relation between its two nodes (stated before implied before inferred).
    `facts_only` leaves out inferred and ambiguous relations even when the network has them.
    """
    find_entity(network, source), find_entity(network, target)
    for via_center in sorted({through_center, True}):
        simple = clinical_graph(network, facts_only=facts_only, through_center=via_center)
        simple.add_nodes_from((source, target))
        for end in (source, target):  # an endpoint may be a node the clinical graph leaves out
            for s, t, d in (*network.edges(end, data=True), *network.in_edges(end, data=True)):
                other = t if s == end else s
                if d["status"] != "evidence" and other in simple and (not facts_only or d["status"] in FACT_STATUSES):
                    simple.add_edge(s, t)
        try:
            paths = []
            for path in nx.all_shortest_paths(simple, source, target):
                paths.append(path)
                if len(paths) >= max_paths:
                    break
        except nx.NetworkXNoPath:
            continue
        result = []
        for path in sorted(paths, key=lambda p: [_label(network, n) for n in p]):
            steps = tuple(_step(network, a, b, facts_only) for a, b in pairwise(path))
            result.append(Explanation(tuple(path), steps, _text(network, path, steps),
                                      any(network.nodes[n]["type"] == "Center" for n in path[1:-1])))
        return result
    return []


def _text(network: nx.MultiDiGraph, path: list[str], steps: tuple[Step, ...]) -> str:
    parts = [_label(network, path[0])]
    for node, step in zip(path[1:], steps, strict=True):
        arrow = f" —{step.label}→ " if step.forward else f" ←{step.label}— "
        parts.append(f"{arrow}{_label(network, node)}" + ("" if step.status in ("stated", "modelled") else f" [{step.status}]"))
    return "".join(parts)


def report(network: nx.MultiDiGraph) -> dict[str, Any]:
    """All the analytics of one network, as JSON-ready data."""
    return {"underpinning": underpinning_centrality(network), "single_points_of_failure": single_points_of_failure(network),
            "articulation_points": articulation_points(network)}


__all__ = ["Explanation", "Step", "articulation_points", "clinical_graph", "explanations", "lines_of", "report",
           "single_points_of_failure", "underpinned", "underpinning_centrality"]
