"""The coordinators' page in headless Chromium: type Chinese, pick a suggestion, read the card, switch language, print."""

from __future__ import annotations

import re
from typing import Any

import pytest

from graph.namespaces import TTC
from tests.browser import ARTIFACTS, visit

pytestmark = pytest.mark.integration


def pdf_pages(pdf: bytes) -> int:
    """The page count Chromium writes in the PDF's page tree."""
    counts = re.findall(rb"/Type\s*/Pages\b[^>]*?/Count\s+(\d+)", pdf)
    assert counts, "no page tree in the PDF"
    return max(int(count) for count in counts)


def test_type_chinese_pick_switch_language_and_print_on_one_a4_page(live_server: str, browser: Any) -> None:
    with visit(browser, live_server + "/referral") as seen:
        page = seen.page
        page.get_by_role("combobox").press_sequentially("肺癌", delay=60)
        option = page.locator("#referral-suggestions[data-for='肺癌'] [role=option]").first
        option.wait_for()
        assert option.get_attribute("data-id") == str(TTC.LungCancer)
        assert "肺癌" in option.inner_text() and "Lung cancer" in option.inner_text()  # both languages
        seen.screenshot("referral-suggestions")
        option.click()
        page.wait_for_url(re.compile(r"/referral\?id="))
        card = page.locator("[data-testid=card]")
        card.wait_for()
        assert card.get_attribute("data-entity") == str(TTC.LungCancer)
        text = card.inner_text()
        for line in ("Radical lung cancer surgery", "Uniportal thoracoscopic lobectomy", "Late-stage lesions",
                     "Head MRI", "PET-CT", "Thoracoscope", "Referral method", "Waiting times"):
            assert line in text, line
        assert "esophagectomy" not in text.lower()  # nothing of another cancer
        assert text.count("not stated in the source") >= 3
        assert page.locator("section.evidence li").count() >= 5
        assert page.locator("a[href^='/graph/entity?id=']").count() == 1
        seen.screenshot("referral-card-en")
        card_url = page.url

        page.get_by_test_id("lang-switch").click()
        page.wait_for_url(re.compile(r"lang=zh"))
        assert page.locator("html").get_attribute("lang") == "zh-Hans"
        text = page.locator("[data-testid=card]").inner_text()
        assert "肺癌根治术" in text and "治疗前检查" in text and "原文未提及" in text
        seen.screenshot("referral-card-zh")

        page.emulate_media(media="print")
        assert page.locator("form.search").is_hidden() and page.locator("header.site").is_hidden()
        seen.screenshot("referral-card-zh-print")
        pdf = page.pdf(format="A4", print_background=True)
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        (ARTIFACTS / "referral-card-zh.pdf").write_bytes(pdf)
        assert pdf_pages(pdf) == 1

        assert any("/api/search?" in url for url in seen.requests)  # the suggestions came from this server
        assert seen.outside_requests() == []
        assert seen.console_errors == []

    with visit(browser, card_url) as again:  # the URL alone reproduces the card
        assert again.page.locator("[data-testid=card]").get_attribute("data-entity") == str(TTC.LungCancer)


def test_keyboard_choice_from_the_home_page_and_inferred_card_still_fits(live_server: str, browser: Any) -> None:
    with visit(browser, live_server + "/") as seen:
        page = seen.page
        page.get_by_role("combobox").press_sequentially("oesoph", delay=40)
        page.locator("#home-suggestions[data-for='oesoph'] [role=option]").first.wait_for()
        page.keyboard.press("ArrowDown")
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(r"/referral\?id="))
        assert page.locator("[data-testid=card]").get_attribute("data-entity") == str(TTC.EsophagealCancer)
        assert "Minimally invasive radical esophagectomy" in page.locator("[data-testid=card]").inner_text()

        page.locator(".toggle-inferred a").click()
        page.wait_for_url(re.compile(r"include=inferred"))
        assert "inferred — not in the source" in page.locator("[data-testid=card]").inner_text()  # Jiang's, marked
        page.emulate_media(media="print")
        assert pdf_pages(page.pdf(format="A4")) == 1
        seen.screenshot("referral-card-inferred-print")
        assert seen.outside_requests() == []
