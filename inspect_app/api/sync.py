"""``/api/v1/sync``: push inspections, pull reference data."""

from __future__ import annotations

import logging
from typing import Any

from flask import request
from flask_babel import get_locale
from marshmallow import ValidationError

from inspect_app import registry
from inspect_app.api import bp
from inspect_app.auth import current_device, require_user, token_required
from inspect_app.domain.traffic_light import local_today
from inspect_app.error_handlers import message_for
from inspect_app.errors import CATALOGUE
from inspect_app.models.user import Role
from inspect_app.schemas.common import json_body, json_problems, load, printable
from inspect_app.schemas.sync import (
    MAX_ITEM_DEPTH,
    PullQueryIn,
    PushBatchIn,
    dump_result,
    load_inspection,
)
from inspect_app.services import sync_pull, sync_push
from inspect_app.services.inspection_record import ItemResult, PushItem

STAFF = (Role.INSPECTOR, Role.SUPERVISOR, Role.ADMIN)

logger = logging.getLogger(__name__)


def _parse_item(raw: object, index: int, lang: str) -> PushItem | ItemResult:
    """Validate one envelope; a bad one becomes a rejected result, never a failed batch.

    In order: an object; nothing a database cannot store anywhere in it (NUL, lone
    surrogates, NaN, infinities, integers beyond 64 bits, nesting beyond MAX_ITEM_DEPTH),
    reported by path (answers' paths as the answer validation gives them); the wire schema.
    Anything else that goes wrong with this one item rejects it as ITEM_UNPROCESSABLE.
    """
    claimed = raw.get("uuid") if isinstance(raw, dict) else None
    # Echoed so the client can match the result; escaped, so garbage cannot break the answer.
    uuid = printable(claimed) if isinstance(claimed, str) else f"#{index}"
    if not isinstance(raw, dict):
        return sync_push.rejected(uuid, "VALIDATION_FAILED", {"_schema": ["not an object"]})
    envelope = {key: value for key, value in raw.items() if key != "answers"}
    problems = json_problems(envelope, lang, MAX_ITEM_DEPTH)
    if "answers" in raw:  # level 2 of the item; paths as the answer validation gives them
        answers = raw["answers"]
        prefix = "" if isinstance(answers, dict) else "answers"
        problems |= json_problems(answers, lang, MAX_ITEM_DEPTH, prefix, level=2)
    if problems:
        return sync_push.rejected(uuid, "VALIDATION_FAILED", problems)
    try:
        return PushItem.from_wire(load_inspection(raw))
    except ValidationError as exc:
        errors = exc.messages if isinstance(exc.messages, dict) else {"_schema": exc.messages}
        return sync_push.rejected(uuid, "VALIDATION_FAILED", errors)
    except Exception:  # the last line of defence: one item never sinks the batch
        logger.exception("Push item #%d (uuid %s) could not be read", index, uuid)
        return sync_push.rejected(uuid, "ITEM_UNPROCESSABLE")


@bp.post("/sync/push")
@token_required(Role.INSPECTOR, Role.ADMIN)
def push_batch() -> dict[str, Any]:
    batch = load(PushBatchIn(), json_body(batch=True))
    lang = "en" if str(get_locale()) == "en" else "zh"
    items = [_parse_item(raw, n, lang) for n, raw in enumerate(batch["inspections"])]
    results = sync_push.push_batch(
        require_user(), current_device(), items, registry.forms(), registry.rule_pack(), lang
    )
    return {"results": [_result_body(r) for r in results]}


def _result_body(result: ItemResult) -> dict[str, Any]:
    body = dump_result(result)
    if result.code:
        body["message"] = message_for(CATALOGUE[result.code])
    return body


@bp.get("/sync/pull")
@token_required(*STAFF)
def pull() -> dict[str, Any]:
    query = load(PullQueryIn(), request.args.to_dict())
    page = sync_pull.pull(require_user(), query["cursor"], query["limit"], local_today())
    return {
        "changes": [
            {"entity": c.entity, "id": c.id, "op": c.op, "data": c.data} for c in page.changes
        ],
        "cursor": str(page.cursor),
        "has_more": page.has_more,
    }
