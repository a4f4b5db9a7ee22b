"""Keyset pagination for the dashboard lists: the next page starts after the last row's key.

A :class:`SortKey` names the columns a list is ordered by, ending with a unique one (the row
id), so every row has exactly one place in the order. The next page is "the rows whose key
comes after the last key shown", a range an index answers directly: the database never
counts and skips the rows of earlier pages (no ``OFFSET``), so the hundredth page costs what
the first one does, and a row that arrives while someone pages is never shown twice.

The first column of a key may be nullable (an instrument never verified, a merchant not yet
graded). Its NULL rows come after all the others in either direction, by id; a page that
crosses from one group to the other runs a second query (:func:`page`). Keys travel to the
browser as JSON values (:func:`to_json`) inside a signed cursor (the web layer signs it);
:func:`from_json` turns them back into typed values and refuses anything else with
``CURSOR_INVALID``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, tuple_

from inspect_app.errors import AppError
from inspect_app.extensions import db
from inspect_app.models.types import MAX_ID


def _parse_datetime(value: Any) -> datetime:
    if not isinstance(value, str):
        raise ValueError(value)
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        raise ValueError(value)
    return parsed


def _parse_date(value: Any) -> date:
    if not isinstance(value, str):
        raise ValueError(value)
    return date.fromisoformat(value)


def _parse_id(value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= MAX_ID:
        raise ValueError(value)
    return value


def _parse_text(value: Any) -> str:
    if not isinstance(value, str) or len(value) > 200:
        raise ValueError(value)
    return value


#: How each kind of key value is read back from a cursor.
KIND_PARSERS: dict[str, Callable[[Any], Any]] = {
    "datetime": _parse_datetime,
    "date": _parse_date,
    "id": _parse_id,
    "text": _parse_text,
}


#: A SELECT of any columns.
AnySelect = Select[*tuple[Any, ...]]


@dataclass(frozen=True)
class SortKey:
    """An order of a list: ``columns`` (the last one unique) and the kind of each value.

    ``nullable``: the first column may be NULL (see the module docstring); the NULL rows are
    then ordered by ``null_columns`` (default: the other columns), which must hold the same
    values as ``columns[1:]`` (the id of an outer-joined table is NULL there, the row's is not).
    """

    columns: tuple[Any, ...]
    kinds: tuple[str, ...]
    nullable: bool = False
    null_columns: tuple[Any, ...] = ()

    @property
    def rest(self) -> tuple[Any, ...]:
        return self.null_columns or self.columns[1:]

    def order(self, descending: bool, columns: Sequence[Any] | None = None) -> list[Any]:
        cols = self.columns if columns is None else columns
        return [c.desc() if descending else c.asc() for c in cols]

    def after(self, key: Sequence[Any], descending: bool) -> ColumnElement[bool]:
        """Rows strictly after ``key`` in this order (non-NULL first column).

        The row comparison says it exactly; the bound on the first column alone says it again
        for the planner: a row comparison whose columns span two tables (the findings list
        orders by the inspection's time, then the finding's id) is no index condition, and
        without the bound a deep page would be read from the first row of the range.
        """
        left, first = tuple_(*self.columns), self.columns[0]
        if descending:
            return and_(first <= key[0], left < tuple(key))
        return and_(first >= key[0], left > tuple(key))


@dataclass(frozen=True)
class Page:
    rows: list[Any]
    #: The key of the last row shown when there are more rows, else None.
    next_key: tuple[Any, ...] | None


def to_json(key: Sequence[Any]) -> list[Any]:
    """A key as JSON values (datetimes and dates in ISO 8601)."""
    return [v.isoformat() if isinstance(v, (datetime, date)) else v for v in key]


def from_json(sort: SortKey, values: Any) -> tuple[Any, ...]:
    """The typed key a cursor carried, or ``CURSOR_INVALID``."""
    if not isinstance(values, list) or len(values) != len(sort.kinds):
        raise AppError("CURSOR_INVALID")
    out: list[Any] = []
    for n, (kind, value) in enumerate(zip(sort.kinds, values, strict=True)):
        if value is None and n == 0 and sort.nullable:
            out.append(None)
            continue
        try:
            out.append(KIND_PARSERS[kind](value))
        except (ValueError, TypeError) as exc:
            raise AppError("CURSOR_INVALID") from exc
    return tuple(out)


def _run(query: AnySelect, limit: int) -> list[Any]:
    return list(db.session.execute(query.limit(limit)).all())


def page(
    query: AnySelect,
    sort: SortKey,
    descending: bool,
    after: tuple[Any, ...] | None,
    limit: int,
    key_of: Callable[[Any], tuple[Any, ...]],
    null_query: AnySelect | None = None,
) -> Page:
    """One page of ``query`` (already filtered) in ``sort`` order, after ``after``.

    ``key_of`` reads a row's key (the values of ``sort.columns``) from a result row. With a
    nullable first column, ``null_query`` (default ``query``) is the query of the NULL rows:
    the valued rows may then come from an inner join the planner can drive from the order's
    index, the NULL ones from an outer join.
    """
    if not sort.nullable:
        ordered = query.order_by(*sort.order(descending))
        if after is not None:
            ordered = ordered.where(sort.after(after, descending))
        return _finish(_run(ordered, limit + 1), limit, key_of)
    first, rest = sort.columns[0], sort.rest
    valued = query.where(first.is_not(None)).order_by(*sort.order(descending))
    empty = (query if null_query is None else null_query).where(first.is_(None))
    empty = empty.order_by(*sort.order(descending, rest))
    # The NULL rows come after the others in either direction: finding that there are none
    # means reading every row (no index holds "no value"), which only the last page does.
    groups = [(valued, False), (empty, True)]
    rows: list[Any] = []
    started = after is None
    for group, is_null in groups:
        if not started:
            if (after[0] is None) != is_null:  # type: ignore[index]
                continue  # the cursor is in the other group, which comes later
            started = True
            assert after is not None
            if is_null:
                rest_key = tuple_(*rest)
                group = group.where(
                    rest_key < tuple(after[1:]) if descending else rest_key > tuple(after[1:])
                )
            else:
                group = group.where(sort.after(after, descending))
        rows.extend(_run(group, limit + 1 - len(rows)))
        if len(rows) > limit:
            break
    return _finish(rows, limit, key_of)


def _finish(rows: list[Any], limit: int, key_of: Callable[[Any], tuple[Any, ...]]) -> Page:
    more = len(rows) > limit
    shown = rows[:limit]
    return Page(shown, key_of(shown[-1]) if more else None)
