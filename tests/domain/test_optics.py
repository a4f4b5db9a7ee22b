"""Optics: refractometer and focimeter reference checks, spectacle-lens power/cylinder/axis."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from inspect_app.domain import optics, rulepacks
from inspect_app.domain.optics import LensPower
from inspect_app.domain.quantities import MeasurementError

D = Decimal


# JJG 892-2011 验光仪, sphere MPE (a secondary summary): |P| ≤ 10 → ±0.25 D, beyond → ±0.50 D.
@pytest.mark.parametrize(
    ("nominal", "tolerance"),
    [
        ("0", "0.25"),
        ("9.99", "0.25"),
        ("10", "0.25"),
        ("10.01", "0.5"),
        ("-10", "0.25"),
        ("-10.01", "0.5"),
        ("-20", "0.5"),
    ],
)
def test_refractometer_sphere_band_edges(nominal: str, tolerance: str) -> None:
    tol = D(tolerance)
    on = optics.check_refractometer("cn", nominal, D(nominal) + tol)
    assert on.passed and on.points[0].tolerance == tol
    assert optics.check_refractometer("cn", nominal, D(nominal) - tol).passed
    assert not optics.check_refractometer("cn", nominal, D(nominal) + tol + D("0.01")).passed
    assert not optics.check_refractometer("cn", nominal, D(nominal) - tol - D("0.01")).passed


@pytest.mark.parametrize(
    ("reading", "passed"), [("63", True), ("64", True), ("64.1", False), ("61.9", False)]
)
def test_refractometer_pupil_distance(reading: str, passed: bool) -> None:
    verdict = optics.check_refractometer("cn", 63, reading, quantity="pd")
    assert verdict.passed is passed and verdict.points[0].unit == "mm"


@pytest.mark.parametrize(
    ("reading", "resolution", "passed"),
    [
        ("0.03", None, True),
        ("-0.03", None, True),
        ("0.04", None, False),
        ("0.03", "0.05", True),
        ("0.02", "0.01", True),
        ("0.03", "0.01", False),
        ("-0.02", "0.001", True),
    ],
)
def test_focimeter_zero_error(reading: str, resolution: str | None, passed: bool) -> None:
    verdict = optics.check_focimeter("cn", 0, reading, resolution)
    assert verdict.passed is passed and verdict.kind == "focimeter"
    assert verdict.unverified


def test_focimeter_power_check_refuses_without_a_table() -> None:
    # JJG 580 Table 1 was not retrieved: no tolerance is guessed.
    with pytest.raises(MeasurementError) as raised:
        optics.check_focimeter("cn", -10, "-10.05")
    assert raised.value.code == "RULE_NOT_IN_PACK" and "focimeter" in raised.value.en


@pytest.mark.parametrize(
    "call",
    [
        lambda: optics.check_refractometer("oiml", 5, 5),
        lambda: optics.check_focimeter("oiml", 0, 0),
        lambda: optics.check_lens("oiml", LensPower(1), LensPower(1)),
    ],
)
def test_oiml_pack_has_no_optics(call: object) -> None:
    with pytest.raises(MeasurementError) as raised:
        call()  # type: ignore[operator]
    assert raised.value.code == "RULE_NOT_IN_PACK"


def test_unknown_refractometer_quantity() -> None:
    with pytest.raises(MeasurementError) as raised:
        optics.check_refractometer("cn", 5, 5, quantity="keratometry")
    assert raised.value.code == "RULE_NOT_IN_PACK"


# GB 10810.1 / ISO 8980-1 Table 1 tolerance A on spherical lenses, by highest meridian |S|.
@pytest.mark.parametrize(
    ("sphere", "a"),
    [
        ("0", "0.12"),
        ("3", "0.12"),
        ("3.25", "0.12"),
        ("-6", "0.12"),
        ("6.25", "0.12"),
        ("9", "0.12"),
        ("9.25", "0.18"),
        ("-12", "0.18"),
        ("12.25", "0.25"),
        ("20", "0.25"),
        ("-20.25", "0.37"),
    ],
)
def test_lens_meridian_tolerance_by_row(sphere: str, a: str) -> None:
    s, tol = D(sphere), D(a)
    assert optics.check_lens("cn", LensPower(s), LensPower(s + tol)).passed
    assert optics.check_lens("cn", LensPower(s), LensPower(s - tol)).passed
    outside = optics.check_lens("cn", LensPower(s), LensPower(s + tol + D("0.01")))
    assert not outside.passed
    assert [p.quantity for p in outside.points if not p.passed] == ["meridian 1", "meridian 2"]


# Row 1 (highest meridian ≤ 3 D): B = 0.09 / 0.12 / 0.18 by |C| column.
@pytest.mark.parametrize(
    ("sphere", "cyl", "b"),
    [
        ("1", "-0.75", "0.09"),
        ("1", "-1", "0.12"),
        ("2", "-4", "0.12"),
        ("2", "-4.25", "0.18"),
        ("3", "-6", "0.18"),
    ],
)
def test_lens_cylinder_tolerance_by_column(sphere: str, cyl: str, b: str) -> None:
    nominal = LensPower(sphere, cyl, 90)
    tol = D(b)
    # Keep meridian 2 within A by moving the sphere the other way (only the cylinder is tested).
    ok = LensPower(D(sphere) - tol / 2, D(cyl) + tol, 90)
    bad = LensPower(D(sphere) - tol / 2, D(cyl) + tol + D("0.01"), 90)
    assert next(
        p for p in optics.check_lens("cn", nominal, ok).points if p.quantity == "cylinder"
    ).passed
    assert not next(
        p for p in optics.check_lens("cn", nominal, bad).points if p.quantity == "cylinder"
    ).passed


def test_plano_and_ten_dioptre_data_points() -> None:
    # GB 10810.1-2005 data points, read in secondary sources: plano ±0.12 sphere, ±0.09
    # cylinder; a 10 D sphere 9.82–10.18 D (易先群 et al., "眼镜国家标准在实践中的应用").
    plano = optics.check_lens("cn", LensPower(0), LensPower("0.12", "-0.09", 10))
    assert plano.passed
    assert not optics.check_lens("cn", LensPower(0), LensPower("0", "-0.10", 10)).passed
    assert optics.check_lens("cn", LensPower(10), LensPower("10.18")).passed
    assert optics.check_lens("cn", LensPower(10), LensPower("9.82")).passed
    assert not optics.check_lens("cn", LensPower(10), LensPower("10.19")).passed
    ten = optics.check_lens("cn", LensPower(10), LensPower(10))
    assert {p.quantity: p.tolerance for p in ten.points} == {
        "meridian 1": D("0.18"),
        "meridian 2": D("0.18"),
        "cylinder": D("0.12"),
    }


# Axis tolerance by |C| (ISO 8980-1, unverified): ≤0.25 16°, ≤0.50 9°, ≤0.75 6°, ≤1.50 4°, 3°.
@pytest.mark.parametrize(
    ("cyl", "degrees"),
    [("-0.25", 16), ("-0.5", 9), ("-0.75", 6), ("-1.5", 4), ("-1.75", 3), ("-4", 3)],
)
def test_lens_axis_tolerance_by_cylinder(cyl: str, degrees: int) -> None:
    nominal = LensPower("-1", cyl, 90)
    assert optics.check_lens("cn", nominal, LensPower("-1", cyl, 90 + degrees)).passed
    assert optics.check_lens("cn", nominal, LensPower("-1", cyl, 90 - degrees)).passed
    assert not optics.check_lens("cn", nominal, LensPower("-1", cyl, 91 + degrees)).passed


def test_axis_difference_wraps_around_180() -> None:
    verdict = optics.check_lens("cn", LensPower("-2", "-1", 1), LensPower("-2", "-1", 177))
    axis = verdict.points[-1]
    assert axis.quantity == "axis" and axis.error == -4 and axis.passed
    assert not optics.check_lens("cn", LensPower("-2", "-1", 1), LensPower("-2", "-1", 176)).passed


def test_measurement_in_plus_cylinder_form_is_transposed() -> None:
    verdict = optics.check_lens("cn", LensPower("-2", "-1", 180), LensPower("-3", "+1", 90))
    assert verdict.passed and all(p.error == 0 for p in verdict.points)


def test_toric_lens_measured_without_cylinder_fails() -> None:
    verdict = optics.check_lens("cn", LensPower("-2", "-0.25", 90), LensPower("-2.1"))
    assert not verdict.passed
    assert "AXIS_NOT_MEASURED" in {r.code for r in verdict.reasons}


@pytest.mark.parametrize(("cyl", "axis"), [("-1", None), ("-1", 181), ("-1", -1)])
def test_cylinder_needs_a_valid_axis(cyl: str, axis: int | None) -> None:
    with pytest.raises(MeasurementError) as raised:
        LensPower("-2", cyl, axis)  # type: ignore[arg-type]
    assert raised.value.code == "AXIS_INVALID"


def test_lens_verdict_is_marked_unverified_and_serialises() -> None:
    verdict = optics.check_lens("cn", LensPower("-2", "-1", 90), LensPower("-2.05", "-1.1", 93))
    data = json.loads(json.dumps(verdict.to_dict(), ensure_ascii=False))
    assert data["unverified"] is True and data["pack"]["id"] == "cn"
    assert {c["table"] for c in data["citations"]} == {"optics.lens_power", "optics.lens_axis"}
    assert all(c["verified"] is False for c in data["citations"])
    assert "rows not yet checked" in verdict.explain("en")
    assert "尚未与原始法规文本核对" in verdict.explain("zh")


def test_dash_cell_of_a_lens_table_is_no_tolerance() -> None:
    text = (Path(rulepacks.__file__).parent / "cn.toml").read_text(encoding="utf-8")
    pack = rulepacks.loads(
        text.replace('b = [0.09, 0.12, 0.18, "-"]', 'b = [0.09, "-", 0.18, "-"]'), "variant.toml"
    )
    with pytest.raises(MeasurementError) as raised:
        optics.check_lens(pack, LensPower("1", "-1", 90), LensPower("1", "-1", 90))
    assert raised.value.code == "NO_TOLERANCE"
