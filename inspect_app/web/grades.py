"""``GET /grades``: what the honesty grades mean, for shoppers and merchants (no login).

Linked from every public instrument page beside the grade. Plain words, zh and en (``?lang=``
or the browser's language, never a cookie), numbers read from the rule file so the page
cannot drift from the rule. Public and cacheable like the label pages (docs/credit.md).
"""

from __future__ import annotations

from flask import Blueprint, Response, current_app

from inspect_app.database import read_only
from inspect_app.domain.credit import CreditRules, load_rules
from inspect_app.web import public_language

bp = Blueprint("grades", __name__)

#: The page changes only with a release (the rule and the wording).
CACHE_CONTROL = "public, max-age=3600"


def _facts(rules: CreditRules) -> dict[str, object]:
    """The rule's numbers as the page states them."""
    bands = {band.grade: band.min for band in rules.bands}
    caps = [
        {"severity": c.severity, "grade": c.grade, "months": int(c.months), "forced": c.forced}
        for c in rules.caps
    ]
    return {
        "bands": bands,
        "floor": rules.floor_grade,
        "provisional": rules.provisional_grade,
        "window": int(rules.window_months),
        "counted": rules.max_inspections,
        "minimum": rules.min_inspections,
        "half_life": int(rules.half_life_months),
        "caps": caps,
        "version": rules.version,
    }


def _body(lang: str, explicit: bool) -> str:
    """The page, rendered once per language and app (again each time in debug mode)."""
    pages: dict[tuple[str, bool], str] = current_app.extensions.setdefault("grades_page", {})
    key = (lang, explicit)
    if key not in pages or current_app.jinja_env.auto_reload:
        rule = _facts(load_rules())
        pages[key] = public_language.render("public/grades.html", lang, explicit, rule=rule)
    return pages[key]


@bp.get("/grades")
@read_only
def explainer() -> Response:
    lang, explicit = public_language.choose()
    headers = {
        "Content-Language": "en" if lang == "en" else "zh-CN",
        "Cache-Control": CACHE_CONTROL,
    }
    if not explicit:
        headers["Vary"] = "Accept-Language"
    return Response(_body(lang, explicit), 200, headers, mimetype="text/html")
