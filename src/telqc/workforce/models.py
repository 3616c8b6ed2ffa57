"""Workforce tables: interval actuals (the ACD interval report), versioned forecasts, queue staffing rules,
shift templates, rostered staff, rosters and their shifts.

Interval actuals are the WFM input, one row per channel × 30-minute interval: built from `contacts`
(`service.refresh_actuals`, through `contacts.read.CONTACTS`) or imported from a switch's interval report.
A forecast is never updated: a new run is a new version, so a roster says which forecast it was built on.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Date, Float, ForeignKey, Index, Integer, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from telqc.core.db import Base, UTCDateTime

CHANNEL_CHECK = "channel in ('hotline','app','web','wechat','store','social')"


class IntervalActual(Base):
    __tablename__ = "wfm_interval_actuals"
    __table_args__ = (
        CheckConstraint(CHANNEL_CHECK, name="channel"),
        CheckConstraint("offered >= 0 and handled >= 0 and abandoned >= 0 and handle_s >= 0 and wait_s >= 0",
                        name="counts"),
    )

    channel: Mapped[str] = mapped_column(String(10), primary_key=True)
    interval_start: Mapped[datetime] = mapped_column(UTCDateTime(), primary_key=True)
    offered: Mapped[int] = mapped_column(Integer)
    handled: Mapped[int] = mapped_column(Integer)
    abandoned: Mapped[int] = mapped_column(Integer)
    handle_s: Mapped[int] = mapped_column(Integer)  # talk + hold + after-contact work of the handled contacts
    wait_s: Mapped[int] = mapped_column(Integer)  # queue wait of all offered contacts
    source: Mapped[str] = mapped_column(String(10))


class Forecast(Base):
    """One forecast run: its id is its version."""

    __tablename__ = "wfm_forecasts"
    __table_args__ = (CheckConstraint("days between 1 and 62", name="days"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    method: Mapped[str] = mapped_column(String(60))
    start_date: Mapped[date] = mapped_column(Date)
    days: Mapped[int] = mapped_column(Integer)
    history_start: Mapped[date] = mapped_column(Date)
    history_end: Mapped[date] = mapped_column(Date)
    channels: Mapped[list[str]] = mapped_column(JSON)
    note: Mapped[str | None] = mapped_column(String(200))


class ForecastPoint(Base):
    __tablename__ = "wfm_forecast_points"

    forecast_id: Mapped[int] = mapped_column(ForeignKey("wfm_forecasts.id", ondelete="CASCADE"), primary_key=True)
    channel: Mapped[str] = mapped_column(String(10), primary_key=True)
    interval_start: Mapped[datetime] = mapped_column(UTCDateTime(), primary_key=True)
    contacts: Mapped[float] = mapped_column(Float)
    aht_s: Mapped[float] = mapped_column(Float)


class QueueRule(Base):
    """How one channel's queue is staffed: the target (KPI.md 80/20 by default), caps and shrinkage."""

    __tablename__ = "wfm_queue_rules"
    __table_args__ = (
        CheckConstraint(CHANNEL_CHECK, name="channel"),
        CheckConstraint("service_level_target > 0 and service_level_target < 1", name="target"),
        CheckConstraint("max_occupancy > 0 and max_occupancy <= 1", name="occupancy"),
        CheckConstraint("shrinkage >= 0 and shrinkage < 1", name="shrinkage"),
        CheckConstraint("concurrency >= 1", name="concurrency"),
    )

    channel: Mapped[str] = mapped_column(String(10), primary_key=True)
    service_level_target: Mapped[float] = mapped_column(Float)
    answer_time_s: Mapped[float] = mapped_column(Float)
    max_occupancy: Mapped[Decimal] = mapped_column(Numeric(5, 4))
    shrinkage: Mapped[Decimal] = mapped_column(Numeric(5, 4))
    patience_s: Mapped[float | None] = mapped_column(Float)  # Erlang A when known
    concurrency: Mapped[int] = mapped_column(Integer)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class ShiftTemplate(Base):
    """A shift: its paid length, the window its start may fall in, where lunch and the short break (小休) may go
    (minutes). A break of up to 30 minutes takes its whole 30-minute interval off the floor (`roster_model`)."""

    __tablename__ = "wfm_shift_templates"
    __table_args__ = (
        CheckConstraint("length_min > 0 and length_min <= 720 and length_min % 30 = 0", name="length"),
        CheckConstraint("earliest_start_min <= latest_start_min and earliest_start_min % 30 = 0 "
                        "and latest_start_min % 30 = 0", name="window"),
        CheckConstraint("lunch_min % 30 = 0 and lunch_earliest_min <= lunch_latest_min", name="lunch"),
        CheckConstraint("break_min between 0 and 30 and break_earliest_min % 30 = 0 and break_latest_min % 30 = 0 "
                        "and break_earliest_min <= break_latest_min", name="break"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(40), unique=True)
    length_min: Mapped[int] = mapped_column(Integer)
    earliest_start_min: Mapped[int] = mapped_column(Integer)  # local minutes after midnight
    latest_start_min: Mapped[int] = mapped_column(Integer)
    lunch_min: Mapped[int] = mapped_column(Integer)
    lunch_earliest_min: Mapped[int] = mapped_column(Integer)  # minutes after the shift's start
    lunch_latest_min: Mapped[int] = mapped_column(Integer)
    break_min: Mapped[int] = mapped_column(Integer, server_default="0")  # 0: no short break
    break_earliest_min: Mapped[int] = mapped_column(Integer, server_default="0")  # minutes after the shift's start
    break_latest_min: Mapped[int] = mapped_column(Integer, server_default="0")
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class Staff(Base):
    """Someone who can be rostered: skills (channels), the channel rostered on, availability, labour rules."""

    __tablename__ = "wfm_staff"
    __table_args__ = (CheckConstraint("max_shifts_per_week between 0 and 7", name="max_shifts"),
                      CheckConstraint("max_consecutive_days between 1 and 13", name="max_consecutive"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(60))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"), unique=True)
    skills: Mapped[list[str]] = mapped_column(JSON)
    primary_channel: Mapped[str] = mapped_column(String(10))
    available_weekdays: Mapped[list[int]] = mapped_column(JSON)  # 0 = Monday
    max_shifts_per_week: Mapped[int] = mapped_column(Integer)
    max_consecutive_days: Mapped[int] = mapped_column(Integer, server_default="6")  # days worked in a row
    active: Mapped[bool] = mapped_column(default=True)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class Roster(Base):
    __tablename__ = "wfm_rosters"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    forecast_id: Mapped[int] = mapped_column(ForeignKey("wfm_forecasts.id", ondelete="RESTRICT"))
    start_date: Mapped[date] = mapped_column(Date)
    days: Mapped[int] = mapped_column(Integer)
    solver: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(20))
    under_intervals: Mapped[float] = mapped_column(Float)  # agent-intervals short of the requirement
    over_intervals: Mapped[float] = mapped_column(Float)
    solve_s: Mapped[float] = mapped_column(Float)
    # shifts planned but not given anyone as planned (`planning.unplaced_rows`); None on rosters built before
    unplaced: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)


class RosterShift(Base):
    __tablename__ = "wfm_roster_shifts"
    __table_args__ = (Index("ix_wfm_roster_shifts_roster_day", "roster_id", "day"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    roster_id: Mapped[int] = mapped_column(ForeignKey("wfm_rosters.id", ondelete="CASCADE"))
    staff_id: Mapped[int] = mapped_column(ForeignKey("wfm_staff.id", ondelete="RESTRICT"))
    channel: Mapped[str] = mapped_column(String(10))
    day: Mapped[date] = mapped_column(Date)
    template_id: Mapped[int] = mapped_column(ForeignKey("wfm_shift_templates.id", ondelete="RESTRICT"))
    start_min: Mapped[int] = mapped_column(Integer)
    length_min: Mapped[int] = mapped_column(Integer)
    lunch_start_min: Mapped[int | None] = mapped_column(Integer)  # minutes after midnight
    lunch_min: Mapped[int] = mapped_column(Integer)
    break_start_min: Mapped[int | None] = mapped_column(Integer)  # the short break, minutes after midnight
    break_min: Mapped[int] = mapped_column(Integer, server_default="0")


EVENT_KINDS = ("plan_launch", "marketing", "bill_run", "planned_work", "outage", "other")


class KnownEvent(Base):
    """A day the planner knows will be unusual (资费/新套餐上线, 营销活动, 出账, 割接, 故障): a regressor of the
    forecast, on the days of history it happened and on the days ahead it will. ``weight`` is its size
    relative to a typical event (1.0); the model learns from the history what an event of weight 1 does."""

    __tablename__ = "wfm_events"
    __table_args__ = (
        CheckConstraint("kind in ('plan_launch','marketing','bill_run','planned_work','outage','other')",
                        name="kind"),
        CheckConstraint("end_day >= start_day", name="days"),
        CheckConstraint("weight > 0 and weight <= 10", name="weight"),
        Index("ix_wfm_events_days", "start_day", "end_day"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(120))
    start_day: Mapped[date] = mapped_column(Date)
    end_day: Mapped[date] = mapped_column(Date)
    channel: Mapped[str | None] = mapped_column(String(10))  # None: every channel
    weight: Mapped[float] = mapped_column(Float, default=1.0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))


class EngineerRoster(Base):
    """A field engineers' roster (`field_roster`): duties per province and day against the engineers the repair
    visits need, stored with that need so the page shows the roster against what it was built for."""

    __tablename__ = "wfm_engineer_rosters"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    start_date: Mapped[date] = mapped_column(Date)
    days: Mapped[int] = mapped_column(Integer)
    solver: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(20))
    need: Mapped[dict[str, list[int]]] = mapped_column(JSON)  # province -> engineers needed per day
    short_blocks: Mapped[float] = mapped_column(Float)  # engineer × 4-hour blocks short of the need
    over_blocks: Mapped[float] = mapped_column(Float)
    nights_uncovered: Mapped[int] = mapped_column(Integer)  # province-nights with nobody on call
    solve_s: Mapped[float] = mapped_column(Float)


class EngineerDuty(Base):
    __tablename__ = "wfm_engineer_duties"
    __table_args__ = (
        CheckConstraint("kind in ('early','late','night')", name="kind"),
        UniqueConstraint("roster_id", "engineer_id", "day", name="uq_wfm_engineer_duties_one_a_day"),
        Index("ix_wfm_engineer_duties_day_province", "day", "province_code"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    roster_id: Mapped[int] = mapped_column(ForeignKey("wfm_engineer_rosters.id", ondelete="CASCADE"))
    engineer_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    province_code: Mapped[str] = mapped_column(String(12))
    day: Mapped[date] = mapped_column(Date)  # the duty's local day (a night duty runs into the next morning)
    kind: Mapped[str] = mapped_column(String(10))
