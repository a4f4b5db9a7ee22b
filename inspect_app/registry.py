"""The app's form registry and rule pack, loaded once per process on first use.

Loaded lazily (not in ``create_app``) so that commands that never touch forms start fast and
a broken form file is reported by ``flask forms check`` with every problem listed.
"""

from __future__ import annotations

from pathlib import Path

from flask import current_app

from inspect_app.domain import rulepacks
from inspect_app.domain.rulepacks import RulePack
from inspect_app.formdefs import FormRegistry, load_registry


def forms() -> FormRegistry:
    registry: FormRegistry | None = current_app.extensions.get("inspect_forms")
    if registry is None:
        registry = load_registry(Path(current_app.config["FIELD_FORMS_DIR"]))
        current_app.extensions["inspect_forms"] = registry
    return registry


def rule_pack() -> RulePack:
    return rulepacks.load(str(current_app.config["RULE_PACK"]))
