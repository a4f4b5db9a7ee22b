"""Form versions at push time, and the form endpoints devices cache from."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

from inspect_app.config import PROJECT_ROOT
from inspect_app.formdefs import pin_new_versions
from tests.api.conftest import Field
from tests.payloads import item, scale_answers


@pytest.fixture
def forms_dir(tmp_path: Path) -> Path:
    """A copy of field_forms/ where bazaar_scale v2 is published and v1 is still accepted."""
    target = tmp_path / "field_forms"
    shutil.copytree(PROJECT_ROOT / "field_forms", target)
    v1 = (target / "bazaar_scale" / "v1.toml").read_text(encoding="utf-8")
    v2 = v1.replace('en = "Market stall scale inspection"', 'en = "Stall scale inspection (v2)"')
    assert v2 != v1
    (target / "bazaar_scale" / "v2.toml").write_text(v2, encoding="utf-8")
    pin_new_versions(target)
    return target


@pytest.fixture
def app_config(app_config: dict[str, Any], forms_dir: Path) -> Iterator[dict[str, Any]]:
    yield app_config | {"FIELD_FORMS_DIR": str(forms_dir)}


def _set_status(forms_dir: Path, version: int, status: str) -> None:
    path = forms_dir / "lifecycle.toml"
    text = re.sub(
        r'\[bazaar_scale\]\n1 = "\w+"',
        f'[bazaar_scale]\n{version} = "{status}"',
        path.read_text(encoding="utf-8"),
    )
    path.write_text(text, encoding="utf-8")


def test_an_older_published_version_is_accepted(field: Field) -> None:
    [old] = field.push(item("bazaar_scale", scale_answers(field.merchant.id, field.scale.code)))
    [new] = field.push(
        item("bazaar_scale", scale_answers(field.merchant.id, field.scale.code), form_version=2)
    )
    assert (old["status"], new["status"]) == ("created", "created")


def test_an_unknown_version_or_form_is_refused_with_its_code(field: Field) -> None:
    answers = scale_answers(field.merchant.id, field.scale.code)
    [version] = field.push(item("bazaar_scale", answers, form_version=9))
    [form] = field.push(item("goldsmith_scale", answers))
    assert (version["status"], version["code"]) == ("rejected", "FORM_VERSION_UNKNOWN")
    assert (form["status"], form["code"]) == ("rejected", "FORM_UNKNOWN")


def test_a_closing_form_still_accepts_a_closed_one_refuses(field: Field, forms_dir: Path) -> None:
    _set_status(forms_dir, 1, "closing")
    field.client.application.extensions.pop("inspect_forms", None)
    [closing] = field.push(item("bazaar_scale", scale_answers(field.merchant.id, field.scale.code)))
    assert closing["status"] == "created"
    _set_status(forms_dir, 1, "closed")
    field.client.application.extensions.pop("inspect_forms", None)
    [closed] = field.push(item("bazaar_scale", scale_answers(field.merchant.id, field.scale.code)))
    assert (closed["status"], closed["code"]) == ("rejected", "FORM_CLOSED")


def test_manifest_has_an_etag_and_answers_304(client: FlaskClient, field: Field) -> None:
    first = client.get("/api/v1/forms", headers=field.headers)
    assert first.status_code == 200
    keys = {(f["key"], f["version"]) for f in first.get_json()["forms"]}
    assert {("bazaar_scale", 1), ("bazaar_scale", 2), ("prepackaged_goods", 1)} <= keys
    etag = first.headers["ETag"]
    again = client.get("/api/v1/forms", headers=field.headers | {"If-None-Match": etag})
    assert again.status_code == 304


def test_a_definition_has_the_shape_clients_rely_on(client: FlaskClient, field: Field) -> None:
    body = client.get("/api/v1/forms/bazaar_scale/1", headers=field.headers).get_json()
    assert {"key", "version", "title", "inspection_type", "status", "fields"} <= set(body)
    by_key = {f["key"]: f for f in body["fields"]}
    assert by_key["instrument"]["type"] == "instrument"
    points = {f["key"]: f for f in by_key["test_points"]["fields"]}
    assert points["load"]["unit"] == points["indication"]["unit"] == "g"
    assert client.get("/api/v1/forms/bazaar_scale/77", headers=field.headers).status_code == 404


def test_rule_pack_export_is_served(client: FlaskClient, field: Field) -> None:
    response = client.get("/api/v1/rulepacks/cn", headers=field.headers)
    assert response.status_code == 200 and response.get_json()["id"] == "cn"
    assert client.get("/api/v1/rulepacks/xx", headers=field.headers).status_code == 404
