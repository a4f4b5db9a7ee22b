"""Query strings of the dashboard pages (``inspect_app/web/dashboard*.py``).

The filter state lives in the URL (a GET form), so a filtered list can be bookmarked and
shared. Every page lists the fields it understands; any other field is refused
(``VALIDATION_FAILED``, 422) rather than ignored, so a mistyped filter never silently shows
unfiltered rows. A period is ``from``/``to`` as in the dashboard API
(:mod:`inspect_app.schemas.dashboard`): inclusive calendar days in the district's time zone,
at most ten years, ``to`` not before ``from``; a page given neither shows the last 30 days
(the view fills the defaults and checks the period, :func:`checked_period`). Empty fields,
as a GET form sends them, count as absent.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from marshmallow import fields, pre_load, validate

from inspect_app.errors import AppError
from inspect_app.models.instrument import InstrumentKind
from inspect_app.models.place import MerchantKind
from inspect_app.models.types import MAX_ID
from inspect_app.schemas.common import StrictSchema
from inspect_app.schemas.dashboard import EARLIEST, LATEST, MAX_YEARS, ten_years_after

#: The period a page shows when none is given: the last 30 days, today included.
DEFAULT_DAYS = 30
GRADES = ("A", "B", "C", "D", "P")
SEVERITIES = ("S0", "S1", "S2", "S3", "S4")
VERIFICATION_STATES = ("overdue", "due_soon", "valid", "unknown")
#: A cursor is a signed token of a few dozen characters; anything much longer is not one.
MAX_CURSOR = 400

_ID = validate.Range(min=1, max=MAX_ID)
_DAY = validate.Range(min=EARLIEST, max=LATEST)


def _id(description: str) -> fields.Integer:
    return fields.Integer(load_default=None, validate=_ID, metadata={"description": description})


class _Query(StrictSchema):
    region = _id("One district (admins; a supervisor may name their own)")

    @pre_load
    def _drop_empty(self, data: Any, **_kwargs: Any) -> Any:
        if isinstance(data, dict):
            return {k: v for k, v in data.items() if not (isinstance(v, str) and not v.strip())}
        return data


class PeriodQueryIn(_Query):
    """The overview, the map and the trends."""

    start = fields.Date(load_default=None, data_key="from", validate=_DAY)
    end = fields.Date(load_default=None, data_key="to", validate=_DAY)
    form = fields.String(load_default=None, validate=validate.Regexp(r"^[a-z][a-z0-9_]{0,63}$"))


class _Paged(_Query):
    dir = fields.String(load_default=None, validate=validate.OneOf(("asc", "desc")))
    after = fields.String(load_default=None, validate=validate.Length(max=MAX_CURSOR))
    market = _id("One market of the caller's districts")
    grade = fields.String(load_default=None, validate=validate.OneOf(GRADES))


class RecordListIn(_Paged, PeriodQueryIn):
    """The inspections and findings lists."""

    verdict = fields.String(load_default=None, validate=validate.OneOf(("pass", "fail")))
    severity = fields.String(load_default=None, validate=validate.OneOf(SEVERITIES))
    code = fields.String(load_default=None, validate=validate.Regexp(r"^[A-Z][A-Z0-9_]{0,63}$"))
    sort = fields.String(load_default="date", validate=validate.OneOf(("date",)))


class InstrumentListIn(_Paged):
    kind = fields.String(
        load_default=None, validate=validate.OneOf([k.value for k in InstrumentKind])
    )
    verification = fields.String(load_default=None, validate=validate.OneOf(VERIFICATION_STATES))
    sort = fields.String(load_default="code", validate=validate.OneOf(("code", "valid_until")))


class MerchantListIn(_Paged):
    kind = fields.String(
        load_default=None, validate=validate.OneOf([k.value for k in MerchantKind])
    )
    sort = fields.String(load_default="name", validate=validate.OneOf(("name", "grade")))


def checked_period(start: date | None, end: date | None, today: date) -> tuple[date, date]:
    """The period a page shows: the defaults filled in, then checked like the API's.

    Neither day: the last :data:`DEFAULT_DAYS` days up to ``today``. Only ``from``: up to
    ``today`` (or ``from`` itself, when it is later). Only ``to``: the :data:`DEFAULT_DAYS`
    days ending then. ``to`` before ``from``: ``PERIOD_INVERTED``; ten years or more:
    ``PERIOD_TOO_LONG``.
    """
    if start is None and end is None:
        end = today
    if start is None:
        assert end is not None
        start = max(EARLIEST, end - timedelta(days=DEFAULT_DAYS - 1))
    if end is None:
        end = max(today, start)
    if end < start:
        raise AppError("PERIOD_INVERTED", {"to": ["must not be before from"]})
    if end >= ten_years_after(start):
        raise AppError("PERIOD_TOO_LONG", {"to": [f"at most {MAX_YEARS} years after from"]})
    return start, end
