"""Read paths stay flat: the number of queries does not grow with the data (no N+1)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from inspect_app.extensions import db
from inspect_app.models import Instrument, Merchant, User
from inspect_app.models.user import Role
from inspect_app.services import overview, sync_pull


def _pull_queries(user: User, count_queries: Callable[[], Any]) -> int:
    db.session.expire_all()
    with count_queries() as counter:
        page = sync_pull.pull(user, 0, 1000)
    assert page.changes
    return int(counter.count)


def test_pull_queries_do_not_grow_with_instruments(
    make_user: Callable[..., User],
    make_merchant: Callable[..., Merchant],
    make_instrument: Callable[..., Instrument],
    count_queries: Callable[[], Any],
) -> None:
    user = make_user(Role.INSPECTOR)
    merchant = make_merchant()
    make_instrument(merchant)
    few = _pull_queries(user, count_queries)
    for _ in range(30):
        make_instrument(make_merchant())
    many = _pull_queries(user, count_queries)
    assert many == few <= 6


def test_supervisor_summary_is_a_fixed_number_of_queries(
    make_user: Callable[..., User],
    make_instrument: Callable[..., Instrument],
    count_queries: Callable[[], Any],
) -> None:
    supervisor = make_user(Role.SUPERVISOR)
    for _ in range(10):
        make_instrument()
    db.session.expire_all()
    with count_queries() as counter:
        summary = overview.region_summary(supervisor, date.today())
    assert summary.instruments == 10
    assert counter.count <= 8
