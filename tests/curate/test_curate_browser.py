"""The review page in a real browser on a real server with an update token: the curator enters the token, loads
the proposals file from disk, sees the text by sentence (a sentence without a proposal says so), accepts one
proposal and rejects another, and writes them; the served graph then holds the accepted claim and not the
rejected one, and the versions record the change and who made it. The page passes axe-core and asks nothing of
another host. Its picture is docs/curate.png (the README's)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.browser import poll, visit
from tests.curate.helpers import DEPT, FIXTURE, KG, P, ask
from tests.integration.test_accessibility import axe_violations
from tests.updates.helpers import TOKEN

pytestmark = pytest.mark.integration
DOCS = Path(__file__).parents[2] / "docs"




def _load(page: Any) -> None:
    page.fill("#token", TOKEN)
    page.set_input_files("#file", str(FIXTURE))
    page.click("#open")
    page.wait_for_selector("#sentences fieldset.proposal", timeout=60_000)


def _choose(page: Any, proposal: str, action: str) -> None:
    page.locator(f'fieldset[data-iri="{P}{proposal}"] label.opt-{action}').click()


def test_accept_one_reject_one_and_the_graph_and_its_versions_show_it(server: str, browser: Any) -> None:
    before = httpx.get(f"{server}/api/versions").json()["versions"]
    with visit(browser, f"{server}/curate", viewport=(1200, 900)) as seen:
        page = seen.page
        _load(page)
        sentences = page.locator("#sentences > li")
        assert sentences.count() == 7
        assert page.locator("#sentences > li.empty p.none").first.inner_text() == "No proposal in this sentence."
        assert page.locator("#sentences > li.empty").count() == 3
        assert page.locator("mark.hl").filter(has_text="lung cancer").count() == 1
        assert "Riverside Chest Clinic — treats condition → Lung cancer" in page.locator(
            f'fieldset[data-iri="{P}treats-lung-cancer"] .says').inner_text()

        _choose(page, "treats-lung-cancer", "accept")
        _choose(page, "offers-segmentectomy", "reject")
        assert page.inner_text("#tally") == "Accepted: 1 · rejected: 1 · not decided: 5"
        page.fill("#message", "Riverside Chest Clinic: first review")
        assert axe_violations(page) == []
        shutil.copyfile(seen.screenshot("curate"), DOCS / "curate.png")

        page.click("#commit")
        done = poll(page, "document.querySelector('#result.done') && document.querySelector('#result').innerText")
        assert "by alice: 1 accepted, 1 rejected" in done
        assert seen.outside_requests() == []
        assert seen.console_errors == []

    assert ask(server, f"ASK {{ <{DEPT}> <{KG}treatsCondition> <https://ttc-kg.example/id/LungCancer> }}")
    assert not ask(server, f"ASK {{ <{DEPT}> <{KG}offers> ?anything }}")
    assert not ask(server, f"ASK {{ ?claim <{KG}status> <{KG}Proposed> }}")
    versions = httpx.get(f"{server}/api/versions").json()["versions"]
    assert len(versions) == len(before) + 1
    newest = versions[0]
    assert (newest["by"], newest["kind"], newest["message"]) == ("alice", "curate",
                                                                 "Riverside Chest Clinic: first review")
    assert newest["source"] == "riverside-chest-clinic.txt"


def test_the_page_speaks_chinese_a_wrong_token_is_refused_and_an_edit_is_written(server: str, browser: Any) -> None:
    with visit(browser, f"{server}/curate?lang=zh") as seen:
        page = seen.page
        assert page.inner_text("h1") == "审核建议"
        page.fill("#token", "not-the-token")
        page.set_input_files("#file", str(FIXTURE))
        page.click("#open")
        refused = poll(page, "document.querySelector('#load-status.refused') && "
                             "document.querySelector('#load-status').innerText")
        assert "此令牌无权更改图谱" in refused
        assert page.locator("#review").is_hidden()
        _load(page)
        assert page.locator("#sentences > li.empty p.none").first.inner_text() == "本句没有建议。"
        assert axe_violations(page) == []
        figure = page.locator(f'fieldset[data-iri="{P}fig-surgeons"]')
        figure.locator("summary").click()
        figure.get_by_label("中文名称").fill("胸外科医生")  # changing a field accepts the proposal
        assert figure.locator("input[value=accept]").is_checked()
        assert page.inner_text("#tally") == "已接受：1 · 已拒绝：0 · 未决定：6"
        page.click("#commit")
        done = poll(page, "document.querySelector('#result.done') && document.querySelector('#result').innerText")
        assert "接受 1 条，拒绝 0 条" in done
    assert ask(server, f'ASK {{ <{P}fig-surgeons> <http://www.w3.org/2000/01/rdf-schema#label> "胸外科医生"@zh-Hans ; '
                       f'<{KG}status> <{KG}Stated> }}')
