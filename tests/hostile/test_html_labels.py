"""Labels, notes and quotes carrying HTML, in every HTML view: shown as text, never as markup that runs or loads.

The graph served has a condition and a procedure whose every label holds `<script>`, `<img onerror>`, a
`"></script><svg onload>` that would close a JSON data block, and template syntax (see conftest.py).
"""

from __future__ import annotations

from urllib.parse import urlencode

import httpx
import pytest

from tests.hostile.conftest import CONDITION, PROCEDURE, SCRIPT, TTC, markup_problems

pytestmark = pytest.mark.integration

HTML = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
CONSTRUCT = ("PREFIX kg: <https://ttc-kg.example/ontology#> CONSTRUCT { ?p kg:treats ?c . ?c ?l ?label } WHERE { "
             f"BIND(<{PROCEDURE}> AS ?p) BIND(<{CONDITION}> AS ?c) ?c ?l ?label FILTER(isLiteral(?label)) }}")
#: Every HTML view, each where the hostile entities show (by id, by name, in a network, in a table).
VIEWS = [
    "/", "/?lang=zh", "/referral", f"/referral?{urlencode({'id': str(CONDITION)})}",
    f"/referral?{urlencode({'id': str(CONDITION), 'lang': 'zh'})}", f"/referral?{urlencode({'q': 'xss condition'})}",
    f"/referral?{urlencode({'q': SCRIPT})}", f"/referral?{urlencode({'id': str(PROCEDURE), 'include': 'inferred'})}",
    f"/entity?{urlencode({'id': str(CONDITION)})}", f"/entity?{urlencode({'id': str(PROCEDURE)})}",
    f"/entity?{urlencode({'id': SCRIPT})}", f"/entity?{urlencode({'id': TTC + 'LungCancer'})}",
    "/graph", "/graph?evidence=true&figures=true", f"/graph/entity?{urlencode({'id': str(CONDITION), 'depth': 2})}",
    f"/graph/entity?{urlencode({'id': SCRIPT})}",
    f"/graph/paths?{urlencode({'source': str(PROCEDURE), 'target': TTC + 'LungCancer', 'inferred': 'true'})}",
    f"/graph/query?{urlencode({'query': CONSTRUCT})}", f"/graph/query?{urlencode({'query': SCRIPT})}",
    "/queries", "/queries?lang=zh",
    f"/queries/label_search?{urlencode({'text': 'xss', 'format': 'html'})}",
    f"/queries/evidence_for_entity?{urlencode({'entity': str(PROCEDURE), 'format': 'html'})}",
    "/ontology", "/sparql", "/docs",
]


@pytest.mark.parametrize("path", VIEWS)
def test_every_html_view_shows_hostile_labels_as_text(client: httpx.Client, path: str) -> None:
    answer = client.get(path, headers=HTML)
    assert answer.status_code < 500, answer.text[:300]
    if answer.headers.get("content-type", "").startswith("text/html"):
        assert markup_problems(answer.text) == [], path
        assert SCRIPT not in answer.text  # nowhere verbatim, not even inside a data block


def test_the_hostile_entities_do_show_where_expected(client: httpx.Client) -> None:
    """The check above means something only if the labels are on those pages (escaped)."""
    escaped = "&lt;script&gt;window.__pwned = 1&lt;/script&gt;"
    for path in (f"/entity?{urlencode({'id': str(CONDITION)})}", f"/referral?{urlencode({'id': str(CONDITION)})}",
                 f"/queries/label_search?{urlencode({'text': 'xss', 'format': 'html'})}"):
        answer = client.get(path, headers=HTML)
        assert answer.status_code == 200 and escaped in answer.text, path
    network = client.get("/graph/entity", params={"id": str(CONDITION)}, headers=HTML)
    assert network.status_code == 200 and "window.__pwned" in network.text  # inside the JSON block, escaped
