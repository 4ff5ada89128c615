"""Dependencies of the routes, as `Annotated` aliases: the settings, the store and the catalog."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query, Request

from api.i18n import api_lang
from graph.changes import Content, Snapshot
from graph.settings import Settings
from graph.store import Store
from queries.catalog import NamedQuery


def _settings(request: Request) -> Settings:
    return request.app.state.settings  # type: ignore[no-any-return]


def _store(request: Request) -> Store:
    return request.app.state.store  # type: ignore[no-any-return]


def snapshot(request: Request) -> Snapshot:
    """The graph as served now (the latest committed version): its N-Triples, manifest and content hash."""
    return request.app.state.content.snapshot()  # type: ignore[no-any-return]


def _content(request: Request) -> Content:
    return request.app.state.content  # type: ignore[no-any-return]


def _catalog(request: Request) -> dict[str, NamedQuery]:
    return request.app.state.catalog  # type: ignore[no-any-return]


def _answer_lang(request: Request, lang: Annotated[str, Query(
        description="Language of the answer's words (each `label`, notes, messages, titles): `en` or `zh`, by default "
                    "from Accept-Language; `labels` always has both.")] = "") -> str:
    return api_lang(lang, request.headers.get("accept-language"))


SettingsDep = Annotated[Settings, Depends(_settings)]
#: The language of a JSON answer: `?lang=` (en or zh, anything else a 422), else Accept-Language, else English.
LangDep = Annotated[str, Depends(_answer_lang)]
StoreDep = Annotated[Store, Depends(_store)]
CatalogDep = Annotated[dict[str, NamedQuery], Depends(_catalog)]
#: The graph as served now; every cache of a route is keyed by its `content_sha256`.
SnapshotDep = Annotated[Snapshot, Depends(snapshot)]
ContentDep = Annotated[Content, Depends(_content)]
