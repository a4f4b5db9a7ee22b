"""The registry's web forms: markets, merchants, instruments, and the admin's user forms.

These parse what a form sends (text) into typed values: required fields, lengths, numbers,
dates, choices. Rules across fields and the code formats live in
:mod:`inspect_app.domain.registry_rules`, which the services apply (the CSV importer applies
the same ones). An empty input is ``None``.

Each error message is a key (``"too_long:200"``); :func:`field_errors` turns a
:class:`~marshmallow.ValidationError` into ``{field: [{"code", "en", "zh"}]}``, the shape the
services' ``VALIDATION_FAILED`` errors have, so a form shows both kinds the same way.
"""

from __future__ import annotations

from typing import Any

from marshmallow import ValidationError, fields, post_load, pre_load, validate

from inspect_app.domain.registry_rules import INSTRUMENT_KINDS, MERCHANT_KINDS
from inspect_app.schemas.common import StrictSchema, has_control_chars

#: Message keys → (English, Chinese); ``{0}``, ``{1}`` take the key's ``:``-separated values.
MESSAGES: dict[str, tuple[str, str]] = {
    "required": ("Required.", "必填。"),
    "text": ("Enter text.", "请输入文字。"),
    "number": ("Enter a number, such as 15000 or 0.5.", "请输入数值，如 15000 或 0.5。"),
    "integer": ("Enter a whole number.", "请输入整数。"),
    "date": ("Enter a date as YYYY-MM-DD.", "请按 YYYY-MM-DD 格式输入日期。"),
    "choice": ("Choose one of the options.", "请从选项中选择。"),
    "too_long": ("At most {0} characters.", "最多 {0} 个字符。"),
    "range": ("Between {0} and {1}.", "须在 {0} 至 {1} 之间。"),
    "control": ("Control characters are not allowed.", "不得包含控制字符。"),
    "phone": ("Digits, spaces and + - ( ) only.", "只能包含数字、空格及 + - ( )。"),
    "unknown": ("This field is not part of the form.", "该字段不属于此表单。"),
}

_Messages = dict[str, str | list[Any] | dict[Any, Any]]
_TEXT_ERRORS: _Messages = {"required": "required", "null": "required", "invalid": "text"}
_NUMBER_ERRORS: _Messages = {**_TEXT_ERRORS, "invalid": "number", "special": "number"}


def _optional(required: bool) -> dict[str, Any]:
    """An optional field may be left out or empty (``None``); a required one neither."""
    return {"required": True} if required else {"allow_none": True, "load_default": None}


def _no_controls(value: str) -> None:
    if has_control_chars(value):
        raise ValidationError("control")


def _text(max_length: int, required: bool = False) -> fields.String:
    return fields.String(
        validate=[validate.Length(max=max_length, error="too_long:{max}"), _no_controls],
        error_messages=_TEXT_ERRORS,
        **_optional(required),
    )


def _choice(values: frozenset[str], required: bool = True) -> fields.String:
    return fields.String(
        validate=validate.OneOf(sorted(values), error="choice"),
        error_messages=_TEXT_ERRORS,
        **_optional(required),
    )


def _decimal() -> fields.Decimal:
    return fields.Decimal(error_messages=_NUMBER_ERRORS, **_optional(False))


def _date() -> fields.Date:
    return fields.Date(error_messages={**_TEXT_ERRORS, "invalid": "date"}, **_optional(False))


def _integer(required: bool = False, bounds: tuple[int, int] | None = None) -> fields.Integer:
    checks = [validate.Range(*bounds, error="range:{min}:{max}")] if bounds else []
    return fields.Integer(
        validate=checks,
        error_messages={**_TEXT_ERRORS, "invalid": "integer", "too_large": "integer"},
        **_optional(required),
    )


def _coordinate(limit: int) -> fields.Float:
    return fields.Float(
        required=True,
        allow_nan=False,
        validate=validate.Range(min=-limit, max=limit, error="range:{min}:{max}"),
        error_messages={**_NUMBER_ERRORS, "too_large": "number"},
    )


class FormSchema(StrictSchema):
    """Text from a form: stripped, and an empty input means ``None``. Passwords never pass
    through a schema (they are taken as typed, spaces included)."""

    @pre_load
    def _empty_is_none(self, data: Any, **_kwargs: Any) -> Any:
        if isinstance(data, dict):
            stripped = {k: v.strip() if isinstance(v, str) else v for k, v in data.items()}
            return {k: None if v == "" else v for k, v in stripped.items()}
        return data


class MarketEditIn(FormSchema):
    name_zh = _text(200, required=True)
    name_en = _text(200, required=True)
    lat = _coordinate(90)
    lon = _coordinate(180)
    geofence_radius_m = _integer(required=True, bounds=(1, 5000))


class MarketCreateIn(MarketEditIn):
    #: Checked and upper-cased by the service (``registry_rules.check_code``).
    code = _text(64, required=True)
    #: Admins choose it; a supervisor's market is in their own region.
    region_id = _integer()


_PHONE = validate.Regexp(r"[0-9+() -]*\Z", error="phone")


class MerchantCreateIn(FormSchema):
    name = _text(200, required=True)
    kind = _choice(MERCHANT_KINDS)
    stall_no = _text(32)
    #: Upper-cased here; its format and check character are the service's
    #: (``registry_rules.check_uscc``).
    uscc = _text(18)
    contact_name = _text(100)
    contact_phone = fields.String(
        validate=[validate.Length(max=32, error="too_long:{max}"), _PHONE],
        error_messages=_TEXT_ERRORS,
        **_optional(False),
    )

    @post_load
    def _upper(self, data: dict[str, Any], **_kwargs: Any) -> dict[str, Any]:
        if data.get("uscc"):
            data["uscc"] = data["uscc"].upper()
        return data


class MerchantEditIn(MerchantCreateIn):
    #: Another market of the same region, or empty for none.
    market_id = _integer()


class InstrumentEditIn(FormSchema):
    kind = _choice(INSTRUMENT_KINDS)
    make = _text(100)
    model = _text(100)
    serial = _text(100)
    accuracy_class = _text(4)
    max_capacity = _decimal()
    min_capacity = _decimal()
    e_value = _decimal()
    d_value = _decimal()
    certificate_no = _text(64)
    verifying_body = _text(200)
    verified_at = _date()
    valid_until = _date()

    @post_load
    def _upper(self, data: dict[str, Any], **_kwargs: Any) -> dict[str, Any]:
        if data.get("accuracy_class"):
            data["accuracy_class"] = data["accuracy_class"].upper()
        return data


class InstrumentCreateIn(InstrumentEditIn):
    code = _text(64, required=True)


class UserEditIn(FormSchema):
    display_name = _text(100, required=True)
    role = _choice(frozenset({"admin", "supervisor", "inspector", "merchant"}))
    region_id = _integer()
    merchant_id = _integer()


class UserCreateIn(UserEditIn):
    username = _text(64, required=True)


def _message(key: str) -> dict[str, str]:
    name, *args = key.split(":")
    if name == "Unknown field.":
        name = "unknown"
    en, zh = MESSAGES.get(name, (key, key))
    return {"code": name, "en": en.format(*args), "zh": zh.format(*args)}


def field_errors(exc: ValidationError) -> dict[str, list[dict[str, str]]]:
    """``{field: [{"code", "en", "zh"}]}`` from a schema's errors (see the module docstring)."""
    messages = exc.messages if isinstance(exc.messages, dict) else {"_schema": exc.messages}
    errors: dict[str, list[dict[str, str]]] = {}
    for name, found in messages.items():
        keys = found if isinstance(found, list) else [str(found)]
        errors[str(name)] = [_message(str(key)) for key in keys]
    return errors
