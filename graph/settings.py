"""One Settings object for the whole product, read from TKG_* environment variables or passed in.

Nothing reads the environment at import time: call `Settings()` where the program starts.
Imports pydantic-settings only.
"""

from __future__ import annotations

import ipaddress
import re
from pathlib import Path
from typing import Literal

from pydantic import AnyHttpUrl, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from graph.namespaces import BASE

#: The `limits` library's notation: "30/minute", "10 per second", "5/10 seconds", several joined by ; , or |.
_RATE = r"\s*[0-9]+\s*(?:/|\s*per\s*)\s*(?:[0-9]+)?\s*(?:second|minute|hour|day|month|year)s?\s*"
_RATES = re.compile(rf"{_RATE}(?:[,;|]{_RATE})*", re.IGNORECASE)


class Settings(BaseSettings):
    """Where the graph lives and how it is served.

    Example:
        >>> Settings(store="memory").store
        'memory'
    """

    model_config = SettingsConfigDict(env_prefix="TKG_", extra="forbid")

    store: Literal["memory", "disk", "remote"] = Field("memory", description="Which store backend holds the graph.")
    store_path: Path | None = Field(None, description="Directory of the on-disk Oxigraph store (store=disk).")
    sparql_query_url: AnyHttpUrl | None = Field(None, description="SPARQL 1.1 query endpoint (store=remote).")
    sparql_update_url: AnyHttpUrl | None = Field(None, description="SPARQL 1.1 update endpoint (store=remote).")
    sparql_graph_store_url: AnyHttpUrl | None = Field(None, description="SPARQL 1.1 Graph Store Protocol endpoint "
                                                      "(store=remote), used to load the build when set.")
    sparql_graph: str | None = Field(None, description="IRI of the named graph that holds the build on the remote "
                                     "server, queried as the default graph; default: the server's default graph "
                                     "(on Virtuoso, whose default graph is the union of all its graphs, "
                                     "urn:ttc-kg:graph).")
    sparql_user: str | None = Field(None, description="User name for the remote server (HTTP Basic or Digest, "
                                    "as the server asks).")
    sparql_password: SecretStr | None = Field(None, description="Password for the remote server "
                                              "(TKG_SPARQL_PASSWORD; never logged).")
    build_dir: Path = Field(Path("build"), description="Where `build` writes graph.nt and manifest.json.")
    graph_file: Path | None = Field(None, description="Serve this N-Triples file as it is instead of the build of "
                                    "graph/data (a replicated benchmark graph, say); it is not validated.")
    departments_dir: Path | None = Field(None, description="A folder of department folders (`thoracic-kg synth -o "
                                         "DIR` writes synthetic ones): built and served beside the shipped center, "
                                         "each checked against its own source (docs/departments.md).")
    remote_timeout: float = Field(30.0, gt=0, description="Seconds to wait for a remote SPARQL server.")

    max_query_chars: int = Field(100_000, gt=0, description="Longest SPARQL query text accepted.")
    max_nesting: int = Field(100, gt=0, description="Deepest nesting of braces and parentheses accepted in a query.")
    query_timeout: float = Field(10.0, gt=0, description="Seconds a query may run before its worker is stopped.")
    workers: int = Field(2, ge=1, le=64, description="Worker processes that run queries (each holds the graph).")
    max_rows: int = Field(100_000, gt=0, description="Most result rows (or triples) one answer may carry.")
    max_response_bytes: int = Field(64 * 1024 * 1024, gt=0, description="Largest serialised answer, in bytes.")
    max_body_bytes: int = Field(1024 * 1024, gt=0, description="Largest request body accepted, in bytes (413 "
                                "beyond, refused before it is read).")
    cache_bytes: int = Field(64 * 1024 * 1024, ge=0, description="Bytes of answers each HTTP process keeps "
                             "(TKG_CACHE_BYTES; 0: no cache). The cache of /sparql and the named queries is exact: "
                             "keyed by the query, its bound values, the format, the dataset and the version served "
                             "(its id and content hash), so a staff change is seen at once. Least recently used "
                             "goes first.")

    network_max_nodes: int = Field(500, ge=1, le=3000, description="Most nodes one network view draws; past it a "
                                   "connected core is kept and the page says so.")
    http_workers: int = Field(2, ge=1, le=32, description="HTTP server processes (each with its own query workers).")
    host: str = Field("127.0.0.1", description="Interface `serve` listens on.")
    port: int = Field(8000, ge=1, le=65535, description="Port `serve` listens on.")
    web_modules: Path = Field(Path(__file__).parents[1] / "web" / "node_modules", description="The installed "
                              "front-end packages (`npm ci --prefix web`); start-up fails if they are missing.")
    cors_origins: list[str] = Field(default_factory=list, description="Origins allowed by CORS (never with credentials).")
    rate_limit: str = Field("600/minute", description="Requests one client may make to the expensive routes (/sparql, "
                            "/graph…, /api/graph…, /update) in each HTTP process, e.g. '30/minute' or '10/second;300/hour'; "
                            "'off' (or empty) for no limit. Past it: 429 with Retry-After.")
    rate_limit_exempt: list[str] = Field(default_factory=list, description="Client addresses or networks never rate "
                                         "limited, e.g. ['127.0.0.1'] for a loopback benchmark.")

    @field_validator("rate_limit")
    @classmethod
    def _rate_limit_notation(cls, value: str) -> str:
        if value.strip().lower() in ("", "off") or _RATES.fullmatch(value):
            return value.strip()
        raise ValueError(f"{value!r} is not a rate limit such as '30/minute' or '10/second;300/hour' (or 'off')")

    @field_validator("rate_limit_exempt")
    @classmethod
    def _exempt_networks(cls, value: list[str]) -> list[str]:
        for network in value:
            ipaddress.ip_network(network, strict=False)  # a ValueError names the bad address
        return value
    license: AnyHttpUrl | None = Field(None, description="The licence of the published data (an IRI), given in the "
                                       "VoID description; none is stated unless set.")
    base_iri: str = Field(BASE, description="The base every IRI of the graph is published under (TKG_BASE_IRI), for "
                          "example https://kg.hospital.example/thoracic/: the build, the store, every query, page, "
                          "link, download and FHIR resource follow it. Read once per process (graph.namespaces); "
                          "the default is the placeholder https://ttc-kg.example/.")

    update_tokens: SecretStr | None = Field(None, description="Who may change the graph: 'name:token,name2:token2' "
                                            "(TKG_UPDATE_TOKENS). Unset (and no token file): updates are off and "
                                            "/update answers 403. Tokens are compared in constant time, never logged.")
    update_token_file: Path | None = Field(None, description="A file of update tokens, one 'name:sha256-hex-of-token' "
                                           "per line (# comments allowed), instead of or beside TKG_UPDATE_TOKENS.")
    state_dir: Path | None = Field(None, description="Where the versions of staff changes are kept (default: "
                                   "build_dir/state). Keep it with the on-disk store: it is the graph's history.")

    @property
    def updates_enabled(self) -> bool:
        """Whether any update token is configured."""
        return bool(self.update_tokens and self.update_tokens.get_secret_value().strip()) or self.update_token_file is not None

    @model_validator(mode="after")
    def _backend_has_its_address(self) -> Settings:
        if self.store == "disk" and self.store_path is None:
            raise ValueError("store=disk needs store_path (TKG_STORE_PATH)")
        if self.store == "remote" and self.sparql_query_url is None:
            raise ValueError("store=remote needs sparql_query_url (TKG_SPARQL_QUERY_URL)")
        return self
