"""``/api/v1/openapi.json``: the published protocol (a test checks it covers every route)."""

from __future__ import annotations

from typing import Any

from inspect_app.api import bp
from inspect_app.errors import CATALOGUE

_ERROR = {"$ref": "#/components/schemas/Error"}


def _op(
    summary: str,
    ok: dict[str, Any],
    *errors: int,
    body: Any = None,
    auth: bool = True,
    params: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    responses: dict[str, Any] = dict(ok)
    for status in errors:
        responses[str(status)] = {
            "description": ", ".join(p.code for p in CATALOGUE.values() if p.status == status),
            "content": {"application/json": {"schema": _ERROR}},
        }
    op: dict[str, Any] = {"summary": summary, "responses": responses}
    if body is not None:
        op["requestBody"] = {"required": True, "content": body}
    if not auth:
        op["security"] = []
    if params:
        op["parameters"] = params
    return op


def _json(ref: str, description: str = "OK") -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{ref}"}}},
    }


def _path_param(name: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": schema}


SHA = _path_param("sha256", {"type": "string", "pattern": "^[0-9a-f]{64}$"})

SCHEMAS: dict[str, Any] = {
    "Error": {
        "type": "object",
        "required": ["code", "message"],
        "properties": {
            "code": {"type": "string", "enum": sorted(CATALOGUE)},
            "message": {"type": "string"},
            "errors": {"type": "object"},
        },
    },
    "TokenIn": {
        "type": "object",
        "required": ["username", "password", "device_name"],
        "additionalProperties": False,
        "properties": {
            "username": {"type": "string", "maxLength": 64},
            "password": {"type": "string", "maxLength": 256},
            "device_name": {"type": "string", "maxLength": 100},
        },
    },
    "Token": {
        "type": "object",
        "properties": {
            "token": {"type": "string"},
            "token_type": {"type": "string", "enum": ["Bearer"]},
            "expires_at": {"type": "string", "format": "date-time"},
            "device_id": {"type": "integer"},
            "user": {"type": "object"},
        },
    },
    "Geotag": {
        "type": ["object", "null"],
        "required": ["lat", "lon", "accuracy"],
        "properties": {
            "lat": {"type": "number", "minimum": -90, "maximum": 90},
            "lon": {"type": "number", "minimum": -180, "maximum": 180},
            "accuracy": {"type": "number", "minimum": 0},
            "altitude": {"type": ["number", "null"]},
            "fix_at": {"type": ["string", "null"], "format": "date-time"},
        },
    },
    "InspectionIn": {
        "type": "object",
        "required": ["uuid", "form_key", "form_version", "captured_at", "geotag", "answers"],
        "additionalProperties": False,
        "properties": {
            "uuid": {"type": "string", "format": "uuid"},
            "form_key": {"type": "string"},
            "form_version": {"type": "integer", "minimum": 1},
            "started_at": {"type": ["string", "null"], "format": "date-time"},
            "captured_at": {"type": "string", "format": "date-time"},
            "geotag": {"$ref": "#/components/schemas/Geotag"},
            "answers": {"type": "object"},
            "attachments": {"type": "array", "items": {"type": "string"}},
            "supersedes": {"type": ["string", "null"], "format": "uuid"},
            "client_verdict": {"type": ["string", "null"], "enum": ["pass", "fail", None]},
        },
    },
    "PushIn": {
        "type": "object",
        "required": ["inspections"],
        "properties": {
            "inspections": {
                "type": "array",
                "minItems": 1,
                "maxItems": 500,
                "items": {"$ref": "#/components/schemas/InspectionIn"},
            }
        },
    },
    "ItemResult": {
        "type": "object",
        "required": ["uuid", "status"],
        "properties": {
            "uuid": {"type": "string"},
            "status": {"enum": ["created", "duplicate", "conflict", "stale", "rejected"]},
            "code": {"type": "string"},
            "message": {"type": "string"},
            "errors": {"type": "object"},
            "verdict": {"enum": ["pass", "fail"]},
            "findings": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "code": {"type": "string"},
                        "severity": {"type": "string"},
                        "domain": {"type": "string"},
                    },
                },
            },
            "flags": {"type": "object"},
            "missing_attachments": {"type": "array", "items": {"type": "string"}},
        },
    },
    "PushOut": {
        "type": "object",
        "properties": {
            "results": {"type": "array", "items": {"$ref": "#/components/schemas/ItemResult"}}
        },
    },
    "PullOut": {
        "type": "object",
        "required": ["changes", "cursor", "has_more"],
        "properties": {
            "changes": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "entity": {"enum": ["market", "merchant", "instrument"]},
                        "id": {"type": "integer"},
                        "op": {"enum": ["upsert", "delete"]},
                        "data": {"type": ["object", "null"]},
                    },
                },
            },
            "cursor": {"type": "string"},
            "has_more": {"type": "boolean"},
        },
    },
}

PATHS: dict[str, Any] = {
    "/api/v1/auth/token": {
        "post": _op(
            "Exchange a password for a device token",
            {"201": _json("Token")},
            400,
            401,
            413,
            415,
            422,
            429,
            auth=False,
            body={"application/json": {"schema": {"$ref": "#/components/schemas/TokenIn"}}},
        ),
        "delete": _op(
            "Sign this device out (revoke its token)", {"204": {"description": "Revoked"}}, 401
        ),
    },
    "/api/v1/me": {"get": _op("Who this token belongs to", {"200": {"description": "OK"}}, 401)},
    "/api/v1/forms": {
        "get": _op(
            "Manifest of published form versions (ETag)",
            {"200": {"description": "OK"}, "304": {"description": "Unchanged"}},
            401,
            403,
        )
    },
    "/api/v1/forms/{key}/{version}": {
        "get": _op(
            "One form definition (ETag)",
            {"200": {"description": "OK"}, "304": {"description": "Unchanged"}},
            401,
            403,
            404,
            params=[
                _path_param("key", {"type": "string"}),
                _path_param("version", {"type": "integer"}),
            ],
        )
    },
    "/api/v1/violations": {
        "get": _op("Violation catalogue", {"200": {"description": "OK"}}, 401, 403)
    },
    "/api/v1/rulepacks/{pack_id}": {
        "get": _op(
            "Rule pack tables for on-device verdicts (ETag)",
            {"200": {"description": "OK"}, "304": {"description": "Unchanged"}},
            401,
            403,
            404,
            params=[_path_param("pack_id", {"type": "string"})],
        )
    },
    "/api/v1/sync/pull": {
        "get": _op(
            "Reference data changed since a cursor, with tombstones",
            {"200": _json("PullOut")},
            401,
            403,
            422,
            params=[
                {"name": "cursor", "in": "query", "schema": {"type": "string"}},
                {"name": "limit", "in": "query", "schema": {"type": "integer", "maximum": 1000}},
            ],
        )
    },
    "/api/v1/sync/push": {
        "post": _op(
            "Store a batch of inspections; one result per item, in order",
            {"200": _json("PushOut")},
            400,
            401,
            403,
            413,
            415,
            422,
            body={"application/json": {"schema": {"$ref": "#/components/schemas/PushIn"}}},
        )
    },
    "/api/v1/attachments/{sha256}": {
        "put": _op(
            "Upload a photo by content address (idempotent)",
            {"201": {"description": "Stored"}, "200": {"description": "Already stored"}},
            401,
            403,
            404,
            413,
            422,
            params=[SHA],
            body={"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
        ),
        "get": _op(
            "The photo without EXIF", {"200": {"description": "JPEG"}}, 401, 403, 404, params=[SHA]
        ),
    },
    "/api/v1/instruments/{instrument_id}/label.png": {
        "get": _op(
            "The instrument's QR label (URL <PUBLIC_BASE_URL>/q/<qr_token>, code beneath), PNG",
            {"200": {"description": "image/png"}},
            401,
            403,
            404,
            params=[_path_param("instrument_id", {"type": "integer"})],
        )
    },
    "/api/v1/instruments/{instrument_id}/label.svg": {
        "get": _op(
            "The instrument's QR label as SVG",
            {"200": {"description": "image/svg+xml"}},
            401,
            403,
            404,
            params=[_path_param("instrument_id", {"type": "integer"})],
        )
    },
    "/api/v1/openapi.json": {
        "get": _op("This document", {"200": {"description": "OK"}}, auth=False)
    },
}


@bp.get("/openapi.json")
def openapi() -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {"title": "Market metrology inspection sync API", "version": "1"},
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
        "security": [{"bearer": []}],
        "paths": PATHS,
    }
