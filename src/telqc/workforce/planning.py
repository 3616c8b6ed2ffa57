"""Rosters, the supervisor's intraday gap and the what-if: the planning half of the workforce service.

The roster is built by `roster.solve` against the requirement of a stored forecast; the intraday view scales
the rest of today's forecast by how the day has run so far (actual ÷ forecast over the elapsed intervals,
bounded to 0.5–2 so one odd half-hour does not swing the afternoon), scales the AHT profile the same way by
today's handle time, recomputes the heads needed and sets them against the heads rostered. Suggestions
follow the levers a supervisor has (客户服务质量分析 四.二.1): move lunches and short breaks out of a short
stretch, overtime at its edges, offer callbacks on the hotline, and training or coaching where there are spare heads.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from fractions import Fraction

import numpy as np
from sqlalchemy import select

from telqc.core import i18n
from telqc.core.context import Ctx
from telqc.core.errors import Conflict, Invalid, NotFound
from telqc.core.models import User
from telqc.workforce import repository as repo
from telqc.workforce import roster as rs
from telqc.workforce import schemas as s
from telqc.workforce import service
from telqc.workforce import staffing as st
from telqc.workforce.erlang import evaluate
from telqc.workforce.models import Roster, RosterShift, ShiftTemplate, Staff

SLOTS = service.SLOTS
RATIO_BOUNDS = (0.5, 2.0)
MIN_ELAPSED = 2  # intervals of today before the re-forecast trusts the day's ratio


# Templates and staff --------------------------------------------------------------------------------------------


def create_template(ctx: Ctx, data: s.TemplateIn) -> ShiftTemplate:
    if data.latest_start_min < data.earliest_start_min:
        raise Invalid("workforce.error.start_window", field="body.latest_start_min")
    if data.lunch_min and not (data.lunch_earliest_min <= data.lunch_latest_min
                               and data.lunch_latest_min + data.lunch_min <= data.length_min):
        raise Invalid("workforce.error.lunch_window", field="body.lunch_latest_min")
    if data.lunch_earliest_min % 30 or data.lunch_latest_min % 30:
        raise Invalid("workforce.error.lunch_window", field="body.lunch_earliest_min")
    if data.lunch_latest_min < data.lunch_earliest_min:  # the table's check holds with no lunch too
        raise Invalid("workforce.error.lunch_window", field="body.lunch_latest_min")
    if data.break_latest_min < data.break_earliest_min:
        raise Invalid("workforce.error.break_window", field="body.break_latest_min")
    if data.break_min:
        if data.break_latest_min + data.break_min > data.length_min:
            raise Invalid("workforce.error.break_window", field="body.break_latest_min")
        if not any(p.break_start_min is not None for p in rs.patterns([rs.Template(0, **data.model_dump())])):
            raise Invalid("workforce.error.break_lunch", field="body.break_earliest_min")
    if repo.template_named(ctx.session, data.name) is not None:
        raise Conflict("workforce.error.template_exists", field="body.name")
    t = ShiftTemplate(**data.model_dump())
    ctx.session.add(t)
    ctx.session.flush()
    ctx.audit("workforce.template_created", "wfm_shift_template", t.id, **data.model_dump())
    return t


def create_staff(ctx: Ctx, data: s.StaffIn) -> Staff:
    if data.user_id is not None:
        if ctx.session.get(User, data.user_id) is None:
            raise Invalid("error.not_found", field="body.user_id", what="w.user")
        if ctx.session.scalar(select(Staff.id).where(Staff.user_id == data.user_id)) is not None:
            raise Conflict("workforce.error.staff_exists", field="body.user_id")
    skills = sorted({*(c.value for c in data.skills), data.primary_channel.value})
    p = Staff(name=data.name, user_id=data.user_id, skills=skills, primary_channel=data.primary_channel.value,
              available_weekdays=sorted(set(data.available_weekdays)), max_shifts_per_week=data.max_shifts_per_week,
              max_consecutive_days=data.max_consecutive_days, active=True)
    ctx.session.add(p)
    ctx.session.flush()
    ctx.audit("workforce.staff_created", "wfm_staff", p.id, name=p.name, primary_channel=p.primary_channel,
              skills=skills, weekdays=p.available_weekdays, max_shifts_per_week=p.max_shifts_per_week,
              max_consecutive_days=p.max_consecutive_days)
    return p


def templates(ctx: Ctx) -> list[ShiftTemplate]:
    return repo.templates(ctx.session)


def staff(ctx: Ctx) -> list[Staff]:
    return repo.staff(ctx.session, active_only=False)


# Rosters --------------------------------------------------------------------------------------------------------


def build_roster(ctx: Ctx, data: s.RosterIn, time_limit_s: float = 50.0) -> tuple[Roster, rs.Result]:
    f = service.get_forecast(ctx, data.forecast_id)
    start = data.start_date or f.start_date
    if start < f.start_date or (start - f.start_date).days + data.days > f.days:
        raise Invalid("workforce.error.outside_forecast", field="body.days")
    templates = repo.templates(ctx.session)
    if not templates:
        raise Invalid("workforce.error.no_templates", field="body.forecast_id")
    people = repo.staff(ctx.session)
    channels = sorted({c for p in people for c in (*p.skills, p.primary_channel)} & set(f.channels))
    if not channels:
        raise Invalid("workforce.error.no_staff", field="body.forecast_id")
    req = {ch: service.requirement(ctx, f, ch, start, data.days) for ch in channels}
    days = [start + timedelta(days=i) for i in range(data.days)]
    previous = published_before(ctx, start)
    following = published_after(ctx, start + timedelta(days=data.days))
    result = rs.solve(days, req, [_engine_template(t) for t in templates], [_person(p) for p in people],
                      time_limit_s=time_limit_s, previous=previous, following=following)
    r = Roster(created_at=ctx.now(), created_by=ctx.principal.user_id if ctx.principal else None, forecast_id=f.id,
               start_date=start, days=data.days, solver=service.SOLVER, status=result.status,
               under_intervals=result.under, over_intervals=result.over, solve_s=round(result.solve_s, 3),
               unplaced=[{"day": u.day.isoformat(), "skills": list(u.skills), "template_id": u.planned.template_id,
                          "start_min": u.planned.start_min, "length_min": u.planned.length_min,
                          "placed_start_min": u.placed.start_min if u.placed else None, "staff_id": u.person_id}
                         for u in result.unplaced])
    ctx.session.add(r)
    ctx.session.flush()
    ctx.session.add_all(RosterShift(roster_id=r.id, staff_id=x.person_id, channel=x.channel, day=x.day,
                                    template_id=x.pattern.template_id, start_min=x.pattern.start_min,
                                    length_min=x.pattern.length_min, lunch_start_min=x.pattern.lunch_start_min,
                                    lunch_min=x.pattern.lunch_min, break_start_min=x.pattern.break_start_min,
                                    break_min=x.pattern.break_min) for x in result.shifts)
    ctx.audit("workforce.roster_built", "wfm_roster", r.id, forecast_id=f.id, start=start.isoformat(),
              days=data.days, shifts=len(result.shifts), under=result.under, over=result.over,
              dropped=result.dropped, retimed=result.retimed, carried_in=len(previous), carried_after=len(following),
              status=result.status)
    return r, result


BOUNDARY_DAYS = 13  # the longest run of days in a row a person may be allowed (`StaffIn.max_consecutive_days`)


def in_force(ctx: Ctx, day: date) -> list[rs.Shift]:
    """The shifts of `day` in the newest roster covering it (as the intraday view reads them)."""
    r = repo.latest_roster_for(ctx.session, day)
    if r is None:
        return []
    return [rs.Shift(x.staff_id, x.channel, x.day, _pattern(x)) for x in repo.shifts(ctx.session, r.id, day)]


def published_before(ctx: Ctx, start: date) -> list[rs.Shift]:
    """The shifts in force on the days before `start` that a new roster from `start` must respect: the rest after
    them, the days worked in a row up to `start` and the allowance of the calendar week `start` falls in. A
    roster that overlaps a stored one keeps the stored one's days before it and replaces the rest."""
    first = min(start - timedelta(days=BOUNDARY_DAYS), start - timedelta(days=start.weekday()))
    return [x for i in range((start - first).days) for x in in_force(ctx, first + timedelta(days=i))]


def published_after(ctx: Ctx, end: date) -> list[rs.Shift]:
    """The shifts in force from `end` (the day after a new roster) on, when a roster for a later period is already
    stored: the new roster must leave the rest before them, not make the days in a row into them too many, and
    keep the allowance of the calendar week they share."""
    last = max(end + timedelta(days=BOUNDARY_DAYS), end + timedelta(days=6 - end.weekday()))
    return [x for i in range((last - end).days + 1) for x in in_force(ctx, end + timedelta(days=i))]


def get_roster(ctx: Ctx, roster_id: int) -> Roster:
    r = repo.roster(ctx.session, roster_id)
    if r is None:
        raise NotFound(what="w.wfm_roster")
    return r


def roster_for(ctx: Ctx, forecast_id: int) -> Roster | None:
    """The newest roster built on a forecast."""
    return next((r for r in repo.rosters(ctx.session) if r.forecast_id == forecast_id), None)


def roster_view(ctx: Ctx, r: Roster) -> s.RosterOut:
    out = s.RosterOut.model_validate(r)
    out.shifts = len(repo.shifts(ctx.session, r.id))
    out.coverage = skill_summary(ctx, r)
    rows = unplaced(ctx, r)
    out.dropped = [u for u in rows if u.placed_start is None]
    out.retimed = [u for u in rows if u.placed_start is not None]
    return out


WEEKDAY_ZH = "一二三四五六日"


def unplaced(ctx: Ctx, r: Roster) -> list[s.UnplacedOut]:
    """The roster's dropped and re-timed shifts as the planner reads them: staff and template names, the pool's
    channels in Chinese, local (Beijing) times, one sentence each."""
    if not r.unplaced:
        return []
    tz = service.zone(ctx)
    names = {p.id: p.name for p in repo.staff(ctx.session, active_only=False)}
    tnames = {t.id: t.name for t in repo.templates(ctx.session)}

    def at(day: date, minutes: int) -> datetime:
        return datetime.combine(day, time(0), tzinfo=tz) + timedelta(minutes=minutes)

    def span(day: date, a: datetime, b: datetime) -> str:
        return f"{a:%H:%M}–{'次日 ' if b.date() > day else ''}{b:%H:%M}"

    out = []
    for u in r.unplaced:
        day = date.fromisoformat(u["day"])
        a, b = at(day, u["start_min"]), at(day, u["start_min"] + u["length_min"])
        template = tnames.get(u["template_id"], "—")
        skills = [i18n.t(f"channel.{k}", "zh-CN") for k in u["skills"]]
        head = f"{day:%m-%d}（周{WEEKDAY_ZH[day.weekday()]}）{template} {span(day, a, b)}（{'、'.join(skills)}）"
        if u["placed_start_min"] is None:
            out.append(s.UnplacedOut(day=day, template=template, skills=skills, planned_start=a, planned_end=b,
                                     text=f"{head}未能排人：在 11 小时休息、连续工作天数和每周班次的限制内无人可上"))
            continue
        pa, pb = at(day, u["placed_start_min"]), at(day, u["placed_start_min"] + u["length_min"])
        who = names.get(u["staff_id"], "—")
        out.append(s.UnplacedOut(day=day, template=template, skills=skills, planned_start=a, planned_end=b,
                                 placed_start=pa, placed_end=pb, staff=who,
                                 text=f"{head}改为 {span(day, pa, pb)}，由{who}上班（保证 11 小时休息）"))
    return out


def shifts(ctx: Ctx, r: Roster, day: date | None = None) -> list[RosterShift]:
    return repo.shifts(ctx.session, r.id, day)


def _pattern(x: RosterShift) -> rs.Pattern:
    return rs.Pattern(x.template_id, x.start_min, x.length_min, x.lunch_start_min, x.lunch_min, x.break_start_min,
                      x.break_min or 0)


def _engine_template(t: ShiftTemplate) -> rs.Template:
    return rs.Template(t.id, t.name, t.length_min, t.earliest_start_min, t.latest_start_min, t.lunch_min,
                       t.lunch_earliest_min, t.lunch_latest_min, t.break_min or 0, t.break_earliest_min or 0,
                       t.break_latest_min or 0)


def _person(p: Staff) -> rs.Person:
    return rs.Person(p.id, p.primary_channel, frozenset(p.available_weekdays), p.max_shifts_per_week,
                     frozenset(p.skills or ()), p.max_consecutive_days)


def skill_coverage(ctx: Ctx, r: Roster) -> dict[str, np.ndarray]:
    return skill_view(ctx, r)[0]


def skill_summary(ctx: Ctx, r: Roster,
                  view: tuple[dict[str, np.ndarray], dict[str, np.ndarray]] | None = None) -> list[s.SkillCoverageOut]:
    """Per skill: agent-intervals required, covered, short and over across the roster."""
    cov, req = view or skill_view(ctx, r)
    return [s.SkillCoverageOut(skill=k, required=float(req[k].sum()),
                               covered=float(np.minimum(cov[k], req[k]).sum()),
                               short=float(np.maximum(req[k] - cov[k], 0).sum()),
                               over=float(np.maximum(cov[k] - req[k], 0).sum())) for k in sorted(cov)]


def skill_view(ctx: Ctx, r: Roster) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Heads covering each skill per (day, slot) of the roster: the stored shifts, the staff's skills and the
    forecast's requirement through the same per-interval skill flow the optimiser reports (a person on the
    floor counts on one skill per interval; overnight shifts cover the next day's early intervals)."""
    f = service.get_forecast(ctx, r.forecast_id)
    days = [r.start_date + timedelta(days=i) for i in range(r.days)]
    rows = repo.shifts(ctx.session, r.id)
    people = {p.id: p for p in repo.staff(ctx.session, active_only=False)}
    skills = sorted({c for x in rows if x.staff_id in people
                     for c in (*people[x.staff_id].skills, people[x.staff_id].primary_channel)}
                    | {x.channel for x in rows})
    req = {ch: (service.requirement(ctx, f, ch, r.start_date, r.days) if ch in f.channels
                else np.zeros((r.days, SLOTS))) for ch in skills}
    # the night shift of the day before is still on the floor on the first morning (the optimiser counted it)
    spill = [x for x in in_force(ctx, r.start_date - timedelta(days=1)) if x.pattern.overnight]
    shifts = [*spill, *(rs.Shift(x.staff_id, x.channel, x.day, _pattern(x)) for x in rows)]
    persons = [_person(people[x.person_id]) if x.person_id in people
               else rs.Person(x.person_id, x.channel, frozenset(range(7))) for x in shifts]
    cov, _ = rs.assign_skills(shifts, days, req, list({p.id: p for p in persons}.values()))
    return cov, req


def coverage(ctx: Ctx, r: Roster, channel: str) -> np.ndarray:
    """Heads covering `channel` per (day, slot) of the roster."""
    return skill_coverage(ctx, r).get(channel, np.zeros((r.days, SLOTS)))


# Intraday -------------------------------------------------------------------------------------------------------


def intraday(ctx: Ctx, channel: str, day: date | None = None) -> s.IntradayOut:
    tz = service.zone(ctx)
    day = day or service.local_today(ctx)
    starts = service.slot_starts(day, tz)
    now = ctx.now()
    f = repo.latest_forecast_for(ctx.session, day)
    pts = {p.interval_start: p for p in repo.points(ctx.session, f.id, channel, starts[0],
                                                    starts[-1] + timedelta(minutes=30))} if f else {}
    if not pts:
        return s.IntradayOut(channel=channel, day=day, forecast_id=f.id if f else None, roster_id=None, ratio=None,
                             rows=[], suggestions=["当日没有该渠道的预测，请先生成预测。"])
    plan = np.array([pts[t].contacts if t in pts else 0.0 for t in starts])
    aht = np.array([pts[t].aht_s if t in pts else service.DEFAULT_AHT_S for t in starts])
    h = service.history(ctx, channel, day, 1)
    elapsed = np.array([t + timedelta(minutes=30) <= now for t in starts])
    done = elapsed & h.known[0]
    ratio = None
    if done.sum() >= MIN_ELAPSED and plan[done].sum() > 0:
        ratio = float(np.clip(h.offered[0][done].sum() / plan[done].sum(), *RATIO_BOUNDS))
    handled_today = h.handled[0][done].sum()
    if handled_today >= 20:  # today's handle time against the profile's, once there is enough of it
        planned_s = float((aht[done] * h.handled[0][done]).sum())
        aht_ratio = float(np.clip(h.handle_s[0][done].sum() / planned_s, *RATIO_BOUNDS)) if planned_s else 1.0
        aht = np.where(elapsed, aht, aht * aht_ratio)
    refc = np.where(done, h.offered[0], plan * (ratio or 1.0))
    needed = st.requirement(refc, aht, service.rules_for(ctx, channel)).scheduled.astype(int)
    r = repo.latest_roster_for(ctx.session, day)
    cov = coverage(ctx, r, channel)[(day - r.start_date).days].astype(int) if r else np.zeros(SLOTS, dtype=int)
    lunches = np.zeros(SLOTS, dtype=int)
    if r:
        for x in repo.shifts(ctx.session, r.id, day):
            if x.channel == channel and x.lunch_start_min is not None:
                lunches[x.lunch_start_min // 30:(x.lunch_start_min + x.lunch_min) // 30] += 1
            if x.channel == channel:  # a short break can be moved like lunch
                for k in _pattern(x).break_slots():
                    if k < SLOTS:
                        lunches[k] += 1
    gap = cov - needed
    rows = [s.GapRow(interval=t, forecast=round(float(plan[k]), 1), reforecast=round(float(refc[k]), 1),
                     actual=int(h.offered[0][k]) if done[k] else None, needed=int(needed[k]), rostered=int(cov[k]),
                     gap=int(gap[k])) for k, t in enumerate(starts)]
    return s.IntradayOut(channel=channel, day=day, forecast_id=f.id if f else None, roster_id=r.id if r else None,
                         ratio=ratio, rows=rows,
                         suggestions=suggestions(channel, gap, lunches, elapsed, [t.astimezone(tz) for t in starts]))


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    out, k = [], 0
    while k < len(mask):
        if mask[k]:
            j = k
            while j < len(mask) and mask[j]:
                j += 1
            out.append((k, j))
            k = j
        else:
            k += 1
    return out


def suggestions(channel: str, gap: np.ndarray, lunches: np.ndarray, elapsed: np.ndarray,
                local_starts: list[datetime]) -> list[str]:
    """What the supervisor can do about each stretch of the rest of the day that is short or over."""
    def span(a: int, b: int) -> str:
        end = local_starts[b - 1] + timedelta(minutes=30)
        return f"{local_starts[a]:%H:%M}–{end:%H:%M}"

    out = []
    for a, b in _runs((gap < 0) & ~elapsed):
        short = int(-gap[a:b].min())
        tips = []
        moved = int(lunches[a:b].max()) if b > a else 0
        if moved:
            tips.append(f"将 {min(moved, short)} 人的午休或小休移出该时段")
        if short > moved:
            tips.append(f"安排 {short - min(moved, short)} 人加班或调用弹性坐席")
        if channel == "hotline":
            tips.append("IVR 提示预约回呼，高峰后集中回拨")
        out.append(f"{span(a, b)} 缺口最多 {short} 人：" + "；".join(tips))
    for a, b in _runs((gap >= 2) & ~elapsed):
        if b - a >= 2:
            out.append(f"{span(a, b)} 富余最多 {int(gap[a:b].max())} 人：可安排培训、质检辅导或回访")
    return out or ["余下时段人力与需求匹配，无需调整。"]


def what_if(ctx: Ctx, data: s.WhatIfIn) -> s.WhatIfOut:
    """Agents needed and service level for changed volume, AHT, target or shrinkage. Changes nothing."""
    rules = st.what_if(service.rules_for(ctx, data.channel.value), service_level_target=data.service_level_target,
                       answer_time_s=data.answer_time_s,
                       shrinkage=Fraction(str(data.shrinkage)) if data.shrinkage is not None else None)
    needed = st.interval(data.calls, data.aht_s, rules)
    agents = needed.agents if data.agents is None else data.agents
    at = evaluate(st.case_for(data.calls, data.aht_s, rules), agents)
    return s.WhatIfOut(channel=data.channel.value, model=rules.model, agents_needed=needed.agents,
                       scheduled_needed=needed.agents_scheduled, agents=agents, service_level=at.service_level,
                       asa_s=at.asa_s if at.asa_s != float("inf") else 1e9, occupancy=at.occupancy,
                       abandon_probability=at.abandon_probability,
                       meets_target=at.service_level >= rules.service_level_target)
