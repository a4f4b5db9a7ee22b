"""``flask registry import FILE [--commit]``: the registry import from the command line.

Without ``--commit`` the file is only checked. Exit status 0 when the whole file is clean, 1
otherwise, with a report naming row and column of every problem; nothing is written unless
``--commit`` is given and the whole file is clean (then in one transaction). The command
acts with an administrator's scope (every market) and audits as the system. The report is in
the terminal's language: ``LC_ALL``, ``LC_MESSAGES`` or ``LANG`` (the first one set) starting
with ``zh`` gives Chinese, anything else English. A file over 1 MiB shows a progress bar on
standard error.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import click
from flask import current_app

from inspect_app.extensions import db
from inspect_app.services import registry_import
from inspect_app.services.registry_import import ImportAborted, ImportReport, ImportSettings

#: Files at least this large get a progress bar.
PROGRESS_FROM_BYTES = 1024 * 1024

TEXT = {
    "summary": (
        "{file}: {rows} rows",
        "{file}：{rows} 行",
    ),
    "merchants": (
        "  merchants: {create} to create, {matched} matched",
        "  经营者：新建 {create}，匹配已有 {matched}",
    ),
    "instruments": (
        "  instruments: {create} to create, {update} to update, {same} unchanged",
        "  器具：新建 {create}，更新 {update}，无变化 {same}",
    ),
    "counts": ("{errors} errors, {warnings} warnings.", "错误 {errors} 条，警告 {warnings} 条。"),
    "left_out": (
        "(and {n} more not listed: fix these first)",
        "（另有 {n} 条未列出，请先修正以上问题）",
    ),
    "warning": ("warning", "警告"),
    "clean": (
        "The file is clean. Nothing was written: run again with --commit to import it.",
        "文件无误。尚未写入：加上 --commit 重新运行即可导入。",
    ),
    "refused": (
        "Nothing was written: correct the file and run again.",
        "未写入任何内容：请修正文件后重新运行。",
    ),
    "committed": (
        "Imported: the registry now holds this file.",
        "已导入：登记信息已按本文件更新。",
    ),
    "checking": ("checking", "检查中"),
    "writing": ("writing", "写入中"),
}


def terminal_language() -> str:
    """``zh`` when the first of LC_ALL, LC_MESSAGES, LANG that is set starts with zh."""
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(name)
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    return "en"


def _t(lang: str, key: str, **params: object) -> str:
    en, zh = TEXT[key]
    return (zh if lang == "zh" else en).format(**params)


class _Bar:
    """A click progress bar on standard error, opened at the first report of progress."""

    def __init__(self, label: str, enabled: bool) -> None:
        self.label = label
        self.enabled = enabled
        self.bar: Any = None
        self.done = 0

    def __call__(self, done: int, total: int | None) -> None:
        if not self.enabled:
            return
        if self.bar is None:
            self.bar = click.progressbar(
                length=max(total or 0, 1), label=self.label, file=sys.stderr
            )
            self.bar.__enter__()
        if total and total > self.bar.length:
            self.bar.length = total
        self.bar.update(max(done - self.done, 0))
        self.done = done

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None


def _with_bar(label: str, enabled: bool, run: Callable[[_Bar], ImportReport]) -> ImportReport:
    bar = _Bar(label, enabled)
    try:
        return run(bar)
    finally:
        bar.close()


def print_report(report: ImportReport, lang: str) -> None:
    click.echo(_t(lang, "summary", file=report.filename, rows=report.rows))
    click.echo(
        _t(
            lang,
            "merchants",
            create=report.merchants_to_create,
            matched=report.merchants_matched,
        )
    )
    click.echo(
        _t(
            lang,
            "instruments",
            create=report.instruments_to_create,
            update=report.instruments_to_update,
            same=report.instruments_unchanged,
        )
    )
    colon = "：" if lang == "zh" else ": "
    for issue in report.issues:
        prefix = _t(lang, "warning") + colon if issue.level == "warning" else ""
        click.echo(f"  {issue.where(lang)}{colon}{prefix}{issue.message(lang)}")
    if report.issues_left_out:
        click.echo("  " + _t(lang, "left_out", n=report.issues_left_out))
    click.echo(_t(lang, "counts", errors=report.errors, warnings=report.warnings))


@click.group("registry")
def registry_group() -> None:
    """The registry of markets, merchants and instruments."""


@registry_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--commit", "write", is_flag=True, help="Write the file when it is clean.")
@click.option(
    "--max-rows",
    type=click.IntRange(min=1),
    help="Allow more data rows than REGISTRY_IMPORT_MAX_ROWS (a one-off large import).",
)
def import_command(file: Path, write: bool, max_rows: int | None) -> None:
    """Check a CSV (UTF-8) or XLSX file of instruments; with --commit, import it.

    Exits 0 when the whole file is clean, 1 otherwise (nothing is written then).
    """
    lang = terminal_language()
    settings = ImportSettings.from_config(current_app.config)
    if max_rows is not None:
        settings = replace(settings, limits=replace(settings.limits, max_rows=max_rows))
    large = file.stat().st_size >= PROGRESS_FROM_BYTES
    report = _with_bar(
        _t(lang, "checking"),
        large,
        lambda bar: registry_import.check(file, file.name, None, settings, bar),
    )
    print_report(report, lang)
    if not report.clean:
        db.session.rollback()
        click.echo(_t(lang, "refused"))
        raise SystemExit(1)
    if not write:
        db.session.rollback()
        click.echo(_t(lang, "clean"))
        return
    try:
        _with_bar(
            _t(lang, "writing"),
            large,
            lambda bar: registry_import.commit(file, file.name, None, settings, bar, report),
        )
    except ImportAborted as exc:
        db.session.rollback()
        colon = "：" if lang == "zh" else ": "
        click.echo(f"{exc.issue.where(lang)}{colon}{exc.issue.message(lang)}", err=True)
        raise SystemExit(1) from exc
    db.session.commit()
    click.echo(_t(lang, "committed"))
