"""The network page speaks the reader's language: ?lang=zh or Accept-Language zh-CN give Chinese, else English."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.browser import poll, visit

PAGES = ["/graph", "/graph/entity?id=ttc:LungCancer", "/graph/query"]


def get(base: str, path: str, **headers: str) -> str:
    response = httpx.get(base + path, headers={"Accept": "text/html", **headers}, timeout=60)
    assert response.status_code == 200
    return response.text


@pytest.mark.parametrize("path", PAGES)
def test_zh_by_query_or_header_english_otherwise(live_server: str, path: str) -> None:
    joiner = "&" if "?" in path else "?"
    for zh in (get(live_server, path + joiner + "lang=zh"), get(live_server, path, **{"Accept-Language": "zh-CN"})):
        assert '<html lang="zh-Hans">' in zh
        assert "转诊查询" in zh and "Referral lookup" not in zh  # the top bar
        assert "<h2>类型" in zh and "同一网络的文本形式" in zh and "Shortest explanations" not in zh
    for en in (get(live_server, path), get(live_server, path, **{"Accept-Language": "fr, zh;q=0, en;q=0.5"}),
               get(live_server, path + joiner + "lang=en", **{"Accept-Language": "zh-CN"})):
        assert '<html lang="en">' in en
        assert "Referral lookup" in en and "<h2>Types" in en and "转诊查询" not in en


def test_the_chinese_network_page_shows_a_chinese_legend(live_server: str, browser: Any) -> None:
    with visit(browser, f"{live_server}/graph?lang=zh") as seen:
        poll(seen.page, "document.querySelectorAll('#legend li').length > 0")
        legend = seen.page.locator("#legend").inner_text()
        assert "疾病" in legend and "Condition" not in legend
        statuses = seen.page.locator("#status-legend").inner_text()
        assert "来源明确陈述" in statuses and "stated by the source" not in statuses
        hint = seen.page.locator("#details").inner_text()
        assert "单击节点" in hint


def _graph_data(html: str) -> dict[str, Any]:
    import json
    opening = '<script type="application/json" id="graph-data">'
    start = html.index(opening) + len(opening)
    return json.loads(html[start:html.index("</script>", start)])  # type: ignore[no-any-return]


def test_the_chinese_page_names_relations_titles_and_tooltips_in_chinese(live_server: str) -> None:
    zh = get(live_server, "/graph/entity?id=ttc:LungCancer&lang=zh")
    assert "<title>肺癌：1 层邻域" in zh
    assert "<td>治疗疾病</td>" in zh and "<td>treats condition</td>" not in zh  # the relation table
    data = _graph_data(zh)
    tips = [edge["title"] for edge in data["vis"]["edges"]]
    assert any("治疗疾病" in tip and "来源明确陈述" in tip for tip in tips)
    assert not any("stated by the source" in tip or "Source: " in tip for tip in tips)
    node_tips = [node["title"] for node in data["vis"]["nodes"]]
    assert any("来源原文：" in tip for tip in node_tips) and not any("Source: " in tip for tip in node_tips)
    en = _graph_data(get(live_server, "/graph/entity?id=ttc:LungCancer"))
    assert any("treats condition" in edge["title"] and "stated by the source" in edge["title"] for edge in en["vis"]["edges"])


def test_the_network_json_follows_lang_and_keeps_both_labels(live_server: str) -> None:
    zh = httpx.get(f"{live_server}/api/graph/paths", params={"source": "ttc:LungCancer", "target": "ttc:Mediastinoscope"},
                   headers={"Accept-Language": "zh-CN"}, timeout=60).json()
    assert zh["title"] == "从肺癌到纵隔镜" and zh["titles"]["en"] == "From Lung cancer to Mediastinoscope"
    assert all(edge["labels"]["en"] and edge["labels"]["zh"] for edge in zh["edges"])
    capped = httpx.get(f"{live_server}/api/graph", params={"max_nodes": 7, "lang": "zh"}, timeout=60).json()
    assert capped["note"].startswith("显示") and "Showing" not in capped["note"]
    assert httpx.get(f"{live_server}/api/graph", params={"lang": "fr"}, timeout=60).status_code == 422


def test_the_standalone_file_can_be_written_in_chinese(tmp_path: Any) -> None:
    import subprocess
    import sys
    out = tmp_path / "zh.html"
    result = subprocess.run([sys.executable, "-m", "api", "render", "--focus", "ttc:Mediastinoscope", "--lang", "zh",
                             "-o", str(out)], capture_output=True, text=True, cwd=tmp_path, timeout=300)
    assert result.returncode == 0, result.stderr
    html = out.read_text(encoding="utf-8")
    assert '<html lang="zh-Hans">' in html and "独立文件 · 可离线使用" in html and "纵隔镜：1 层邻域" in html
    assert "standalone file · works offline" not in html
    wrong = subprocess.run([sys.executable, "-m", "api", "render", "--lang", "fr", "-o", str(out)],
                           capture_output=True, text=True, cwd=tmp_path, timeout=300)
    assert wrong.returncode == 2 and "--lang must be en or zh" in wrong.stderr
