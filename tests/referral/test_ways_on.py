"""Lookups that meet coordinators where they are: word order, Traditional Chinese, no dead ends, true messages."""

from __future__ import annotations

import httpx
import pytest

from api.i18n import api_lang
from graph.namespaces import TTC
from queries import matching


def get(base: str, path: str, **params: str) -> httpx.Response:
    return httpx.get(base + path, params=params, timeout=30)


@pytest.mark.parametrize(("typed", "entity"), [
    ("cancer lung", TTC.LungCancer), ("unresectable advanced tumour", TTC.UnresectableAdvancedTumour)])
def test_the_one_name_with_every_word_in_another_order_answers(live_server: str, typed: str, entity: str) -> None:
    answer = get(live_server, "/api/lookup/procedures-for-condition", q=typed).json()
    assert answer["matched"]["id"] == str(entity) and answer["matched"]["match"] == "all_words"
    assert any("every word" in note for note in answer["notes"])
    zh = get(live_server, "/api/lookup/procedures-for-condition", q=typed, lang="zh").json()
    assert any("全部词语" in note for note in zh["notes"])


def test_a_name_with_more_words_is_only_offered(live_server: str) -> None:
    """'oesophageal tumour' is not 'benign oesophageal tumour': narrowing would be a guess."""
    answer = get(live_server, "/api/lookup/procedures-for-condition", q="oesophageal tumour").json()
    assert answer["matched"] is None and answer["candidates"]


@pytest.mark.parametrize(("traditional", "simplified"), [("縱隔鏡", "纵隔镜"), ("胸腔鏡", "胸腔镜"), ("肺癌", "肺癌")])
def test_traditional_chinese_folds_to_simplified(traditional: str, simplified: str) -> None:
    assert matching.normalise(traditional) == matching.normalise(simplified)


def test_traditional_chinese_finds_what_simplified_finds(live_server: str) -> None:
    one = get(live_server, "/api/search", q="縱隔鏡").json()["results"]
    other = get(live_server, "/api/search", q="纵隔镜").json()["results"]
    assert one and [r["id"] for r in one] == [r["id"] for r in other]


@pytest.mark.parametrize("typed", ["NSCLC", "non-small cell lung cancer", "small cell lung cancer", "SCLC",
                                   "lung adenocarcinoma", "squamous cell carcinoma of the lung"])
def test_subtype_names_lead_to_lung_cancer_marked_broader(live_server: str, typed: str) -> None:
    response = get(live_server, "/api/lookup/procedures-for-condition", q=typed)
    answer = response.json()
    assert response.status_code == 404 and answer["matched"] is None  # never answered as if stated
    first = answer["candidates"][0]
    assert first["id"] == str(TTC.LungCancer) and "does not distinguish this subtype" in first["broader"]
    page = httpx.get(live_server + "/referral", params={"q": typed}, timeout=30).text
    assert "does not distinguish this subtype" in page and 'data-testid="treated"' in page


def test_breast_cancer_says_it_is_not_stated_and_shows_what_is(live_server: str) -> None:
    answer = get(live_server, "/api/lookup/procedures-for-condition", q="breast cancer").json()
    assert answer["matched"] is None
    assert any("not stated to treat" in note and "chest" in note for note in answer["notes"])
    page = httpx.get(live_server + "/referral", params={"q": "breast cancer"}, timeout=30).text
    assert "not stated to treat" in page and 'data-testid="treated"' in page and "Lung cancer" in page


@pytest.mark.parametrize("typed", ["C34.9", "lung cancer", "肺癌", "cancer lung"])
def test_search_and_lookup_agree(live_server: str, typed: str) -> None:
    search = get(live_server, "/api/search", q=typed, type="condition").json()
    lookup = get(live_server, "/api/lookup/procedures-for-condition", q=typed).json()
    found = [lookup["matched"]["id"]] if lookup["matched"] else [c["id"] for c in lookup["candidates"]]
    assert search["results"] and search["results"][0]["id"] in found


def test_a_message_names_what_was_searched_and_what_was_found(live_server: str) -> None:
    answer = get(live_server, "/api/lookup/procedures-for-condition", q="mediastinoscope").json()
    assert "nothing in the graph is called" not in answer["notes"][0]
    assert "is called 'mediastinoscope'; it is a piece of equipment: Mediastinoscope" in answer["notes"][0]
    page = httpx.get(live_server + "/referral", params={"q": "mediastinoscope"}, timeout=30).text
    assert "nothing in the graph is called" not in page and "it is a piece of equipment: Mediastinoscope" in page


def test_every_message_exists_in_both_languages() -> None:
    for key, texts in {**matching.MESSAGES, **matching.KIND_NAMES}.items():
        assert set(texts) == {"en", "zh"} and all(texts.values()), key


def test_the_chinese_notes_are_chinese(live_server: str) -> None:
    answer = get(live_server, "/api/lookup/procedures-for-condition", q="C34", lang="zh").json()
    assert answer["notes"] and all("same meaning" not in note for note in answer["notes"])
    assert any("含义相同" in note for note in answer["notes"])


@pytest.mark.parametrize(("header", "expected"), [
    ("zh", "zh"), ("zh-CN", "zh"), ("zh-Hans", "zh"), ("zh-TW", "zh"), ("zh-HK,en;q=0.5", "zh"),
    ("en-GB,zh;q=0.8", "en"), ("fr, zh;q=0.3, en;q=0.2", "zh"), ("zh;q=0, en", "en"), ("de", "en"), ("", "en")])
def test_accept_language_chooses_when_lang_is_absent(header: str, expected: str) -> None:
    assert api_lang(None, header) == expected
    assert api_lang("en", header) == "en"  # lang, when given, wins


def test_accept_language_reaches_the_json_and_the_page(live_server: str) -> None:
    zh = httpx.get(live_server + "/api/lookup/procedures-for-condition", params={"q": "C34"},
                   headers={"Accept-Language": "zh-TW,en;q=0.5"}, timeout=30).json()
    assert zh["matched"]["label"] == "肺癌" and any("含义相同" in note for note in zh["notes"])
    page = httpx.get(live_server + "/referral", params={"q": "mediastinoscope"},
                     headers={"Accept-Language": "zh-CN"}, timeout=30).text
    assert "它是设备" in page


INTERVENTIONAL = {str(TTC.ThermalPerfusionChemotherapy), str(TTC.RadiofrequencyAblation),
                  str(TTC.RadioactiveSeedImplantation)}


@pytest.mark.parametrize("benign", ["Benign lung tumour", "Benign esophageal tumour"])
@pytest.mark.parametrize("include", ["", "narrower", "inferred,narrower"])
def test_no_answer_for_a_benign_condition_suggests_an_interventional_therapy(
        live_server: str, benign: str, include: str) -> None:
    for lookup in ("procedures-for-condition", "workup-for-condition"):
        answer = get(live_server, f"/api/lookup/{lookup}", q=benign, include=include).json()
        assert answer["matched"] is not None
        assert not INTERVENTIONAL & {item["id"] for item in answer["results"]}
    page = httpx.get(live_server + "/referral", params={"q": benign, "include": include}, timeout=30).text
    assert 'data-testid="card"' in page
    assert not any(name in page for name in ("Radiofrequency ablation", "adioactive", "perfusion chemotherapy"))


@pytest.mark.parametrize("therapy", ["radiofrequency ablation", "hyperthermic perfusion chemotherapy"])
def test_an_interventional_therapy_shows_the_unresectable_population(live_server: str, therapy: str) -> None:
    answer = get(live_server, "/api/lookup/conditions-for-procedure", q=therapy).json()
    assert {item["id"] for item in answer["results"]} == {str(TTC.UnresectableAdvancedTumour)}
    page = httpx.get(live_server + "/referral", params={"q": therapy}, timeout=30).text
    assert "Advanced tumour that cannot be surgically resected" in page


def test_the_card_is_json_too(live_server: str) -> None:
    response = get(live_server, "/api/card", q="lung cancer")
    assert response.status_code == 200
    body = response.json()
    assert body["matched"]["id"] == str(TTC.LungCancer) and body["card"]["entity"]["id"] == str(TTC.LungCancer)
    assert body["card"]["groups"] and body["card"]["footnotes"]
    assert {"value": "C34", "mapping": "exactMatch"}.items() <= body["card"]["codes"][0].items()
    page = httpx.get(live_server + "/referral", params={"q": "lung cancer"}, timeout=30).text
    first = body["card"]["groups"][0]["items"][0]["labels"]["en"]
    assert first in page  # the page and the JSON show the same card
    procedure = get(live_server, "/api/card", q="radiofrequency ablation").json()["card"]
    assert [c["id"] for c in procedure["conditions"]] == [str(TTC.UnresectableAdvancedTumour)]
    missing = get(live_server, "/api/card", q="NSCLC")
    assert missing.status_code == 404 and missing.json()["card"] is None
    assert missing.json()["candidates"][0]["id"] == str(TTC.LungCancer)
    assert get(live_server, "/api/card", q="").status_code == 422


def test_narrower_items_follow_hierarchy_claims_and_carry_their_status(live_server: str) -> None:
    plain = get(live_server, "/api/lookup/procedures-for-condition", q="lung cancer").json()
    assert str(TTC.SuperiorSulcusTumourRadicalResection) not in {item["id"] for item in plain["results"]}
    wider = get(live_server, "/api/lookup/procedures-for-condition", q="lung cancer", include="narrower").json()
    pancoast = next(item for item in wider["results"] if item["id"] == str(TTC.SuperiorSulcusTumourRadicalResection))
    assert pancoast["narrower"] and pancoast["hierarchy_status"] in ("stated", "implied", "inferred", "ambiguous")
    assert pancoast["hierarchy_note"]
    page = httpx.get(live_server + "/referral", params={"q": "lung cancer", "include": "narrower"}, timeout=30).text
    assert pancoast["hierarchy_status"] == "inferred"  # the source does not say a Pancoast tumour is lung cancer
    assert "the source does not say this is a kind of Lung cancer" in page
