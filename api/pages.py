"""HTML pages from Jinja2 templates with autoescaping on: every label and parameter is escaped."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

_ENV = Environment(loader=FileSystemLoader(Path(__file__).parent / "templates"),
                   autoescape=select_autoescape(default=True, default_for_string=True))

#: No request may leave the page's own origin.
CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; connect-src 'self'; "
       "frame-ancestors 'none'; base-uri 'none'; form-action 'self'")


def render(template: str, **context: Any) -> str:
    """Render a page of `api/templates`."""
    return _ENV.get_template(template).render(**context)
