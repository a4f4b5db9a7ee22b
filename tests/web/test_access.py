"""Who may open which page: roles get 403, out-of-scope objects 404, anonymous a login."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask.testing import FlaskClient

from inspect_app.models import Merchant, Region, User
from inspect_app.models.user import Role

PAGES = ["/admin/", "/supervisor/", "/inspector/"]
ALLOWED = {
    "/admin/": {Role.ADMIN},
    "/supervisor/": {Role.SUPERVISOR, Role.ADMIN},
    "/inspector/": {Role.INSPECTOR},
}


@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize("role", list(Role))
def test_role_matrix(
    client: FlaskClient, login_as: Callable[..., User], path: str, role: Role
) -> None:
    login_as(role)
    status = client.get(path).status_code
    assert status == (200 if role in ALLOWED[path] else 403)


@pytest.mark.parametrize("path", [*PAGES, "/merchants/1"])
def test_anonymous_is_sent_to_login(client: FlaskClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_merchant_sees_its_own_page(client: FlaskClient, login_as: Callable[..., User]) -> None:
    user = login_as(Role.MERCHANT)
    assert client.get(f"/merchants/{user.merchant_id}").status_code == 200


def test_merchant_cannot_reach_another_merchants_page(
    client: FlaskClient, login_as: Callable[..., User], make_merchant: Callable[..., Merchant]
) -> None:
    other = make_merchant()
    login_as(Role.MERCHANT)
    response = client.get(f"/merchants/{other.id}")
    assert response.status_code == 404
    assert 'data-code="NOT_FOUND"' in response.get_data(as_text=True)


def test_supervisor_cannot_see_a_merchant_in_another_region(
    client: FlaskClient,
    login_as: Callable[..., User],
    make_merchant: Callable[..., Merchant],
    make_region: Callable[..., Region],
) -> None:
    elsewhere = make_region()
    theirs = make_merchant(region_id=elsewhere.id, market_id=None)
    ours = make_merchant()
    login_as(Role.SUPERVISOR)
    assert client.get(f"/merchants/{theirs.id}").status_code == 404
    assert client.get(f"/merchants/{ours.id}").status_code == 200


def test_merchant_page_shows_no_contact_details_to_merchant_users(
    client: FlaskClient, login_as: Callable[..., User]
) -> None:
    user = login_as(Role.MERCHANT)
    page = client.get(f"/merchants/{user.merchant_id}").get_data(as_text=True)
    assert "13800000000" not in page


def test_inspector_reaching_supervisor_page_gets_403_page(
    client: FlaskClient, login_as: Callable[..., User]
) -> None:
    login_as(Role.INSPECTOR)
    response = client.get("/supervisor/", headers={"Accept-Language": "en"})
    assert response.status_code == 403
    assert "Your role does not allow this." in response.get_data(as_text=True)


def test_an_id_beyond_64_bits_is_404_not_a_crash(
    client: FlaskClient, login_as: Callable[..., User]
) -> None:
    login_as(Role.SUPERVISOR)
    assert client.get(f"/merchants/{2**64}").status_code == 404


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.INSPECTOR, Role.MERCHANT])
def test_only_admins_can_revoke_a_device(
    client: FlaskClient, login_as: Callable[..., User], role: Role
) -> None:
    from tests.conftest import csrf_from

    login_as(role)
    token = csrf_from(client, "/")  # the role's own page, after the redirect
    response = client.post("/admin/devices/1/revoke", data={"csrf_token": token})
    assert response.status_code == 403


def test_revoking_without_a_csrf_token_is_refused(
    client: FlaskClient, login_as: Callable[..., User]
) -> None:
    login_as(Role.ADMIN)
    assert client.post("/admin/devices/1/revoke").status_code == 400
