"""The ontology and entity pages in headless Chromium on the live product: anchors land, links lead on (into the
editor and from entity to entity), and nothing is loaded from anywhere but 127.0.0.1."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser import Visit, poll, visit
from tests.integration.test_editor_browser import editor_text, result_rows

pytestmark = pytest.mark.integration


def clean(seen: Visit) -> None:
    assert seen.requests and seen.outside_requests() == [] and seen.console_errors == []


def in_view(page: Any, selector: str) -> bool:
    box = page.locator(selector).bounding_box()
    return box is not None and 0 <= box["y"] < page.viewport_size["height"]


def test_ontology_anchor_lands_on_its_section(live_server: str, browser: Any) -> None:
    with visit(browser, live_server + "/ontology#SurgicalProcedure") as seen:
        page = seen.page
        assert in_view(page, "#SurgicalProcedure") and not in_view(page, "#hierarchy")
        section = page.inner_text("#SurgicalProcedure")
        assert "kg:SurgicalProcedure" in section and "23 instances in the built graph" in section
        assert "subclass of Surgical procedure schema:SurgicalProcedure" in section
        seen.screenshot("ontology-surgical-procedure")
        clean(seen)
    with visit(browser, live_server + "/ontology") as seen:
        seen.screenshot("ontology")
        clean(seen)


def test_an_ontology_example_opens_and_runs_in_the_editor(live_server: str, browser: Any) -> None:
    with visit(browser, live_server + "/ontology#Cancer") as seen:
        page = seen.page
        page.click("#Cancer a.run")
        page.wait_for_url("**/sparql**")
        poll(page, "() => !!window.kgEditor")
        assert "?instance a kg:Cancer" in editor_text(page)
        assert result_rows(page) == 2  # lung and esophageal cancer (the superior sulcus tumour: malignancy not stated)
        with page.context.expect_page() as opened:
            page.locator(".yasr .dataTable tbody a[href^='/entity?id=']").first.click()
        entity = opened.value
        entity.wait_for_load_state()
        assert entity.locator("h1").inner_text().strip()
        assert "/entity?id=" in entity.url
        clean(seen)


def test_entity_page_links_lead_on(live_server: str, browser: Any) -> None:
    with visit(browser, live_server + "/entity?id=ttc:LungCancer") as seen:
        page = seen.page
        assert page.locator("h1").inner_text().startswith("Lung cancer")
        assert "肺癌" in page.locator("h1").inner_text()
        seen.screenshot("entity-lung-cancer")
        page.locator("#facts a", has_text="Radical lung cancer surgery").first.click()
        page.wait_for_url("**RadicalLungCancerSurgery**")
        assert page.locator("h1").inner_text().startswith("Radical lung cancer surgery")
        page.locator(".types a", has_text="Surgical procedure").first.click()
        page.wait_for_url("**/ontology#SurgicalProcedure")
        assert in_view(page, "#SurgicalProcedure")
        clean(seen)
