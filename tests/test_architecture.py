"""The layering of docs/architecture.md, checked on the source rather than trusted."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "inspect_app"
FORBIDDEN_IN_DOMAIN = ("flask", "flask_sqlalchemy", "sqlalchemy", "marshmallow", "inspect_app.")
ALLOWED_IN_DOMAIN = ("inspect_app.domain",)


def _imports(path: Path) -> list[str]:
    names: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
    return names


def test_domain_is_pure() -> None:
    offenders = []
    for path in (PACKAGE / "domain").rglob("*.py"):
        for name in _imports(path):
            if name.startswith(ALLOWED_IN_DOMAIN):
                continue
            if name == "flask" or name.startswith(FORBIDDEN_IN_DOMAIN):
                offenders.append(f"{path.relative_to(PACKAGE)} imports {name}")
    assert offenders == []


def test_the_purity_check_would_catch_an_offender(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("from sqlalchemy import select\nimport flask\n")
    assert _imports(bad) == ["sqlalchemy", "flask"]


def test_services_do_not_touch_the_request_or_schemas() -> None:
    offenders = []
    for path in (PACKAGE / "services").rglob("*.py"):
        source = path.read_text()
        for name in _imports(path):
            if name.startswith(("inspect_app.schemas", "inspect_app.api", "inspect_app.web")):
                offenders.append(f"{path.name} imports {name}")
        if "flask.request" in source or "from flask import request" in source:
            offenders.append(f"{path.name} reads flask.request")
        if ".commit()" in source:
            offenders.append(f"{path.name} commits (services flush; the edge commits)")
    assert offenders == []


def test_modules_stay_small() -> None:
    """Modules stay small enough to read whole: aim under 300 lines; nothing over 400."""
    big = [
        f"{p.relative_to(PACKAGE)}: {n}"
        for p in PACKAGE.rglob("*.py")
        if (n := len(p.read_text().splitlines())) > 400
    ]
    assert big == []
