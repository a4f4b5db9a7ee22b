"""create_app: configuration order and start-up validation."""

from __future__ import annotations

from pathlib import Path

import pytest

from inspect_app import create_app
from inspect_app.config import ConfigError


def test_missing_secret_key_fails_fast_with_advice(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="SECRET_KEY.*INSPECT_SECRET_KEY"):
        create_app({"SECRET_KEY": None, "SQLALCHEMY_DATABASE_URI": "sqlite://"})


def test_short_secret_key_is_refused() -> None:
    with pytest.raises(ConfigError, match="too short"):
        create_app(
            {"SECRET_KEY": "abc", "AUDIT_KEY": "a" * 32, "SQLALCHEMY_DATABASE_URI": "sqlite://"}
        )


def test_missing_forms_directory_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="FIELD_FORMS_DIR"):
        create_app(
            {
                "SECRET_KEY": "x" * 32,
                "AUDIT_KEY": "a" * 32,
                "SQLALCHEMY_DATABASE_URI": "sqlite://",
                "FIELD_FORMS_DIR": str(tmp_path / "nope"),
            }
        )


def test_environment_configures_the_app(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("INSPECT_SECRET_KEY", "env-secret-0123456789")
    monkeypatch.setenv("INSPECT_AUDIT_KEY", "env-audit-key-0123456789")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/env.sqlite3")
    monkeypatch.setenv("INSPECT_RULE_PACK", '"oiml"')
    app = create_app()
    assert app.config["SECRET_KEY"] == "env-secret-0123456789"
    assert app.config["SQLALCHEMY_DATABASE_URI"].endswith("env.sqlite3")
    assert app.config["RULE_PACK"] == "oiml"


def test_default_database_is_sqlite_under_instance(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("INSPECT_SECRET_KEY", "env-secret-0123456789")
    monkeypatch.setenv("INSPECT_AUDIT_KEY", "env-audit-key-0123456789")
    app = create_app()
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    assert uri.startswith("sqlite:///") and uri.endswith("instance/inspect.sqlite3")


def test_test_config_ignores_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INSPECT_RULE_PACK", '"oiml"')
    app = create_app(
        {"SECRET_KEY": "x" * 32, "AUDIT_KEY": "a" * 32, "SQLALCHEMY_DATABASE_URI": "sqlite://"}
    )
    assert app.config["RULE_PACK"] == "cn"


def test_audit_key_is_required_long_and_separate(monkeypatch: pytest.MonkeyPatch) -> None:
    base = {"SECRET_KEY": "x" * 32, "SQLALCHEMY_DATABASE_URI": "sqlite://"}
    with pytest.raises(ConfigError, match="AUDIT_KEY.*INSPECT_AUDIT_KEY"):
        create_app(base)
    with pytest.raises(ConfigError, match="AUDIT_KEY is too short"):
        create_app(base | {"AUDIT_KEY": "short"})
    with pytest.raises(ConfigError, match="AUDIT_KEY must differ from SECRET_KEY"):
        create_app(base | {"AUDIT_KEY": "x" * 32})
