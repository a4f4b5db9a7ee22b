"""``/api/v1/openapi.json``: the published protocol, generated rather than copied.

Nothing in the document is typed twice. Request and response bodies are the marshmallow
schemas the views load and dump (apispec's marshmallow plugin turns them into JSON Schema);
the error codes come from the catalogue; paths and path parameters come from the URL map.
What only people can say (a summary, the statuses an endpoint answers) is in ``OPERATIONS``,
one entry per API endpoint, next to the rest of the document so a change of protocol is one
diff. tests/api/test_openapi.py fails when a route has no entry or an entry has no route, and
the Schemathesis run (tests/api/test_openapi_fuzz.py) checks the answers against the document.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import current_app
from marshmallow import Schema
from werkzeug.routing import Map, Rule

from inspect_app.api import bp
from inspect_app.errors import CATALOGUE
from inspect_app.schemas.attachments import AttachmentOut
from inspect_app.schemas.auth import MeOut, TokenIn, TokenOut, UserOut
from inspect_app.schemas.credit import CreditOut
from inspect_app.schemas.dashboard import PeriodQueryIn, StatusOut, StatusQueryIn, SummaryOut
from inspect_app.schemas.enforcement import (
    AlertsOut,
    AlertsQueryIn,
    OrdersOut,
    OrdersQueryIn,
    ReviewIn,
    ReviewOut,
)
from inspect_app.schemas.errors import ErrorOut
from inspect_app.schemas.forms import FormManifestOut, ViolationsOut
from inspect_app.schemas.labels import RotatedTokenOut
from inspect_app.schemas.reports import ReportOut, ReportsQueryIn
from inspect_app.schemas.sync import (
    SHA256,
    GeotagIn,
    InspectionIn,
    ItemResultOut,
    PullPageOut,
    PullQueryIn,
    PushBatchIn,
    PushResultsOut,
)

TITLE = "Market metrology inspection sync API"

#: Every schema the document names, under the name it is published as (schemas that are only
#: nested, like FindingOut, are added under their class name when first met).
SCHEMAS: dict[str, type[Schema]] = {
    "Error": ErrorOut,
    "TokenIn": TokenIn,
    "TokenOut": TokenOut,
    "UserOut": UserOut,
    "MeOut": MeOut,
    "GeotagIn": GeotagIn,
    "InspectionIn": InspectionIn,
    "PushBatchIn": PushBatchIn,
    "ItemResultOut": ItemResultOut,
    "PushResultsOut": PushResultsOut,
    "PullQueryIn": PullQueryIn,
    "PullPageOut": PullPageOut,
    "AttachmentOut": AttachmentOut,
    "FormManifestOut": FormManifestOut,
    "ViolationsOut": ViolationsOut,
    "RotatedTokenOut": RotatedTokenOut,
    "ReportOut": ReportOut,
    "ReportsQueryIn": ReportsQueryIn,
    "CreditOut": CreditOut,
}

#: List fields the document describes more precisely than the schema loads them. A push
#: batch holds raw items so that one bad item never sinks the batch (the view loads each
#: with InspectionIn and rejects it alone), but what a client must send is InspectionIn.
ITEMS: dict[tuple[str, str], str] = {("PushBatchIn", "inspections"): "InspectionIn"}

_ETAG = {"ETag": {"description": "Send it back as If-None-Match", "schema": {"type": "string"}}}
_IF_NONE_MATCH = {
    "name": "If-None-Match",
    "in": "header",
    "required": False,
    "description": "The ETag held; answered 304 when unchanged.",
    "schema": {"type": "string"},
}


def _json(schema: type[Schema] | dict[str, Any], description: str = "OK") -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _bytes(media_type: str, description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {media_type: {"schema": {"type": "string", "format": "binary"}}},
    }


def _cached(schema: type[Schema] | dict[str, Any]) -> dict[int, dict[str, Any]]:
    """200 with an ETag, or 304 when the device already holds this content."""
    return {
        200: {**_json(schema), "headers": _ETAG},
        304: {"description": "Unchanged since If-None-Match", "headers": _ETAG},
    }


def _op(
    summary: str,
    responses: dict[int, dict[str, Any]],
    *errors: int,
    body: type[Schema] | dict[str, Any] | None = None,
    query: type[Schema] | None = None,
    headers: Iterable[dict[str, Any]] = (),
    path: dict[str, dict[str, Any]] | None = None,
    public: bool = False,
) -> dict[str, Any]:
    """One operation. ``errors`` are statuses; each is answered with the catalogue's codes
    for it. ``path`` narrows the schema of path parameters beyond what the URL map says."""
    op: dict[str, Any] = {
        "summary": summary,
        "responses": {str(s): r for s, r in responses.items()}
        | {str(s): f"Error{s}" for s in errors},
    }
    if body is not None:
        content = body if isinstance(body, dict) else {"application/json": {"schema": body}}
        op["requestBody"] = {"required": True, "content": content}
    parameters: list[dict[str, Any]] = list(headers)
    if query is not None:
        parameters.append({"in": "query", "schema": query})
    if parameters:
        op["parameters"] = parameters
    if path:
        op["x-path-schemas"] = path
    if public:
        op["security"] = []
    return op


_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_SHA256_PATH = {"sha256": {"type": "string", "pattern": SHA256.regex.pattern}}
_STAFF = (401, 403)
#: Errors and query of the period endpoints (dashboard summary, exports).
_P, _Q = (*_STAFF, 404, 422), PeriodQueryIn

#: One entry per API endpoint (``api.<view function>``).
OPERATIONS: dict[str, dict[str, Any]] = {
    "api.create_token": _op(
        "Exchange a password for a device token",
        {201: _json(TokenOut, "Token issued")},
        *(400, 401, 413, 415, 422, 429),
        body=TokenIn,
        public=True,
    ),
    "api.revoke_own_token": _op(
        "Sign this device out (revoke its token)", {204: {"description": "Revoked"}}, 401
    ),
    "api.me": _op(
        "Who this token belongs to, the rule pack and the district's time zone",
        {200: _json(MeOut)},
        401,
    ),
    "api.list_forms": _op(
        "Manifest of published form versions",
        _cached(FormManifestOut),
        *_STAFF,
        headers=[_IF_NONE_MATCH],
    ),
    "api.get_form": _op(
        "One form definition, with its status",
        _cached({"type": "object"}),
        *_STAFF,
        404,
        headers=[_IF_NONE_MATCH],
    ),
    "api.list_violations": _op("Violation catalogue", {200: _json(ViolationsOut)}, *_STAFF),
    "api.get_rule_pack": _op(
        "Rule pack tables for on-device verdicts",
        _cached({"type": "object"}),
        *_STAFF,
        404,
        headers=[_IF_NONE_MATCH],
    ),
    "api.pull": _op(
        "Reference data and active orders changed since a cursor, with tombstones",
        {200: _json(PullPageOut)},
        *_STAFF,
        422,
        query=PullQueryIn,
    ),
    "api.push_batch": _op(
        "Store a batch of inspections; one result per item, in order",
        {200: _json(PushResultsOut)},
        *(400, *_STAFF, 413, 415, 422),
        body=PushBatchIn,
    ),
    "api.put_attachment": _op(
        "Upload a photo by content address (idempotent)",
        {201: _json(AttachmentOut, "Stored"), 200: _json(AttachmentOut, "Already stored")},
        *(*_STAFF, 404, 413, 415, 422),
        body={"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
        path=_SHA256_PATH,
    ),
    "api.get_attachment": _op(
        "The photo without EXIF",
        {200: _bytes("image/jpeg", "JPEG")},
        *_STAFF,
        404,
        path=_SHA256_PATH,
    ),
    "api.instrument_label_png": _op(
        "The instrument's QR label (URL <PUBLIC_BASE_URL>/q/<qr_token>, code beneath)",
        {200: _bytes("image/png", "PNG")},
        *_STAFF,
        404,
    ),
    "api.instrument_label_svg": _op(
        "The instrument's QR label as SVG",
        {200: _bytes("image/svg+xml", "SVG")},
        *_STAFF,
        404,
    ),
    "api.rotate_token": _op(
        "Replace the instrument's label: a new QR token; the old one answers 410 on /q/",
        {200: _json(RotatedTokenOut, "New token")},
        *_STAFF,
        404,
    ),
    "api.list_reports": _op(
        "Consumer reports of the caller's district (admins: all), newest first; supervisors "
        "and admins only, so the reporter's phone number is included",
        {200: _json({"type": "array", "items": ReportOut})},
        *_STAFF,
        422,
        query=ReportsQueryIn,
    ),
    "api.review_inspection": _op(
        "Approve an inspection, or return it with a reason (supervisors of its district, "
        "admins); returning withdraws the orders and alerts it caused",
        {200: _json(ReviewOut)},
        *(400, *_STAFF, 404, 409, 415, 422),
        body=ReviewIn,
    ),
    "api.list_alerts": _op(
        "Alerts of the caller's district (admins: all), newest first",
        {200: _json(AlertsOut)},
        *_STAFF,
        422,
        query=AlertsQueryIn,
    ),
    "api.list_orders": _op(
        "A merchant's repair, condemnation and re-verification orders (staff of its district, "
        "admins, the merchant's own user), the ones needing action first",
        {200: _json(OrdersOut)},
        *_STAFF,
        404,
        422,
        query=OrdersQueryIn,
    ),
    "api.merchant_credit": _op(
        "A merchant's honesty grade (admins, staff of its district, its own user): the current "
        "snapshot, or computed now and not stored when none exists yet",
        {
            200: {
                **_json(CreditOut),
                "headers": {
                    "Credit-Snapshot": {
                        "description": "The id of the stored snapshot shown, or none",
                        "schema": {"type": "string", "pattern": "^([0-9]+|none)$"},
                    }
                },
            }
        },
        *_STAFF,
        404,
    ),
    # Dashboards and exports (docs/dashboards.md): a device token or a web session.
    "api.dashboard_summary": _op(
        "A period's figures, from the read models", {200: _json(SummaryOut)}, *_P, query=_Q
    ),
    "api.dashboard_state": _op(
        "What needs attention today", {200: _json(StatusOut)}, *_P, query=StatusQueryIn
    ),
    **{
        f"api.export_{name.replace('.', '_')}": _op(
            f"{name} of a period, streamed; audited", {200: _bytes(media, name)}, *_P, query=_Q
        )
        for name, media in (
            ("inspections.csv", "text/csv"),
            ("inspections.xlsx", _XLSX),
            ("findings.csv", "text/csv"),
            ("findings.xlsx", _XLSX),
            ("findings.geojson", "application/geo+json"),
        )
    },
    "api.openapi": _op("This document", {200: _json({"type": "object"})}, public=True),
}

#: Werkzeug converter → what its segment matches, as JSON Schema.
_CONVERTERS: dict[str, dict[str, Any]] = {
    "default": {"type": "string", "pattern": "^[^/]+$"},
    "string": {"type": "string", "pattern": "^[^/]+$"},
    "int": {"type": "integer", "minimum": 0},
    "path": {"type": "string", "minLength": 1},
}
_ARGUMENT = re.compile(r"<(?:(?P<converter>\w+)(?:\([^)]*\))?:)?(?P<name>\w+)>")


def api_rules(url_map: Map) -> list[Rule]:
    """The API's routes, in a stable order."""
    return sorted(
        (r for r in url_map.iter_rules() if r.endpoint.startswith(f"{bp.name}.")),
        key=lambda r: (r.rule, r.endpoint),
    )


def openapi_path(rule: Rule) -> tuple[str, list[dict[str, Any]]]:
    """``/a/<int:id>`` → ``/a/{id}`` and its path parameters."""
    parameters = [
        {
            "name": m["name"],
            "in": "path",
            "required": True,
            "schema": dict(_CONVERTERS.get(m["converter"] or "default", {"type": "string"})),
        }
        for m in _ARGUMENT.finditer(rule.rule)
    ]
    return _ARGUMENT.sub(lambda m: "{" + m["name"] + "}", rule.rule), parameters


def _published_name(schema: type[Schema] | Schema) -> str:
    """A schema's component name, the same whether it is met nested or registered."""
    cls = schema if isinstance(schema, type) else type(schema)
    return next((name for name, known in SCHEMAS.items() if known is cls), cls.__name__)


def build(url_map: Map) -> dict[str, Any]:
    """The OpenAPI 3.1 document of every API route that has an entry in ``OPERATIONS``."""
    spec = APISpec(
        title=TITLE,
        version="1",
        openapi_version="3.1.0",
        plugins=[MarshmallowPlugin(schema_name_resolver=_published_name)],
        security=[{"bearer": []}],
    )
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    for name, schema in SCHEMAS.items():
        if name not in spec.components.schemas:  # not already added where it was nested
            spec.components.schema(name, schema=schema)
    for (name, field), item_schema in ITEMS.items():
        prop = spec.components.schemas[name]["properties"][field]
        prop["items"] = spec.components.get_ref("schema", item_schema)
    for status in sorted({p.status for p in CATALOGUE.values()}):
        codes = sorted(p.code for p in CATALOGUE.values() if p.status == status)
        narrowed = {
            "allOf": [{"$ref": "#/components/schemas/Error"}],
            "properties": {"code": {"enum": codes}},
        }
        spec.components.response(f"Error{status}", _json(narrowed, ", ".join(codes)))

    paths: dict[str, dict[str, dict[str, Any]]] = {}
    for rule in api_rules(url_map):
        if rule.endpoint not in OPERATIONS:
            continue  # tests/api/test_openapi.py fails on this; the document stays servable
        path, parameters = openapi_path(rule)
        operation = dict(OPERATIONS[rule.endpoint])
        narrower = operation.pop("x-path-schemas", {})
        for parameter in parameters:
            parameter["schema"] = narrower.get(parameter["name"], parameter["schema"])
        if parameters := parameters + operation.get("parameters", []):
            operation["parameters"] = parameters
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            paths.setdefault(path, {})[method.lower()] = operation
    for path, operations in paths.items():
        spec.path(path=path, operations=operations)
    return spec.to_dict()


@bp.get("/openapi.json")
def openapi() -> dict[str, Any]:
    cache = current_app.extensions.setdefault("inspect_app.openapi", {})
    if "document" not in cache:
        cache["document"] = build(current_app.url_map)
    document: dict[str, Any] = cache["document"]
    return document
