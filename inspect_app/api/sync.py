"""``/api/v1/sync``: push inspections, pull reference data."""

from __future__ import annotations

from typing import Any

from flask import request
from flask_babel import get_locale
from marshmallow import ValidationError

from inspect_app import registry
from inspect_app.api import bp
from inspect_app.auth import current_device, require_user, token_required
from inspect_app.error_handlers import message_for
from inspect_app.errors import CATALOGUE
from inspect_app.models.user import Role
from inspect_app.schemas.common import json_body, load
from inspect_app.schemas.sync import (
    InspectionIn,
    ItemResultOut,
    PullQueryIn,
    PushBatchIn,
    drop_none,
)
from inspect_app.services import sync_pull, sync_push
from inspect_app.services.inspection_record import ItemResult, PushItem

STAFF = (Role.INSPECTOR, Role.SUPERVISOR, Role.ADMIN)


def _parse_item(raw: object, index: int) -> PushItem | ItemResult:
    """Validate one envelope; a bad one becomes a rejected result, never a failed batch."""
    uuid = str(raw.get("uuid", f"#{index}")) if isinstance(raw, dict) else f"#{index}"
    if not isinstance(raw, dict):
        return sync_push.rejected(uuid[:64], "VALIDATION_FAILED", {"_schema": ["not an object"]})
    try:
        return PushItem.from_wire(InspectionIn().load(raw))
    except ValidationError as exc:
        errors = exc.messages if isinstance(exc.messages, dict) else {"_schema": exc.messages}
        return sync_push.rejected(uuid[:64], "VALIDATION_FAILED", errors)


@bp.post("/sync/push")
@token_required(Role.INSPECTOR, Role.ADMIN)
def push_batch() -> dict[str, Any]:
    batch = load(PushBatchIn(), json_body())
    items = [_parse_item(raw, n) for n, raw in enumerate(batch["inspections"])]
    lang = "en" if str(get_locale()) == "en" else "zh"
    results = sync_push.push_batch(
        require_user(), current_device(), items, registry.forms(), registry.rule_pack(), lang
    )
    return {"results": [_result_body(r) for r in results]}


def _result_body(result: ItemResult) -> dict[str, Any]:
    body = drop_none(ItemResultOut().dump(result))
    if result.code:
        body["message"] = message_for(CATALOGUE[result.code])
    return body


@bp.get("/sync/pull")
@token_required(*STAFF)
def pull() -> dict[str, Any]:
    query = load(PullQueryIn(), request.args.to_dict())
    page = sync_pull.pull(require_user(), query["cursor"], query["limit"])
    return {
        "changes": [
            {"entity": c.entity, "id": c.id, "op": c.op, "data": c.data} for c in page.changes
        ],
        "cursor": str(page.cursor),
        "has_more": page.has_more,
    }
