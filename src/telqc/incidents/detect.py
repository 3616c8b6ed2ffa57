"""Streaming mass-complaint detection: each watched complaint, as its `order.created` event arrives.

For one complaint (district × category): a planned work covering it explains it (linked, not counted);
else an active incident covering it absorbs it (linked; a suspected one is confirmed when the window reaches
the rule's confirmation threshold); else it is counted, and the complaint that brings the window
(`detection.Rule`: N in M minutes) to the threshold opens a suspected incident linking the window's
complaints. Exact across processes: the district × category `Detector` row is locked before anything is
read, so two relays never count the same window concurrently, and the incident's unique `open_key` backs
that up (`service.open_suspected`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from telqc.core.context import Ctx
from telqc.core.events import Event
from telqc.core.models import Region
from telqc.incidents import config, links, service, severity
from telqc.incidents import repository as repo
from telqc.incidents.detection import WATCHED, Rule, RuleTable
from telqc.incidents.models import ComplaintSignal, Detector, IncidentLink
from telqc.incidents.states import IncidentState

_SIGNALS = ComplaintSignal.__table__
_DETECTORS = Detector.__table__
_NEW_SIGNAL = {n: ins(_SIGNALS).on_conflict_do_nothing(index_elements=["order_id"]).returning(_SIGNALS.c.order_id)
               for n, ins in (("postgresql", pg_insert), ("sqlite", sqlite_insert))}
_NEW_DETECTOR = {n: ins(_DETECTORS).on_conflict_do_nothing(index_elements=["district_code", "category"])
                 for n, ins in (("postgresql", pg_insert), ("sqlite", sqlite_insert))}


@dataclass(frozen=True)
class Complaint:
    order_id: int
    customer_id: int
    category: str
    province_code: str
    city_code: str | None
    district_code: str
    area_type: str
    at: datetime


def complaint_of(event: Event) -> Complaint | None:
    """The watched complaint an `order.created` event announces, or None."""
    p = event.payload
    d: dict[str, Any] = p.get("dims") or {}
    if p.get("type") not in ("complaint", "repair") or d.get("category") not in WATCHED or not d.get("district_code"):
        return None
    return Complaint(int(p["order_id"]), int(p["customer_id"]), d["category"], d["province_code"], d.get("city_code"),
                     d["district_code"], d.get("area_type") or "urban",
                     datetime.fromisoformat(p.get("created_at") or event.at.isoformat()))


def observe(ctx: Ctx, events: list[Event], table: RuleTable | None = None) -> list[int]:
    """Handle a batch of `order.created` events; answers the ids of incidents opened."""
    table = table or config.rules(ctx)
    opened: list[int] = []
    for e in events:
        c = complaint_of(e)
        if c is not None:
            found = _one(ctx, c, table.match(c.category, c.area_type))
            if found is not None:
                opened.append(found)
    return opened


def _lock(ctx: Ctx, c: Complaint) -> None:
    s = ctx.session
    s.execute(_NEW_DETECTOR[s.get_bind().dialect.name],
              {"district_code": c.district_code, "category": c.category, "last_at": c.at})
    s.execute(select(Detector.district_code).where(Detector.district_code == c.district_code,
                                                   Detector.category == c.category).with_for_update())


def _one(ctx: Ctx, c: Complaint, rule: Rule) -> int | None:
    s = ctx.session
    _lock(ctx, c)
    new = s.execute(_NEW_SIGNAL[s.get_bind().dialect.name], {
        "order_id": c.order_id, "customer_id": c.customer_id, "category": c.category,
        "province_code": c.province_code, "city_code": c.city_code, "district_code": c.district_code,
        "area_type": c.area_type, "at": c.at, "counted": True}).first()
    if new is None:
        return None  # delivered before (a re-run relay)
    work = repo.planned_for(s, c.province_code, c.city_code, c.district_code, c.category, c.at)
    if work is not None:
        s.execute(update(ComplaintSignal).where(ComplaintSignal.order_id == c.order_id).values(counted=False))
        links.link(ctx, work, [(c.order_id, c.customer_id)], "auto")
        return None
    active = repo.active_for(s, c.province_code, c.city_code, c.district_code, c.category)
    if active:
        i = active[0]
        links.link(ctx, i, [(c.order_id, c.customer_id)], "auto")
        if i.status == IncidentState.SUSPECTED.value and i.open_key is not None \
                and _count(ctx, c, rule) >= rule.confirm_threshold:
            service.change_state(ctx, i, IncidentState.CONFIRMED, "second threshold reached")
        return None
    n = _count(ctx, c, rule)
    if n < rule.threshold:
        return None
    window = list(s.execute(select(ComplaintSignal.order_id, ComplaintSignal.customer_id, ComplaintSignal.at).where(
        *_in_window(c, rule), ComplaintSignal.order_id.not_in(select(IncidentLink.order_id))
    ).order_by(ComplaintSignal.at)))
    first = min((r[2] for r in window), default=c.at)
    i, opened = service.open_suspected(
        ctx, kind="storm", title=_title(ctx, c), severity=severity.for_count(n, rule.threshold),
        province_code=c.province_code, city_code=c.city_code, district_code=c.district_code, categories=[c.category],
        detected_at=first, open_key=f"{c.district_code}|{c.category}",
        note=f"{n} complaints within {int(rule.window.total_seconds() // 60)} minutes")
    links.link(ctx, i, [(r[0], r[1]) for r in window], "detected")
    return i.id if opened else None


_CATEGORY_NAMES = {"complaint.network": "网络质量", "complaint.technical": "技术故障", "repair.mobile": "手机信号",
                   "repair.broadband": "宽带故障", "repair.iptv": "IPTV故障"}


def _title(ctx: Ctx, c: Complaint) -> str:
    region = ctx.session.get(Region, c.district_code)
    return f"{region.name if region else c.district_code}{_CATEGORY_NAMES.get(c.category, c.category)}批量投诉"


def _in_window(c: Complaint, rule: Rule) -> list[Any]:
    return [ComplaintSignal.district_code == c.district_code, ComplaintSignal.category == c.category,
            ComplaintSignal.counted.is_(True), ComplaintSignal.at > c.at - rule.window, ComplaintSignal.at <= c.at]


def _count(ctx: Ctx, c: Complaint, rule: Rule) -> int:
    return int(ctx.session.scalar(select(func.count()).select_from(ComplaintSignal).where(*_in_window(c, rule))) or 0)
