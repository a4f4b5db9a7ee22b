"""Where errors, commits and cross-blueprint imports may live, checked on the source."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "inspect_app"


def _imports(path: Path) -> list[str]:
    names: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
    return names


def _offenders(paths: list[Path], forbidden: tuple[str, ...]) -> list[str]:
    return [
        f"{path.relative_to(PACKAGE)} imports {name}"
        for path in paths
        for name in _imports(path)
        if name in forbidden or name.startswith(tuple(f + "." for f in forbidden))
    ]


def test_services_and_the_catalogue_import_no_flask() -> None:
    """Services run from the CLI and background jobs: no request, no Flask, no edge module."""
    paths = [*(PACKAGE / "services").rglob("*.py"), PACKAGE / "errors.py"]
    edge = ("flask", "flask_babel", "flask_wtf", "inspect_app.error_handlers", "inspect_app.auth")
    assert _offenders(paths, edge) == []


def test_api_and_web_do_not_import_each_other() -> None:
    api = list((PACKAGE / "api").rglob("*.py"))
    web = list((PACKAGE / "web").rglob("*.py"))
    assert _offenders(api, ("inspect_app.web",)) == []
    assert _offenders(web, ("inspect_app.api",)) == []


def test_views_never_commit() -> None:
    """One commit per request, in ``database.commit_on_success``; the CLI commits for itself."""
    views = [*(PACKAGE / "api").rglob("*.py"), *(PACKAGE / "web").rglob("*.py")]
    committing = [str(p.relative_to(PACKAGE)) for p in views if ".commit()" in p.read_text()]
    assert committing == []


def test_the_import_check_would_catch_an_offender(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("from flask import request\nimport flask_babel\n")
    assert _imports(bad) == ["flask", "flask_babel"]
