"""What the benchmark asks: every catalog query with its header's example values, and the ad-hoc queries.

Every server gets the same SPARQL text. A catalog query's example values go in as a VALUES block
at the start of its WHERE clause (`graph.store._with_values`, what the product does for a remote
store); the values are the catalog's fixed examples, checked by `queries.catalog.bind`, never
outside input. The product's named-query URL (`/queries/{name}?param=example`) is kept too, to
time the route analysts call.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from urllib.parse import urlencode

from graph.store import _with_values
from queries.catalog import NamedQuery, bind, load_catalog

ADHOC_DIR = Path(__file__).resolve().parent / "adhoc"
SOLUTIONS_MEDIA = "application/sparql-results+json"
GRAPH_MEDIA = "application/n-triples"
#: The ad-hoc query whose engine work is negligible: it measures the HTTP layers.
TINY = "tiny_label"


@dataclass(frozen=True)
class Workload:
    """One query of the benchmark, as every server receives it."""

    name: str
    origin: Literal["catalog", "adhoc"]
    sparql: str
    form: Literal["solutions", "graph"]
    #: Path and query string of the product's named-query route (catalog queries only).
    named_path: str | None = None

    @property
    def accept(self) -> str:
        return GRAPH_MEDIA if self.form == "graph" else SOLUTIONS_MEDIA

    @property
    def tiny(self) -> bool:
        return self.name == TINY


def catalog_workload(query: NamedQuery) -> Workload:
    """A catalog query with its example values inlined as VALUES, and its named-query path."""
    examples = query.examples()
    sparql = _with_values(query.sparql, bind(query, examples)) if examples else query.sparql
    named = f"/queries/{query.name}?" + urlencode({**examples, "format": "json"})
    return Workload(query.name, "catalog", sparql, "solutions", named)


def adhoc_workload(path: Path) -> Workload:
    """An ad-hoc query of `benchmarks/adhoc/`; CONSTRUCT queries are asked for N-Triples."""
    text = path.read_text(encoding="utf-8")
    code = " ".join(line for line in text.splitlines() if not line.lstrip().startswith(("#", "PREFIX")))
    form: Literal["solutions", "graph"] = "graph" if code.lstrip().upper().startswith("CONSTRUCT") else "solutions"
    return Workload(path.stem, "adhoc", text, form)


def workloads(only: set[str] | None = None) -> list[Workload]:
    """Catalog queries (by name), then the ad-hoc ones; `only` keeps those named."""
    found = [catalog_workload(query) for query in load_catalog().values()]
    found += [adhoc_workload(path) for path in sorted(ADHOC_DIR.glob("*.rq"))]
    if only:
        unknown = only - {w.name for w in found}
        if unknown:
            raise ValueError(f"unknown queries: {', '.join(sorted(unknown))}")
        found = [w for w in found if w.name in only]
    return found
