"""Rule packs: loading, caching, validation messages, the JSON export and domain purity."""

from __future__ import annotations

import ast
import dataclasses
import hashlib
import json
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from inspect_app.domain import prepackages, rulepacks, scales
from inspect_app.domain.rulepacks import RulePackError
from inspect_app.domain.verdicts import Source

DOMAIN = Path(rulepacks.__file__).resolve().parent.parent

# A small but complete pack; the validation tests break one thing at a time.
MINIMAL = """
id = "xx"
version = "1"
title = { zh = "测试", en = "Test" }

[scales.mpe.source]
document = "Doc A"
clause = "Table 6"
marker = "V"
verified = true

[[scales.mpe.classes.III]]
from = 0
upto = 500
mpe_e = 0.5

[[scales.mpe.classes.III]]
over = 500
upto = 2000
mpe_e = 1.0

[scales.in_service]
factor = 2
source = { document = "Doc A", clause = "4.2", marker = "V", verified = true }

[scales.class_parameters]
source = { document = "Doc A", clause = "Table 3", marker = "V", verified = true }
rows = [{ class = "III", from = 5, n_min = 500, n_max = 10000, min_e = 20 }]

[scales.eccentricity]
criterion = "each_within_mpe"
source = { document = "Doc A", clause = "ecc", marker = "U", verified = false }

[scales.repeatability]
criterion = "each_and_range_within_mpe"
source = { document = "Doc A", clause = "rep", marker = "U", verified = false }

[prepackages.deficiency.mass_volume]
units = ["g", "mL"]
source = { document = "Doc B", clause = "T", marker = "V", verified = true }
rows = [{ over = 0, upto = 50, percent = 9 }, { over = 50, upto = 100, absolute = 4.5 }]
rounding = { steps = [{ quantum = 0.1, mode = "up" }], source = { document = "Doc B", \
clause = "r", marker = "V", verified = true } }

[prepackages.sampling_plan]
source = { document = "Doc C", clause = "plan", marker = "V-2", verified = false }
rows = [
    { lot_from = 1, lot_upto = 10, sample_size = "all", allowed_t1 = 0, allowed_t2 = 0 },
    { lot_from = 11, sample_size = 10, correction_factor = 1.028, allowed_t1 = 0, \
allowed_t2 = 0 },
]

[optics.lens_power]
cylinder_columns = [{ from = 0, upto = 0.75 }, { over = 0.75 }]
source = { document = "Doc D", clause = "T1", marker = "U", verified = false }
rows = [{ from = 0, upto = 3, a = 0.12, b = [0.09, "-"] }, { over = 3, a = 0.18, \
b = [0.12, 0.18] }]

[optics.reference.refractometer_sphere]
unit = "D"
value_unit = "D"
source = { document = "Doc E", clause = "MPE", marker = "V-2", verified = false }
rows = [{ from = 0, upto = 10, tolerance = 0.25 }, { over = 10, tolerance = 0.5 }]
"""


def test_available_lists_the_shipped_packs() -> None:
    assert rulepacks.available() == ["cn", "oiml"]


def test_default_pack_is_china() -> None:
    assert rulepacks.load() is rulepacks.load("cn")
    assert rulepacks.load("cn").default is True
    assert rulepacks.load("oiml").default is False


@pytest.mark.parametrize("pack_id", ["cn", "oiml"])
def test_pack_has_id_version_and_both_titles(pack_id: str) -> None:
    pack = rulepacks.load(pack_id)
    assert pack.id == pack_id
    assert pack.version
    assert pack.title_zh and pack.title_en
    assert pack.ref.to_dict() == {"id": pack_id, "version": pack.version}


def test_pack_is_frozen() -> None:
    pack = rulepacks.load("cn")
    with pytest.raises(dataclasses.FrozenInstanceError):
        pack.version = "changed"  # type: ignore[misc]
    with pytest.raises(TypeError):
        pack.scales.mpe["III"] = pack.scales.mpe["IIII"]  # type: ignore[index, union-attr]


def test_load_parses_each_file_once(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    real = rulepacks.loads

    def counting(text: str, origin: str = "<string>") -> rulepacks.RulePack:
        calls.append(origin)
        return real(text, origin)

    rulepacks.clear_cache()
    monkeypatch.setattr(rulepacks, "loads", counting)
    first = rulepacks.load("oiml")
    for _ in range(5):
        assert rulepacks.load("oiml") is first
    assert calls == ["oiml.toml"]
    rulepacks.clear_cache()


def test_unknown_pack_names_the_available_ones() -> None:
    with pytest.raises(RulePackError, match=r"unknown rule pack 'us'.*cn.*oiml"):
        rulepacks.load("us")


def test_path_like_pack_ids_are_refused() -> None:
    with pytest.raises(RulePackError):
        rulepacks.load("../rulepacks/cn")


def test_minimal_pack_loads() -> None:
    pack = rulepacks.loads(MINIMAL, "xx.toml")
    assert pack.id == "xx"
    assert pack.scales is not None and pack.scales.repeatability_min_readings == 2
    assert pack.prepackages is not None and pack.prepackages.plan[0].sample_size is None


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "over = 500\nupto = 2000",
            "over = 600\nupto = 2000",
            r"scales\.mpe\.classes\.III row 2: gap: band starts over 600 .* ends at 500",
        ),
        (
            "over = 500\nupto = 2000",
            "over = 400\nupto = 2000",
            r"scales\.mpe\.classes\.III row 2: overlap",
        ),
        (
            "over = 500\nupto = 2000",
            "over = 500\nupto = 500",
            r"scales\.mpe\.classes\.III row 2: 'upto' 500 is not above the lower edge 500",
        ),
        (
            "over = 500\nupto = 2000",
            "from = 500\nupto = 2000",
            r"scales\.mpe\.classes\.III row 2: only the first band may include its lower edge",
        ),
        (
            "from = 0\nupto = 500",
            "upto = 500",
            r"scales\.mpe\.classes\.III row 1: give exactly one lower edge",
        ),
        (
            "from = 0\nupto = 500\nmpe_e = 0.5",
            "from = 0\nmpe_e = 0.5",
            r"scales\.mpe\.classes\.III row 2: follows an open-ended band",
        ),
        ("mpe_e = 1.0", 'mpe_e = "one"', r"classes\.III row 2: 'mpe_e' is not a number"),
        ("mpe_e = 1.0", "mpe_e = -1", r"classes\.III row 2: 'mpe_e' must be a finite number"),
        (
            "[[scales.mpe.classes.III]]\nfrom",
            "[[scales.mpe.classes.V]]\nfrom",
            r"scales\.mpe\.classes\.V: unknown accuracy class 'V'",
        ),
        (
            'marker = "V"\nverified = true',
            'marker = "V-2"\nverified = true',
            r"scales\.mpe\.source: verified = true needs marker 'V'",
        ),
        (
            'marker = "V"\nverified = true',
            'marker = "W"\nverified = false',
            r"scales\.mpe\.source: marker 'W' is not one of",
        ),
        (
            'document = "Doc A"\nclause = "Table 6"\n',
            "",
            r"scales\.mpe\.source: 'document' must be a str",
        ),
        ("factor = 2", "factor = 0.5", r"scales\.in_service: factor must be ≥ 1"),
        (
            'criterion = "each_within_mpe"',
            'criterion = "median"',
            r"scales\.eccentricity: criterion must be one of",
        ),
        ('unit = "D"', 'unit = "dpt"', r"optics\.reference\.refractometer_sphere: unknown unit"),
        (
            'units = ["g", "mL"]',
            'units = ["g", "oz"]',
            r"prepackages\.deficiency\.mass_volume: unknown unit 'oz'",
        ),
        (
            'mode = "up"',
            'mode = "nearest"',
            r"mass_volume\.rounding step 1: unknown rounding mode 'nearest'",
        ),
        (
            "{ over = 50, upto = 100, absolute = 4.5 }",
            "{ over = 60, upto = 100, absolute = 4.5 }",
            r"prepackages\.deficiency\.mass_volume row 2: gap",
        ),
        (
            "{ over = 50, upto = 100, absolute = 4.5 }",
            "{ over = 50, upto = 100 }",
            r"mass_volume row 2: give exactly one of \['absolute', 'percent'\]",
        ),
        (
            "lot_from = 11,",
            "lot_from = 12,",
            r"sampling_plan row 2: lot_from 12 does not follow the previous row's lot_upto 10",
        ),
        (
            "lot_from = 11, sample_size = 10",
            "lot_from = 11, sample_size = 12",
            r"sampling_plan row 2: sample_size 12 must be between 1 and the smallest lot 11",
        ),
        (
            "lot_from = 11, sample_size",
            "lot_from = 11, lot_upto = 20, sample_size",
            r"sampling_plan row 2: the last row must be open-ended",
        ),
        ('b = [0.09, "-"]', "b = [0.09]", r"optics\.lens_power row 1: 'b' has 1 values for 2"),
        ('id = "xx"', "id = 7", r"pack: 'id' must be a str"),
        ('version = "1"', 'version = "1', r"not valid TOML"),
    ],
)
def test_broken_pack_fails_naming_the_row(old: str, new: str, message: str) -> None:
    assert old in MINIMAL, old
    with pytest.raises(RulePackError, match=message) as raised:
        rulepacks.loads(MINIMAL.replace(old, new, 1), "xx.toml")
    assert str(raised.value).startswith("xx.toml")


def _sources(data: object) -> list[dict[str, object]]:
    """Every ``source`` object anywhere in an exported pack."""
    found: list[dict[str, object]] = []
    if isinstance(data, dict):
        if isinstance(data.get("source"), dict):
            found.append(data["source"])
        for value in data.values():
            found.extend(_sources(value))
    elif isinstance(data, list):
        for value in data:
            found.extend(_sources(value))
    return found


@pytest.mark.parametrize("pack_id", ["cn", "oiml"])
def test_every_table_cites_a_source_and_only_primary_reads_are_verified(pack_id: str) -> None:
    sources = _sources(rulepacks.export_json(pack_id))
    assert len(sources) >= 10
    for source in sources:
        assert source["document"] and source["clause"]
        assert source["marker"] in {"V", "V-2", "D", "U"}
        assert source["verified"] is (source["marker"] == "V")


def test_cn_unverified_tables_are_the_documented_ones() -> None:
    pack = rulepacks.load("cn")
    assert pack.scales is not None and pack.prepackages is not None and pack.optics is not None
    unverified = {
        "scales.mpe": not pack.scales.mpe["III"].source.verified,
        "scales.in_service": not pack.scales.in_service_source.verified,
        "sampling_plan": not pack.prepackages.plan_source.verified,
        "mass rounding": not _rounding_source(pack).verified,
        "lens_power": pack.optics.lens_power is not None
        and not pack.optics.lens_power.source.verified,
    }
    assert all(unverified.values()), unverified
    assert pack.prepackages.deficiency["mass_volume"].table.source.verified


def _rounding_source(pack: rulepacks.RulePack) -> Source:
    assert pack.prepackages is not None
    source = pack.prepackages.deficiency["mass_volume"].rounding_source
    assert source is not None
    return source


def _decimal_strings(data: object) -> None:
    """Fail if the export holds a float or a Decimal instead of a string."""
    assert not isinstance(data, float | Decimal), data
    if isinstance(data, dict):
        for value in data.values():
            _decimal_strings(value)
    elif isinstance(data, list):
        for value in data:
            _decimal_strings(value)


@pytest.mark.parametrize("pack_id", ["cn", "oiml"])
def test_export_is_json_with_decimals_as_strings(pack_id: str) -> None:
    exported = rulepacks.export_json(pack_id)
    _decimal_strings(exported)
    assert json.loads(json.dumps(exported, ensure_ascii=False)) == exported
    assert exported["id"] == pack_id and exported["format"] == 1
    assert exported["version"] == rulepacks.load(pack_id).version


def test_export_returns_a_fresh_object() -> None:
    first = rulepacks.export_json("cn")
    first["id"] = "tampered"
    assert rulepacks.export_json("cn")["id"] == "cn"


def test_export_holds_every_table_the_verdicts_use() -> None:
    cn = rulepacks.export_json("cn")
    scales, pre, optics = cn["scales"], cn["prepackages"], cn["optics"]
    assert isinstance(scales, dict) and isinstance(pre, dict) and isinstance(optics, dict)
    assert set(scales) == {"mpe", "in_service", "class_parameters", "eccentricity", "repeatability"}
    assert set(scales["mpe"]) == {"III", "IIII"}  # type: ignore[arg-type]
    assert set(pre) == {"deficiency", "sampling_plan"}
    assert set(pre["deficiency"]) == {"mass_volume", "length", "area", "count"}  # type: ignore[arg-type]
    assert set(optics) == {"lens_power", "lens_axis", "reference", "focimeter_zero"}
    assert set(optics["reference"]) == {"refractometer_sphere", "refractometer_pd"}  # type: ignore[arg-type]
    oiml = rulepacks.export_json("oiml")
    assert oiml["optics"] is None
    assert set(oiml["scales"]["mpe"]) == {"I", "II", "III", "IIII"}  # type: ignore[index]


def test_export_band_rows_match_the_published_table() -> None:
    bands = rulepacks.export_json("cn")["scales"]["mpe"]["III"]["bands"]  # type: ignore[index]
    assert [(b["lower"], b["lower_inclusive"], b["upper"], b["value"]) for b in bands] == [
        ("0", True, "500", "0.5"),
        ("500", False, "2000", "1"),
        ("2000", False, "10000", "1.5"),
    ]


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize("path", sorted(DOMAIN.rglob("*.py")), ids=lambda p: p.name)
def test_domain_imports_only_stdlib_geopy_and_itself(path: Path) -> None:
    for name in _imports(path):
        top = name.split(".")[0]
        if top == "inspect_app":
            assert name.startswith("inspect_app.domain"), f"{path.name} imports {name}"
        else:
            assert top in sys.stdlib_module_names or top == "geopy", f"{path.name} imports {name}"


# A minimal evaluator that reads nothing but export_json(): if it agrees with the engine, the
# export holds every table the tablet needs. It doubles as a reference for the JavaScript port.
_MODES = {"half_even": "ROUND_HALF_EVEN", "half_up": "ROUND_HALF_UP", "up": "ROUND_CEILING"}


def _find(bands: list[dict[str, object]], x: Decimal, scale: Decimal = Decimal(1)) -> dict:
    for band in bands:
        lower = Decimal(str(band["lower"])) * scale
        upper = None if band["upper"] is None else Decimal(str(band["upper"])) * scale
        if (x > lower or (x == lower and band["lower_inclusive"])) and (
            upper is None or x <= upper
        ):
            return band
    raise LookupError(x)


def _export_mpe(exported: dict, cls: str, e: Decimal, load: Decimal, stage: str) -> Decimal:
    band = _find(exported["scales"]["mpe"][cls]["bands"], load, e)
    value = Decimal(band["value"]) * e
    return (
        value * Decimal(exported["scales"]["in_service"]["factor"])
        if stage == "in_service"
        else value
    )


def _export_t(exported: dict, nominal: Decimal, unit: str) -> Decimal:
    family = next(f for f in exported["prepackages"]["deficiency"].values() if unit in f["units"])
    band = _find(family["table"]["bands"], nominal)
    t = (
        nominal * Decimal(band["value"]) / 100
        if band["kind"] == "percent"
        else Decimal(band["value"])
    )
    for step in family["rounding"]["steps"]:
        if step["upto"] is None or nominal <= Decimal(step["upto"]):
            quantum = Decimal(step["quantum"])
            return (t / quantum).to_integral_value(rounding=_MODES[step["mode"]]) * quantum
    return t


@given(
    pack_id=st.sampled_from(["cn", "oiml"]),
    cls=st.sampled_from(["III", "IIII"]),
    e=st.sampled_from([Decimal("0.1"), Decimal(1), Decimal(5), Decimal(50)]),
    m=st.decimals(min_value=0, max_value=1000, places=3),
    stage=st.sampled_from(["initial", "in_service"]),
)
def test_export_alone_gives_the_engines_mpe(
    pack_id: str, cls: str, e: Decimal, m: Decimal, stage: str
) -> None:
    load = m * e
    assert _export_mpe(rulepacks.export_json(pack_id), cls, e, load, stage) == scales.mpe(
        pack_id, cls, e, load, stage
    )


@given(
    pack_id=st.sampled_from(["cn", "oiml"]),
    unit=st.sampled_from(["g", "mL", "m", "m2"]),
    nominal=st.decimals(min_value="0.01", max_value=50000, places=2),
)
def test_export_alone_gives_the_engines_t(pack_id: str, unit: str, nominal: Decimal) -> None:
    assert _export_t(
        rulepacks.export_json(pack_id), nominal, unit
    ) == prepackages.tolerable_deficiency(pack_id, nominal, unit)


@given(lot_size=st.integers(1, 10**6))
def test_export_alone_gives_the_engines_plan(lot_size: int) -> None:
    rows = rulepacks.export_json("cn")["prepackages"]["sampling_plan"]["rows"]  # type: ignore[index]
    row = next(
        r
        for r in rows
        if r["lot_min"] <= lot_size and (r["lot_max"] is None or lot_size <= r["lot_max"])
    )
    plan = prepackages.sampling_plan("cn", lot_size)
    assert (row["sample_size"] or lot_size, row["allowed_t1"], row["allowed_t2"]) == (
        plan.sample_size,
        plan.allowed_t1,
        plan.allowed_t2,
    )
    assert row["correction_factor"] == (
        None if plan.correction_factor is None else str(plan.correction_factor)
    )


def test_a_single_package_with_a_correction_factor_must_reach_qn() -> None:
    # A pack may give λ for lots sampled whole; with one package there is no s.
    pack = rulepacks.loads(
        MINIMAL.replace('sample_size = "all",', 'sample_size = "all", correction_factor = 1,')
    )
    assert not prepackages.evaluate_lot(pack, 100, "g", 1, ["99.9"]).passed
    assert prepackages.evaluate_lot(pack, 100, "g", 1, ["100"]).passed


# Stored verdicts name (pack id, version): the tables of a released version must never change.
# Changing a table means a new version and a new line here (docs/metrology.md, "Adding a
# jurisdiction's pack"). The hash covers the exported tables and sources, not TOML comments.
PUBLISHED = {
    ("cn", "2026.1"): "205ed1a3e6f0dfcab92037bc8ddd053b618e193c7ac136aa41cf2f70b66ebe47",
    ("oiml", "2026.1"): "317dc018f61f502f6b211e65aff37f8e7230ad14a39dd668fd5639beb11063b4",
}


@pytest.mark.parametrize("pack_id", ["cn", "oiml"])
def test_published_pack_versions_never_change(pack_id: str) -> None:
    exported = rulepacks.export_json(pack_id)
    digest = hashlib.sha256(
        json.dumps(exported, sort_keys=True, ensure_ascii=False).encode()
    ).hexdigest()
    key = (pack_id, str(exported["version"]))
    assert key in PUBLISHED, f"new version {key}: add its hash to PUBLISHED"
    assert PUBLISHED[key] == digest, f"{key} was published with other tables: bump the version"
