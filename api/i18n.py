"""The page language: `?lang=` first, else Accept-Language (RFC 9110 §12.5.4, q-values), else English."""

from __future__ import annotations

from fastapi import Request

from graph.network.projection import TYPE_ZH
from graph.network.render import STATUS_ZH
from queries.matching import parse_lang

LANGS = ("en", "zh")


def header_lang(accept_language: str | None) -> str:
    """The first of en/zh an Accept-Language header prefers by RFC 9110 q-values (zh, zh-CN, zh-Hans, zh-TW,
    zh-HK are zh; `*` is en; q=0 excludes; ties keep header order), else "en".

    Example:
        >>> header_lang("fr, zh-TW;q=0.8, en;q=0.5")
        'zh'
        >>> header_lang("zh;q=0, en")
        'en'
    """
    best: tuple[float, int, str] | None = None
    for position, part in enumerate((accept_language or "").split(",")):
        tag, *params = (piece.strip() for piece in part.split(";"))
        weight = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        lang = {"zh": "zh", "en": "en", "*": "en"}.get(tag.lower().split("-")[0])
        if lang and weight > 0 and (best is None or (-weight, position) < (-best[0], best[1])):
            best = (weight, position, lang)
    return best[2] if best else "en"


def page_lang(lang: str | None, accept_language: str | None) -> str:
    """"en" or "zh" for a page: a valid `?lang=` wins, else the header, else English (a page never refuses)."""
    return str(lang) if lang in LANGS else header_lang(accept_language)


def api_lang(lang: str | None, accept_language: str | None) -> str:
    """The same for the JSON API, where an explicit `lang` other than en/zh is a 422 (InvalidParameter)."""
    return parse_lang(lang) if lang else header_lang(accept_language)


def request_lang(request: Request) -> str:
    """The page language of a request."""
    return page_lang(request.query_params.get("lang"), request.headers.get("accept-language"))


#: Every string a reader meets on the network page, one table for the template and (as data) for network.js.
#: Type and status names come from the graph layer (TYPE_STYLE and TYPE_ZH, STATUS_TEXT and STATUS_ZH): on a Chinese
#: page "type.X"/"status.X" give the Chinese ones.
NETWORK: dict[str, dict[str, str]] = {
    "en": {
        "find": "Find", "find_placeholder": "a label in English or 中文, or a synonym",
        "query_label": "CONSTRUCT or DESCRIBE query (its result is drawn; read-only, same rules as",
        "draw": "Draw the result", "types": "Types", "untick": "(untick to hide)", "relations": "Relations",
        "hub_toggle": "Draw the center's own relations", "paths": "Shortest explanations", "selected": "Selected",
        "select_hint": "Click a node to see its labels, evidence and links; double-click to expand its neighbours.",
        "text_title": "The same network as text",
        "text_note": "Every node and every relation of the drawing, as tables a screen reader can walk.",
        "nodes": "Nodes", "nodes_caption": "Nodes of the drawing", "name": "Name", "zh_name": "中文", "type": "Type",
        "edges_caption": "Relations of the drawing: from, relation, to, and how the source supports it",
        "from": "From", "relation": "Relation", "to": "To", "status": "Status",
        "canvas_label": "Network drawing of {nodes} nodes and {edges} relations; the same nodes and relations are "
                        "in the tables below",
        "noscript": "The drawing needs JavaScript. The same data is at /api/graph as JSON.",
        "hub_summary": "The center's own {n} relations ({counts}) are left out of this overview so its structure "
                       "shows; tick the box to draw them, or see the table below the drawing.",
        "also_called": "Also called: ", "value": "Value: ", "note": "Note: ", "in_source": "In the source",
        "figures": "Figures and statements", "referral_card": "Referral card", "entity_page": "Entity page",
        "neighbourhood": "Neighbourhood", "expand": "Expand neighbours", "no_match": "No match",
        "expanding": "Expanding…", "nothing_more": "Nothing more to expand in this file: render it with a larger --depth.",
        "added": "Added {n} node(s).", "no_new": "No new neighbours.", "expand_failed": "Could not expand: ",
        "laying_out": "Laying out… ", "nothing": "Nothing to draw.", "offline": "standalone file · works offline",
    },
    "zh": {
        "find": "查找", "find_placeholder": "中文或英文名称，或同义词",
        "query_label": "CONSTRUCT 或 DESCRIBE 查询（绘制其结果；只读，规则同",
        "draw": "绘制结果", "types": "类型", "untick": "（取消勾选以隐藏）", "relations": "关系",
        "hub_toggle": "绘制中心自身的关系", "paths": "最短解释路径", "selected": "已选中",
        "select_hint": "单击节点查看其名称、证据和链接；双击展开其相邻节点。",
        "text_title": "同一网络的文本形式",
        "text_note": "图中每个节点和每条关系，以屏幕阅读器可逐行浏览的表格列出。",
        "nodes": "节点", "nodes_caption": "图中的节点", "name": "名称（英文）", "zh_name": "中文", "type": "类型",
        "edges_caption": "图中的关系：起点、关系、终点，以及来源文本如何支持它",
        "from": "起点", "relation": "关系", "to": "终点", "status": "依据",
        "canvas_label": "网络图，共 {nodes} 个节点、{edges} 条关系；下方表格列出相同的节点和关系",
        "noscript": "绘图需要 JavaScript。相同数据以 JSON 形式见 /api/graph。",
        "hub_summary": "本概览未绘制中心自身的 {n} 条关系（{counts}），以便显出结构；勾选下框即可绘制，或查看图下方的表格。",
        "also_called": "又称：", "value": "数值：", "note": "说明：", "in_source": "来源原文",
        "figures": "数字与陈述", "referral_card": "转诊卡片", "entity_page": "实体页面",
        "neighbourhood": "邻域", "expand": "展开相邻节点", "no_match": "无匹配",
        "expanding": "正在展开…", "nothing_more": "此文件中没有更多可展开的内容：请用更大的 --depth 重新生成。",
        "added": "已添加 {n} 个节点。", "no_new": "没有新的相邻节点。", "expand_failed": "无法展开：",
        "laying_out": "正在布局… ", "nothing": "没有可绘制的内容。", "offline": "独立文件 · 可离线使用",
        **{f"type.{kind}": name for kind, name in TYPE_ZH.items()},
        **{f"status.{status}": text for status, text in STATUS_ZH.items()},
    },
}
