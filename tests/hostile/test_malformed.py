"""Malformed and oversized requests: bodies, headers, query strings, broken UTF-8, wrong content types, wrong
methods, broken HTTP. Each gets a clear 4xx (or is answered as if the junk were absent, for headers nobody
reads), never a 5xx and never a hang, and the service answers correctly afterwards."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from urllib.parse import urlsplit

import httpx
import pytest

pytestmark = pytest.mark.integration

MEGABYTE = 1024 * 1024


def _raw(base: str, request: bytes) -> bytes:
    """Send bytes as they are and return the status line of the answer (b"" if the server just closed)."""
    address = urlsplit(base)
    with socket.create_connection((address.hostname, address.port), timeout=10) as connection:
        try:
            connection.sendall(request)
            return connection.recv(65536).split(b"\r\n", 1)[0]
        except (ConnectionResetError, BrokenPipeError):
            return b""


def _status(line: bytes) -> int:
    return int(line.split()[1]) if line.startswith(b"HTTP/1.1 ") else 0


@pytest.mark.parametrize(("request_bytes", "expected"), [
    (b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03 not http\r\n\r\n", {400}),  # a TLS hello on the plain port
    (b"GET /api/prefixes HTTP/9.9\r\nHost: x\r\n\r\n", {400, 505}),
    (b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n", {400}),
    (b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n", {400}),
    (b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 7\r\n\r\nASK {}", {400}),
    (b"POST /sparql HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Type: application/sparql-query"
     b"\r\n\r\nzz\r\nASK {}\r\n0\r\n\r\n", {400}),
    (b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999\r\nContent-Type: application/sparql-query"
     b"\r\n\r\nASK {}", {413}),
    (b"GET /id/\xff\xfe HTTP/1.1\r\nHost: x\r\n\r\n", {400}),
    (b"GET /api/search?q=\xff\xfe HTTP/1.1\r\nHost: x\r\n\r\n", {400}),
    (b"GET /api/search?q=" + b"a" * MEGABYTE + b" HTTP/1.1\r\nHost: x\r\n\r\n", {400, 414, 431}),
    (b"GET /api/lookup/workup-for-condition?q=lung%20cancer HTTP/1.1\r\nHost: x\r\nAccept-Language: \xff\xfe\r\n\r\n",
     {200}),
])
def test_broken_http_gets_a_4xx(hostile_server: str, request_bytes: bytes, expected: set[int]) -> None:
    assert _status(_raw(hostile_server, request_bytes)) in expected


def test_huge_and_numerous_headers(hostile_server: str) -> None:
    many = b"".join(b"X-%d: 1\r\n" % i for i in range(5000))
    for request in (b"GET /api/prefixes HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 200_000 + b"\r\n\r\n",
                    b"GET /api/prefixes HTTP/1.1\r\nHost: x\r\n" + many + b"\r\n",
                    b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: x\r\nAccept: " + b"text/csv;q=0.1, " * 20_000
                    + b"\r\n\r\n"):
        status = _status(_raw(hostile_server, request))
        assert status == 0 or 200 <= status < 500  # answered, refused, or the connection closed: never a 5xx


def test_bodies_past_the_cap_are_refused_before_they_are_read(client: httpx.Client) -> None:
    big = b"a" * (2 * MEGABYTE)
    for path, media in (("/sparql", "application/sparql-query"), ("/sparql", "application/x-www-form-urlencoded"),
                        ("/api/graph/query", "application/x-www-form-urlencoded"), ("/graph/query", "multipart/form-data"),
                        ("/api/lookup/procedures-for-condition", "application/json"), ("/update", "text/turtle")):
        answer = client.post(path, content=big, headers={"Content-Type": media})
        assert answer.status_code == 413 and "at most" in answer.text, (path, answer.status_code)

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it arrives
        for _ in range(40):
            yield b"#" * 65536

    streamed = client.post("/sparql", content=chunks(), headers={"Content-Type": "application/sparql-query"})
    assert streamed.status_code == 413


def test_under_the_body_cap_the_query_caps_apply(client: httpx.Client) -> None:
    body = client.post("/sparql", content=b"#" * 500_000, headers={"Content-Type": "application/sparql-query"})
    assert body.status_code == 413 and "400000" in body.text  # /sparql's own cap: 4 bytes per allowed character
    text = client.post("/sparql", content=b"#" * 100_001, headers={"Content-Type": "application/sparql-query"})
    assert text.status_code == 413 and "characters" in text.text


@pytest.mark.parametrize("path", [
    "/api/search?q=%ff", "/api/lookup/procedures-for-condition?q=%ff%fe", "/entity?id=%c0%af", "/referral?q=%ff",
    "/queries/procedures_for_condition?condition=%ff", "/graph/entity?id=%ed%a0%80", "/sparql?query=ASK%7B%7D%ff",
    "/queries/%ff.rq", "/id/%ff", "/api/graph?lang=%ff",
])
def test_percent_encoded_bytes_that_are_not_utf8_are_a_400(client: httpx.Client, path: str) -> None:
    answer = client.get(path)
    assert answer.status_code == 400 and "UTF-8" in answer.text


def test_bodies_that_are_not_utf8_are_a_400(client: httpx.Client) -> None:
    for content, media in ((b"ASK { \xff }", "application/sparql-query"),
                           (b"query=ASK%20%FF", "application/x-www-form-urlencoded")):
        answer = client.post("/sparql", content=content, headers={"Content-Type": media})
        assert answer.status_code == 400 and "UTF-8" in answer.text
    assert client.post("/api/graph/query", content=b"query=\xff\xfe", headers={
        "Content-Type": "application/x-www-form-urlencoded"}).status_code == 400


@pytest.mark.parametrize(("media", "body"), [
    (None, b"ASK {}"), ("text/plain", b"ASK {}"), ("application/json", b'{"query": "ASK {}"}'),
    ("multipart/form-data; boundary=x", b'--x\r\nContent-Disposition: form-data; name="query"\r\n\r\nASK {}\r\n--x--\r\n'),
    ("application/xml", b"<query>ASK {}</query>"), ("application/x-www-form-urlencoded; charset=latin-1", b"%%%&&=="),
    ("image/png", b"\x89PNG\r\n\x1a\n"),
])
def test_wrong_content_types_are_refused(client: httpx.Client, media: str | None, body: bytes) -> None:
    headers = {"Content-Type": media} if media else {}
    sparql = client.post("/sparql", content=body, headers=headers)
    assert sparql.status_code in (400, 415), sparql.text[:200]
    for path in ("/api/graph/query", "/graph/query"):
        answer = client.post(path, content=body, headers=headers)
        page = answer.status_code == 200 and answer.headers["content-type"].startswith("text/html")  # its empty form
        assert 400 <= answer.status_code < 500 or page, (path, answer.status_code)


def test_wrong_methods_get_405_with_every_allowed_method(client: httpx.Client) -> None:
    for method in ("PUT", "DELETE", "PATCH"):
        answer = client.request(method, "/sparql")
        assert answer.status_code == 405
        assert {"GET", "POST"} <= {m.strip() for m in answer.headers["allow"].split(",")}
    assert client.request("DELETE", "/api/lookup/procedures-for-condition").headers["allow"] == "GET"
    assert client.request("TRACE", "/").status_code == 405


@pytest.mark.parametrize("path", ["/static/..%2f..%2fpyproject.toml", "/static/%2e%2e/%2e%2e/pyproject.toml",
                                  "/static/vendor/yasgui/..%2f..%2f..%2f..%2fpyproject.toml",
                                  "/downloads/tables/..%2f..%2fpyproject.toml", "/queries/..%2f..%2fpyproject.toml.rq"])
def test_path_traversal_finds_nothing(client: httpx.Client, path: str) -> None:
    answer = client.get(path)
    assert answer.status_code in (400, 404, 422) and "[build-system]" not in answer.text


def test_repeated_and_null_parameters(client: httpx.Client) -> None:
    many = "&".join(f"id=ttc:X{i}" for i in range(5000))
    assert client.get(f"/entity?{many}").status_code == 422
    assert client.get("/api/search", params={"q": "lung\x00cancer"}).status_code == 422
    assert client.get("/sparql", params=[("query", "ASK {}")] * 50).status_code == 400
    assert client.get("/api/lookup/procedures-for-condition", params={"q": "肺癌", "lang": "xx"}).status_code == 422


def test_the_service_answers_correctly_afterwards(client: httpx.Client) -> None:
    answer = client.get("/api/lookup/procedures-for-condition", params={"q": "lung cancer"})
    assert answer.status_code == 200 and answer.json()["matched"]["id"].endswith("/LungCancer")


def test_a_path_nothing_serves_is_a_plain_text_404_saying_where_to_go(client: httpx.Client) -> None:
    for path in ("/no/such/page", "/downloads/tables/..%2Fx", "/fhir-nothing"):
        response = client.get(path)
        assert response.status_code == 404 and response.headers["content-type"].startswith("text/plain"), path
        assert "nothing is served at" in response.text and "/docs" in response.text
