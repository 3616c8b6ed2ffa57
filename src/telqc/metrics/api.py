"""Metrics routes: KPI values with targets and trend, the registry, drill-down, hotspots, reports."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from telqc.api.deps import CtxDep, require
from telqc.core.rbac import Perm, Principal
from telqc.core.schemas import Day
from telqc.metrics import hotspots, registry, report_render, reports, service
from telqc.metrics.schemas import Dim, FilterParams, Period, default_range

router = APIRouter(prefix="/api/v1/metrics", tags=["metrics"])
Read = Annotated[Principal, require(Perm.metrics_read)]
Filters = Annotated[FilterParams, Depends()]


@router.get("")
def metrics(
    ctx: CtxDep, _: Read, f: Filters,
    kpi: Annotated[list[str], Query(min_length=1)],
    group_by: Annotated[list[Dim] | None, Query()] = None,
    period: Period = "day",
    start: Annotated[Day | None, Query(alias="from")] = None,
    end: Annotated[Day | None, Query(alias="to")] = None,
) -> dict[str, Any]:
    """Values, targets, traffic-light status, trend and change against the previous equal period."""
    start, end = default_range(ctx, start, end)
    return service.view(ctx, service.Query(kpis=kpi, start=start, end=end, period=period,
                                           group_by=list(group_by or []), filters=f.filters))


@router.get("/registry")
def kpi_registry(_: Read) -> list[dict[str, Any]]:
    return [{"name": k.name, "zh": k.zh, "en": k.en, "unit": k.unit, "direction": k.direction, "target": k.target,
             "target_by": k.target_by, "dimensions": ["period", *sorted(k.dims)], "definition": k.definition}
            for k in registry.KPIS]


@router.get("/orders")
def drill_orders(
    ctx: CtxDep, _: Read, f: Filters, kpi: str,
    start: Annotated[Day | None, Query(alias="from")] = None,
    end: Annotated[Day | None, Query(alias="to")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> dict[str, Any]:
    """The order ids behind a number (from metrics' own fact table)."""
    start, end = default_range(ctx, start, end)
    return {"kpi": kpi, "order_ids": service.drill_orders(ctx, kpi, start, end, f.filters, limit)}


@router.get("/hotspots")
def complaint_hotspots(
    ctx: CtxDep, _: Read,
    start: Annotated[Day | None, Query(alias="from")] = None,
    end: Annotated[Day | None, Query(alias="to")] = None,
) -> dict[str, Any]:
    start, end = default_range(ctx, start, end)
    return hotspots.report(ctx, start, end)


@router.get("/reports/{period}")
def download_report(
    ctx: CtxDep, _: Annotated[Principal, require(Perm.reports_read)], period: Literal["daily", "weekly", "monthly"],
    day: Annotated[Day | None, Query(description="any day inside the period; default yesterday")] = None,
    format: Literal["xlsx", "pdf"] = "xlsx",
) -> Response:
    rep = reports.build(ctx, period, day)
    data, media = ((report_render.to_xlsx(rep), report_render.XLSX) if format == "xlsx"
                   else (report_render.to_pdf(rep), "application/pdf"))
    name = f"service-quality-{period}-{rep.label}.{format}"
    return Response(data, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}"'})
