"""Market metrology field inspection: the Flask application factory.

The factory only wires things together. It never migrates, seeds or touches the network:
``flask db upgrade`` and ``flask seed-demo`` do that, on purpose, from the command line.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask

from inspect_app.config import PROJECT_ROOT, load_config


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app. ``config`` (tests) replaces the instance file and environment."""
    app = Flask(
        __name__,
        static_folder=str(PROJECT_ROOT / "static"),
        static_url_path="/static",
        instance_relative_config=True,
    )
    load_config(app, config)
    _check_rule_data()

    from inspect_app import cli, database, i18n, routing, worker
    from inspect_app.api import register_api
    from inspect_app.error_handlers import register_error_handlers
    from inspect_app.web import register_web

    routing.init_app(app)
    database.init_app(app)
    worker.init_app(app)
    i18n.init_app(app)
    register_api(app)
    register_web(app)
    register_error_handlers(app)
    cli.init_app(app)
    return app


def _check_rule_data() -> None:
    """Refuse to start with a broken credit rule file: a bad grade must never be published.

    Raises the rule loader's error, which names the file and the key.
    """
    from inspect_app.domain import credit

    credit.check_rules()
