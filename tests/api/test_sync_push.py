"""sync/push: every inspection stored exactly once, judged by the server."""

from __future__ import annotations

import uuid

from inspect_app.extensions import db
from inspect_app.models import AuditEntry, Finding, Inspection
from tests.api.conftest import Field
from tests.payloads import item, prepack_answers, scale_answers


def _count(model: type) -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(model)) or 0


def test_a_clean_scale_inspection_is_created_and_passes(field: Field) -> None:
    sent = item("bazaar_scale", scale_answers(field.merchant.id, field.scale.code))
    [result] = field.push(sent)
    assert result == {
        "uuid": sent["uuid"],
        "status": "created",
        "verdict": "pass",
        "findings": [],
        "flags": {
            "geotag": "ok",
            "geotag_distance_m": result["flags"]["geotag_distance_m"],
            "clock_skew": False,
            "verdict_discrepancy": False,
        },
        "missing_attachments": [],
    }
    stored = db.session.scalar(db.select(Inspection).where(Inspection.uuid == sent["uuid"]))
    assert stored is not None and stored.instrument_id == field.scale.id
    assert stored.evaluation["pack"]["id"] == "cn"
    assert stored.evaluation["checks"][0]["passed"] is True


def test_the_qr_token_identifies_the_instrument_as_well_as_the_code(field: Field) -> None:
    [result] = field.push(
        item("bazaar_scale", scale_answers(field.merchant.id, field.scale.qr_token))
    )
    assert result["status"] == "created"


def test_out_of_tolerance_fails_whatever_the_client_said(field: Field) -> None:
    """10 011 g at 10 000 g on e = 5 g is 2.2 e: beyond the in-service 2 e (±10 g)."""
    answers = scale_answers(
        field.merchant.id,
        field.scale.code,
        test_points=[{"load": 10000, "indication": 10011}],
    )
    [result] = field.push(item("bazaar_scale", answers, client_verdict="pass"))
    assert result["verdict"] == "fail"
    assert [f["code"] for f in result["findings"]] == ["SCALE_OUT_OF_TOLERANCE"]
    assert result["flags"]["verdict_discrepancy"] is True


def test_just_inside_the_in_service_limit_passes(field: Field) -> None:
    answers = scale_answers(
        field.merchant.id, field.scale.code, test_points=[{"load": 10000, "indication": 10010}]
    )
    assert field.push(item("bazaar_scale", answers))[0]["verdict"] == "pass"


def test_a_cheating_device_is_severe_and_marked_for_alert(field: Field) -> None:
    answers = scale_answers(
        field.merchant.id,
        field.scale.code,
        cheating_device_found=True,
        cheating_methods=["remote_control"],
    )
    [result] = field.push(item("bazaar_scale", answers))
    assert {"code": "SCALE_CHEATING_DEVICE", "severity": "S4", "domain": "INSTR"} in result[
        "findings"
    ]
    finding = db.session.scalar(db.select(Finding).where(Finding.code == "SCALE_CHEATING_DEVICE"))
    assert finding is not None and finding.needs_alert and finding.merchant_id == field.merchant.id


def test_expired_registered_verification_is_a_finding(field: Field, make_instrument) -> None:  # type: ignore[no-untyped-def]
    from datetime import date, timedelta

    old = make_instrument(
        field.merchant,
        valid_until=date.today() - timedelta(days=3),
        verified_at=date.today() - timedelta(days=368),
    )
    [result] = field.push(item("bazaar_scale", scale_answers(field.merchant.id, old.code)))
    assert [f["code"] for f in result["findings"]] == ["SCALE_VERIFICATION_EXPIRED"]


def test_a_short_lot_of_prepackages_fails_with_its_reason(field: Field) -> None:
    short = prepack_answers(field.merchant.id, sample=[{"net": 4950} for _ in range(50)])
    [result] = field.push(item("prepackaged_goods", short))
    assert result["verdict"] == "fail"
    assert "PREPACK_SHORT_AVERAGE" in {f["code"] for f in result["findings"]}
    [ok] = field.push(item("prepackaged_goods", prepack_answers(field.merchant.id)))
    assert (ok["verdict"], ok["findings"]) == ("pass", [])


def test_a_sample_that_does_not_match_the_plan_is_rejected_with_advice(field: Field) -> None:
    answers = prepack_answers(field.merchant.id, sample=[{"net": 5000}] * 20)
    [result] = field.push(item("prepackaged_goods", answers), **{"Accept-Language": "en"})
    assert (result["status"], result["code"]) == ("rejected", "MEASUREMENT_INVALID")
    assert "50" in " ".join(result["errors"]["_measurement"])
    assert _count(Inspection) == 0


def test_a_load_above_max_is_rejected_not_judged(field: Field) -> None:
    answers = scale_answers(
        field.merchant.id, field.scale.code, test_points=[{"load": 20000, "indication": 20000}]
    )
    [result] = field.push(item("bazaar_scale", answers))
    assert (result["status"], result["code"]) == ("rejected", "MEASUREMENT_INVALID")


def test_resending_a_batch_creates_nothing_and_returns_the_same_results(field: Field) -> None:
    batch = [
        item("bazaar_scale", scale_answers(field.merchant.id, field.scale.code)),
        item("prepackaged_goods", prepack_answers(field.merchant.id, sample=[{"net": 4900}] * 50)),
    ]
    first = field.push(*batch)
    counts = (_count(Inspection), _count(Finding), _count(AuditEntry))
    again = field.push(*batch)
    assert (_count(Inspection), _count(Finding), _count(AuditEntry)) == counts
    assert [r["status"] for r in again] == ["duplicate", "duplicate"]
    strip = lambda r: {k: v for k, v in r.items() if k != "status"}  # noqa: E731
    assert [strip(r) for r in again] == [strip(r) for r in first]


def test_same_uuid_with_different_content_is_a_conflict_and_changes_nothing(field: Field) -> None:
    original = item("bazaar_scale", scale_answers(field.merchant.id, field.scale.code))
    field.push(original)
    altered = dict(
        original,
        answers=scale_answers(
            field.merchant.id, field.scale.code, test_points=[{"load": 10000, "indication": 10030}]
        ),
    )
    [result] = field.push(altered)
    assert (result["status"], result["code"]) == ("conflict", "SYNC_UUID_CONFLICT")
    stored = db.session.scalar(db.select(Inspection).where(Inspection.uuid == original["uuid"]))
    assert stored is not None and stored.verdict.value == "pass"


def test_the_same_record_twice_in_one_batch_is_stored_once(field: Field) -> None:
    sent = item("bazaar_scale", scale_answers(field.merchant.id, field.scale.code))
    results = field.push(sent, sent)
    assert [r["status"] for r in results] == ["created", "duplicate"]
    assert _count(Inspection) == 1


def test_a_correction_supersedes_and_the_original_stays_readable(field: Field) -> None:
    original = item(
        "bazaar_scale",
        scale_answers(
            field.merchant.id, field.scale.code, test_points=[{"load": 10000, "indication": 10030}]
        ),
    )
    field.push(original)
    correction = item(
        "bazaar_scale",
        scale_answers(field.merchant.id, field.scale.code),
        supersedes=original["uuid"],
    )
    [result] = field.push(correction)
    assert (result["status"], result["verdict"]) == ("created", "pass")
    old = db.session.scalar(db.select(Inspection).where(Inspection.uuid == original["uuid"]))
    assert old is not None and old.verdict.value == "fail"  # never updated in place
    again = item(
        "bazaar_scale",
        scale_answers(field.merchant.id, field.scale.code),
        supersedes=original["uuid"],
    )
    [stale] = field.push(again)
    assert (stale["status"], stale["code"]) == ("stale", "SYNC_SUPERSEDE_STALE")


def test_superseding_an_unknown_record_is_rejected(field: Field) -> None:
    sent = item(
        "bazaar_scale",
        scale_answers(field.merchant.id, field.scale.code),
        supersedes=str(uuid.uuid4()),
    )
    [result] = field.push(sent)
    assert (result["status"], result["code"]) == ("rejected", "SYNC_SUPERSEDE_UNKNOWN")


def test_one_invalid_item_among_500_is_rejected_and_499_are_stored(field: Field) -> None:
    batch = [
        item("bazaar_scale", scale_answers(field.merchant.id, field.scale.code)) for _ in range(500)
    ]
    batch[137]["answers"]["test_points"] = [{"load": "heavy", "indication": 100}]
    results = field.push(*batch)
    assert len(results) == 500
    assert [r["uuid"] for r in results] == [b["uuid"] for b in batch]
    bad = results[137]
    assert (bad["status"], bad["code"]) == ("rejected", "VALIDATION_FAILED")
    assert "test_points.0.load" in bad["errors"]
    assert sum(r["status"] == "created" for r in results) == 499
    assert _count(Inspection) == 499


def test_a_missing_uuid_is_rejected_never_minted(field: Field) -> None:
    sent = item("bazaar_scale", scale_answers(field.merchant.id, field.scale.code))
    del sent["uuid"]
    [result] = field.push(sent)
    assert (result["status"], result["code"]) == ("rejected", "VALIDATION_FAILED")
    assert "uuid" in result["errors"]
    assert _count(Inspection) == 0


def test_unknown_instrument_and_merchant_are_rejected(field: Field) -> None:
    [no_instrument] = field.push(
        item("bazaar_scale", scale_answers(field.merchant.id, "NM-0000-999999"))
    )
    assert no_instrument["code"] == "INSTRUMENT_UNKNOWN"
    assert "instrument" in no_instrument["errors"]
    [no_merchant] = field.push(item("bazaar_scale", scale_answers(987654, field.scale.code)))
    assert no_merchant["code"] == "MERCHANT_UNKNOWN"
    # beyond PostgreSQL's int4 keys: still "unknown", never a database error
    [huge] = field.push(item("bazaar_scale", scale_answers(2**40, field.scale.code)))
    assert huge["code"] == "MERCHANT_UNKNOWN"


def test_a_merchant_of_another_region_is_refused(field: Field, make_region, make_merchant) -> None:  # type: ignore[no-untyped-def]
    elsewhere = make_merchant(region_id=make_region().id, market_id=None)
    [result] = field.push(item("prepackaged_goods", prepack_answers(elsewhere.id)))
    assert result["code"] == "OUT_OF_REGION"


def test_a_reference_check_without_a_published_limit_is_kept_unjudged(
    field: Field,
    make_merchant,
    make_instrument,  # type: ignore[no-untyped-def]
) -> None:
    """cn has no focimeter table for non-zero lenses: record the reading, judge nothing."""
    from inspect_app.models.instrument import InstrumentKind
    from inspect_app.models.place import MerchantKind

    shop = make_merchant(kind=MerchantKind.OPTICAL_SHOP)
    focimeter = make_instrument(
        shop,
        kind=InstrumentKind.FOCIMETER,
        accuracy_class=None,
        max_capacity=None,
        min_capacity=None,
        e_value=None,
        d_value=None,
    )
    answers = {
        "merchant": shop.id,
        "inspection_obstructed": False,
        "instruments": [
            {
                "instrument": focimeter.code,
                "verification_mark_present": True,
                "verification_valid_until": "2099-01-01",
                "certificate_authorised": True,
                "expired_marks_mixed": False,
                "reference_checks": [
                    {"reference_power": 0, "indication": "0.05"},
                    {"reference_power": -5, "indication": "-5.06"},
                ],
            }
        ],
    }
    [result] = field.push(item("optical_shop", answers))
    assert result["status"] == "created"
    assert [f["code"] for f in result["findings"]] == ["OPTICS_INSTRUMENT_OUT_OF_TOLERANCE"]
    stored = db.session.scalar(db.select(Inspection).where(Inspection.uuid == result["uuid"]))
    assert stored is not None
    unjudged = [c for c in stored.evaluation["checks"] if c.get("judged") is False]
    assert [c["path"] for c in unjudged] == ["instruments.0.reference_checks.1"]
