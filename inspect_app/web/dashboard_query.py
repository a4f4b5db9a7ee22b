"""What the dashboard pages share: reading the query string, the period, the district, the
page cursor, and the query strings of the links between pages.

A cursor is the last row's sort key (:mod:`inspect_app.services.keyset`) with the list's name,
sort and direction, signed with the app's secret (``itsdangerous``, salt
``dashboard-cursor``): opaque to the browser, and a changed one is refused with
``CURSOR_INVALID`` (400), as is a cursor of another list or order. It names a position, not
rows, so it reveals nothing a user could not see on the page before.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from flask import current_app, request
from itsdangerous import BadData, URLSafeSerializer
from marshmallow import Schema

from inspect_app import registry
from inspect_app.errors import AppError
from inspect_app.models import User
from inspect_app.models.types import utcnow
from inspect_app.schemas.dashboard_pages import checked_period
from inspect_app.services import dashboard_registry, keyset, scoping
from inspect_app.services.dashboard import Period
from inspect_app.services.keyset import SortKey
from inspect_app.services.rollups import local_day

_SALT = "dashboard-cursor"


def load(schema: Schema) -> dict[str, Any]:
    """The query string through ``schema`` (422 on unknown fields and bad values)."""
    loaded: dict[str, Any] = schema.load(request.args.to_dict())
    return loaded


def today() -> Any:
    """Today in the district's calendar."""
    return local_day(utcnow())


def period(query: Mapping[str, Any]) -> Period:
    start, end = checked_period(query.get("start"), query.get("end"), today())
    return Period(start, end)


def region(user: User, region_id: int | None) -> int | None:
    """A district the user may see (a supervisor their own, admins any), else 404."""
    if region_id is not None and not scoping.sees_region(user, region_id):
        raise AppError("NOT_FOUND")
    return region_id


def market(user: User, market_id: int | None) -> int | None:
    if market_id is not None:
        scoping.market_or_404(user, market_id)
    return market_id


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def encode_cursor(name: str, sort: str, descending: bool, key: tuple[Any, ...]) -> str:
    return str(_serializer().dumps([name, sort, descending, keyset.to_json(key)]))


def decode_cursor(
    token: str | None, name: str, sort: str, descending: bool, key: SortKey
) -> tuple[Any, ...] | None:
    """The key a cursor carries, checked against the list and order it is used with."""
    if token is None:
        return None
    try:
        payload = _serializer().loads(token)
    except BadData as exc:
        raise AppError("CURSOR_INVALID") from exc
    if (
        not isinstance(payload, list)
        or len(payload) != 4
        or payload[:3] != [name, sort, descending]
    ):
        raise AppError("CURSOR_INVALID")
    return keyset.from_json(key, payload[3])


def query_string(values: Mapping[str, Any], **changes: Any) -> dict[str, Any]:
    """URL parameters for a link: ``values`` with ``changes``, empty ones left out."""
    merged = {**values, **changes}
    return {k: v for k, v in merged.items() if v not in (None, "")}


def period_args(p: Period, region_id: int | None) -> dict[str, Any]:
    """``from``, ``to`` and ``region`` of a link to another dashboard page."""
    return query_string({"from": p.start.isoformat(), "to": p.end.isoformat(), "region": region_id})


def choices(user: User, region_id: int | None, lang: str) -> dict[str, Any]:
    """What the filter form offers: districts, markets, forms, violation codes."""
    regions, markets = dashboard_registry.places(user, region_id)
    forms = registry.forms()
    form_titles = []
    for key in forms.form_keys():
        versions = forms.versions(key)
        definition = forms.latest(key) or forms.get(key, versions[-1])
        assert definition is not None
        form_titles.append((key, definition.title.en if lang == "en" else definition.title.zh))
    codes = [
        (code, v.title.en if lang == "en" else v.title.zh, v.severity)
        for code, v in sorted(forms.violations.items())
    ]

    def named(thing: Any) -> str:
        return str(thing.name_en if lang == "en" else thing.name_zh)

    return {
        "regions": regions,
        "region_options": [(r.id, named(r)) for r in regions],
        "market_options": [(m.id, f"{named(m)} ({m.code})") for m in markets],
        "forms": form_titles,
        "codes": [(code, f"{code} · {title} ({severity})") for code, title, severity in codes],
    }


def tile_origin(template: str | None) -> str | None:
    """The origin a tile URL template loads from, as a CSP source (``{s}`` → ``*``)."""
    if not template:
        return None
    parts = urlsplit(template)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    labels = ["*" if "{" in label else label for label in parts.netloc.split(".")]
    return f"{parts.scheme}://{'.'.join(labels)}"
