"""The language of the cookie-free public pages (labels, reports): one rule for all of them.

``?lang=zh|en`` first, then the browser's Accept-Language; never a cookie or the session, so
the pages stay cacheable and a shopper's phone keeps no state of ours.
"""

from __future__ import annotations

import functools
from typing import Any

from flask import render_template, request
from flask_babel import force_locale
from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header

#: Page language → Babel locale.
LOCALES = {"zh": "zh_CN", "en": "en"}


def choose(default: str | None = None) -> tuple[str, bool]:
    """``(lang, explicit)``: ``?lang=``, else ``default`` (e.g. a report's own), else the
    browser's preference; ``explicit`` says the language was chosen rather than negotiated."""
    asked = request.args.get("lang")
    if asked in LOCALES:
        return str(asked), True
    if default in LOCALES:
        return str(default), True
    return accepted(request.headers.get("Accept-Language", "")), False


@functools.lru_cache(maxsize=256)
def accepted(header: str) -> str:
    """``en`` when the browser prefers English to Chinese, else ``zh`` (browsers send a few
    distinct headers, so the parse is kept)."""
    best = parse_accept_header(header, LanguageAccept).best_match(["zh_CN", "zh", "en"])
    return "en" if best == "en" else "zh"


def render(template: str, lang: str, keep_in_links: bool, **context: Any) -> str:
    """``template`` in ``lang``, with the variables every public page's toggle needs.

    :param keep_in_links: carry ``?lang=`` on the page's own links (the reader chose it).
    """
    with force_locale(LOCALES[lang]):
        return render_template(
            template,
            lang=lang,
            html_lang="en" if lang == "en" else "zh-CN",
            other_lang="zh" if lang == "en" else "en",
            lang_query=f"?lang={lang}" if keep_in_links else "",
            **context,
        )
