"""Entity, ontology, SPARQL editor and API docs pages follow ?lang / Accept-Language, top bar included."""

from __future__ import annotations

import httpx
import pytest

HTML = {"Accept": "text/html"}
#: page, an English heading of its own, the Chinese one.
PAGES = [("/entity?id=ttc:LungCancer", "Facts with their evidence", "事实及其证据"),
         ("/entity?id=ttc:NoSuchThing", "Not found", "未找到"),
         ("/ontology", "Class hierarchy", "类层级"),
         ("/sparql", "<h1>SPARQL editor</h1>", "<h1>SPARQL 编辑器</h1>"),
         ("/docs", "<h1>API documentation</h1>", "<h1>API 文档</h1>")]


def get(url: str, **headers: str) -> str:
    return httpx.get(url, headers={**HTML, **headers}, timeout=60).text


@pytest.mark.parametrize(("path", "english", "chinese"), PAGES)
def test_chinese_by_query_or_header_english_otherwise(live_server: str, path: str, english: str,
                                                       chinese: str) -> None:
    url = live_server + path
    joiner = "&" if "?" in path else "?"
    for zh in (get(url + joiner + "lang=zh"), get(url, **{"Accept-Language": "zh-CN,en;q=0.8"})):
        assert chinese in zh and english not in zh
        assert '<html lang="zh-Hans">' in zh and "转诊查询" in zh and "Referral lookup" not in zh
    for en in (get(url), get(url, **{"Accept-Language": "en-GB, zh;q=0.5"}), get(url + joiner + "lang=en",
                                                                              **{"Accept-Language": "zh"})):
        assert english in en and chinese not in en
        assert '<html lang="en">' in en and "Referral lookup" in en and "转诊查询" not in en


def test_the_chinese_ontology_page_says_only_what_is_still_english(live_server: str) -> None:
    from graph.vocabulary import document
    zh = get(live_server + "/ontology?lang=zh")
    assert "本页的术语文档由本体文件自动生成" not in zh  # the definitions are bilingual now
    assert ('id="english-only"' in zh) == bool(document().untranslated("zh"))
    assert "仅有英文" not in get(live_server + "/ontology")
