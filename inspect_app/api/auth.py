"""Device tokens: exchange a password for a bearer token; see who a token belongs to."""

from __future__ import annotations

from typing import Any

from flask import current_app

from inspect_app.api import bp
from inspect_app.auth import current_device, sign_in_attempts, token_required
from inspect_app.schemas.auth import MeOut, TokenIn, TokenOut
from inspect_app.schemas.common import json_body, load
from inspect_app.services import accounts, audit


@bp.post("/auth/token")
@sign_in_attempts
def create_token() -> tuple[dict[str, Any], int]:
    data = load(TokenIn(), json_body())
    user = accounts.authenticate(data["username"], data["password"])
    device, token = accounts.issue_device_token(
        user, data["device_name"], int(current_app.config["DEVICE_TOKEN_TTL_DAYS"])
    )
    audit.record(user, "login", "user", user.id, {"via": "api", "device_id": device.id})
    out = {"token": token, "expires_at": device.expires_at, "device_id": device.id, "user": user}
    return TokenOut().dump(out), 201


@bp.get("/me")
@token_required()
def me() -> dict[str, Any]:
    device = current_device()
    me: dict[str, Any] = MeOut().dump(
        {
            "user": device.user,
            "device_id": device.id,
            # The tablet judges with the same rule pack as the server, and shows times in the
            # district's zone (not the device's), like the pages do.
            "rule_pack": str(current_app.config["RULE_PACK"]),
            "time_zone": str(current_app.config["BABEL_DEFAULT_TIMEZONE"]),
        }
    )
    return me


@bp.delete("/auth/token")
@token_required()
def revoke_own_token() -> tuple[str, int]:
    """Sign a device out: its token stops working at once."""
    device = current_device()
    accounts.revoke_device(device.user, device)
    return "", 204
