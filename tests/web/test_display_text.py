"""Names shown on pages lose direction overrides and zero-width characters."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask, render_template_string
from flask.testing import FlaskClient
from markupsafe import Markup

from inspect_app.extensions import db
from inspect_app.models import Instrument, Merchant, User
from inspect_app.models.user import Role
from tests.payloads import item, scale_answers

RLO, ZWSP, LRI, PDI, BOM, ZWJ = "\u202e", "\u200b", "\u2066", "\u2069", "\ufeff", "\u200d"
INVISIBLE = (RLO, ZWSP, LRI, PDI, BOM, ZWJ, "\u202a", "\u200f", "\u2060", "\U000e0041")
#: A merchant registered by someone hoping the page shows "王记蔬菜 gpj.exe" backwards.
SPOOFED = f"王记{ZWSP}蔬菜{RLO}gpj.exe{BOM}"
SHOWN = "王记蔬菜gpj.exe"


def assert_clean(page: str) -> None:
    for char in INVISIBLE:
        assert char not in page, f"U+{ord(char):04X} reached the page"


def test_the_merchant_page_shows_the_name_without_controls(
    client: FlaskClient, login_as: Callable[..., User], make_merchant: Callable[..., Merchant]
) -> None:
    merchant = make_merchant(name=SPOOFED, stall_no=f"A{RLO}-07")
    login_as(Role.SUPERVISOR)
    page = client.get(f"/merchants/{merchant.id}").get_data(as_text=True)
    assert f"<h1>{SHOWN}</h1>" in page
    assert "A-07" in page
    assert_clean(page)


def test_the_supervisor_overview_shows_the_name_without_controls(
    client: FlaskClient,
    make_user: Callable[..., User],
    make_merchant: Callable[..., Merchant],
    make_instrument: Callable[..., Instrument],
    token_for: Callable[[User], dict[str, str]],
    login_as: Callable[..., User],
) -> None:
    scale = make_instrument(make_merchant(name=SPOOFED))
    answers = scale_answers(
        scale.merchant_id, scale.code, test_points=[{"load": 10000, "indication": 10030}]
    )
    pushed = client.post(
        "/api/v1/sync/push",
        json={"inspections": [item("bazaar_scale", answers)]},
        headers=token_for(make_user(Role.INSPECTOR)),
    )
    assert pushed.get_json()["results"][0]["verdict"] == "fail"
    login_as(Role.SUPERVISOR)
    page = client.get("/supervisor/").get_data(as_text=True)
    assert SHOWN in page
    assert_clean(page)


def test_user_names_in_the_header_and_admin_list_are_neutralised(
    client: FlaskClient, login_as: Callable[..., User], make_user: Callable[..., User]
) -> None:
    make_user(Role.INSPECTOR, display_name=f"李{RLO}四{ZWSP}")
    admin = login_as(Role.ADMIN)
    admin.display_name = f"{LRI}管理员{PDI}"
    db.session.commit()
    page = client.get("/admin/").get_data(as_text=True)
    assert "李四" in page and "管理员" in page
    assert_clean(page)


def test_a_typed_username_shown_back_on_the_login_page_is_neutralised(
    client: FlaskClient,
) -> None:
    from tests.conftest import csrf_from

    page = client.post(
        "/login",
        data={"username": f"ad{RLO}min", "password": "x", "csrf_token": csrf_from(client)},
    ).get_data(as_text=True)
    assert 'value="admin"' in page
    assert_clean(page)


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (f"a{RLO}b", "ab"),
        (Markup(f"<b>a{ZWSP}b</b>"), "<b>ab</b>"),  # Markup stays markup
        (f"<i>{RLO}</i>", "&lt;i&gt;&lt;/i&gt;"),  # and text is still escaped
        (42, "42"),
        (None, "None"),
    ],
)
def test_every_printed_value_passes_the_filter(app: Flask, value: object, shown: str) -> None:
    with app.test_request_context():
        assert render_template_string("{{ v }}", v=value) == shown
