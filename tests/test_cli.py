"""The command-line tools an operator runs."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from flask import Flask

from inspect_app.config import PROJECT_ROOT


def test_forms_check_passes_on_the_shipped_forms(runner: Any) -> None:
    result = runner.invoke(args=["forms", "check"])
    assert (result.exit_code, result.output.strip()) == (0, "field forms OK")


def test_forms_check_names_a_changed_published_version(
    app: Flask, runner: Any, tmp_path: Path
) -> None:
    copy = tmp_path / "forms"
    shutil.copytree(PROJECT_ROOT / "field_forms", copy)
    path = copy / "bazaar_scale" / "v1.toml"
    path.write_text(path.read_text(encoding="utf-8").replace("铅封", "封签", 1), encoding="utf-8")
    app.config["FIELD_FORMS_DIR"] = str(copy)
    result = runner.invoke(args=["forms", "check"])
    assert result.exit_code == 1
    assert "bazaar_scale" in result.output


def test_rulepacks_export_writes_json(runner: Any, tmp_path: Path) -> None:
    target = tmp_path / "cn.json"
    result = runner.invoke(args=["rulepacks", "export", "cn", "-o", str(target)])
    assert result.exit_code == 0
    assert json.loads(target.read_text(encoding="utf-8"))["id"] == "cn"
    assert runner.invoke(args=["rulepacks", "export", "mars"]).exit_code == 1
