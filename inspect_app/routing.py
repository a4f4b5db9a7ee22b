"""URL converters shared by every blueprint."""

from __future__ import annotations

from typing import Any

from flask import Flask
from werkzeug.routing import IntegerConverter, Map

from inspect_app.models.types import MAX_ID


class BoundedIntConverter(IntegerConverter):
    """``<int:…>`` that does not match numbers no row can have (404, not a database error)."""

    def __init__(self, url_map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", MAX_ID)
        super().__init__(url_map, *args, **kwargs)


def init_app(app: Flask) -> None:
    """Must run before any blueprint registers its rules."""
    app.url_map.converters["int"] = BoundedIntConverter
