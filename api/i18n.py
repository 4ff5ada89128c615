"""The page language: `?lang=` first, else Accept-Language (RFC 9110 §12.5.4, q-values), else English."""

from __future__ import annotations

from fastapi import Request

from queries.matching import parse_lang

LANGS = ("en", "zh")


def header_lang(accept_language: str | None) -> str:
    """The first of en/zh an Accept-Language header prefers by RFC 9110 q-values (zh, zh-CN, zh-Hans, zh-TW,
    zh-HK are zh; `*` is en; q=0 excludes; ties keep header order), else "en".

    Example:
        >>> header_lang("fr, zh-TW;q=0.8, en;q=0.5")
        'zh'
        >>> header_lang("zh;q=0, en")
        'en'
    """
    best: tuple[float, int, str] | None = None
    for position, part in enumerate((accept_language or "").split(",")):
        tag, *params = (piece.strip() for piece in part.split(";"))
        weight = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        lang = {"zh": "zh", "en": "en", "*": "en"}.get(tag.lower().split("-")[0])
        if lang and weight > 0 and (best is None or (-weight, position) < (-best[0], best[1])):
            best = (weight, position, lang)
    return best[2] if best else "en"


def page_lang(lang: str | None, accept_language: str | None) -> str:
    """"en" or "zh" for a page: a valid `?lang=` wins, else the header, else English (a page never refuses)."""
    return str(lang) if lang in LANGS else header_lang(accept_language)


def api_lang(lang: str | None, accept_language: str | None) -> str:
    """The same for the JSON API, where an explicit `lang` other than en/zh is a 422 (InvalidParameter)."""
    return parse_lang(lang) if lang else header_lang(accept_language)


def request_lang(request: Request) -> str:
    """The page language of a request."""
    return page_lang(request.query_params.get("lang"), request.headers.get("accept-language"))
