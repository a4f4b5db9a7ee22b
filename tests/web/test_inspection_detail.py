"""An inspection's page as a supervisor reads it: the answers under the form's own labels in the
page's language, every weighing against its limit with the rule pack and version, the photo
as an EXIF-free copy, where and with what device it was recorded, and the versions of the
record once it is corrected."""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from flask.testing import FlaskClient
from PIL import Image

from inspect_app.models import Instrument, User
from inspect_app.models.user import Role
from tests.payloads import item, scale_answers


def jpeg_with_exif() -> bytes:
    image = Image.new("RGB", (64, 48), "red")
    exif = Image.Exif()
    exif[0x0132] = "2026:11:26 10:15:00"
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def push(client: FlaskClient, headers: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
    response = client.post("/api/v1/sync/push", json={"inspections": [body]}, headers=headers)
    [result] = response.get_json()["results"]
    assert result["status"] == "created", result
    return result


def test_the_page_shows_answers_evaluation_photo_and_versions(
    client: FlaskClient,
    make_instrument: Callable[..., Instrument],
    make_user: Callable[..., User],
    token_for: Callable[[User], dict[str, str]],
    login_as: Callable[..., User],
) -> None:
    scale = make_instrument()
    inspector = make_user(Role.INSPECTOR)
    headers = token_for(inspector)
    photo = jpeg_with_exif()
    sha = hashlib.sha256(photo).hexdigest()
    answers = scale_answers(
        scale.merchant_id,
        scale.code,
        nameplate_photo=sha,
        seal="broken",
        test_points=[{"load": 500, "indication": 520}, {"load": 5000, "indication": 5005}],
    )
    original = item("bazaar_scale", answers, attachments=[sha])
    push(client, headers, original)
    put = client.put(
        f"/api/v1/attachments/{sha}",
        data=photo,
        headers=headers,
        content_type="application/octet-stream",
    )
    assert put.status_code == 201
    login_as(Role.SUPERVISOR)
    page = client.get(f"/inspections/{original['uuid']}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    # The answers under the form's labels (zh), the chosen option's label, a section heading.
    assert "铭牌完整（名称、准确度等级、型号、出厂编号、Max、Min、e、d）" in text
    assert "铅封被破坏或拆动" in text
    assert "一、外观与标识" in text
    # Every weighing against its limit, with the rule pack and its version.
    assert re.search(r'data-testid="rule-pack">[^<]*<span class="sv-code">cn</span>', text)
    assert "2026.1" in text
    points = re.findall(r'<tr data-testid="point">(.*?)</tr>', text, re.S)
    assert len(points) == 2
    assert "<td>520</td>" in points[0] and "±5" in points[0] and "verdict-fail" in points[0]
    assert "<td>5005</td>" in points[1] and "±10" in points[1] and "verdict-pass" in points[1]
    # The photo: an EXIF-free copy served to the district's staff.
    src = f"/inspections/{original['uuid']}/photos/{sha}"
    assert f'src="{src}"' in text
    served = client.get(src)
    assert served.status_code == 200 and served.mimetype == "image/jpeg"
    assert Image.open(io.BytesIO(served.data)).getexif() == {}
    served.close()
    assert client.get(f"/inspections/{original['uuid']}/photos/{'0' * 64}").status_code == 404
    # Where and with what.
    assert 'data-testid="geotag">40.856100, 111.684100' in text
    assert "test tablet" in text
    assert 'data-testid="geotag-map"' in text
    # A correction: both versions list the chain, oldest first, the newest current.
    captured = datetime.now(UTC) - timedelta(seconds=30)
    fixed = item(
        "bazaar_scale",
        scale_answers(scale.merchant_id, scale.code),
        supersedes=original["uuid"],
        captured_at=captured.isoformat(),
    )
    push(client, headers, fixed)
    for uuid in (original["uuid"], fixed["uuid"]):
        versions = client.get(f"/inspections/{uuid}").get_data(as_text=True)
        chain = re.search(r'data-testid="versions">(.*?)</ol>', versions, re.S)
        assert chain is not None
        entries = re.findall(r"<li>(.*?)</li>", chain.group(1), re.S)
        assert len(entries) == 2
        assert "aria-current" in entries[0 if uuid == original["uuid"] else 1]


def test_the_page_speaks_english_too(
    client: FlaskClient,
    make_instrument: Callable[..., Instrument],
    make_user: Callable[..., User],
    token_for: Callable[[User], dict[str, str]],
    login_as: Callable[..., User],
) -> None:
    scale = make_instrument()
    inspector = make_user(Role.INSPECTOR)
    body = item("bazaar_scale", scale_answers(scale.merchant_id, scale.code))
    push(client, token_for(inspector), body)
    login_as(Role.SUPERVISOR)
    page = client.get(f"/inspections/{body['uuid']}").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    client.post("/lang/en", data={"csrf_token": token})
    text = client.get(f"/inspections/{body['uuid']}").get_data(as_text=True)
    assert "Nameplate complete (name, accuracy class, model, serial no., Max, Min, e, d)" in text
    assert "Lead seal present and intact" in text
    assert "Answers as the form showed them" in text
    assert "Limit: MPE (g)" in text
