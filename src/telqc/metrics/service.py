"""KPI values for the API, dashboards and reports — always from rollups through the registry."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from telqc.core.context import Ctx
from telqc.core.errors import Invalid
from telqc.core.models import Region
from telqc.metrics import ingest, registry, rollup, sources, sql
from telqc.metrics.models import MetricFact, SubscriberBase
from telqc.metrics.registry import KPI, SUBSCRIBER_BASE_DIMS

Filters = Mapping[str, Sequence[str]]


@dataclass
class Query:
    kpis: list[str]
    start: date                      # first local day, inclusive
    end: date                        # last local day, inclusive
    period: str = "day"
    group_by: list[str] = field(default_factory=list)
    filters: dict[str, list[str]] = field(default_factory=dict)


def tz_of(ctx: Ctx) -> ZoneInfo:
    return ZoneInfo(ctx.settings.timezone)


def local_today(ctx: Ctx) -> date:
    """The operator's calendar day now: KPIs are cut by local days (after 16:00 UTC Beijing is a day ahead)."""
    return ctx.now().astimezone(tz_of(ctx)).date()


def resolve(names: Sequence[str], group_by: Sequence[str], filters: Filters) -> list[KPI]:
    """Known KPIs cut only by dimensions they allow; otherwise a clear error naming the field."""
    out = []
    for name in names:
        kpi = registry.get(name)
        if kpi is None:
            raise Invalid("metrics.error.kpi_unknown", field="query.kpi", kpi=name)
        bad = [d for d in [*group_by, *filters] if d not in kpi.dims]
        if bad:
            raise Invalid("metrics.error.dim_not_allowed", field="query.group_by", kpi=name, dim=bad[0])
        out.append(kpi)
    return out


def _subscribers(session: Session, group_by: Sequence[str], filters: Filters) -> dict[tuple[str, ...], float]:
    geo = [d for d in group_by if d in SUBSCRIBER_BASE_DIMS]
    cols = [getattr(SubscriberBase, registry.DIMENSIONS[d]) for d in geo]
    stmt = select(*cols, func.sum(SubscriberBase.subscribers)).group_by(*cols)
    for dim, values in filters.items():
        if dim in SUBSCRIBER_BASE_DIMS:
            stmt = stmt.where(getattr(SubscriberBase, registry.DIMENSIONS[dim]).in_(list(values)))
    return {tuple(str(v) for v in row[:-1]): float(row[-1] or 0) for row in session.execute(stmt)}


@dataclass
class Values:
    """KPI values of every cell of one read: keys, and per KPI a column (NaN = no value) and the rows
    where any of its parts occurred (a KPI is absent, not zero, where it has no data)."""

    keys: list[rollup.GroupKey]
    values: dict[str, np.ndarray]
    present: dict[str, np.ndarray]

    def as_dicts(self) -> dict[str, dict[rollup.GroupKey, float | None]]:
        out: dict[str, dict[rollup.GroupKey, float | None]] = {}
        for name, vals in self.values.items():
            out[name] = {k: (None if v != v else v) for k, v, m in
                         zip(self.keys, vals.tolist(), self.present[name].tolist(), strict=True) if m}
        return out


def kpi_values(kpis: Sequence[KPI], frame: rollup.Frame, subscribers: np.ndarray | None = None) -> Values:
    """Every KPI over every cell of a frame of parts, column-wise through the registry formulas."""
    cols = frame.columns()
    if subscribers is not None:
        cols["subscribers"] = subscribers
    n = len(frame)
    return Values(frame.keys, {k.name: k.values(cols, n) for k in kpis},
                  {k.name: frame.present([p for p in k.parts if p != "subscribers"]) for k in kpis})


def compute(session: Session, kpis: Sequence[KPI], start: datetime, end: datetime, *, period: str | None,
            group_by: Sequence[str], filters: Filters, tz: ZoneInfo) -> Values:
    """KPI columns per (period label, group) over [start, end): one rollup read for all the KPIs."""
    parts = sorted({p for k in kpis for p in k.parts if p != "subscribers"})
    try:
        frame = rollup.read(session, parts, start, end, period=period, group_by=group_by, filters=filters, tz=tz)
    except rollup.UnsupportedCut as e:
        raise Invalid("metrics.error.cut", field="query.group_by", dims=str(e)) from e
    subs = None
    if any(k.needs_subscribers for k in kpis):
        base = _subscribers(session, group_by, filters)
        geo_idx = [i for i, d in enumerate(group_by) if d in SUBSCRIBER_BASE_DIMS]
        subs = np.array([base.get(tuple(g[i] for i in geo_idx), 0.0) for _, g in frame.keys], dtype=float)
    return kpi_values(kpis, frame, subs)


def evaluate(session: Session, kpis: Sequence[KPI], start: datetime, end: datetime, *, period: str | None,
             group_by: Sequence[str], filters: Filters, tz: ZoneInfo) -> dict[str, dict[rollup.GroupKey, float | None]]:
    """KPI values per (period label, group) over [start, end) from rollup parts."""
    return compute(session, kpis, start, end, period=period, group_by=group_by, filters=filters, tz=tz).as_dicts()


def _window(q: Query, tz: ZoneInfo) -> tuple[datetime, datetime, datetime]:
    if q.end < q.start:
        raise Invalid("metrics.error.range", field="query.to")
    start = rollup.local_midnight(q.start, tz)
    end = rollup.local_midnight(q.end + timedelta(days=1), tz)
    prev = rollup.local_midnight(q.start - (q.end - q.start) - timedelta(days=1), tz)
    return start, end, prev


def scoped_filters(ctx: Ctx, filters: Filters) -> dict[str, list[str]]:
    """A provincial manager sees only their provinces (data scope from the principal)."""
    out = {k: list(v) for k, v in filters.items() if v}
    scope = ctx.principal.region_scope if ctx.principal else None
    if scope is not None:
        asked = out.get("province")
        out["province"] = [p for p in (asked or scope) if p in scope] or ["-"]
    return out


def cuttable(ctx: Ctx, kpi: KPI, dims: Sequence[str], filters: Filters) -> list[str]:
    """The dimensions among ``dims`` the rollups can group ``kpi`` by for this viewer: their region scope is a
    filter too (a provincial supervisor cannot cut by team, no rollup holds province × team)."""
    fixed = [k for k in scoped_filters(ctx, filters) if k != "province" or "province" in kpi.dims]
    return [d for d in dims if rollup.can_cut([d, *fixed])]


def _change(value: float | None, previous: float | None) -> float | None:
    return None if value is None or previous is None else value - previous


def _tile(kpi: KPI, f: Filters, group_by: Sequence[str], cur_total: Mapping[rollup.GroupKey, float | None],
          prev_total: Mapping[rollup.GroupKey, float | None], trend: Mapping[rollup.GroupKey, float | None],
          cur: Mapping[rollup.GroupKey, float | None], prv: Mapping[rollup.GroupKey, float | None]) -> dict[str, Any]:
    empty = kpi.value({})  # no rows: 0 for counts, None (no data) for ratios
    total = cur_total.get(("all", ()), empty)
    previous = prev_total.get(("all", ()), empty)
    groups = []
    for (_, g), v in sorted(cur.items(), key=lambda kv: kv[0][1]):
        key = dict(zip(group_by, g, strict=True))
        target = kpi.target_for(key)
        pv = prv.get(("all", g))
        groups.append({"key": key, "value": v, "target": target, "status": registry.status(kpi, v, target),
                       "previous": pv, "change": _change(v, pv)})
    target = kpi.target_for({k: v[0] for k, v in f.items() if len(v) == 1} if f else None)
    return {
        "name": kpi.name, "zh": kpi.zh, "en": kpi.en, "unit": kpi.unit, "direction": kpi.direction,
        "definition": kpi.definition, "target": target, "value": total,
        "status": registry.status(kpi, total, target), "previous": previous, "change": _change(total, previous),
        "trend": [{"period": label, "value": v} for (label, _), v in sorted(trend.items())],
        "groups": groups,
    }


def _tiles(ctx: Ctx, kpis: list[KPI], f: Filters, q: Query, tz: ZoneInfo) -> dict[str, dict[str, Any]]:
    """Tiles of KPIs sharing their filters: five rollup reads in all, however many KPIs."""
    start, end, prev_start = _window(q, tz)

    def ev(s: datetime, e: datetime, period: str | None,
           group_by: Sequence[str]) -> dict[str, dict[rollup.GroupKey, float | None]]:
        return evaluate(ctx.session, kpis, s, e, period=period, group_by=group_by, filters=f, tz=tz)

    cur_total, prev_total = ev(start, end, None, []), ev(prev_start, start, None, [])
    trend = ev(start, end, q.period, [])
    cur, prv = (ev(start, end, None, q.group_by), ev(prev_start, start, None, q.group_by)) if q.group_by else ({}, {})
    return {k.name: _tile(k, f, q.group_by, cur_total[k.name], prev_total[k.name], trend[k.name],
                          cur.get(k.name, {}), prv.get(k.name, {})) for k in kpis}


def view(ctx: Ctx, q: Query) -> dict[str, Any]:
    """Values, targets, traffic lights, trend and change against the previous equal period."""
    tz = tz_of(ctx)
    if q.period not in registry.PERIODS:
        raise Invalid("metrics.error.period", field="query.period")
    filters = scoped_filters(ctx, q.filters)
    kpis = resolve(q.kpis, q.group_by, {k: v for k, v in q.filters.items() if v})
    out: dict[str, dict[str, Any]] = {}
    for has_province in (True, False):  # a KPI without a province dimension drops that filter
        same = [k for k in kpis if ("province" in k.dims) == has_province]
        if same:
            out |= _tiles(ctx, same, filters if has_province else
                          {k: v for k, v in filters.items() if k != "province"}, q, tz)
    result = [out[k.name] for k in kpis]
    return {"from": q.start.isoformat(), "to": q.end.isoformat(), "period": q.period, "group_by": q.group_by,
            "filters": filters, "kpis": result}


# Which facts stand behind a KPI's number, for drill-down to orders.
_DRILL: dict[str, tuple[str, str | None]] = {
    "complaint_rate": ("order.created", "complaint"), "escalated_complaint_rate": ("order.created", "complaint"),
    "repeat_complaint_rate": ("order.created", "complaint"), "mass_complaint": ("order.created", "complaint"),
    "timely_complaint_handling": ("order.closed", "complaint"), "closed_loop_rate": ("order.closed", "complaint"),
    "complaint_satisfaction": ("order.callback_recorded", "complaint"),
    "first_response_time": ("order.first_response", None), "first_response_p90": ("order.first_response", None),
    "field_response_time": ("order.first_response", "repair"), "resolution_time": ("order.resolved", None),
    "resolution_p90": ("order.resolved", None), "sla_compliance": ("order.resolved", None),
    "handling_accuracy": ("order.resolved", "business"),
}


def drill_orders(ctx: Ctx, kpi_name: str, start_day: date, end_day: date, filters: Filters,
                 limit: int = 200) -> list[int]:
    """Order ids behind a KPI value, read from metrics' own fact table (never the orders tables)."""
    if kpi_name not in _DRILL:
        raise Invalid("metrics.error.no_drill", field="query.kpi", kpi=kpi_name)
    tz = tz_of(ctx)
    start = rollup.local_midnight(start_day, tz)
    end = rollup.local_midnight(end_day + timedelta(days=1), tz)
    kind, typ = _DRILL[kpi_name]
    stmt = select(MetricFact.order_id).where(MetricFact.kind == kind, MetricFact.at >= start, MetricFact.at < end)
    if typ:
        stmt = stmt.where(MetricFact.order_type == typ)
    for dim, values in scoped_filters(ctx, filters).items():
        col = registry.DIMENSIONS.get(dim)
        if col is None:
            raise Invalid("metrics.error.dim_unknown", field=f"query.{dim}", dim=dim)
        vals: list[Any] = [int(v) for v in values] if col in ("team_id", "agent_id") else list(values)
        stmt = stmt.where(getattr(MetricFact, col).in_(vals))
    ids = ctx.session.scalars(stmt.order_by(MetricFact.order_id).distinct().limit(limit))
    return [int(i) for i in ids if i is not None]


def _stage(progress: Callable[[str, int], None] | None, name: str) -> Callable[[int], None] | None:
    return None if progress is None else (lambda n: progress(name, n))


def backfill(ctx: Ctx, start_day: date, end_day: date,
             progress: Callable[[str, int], None] | None = None) -> dict[str, int]:
    """Rebuild rollups of [start, end] from raw facts: contacts are imported, then every fact refolded."""
    tz = tz_of(ctx)
    start = rollup.local_midnight(start_day, tz)
    end = rollup.local_midnight(end_day + timedelta(days=1), tz)
    contacts = (("contact.closed", p, None) for p in sources.iter_contact_facts(ctx.session, start, end))
    imported = ingest.import_facts(ctx.session, contacts, ctx.now(), progress=_stage(progress, "imported"))
    folded = ingest.rebuild(ctx.session, start, end, tz, progress=_stage(progress, "folded"))
    subscribers = sources.refresh_subscriber_base(ctx.session, ctx.now(), ctx.settings.subscribers_per_customer)
    if sql.is_pg(ctx.session):
        # After a bulk load the planner must know the new sizes before autovacuum gets round to it:
        # live ingest's neighbour lookups and dashboard reads pick their index from these statistics.
        ctx.session.execute(text("ANALYZE metrics_facts"))
        ctx.session.execute(text("ANALYZE metrics_rollups"))
    ctx.audit("metrics.backfilled", "metrics", f"{start_day}..{end_day}", imported=imported, facts=folded,
              subscriber_rows=subscribers)
    return {"contacts_imported": imported, "facts_folded": folded, "subscriber_rows": subscribers}


def set_subscribers(ctx: Ctx, rows: Sequence[tuple[str, str, str, str, int]]) -> None:
    """Replace the subscriber base (province, city, area_type, tier, count) — e.g. from billing."""
    ctx.session.query(SubscriberBase).delete()
    ctx.session.add_all(SubscriberBase(province_code=p, city_code=c, area_type=a, tier=t, subscribers=n,
                                       as_of=ctx.now()) for p, c, a, t, n in rows)
    ctx.audit("metrics.subscribers_set", "metrics", "subscribers", rows=len(rows))


def facts_count(session: Session) -> dict[str, int]:
    rows = session.execute(select(MetricFact.kind, func.count()).group_by(MetricFact.kind))
    out: dict[str, int] = defaultdict(int)
    for k, n in rows:
        out[k] = int(n)
    return dict(out)


def series(ctx: Ctx, kpi_name: str, start_day: date, end_day: date, period: str, group_by: Sequence[str],
           filters: Filters) -> dict[tuple[str, ...], list[tuple[str, float | None]]]:
    """One KPI per period for each group (e.g. complaint rate by category per day) for charts."""
    tz = tz_of(ctx)
    f = scoped_filters(ctx, filters)
    kpi = resolve([kpi_name], group_by, {k: v for k, v in filters.items() if v})[0]
    if "province" not in kpi.dims:
        f.pop("province", None)
    start = rollup.local_midnight(start_day, tz)
    end = rollup.local_midnight(end_day + timedelta(days=1), tz)
    vals = evaluate(ctx.session, [kpi], start, end, period=period, group_by=group_by, filters=f, tz=tz)[kpi.name]
    out: dict[tuple[str, ...], list[tuple[str, float | None]]] = defaultdict(list)
    for (label, group), v in sorted(vals.items()):
        out[group].append((label, v))
    return dict(out)


def region_names(session: Session) -> dict[str, str]:
    return {code: name for code, name in session.execute(select(Region.code, Region.name))}


def totals(ctx: Ctx, parts: Sequence[str], start_day: date, end_day: date, filters: Filters) -> dict[str, float]:
    """Rollup parts summed over whole local days in the caller's scope, e.g. a rate's successes and trials for a
    significance test (improvement plans)."""
    tz = tz_of(ctx)
    start = rollup.local_midnight(start_day, tz)
    end = rollup.local_midnight(end_day + timedelta(days=1), tz)
    cells = rollup.read_parts(ctx.session, parts, start, end, period=None, group_by=[],
                              filters=scoped_filters(ctx, filters), tz=tz)
    out = dict.fromkeys(parts, 0.0)
    for cell in cells.values():
        for p, v in cell.items():
            out[p] += v
    return out
