"""The honesty grade behind the scenes (docs/credit.md): a merchant's breakdown, the district's
distribution and its merchants by grade.

* ``/merchants/<id>/credit`` — the merchant's own user and staff of its district (admins any);
  others 404. Each counted inspection with its score, weight and deductions, the caps and when
  they lift, and what would raise the grade (rerun of the rule, ``domain/credit_advice.py``).
* ``/supervisor/grades`` — supervisors (their district) and admins (every district): grades
  now and at the end of each of the last 12 months, and the merchants, filterable by grade.

Both read only (``database.read_only``): a merchant without a snapshot yet is shown the grade
computed on the spot, not stored.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from flask import Blueprint, render_template, request
from flask_babel import get_locale

from inspect_app import registry
from inspect_app.auth import require_user, roles_required
from inspect_app.database import read_only
from inspect_app.domain.credit import load_rules
from inspect_app.domain.credit_advice import advice
from inspect_app.domain.credit_reasons import describe_reason, parse_reason
from inspect_app.domain.traffic_light import local_today
from inspect_app.error_handlers import request_lang
from inspect_app.models.types import utcnow
from inspect_app.models.user import Role
from inspect_app.schemas.credit import GradeListIn
from inspect_app.services import credit, credit_pages
from inspect_app.services.scoping import merchant_or_404

bp = Blueprint("credit", __name__)


@bp.app_template_global("credit_reason")
def credit_reason(reason: str) -> str:
    """A reason code as a sentence in the page's language, the finding named by its title."""
    lang = "en" if str(get_locale()) == "en" else "zh"
    parsed = parse_reason(reason)
    titles = {}
    if parsed is not None:
        violation = registry.forms().violations.get(parsed.code)
        if violation is not None:
            titles[parsed.code] = violation.title.en if lang == "en" else violation.title.zh
    return describe_reason(reason, lang, titles)


@bp.app_template_filter("credit_number")
def credit_number(value: Decimal | None, places: int = 1) -> str:
    """``Decimal("87.50000…")`` → ``"87.5"`` (half-up, as the score is published)."""
    if value is None:
        return ""
    return str(value.quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP))


@bp.get("/merchants/<int:merchant_id>/credit")
@roles_required()
@read_only
def breakdown(merchant_id: int) -> str:
    merchant = merchant_or_404(require_user(), merchant_id)
    shown = credit.breakdown(merchant.id, utcnow())
    rules = load_rules(shown.credit.rule_version)
    return render_template(
        "web/credit.html",
        merchant=merchant,
        shown=shown.shown,
        credit=shown.credit,
        advice=advice(rules, shown.history, shown.credit),
        rules=rules,
        lang=request_lang(),
    )


@bp.get("/supervisor/grades")
@roles_required(Role.SUPERVISOR, Role.ADMIN)
@read_only
def district() -> str:
    user = require_user()
    query = GradeListIn().load(request.args.to_dict())
    grade, page = query.get("grade"), query.get("page", 1)
    counts, ungraded = credit_pages.current_counts(user)
    rows, more = credit_pages.merchants(user, grade, page)
    return render_template(
        "web/credit_district.html",
        grades=credit_pages.GRADES,
        counts=counts,
        ungraded=ungraded,
        months=credit_pages.monthly(user, local_today()),
        rows=rows,
        more=more,
        grade=grade,
        page=page,
        lang=request_lang(),
    )
