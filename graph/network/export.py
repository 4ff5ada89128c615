"""Exports of a network for Gephi, Cytoscape and scripts: GraphML, GEXF and node-link JSON.

GraphML and GEXF hold only scalar attributes, so lists are joined with " | ", label dictionaries become
`label_en` / `label_zh` (notes and figure values likewise),
evidence becomes its quotes, and missing values are left out (never None).
Imports networkx and `graph.network.projection`; nothing of `api`.
"""

from __future__ import annotations

import io
import json
from typing import Any, Literal

import networkx as nx

ExportFormat = Literal["graphml", "gexf", "json"]
FORMATS: dict[str, str] = {"graphml": "application/graphml+xml", "gexf": "application/gexf+xml",
                           "json": "application/json"}
SEPARATOR = " | "
#: Attributes that are {"en": …, "zh": …} dictionaries, and the prefix of their scalar columns.
_BY_LANGUAGE = {"labels": "label", "notes": "note", "values": "value"}


def _scalar_attributes(data: dict[str, Any]) -> dict[str, str | int | float | bool]:
    """The attributes of one node or edge as GraphML/GEXF-safe scalars."""
    out: dict[str, str | int | float | bool] = {}
    for key, value in data.items():
        if value is None or value == [] or value == {}:
            continue
        if key in _BY_LANGUAGE and isinstance(value, dict):
            out.update({f"{_BY_LANGUAGE[key]}_{lang}": str(text) for lang, text in value.items()})
        elif key == "evidence" and isinstance(value, list):
            out["evidence"] = SEPARATOR.join(str(span["quote"]) for span in value)
            out["evidence_ids"] = SEPARATOR.join(str(span["id"]) for span in value)
        elif isinstance(value, bool | int | float | str):
            out[key] = value
        elif isinstance(value, list | tuple | set):
            out[key] = SEPARATOR.join(str(item) for item in value)
        else:
            out[key] = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return out


def flat(network: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """A copy whose node, edge and graph attributes are all scalars."""
    out = nx.MultiDiGraph()
    out.graph.update({"name": "Thoracic Tumor Center capability network"})
    out.add_nodes_from((n, _scalar_attributes(d)) for n, d in network.nodes(data=True))
    out.add_edges_from((s, t, k, _scalar_attributes(d)) for s, t, k, d in network.edges(keys=True, data=True))
    return out


def export(network: nx.MultiDiGraph, fmt: ExportFormat) -> bytes:
    """The network serialised as GraphML, GEXF 1.2 or node-link JSON (networkx's `node_link_data`)."""
    if fmt == "json":
        data = nx.node_link_data(network, edges="edges")
        data["graph"] = {"name": "Thoracic Tumor Center capability network", "side": network.graph.get("side", {})}
        return json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8")
    buffer = io.BytesIO()
    if fmt == "graphml":
        nx.write_graphml(flat(network), buffer, encoding="utf-8", prettyprint=True)
    elif fmt == "gexf":
        nx.write_gexf(flat(network), buffer, encoding="utf-8", prettyprint=True, version="1.2draft")
    else:
        raise ValueError(f"unknown export format {fmt!r}: use graphml, gexf or json")
    return buffer.getvalue()


__all__ = ["FORMATS", "SEPARATOR", "ExportFormat", "export", "flat"]
