"""Parts that depend on neighbouring facts, kept exact under out-of-order arrival.

- FCR (KPI.md): a handled, untransferred contact fails first-contact resolution when the same
  customer contacts again on the same category within 7 days (``fcr_repeat``).
- Repeat complaint: a complaint whose customer complained on the same category within the
  previous 30 days (``cmp_repeat``).
- Mass complaint: the N-th complaint of one category in one city within a fixed M-minute window
  raises one burst (``mass``), attributed to the window with only its area and category.

Facts are ordered by (time, id). ``on_batch`` (live) reads the stored neighbourhood of a batch of
new facts and returns the change the batch makes: its own state parts plus the change to its
neighbours', so live rollups equal a rebuild whatever order events arrive in. ``Replay``
(rebuild) computes every fact's state from scratch with sorted numpy columns.
"""

from __future__ import annotations

import json
from array import array
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple

import numpy as np
from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session

from telqc.metrics.facts import MASS_MINUTES, MASS_N, REPEAT_COMPLAINT_DAYS, REPEAT_CONTACT_DAYS, Dims
from telqc.metrics.models import MetricFact
from telqc.metrics.rollup import Contribution
from telqc.metrics.sql import in_pairs

_CONTACT = "contact.closed"
_CREATED = "order.created"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_US = timedelta(microseconds=1)
_DIMS = (MetricFact.channel, MetricFact.province_code, MetricFact.city_code, MetricFact.area_type, MetricFact.tier,
         MetricFact.category, MetricFact.team_id, MetricFact.agent_id)


class Fact(NamedTuple):
    """A stored fact as the fold needs it (payload parsed)."""

    id: int
    kind: str
    at: datetime
    customer_id: int | None
    order_type: str
    dims: Dims
    payload: Mapping[str, Any]


def fcr_eligible(payload: Mapping[str, Any]) -> bool:
    return not payload.get("abandoned") and not payload.get("transferred")


def is_complaint(f: Fact) -> bool:
    return f.kind == _CREATED and f.order_type == "complaint"


def linked(f: Fact) -> bool:
    return f.customer_id is not None and f.dims.category != "" and (f.kind == _CONTACT or is_complaint(f))


def window(at: datetime) -> tuple[datetime, datetime]:
    at = at.astimezone(UTC)
    start = at.replace(minute=(at.minute // MASS_MINUTES) * MASS_MINUTES, second=0, microsecond=0)
    return start, start + timedelta(minutes=MASS_MINUTES)


def _burst_dims(province: str, city: str, category: str) -> Dims:
    return Dims(province_code=province, city_code=city, category=category)


# ---- live: the change a batch of new facts makes ------------------------------------------------
class _Node:
    """A neighbour candidate: a stored fact of one (customer, category) sequence."""

    __slots__ = ("_eligible", "_payload", "at", "dims", "id")

    def __init__(self, id: int, at: datetime, dims: Dims, payload: Mapping[str, Any] | str | None) -> None:
        self.id, self.at, self.dims, self._payload = id, at, dims, payload
        self._eligible: bool | None = None

    @property
    def eligible(self) -> bool:
        if self._eligible is None:
            p = self._payload
            self._eligible = fcr_eligible(json.loads(p) if isinstance(p, str) else (p or {}))
        return self._eligible


def on_batch(session: Session, new: Sequence[Fact]) -> list[Contribution]:
    """State parts of newly stored facts, plus the change they make to their neighbours' parts."""
    out: list[Contribution] = []
    ids = {f.id for f in new}
    if contacts := [f for f in new if f.kind == _CONTACT and linked(f)]:
        out += _repeats(session, contacts, ids, _CONTACT, timedelta(days=REPEAT_CONTACT_DAYS), "fcr_repeat")
    complaints = [f for f in new if is_complaint(f)]
    if repeats := [f for f in complaints if linked(f)]:
        out += _repeats(session, repeats, ids, _CREATED, timedelta(days=REPEAT_COMPLAINT_DAYS), "cmp_repeat")
    if bursty := [f for f in complaints if f.dims.category and f.dims.city_code]:
        out += _bursts(session, bursty)
    return out


def _repeats(session: Session, new: list[Fact], ids: set[int], kind: str, span: timedelta,
             part: str) -> list[Contribution]:
    """FCR looks forward (a contact fails when the next one comes soon); repeat complaints look back."""
    forward = kind == _CONTACT
    bounds: dict[tuple[int, str], list[datetime]] = {}
    for f in new:
        b = bounds.setdefault((f.customer_id or 0, f.dims.category), [f.at, f.at])
        b[0], b[1] = min(b[0], f.at), max(b[1], f.at)
    lo = min(b[0] for b in bounds.values()) - span
    hi = max(b[1] for b in bounds.values()) + span
    seqs: dict[tuple[int, str], list[_Node]] = defaultdict(list)
    keys = sorted(bounds)
    for i in range(0, len(keys), 1000):
        stmt = select(MetricFact.id, MetricFact.at, MetricFact.customer_id, *_DIMS,
                      *([MetricFact.payload] if forward else [])).where(
            MetricFact.kind == kind, in_pairs(session, MetricFact.customer_id, MetricFact.category, keys[i:i + 1000]),
            MetricFact.at >= lo, MetricFact.at <= hi)
        if kind == _CREATED:
            stmt = stmt.where(MetricFact.order_type == "complaint")
        for r in session.execute(stmt):
            key = (r[2] or 0, r[8])  # as the bounds are keyed
            window = bounds.get(key)
            if window is not None and window[0] - span <= r[1] <= window[1] + span:
                seqs[key].append(_Node(r[0], r[1], Dims._make(r[3:11]), r[11] if forward else None))
    out: list[Contribution] = []
    for key, seq in seqs.items():
        seq.sort(key=lambda n: (n.at, n.id))
        lo_k, hi_k = bounds[key]
        affected = (lo_k - span, hi_k) if forward else (lo_k, hi_k + span)
        now = _states(seq, span, forward, affected)
        before = _states([n for n in seq if n.id not in ids], span, forward, affected)
        for n in seq:
            d = (n.id in now) - (n.id in before)
            if d:
                out.append((n.at, n.dims, {part: float(d)}))
    return out


def _states(seq: list[_Node], span: timedelta, forward: bool, affected: tuple[datetime, datetime]) -> set[int]:
    on = set()
    for i, n in enumerate(seq):
        if not affected[0] <= n.at <= affected[1]:
            continue
        if forward:
            if i + 1 < len(seq) and seq[i + 1].at - n.at <= span and n.eligible:
                on.add(n.id)
        elif i > 0 and n.at - seq[i - 1].at <= span:
            on.add(n.id)
    return on


def _bursts(session: Session, new: list[Fact]) -> list[Contribution]:
    """Windows whose count of complaints crosses N with this batch raise their burst.

    Counted in SQL (one row per window, however busy the window is: a mass complaint is exactly a
    busy window); only a window that crosses N reads its N-th complaint, for the burst's province.
    """
    fresh = Counter((f.dims.category, f.dims.city_code, window(f.at)[0]) for f in new)
    wins = sorted(fresh)
    step = timedelta(minutes=MASS_MINUTES)
    base = (MetricFact.kind == _CREATED, MetricFact.order_type == "complaint")
    out: list[Contribution] = []
    for i in range(0, len(wins), 100):
        chunk = wins[i:i + 100]
        conds = [and_(MetricFact.category == c, MetricFact.city_code == city, MetricFact.at >= w,
                      MetricFact.at < w + step) for c, city, w in chunk]
        label = case(*((cond, j) for j, cond in enumerate(conds)))
        for j, n in session.execute(select(label, func.count()).where(*base, or_(*conds)).group_by(label)):
            cat, city, w = chunk[j]
            if n - fresh[chunk[j]] < MASS_N <= n:
                nth = session.scalar(select(MetricFact.province_code).where(*base, conds[j])
                                     .order_by(MetricFact.at, MetricFact.id).offset(MASS_N - 1).limit(1))
                out.append((w, _burst_dims(nth or "", city, cat), {"mass": 1.0}))
    return out


# ---- rebuild: every fact's state from scratch ---------------------------------------------------
def _us(at: datetime) -> int:
    return (at - _EPOCH) // _US


class _Columns:
    """Compact columns of one sequence kind (millions of contacts fit in a few hundred MB)."""

    def __init__(self) -> None:
        self.customer, self.category, self.at, self.id = array("q"), array("q"), array("q"), array("q")
        self.flag, self.inside, self.dims = array("b"), array("b"), array("q")

    def add(self, customer: int, category: int, at: int, fid: int, flag: bool, inside: bool, dims: int) -> None:
        self.customer.append(customer)
        self.category.append(category)
        self.at.append(at)
        self.id.append(fid)
        self.flag.append(flag)
        self.inside.append(inside)
        self.dims.append(dims)

    def sorted(self) -> dict[str, np.ndarray]:
        cols = {k: np.frombuffer(getattr(self, k), dtype=np.int64 if getattr(self, k).typecode == "q" else np.int8)
                for k in ("customer", "category", "at", "id", "flag", "inside", "dims")}
        order = np.lexsort((cols["id"], cols["at"], cols["category"], cols["customer"]))
        return {k: v[order] for k, v in cols.items()}


class Replay:
    """State parts of every fact in [start, end), from the facts fed in any order.

    Feed the facts of the range, plus contacts up to 7 days after it (a repeat call closes an
    earlier contact's window) and complaints up to 30 days before it (a complaint repeats an
    earlier one) with ``neighbour``.
    """

    def __init__(self, start: datetime, end: datetime) -> None:
        self.start, self.end = start, end
        self.categories: dict[str, int] = {}
        self.dims: dict[Dims, int] = {}
        self.contacts, self.complaints = _Columns(), _Columns()
        self.bursty: list[tuple[str, str, int, int, str]] = []   # (category, city, at µs, id, province)

    def _category(self, category: str) -> int:
        return self.categories.setdefault(category, len(self.categories))

    def _dims(self, dims: Dims) -> int:
        return self.dims.setdefault(dims, len(self.dims))

    def feed(self, f: Fact) -> None:
        """A fact inside [start, end)."""
        if f.kind == _CONTACT and linked(f):
            self.contacts.add(f.customer_id or 0, self._category(f.dims.category), _us(f.at), f.id,
                              fcr_eligible(f.payload), True, self._dims(f.dims))
        elif is_complaint(f):
            if linked(f):
                self.complaints.add(f.customer_id or 0, self._category(f.dims.category), _us(f.at), f.id, True, True,
                                    self._dims(f.dims))
            if f.dims.category and f.dims.city_code:
                self.bursty.append((f.dims.category, f.dims.city_code, _us(f.at), f.id, f.dims.province_code))

    def neighbour(self, kind: str, fid: int, at: datetime, customer_id: int | None, category: str) -> None:
        """A contact after the range or a complaint before it: it only decides its neighbours' state."""
        if customer_id is None or category == "":
            return
        cols = self.contacts if kind == _CONTACT else self.complaints
        cols.add(customer_id, self._category(category), _us(at), fid, False, False, -1)

    def contributions(self) -> list[Contribution]:
        out: list[Contribution] = []
        c = self.contacts.sorted()
        if len(c["id"]):
            # The next contact of the same customer and category within 7 days fails this one's FCR.
            same = (c["customer"][1:] == c["customer"][:-1]) & (c["category"][1:] == c["category"][:-1])
            close = c["at"][1:] - c["at"][:-1] <= REPEAT_CONTACT_DAYS * 86_400_000_000
            hit = np.flatnonzero(same & close & (c["flag"][:-1] == 1) & (c["inside"][:-1] == 1))
            out += self._counted(c["at"][hit], c["dims"][hit], "fcr_repeat")
        c = self.complaints.sorted()
        if len(c["id"]):
            same = (c["customer"][1:] == c["customer"][:-1]) & (c["category"][1:] == c["category"][:-1])
            close = c["at"][1:] - c["at"][:-1] <= REPEAT_COMPLAINT_DAYS * 86_400_000_000
            hit = np.flatnonzero(same & close & (c["inside"][1:] == 1)) + 1
            out += self._counted(c["at"][hit], c["dims"][hit], "cmp_repeat")
        out += self._bursts()
        return out

    def _counted(self, at_us: np.ndarray, dims: np.ndarray, part: str) -> list[Contribution]:
        """One contribution per (hour, dimensions) with the count, instead of one per fact."""
        if not len(at_us):
            return []
        hour = at_us // 3_600_000_000
        keys, counts = np.unique(np.stack([hour, dims]), axis=1, return_counts=True)
        by_code = list(self.dims)
        return [(_EPOCH + timedelta(hours=int(h)), by_code[int(d)], {part: float(n)})
                for (h, d), n in zip(keys.T.tolist(), counts.tolist(), strict=True)]

    def _bursts(self) -> list[Contribution]:
        step = MASS_MINUTES * 60_000_000
        rank: dict[tuple[str, str, int], int] = defaultdict(int)
        out: list[Contribution] = []
        for cat, city, at, _fid, province in sorted(self.bursty):
            key = (cat, city, at // step)
            rank[key] += 1
            if rank[key] == MASS_N:
                out.append((_EPOCH + timedelta(microseconds=key[2] * step), _burst_dims(province, city, cat),
                            {"mass": 1.0}))
        return out


def neighbours(session: Session, start: datetime, end: datetime) -> Iterable[tuple[str, int, datetime, int | None,
                                                                                   str]]:
    """Contacts up to 7 days after [start, end) and complaints up to 30 days before it (no payloads)."""
    cols = (MetricFact.kind, MetricFact.id, MetricFact.at, MetricFact.customer_id, MetricFact.category)
    after = end + timedelta(days=REPEAT_CONTACT_DAYS, seconds=1)
    yield from session.execute(select(*cols).where(MetricFact.kind == _CONTACT, MetricFact.at >= end,
                                                   MetricFact.at < after))
    before = start - timedelta(days=REPEAT_COMPLAINT_DAYS, seconds=1)
    yield from session.execute(select(*cols).where(MetricFact.kind == _CREATED, MetricFact.order_type == "complaint",
                                                   MetricFact.at >= before, MetricFact.at < start))
