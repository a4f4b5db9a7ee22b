"""Scales: MPE band edges, worked figures, weighing tests, eccentricity, repeatability, spec."""

from __future__ import annotations

import json
from decimal import Decimal, localcontext

import pytest
from hypothesis import given
from hypothesis import strategies as st

from inspect_app.domain import rulepacks, scales
from inspect_app.domain.quantities import MeasurementError
from inspect_app.domain.scales import ScaleSpec

D = Decimal

# OIML R 76-1 Table 6 (carried by Directive 90/384/EEC into UK SI 1995/1907 Sch. 2 para 4),
# typed here independently of the packs: (upper edge of the band in e, MPE in e); None =
# open-ended.
R76 = {
    "I": [(D(50000), D("0.5")), (D(200000), D(1)), (None, D("1.5"))],
    "II": [(D(5000), D("0.5")), (D(20000), D(1)), (D(100000), D("1.5"))],
    "III": [(D(500), D("0.5")), (D(2000), D(1)), (D(10000), D("1.5"))],
    "IIII": [(D(50), D("0.5")), (D(200), D(1)), (D(1000), D("1.5"))],
}
E_FOR = {"I": D("0.001"), "II": D("0.01"), "III": D(5), "IIII": D(50)}
PACK_CLASSES = {"cn": ("III", "IIII"), "oiml": ("I", "II", "III", "IIII")}


def _edge_cases() -> list[tuple[str, str, Decimal, Decimal, object]]:
    """(pack, class, e, load in g, expected initial MPE in g or an error code)."""
    cases: list[tuple[str, str, Decimal, Decimal, object]] = []
    for pack, classes in PACK_CLASSES.items():
        for cls in classes:
            e = E_FOR[cls]
            step = e / 1000  # "just" inside/outside: a thousandth of an interval
            bands = R76[cls]
            cases.append((pack, cls, e, D(0), bands[0][1] * e))
            cases.append((pack, cls, e, -step, "LOAD_NEGATIVE"))
            for i, (upper, value) in enumerate(bands):
                if upper is None:
                    cases.append((pack, cls, e, D(10**6) * e, value * e))
                    continue
                edge = upper * e
                above = bands[i + 1][1] * e if i + 1 < len(bands) else "LOAD_OUTSIDE_TABLE"
                cases += [
                    (pack, cls, e, edge - step, value * e),
                    (pack, cls, e, edge, value * e),
                    (pack, cls, e, edge + step, above),
                ]
    return cases


@pytest.mark.parametrize(("pack", "cls", "e", "load", "expected"), _edge_cases())
@pytest.mark.parametrize("stage", ["initial", "in_service"])
def test_mpe_at_every_band_edge(
    pack: str, cls: str, e: Decimal, load: Decimal, expected: object, stage: str
) -> None:
    if isinstance(expected, str):
        with pytest.raises(MeasurementError) as raised:
            scales.mpe(pack, cls, e, load, stage)
        assert raised.value.code == expected
    else:
        factor = 2 if stage == "in_service" else 1
        assert scales.mpe(pack, cls, e, load, stage) == factor * expected  # type: ignore[operator]


@pytest.mark.parametrize("cls", ["I", "II"])
def test_cn_pack_has_no_class_i_or_ii_table(cls: str) -> None:
    with pytest.raises(MeasurementError) as raised:
        scales.mpe("cn", cls, 1, 10, "initial")
    assert raised.value.code == "CLASS_NOT_IN_PACK"
    assert "III" in raised.value.en and raised.value.zh


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (("cn", "V", 5, 10, "initial"), "CLASS_UNKNOWN"),
        (("cn", "III", 5, 10, "final"), "STAGE_UNKNOWN"),
        (("cn", "III", 0, 10, "initial"), "SPEC_INVALID"),
        (("cn", "III", 5, "ten", "initial"), "INVALID_NUMBER"),
        (("cn", "III", 5, True, "initial"), "INVALID_NUMBER"),
        (("cn", "III", 5, "NaN", "initial"), "INVALID_NUMBER"),
    ],
)
def test_mpe_refuses_bad_input(args: tuple[object, ...], code: str) -> None:
    with pytest.raises(MeasurementError) as raised:
        scales.mpe(*args)  # type: ignore[arg-type]
    assert raised.value.code == code
    assert isinstance(raised.value, ValueError)


# Bands of typical bazaar scales, worked by hand from R 76-1 Table 6 and the in-service
# doubling of SI 1995/1907 Sch. 2 para 4.2.
@pytest.mark.parametrize(
    ("e", "load", "initial", "in_service"),
    [
        (5, 2500, "2.5", "5"),
        (5, 2505, "5", "10"),
        (5, 10000, "5", "10"),
        (5, 10005, "7.5", "15"),
        (5, 15000, "7.5", "15"),
        (10, 5000, "5", "10"),
        (10, 5010, "10", "20"),
        (10, 20000, "10", "20"),
        (10, 20010, "15", "30"),
        (10, 30000, "15", "30"),
    ],
)
@pytest.mark.parametrize("pack", ["cn", "oiml"])
def test_worked_bazaar_scale_bands(
    pack: str, e: int, load: int, initial: str, in_service: str
) -> None:
    assert scales.mpe(pack, "III", e, load, "initial") == D(initial)
    assert scales.mpe(pack, "III", e, load, "in_service") == D(in_service)


SCALE_15 = ScaleSpec("III", D(15000), D(100), D(5), D(5))


def test_issue_example_10011_at_10000_fails_in_service() -> None:
    verdict = scales.evaluate_test("cn", SCALE_15, [(10000, 10011)], "in_service")
    point = verdict.points[0]
    assert (point.error, point.error_e, point.mpe, point.mpe_e) == (D(11), D("2.2"), D(10), D(2))
    assert verdict.passed is False and point.passed is False
    assert verdict.explain("en").splitlines()[0] == (
        "indication 10 011 g at 10 000 g: error +11 g = 2.2 e; in-service limit ±10 g "
        "(2 e, band 500 e < m ≤ 2 000 e, JJG 539); fail"
    )
    assert "不合格" in verdict.explain("zh")


@pytest.mark.parametrize("stage", ["initial", "in_service"])
def test_zhongshan_cheat_mode_1kg_reads_1_1kg(stage: str) -> None:
    # Zhongshan enforcement case of 2024-06-14 (press summary): in cheat mode a 1 kg standard
    # weight read 1.1 kg.
    verdict = scales.evaluate_test("cn", SCALE_15, [(1000, 1100)], stage)
    assert verdict.points[0].error_e == 20 and not verdict.passed


@pytest.mark.parametrize("indication", [524, 550, 600, 650, 800])
def test_qingdao_m_keys_500g_reads_more(indication: int) -> None:
    # Qingdao raid of 2014 (press report): keys M1…M6 each added about 25 g; the worst scale
    # read 800 g for 500 g.
    verdict = scales.evaluate_test("cn", SCALE_15, [(500, indication)], "in_service")
    assert not verdict.passed


@pytest.mark.parametrize(
    ("indication", "passed"),
    [("10010", True), ("10010.1", False), ("9990", True), ("9989.9", False), ("10000", True)],
)
def test_point_on_and_just_beyond_the_limit(indication: str, passed: bool) -> None:
    verdict = scales.evaluate_test("cn", SCALE_15, [(10000, indication)], "in_service")
    assert verdict.passed is passed


def test_test_passes_only_when_every_point_passes() -> None:
    points = [(0, 0), (100, 100), (2500, "2502.5"), (7500, 7505), (15000, "15007.5")]
    assert scales.evaluate_test("cn", SCALE_15, points, "initial").passed
    failing = scales.evaluate_test("cn", SCALE_15, [*points, (5000, 5006)], "initial")
    assert not failing.passed
    assert [p.passed for p in failing.points] == [True] * 5 + [False]
    assert failing.reasons[0].code == "OUTSIDE_MPE"


@pytest.mark.parametrize(
    ("points", "code"),
    [
        ([(15000.5, 15000)], "LOAD_ABOVE_MAX"),
        ([(-5, 0)], "LOAD_NEGATIVE"),
        ([], "NO_POINTS"),
        ([(100, "1oo")], "INVALID_NUMBER"),
    ],
)
def test_evaluate_test_refuses_bad_loads(points: list[tuple[object, object]], code: str) -> None:
    with pytest.raises(MeasurementError) as raised:
        scales.evaluate_test("cn", SCALE_15, points, "initial")  # type: ignore[arg-type]
    assert raised.value.code == code
    assert raised.value.en and raised.value.zh and raised.value.en != raised.value.zh


def test_load_above_max_message_is_bilingual_with_numbers() -> None:
    with pytest.raises(MeasurementError) as raised:
        scales.evaluate_test("cn", SCALE_15, [(15005, 15005)], "initial")
    assert "15005" in raised.value.en and "15000" in raised.value.zh
    assert raised.value.details == {"load": "15005", "max": "15000"}


def test_floats_are_read_through_str() -> None:
    verdict = scales.evaluate_test("cn", ScaleSpec("III", 3000, 20, 1, 1), [(0.1, 0.3)], "initial")
    assert verdict.points[0].error == D("0.2")


def test_caller_decimal_context_cannot_change_a_verdict() -> None:
    with localcontext() as ctx:
        ctx.prec = 3
        verdict = scales.evaluate_test("cn", SCALE_15, [(10000, "10011.125")], "in_service")
    assert verdict.points[0].error == D("11.125")


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (("II+", 100, 1, 1, 1), "CLASS_UNKNOWN"),
        (("III", 100, 100, 1, 1), "SPEC_INVALID"),
        (("III", 100, 1, 0, 1), "SPEC_INVALID"),
        (("III", 0, 0, 1, 1), "SPEC_INVALID"),
    ],
)
def test_scale_spec_validates(args: tuple[object, ...], code: str) -> None:
    with pytest.raises(MeasurementError) as raised:
        ScaleSpec(*args)  # type: ignore[arg-type]
    assert raised.value.code == code


def test_verdict_to_dict_is_json_with_pack_and_citations() -> None:
    verdict = scales.evaluate_test("cn", SCALE_15, [(10000, 10011), (0, 0)], "in_service")
    data = json.loads(json.dumps(verdict.to_dict(), ensure_ascii=False))
    assert data["pack"] == {"id": "cn", "version": rulepacks.load("cn").version}
    assert data["passed"] is False and data["unverified"] is True
    assert data["points"][0] == {
        "load": "10000",
        "indication": "10011",
        "error": "11",
        "error_e": "2.2",
        "mpe": "10",
        "mpe_e": "2",
        "band": "500 e < m ≤ 2 000 e",
        "passed": False,
    }
    tables = {c["table"] for c in data["citations"]}
    assert tables == {"scales.mpe.III", "scales.in_service"}
    assert all(c["source"]["document"] for c in data["citations"])


def test_oiml_verdict_is_verified() -> None:
    verdict = scales.evaluate_test("oiml", SCALE_15, [(10000, 10005)], "in_service")
    assert verdict.passed and not verdict.unverified
    assert "Note" not in verdict.explain("en")


@given(
    cls_pack=st.sampled_from([(c, p) for p, cs in PACK_CLASSES.items() for c in cs]),
    e=st.sampled_from([D("0.001"), D("0.01"), D("0.1"), D("0.5"), D(1), D(2), D(5), D(20)]),
    m=st.decimals(min_value=0, max_value=1000, places=3),
)
def test_in_service_limit_is_twice_the_initial_one(
    cls_pack: tuple[str, str], e: Decimal, m: Decimal
) -> None:
    cls, pack = cls_pack
    load = m * e * (10 if cls in ("III", "I") else 1)
    assert scales.mpe(pack, cls, e, load, "in_service") == 2 * scales.mpe(
        pack, cls, e, load, "initial"
    )


@given(
    a=st.decimals(min_value=0, max_value=10000, places=2),
    b=st.decimals(min_value=0, max_value=10000, places=2),
)
def test_mpe_never_shrinks_as_the_load_grows(a: Decimal, b: Decimal) -> None:
    low, high = sorted((a, b))
    assert scales.mpe("cn", "III", 1, low, "initial") <= scales.mpe("cn", "III", 1, high, "initial")


def test_eccentricity_each_position_within_mpe() -> None:
    # 5 000 g = 1 000 e on a 15 kg / 5 g scale: initial MPE 5 g.
    ok = scales.evaluate_eccentricity("cn", SCALE_15, 5000, [5000, 5005, 4995, 5000], "initial")
    assert ok.passed and ok.kind == "eccentricity" and len(ok.points) == 4
    bad = scales.evaluate_eccentricity("cn", SCALE_15, 5000, [5000, 5005, 4994, 5000], "initial")
    assert not bad.passed and [p.passed for p in bad.points] == [True, True, False, True]
    assert any(c.table == "scales.eccentricity" and not c.verified for c in bad.citations)


def test_eccentricity_load_above_max_is_refused() -> None:
    with pytest.raises(MeasurementError) as raised:
        scales.evaluate_eccentricity("cn", SCALE_15, 15010, [15010], "initial")
    assert raised.value.code == "LOAD_ABOVE_MAX"


@pytest.mark.parametrize(
    ("indications", "passed", "last_code"),
    [
        ([15000, 15005, 15007.5], True, "RANGE_WITHIN_MPE"),  # range 7.5 = MPE: on the limit
        ([14996, 15000, 15004], False, "RANGE_EXCEEDS_MPE"),  # each within, range 8 > 7.5
        ([15000, 15000, 15008], False, "RANGE_EXCEEDS_MPE"),  # one outside as well
    ],
)
def test_repeatability_errors_and_range(
    indications: list[float], passed: bool, last_code: str
) -> None:
    verdict = scales.evaluate_repeatability("cn", SCALE_15, 15000, indications, "initial")
    assert verdict.passed is passed
    assert verdict.reasons[-1].code == last_code
    assert verdict.range_limit == D("7.5")


def test_repeatability_needs_the_packs_number_of_readings() -> None:
    with pytest.raises(MeasurementError) as raised:
        scales.evaluate_repeatability("cn", SCALE_15, 15000, [15000, 15000], "initial")
    assert raised.value.code == "TOO_FEW_READINGS" and raised.value.details["required"] == "3"
    assert scales.evaluate_repeatability("oiml", SCALE_15, 15000, [15000, 15000], "initial").passed


@pytest.mark.parametrize(
    ("spec", "passed", "codes"),
    [
        (("III", 15000, 100, 5, 5), True, ["N_WITHIN_CLASS", "MIN_OK"]),
        (("III", 15000, 95, 5, 5), False, ["N_WITHIN_CLASS", "MIN_TOO_SMALL"]),
        (("III", 2500, 100, 5, 5), True, ["N_WITHIN_CLASS", "MIN_OK"]),  # n = 500
        (("III", 2495, 100, 5, 5), False, ["N_OUTSIDE_CLASS", "MIN_OK"]),  # n = 499
        (("III", 50000, 100, 5, 5), True, ["N_WITHIN_CLASS", "MIN_OK"]),  # n = 10 000
        (("III", 50005, 100, 5, 5), False, ["N_OUTSIDE_CLASS", "MIN_OK"]),
        (("III", 200, 40, 2, 2), True, ["N_WITHIN_CLASS", "MIN_OK"]),  # e = 2: n ≥ 100
        (("III", 3000, 40, 3, 3), False, ["E_OUTSIDE_CLASS"]),  # e = 3 g: no row
        (("IIII", 5000, 50, 5, 5), True, ["N_WITHIN_CLASS", "MIN_OK"]),  # n = 1 000
        (("IIII", 5005, 50, 5, 5), False, ["N_OUTSIDE_CLASS", "MIN_OK"]),
        (("IIII", 5000, 45, 5, 5), False, ["N_WITHIN_CLASS", "MIN_TOO_SMALL"]),  # Min ≥ 10 e
    ],
)
@pytest.mark.parametrize("pack", ["cn", "oiml"])
def test_check_spec_against_the_class_table(
    pack: str, spec: tuple[object, ...], passed: bool, codes: list[str]
) -> None:
    verdict = scales.check_spec(pack, ScaleSpec(*spec))  # type: ignore[arg-type]
    assert verdict.passed is passed
    assert [r.code for r in verdict.reasons] == codes


def test_check_spec_without_class_row_is_an_error() -> None:
    with pytest.raises(MeasurementError) as raised:
        scales.check_spec("oiml", ScaleSpec("II", 1000, 1, "0.01", "0.01"))
    assert raised.value.code == "CLASS_NOT_IN_PACK"
