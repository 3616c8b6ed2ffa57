"""Property: every KPI read from rollups equals the same KPI computed from scratch on the raw fact rows.

Random contract events (out of time order, with repeat contacts, repeat complaints and bursts)
go through the real outbox and handlers; the oracle below recomputes every part from the
stored raw rows with naive scans, for a random cut of every KPI. The same events delivered one
per relay batch (per-fact ingest), and a rebuild (backfill), must reproduce the batch-built
rollups exactly.
"""

from __future__ import annotations

import json
import os
import random
from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fastapi import FastAPI
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from metrics.metrics_factories import emit_all, set_subscribers
from telqc.core import events
from telqc.core.events import EventDelivery, OutboxEvent
from telqc.metrics import handlers, ingest, registry, rollup, service, stateful
from telqc.metrics.facts import base_parts, fact_time
from telqc.metrics.models import MetricFact, rollups
from telqc.metrics.registry import KPI
from telqc.surveys.models import SurveyInvitation, SurveyOrderCustomer, SurveyResponse

TZ = ZoneInfo("Asia/Shanghai")
BASE = datetime(2026, 10, 1, tzinfo=UTC)
MASS_N = 3
CITIES = {"440100": "440000", "440300": "440000", "330100": "330000"}
EXAMPLES = int(os.environ.get("TELQC_PROPERTY_EXAMPLES", "8"))
Event = tuple[str, str, int, dict[str, Any]]  # (kind, entity type, entity id, payload)
Raw = list[tuple[int, str, datetime, dict[str, Any]]]  # (fact id, kind, fact time, payload)
Base = Callable[[tuple[str, ...], list[str], dict[str, list[str]]], float]


@st.composite
def a_dims(draw: st.DrawFn, category: str | None = None) -> dict[str, Any]:
    city = draw(st.sampled_from(sorted(CITIES)))
    return {"province_code": CITIES[city], "city_code": city, "district_code": None,
            "area_type": draw(st.sampled_from(["urban", "rural"])), "tier": draw(st.sampled_from(["vip", "regular"])),
            "channel": draw(st.sampled_from(["hotline", "app"])), "team_id": draw(st.sampled_from([1, 2, None])),
            "agent_id": draw(st.sampled_from([7, 8])), "category": category}


@st.composite
def an_event(draw: st.DrawFn, n: int) -> Event:
    kind = draw(st.sampled_from([
        "contact.closed", "contact.closed", "contact.closed", "order.created", "order.created", "order.first_response",
        "order.resolved", "order.closed", "order.callback_recorded", "survey.answered", "survey.invited",
        "inspection.scored", "inspection.calibrated", "agent.availability"]))
    at = BASE + timedelta(minutes=draw(st.integers(0, 12 * 24 * 60)))
    typ = draw(st.sampled_from(["consultation", "business", "repair", "complaint"]))
    cat = draw(st.sampled_from(["a", "b"]))
    d = draw(a_dims(cat))
    p: dict[str, Any] = {"at": at.isoformat(), "dims": d}
    if kind == "contact.closed":
        wait, ab = draw(st.integers(0, 60)), draw(st.booleans())
        p = {"contact_id": n, "customer_id": draw(st.sampled_from([1, 2, None])), "started_at": at.isoformat(),
             "queue_wait_s": wait, "talk_s": draw(st.integers(0, 900)), "hold_s": draw(st.integers(0, 60)),
             "acw_s": draw(st.integers(0, 120)), "abandoned": ab, "transferred": draw(st.booleans()),
             "answered_within_s": None if ab else wait,
             "dims": {**d, "category": draw(st.sampled_from(["a", "b", None]))}}
    elif kind == "order.created":
        p = {"order_id": n, "type": draw(st.sampled_from(["complaint", "complaint", "business"])),
             "priority": "P3", "customer_id": draw(st.sampled_from([10, 11, None])), "created_at": at.isoformat(),
             "escalation_risk": False, "regulator": draw(st.booleans()), "dims": d}
        if draw(st.booleans()):  # bunch complaints into a burst window
            p["created_at"] = (BASE + timedelta(days=2, minutes=draw(st.integers(0, 29)))).isoformat()
    elif kind == "order.first_response":
        p.update(order_id=n, type=typ, business_s=draw(st.integers(0, 30000)))
    elif kind == "order.resolved":
        p.update(order_id=n, type=typ, resolution_business_s=draw(st.integers(0, 300000)),
                 within_deadline=draw(st.booleans()), reopened=draw(st.booleans()), solution_code="x")
    elif kind == "order.closed":
        p.update(order_id=n, type=typ, within_deadline=draw(st.booleans()), closed_loop=draw(st.booleans()))
    elif kind == "order.callback_recorded":
        p.update(order_id=n, type=typ, outcome=draw(st.sampled_from(["satisfied", "unsatisfied", "unreachable"])),
                 reason=None)
    elif kind == "survey.answered":
        p.update(survey_id=n, order_id=None, contact_id=None, agent_id=7,
                 csat=draw(st.one_of(st.none(), st.integers(1, 5))), nps=draw(st.one_of(st.none(), st.integers(0, 10))),
                 resolved=draw(st.one_of(st.none(), st.booleans())))
    elif kind == "survey.invited":
        p.update(survey_id=n, channel="sms")
    elif kind == "inspection.scored":
        p.update(inspection_id=n, interaction_id=n, agent_id=7, score=draw(st.integers(0, 100)),
                 passed=draw(st.booleans()), fatal=draw(st.booleans()))
    elif kind == "inspection.calibrated":
        p = {"session_id": n, "interaction_id": n, "item": "t", "at": at.isoformat(),
             "scores": draw(st.lists(st.integers(50, 100), min_size=1, max_size=4))}
    else:
        p.update(agent_id=d["agent_id"], available_s=draw(st.integers(0, 3600)))
    return (kind, "x", n, p)


events_lists = st.integers(5, 45).flatmap(lambda k: st.tuples(*[an_event(i + 1) for i in range(k)]))


# ---- the oracle: naive scans over the raw rows -------------------------------------------------
def _raw(session: Session) -> Raw:
    return [(f.id, f.kind, fact_time(f.kind, json.loads(f.payload)), json.loads(f.payload))
            for f in session.scalars(select(MetricFact).order_by(MetricFact.id))]


def _dimmap(p: dict[str, Any]) -> dict[str, str]:
    d = p.get("dims") or {}
    out = {k: ("" if d.get(c) is None else str(d[c])) for k, c in registry.DIMENSIONS.items()}
    out["team"] = str(d.get("team_id") or 0)
    out["agent"] = str(d.get("agent_id") or 0)
    return out


def oracle_contributions(rows: Raw) -> list[tuple[datetime, dict[str, str], dict[str, float]]]:
    out = [(at, _dimmap(p), base_parts(k, p)) for _, k, at, p in rows]
    contacts = [r for r in rows if r[1] == "contact.closed" and r[3].get("customer_id") is not None
                and (r[3]["dims"] or {}).get("category")]
    for i, _k, at, p in contacts:
        if p["abandoned"] or p["transferred"]:
            continue
        if any(q["customer_id"] == p["customer_id"] and q["dims"]["category"] == p["dims"]["category"]
               and (at2, j) > (at, i) and at2 - at <= timedelta(days=7) for j, _, at2, q in contacts):
            out.append((at, _dimmap(p), {"fcr_repeat": 1.0}))
    complaints = [r for r in rows if r[1] == "order.created" and r[3]["type"] == "complaint"]
    for i, _k, at, p in complaints:
        if p["customer_id"] is not None and p["dims"]["category"] and any(
                q["customer_id"] == p["customer_id"] and q["dims"]["category"] == p["dims"]["category"]
                and (at2, j) < (at, i) and at - at2 <= timedelta(days=30) for j, _, at2, q in complaints):
            out.append((at, _dimmap(p), {"cmp_repeat": 1.0}))
    windows: dict[tuple[str, str, str, datetime], int] = defaultdict(int)
    for _, _, at, p in complaints:
        w = at.replace(minute=at.minute // 30 * 30, second=0, microsecond=0)
        windows[(p["dims"]["category"], p["dims"]["city_code"], p["dims"]["province_code"], w)] += 1
    for (cat, city, prov, w), n in windows.items():
        if n >= MASS_N:
            blank = {k: "" for k in registry.DIMENSIONS} | {"team": "0", "agent": "0"}
            out.append((w, blank | {"category": cat, "city": city, "province": prov}, {"mass": 1.0}))
    return out


def oracle(rows: Raw, kpi: KPI, start: datetime, end: datetime, period: str | None, group_by: list[str],
           filters: dict[str, list[str]], base: Base) -> dict[tuple[str, tuple[str, ...]], float | None]:
    acc: dict[tuple[str, tuple[str, ...]], dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for at, dims, parts in oracle_contributions(rows):
        if not (start <= at < end) or any(dims[d] not in v for d, v in filters.items()):
            continue
        key = (rollup.period_key(rollup.hour_start(at), period, TZ), tuple(dims[g] for g in group_by))
        for part, v in parts.items():
            if part in kpi.parts:
                acc[key][part] += v
    geo = [i for i, g in enumerate(group_by) if g in registry.SUBSCRIBER_BASE_DIMS]
    out = {}
    for key, parts in acc.items():
        if kpi.needs_subscribers:
            parts = {**parts, "subscribers": base(tuple(key[1][i] for i in geo), [group_by[i] for i in geo], filters)}
        out[key] = kpi.value(parts)
    return out


SUBS = [("440000", "440100", "urban", "vip", 1000), ("440000", "440300", "rural", "regular", 3000),
        ("330000", "330100", "urban", "regular", 6000)]


def _base(values: tuple[str, ...], dims: list[str], filters: dict[str, list[str]]) -> float:
    cols = {"province": 0, "city": 1, "area_type": 2, "tier": 3}
    return float(sum(r[4] for r in SUBS if all(r[cols[d]] == v for d, v in zip(dims, values, strict=True))
                     and all(r[cols[d]] in vs for d, vs in filters.items() if d in cols)))


def _reset(app: FastAPI) -> None:
    with app.state.sessionmaker() as s:
        s.execute(delete(rollups))
        for model in (MetricFact, EventDelivery, OutboxEvent, SurveyResponse, SurveyInvitation, SurveyOrderCustomer):
            s.execute(delete(model))
        s.commit()


def _snapshot(session: Session) -> list[tuple[Any, ...]]:
    return sorted(tuple(None if v is None else round(v, 9) if isinstance(v, float) else v for v in r)
                  for r in session.execute(select(rollups)))


def _refold(app: FastAPI, batch: int) -> None:
    """Forget metrics' facts, rollups and deliveries, then relay the same events ``batch`` at a time."""
    st_ = app.state
    name = f"{handlers.fold.__module__}.{handlers.fold.__qualname__}"
    with st_.sessionmaker() as s:
        s.execute(delete(rollups))
        s.execute(delete(MetricFact))
        s.execute(delete(EventDelivery).where(EventDelivery.handler == name))
        s.execute(update(OutboxEvent).values(published_at=None))
        s.commit()
    while events.drain(st_.sessionmaker, st_.clock, st_.settings, limit=batch):
        pass


@settings(max_examples=EXAMPLES, deadline=None, phases=[Phase.explicit, Phase.reuse, Phase.generate],
          suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                       HealthCheck.too_slow])
@given(evs=events_lists, rnd=st.randoms(use_true_random=False), batch=st.integers(2, 9))
def test_rollups_equal_raw(app: FastAPI, monkeypatch: pytest.MonkeyPatch, evs: tuple[Event, ...], rnd: random.Random,
                           batch: int) -> None:
    monkeypatch.setattr(stateful, "MASS_N", MASS_N)
    _reset(app)
    set_subscribers(app, [r for r in SUBS])
    emit_all(app, list(evs))
    with app.state.sessionmaker() as s:
        rows = _raw(s)
        assert len(rows) >= len(evs)
        for kpi in registry.KPIS:
            period = rnd.choice(["hour", "day", "week", "month", None])
            grain = "hour" if period == "hour" else "day"
            cube = rnd.choice([c for c in rollup.CUBES if c.grain == grain and (c.dims & kpi.dims or not kpi.dims)]
                              or [c for c in rollup.CUBES if c.grain == grain])
            dims = sorted(cube.dims & kpi.dims)
            group_by = rnd.sample(dims, rnd.randint(0, min(2, len(dims))))
            filters = {}
            if dims and rnd.random() < 0.4:
                fd = rnd.choice(dims)
                filters[fd] = list({_dimmap(p)[fd] for _, _, _, p in rows[:3]})
            d0 = date(2026, 10, 1) + timedelta(days=rnd.randint(0, 4))
            d1 = d0 + timedelta(days=rnd.randint(0, 14))
            start, end = rollup.local_midnight(d0, TZ), rollup.local_midnight(d1 + timedelta(days=1), TZ)
            got = service.evaluate(s, [kpi], start, end, period=period, group_by=group_by, filters=filters,
                                   tz=TZ)[kpi.name]
            want = oracle(rows, kpi, start, end, period, group_by, filters, _base)
            empty = kpi.value({})
            for key in set(got) | set(want):
                g, w = got.get(key, empty), want.get(key, empty)
                assert (g is None and w is None) or g == pytest.approx(w, rel=1e-9, abs=1e-9), (
                    kpi.name, key, group_by, filters, period, g, w)
        batched = _snapshot(s)
        ingest.rebuild(s, BASE - timedelta(days=1), BASE + timedelta(days=20), TZ)
        s.flush()
        assert _snapshot(s) == batched, "backfill must reproduce the live rollups"
        s.rollback()
    _refold(app, 1)
    with app.state.sessionmaker() as s:
        assert _snapshot(s) == batched, "one event per relay batch (per-fact ingest) must give the same rollups"
    _refold(app, batch)
    with app.state.sessionmaker() as s:
        assert _snapshot(s) == batched, f"relay batches of {batch} must give the same rollups"
