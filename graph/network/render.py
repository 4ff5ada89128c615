"""The drawing data of a view: pyvis assembles the vis-network nodes, edges and options.

Only pyvis's data is used, never its HTML templates (they load Bootstrap and vis-network from CDNs even in
`in_line` mode): the page is the project's own template with the pinned vis-network from `web/node_modules`.
Tooltips are plain text; the page turns them into DOM text nodes, never HTML. Imports pyvis and
`graph.network`; nothing of `api`.
"""

from __future__ import annotations

import json
import math
from typing import Any

from pyvis.network import Network

from graph.network.projection import STATUSES, TYPE_STYLE, TYPE_ZH
from graph.network.views import View, payload

#: How each status is drawn: solid facts, dashed implications, dotted and coloured inferences and ambiguities.
EDGE_STYLE: dict[str, dict[str, Any]] = {
    "stated": {"dashes": False, "color": "#4a5560", "width": 1.6},
    "implied": {"dashes": [8, 5], "color": "#4a6f9a", "width": 1.4},
    "inferred": {"dashes": [2, 5], "color": "#d55e00", "width": 1.6},
    "ambiguous": {"dashes": [2, 5], "color": "#8e44ad", "width": 1.6},
    "modelled": {"dashes": False, "color": "#b9c2cc", "width": 1.0},
    "asserted": {"dashes": False, "color": "#7f8c8d", "width": 1.2},
    "evidence": {"dashes": [1, 4], "color": "#c4c4c4", "width": 0.8},
}
STATUS_TEXT = {"stated": "stated by the source", "implied": "implied by the wording", "inferred":
               "inferred (not in the source)", "ambiguous": "ambiguous in the source", "modelled":
               "vocabulary hierarchy", "asserted": "plain triple (no claim)", "evidence": "evidence span"}
STATUS_ZH = {"stated": "来源明确陈述", "implied": "措辞暗示", "inferred": "推断（来源中没有）", "ambiguous": "来源中有歧义",
             "modelled": "词表层级", "asserted": "普通三元组（非声明）", "evidence": "证据片段"}
#: The words of a tooltip, in each language.
TIP = {"en": {"codes": " · codes ", "also": "Also: ", "value": "Value: ", "source": "Source: ", "note": "Note: ",
              "quote": "“{}”", "sep": ", ", "departments": "Departments: ",
              "synthetic": "Synthetic: generated test data, not a real department",
              "synthetic_short": "synthetic"},
       "zh": {"codes": " · 编码 ", "also": "又称：", "value": "数值：", "source": "来源原文：", "note": "说明：",
              "quote": "“{}”", "sep": "、", "departments": "所属科室：", "synthetic": "合成数据：为测试生成，并非真实科室",
              "synthetic_short": "合成数据"}}
SHAPES = {"Center": "star", "Equipment": "square", "Approach": "diamond", "Examination": "triangle",
          "Condition": "dot", "Evidence": "box", "Figure": "box", "Statement": "box"}
#: Above this many nodes the layout skips vis-network's slow "improved layout" and draws straight edges.
LARGE = 150


def type_name(kind: str, lang: str = "en") -> str:
    """A display type's name in `lang`."""
    return TYPE_ZH[kind] if lang == "zh" else TYPE_STYLE[kind][0]


def status_text(status: str, lang: str = "en") -> str:
    """How the source supports a relation of this status, in `lang`."""
    return STATUS_ZH[status] if lang == "zh" else STATUS_TEXT[status]


def relation_name(data: dict[str, Any], lang: str = "en") -> str:
    """An edge's relation name in `lang` (English where the property has no Chinese label)."""
    return str(data.get("labels", {}).get(lang) or data["label"])


def node_tooltip(data: dict[str, Any], lang: str = "en") -> str:
    """Plain text shown on hover: labels, type, synonyms, the first evidence quote with its offsets.

    The source's quotes stay in the source's language; the words around them follow `lang`."""
    words = TIP[lang]
    lines = [data["label"]]
    if data["labels"].get("zh"):
        lines.append(data["labels"]["zh"])
    lines.append(type_name(data["type"], lang) + (words["codes"] + ", ".join(data["codes"]) if data.get("codes") else ""))
    if data.get("synthetic"):
        lines.append(words["synthetic"])
    if data.get("synonyms"):
        lines.append(words["also"] + words["sep"].join(data["synonyms"][:6]))
    if data.get("departments"):
        names = [d[lang] + (f" ({words['synthetic_short']})" if d.get("synthetic") else "") for d in data["departments"]]
        lines.append(words["departments"] + words["sep"].join(names[:8]) + (" …" if len(names) > 8 else ""))
    if data.get("value"):
        lines.append(f"{words['value']}{data['value']} ({status_text(data.get('status', 'stated'), lang)})")
    for span in data.get("evidence", [])[:2]:
        lines.append(f"{words['source']}“{span['quote']}” [{span['start']}–{span['end']}]")
    return "\n".join(lines)


def edge_tooltip(data: dict[str, Any], source: str, target: str, lang: str = "en") -> str:
    """Plain text: the relation in words, its status, the evidence quote and the curators' note."""
    words = TIP[lang]
    lines = [f"{source} —{relation_name(data, lang)}→ {target}", f"{data['property']} · {status_text(data['status'], lang)}"]
    lines += [f"{words['source']}“{span['quote']}” [{span['start']}–{span['end']}]" for span in data.get("evidence", [])[:2]]
    note = (data.get("notes") or {}).get(lang) or data.get("note")
    if note:
        lines.append(f"{words['note']}{note}")
    return "\n".join(lines)


def options(node_count: int, overview: bool = False) -> dict[str, Any]:
    """vis-network options: physics that stabilises in a bounded number of iterations, then the page stops it.

    In the `overview` (the whole center), a label whose drawn size falls under 9 px is not drawn: zoomed out,
    only the most connected nodes are named; zoom in or hover for the rest."""
    large = node_count > LARGE
    labels = {"scaling": {"label": {"enabled": True, "min": 12, "max": 24, "drawThreshold": 9, "maxVisible": 40}}} \
        if overview else {}
    return {
        "autoResize": True,
        "layout": {"improvedLayout": not large, "randomSeed": 7},
        "physics": {"enabled": True, "solver": "forceAtlas2Based",
                    "forceAtlas2Based": {"gravitationalConstant": -90, "centralGravity": 0.01, "springLength": 90,
                                         "springConstant": 0.05, "avoidOverlap": 0.6},
                    "stabilization": {"enabled": True, "iterations": 250 if large else 800, "updateInterval": 20,
                                      "fit": True},
                    "minVelocity": 1.0, "maxVelocity": 60},
        "interaction": {"hover": True, "tooltipDelay": 120, "hideEdgesOnDrag": large, "keyboard": False,
                        "multiselect": False},
        "nodes": {"font": {"size": 16, "face": "system-ui, sans-serif", "color": "#1d2733"}, "borderWidth": 1,
                  **labels},
        "edges": {"arrows": {"to": {"enabled": True, "scaleFactor": 0.45}},
                  "smooth": False if large else {"enabled": True, "type": "continuous", "roundness": 0.3},
                  "font": {"size": 10, "align": "middle"}, "selectionWidth": 2},
    }


def hubs(view: View) -> set[str]:
    """The nodes whose star of edges hides the structure of an overview: the center, linked to nearly everything."""
    return {node for node, kind in view.network.nodes(data="type") if kind == "Center"}


def vis_data(view: View, overview: bool = False, lang: str = "en") -> dict[str, Any]:
    """The vis-network nodes, edges and options of a view, assembled by pyvis.

    The `overview` (the whole center) is drawn to be read: the center is pinned at the middle and its own
    relations are kept out of the layout and hidden (`hub`; the page summarises them and shows them on request,
    the text alternative lists them), node labels are sized by how connected the node is and drawn only when
    large enough to read."""
    network = view.network
    hub = hubs(view) if overview else set()
    net = Network(directed=True, cdn_resources="local")
    for node, data in sorted(network.nodes(data=True), key=lambda item: item[0]):
        label, colour = data["label"], TYPE_STYLE[data["type"]][1]
        if data["labels"].get("zh"):
            label = f"{label}\n{data['labels']['zh']}"
        degree = sum(1 for s, t in network.to_undirected(as_view=True).edges(node) if not {s, t} & hub) \
            if overview else network.degree(node)
        size = 9 + 3 * math.sqrt(degree) + (8 if node == view.focus else 0)
        extra: dict[str, Any] = {}
        if overview:
            extra = {"font": {"size": round(11 + 2.2 * math.sqrt(degree), 1)}}
            if node in hub:
                extra.update(x=0, y=0, fixed=True, physics=False, font={"size": 22})
        net.add_node(node, label=label, shape=SHAPES.get(data["type"], "dot"), color=colour, size=round(size, 1),
                     title=node_tooltip(data, lang), borderWidth=3 if node == view.focus else 1, **extra)
    for source, target, data in sorted(network.edges(data=True), key=lambda e: (e[0], e[2]["property"], e[1])):
        style = EDGE_STYLE[data["status"]]
        extra = {"hub": True, "physics": False} if {source, target} & hub else {}
        net.add_edge(source, target, id=f"{source} {data['property']} {target}", title=edge_tooltip(
            data, network.nodes[source]["label"], network.nodes[target]["label"], lang),
            dashes=style["dashes"], color=style["color"], width=style["width"], status=data["status"],
            relation=relation_name(data, lang), **extra)
    net.options = options(network.number_of_nodes(), overview)
    nodes, edges, _, _, _, options_json = net.get_network_data()
    for node in nodes:
        node["type"] = network.nodes[node["id"]]["type"]
    return {"nodes": nodes, "edges": edges, "options": json.loads(options_json)}


def page_data(view: View, *, links: dict[str, str | None], overview: bool = False, lang: str = "en") -> dict[str, Any]:
    """Everything the page needs in one JSON document: the API answer, the drawing data and the links to use,
    its words in `lang`."""
    return {**payload(view, lang), "vis": vis_data(view, overview, lang), "links": links, "overview": overview,
            "status_styles": {k: {**v, "text": status_text(k, lang)} for k, v in EDGE_STYLE.items()},
            "status_order": list(STATUSES)}


__all__ = ["EDGE_STYLE", "STATUS_TEXT", "STATUS_ZH", "TIP", "edge_tooltip", "hubs", "node_tooltip", "options", "page_data",
           "relation_name", "status_text", "type_name", "vis_data"]
