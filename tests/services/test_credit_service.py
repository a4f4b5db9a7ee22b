"""Which records feed a merchant's grade, and what every recomputation stores."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select

from inspect_app.domain.credit import FindingFacts, InspectionFacts
from inspect_app.extensions import db
from inspect_app.models import CreditSnapshot, Merchant, MerchantGrade, Region, User
from inspect_app.models.enforcement import OrderKind
from inspect_app.models.inspection import ReviewState
from inspect_app.models.user import Role
from inspect_app.services import credit, credit_history
from tests.services.credit_factories import add_inspection, add_order, days_ago

TODAY = date(2026, 11, 30)
NOW = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)


@pytest.fixture
def inspector(make_user: Callable[..., User]) -> User:
    return make_user(Role.INSPECTOR)


def facts_of(merchant: Merchant) -> tuple[InspectionFacts, ...]:
    history = credit_history.histories([merchant.id]).get(merchant.id, ())
    return credit_history.facts(history)


# ---------------------------------------------------------------- the history


def test_only_current_approved_inspections_count(
    make_merchant: Callable[..., Merchant], inspector: User
) -> None:
    merchant = make_merchant()
    kept = add_inspection(merchant, inspector, date(2026, 3, 1), "SCALE_NON_LEGAL_UNIT")
    for state in (ReviewState.RECEIVED, ReviewState.HAS_ISSUES, ReviewState.REJECTED):
        add_inspection(merchant, inspector, date(2026, 4, 1), "SCALE_CHEATING_DEVICE", review=state)
    corrected = add_inspection(merchant, inspector, date(2026, 5, 1), "SCALE_CHEATING_DEVICE")
    add_inspection(merchant, inspector, date(2026, 5, 1), supersedes=corrected)
    assert facts_of(merchant) == (
        InspectionFacts(date(2026, 3, 1), (FindingFacts("SCALE_NON_LEGAL_UNIT", 2),)),
        InspectionFacts(date(2026, 5, 1), ()),
    )
    assert kept.id in {
        c.inspection_id for c in credit_history.histories([merchant.id])[merchant.id]
    }


def test_a_correction_awaiting_review_takes_the_original_out_too(
    make_merchant: Callable[..., Merchant], inspector: User
) -> None:
    merchant = make_merchant()
    original = add_inspection(merchant, inspector, date(2026, 5, 1), "SCALE_NON_LEGAL_UNIT")
    add_inspection(
        merchant, inspector, date(2026, 5, 1), supersedes=original, review=ReviewState.RECEIVED
    )
    assert facts_of(merchant) == ()


def test_the_day_is_the_shanghai_calendar_day(
    make_merchant: Callable[..., Merchant], inspector: User
) -> None:
    merchant = make_merchant()
    # 17:30 UTC on 1 March is 01:30 on 2 March in Shanghai.
    add_inspection(merchant, inspector, datetime(2026, 3, 1, 17, 30, tzinfo=UTC))
    assert facts_of(merchant)[0].inspected_on == date(2026, 3, 2)


def test_extent_and_corrected_on_time_come_from_the_finding_and_its_orders(
    make_merchant: Callable[..., Merchant], inspector: User
) -> None:
    merchant = make_merchant()
    due = date(2026, 3, 15)
    on_time = add_inspection(
        merchant, inspector, date(2026, 3, 1), "SCALE_NON_LEGAL_UNIT", extent=3
    )
    add_order(on_time.findings[0], due, closed_on=due)
    late = add_inspection(merchant, inspector, date(2026, 3, 2), "SCALE_NON_LEGAL_UNIT")
    add_order(late.findings[0], due, closed_on=date(2026, 3, 16))
    still_open = add_inspection(merchant, inspector, date(2026, 3, 3), "SCALE_NON_LEGAL_UNIT")
    add_order(still_open.findings[0], due)
    half = add_inspection(merchant, inspector, date(2026, 3, 4), "SCALE_NON_LEGAL_UNIT")
    add_order(half.findings[0], due, closed_on=due)
    # A withdrawn order does not count against it.
    add_order(half.findings[0], due, withdrawn=True, kind=OrderKind.REVERIFY)
    mixed = add_inspection(merchant, inspector, date(2026, 3, 5), "SCALE_NON_LEGAL_UNIT")
    add_order(mixed.findings[0], due, closed_on=due)
    add_order(mixed.findings[0], due, closed_on=date(2026, 4, 1), kind=OrderKind.REVERIFY)
    add_inspection(merchant, inspector, date(2026, 3, 6), "SCALE_NON_LEGAL_UNIT")  # no order
    got = [(i.findings[0].extent, i.findings[0].corrected_on_time) for i in facts_of(merchant)]
    assert got == [(3, True), (1, False), (1, False), (1, True), (1, False), (1, False)]


def test_an_order_carried_to_a_correction_still_counts_for_its_finding(
    make_merchant: Callable[..., Merchant], inspector: User
) -> None:
    merchant = make_merchant()
    original = add_inspection(merchant, inspector, date(2026, 3, 1), "SCALE_NON_LEGAL_UNIT")
    order = add_order(original.findings[0], date(2026, 3, 15), closed_on=date(2026, 3, 10))
    correction = add_inspection(
        merchant, inspector, date(2026, 3, 1), "SCALE_NON_LEGAL_UNIT", supersedes=original
    )
    order.inspection_id = correction.id  # carried; it still names the original's finding
    db.session.commit()
    [counted] = facts_of(merchant)
    assert counted.findings == (FindingFacts("SCALE_NON_LEGAL_UNIT", 2, 1, True),)


# ---------------------------------------------------------------- snapshots


def test_each_recomputation_stores_a_snapshot_that_explains_the_grade(
    make_merchant: Callable[..., Merchant], inspector: User
) -> None:
    merchant = make_merchant()
    add_inspection(merchant, inspector, days_ago(TODAY, 400))
    found = add_inspection(merchant, inspector, days_ago(TODAY, 30), "SCALE_OUT_OF_TOLERANCE")
    first = credit.recompute(merchant.id, TODAY, "review", NOW)
    assert (first.grade, first.score, first.capped_by) == (
        "B",
        Decimal("92.0"),
        "SCALE_OUT_OF_TOLERANCE",
    )
    assert first.rule_version == "v1" and first.trigger == "review" and first.as_of == TODAY
    assert first.reasons == [f"cap_s3_6m:SCALE_OUT_OF_TOLERANCE:{days_ago(TODAY, 30)}:2027-05-02"]
    stored = first.inputs["history"]
    assert [h["inspection_id"] for h in stored] == [found.id - 1, found.id]
    assert stored[1]["findings"] == [
        {"code": "SCALE_OUT_OF_TOLERANCE", "severity": 3, "extent": 1, "corrected_on_time": False}
    ]
    # Nothing changed: a second snapshot all the same, its inputs a reference to the first.
    later = credit.recompute(merchant.id, date(2027, 6, 1), "daily", NOW)
    assert later.id != first.id and later.inputs == {
        "sha256": first.inputs["sha256"],
        "same_as": first.id,
    }
    assert later.grade == "A" and later.capped_by is None  # the cap lifted with time alone
    again = credit.recompute(merchant.id, date(2027, 6, 2), "daily", NOW)
    assert again.inputs["same_as"] == first.id  # always the snapshot that holds the history
    for snap in (first, later, again):
        explained = credit.explain(snap)
        assert (explained.score, explained.grade, list(explained.reasons)) == (
            snap.score,
            snap.grade,
            snap.reasons,
        )
    grade = db.session.get(MerchantGrade, merchant.id)
    assert grade is not None and (grade.snapshot_id, grade.grade) == (again.id, "A")
    assert credit.current(merchant.id) == again


def test_a_changed_history_is_stored_in_full_again(
    make_merchant: Callable[..., Merchant], inspector: User
) -> None:
    merchant = make_merchant()
    first = credit.recompute(merchant.id, TODAY, "daily", NOW)
    assert first.grade == "P" and first.score is None and first.inputs["history"] == []
    add_inspection(merchant, inspector, days_ago(TODAY, 3))
    second = credit.recompute(merchant.id, TODAY, "review", NOW)
    assert len(second.inputs["history"]) == 1 and second.inputs["sha256"] != first.inputs["sha256"]
    assert (second.grade, second.score) == ("P", Decimal("100.0"))


def test_an_unknown_merchant_is_not_found(app: Any) -> None:
    from inspect_app.errors import AppError

    with pytest.raises(AppError):
        credit.recompute(999_999, TODAY, "review", NOW)
    assert credit.current(999_999) is None


def test_recompute_all_covers_the_region_in_a_fixed_number_of_statements(
    make_region: Callable[..., Region],
    make_merchant: Callable[..., Merchant],
    inspector: User,
    count_queries: Callable[[], Any],
) -> None:
    merchants = [make_merchant() for _ in range(3)]
    for n, merchant in enumerate(merchants):
        add_inspection(merchant, inspector, days_ago(TODAY, 100 + n))
        add_inspection(merchant, inspector, days_ago(TODAY, 10), "SCALE_NON_LEGAL_UNIT")
    far = make_merchant(region_id=make_region().id)
    with count_queries() as small:
        assert credit.recompute_all(TODAY, "daily", NOW, region_id=merchants[0].region_id) == 3
    assert db.session.scalar(select(func.count()).where(MerchantGrade.merchant_id == far.id)) == 0
    merchants += [make_merchant() for _ in range(9)]
    for merchant in merchants[3:]:
        add_inspection(merchant, inspector, days_ago(TODAY, 50), "SCALE_OUT_OF_TOLERANCE")
    with count_queries() as large:
        assert credit.recompute_all(TODAY, "daily", NOW, region_id=merchants[0].region_id) == 12
    assert large.count == small.count
    grades = dict(db.session.execute(select(MerchantGrade.merchant_id, MerchantGrade.grade)).all())
    assert grades == {m.id: "A" if n < 3 else "P" for n, m in enumerate(merchants)}
    snapshots = db.session.scalar(select(func.count()).select_from(CreditSnapshot))
    assert snapshots == 15
    # Every region when none is named.
    assert credit.recompute_all(TODAY, "daily", NOW) == 13


def test_bulk_and_single_recomputation_agree(
    make_merchant: Callable[..., Merchant], inspector: User
) -> None:
    merchant = make_merchant()
    add_inspection(merchant, inspector, days_ago(TODAY, 200), "SCALE_NON_LEGAL_UNIT")
    add_inspection(merchant, inspector, days_ago(TODAY, 20), "SCALE_CHEATING_DEVICE")
    single = credit.recompute(merchant.id, TODAY, "review", NOW)
    credit.recompute_all(TODAY, "daily", NOW, region_id=merchant.region_id)
    bulk = credit.current(merchant.id)
    assert bulk is not None and bulk.id != single.id
    assert (bulk.score, bulk.grade, bulk.capped_by, bulk.reasons) == (
        single.score,
        single.grade,
        single.capped_by,
        single.reasons,
    )
    assert bulk.grade == "D" and bulk.inputs["same_as"] == single.id


def test_mark_dirty_recomputes_once_at_commit_and_is_forgotten_on_rollback(
    make_merchant: Callable[..., Merchant], inspector: User
) -> None:
    merchant = make_merchant()
    add_inspection(merchant, inspector, days_ago(TODAY, 20))
    credit.mark_dirty(merchant.id, "review", NOW)
    credit.mark_dirty(merchant.id, "order", NOW)
    db.session.rollback()
    db.session.commit()
    assert credit.current(merchant.id) is None
    credit.mark_dirty(merchant.id, "review", NOW)
    credit.mark_dirty(merchant.id, "order", NOW)
    db.session.commit()
    snapshots = db.session.scalars(select(CreditSnapshot)).all()
    assert [(s.trigger, s.as_of, s.grade) for s in snapshots] == [("review", TODAY, "P")]


def test_chunks_of_a_region_interleaved_with_another_each_get_their_own_history(
    make_region: Callable[..., Region],
    make_merchant: Callable[..., Merchant],
    inspector: User,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(credit, "CHUNK", 2)
    far = make_region()
    ours, theirs = [], []
    for n in range(5):  # ids alternate between the two regions
        ours.append(make_merchant())
        theirs.append(make_merchant(region_id=far.id))
        add_inspection(ours[-1], inspector, days_ago(TODAY, 300))
        add_inspection(ours[-1], inspector, days_ago(TODAY, 10 + n), "SCALE_NON_LEGAL_UNIT")
        add_inspection(theirs[-1], inspector, days_ago(TODAY, 10), "SCALE_CHEATING_DEVICE")
    commits: list[int] = []
    done = credit.recompute_all(
        TODAY, "daily", NOW, ours[0].region_id, after_chunk=lambda: commits.append(1)
    )
    assert done == 5
    assert len(commits) == 3
    grades = dict(db.session.execute(select(MerchantGrade.merchant_id, MerchantGrade.grade)).all())
    assert grades == {m.id: "A" for m in ours}
    for merchant in ours:
        snapshot = credit.current(merchant.id)
        assert snapshot is not None
        assert [len(h["findings"]) for h in snapshot.inputs["history"]] == [0, 1]


def test_a_back_dated_recomputation_is_kept_but_never_replaces_a_later_grade(
    make_merchant: Callable[..., Merchant], inspector: User
) -> None:
    from datetime import timedelta

    merchant = make_merchant()
    add_inspection(merchant, inspector, days_ago(TODAY, 20))
    latest = credit.recompute(merchant.id, TODAY, "daily", NOW)
    db.session.commit()
    earlier = NOW - timedelta(days=100)
    credit.mark_dirty(merchant.id, "review", earlier - timedelta(days=1))
    credit.mark_dirty(merchant.id, "review", earlier)  # the latest change decides the date
    db.session.commit()
    back_dated = db.session.scalars(
        select(CreditSnapshot).order_by(CreditSnapshot.id.desc())
    ).first()
    assert back_dated is not None and back_dated.id > latest.id
    assert back_dated.as_of == earlier.date()
    grade = db.session.get(MerchantGrade, merchant.id)
    assert grade is not None and grade.snapshot_id == latest.id
