"""KPI values for the API, dashboards and reports — always from rollups through the registry."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from telqc.core.context import Ctx
from telqc.core.errors import Invalid
from telqc.metrics import ingest, registry, rollup, sources
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


def evaluate(session: Session, kpis: Sequence[KPI], start: datetime, end: datetime, *, period: str | None,
             group_by: Sequence[str], filters: Filters, tz: ZoneInfo) -> dict[str, dict[rollup.GroupKey, float | None]]:
    """KPI values per (period label, group) over [start, end) from rollup parts."""
    parts = sorted({p for k in kpis for p in k.parts if p != "subscribers"})
    try:
        sums = rollup.read_parts(session, parts, start, end, period=period, group_by=group_by, filters=filters,
                                 tz=tz)
    except rollup.UnsupportedCut as e:
        raise Invalid("metrics.error.cut", field="query.group_by", dims=str(e)) from e
    base = _subscribers(session, group_by, filters) if any(k.needs_subscribers for k in kpis) else {}
    geo_idx = [i for i, d in enumerate(group_by) if d in SUBSCRIBER_BASE_DIMS]
    out: dict[str, dict[rollup.GroupKey, float | None]] = {}
    for kpi in kpis:
        vals: dict[rollup.GroupKey, float | None] = {}
        for key, p in sums.items():
            if kpi.needs_subscribers:
                p["subscribers"] = base.get(tuple(key[1][i] for i in geo_idx), 0.0)
            vals[key] = kpi.value(p)
        out[kpi.name] = vals
    return out


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


def _change(value: float | None, previous: float | None) -> float | None:
    return None if value is None or previous is None else value - previous


def view(ctx: Ctx, q: Query) -> dict[str, Any]:
    """Values, targets, traffic lights, trend and change against the previous equal period."""
    tz = tz_of(ctx)
    if q.period not in registry.PERIODS:
        raise Invalid("metrics.error.period", field="query.period")
    filters = scoped_filters(ctx, q.filters)
    kpis = resolve(q.kpis, q.group_by, {k: v for k, v in q.filters.items() if v})
    start, end, prev_start = _window(q, tz)
    result = []
    for kpi in kpis:
        f = filters if "province" in kpi.dims else {k: v for k, v in filters.items() if k != "province"}
        cur_total = evaluate(ctx.session, [kpi], start, end, period=None, group_by=[], filters=f, tz=tz)[kpi.name]
        prev_total = evaluate(ctx.session, [kpi], prev_start, start, period=None, group_by=[], filters=f,
                              tz=tz)[kpi.name]
        trend = evaluate(ctx.session, [kpi], start, end, period=q.period, group_by=[], filters=f, tz=tz)[kpi.name]
        empty = kpi.value({})  # no rows: 0 for counts, None (no data) for ratios
        total = cur_total.get(("all", ()), empty)
        previous = prev_total.get(("all", ()), empty)
        groups = []
        if q.group_by:
            cur = evaluate(ctx.session, [kpi], start, end, period=None, group_by=q.group_by, filters=f,
                           tz=tz)[kpi.name]
            prv = evaluate(ctx.session, [kpi], prev_start, start, period=None, group_by=q.group_by, filters=f,
                           tz=tz)[kpi.name]
            for (_, g), v in sorted(cur.items(), key=lambda kv: kv[0][1]):
                key = dict(zip(q.group_by, g, strict=True))
                target = kpi.target_for(key)
                pv = prv.get(("all", g))
                groups.append({"key": key, "value": v, "target": target, "status": registry.status(kpi, v, target),
                               "previous": pv, "change": _change(v, pv)})
        target = kpi.target_for(f and {k: v[0] for k, v in f.items() if len(v) == 1})
        result.append({
            "name": kpi.name, "zh": kpi.zh, "en": kpi.en, "unit": kpi.unit, "direction": kpi.direction,
            "definition": kpi.definition, "target": target, "value": total,
            "status": registry.status(kpi, total, target), "previous": previous, "change": _change(total, previous),
            "trend": [{"period": label, "value": v} for (label, _), v in sorted(trend.items())],
            "groups": groups,
        })
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


def backfill(ctx: Ctx, start_day: date, end_day: date) -> dict[str, int]:
    """Rebuild rollups of [start, end] from raw facts: contacts are imported, then every fact refolded."""
    tz = tz_of(ctx)
    start = rollup.local_midnight(start_day, tz)
    end = rollup.local_midnight(end_day + timedelta(days=1), tz)
    imported = 0
    existing = set(ctx.session.scalars(select(MetricFact.dedupe_key).where(
        MetricFact.kind == "contact.closed", MetricFact.at >= start, MetricFact.at < end)))
    batch = []
    for payload in sources.iter_contact_facts(ctx.session, start, end):
        f = ingest.make_fact("contact.closed", payload, None, ctx.now())
        if f.dedupe_key not in existing:
            batch.append(f)
            imported += 1
        if len(batch) >= 5000:
            ctx.session.add_all(batch)
            ctx.session.flush()
            batch = []
    ctx.session.add_all(batch)
    ctx.session.flush()
    folded = ingest.rebuild(ctx.session, start, end, tz)
    subscribers = sources.refresh_subscriber_base(ctx.session, ctx.now())
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
    from telqc.core.models import Region

    return {code: name for code, name in session.execute(select(Region.code, Region.name))}
