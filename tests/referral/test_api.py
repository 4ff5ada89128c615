"""The referral JSON API and page on the real product (uvicorn on 127.0.0.1): what a coordinator's tools receive."""

from __future__ import annotations

import re

import httpx
import pytest

from graph.namespaces import TTC

CENTER = str(TTC.Center)

pytestmark = pytest.mark.integration

SHAPE = {"input", "matched", "candidates", "results", "notes"}
ENTITY = {"id", "type", "label", "labels", "matched_label"}

#: lookup, what a person types, the entity it must match, and one result the answer must hold.
MATCHES = [
    # procedures-for-condition
    ("procedures-for-condition", "lung cancer", TTC.LungCancer, TTC.RadicalLungCancerSurgery),           # English
    ("procedures-for-condition", "肺癌", TTC.LungCancer, TTC.NeoadjuvantChemotherapy),                    # Chinese
    ("procedures-for-condition", "carcinoma of the lung", TTC.LungCancer, TTC.ThoracoscopicSurgery),     # synonym
    ("procedures-for-condition", "C15", TTC.EsophagealCancer, TTC.MinimallyInvasiveRadicalEsophagectomy),  # code
    ("procedures-for-condition", "OESOPHAGUS CANCER", TTC.EsophagealCancer,                             # British, folded
     TTC.NonThoracicEsophagealCancerEndoscopicRadicalResection),
    ("procedures-for-condition", "sweaty hands", TTC.PalmarHyperhidrosis, TTC.UniportalSurgeryForPalmarHyperhidrosis),
    # conditions-for-procedure
    ("conditions-for-procedure", "radiofrequency ablation", TTC.RadiofrequencyAblation, TTC.UnresectableAdvancedTumour),
    ("conditions-for-procedure", "射频消融", TTC.RadiofrequencyAblation, TTC.UnresectableAdvancedTumour),
    ("conditions-for-procedure", "hyperthermic perfusion chemotherapy", TTC.ThermalPerfusionChemotherapy,
     TTC.UnresectableAdvancedTumour),
    ("conditions-for-procedure", "MIE", TTC.MinimallyInvasiveRadicalEsophagectomy, TTC.EsophagealCancer),  # abbreviation
    ("conditions-for-procedure", "Benign Oesophageal Tumor Resection", TTC.BenignEsophagealTumourResection,
     TTC.BenignEsophagealTumour),                                                                        # mixed spellings
    ("conditions-for-procedure", "PET/CT", TTC.PETCT, TTC.LungCancer),
    # equipment-for-procedure
    ("equipment-for-procedure", "robotic surgery", TTC.RoboticSurgery, TTC.DaVinciSurgicalSystem),
    ("equipment-for-procedure", "纵隔镜活检", TTC.MediastinoscopyBiopsy, TTC.Mediastinoscope),
    ("equipment-for-procedure", "Da Vinci surgery", TTC.RoboticSurgery, TTC.DaVinciSurgicalSystem),      # synonym
    ("equipment-for-procedure", "VATS", TTC.ThoracoscopicSurgery, TTC.Thoracoscope),                     # abbreviation
    ("equipment-for-procedure", "single-port thoracoscopic lobectomy", TTC.UniportalThoracoscopicLobectomy, TTC.Thoracoscope),
    # workup-for-condition
    ("workup-for-condition", "esophageal cancer", TTC.EsophagealCancer, TTC.PETCT),
    ("workup-for-condition", "食道癌", TTC.EsophagealCancer, TTC.HeadMRI),                                # Chinese synonym
    ("workup-for-condition", "C34", TTC.LungCancer, TTC.MediastinoscopyBiopsy),
    ("workup-for-condition", "Cancer of the Oesophagus", TTC.EsophagealCancer, TTC.ECT),                  # British
    ("workup-for-condition", "Ｌｕｎｇ　Ｃａｎｃｅｒ", TTC.LungCancer, TTC.PETCT),                           # full-width
]

#: misspelt input: 404, nothing guessed, the intended entity first among the close names.
MISSPELT = [
    ("procedures-for-condition", "lung cancr", TTC.LungCancer),
    ("procedures-for-condition", "medistinal tumour", TTC.MediastinalTumour),
    ("conditions-for-procedure", "radiofrequncy ablation", TTC.RadiofrequencyAblation),
    ("equipment-for-procedure", "mediastinoscopy biopsi", TTC.MediastinoscopyBiopsy),
    ("workup-for-condition", "esophagal cancer", TTC.EsophagealCancer),
]

#: conditions the center does not treat (the source's "breast" slip is a hidden label of thoracic tumour, not breast cancer).
NOT_TREATED = ["leukaemia", "leukemia", "glioma", "breast cancer", "乳腺癌", "gastric cancer", "colon cancer", "C50"]


def get(base: str, path: str, **params: str) -> httpx.Response:
    return httpx.get(base + path, params=params, timeout=30)


@pytest.mark.parametrize(("lookup", "typed", "entity", "expected"), MATCHES)
def test_lookup_matches_and_answers(live_server: str, lookup: str, typed: str, entity: str, expected: str) -> None:
    response = get(live_server, f"/api/lookup/{lookup}", q=typed)
    assert response.status_code == 200, response.text
    answer = response.json()
    assert set(answer) == SHAPE and answer["input"] == typed
    assert answer["matched"]["id"] == str(entity) and set(answer["matched"]) == ENTITY | {"match"}
    assert answer["candidates"] == []
    assert str(expected) in {item["id"] for item in answer["results"]}
    for item in answer["results"]:
        assert ENTITY <= set(item) and item["status"] in ("stated", "implied")
        assert item["evidence"] and all(set(span) == {"quote", "start", "end", "department"} for span in item["evidence"])
        assert {span["department"] for span in item["evidence"]} == {CENTER}  # the center alone: every quote its own


@pytest.mark.parametrize(("lookup", "typed", "intended"), MISSPELT)
def test_misspelt_input_is_not_guessed_but_suggested(live_server: str, lookup: str, typed: str, intended: str) -> None:
    response = get(live_server, f"/api/lookup/{lookup}", q=typed)
    assert response.status_code == 404
    answer = response.json()
    assert set(answer) == SHAPE and answer["matched"] is None and answer["results"] == []
    assert any("not stated in the source" in note.lower() for note in answer["notes"])
    assert answer["candidates"][0]["id"] == str(intended)


@pytest.mark.parametrize("typed", NOT_TREATED)
@pytest.mark.parametrize("lookup", ["procedures-for-condition", "workup-for-condition"])
def test_conditions_the_center_does_not_treat_get_404(live_server: str, lookup: str, typed: str) -> None:
    response = get(live_server, f"/api/lookup/{lookup}", q=typed)
    assert response.status_code == 404
    answer = response.json()
    assert answer["results"] == [] and answer["matched"] is None
    assert answer["candidates"] == []  # no other cancer offered in its place
    assert "not stated in the source" in answer["notes"][0].lower()


def test_the_breast_slip_is_findable_only_as_the_source_worded_it(live_server: str) -> None:
    answer = get(live_server, "/api/lookup/procedures-for-condition", q="breast benign and malignant tumors").json()
    assert answer["matched"]["id"] == str(TTC.ThoracicTumour)
    assert any("hidden label" in note and "does not say the center treats breast cancer" in note
               for note in answer["notes"])


def test_lung_and_esophageal_answers_do_not_mix(live_server: str) -> None:
    lung = {item["id"] for item in get(live_server, "/api/lookup/procedures-for-condition", q="lung cancer",
                                       include="inferred,narrower").json()["results"]}
    esophageal = {item["id"] for item in get(live_server, "/api/lookup/procedures-for-condition",
                                             q="esophageal cancer", include="inferred").json()["results"]}
    assert str(TTC.MinimallyInvasiveRadicalEsophagectomy) not in lung and str(TTC.JiangsAnastomosis) not in lung
    assert str(TTC.RadicalLungCancerSurgery) not in esophageal and str(TTC.Segmentectomy) not in esophageal
    assert str(TTC.RadiofrequencyAblation) not in lung | esophageal  # stated for thoracic tumours in general only
    assert lung & esophageal == {str(TTC.ThoracoscopicSurgery), str(TTC.SystematicLymphNodeDissection),
                                 str(TTC.NeoadjuvantChemotherapy)}  # the source says these of both


def test_several_matches_give_candidates_and_no_results(live_server: str) -> None:
    response = get(live_server, "/api/lookup/procedures-for-condition", q="esophageal")
    assert response.status_code == 200
    answer = response.json()
    assert answer["matched"] is None and answer["results"] == []
    assert {str(TTC.EsophagealCancer), str(TTC.BenignEsophagealTumour)} <= {c["id"] for c in answer["candidates"]}


def test_chinese_labels_on_request(live_server: str) -> None:
    answer = get(live_server, "/api/lookup/workup-for-condition", q="lung cancer", lang="zh").json()
    assert answer["matched"]["label"] == "肺癌" and answer["matched"]["labels"] == {"en": "Lung cancer", "zh": "肺癌"}
    assert "正电子发射计算机断层显像" in {item["label"] for item in answer["results"]}


@pytest.mark.parametrize(("path", "params", "message"), [
    ("/api/lookup/procedures-for-condition", {"q": ""}, "q: must not be empty"),
    ("/api/lookup/procedures-for-condition", {}, "q: must not be empty"),
    ("/api/lookup/conditions-for-procedure", {"q": "   "}, "q: must not be empty"),
    ("/api/lookup/equipment-for-procedure", {"q": "x" * 201}, "q: is longer than 200 characters"),
    ("/api/lookup/workup-for-condition", {"q": "lung\x00cancer"}, "q: must not contain control characters"),
    ("/api/lookup/workup-for-condition", {"q": "lung\x1bcancer"}, "q: must not contain control characters"),
    ("/api/search", {"q": "\x07"}, "q: must not contain control characters"),
    ("/api/lookup/procedures-for-condition", {"q": "lung cancer", "include": "everything"}, "include: unknown value"),
    ("/api/lookup/procedures-for-condition", {"q": "lung cancer", "lang": "fr"}, "lang: must be en or zh"),
    ("/api/search", {"q": "lung", "limit": "1000"}, "limit: must be between 1 and 50"),
    ("/api/search", {"q": "lung", "limit": "ten"}, "limit: must be a whole number"),
    ("/api/search", {"q": "lung", "type": "cancer"}, "type: unknown kind 'cancer'"),
    ("/api/center", {"include": "rumours"}, "include: unknown value"),
])
def test_bad_input_gets_422_in_plain_words(live_server: str, path: str, params: dict[str, str], message: str) -> None:
    response = get(live_server, path, **params)
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("text/plain")
    assert response.text.startswith(message)
    assert "Traceback" not in response.text and "/work" not in response.text and ".py" not in response.text


def test_search_for_type_ahead(live_server: str) -> None:
    answer = get(live_server, "/api/search", q="肺", limit="5").json()
    assert set(answer) == SHAPE and answer["results"][0]["id"] == str(TTC.LungCancer)
    assert len(answer["results"]) == 5
    procedures = get(live_server, "/api/search", q="vats", type="procedure,therapy").json()["results"]
    assert procedures[0]["id"] == str(TTC.ThoracoscopicSurgery)
    assert {item["type"] for item in procedures} <= {"procedure", "therapy"}
    codes = get(live_server, "/api/search", q="C34").json()["results"]
    assert codes[0]["id"] == str(TTC.LungCancer) and codes[0]["matched_label"] == "C34" and codes[0]["match"] == "code"
    nothing = get(live_server, "/api/search", q="glioma")
    assert nothing.status_code == 404 and nothing.json()["results"] == []


def test_center_profile(live_server: str) -> None:
    profile = get(live_server, "/api/center").json()
    assert profile["center"]["id"] == str(TTC.Center) and profile["center"]["labels"]["zh"] == "胸部肿瘤中心"
    papers = next(f for f in profile["figures"] if f["period"] == "P5Y" and "more than 40" in f["verbatim"])
    assert papers["value"] is None and papers["minimum"] == 40 and papers["exclusive"] is True
    assert papers["evidence"][0]["quote"].startswith("In the past 5 years")
    assert set(profile["services"]) == {"examination", "procedure", "therapy"}
    assert all({"routine", "difficult", "minimally_invasive"} <= set(s) for kind in profile["services"].values() for s in kind)
    ambiguous = get(live_server, "/api/center", include="inferred").json()["figures"]
    assert len(ambiguous) == len(profile["figures"]) and {"ambiguous"} <= {f["status"] for f in profile["figures"]}
    assert all("note" in f and "decade" in f for f in profile["figures"])  # every figure shown, with its note


def test_the_page_works_without_javascript(live_server: str) -> None:
    card = get(live_server, "/referral", q="lung cancer")
    assert card.status_code == 200 and 'data-testid="card"' in card.text
    assert "Radical lung cancer surgery" in card.text and "Minimally invasive radical esophagectomy" not in card.text
    assert card.text.count("not stated in the source") >= 3  # referral method, contact, waiting times
    links = re.findall(r'href="(/(?:graph/)?entity\?id=[^"]+)"', card.text)
    assert len(links) == 2 and {httpx.URL(link).params["id"] for link in links} == {str(TTC.LungCancer)}
    same = get(live_server, "/referral", id=str(TTC.LungCancer), lang="zh")
    assert '<html lang="zh-Hans">' in same.text and "肺癌根治术" in same.text and "原文未提及" in same.text
    assert get(live_server, "/referral", q="glioma").status_code == 404
    assert get(live_server, "/referral", q="x" * 300).status_code == 422
    hostile = get(live_server, "/referral", q='<script>alert("x")</script>')
    assert hostile.status_code == 404 and "<script>alert" not in hostile.text and "&lt;script&gt;" in hostile.text


def test_home_page_puts_the_referral_search_first(live_server: str) -> None:
    home = get(live_server, "/").text
    after_search = home[home.index('action="/referral"'):]
    for link in ("/graph", "/sparql", "/queries", "/ontology", "/docs", "/downloads/ontology.ttl", "/downloads/graph.nt",
                 "/downloads/manifest.json"):
        assert f'href="{link}"' in after_search, link


def test_the_card_marks_a_narrower_condition_whose_link_is_only_inferred(live_server: str) -> None:
    """Lung cancer's card lists the superior sulcus tumour below it, but the source never says it is a lung cancer."""
    for lang, words in (("en", "the source does not say this is a kind of Lung cancer"), ("zh", "原文未说明这是肺癌的一种")):
        page = httpx.get(live_server + "/referral", params={"id": str(TTC.LungCancer), "lang": lang}).text
        header = page.split('data-testid="narrower-unstated"', 1)
        assert len(header) == 2 and words in header[1].split("</span>", 1)[0], lang
    card = httpx.get(live_server + "/api/card", params={"q": "lung cancer"}).json()["card"]
    assert [(n["id"], n["link_stated"]) for n in card["narrower"]] == [(str(TTC.SuperiorSulcusTumour), False)]
    thoracic = httpx.get(live_server + "/api/card", params={"q": "thoracic tumour"}).json()["card"]
    assert all(n["link_stated"] for n in thoracic["narrower"])  # the implied links are readings, but facts


def test_center_profile_over_http_keeps_the_work_up_and_both_languages_of_figures(live_server: str) -> None:
    """The response model must not drop what the profile adds: the work-up apart from services, figure labels."""
    profile = get(live_server, "/api/center").json()
    assert {(w["id"], w["routine"]) for w in profile["workup"]} == {
        (str(TTC.HeadMRI), True), (str(TTC.ECT), True), (str(TTC.PETCT), False), (str(TTC.MediastinoscopyBiopsy), False)}
    assert all(f["labels"]["en"] and f["labels"]["zh"] for f in profile["figures"])
