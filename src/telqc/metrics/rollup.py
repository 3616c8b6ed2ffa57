"""Rollup cubes: incremental upserts of additive parts, and reading parts back by period and group.

Each fact lands in every cube (hour and local-day grain × three dimension sets), so a query
reads the smallest cube that carries its dimensions and never touches raw facts.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from telqc.metrics.facts import DIM_COLUMNS, INT_DIMS, Dims
from telqc.metrics.models import Rollup
from telqc.metrics.registry import DIMENSIONS


@dataclass(frozen=True)
class Cube:
    id: str
    grain: str                 # hour | day
    dims: frozenset[str]       # API dimension names kept; others are blanked


_TOP = frozenset({"channel", "province"})
_GEO = frozenset({"channel", "province", "city", "area_type", "tier", "category"})
_STAFF = frozenset({"channel", "team", "agent", "category"})
# Preference order: smallest first.
CUBES: tuple[Cube, ...] = (
    Cube("dt", "day", _TOP), Cube("ds", "day", _STAFF), Cube("dg", "day", _GEO),
    Cube("ht", "hour", _TOP), Cube("hs", "hour", _STAFF), Cube("hg", "hour", _GEO),
)
Contribution = tuple[datetime, Dims, Mapping[str, float]]


class UnsupportedCut(ValueError):
    """No cube carries this combination of dimensions (e.g. agent × city)."""


def hour_start(at: datetime) -> datetime:
    return at.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def day_start(at: datetime, tz: ZoneInfo) -> datetime:
    local = at.astimezone(tz)
    return datetime(local.year, local.month, local.day, tzinfo=tz).astimezone(UTC)


def local_midnight(d: date, tz: ZoneInfo) -> datetime:
    return datetime(d.year, d.month, d.day, tzinfo=tz).astimezone(UTC)


def _masked(dims: Dims, cube: Cube) -> tuple[str | int, ...]:
    keep = {DIMENSIONS[d] for d in cube.dims}
    return tuple(v if c in keep else (0 if c in INT_DIMS else "") for c, v in zip(DIM_COLUMNS, dims.as_tuple(),
                                                                                   strict=True))


def aggregate(contributions: Iterable[Contribution], tz: ZoneInfo) -> dict[tuple, float]:
    """Fold contributions into cube rows (in memory, so a batch becomes one upsert per row)."""
    acc: dict[tuple, float] = defaultdict(float)
    for at, dims, parts in contributions:
        starts = {"hour": hour_start(at), "day": day_start(at, tz)}
        for cube in CUBES:
            key_dims = _masked(dims, cube)
            for part, v in parts.items():
                acc[(cube.id, starts[cube.grain], part, *key_dims)] += v
    return acc


def apply(session: Session, contributions: Iterable[Contribution], tz: ZoneInfo) -> int:
    """Add contributions to the rollups with one INSERT … ON CONFLICT DO UPDATE (SQLite and PostgreSQL)."""
    acc = aggregate(contributions, tz)
    if not acc:
        return 0
    cols = ("cube", "period_start", "part", *DIM_COLUMNS)
    keys = sorted(acc)
    if session.get_bind().dialect.name == "postgresql":
        # One statement per 20,000 rows: arrays unnested server side (row-by-row upserts are ~20x slower).
        for i in range(0, len(keys), 20000):
            chunk = keys[i:i + 20000]
            params = {c: [k[j] for k in chunk] for j, c in enumerate(cols)}
            params["value"] = [acc[k] for k in chunk]
            session.execute(_PG_UPSERT, params)
        return len(keys)
    from sqlalchemy.dialects.sqlite import insert

    rows = [dict(zip(cols, k, strict=True), value=acc[k]) for k in keys]
    table = Rollup.__table__
    stmt = insert(table)
    stmt = stmt.on_conflict_do_update(index_elements=list(cols), set_={"value": table.c.value + stmt.excluded.value})
    session.connection().execute(stmt, rows)
    return len(rows)


_COLS = "cube, period_start, part, channel, province_code, city_code, area_type, tier, category, team_id, agent_id"
_PG_UPSERT = text(
    f"INSERT INTO metrics_rollups ({_COLS}, value) SELECT * FROM unnest("
    "CAST(:cube AS text[]), CAST(:period_start AS timestamptz[]), CAST(:part AS text[]), CAST(:channel AS text[]), "
    "CAST(:province_code AS text[]), CAST(:city_code AS text[]), CAST(:area_type AS text[]), CAST(:tier AS text[]), "
    "CAST(:category AS text[]), CAST(:team_id AS int[]), CAST(:agent_id AS int[]), CAST(:value AS float8[])) "
    f"ON CONFLICT ({_COLS}) DO UPDATE SET value = metrics_rollups.value + excluded.value"
)


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


def read_parts(
    session: Session, parts: Sequence[str], start: datetime, end: datetime, *, period: str | None,
    group_by: Sequence[str], filters: Mapping[str, Sequence[str]], tz: ZoneInfo,
) -> dict[GroupKey, dict[str, float]]:
    """Summed parts per (period label, group values) over [start, end) — rollups only."""
    grain = "hour" if period == "hour" or start != day_start(start, tz) or end != day_start(end, tz) else "day"
    cube = choose_cube(grain, [*group_by, *filters])
    gcols = [getattr(Rollup, DIMENSIONS[d]) for d in group_by]
    by_period = period is not None
    stmt = select(*([Rollup.period_start] if by_period else []), *gcols, Rollup.part, func.sum(Rollup.value))
    stmt = stmt.where(Rollup.cube == cube.id, Rollup.period_start >= start, Rollup.period_start < end,
                      Rollup.part.in_(list(parts)))
    for dim, values in filters.items():
        col = DIMENSIONS[dim]
        vals = [int(v) for v in values] if col in INT_DIMS else [str(v) for v in values]
        stmt = stmt.where(getattr(Rollup, col).in_(vals))
    stmt = stmt.group_by(*([Rollup.period_start] if by_period else []), *gcols, Rollup.part)
    out: dict[GroupKey, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    labels: dict[datetime, str] = {}
    for row in session.execute(stmt):
        if by_period:
            label = labels.get(row[0]) or labels.setdefault(row[0], period_key(row[0], period, tz))
            group = tuple(str(v) for v in row[1:1 + len(gcols)])
        else:
            label = "all"
            group = tuple(str(v) for v in row[:len(gcols)])
        out[(label, group)][row[-2]] += float(row[-1])
    return out
