"""Sync fixtures: an inspector with a token, a stall with a registered scale."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from flask.testing import FlaskClient

from inspect_app.models import Instrument, Merchant, User
from inspect_app.models.user import Role


@dataclass
class Field:
    client: FlaskClient
    inspector: User
    headers: dict[str, str]
    merchant: Merchant
    scale: Instrument

    def push(self, *items: dict[str, Any], **headers: str) -> Any:
        response = self.client.post(
            "/api/v1/sync/push", json={"inspections": list(items)}, headers=self.headers | headers
        )
        assert response.status_code == 200, response.get_json()
        return response.get_json()["results"]


@pytest.fixture
def field(
    client: FlaskClient,
    make_user: Callable[..., User],
    make_instrument: Callable[..., Instrument],
    make_merchant: Callable[..., Merchant],
    token_for: Callable[[User], dict[str, str]],
) -> Field:
    inspector = make_user(Role.INSPECTOR)
    merchant = make_merchant()
    scale = make_instrument(merchant)
    return Field(client, inspector, token_for(inspector), merchant, scale)
