"""`/queries` in a browser is a page (title, description, a form with the examples, links to a table, CSV and
the editor); programs asking for JSON, or not saying, still get the JSON catalog."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.browser import poll, visit

pytestmark = pytest.mark.integration


def test_programs_still_get_json(live_server: str) -> None:
    for headers in ({}, {"Accept": "application/json"}, {"Accept": "*/*"}):
        answer = httpx.get(live_server + "/queries", headers=headers, timeout=60)
        assert answer.headers["content-type"].startswith("application/json"), headers
        assert any(q["name"] == "procedures_for_condition" for q in answer.json()["queries"])


def test_a_browser_gets_a_page_whose_form_runs_the_query_as_a_table(live_server: str, browser: Any) -> None:
    catalog = httpx.get(live_server + "/queries", timeout=60).json()["queries"]
    with visit(browser, live_server + "/queries") as seen:
        page = seen.page
        page.wait_for_selector("h1")
        titles = page.evaluate("Array.from(document.querySelectorAll('li.query h2')).map(h => h.textContent.trim())")
        assert titles == [q["title"] for q in catalog]
        field = page.locator("#procedures_for_condition-condition")
        assert field.input_value() == "ttc:LungCancer"  # the declared example
        csv = page.get_attribute("#procedures_for_condition a[href*='format=csv']", "href")
        editor = page.get_attribute("#procedures_for_condition a[href^='/sparql#']", "href")
        page.locator("#procedures_for_condition button[type=submit]").click()
        page.wait_for_selector("table.results tbody tr", timeout=60_000)
        cells = page.evaluate("Array.from(document.querySelectorAll('table.results td')).map(td => td.textContent)")
        assert any("Lobectomy" in cell or "lobectomy" in cell for cell in cells)
        assert seen.outside_requests() == []
    assert csv is not None and editor is not None
    download = httpx.get(live_server + csv, timeout=60)
    assert download.headers["content-type"].startswith("text/csv") and "lung" in download.text.lower()
    with visit(browser, live_server + editor) as seen:
        seen.page.wait_for_selector(".yasqe", timeout=60_000)
        text = poll(seen.page, "document.querySelector('.CodeMirror') && document.querySelector('.CodeMirror').CodeMirror"
                               ".getValue()")
        assert "procedures_for_condition" in text and "kg:treats" in text


def test_the_page_speaks_chinese_by_lang_or_accept_language(live_server: str) -> None:
    for params, headers in (({"lang": "zh"}, {}), ({}, {"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.8"})):
        page = httpx.get(live_server + "/queries", params=params, headers={"Accept": "text/html", **headers}, timeout=60)
        assert page.headers["content-type"].startswith("text/html")
        assert "<h1>查询目录</h1>" in page.text and "查询目录</a>" in page.text and 'lang="zh-Hans"' in page.text
    english = httpx.get(live_server + "/queries", headers={"Accept": "text/html"}, timeout=60)
    assert "<h1>Query catalog</h1>" in english.text and 'html lang="en"' in english.text
    assert "Procedures and therapies for a condition" in english.text and "某个疾病的手术和治疗" not in english.text


def test_every_query_title_description_and_parameter_reads_in_chinese(live_server: str) -> None:
    page = httpx.get(live_server + "/queries", params={"lang": "zh"}, headers={"Accept": "text/html"}, timeout=60).text
    catalog = httpx.get(live_server + "/queries", headers={"Accept": "application/json"}, timeout=60).json()["queries"]
    for query in catalog:
        assert f"<h2>{query['title_zh']}</h2>" in page and query["title"] not in page
        assert query["description_zh"] in page.replace("&#34;", '"').replace("&quot;", '"')
        for param in query["params"]:
            assert param["description_zh"].replace('"', "&#34;") in page and param["description"] not in page
    table = httpx.get(live_server + "/queries/workup_for_condition",
                      params={"condition": "ttc:EsophagealCancer", "format": "html", "lang": "zh"}, timeout=60).text
    assert "<h1>某个疾病的分期检查</h1>" in table
