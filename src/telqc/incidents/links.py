"""Linking orders to an incident or a planned work: automatically as complaints arrive (`detect`) and by
hand for open orders that were there before (`service.link_orders`). One order links to one target: the
unique `order_id` keeps a second link (a re-delivered event, two processes) from being written."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from telqc.core import events
from telqc.core.context import Ctx
from telqc.incidents import area
from telqc.incidents import repository as repo
from telqc.incidents import schemas as s
from telqc.incidents.models import Incident, IncidentLink, PlannedWork
from telqc.orders import service as orders

_LINKS = IncidentLink.__table__
_INSERT = {name: ins(_LINKS).on_conflict_do_nothing(index_elements=["order_id"]).returning(_LINKS.c.order_id)
           for name, ins in (("postgresql", pg_insert), ("sqlite", sqlite_insert))}
PAGE = 5000  # open orders read per query when linking a whole area


def insert_links(ctx: Ctx, rows: list[dict[str, Any]]) -> list[int]:
    """Insert the links whose order is not linked yet; answers the order ids linked now."""
    if not rows:
        return []
    ctx.session.flush()
    stmt = _INSERT[ctx.session.get_bind().dialect.name]
    return [r[0] for r in ctx.session.connection().execute(stmt, rows)]


def link(ctx: Ctx, target: Incident | PlannedWork, pairs: Sequence[tuple[int, int]], how: str) -> list[int]:
    """Link (order_id, customer_id) pairs to `target`; counts them on it and emits `incident.linked`."""
    is_incident = isinstance(target, Incident)
    now = ctx.now()
    rows = [{"order_id": o, "customer_id": c, "how": how, "linked_at": now, "resolved_at": None,
             "incident_id": target.id if is_incident else None,
             "planned_work_id": None if is_incident else target.id} for o, c in pairs]
    done = insert_links(ctx, rows)
    if not done:
        return done
    model = Incident if is_incident else PlannedWork
    ctx.session.execute(update(model).where(model.id == target.id)
                        .values(linked_count=model.linked_count + len(done))
                        .execution_options(synchronize_session=False))
    ctx.session.expire(target, ["linked_count"])
    kind = "incident" if is_incident else "planned_work"
    ctx.audit(f"{kind}.orders_linked", kind, target.id, orders=done, how=how)
    events.emit(ctx, "incident.linked", kind, target.id, **{f"{kind}_id": target.id}, orders=done, how=how,
                at=now.isoformat(), province_code=target.province_code)
    return done


def link_existing(ctx: Ctx, i: Incident, order_ids: Sequence[int], all_open: bool) -> s.LinkResult:
    """Link open orders by hand: these ids, or every open one of the area and categories; an order outside the
    area (`area.covers`: its address, or for an incident listing sites the site its complaint named, else its
    customer's subscriptions' sites) is skipped."""
    where = area.of(i, i.cells)
    if all_open:  # every open order in the area, a page at a time (an area can hold more than one page)
        cats = i.categories or ["complaint.network", "complaint.technical"]
        candidates: dict[int, orders.OrderBrief] = {}
        after = 0
        # by site, the orders' addresses say nothing: the province's open orders are read and the rule decides
        city, district = (None, None) if where.sites else (i.city_code, i.district_code)
        while page := orders.open_in_area(ctx, i.province_code, city, district, cats, PAGE, after):
            candidates.update((b.id, b) for b in page)
            after = page[-1].id
    else:
        candidates = {b.id: b for b in orders.briefs(ctx, order_ids)}
    places = _places(ctx, where, list(candidates.values()))
    skipped: list[dict[str, object]] = []
    ok: list[tuple[int, int]] = []
    for oid in (order_ids if not all_open else list(candidates)):
        b = candidates.get(oid)
        if b is None:
            skipped.append({"order_id": oid, "reason": "not_found"})
        elif b.status in ("resolved", "callback", "closed", "cancelled"):
            skipped.append({"order_id": oid, "reason": "not_open"})
        elif not area.covers(where, places[b.id]):
            if not all_open:
                skipped.append({"order_id": oid, "reason": "outside_area"})
        else:
            ok.append((b.id, b.customer_id))
    done = link(ctx, i, ok, "manual")
    skipped += [{"order_id": o, "reason": "already_linked"} for o, _ in ok if o not in set(done)]
    return s.LinkResult(linked=done, skipped=skipped)


def _places(ctx: Ctx, where: area.Area, briefs: list[orders.OrderBrief]) -> dict[int, area.Place]:
    """Each order's place; its sites (the complaint's own, else the customer's) only when the area lists sites."""
    own = repo.signal_sites(ctx.session, [b.id for b in briefs]) if where.sites else {}
    subscribed = repo.current_sites(ctx.session, {b.customer_id for b in briefs if b.id not in own}) \
        if where.sites else {}
    return {b.id: area.Place(b.province_code, b.city_code, b.district_code,
                             area.sites_of(own.get(b.id), subscribed.get(b.customer_id, [])))
            for b in briefs}
