"""The words of the ontology, entity, SPARQL editor and network pages, in English and Chinese.

One table per page, `TABLE[lang][key]`, handed to its template as `t` (the network page's as `m`; the editor's
and the network page's also to their scripts, as JSON); both languages have the same keys
(tests/vocabulary/test_page_text.py checks it), except the network page's Chinese type and status names, whose
English the graph layer gives. Sentences with links or code inside stay in the templates, one `{% if zh %}`
branch per language. Which language a request gets is `api.i18n`'s business.
"""

from __future__ import annotations

from graph.network.projection import TYPE_ZH
from graph.network.render import STATUS_ZH

ONTOLOGY: dict[str, dict[str, str]] = {
    "en": {
        "version": "Version", "imports": "Imports", "download": "Download", "generated_from": "Generated from",
        "contents": "Contents", "hierarchy": "Class hierarchy", "classes": "Classes",
        "properties": "Properties", "individuals": "Named individuals", "standard_terms": "Standard terms used",
        "namespaces": "Namespaces",
        "as_entity": "as an entity of the graph", "instances": "instances in the built graph",
        "triples": "triples in the built graph",
        "standard_term": "Standard term", "subclass_of": "Subclass of", "all_superclasses": "All superclasses",
        "subclasses": "Subclasses", "domain_of": "In the domain of", "range_of": "In the range of",
        "domain": "Domain", "range": "Range", "from_super": "from its super-property", "declared_with": "Declared with",
        "sub_property_of": "Sub-property of", "sub_properties": "Sub-properties", "inverse": "Inverse",
        "claimable": "Claimable", "claimable_no": "no",
        "type": "Type", "through": "through", "no_standard": "no standard term fits (see the definition)",
        "run_example": "Open this example in the SPARQL editor", "example": "Example query",
        "example_link": "example query", "term": "term", "relations": "relations", "in_graph": "in the graph",
        "prefix": "prefix", "namespace": "namespace",
    },
    "zh": {
        "version": "版本", "imports": "导入", "download": "下载", "generated_from": "生成自",
        "contents": "目录", "hierarchy": "类层级", "classes": "类",
        "properties": "属性", "individuals": "命名个体", "standard_terms": "所用标准术语",
        "namespaces": "命名空间",
        "as_entity": "作为图谱中的实体查看", "instances": "个实例（构建后的图谱中）",
        "triples": "条三元组（构建后的图谱中）",
        "standard_term": "对应标准术语", "subclass_of": "上位类", "all_superclasses": "全部上位类",
        "subclasses": "子类", "domain_of": "作为其定义域的属性", "range_of": "作为其值域的属性",
        "domain": "定义域", "range": "值域", "from_super": "继承自其上位属性", "declared_with": "声明方式",
        "sub_property_of": "上位属性", "sub_properties": "子属性", "inverse": "逆属性",
        "claimable": "可声明", "claimable_no": "否",
        "type": "类型", "through": "经由", "no_standard": "没有合适的标准术语（见定义）",
        "run_example": "在 SPARQL 编辑器中打开此示例", "example": "示例查询",
        "example_link": "示例查询", "term": "术语", "relations": "关系", "in_graph": "图谱中的数量",
        "prefix": "前缀", "namespace": "命名空间",
    },
}

ENTITY: dict[str, dict[str, str]] = {
    "en": {
        "ontology": "Ontology", "entity": "entity", "type": "Type: ", "also_types": "Also, by the class hierarchy: ",
        "network": "Network view", "card": "Referral card", "documentation": "Documentation", "as_data": "As data: ",
        "sections": "Sections", "labels": "Labels", "notes": "Notes", "evidence": "Evidence", "facts": "Facts",
        "statements": "Other statements", "incoming": "Pointing here", "evidence_title": "Evidence for the entity",
        "facts_title": "Facts with their evidence",
        "kind": "kind", "language": "language", "label": "label", "whose": "whose words",
        "source_words": "the source's words", "added": "added synonym, not in the source",
        "preferred_name": "curators' preferred name", "translation": "probable translation, not a standard term",
        "subject": "subject", "relation": "relation", "object": "object", "status": "status",
        "evidence_col": "evidence", "property": "property", "value": "value", "note": "note", "claim": "claim",
        "no_claim": "No claim names this entity.", "none": "None.",
        "nothing_points": "Nothing else in the graph points to this entity.",
        "no_quote": "(no quote)", "characters": "characters", "doc_of": "documentation of {id}",
        "kind.preferred": "preferred", "kind.alternative": "alternative", "kind.added synonym": "added synonym",
        "kind.hidden": "hidden", "kind.label": "label",
        "note.definition": "definition", "note.comment": "comment", "note.scope note": "scope note",
        "note.editorial note": "editorial note",
        "lang.en": "English", "lang.zh": "Chinese",
        "not_found": "Not found", "cannot_show": "Cannot show this entity", "bad_request": "Bad request",
    },
    "zh": {
        "ontology": "本体", "entity": "实体", "type": "类型：", "also_types": "按类层级也属于：",
        "network": "网络视图", "card": "转诊卡片", "documentation": "文档", "as_data": "数据格式：",
        "sections": "本页各节", "labels": "名称", "notes": "说明", "evidence": "证据", "facts": "事实",
        "statements": "其他陈述", "incoming": "指向此处", "evidence_title": "该实体的证据",
        "facts_title": "事实及其证据",
        "kind": "种类", "language": "语言", "label": "名称", "whose": "出处",
        "source_words": "来源原文", "added": "补充同义词，来源未用",
        "preferred_name": "编者选定名称", "translation": "可能为直译，非标准术语",
        "subject": "主体", "relation": "关系", "object": "客体", "status": "依据",
        "evidence_col": "证据", "property": "属性", "value": "值", "note": "说明", "claim": "声明",
        "no_claim": "没有声明涉及此实体。", "none": "无。",
        "nothing_points": "图谱中没有其他内容指向此实体。",
        "no_quote": "（无引文）", "characters": "字符", "doc_of": "{id} 的文档",
        "kind.preferred": "首选名称", "kind.alternative": "别名", "kind.added synonym": "补充同义词",
        "kind.hidden": "隐藏名称", "kind.label": "名称",
        "note.definition": "定义", "note.comment": "注释", "note.scope note": "范围说明",
        "note.editorial note": "编辑说明",
        "lang.en": "英文", "lang.zh": "中文",
        "not_found": "未找到", "cannot_show": "无法显示此实体", "bad_request": "请求有误",
    },
}

#: The SPARQL editor: the template's words and, as JSON in the page, every string editor.js adds.
EDITOR: dict[str, dict[str, str]] = {
    "en": {
        "title": "SPARQL editor", "ready_made": "Ready-made queries:", "choose": "— choose —",
        "vendor_note": "The editor's own buttons, menus and result views come from YASGUI and are in English only.",
        "examples": "Example queries…", "no_examples": "No example queries available", "parameters": "Parameters: ",
        "could_not_load": "Could not load example “{name}”: {error}", "tab": "Query",
        "query_box": "SPARQL query", "query_text": "SPARQL query text",
        "endpoint": "Endpoint (this editor only queries the local knowledge graph)",
        "endpoint_title": "This editor only queries the local knowledge graph",
        "example_comment": "# Example “{title}” (/queries/{name})",
        "params_comment": "# Parameters to bind yourself, with their examples: {params}",
        "param_example": "{name} (for example {example})",
    },
    "zh": {
        "title": "SPARQL 编辑器", "ready_made": "现成查询：", "choose": "— 请选择 —",
        "vendor_note": "编辑器自带的按钮、菜单和结果视图来自 YASGUI，仅有英文。",
        "examples": "示例查询…", "no_examples": "没有可用的示例查询", "parameters": "参数：",
        "could_not_load": "无法载入示例“{name}”：{error}", "tab": "查询",
        "query_box": "SPARQL 查询", "query_text": "SPARQL 查询文本",
        "endpoint": "端点（此编辑器只查询本地知识图谱）",
        "endpoint_title": "此编辑器只查询本地知识图谱",
        "example_comment": "# 示例“{title}”（/queries/{name}）",
        "params_comment": "# 需自行绑定的参数及其示例值：{params}",
        "param_example": "{name}（例如 {example}）",
    },
}


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
        "synthetic": "Synthetic: generated test data, not a real department", "departments_of": "Departments: ",
        "synthetic_short": "synthetic",
        "figures": "Figures and statements", "referral_card": "Referral card", "entity_page": "Entity page",
        "referral_department": "Referral lookup for this department only",
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
        "synthetic": "合成数据：为测试生成，并非真实科室", "departments_of": "所属科室：", "synthetic_short": "合成数据",
        "figures": "数字与陈述", "referral_card": "转诊卡片", "entity_page": "实体页面",
        "referral_department": "只查此科室的转诊信息",
        "neighbourhood": "邻域", "expand": "展开相邻节点", "no_match": "无匹配",
        "expanding": "正在展开…", "nothing_more": "此文件中没有更多可展开的内容：请用更大的 --depth 重新生成。",
        "added": "已添加 {n} 个节点。", "no_new": "没有新的相邻节点。", "expand_failed": "无法展开：",
        "laying_out": "正在布局… ", "nothing": "没有可绘制的内容。", "offline": "独立文件 · 可离线使用",
        **{f"type.{kind}": name for kind, name in TYPE_ZH.items()},
        **{f"status.{status}": text for status, text in STATUS_ZH.items()},
    },
}

#: The curator's review page (/curate): the template's words and, as JSON in the page, every string curate.js adds.
CURATE: dict[str, dict[str, str]] = {
    "en": {
        "title": "Review proposals",
        "intro": "Check what the proposer read in a department's description before any of it enters the graph. "
                 "Every proposal is shown in its sentence: accept it, change it, or reject it. Nothing is written "
                 "until you press a button in step 3, and only what you accepted is written.",
        "step_load": "1. Your update token and the proposals file",
        "token": "Update token", "token_hint": "The token you change the graph with. It stays in this page only.",
        "file": "Proposals file (.ttl, written by thoracic-kg propose)", "open": "Show the proposals",
        "step_review": "2. The text, sentence by sentence",
        "legend": "Highlighted words are what a proposal was read from; the small number after them is the proposal's "
                  "number. Where two proposals share words, the highlight is darker.",
        "step_finish": "3. Write what you accepted",
        "message": "Why this change is made (kept with the version)",
        "commit": "Write the accepted proposals into the graph", "export_zip": "Download for graph/data (.zip)",
        "export_turtle": "Download as Turtle (.ttl)",
        "finish_note": "Rejected and undecided proposals leave no trace. The graph checks everything you accepted "
                       "exactly as it checks hand-curated data; if a rule is broken, nothing is written and the "
                       "reasons are listed here.",
        "noscript": "This page needs JavaScript to read the proposals file on your computer.",
        "reading": "Reading the proposals file…", "no_token": "Enter your update token first.",
        "no_file": "Choose a proposals file first.",
        "summary": "{name} · {department} · {sentences} sentences, {proposals} proposals, {empty} sentences with "
                   "no proposal",
        "sentence": "Sentence {n}", "no_proposal": "No proposal in this sentence.",
        "proposal": "Proposal {n}", "found_by": "Found by: ", "confidence": "confidence {pct} %",
        "quote": "Read from: ", "proposed_status": "Suggested status: ", "note": "Why: ",
        "accept": "Accept", "reject": "Reject", "undecided": "Not decided yet",
        "decision": "Decision on proposal {n}", "edit": "Change before accepting",
        "status": "Status", "target": "Entity (ttc:Name or full IRI)", "label_en": "English label",
        "label_zh": "Chinese label", "hidden_label": "The slip as written", "note_en": "Why, in English",
        "note_zh": "Why, in Chinese", "edit_hint": "Changing a field accepts the proposal with your change.",
        "tally": "Accepted: {accepted} · rejected: {rejected} · not decided: {undecided}",
        "working": "Checking and writing…", "exporting": "Checking…",
        "committed": "Written as version {id} by {by}: {accepted} accepted, {rejected} rejected.",
        "versions": "See every version", "exported": "Checked and downloaded: {file}",
        "refused": "Nothing was written.", "violations": "Rules broken:", "failed": "The server could not answer: ",
        "kind.entity": "mention of a known entity", "kind.relation": "relation",
        "kind.new-condition": "new condition", "kind.new-procedure": "new procedure", "kind.figure": "figure",
        "kind.slip": "probable slip",
        "says.entity": "The text names {target}.", "says.new": "A new entry for the graph: {label}.",
        "says.figure": "{label}: {value} (about {target}).",
        "says.slip": "“{label}” is a slip for {target}: it becomes a hidden search label.",
        "status.Stated": "stated", "status.Implied": "implied", "status.Ambiguous": "ambiguous",
        "status.Inferred": "inferred",
    },
    "zh": {
        "title": "审核建议",
        "intro": "在科室自述中由建议程序读出的内容进入图谱之前，先在这里核对。每条建议都显示在它所在的句子里："
                 "可以接受、修改或拒绝。在您按下第 3 步的按钮之前不会写入任何内容，而且只写入您接受的建议。",
        "step_load": "1. 您的更新令牌和建议文件",
        "token": "更新令牌", "token_hint": "您用来更改图谱的令牌，只保留在本页面中。",
        "file": "建议文件（.ttl，由 thoracic-kg propose 生成）", "open": "显示建议",
        "step_review": "2. 原文，逐句显示",
        "legend": "高亮的文字是某条建议的出处，其后的小号数字是建议的编号。两条建议共用的文字，高亮颜色更深。",
        "step_finish": "3. 写入您接受的建议",
        "message": "此次更改的原因（随版本保存）",
        "commit": "把接受的建议写入图谱", "export_zip": "下载供 graph/data 使用的文件（.zip）",
        "export_turtle": "下载为 Turtle 文件（.ttl）",
        "finish_note": "被拒绝和未决定的建议不留任何痕迹。图谱对您接受的内容所做的检查与对人工编审数据的检查完全相同；"
                       "若违反任何规则，则不写入任何内容，并在此列出原因。",
        "noscript": "本页面需要 JavaScript 才能读取您电脑上的建议文件。",
        "reading": "正在读取建议文件…", "no_token": "请先输入您的更新令牌。",
        "no_file": "请先选择建议文件。",
        "summary": "{name} · {department} · 共 {sentences} 句、{proposals} 条建议，其中 {empty} 句没有建议",
        "sentence": "第 {n} 句", "no_proposal": "本句没有建议。",
        "proposal": "建议 {n}", "found_by": "发现依据：", "confidence": "置信度 {pct}%",
        "quote": "出处：", "proposed_status": "建议的依据状态：", "note": "原因：",
        "accept": "接受", "reject": "拒绝", "undecided": "尚未决定",
        "decision": "对建议 {n} 的决定", "edit": "接受前修改",
        "status": "依据状态", "target": "实体（ttc:名称 或完整 IRI）", "label_en": "英文名称",
        "label_zh": "中文名称", "hidden_label": "原文中的笔误写法", "note_en": "原因（英文）",
        "note_zh": "原因（中文）", "edit_hint": "修改任一字段即表示接受该建议并采用您的修改。",
        "tally": "已接受：{accepted} · 已拒绝：{rejected} · 未决定：{undecided}",
        "working": "正在检查并写入…", "exporting": "正在检查…",
        "committed": "已由 {by} 写入为版本 {id}：接受 {accepted} 条，拒绝 {rejected} 条。",
        "versions": "查看所有版本", "exported": "已检查并下载：{file}",
        "refused": "未写入任何内容。", "violations": "违反的规则：", "failed": "服务器无法应答：",
        "kind.entity": "提到已知实体", "kind.relation": "关系",
        "kind.new-condition": "新疾病", "kind.new-procedure": "新诊疗项目", "kind.figure": "数字",
        "kind.slip": "可能的笔误",
        "says.entity": "原文提到 {target}。", "says.new": "图谱的新条目：{label}。",
        "says.figure": "{label}：{value}（关于 {target}）。",
        "says.slip": "“{label}”是 {target} 的笔误：它将成为隐藏的检索名称。",
        "status.Stated": "明确陈述", "status.Implied": "措辞暗示", "status.Ambiguous": "有歧义",
        "status.Inferred": "推断",
    },
}



DOWNLOADS: dict[str, dict[str, str]] = {
    "en": {
        "unknown_department": "No department has the key {key}; GET /api/departments lists every department with "
                              "the download of its named graph (graph.download).",
    },
    "zh": {
        "unknown_department": "没有键为 {key} 的科室；GET /api/departments 列出全部科室及其命名图的下载地址"
                              "（graph.download）。",
    },
}


def both(table: dict[str, dict[str, str]], name: str, **values: str) -> str:
    """One text in English, then in Chinese, for an answer with no page language (a download's 404).

    Example:
        >>> both(DOWNLOADS, "unknown_department", key="'x'").splitlines()[1].startswith("没有键为 'x'")
        True
    """
    return "\n".join(table[lang][name].format(**values) for lang in ("en", "zh"))


__all__ = ["CURATE", "DOWNLOADS", "EDITOR", "ENTITY", "NETWORK", "ONTOLOGY", "both"]
