"""Read models of the dashboards: daily counts of current inspections and their findings.

Kept up to date by :mod:`inspect_app.services.rollups` in the transaction that stores, corrects
or deletes an inspection, and checked against the raw rows by ``flask rollups verify``.

The day is the calendar date of ``captured_at`` in the district's time zone (Asia/Shanghai);
only current records count (a superseded inspection leaves when its correction arrives). The
district and market are the merchant's. ``market_key`` is the market's id, or ``0`` for a
merchant outside any market: a key column cannot be NULL (a primary key never is, and two NULLs
never conflict, so an upsert could not find the row), so 0 stands for "no market" and the
column carries no foreign key.

One fine table and three projections of it. The projections hold what the summary reads most:
their row count per district and day stops growing once every form (or market) is inspected
most days, so a summary over a year costs about the same at 100 k inspections as at 1 M.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from inspect_app.extensions import Base

#: ``market_key`` of merchants that trade outside any market (shops on a street, packers).
NO_MARKET = 0


class _Counts:
    """The counted columns every inspection rollup carries."""

    #: Current inspections.
    inspections: Mapped[int] = mapped_column(Integer, default=0)
    #: Of those, verdict ``fail``.
    failed: Mapped[int] = mapped_column(Integer, default=0)
    #: Their findings by severity S0..S4.
    findings_s0: Mapped[int] = mapped_column(Integer, default=0)
    findings_s1: Mapped[int] = mapped_column(Integer, default=0)
    findings_s2: Mapped[int] = mapped_column(Integer, default=0)
    findings_s3: Mapped[int] = mapped_column(Integer, default=0)
    findings_s4: Mapped[int] = mapped_column(Integer, default=0)
    #: Findings whose inspection has a geotag (the points of the findings map and GeoJSON).
    located_findings: Mapped[int] = mapped_column(Integer, default=0)


class InspectionRollup(_Counts, Base):
    """Per district, day, market and form: the fine grain every other rollup projects."""

    __tablename__ = "inspection_rollup"

    region_id: Mapped[int] = mapped_column(ForeignKey("region.id"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    market_key: Mapped[int] = mapped_column(Integer, primary_key=True)
    form_key: Mapped[str] = mapped_column(String(64), primary_key=True)


class InspectionRollupByForm(_Counts, Base):
    """Per district, day and form (markets summed): totals, forms, weeks, severities."""

    __tablename__ = "inspection_rollup_by_form"

    region_id: Mapped[int] = mapped_column(ForeignKey("region.id"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    form_key: Mapped[str] = mapped_column(String(64), primary_key=True)


class InspectionRollupByMarket(_Counts, Base):
    """Per district, day and market (forms summed): the market ranking."""

    __tablename__ = "inspection_rollup_by_market"

    region_id: Mapped[int] = mapped_column(ForeignKey("region.id"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    market_key: Mapped[int] = mapped_column(Integer, primary_key=True)


class FindingRollup(Base):
    """Per district, day, violation code and severity: findings of current inspections."""

    __tablename__ = "finding_rollup"

    region_id: Mapped[int] = mapped_column(ForeignKey("region.id"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    #: S0..S4 stored as 0..4 (as on ``finding``).
    severity: Mapped[int] = mapped_column(Integer, primary_key=True)
    findings: Mapped[int] = mapped_column(Integer, default=0)
    located_findings: Mapped[int] = mapped_column(Integer, default=0)
