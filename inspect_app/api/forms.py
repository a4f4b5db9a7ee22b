"""Form definitions for devices: a manifest with an ETag, and each published version."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify, request

from inspect_app import registry
from inspect_app.api import bp
from inspect_app.auth import token_required
from inspect_app.errors import AppError
from inspect_app.models.user import Role

STAFF = (Role.INSPECTOR, Role.SUPERVISOR, Role.ADMIN)


def _cached(body: Any, etag: str) -> Response:
    """Answer 304 when the device already holds this content (If-None-Match)."""
    response = Response(status=304) if etag in request.if_none_match else jsonify(body)
    response.set_etag(etag)
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/forms")
@token_required(*STAFF)
def list_forms() -> Response:
    forms = registry.forms()
    return _cached({"forms": forms.manifest()}, forms.manifest_sha256())


@bp.get("/forms/<key>/<int:version>")
@token_required(*STAFF)
def get_form(key: str, version: int) -> Response:
    forms = registry.forms()
    definition = forms.get(key, version)
    if definition is None:
        raise AppError("NOT_FOUND")
    status = forms.status(key, version)
    body = definition.to_json()
    if status is not None:
        body["status"] = status.value
    return _cached(body, forms.sha256(key, version) or "")


@bp.get("/violations")
@token_required(*STAFF)
def list_violations() -> dict[str, Any]:
    return {"violations": [v.to_json() for v in registry.forms().violations.values()]}


@bp.get("/rulepacks/<pack_id>")
@token_required(*STAFF)
def get_rule_pack(pack_id: str) -> Response:
    from inspect_app.domain import rulepacks

    if pack_id not in rulepacks.available():
        raise AppError("NOT_FOUND")
    pack = rulepacks.load(pack_id)
    return _cached(rulepacks.export_json(pack_id), f"{pack.id}-{pack.version}")
