"""Every page a person reads passes axe-core (WCAG 2.0/2.1 A and AA, and axe's best practices)
with zero violations, for each role that reads it, in Chinese and English, on a 768 × 1024
tablet and a 390 × 844 phone.

The district is realistic: an inspector's tablet pushes an inspection that found a cheating
device (approved, so the stall's grade falls and a condemnation order and an alert exist) and
an out-of-tolerance one (left for review); a plan is drawn; a shopper's report waits in the
queue; the stall has a merchant account. axe-core is vendored for the tests only
(tests/browser/vendor/axe-core, MPL-2.0; `npm run vendor-test`) and injected into each page.

``PAGES`` lists the pages; ``test_every_html_page_is_checked`` fails when a GET route of the app
is neither in it nor in ``NOT_PAGES`` with the reason it is not a page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from inspect_app.domain.traffic_light import local_today
from inspect_app.extensions import db
from inspect_app.models import Inspection, Instrument, Market, Merchant, Report, User
from inspect_app.models.enforcement import Order
from inspect_app.models.report import ReportCategory
from inspect_app.models.user import Role
from inspect_app.services import credit, plans
from tests.browser.conftest import LiveServer
from tests.payloads import item, scale_answers
from tests.registry_import_files import csv_bytes, row

pytestmark = pytest.mark.browser

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
TABLET = {"width": 768, "height": 1024}
PHONE = {"width": 390, "height": 844}
LANGUAGES = {"zh-CN": "zh-CN", "en-GB": "en"}  # browser locale → the page's lang attribute
ANONYMOUS = "anonymous"
#: axe is served from the app's own origin, so the strict CSP (script-src 'self') stays on.
AXE_URL = "/__test__/axe.min.js"
RUN_AXE = """async () => {
  const result = await axe.run(document, {
    runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'],
  });
  return result.violations.map((v) => ({
    id: v.id, impact: v.impact, target: v.nodes[0].target.join(' '), count: v.nodes.length,
  }));
}"""


@dataclass
class Scene:
    users: dict[str, User]
    merchant: Merchant
    market: Market
    scale: Instrument
    cheating: Inspection  # approved: order, alert, grade D
    off: Inspection  # out of tolerance, waiting for review
    order: Order
    plan_id: int
    report: Report
    upload: str = ""  # the registry import preview, made by the admin's browser


Path_ = Callable[[Scene], str]


def fixed(path: str) -> Path_:
    return lambda s: path


#: endpoint → (who reads it, the address of a page that shows real data).
PAGES: dict[str, tuple[tuple[str, ...], Path_]] = {
    "auth.login": ((ANONYMOUS,), fixed("/login")),
    "field.shell": ((ANONYMOUS,), fixed("/field/")),
    "grades.explainer": ((ANONYMOUS,), fixed("/grades")),
    "public_plans.index": ((ANONYMOUS,), fixed("/public/plans")),
    "public.instrument_page": ((ANONYMOUS,), lambda s: f"/q/{s.scale.qr_token}"),
    "reports.report_form": ((ANONYMOUS,), lambda s: f"/q/{s.scale.qr_token}/report"),
    "reports.status_page": ((ANONYMOUS,), lambda s: f"/reports/{s.report.tracking_code}"),
    "auth.password": (("merchant", "inspector"), fixed("/account/password")),
    "home.inspector": (("inspector",), fixed("/inspector/")),
    "home.supervisor": (("supervisor",), fixed("/supervisor/")),
    "admin.index": (("admin",), fixed("/admin/")),
    "users.new_user": (("admin",), fixed("/admin/users/new")),
    "users.user": (("admin",), lambda s: f"/admin/users/{s.users['merchant'].id}"),
    "merchants.detail": (("merchant", "supervisor"), lambda s: f"/merchants/{s.merchant.id}"),
    "credit.breakdown": (
        ("merchant", "inspector"),
        lambda s: f"/merchants/{s.merchant.id}/credit",
    ),
    "merchant_portal.order": (("merchant",), lambda s: f"/merchant/orders/{s.order.id}"),
    "merchant_portal.inspection": (
        ("merchant",),
        lambda s: f"/merchant/inspections/{s.cheating.id}",
    ),
    "merchant_portal.commitment": (("merchant",), fixed("/merchant/commitment")),
    "review.queue": (("supervisor",), fixed("/supervisor/review")),
    "review.inspection": (("supervisor", "inspector"), lambda s: f"/inspections/{s.off.uuid}"),
    "alert_inbox.inbox": (("supervisor",), fixed("/alerts")),
    "district_orders.order_list": (("supervisor",), fixed("/orders")),
    "district_orders.order": (("supervisor", "inspector"), lambda s: f"/orders/{s.order.id}"),
    "credit.district": (("supervisor",), fixed("/supervisor/grades")),
    "plans.index": (("supervisor",), fixed("/plans")),
    "plans.new_plan": (("supervisor",), fixed("/plans/new")),
    "plans.detail": (("supervisor",), lambda s: f"/plans/{s.plan_id}"),
    "plans.verify": (("supervisor",), lambda s: f"/plans/{s.plan_id}/verify"),
    "report_queue.queue": (("supervisor",), fixed("/supervisor/reports")),
    "registry.markets": (("inspector",), fixed("/markets/")),
    "registry.market": (("supervisor",), lambda s: f"/markets/{s.market.id}"),
    "registry.new_market": (("admin",), fixed("/markets/new")),
    "registry.edit_market": (("admin",), lambda s: f"/markets/{s.market.id}/edit"),
    "registry.new_merchant": (("admin",), lambda s: f"/markets/{s.market.id}/merchants/new"),
    "registry.edit_merchant": (("admin",), lambda s: f"/merchants/{s.merchant.id}/edit"),
    "registry.new_instrument": (
        ("admin",),
        lambda s: f"/merchants/{s.merchant.id}/instruments/new",
    ),
    "registry.edit_instrument": (("admin",), lambda s: f"/instruments/{s.scale.id}/edit"),
    "registry_import.upload_form": (("admin",), fixed("/registry/import")),
    "registry_import.preview": (("admin",), lambda s: s.upload),
    "dashboard.overview": (("supervisor",), fixed("/dashboard")),
    "dashboard.trends": (("supervisor",), fixed("/dashboard/trends")),
    "dashboard.map_page": (("supervisor",), fixed("/dashboard/map")),
    "dashboard_lists.inspections": (("supervisor",), fixed("/dashboard/inspections")),
    "dashboard_lists.findings": (("supervisor",), fixed("/dashboard/findings")),
    "dashboard_lists.instruments": (("supervisor",), fixed("/dashboard/instruments")),
    "dashboard_lists.merchants": (("supervisor",), fixed("/dashboard/merchants")),
}

#: What shows that a page carries the scene's data, not an empty list.
SHOWS: dict[str, Callable[[Scene], str]] = {
    "alert_inbox.inbox": lambda s: "[data-testid=alert]",
    "review.queue": lambda s: f"a[href='/inspections/{s.off.uuid}']",
    "district_orders.order_list": lambda s: f"a[href='/orders/{s.order.id}']",
}

#: GET routes that are not pages a person reads, and why.
NOT_PAGES: dict[str, str] = {
    "home.index": "redirects to the role's home page (checked above)",
    "static": "static files",
    "field.service_worker": "JavaScript",
    "field.manifest": "web app manifest (JSON)",
    "alert_inbox.feed": "the alert inbox's polling feed (HTML fragment, checked in /alerts)",
    "dashboard.map_data": "JSON for the map page",
    "health.healthz": "health probe (JSON)",
    "health.readyz": "readiness probe (JSON)",
    "evidence.file": "an uploaded photo or PDF",
    "inspection_detail.photo": "an inspection photo",
    "report_queue.photo": "a shopper's photo",
    "field.label_png": "label image",
    "field.label_svg": "label image",
    "label_sheets.market_labels": "label sheet PDF",
}
# Every /api/v1 route is JSON, CSV, XLSX, GeoJSON or an image for devices and exports.
API_PREFIX = "api."


def test_every_html_page_is_checked(app: Flask) -> None:
    gets = {r.endpoint for r in app.url_map.iter_rules() if "GET" in (r.methods or ())}
    unlisted = sorted(
        e for e in gets if e not in PAGES and e not in NOT_PAGES and not e.startswith(API_PREFIX)
    )
    assert unlisted == [], "add these pages to PAGES (or, if not a page, to NOT_PAGES)"
    assert sorted(set(PAGES) - gets) == [] and sorted(set(NOT_PAGES) - gets) == []


@pytest.fixture
def scene(
    client: FlaskClient,
    make_market: Callable[..., Market],
    make_merchant: Callable[..., Merchant],
    make_instrument: Callable[..., Instrument],
    make_user: Callable[..., User],
    token_for: Callable[[User], dict[str, str]],
) -> Scene:
    market = make_market()
    merchant = make_merchant(market_id=market.id, name="王记蔬菜", stall_no="A-07")
    make_merchant(market_id=market.id, name="东北粮油", stall_no="B-02")
    scale = make_instrument(merchant, code="NM-0150-000123")
    other = make_instrument(merchant, code="NM-0150-000124")
    users = {
        "inspector": make_user(Role.INSPECTOR),
        "supervisor": make_user(Role.SUPERVISOR),
        "admin": make_user(Role.ADMIN),
        "merchant": make_user(Role.MERCHANT, merchant_id=merchant.id),
    }
    cheating = item(
        "bazaar_scale",
        scale_answers(
            merchant.id, scale.code, cheating_device_found=True, cheating_methods=["remote_control"]
        ),
    )
    points = [{"load": 500, "indication": 520}, {"load": 5000, "indication": 5030}]
    off = item("bazaar_scale", scale_answers(merchant.id, other.code, test_points=points))
    pushed = client.post(
        "/api/v1/sync/push",
        json={"inspections": [cheating, off]},
        headers=token_for(users["inspector"]),
    )
    assert [r["status"] for r in pushed.get_json()["results"]] == ["created", "created"]
    approved = client.post(
        f"/api/v1/inspections/{cheating['uuid']}/review",
        json={"decision": "approve"},
        headers=token_for(users["supervisor"]),
    )
    assert approved.status_code == 200, approved.get_json()
    credit.recompute_all(local_today(), "daily", datetime.now(UTC))
    plan = plans.draw_plan(
        users["supervisor"], merchant.region_id, local_today(), 2, Decimal("0.5"), datetime.now(UTC)
    )
    report = Report(
        instrument_id=scale.id,
        merchant_id=merchant.id,
        region_id=merchant.region_id,
        category=ReportCategory.SHORT_WEIGHT,
        description="少了二两",
        reporter_phone="13900000000",
    )
    db.session.add(report)
    db.session.commit()
    by_uuid = {
        i.uuid: i
        for i in db.session.scalars(
            select(Inspection).where(Inspection.uuid.in_([cheating["uuid"], off["uuid"]]))
        )
    }
    order = db.session.scalars(select(Order).where(Order.merchant_id == merchant.id)).first()
    assert order is not None, "the cheating device led to no order"
    return Scene(
        users,
        merchant,
        market,
        scale,
        by_uuid[cheating["uuid"]],
        by_uuid[off["uuid"]],
        order,
        plan.id,
        report,
    )


def sign_in(page: Any, user: User) -> None:
    page.goto("/login")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", user.test_password)  # type: ignore[attr-defined]
    page.click("main form button[type=submit]")
    page.wait_for_url(lambda url: not url.endswith("/login"))


def upload_registry(page: Any, scene: Scene, tmp_path: Path) -> str:
    """The admin's preview of an uploaded registry file (the page keeps the upload's id)."""
    sheet = tmp_path / "registry.csv"
    sheet.write_bytes(csv_bytes([row(scene.market.code, 900)]))
    page.goto("/registry/import")
    page.set_input_files("input[type=file]", str(sheet))
    page.click("main form button[type=submit]")
    page.wait_for_url("**/registry/import/*")
    return urlsplit(page.url).path


def check(page: Any, path: str, lang: str) -> dict[str, list[dict[str, Any]]]:
    """axe-core's violations on ``path`` at tablet then phone width."""
    page.set_viewport_size(TABLET)
    response = page.goto(path)
    assert response is not None and response.status == 200, (
        f"{path}: {response and response.status}"
    )
    if path.startswith("/dashboard/map"):
        page.wait_for_selector("[data-ready=true]")
    if path.startswith("/field/"):  # the tablet app draws itself and sets its language
        page.wait_for_selector("input[name=username]")
        page.wait_for_function("l => document.documentElement.lang === l", arg=lang)
    assert page.get_attribute("html", "lang") == lang, path
    page.add_script_tag(url=AXE_URL)
    found = {}
    for name, size in (("768x1024", TABLET), ("390x844", PHONE)):
        page.set_viewport_size(size)
        if violations := page.evaluate(RUN_AXE):
            found[name] = violations
    return found


def test_every_page_has_no_axe_violations(
    browser: Any, live_server: LiveServer, scene: Scene, tmp_path: Path
) -> None:
    assert AXE.is_file(), f"{AXE} is missing: npm ci && npm run vendor-test"
    failures: list[str] = []
    checked = 0
    for locale, lang in LANGUAGES.items():
        for role in (ANONYMOUS, "merchant", "inspector", "supervisor", "admin"):
            context = browser.new_context(base_url=live_server.url, locale=locale)
            context.set_default_timeout(20000)
            context.route(f"**{AXE_URL}", lambda route: route.fulfill(path=AXE))
            page = context.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda exc, errors=errors: errors.append(str(exc)))
            if role != ANONYMOUS:
                sign_in(page, scene.users[role])
            if role == "admin":
                scene.upload = upload_registry(page, scene, tmp_path)
            for endpoint, (roles, path_of) in PAGES.items():
                if role not in roles:
                    continue
                path = path_of(scene)
                if role == ANONYMOUS:  # public pages take ?lang= (a report's page keeps its own)
                    path += ("&" if "?" in path else "?") + f"lang={lang[:2]}"
                found = check(page, path, lang)
                if endpoint in SHOWS:
                    assert page.locator(SHOWS[endpoint](scene)).count() > 0, f"{path} is empty"
                for size, violations in found.items():
                    failures += [
                        f"{lang} {size} {role} {path}: {v['id']} ({v['impact']}) "
                        f"at {v['target']}"
                        + (f" and {v['count'] - 1} more" if v["count"] > 1 else "")
                        for v in violations
                    ]
                checked += 1
            assert errors == [], f"{role}: script errors {errors}"
            context.close()
    assert checked == 2 * sum(len(roles) for roles, _ in PAGES.values())
    assert failures == [], "axe-core violations:\n" + "\n".join(failures)
