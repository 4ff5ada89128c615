"""Views of the projected network (the whole center, one entity's neighbourhood, a query result, the paths
between two entities), each capped at a number of nodes, and their JSON shape.

Imports networkx and `graph.network.projection`; nothing of `api`.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from graph.namespaces import TTC
from graph.network.analytics import Explanation, explanations
from graph.network.projection import FACT_STATUSES, STATUSES, TYPE_STYLE, find_entity, qname

#: A text in each language: {"en": …, "zh": …}.
Text = dict[str, str]

#: Most nodes one view draws by default (the service reads TKG_NETWORK_MAX_NODES). Past it the most
#: connected (or, around an entity, the nearest) nodes are kept and the page says so.
DEFAULT_MAX_NODES = 500
#: Upper bound a caller may raise the cap to with ?max_nodes=.
HARD_MAX_NODES = 3000
MAX_DEPTH = 3


@dataclass
class View:
    """What one page or API answer shows."""

    network: nx.MultiDiGraph
    titles: Text
    total_nodes: int
    capped: bool = False
    notes: list[Text] = field(default_factory=list)
    focus: str | None = None
    paths: list[Explanation] = field(default_factory=list)

    @property
    def title(self) -> str:
        return self.titles["en"]

    @property
    def note(self) -> str | None:
        return self.note_in("en")

    def title_in(self, lang: str) -> str:
        return self.titles.get(lang) or self.titles["en"]

    def note_in(self, lang: str) -> str | None:
        """The notes in `lang` ("en" or "zh"), one paragraph."""
        return ("" if lang == "zh" else " ").join(note.get(lang) or note["en"] for note in self.notes) or None


def _names(network: nx.MultiDiGraph, node: str) -> Text:
    """A node's name in each language (the English one where it has no Chinese label)."""
    data = network.nodes[node]
    return {"en": data["label"], "zh": data["labels"].get("zh") or data["label"]}


def _hubs(network: nx.MultiDiGraph) -> set[str]:
    return {n for n, t in network.nodes(data="type") if t == "Center"}


def _cap(network: nx.MultiDiGraph, order: Iterable[str], max_nodes: int) -> tuple[nx.MultiDiGraph, bool]:
    """The subgraph induced by the first `max_nodes` nodes of `order` (a copy), and whether anything was left out."""
    ordered = list(order)
    kept = ordered[:max_nodes]
    sub = network.subgraph(kept).copy()
    sub.graph["side"] = {k: v for k, v in network.graph.get("side", {}).items() if k in sub}
    return sub, len(ordered) > max_nodes


def _by_degree(network: nx.MultiDiGraph, nodes: Iterable[str] | None = None) -> list[str]:
    chosen = network.nodes if nodes is None else nodes
    return sorted(chosen, key=lambda n: (-network.degree(n), network.nodes[n]["label"], n))


def _densest_first(network: nx.MultiDiGraph) -> list[str]:
    """Nodes in the order a greedy walk takes them: start at the most connected node, then always take the node
    with the most relations to those already taken (ties: the more connected). A cut of this order is a connected,
    dense core, where a cut of the plain degree order would be scattered nodes without their links."""
    simple = nx.Graph(network)
    degree = dict(simple.degree())
    order: list[str] = []
    taken: set[str] = set()
    links: dict[str, int] = {}
    heap: list[tuple[int, int, str]] = []
    for start in _by_degree(network):
        if start in taken:
            continue
        heapq.heappush(heap, (0, -degree[start], start))
        while heap:
            _, _, node = heapq.heappop(heap)
            if node in taken:
                continue
            taken.add(node)
            order.append(node)
            for neighbour in simple.neighbors(node):
                if neighbour not in taken:
                    links[neighbour] = links.get(neighbour, 0) + 1
                    heapq.heappush(heap, (-links[neighbour], -degree[neighbour], neighbour))
    return order


#: How a capped view chose the nodes it keeps, in both languages.
_HOW: dict[str, Text] = {
    "core": {"en": "the most connected core", "zh": "连接最多的核心部分"},
    "nearest": {"en": "the nearest first", "zh": "由近及远"},
    "connected": {"en": "the most connected", "zh": "连接最多者"},
    "shared": {"en": "the departments first, then what most of them share", "zh": "先列科室，再列多数科室共有的能力"},
}
WHOLE_TITLE: Text = {"en": "The whole center", "zh": "整个中心"}


def _cap_note(shown: int, total: int, how: str) -> Text:
    return {"en": f"Showing {shown:,} of {total:,} nodes ({_HOW[how]['en']}); the rest are left out so that the page "
                  "stays responsive. Open one entity's neighbourhood or write a CONSTRUCT query to see a smaller part.",
            "zh": f"显示 {total:,} 个节点中的 {shown:,} 个（{_HOW[how]['zh']}）；其余未绘制，以免页面卡顿。"
                  "可打开某个实体的邻域，或写一个 CONSTRUCT 查询，查看更小的部分。"}


def whole(network: nx.MultiDiGraph, *, max_nodes: int = DEFAULT_MAX_NODES, title: Text = WHOLE_TITLE) -> View:
    """Every node, or a connected core of `max_nodes` of them (see `_densest_first`)."""
    order = _densest_first(network) if network.number_of_nodes() > max_nodes else list(network.nodes)
    sub, capped = _cap(network, order, max_nodes)
    view = View(sub, title, network.number_of_nodes(), capped)
    if capped:
        view.notes.append(_cap_note(sub.number_of_nodes(), network.number_of_nodes(), "core"))
    return view


def neighbourhood(network: nx.MultiDiGraph, focus: str, depth: int = 1, *, max_nodes: int = DEFAULT_MAX_NODES,
                  through_center: bool = False) -> View:
    """The entity and everything within `depth` relations of it (the API allows 1 to 3), in either direction.

    The center itself is a neighbour like any other, but the walk does not continue through it unless
    `through_center` (or the focus is the center): it offers nearly everything, so two steps through it would
    always be the whole graph.
    """
    if depth < 1:
        raise ValueError("depth must be at least 1")
    find_entity(network, focus)
    hubs = set() if through_center else _hubs(network) - {focus}
    distance = {focus: 0}
    frontier = [focus]
    for step in range(1, depth + 1):
        following = []
        for node in frontier:
            if node in hubs:
                continue
            for neighbour in sorted(set(network.successors(node)) | set(network.predecessors(node))):
                if neighbour not in distance:
                    distance[neighbour] = step
                    following.append(neighbour)
        frontier = following
    order = sorted(distance, key=lambda n: (distance[n], -network.degree(n), network.nodes[n]["label"], n))
    sub, capped = _cap(network, order, max_nodes)
    name = _names(network, focus)
    view = View(sub, {"en": f"{name['en']}: neighbourhood, depth {depth}", "zh": f"{name['zh']}：{depth} 层邻域"},
                len(distance), capped, focus=focus)
    if capped:
        view.notes.append(_cap_note(sub.number_of_nodes(), len(distance), "nearest"))
    return view


def of_query(result: nx.MultiDiGraph, *, max_nodes: int = DEFAULT_MAX_NODES) -> View:
    """The network of a CONSTRUCT result."""
    view = whole(result, max_nodes=max_nodes, title={"en": "Network of a CONSTRUCT query", "zh": "CONSTRUCT 查询结果的网络"})
    if result.number_of_nodes() == 0:
        view.notes.append({"en": "The query's result has no nodes: nothing in the graph matches it (not stated in the source).",
                           "zh": "查询结果没有节点：图中没有与之匹配的内容（来源中未陈述）。"})
    return view


def between(network: nx.MultiDiGraph, source: str, target: str, *, max_paths: int = 20,
            through_center: bool = False, max_nodes: int = DEFAULT_MAX_NODES) -> View:
    """The shortest explanations between two entities, as a network of the nodes and edges on those paths.

    Every relation of `network` may take part: pass a network without inferred relations for facts only.
    """
    found = explanations(network, source, target, max_paths=max_paths, through_center=through_center, facts_only=False)
    edges = {(step.source, step.target, step.property) for path in found for step in path.steps}
    nodes = {source, target} | {n for s, t, _ in edges for n in (s, t)}
    sub = nx.MultiDiGraph()
    sub.add_nodes_from((n, network.nodes[n]) for n in nodes)
    sub.add_edges_from((s, t, k, network.edges[s, t, k]) for s, t, k in edges)
    sub.graph["side"] = {k: v for k, v in network.graph.get("side", {}).items() if k in sub}
    capped_sub, capped = _cap(sub, _by_degree(sub), max_nodes)
    a, b = _names(network, source), _names(network, target)
    view = View(capped_sub, {"en": f"From {a['en']} to {b['en']}", "zh": f"从{a['zh']}到{b['zh']}"},
                sub.number_of_nodes(), capped, focus=source, paths=found)
    if not found:
        view.notes.append({"en": f"No chain of relations connects {a['en']} and {b['en']} in this graph (with these options).",
                           "zh": f"在此图中（按当前选项）没有任何关系链连接{a['zh']}和{b['zh']}。"})
    elif found[0].through_center and not through_center:
        view.notes.append({"en": "The only connections run through the center itself.", "zh": "唯一的联系都经过中心本身。"})
    if capped:
        view.notes.append(_cap_note(capped_sub.number_of_nodes(), sub.number_of_nodes(), "connected"))
    return view


REGIONAL_TITLE: Text = {"en": "The departments and the capabilities they share", "zh": "各科室及其共有的能力"}


def regional(network: nx.MultiDiGraph, *, max_nodes: int = DEFAULT_MAX_NODES) -> View:
    """Every department (a `Center` node: the real center and any others loaded) and what each says of itself
    (its own relations: services, equipment, work-up, ...), each capability with the departments it belongs to
    (`departments`, labels in both languages, for the panel); only the departments' own edges are drawn.

    Past `max_nodes`, the departments come first (the real center first), then the capabilities shared by the
    most departments, and the page says so."""
    departments = sorted(_hubs(network), key=lambda n: (network.nodes[n].get("synthetic", False),
                                                         n != str(TTC.Center), network.nodes[n]["label"], n))
    owners: dict[str, list[str]] = {}
    for department in departments:
        for _, capability in network.out_edges(department):
            if capability not in departments and department not in owners.setdefault(capability, []):
                owners[capability].append(department)
    capabilities = sorted((c for c in owners if owners[c]), key=lambda c: (-len(owners[c]), network.nodes[c]["label"], c))
    order = [*departments, *capabilities]
    kept = order[:max_nodes]
    sub = nx.MultiDiGraph()
    sub.add_nodes_from((n, dict(network.nodes[n])) for n in kept)
    chosen = set(kept)
    sub.add_edges_from((s, t, k, d) for s in departments if s in chosen
                       for _, t, k, d in network.out_edges(s, keys=True, data=True) if t in chosen)
    for capability in capabilities:
        if capability in chosen:
            sub.nodes[capability]["departments"] = [
                {**_names(network, d), **({"synthetic": True} if network.nodes[d].get("synthetic") else {})}
                for d in owners[capability]]
    sub.graph["side"] = {k: v for k, v in network.graph.get("side", {}).items() if k in sub}
    view = View(sub, REGIONAL_TITLE, len(order), len(order) > max_nodes)
    if view.capped:
        view.notes.append(_cap_note(sub.number_of_nodes(), len(order), "shared"))
    if len(departments) < 2:
        view.notes.append({"en": "This graph holds one department: the view shows what it says of itself.",
                           "zh": "此图只有一个科室：视图显示其自述的内容。"})
    return view



def type_counts(network: nx.MultiDiGraph) -> list[dict[str, Any]]:
    """The legend: each display type present, with its label, colour and node count, in legend order."""
    counts: dict[str, int] = {}
    for _, kind in network.nodes(data="type"):
        counts[kind] = counts.get(kind, 0) + 1
    return [{"type": key, "label": label, "colour": colour, "count": counts[key]}
            for key, (label, colour) in TYPE_STYLE.items() if key in counts]


def payload(view: View, lang: str = "en") -> dict[str, Any]:
    """The JSON shape of `/api/graph…`: nodes, edges, whether the cap applied, and a note when there is one.

    `title` and `note` are in `lang`; `titles` holds both; a node's `type_label` and an edge's `label` stay English
    (`labels` holds both languages) so that clients see one stable shape."""
    network = view.network
    nodes = []
    for node, data in sorted(network.nodes(data=True), key=lambda item: item[0]):
        nodes.append({"id": node, "label": data["label"], "labels": data["labels"], "type": data["type"],
                      "type_label": TYPE_STYLE[data["type"]][0], "qname": qname(node),
                      **{k: v for k, v in data.items() if k not in ("label", "labels", "type", "iri") and v not in (None, [])},
                      "degree": network.degree(node)})
    edges = [{"source": s, "target": t, "property": d["property"], "status": d["status"], "label": d["label"],
              "labels": d["labels"],
              **{k: v for k, v in d.items() if k in ("evidence", "note", "notes", "claim") and v not in (None, [], {})}}
             for s, t, d in sorted(network.edges(data=True), key=lambda e: (e[0], e[2]["property"], e[1]))]
    answer: dict[str, Any] = {"title": view.title_in(lang), "titles": view.titles, "nodes": nodes, "edges": edges,
                              "capped": view.capped,
                              "total_nodes": view.total_nodes, "types": type_counts(network),
                              "statuses": [s for s in STATUSES if any(e["status"] == s for e in edges)],
                              "facts_only": all(e["status"] in FACT_STATUSES | {"evidence"} for e in edges),
                              "side": network.graph.get("side", {})}
    if view.focus:
        answer["focus"] = view.focus
    if view.paths:
        answer["paths"] = [path.as_dict() for path in view.paths]
    if view.notes:
        answer["note"] = view.note_in(lang)
    return answer


__all__ = ["DEFAULT_MAX_NODES", "HARD_MAX_NODES", "MAX_DEPTH", "WHOLE_TITLE", "Text", "View", "between", "neighbourhood",
           "of_query", "payload", "regional", "type_counts", "whole"]
