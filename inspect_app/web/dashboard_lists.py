"""The dashboard's lists: inspections, findings, instruments and merchants, filtered and paged.

Supervisors (their district) and admins (every district, or the one named by ``region``);
other roles 403, a district or market outside the caller's scope 404. The filters are a GET
form, so their state is the URL; unknown fields and bad values are refused with 422, a period
inverted or longer than ten years with ``PERIOD_INVERTED`` / ``PERIOD_TOO_LONG`` (422), a
changed cursor with ``CURSOR_INVALID`` (400), each on a page that says what was wrong and how
to start again (docs/dashboards.md, "Pages").
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template, request, url_for
from flask_babel import gettext
from marshmallow import ValidationError

from inspect_app.auth import require_user, roles_required
from inspect_app.error_handlers import message_for, request_lang
from inspect_app.errors import CATALOGUE, AppError
from inspect_app.models import User
from inspect_app.models.inspection import Verdict
from inspect_app.models.instrument import InstrumentKind
from inspect_app.models.place import MerchantKind
from inspect_app.models.user import Role
from inspect_app.schemas.dashboard_pages import InstrumentListIn, MerchantListIn, RecordListIn
from inspect_app.services import dashboard_lists as lists
from inspect_app.services import dashboard_registry as registry_lists
from inspect_app.services.dashboard_lists import RecordFilter
from inspect_app.services.dashboard_registry import RegistryFilter
from inspect_app.services.keyset import Page
from inspect_app.web import dashboard_query as dq

bp = Blueprint("dashboard_lists", __name__)

SUPERVISION = (Role.SUPERVISOR, Role.ADMIN)
#: Refusals shown on the dashboard's own "refused" page (anything else is raised).
SHOWN = ("VALIDATION_FAILED", "PERIOD_INVERTED", "PERIOD_TOO_LONG", "CURSOR_INVALID")


def refused(exc: ValidationError | AppError, endpoint: str) -> tuple[str, int]:
    """The page a refused query gets: what was wrong, and a link to start again."""
    if isinstance(exc, ValidationError):
        code = "VALIDATION_FAILED"
        messages = exc.messages if isinstance(exc.messages, dict) else {"": exc.messages}
    elif exc.problem.code in SHOWN:
        code, messages = exc.problem.code, dict(exc.errors or {})
    else:
        raise exc
    problem = CATALOGUE[code]
    page = render_template(
        "dashboard/refused.html",
        problem=problem,
        message=message_for(problem),
        errors=messages,
        restart=url_for(endpoint),
    )
    return page, problem.status


def _values() -> dict[str, Any]:
    """The filter fields as typed (the form shows them again), without the cursor."""
    return {k: v for k, v in request.args.items() if k != "after" and v.strip()}


def _links(
    endpoint: str, name: str, page: Page, q: dict[str, Any], descending: bool
) -> dict[str, Any]:
    values = _values()
    out: dict[str, Any] = {"first": None, "next": None}
    if q["after"] is not None:
        out["first"] = url_for(endpoint, **values)
    if page.next_key is not None:
        cursor = dq.encode_cursor(name, q["sort"], descending, page.next_key)
        out["next"] = url_for(endpoint, **dq.query_string(values, after=cursor))
    return out


def _sorting(endpoint: str, sort: str, descending: bool, sorts: tuple[str, ...]) -> dict[str, Any]:
    """Per sortable column: the link that sorts by it (the other way round if it is the
    current order) and its ``aria-sort``."""
    values = _values()
    out = {}
    for column in sorts:
        current = column == sort
        flip = "asc" if current and descending else "desc" if current else "asc"
        out[column] = {
            "url": url_for(endpoint, **dq.query_string(values, sort=column, dir=flip)),
            "aria": ("descending" if descending else "ascending") if current else "none",
        }
    return out


def _record_filter(user: User, q: dict[str, Any]) -> RecordFilter:
    return RecordFilter(
        user=user,
        period=dq.period(q),
        region_id=dq.region(user, q["region"]),
        market_id=dq.market(user, q["market"]),
        form_key=q["form"],
        verdict=Verdict(q["verdict"]) if q["verdict"] else None,
        severity=int(q["severity"][1]) if q["severity"] else None,
        code=q["code"],
        grade=q["grade"],
    )


def _record_list(name: str, endpoint: str, default_desc: bool = True) -> tuple[str, int]:
    user = require_user()
    try:
        q = dq.load(RecordListIn())
        flt = _record_filter(user, q)
        descending = default_desc if q["dir"] is None else q["dir"] == "desc"
        sorts = lists.INSPECTION_SORTS if name == "inspections" else lists.FINDING_SORTS
        after = dq.decode_cursor(q["after"], name, q["sort"], descending, sorts[q["sort"]])
    except (ValidationError, AppError) as exc:
        return refused(exc, endpoint)
    if name == "inspections":
        page = lists.inspections_page(flt, q["sort"], descending, after, lists.PAGE_SIZE)
        findings = lists.findings_of(row.id for row in page.rows)
        count = lists.inspection_count(flt)
    else:
        page = lists.findings_page(flt, q["sort"], descending, after, lists.PAGE_SIZE)
        findings, count = {}, lists.finding_count(flt)
    period = flt.period
    exports = dq.query_string(
        dq.period_args(period, flt.region_id), market=flt.market_id, form=flt.form_key
    )
    return render_template(
        f"dashboard/{name}.html",
        page=page,
        findings=findings,
        count=count,
        period=period,
        values=_values(),
        q=q,
        links=_links(endpoint, name, page, q, descending),
        sorting=_sorting(endpoint, q["sort"], descending, tuple(sorts)),
        choices=dq.choices(user, flt.region_id, request_lang()),
        exports=exports,
        lang=request_lang(),
    ), 200


@bp.get("/dashboard/inspections")
@roles_required(*SUPERVISION)
def inspections() -> tuple[str, int]:
    return _record_list("inspections", "dashboard_lists.inspections")


@bp.get("/dashboard/findings")
@roles_required(*SUPERVISION)
def findings() -> tuple[str, int]:
    return _record_list("findings", "dashboard_lists.findings")


def _registry_list(name: str, endpoint: str) -> tuple[str, int]:
    user = require_user()
    schema = InstrumentListIn() if name == "instruments" else MerchantListIn()
    sorts = (
        registry_lists.INSTRUMENT_SORTS if name == "instruments" else registry_lists.MERCHANT_SORTS
    )
    try:
        q = dq.load(schema)
        flt = RegistryFilter(
            user=user,
            today=dq.today(),
            region_id=dq.region(user, q["region"]),
            market_id=dq.market(user, q["market"]),
            grade=q["grade"],
            kind=q["kind"],
            verification=q.get("verification"),
        )
        descending = q["dir"] == "desc"
        after = dq.decode_cursor(q["after"], name, q["sort"], descending, sorts[q["sort"]])
    except (ValidationError, AppError) as exc:
        return refused(exc, endpoint)
    if name == "instruments":
        page = registry_lists.instruments_page(
            flt, q["sort"], descending, after, registry_lists.PAGE_SIZE
        )
        last: dict[int, Any] = {}
    else:
        page = registry_lists.merchants_page(
            flt, q["sort"], descending, after, registry_lists.PAGE_SIZE
        )
        last = registry_lists.last_inspected(row.id for row in page.rows)
    return render_template(
        f"dashboard/{name}.html",
        page=page,
        last=last,
        today=flt.today,
        values=_values(),
        q=q,
        links=_links(endpoint, name, page, q, descending),
        sorting=_sorting(endpoint, q["sort"], descending, tuple(sorts)),
        choices=dq.choices(user, flt.region_id, request_lang()),
        kinds=[
            (k.value, gettext(k.value))
            for k in (InstrumentKind if name == "instruments" else MerchantKind)
        ],
        lang=request_lang(),
    ), 200


@bp.get("/dashboard/instruments")
@roles_required(*SUPERVISION)
def instruments() -> tuple[str, int]:
    return _registry_list("instruments", "dashboard_lists.instruments")


@bp.get("/dashboard/merchants")
@roles_required(*SUPERVISION)
def merchants() -> tuple[str, int]:
    return _registry_list("merchants", "dashboard_lists.merchants")
