"""Manager dashboard: KPI tiles against targets, trends, a province heat grid, channel mix, complaint
categories over time, and drill-down tile → breakdown → the orders behind the number."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response

from telqc.api.deps import CtxDep, require
from telqc.core.context import Ctx
from telqc.core.errors import DomainError
from telqc.core.i18n import is_key, t
from telqc.core.rbac import Perm, Principal
from telqc.metrics import registry, service
from telqc.metrics.reports import fmt
from telqc.metrics.schemas import FilterParams, default_range
from telqc.orders import service as order_service
from telqc.web.render import render, render_error, viewer_of

router = APIRouter(include_in_schema=False)
NAV = [(Perm.metrics_read, "/metrics", "ui.metrics")]
Read = Annotated[Principal, require(Perm.metrics_read)]
Filters = Annotated[FilterParams, Depends()]

TILES = ("complaint_rate", "csat", "nps", "service_level", "abandonment_rate", "aht", "fcr", "sla_compliance",
         "timely_complaint_handling", "qa_score")
CHANNEL_ZH = {"hotline": "热线", "app": "APP", "web": "网站", "wechat": "微信", "store": "营业厅", "social": "社交媒体"}
def link_query(filters: dict[str, list[str]], **extra: Any) -> str:
    """A drill link's query: the page's filters as repeated parameters (?province=440000&city=440100), each of
    `extra` replacing its dimension's filter (a list as it is would be written as "['440000']" and filter
    on nothing)."""
    merged = {**filters, **{k: [str(v)] for k, v in extra.items()}}
    return urlencode([(k, v) for k, values in merged.items() for v in values])


BREAKDOWN_DIMS = ("city", "province", "category", "channel", "team", "tier", "area_type", "agent")


@router.get("/metrics", response_class=HTMLResponse)
def dashboard(request: Request, ctx: CtxDep, _: Read,
              start: Annotated[date | None, Query(alias="from")] = None,
              end: Annotated[date | None, Query(alias="to")] = None) -> Response:
    start, end = default_range(ctx, start, end)
    view = service.view(ctx, service.Query(kpis=list(TILES), start=start, end=end, period="day"))
    names = service.region_names(ctx.session)
    prov = service.series(ctx, "complaint_rate", start, end, "day", ["province"], {})
    channels = service.view(ctx, service.Query(kpis=["offered"], start=start, end=end, group_by=["channel"]))
    cats = service.series(ctx, "complaint_rate", start, end, "day", ["category"], {})
    label = _labeller(request, ctx)  # the legend by name (投诉 · 网络质量), not complaint.network
    days = sorted({p for s in prov.values() for p, _ in s} | {p for s in cats.values() for p, _ in s})
    charts = {
        "trend": {k["name"]: {"zh": k["zh"], "points": k["trend"]} for k in view["kpis"]},
        "heat": {"days": days, "provinces": [names.get(g[0], g[0]) for g in prov],
                 "cells": [[days.index(p), i, v] for i, s in enumerate(prov.values()) for p, v in s if v is not None]},
        "channels": [{"name": CHANNEL_ZH.get(g["key"]["channel"], g["key"]["channel"] or "?")
                      if ctx.lang == "zh-CN" else g["key"]["channel"], "value": g["value"]}
                     for g in channels["kpis"][0]["groups"]],
        "categories": {"days": days, "series": [{"name": label("category", g[0]),
                                                 "data": [dict(s).get(d) for d in days]} for g, s in cats.items()]},
    }
    return render(request, "metrics/dashboard.html", view=view, fmt=fmt, charts=charts, start=start, end=end)


@router.get("/metrics/kpi/{name}", response_class=HTMLResponse)
def breakdown(request: Request, ctx: CtxDep, _: Read, name: str, f: Filters, by: str = "city",
              start: Annotated[date | None, Query(alias="from")] = None,
              end: Annotated[date | None, Query(alias="to")] = None) -> Response:
    start, end = default_range(ctx, start, end)
    kpi = registry.get(name)
    if kpi is None:
        return render_error(request, 404, name)
    # only the dimensions the rollups can cross with the filters in force (a supervisor's province scope
    # cannot be cut by team): a tab that would answer "不支持该维度组合" is not offered
    dims = service.cuttable(ctx, kpi, [d for d in BREAKDOWN_DIMS if d in kpi.dims and d not in f.filters],
                            f.filters)
    by = by if by in dims else (dims[0] if dims else "")
    try:
        view = service.view(ctx, service.Query(kpis=[name], start=start, end=end, group_by=[by] if by else [],
                                               filters=f.filters))
    except DomainError as e:
        return render_error(request, e.status, e.message(ctx.lang))
    label = _labeller(request, ctx)
    names = {**service.region_names(ctx.session),
             **{str(g["key"][by]): label(by, g["key"][by]) for g in view["kpis"][0]["groups"] if by}}
    return render(request, "metrics/breakdown.html", k=view["kpis"][0], kpi=kpi, by=by, dims=dims, fmt=fmt,
                  names=names, label=label, filters=f.filters, start=start, end=end, drill=name in service._DRILL,
                  q=link_query)


def _labeller(request: Request, ctx: Ctx) -> Callable[[str, object], str]:
    """A breakdown group's name by its dimension: 广州市, 投诉 · 网络质量, 热线, 金卡, 城区, a team or an agent by
    name (the audit found complaint.billing, hotline, gold, rural and bare team and agent numbers)."""
    viewer = viewer_of(request)
    regions = service.region_names(ctx.session)
    categories = order_service.category_names(ctx)
    catalogue = {"channel": "channel", "tier": "tier", "area_type": "area"}

    def label(dim: str, code: object) -> str:
        if code is None or code == "":
            return "—"
        value = str(code)
        if dim in ("province", "city"):
            return regions.get(value, value)
        if dim == "category":
            return categories.get(value) or (t(f"otype.{value}", ctx.lang) if is_key(f"otype.{value}") else value)
        if dim in catalogue:
            key = f"{catalogue[dim]}.{value}"
            return t(key, ctx.lang) if is_key(key) else value
        if dim == "team":
            return viewer.team(value)
        if dim == "agent":
            return viewer.person(value)
        return value

    return label


@router.get("/metrics/orders", response_class=HTMLResponse)
def orders(request: Request, ctx: CtxDep, _: Read, f: Filters, kpi: str,
           start: Annotated[date | None, Query(alias="from")] = None,
           end: Annotated[date | None, Query(alias="to")] = None) -> Response:
    start, end = default_range(ctx, start, end)
    try:
        ids = service.drill_orders(ctx, kpi, start, end, f.filters)
    except DomainError as e:
        return render_error(request, e.status, e.message(ctx.lang))
    k = registry.get(kpi)
    return render(request, "metrics/orders.html", ids=ids, kpi=k, filters=f.filters, start=start, end=end,
                  names=service.region_names(ctx.session))
