"""URL converters shared by every blueprint."""

from __future__ import annotations

from typing import Any

from flask import Flask
from werkzeug.routing import IntegerConverter, Map

#: Ids are 64-bit in both databases; a larger number in a URL cannot name anything.
MAX_ID = 2**63 - 1


class BoundedIntConverter(IntegerConverter):
    """``<int:…>`` that does not match numbers beyond 64 bits (404, not a driver overflow)."""

    def __init__(self, url_map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", MAX_ID)
        super().__init__(url_map, *args, **kwargs)


def init_app(app: Flask) -> None:
    """Must run before any blueprint registers its rules."""
    app.url_map.converters["int"] = BoundedIntConverter
