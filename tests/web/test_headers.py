"""Security headers: no-store on private answers, a strict CSP on every HTML page, and
templates that need no inline script or style to pass it."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from inspect_app.models import Instrument, Merchant, User
from inspect_app.models.user import Role
from inspect_app.web import CONTENT_SECURITY_POLICY
from tests.conftest import csrf_from

TEMPLATES = Path(__file__).resolve().parents[2] / "inspect_app" / "templates"


def directives(policy: str) -> dict[str, list[str]]:
    parsed = {}
    for part in policy.split(";"):
        name, *sources = part.split()
        parsed[name] = sources
    return parsed


def assert_strict_csp(policy: str | None) -> None:
    assert policy, "no Content-Security-Policy"
    d = directives(policy)
    assert d["script-src"] == ["'self'"]
    assert d["style-src"] == ["'self'"]
    assert d["default-src"] == ["'self'"]
    assert d["object-src"] == ["'none'"]
    assert d["frame-ancestors"] == ["'none'"]
    assert "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy


# ---------------------------------------------------------------- Cache-Control: no-store


@pytest.mark.parametrize(
    ("role", "path"),
    [
        (Role.SUPERVISOR, "/supervisor/"),
        (Role.INSPECTOR, "/inspector/"),
        (Role.ADMIN, "/admin/"),
        (Role.INSPECTOR, "/account/password"),
        (Role.INSPECTOR, "/"),  # a redirect
        (Role.INSPECTOR, "/supervisor/"),  # a 403 page
    ],
)
def test_signed_in_pages_are_not_stored(
    client: FlaskClient, login_as: Callable[..., User], role: Role, path: str
) -> None:
    login_as(role)
    response = client.get(path)
    assert response.headers["Cache-Control"] == "no-store"


def test_merchant_pages_are_not_stored(client: FlaskClient, login_as: Callable[..., User]) -> None:
    user = login_as(Role.MERCHANT)
    response = client.get(f"/merchants/{user.merchant_id}")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"


def test_the_login_page_and_its_answers_are_not_stored(client: FlaskClient) -> None:
    assert client.get("/login").headers["Cache-Control"] == "no-store"
    failed = client.post(
        "/login", data={"username": "x", "password": "y", "csrf_token": csrf_from(client)}
    )
    assert failed.status_code == 401
    assert failed.headers["Cache-Control"] == "no-store"


def test_responses_with_their_own_caching_keep_it(
    client: FlaskClient,
    login_as: Callable[..., User],
    make_instrument: Callable[..., Instrument],
    make_merchant: Callable[..., Merchant],
) -> None:
    assert client.get("/field/").headers["Cache-Control"] == "no-cache"
    assert client.get("/sw.js").headers["Cache-Control"] == "no-cache"
    assert client.get("/manifest.webmanifest").headers["Cache-Control"] == "no-cache"
    static = client.get("/static/css/site.css")
    assert static.status_code == 200
    assert "no-store" not in static.headers.get("Cache-Control", "")
    static.close()
    login_as(Role.SUPERVISOR)
    label = client.get(f"/instruments/{make_instrument(make_merchant()).id}/label.png")
    assert label.status_code == 200
    assert label.headers["Cache-Control"] == "private, no-cache"


# ---------------------------------------------------------------- Content-Security-Policy


def test_the_policy_is_strict() -> None:
    assert_strict_csp(CONTENT_SECURITY_POLICY)
    d = directives(CONTENT_SECURITY_POLICY)
    # What the field app needs: photos shown from blob: URLs, its worker and manifest.
    assert "blob:" in d["img-src"]
    assert d["worker-src"] == ["'self'"] and d["manifest-src"] == ["'self'"]


@pytest.mark.parametrize("path", ["/login", "/field/", "/nowhere", "/account/password"])
def test_anonymous_html_pages_send_the_csp(client: FlaskClient, path: str) -> None:
    response = client.get(path, follow_redirects=True)
    assert response.mimetype == "text/html"
    assert_strict_csp(response.headers.get("Content-Security-Policy"))


@pytest.mark.parametrize("role", list(Role))
def test_every_roles_pages_send_the_csp(
    client: FlaskClient, login_as: Callable[..., User], role: Role
) -> None:
    login_as(role)
    for path in ("/", "/account/password", "/supervisor/"):
        response = client.get(path, follow_redirects=True)
        assert response.mimetype == "text/html"
        assert_strict_csp(response.headers.get("Content-Security-Policy"))


def test_json_answers_carry_no_page_policy(client: FlaskClient) -> None:
    response = client.get("/api/v1/me")
    assert response.mimetype == "application/json"
    assert "Content-Security-Policy" not in response.headers


_INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
_EVENT_HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.IGNORECASE)
_STYLE = re.compile(r"<style\b|<[^>]*\sstyle\s*=", re.IGNORECASE)
_JS_URL = re.compile(r"javascript:", re.IGNORECASE)


@pytest.mark.parametrize(
    "template", sorted(TEMPLATES.rglob("*.html")), ids=lambda p: str(p.relative_to(TEMPLATES))
)
def test_templates_need_no_inline_script_or_style(template: Path) -> None:
    """The CSP allows no inline script or style: a template using one would break under it."""
    html = template.read_text(encoding="utf-8")
    for pattern in (_INLINE_SCRIPT, _EVENT_HANDLER, _STYLE, _JS_URL):
        assert not pattern.search(html), f"{pattern.pattern} in {template.name}"


def test_the_shell_loads_only_same_site_files(app: Flask, client: FlaskClient) -> None:
    html = client.get("/field/").get_data(as_text=True)
    for url in re.findall(r'(?:src|href)="([^"]+)"', html):
        assert url.startswith("/") and not url.startswith("//"), url
