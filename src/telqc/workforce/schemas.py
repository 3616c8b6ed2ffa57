"""Workforce request and response models."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import Field, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from telqc.contacts.read import Channel
from telqc.core.schemas import MAX_INT, Day, In, Out

Share = Annotated[float, Field(ge=0, lt=1)]
INTERVAL_S = 1800  # a what-if's calls are per 30-minute interval
MAX_ERLANGS = 5_000


class ForecastIn(In):
    start_date: Day | None = None  # default: tomorrow, local
    days: Annotated[int, Field(ge=1, le=42)] = 14
    history_days: Annotated[int, Field(ge=28, le=730)] = 60
    channels: list[Channel] | None = None  # default: every channel with interval history
    note: Annotated[str | None, Field(max_length=200)] = None


class ForecastOut(Out):
    id: int
    created_at: datetime
    created_by: int | None
    method: str
    start_date: date
    days: int
    history_start: date
    history_end: date
    channels: list[str]
    note: str | None


class SeriesOut(Out):
    """One channel per interval (local interval starts): a forecast, its requirement, and what happened."""

    forecast_id: int
    channel: str
    intervals: list[datetime]
    contacts: list[float]
    aht_s: list[float]
    agents: list[int]
    scheduled: list[int]
    actual: list[int | None]


class RulesIn(In):
    service_level_target: Annotated[float, Field(gt=0, lt=1)] = 0.8
    answer_time_s: Annotated[float, Field(gt=0, le=3600)] = 20
    max_occupancy: Annotated[float, Field(ge=0.5, le=1)] = 0.85  # below half, staff would sit idle by design
    shrinkage: Share = 0.3
    patience_s: Annotated[float | None, Field(gt=0, le=3600)] = None
    concurrency: Annotated[int, Field(ge=1, le=10)] = 1


class RulesOut(Out):
    channel: str
    service_level_target: float
    answer_time_s: float
    max_occupancy: float
    shrinkage: float
    patience_s: float | None
    concurrency: int
    model: str
    stored: bool
    version: int = 0  # 0 until stored: the defaults of `staffing.DEFAULT_RULES`


class TemplateIn(In):
    name: Annotated[str, Field(min_length=1, max_length=40)]
    length_min: Annotated[int, Field(ge=30, le=720, multiple_of=30)]
    earliest_start_min: Annotated[int, Field(ge=0, lt=1440, multiple_of=30)]
    latest_start_min: Annotated[int, Field(ge=0, lt=1440, multiple_of=30)]
    lunch_min: Annotated[int, Field(ge=0, le=120, multiple_of=30)] = 0
    lunch_earliest_min: Annotated[int, Field(ge=0, le=720)] = 0
    lunch_latest_min: Annotated[int, Field(ge=0, le=720)] = 0
    # the short break (小休): up to 30 minutes, placed on the 30-minute grid inside its window after the start; it
    # takes its whole interval off the floor (`roster_model`)
    break_min: Annotated[int, Field(ge=0, le=30)] = 0
    break_earliest_min: Annotated[int, Field(ge=0, le=720, multiple_of=30)] = 0
    break_latest_min: Annotated[int, Field(ge=0, le=720, multiple_of=30)] = 0


class TemplateOut(Out):
    id: int
    name: str
    length_min: int
    earliest_start_min: int
    latest_start_min: int
    lunch_min: int
    lunch_earliest_min: int
    lunch_latest_min: int
    break_min: int = 0
    break_earliest_min: int = 0
    break_latest_min: int = 0


class StaffIn(In):
    name: Annotated[str, Field(min_length=1, max_length=60)]
    user_id: Annotated[int | None, Field(ge=1, le=MAX_INT)] = None
    primary_channel: Channel
    skills: list[Channel] = []
    available_weekdays: Annotated[list[Annotated[int, Field(ge=0, le=6)]], Field(min_length=1, max_length=7)] = [
        0, 1, 2, 3, 4, 5, 6]
    max_shifts_per_week: Annotated[int, Field(ge=0, le=7)] = 5
    max_consecutive_days: Annotated[int, Field(ge=1, le=13)] = 6  # labour rule: a day off after six in a row


class StaffOut(Out):
    id: int
    name: str
    user_id: int | None
    skills: list[str]
    primary_channel: str
    available_weekdays: list[int]
    max_shifts_per_week: int
    max_consecutive_days: int
    active: bool


class RosterIn(In):
    forecast_id: Annotated[int, Field(ge=1, le=MAX_INT)]
    start_date: Day | None = None  # default: the forecast's first day
    days: Annotated[int, Field(ge=1, le=28)] = 14


class SkillCoverageOut(Out):
    """Agent-intervals of one skill over the roster: required, covered (heads on it, up to the need), short."""

    skill: str
    required: float
    covered: float
    short: float
    over: float


class UnplacedOut(Out):
    """A shift the optimiser planned but could not give anyone as planned, for the planner to read: names, not
    ids; times are local wall-clock times of the roster's zone (Beijing), as the roster is planned."""

    day: date
    template: str
    skills: list[str]  # the channels of the pool it was planned for, in Chinese
    planned_start: datetime
    planned_end: datetime
    placed_start: datetime | None = None
    placed_end: datetime | None = None
    staff: str | None = None  # who took it at the new time
    text: str  # one line in Chinese


class RosterOut(Out):
    id: int
    created_at: datetime
    forecast_id: int
    start_date: date
    days: int
    solver: str
    status: str
    under_intervals: float
    over_intervals: float
    solve_s: float
    shifts: int = 0
    coverage: list[SkillCoverageOut] = []  # per skill; added with multi-skill rosters (older clients ignore it)
    dropped: list[UnplacedOut] = []  # planned shifts no one could take under the labour rules
    retimed: list[UnplacedOut] = []  # planned shifts given someone at another start of their template


class ShiftOut(Out):
    staff_id: int
    channel: str
    day: date
    start_min: int
    length_min: int
    lunch_start_min: int | None
    lunch_min: int
    break_start_min: int | None = None
    break_min: int = 0


class RefreshIn(In):
    start: Day
    end: Day  # inclusive


class WhatIfIn(In):
    channel: Channel = Channel.hotline
    calls: Annotated[float, Field(ge=0, le=100_000)]  # per 30-minute interval
    aht_s: Annotated[float, Field(gt=0, le=7200)]
    agents: Annotated[int | None, Field(ge=0, le=100_000)] = None  # on the queue; default: the agents needed
    service_level_target: Annotated[float | None, Field(gt=0, lt=1)] = None
    answer_time_s: Annotated[float | None, Field(gt=0, le=3600)] = None
    shrinkage: Share | None = None

    @field_validator("aht_s")
    @classmethod
    def _load(cls, aht_s: float, info: ValidationInfo) -> float:
        """One queue's offered load (calls × AHT) stays within what any contact centre staffs (the Erlang
        engines' numerics hold far beyond it; at 400,000 Erlangs Erlang A divided by zero)."""
        if info.data.get("calls", 0) * aht_s / INTERVAL_S > MAX_ERLANGS:
            raise PydanticCustomError("load_too_high", "话务量过大：每30分钟通话数 × 平均处理时长 超过 {max} 爱尔兰 / "
                                      "offered load above {max} Erlangs", {"max": MAX_ERLANGS})
        return aht_s


class WhatIfOut(Out):
    channel: str
    model: str
    agents_needed: int
    scheduled_needed: int
    agents: int
    service_level: float
    asa_s: float
    occupancy: float
    abandon_probability: float
    meets_target: bool


class GapRow(Out):
    interval: datetime
    forecast: float
    reforecast: float
    actual: int | None
    needed: int  # heads on the floor (after shrinkage) for the re-forecast
    rostered: int
    gap: int  # rostered − needed: negative is short


class IntradayOut(Out):
    channel: str
    day: date
    forecast_id: int | None
    roster_id: int | None
    ratio: float | None  # actual / forecast so far: the factor the rest of the day is re-forecast with
    rows: list[GapRow]
    suggestions: list[str]


EventKind = Literal["plan_launch", "marketing", "bill_run", "planned_work", "outage", "other"]


class EventIn(In):
    """A known event: the days it covers (local), the channel it moves (None: all), its relative size."""

    kind: EventKind
    title: Annotated[str, Field(min_length=2, max_length=120)]
    start_day: Day
    end_day: Day | None = None  # default: one day
    channel: Channel | None = None
    weight: Annotated[float, Field(gt=0, le=10)] = 1.0


class EventOut(Out):
    id: int
    kind: str
    title: str
    start_day: date
    end_day: date
    channel: str | None
    weight: float
    created_at: datetime


class FieldDayOut(Out):
    day: date
    visits: float
    on_duty: int
    scheduled: int


class FieldAreaOut(Out):
    """One city × area type: forecast repair visits and engineers needed per day."""

    province_code: str
    province: str
    city_code: str
    city: str
    area_type: str
    response_min: int
    visit_min: int
    history_visits: int  # repair orders in the 28 days of history
    days: list[FieldDayOut]


class FieldProvinceOut(Out):
    province_code: str
    province: str
    engineers: int  # active field engineers whose region covers the province
    scheduled_peak: int  # the most engineers any day of the horizon needs (sum over its areas)


class FieldOut(Out):
    start_date: date
    days: int
    areas: list[FieldAreaOut]
    provinces: list[FieldProvinceOut]


DutyKind = Literal["early", "late", "night"]


class EngineerRosterIn(In):
    start_date: Day | None = None  # default: tomorrow, local (the field requirement's first day)
    days: Annotated[int, Field(ge=1, le=28)] = 7


class EngineerDutyOut(Out):
    engineer_id: int
    engineer: str  # display name
    province_code: str
    province: str
    day: date
    kind: DutyKind  # early 08:00–16:00, late 12:00–20:00, night on call 20:00–08:00 (local)


class EngineerRosterOut(Out):
    id: int
    created_at: datetime
    start_date: date
    days: int
    solver: str
    status: str
    need: dict[str, list[int]]  # province -> engineers needed on duty per day (the requirement it was built for)
    short_blocks: float  # engineer × 4-hour blocks short of the need
    over_blocks: float
    nights_uncovered: int
    solve_s: float
    duties: list[EngineerDutyOut] = []
