"""What the review page's tests share: the Riverside proposals fixture, its names, and questions to the server."""

from __future__ import annotations

from pathlib import Path

import httpx

FIXTURE = Path(__file__).with_name("riverside-proposals.ttl")
#: Where the fixture's proposals and department are named (the fixture's own choice, not the proposer's).
P = "https://ttc-kg.example/department/riverside-chest-clinic/proposal/"
DEPT = "https://ttc-kg.example/department/riverside-chest-clinic/department"
KG = "https://ttc-kg.example/ontology#"


def ask(base: str, query: str) -> bool:
    """A SPARQL ASK of the served graph."""
    answer = httpx.post(f"{base}/sparql", data={"query": query}, headers={"Accept": "application/sparql-results+json"})
    return bool(answer.json()["boolean"])


def versions(base: str) -> list[dict]:
    return httpx.get(f"{base}/api/versions").json()["versions"]  # type: ignore[no-any-return]
