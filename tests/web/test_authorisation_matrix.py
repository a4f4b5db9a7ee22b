"""Every route × every role × own / other-merchant / other-district object, web and API.

The table below is checked against ``app.url_map``: a route without a row fails the run, so a
new page or endpoint cannot ship without someone deciding who may use it. For each row the
test signs in as each role (anonymous too), builds the URL or body around an object of each
relation to that user, and asserts the outcome the scope rules promise: anonymous → sign-in
(401 on the API, a redirect to the login page on the web), a role the route is not for → 403,
an object outside the user's scope → 404 (or the route's own refusal), otherwise success.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from PIL import Image
from sqlalchemy import select
from werkzeug.test import TestResponse

from inspect_app.extensions import db
from inspect_app.models import Device, Instrument, Market, Merchant, Region, Report, User
from inspect_app.models.report import ReportCategory
from inspect_app.models.user import Role
from tests.conftest import IsolatedClient, csrf_from
from tests.payloads import item, scale_answers
from tests.web import credit_matrix as cm
from tests.web import dashboard_matrix as dm
from tests.web import dashboard_pages_matrix as dpm
from tests.web import enforcement_api_matrix as eam
from tests.web import enforcement_matrix as em
from tests.web import merchant_portal_matrix as mp
from tests.web import plans_matrix as pl
from tests.web import registry_import_matrix as rim
from tests.web import registry_matrix as rm
from tests.web import reports_matrix as rp

ANONYMOUS = "anonymous"
RELATIONS = ("own", "other_merchant", "other_district")
ROLES: tuple[Role | str, ...] = (ANONYMOUS, *Role)
STAFF = {Role.INSPECTOR, Role.SUPERVISOR, Role.ADMIN}
SIGNED_IN = set(Role)
#: Routes anyone may use, signed in or not.
PUBLIC = "public"


def sees(role: Role, relation: str) -> bool:
    """The scope rule as a user would state it (what services/scoping/ must implement)."""
    if role == Role.ADMIN:
        return True
    if role == Role.MERCHANT:
        return relation == "own"
    return relation != "other_district"


def photo(colour: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (32, 24), colour).save(out, format="PNG")
    return out.getvalue()


@dataclass
class World:
    """Region A (the users' own) with two merchants, region B with one; every object kind."""

    app: Flask
    merchants: dict[str, Merchant]
    instruments: dict[str, Instrument]
    photos: dict[str, tuple[str, bytes]]
    devices: dict[str, Device]
    users: dict[Role, User]
    #: The market of each relation's merchant (own and other_merchant share region A).
    markets: dict[str, Market] = field(default_factory=dict)
    #: A consumer report about each relation's instrument.
    reports: dict[str, Report] = field(default_factory=dict)
    #: A person of each relation, for user administration: own = an inspector of region A,
    #: other_merchant = the user of region A's other merchant, other_district = region B's
    #: inspector.
    people: dict[str, User] = field(default_factory=dict)
    clients: dict[Role | str, FlaskClient] = field(default_factory=dict)
    tokens: dict[Role, dict[str, str]] = field(default_factory=dict)

    def client(self, role: Role | str) -> FlaskClient:
        if role not in self.clients:
            self.app.test_client_class = IsolatedClient
            client = self.app.test_client()
            if role != ANONYMOUS:
                user = self.users[Role(role)]
                response = client.post(
                    "/login",
                    data={
                        "username": user.username,
                        "password": user.test_password,  # type: ignore[attr-defined]
                        "csrf_token": csrf_from(client),
                    },
                )
                assert response.status_code == 302, response.get_data(as_text=True)
            self.clients[role] = client
        return self.clients[role]

    def token(self, role: Role | str) -> dict[str, str]:
        if role == ANONYMOUS:
            return {}
        role = Role(role)
        if role not in self.tokens:
            self.tokens[role] = bearer(self.client(ANONYMOUS), self.users[role])
        return self.tokens[role]


def bearer(client: FlaskClient, user: User) -> dict[str, str]:
    response = client.post(
        "/api/v1/auth/token",
        json={
            "username": user.username,
            "password": user.test_password,  # type: ignore[attr-defined]
            "device_name": f"tablet of {user.username}",
        },
    )
    assert response.status_code == 201, response.get_json()
    return {"Authorization": f"Bearer {response.get_json()['token']}"}


@pytest.fixture
def world(
    app: Flask,
    region: Region,
    make_region: Callable[..., Region],
    make_market: Callable[..., Market],
    make_merchant: Callable[..., Merchant],
    make_instrument: Callable[..., Instrument],
    make_user: Callable[..., User],
) -> World:
    far_region = make_region()
    far_market = make_market(region_id=far_region.id)
    merchants = {
        "own": make_merchant(),
        "other_merchant": make_merchant(),
        "other_district": make_merchant(region_id=far_region.id, market_id=far_market.id),
    }
    instruments = {rel: make_instrument(m) for rel, m in merchants.items()}
    users = {
        Role.ADMIN: make_user(Role.ADMIN),
        Role.SUPERVISOR: make_user(Role.SUPERVISOR),
        Role.INSPECTOR: make_user(Role.INSPECTOR),
        Role.MERCHANT: make_user(Role.MERCHANT, merchant_id=merchants["own"].id),
    }
    far_inspector = make_user(Role.INSPECTOR, region_id=far_region.id)
    w = World(app, merchants, instruments, {}, {}, users)
    anonymous = w.client(ANONYMOUS)
    headers = {"own": w.token(Role.INSPECTOR), "other_district": bearer(anonymous, far_inspector)}
    headers["other_merchant"] = headers["own"]
    for (relation, colour), merchant in zip(
        (("own", "red"), ("other_merchant", "green"), ("other_district", "blue")),
        merchants.values(),
        strict=True,
    ):
        data = photo(colour)
        sha = hashlib.sha256(data).hexdigest()
        body = item(
            "bazaar_scale",
            scale_answers(merchant.id, instruments[relation].code),
            attachments=[sha],
        )
        pushed = anonymous.post(
            "/api/v1/sync/push", json={"inspections": [body]}, headers=headers[relation]
        )
        assert pushed.get_json()["results"][0]["status"] == "created", pushed.get_json()
        put = anonymous.put(
            f"/api/v1/attachments/{sha}",
            data=data,
            headers=headers[relation],
            content_type="application/octet-stream",
        )
        assert put.status_code == 201, put.get_json()
        w.photos[relation] = (sha, data)
    w.markets = {rel: db.session.get(Market, m.market_id) for rel, m in merchants.items()}  # type: ignore[misc]
    for rel, merchant in merchants.items():
        report = Report(
            instrument_id=instruments[rel].id,
            merchant_id=merchant.id,
            region_id=merchant.region_id,
            category=ReportCategory.SHORT_WEIGHT,
            description="少了二两",
            reporter_phone="13900000000",
        )
        db.session.add(report)
        w.reports[rel] = report
    w.people = {
        "own": users[Role.INSPECTOR],
        "other_merchant": make_user(Role.MERCHANT, merchant_id=merchants["other_merchant"].id),
        "other_district": far_inspector,
    }
    db.session.commit()
    devices = {d.user_id: d for d in db.session.scalars(select(Device))}
    w.devices = {
        "own": devices[users[Role.INSPECTOR].id],
        "other_merchant": devices[users[Role.INSPECTOR].id],
        "other_district": devices[far_inspector.id],
    }
    return w


# ---------------------------------------------------------------- the table


@dataclass(frozen=True)
class Call:
    """How to exercise a route for ``role`` against the object of ``relation``."""

    api: bool
    method: str
    path: Callable[[World, str], str]
    body: Callable[[World, str], dict[str, Any]] | None = None
    raw: Callable[[World, str], bytes] | None = None
    form: bool = False


@dataclass(frozen=True)
class Row:
    call: Call
    roles: set[Role] | str
    #: Whether the object of the relation matters (else only the role is checked).
    scoped: bool = False
    #: Custom judgement of a response: (world, role, relation, response) → problem or None.
    judge: Callable[[World, Role, str, TestResponse], str | None] | None = None


def fixed(path: str) -> Callable[[World, str], str]:
    return lambda _w, _rel: path


def merchant_path(template: str) -> Callable[[World, str], str]:
    return lambda w, rel: template.format(w.merchants[rel].id)


def instrument_path(template: str) -> Callable[[World, str], str]:
    return lambda w, rel: template.format(w.instruments[rel].id)


def photo_path(w: World, rel: str) -> str:
    return f"/api/v1/attachments/{w.photos[rel][0]}"


def push_body(w: World, rel: str) -> dict[str, Any]:
    merchant, instrument = w.merchants[rel], w.instruments[rel]
    return {"inspections": [item("bazaar_scale", scale_answers(merchant.id, instrument.code))]}


def judge_push(w: World, role: Role, rel: str, response: TestResponse) -> str | None:
    if response.status_code != 200:
        return f"push answered {response.status_code}"
    [result] = response.get_json()["results"]
    expected = "created" if sees(role, rel) else "rejected"
    if result["status"] != expected:
        return f"item {result['status']} ({result.get('code')}), expected {expected}"
    if expected == "rejected" and result["code"] != "OUT_OF_REGION":
        return f"refused with {result['code']}"
    return None


def judge_pull(w: World, role: Role, rel: str, response: TestResponse) -> str | None:
    if response.status_code != 200:
        return f"pull answered {response.status_code}"
    merchant_ids = {c["id"] for c in response.get_json()["changes"] if c["entity"] == "merchant"}
    present = w.merchants[rel].id in merchant_ids
    if present != sees(role, rel):
        return f"merchant of {rel} {'present' if present else 'absent'} in the pull"
    return None


def judge_upload(w: World, role: Role, rel: str, response: TestResponse) -> str | None:
    """A photo already stored answers ``duplicate`` to those who expect it; to anyone else
    exactly what an unknown photo answers, so its existence cannot be probed."""
    if role == Role.ADMIN or (role == Role.INSPECTOR and rel != "other_district"):
        ok = response.status_code == 200 and response.get_json()["status"] == "duplicate"
        return None if ok else f"expected duplicate, got {response.status_code}"
    body = response.get_json()
    if (response.status_code, body.get("code")) != (422, "ATTACHMENT_NOT_EXPECTED"):
        return f"expected ATTACHMENT_NOT_EXPECTED, got {response.status_code} {body}"
    return None


def csrf_form(_w: World, _rel: str) -> dict[str, Any]:
    return {}


ROWS: dict[str, Row] = {
    # ---- public and shell
    "static": Row(Call(False, "GET", fixed("/static/field/app.css")), PUBLIC),
    "field.shell": Row(Call(False, "GET", fixed("/field/")), PUBLIC),
    "field.service_worker": Row(Call(False, "GET", fixed("/sw.js")), PUBLIC),
    "field.manifest": Row(Call(False, "GET", fixed("/manifest.webmanifest")), PUBLIC),
    "auth.login": Row(Call(False, "GET", fixed("/login")), PUBLIC),
    "auth.login_post": Row(
        Call(
            False,
            "POST",
            fixed("/login"),
            lambda w, r: {"username": "x", "password": "y"},
            form=True,
        ),
        PUBLIC,
        judge=lambda w, role, rel, resp: (
            None if resp.status_code == 401 else f"a wrong password answered {resp.status_code}"
        ),
    ),
    "auth.logout": Row(Call(False, "POST", fixed("/logout"), csrf_form, form=True), PUBLIC),
    "auth.set_language": Row(Call(False, "POST", fixed("/lang/en"), csrf_form, form=True), PUBLIC),
    "api.openapi": Row(Call(True, "GET", fixed("/api/v1/openapi.json")), PUBLIC),
    "api.create_token": Row(
        Call(
            True,
            "POST",
            fixed("/api/v1/auth/token"),
            lambda w, r: {"username": "nobody", "password": "wrong", "device_name": "t"},
        ),
        PUBLIC,
        judge=lambda w, role, rel, resp: (
            None if resp.status_code == 401 else f"a wrong password answered {resp.status_code}"
        ),
    ),
    # ---- web pages
    "auth.password": Row(Call(False, "GET", fixed("/account/password")), SIGNED_IN),
    "auth.password_post": Row(
        Call(
            False,
            "POST",
            fixed("/account/password"),
            lambda w, r: {"current": "wrong", "new": "new-password-1", "confirm": "new-password-1"},
            form=True,
        ),
        SIGNED_IN,
        judge=lambda w, role, rel, resp: (
            None
            if resp.status_code in (400, 401, 422)
            else f"a wrong current password answered {resp.status_code}"
        ),
    ),
    "home.index": Row(Call(False, "GET", fixed("/")), SIGNED_IN),
    "home.supervisor": Row(
        Call(False, "GET", fixed("/supervisor/")), {Role.SUPERVISOR, Role.ADMIN}
    ),
    "home.inspector": Row(Call(False, "GET", fixed("/inspector/")), {Role.INSPECTOR}),
    "admin.index": Row(Call(False, "GET", fixed("/admin/")), {Role.ADMIN}),
    "admin.revoke_device": Row(
        Call(
            False,
            "POST",
            lambda w, rel: f"/admin/devices/{w.devices[rel].id}/revoke",
            csrf_form,
            form=True,
        ),
        {Role.ADMIN},
        scoped=True,
    ),
    "merchants.detail": Row(
        Call(False, "GET", merchant_path("/merchants/{}")), SIGNED_IN, scoped=True
    ),
    "field.label_png": Row(
        Call(False, "GET", instrument_path("/instruments/{}/label.png")), STAFF, scoped=True
    ),
    "field.label_svg": Row(
        Call(False, "GET", instrument_path("/instruments/{}/label.svg")), STAFF, scoped=True
    ),
    # ---- registry import (rows for its routes go here)
    "registry_import.upload_form": Row(
        Call(False, "GET", fixed("/registry/import")), {Role.SUPERVISOR, Role.ADMIN}
    ),
    "registry_import.upload": Row(
        Call(False, "POST", fixed("/registry/import"), rim.upload_body, form=True),
        {Role.SUPERVISOR, Role.ADMIN},
        scoped=True,
        judge=rim.judge_upload,
    ),
    "registry_import.preview": Row(
        Call(False, "GET", rim.admins_upload),
        {Role.SUPERVISOR, Role.ADMIN},
        judge=rim.judge_admins_upload,
    ),
    "registry_import.commit": Row(
        Call(False, "POST", lambda w, r: rim.admins_upload(w, r) + "/commit", csrf_form, form=True),
        {Role.SUPERVISOR, Role.ADMIN},
        judge=rim.judge_admins_upload,
    ),
    # ---- registry forms and user administration (rows go here)
    "registry.markets": Row(Call(False, "GET", fixed("/markets/")), STAFF),
    "registry.market": Row(
        Call(False, "GET", lambda w, rel: f"/markets/{w.markets[rel].id}"), STAFF, scoped=True
    ),
    "registry.new_market": Row(
        Call(False, "GET", fixed("/markets/new")), {Role.ADMIN, Role.SUPERVISOR}
    ),
    "registry.create_market": Row(
        Call(False, "POST", fixed("/markets/new"), rm.new_market, form=True),
        {Role.ADMIN, Role.SUPERVISOR},
        scoped=True,
    ),
    "registry.edit_market": Row(
        Call(False, "GET", lambda w, rel: f"/markets/{w.markets[rel].id}/edit"),
        {Role.ADMIN, Role.SUPERVISOR},
        scoped=True,
    ),
    "registry.update_market": Row(
        Call(
            False, "POST", lambda w, rel: f"/markets/{w.markets[rel].id}/edit", rm.market, form=True
        ),
        {Role.ADMIN, Role.SUPERVISOR},
        scoped=True,
    ),
    "registry.new_merchant": Row(
        Call(False, "GET", lambda w, rel: f"/markets/{w.markets[rel].id}/merchants/new"),
        {Role.ADMIN, Role.SUPERVISOR},
        scoped=True,
    ),
    "registry.create_merchant": Row(
        Call(
            False,
            "POST",
            lambda w, rel: f"/markets/{w.markets[rel].id}/merchants/new",
            rm.new_merchant,
            form=True,
        ),
        {Role.ADMIN, Role.SUPERVISOR},
        scoped=True,
    ),
    "registry.edit_merchant": Row(
        Call(False, "GET", merchant_path("/merchants/{}/edit")),
        {Role.ADMIN, Role.SUPERVISOR},
        scoped=True,
    ),
    "registry.update_merchant": Row(
        Call(False, "POST", merchant_path("/merchants/{}/edit"), rm.merchant, form=True),
        {Role.ADMIN, Role.SUPERVISOR},
        scoped=True,
    ),
    "registry.new_instrument": Row(
        Call(False, "GET", merchant_path("/merchants/{}/instruments/new")),
        {Role.ADMIN, Role.SUPERVISOR},
        scoped=True,
    ),
    "registry.create_instrument": Row(
        Call(
            False,
            "POST",
            merchant_path("/merchants/{}/instruments/new"),
            rm.new_instrument,
            form=True,
        ),
        {Role.ADMIN, Role.SUPERVISOR},
        scoped=True,
    ),
    "registry.edit_instrument": Row(
        Call(False, "GET", instrument_path("/instruments/{}/edit")),
        {Role.ADMIN, Role.SUPERVISOR},
        scoped=True,
    ),
    "registry.update_instrument": Row(
        Call(False, "POST", instrument_path("/instruments/{}/edit"), rm.instrument, form=True),
        {Role.ADMIN, Role.SUPERVISOR},
        scoped=True,
    ),
    "users.new_user": Row(Call(False, "GET", fixed("/admin/users/new")), {Role.ADMIN}),
    "users.create_user": Row(
        Call(False, "POST", fixed("/admin/users/new"), rm.new_user, form=True), {Role.ADMIN}
    ),
    "users.user": Row(
        Call(False, "GET", lambda w, rel: f"/admin/users/{w.people[rel].id}"),
        {Role.ADMIN},
        scoped=True,
    ),
    "users.update_user": Row(
        Call(
            False, "POST", lambda w, rel: f"/admin/users/{w.people[rel].id}", rm.person, form=True
        ),
        {Role.ADMIN},
        scoped=True,
    ),
    "users.deactivate": Row(
        Call(
            False,
            "POST",
            lambda w, rel: f"/admin/users/{w.people[rel].id}/deactivate",
            csrf_form,
            form=True,
        ),
        {Role.ADMIN},
        scoped=True,
        judge=rm.judge_deactivate,
    ),
    "users.reactivate": Row(
        Call(
            False,
            "POST",
            lambda w, rel: f"/admin/users/{w.people[rel].id}/reactivate",
            csrf_form,
            form=True,
        ),
        {Role.ADMIN},
        scoped=True,
    ),
    "users.reset_password": Row(
        Call(
            False,
            "POST",
            lambda w, rel: f"/admin/users/{w.people[rel].id}/password",
            rm.same_password,
            form=True,
        ),
        {Role.ADMIN},
        scoped=True,
    ),
    # ---- label sheets and label replacement (rows go here)
    "label_sheets.market_labels": Row(
        Call(False, "GET", lambda w, rel: f"/markets/{w.markets[rel].id}/labels.pdf"),
        STAFF,
        scoped=True,
    ),
    "label_sheets.replace_label": Row(
        Call(False, "POST", instrument_path("/instruments/{}/replace-label"), csrf_form, form=True),
        {Role.SUPERVISOR, Role.ADMIN},
        scoped=True,
    ),
    "api.rotate_token": Row(
        Call(True, "POST", instrument_path("/api/v1/instruments/{}/rotate-token")),
        {Role.SUPERVISOR, Role.ADMIN},
        scoped=True,
    ),
    # ---- public instrument page and health checks (rows go here)
    "public.instrument_page": Row(
        Call(False, "GET", lambda w, rel: f"/q/{w.instruments[rel].qr_token}"),
        PUBLIC,
        scoped=True,  # every relation's label works for everyone, signed in or not
        judge=lambda w, role, rel, resp: (
            None if resp.status_code == 200 else f"a label's page answered {resp.status_code}"
        ),
    ),
    "health.healthz": Row(Call(False, "GET", fixed("/healthz")), PUBLIC),
    "health.readyz": Row(Call(False, "GET", fixed("/readyz")), PUBLIC),
    # ---- consumer reports (rows go here)
    "reports.report_form": Row(
        Call(False, "GET", rp.form_path), PUBLIC, scoped=True, judge=rp.public_page
    ),
    "reports.submit_report": Row(
        Call(False, "POST", rp.form_path, rp.report_body, form=True),
        PUBLIC,
        scoped=True,
        judge=rp.judge_submitted,
    ),
    "reports.status_page": Row(
        Call(False, "GET", rp.status_path), PUBLIC, scoped=True, judge=rp.public_page
    ),
    "report_queue.queue": Row(
        Call(False, "GET", fixed("/supervisor/reports")), {Role.SUPERVISOR, Role.ADMIN}
    ),
    "report_queue.close_report": Row(
        Call(False, "POST", rp.close_path, rp.close_body, form=True),
        {Role.SUPERVISOR, Role.ADMIN},
        scoped=True,
    ),
    "report_queue.photo": Row(
        Call(False, "GET", rp.photo_path), {Role.SUPERVISOR, Role.ADMIN}, scoped=True
    ),
    "api.list_reports": Row(
        Call(True, "GET", fixed("/api/v1/reports")),
        {Role.SUPERVISOR, Role.ADMIN},
        scoped=True,
        judge=rp.judge_listed,
    ),
    # ---- enforcement API (review, alerts, orders)
    "api.review_inspection": Row(
        Call(True, "POST", eam.review_path, eam.review_body),
        {Role.SUPERVISOR, Role.ADMIN},
        scoped=True,
        judge=eam.judge_review,
    ),
    "api.list_alerts": Row(
        Call(True, "GET", eam.alerts_path),
        {Role.SUPERVISOR, Role.ADMIN},
        scoped=True,
        judge=eam.judge_alerts,
    ),
    "api.list_orders": Row(Call(True, "GET", eam.orders_path), SIGNED_IN, scoped=True),
    # ---- review, alerts and district orders: the supervisors' pages (rows go here)
    "review.inspection": Row(Call(False, "GET", em.inspection_path), STAFF, scoped=True),
    "review.decide": Row(
        Call(False, "POST", em.review_path, em.approve, form=True),
        {Role.SUPERVISOR, Role.ADMIN},
        scoped=True,
    ),
    "review.queue": Row(
        Call(False, "GET", fixed("/supervisor/review")), {Role.SUPERVISOR, Role.ADMIN}
    ),
    "alert_inbox.inbox": Row(Call(False, "GET", fixed("/alerts")), {Role.SUPERVISOR, Role.ADMIN}),
    "alert_inbox.feed": Row(
        Call(False, "GET", em.feed_path),
        {Role.SUPERVISOR, Role.ADMIN},
        scoped=True,
        judge=em.judge_feed,
    ),
    "alert_inbox.acknowledge": Row(
        Call(False, "POST", em.acknowledge_path, csrf_form, form=True),
        {Role.SUPERVISOR, Role.ADMIN},
        scoped=True,
    ),
    "alert_inbox.assign": Row(
        Call(False, "POST", em.assign_path, em.assign_body, form=True),
        {Role.SUPERVISOR, Role.ADMIN},
        scoped=True,
    ),
    "district_orders.order_list": Row(Call(False, "GET", fixed("/orders")), STAFF),
    "district_orders.order": Row(Call(False, "GET", em.order_path), STAFF, scoped=True),
    "district_orders.decide_evidence": Row(
        Call(False, "POST", em.evidence_path, em.accept, form=True),
        {Role.SUPERVISOR, Role.ADMIN},
        scoped=True,
    ),
    # ---- API
    "api.me": Row(Call(True, "GET", fixed("/api/v1/me")), SIGNED_IN),
    "api.revoke_own_token": Row(Call(True, "DELETE", fixed("/api/v1/auth/token")), SIGNED_IN),
    "api.list_forms": Row(Call(True, "GET", fixed("/api/v1/forms")), STAFF),
    "api.get_form": Row(Call(True, "GET", fixed("/api/v1/forms/bazaar_scale/1")), STAFF),
    "api.list_violations": Row(Call(True, "GET", fixed("/api/v1/violations")), STAFF),
    "api.get_rule_pack": Row(Call(True, "GET", fixed("/api/v1/rulepacks/cn")), STAFF),
    "api.pull": Row(
        Call(True, "GET", fixed("/api/v1/sync/pull?limit=1000")),
        STAFF,
        scoped=True,
        judge=judge_pull,
    ),
    "api.push_batch": Row(
        Call(True, "POST", fixed("/api/v1/sync/push"), push_body),
        {Role.INSPECTOR, Role.ADMIN},
        scoped=True,
        judge=judge_push,
    ),
    "api.put_attachment": Row(
        Call(True, "PUT", photo_path, raw=lambda w, rel: w.photos[rel][1]),
        {Role.INSPECTOR, Role.ADMIN},
        scoped=True,
        judge=judge_upload,
    ),
    "api.get_attachment": Row(Call(True, "GET", photo_path), STAFF, scoped=True),
    "api.instrument_label_png": Row(
        Call(True, "GET", instrument_path("/api/v1/instruments/{}/label.png")), STAFF, scoped=True
    ),
    "api.instrument_label_svg": Row(
        Call(True, "GET", instrument_path("/api/v1/instruments/{}/label.svg")), STAFF, scoped=True
    ),
}

# ---- the merchant's side of a finding (portal pages and evidence files)
ROWS.update(mp.rows(Row, Call))
# ---- honesty grades (API, breakdown, district, what the grades mean)
ROWS.update(cm.rows(Row, Call, PUBLIC, SIGNED_IN))
# ---- inspection plans (supervisors' pages) and the public list of published plans
ROWS.update(pl.rows(Row, Call, csrf_form))
# ---- the dashboard's pages and the inspection page's photos
ROWS.update(dpm.rows(Row, Call))
# ---- dashboard summary, status and exports (API; a token or a web session)
ROWS.update(dm.rows(Row, Call))


def test_every_route_has_a_row(app: Flask) -> None:
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert sorted(endpoints - ROWS.keys()) == [], "routes without a row in the matrix"
    assert sorted(ROWS.keys() - endpoints) == [], "rows for routes that no longer exist"


def _send(w: World, row: Row, role: Role | str, rel: str) -> TestResponse:
    call = row.call
    client = w.client(ANONYMOUS if call.api else role)
    path = call.path(w, rel)
    kwargs: dict[str, Any] = {"method": call.method}
    if call.api:
        kwargs["headers"] = w.token(role)
        if call.raw is not None:
            kwargs["data"] = call.raw(w, rel)
            kwargs["content_type"] = "application/octet-stream"
        elif call.body is not None:
            kwargs["json"] = call.body(w, rel)
    elif call.form:
        data = call.body(w, rel) if call.body else {}
        kwargs["data"] = {**data, "csrf_token": csrf_from(client)}
    return client.open(path, **kwargs)


def _verdict(w: World, row: Row, role: Role | str, rel: str, response: TestResponse) -> str | None:
    status = response.status_code
    if status >= 500:
        return f"server error {status}"
    if row.roles != PUBLIC and role == ANONYMOUS:
        if row.call.api:
            return None if status == 401 else f"anonymous got {status}, expected 401"
        location = response.headers.get("Location", "")
        return (
            None if status == 302 and location.startswith("/login") else f"anonymous got {status}"
        )
    if row.roles != PUBLIC and Role(role) not in row.roles:
        return None if status == 403 else f"role not allowed got {status}, expected 403"
    if row.judge is not None and role != ANONYMOUS:
        return row.judge(w, Role(role), rel, response)
    if row.judge is not None:
        return row.judge(w, Role.ADMIN, rel, response)
    if row.scoped and not sees(Role(role), rel):
        return None if status == 404 else f"out of scope got {status}, expected 404"
    return None if status < 400 else f"got {status}, expected success"


@pytest.mark.parametrize("endpoint", sorted(ROWS))
def test_route_obeys_roles_and_scope(world: World, endpoint: str) -> None:
    row = ROWS[endpoint]
    problems = []
    # Destructive calls (revoking a token) run last for each role so the rest see a live one.
    for role in ROLES:
        for rel in RELATIONS if row.scoped else ("own",):
            response = _send(world, row, role, rel)
            problem = _verdict(world, row, role, rel, response)
            response.close()
            if problem:
                problems.append(f"{role} / {rel}: {problem}")
    assert problems == []
