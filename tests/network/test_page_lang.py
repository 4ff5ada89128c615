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
