"""Every page passes axe-core (the pinned npm package in web/, injected by the test, never served) with no
serious or critical violation; the referral search works from the keyboard alone; the top bar names the
product's parts as the home page does, in the page's language."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.browser import poll, visit

pytestmark = pytest.mark.integration

AXE = Path(__file__).parents[2] / "web" / "node_modules" / "axe-core" / "axe.min.js"

PAGES = {
    "home": ("/", "h1"),
    "home-zh": ("/?lang=zh", "h1"),
    "referral-card": ("/referral?q=lung%20cancer", ".card"),
    "referral-card-zh": ("/referral?q=%E8%82%BA%E7%99%8C&lang=zh", ".card"),
    "network": ("/graph", "#network canvas"),
    "network-zh": ("/graph?lang=zh", "#network canvas"),
    "editor": ("/sparql", ".yasqe"),
    "editor-zh": ("/sparql?lang=zh", ".yasqe"),
    "catalog": ("/queries", "h1"),
    "catalog-zh": ("/queries?lang=zh", "h1"),
    "ontology": ("/ontology", "h1"),
    "entity": ("/entity?id=ttc:LungCancer", "h1"),
    "entity-zh": ("/entity?id=ttc:LungCancer&lang=zh", "h1"),
    "ontology-zh": ("/ontology?lang=zh", "h1"),
    "curate": ("/curate", "h1"),
    "curate-zh": ("/curate?lang=zh", "h1"),
    "api-docs": ("/docs", ".opblock"),
    "api-docs-zh": ("/docs?lang=zh", ".opblock"),
}


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """Serious and critical axe-core violations of the page as it is now (axe is evaluated, not served)."""
    page.evaluate(AXE.read_text(encoding="utf-8") + "\n;0")
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [{"id": v["id"], "impact": v["impact"], "help": v["help"],
             "nodes": [n["target"] for n in v["nodes"]][:5]}
            for v in result["violations"] if v["impact"] in ("serious", "critical")]


@pytest.mark.parametrize("name", PAGES)
def test_page_has_no_serious_accessibility_violation(live_server: str, browser: Any, name: str) -> None:
    path, selector = PAGES[name]
    with visit(browser, live_server + path) as seen:
        seen.page.wait_for_selector(selector, timeout=60_000)
        seen.page.wait_for_load_state("networkidle")
        found = axe_violations(seen.page)
        assert found == [], "\n".join(map(str, found))
        assert seen.outside_requests() == []


def test_axe_is_never_served(live_server: str) -> None:
    for path in ("/static/vendor/axe-core/axe.min.js", "/static/axe-core/axe.min.js", "/static/vendor/axe.min.js"):
        assert httpx.get(live_server + path, timeout=30).status_code == 404


def test_the_referral_search_and_card_work_from_the_keyboard_alone(live_server: str, browser: Any) -> None:
    with visit(browser, live_server + "/") as seen:
        page = seen.page
        page.wait_for_selector("h1")
        for _ in range(40):  # Tab from the top of the page until the search box has the focus
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement && document.activeElement.id") == "home-q":
                break
        assert page.evaluate("document.activeElement.id") == "home-q"
        page.keyboard.type("lung cancer")
        page.keyboard.press("Enter")
        page.wait_for_selector(".card", timeout=60_000)
        assert "/referral" in page.url
        assert poll(page, "document.querySelector('.card h2, .card h1') && document.querySelector('.card').innerText")
        reached = set()
        for _ in range(60):  # every link of the card can be reached with Tab
            page.keyboard.press("Tab")
            reached.add(page.evaluate("document.activeElement.closest('.card') ? 'card' : document.activeElement.tagName"))
        assert "card" in reached


def _nav(page: Any) -> list[tuple[str, str]]:
    return [tuple(x) for x in page.evaluate(
        "Array.from(document.querySelectorAll('header.site nav a')).map(a => [a.getAttribute('href').split('?')[0], "
        "a.textContent.trim()])")]


@pytest.mark.parametrize(("lang", "referral"), [("en", "Referral lookup"), ("zh", "转诊查询")])
def test_top_bar_and_home_page_name_the_same_things_the_same_way(live_server: str, browser: Any, lang: str,
                                                                 referral: str) -> None:
    with visit(browser, f"{live_server}/referral?lang={lang}") as seen:
        seen.page.wait_for_selector("header.site nav a")
        bar = dict(_nav(seen.page))
        assert bar["/referral"] == referral
        assert seen.page.evaluate("document.documentElement.lang").startswith(lang)
    with visit(browser, f"{live_server}/?lang={lang}") as seen:
        seen.page.wait_for_selector("ul.doors a")
        doors = seen.page.evaluate("Array.from(document.querySelectorAll('ul.doors li > a:first-child'))"
                                   ".map(a => [a.getAttribute('href'), a.textContent.trim()])")
        home_bar = dict(_nav(seen.page))
    doors = [(href, name) for href, name in doors if not href.startswith("/downloads/")]
    for href, name in doors:
        assert bar.get(href) == name == home_bar.get(href), (href, name)
    assert len(doors) == 5
