"""`/ontology` (the model's documentation, or the model itself as RDF) and `/entity?id=` (one entity as a
page, or as Linked Data), both by content negotiation; `/id/…` and `/evidence/…` redirect to `/entity`."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response

from api.conneg import choose
from api.deps import StoreDep, snapshot
from api.i18n import request_lang
from api.pages import render
from api.texts import ENTITY, ONTOLOGY
from graph.namespaces import EV, TTC
from graph.store import GRAPH_FORMATS
from graph.vocabulary import CURIE_PREFIXES, KIND_ZH, counts_from_manifest, curie, document, in_lang, serialize_model
from queries.entity import UnknownEntity, describe, entity_queries, entity_view, parse_id
from queries.params import InvalidParameter
from queries.schemaorg import entity_jsonld, schemaorg_queries, script_json


@asynccontextmanager
async def _prepare(_: object) -> AsyncIterator[None]:
    """Parse the entity queries and read the ontology at start-up: a broken one fails start-up, not a request."""
    entity_queries()
    schemaorg_queries()
    document()
    yield


router = APIRouter(tags=["vocabulary"], lifespan=_prepare)

#: What /ontology and /entity can answer: the page, or RDF.
FORMATS = {"html": "text/html", **GRAPH_FORMATS}
VARY = {"Vary": "Accept"}
#: How /entity says what is wrong (`_problem`): a page for a browser, JSON for a JSON-LD client, text otherwise.
PROBLEM_MEDIA: dict[str, dict[str, str]] = {"text/html": {}, "application/json": {}, "text/plain": {}}

Format = Annotated[str | None, Query(description="html, turtle (ttl), ntriples (nt), jsonld or rdfxml; "
                                                 "overrides the Accept header.")]
AcceptHeader = Annotated[str | None, Header(include_in_schema=False)]


def _negotiate(accept: str | None, fmt: str | None) -> str:
    """The format name: `?format=` first, then Accept; a browser (or `*/*`) gets the page."""
    if fmt and fmt.lower() == "html":
        return "html"
    return choose(accept, FORMATS, default="html", explicit=fmt)


def _media(fmt: str) -> str:
    media = FORMATS[fmt]
    return media + "; charset=utf-8" if media.startswith("text/") else media


@router.get("/ontology", operation_id="ontology", summary="The ontology: documentation page or RDF",
            response_class=Response,
            responses={200: {"content": {media: {} for media in FORMATS.values()}},
                       406: {"description": "None of the accepted media types can be produced.",
                             "content": {"text/plain": {}}}})
def ontology(request: Request, format: Format = None, accept: AcceptHeader = None) -> Response:
    """The model documented from `ontology/thoracic.ttl` (classes, hierarchy, properties with domain, range and
    standard term, example queries), or the ontology itself as Turtle, N-Triples, JSON-LD or RDF/XML."""
    fmt = _negotiate(accept, format)
    if fmt != "html":
        return Response(serialize_model(fmt), media_type=_media(fmt), headers=VARY)
    lang = request_lang(request)
    vocab = document()
    page = render("ontology.html", title="本体" if lang == "zh" else "Ontology", lang=lang, vocab=vocab,
                  t=ONTOLOGY[lang], pick=in_lang, kind_zh=KIND_ZH, english_only=vocab.untranslated("zh"),
                  prefixes=CURIE_PREFIXES, counts=counts_from_manifest(snapshot(request).manifest))
    return HTMLResponse(page, headers=VARY)


@router.get("/entity", operation_id="entity", summary="One entity: page or Linked Data",
            response_class=Response,
            responses={200: {"content": {media: {} for media in FORMATS.values()}},
                       404: {"description": "No triple of the graph mentions the entity.", "content": PROBLEM_MEDIA},
                       406: {"description": "None of the accepted media types can be produced.",
                             "content": {"text/plain": {}}},
                       422: {"description": "The id is not an IRI or a known prefixed name.", "content": PROBLEM_MEDIA}})
def entity(
    request: Request, store: StoreDep,
    id: Annotated[str | None, Query(description="An IRI or a prefixed name, e.g. ttc:LungCancer.")] = None,
    format: Format = None, accept: AcceptHeader = None,
) -> Response:
    """Labels in both languages, types, every claim with its status and evidence quote, other statements and
    incoming links, with the entity's schema.org JSON-LD embedded for search engines; or the entity's concise
    bounded description as Turtle, N-Triples, JSON-LD or RDF/XML."""
    fmt = _negotiate(accept, format)
    ids = request.query_params.getlist("id")
    try:
        if len(ids) != 1 or id is None:
            raise InvalidParameter("id", "give exactly one id, for example /entity?id=ttc:LungCancer")
        iri = parse_id(id)
        if fmt == "html":
            lang = request_lang(request)
            view = entity_view(store, iri)
            schema = entity_jsonld(store, iri)
            title = (view.entity.label_zh or id) if lang == "zh" else id  # a compact name is English on a Chinese page
            return HTMLResponse(render("entity.html", title=title, lang=lang, t=ENTITY[lang], pick=in_lang, view=view,
                                       schema_json=script_json(schema) if schema else None), headers=VARY)
        answer = describe(store, iri, fmt)
        return Response(answer.body, media_type=_media(fmt), headers=VARY)
    except InvalidParameter as exc:
        return _problem(422, str(exc), fmt, request_lang(request),
                        "无法识别此 id：请给出一个 IRI 或带已知前缀的名称。详情（英文）：")
    except UnknownEntity as exc:
        return _problem(404, str(exc), fmt, request_lang(request), f"{curie(exc.iri)} 不在图谱中：没有任何三元组提到它。")


@router.get("/id/{name}", include_in_schema=False)
def entity_iri(name: str) -> RedirectResponse:
    """`https://ttc-kg.example/id/X`, served here, is the entity X: 303 to its description."""
    return _see_other(str(TTC) + name)


@router.get("/evidence/{name}", include_in_schema=False)
def evidence_iri(name: str) -> RedirectResponse:
    """`https://ttc-kg.example/evidence/X`, served here, is the evidence span X: 303 to its description."""
    return _see_other(str(EV) + name)


def _see_other(iri: str) -> RedirectResponse:
    return RedirectResponse("/entity?id=" + quote(iri, safe=""), status_code=303)


def _problem(status: int, message: str, fmt: str, lang: str = "en", message_zh: str = "") -> Response:
    """A plain message: a page for a browser (in Chinese on a Chinese page, with the English detail where the
    Chinese does not say it all), JSON for a JSON-LD client, text otherwise."""
    if fmt == "html":
        words = ENTITY[lang]
        return HTMLResponse(render("entity.html", title=words["not_found" if status == 404 else "bad_request"],
                                   lang=lang, t=words, pick=in_lang, error=message, error_zh=message_zh,
                                   status=status), status_code=status, headers=VARY)
    if fmt == "jsonld":
        return Response(json.dumps({"detail": message}), status_code=status, media_type="application/json",
                        headers=VARY)
    return PlainTextResponse(message, status_code=status, headers=VARY)
