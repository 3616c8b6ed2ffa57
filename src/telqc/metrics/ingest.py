"""Storing facts once and folding them into rollups: live (a batch of events at a time) and by rebuild.

A live batch costs a handful of statements whatever its size: one lookup of already stored
facts, one multi-row INSERT, the neighbourhood reads of ``stateful.on_batch``, and one upsert
per cube chunk, so a relay worker keeps up with thousands of facts a second.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, delete, insert, select, text
from sqlalchemy.orm import Session

from telqc.core import events
from telqc.metrics import rollup, sql, stateful
from telqc.metrics.facts import DIM_COLUMNS, FACT_KINDS, Dims, base_parts, fact_time
from telqc.metrics.models import MetricFact, rollups
from telqc.metrics.stateful import Fact

Item = tuple[str, Mapping[str, Any], int | None]   # (kind, contract payload, outbox event id)
_FACTS = MetricFact.__table__
_COLUMNS = [c.name for c in _FACTS.columns if c.name != "id"]


def dedupe_key(kind: str, payload: Mapping[str, Any], event_id: int | None) -> str:
    # A contact counts once whether it arrives as an event, a re-sent event or a backfill import.
    if kind == "contact.closed" and payload.get("contact_id") is not None:
        return f"contact:{payload['contact_id']}"
    return f"e:{event_id}"


def fact_row(kind: str, payload: Mapping[str, Any], event_id: int | None, now: datetime) -> dict[str, Any]:
    """The ``metrics_facts`` row of a fact: its dimensions as columns, the payload kept for rebuilds."""
    d = Dims.from_payload(payload.get("dims"))
    return {
        "dedupe_key": dedupe_key(kind, payload, event_id), "kind": kind, "at": fact_time(kind, payload),
        "received_at": now, "order_id": payload.get("order_id"), "contact_id": payload.get("contact_id"),
        "customer_id": payload.get("customer_id"), "order_type": str(payload.get("type") or ""),
        **dict(zip(DIM_COLUMNS, d, strict=True)), "payload": json.dumps(payload, ensure_ascii=False, default=str),
    }


def _new_rows(session: Session, items: Iterable[Item], now: datetime
              ) -> list[tuple[dict[str, Any], Mapping[str, Any]]]:
    """Fact rows not stored yet (nor repeated earlier in the same batch), in arrival order."""
    rows: dict[str, tuple[dict[str, Any], Mapping[str, Any]]] = {}
    for kind, payload, event_id in items:
        row = fact_row(kind, payload, event_id, now)
        rows.setdefault(row["dedupe_key"], (row, payload))
    keys = list(rows)
    for i in range(0, len(keys), 5000):
        for k in session.scalars(select(MetricFact.dedupe_key).where(sql.in_list(session, MetricFact.dedupe_key,
                                                                             keys[i:i + 5000]))):
            rows.pop(k, None)
    return list(rows.values())


def ingest_batch(session: Session, items: Iterable[Item], now: datetime, tz: ZoneInfo) -> int:
    """Store each new fact once and add its parts, and the state changes it causes, to every cube."""
    new = _new_rows(session, items, now)
    if not new:
        return 0
    ids = _insert(session, [r for r, _ in new])
    facts = [Fact(fid, r["kind"], r["at"], r["customer_id"], r["order_type"], Dims(*(r[c] for c in DIM_COLUMNS)),
                  payload) for fid, (r, payload) in zip(ids, new, strict=True)]
    contributions: list[rollup.Contribution] = [(f.at, f.dims, base_parts(f.kind, f.payload)) for f in facts]
    contributions += stateful.on_batch(session, facts)
    rollup.apply(session, contributions, tz)
    return len(facts)


_PG_INSERT = text(
    f"INSERT INTO metrics_facts ({', '.join(_COLUMNS)}) SELECT {', '.join(_COLUMNS)} "
    "FROM json_populate_recordset(NULL::metrics_facts, CAST(:rows AS json)) RETURNING id, dedupe_key")


def _insert(session: Session, rows: list[dict[str, Any]]) -> list[int]:
    """Insert fact rows; their ids, in the rows' order (ties in time are ordered by id).

    On PostgreSQL the rows travel as one JSON document: escaping thousands of payloads into array
    literals costs more in the driver than the insert itself.
    """
    if not sql.is_pg(session):
        return list(session.execute(insert(_FACTS).returning(_FACTS.c.id, sort_by_parameter_order=True),
                                    rows).scalars())
    doc = json.dumps([r | {"at": r["at"].isoformat(), "received_at": r["received_at"].isoformat()} for r in rows],
                     ensure_ascii=False)
    ids = dict((k, i) for i, k in session.execute(_PG_INSERT, {"rows": doc}))
    return [ids[r["dedupe_key"]] for r in rows]


def ingest(session: Session, kind: str, payload: Mapping[str, Any], event_id: int | None, now: datetime,
           tz: ZoneInfo) -> bool:
    """One fact (a batch of one); False for a duplicate, which changes nothing."""
    return ingest_batch(session, [(kind, payload, event_id)], now, tz) == 1


def import_facts(session: Session, items: Iterable[Item], now: datetime, chunk: int = 20_000,
                 progress: Callable[[int], None] | None = None) -> int:
    """Store facts without folding them (a rebuild follows): bulk, skipping those already stored."""
    done = seen = 0
    batch: list[Item] = []
    for item in items:
        batch.append(item)
        if len(batch) >= chunk:
            done += _store(session, batch, now)
            seen += len(batch)
            batch = []
            if progress:
                progress(seen)
    return done + _store(session, batch, now)


def _store(session: Session, items: list[Item], now: datetime) -> int:
    if not sql.is_pg(session):
        rows = [r for r, _ in _new_rows(session, items, now)]
        if rows:
            session.execute(insert(_FACTS), rows)
        return len(rows)
    # COPY into a scratch table, then let the unique index skip what is stored already.
    cols = ", ".join(_COLUMNS)
    session.execute(text(f"CREATE TEMP TABLE IF NOT EXISTS metrics_facts_import AS SELECT {cols} FROM metrics_facts "
                         "WITH NO DATA"))
    with sql.psycopg_connection(session).cursor() as cur:
        with cur.copy(f"COPY metrics_facts_import ({cols}) FROM STDIN") as copy:
            for kind, payload, event_id in items:
                r = fact_row(kind, payload, event_id, now)
                copy.write_row([r[c] for c in _COLUMNS])
        cur.execute(f"INSERT INTO metrics_facts ({cols}) SELECT {cols} FROM metrics_facts_import "
                    "ON CONFLICT (dedupe_key) DO NOTHING")
        done = cur.rowcount
        cur.execute("TRUNCATE metrics_facts_import")
    return done


def rebuild(session: Session, start: datetime, end: datetime, tz: ZoneInfo, batch: int = 20_000,
            max_rows: int = 250_000, progress: Callable[[int], None] | None = None) -> int:
    """Drop the rollups of [start, end) and recompute them from stored facts; returns facts folded.

    Cube rows are summed in memory across the whole range and written when ``max_rows`` of them
    are pending (and at the end), so most rows are inserted once rather than updated per batch.
    """
    events.hold_relay(session)  # a fact delivered mid-rebuild would otherwise be counted twice
    session.execute(delete(rollups).where(rollups.c.period_start >= start, rollups.c.period_start < end))
    replay = stateful.Replay(start, end)
    done = 0
    rows: dict[rollup.RowKey, dict[str, float]] = {}
    pending: list[rollup.Contribution] = []
    for f in _facts_between(session, start, end):
        pending.append((f.at, f.dims, base_parts(f.kind, f.payload)))
        replay.feed(f)
        done += 1
        if len(pending) >= batch:
            rollup.fold(pending, tz, into=rows)
            pending = []
            if len(rows) >= max_rows:
                rollup.write(session, rows)
                rows = {}
            if progress:
                progress(done)
    for kind, fid, at, customer_id, category in stateful.neighbours(session, start, end):
        replay.neighbour(kind, fid, at, customer_id, category)
    rollup.fold([*pending, *replay.contributions()], tz, into=rows)
    rollup.write(session, rows)
    if progress:
        progress(done)
    return done


def _facts_between(session: Session, start: datetime, end: datetime) -> Iterator[Fact]:
    """Facts of [start, end), kind by kind (index on kind and time), streamed page by page."""
    for kind in FACT_KINDS:
        for r in sql.stream(session, _STREAM, {"kind": kind, "start": start, "end": end}):
            yield Fact(r[0], kind, r[1], r[2], r[3], Dims(*r[4:12]), json.loads(r[12]))


_F = MetricFact
_STREAM = select(_F.id, _F.at, _F.customer_id, _F.order_type, _F.channel, _F.province_code, _F.city_code,
                 _F.area_type, _F.tier, _F.category, _F.team_id, _F.agent_id, _F.payload).where(
    _F.kind == bindparam("kind"), _F.at >= bindparam("start", type_=_F.at.type),
    _F.at < bindparam("end", type_=_F.at.type))
