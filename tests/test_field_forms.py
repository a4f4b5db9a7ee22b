"""The checked-in ``field_forms/`` directory: it loads, it is pinned, and it says what an
inspector needs. No app fixture: the registry is plain Python."""

from __future__ import annotations

import ast
import shutil
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest

from inspect_app.domain.forms import (
    FIELD_TYPES,
    FieldSpec,
    FormDefinition,
    FormDefinitionError,
    FormStatus,
    flagged_violations,
    instrument_refs,
    photo_refs,
    validate_answers,
)
from inspect_app.formdefs import (
    DEFAULT_DIR,
    FormRegistry,
    check_forms,
    load_registry,
    main,
    pin_new_versions,
)

ROOT = Path(__file__).resolve().parents[1]
FORMS = ROOT / "field_forms"
FORM_KEYS = ["bazaar_scale", "optical_shop", "prepackaged_goods"]
SHA_A, SHA_B = "a" * 64, "b" * 64


@pytest.fixture(scope="module")
def registry() -> FormRegistry:
    return load_registry(FORMS)


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    target = tmp_path / "field_forms"
    shutil.copytree(FORMS, target)
    return target


def field(definition: FormDefinition, path: str) -> FieldSpec:
    return dict(definition.walk())[path]


# ── the directory as a whole ───────────────────────────────────────────────────────────


def test_every_file_in_field_forms_is_valid_toml() -> None:
    files = [p for p in FORMS.rglob("*") if p.is_file()]
    assert {p.name for p in files} >= {"violations.toml", "lifecycle.toml", "published.lock"}
    for path in files:
        with path.open("rb") as handle:
            tomllib.load(handle)


def test_the_checked_in_forms_have_no_problems() -> None:
    assert check_forms(FORMS) == []
    assert DEFAULT_DIR == FORMS


def test_the_registry_serves_the_three_forms(registry: FormRegistry) -> None:
    assert registry.form_keys() == FORM_KEYS
    for key in FORM_KEYS:
        latest = registry.latest(key)
        assert latest is not None and latest.key == key
        assert registry.status(key, latest.version) is FormStatus.OPEN
    assert registry.get("bazaar_scale", 99) is None and registry.status("nope", 1) is None
    assert registry.latest("nope") is None


def test_every_published_version_is_pinned(registry: FormRegistry) -> None:
    with (FORMS / "published.lock").open("rb") as handle:
        lock = tomllib.load(handle)
    for key in registry.form_keys():
        for version in registry.versions(key):
            assert lock[key][str(version)] == registry.sha256(key, version)


def test_the_manifest_lists_hash_status_and_title(registry: FormRegistry) -> None:
    manifest = registry.manifest()
    assert [(m["key"], m["version"]) for m in manifest] == [(k, 1) for k in FORM_KEYS]
    for entry in manifest:
        assert set(entry) == {"key", "version", "status", "sha256", "title"}
        assert entry["sha256"] == registry.sha256(str(entry["key"]), 1)
        assert set(entry["title"]) == {"zh", "en"}  # type: ignore[arg-type]
    assert len(registry.manifest_sha256()) == 64


def test_the_cli_check_passes_here_and_fails_on_a_broken_copy(
    copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check", str(FORMS)]) == 0
    (copy / "bazaar_scale" / "v1.toml").write_text("title = ", encoding="utf-8")
    assert main(["check", str(copy)]) == 1
    assert "bazaar_scale/v1.toml: cannot read" in capsys.readouterr().out
    assert main(["frobnicate"]) == 2


def test_formdefs_imports_only_the_standard_library_and_the_domain() -> None:
    source = (ROOT / "inspect_app" / "formdefs.py").read_text()
    names = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.append(node.module)
    assert [
        n
        for n in names
        if n.split(".")[0] not in sys.stdlib_module_names
        and n != "__future__"
        and not n.startswith("inspect_app.domain")
    ] == []


# ── immutability of published versions ─────────────────────────────────────────────────


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_a_changed_published_version_is_detected(copy: Path) -> None:
    _edit(copy / "bazaar_scale" / "v1.toml", 'en = "Test load"', 'en = "Load"')
    problems = check_forms(copy)
    assert len(problems) == 1
    assert "form bazaar_scale v1: content changed after publication" in problems[0]
    assert "publish the change as v2" in problems[0]
    with pytest.raises(FormDefinitionError, match="content changed"):
        load_registry(copy)
    with pytest.raises(FormDefinitionError, match="refusing to pin"):
        pin_new_versions(copy)


def test_a_semantic_change_is_detected_even_without_a_label_change(copy: Path) -> None:
    path = copy / "prepackaged_goods" / "v1.toml"
    _edit(path, 'key = "brand"\ntype = "text"\n', 'key = "brand"\ntype = "text"\nrequired = true\n')
    assert any("prepackaged_goods v1: content changed" in p for p in check_forms(copy))


def test_comments_and_layout_are_not_content(copy: Path) -> None:
    path = copy / "optical_shop" / "v1.toml"
    path.write_text(
        "# reviewed 2025-05-01\n\n" + path.read_text(encoding="utf-8"), encoding="utf-8"
    )
    assert check_forms(copy) == []


def test_a_removed_published_version_is_detected(copy: Path) -> None:
    (copy / "optical_shop" / "v1.toml").unlink()
    (copy / "optical_shop").rmdir()
    problems = check_forms(copy)
    assert any(
        "optical_shop v1 is published (pinned) but its file is missing" in p for p in problems
    )
    assert any("lifecycle.toml: optical_shop v1 is not a loaded form" in p for p in problems)


def test_a_new_version_must_be_pinned_and_pinning_keeps_old_pins(copy: Path) -> None:
    v2 = copy / "bazaar_scale" / "v2.toml"
    shutil.copy(copy / "bazaar_scale" / "v1.toml", v2)
    _edit(v2, 'key = "remarks"', 'key = "inspector_remarks"')
    before = (copy / "published.lock").read_text()
    assert check_forms(copy) == [
        "form bazaar_scale v2 is not pinned in published.lock; "
        "run `python -m inspect_app.formdefs pin` to publish it"
    ]
    # A draft can be loaded locally without pins, never by default.
    assert load_registry(copy, require_pins=False).get("bazaar_scale", 2) is not None
    added = pin_new_versions(copy)
    assert len(added) == 1 and added[0].startswith("bazaar_scale v2 ")
    after = (copy / "published.lock").read_text()
    for line in before.splitlines():
        if "=" in line:
            assert line in after
    assert check_forms(copy) == []
    latest = load_registry(copy).latest("bazaar_scale")
    assert latest is not None and latest.version == 2
    assert pin_new_versions(copy) == []


# ── lifecycle ──────────────────────────────────────────────────────────────────────────


def test_closing_a_version_changes_its_status_not_its_hash(
    copy: Path, registry: FormRegistry
) -> None:
    _edit(copy / "lifecycle.toml", '[optical_shop]\n1 = "open"', '[optical_shop]\n1 = "closing"')
    closing = load_registry(copy)
    assert closing.status("optical_shop", 1) is FormStatus.CLOSING
    assert closing.status("optical_shop", 1).accepts_submissions  # type: ignore[union-attr]
    assert closing.latest("optical_shop") is None  # hidden from new work
    assert closing.sha256("optical_shop", 1) == registry.sha256("optical_shop", 1)
    entry = next(m for m in closing.manifest() if m["key"] == "optical_shop")
    assert entry["status"] == "closing"
    assert closing.manifest_sha256() != registry.manifest_sha256()
    definition = closing.get("optical_shop", 1)
    assert definition is not None and definition.to_json()["status"] == "closing"


def test_a_closed_version_refuses_submissions(copy: Path) -> None:
    _edit(copy / "lifecycle.toml", '[bazaar_scale]\n1 = "open"', '[bazaar_scale]\n1 = "closed"')
    status = load_registry(copy).status("bazaar_scale", 1)
    assert status is FormStatus.CLOSED and not status.accepts_submissions


def test_an_unlisted_version_is_open(copy: Path) -> None:
    (copy / "lifecycle.toml").write_text("", encoding="utf-8")
    assert load_registry(copy).status("prepackaged_goods", 1) is FormStatus.OPEN


@pytest.mark.parametrize(
    ("lifecycle", "message"),
    [
        ('[bazaar_scale]\n1 = "retired"', "lifecycle.toml: bazaar_scale v1: status must be"),
        ('[bazaar_scale]\n7 = "closed"', "lifecycle.toml: bazaar_scale v7 is not a loaded form"),
        ('[bazaar_scale]\nlatest = "open"', "lifecycle.toml: bazaar_scale.latest must be"),
    ],
)
def test_a_bad_lifecycle_is_a_problem(copy: Path, lifecycle: str, message: str) -> None:
    (copy / "lifecycle.toml").write_text(lifecycle, encoding="utf-8")
    assert any(message in p for p in check_forms(copy))


# ── other problems check_forms catches ─────────────────────────────────────────────────


def test_a_referenced_violation_code_must_exist(copy: Path) -> None:
    _edit(copy / "violations.toml", 'code = "SCALE_NOT_LEVEL"', 'code = "SCALE_UNLEVEL"')
    assert check_forms(copy) == ["form bazaar_scale v1: unknown violation code SCALE_NOT_LEVEL"]


def test_an_unknown_field_type_fails_at_load_time(copy: Path) -> None:
    path = copy / "prepackaged_goods" / "v2.toml"
    shutil.copy(copy / "prepackaged_goods" / "v1.toml", path)
    _edit(path, 'key = "lot_size"\ntype = "number"', 'key = "lot_size"\ntype = "integer"')
    problems = check_forms(copy)
    assert any(
        p.startswith("form prepackaged_goods v2: field lot_size: unknown type 'integer'")
        for p in problems
    )
    with pytest.raises(FormDefinitionError, match="field lot_size: unknown type"):
        load_registry(copy, require_pins=False)


def test_stray_files_are_problems(copy: Path) -> None:
    (copy / "bazaar_scale" / "v1.toml.bak").write_text("", encoding="utf-8")
    (copy / "notes.txt").write_text("", encoding="utf-8")
    assert check_forms(copy) == [
        "bazaar_scale/v1.toml.bak: not a version file (v<N>.toml)",
        "notes.txt: unexpected file in the forms directory",
    ]


# ── what the forms say ─────────────────────────────────────────────────────────────────


def _check_field_json(field_json: dict[str, Any], where: str) -> None:
    assert {"key", "type", "label", "required"} <= set(field_json), where
    assert field_json["type"] in FIELD_TYPES, where
    assert set(field_json["label"]) == {"zh", "en"}, where
    assert all(value is not None for value in field_json.values()), where
    if field_json["type"] in ("select", "multi_select"):
        for choice in field_json["choices"]:
            assert {"value", "label"} <= set(choice) and set(choice["label"]) == {"zh", "en"}
    if field_json["type"] == "repeat":
        for child in field_json["fields"]:
            _check_field_json(child, f"{where}.{child['key']}")


@pytest.mark.parametrize("key", FORM_KEYS)
def test_the_json_shape_has_the_required_keys(registry: FormRegistry, key: str) -> None:
    definition = registry.latest(key)
    assert definition is not None
    out: Any = definition.to_json()
    assert list(out) == ["key", "version", "title", "inspection_type", "status", "fields"]
    assert set(out["title"]) == {"zh", "en"} and out["status"] == "open"
    for field_json in out["fields"]:
        _check_field_json(field_json, field_json["key"])


@pytest.mark.parametrize("key", FORM_KEYS)
def test_every_form_has_a_required_merchant(registry: FormRegistry, key: str) -> None:
    definition = registry.latest(key)
    assert definition is not None
    merchant = field(definition, "merchant")
    assert merchant.type == "merchant" and merchant.required


def test_bazaar_scale_records_instrument_and_test_loads_in_grams(registry: FormRegistry) -> None:
    scale = registry.get("bazaar_scale", 1)
    assert scale is not None
    instrument = field(scale, "instrument")
    assert instrument.type == "instrument" and instrument.required
    assert field(scale, "test_points").type == "repeat"
    for group in ("test_points", "eccentricity", "repeatability"):
        for name in ("load", "indication"):
            spec = field(scale, f"{group}.{name}")
            assert (spec.type, spec.unit, spec.required) == ("number", "g", True)
    assert field(scale, "eccentricity.position").type == "select"
    assert not field(scale, "eccentricity").required
    assert not field(scale, "repeatability").required
    cheating = field(scale, "cheating_device_found")
    assert cheating.type == "boolean"
    assert [(v.code, v.when) for v in cheating.violations] == [("SCALE_CHEATING_DEVICE", True)]
    assert {"remote_control", "key_sequence"} <= field(scale, "cheating_methods").choice_values()


def test_optical_shop_checks_instruments_and_spectacles(registry: FormRegistry) -> None:
    optics = registry.get("optical_shop", 1)
    assert optics is not None
    assert field(optics, "instruments.instrument").type == "instrument"
    for name in ("reference_power", "indication"):
        assert field(optics, f"instruments.reference_checks.{name}").unit == "D"
    for name in ("sphere", "cylinder", "axis"):
        for side in ("prescribed", "measured"):
            assert field(optics, f"spectacles.{side}_{name}").type == "number"
    assert field(optics, "spectacles.measured_axis").integer


def test_prepackaged_goods_records_lot_and_sample(registry: FormRegistry) -> None:
    goods = registry.get("prepackaged_goods", 1)
    assert goods is not None
    assert field(goods, "nominal").type == "number"
    assert field(goods, "unit").choice_values() == {"g", "mL", "m", "m2", "count"}
    lot = field(goods, "lot_size")
    assert lot.type == "number" and lot.integer
    assert field(goods, "tare").type == "number" and not field(goods, "tare").required
    assert field(goods, "sample").type == "repeat"
    assert field(goods, "sample.net").type == "number"
    for name in ("product_name", "brand", "packer"):
        assert field(goods, name).type == "text"


# ── the catalogue ──────────────────────────────────────────────────────────────────────


def test_the_catalogue_has_the_codes_the_forms_and_engine_need(registry: FormRegistry) -> None:
    assert {
        "SCALE_CHEATING_DEVICE",
        "SCALE_OUT_OF_TOLERANCE",
        "SCALE_VERIFICATION_EXPIRED",
        "SCALE_NO_VERIFICATION_MARK",
        "SCALE_SEAL_BROKEN",
        "SCALE_NON_LEGAL_UNIT",
        "PREPACK_SHORT_AVERAGE",
        "PREPACK_T1_EXCEEDED",
        "PREPACK_T2_FOUND",
        "PREPACK_LABEL_DEFECT",
        "OPTICS_INSTRUMENT_OUT_OF_TOLERANCE",
        "OPTICS_VERIFICATION_EXPIRED",
        "SPECTACLES_OUT_OF_TOLERANCE",
    } <= set(registry.violations)
    for key in registry.form_keys():
        definition = registry.latest(key)
        assert definition is not None
        assert definition.violation_codes() <= set(registry.violations)


def test_fraud_and_tampering_are_s4_and_alert(registry: FormRegistry) -> None:
    for code in ("SCALE_CHEATING_DEVICE", "SCALE_TAMPERING", "INSPECTION_OBSTRUCTED"):
        assert registry.violations[code].severity == "S4"
    for violation in registry.violations.values():
        if violation.severity == "S4":
            assert "alert" in violation.triggers, violation.code
    assert "condemnation" in registry.violations["SCALE_CHEATING_DEVICE"].triggers


# ── the forms can be filled in ─────────────────────────────────────────────────────────


def test_a_realistic_scale_inspection_validates(registry: FormRegistry) -> None:
    scale = registry.get("bazaar_scale", 1)
    assert scale is not None
    answers = {
        "merchant": 101,
        "instrument": "NM-0150-000123",
        "inspection_obstructed": False,
        "nameplate_complete": True,
        "type_approval_mark": True,
        "antifraud_declaration": True,
        "division_matches_nameplate": True,
        "nameplate_photo": SHA_A,
        "verification_mark_present": True,
        "verification_valid_until": "2025-03-31",
        "verification_mark_no": "JD2024-0815",
        "seal": "intact",
        "display_unit": "kg",
        "price_labels_legal_units": False,
        "banned_instrument_in_use": False,
        "zero_ok": True,
        "test_points": [
            {"load": 100, "indication": 100},
            {"load": "2500", "indication": "2505"},
            {"load": 10000, "indication": 10010},
        ],
        "cheating_device_found": True,
        "cheating_methods": ["key_sequence"],
        "cheat_probe_load": 1000,
        "cheat_probe_indication": 1100,
        "tampering_found": False,
        "tare_manipulation_found": False,
        "price_computing_fraud_found": False,
        "eccentricity": [
            {"position": p, "load": 5000, "indication": 5000}
            for p in ("centre", "front_left", "front_right", "back_left", "back_right")
        ],
        "evidence_photos": [{"photo": SHA_B, "caption": "按 3 + 去皮 进入作弊模式"}],
        "actions_taken": ["seized", "case_opened"],
        "remarks": "1 kg 砝码显示 1.1 kg",
    }
    assert validate_answers(scale, answers) == []
    assert photo_refs(scale, answers) == [SHA_A, SHA_B]
    assert instrument_refs(scale, answers) == [("instrument", "NM-0150-000123")]
    assert {f.code for f in flagged_violations(scale, answers)} == {
        "PRICE_LABEL_NON_LEGAL_UNIT",
        "SCALE_CHEATING_DEVICE",
    }


@pytest.mark.parametrize("key", FORM_KEYS)
def test_an_obstructed_inspection_needs_only_who_and_what(registry: FormRegistry, key: str) -> None:
    definition = registry.get(key, 1)
    assert definition is not None
    answers: dict[str, object] = {
        "merchant": 5,
        "inspection_obstructed": True,
        "remarks": "拒绝出示计量器具",
    }
    if key == "bazaar_scale":
        answers["instrument"] = "NM-0150-000124"
    if key == "prepackaged_goods":
        answers["product_name"] = "大米 5 kg"
    assert validate_answers(definition, answers) == []
    assert [f.code for f in flagged_violations(definition, answers)] == ["INSPECTION_OBSTRUCTED"]
    # Without the obstruction the checks are required again.
    answers["inspection_obstructed"] = False
    assert {i.code for i in validate_answers(definition, answers)} == {"REQUIRED"}


def test_a_realistic_optical_shop_inspection_validates(registry: FormRegistry) -> None:
    optics = registry.get("optical_shop", 1)
    assert optics is not None
    answers = {
        "merchant": 202,
        "inspection_obstructed": False,
        "instruments": [
            {
                "instrument": "NM-0150-000300",
                "verification_mark_present": True,
                "verification_valid_until": "2025-09-30",
                "certificate_authorised": True,
                "expired_marks_mixed": False,
                "reference_checks": [
                    {"reference_power": -5, "indication": "-5.06"},
                    {"reference_power": 10, "indication": "10.12"},
                ],
            },
            {
                "instrument": "NM-0150-000301",
                "verification_mark_present": False,
                "expired_marks_mixed": True,
            },
        ],
        "spectacles": [
            {
                "eye": "right",
                "prescribed_sphere": "-2.50",
                "prescribed_cylinder": "-0.75",
                "prescribed_axis": 180,
                "measured_sphere": "-2.62",
                "measured_cylinder": "-0.75",
                "measured_axis": 177,
            },
            {"eye": "left", "prescribed_sphere": "-2.00", "measured_sphere": "-2.00"},
        ],
    }
    assert validate_answers(optics, answers) == []
    assert [path for path, _ in instrument_refs(optics, answers)] == [
        "instruments.0.instrument",
        "instruments.1.instrument",
    ]
    assert [(f.path, f.code) for f in flagged_violations(optics, answers)] == [
        ("instruments.1.verification_mark_present", "OPTICS_NO_VERIFICATION_MARK"),
        ("instruments.1.expired_marks_mixed", "OPTICS_MARK_INVALID"),
    ]
    bad = {
        **answers,
        "spectacles": [
            {"eye": "both", "prescribed_sphere": 2, "measured_sphere": 2, "measured_axis": 90.5}
        ],
    }
    assert [(i.path, i.code) for i in validate_answers(optics, bad)] == [
        ("spectacles.0.eye", "NOT_A_CHOICE"),
        ("spectacles.0.measured_axis", "NOT_AN_INTEGER"),
    ]


def test_a_realistic_prepackage_check_validates(registry: FormRegistry) -> None:
    goods = registry.get("prepackaged_goods", 1)
    assert goods is not None
    answers = {
        "merchant": 303,
        "product_name": "东北大米",
        "brand": "稻花香",
        "inspection_obstructed": False,
        "net_quantity_marked": True,
        "legal_unit_used": True,
        "character_height_ok": True,
        "nominal": 5000,
        "unit": "g",
        "lot_size": 120,
        "tare": "35.2",
        "sample": [{"net": 5000 - i} for i in range(50)],
    }
    assert validate_answers(goods, answers) == []
    unmarked = {**answers, "net_quantity_marked": False}
    assert {(i.path, i.code) for i in validate_answers(goods, unmarked)} == {
        (name, "NOT_RELEVANT")
        for name in (
            "legal_unit_used",
            "character_height_ok",
            "nominal",
            "unit",
            "lot_size",
            "sample",
        )
    }
    assert [(i.path, i.code) for i in validate_answers(goods, {**answers, "lot_size": 12.5})] == [
        ("lot_size", "NOT_AN_INTEGER")
    ]


def test_the_docs_list_every_violation_code(registry: FormRegistry) -> None:
    docs = (ROOT / "docs" / "field-forms.md").read_text(encoding="utf-8")
    missing = [code for code in registry.violations if f"| `{code}` |" not in docs]
    assert missing == []
