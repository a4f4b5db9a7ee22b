"""``flask demo synth`` and ``flask rollups verify | rebuild`` from the command line."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from inspect_app.extensions import db
from inspect_app.formdefs import load_registry
from inspect_app.models import (
    AuditEntry,
    Finding,
    Inspection,
    InspectionRollupByMarket,
    Market,
    Merchant,
    Region,
    User,
)
from inspect_app.models.place import MerchantKind
from inspect_app.models.user import Role
from inspect_app.schemas.sync import InspectionIn
from inspect_app.services import accounts
from inspect_app.services.inspection_record import PushItem

CATALOGUE = "violations.toml"


def _synth(runner: Any, *args: str) -> Any:
    return runner.invoke(args=["demo", "synth", *args])


def test_synth_writes_a_realistic_history_and_prints_the_sign_ins(app: Flask, runner: Any) -> None:
    result = _synth(runner, "--inspections", "400", "--seed", "7")
    assert result.exit_code == 0, result.output
    codes = [r.code for r in db.session.scalars(select(Region))]
    assert len(codes) >= 2
    for code in codes:
        for name in (f"synth-sup-{code}", f"synth-insp-{code}"):
            assert f"{name} " in result.output and f"{name}-demo" in result.output
            user = accounts.authenticate(name, f"{name}-demo")
            assert user.role == (Role.SUPERVISOR if "-sup-" in name else Role.INSPECTOR)
    assert db.session.scalar(select(func.count(Inspection.id))) == 400
    kinds = set(db.session.scalars(select(Merchant.kind)))
    assert kinds == set(MerchantKind)
    assert all(m.geofence_radius_m > 0 for m in db.session.scalars(select(Market)))
    forms = Counter(db.session.scalars(select(Inspection.form_key)))
    assert set(forms) == {"bazaar_scale", "prepackaged_goods", "optical_shop"}
    verdicts = Counter(i.verdict.value for i in db.session.scalars(select(Inspection)))
    assert 0.04 < verdicts["fail"] / 400 < 0.35
    assert (
        db.session.scalar(
            select(func.count(Inspection.id)).where(Inspection.supersedes_id.is_not(None))
        )
        >= 1
    )
    assert db.session.scalar(select(func.count(Inspection.id)).where(Inspection.lat.is_(None))) >= 1
    catalogue = load_registry(app.config["FIELD_FORMS_DIR"]).violations
    for finding in db.session.scalars(select(Finding)):
        assert finding.severity == catalogue[finding.code].severity_rank
    assert runner.invoke(args=["rollups", "verify"]).output.strip() == "rollups match the raw rows"
    assert db.session.scalar(
        select(AuditEntry.action).where(AuditEntry.action == "demo.synth.finished")
    )


def test_synthetic_records_carry_the_hash_ingest_would_give_them(app: Flask, runner: Any) -> None:
    assert _synth(runner, "--inspections", "60").exit_code == 0
    originals = {i.id: i.uuid for i in db.session.scalars(select(Inspection))}
    for inspection in db.session.scalars(select(Inspection).limit(40)):
        geotag = None
        if inspection.lat is not None:
            geotag = {
                "lat": inspection.lat,
                "lon": inspection.lon,
                "accuracy": inspection.accuracy_m,
                "altitude": inspection.altitude_m,
            }
        wire = {
            "uuid": inspection.uuid,
            "form_key": inspection.form_key,
            "form_version": 1,
            "captured_at": inspection.captured_at.isoformat(),
            "started_at": inspection.started_at.isoformat() if inspection.started_at else None,
            "geotag": geotag,
            "answers": inspection.answers,
        }
        if inspection.supersedes_id:
            wire["supersedes"] = originals[inspection.supersedes_id]
        item = PushItem.from_wire(InspectionIn().load(json.loads(json.dumps(wire))))
        assert item.content_sha256 == inspection.content_sha256


def test_synth_appends_only_to_a_synthetic_history(app: Flask, runner: Any) -> None:
    refused = _synth(runner, "--inspections", "10", "--append")
    assert refused.exit_code == 1 and "empty" in refused.output
    assert _synth(runner, "--inspections", "50").exit_code == 0
    again = _synth(runner, "--inspections", "10")
    assert again.exit_code == 1 and "--append" in again.output
    more = _synth(runner, "--inspections", "30", "--append")
    assert more.exit_code == 0, more.output
    assert db.session.scalar(select(func.count(Inspection.id))) == 80
    assert db.session.scalar(select(func.count(Region.id))) == 3  # the same world
    assert "synth-sup-" in more.output
    assert runner.invoke(args=["rollups", "verify"]).exit_code == 0


def test_synth_refuses_a_database_with_other_data(
    app: Flask, runner: Any, make_user: Callable[..., User]
) -> None:
    make_user(Role.INSPECTOR)
    for args in (("--inspections", "10"), ("--inspections", "10", "--append")):
        result = _synth(runner, *args)
        assert result.exit_code == 1
        assert "refused: the database is not empty (1 districts, 1 users" in result.output
    assert db.session.scalar(select(func.count(Inspection.id))) == 0


@pytest.mark.parametrize(
    "args",
    [
        (),
        ("--inspections",),
        ("--inspections", "many"),
        ("--inspections", "0"),
        ("--inspections", "-5"),
        ("--inspections", "10", "--seed", "x"),
        ("--inspections", "10", "--colour", "red"),
    ],
)
def test_malformed_arguments_fail_with_usage(
    app: Flask, runner: Any, args: tuple[str, ...]
) -> None:
    result = _synth(runner, *args)
    assert result.exit_code == 2
    assert "Error:" in result.output
    # click prints the usage line, except when an option's value is missing altogether.
    assert "Usage: " in result.output or "requires an argument" in result.output
    assert db.session.scalar(select(func.count(Region.id))) == 0


def test_verify_reports_an_injected_drift_and_rebuild_repairs_it(app: Flask, runner: Any) -> None:
    assert _synth(runner, "--inspections", "120").exit_code == 0
    row = db.session.scalars(
        select(InspectionRollupByMarket).order_by(InspectionRollupByMarket.day)
    ).first()
    assert row is not None
    row.failed += 1
    db.session.commit()
    result = runner.invoke(args=["rollups", "verify"])
    assert result.exit_code == 1
    assert "rollups DRIFT: 1 row(s) differ" in result.output
    assert f"inspection_rollup_by_market [region_id={row.region_id}, day={row.day}" in result.output
    assert f"failed stored {row.failed} expected {row.failed - 1}" in result.output
    rebuilt = runner.invoke(args=["rollups", "rebuild"])
    assert rebuilt.exit_code == 0 and "rollups rebuilt" in rebuilt.output
    assert runner.invoke(args=["rollups", "verify", "--region", "HM"]).exit_code == 0
    unknown = runner.invoke(args=["rollups", "verify", "--region", "NOPE"])
    assert unknown.exit_code == 2 and "no district with code 'NOPE'" in unknown.output
