"""Rollup cubes: folding contributions into wide cube rows, upserting them, and reading parts back.

Each fact lands in every cube: day grain by {channel, province} (the dashboard's cut), by the
geography set and by the staff set, plus hour grain by {channel, province}. A cube row holds
every part of its cell as a column, so a query reads the smallest cube that carries its
dimensions, one row per cell, and never touches raw facts. Hour-grain cuts by city, team, agent
and the like are not kept: at hour grain those cells hold about one fact each, so such a cube
would be as large as the fact table itself.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from operator import itemgetter
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
from sqlalchemy import Float, Select, TextClause, any_, bindparam, func, select, text
from sqlalchemy.dialects.postgresql import ARRAY, array
from sqlalchemy.dialects.sqlite import Insert, insert
from sqlalchemy.orm import Session

from telqc.metrics import sql
from telqc.metrics.facts import DIM_COLUMNS, INT_DIMS, PARTS, Dims, column
from telqc.metrics.models import rollups
from telqc.metrics.registry import DIMENSIONS


@dataclass(frozen=True)
class Cube:
    id: str
    grain: str                 # hour | day
    dims: frozenset[str]       # API dimension names kept; others are blanked
    _pick: Callable[[tuple[Any, ...]], tuple[Any, ...]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        cols = {DIMENSIONS[d] for d in self.dims}
        n = len(DIM_COLUMNS)
        # Kept values come from the dims, the others from the blanks appended after them.
        object.__setattr__(self, "_pick", itemgetter(*(i if c in cols else n + i for i, c in enumerate(DIM_COLUMNS))))

    def mask(self, dims: Dims) -> tuple[str | int, ...]:
        return self._pick(dims + _BLANK)


_BLANK = tuple(0 if c in INT_DIMS else "" for c in DIM_COLUMNS)
_TOP = frozenset({"channel", "province"})
_GEO = frozenset({"channel", "province", "city", "area_type", "tier", "category"})
_STAFF = frozenset({"channel", "team", "agent", "category"})
# Preference order: smallest first.
CUBES: tuple[Cube, ...] = (
    Cube("dt", "day", _TOP), Cube("ds", "day", _STAFF), Cube("dg", "day", _GEO), Cube("ht", "hour", _TOP),
)
KEY_COLUMNS = ("cube", "period_start", *DIM_COLUMNS)
Contribution = tuple[datetime, Dims, Mapping[str, float]]
RowKey = tuple[Any, ...]  # (cube id, period start, *dimension values), as KEY_COLUMNS
_ORDER = {p: i for i, p in enumerate(PARTS)}


class UnsupportedCut(ValueError):
    """No cube carries this combination of dimensions (e.g. agent × city)."""


def hour_start(at: datetime) -> datetime:
    return at.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def day_start(at: datetime, tz: ZoneInfo) -> datetime:
    local = at.astimezone(tz)
    return datetime(local.year, local.month, local.day, tzinfo=tz).astimezone(UTC)


def local_midnight(d: date, tz: ZoneInfo) -> datetime:
    return datetime(d.year, d.month, d.day, tzinfo=tz).astimezone(UTC)


def fold(contributions: Iterable[Contribution], tz: ZoneInfo,
         into: dict[RowKey, dict[str, float]] | None = None) -> dict[RowKey, dict[str, float]]:
    """Sum contributions into cube rows in memory (``into``, or new ones), so a batch becomes one upsert
    per touched row.

    Facts are first summed per (hour, full dimensions); each such atom then feeds every cube.
    """
    atoms: dict[tuple[datetime, Dims], dict[str, float]] = {}
    for at, dims, parts in contributions:
        if not parts:
            continue
        key = (hour_start(at), dims)
        acc = atoms.get(key)
        if acc is None:
            atoms[key] = dict(parts)
            continue
        for p, v in parts.items():
            acc[p] = acc.get(p, 0.0) + v
    rows: dict[RowKey, dict[str, float]] = {} if into is None else into
    days: dict[datetime, datetime] = {}
    for (hour, dims), parts in atoms.items():
        day = days.get(hour)
        if day is None:
            day = days[hour] = day_start(hour, tz)
        ext = dims + _BLANK
        for cube in CUBES:
            key = (cube.id, hour if cube.grain == "hour" else day, *cube._pick(ext))
            acc = rows.get(key)
            if acc is None:
                rows[key] = dict(parts)
                continue
            for p, v in parts.items():
                acc[p] = acc.get(p, 0.0) + v
    return rows


def apply(session: Session, contributions: Iterable[Contribution], tz: ZoneInfo) -> int:
    """Add contributions to the rollups; returns the number of cube rows written."""
    return write(session, fold(contributions, tz))


def write(session: Session, rows: Mapping[RowKey, Mapping[str, float]], chunk: int = 20_000) -> int:
    """Add cube rows to the stored ones: INSERT … ON CONFLICT DO UPDATE of the part columns present.

    Keys are written in sorted order, so two writers touching the same cells lock them in the
    same order and cannot deadlock. On PostgreSQL a chunk travels as one JSON document holding
    only each row's non-empty parts (a cell has a dozen of its 181 parts, typically), expanded
    server side by ``jsonb_populate_recordset``.
    """
    if not rows:
        return 0
    keys = sorted(rows)
    present = tuple(sorted({p for r in rows.values() for p in r}, key=_ORDER.__getitem__))
    pg = sql.is_pg(session)
    for i in range(0, len(keys), chunk):
        part = keys[i:i + chunk]
        if pg:
            docs = []
            for k in part:
                doc = {_COLUMN[p]: v for p, v in rows[k].items()}
                doc.update(zip(KEY_COLUMNS, k, strict=True))
                doc["period_start"] = k[1].isoformat()
                docs.append(doc)
            session.execute(_pg_upsert(present), {"rows": json.dumps(docs)})
        else:
            session.execute(_sqlite_upsert(present), [
                dict(zip(KEY_COLUMNS, k, strict=True)) | {column(p): rows[k].get(p) for p in present} for k in part])
    return len(keys)


_COLUMN = {p: column(p) for p in PARTS}


@lru_cache(maxsize=64)
def _pg_upsert(present: tuple[str, ...]) -> TextClause:
    sets = ", ".join(f"{c} = COALESCE(r.{c} + excluded.{c}, r.{c}, excluded.{c})" for c in map(column, present))
    return text("INSERT INTO metrics_rollups AS r SELECT p.* FROM "
                "jsonb_populate_recordset(NULL::metrics_rollups, CAST(:rows AS jsonb)) AS p "
                f"ON CONFLICT ({', '.join(KEY_COLUMNS)}) DO UPDATE SET {sets}")


@lru_cache(maxsize=64)
def _sqlite_upsert(present: tuple[str, ...]) -> Insert:
    stmt = insert(rollups)
    c, ex = rollups.c, stmt.excluded
    return stmt.on_conflict_do_update(index_elements=list(KEY_COLUMNS), set_={
        column(p): func.coalesce(c[column(p)] + ex[column(p)], c[column(p)], ex[column(p)]) for p in present})


def can_cut(dims: Iterable[str]) -> bool:
    """Whether some day cube holds these dimensions together (a page offers only the cuts it can answer)."""
    need = set(dims)
    return any(cube.grain == "day" and need <= cube.dims for cube in CUBES)


def choose_cube(grain: str, dims: Iterable[str]) -> Cube:
    need = set(dims)
    for cube in CUBES:
        if cube.grain == grain and need <= cube.dims:
            return cube
    raise UnsupportedCut(",".join(sorted(need)))


def period_key(start: datetime, period: str | None, tz: ZoneInfo) -> str:
    """Label of the reporting period a bucket belongs to (local time; weeks start on Monday)."""
    if period is None:
        return "all"
    if period == "hour":
        return start.astimezone(tz).strftime("%Y-%m-%dT%H:00")
    d = start.astimezone(tz).date()
    if period == "day":
        return d.isoformat()
    if period == "week":
        return (d - timedelta(days=d.weekday())).isoformat()
    return d.strftime("%Y-%m")


GroupKey = tuple[str, tuple[str, ...]]


@dataclass
class Frame:
    """Summed parts of each (period label, group): one row per key, one column per part.

    NaN marks a part that never occurred in the cell, so a KPI can be left out where none of its
    parts has data (a city without complaints has no complaint rate row, rather than a zero).
    """

    keys: list[GroupKey]
    parts: tuple[str, ...]
    values: np.ndarray  # shape (len(keys), len(parts))

    def __len__(self) -> int:
        return len(self.keys)

    def columns(self) -> dict[str, np.ndarray]:
        filled = np.nan_to_num(self.values, nan=0.0)
        return {p: filled[:, i] for i, p in enumerate(self.parts)}

    def present(self, parts: Iterable[str]) -> np.ndarray:
        want = set(parts)
        idx = [i for i, p in enumerate(self.parts) if p in want]
        return ~np.isnan(self.values[:, idx]).all(axis=1) if idx else np.zeros(len(self.keys), dtype=bool)


def read(
    session: Session, parts: Sequence[str], start: datetime, end: datetime, *, period: str | None,
    group_by: Sequence[str], filters: Mapping[str, Sequence[str]], tz: ZoneInfo,
) -> Frame:
    """Summed parts per (period label, group values) over [start, end) — rollups only, one query."""
    grain = "hour" if period == "hour" or start != day_start(start, tz) or end != day_start(end, tz) else "day"
    cube = choose_cube(grain, [*group_by, *filters])
    # A cut that is exactly the cube's cells (e.g. day x channel x province from "dt") reads rows as they are.
    exact = period == grain and set(group_by) == cube.dims and not filters
    by_period = period is not None
    cols = tuple(DIMENSIONS[d] for d in group_by)
    params: dict[str, object] = {"cube": cube.id, "start": start, "end": end, "nan": math.nan}
    for dim, wanted in filters.items():
        col = DIMENSIONS[dim]
        params[f"f_{col}"] = [int(v) for v in wanted] if col in INT_DIMS else [str(v) for v in wanted]
    pg = sql.is_pg(session)
    rows = sql.fetch(session, _query(tuple(parts), cols, by_period, exact, tuple(DIMENSIONS[d] for d in filters), pg),
                     params)
    head = int(by_period)
    k = head + len(cols)
    if pg:  # one float8[] per row, loaded straight into numpy (sql.fetch)
        values = np.vstack([r[k] for r in rows]) if rows else np.empty((0, len(parts)))
    else:
        values = np.array([r[k:] for r in rows], dtype=float).reshape(len(rows), len(parts))
    labels: dict[datetime, str] = {}
    keys: list[GroupKey] = []
    for r in rows:
        label = "all"
        if by_period:
            label = labels.get(r[0]) or labels.setdefault(r[0], period_key(r[0], period, tz))
        keys.append((label, tuple(str(v) for v in r[head:k])))
    return _merge(Frame(keys, tuple(parts), values))


@lru_cache(maxsize=256)
def _query(parts: tuple[str, ...], group: tuple[str, ...], by_period: bool, exact: bool, filters: tuple[str, ...],
           pg: bool) -> Select[*tuple[Any, ...]]:
    """The read for one shape of cut; values come as bound parameters, so shapes are built (and compiled) once."""
    t = rollups.c
    head = [t.period_start] if by_period else []
    values: list[Any] = [t[column(p)] if exact else func.sum(t[column(p)]) for p in parts]
    if pg:  # the row's parts as one float8[] (NaN, not NULL, for a part that never occurred)
        nan = bindparam("nan", type_=Float)
        values = [array([func.coalesce(v, nan) for v in values])]
    stmt = select(*head, *(t[c] for c in group), *values).where(
        t.cube == bindparam("cube"), t.period_start >= bindparam("start", type_=t.period_start.type),
        t.period_start < bindparam("end", type_=t.period_start.type))
    for col in filters:
        if pg:
            stmt = stmt.where(t[col] == any_(bindparam(f"f_{col}", type_=ARRAY(t[col].type))))
        else:
            stmt = stmt.where(t[col].in_(bindparam(f"f_{col}", expanding=True)))
    return stmt if exact else stmt.group_by(*head, *(t[c] for c in group))


def _merge(frame: Frame) -> Frame:
    """Sum rows sharing a key (several days of one week or month); a part absent from all stays NaN."""
    index: dict[GroupKey, int] = {}
    inv = np.array([index.setdefault(k, len(index)) for k in frame.keys], dtype=np.intp)
    if len(index) == len(frame.keys):
        return frame
    sums = np.zeros((len(index), len(frame.parts)))
    seen = np.zeros((len(index), len(frame.parts)))
    np.add.at(sums, inv, np.nan_to_num(frame.values, nan=0.0))
    np.add.at(seen, inv, ~np.isnan(frame.values))
    return Frame(list(index), frame.parts, np.where(seen > 0, sums, np.nan))


def read_parts(
    session: Session, parts: Sequence[str], start: datetime, end: datetime, *, period: str | None,
    group_by: Sequence[str], filters: Mapping[str, Sequence[str]], tz: ZoneInfo,
) -> dict[GroupKey, dict[str, float]]:
    """``read`` as plain dicts, for callers that need a handful of cells (hotspots)."""
    frame = read(session, parts, start, end, period=period, group_by=group_by, filters=filters, tz=tz)
    out: dict[GroupKey, dict[str, float]] = {}
    for key, row in zip(frame.keys, frame.values.tolist(), strict=True):
        cell = {p: v for p, v in zip(frame.parts, row, strict=True) if v == v}
        if cell:
            out[key] = cell
    return out
