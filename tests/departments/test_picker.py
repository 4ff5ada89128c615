"""The department picker of /referral (issue 11): a coordinator chooses which departments an answer covers, in
Chromium and with JavaScript off, in both languages; a single-center install shows no picker at all."""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from graph.namespaces import TTC
from graph.synth import SYNTHETIC
from queries import matching
from queries import referral as ref
from tests.browser import poll, visit
from tests.integration.test_accessibility import axe_violations

pytestmark = pytest.mark.integration
CENTER = str(TTC.Center)
ONE = f"{SYNTHETIC}syn-0001/department"  # seed 5: the Lung Cancer Center, 肺癌诊疗中心


def _box(page: Any, department: str) -> Any:
    return page.locator(f'[data-testid="department-picker"] input[name="department"][value="{department}"]')


def test_choose_one_department_submit_and_keep_it_on_switching_language(regional_server: str, browser: Any) -> None:
    with visit(browser, f"{regional_server}/referral?q=lung+cancer&lang=en") as seen:
        page = seen.page
        picker = page.get_by_test_id("department-picker")
        boxes = picker.locator('input[name="department"]')
        assert boxes.count() == 4 and boxes.nth(0).get_attribute("value") == CENTER  # the real center first
        assert picker.get_by_test_id("picker-synthetic").count() == 3  # every synthetic one says so
        assert "Departments: all 4" in picker.locator("summary").inner_text()  # the default: every department
        assert "department=" not in page.url
        picker.locator("summary").click()
        assert "synthetic: generated test data" in picker.get_by_test_id("picker-synthetic").first.inner_text()
        page.get_by_role("checkbox", name=re.compile("Lung Cancer Center")).check()
        assert picker.locator("summary").inner_text().endswith("1 of 4 chosen: Lung Cancer Center, Qingdao Jiangtai "
                                                               "County Hospital")  # what is chosen, seen closed too
        page.get_by_role("button", name="Look up").click()
        page.wait_for_url(re.compile(r"department="))
        assert parse_qs(urlsplit(page.url).query)["department"] == [ONE]
        only = page.get_by_test_id("only-departments").inner_text()
        assert "Lung Cancer Center" in only and "Thoracic Tumor Center" not in only
        assert page.locator('[data-testid="by-department"]').count() == 0  # the other departments' sections gone
        assert "Uniportal thoracoscopic lobectomy" not in page.inner_text("body")  # the real center's own
        assert _box(page, ONE).is_checked() and _box(page, CENTER).is_checked() is False
        seen.screenshot("referral-picker-en")

        page.get_by_test_id("lang-switch").click()
        page.wait_for_url(re.compile(r"lang=zh"))
        assert "肺癌诊疗中心" in page.get_by_test_id("only-departments").inner_text()
        assert _box(page, ONE).is_checked()
        summary = page.get_by_test_id("department-picker").locator("summary").inner_text()
        assert summary.endswith("已选 1 个（共 4 个）：青岛江台县医院肺癌诊疗中心")
        assert "合成数据：为测试生成" in page.get_by_test_id("picker-synthetic").first.inner_text()
        seen.screenshot("referral-picker-zh")
        assert seen.outside_requests() == [] and seen.console_errors == []


def test_the_filter_box_narrows_the_list_in_both_languages_and_never_submits(regional_server: str,
                                                                            browser: Any) -> None:
    with visit(browser, f"{regional_server}/referral?lang=zh") as seen:
        page = seen.page
        page.get_by_test_id("department-picker").locator("summary").click()
        items = page.locator(".picker-list li")
        box = page.get_by_role("searchbox", name="筛选列表")
        box.fill("肺癌")
        assert [items.nth(i).is_visible() for i in range(items.count())].count(True) == 1
        assert page.locator("#picker-shown").inner_text() == "显示 1 个（共 4 个）"
        box.fill("lung cancer center")  # the other language's name finds it too
        assert [items.nth(i).is_visible() for i in range(items.count())].count(True) == 1
        box.press("Enter")
        assert "q=" not in page.url  # Enter filters; it does not send the search
        box.press("Escape")
        assert all(items.nth(i).is_visible() for i in range(items.count()))
        assert page.locator("#picker-shown").inner_text() == ""


def test_the_picker_works_from_the_keyboard(regional_server: str, browser: Any) -> None:
    with visit(browser, f"{regional_server}/referral?q=lung+cancer&lang=en") as seen:
        page = seen.page
        page.locator("#referral-q").focus()
        for _ in range(6):  # past the button to the picker's summary
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement.tagName") == "SUMMARY":
                break
        page.keyboard.press("Enter")  # opens it
        page.keyboard.press("Tab")  # the filter box
        page.keyboard.type("lung")
        page.keyboard.press("Tab")  # the first department still shown
        page.keyboard.press("Space")
        assert _box(page, ONE).is_checked()
        page.locator("#referral-q").press("Enter")
        page.wait_for_url(re.compile(r"department="))
        assert "Lung Cancer Center" in page.get_by_test_id("only-departments").inner_text()


def test_without_javascript_the_form_still_filters(regional_server: str, browser: Any) -> None:
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(f"{regional_server}/referral?q=lung+cancer&lang=en")
        page.get_by_test_id("department-picker").locator("summary").click()
        assert page.get_by_role("checkbox").first.is_visible()
        assert page.locator("[data-picker-filter]").is_hidden()  # the filter box is the script's: no dead box
        page.get_by_role("checkbox", name=re.compile("Lung Cancer Center")).check()
        page.get_by_role("button", name="Look up").click()
        page.wait_for_url(re.compile(r"department="))
        assert "Lung Cancer Center" in page.get_by_test_id("only-departments").inner_text()
        assert page.locator('[data-testid="by-department"]').count() == 0
    finally:
        context.close()


def test_a_plain_get_keeps_the_choice_in_the_form_and_in_every_link(regional_server: str) -> None:
    card = httpx.get(regional_server + "/referral", params={"q": "lung cancer", "department": ONE}).text
    assert re.search(rf'value="{re.escape(ONE)}"[^>]* checked', card)
    assert len(re.findall(r'name="department"[^>]* checked', card)) == 1
    switch = re.search(r'href="([^"]+)"[^>]*data-testid="lang-switch"', card)
    assert switch and parse_qs(urlsplit(switch.group(1).replace("&amp;", "&")).query)["department"] == [ONE]
    links = [href.replace("&amp;", "&") for href in re.findall(r'href="(/referral\?id=[^"]+)"', card)]
    assert links and all(parse_qs(urlsplit(link).query)["department"] == [ONE] for link in links)
    reset = re.search(r'href="([^"]+)" data-testid="picker-reset"', card)
    assert reset and "department" not in reset.group(1)  # back to every department, without a script

    choose = httpx.get(regional_server + "/referral", params={"q": "cancer", "department": ONE})  # candidates
    candidates = re.findall(r'<ul class="candidates">.*?</ul>', choose.text, flags=re.S)
    assert candidates and "department=" in candidates[0]
    missing = httpx.get(regional_server + "/referral", params={"q": "zzzz cancer", "department": ONE})
    assert missing.status_code == 404 and re.search(rf'value="{re.escape(ONE)}"[^>]* checked', missing.text)


def test_an_unknown_department_is_a_clear_422_with_the_picker_to_fix_it(regional_server: str) -> None:
    for params in ({"q": "lung cancer", "department": "ttc:Nowhere"}, {"department": "ttc:Nowhere"}):
        page = httpx.get(regional_server + "/referral", params=params)
        assert page.status_code == 422 and "not a department of this graph" in page.text
        assert 'data-testid="department-picker"' in page.text and " checked" not in page.text


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_page_with_the_picker_open_passes_axe(regional_server: str, browser: Any, lang: str) -> None:
    with visit(browser, f"{regional_server}/referral?q=lung+cancer&lang={lang}&department={ONE}") as seen:
        seen.page.wait_for_selector(".card")
        assert seen.page.get_by_test_id("department-picker").get_attribute("open") is not None  # a choice opens it
        seen.page.get_by_role("searchbox").last.fill("lung")
        found = axe_violations(seen.page)
        assert found == [], "\n".join(map(str, found))


def test_a_department_of_the_regional_network_links_to_the_card_for_it_alone(regional_server: str,
                                                                           browser: Any) -> None:
    with visit(browser, f"{regional_server}/graph/regional?lang=zh") as seen:
        page = seen.page
        poll(page, "document.getElementById('network').dataset.stabilized === 'true'")
        page.fill("#search", "肺癌诊疗中心")
        page.press("#search", "Enter")
        poll(page, f"document.getElementById('network').dataset.selected === {json.dumps(ONE)}")
        link = page.get_by_test_id("referral-department")
        assert link.inner_text() == "只查此科室的转诊信息"
        link.click()
        page.wait_for_url(re.compile(r"/referral\?department="))
        assert _box(page, ONE).is_checked() and page.locator("html").get_attribute("lang") == "zh-Hans"
        assert seen.outside_requests() == [] and seen.console_errors == []


def test_the_single_center_page_has_no_picker(live_server: str, browser: Any) -> None:
    for path in ("/referral?lang=en", "/referral?q=lung+cancer&lang=en", "/referral?q=lung+cancer&lang=zh"):
        with visit(browser, live_server + path) as seen:
            assert seen.page.get_by_test_id("department-picker").count() == 0
            assert seen.page.locator('input[name="department"], fieldset').count() == 0
            assert "department=" not in seen.page.content()
    with visit(browser, live_server + "/graph") as seen:  # nor its network a link to one department's card
        poll(seen.page, "document.getElementById('network').dataset.stabilized === 'true'")
        seen.page.fill("#search", "Thoracic Tumor Center")
        seen.page.press("#search", "Enter")
        poll(seen.page, f"document.getElementById('network').dataset.selected === {json.dumps(CENTER)}")
        assert seen.page.get_by_test_id("referral-department").count() == 0


def test_choices_are_grouped_by_hospital_with_the_center_first() -> None:
    entities = {e.id: e for e in (
        matching.Entity(CENTER, "center", "Thoracic Tumor Center", "胸部肿瘤中心"),
        matching.Entity("urn:h:b", "organization", "B Hospital", "乙医院"),
        matching.Entity("urn:h:a", "organization", "A Hospital", "甲医院"),
        matching.Entity("urn:d:2", "center", "Thoracic Surgery, B Hospital", "乙医院胸外科"),
        matching.Entity("urn:d:3", "center", "Oncology, A Hospital", "甲医院肿瘤科"),
        matching.Entity("urn:d:4", "center", "Esophageal Surgery, A Hospital"))}
    departments = {CENTER: matching.Department(CENTER),
                   "urn:d:2": matching.Department("urn:d:2", hospital="urn:h:b", synthetic=True),
                   "urn:d:3": matching.Department("urn:d:3", hospital="urn:h:a", synthetic=True),
                   "urn:d:4": matching.Department("urn:d:4", hospital="urn:h:a", synthetic=True)}
    index = matching.LabelIndex(entities, [], departments=departments)
    groups = ref.department_choices(index, "zh", ["urn:d:3"])
    assert [g["hospital"] and g["hospital"]["id"] for g in groups] == [None, "urn:h:a", "urn:h:b"]
    assert [[d["id"] for d in g["departments"]] for g in groups] == [[CENTER], ["urn:d:4", "urn:d:3"], ["urn:d:2"]]
    assert [g["synthetic"] for g in groups] == [False, True, True]
    assert [d["short"] for d in groups[1]["departments"]] == ["Esophageal Surgery", "肿瘤科"]  # no zh: English
    assert [d["chosen"] for g in groups for d in g["departments"]] == [False, False, True, False]
    assert ref.department_choices(matching.LabelIndex(entities, [], departments={CENTER: departments[CENTER]}),
                                  "en") == []
