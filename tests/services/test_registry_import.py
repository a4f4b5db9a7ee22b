"""Registry import service: each bad input is reported by row and column and writes nothing;
a clean file is written all at once, through the change log, with one audit entry."""

from __future__ import annotations

import hashlib
import zipfile
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from inspect_app.config import PROJECT_ROOT
from inspect_app.errors import AppError
from inspect_app.extensions import db
from inspect_app.models import AuditEntry, ChangeLogEntry, Instrument, Market, Merchant, User
from inspect_app.models.user import Role
from inspect_app.services import registry_import
from inspect_app.services.registry_files import Limits
from inspect_app.services.registry_import import ImportAborted, ImportReport, ImportSettings
from tests.registry_import_files import HEADER, row, write_csv, write_xlsx


@pytest.fixture
def settings(app: Flask) -> ImportSettings:
    return ImportSettings.from_config(app.config)


@pytest.fixture
def market(make_market: Callable[..., Market]) -> Market:
    return make_market(code="XC-TEST")


def counts() -> dict[str, int]:
    db.session.commit()  # a fresh read
    return {
        model.__name__: db.session.scalar(select(func.count()).select_from(model)) or 0
        for model in (Merchant, Instrument, ChangeLogEntry, AuditEntry)
    }


def run(path: Path, settings: ImportSettings, actor: User | None = None) -> ImportReport:
    """Commit the file as the command line would, then commit the transaction."""
    report = registry_import.commit(path, path.name, actor, settings)
    db.session.commit()
    return report


def found(report: ImportReport) -> set[tuple[int | None, str | None, str]]:
    return {(i.row, i.column, i.code) for i in report.issues}


# ---------------------------------------------------------------- clean files


def test_a_clean_file_is_written_with_change_log_and_one_audit_entry(
    tmp_path: Path, market: Market, settings: ImportSettings
) -> None:
    path = write_csv(tmp_path, [row(market.code, 1), row(market.code, 2), row(market.code, 3)])
    before = counts()
    report = run(path, settings)
    assert report.clean and report.committed
    assert (report.rows, report.merchants_to_create, report.instruments_to_create) == (3, 3, 3)
    after = counts()
    assert after["Merchant"] - before["Merchant"] == 3
    assert after["Instrument"] - before["Instrument"] == 3
    assert after["ChangeLogEntry"] - before["ChangeLogEntry"] == 6  # reaches the tablets
    assert after["AuditEntry"] - before["AuditEntry"] == 1
    entry = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert entry is not None and entry.action == "registry.import"
    assert entry.detail["file_sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert entry.detail["instruments_created"] == 3
    instrument = db.session.scalar(select(Instrument).where(Instrument.code == "NM-TEST-900001"))
    assert instrument is not None
    assert instrument.max_capacity == Decimal("15000")
    assert instrument.verified_at == date(2026, 5, 1)
    assert instrument.merchant.market_id == market.id
    assert instrument.merchant.region_id == market.region_id


def test_checking_writes_nothing(tmp_path: Path, market: Market, settings: ImportSettings) -> None:
    path = write_csv(tmp_path, [row(market.code)])
    before = counts()
    report = registry_import.check(path, path.name, None, settings)
    assert report.clean and not report.committed
    assert counts() == before


def test_a_bom_and_lower_case_codes_are_accepted(
    tmp_path: Path, market: Market, settings: ImportSettings
) -> None:
    path = write_csv(tmp_path, [row(market.code.lower(), instrument_code="nm-test-1")], bom=True)
    report = run(path, settings)
    assert report.committed, report.issues
    assert db.session.scalar(select(Instrument).where(Instrument.code == "NM-TEST-1"))


def test_an_xlsx_workbook_with_typed_cells_is_written(
    tmp_path: Path, market: Market, settings: ImportSettings
) -> None:
    typed = row(market.code, max=15000, min=40, e=5, d=5.0, verified_at=date(2026, 5, 1))
    path = write_xlsx(tmp_path, [typed, row(market.code, 2, stall_no=7, serial_no=12345678)])
    report = run(path, settings)
    assert report.committed, report.issues
    merchant = db.session.scalar(select(Merchant).where(Merchant.stall_no == "7"))
    assert merchant is not None


def test_a_merchant_is_created_once_then_matched(
    tmp_path: Path, market: Market, settings: ImportSettings
) -> None:
    same = {"stall_no": "Z-01", "merchant_name": "测试蔬菜摊1"}
    first = write_csv(tmp_path, [row(market.code, 1), row(market.code, 2, **same)])
    report = run(first, settings)
    assert report.committed
    assert (report.merchants_to_create, report.instruments_to_create) == (1, 2)
    second = write_csv(tmp_path, [row(market.code, 3, **same)], name="more.csv")
    report = run(second, settings)
    assert report.committed and report.warnings == 0
    assert (report.merchants_to_create, report.merchants_matched) == (0, 1)
    stall = select(func.count()).select_from(Merchant).where(Merchant.stall_no == "Z-01")
    assert db.session.scalar(stall) == 1


def test_an_existing_instrument_is_updated_and_keeps_its_label(
    tmp_path: Path,
    market: Market,
    settings: ImportSettings,
    make_merchant: Callable[..., Merchant],
    make_instrument: Callable[..., Instrument],
) -> None:
    merchant = make_merchant(market_id=market.id, stall_no="A-07", name="老张蔬菜摊")
    instrument = make_instrument(merchant, code="NM-TEST-000777", make="旧厂")
    token = instrument.qr_token
    values = row(
        market.code,
        stall_no="A-07",
        merchant_name="老张蔬菜摊",
        instrument_code="NM-TEST-000777",
        valid_until="2028-01-31",
        make="",
    )
    path = write_csv(tmp_path, [values])
    before = counts()
    report = run(path, settings)
    assert (report.instruments_to_update, report.instruments_to_create) == (1, 0)
    db.session.refresh(instrument)
    assert instrument.valid_until == date(2028, 1, 31)
    assert instrument.make == "旧厂"  # an empty optional cell keeps what is registered
    assert instrument.qr_token == token
    assert counts()["ChangeLogEntry"] == before["ChangeLogEntry"] + 1
    again = registry_import.check(path, path.name, None, settings)
    assert (again.instruments_to_update, again.instruments_unchanged) == (0, 1)


def test_a_matched_merchant_keeps_its_name_with_a_warning(
    tmp_path: Path, market: Market, settings: ImportSettings, make_merchant: Callable[..., Merchant]
) -> None:
    merchant = make_merchant(market_id=market.id, stall_no="A-08", name="登记名")
    path = write_csv(tmp_path, [row(market.code, stall_no="A-08", merchant_name="文件名")])
    report = run(path, settings)
    assert report.committed and report.warnings == 1
    assert found(report) == {(2, "merchant_name", "MERCHANT_KEPT")}
    db.session.refresh(merchant)
    assert merchant.name == "登记名"


def test_the_demo_example_file_imports_cleanly(app: Flask, settings: ImportSettings) -> None:
    from inspect_app.services import demo

    demo.seed(with_history=False)
    db.session.commit()
    path = PROJECT_ROOT / "docs" / "registry-import-example.csv"
    report = run(path, settings)
    assert report.committed, [(i.row, i.column, i.message("en")) for i in report.issues]
    assert report.warnings == 0 and report.instruments_to_create == report.rows >= 5


# ---------------------------------------------------------------- bad input: nothing written

BAD_ROWS: dict[str, tuple[dict[str, Any], tuple[int, str, str]]] = {
    "unknown market": ({"market_code": "NOPE-1"}, (2, "market_code", "MARKET_UNKNOWN")),
    "e above max": ({"e": "20000"}, (2, "e", "E_ABOVE_MAX")),
    "min above max": ({"min": "16000"}, (2, "min", "MIN_ABOVE_MAX")),
    "class not covered": ({"accuracy_class": "II"}, (2, "accuracy_class", "CLASS_NOT_IN_PACK")),
    "not a date": ({"verified_at": "12/05/2026"}, (2, "verified_at", "DATE")),
    "impossible date": ({"valid_until": "2027-02-30"}, (2, "valid_until", "DATE")),
    "valid before verified": (
        {"valid_until": "2026-04-30"},
        (2, "valid_until", "VALID_BEFORE_VERIFIED"),
    ),
    "csv injection": ({"make": "=cmd|' /C calc'!A0"}, (2, "make", "INJECTION")),
    "injection with @": ({"model": "@SUM(1+1)"}, (2, "model", "INJECTION")),
    "injection after tab": ({"serial_no": "\t=1+1"}, (2, "serial_no", "INJECTION")),
    "negative mass": ({"max": "-5"}, (2, "max", "NOT_POSITIVE")),
    "not a number": ({"d": "5g"}, (2, "d", "NUMBER")),
    "too precise": ({"e": "0.00001"}, (2, "e", "TOO_PRECISE")),
    "unknown merchant kind": ({"merchant_kind": "shop"}, (2, "merchant_kind", "CHOICE")),
    "unknown instrument kind": ({"instrument_kind": "scale"}, (2, "instrument_kind", "CHOICE")),
    "missing code": ({"instrument_code": ""}, (2, "instrument_code", "REQUIRED")),
    "bad code": ({"instrument_code": "NM 01"}, (2, "instrument_code", "CODE_FORMAT")),
    "NUL in a name": ({"merchant_name": "摊\x00位"}, (2, "merchant_name", "CONTROL_CHAR")),
    "name too long": ({"merchant_name": "名" * 201}, (2, "merchant_name", "TOO_LONG")),
}


@pytest.mark.parametrize("case", sorted(BAD_ROWS))
def test_a_bad_row_is_named_and_nothing_is_written(
    case: str, tmp_path: Path, market: Market, settings: ImportSettings
) -> None:
    change, expected = BAD_ROWS[case]
    path = write_csv(tmp_path, [row(market.code) | change, row(market.code, 2)])
    before = counts()
    report = run(path, settings)
    assert not report.clean and not report.committed
    assert expected in found(report)
    issue = next(i for i in report.issues if (i.row, i.column, i.code) == expected)
    assert (
        issue.message("en") and issue.message("zh") and issue.message("en") != issue.message("zh")
    )
    assert counts() == before


def test_a_negative_number_in_a_mass_column_is_not_injection(
    tmp_path: Path, market: Market, settings: ImportSettings
) -> None:
    path = write_csv(tmp_path, [row(market.code, min="-1")])
    report = registry_import.check(path, path.name, None, settings)
    assert {i.code for i in report.issues} == {"NEGATIVE"}


def test_duplicate_codes_name_both_rows(
    tmp_path: Path, market: Market, settings: ImportSettings
) -> None:
    rows = [
        row(market.code, 1),
        row(market.code, 2),
        row(market.code, 3, instrument_code="NM-TEST-900001"),
    ]
    before = counts()
    report = run(write_csv(tmp_path, rows), settings)
    assert found(report) == {
        (2, "instrument_code", "DUPLICATE_CODE"),
        (4, "instrument_code", "DUPLICATE_CODE"),
    }
    assert "4" in report.issues[0].message("en")
    assert counts() == before


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (HEADER[:-1], {(1, "certificate_no", "HEADER_MISSING")}),
        (
            [*HEADER[:8], "serial_number", *HEADER[9:]],
            {(1, None, "HEADER_MISSPELLED"), (1, "serial_no", "HEADER_MISSING")},
        ),
        ([*HEADER, "notes"], {(1, None, "HEADER_UNKNOWN")}),
        ([*HEADER, "max"], {(1, "max", "HEADER_DUPLICATE")}),
    ],
)
def test_a_wrong_header_is_named(
    header: list[str],
    expected: set[tuple[int, str | None, str]],
    tmp_path: Path,
    market: Market,
    settings: ImportSettings,
) -> None:
    before = counts()
    report = run(write_csv(tmp_path, [row(market.code)], header=header), settings)
    assert expected <= found(report)
    assert not report.committed and counts() == before


def test_a_misspelled_column_gets_a_suggestion(
    tmp_path: Path, market: Market, settings: ImportSettings
) -> None:
    header = [*HEADER[:8], "serial_number", *HEADER[9:]]
    report = registry_import.check(
        write_csv(tmp_path, [row(market.code)], header=header), "x.csv", None, settings
    )
    [misspelled] = [i for i in report.issues if i.code == "HEADER_MISSPELLED"]
    assert "serial_no" in misspelled.message("en") and misspelled.cell == "I1"


def test_a_50_mb_file_is_refused_before_parsing(tmp_path: Path, settings: ImportSettings) -> None:
    path = tmp_path / "huge.csv"
    with path.open("wb") as handle:
        handle.truncate(50 * 1024 * 1024)  # NUL bytes: parsing it would fail differently
    before = counts()
    report = run(path, settings)
    assert [i.code for i in report.issues] == ["FILE_TOO_LARGE"]
    assert "50.0" in report.issues[0].message("en")
    assert counts() == before


def test_a_non_utf8_csv_names_the_row_and_byte(
    tmp_path: Path, market: Market, settings: ImportSettings
) -> None:
    text = "\r\n".join([",".join(HEADER), ",".join(str(v) for v in row(market.code).values())])
    path = tmp_path / "gbk.csv"
    path.write_bytes(text.encode("gbk") + b"\r\n")
    before = counts()
    report = run(path, settings)
    [issue] = report.issues
    assert (issue.code, issue.row) == ("CSV_NOT_UTF8", 2)
    header_bytes = len(",".join(HEADER)) + 2
    assert issue.params["line"] == 2
    assert int(str(issue.params["offset"])) == header_bytes + len(market.code) + 1
    assert counts() == before


def test_formulas_in_xlsx_cells_are_refused_by_cell(
    tmp_path: Path, market: Market, settings: ImportSettings
) -> None:
    from openpyxl.worksheet.formula import ArrayFormula

    def formulas(sheet: Any) -> None:
        sheet["K2"] = "=3*5000"
        sheet["B3"] = "=cmd|' /C calc'!A0"
        sheet["M3"] = ArrayFormula("M3:M3", "=SUM(K3:L3)")

    path = write_xlsx(tmp_path, [row(market.code), row(market.code, 2)], tweak=formulas)
    before = counts()
    report = run(path, settings)
    assert {(i.cell, i.code) for i in report.issues} == {
        ("K2", "FORMULA"),
        ("B3", "FORMULA"),
        ("M3", "FORMULA"),
    }
    assert counts() == before


def test_injection_typed_as_text_in_xlsx_is_refused(
    tmp_path: Path, market: Market, settings: ImportSettings
) -> None:
    def text(sheet: Any) -> None:
        sheet["G2"].value = "@cmd"
        sheet["G2"].data_type = "s"

    report = registry_import.check(
        write_xlsx(tmp_path, [row(market.code)], tweak=text), "x.xlsx", None, settings
    )
    assert found(report) == {(2, "make", "INJECTION")}


@pytest.mark.parametrize("content", [b"not a workbook", b"PK\x05\x06" + b"\0" * 18])
def test_an_xlsx_that_is_not_a_workbook_is_refused(
    content: bytes, tmp_path: Path, settings: ImportSettings
) -> None:
    path = tmp_path / "fake.xlsx"
    path.write_bytes(content)
    report = run(path, settings)
    assert [i.code for i in report.issues] == ["XLSX_INVALID"]


def test_a_zip_without_a_workbook_is_refused(tmp_path: Path, settings: ImportSettings) -> None:
    path = tmp_path / "empty.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("hello.txt", "hi")
    assert [i.code for i in run(path, settings).issues] == ["XLSX_INVALID"]


def test_a_zip_bomb_is_refused_before_unpacking(
    tmp_path: Path, market: Market, settings: ImportSettings
) -> None:
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/sharedStrings.xml", b"\0" * (2 * 1024 * 1024))
    small = ImportSettings(Limits(max_unpacked_bytes=1024 * 1024), settings.classes)
    assert [i.code for i in registry_import.check(path, "b.xlsx", None, small).issues] == [
        "XLSX_UNPACKED_TOO_LARGE"
    ]


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("registry.xls", b"\xd0\xcf\x11\xe0", "FILE_TYPE"),
        ("empty.csv", b"", "FILE_EMPTY"),
        ("header.csv", ",".join(HEADER).encode(), "NO_ROWS"),
        ("quote.csv", (",".join(HEADER) + '\r\n"XC,"x"y\r\n').encode(), "CSV_SYNTAX"),
    ],
)
def test_file_level_problems(
    name: str, content: bytes, code: str, tmp_path: Path, settings: ImportSettings
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    assert code in {i.code for i in run(path, settings).issues}


def test_too_many_rows(tmp_path: Path, market: Market, settings: ImportSettings) -> None:
    few = ImportSettings(Limits(max_rows=2), settings.classes)
    path = write_csv(tmp_path, [row(market.code, n) for n in range(1, 4)])
    assert [i.code for i in registry_import.check(path, "x.csv", None, few).issues] == [
        "TOO_MANY_ROWS"
    ]


def test_one_bad_row_after_many_chunks_writes_nothing(
    tmp_path: Path, market: Market, settings: ImportSettings
) -> None:
    rows = [row(market.code, n) for n in range(1, registry_import.CHUNK * 2 + 5)]
    rows[-1]["e"] = "99999"
    before = counts()
    report = run(write_csv(tmp_path, rows), settings)
    assert found(report) == {(len(rows) + 1, "e", "E_ABOVE_MAX")}
    assert counts() == before


# ---------------------------------------------------------------- registry rules and scope


def test_an_import_does_not_move_an_instrument_to_another_merchant(
    tmp_path: Path,
    market: Market,
    settings: ImportSettings,
    make_instrument: Callable[..., Instrument],
) -> None:
    elsewhere = make_instrument(code="NM-TEST-000888")
    path = write_csv(tmp_path, [row(market.code, instrument_code="NM-TEST-000888")])
    before = counts()
    report = run(path, settings)
    assert found(report) == {(2, "instrument_code", "INSTRUMENT_OTHER_MERCHANT")}
    assert elsewhere.merchant.name in report.issues[0].message("zh")
    assert counts() == before


def test_a_supervisor_uses_only_markets_of_their_district(
    tmp_path: Path,
    market: Market,
    settings: ImportSettings,
    make_region: Callable[..., Any],
    make_market: Callable[..., Market],
    make_merchant: Callable[..., Merchant],
    make_instrument: Callable[..., Instrument],
    make_user: Callable[..., User],
) -> None:
    far = make_region()
    far_market = make_market(region_id=far.id, code="SH-FAR")
    far_instrument = make_instrument(
        make_merchant(region_id=far.id, market_id=far_market.id), code="NM-TEST-000999"
    )
    supervisor = make_user(Role.SUPERVISOR)
    rows = [
        row(far_market.code, 1),
        row(market.code, 2, instrument_code=far_instrument.code),
        row(market.code, 3),
    ]
    before = counts()
    report = run(write_csv(tmp_path, rows), settings, supervisor)
    assert found(report) == {
        (2, "market_code", "MARKET_UNKNOWN"),
        (3, "instrument_code", "INSTRUMENT_CODE_TAKEN"),
    }
    assert counts() == before
    admin = make_user(Role.ADMIN)
    assert run(write_csv(tmp_path, [rows[0], rows[2]], name="ok.csv"), settings, admin).committed


def test_an_inspector_may_not_import(
    tmp_path: Path, market: Market, settings: ImportSettings, make_user: Callable[..., User]
) -> None:
    with pytest.raises(AppError) as refused:
        registry_import.check(
            write_csv(tmp_path, [row(market.code)]), "x.csv", make_user(Role.INSPECTOR), settings
        )
    assert refused.value.problem.code == "FORBIDDEN"


def test_a_file_changed_after_its_check_aborts_the_write(
    tmp_path: Path, market: Market, settings: ImportSettings
) -> None:
    path = write_csv(tmp_path, [row(market.code)])
    checked = registry_import.check(path, path.name, None, settings)
    path.write_bytes(path.read_bytes().replace(b"15000", b"16000"))
    before = counts()
    with pytest.raises(ImportAborted):
        registry_import.commit(path, path.name, None, settings, checked=checked)
    db.session.rollback()
    assert counts() == before


def test_one_stall_with_two_names_is_refused(
    tmp_path: Path, market: Market, settings: ImportSettings
) -> None:
    rows = [row(market.code, 1), row(market.code, 2, stall_no="Z-01", merchant_kind="grocery")]
    report = run(write_csv(tmp_path, rows), settings)
    assert found(report) == {
        (3, "merchant_name", "STALL_CONFLICT"),
        (3, "merchant_kind", "STALL_CONFLICT"),
    }
    assert "测试蔬菜摊1" in report.issues[0].message("en")


def test_two_merchants_at_one_stall_are_refused(
    tmp_path: Path, market: Market, settings: ImportSettings, make_merchant: Callable[..., Merchant]
) -> None:
    for name in ("甲", "乙"):
        make_merchant(market_id=market.id, stall_no="D-01", name=name)
    report = run(write_csv(tmp_path, [row(market.code, stall_no="D-01")]), settings)
    assert (2, "stall_no", "MERCHANT_AMBIGUOUS") in found(report)
    assert not report.committed


def test_a_value_under_a_blank_header_is_refused(
    tmp_path: Path, market: Market, settings: ImportSettings
) -> None:
    path = tmp_path / "blank.csv"
    values = ",".join(str(v) for v in row(market.code).values())
    path.write_text(",".join(HEADER) + ",\r\n" + values + ",note\r\n", encoding="utf-8")
    report = registry_import.check(path, path.name, None, settings)
    assert [(i.code, i.params["letter"]) for i in report.issues] == [("HEADER_BLANK", "R")]
