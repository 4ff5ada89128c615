"""The product serving the center and three synthetic departments (`serve --with DIR`), seen over HTTP and in
Chromium as a coordinator sees it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from graph.namespaces import TTC
from graph.synth import SYNTHETIC
from tests.browser import visit

pytestmark = pytest.mark.integration
CENTER = str(TTC.Center)


def test_departments_and_the_filter_over_http(regional_server: str) -> None:
    listed = httpx.get(regional_server + "/api/departments", params={"lang": "zh"}, timeout=30).json()
    assert listed[0]["id"] == CENTER and len(listed) == 4
    assert [d["synthetic"] for d in listed] == [False, True, True, True]
    assert listed[0]["label"] == "胸部肿瘤中心"
    one = f"{SYNTHETIC}syn-0001/department"
    answer = httpx.get(regional_server + "/api/lookup/procedures-for-condition",
                       params={"q": "lung cancer", "department": one}, timeout=30).json()
    assert answer["results"]
    assert {d["id"] for item in answer["results"] for d in item["departments"] + item["also_offered_by"]} == {one}
    assert {s["department"] for item in answer["results"] for s in item["evidence"]} == {one}
    refused = httpx.get(regional_server + "/api/lookup/procedures-for-condition",
                        params={"q": "lung cancer", "department": "ttc:Nowhere"}, timeout=30)
    assert refused.status_code == 422 and "not a department" in refused.text


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_card_groups_by_department_and_marks_the_synthetic_ones(regional_server: str, browser: Any,
                                                                    lang: str) -> None:
    with visit(browser, f"{regional_server}/referral?q=lung+cancer&lang={lang}") as seen:
        page = seen.page
        section = page.locator('[data-testid="by-department"]')
        assert section.count() == 1
        departments = section.locator(".department")
        assert departments.count() == 4
        assert departments.nth(0).get_attribute("data-department") == CENTER  # the real center first
        assert departments.nth(0).locator('[data-testid="synthetic"]').count() == 0
        for i in range(1, 4):  # every synthetic department says so, in the page's language
            mark = departments.nth(i).locator('[data-testid="synthetic"]')
            assert mark.count() == 1
            assert ("合成数据" if lang == "zh" else "synthetic") in mark.inner_text()
        # every footnote quoted from a synthetic department's text says whose it is
        quotes = page.locator(".evidence li")
        synthetic_quotes = [quotes.nth(i) for i in range(quotes.count())
                            if quotes.nth(i).locator(".synthetic").count()]
        assert synthetic_quotes
        seen.screenshot(f"regional-card-{lang}")
        assert seen.outside_requests() == [] and seen.console_errors == []


def test_a_filtered_card_says_which_departments_it_shows_and_keeps_them_on_switching(regional_server: str,
                                                                                   browser: Any) -> None:
    one = f"{SYNTHETIC}syn-0001/department"
    with visit(browser, f"{regional_server}/referral?q=lung+cancer&lang=en&department={one}") as seen:
        page = seen.page
        assert "Lung Cancer Center" in page.locator('[data-testid="only-departments"]').inner_text()
        assert page.locator('[data-testid="by-department"]').count() == 0  # one department: no grouping
        assert "Uniportal thoracoscopic lobectomy" not in page.inner_text("body")  # the real center's alone
        page.click('[data-testid="lang-switch"]')
        page.wait_for_load_state()
        assert "肺癌诊疗中心" in page.locator('[data-testid="only-departments"]').inner_text()


def test_the_single_center_card_has_no_department_section(live_server: str, browser: Any, tmp_path: Path) -> None:
    with visit(browser, f"{live_server}/referral?q=lung+cancer&lang=en") as seen:
        assert seen.page.locator('[data-testid="card"]').count() == 1
        assert seen.page.locator('[data-testid="by-department"]').count() == 0
        assert seen.page.locator('[data-testid="synthetic"]').count() == 0
        assert "each department" not in seen.page.inner_text("body")


def test_the_regional_network_shows_departments_and_what_they_share(regional_server: str) -> None:
    view = httpx.get(regional_server + "/api/graph/regional", params={"lang": "zh"}, timeout=30).json()
    nodes = {n["id"]: n for n in view["nodes"]}
    departments = [n for n in view["nodes"] if n["type"] == "Center"]
    assert len(departments) == 4 and nodes[CENTER].get("synthetic") is None
    assert all(n.get("synthetic") is True for n in departments if n["id"] != CENTER)
    lung = nodes[str(TTC.LungCancer)]
    assert len(lung["departments"]) >= 3 and {"en": "Thoracic Tumor Center", "zh": "胸部肿瘤中心"} in lung["departments"]
    assert all(edge["source"] in {d["id"] for d in departments} for edge in view["edges"])  # only the departments' own
    capped = httpx.get(regional_server + "/api/graph/regional", params={"max_nodes": 6}, timeout=30).json()
    assert capped["capped"] is True and len(capped["nodes"]) == 6
    assert sum(n["type"] == "Center" for n in capped["nodes"]) == 4  # the departments are kept first


def test_the_regional_network_page_draws_offline(regional_server: str, browser: Any) -> None:
    with visit(browser, f"{regional_server}/graph/regional?lang=zh") as seen:
        seen.page.wait_for_selector("canvas")
        assert "各科室及其共有的能力" in seen.page.inner_text("body")
        seen.screenshot("regional-network-zh")
        assert seen.outside_requests() == [] and seen.console_errors == []


def test_each_department_has_its_json_ld_and_fhir_organization(regional_server: str) -> None:
    listed = httpx.get(regional_server + "/api/departments", timeout=30).json()
    assert [d["key"] for d in listed][:1] == ["Center"]
    for entry in listed:
        document = httpx.get(regional_server + entry["jsonld"], timeout=30)
        assert document.status_code == 200 and document.headers["content-type"].startswith("application/ld+json")
        text = document.text
        assert entry["labels"]["en"].split(",")[0] in text
        assert ("synthetic" in text) is entry["synthetic"]  # a generated department says so; the center never
        organization = httpx.get(regional_server + entry["fhir"], timeout=30)
        assert organization.status_code == 200 and organization.json()["id"] == entry["key"]
    center = httpx.get(regional_server + "/departments/Center.jsonld", timeout=30).json()
    assert center == httpx.get(regional_server + "/center.jsonld", timeout=30).json()
    missing = httpx.get(regional_server + "/departments/nowhere.jsonld", timeout=30)
    assert missing.status_code == 404 and "/api/departments" in missing.text
