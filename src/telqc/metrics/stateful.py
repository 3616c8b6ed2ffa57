"""Parts that depend on neighbouring facts, kept exact under out-of-order arrival.

- FCR (KPI.md): a handled, untransferred contact fails first-contact resolution when the same
  customer contacts again on the same category within 7 days (``fcr_repeat``).
- Repeat complaint: a complaint whose customer complained on the same category within the
  previous 30 days (``cmp_repeat``).
- Mass complaint: the N-th complaint of one category in one city within a fixed M-minute window
  raises one burst (``mass``), attributed to the window with only its area and category.

``absolute`` gives a fact's own state parts from the whole fact table (backfill); ``on_insert``
also returns the change a new fact causes to its neighbour, so live rollups stay equal to a
rebuild whatever order events arrive in. Facts are ordered by (time, id).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from telqc.metrics.facts import MASS_MINUTES, MASS_N, REPEAT_COMPLAINT_DAYS, REPEAT_CONTACT_DAYS, Dims
from telqc.metrics.models import MetricFact
from telqc.metrics.rollup import Contribution

_CONTACT = "contact.closed"
_CREATED = "order.created"


def dims_of(f: MetricFact) -> Dims:
    return Dims(f.channel, f.province_code, f.city_code, f.area_type, f.tier, f.category, f.team_id, f.agent_id)


def _fcr_eligible(f: MetricFact) -> bool:
    p = json.loads(f.payload)
    return not p.get("abandoned") and not p.get("transferred")


def _is_complaint(f: MetricFact) -> bool:
    return f.kind == _CREATED and f.order_type == "complaint"


def _neighbour(session: Session, f: MetricFact, after: bool) -> MetricFact | None:
    same = [MetricFact.kind == f.kind, MetricFact.customer_id == f.customer_id, MetricFact.category == f.category]
    if f.kind == _CREATED:
        same.append(MetricFact.order_type == "complaint")
    if after:
        pos = or_(MetricFact.at > f.at, and_(MetricFact.at == f.at, MetricFact.id > f.id))
        order = (MetricFact.at.asc(), MetricFact.id.asc())
    else:
        pos = or_(MetricFact.at < f.at, and_(MetricFact.at == f.at, MetricFact.id < f.id))
        order = (MetricFact.at.desc(), MetricFact.id.desc())
    return session.scalars(select(MetricFact).where(*same, pos).order_by(*order).limit(1)).first()


def _linked(f: MetricFact) -> bool:
    return f.customer_id is not None and f.category != "" and (f.kind == _CONTACT or _is_complaint(f))


def _window(at: datetime) -> tuple[datetime, datetime]:
    at = at.astimezone(UTC)
    start = at.replace(minute=(at.minute // MASS_MINUTES) * MASS_MINUTES, second=0, microsecond=0)
    return start, start + timedelta(minutes=MASS_MINUTES)


def _burst_count(session: Session, f: MetricFact, upto_self: bool) -> int:
    start, end = _window(f.at)
    conds = [MetricFact.kind == _CREATED, MetricFact.order_type == "complaint", MetricFact.category == f.category,
             MetricFact.city_code == f.city_code, MetricFact.at >= start, MetricFact.at < end]
    if upto_self:
        conds.append(or_(MetricFact.at < f.at, and_(MetricFact.at == f.at, MetricFact.id <= f.id)))
    return int(session.scalar(select(func.count()).select_from(MetricFact).where(*conds)) or 0)


def _burst(f: MetricFact) -> Contribution:
    return (_window(f.at)[0], Dims(province_code=f.province_code, city_code=f.city_code, category=f.category),
            {"mass": 1.0})


def _close(a: MetricFact, b: MetricFact, days: int) -> bool:
    return abs(b.at - a.at) <= timedelta(days=days)


def absolute(session: Session, f: MetricFact) -> list[Contribution]:
    """The state parts of ``f`` itself, given every fact stored (for a rebuild)."""
    out: list[Contribution] = []
    if _linked(f) and f.kind == _CONTACT and _fcr_eligible(f):
        nxt = _neighbour(session, f, after=True)
        if nxt is not None and _close(f, nxt, REPEAT_CONTACT_DAYS):
            out.append((f.at, dims_of(f), {"fcr_repeat": 1.0}))
    if _is_complaint(f):
        if _linked(f):
            prev = _neighbour(session, f, after=False)
            if prev is not None and _close(prev, f, REPEAT_COMPLAINT_DAYS):
                out.append((f.at, dims_of(f), {"cmp_repeat": 1.0}))
        if f.category and f.city_code and _burst_count(session, f, upto_self=True) == MASS_N:
            out.append(_burst(f))
    return out


def on_insert(session: Session, f: MetricFact) -> list[Contribution]:
    """State parts of a newly stored fact, plus the change it makes to its neighbour's."""
    out: list[Contribution] = []
    if _linked(f):
        prev = _neighbour(session, f, after=False)
        nxt = _neighbour(session, f, after=True)
        if f.kind == _CONTACT:
            if _fcr_eligible(f) and nxt is not None and _close(f, nxt, REPEAT_CONTACT_DAYS):
                out.append((f.at, dims_of(f), {"fcr_repeat": 1.0}))
            if prev is not None and _fcr_eligible(prev) and _close(prev, f, REPEAT_CONTACT_DAYS) and not (
                    nxt is not None and _close(prev, nxt, REPEAT_CONTACT_DAYS)):
                out.append((prev.at, dims_of(prev), {"fcr_repeat": 1.0}))
        else:
            if prev is not None and _close(prev, f, REPEAT_COMPLAINT_DAYS):
                out.append((f.at, dims_of(f), {"cmp_repeat": 1.0}))
            if nxt is not None and _close(f, nxt, REPEAT_COMPLAINT_DAYS) and not (
                    prev is not None and _close(prev, nxt, REPEAT_COMPLAINT_DAYS)):
                out.append((nxt.at, dims_of(nxt), {"cmp_repeat": 1.0}))
    if _is_complaint(f) and f.category and f.city_code and _burst_count(session, f, upto_self=False) == MASS_N:
        out.append(_burst(f))
    return out


def batch_states(session: Session, start: datetime, end: datetime) -> dict[int, list[Contribution]]:
    """``absolute`` for every fact of [start, end) at once: a few ordered scans instead of queries per fact.

    Neighbours may lie outside the range (a repeat call 7 days later, a complaint 30 days
    earlier), so the scans reach that far beyond it.
    """
    out: dict[int, list[Contribution]] = {}

    def scan(kind: str, lo: datetime, hi: datetime, complaint: bool) -> list[MetricFact]:
        stmt = select(MetricFact).where(MetricFact.kind == kind, MetricFact.at >= lo, MetricFact.at < hi)
        if complaint:
            stmt = stmt.where(MetricFact.order_type == "complaint")
        return list(session.scalars(stmt.order_by(MetricFact.at, MetricFact.id)))

    contacts = scan(_CONTACT, start, end + timedelta(days=REPEAT_CONTACT_DAYS, seconds=1), False)
    last: dict[tuple[int, str], MetricFact] = {}
    for f in contacts:  # time order: each fact closes its predecessor's window
        if not _linked(f):
            continue
        key = (f.customer_id or 0, f.category)
        prev = last.get(key)
        if prev is not None and start <= prev.at < end and _fcr_eligible(prev) and _close(prev, f,
                                                                                          REPEAT_CONTACT_DAYS):
            out.setdefault(prev.id, []).append((prev.at, dims_of(prev), {"fcr_repeat": 1.0}))
        last[key] = f
    complaints = scan(_CREATED, start - timedelta(days=REPEAT_COMPLAINT_DAYS, seconds=1), end, True)
    last = {}
    windows: dict[tuple[str, str, datetime], int] = {}
    for f in complaints:
        if _linked(f):
            key = (f.customer_id or 0, f.category)
            prev = last.get(key)
            if f.at >= start and prev is not None and _close(prev, f, REPEAT_COMPLAINT_DAYS):
                out.setdefault(f.id, []).append((f.at, dims_of(f), {"cmp_repeat": 1.0}))
            last[key] = f
        if f.at >= start and f.category and f.city_code:
            w = (f.category, f.city_code, _window(f.at)[0])
            windows[w] = windows.get(w, 0) + 1
            if windows[w] == MASS_N:
                out.setdefault(f.id, []).append(_burst(f))
    return out
