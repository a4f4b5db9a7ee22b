"""``flask registry import FILE [--commit]``: exit status, report language, all or nothing."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from inspect_app.extensions import db
from inspect_app.models import AuditEntry, Instrument, Market, Merchant
from tests.registry_import_files import row, write_csv

ENGLISH = {"LC_ALL": None, "LC_MESSAGES": None, "LANG": "en_US.UTF-8"}
CHINESE = {"LC_ALL": None, "LC_MESSAGES": None, "LANG": "zh_CN.UTF-8"}


@pytest.fixture
def market(make_market: Callable[..., Market]) -> Market:
    return make_market(code="XC-CLI")


def stored() -> tuple[int, int, int]:
    db.session.rollback()  # see what the command committed
    return tuple(  # type: ignore[return-value]
        db.session.scalar(select(func.count()).select_from(m)) or 0
        for m in (Merchant, Instrument, AuditEntry)
    )


def invoke(runner: Any, path: Path, *args: str, env: dict[str, Any] = ENGLISH) -> Any:
    return runner.invoke(args=["registry", "import", str(path), *args], env=env)


def test_a_clean_file_is_only_checked_without_commit(
    runner: Any, tmp_path: Path, market: Market
) -> None:
    path = write_csv(tmp_path, [row(market.code, 1), row(market.code, 2)])
    before = stored()
    result = invoke(runner, path)
    assert result.exit_code == 0, result.output
    assert "2 rows" in result.output and "--commit" in result.output
    assert stored() == before


def test_commit_writes_a_clean_file(runner: Any, tmp_path: Path, market: Market) -> None:
    path = write_csv(tmp_path, [row(market.code, 1), row(market.code, 2)])
    merchants, instruments, audits = stored()
    result = invoke(runner, path, "--commit")
    assert result.exit_code == 0, result.output
    assert stored() == (merchants + 2, instruments + 2, audits + 1)
    again = invoke(runner, path)
    assert again.exit_code == 0 and "2 unchanged" in again.output


def test_a_bad_file_exits_1_naming_row_and_column_and_writes_nothing(
    runner: Any, tmp_path: Path, market: Market
) -> None:
    path = write_csv(tmp_path, [row(market.code, 1), row(market.code, 2, e="20000")])
    before = stored()
    for args in ((), ("--commit",)):
        result = invoke(runner, path, *args)
        assert result.exit_code == 1
        assert "row 3, e (M3): e must not be above Max." in result.output
        assert "Nothing was written" in result.output
    assert stored() == before


def test_the_report_follows_the_terminal_language(
    runner: Any, tmp_path: Path, market: Market
) -> None:
    path = write_csv(tmp_path, [row("NOPE")])
    result = invoke(runner, path, env=CHINESE)
    assert result.exit_code == 1
    assert "第 2 行，market_code（A2）：未知的市场编码 NOPE" in result.output
    assert "未写入任何内容" in result.output


def test_a_large_file_shows_a_progress_bar(runner: Any, tmp_path: Path, market: Market) -> None:
    rows = [row(market.code, n, merchant_name="蔬菜摊" * 20) for n in range(1, 4000)]
    path = write_csv(tmp_path, rows)
    assert path.stat().st_size > 1024 * 1024
    result = invoke(runner, path)
    assert result.exit_code == 0, result.output[-500:]
    assert "checking" in result.output


def test_the_row_limit_and_its_one_off_override(
    app: Any, runner: Any, tmp_path: Path, market: Market
) -> None:
    app.config["REGISTRY_IMPORT_MAX_ROWS"] = 2
    path = write_csv(tmp_path, [row(market.code, n) for n in (1, 2, 3)])
    refused = invoke(runner, path)
    assert refused.exit_code == 1 and "More than 2 data rows" in refused.output
    assert invoke(runner, path, "--max-rows", "3").exit_code == 0
