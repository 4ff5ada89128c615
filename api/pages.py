"""HTML pages from Jinja2 templates with autoescaping on: every label and parameter is escaped."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup, escape

_ENV = Environment(loader=FileSystemLoader(Path(__file__).parent / "templates"),
                   autoescape=select_autoescape(default=True, default_for_string=True))
#: A prefixed name or a variable inside Chinese text: an identifier, which stays in English.
_IDENTIFIER = re.compile(r"(?<![\w:])(?:[?$]\w+|[A-Za-z][\w-]*:[A-Za-z_][\w.-]*\w)")


def identifiers_en(text: str) -> Markup:
    """`text` escaped, each identifier in it (`kg:Version`, `?object`) marked `lang="en"`.

    Example:
        >>> str(identifiers_en("# 图谱中对 kg:Version 的每次使用 <b>"))
        '# 图谱中对 <span lang="en">kg:Version</span> 的每次使用 &lt;b&gt;'
    """
    escaped = str(escape(text))  # escaped first: what is wrapped below is only identifiers, which hold no markup
    return Markup(_IDENTIFIER.sub(lambda m: f'<span lang="en">{m.group()}</span>', escaped))  # noqa: S704


_ENV.filters["identifiers_en"] = identifiers_en

#: No request may leave the page's own origin.
CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; connect-src 'self'; "
       "frame-ancestors 'none'; base-uri 'none'; form-action 'self'")


def render(template: str, **context: Any) -> str:
    """Render a page of `api/templates`."""
    return _ENV.get_template(template).render(**context)
