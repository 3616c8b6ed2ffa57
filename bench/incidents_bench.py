"""Network incidents: streaming mass-complaint detection at 2,000 complaints/s, and restoring an incident with
10,000 linked orders versus resolving them one by one through the API (issue 20).

  1. seed: a fresh PostgreSQL database filled by the real `telqc seed` command (customers, --orders orders).
  2. detect: --producers processes write `order.created` events into the outbox at --rate events/s in all
     (the payload `orders.service.create` emits, `created_at` stamped at the insert), for --seconds; --relays
     processes run `telqc.jobs.relay.relay_pass` in a loop, as the relay workers do in production (on
     PostgreSQL one of them drains at a time under the relay's advisory lock; every registered handler runs:
     detection, metrics, notifications, the TMF621 hub). The traffic: --storms districts with a burst of 15
     network complaints within 20 s (above the default rule, 10 in 30 min), 200 districts with 5 (below), and
     background (other order types, and watched complaints spread over 20,000 districts, at most a few
     each). Measured: events/s delivered, the outbox delay (published − written) p50/p99, and per incident the
     detection lag: incident opened − the arrival of the complaint that crossed the threshold; checked: the
     incidents opened are exactly those the specification (`incidents.detection.detections` over the
     stored arrivals of each district × category) proposes, one per burst, none below the threshold.
     The complaint order ids are synthetic (the outbox events are what is measured; no order rows behind them).
  3. restore: --linked open orders of the seed moved into one district as network complaints (bench-only
     SQL), an incident declared there by netops (`service.create`) and every open order of the area linked
     (`service.link_orders`, all_open_in_area), then restored: timed from the restore's commit until the
     relay has resolved every linked order (`resolution.work_off` after the drain), sent each customer's
     'resolved' notification and queued each callback. Checked: exactly one of each per order.
  4. peer: --peer other open orders resolved one by one through the HTTP API (`create_app` on the same
     database, the demo supervisor, POST /api/v1/orders/{id}/transition step by step; the embedded relay
     delivers each request's events before it answers); the per-order time × --linked is the peer's time.

Run:  .venv/bin/python -m bench.incidents_bench [--rate 2000] [--seconds 30] [--producers 2] [--relays 2]
          [--customers 3000] [--orders 15000] [--linked 10000] [--peer 200]
          [--db postgresql+psycopg://postgres@127.0.0.1:5432/telqc_incidents_bench] [--json out.json]
The database named in --db is dropped and recreated.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import random
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.scratch_db import reset_db, vacuum
from sqlalchemy import func, insert, select, text
from sqlalchemy.orm import Session, sessionmaker

from telqc.core.clock import SystemClock
from telqc.core.db import make_engine, make_sessionmaker
from telqc.core.events import OutboxEvent
from telqc.core.settings import Settings

OPEN = ("new", "acknowledged", "in_progress", "pending", "reopened")
STORM_SIZE, STORM_SPAN_S = 15, 20.0
QUIET_DISTRICTS, QUIET_SIZE = 200, 5
BACKGROUND_DISTRICTS = 20_000
PROVINCE = "440000"


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


def seed(args: argparse.Namespace) -> None:
    cmd = [str(Path(sys.executable).parent / "telqc"), "seed", "--customers", str(args.customers), "--days", "1",
           "--orders", str(args.orders)]
    log(f"seed: {' '.join(cmd[1:])}")
    t = time.perf_counter()
    subprocess.run(cmd, env={**os.environ, "TELQC_DATABASE_URL": args.db}, check=True, stdout=subprocess.DEVNULL)
    log(f"  seeded in {time.perf_counter() - t:.0f} s")


def factory_for(url: str) -> tuple[Settings, sessionmaker[Session]]:
    settings = Settings(database_url=url)
    return settings, make_sessionmaker(make_engine(url, pool_size=4))


# -- 2. detection ---------------------------------------------------------------------------------------------

def schedule(rate: int, seconds: float, storms: int, seed_: int = 20, complaint_share: float = 0.3
             ) -> list[tuple[float, str, str, str]]:
    """(offset s, order type, category, district) of every arrival, in time order. Of the background arrivals,
    `complaint_share` are complaints and repairs the detector watches, the rest consultations and business orders
    (``--complaint-share 1`` puts every offered event through the detection window)."""
    rnd = random.Random(seed_)
    out: list[tuple[float, str, str, str]] = []
    for k in range(storms):
        start = rnd.uniform(0, max(0.0, seconds - STORM_SPAN_S))
        out += [(start + rnd.uniform(0, STORM_SPAN_S), "complaint", "complaint.network", f"S{k:04d}")
                for _ in range(STORM_SIZE)]
    for k in range(QUIET_DISTRICTS):
        out += [(rnd.uniform(0, seconds), "complaint", "complaint.network", f"Q{k:04d}") for _ in range(QUIET_SIZE)]
    for _ in range(max(0, int(rate * seconds) - len(out))):
        if rnd.random() >= complaint_share:
            typ = rnd.choice(("consultation", "business"))
            out.append((rnd.uniform(0, seconds), typ, f"{typ}.billing", f"B{rnd.randrange(BACKGROUND_DISTRICTS):05d}"))
        else:
            cat = rnd.choice(("complaint.network", "complaint.technical", "repair.broadband"))
            out.append((rnd.uniform(0, seconds), cat.split(".")[0], cat, f"B{rnd.randrange(BACKGROUND_DISTRICTS):05d}"))
    out.sort()
    return out


def _payload(order_id: int, typ: str, category: str, district: str, at: datetime) -> str:
    """What `orders.service.create` emits for a new order (its `dims` included)."""
    return json.dumps({
        "order_id": order_id, "type": typ, "priority": "P3", "customer_id": 1 + order_id % 3000,
        "created_at": at.isoformat(), "escalation_risk": False, "regulator": False,
        "dims": {"channel": "hotline", "province_code": PROVINCE, "city_code": "440100", "district_code": district,
                 "area_type": "urban", "tier": "normal", "category": category, "team_id": None, "agent_id": None}},
        ensure_ascii=False)


def producer(url: str, part: list[tuple[int, float, str, str, str]], ready: Any, go: Any, t0: Any) -> None:
    """Write this producer's share of the arrivals when each is due, stamped with the time of writing."""
    engine = make_engine(url, pool_size=1)
    with engine.connect():
        pass
    table = OutboxEvent.__table__
    ready.put(os.getpid())
    go.wait()
    start = t0.value
    i = 0
    while i < len(part):
        now_s = time.time() - start
        j = i
        while j < len(part) and part[j][1] <= now_s:
            j += 1
        if j == i:
            time.sleep(min(0.01, max(0.0, part[i][1] - now_s)))
            continue
        at = datetime.now(UTC)
        rows = [{"at": at, "type": "order.created", "entity_type": "order", "entity_id": str(oid),
                 "payload": _payload(oid, typ, cat, dist, at), "published_at": None}
                for oid, _, typ, cat, dist in part[i:j]]
        with engine.begin() as c:
            c.execute(insert(table), rows)
        i = j
    engine.dispose()


def relay_worker(url: str, ready: Any, produced: Any) -> None:
    """A relay worker: passes back to back; sleeps briefly when another holds the lock or nothing is due; stops
    when the producers are done and the outbox is empty."""
    from telqc.jobs.relay import relay_pass

    settings, factory = factory_for(url)
    clock = SystemClock()
    relay_pass(factory, clock, settings)  # imports and discovers every handler before the start
    ready.put(os.getpid())
    while True:
        if relay_pass(factory, clock, settings):
            continue
        if produced.is_set():
            with factory() as s:
                if not s.scalar(select(func.count()).select_from(OutboxEvent)
                                .where(OutboxEvent.published_at.is_(None))):
                    return
        time.sleep(0.005)


def detect(args: argparse.Namespace) -> dict[str, Any]:
    from telqc.incidents import config
    from telqc.incidents.detection import detections
    from telqc.incidents.models import ComplaintSignal, Incident

    settings, factory = factory_for(args.db)
    with factory() as s:
        first_id = int(s.scalar(select(func.coalesce(func.max(OutboxEvent.id), 0))) or 0)
        before = set(s.scalars(select(Incident.id)))
    plan = schedule(args.rate, args.seconds, args.storms, complaint_share=args.complaint_share)
    base = 50_000_000
    arrivals = [(base + k, *a) for k, a in enumerate(plan)]
    log(f"detect: {len(arrivals):,} order.created events over {args.seconds:.0f} s from {args.producers} producers, "
        f"{args.relays} relay workers")
    ctx = mp.get_context("spawn")
    ready, go, done, start = ctx.Queue(), ctx.Event(), ctx.Event(), ctx.Value("d", 0.0)
    relays = [ctx.Process(target=relay_worker, args=(args.db, ready, done)) for _ in range(args.relays)]
    producers = [ctx.Process(target=producer, args=(args.db, arrivals[k::args.producers], ready, go, start))
                 for k in range(args.producers)]
    for p in (*relays, *producers):
        p.start()
    for _ in range(len(relays) + len(producers)):  # every process imported and connected before the clock starts
        ready.get()
    start.value = t0 = time.time() + 0.2
    go.set()
    for p in producers:
        p.join()
    produced = time.time() - t0
    done.set()
    for p in relays:
        p.join()
    drained = time.time() - t0
    log(f"  produced in {produced:.1f} s, all delivered {drained:.1f} s after the first arrival was due")
    with factory() as s:
        delays = [float(d) for d in s.scalars(text(
            "SELECT EXTRACT(EPOCH FROM published_at - at) FROM outbox_events WHERE id > :f "
            "AND type = 'order.created' AND published_at IS NOT NULL"
        ), {"f": first_id})]
        span = s.execute(text("SELECT EXTRACT(EPOCH FROM max(published_at) - min(at)) FROM outbox_events "
                              "WHERE id > :f"), {"f": first_id}).scalar()
        sigs: dict[tuple[str, str], list[datetime]] = defaultdict(list)
        for d, c, at in s.execute(select(ComplaintSignal.district_code, ComplaintSignal.category, ComplaintSignal.at)
                                  .where(ComplaintSignal.order_id >= base).order_by(ComplaintSignal.at)):
            sigs[(d, c)].append(at)
        new = [i for i in s.scalars(select(Incident).where(Incident.kind == "storm")) if i.id not in before]
        from telqc.core.context import Ctx
        from telqc.core.uow import UnitOfWork
        table = config.rules(Ctx(uow=UnitOfWork(s), clock=SystemClock(), settings=settings))
    expected: dict[tuple[str, str], datetime] = {}
    for key, times in sigs.items():
        hits = detections(times, table.match(key[1], "urban"))
        if len(hits) > 1:
            raise SystemExit(f"spec proposes {len(hits)} incidents for {key}: the traffic plan is wrong")
        if hits:
            expected[key] = times[hits[0]]
    opened: dict[tuple[str, str], list[Any]] = defaultdict(list)
    for i in new:
        opened[(i.district_code or "", i.categories[0])].append(i)
    twice = [k for k, v in opened.items() if len(v) > 1]
    missing = sorted(set(expected) - set(opened))
    spurious = sorted(set(opened) - set(expected))
    lags = sorted((v[0].created_at - expected[k]).total_seconds() for k, v in opened.items() if k in expected)
    delays.sort()
    res = {
        "events": len(arrivals), "offered_per_s": args.rate, "delivered_per_s": len(arrivals) / float(span or 1),
        "outbox_delay_p50_s": statistics.median(delays) if delays else None,
        "outbox_delay_p99_s": delays[int(0.99 * (len(delays) - 1))] if delays else None,
        "incidents_expected": len(expected), "incidents_opened": len(new), "opened_twice": len(twice),
        "missed": len(missing), "spurious": len(spurious),
        "lag_p50_s": statistics.median(lags) if lags else None,
        "lag_p99_s": lags[int(0.99 * (len(lags) - 1))] if lags else None, "lag_max_s": lags[-1] if lags else None,
        "storm_districts": args.storms, "complaint_share": args.complaint_share,
    }
    log(f"  delivered {res['delivered_per_s']:,.0f} events/s (offered {args.rate:,}/s); outbox delay p50 "
        f"{res['outbox_delay_p50_s']:.3f} s, p99 {res['outbox_delay_p99_s']:.3f} s")
    log(f"  incidents: {len(new)} opened, {len(expected)} proposed by the specification; twice {len(twice)}, "
        f"missed {len(missing)}, spurious {len(spurious)}")
    if lags:
        log(f"  detection lag (opened − crossing complaint): p50 {res['lag_p50_s']:.3f} s, "
            f"p99 {res['lag_p99_s']:.3f} s, max {res['lag_max_s']:.3f} s")
    return res


# -- 3. bulk restore ------------------------------------------------------------------------------------------

def storm_area(args: argparse.Namespace) -> tuple[str, str, str]:
    """The district with the most customers: (province, city, district)."""
    from telqc.customers.models import Customer

    _, factory = factory_for(args.db)
    with factory() as s:
        prov, city, district = s.execute(
            select(Customer.province_code, Customer.city_code, Customer.district_code)
            .where(Customer.district_code.is_not(None)).group_by(Customer.province_code, Customer.city_code,
                                                                Customer.district_code)
            .order_by(func.count().desc()).limit(1)).one()
    return prov, city, district


def restore(args: argparse.Namespace, area: tuple[str, str, str], peer_ids: list[int]) -> dict[str, Any]:
    from dataclasses import replace

    from telqc.core.auth import principal_of
    from telqc.core.context import Ctx
    from telqc.core.models import User
    from telqc.core.uow import UnitOfWork
    from telqc.incidents import schemas as si
    from telqc.incidents import service
    from telqc.incidents.models import Incident, IncidentLink
    from telqc.incidents.states import IncidentState
    from telqc.jobs.relay import relay_backlog
    from telqc.orders.models import Notification, Order, OrderCallback

    settings, factory = factory_for(args.db)
    clock = SystemClock()
    prov, city, district = area
    with factory() as s:
        ids = list(s.scalars(select(Order.id).where(Order.status.in_(OPEN), Order.id.not_in(peer_ids))
                             .order_by(Order.id).limit(args.linked)))
        if len(ids) < args.linked:
            raise SystemExit(f"only {len(ids)} open orders in the seed: raise --orders")
        # bench-only setup: these open orders become network complaints of one district
        s.execute(text("UPDATE orders SET province_code = :p, city_code = :c, district_code = :d, "
                       "category_code = 'complaint.network', type = 'complaint' WHERE id = ANY(:ids)"),
                  {"p": prov, "c": city, "d": district, "ids": ids})
        s.commit()
        netops = s.scalar(select(User).where(User.username == "netops"))
        assert netops is not None
    vacuum(args.db)
    log(f"restore: {len(ids):,} open orders as network complaints in district {district}")
    uow = UnitOfWork(factory())
    ctx = replace(Ctx(uow=uow, clock=clock, settings=settings), principal=principal_of(netops))
    i = service.create(ctx, si.IncidentCreate(title="基站退服（压测）", severity="major", province_code=prov,
                                              city_code=city, district_code=district,
                                              categories=["complaint.network"]))
    t = time.perf_counter()
    result = service.link_orders(ctx, i.id, si.LinkIn(all_open_in_area=True))
    uow.commit()
    link_s = time.perf_counter() - t
    incident_id = i.id
    uow.close()
    log(f"  linked {len(result.linked):,} orders in {link_s:.1f} s; relaying the confirmation and links (untimed)")
    relay_backlog(factory, clock, settings)
    t = time.perf_counter()
    since = clock.now()
    uow = UnitOfWork(factory())
    ctx = replace(Ctx(uow=uow, clock=clock, settings=settings), principal=principal_of(netops))
    inc = uow.session.get(Incident, incident_id)
    assert inc is not None
    service.change_state(ctx, inc, IncidentState.RESTORING, "抢修中")
    service.change_state(ctx, inc, IncidentState.RESTORED, "基站恢复")
    uow.commit()
    uow.close()
    relay_backlog(factory, clock, settings)
    bulk_s = time.perf_counter() - t
    linked = result.linked
    with factory() as s:
        resolved = int(s.scalar(select(func.count()).select_from(Order).where(
            Order.id.in_(linked), Order.status.in_(("resolved", "callback", "closed")))) or 0)
        mine = [Notification.order_id.in_(linked), Notification.created_at >= since]  # the restore's, not before
        notes = dict(s.execute(select(Notification.kind, func.count()).where(*mine).group_by(Notification.kind)).all())
        per_order = s.execute(select(func.count(), func.count(func.distinct(Notification.order_id)),
                                     func.count(Notification.sent_at)).where(
            *mine, Notification.kind == "resolved")).one()
        calls = s.execute(select(func.count(), func.count(func.distinct(OrderCallback.order_id)))
                          .where(OrderCallback.order_id.in_(linked), OrderCallback.created_at >= since)).one()
        open_links = int(s.scalar(select(func.count()).select_from(IncidentLink).where(
            IncidentLink.incident_id == incident_id, IncidentLink.resolved_at.is_(None))) or 0)
    res = {"linked": len(linked), "link_s": link_s, "bulk_s": bulk_s, "resolved": resolved,
           "resolved_notifications": per_order[0], "notified_orders": per_order[1], "resolved_sent": per_order[2],
           "callbacks": calls[0],
           "called_back_orders": calls[1], "unresolved_links": open_links, "notification_kinds": notes}
    log(f"  restored → {resolved:,} resolved, {per_order[0]:,} 'resolved' notifications for {per_order[1]:,} "
        f"orders, {calls[0]:,} callbacks for {calls[1]:,} orders in {bulk_s:.1f} s")
    return res


# -- 4. peer: one by one through the API ---------------------------------------------------------------------

_WALK = {"new": ("acknowledged", "in_progress", "resolved"), "acknowledged": ("in_progress", "resolved"),
         "in_progress": ("resolved",), "pending": ("resolved",), "reopened": ("in_progress", "resolved")}


def peer_ids_of(args: argparse.Namespace, district: str) -> list[int]:
    from telqc.core.models import User
    from telqc.orders.models import Order

    _, factory = factory_for(args.db)
    with factory() as s:
        sup = s.scalar(select(User).where(User.username == "supervisor"))
        assert sup is not None
        stmt = select(Order.id).where(Order.status.in_(OPEN), Order.district_code != district)  # outside the incident
        if sup.region_scope is not None:  # orders the supervisor may work on
            stmt = stmt.where(Order.province_code.in_(sup.region_scope))
        return list(s.scalars(stmt.order_by(Order.id.desc()).limit(args.peer)))


def peer(args: argparse.Namespace, ids: list[int]) -> dict[str, Any]:
    from fastapi.testclient import TestClient

    from telqc.api.app import create_app
    from telqc.demo.reference import DEMO_PASSWORD
    from telqc.orders.models import Order

    settings, factory = factory_for(args.db)
    app = create_app(settings)
    with factory() as s:
        status = dict(s.execute(select(Order.id, Order.status).where(Order.id.in_(ids))).all())
    with TestClient(app) as client:
        r = client.post("/api/v1/auth/token", data={"username": "supervisor", "password": DEMO_PASSWORD})
        r.raise_for_status()
        h = {"Authorization": f"Bearer {r.json()['access_token']}"}
        steps = 0
        t = time.perf_counter()
        for oid in ids:
            for to in _WALK[status[oid]]:
                body: dict[str, Any] = {"to": to, "reason": "网络故障已恢复"}
                r = client.post(f"/api/v1/orders/{oid}/transition", json=body, headers=h)
                if r.status_code != 200:
                    raise SystemExit(f"order {oid} → {to}: {r.status_code} {r.text[:300]}")
                steps += 1
        dt = time.perf_counter() - t
    log(f"peer: {len(ids)} orders resolved one by one through the API ({steps} requests) in {dt:.1f} s "
        f"({dt / len(ids) * 1000:.0f} ms per order)")
    return {"orders": len(ids), "requests": steps, "seconds": dt, "per_order_s": dt / len(ids)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--db", default="postgresql+psycopg://postgres@127.0.0.1:5432/telqc_incidents_bench")
    ap.add_argument("--rate", type=int, default=2000)
    ap.add_argument("--seconds", type=float, default=30.0)
    ap.add_argument("--producers", type=int, default=2)
    ap.add_argument("--relays", type=int, default=2)
    ap.add_argument("--storms", type=int, default=50)
    ap.add_argument("--complaint-share", type=float, default=0.3,
                    help="share of the background events that are watched complaints (1: all of them)")
    ap.add_argument("--customers", type=int, default=3000)
    ap.add_argument("--orders", type=int, default=15000)
    ap.add_argument("--linked", type=int, default=10000)
    ap.add_argument("--peer", type=int, default=200)
    ap.add_argument("--json")
    args = ap.parse_args()
    reset_db(args.db)
    seed(args)
    vacuum(args.db)
    out: dict[str, Any] = {"detect": detect(args)}
    area = storm_area(args)
    ids = peer_ids_of(args, area[2])
    out["restore"] = restore(args, area, ids)
    out["peer"] = peer(args, ids)
    projected = out["peer"]["per_order_s"] * out["restore"]["linked"]
    out["ratio"] = projected / out["restore"]["bulk_s"]
    d, r = out["detect"], out["restore"]
    print()
    print(f"detection: {d['delivered_per_s']:,.0f} events/s delivered (offered {d['offered_per_s']:,}/s), "
          f"lag p99 {d['lag_p99_s']:.3f} s; incidents {d['incidents_opened']} = spec {d['incidents_expected']}, "
          f"twice {d['opened_twice']}, missed {d['missed']}, spurious {d['spurious']}")
    print(f"restore: {r['linked']:,} linked orders resolved, notified and queued for callback in {r['bulk_s']:.1f} s "
          f"(exactly once: {r['resolved'] == r['notified_orders'] == r['resolved_notifications'] == r['linked']}"
          f" and {r['callbacks'] == r['called_back_orders'] == r['linked']})")
    print(f"peer (API one by one): {out['peer']['per_order_s'] * 1000:.0f} ms per order → {projected:.0f} s for "
          f"{r['linked']:,}; ratio {out['ratio']:.1f}×")
    if args.json:
        Path(args.json).write_text(json.dumps(out, indent=2, default=str))


if __name__ == "__main__":
    main()
