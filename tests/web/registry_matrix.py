"""Bodies and judges for the registry-form and user-administration rows of the authorisation
matrix (tests/web/test_authorisation_matrix.py): each body is a valid form for the object of
the relation, so an allowed caller succeeds and only scope or role can refuse it."""

from __future__ import annotations

from itertools import count
from typing import Any

from werkzeug.test import TestResponse

from inspect_app.extensions import db
from inspect_app.models import Instrument, Market, Merchant, User

_serial = count(1)


def _text(value: object) -> str:
    return "" if value is None else str(getattr(value, "value", value))


def new_market(w: Any, rel: str) -> dict[str, Any]:
    return {
        "code": f"MX-{next(_serial)}",
        "region_id": str(w.markets[rel].region_id),
        "name_zh": "新市场",
        "name_en": "New market",
        "lat": "40.85",
        "lon": "111.68",
        "geofence_radius_m": "150",
    }


def market(w: Any, rel: str) -> dict[str, Any]:
    m: Market = w.markets[rel]
    return {
        "name_zh": m.name_zh,
        "name_en": m.name_en,
        "lat": str(m.lat),
        "lon": str(m.lon),
        "geofence_radius_m": str(m.geofence_radius_m),
    }


def new_merchant(_w: Any, _rel: str) -> dict[str, Any]:
    return {"name": "新商户", "kind": "stall", "stall_no": f"Z-{next(_serial)}"}


def merchant(w: Any, rel: str) -> dict[str, Any]:
    m: Merchant = w.merchants[rel]
    names = ("name", "kind", "stall_no", "uscc", "contact_name", "contact_phone", "market_id")
    return {name: _text(getattr(m, name)) for name in names}


def new_instrument(_w: Any, _rel: str) -> dict[str, Any]:
    return {
        "code": f"NM-MX-{next(_serial):06d}",
        "kind": "price_computing_scale",
        "accuracy_class": "III",
        "max_capacity": "15000",
        "e_value": "5",
    }


def instrument(w: Any, rel: str) -> dict[str, Any]:
    i: Instrument = w.instruments[rel]
    names = ("kind", "accuracy_class", "max_capacity", "min_capacity", "e_value", "d_value")
    body = {name: _text(getattr(i, name)) for name in names}
    body |= {"verified_at": _text(i.verified_at), "valid_until": _text(i.valid_until)}
    return body


def new_user(w: Any, _rel: str) -> dict[str, Any]:
    return {
        "username": f"new-user-{next(_serial)}",
        "display_name": "New user",
        "role": "inspector",
        "region_id": str(w.markets["own"].region_id),
        "password": "a-temporary-password-7",
    }


def person(w: Any, rel: str) -> dict[str, Any]:
    p: User = w.people[rel]
    return {
        "display_name": p.display_name,
        "role": p.role.value,
        "region_id": _text(p.region_id),
        "merchant_id": _text(p.merchant_id),
    }


def same_password(w: Any, rel: str) -> dict[str, Any]:
    """A reset to the person's own password, so later roles of the run still sign in."""
    password = w.people[rel].test_password
    return {"password": password, "password_confirm": password}


def judge_deactivate(w: Any, _role: Any, rel: str, response: TestResponse) -> str | None:
    """Deactivated (then put back, so the roles after this one still sign in)."""
    person: User = w.people[rel]
    db.session.refresh(person)
    if response.status_code != 302 or person.is_active:
        return f"deactivation answered {response.status_code}; active: {person.is_active}"
    person.is_active = True
    db.session.commit()
    return None
