"""Consumer reports below the pages: the form schema's conversions, the services the pages and
the demo call, and the daily photo cap's window."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal

import pytest
from marshmallow import ValidationError

from inspect_app.errors import AppError
from inspect_app.extensions import db
from inspect_app.models import Instrument, User
from inspect_app.models.report import ReportCategory, ReportStatus
from inspect_app.models.types import utcnow
from inspect_app.models.user import Role
from inspect_app.schemas.reports import (
    ReportFormIn,
    field_errors,
    kilograms_to_grams,
    mainland_mobile,
)
from inspect_app.services import report_photos, reports


@pytest.mark.parametrize(
    ("typed", "grams"),
    [
        ("1", "1000.0"),
        ("0.5", "500.0"),
        ("1,25", "1250.0"),
        (".75", "750.0"),
        ("２．５", "2500.0"),
        ("0.0001", "0.1"),
        ("1000", "1000000.0"),
        (" 3 ", "3000.0"),
    ],
)
def test_kilograms_become_grams(typed: str, grams: str) -> None:
    assert kilograms_to_grams(typed) == Decimal(grams)


@pytest.mark.parametrize(
    ("typed", "key"),
    [
        ("", "number"),
        ("1.2.3", "number"),
        ("1e3", "number"),
        ("-1", "number"),
        ("inf", "number"),
        ("0", "weight_range"),
        ("0.0000", "weight_range"),
        ("1000.1", "weight_range"),
        ("0.00005", "weight_precision"),
        ("1" * 5000, "number"),
    ],
)
def test_absurd_weights_are_refused(typed: str, key: str) -> None:
    with pytest.raises(ValidationError) as caught:
        kilograms_to_grams(typed)
    assert caught.value.messages == [key]


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("13912345678", "13912345678"),
        ("139 1234 5678", "13912345678"),
        ("+86 139-1234-5678", "13912345678"),
        ("008613912345678", "13912345678"),
        ("(139) 1234-5678", "13912345678"),
        ("１３９１２３４５６７８", "13912345678"),
    ],
)
def test_mainland_mobile_numbers_are_stored_as_eleven_digits(typed: str, stored: str) -> None:
    assert mainland_mobile(typed) == stored


@pytest.mark.parametrize(
    "typed", ["12912345678", "1391234567", "010-6512-3456", "+1 202 555 0100", "phone", "139\x00"]
)
def test_other_numbers_are_refused(typed: str) -> None:
    with pytest.raises(ValidationError):
        mainland_mobile(typed)


@pytest.mark.parametrize(
    ("description", "code"),
    [("a\ud800b", "unstorable"), ("a\x00b", "unstorable"), ("a\x1bb", "control")],
)
def test_unstorable_text_is_refused_by_the_schema(description: str, code: str) -> None:
    with pytest.raises(ValidationError) as caught:
        ReportFormIn().load({"category": "other", "description": description})
    [problem] = field_errors(caught.value)["description"]
    assert problem["code"] == code and problem["en"] and problem["zh"]


def test_line_breaks_count_once() -> None:
    """As the browser counts them for ``maxlength``: 520 characters sent, 390 stored."""
    loaded = ReportFormIn().load({"category": "other", "description": "甲\r\n乙" * 130})
    assert len(loaded["description"]) == 390


@pytest.fixture
def scale(make_instrument: Callable[..., Instrument]) -> Instrument:
    return make_instrument()


def test_the_demo_can_make_and_close_reports(
    scale: Instrument, make_user: Callable[..., User]
) -> None:
    supervisor = make_user(Role.SUPERVISOR)
    earlier = utcnow() - timedelta(days=3)
    report = reports.create_report(
        scale,
        reports.NewReport(ReportCategory.NO_VERIFICATION_MARK, description="没有检定标志"),
        created_at=earlier,
    )
    reports.close_report(supervisor, report, ReportStatus.INSPECTION_PLANNED)
    db.session.commit()
    assert report.created_at == earlier
    assert report.status == ReportStatus.INSPECTION_PLANNED
    assert reports.by_tracking_code(report.tracking_code) is report
    assert reports.by_tracking_code("bad code") is None


def test_closing_rules_hold_without_the_page(
    scale: Instrument, make_user: Callable[..., User]
) -> None:
    supervisor = make_user(Role.SUPERVISOR)
    report = reports.create_report(scale, reports.NewReport(ReportCategory.OTHER, description="x"))
    for outcome, kwargs, field, key in (
        (ReportStatus.RECEIVED, {}, "outcome", "choice"),
        (ReportStatus.DISMISSED, {"reason": " "}, "reason", "reason_required"),
        (ReportStatus.LINKED, {}, "inspection", "inspection_required"),
        (ReportStatus.LINKED, {"inspection_uuid": "nope"}, "inspection", "inspection_unknown"),
    ):
        with pytest.raises(AppError) as caught:
            reports.close_report(supervisor, report, outcome, **kwargs)
        assert caught.value.errors == {field: [key]}
    reports.close_report(supervisor, report, ReportStatus.DISMISSED, "重复举报")
    with pytest.raises(AppError):
        reports.close_report(supervisor, report, ReportStatus.INSPECTION_PLANNED)
    with pytest.raises(AppError):
        reports.create_report(
            scale, reports.NewReport(ReportCategory.OTHER, description="长" * 501)
        )


def test_the_photo_cap_counts_the_last_24_hours(
    scale: Instrument, make_instrument: Callable[..., Instrument]
) -> None:
    now = utcnow()
    new = reports.NewReport(ReportCategory.SHORT_WEIGHT)
    reports.create_report(scale, new, "a" * 64, created_at=now - timedelta(hours=25))
    reports.create_report(scale, new, "b" * 64, created_at=now - timedelta(hours=2))
    reports.create_report(scale, new, None, created_at=now - timedelta(hours=1))
    db.session.commit()
    assert report_photos.room_for_photo(scale.id, now, per_instrument=2, per_day=10)
    assert not report_photos.room_for_photo(scale.id, now, per_instrument=1, per_day=10)
    other = make_instrument()
    assert report_photos.room_for_photo(other.id, now, per_instrument=1, per_day=2)
    assert not report_photos.room_for_photo(other.id, now, per_instrument=1, per_day=1)
