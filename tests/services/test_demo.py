"""flask seed-demo: a realistic, deterministic demo that never mixes with real data."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from inspect_app import create_app
from inspect_app.extensions import db
from inspect_app.models import Finding, Inspection, Instrument, Market, Merchant, Region, User
from inspect_app.models.user import Role
from inspect_app.services import audit
from tests.conftest import base_config


def _count(model: type) -> int:
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def test_seed_demo_loads_a_realistic_demo(runner: Any) -> None:
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    for login in ("admin", "supervisor", "inspector", "merchant"):
        assert f"{login}-demo" in result.output
    assert _count(Region) == 2 and _count(Market) == 6
    assert 55 <= _count(Merchant) <= 65
    assert 130 <= _count(Instrument) <= 170
    assert _count(Inspection) > 100
    verdicts = {
        v.value: n
        for v, n in db.session.execute(
            select(Inspection.verdict, func.count()).group_by(Inspection.verdict)
        )
    }
    assert verdicts["pass"] > verdicts["fail"] > 0
    codes = set(db.session.scalars(select(Finding.code)))
    assert {"SCALE_OUT_OF_TOLERANCE", "SCALE_VERIFICATION_EXPIRED"} <= codes
    assert {u.role for u in db.session.scalars(select(User))} == set(Role)
    expired = db.session.scalar(
        select(func.count(Instrument.id)).where(Instrument.valid_until < func.current_date())
    )
    assert expired and expired > 5
    assert audit.verify_chain().first_bad_id is None


def _demo_fingerprint() -> list[Any]:
    """What must come out the same on every run (QR tokens are random by design)."""
    return [
        list(db.session.scalars(select(Merchant.name).order_by(Merchant.id))),
        list(
            db.session.execute(
                select(Instrument.code, Instrument.valid_until).order_by(Instrument.id)
            ).all()
        ),
        list(
            db.session.execute(
                select(Inspection.uuid, Inspection.verdict).order_by(Inspection.id)
            ).all()
        ),
    ]


def test_seed_demo_is_deterministic(runner: Any, sqlite_template: Path, tmp_path: Path) -> None:
    runner.invoke(args=["seed-demo"])
    first = _demo_fingerprint()
    assert first[1][0][0] == "NM-0102-000001"
    # the same seed into a second, separate database gives the same demo
    copy = tmp_path / "second.sqlite3"
    shutil.copyfile(sqlite_template, copy)
    other = create_app(base_config(tmp_path, f"sqlite:///{copy}"))
    with other.app_context():
        assert other.test_cli_runner().invoke(args=["seed-demo"]).exit_code == 0
        second = _demo_fingerprint()
        db.engine.dispose()
    assert second == first
    # a second run on the same database changes nothing
    again = runner.invoke(args=["seed-demo"])
    assert again.exit_code == 0 and "already loaded" in again.output
    assert _demo_fingerprint() == first


def test_seed_demo_refuses_a_database_with_real_data(
    runner: Any, make_user: Callable[..., User]
) -> None:
    make_user(Role.INSPECTOR)
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 1
    assert "real data" in result.output
    assert _count(Instrument) == 0


def test_the_demo_has_an_instrument_in_every_traffic_light_state(runner: Any) -> None:
    from datetime import date

    from inspect_app.domain.traffic_light import LightState, traffic_light

    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    today = date.today()
    states = {
        traffic_light(i.status.value, i.valid_until, today).state
        for i in db.session.scalars(select(Instrument))
    }
    assert {
        LightState.VALID,
        LightState.EXPIRING,
        LightState.EXPIRED,
        LightState.REPAIR_ORDER,
        LightState.DO_NOT_USE,
    } <= states


def test_the_demo_has_reports_in_the_supervisors_queue(runner: Any) -> None:
    from inspect_app.models import Report
    from inspect_app.models.report import ReportStatus

    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    statuses = sorted(r.status.value for r in db.session.scalars(select(Report)))
    assert statuses == sorted(["received", "received", ReportStatus.DISMISSED.value])
    assert audit.verify_chain().intact


def test_the_demo_has_orders_in_every_state_and_handled_alerts(runner: Any) -> None:
    from inspect_app.models import (
        Alert,
        Commitment,
        MerchantReply,
        Order,
        OrderEvidence,
    )
    from inspect_app.models.enforcement import OrderStatus
    from inspect_app.models.inspection import ReviewState

    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    statuses = set(db.session.scalars(select(Order.status)))
    assert statuses == set(OrderStatus)
    states = set(db.session.scalars(select(Inspection.review_state)))
    assert {ReviewState.RECEIVED, ReviewState.APPROVED, ReviewState.HAS_ISSUES} <= states
    alerts = list(db.session.scalars(select(Alert)))
    assert any(a.acknowledged_at for a in alerts) and any(a.assigned_to_id for a in alerts)
    assert any(a.acknowledged_at is None and a.withdrawn_at is None for a in alerts)
    merchant = db.session.scalar(select(User).where(User.username == "merchant"))
    assert merchant is not None
    kinds = {
        o.kind.value
        for o in db.session.scalars(select(Order).where(Order.merchant_id == merchant.merchant_id))
    }
    assert {"condemn", "repair"} <= kinds
    assert _count(OrderEvidence) >= 1 and _count(MerchantReply) == 1
    assert _count(Commitment) == 1
    assert audit.verify_chain().intact


def test_the_demo_has_merchants_in_every_grade_and_capped_ones(runner: Any) -> None:
    from inspect_app.models import CreditSnapshot, MerchantGrade

    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    grades = set(db.session.scalars(select(MerchantGrade.grade)))
    assert grades == {"A", "B", "C", "D", "P"}
    capped = {
        (s.grade, s.capped_by)
        for s in db.session.scalars(
            select(CreditSnapshot).join(
                MerchantGrade, MerchantGrade.snapshot_id == CreditSnapshot.id
            )
        )
        if s.capped_by
    }
    assert ("D", "SCALE_CHEATING_DEVICE") in capped and ("C", "SCALE_CHEATING_DEVICE") in capped
