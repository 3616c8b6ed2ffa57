"""Workforce management: interval actuals, versioned forecasts, requirement, rosters, intraday gap, what-if.

Actual volumes come from the contacts domain's published columns (`contacts.read.CONTACTS`, via
`repository.contact_rows`) or from an imported switch interval report; the China holiday calendar is the SLA
engine's (`orders.read`). Forecasts are never edited: each run is a new version, and a roster names the
forecast it covers. Requirement is computed from a forecast and the queue rules when asked (it is cheap and
must follow a rule change); rosters are stored. Every change is audited.

Days and intervals are local (the operator's zone, `settings.timezone`): a 30-minute slot is a slot of the
local day the planner plans, stored as its UTC start.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from fractions import Fraction
from zoneinfo import ZoneInfo

import numpy as np
from sqlalchemy import select

from telqc.contacts.read import Channel
from telqc.core import repository as core_repo
from telqc.core.context import Ctx
from telqc.core.errors import Invalid, NotFound, PreconditionFailed
from telqc.incidents import read as incidents_read
from telqc.orders import commitments
from telqc.orders import read as orders_read
from telqc.workforce import field
from telqc.workforce import forecast as fc
from telqc.workforce import repository as repo
from telqc.workforce import schemas as s
from telqc.workforce import staffing as st
from telqc.workforce.models import Forecast, ForecastPoint, IntervalActual, KnownEvent, QueueRule

SLOTS = fc.SLOTS
METHOD = "hgb-poisson(calendar, trend) v1"
SOLVER = "highs (scipy.optimize.milp)"
DEFAULT_AHT_S = 300.0
CHANNELS = [c.value for c in Channel]
Progress = Callable[[str], None] | None


def zone(ctx: Ctx) -> ZoneInfo:
    return ZoneInfo(ctx.settings.timezone)


def local_today(ctx: Ctx) -> date:
    return ctx.now().astimezone(zone(ctx)).date()


def day_start(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC)


def slot_starts(day: date, tz: ZoneInfo) -> list[datetime]:
    local = datetime.combine(day, time(0), tzinfo=tz)
    return [(local + timedelta(minutes=30 * k)).astimezone(UTC) for k in range(SLOTS)]


def _slot_of(ts: datetime, start: date, tz: ZoneInfo) -> tuple[int, int]:
    loc = ts.astimezone(tz)
    return (loc.date() - start).days, (loc.hour * 60 + loc.minute) // 30


def calendar() -> fc.Calendar:
    return fc.Calendar(orders_read.china_days_off(), orders_read.china_makeup_days())


# Actuals --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ActualRow:
    channel: str
    interval_start: datetime
    offered: int
    handled: int
    abandoned: int
    handle_s: int
    wait_s: int


def refresh_actuals(ctx: Ctx, start: date, end: date) -> int:
    """Rebuild the interval actuals of [start, end] (local days) from contacts. Intervals an imported switch
    report covers are kept: the switch counts every call, the contact records only those that reached TelQC."""
    if end < start or (end - start).days > 366:
        raise Invalid("workforce.error.window", field="body.end")
    tz = zone(ctx)
    lo, hi = day_start(start, tz), day_start(end + timedelta(days=1), tz)
    existing = repo.actuals(ctx.session, CHANNELS, lo, hi)
    kept = {(a.channel, a.interval_start) for a in existing if a.source != "contacts"}
    for a in existing:
        if a.source == "contacts":
            ctx.session.delete(a)
    ctx.session.flush()
    buckets: dict[tuple[str, datetime], list[int]] = {}
    for channel, started, wait, talk, hold, acw, abandoned in repo.contact_rows(ctx.session, lo, hi):
        loc = started.astimezone(tz)
        key = (channel, loc.replace(minute=loc.minute // 30 * 30, second=0, microsecond=0).astimezone(UTC))
        if key in kept:
            continue
        b = buckets.setdefault(key, [0, 0, 0, 0, 0])
        b[0] += 1
        b[2] += abandoned
        b[1] += not abandoned
        b[3] += 0 if abandoned else talk + hold + acw
        b[4] += wait
    ctx.session.add_all(IntervalActual(channel=ch, interval_start=at, offered=b[0], handled=b[1], abandoned=b[2],
                                       handle_s=b[3], wait_s=b[4], source="contacts")
                        for (ch, at), b in sorted(buckets.items()))
    ctx.audit("workforce.actuals_refreshed", "wfm_interval_actuals", f"{start.isoformat()}..{end.isoformat()}",
              intervals=len(buckets), kept_imported=len(kept))
    return len(buckets)


def import_actuals(ctx: Ctx, rows: Sequence[ActualRow], source: str = "switch") -> int:
    """A switch's interval report (or the demo's): replaces the intervals it names."""
    if not rows:
        return 0
    channels = sorted({r.channel for r in rows})
    lo, hi = min(r.interval_start for r in rows), max(r.interval_start for r in rows) + timedelta(minutes=30)
    repo.delete_actuals(ctx.session, channels, lo, hi)
    ctx.session.flush()
    ctx.session.add_all(IntervalActual(channel=r.channel, interval_start=r.interval_start, offered=r.offered,
                                       handled=r.handled, abandoned=r.abandoned, handle_s=r.handle_s,
                                       wait_s=r.wait_s, source=source) for r in rows)
    ctx.audit("workforce.actuals_imported", "wfm_interval_actuals", source, intervals=len(rows), channels=channels,
              start=lo.isoformat(), end=hi.isoformat())
    return len(rows)


@dataclass(frozen=True)
class History:
    days: list[date]
    offered: np.ndarray  # (days, SLOTS)
    handled: np.ndarray
    handle_s: np.ndarray
    known: np.ndarray  # bool: an actual row exists


def history(ctx: Ctx, channel: str, start: date, days: int) -> History:
    tz = zone(ctx)
    shape = (days, SLOTS)
    off, hnd, hs, known = np.zeros(shape), np.zeros(shape), np.zeros(shape), np.zeros(shape, dtype=bool)
    for a in repo.actuals(ctx.session, [channel], day_start(start, tz), day_start(start + timedelta(days=days), tz)):
        d, k = _slot_of(a.interval_start, start, tz)
        off[d, k], hnd[d, k], hs[d, k], known[d, k] = a.offered, a.handled, a.handle_s, True
    return History(fc.day_range(start, days), off, hnd, hs, known)


def history_channels(ctx: Ctx) -> list[str]:
    return repo.actual_channels(ctx.session)


# Queue rules ----------------------------------------------------------------------------------------------------


def rules_for(ctx: Ctx, channel: str) -> st.QueueRules:
    r = repo.rule(ctx.session, channel)
    if r is None:
        return st.DEFAULT_RULES.get(channel, st.QueueRules(channel))
    return st.QueueRules(channel, r.service_level_target, r.answer_time_s, Fraction(str(r.max_occupancy)),
                         Fraction(str(r.shrinkage)), r.patience_s, r.concurrency)


def rules_view(ctx: Ctx, channel: str) -> s.RulesOut:
    q, row = rules_for(ctx, channel), repo.rule(ctx.session, channel)
    return s.RulesOut(channel=channel, service_level_target=q.service_level_target, answer_time_s=q.answer_time_s,
                      max_occupancy=float(q.max_occupancy), shrinkage=float(q.shrinkage), patience_s=q.patience_s,
                      concurrency=q.concurrency, model=q.model, stored=row is not None,
                      version=row.version if row else 0)


def set_rules(ctx: Ctx, channel: str, data: s.RulesIn, if_version: int | None = None) -> s.RulesOut:
    r = repo.rule(ctx.session, channel)
    if if_version is not None and (r.version if r else 0) != if_version:
        raise PreconditionFailed(field="header.if-match")
    before = rules_view(ctx, channel).model_dump()
    values = dict(service_level_target=data.service_level_target, answer_time_s=data.answer_time_s,
                  max_occupancy=Decimal(str(data.max_occupancy)), shrinkage=Decimal(str(data.shrinkage)),
                  patience_s=data.patience_s, concurrency=data.concurrency)
    if r is None:
        ctx.session.add(QueueRule(channel=channel, **values))
    else:
        for k, v in values.items():
            setattr(r, k, v)
    ctx.session.flush()
    after = rules_view(ctx, channel)
    ctx.audit("workforce.rules_set", "wfm_queue_rule", channel,
              changed={k: [before[k], v] for k, v in after.model_dump().items()
                       if before.get(k) != v and k not in ("stored", "version")})
    return after


# Forecast -------------------------------------------------------------------------------------------------------


MAX_EVENT_DAYS = 31
PLANNED_WORK_WEIGHT = 0.5  # a cutover moves fewer calls than a plan launch; several on one day add up


def add_event(ctx: Ctx, data: s.EventIn) -> KnownEvent:
    end = data.end_day or data.start_day
    if end < data.start_day:
        raise Invalid("workforce.error.event_days", field="body.end_day")
    if (end - data.start_day).days >= MAX_EVENT_DAYS:
        raise Invalid("workforce.error.event_long", field="body.end_day", days=MAX_EVENT_DAYS)
    e = KnownEvent(kind=data.kind, title=data.title, start_day=data.start_day, end_day=end,
                   channel=data.channel.value if data.channel else None, weight=data.weight, created_at=ctx.now(),
                   created_by=ctx.principal.user_id if ctx.principal else None)
    ctx.session.add(e)
    ctx.session.flush()
    ctx.audit("workforce.event_added", "wfm_event", e.id, kind=e.kind, start=e.start_day.isoformat(),
              end=e.end_day.isoformat(), channel=e.channel, weight=e.weight)
    return e


def remove_event(ctx: Ctx, event_id: int) -> None:
    e = ctx.session.get(KnownEvent, event_id)
    if e is None:
        raise NotFound(what="w.wfm_event")
    ctx.audit("workforce.event_removed", "wfm_event", e.id, kind=e.kind, start=e.start_day.isoformat())
    ctx.session.delete(e)
    ctx.session.flush()


def events(ctx: Ctx, start: date | None = None) -> list[KnownEvent]:
    stmt = select(KnownEvent).order_by(KnownEvent.start_day, KnownEvent.id)
    if start is not None:
        stmt = stmt.where(KnownEvent.end_day >= start)
    return list(ctx.session.scalars(stmt))


def event_regressor(ctx: Ctx, channel: str, start: date, end: date) -> dict[date, float]:
    """The forecast's event regressor per local day: the planner's events for this channel (or all channels),
    plus the planned works (割接) the incidents domain has registered, ``PLANNED_WORK_WEIGHT`` each."""
    out: dict[date, float] = {}
    rows = ctx.session.scalars(select(KnownEvent).where(KnownEvent.end_day >= start, KnownEvent.start_day <= end))
    for e in rows:
        if e.channel not in (None, channel):
            continue
        day = max(e.start_day, start)
        while day <= min(e.end_day, end):
            out[day] = out.get(day, 0.0) + e.weight
            day += timedelta(days=1)
    for day, n in incidents_read.planned_work_days(ctx.session, start, end, zone(ctx)).items():
        out[day] = out.get(day, 0.0) + PLANNED_WORK_WEIGHT * n
    return out


def run_forecast(ctx: Ctx, data: s.ForecastIn, progress: Progress = None) -> Forecast:
    """Fit on the `history_days` before the horizon (up to yesterday) and store a new forecast version."""
    today = local_today(ctx)
    start = data.start_date or today + timedelta(days=1)
    hist_end = min(start, today) - timedelta(days=1)
    hist_start = hist_end - timedelta(days=data.history_days - 1)
    channels = [c.value for c in data.channels] if data.channels else repo.actual_channels(ctx.session)
    if not channels:
        raise Invalid("workforce.error.no_history", field="body.channels")
    cal, tz = calendar(), zone(ctx)
    horizon = fc.day_range(start, data.days)
    f = Forecast(created_at=ctx.now(), created_by=ctx.principal.user_id if ctx.principal else None, method=METHOD,
                 start_date=start, days=data.days, history_start=hist_start, history_end=hist_end,
                 channels=channels, note=data.note)
    ctx.session.add(f)
    ctx.session.flush()
    totals: dict[str, float] = {}
    for ch in channels:
        h = history(ctx, ch, hist_start, data.history_days)
        if h.offered.sum() == 0:
            raise Invalid("workforce.error.no_history", field="body.channels", channel=ch)
        known = event_regressor(ctx, ch, hist_start, horizon[-1])  # history and horizon: learnt, then applied
        pred = fc.fit(h.days, h.offered, cal, known).predict(horizon)
        aht = fc.aht_profile(h.handled, h.handle_s, default_s=DEFAULT_AHT_S)
        ctx.session.add_all(ForecastPoint(forecast_id=f.id, channel=ch, interval_start=at,
                                          contacts=round(float(pred[d, k]), 3), aht_s=round(float(aht[k]), 1))
                            for d, day in enumerate(horizon) for k, at in enumerate(slot_starts(day, tz)))
        totals[ch] = round(float(pred.sum()), 1)
        if progress:
            progress(ch)
    ctx.audit("workforce.forecast_created", "wfm_forecast", f.id, start=start.isoformat(), days=data.days,
              history=[hist_start.isoformat(), hist_end.isoformat()], method=METHOD, contacts=totals)
    return f


def backtest(ctx: Ctx, channel: str, history_days: int = 60, origins: int = 4,
             progress: Callable[[], None] | None = None) -> fc.Backtest:
    """Rolling-origin backtest on the last `history_days` up to yesterday: one week held out per origin."""
    end = local_today(ctx) - timedelta(days=1)
    h = history(ctx, channel, end - timedelta(days=history_days - 1), history_days)
    try:
        return fc.backtest(h.days, h.offered, calendar(), origins=origins, progress=progress)
    except ValueError:
        raise Invalid("workforce.error.short_history", field="history_days", days=35) from None


def get_forecast(ctx: Ctx, forecast_id: int) -> Forecast:
    f = repo.forecast(ctx.session, forecast_id)
    if f is None:
        raise NotFound(what="w.wfm_forecast")
    return f


def forecasts(ctx: Ctx) -> list[Forecast]:
    return repo.forecasts(ctx.session)


def series(ctx: Ctx, forecast_id: int, channel: str, start: date | None = None, days: int | None = None
           ) -> s.SeriesOut:
    """Forecast, requirement (agents on the queue and heads after shrinkage) and actuals per interval."""
    f = get_forecast(ctx, forecast_id)
    if channel not in f.channels:
        raise Invalid("workforce.error.channel_not_forecast", field="query.channel", channel=channel)
    tz = zone(ctx)
    first = max(start or f.start_date, f.start_date)
    n = min(days or f.days, f.days - (first - f.start_date).days)
    if n <= 0:
        raise Invalid("workforce.error.outside_forecast", field="query.start")
    lo, hi = day_start(first, tz), day_start(first + timedelta(days=n), tz)
    pts = repo.points(ctx.session, f.id, channel, lo, hi)
    vol = np.array([p.contacts for p in pts])
    aht = np.array([p.aht_s for p in pts])
    req = st.requirement(vol, aht, rules_for(ctx, channel))
    act = {a.interval_start: a.offered for a in repo.actuals(ctx.session, [channel], lo, hi)}
    return s.SeriesOut(forecast_id=f.id, channel=channel, intervals=[p.interval_start for p in pts],
                       contacts=[round(float(v), 1) for v in vol], aht_s=[float(a) for a in aht],
                       agents=[int(x) for x in req.agents], scheduled=[int(x) for x in req.scheduled],
                       actual=[act.get(p.interval_start) for p in pts])


def requirement(ctx: Ctx, f: Forecast, channel: str, start: date, days: int) -> np.ndarray:
    """Heads to roster (after shrinkage) per (day, slot)."""
    ser = series(ctx, f.id, channel, start, days)
    out = np.array(ser.scheduled, dtype=float)
    if out.size != days * SLOTS:
        raise Invalid("workforce.error.outside_forecast", field="body.days")
    return out.reshape(days, SLOTS)


FIELD_HISTORY_DAYS = 28


def field_requirement(ctx: Ctx, days: int = 7, start: date | None = None) -> s.FieldOut:
    """Repair visits per city × area type for the next `days` and the engineers they need (``field``), against
    the active engineers of each province. The response limits are the SLA configuration's (published in
    服务承诺), so a changed policy changes the requirement."""
    if not 1 <= days <= 42:
        raise Invalid("workforce.error.field_days", field="query.days")
    tz = zone(ctx)
    start = start or local_today(ctx) + timedelta(days=1)
    last = min(start, local_today(ctx)) - timedelta(days=1)
    hist = orders_read.repair_orders_per_day(ctx.session, last - timedelta(days=FIELD_HISTORY_DAYS - 1), last, tz)
    limits = {c.area: c.first_response_min for c in commitments.commitments(ctx) if c.order_type == "repair"}
    horizon = fc.day_range(start, days)
    holidays = orders_read.china_days_off()
    names = core_repo.region_names(ctx.session, {c for key in hist for c in key[:2]})
    areas: list[s.FieldAreaOut] = []
    peak: dict[str, list[int]] = {}
    for (province, city, area), counts in sorted(hist.items()):
        visits = field.forecast_days(counts, last, horizon, holidays)
        response = limits.get(area, limits.get("rural", 240))
        needs = [field.engineers(v, area, response) for v in visits]
        areas.append(s.FieldAreaOut(
            province_code=province, province=names.get(province, province), city_code=city,
            city=names.get(city, city), area_type=area, response_min=response,
            visit_min=field.VISIT_MIN.get(area, field.VISIT_MIN["rural"]), history_visits=sum(counts.values()),
            days=[s.FieldDayOut(day=d, visits=round(n.visits, 2), on_duty=n.on_duty, scheduled=n.scheduled)
                  for d, n in zip(horizon, needs, strict=True)]))
        per_day = peak.setdefault(province, [0] * days)
        for i, n in enumerate(needs):
            per_day[i] += n.scheduled
    on_staff = repo.engineers_by_province(ctx.session, list(peak))
    provinces = [s.FieldProvinceOut(province_code=p, province=names.get(p, p), engineers=on_staff.get(p, 0),
                                    scheduled_peak=max(v)) for p, v in sorted(peak.items())]
    return s.FieldOut(start_date=start, days=days, areas=areas, provinces=provinces)
