"""营业厅现场检查与暗访 (issue 19 §5): a store's visits scored by hand on the visit card.

The card is fixed in code and versioned (`CARD_VERSION`): a change is a new version, and each visit keeps the
version it was scored on. Every item must be scored, within its points; a lost point needs a finding; an item
marked fatal (only those the card allows) makes the visit 0. Visits are read within the caller's region scope
(the store's province). `summary` is the store-visit section of the QA report: average by store, top lost items.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from telqc.core.context import Ctx
from telqc.core.errors import Conflict, Invalid, NotFound
from telqc.inspection import schemas as s
from telqc.inspection.models import Store, StoreVisit

CARD_VERSION = "visit-v1"


@dataclass(frozen=True)
class VisitItem:
    code: str
    name: str
    points: float
    may_be_fatal: bool = False


CARD: tuple[VisitItem, ...] = (
    VisitItem("appearance", "仪容仪表", 10),
    VisitItem("greeting", "主动迎接", 15),
    VisitItem("accuracy", "业务办理准确", 30, may_be_fatal=True),
    VisitItem("upsell", "二次营销规范", 20, may_be_fatal=True),
    VisitItem("tidiness", "环境整洁", 10),
    VisitItem("wait_time", "等候时长", 15),
)
BY_CODE = {i.code: i for i in CARD}


def score_items(items: dict[str, s.VisitItemIn]) -> tuple[dict[str, Any], float, bool]:
    """Check each item against the card and total it; 422 names the first bad item (pure)."""
    for code in items:
        if code not in BY_CODE:
            raise Invalid("qa.sv.unknown_item", field=f"body.items.{code}", item=code)
    out: dict[str, Any] = {}
    fatal = False
    for it in CARD:
        got = items.get(it.code)
        field = f"body.items.{it.code}"
        if got is None:
            raise Invalid("qa.sv.missing_item", field=field, item=it.name)
        if got.score > it.points:
            raise Invalid("qa.sv.over_points", field=f"{field}.score", item=it.name, points=it.points)
        if got.fatal and not it.may_be_fatal:
            raise Invalid("qa.sv.not_fatal", field=f"{field}.fatal", item=it.name)
        if (got.score < it.points or got.fatal) and not got.finding.strip():
            raise Invalid("qa.sv.finding_needed", field=f"{field}.finding", item=it.name)
        fatal = fatal or got.fatal
        out[it.code] = {"score": got.score, "max": it.points, "finding": got.finding.strip(), "fatal": got.fatal}
    total = 0.0 if fatal else round(sum(v["score"] for v in out.values()), 1)
    return out, total, fatal


def _store(ctx: Ctx, store_id: int) -> Store:
    store = ctx.session.get(Store, store_id)
    if store is None or (ctx.principal and not ctx.principal.sees_region(store.province_code)):
        raise NotFound(what="w.store")
    return store


def create_store(ctx: Ctx, data: s.StoreIn) -> s.StoreOut:
    if ctx.session.scalar(select(Store.id).where(Store.name == data.name)) is not None:
        raise Conflict("qa.sv.store_exists", field="body.name")
    if ctx.principal and not ctx.principal.sees_region(data.province_code):
        raise Invalid("qa.sv.out_of_scope", field="body.province_code")
    store = Store(name=data.name, province_code=data.province_code, city_code=data.city_code, created_at=ctx.now())
    ctx.session.add(store)
    ctx.session.flush()
    ctx.audit("store.created", "store", store.id, name=store.name, province_code=store.province_code)
    return s.StoreOut.model_validate(store, from_attributes=True)


def stores(ctx: Ctx) -> list[s.StoreOut]:
    q = select(Store).order_by(Store.province_code, Store.name)
    scope = ctx.principal.region_scope if ctx.principal else None
    if scope is not None:
        q = q.where(Store.province_code.in_(scope))
    return [s.StoreOut.model_validate(x, from_attributes=True) for x in ctx.session.scalars(q)]


def record(ctx: Ctx, data: s.VisitIn) -> s.VisitOut:
    store = _store(ctx, data.store_id)
    if data.visited_at > ctx.now():
        raise Invalid("qa.sv.future", field="body.visited_at")
    items, total, fatal = score_items(data.items)
    assert ctx.principal is not None
    visit = StoreVisit(store_id=store.id, kind=data.kind, visitor_id=ctx.principal.user_id,
                       visited_at=data.visited_at, card=CARD_VERSION, items=items, total=total, fatal=fatal,
                       status="scored", created_at=ctx.now())
    ctx.session.add(visit)
    ctx.session.flush()
    ctx.audit("store_visit.recorded", "store_visit", visit.id, store_id=store.id, kind=visit.kind, total=total,
              fatal=fatal)
    return s.VisitOut.model_validate(visit, from_attributes=True)


def visits(ctx: Ctx, store_id: int | None = None, since: datetime | None = None,
           until: datetime | None = None, limit: int = 200) -> list[s.VisitOut]:
    q = select(StoreVisit).join(Store, Store.id == StoreVisit.store_id)
    scope = ctx.principal.region_scope if ctx.principal else None
    if scope is not None:
        q = q.where(Store.province_code.in_(scope))
    if store_id is not None:
        q = q.where(StoreVisit.store_id == store_id)
    if since is not None:
        q = q.where(StoreVisit.visited_at >= since)
    if until is not None:
        q = q.where(StoreVisit.visited_at < until)
    rows = ctx.session.scalars(q.order_by(StoreVisit.visited_at.desc(), StoreVisit.id.desc()).limit(limit))
    return [s.VisitOut.model_validate(v, from_attributes=True) for v in rows]


def summarize(rows: list[s.VisitOut], names: dict[int, str], top: int = 3) -> s.VisitSummary:
    """Average by store (worst first) and the items that lost the most points (pure)."""
    by_store: dict[int, list[float]] = {}
    lost: dict[str, float] = {}
    for v in rows:
        by_store.setdefault(v.store_id, []).append(v.total)
        for code, it in v.items.items():
            lost[code] = lost.get(code, 0.0) + float(it["max"]) - float(it["score"])
    scores = sorted((s.StoreScore(store_id=k, name=names.get(k, str(k)), visits=len(t),
                                  average=round(sum(t) / len(t), 1)) for k, t in by_store.items()),
                    key=lambda x: (x.average, x.name))
    worst = sorted(((c, n) for c, n in lost.items() if n > 0), key=lambda x: -x[1])[:top]
    return s.VisitSummary(visits=len(rows), average=round(sum(v.total for v in rows) / len(rows), 1) if rows else None,
                          by_store=scores, top_lost=[s.LostItem(code=c, name=BY_CODE[c].name if c in BY_CODE else c,
                                                                lost=round(n, 1)) for c, n in worst])


def summary(ctx: Ctx, since: datetime | None = None, until: datetime | None = None) -> s.VisitSummary:
    rows = visits(ctx, since=since, until=until, limit=10000)
    return summarize(rows, {x.id: x.name for x in stores(ctx)})
