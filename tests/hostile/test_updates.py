"""The update surface (/update, /rdf-graphs, /api/versions…/rollback, /api/sources) as an attacker or a broken
client would use it, against the update server (`conftest.py`: `update_server`, one token) and the read-only
hostile server (no token configured).

Outbound attempts through an update (LOAD, SERVICE in every spelling the engine reads, named graphs) are refused
with a 422 `refused` violation before anything runs: the ledger's head stays where it was and the listener sees
nothing. Uploads parse with Oxigraph, which fetches nothing: an XML external entity or a remote JSON-LD context
is a 400 and nothing changes. Tokens come in the Authorization header only and never reach the log. HTML in a
label or a message stays text on every page, and a refusal is JSON. A burst of reads while a change is committed
gets only right answers or an explicit 503.

Only two changes are accepted (each is a build, several seconds): the HTML synonym and the burst's write.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import httpx
import pytest

from tests.hostile.conftest import BREAKOUT, IMG, SCRIPT, TTC, UPDATE_TOKEN, Listener, UpdateServer, markup_problems
from tests.hostile.test_load import _get  # a client that waits after a 503 as told
from tests.updates.helpers import STATUS_QUERY, TO_AMBIGUOUS, TO_INFERRED

pytestmark = pytest.mark.integration

SPARQL_UPDATE = {"Content-Type": "application/sparql-update"}
JSON = {"Accept": "application/sparql-results+json"}
HTML = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
#: A harmless change the write routes would make, were they allowed to: it is never accepted in these tests.
TRIPLE = "<urn:hostile:a> <urn:hostile:b> <urn:hostile:c> ."


def _head(client: httpx.Client) -> tuple[int | None, str]:
    """The ledger's head: the current version and the served content's hash."""
    answer = client.get("/api/versions")
    assert answer.status_code == 200
    return answer.json()["current"], answer.json()["content_sha256"]


def _update(client: httpx.Client, text: str, form: bool = False, **params: str) -> httpx.Response:
    if form:
        return client.post("/update", data={"update": text}, params=params)
    return client.post("/update", content=text.encode("utf-8"), headers=SPARQL_UPDATE, params=params)


def _refused(answer: httpx.Response, rule: str = "refused") -> list[dict]:
    """The answer is the documented 422: JSON with an English and a Chinese message and the rules broken."""
    assert answer.status_code == 422, (answer.status_code, answer.text[:300])
    assert answer.headers["content-type"].startswith("application/json")
    body = answer.json()
    assert body["message"]["en"] and body["message"]["zh"]
    assert rule in {v["rule"] for v in body["violations"]}, body["violations"]
    return body["violations"]


# -- 1. outbound attempts through an update ----------------------------------------------------------------------

def outbound_updates(url: str) -> list[str]:
    """LOAD, and SERVICE in every spelling the read guard refuses (tests/hostile/test_outbound.py), as updates."""
    insert = "INSERT { ?s ?p ?o } WHERE"
    return [
        f"LOAD <{url}/x>", f"LOAD SILENT <{url}/x>", f"load <{url}/x> INTO GRAPH <urn:g>", f"LOAD<{url}/x>",
        f"INSERT DATA {{ {TRIPLE} }} ; LOAD <{url}/x>",
        f"{insert} {{ SERVICE <{url}/> {{ ?s ?p ?o }} }}",
        f"{insert} {{ SERVICE SILENT <{url}/> {{ ?s ?p ?o }} }}",
        f"delete {{ ?s ?p ?o }} where {{ ?x ?y ?z . service <{url}/> {{ ?s ?p ?o }} }}",
        f"{insert} {{ ?x ?y 10SERVICE <{url}/> {{ ?s ?p ?o }} }}",
        f"{insert} {{ FILTER(?a<?b)SERVICE#>\n<{url}/> {{ ?s ?p ?o }} }}",
        f"PREFIX : <{url}/> {insert} {{ SERVICE:x {{ ?s ?p ?o }} }}",
        f"PREFIX x: <{url}/> {insert} {{ SERVICEx:y {{ ?s ?p ?o }} }}",
        f"PREFIX x: <{url}/> {insert} {{ SERVICESILENTx:y {{ ?s ?p ?o }} }}",
        f"{insert} {{ ?s ?p trueSERVICE <{url}/> {{ ?a ?b ?c }} }}",
    ]


def named_graph_updates(url: str) -> list[str]:
    """Updates that name a graph: the curated statements are one default graph."""
    data = "<urn:hostile:a> <urn:hostile:b> <urn:hostile:c>"
    return [
        f"INSERT DATA {{ GRAPH <urn:g> {{ {data} }} }}", f"INSERT DATA {{ GRAPH <{url}/g> {{ {data} }} }}",
        f"WITH <urn:g> INSERT {{ {data} }} WHERE {{ }}", f"WITH <{url}/g> DELETE {{ ?s ?p ?o }} WHERE {{ ?s ?p ?o }}",
        f"INSERT {{ {data} }} USING <{url}/g> WHERE {{ ?s ?p ?o }}",
        f"INSERT {{ {data} }} USING NAMED <{url}/g> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
        "DELETE WHERE { GRAPH ?g { ?s ?p ?o } }", "CREATE GRAPH <urn:g>", "DROP NAMED", "CLEAR GRAPH <urn:g>",
        "COPY DEFAULT TO <urn:g>", "MOVE DEFAULT TO <urn:g>", "ADD DEFAULT TO <urn:g>",
        # glued to a prefixed name the keyword is not a word of its own; the write into the graph is refused after
        f"PREFIX : <{url}/> INSERT DATA {{ GRAPH:g {{ {data} }} }}",
        f"PREFIX : <{url}/> WITH:g INSERT {{ {data} }} WHERE {{ }}",
    ]


def test_outbound_updates_are_refused_and_reach_nothing(editor: httpx.Client, listener: Listener) -> None:
    before = _head(editor)
    for text in outbound_updates(listener.url):
        for form in (False, True):
            violations = _refused(_update(editor, text, form=form))
            assert any(word in v["message"] for v in violations for word in ("LOAD", "SERVICE")), (text, violations)
    assert _head(editor) == before
    assert listener.seen == []


def test_named_graph_updates_are_refused(editor: httpx.Client, listener: Listener) -> None:
    before = _head(editor)
    for text in named_graph_updates(listener.url):
        _refused(_update(editor, text))
    # USING glued to a prefixed name is the keyword to the engine: refused by the scan before it runs
    _refused(_update(editor, f"PREFIX : <{listener.url}/> INSERT {{ {TRIPLE[:-2]} }} USING:g WHERE {{ ?s ?p ?o }}"))
    assert _head(editor) == before
    assert listener.seen == []


def test_load_glued_to_a_prefixed_name_is_refused_before_it_runs(editor: httpx.Client, listener: Listener) -> None:
    before = _head(editor)
    for text in (f"PREFIX : <{listener.url}/> LOAD:x", f"PREFIX : <{listener.url}/> LOADSILENT:x",
                 f"PREFIX l: <{listener.url}/> LOADl:x"):
        violations = _refused(_update(editor, text))
        assert _head(editor) == before
        assert listener.seen == [], (text, violations)
        assert any("LOAD is refused" in v["message"] for v in violations), violations


# -- 2. uploads to the graph store --------------------------------------------------------------------------------

RDF_XML = ('<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [{declaration}]>\n'
           '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
           'xmlns:rdfs="http://www.w3.org/2000/01/rdf-schema#">'
           f'<rdf:Description rdf:about="{TTC}LungCancer"><rdfs:comment>{{use}}</rdfs:comment></rdf:Description>'
           '</rdf:RDF>')


def _passwd_marker() -> str:
    """A line of /etc/passwd that would show if the file were read into the graph (its first one)."""
    lines = Path("/etc/passwd").read_text().splitlines() if Path("/etc/passwd").exists() else []
    return lines[0] if lines else "root:x:0:0"


def external_entities(url: str) -> list[str]:
    return [RDF_XML.format(declaration=f'<!ENTITY e SYSTEM "{url}/e">', use="&e;"),
            RDF_XML.format(declaration='<!ENTITY e SYSTEM "file:///etc/passwd">', use="&e;"),
            RDF_XML.format(declaration=f'<!ENTITY e PUBLIC "-//x//EN" "{url}/p">', use="&e;"),
            RDF_XML.format(declaration=f'<!ENTITY % p SYSTEM "{url}/dtd"> %p;', use="x"),
            RDF_XML.format(declaration='<!ENTITY % p SYSTEM "file:///etc/passwd"> %p;', use="x")]


def remote_contexts(url: str) -> list[str]:
    node = f'"@id": "{TTC}LungCancer", "name": "x"'
    return [f'{{"@context": "{url}/context.jsonld", {node}}}',
            f'{{"@context": ["{url}/a.jsonld", {{"s": "https://schema.org/"}}], {node}}}',
            f'{{"@context": {{"@version": 1.1, "@import": "{url}/import.jsonld"}}, {node}}}',
            f'{{"@context": {{"@version": 1.1, "p": {{"@id": "https://schema.org/p", "@context": "{url}/scoped"}}}}, '
            f'"@id": "{TTC}LungCancer", "p": {{"q": 1}}}}']


def _curated(client: httpx.Client) -> str:
    answer = client.get("/rdf-graphs", params={"default": ""}, headers={"Accept": "application/n-triples"})
    assert answer.status_code == 200
    return answer.text


def test_uploads_naming_external_documents_fetch_nothing(editor: httpx.Client, listener: Listener) -> None:
    before, curated = _head(editor), _curated(editor)
    marker = _passwd_marker()
    uploads = [(doc, "application/rdf+xml") for doc in external_entities(listener.url)]
    uploads += [(doc, "application/ld+json") for doc in remote_contexts(listener.url)]
    for document, media in uploads:
        for method in ("PUT", "POST"):
            answer = editor.request(method, "/rdf-graphs", params={"default": ""}, content=document.encode(),
                                    headers={"Content-Type": media})
            assert answer.status_code in (400, 422), (method, document, answer.status_code, answer.text[:300])
            assert marker not in answer.text
    assert editor.put("/rdf-graphs", params={"graph": f"{listener.url}/g"}, content=TRIPLE,
                      headers={"Content-Type": "application/n-triples"}).status_code == 422
    assert _head(editor) == before
    assert _curated(editor) == curated and marker not in curated
    assert marker not in editor.get("/sparql", params={"query": "SELECT ?o WHERE { ?s ?p ?o FILTER(CONTAINS(STR(?o), "
                                                                 "'root:')) }"}, headers=JSON).text
    assert listener.seen == []


def test_an_upload_over_the_body_limit_is_413_and_changes_nothing(editor: httpx.Client) -> None:
    before = _head(editor)
    big = b"# padding\n" * (1024 * 1024 // 10 + 1)  # just over TKG_MAX_BODY_BYTES (1 MiB): valid Turtle
    for method in ("PUT", "POST"):
        answer = editor.request(method, "/rdf-graphs", params={"default": ""}, content=big,
                                headers={"Content-Type": "text/turtle"})
        assert answer.status_code == 413, (method, answer.status_code)
        chunked = editor.request(method, "/rdf-graphs", params={"default": ""}, content=iter([big[:600_000], big[600_000:]]),
                                 headers={"Content-Type": "text/turtle"})  # no Content-Length
        assert chunked.status_code == 413, (method, chunked.status_code)
    assert editor.post("/update", content=b"#" * len(big), headers=SPARQL_UPDATE).status_code == 413
    assert editor.put("/api/sources/big.txt", content=big, headers={"Content-Type": "text/plain"}).status_code == 413
    assert _head(editor) == before


def test_malformed_uploads_are_400(editor: httpx.Client) -> None:
    before = _head(editor)
    for body, media in ((b"@prefix x: <urn:x:> . x:a x:b", "text/turtle"), (b"<urn:a> <urn:b> .", "application/n-triples"),
                        (b"<rdf:RDF xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#'><rdf:Descr", "application/rdf+xml"),
                        (b'{"@id": ', "application/ld+json"), (b"<urn:a> <urn:b> \"\xff\xfe\" .", "application/n-triples"),
                        (b'{"@id": "urn:g", "@graph": [{"@id": "urn:a", "urn:b": "c"}]}', "application/ld+json")):
        for method in ("PUT", "POST"):
            answer = editor.request(method, "/rdf-graphs", params={"default": ""}, content=body,
                                    headers={"Content-Type": media})
            assert answer.status_code == 400 and answer.headers["content-type"].startswith("text/plain"), (
                method, body, answer.status_code, answer.text[:200])
    assert _update(editor, "INSERT DATA { <urn:a> <urn:b> }").status_code == 400
    assert _update(editor, "SELECT * WHERE { ?s ?p ?o }").status_code == 400
    assert editor.post("/update", data={"query": "INSERT DATA {}"}).status_code == 400  # no `update` field
    for raw in (editor.post("/update", content=b'DELETE DATA { <urn:a> <urn:b> "\xff" }', headers=SPARQL_UPDATE),
                editor.post("/update", content=b"update=DELETE%20DATA%20%7B%20%7D\xff",
                            headers={"Content-Type": "application/x-www-form-urlencoded"})):
        assert raw.status_code == 400, raw.text[:200]  # not UTF-8: a 500 before fdaebcd
    assert _head(editor) == before


TRUNCATED_RDF_XML = ('<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
                     'xmlns:skos="http://www.w3.org/2004/02/skos/core#">'
                     f'<rdf:Description rdf:about="{TTC}LungCancer"><skos:prefLabel xml:lang="en">Lung cancer'
                     '</skos:prefLabel></rdf:Description>')


def test_a_truncated_rdf_xml_upload_is_400(editor: httpx.Client) -> None:
    """POST only (a merge of a triple already held: no change either way); a PUT would replace the graph."""
    for body in (TRUNCATED_RDF_XML.encode(), b"", b"  "):
        answer = editor.post("/rdf-graphs", params={"default": ""}, content=body,
                             headers={"Content-Type": "application/rdf+xml"})
        assert answer.status_code == 400, (body, answer.status_code, answer.text[:300])


def test_a_form_update_with_an_escape_that_is_not_utf8_is_400(editor: httpx.Client) -> None:
    before = _head(editor)
    escaped = editor.post("/update", content=b"update=DELETE%20DATA%20%7B%20%3Curn:a%3E%20%3Curn:b%3E%20%22%FF%22%20%7D",
                          headers={"Content-Type": "application/x-www-form-urlencoded"})  # removes nothing either way
    assert _head(editor) == before
    assert escaped.status_code == 400, escaped.text[:300]


def test_bodies_of_the_wrong_media_type_are_415(editor: httpx.Client) -> None:
    before = _head(editor)
    for media in ("text/turtle", "application/json", "text/plain", "multipart/form-data; boundary=x"):
        assert editor.post("/update", content=b"INSERT DATA { }", headers={"Content-Type": media}).status_code == 415
    assert editor.post("/update", content=b"INSERT DATA { }").status_code == 415
    assert editor.put("/api/sources/x.txt", content=b"text", headers={"Content-Type": "application/json"}
                      ).status_code == 415
    for unread in ("application/pdf", "text/n3", "application/trig", "text/plain", None):  # a 400 before 7b34a09
        for method in ("PUT", "POST"):
            typed = {"Content-Type": unread} if unread else {}
            answer = editor.request(method, "/rdf-graphs", params={"default": ""}, content=TRIPLE, headers=typed)
            assert answer.status_code == 415, (method, unread, answer.status_code, answer.text[:200])
            assert answer.headers["content-type"].startswith("text/plain")
    assert _head(editor) == before


def test_the_document_lists_the_answers_the_update_routes_give(anonymous: httpx.Client) -> None:
    paths = anonymous.get("/openapi.json").json()["paths"]
    missing = [f"{method.upper()} {path} {status}" for path, method, status in (
        ("/update", "post", "413"), ("/rdf-graphs", "put", "413"), ("/rdf-graphs", "post", "413"),
        ("/api/sources/{name}", "put", "413"), ("/rdf-graphs", "get", "404")) if status not in paths[path][method]["responses"]]
    assert missing == []


# -- 3. tokens ------------------------------------------------------------------------------------------------------

def writes() -> list[tuple[str, str, dict]]:
    """Every write route with a body it would take; none of them is sent with the right token here."""
    turtle = {"content": TRIPLE, "headers": {"Content-Type": "text/turtle"}}
    return [("POST", "/update", {"content": f"INSERT DATA {{ {TRIPLE} }}", "headers": SPARQL_UPDATE}),
            ("POST", "/update", {"data": {"update": f"INSERT DATA {{ {TRIPLE} }}"}}),
            ("PUT", "/rdf-graphs?default", turtle), ("POST", "/rdf-graphs?default", turtle),
            ("DELETE", "/rdf-graphs?default", {}), ("POST", "/api/versions/1/rollback", {}),
            ("PUT", "/api/sources/hostile.txt", {"content": "words", "headers": {"Content-Type": "text/plain"}})]


def _send(client: httpx.Client, method: str, path: str, request: dict, headers: dict[str, str] | None = None,
          params: dict[str, str] | None = None) -> httpx.Response:
    merged = {**request.get("headers", {}), **(headers or {})}
    return client.request(method, path, params=params, headers=merged,
                          **{k: v for k, v in request.items() if k != "headers"})


def test_a_change_needs_the_token_in_the_authorization_header(anonymous: httpx.Client) -> None:
    before = _head(anonymous)
    wrong = [f"Bearer {UPDATE_TOKEN}x", f"Bearer {UPDATE_TOKEN[:-1]}", f"Bearer {UPDATE_TOKEN.upper()}",
             f"Bearer {UPDATE_TOKEN} {UPDATE_TOKEN}", "Bearer alice", "Bearer null"]
    missing = ["", "Bearer", f"Basic {UPDATE_TOKEN}", f"Token {UPDATE_TOKEN}", UPDATE_TOKEN,
               f"Bearer:{UPDATE_TOKEN}"]
    for method, path, request in writes():
        answer = _send(anonymous, method, path, request)
        assert answer.status_code == 401, (method, path, answer.status_code)
        assert answer.headers["www-authenticate"].startswith("Bearer"), (method, path)
        assert answer.headers["content-type"].startswith("text/plain")
        for header in missing:
            assert _send(anonymous, method, path, request, {"Authorization": header}).status_code == 401, header
        for header in wrong:
            answer = _send(anonymous, method, path, request, {"Authorization": header})
            assert answer.status_code == 403 and UPDATE_TOKEN not in answer.text, (method, path, header)
        # a token anywhere but the Authorization header is no token
        for params in ({"access_token": UPDATE_TOKEN}, {"token": UPDATE_TOKEN}, {"authorization": f"Bearer {UPDATE_TOKEN}"}):
            assert _send(anonymous, method, path, request, params=params).status_code == 401, (method, path, params)
        for elsewhere in ({"Cookie": f"token={UPDATE_TOKEN}; access_token={UPDATE_TOKEN}"}, {"X-Api-Key": UPDATE_TOKEN},
                          {"X-Authorization": f"Bearer {UPDATE_TOKEN}"}, {"Proxy-Authorization": f"Bearer {UPDATE_TOKEN}"}):
            assert _send(anonymous, method, path, request, elsewhere).status_code == 401, (method, path, elsewhere)
    form = anonymous.post("/update", data={"update": f"INSERT DATA {{ {TRIPLE} }}", "access_token": UPDATE_TOKEN})
    assert form.status_code == 401
    assert _head(anonymous) == before


def test_updates_disabled_answer_403_on_every_write_route(client: httpx.Client) -> None:
    """The hostile server has no token configured: every write is 403, whatever is sent."""
    for method, path, request in writes():
        for headers in ({}, {"Authorization": f"Bearer {UPDATE_TOKEN}"}, {"Authorization": "Bearer"}):
            answer = _send(client, method, path, request, headers)
            assert answer.status_code == 403 and "disabled" in answer.text, (method, path, headers, answer.status_code)
            assert answer.headers["content-type"].startswith("text/plain")
        assert _send(client, method, path, request, params={"access_token": UPDATE_TOKEN}).status_code == 403
    assert client.get("/api/versions").json()["versions"] == []  # a prebuilt graph: no ledger


# -- 4. HTML in labels and messages ---------------------------------------------------------------------------------

SYNONYM = f"xss synonym {SCRIPT}{IMG}{BREAKOUT}"
MESSAGE = f"why {SCRIPT}{IMG}"
#: The pages that show a condition's labels and synonyms, and a search for the synonym itself.
LABEL_VIEWS = ["/", f"/entity?{urlencode({'id': TTC + 'LungCancer'})}", "/entity?id=ttc:LungCancer&lang=zh",
               f"/referral?{urlencode({'id': TTC + 'LungCancer'})}", f"/referral?{urlencode({'q': 'xss synonym'})}",
               f"/referral?{urlencode({'q': SYNONYM})}", f"/graph/entity?{urlencode({'id': TTC + 'LungCancer'})}",
               f"/queries/label_search?{urlencode({'text': 'xss synonym', 'format': 'html'})}", "/graph", "/queries"]


@pytest.fixture(scope="module")
def html_synonym(update_server: UpdateServer) -> Iterator[dict]:
    """One accepted change: a curator's synonym of lung cancer holding HTML, with an HTML message (a synonym a
    curator adds is `kg:addedSynonym`, which need not be the source's words)."""
    with httpx.Client(base_url=update_server.base, timeout=60, headers=update_server.auth) as http:
        answer = _update(http, f"INSERT DATA {{ ttc:LungCancer kg:addedSynonym '''{SYNONYM}'''@en }}", message=MESSAGE)
        assert answer.status_code == 200, answer.text[:500]
        yield answer.json()["version"]


def test_html_in_an_accepted_change_stays_text_on_every_page(editor: httpx.Client, html_synonym: dict) -> None:
    assert html_synonym["message"] == MESSAGE and html_synonym["by"] == "alice"
    for path in LABEL_VIEWS:
        answer = editor.get(path, headers=HTML)
        assert answer.status_code < 500, (path, answer.text[:300])
        if answer.headers.get("content-type", "").startswith("text/html"):
            assert markup_problems(answer.text) == [], path
            assert SCRIPT not in answer.text and MESSAGE not in answer.text, path
    entity = editor.get("/entity", params={"id": TTC + "LungCancer"}, headers=HTML)
    assert "xss synonym &lt;script&gt;window.__pwned = 1&lt;/script&gt;" in entity.text  # shown, escaped
    for path in ("/api/versions", f"/api/versions/{html_synonym['id']}"):  # the message is shown only in JSON
        answer = editor.get(path, headers=HTML)
        assert answer.headers["content-type"].startswith("application/json"), path
        assert MESSAGE in answer.text.replace('\\"', '"'), path
        assert answer.headers["x-content-type-options"] == "nosniff"


def test_html_in_a_refused_change_comes_back_as_json_or_plain_text(editor: httpx.Client) -> None:
    before = _head(editor)
    not_the_source = _update(editor, f"INSERT DATA {{ ttc:LungCancer skos:altLabel '''{SYNONYM} 2'''@en }}",
                             message=MESSAGE)
    violations = _refused(not_the_source, rule="labels")
    assert any(SCRIPT in v["message"] for v in violations)  # quoted inside a JSON string, never as a page
    assert not_the_source.headers["x-content-type-options"] == "nosniff"
    unparsable = _update(editor, f"INSERT DATA {{ {SCRIPT} }}", message=MESSAGE)
    assert unparsable.status_code == 400 and unparsable.headers["content-type"].startswith("text/plain")
    too_long = _update(editor, "INSERT DATA { }", message=SCRIPT * 200)
    assert too_long.status_code == 422 and too_long.headers["content-type"].startswith("text/plain")
    assert _head(editor) == before


# -- 5. a burst of reads while a change is committed -----------------------------------------------------------------

READS = [("/sparql", {"query": "SELECT ?c WHERE { ?c a <https://schema.org/MedicalCondition> } ORDER BY ?c"}),
         ("/sparql", {"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s a <https://schema.org/MedicalProcedure> }"}),
         ("/api/lookup/procedures-for-condition", {"q": "lung cancer"}),
         ("/api/lookup/workup-for-condition", {"q": "esophageal cancer"})]


def _status(client: httpx.Client) -> list[str]:
    answer = _get(client, "/sparql", {"query": STATUS_QUERY})
    return [row["status"]["value"].rsplit("#", 1)[1] for row in answer.json()["results"]["bindings"]]


async def _burst_with_a_write(base: str, token: str, update: str, count: int) -> tuple[list, httpx.Response]:
    limits = httpx.Limits(max_connections=count + 1, max_keepalive_connections=0)
    async with httpx.AsyncClient(base_url=base, timeout=90, limits=limits) as http:
        reads = [asyncio.create_task(http.get(READS[i % len(READS)][0], params=READS[i % len(READS)][1], headers=JSON))
                 for i in range(count // 2)]
        write = asyncio.create_task(http.post("/update", content=update, headers={
            **SPARQL_UPDATE, "Authorization": f"Bearer {token}"}, params={"message": "during a burst"}))
        await asyncio.sleep(0.05)
        reads += [asyncio.create_task(http.get(READS[i % len(READS)][0], params=READS[i % len(READS)][1], headers=JSON))
                  for i in range(count - count // 2)]
        answers = await asyncio.gather(*reads, return_exceptions=True)
        return answers, await write


def test_a_burst_of_reads_while_a_change_is_committed(editor: httpx.Client, update_server: UpdateServer) -> None:
    expected = {(path, tuple(params.items())): _get(editor, path, params) for path, params in READS}
    assert all(answer.status_code == 200 for answer in expected.values())
    status = _status(editor)
    update, after = (TO_INFERRED, ["Inferred"]) if status == ["Ambiguous"] else (TO_AMBIGUOUS, ["Ambiguous"])
    answers, write = asyncio.run(_burst_with_a_write(update_server.base, update_server.token, update, 200))
    assert write.status_code == 200, write.text[:500]
    assert [a for a in answers if isinstance(a, BaseException)] == []
    for answer in answers:
        assert answer.status_code == 200 or (answer.status_code == 503 and int(answer.headers["retry-after"]) >= 1), (
            answer.status_code, answer.text[:200])
        if answer.status_code == 200:  # the change touches none of these: the same answer before, during and after
            key = (answer.request.url.path, tuple(dict(answer.request.url.params).items()))
            assert answer.content == expected[key].content, key
    assert sum(a.status_code == 200 for a in answers) >= 100
    assert _head(editor) == (write.json()["version"]["id"], write.json()["version"]["content_sha256"])
    assert _status(editor) == after  # the committed change is what every worker answers now
    for (path, params), answer in expected.items():
        assert _get(editor, path, dict(params)).content == answer.content


# -- the log ----------------------------------------------------------------------------------------------------------

def test_the_server_log_never_holds_the_token(editor: httpx.Client, anonymous: httpx.Client,
                                              update_server: UpdateServer) -> None:
    """After the tests above (accepted, refused, unparsable and unauthorised changes) and a few more here."""
    _refused(_update(editor, f"DELETE DATA {{ {TRIPLE} }}"), rule="no-change")
    assert editor.get("/sparql", params={"query": "ASK { ?s ?p ?o }"}).status_code == 200  # a read with the token
    assert anonymous.post("/update", params={"access_token": UPDATE_TOKEN}, content="x", headers=SPARQL_UPDATE
                          ).status_code == 401
    assert anonymous.post("/update", content="x", headers={**SPARQL_UPDATE, "Authorization": f"Bearer {UPDATE_TOKEN}!"}
                          ).status_code == 403
    time.sleep(0.5)  # what the server wrote last has reached the file
    log = update_server.log.read_text(errors="replace")
    assert "Uvicorn running on" in log  # the file holds what the server writes
    assert UPDATE_TOKEN not in log and UPDATE_TOKEN[len("tkg-hostile-"):] not in log
    assert hashlib.sha256(UPDATE_TOKEN.encode()).hexdigest() not in log
