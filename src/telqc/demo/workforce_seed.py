"""Workforce demo: 60 days of interval actuals (the switch's interval report, from `workforce_data`), shift
templates and a contact centre's staff, then a 14-day forecast from today, its requirement and a one-week
roster, all through the workforce service (audited like a planner's own runs)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from telqc.core.context import Ctx
from telqc.demo.workforce_data import PROFILES, series
from telqc.workforce import planning, service
from telqc.workforce import schemas as s

TEMPLATES = (
    s.TemplateIn(name="早班", length_min=480, earliest_start_min=7 * 60, latest_start_min=9 * 60, lunch_min=60,
                 lunch_earliest_min=180, lunch_latest_min=300, break_min=15, break_earliest_min=60,
                 break_latest_min=90),
    s.TemplateIn(name="白班", length_min=480, earliest_start_min=9 * 60 + 30, latest_start_min=12 * 60,
                 lunch_min=60, lunch_earliest_min=150, lunch_latest_min=300),
    s.TemplateIn(name="晚班", length_min=480, earliest_start_min=13 * 60, latest_start_min=16 * 60, lunch_min=60,
                 lunch_earliest_min=120, lunch_latest_min=270),
    s.TemplateIn(name="高峰短班", length_min=240, earliest_start_min=17 * 60, latest_start_min=19 * 60),
    s.TemplateIn(name="夜班", length_min=420, earliest_start_min=0, latest_start_min=0),
)
STAFF = {"hotline": 110, "wechat": 26, "app": 22}
EXTRA_SKILLS = {"hotline": ["wechat"], "wechat": ["app"], "app": ["wechat"]}  # every fifth person also takes these
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玲"


@dataclass(frozen=True)
class Seeded:
    intervals: int
    forecast_id: int
    roster_id: int
    shifts: int
    under: float


def seed_workforce(ctx: Ctx, seed: int = 42, history_days: int = 60, horizon_days: int = 14,
                   roster_days: int = 7) -> Seeded:
    tz = service.zone(ctx)
    today = service.local_today(ctx)
    start = today - timedelta(days=history_days)
    now = ctx.now()
    cal = service.calendar()
    rows: list[service.ActualRow] = []
    for ch in PROFILES:
        ser = series(ch, start, history_days + 1, cal, seed)  # and today so far, for the intraday view
        for d, day in enumerate(ser.days):
            for k, at in enumerate(service.slot_starts(day, tz)):
                if at + timedelta(minutes=30) <= now:
                    rows.append(service.ActualRow(ch, at, int(ser.offered[d, k]), int(ser.handled[d, k]),
                                                  int(ser.abandoned[d, k]), int(ser.handle_s[d, k]),
                                                  int(ser.wait_s[d, k])))
    n = service.import_actuals(ctx, rows, source="demo")
    for t in TEMPLATES:
        planning.create_template(ctx, t)
    i = 0
    for ch, count in STAFF.items():
        for j in range(count):
            off = {(j % 7), ((j + 3) % 7)} if j % 4 else {(j % 7)}
            planning.create_staff(ctx, s.StaffIn(
                name=SURNAMES[i % len(SURNAMES)] + GIVEN[(i * 7) % len(GIVEN)], primary_channel=ch,  # type: ignore[arg-type]
                skills=EXTRA_SKILLS[ch] if j % 5 == 0 else [],  # type: ignore[arg-type]
                available_weekdays=[w for w in range(7) if w not in off], max_shifts_per_week=5))
            i += 1
    f = service.run_forecast(ctx, s.ForecastIn(start_date=today, days=horizon_days, history_days=history_days,
                                               note="演示数据：近60天话务"))
    r, res = planning.build_roster(ctx, s.RosterIn(forecast_id=f.id, start_date=today, days=roster_days))
    return Seeded(n, f.id, r.id, len(res.shifts), res.under)
