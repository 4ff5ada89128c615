"""Dependencies of the routes, as `Annotated` aliases: the settings, the store and the catalog."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from graph.settings import Settings
from graph.store import Store
from queries.catalog import NamedQuery


def _settings(request: Request) -> Settings:
    return request.app.state.settings  # type: ignore[no-any-return]


def _store(request: Request) -> Store:
    return request.app.state.store  # type: ignore[no-any-return]


def _catalog(request: Request) -> dict[str, NamedQuery]:
    return request.app.state.catalog  # type: ignore[no-any-return]


SettingsDep = Annotated[Settings, Depends(_settings)]
StoreDep = Annotated[Store, Depends(_store)]
CatalogDep = Annotated[dict[str, NamedQuery], Depends(_catalog)]
