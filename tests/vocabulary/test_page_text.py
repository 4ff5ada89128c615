"""The pages' words exist in both languages, and where the graph has no Chinese for a definition or a note, the
Chinese page shows the English one marked lang="en" and says what is still English (rendered without a server)."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from api.pages import render
from api.texts import CURATE, DOWNLOADS, EDITOR, ENTITY, ONTOLOGY
from graph.namespaces import KG, TTC
from graph.vocabulary import KIND_ZH, RELATION_ZH, Text, document, in_lang
from queries.entity import ClaimView, EntityView, Value


@pytest.mark.parametrize("table", [ONTOLOGY, ENTITY, EDITOR, CURATE, DOWNLOADS],
                         ids=["ontology", "entity", "editor", "curate", "downloads"])
def test_every_string_exists_in_both_languages(table: dict[str, dict[str, str]]) -> None:
    assert set(table) == {"en", "zh"} and table["en"].keys() == table["zh"].keys()
    assert all(text.strip() for words in table.values() for text in words.values())
    for key, english in table["en"].items():  # placeholders survive the translation
        assert sorted(re.findall(r"\{(\w+)\}", english)) == sorted(re.findall(r"\{(\w+)\}", table["zh"][key])), key


def test_every_generated_word_of_the_documentation_has_its_chinese() -> None:
    vocab = document()
    docs = (*vocab.classes, *vocab.properties, *vocab.individuals, *vocab.standard_terms)
    relations = {m.relation for doc in docs for m in doc.mappings}
    assert relations and relations <= set(RELATION_ZH)
    assert {kind for p in vocab.properties for kind in p.kinds} <= set(KIND_ZH)
    for doc in docs:
        if doc.example:
            assert doc.example_zh and doc.example_zh != doc.example
            assert [line for line in doc.example.splitlines() if not line.startswith("#")] == [
                line.replace('"zh"', '"en"') for line in doc.example_zh.splitlines() if not line.startswith("#")]


def test_texts_in_the_page_language_with_english_as_fallback() -> None:
    both = (Text("A tumour.", "en"), Text("肿瘤。", "zh-Hans"))
    assert in_lang(both, "zh") == (Text("肿瘤。", "zh-Hans"),) and in_lang(both, "en") == (Text("A tumour.", "en"),)
    assert in_lang((Text("A tumour.", "en"),), "zh") == (Text("A tumour.", "en"),)
    assert in_lang((Text("untagged", None),), "zh") == (Text("untagged", None),)


def _ontology_page(vocab: object, lang: str) -> str:
    return render("ontology.html", title="本体", lang=lang, vocab=vocab, t=ONTOLOGY[lang], pick=in_lang,
                  kind_zh=KIND_ZH, english_only=vocab.untranslated("zh"), prefixes={}, counts={})  # type: ignore[attr-defined]


def test_an_untranslated_definition_is_shown_in_english_marked_and_named_in_the_notice() -> None:
    vocab = document()
    cancer = next(c for c in vocab.classes if c.ref.curie == "kg:Cancer")
    english_only = replace(cancer, definitions=tuple(t for t in cancer.definitions if t.lang == "en"))
    partial = replace(vocab, classes=tuple(english_only if c is cancer else c for c in vocab.classes),
                      titles=(Text("Title", "en"), Text("标题", "zh-Hans")),
                      descriptions=tuple(d for d in vocab.descriptions if d.lang == "en"))
    assert partial.untranslated("zh") == {"description": 1, "definitions": 1}
    page = _ontology_page(partial, "zh")
    assert '<p class="definition" lang="en">A malignant neoplasm.</p>' in page
    notice = page[page.index('id="english-only"'):]
    notice = notice[:notice.index("</p>")]
    assert "本体的简介" in notice and "1 个术语的定义" in notice and "本体的标题" not in notice
    assert "<h1>标题</h1>" in page  # a Chinese title is used as soon as the ontology gives one
    assert 'id="english-only"' not in _ontology_page(partial, "en")


def test_an_untranslated_note_is_shown_in_english_marked() -> None:
    lung = Value(str(TTC.LungCancer), True, label="Lung cancer", label_zh="肺癌")
    claim = ClaimView(Value(str(TTC.Claim1), True), "subject", lung, Value(str(KG.treats), True, label="treats",
                                                                              label_zh="治疗"),
                      Value(str(TTC.Other), True, label="Other"), Value(str(KG.Stated), True, label="stated",
                                                                         label_zh="明确陈述"),
                      notes=[Text("Only in English.", "en")])
    translated = replace(claim, notes=[Text("In English.", "en"), Text("中文说明。", "zh-Hans")])
    view = EntityView(lung, [], [], [], [("editorial note", "en", "An English note."),
                                         ("definition", "en", "Defined."), ("definition", "zh-Hans", "定义。")],
                      [], [claim, translated], [], [], False, {"claims": 2, "statements": 0, "incoming": 0})
    page = render("entity.html", title="肺癌", lang="zh", t=ENTITY["zh"], pick=in_lang, view=view)
    assert '<span lang="en">Only in English.</span>' in page
    assert '<span lang="zh-Hans">中文说明。</span>' in page and "In English." not in page
    assert '<span lang="en">An English note.</span>' in page and "<span lang=\"zh-Hans\">定义。</span>" in page
    assert "Defined." not in page
    assert '<span class="status status-Stated">明确陈述</span>' in page
    english = render("entity.html", title="ttc:LungCancer", lang="en", t=ENTITY["en"], pick=in_lang, view=view)
    assert "In English." in english and "中文说明。" not in english and "定义。" not in english
