"""Network views: pages (`/graph…`) and their JSON (`/api/graph…`), analytics and exports.

Thin: validate the parameters, ask `graph.network` for a view, shape the answer. CONSTRUCT queries go
through `queries.service.run_sparql`, so the guard and the deadline apply as on `/sparql`.
"""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from markupsafe import Markup

from api.deps import LangDep, SettingsDep, StoreDep
from api.i18n import request_lang
from api.pages import render
from api.texts import NETWORK
from graph.namespaces import published
from graph.network.analytics import report
from graph.network.export import FORMATS, ExportFormat, export
from graph.network.projection import ProjectionOptions, center_network, find_entity, from_ntriples
from graph.network.render import page_data
from graph.network.views import (
    HARD_MAX_NODES,
    MAX_DEPTH,
    View,
    between,
    neighbourhood,
    of_query,
    payload,
    regional,
    whole,
)
from graph.settings import Settings
from graph.store import ResultKind, Store
from queries.matching import normalise
from queries.params import Param, convert
from queries.service import run_sparql

router = APIRouter(tags=["network"])

STATIC = Path(__file__).parents[1] / "static"
VIS_JS = Path(__file__).parents[2] / "web" / "node_modules" / "vis-network" / "standalone" / "umd" / "vis-network.min.js"
#: Links of the served page; a standalone file gets them prefixed with a base URL.
LINKS = {"referral": "/referral?id=", "department": "/referral?department=", "entity": "/entity?id=",
         "graph": "/graph/entity?id="}
EXAMPLE_QUERY = published("""PREFIX kg: <https://ttc-kg.example/ontology#>
PREFIX ttc: <https://ttc-kg.example/id/>
CONSTRUCT { ?procedure kg:treats ttc:EsophagealCancer ; kg:hasApproach ?approach }
WHERE { ?procedure kg:treats ttc:EsophagealCancer OPTIONAL { ?procedure kg:hasApproach ?approach } }""")
_GRAPH_FORMATS: dict[ResultKind, str] = {"graph": "ntriples", "solutions": "json", "boolean": "json"}


def _flags(
    evidence: Annotated[bool, Query(description="Draw evidence spans as nodes (otherwise they are in the tooltips).")]
    = False,
    figures: Annotated[bool, Query(description="Draw figures and the center's statements as nodes (otherwise in "
                                               "the side panel).")] = False,
    inferred: Annotated[bool, Query(description="Include inferred and ambiguous relations (drawn dotted).")] = True,
) -> ProjectionOptions:
    return ProjectionOptions(evidence=evidence, figures=figures, inferred=inferred)


FlagsDep = Annotated[ProjectionOptions, Depends(_flags)]
def _node_cap(settings: SettingsDep, max_nodes: Annotated[int | None, Query(
        ge=1, le=HARD_MAX_NODES, description="Most nodes drawn (default TKG_NETWORK_MAX_NODES, 500).")] = None) -> int:
    return max_nodes or settings.network_max_nodes


#: The node cap of a view: `?max_nodes=` if given, else the setting.
NodeCap = Annotated[int, Depends(_node_cap)]
EntityId = Annotated[str, Query(description="The entity: an IRI or a prefixed name such as ttc:Mediastinoscope.")]
Depth = Annotated[int, Query(ge=1, le=MAX_DEPTH, description="How many relations away from the entity (1 to 3).")]
ThroughCenter = Annotated[bool, Query(description="Walk on through the center, which links to nearly everything.")]


def _iri(name: str, value: str) -> str:
    return str(convert(Param(name, "iri", True, "", ""), value))


def entity_view(store: Store, options: ProjectionOptions, entity: str, depth: int, max_nodes: int,
                through_center: bool = False) -> View:
    """The neighbourhood view of an entity given as an IRI or prefixed name (also used by the CLI)."""
    return neighbourhood(center_network(store, options), _iri("id", entity), depth, max_nodes=max_nodes,
                         through_center=through_center)


def query_view(store: Store, settings: Settings, sparql: str, options: ProjectionOptions, max_nodes: int) -> View:
    """The network of a CONSTRUCT or DESCRIBE query's result; other query forms are refused with 400."""
    answer = run_sparql(store, settings, sparql, _GRAPH_FORMATS)
    if answer.kind != "graph":
        raise WrongQueryForm("a network needs a CONSTRUCT or DESCRIBE query; this query returns "
                             + ("a yes/no answer" if answer.kind == "boolean" else "a table") + ": try /sparql")
    result = from_ntriples(answer.body, options, plain=True, fallback=center_network(store, options))
    return of_query(result, max_nodes=max_nodes)


class WrongQueryForm(ValueError):
    """A SELECT or ASK where a network needs triples."""


def _links(expand: bool, base: str = "") -> dict[str, str | None]:
    return {**{k: base + v for k, v in LINKS.items()}, "expand": "/api/graph/entity" if expand else None,
            "normalise": "/api/normalise" if expand else None}


def _search_terms(nodes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each node with `search`: its labels, synonyms and hidden labels normalised as every server search does."""
    for node in nodes:
        terms = [node["labels"].get("en"), node["labels"].get("zh"), *node.get("synonyms", []),
                 *node.get("hidden_labels", [])]
        node["search"] = sorted({normalise(t) for t in terms if t} - {""})
    return nodes


def _json(view: View, vis: bool, options: ProjectionOptions, lang: str) -> JSONResponse:
    data = page_data(view, links=_links(True), lang=lang) if vis else payload(view, lang)
    _search_terms(data["nodes"])
    if vis:
        data["flags"] = _flag_params(options)
    return JSONResponse(data)


@router.get("/api/normalise", operation_id="normalise_text", tags=["referral"])
def api_normalise(text: Annotated[str, Query(max_length=200, description="Text typed into a search box.")]
                  ) -> dict[str, str]:
    """The text as every search compares it (the network page's search box asks this, so both search alike)."""
    return {"text": text, "normalised": normalise(text)}


def _flag_params(options: ProjectionOptions) -> dict[str, str]:
    return {"evidence": str(options.evidence).lower(), "figures": str(options.figures).lower(),
            "inferred": str(options.inferred).lower()}


def page_html(view: View, options: ProjectionOptions, *, standalone: bool = False, base_url: str = "",
              query: str | None = None, mode: str = "graph", reserve: View | None = None, lang: str = "en") -> str:
    """The network page: served (assets from /static) or one standalone file with everything inline."""
    data = page_data(view, links=_links(not standalone, base_url if standalone else ""), overview=mode == "overview",
                     lang=lang)
    _search_terms(data["nodes"])
    data["flags"] = _flag_params(options)
    data["lang"], data["messages"] = lang, NETWORK[lang]
    if reserve is not None:
        shown = set(view.network.nodes)
        ring = page_data(reserve, links={}, lang=lang)
        data["reserve"] = {"nodes": _search_terms([n for n in ring["nodes"] if n["id"] not in shown]), "types": ring["types"],
                           "vis": {"nodes": [n for n in ring["vis"]["nodes"] if n["id"] not in shown],
                                   "edges": ring["vis"]["edges"]}}
    context: dict[str, Any] = {"title": view.title_in(lang), "data": data, "standalone": standalone, "query": query,
                               "mode": mode, "example_query": EXAMPLE_QUERY, "lang": lang, "m": NETWORK[lang]}
    if standalone:
        scripts = [VIS_JS.read_text(encoding="utf-8"), (STATIC / "network" / "network.js").read_text(encoding="utf-8")]
        scripts = [s.replace("</script", "<\\/script") for s in scripts]
        hashes = " ".join(f"'sha256-{base64.b64encode(hashlib.sha256(s.encode()).digest()).decode()}'" for s in scripts)
        context.update(
            scripts=[Markup(s) for s in scripts],  # noqa: S704 - our own and the pinned vendor JS, never user text
            css=Markup((STATIC / "network" / "network.css").read_text(encoding="utf-8")),  # noqa: S704
            csp=(f"default-src 'none'; script-src {hashes}; style-src 'unsafe-inline'; img-src data:; "
                 "connect-src 'none'; font-src 'none'; base-uri 'none'; form-action 'none'"))
    return render("network.html", **context)


def _page(view: View, options: ProjectionOptions, request: Request, **kwargs: Any) -> HTMLResponse:
    return HTMLResponse(page_html(view, options, lang=request_lang(request), **kwargs))


@router.get("/api/graph", operation_id="network_center")
def api_center(max_nodes: NodeCap, store: StoreDep, options: FlagsDep, lang: LangDep,
               vis: bool = False) -> JSONResponse:
    """The whole center as a network: nodes, edges (property and claim status), `capped` and a `note`."""
    return _json(whole(center_network(store, options), max_nodes=max_nodes), vis, options, lang)


@router.get("/api/graph/regional", operation_id="network_regional")
def api_regional(max_nodes: NodeCap, store: StoreDep, options: FlagsDep, lang: LangDep,
                 vis: bool = False) -> JSONResponse:
    """The departments and the capabilities they share: each department's own relations, each capability with the
    departments it belongs to (`departments`), synthetic departments marked (`synthetic`), under the node cap."""
    return _json(regional(center_network(store, options), max_nodes=max_nodes), vis, options, lang)


_NO_ENTITY: dict[int | str, dict[str, Any]] = {
    404: {"description": "No entity of the network has that id", "content": {"text/plain": {}}}}


@router.get("/api/graph/entity", operation_id="network_entity", response_model=None, responses=_NO_ENTITY)
def api_entity(max_nodes: NodeCap, store: StoreDep, options: FlagsDep, lang: LangDep, id: EntityId, depth: Depth = 1,
               through_center: ThroughCenter = False, vis: bool = False) -> Response:
    """One entity's neighbourhood to depth 1, 2 or 3."""
    return _json(entity_view(store, options, id, depth, max_nodes, through_center), vis, options, lang)


_QUERY_REFUSED: dict[int | str, dict[str, Any]] = {
    400: {"description": "Not a CONSTRUCT or DESCRIBE query, or refused by the same guard as /sparql",
          "content": {"text/plain": {}}},
    403: {"description": "An update: the service is read-only", "content": {"text/plain": {}}},
    413: {"description": "The query is longer than this service accepts", "content": {"text/plain": {}}}}


@router.get("/api/graph/query", operation_id="network_query", response_model=None, responses=_QUERY_REFUSED)
@router.post("/api/graph/query", operation_id="network_query_form", response_model=None, responses=_QUERY_REFUSED)
def api_query(max_nodes: NodeCap, store: StoreDep, settings: SettingsDep, options: FlagsDep, lang: LangDep,
              query: Annotated[str, Query(description="A CONSTRUCT or DESCRIBE query.")] = "",
              form_query: Annotated[str | None, Form(alias="query")] = None, vis: bool = False) -> Response:
    """The network of a CONSTRUCT query's result (GET ?query= or a POST form)."""
    try:
        return _json(query_view(store, settings, form_query or query, options, max_nodes), vis, options, lang)
    except WrongQueryForm as exc:
        return PlainTextResponse(str(exc), status_code=400)


@router.get("/api/graph/paths", operation_id="network_paths", response_model=None, responses=_NO_ENTITY)
def api_paths(max_nodes: NodeCap, store: StoreDep, lang: LangDep, source: EntityId, target: EntityId, inferred: bool = False,
              through_center: ThroughCenter = False) -> Response:
    """The shortest explanations between two entities (facts only unless `inferred`), and their network."""
    options = ProjectionOptions(inferred=inferred)
    return _json(_between(store, options, source, target, through_center, max_nodes), False, options, lang)


@router.get("/api/graph/analytics", operation_id="network_analytics")
def api_analytics(store: StoreDep) -> dict[str, Any]:
    """Underpinning centrality, single points of failure and articulation points (facts only)."""
    return report(center_network(store, ProjectionOptions(inferred=False)))


@router.get("/api/graph/export", operation_id="network_export", response_model=None, response_class=Response,
            responses={200: {"content": {media: {} for media in FORMATS.values()}, "description": "The network"}})
def api_export(store: StoreDep, options: FlagsDep,
               format: Annotated[ExportFormat, Query(description="graphml, gexf or json.")] = "graphml",
               ) -> Response:
    """The whole network (never capped) as GraphML, GEXF or node-link JSON."""
    return Response(export(center_network(store, options), format), media_type=FORMATS[format],
                    headers={"Content-Disposition": f'attachment; filename="network.{format}"'})


@router.get("/graph", response_class=HTMLResponse, include_in_schema=False)
def page_center(request: Request, max_nodes: NodeCap, store: StoreDep, options: FlagsDep) -> HTMLResponse:
    """The whole center, drawn as an overview a person can read (the center pinned, its own relations summarised)."""
    return _page(whole(center_network(store, options), max_nodes=max_nodes), options, request, mode="overview")


@router.get("/graph/regional", response_class=HTMLResponse, include_in_schema=False)
def page_regional(request: Request, max_nodes: NodeCap, store: StoreDep, options: FlagsDep) -> HTMLResponse:
    """The departments and the capabilities they share, drawn; a node's panel names its departments."""
    return _page(regional(center_network(store, options), max_nodes=max_nodes), options, request, mode="graph")


@router.get("/graph/entity", include_in_schema=False, response_model=None)
def page_entity(request: Request, max_nodes: NodeCap, store: StoreDep, options: FlagsDep, id: EntityId, depth: Depth = 1,
                through_center: ThroughCenter = False) -> Response:
    """One entity's neighbourhood, drawn."""
    return _page(entity_view(store, options, id, depth, max_nodes, through_center), options, request, mode="entity")


@router.api_route("/graph/query", methods=["GET", "POST"], include_in_schema=False, response_model=None)
def page_query(request: Request, max_nodes: NodeCap, store: StoreDep, settings: SettingsDep, options: FlagsDep, query: str = "",
               form_query: Annotated[str | None, Form(alias="query")] = None) -> Response:
    """A CONSTRUCT query's result, drawn; without a query, the form."""
    text = form_query or query
    if not text.strip():
        empty = View(from_ntriples(b""), {"en": "Network of a CONSTRUCT query", "zh": "CONSTRUCT 查询结果的网络"}, 0)
        return _page(empty, options, request, mode="query", query=EXAMPLE_QUERY)
    try:
        return _page(query_view(store, settings, text, options, max_nodes), options, request, mode="query", query=text)
    except WrongQueryForm as exc:
        return PlainTextResponse(str(exc), status_code=400)


@router.get("/graph/paths", include_in_schema=False, response_model=None)
def page_paths(request: Request, max_nodes: NodeCap, store: StoreDep, source: EntityId, target: EntityId,
               inferred: bool = False, through_center: ThroughCenter = False) -> Response:
    """The shortest explanations between two entities, drawn and listed."""
    options = ProjectionOptions(inferred=inferred)
    return _page(_between(store, options, source, target, through_center, max_nodes), options, request, mode="paths")


def _between(store: Store, options: ProjectionOptions, source: str, target: str, through_center: bool,
             max_nodes: int) -> View:
    return between(center_network(store, options), _iri("source", source), _iri("target", target),
                   through_center=through_center, max_nodes=max_nodes)


__all__ = ["EXAMPLE_QUERY", "WrongQueryForm", "entity_view", "find_entity", "page_html", "query_view", "router"]
