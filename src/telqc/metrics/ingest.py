"""Storing facts once and folding them into rollups: live (per event) and by rebuild (backfill)."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, delete, or_, select
from sqlalchemy.orm import Session

from telqc.metrics import rollup, stateful
from telqc.metrics.facts import Dims, base_parts, fact_time
from telqc.metrics.models import MetricFact, Rollup
from telqc.metrics.rollup import Contribution


def _dedupe_key(kind: str, payload: Mapping[str, Any], event_id: int | None) -> str:
    # A contact counts once whether it arrives as an event, a re-sent event or a backfill import.
    if kind == "contact.closed" and payload.get("contact_id") is not None:
        return f"contact:{payload['contact_id']}"
    return f"e:{event_id}"


def make_fact(kind: str, payload: Mapping[str, Any], event_id: int | None, now: datetime) -> MetricFact:
    d = Dims.from_payload(payload.get("dims"))
    return MetricFact(
        dedupe_key=_dedupe_key(kind, payload, event_id), kind=kind, at=fact_time(kind, payload), received_at=now,
        order_id=payload.get("order_id"), contact_id=payload.get("contact_id"),
        customer_id=payload.get("customer_id"), order_type=str(payload.get("type") or ""),
        channel=d.channel, province_code=d.province_code, city_code=d.city_code, area_type=d.area_type,
        tier=d.tier, category=d.category, team_id=d.team_id, agent_id=d.agent_id,
        payload=json.dumps(payload, ensure_ascii=False, default=str),
    )


def contributions(session: Session, f: MetricFact, *, live: bool) -> list[Contribution]:
    out: list[Contribution] = [(f.at, stateful.dims_of(f), base_parts(f.kind, json.loads(f.payload)))]
    out.extend(stateful.on_insert(session, f) if live else stateful.absolute(session, f))
    return out


def ingest(session: Session, kind: str, payload: Mapping[str, Any], event_id: int | None, now: datetime,
           tz: ZoneInfo) -> MetricFact | None:
    """Store the fact (once) and add its parts to every cube; a duplicate changes nothing."""
    key = _dedupe_key(kind, payload, event_id)
    if session.scalar(select(MetricFact.id).where(MetricFact.dedupe_key == key)) is not None:
        return None
    f = make_fact(kind, payload, event_id, now)
    session.add(f)
    session.flush()
    rollup.apply(session, contributions(session, f, live=True), tz)
    return f


def rebuild(session: Session, start: datetime, end: datetime, tz: ZoneInfo, batch: int = 5000) -> int:
    """Drop the rollups of [start, end) and recompute them from stored facts; returns facts folded."""
    session.execute(delete(Rollup).where(Rollup.period_start >= start, Rollup.period_start < end))
    states = stateful.batch_states(session, start, end)
    done = 0
    pending: list[Contribution] = []
    for f in _facts_between(session, start, end):
        pending.append((f.at, stateful.dims_of(f), base_parts(f.kind, json.loads(f.payload))))
        pending.extend(states.get(f.id, ()))
        done += 1
        if len(pending) >= batch:
            rollup.apply(session, pending, tz)
            pending = []
    rollup.apply(session, pending, tz)
    return done


def _facts_between(session: Session, start: datetime, end: datetime, page: int = 2000) -> Iterator[MetricFact]:
    """Facts of [start, end) in (time, id) order, read page by page (keyset) so writes can interleave."""
    last: tuple[datetime, int] | None = None
    while True:
        stmt = select(MetricFact).where(MetricFact.at >= start, MetricFact.at < end)
        if last is not None:
            stmt = stmt.where(or_(MetricFact.at > last[0], and_(MetricFact.at == last[0], MetricFact.id > last[1])))
        rows = list(session.scalars(stmt.order_by(MetricFact.at, MetricFact.id).limit(page)))
        if not rows:
            return
        yield from rows
        last = (rows[-1].at, rows[-1].id)
