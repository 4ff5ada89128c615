"""The ontology, entity, SPARQL editor and API documentation pages in Chinese and in English, on a live server.

`?lang=zh` and `Accept-Language: zh-CN` give `<html lang="zh-Hans">`, the Chinese chrome and none of the English one;
English data on a Chinese page (quotes of the source, IRIs, compact names, SPARQL) is marked `lang="en"`, so the
English chrome is looked for only in what is *not* so marked. Without either, the page stays English.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from typing import Any

import httpx
import pytest

from api.texts import EDITOR, ENTITY, ONTOLOGY
from graph.vocabulary import document, in_lang
from tests.browser import poll, visit

pytestmark = pytest.mark.integration

HTML = {"Accept": "text/html"}
ZH = {"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.8"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class Text(HTMLParser):
    """A page's text, leaving out what is inside elements marked with a language starting with `skip` (and
    scripts and styles); `langs` collects every lang attribute."""

    def __init__(self, html: str, skip: str) -> None:
        super().__init__(convert_charrefs=True)
        self.skip, self.stack, self.parts, self.langs = skip, [], [], []  # type: ignore[var-annotated]
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        lang = dict(attrs).get("lang")
        if lang is not None:
            self.langs.append(lang)
        if tag not in VOID:
            self.stack.append((tag, lang))

    def handle_endtag(self, tag: str) -> None:
        while self.stack and self.stack.pop()[0] != tag:
            pass

    def handle_data(self, data: str) -> None:
        langs = [lang for _, lang in self.stack if lang]
        if any(tag in ("script", "style") for tag, _ in self.stack) or (langs and langs[-1].startswith(self.skip)):
            return
        self.parts.append(data)

    def text(self) -> str:
        return " ".join(" ".join(self.parts).split())


def outside(html: str, lang: str) -> str:
    """The text of `html` not inside an element marked as `lang` ("en" or "zh")."""
    return Text(html, lang).text()


def contains(text: str, words: str) -> bool:
    """Whether `words` occur in `text` as whole words (an English "Range" is not inside "Ranges")."""
    return re.search(r"(?<![A-Za-z])" + re.escape(words.strip()) + r"(?![A-Za-z])", text) is not None


def with_lang(path: str, lang: str) -> str:
    return path + ("&" if "?" in path else "?") + "lang=" + lang


def get(base: str, path: str, status: int = 200, /, **headers: str) -> str:
    response = httpx.get(base + path, headers={**HTML, **headers}, timeout=60)
    assert response.status_code == status, (path, response.status_code)
    assert response.headers["content-type"].startswith("text/html")
    return response.text


def chinese_pages(base: str, path: str, status: int = 200) -> list[str]:
    """The page by `?lang=zh` and by `Accept-Language: zh-CN`."""
    return [get(base, with_lang(path, "zh"), status), get(base, path, status, **ZH)]


def assert_chinese(page: str, chinese: list[str], english: list[str]) -> None:
    assert '<html lang="zh-Hans">' in page
    assert "转诊查询" in page and "Referral lookup" not in page  # the top bar
    text = outside(page, "en")
    for words in chinese:
        assert words in text, words
    for words in english:
        assert not contains(text, words), f"English chrome on the Chinese page: {words!r}"


def assert_english(page: str, english: list[str], chinese: list[str]) -> None:
    assert '<html lang="en">' in page and "Referral lookup" in page
    text = outside(page, "zh")
    for words in english:
        assert words in text, words
    for words in chinese:
        assert words not in text, f"Chinese chrome on the English page: {words!r}"


def valid_langs(page: str) -> set[str]:
    return set(Text(page, "-").langs)


# ---------------------------------------------------------------------- /ontology

#: Sentences of the ontology page that are not in api/texts.py (they hold links or code).
ONTOLOGY_HINTS = [("Domains and ranges are written with", "定义域和值域以"),
                  ("A class with two parents appears under each.", "有两个上位类的类在两处都会出现。"),
                  ("Their full definitions are in their own vocabularies.", "它们的完整定义见各自的词表。"),
                  ("Language tags come back lower-cased", "语言标签会以小写返回"),
                  ("or ask", "或以"), ("yes: written only as a", "是：只以附有依据和证据的"),
                  ("sub-property of", "上位属性为"), ("subclass of", "上位类为"), ("inverse of", "逆属性为"),
                  ("object property", "对象属性"), ("datatype property", "数据类型属性"), ("individual", "个体")]


def test_the_ontology_page_in_chinese(live_server: str) -> None:
    vocab = document()
    chrome_zh = list(ONTOLOGY["zh"].values()) + [zh for _, zh in ONTOLOGY_HINTS]
    chrome_en = list(ONTOLOGY["en"].values()) + [en for en, _ in ONTOLOGY_HINTS]
    for page in chinese_pages(live_server, "/ontology"):
        assert_chinese(page, chrome_zh, chrome_en)
        # a term: its Chinese label first, the English one beside it, marked
        assert '<a class="anchor" href="#Cancer">癌症</a> <span class="en" lang="en">Cancer</span>' in page
        # definitions in Chinese wherever the ontology gives one, else English marked as such
        for doc in (*vocab.classes, *vocab.properties, *vocab.individuals):
            for text in in_lang(doc.definitions, "zh"):
                marked = f' lang="{text.lang}"' if text.lang else ""
                assert f'<p class="definition"{marked}>' + text.text.replace("'", "&#39;") in page, doc.ref.curie
        # the example queries: Chinese comments, Chinese labels asked for, the SPARQL itself marked English
        # (the identifiers inside a Chinese comment stay English, marked so)
        assert '# <span lang="en">kg:Cancer</span>（癌症）的每个实例，及其中文名称' in page
        assert '<pre lang="en"><code>' in page and "/sparql?lang=zh#query=" in page
        assert 'href="/entity?id=kg%3ACancer&amp;lang=zh"' in page


def test_the_ontology_page_says_exactly_what_is_still_english(live_server: str) -> None:
    missing = document().untranslated("zh")
    page = get(live_server, "/ontology?lang=zh")
    assert ("本页的术语文档" not in page) and ("目前仅有英文；各术语的中文名称" not in page)  # the old notice
    if not missing:
        assert 'id="english-only"' not in page
        return
    notice = page[page.index('id="english-only"'):]
    notice = notice[:notice.index("</p>")]
    assert ("本体的标题" in notice) == bool(missing.get("title"))
    assert ("个术语的定义" in notice) == bool(missing.get("definitions"))
    if missing.get("title"):  # shown in English, and marked so
        assert '<h1 lang="en">' in page


def test_the_english_ontology_page_stays_english(live_server: str) -> None:
    page = get(live_server, "/ontology")
    chrome_zh = [zh for zh in ONTOLOGY["zh"].values()] + [zh for _, zh in ONTOLOGY_HINTS]
    assert_english(page, list(ONTOLOGY["en"].values()) + [en for en, _ in ONTOLOGY_HINTS], chrome_zh)
    assert 'id="english-only"' not in page and "/sparql?lang=zh" not in page and "&amp;lang=zh" not in page
    assert "# Every instance of kg:Cancer (Cancer), with its English label" in page
    assert '<p class="definition" lang="en">A malignant neoplasm.</p>' in page
    assert '<p class="definition" lang="zh-Hans">' not in page  # the Chinese definitions are for the Chinese page
    assert get(live_server, "/ontology?lang=en", 200, **{"Accept-Language": "zh-CN"}) == page
    assert get(live_server, "/ontology", 200, **{"Accept-Language": "fr, zh;q=0, en;q=0.5"}) == page


# ---------------------------------------------------------------------- /entity

ENTITY_CHROME = ["type", "also_types", "network", "card", "as_data", "labels", "evidence", "facts", "statements",
                 "incoming", "evidence_title", "facts_title", "kind", "language", "label", "whose", "source_words",
                 "added", "preferred_name", "subject", "relation", "object", "status", "evidence_col", "property",
                 "value", "note", "claim", "characters", "kind.preferred", "kind.added synonym", "ontology", "entity"]
ENTITY_HINTS = [("Every claim about this entity, hierarchy links included.", "关于此实体的每条声明，包括层级链接。"),
                ("Exact quotes of the center's description", "中心介绍原文（英文）的逐字引文"),
                ("What else the graph says about the entity", "图谱关于此实体的其他内容"),
                ("Added synonyms are names in clinical use", "补充同义词是临床常用而来源未用的名称")]
STATUSES = [("stated", "明确陈述"), ("implied", "措辞暗示"), ("inferred", "推断"), ("ambiguous", "有歧义")]


def test_the_entity_page_in_chinese(live_server: str) -> None:
    chrome_zh = [ENTITY["zh"][key] for key in ENTITY_CHROME] + [zh for _, zh in ENTITY_HINTS + STATUSES]
    chrome_en = [ENTITY["en"][key] for key in ENTITY_CHROME] + [en for en, _ in ENTITY_HINTS + STATUSES] + [
        "documentation of", "Showing the first", "the source's words · 来源原文"]
    for page in chinese_pages(live_server, "/entity?id=ttc:LungCancer"):
        assert_chinese(page, chrome_zh, chrome_en)
        assert "<title>肺癌 · 胸部肿瘤中心 · 能力图谱</title>" in page
        assert '<h1>肺癌 <span class="en" lang="en">Lung cancer</span></h1>' in page
        assert '<blockquote class="quote" lang="en">“It has distinguished itself' in page  # the source's English
        assert '<span class="rel">治疗</span><code lang="en">kg:treats</code>' in page  # relations named in Chinese
        assert '<span class="status status-Inferred">推断</span>' in page
        # the curators' notes in Chinese, not their English originals
        assert "来源中没有。多数肺上沟瘤（Pancoast瘤）" in page and "Not in the source. Most superior sulcus" not in page
        assert 'href="/entity?id=ttc%3ASuperiorSulcusTumour&amp;lang=zh"' in page  # the reader stays in Chinese


def test_the_english_entity_page_stays_english(live_server: str) -> None:
    page = get(live_server, "/entity?id=ttc:LungCancer")
    chrome_zh = [ENTITY["zh"][key] for key in ENTITY_CHROME if key != "label"] + [zh for _, zh in ENTITY_HINTS]
    assert_english(page, [ENTITY["en"][key] for key in ENTITY_CHROME] + [en for en, _ in ENTITY_HINTS], chrome_zh)
    assert "<title>ttc:LungCancer · " in page and '<h1>Lung cancer <span class="zh" lang="zh-Hans">肺癌</span></h1>' in page
    assert "Not in the source. Most superior sulcus" in page and "来源中没有。多数肺上沟瘤" not in page
    assert "&amp;lang=zh" not in page


def test_the_entity_error_pages_in_chinese(live_server: str) -> None:
    for path, status in (("/entity?id=ttc:NoSuchThing", 404), ("/entity?id=nope:Thing", 422)):
        for page in chinese_pages(live_server, path, status):
            text = outside(page, "en")
            assert '<html lang="zh-Hans">' in page and ("未找到" if status == 404 else "无法显示此实体") in text
            assert "请给出 IRI 或带前缀的名称" in text and "Give an IRI" not in text
            assert "is not in the graph" not in text and "unknown prefix" not in text
        english = get(live_server, path, status)
        assert "Give an IRI or a prefixed name" in english and "请给出" not in english


# ---------------------------------------------------------------------- /sparql and /docs

def test_the_editor_and_api_docs_pages_in_chinese(live_server: str) -> None:
    for page in chinese_pages(live_server, "/sparql"):
        assert_chinese(page, [EDITOR["zh"][k] for k in ("title", "ready_made", "choose", "vendor_note")],
                       [EDITOR["en"][k] for k in ("title", "ready_made", "choose", "vendor_note")] +
                       ["Language tags come back lower-cased"])
        assert editor_text(page) == EDITOR["zh"]  # the strings editor.js adds, handed to it in the page language
    for page in chinese_pages(live_server, "/docs"):
        assert_chinese(page, ["API 文档", "本服务的每个 HTTP 端点及其参数", "Swagger UI 生成，它没有中文界面"],
                       ["API documentation", "Every endpoint with its parameters", "calls this server", "read-only"])
        assert '<span lang="en">Try it out</span>' in page and '<div id="swagger-ui" lang="en">' in page
    editor = get(live_server, "/sparql")
    assert_english(editor, [EDITOR["en"][k] for k in ("title", "ready_made", "vendor_note")],
                   [EDITOR["zh"][k] for k in ("title", "ready_made", "vendor_note")])
    assert editor_text(editor) == EDITOR["en"] and 'data-lang="en"' in editor
    docs = get(live_server, "/docs")
    assert_english(docs, ["API documentation", "Every endpoint with its parameters", "Swagger UI"], ["API 文档", "端点"])


def editor_text(page: str) -> dict[str, str]:
    opening = '<script type="application/json" id="editor-text">'
    start = page.index(opening) + len(opening)
    return json.loads(page[start:page.index("</script>", start)])  # type: ignore[no-any-return]


def test_the_editor_builds_its_parts_in_chinese(live_server: str, browser: Any) -> None:
    catalog = httpx.get(live_server + "/queries", timeout=60).json()["queries"]
    words = EDITOR["zh"]
    with visit(browser, live_server + "/sparql?lang=zh") as seen:
        page = seen.page
        poll(page, "() => !!window.kgEditor")
        options = page.evaluate("() => Array.from(document.querySelectorAll('#examples option'))"
                                ".map(o => [o.value, o.textContent, o.title])")
        assert options[0][1] == words["examples"]
        assert [text for _, text, _ in options[1:]] == [q["title_zh"] for q in catalog]
        assert all(words["parameters"] in tip for name, _, tip in options[1:]
                   if next(q for q in catalog if q["name"] == name)["params"])
        assert not any(q["title"] in text for q in catalog for _, text, _ in options)
        labels = page.evaluate("() => [document.querySelector('.CodeMirror textarea').getAttribute('aria-label'),"
                               " document.querySelector('input.autocomplete').getAttribute('aria-label'),"
                               " document.querySelector('input.autocomplete').title]")
        assert labels == [words["query_box"], words["endpoint"], words["endpoint_title"]]
        assert poll(page, "() => document.querySelector('.tabsList .tab a') && "
                          "document.querySelector('.tabsList .tab a').textContent.trim()").startswith(words["tab"])
        page.select_option("#examples", "workup_for_condition")
        query = next(q for q in catalog if q["name"] == "workup_for_condition")
        text = poll(page, "() => { const v = window.kgEditor.yasgui.getTab().getYasqe().getValue();"
                          " return v.includes('kg:hasStagingExamination') && v; }")
        assert text.startswith(words["example_comment"].format(title=query["title_zh"], name=query["name"]) + "\n")
        comment = [line[2:] for line in text.splitlines() if line.startswith("# ")]
        assert "".join(comment[1:-1]) == query["description_zh"]  # the description, wrapped
        assert "# " + comment[-1] == words["params_comment"].format(
            params=words["param_example"].format(name="?condition", example="ttc:EsophagealCancer"))
        assert "#+" not in text and query["title"] not in text and query["description"][:30] not in text
        assert page.inner_text("#example-description") == query["description_zh"]
        tab = page.evaluate("() => window.kgEditor.yasgui.getTab().getName()")
        assert tab == query["title_zh"]
        note = page.inner_text("#vendor-note")
        assert note == words["vendor_note"]
        seen.screenshot("editor-zh")
        assert seen.outside_requests() == [] and seen.console_errors == []


def test_the_english_editor_builds_its_parts_in_english(live_server: str, browser: Any) -> None:
    catalog = httpx.get(live_server + "/queries", timeout=60).json()["queries"]
    with visit(browser, live_server + "/sparql") as seen:
        page = seen.page
        poll(page, "() => !!window.kgEditor")
        options = page.evaluate("() => Array.from(document.querySelectorAll('#examples option')).map(o => o.textContent)")
        assert options == [EDITOR["en"]["examples"]] + [q["title"] for q in catalog]
        page.select_option("#examples", "center_figures")
        poll(page, "() => window.kgEditor.yasgui.getTab().getYasqe().getValue().includes('kg:Figure')")
        assert page.evaluate("() => window.kgEditor.yasgui.getTab().getName()") == "The center's figures"
        assert seen.console_errors == []


def test_lang_attributes_are_plain_bcp47(live_server: str) -> None:
    for path in ("/ontology?lang=zh", "/entity?id=ttc:LungCancer&lang=zh", "/sparql?lang=zh", "/docs?lang=zh",
                 "/entity?id=ttc:ECT&lang=zh", "/entity?id=kg:offers&lang=zh"):
        assert valid_langs(get(live_server, path)) <= {"zh-Hans", "en"}, path


@pytest.mark.parametrize(("name", "path", "heading"), [
    ("ontology-zh", "/ontology?lang=zh", "#hierarchy h2"),
    ("entity-lung-cancer-zh", "/entity?id=ttc:LungCancer&lang=zh", "h1")])
def test_the_chinese_pages_render_in_chinese(live_server: str, browser: Any, name: str, path: str, heading: str) -> None:
    with visit(browser, live_server + path) as seen:
        page = seen.page
        page.wait_for_selector(heading)
        assert page.evaluate("document.documentElement.lang") == "zh-Hans"
        assert page.inner_text(heading).strip() in ("类层级", "肺癌 Lung cancer")
        page.wait_for_load_state("networkidle")
        seen.screenshot(name)
        assert seen.outside_requests() == [] and seen.console_errors == []


def test_every_top_bar_link_of_a_chinese_page_stays_in_chinese(live_server: str) -> None:
    import re

    page = httpx.get(f"{live_server}/ontology", params={"lang": "zh"}, headers={"Accept-Language": "en"}, timeout=60).text
    bar = page[page.index('<header class="site">'):page.index("</header>")]
    links = re.findall(r'href="([^"]+)"', bar)
    assert len(links) >= 7 and all(link.endswith("?lang=zh") for link in links), links
    english = httpx.get(f"{live_server}/ontology", timeout=60).text
    assert "?lang=zh" not in english[english.index('<header class="site">'):english.index("</header>")]
    assert "<h1>胸部肿瘤中心能力本体</h1>" in page or "胸部肿瘤中心能力本体</h1>" in page
