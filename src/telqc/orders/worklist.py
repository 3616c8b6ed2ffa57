"""Work-order share of the home page (工作台): the day's to-do counts, each linking to the list behind it.

The counts are the orders list's own filters (`repository.OrderFilter`) counted in the caller's data scope,
so a tile's number and the list it opens always agree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from telqc.core import repository as core_repo
from telqc.core.context import Ctx
from telqc.orders import complaints, repairs
from telqc.orders import repository as repo
from telqc.orders.access import principal
from telqc.orders.models import Order, RepairDetail

_TZ = ZoneInfo("Asia/Shanghai")


@dataclass(frozen=True)
class Tile:
    """One to-do count: its label's message key, the number, the filtered list it opens, a tone (ok/warn/bad)."""

    key: str
    count: int | None  # None: a link without a number (live alerts arrive on the page itself)
    href: str
    tone: str = ""


@dataclass
class TeamQueue:
    team: str
    team_id: int | None
    open: int = 0
    unassigned: int = 0
    warning: int = 0
    breached: int = 0


@dataclass
class Visit:
    order: Order
    repair: RepairDetail


@dataclass
class Worklist:
    tiles: list[Tile] = field(default_factory=list)
    orders: list[Order] = field(default_factory=list)   # the caller's open orders, soonest due first
    teams: list[TeamQueue] = field(default_factory=list)
    visits: list[Visit] = field(default_factory=list)


def _href(path: str, **params: object) -> str:
    q = {k: v for k, v in params.items() if v not in (None, False, "")}
    return f"{path}?{urlencode(q)}" if q else path


def _tile(ctx: Ctx, key: str, f: repo.OrderFilter, tone: str = "", **params: object) -> Tile:
    n = repo.count(ctx.session, principal(ctx), f)
    return Tile(key, n, _href("/orders", **params), tone if n else "")


def agent(ctx: Ctx) -> Worklist:
    """An agent's day: own orders by time left, those about to breach or breached, callbacks due."""
    me = principal(ctx).user_id
    mine = repo.OrderFilter(handler_id=me, open_only=True, by_due=True)
    rows, _ = repo.search(ctx.session, principal(ctx), mine, 0, 10)
    return Worklist(tiles=[
        _tile(ctx, "home.my_open", mine, mine=True),
        _tile(ctx, "home.at_risk", repo.OrderFilter(handler_id=me, open_only=True, sla_status="warning"), "warn",
              mine=True, sla="warning"),
        _tile(ctx, "home.overdue", repo.OrderFilter(handler_id=me, open_only=True, sla_status="breached"), "bad",
              mine=True, sla="breached"),
        _tile(ctx, "home.callbacks_due", repo.OrderFilter(handler_id=me, status=["callback"]), "warn",
              mine=True, status="callback"),
    ], orders=rows)


def supervisor(ctx: Ctx) -> Worklist:
    """A supervisor's day: escalations, at-risk and overdue orders, and the queue of every team."""
    p = principal(ctx)
    tiles = [
        _tile(ctx, "home.escalated", repo.OrderFilter(open_only=True, escalated=True), "bad", escalated=True),
        _tile(ctx, "home.at_risk", repo.OrderFilter(open_only=True, sla_status="warning"), "warn", sla="warning"),
        _tile(ctx, "home.overdue", repo.OrderFilter(open_only=True, sla_status="breached"), "bad", sla="breached"),
        _tile(ctx, "home.unassigned", repo.OrderFilter(open_only=True, unassigned=True), "warn", unassigned=True),
    ]
    by_team: dict[int | None, TeamQueue] = {}
    counts = repo.open_by_team(ctx.session, p)
    names = core_repo.team_names(ctx.session, [t for t, *_ in counts])
    for team_id, sla, unassigned, n in counts:
        q = by_team.setdefault(team_id, TeamQueue(names.get(team_id or 0, ""), team_id))
        q.open += n
        q.unassigned += n if unassigned else 0
        q.warning += n if sla == "warning" else 0
        q.breached += n if sla == "breached" else 0
    teams = sorted(by_team.values(), key=lambda q: (-q.breached, -q.warning, q.team))
    escalated, _ = repo.search(ctx.session, p, repo.OrderFilter(open_only=True, escalated=True, by_due=True), 0, 10)
    return Worklist(tiles=tiles, teams=teams, orders=escalated)


def engineer(ctx: Ctx) -> Worklist:
    """A field engineer's day: today's booked visits (Beijing day), then the other open dispatches."""
    now = ctx.now().astimezone(_TZ)
    start = now.replace(hour=0, minute=0, second=0, microsecond=0)
    end = start + timedelta(days=1)
    jobs = repairs.my_jobs(ctx)

    def today(d: RepairDetail) -> bool:
        return d.appointment_start is not None and start <= d.appointment_start.astimezone(_TZ) < end

    visits = sorted((Visit(o, d) for o, d in jobs),
                    key=lambda v: (not today(v.repair), v.repair.appointment_start or datetime.max.replace(tzinfo=_TZ)))
    waiting = sum(1 for _, d in jobs if d.engineer_status == "dispatched")
    return Worklist(tiles=[
        Tile("home.visits_today", sum(1 for _, d in jobs if today(d)), "/repairs?day=today"),
        Tile("home.jobs_open", len(jobs), "/repairs"),
        Tile("home.jobs_to_accept", waiting, "/repairs", "warn" if waiting else ""),
    ], visits=visits)


def netops(ctx: Ctx) -> Worklist:
    """Network operations: complaint-driven network problems not yet fixed."""
    problems = complaints.network_problems(ctx, limit=500)
    open_ = [x for x in problems if x.status not in ("fixed", "not_reproducible")]
    new = [x for x in open_ if x.status == "open"]
    return Worklist(tiles=[
        Tile("home.network_open", len(open_), "/network-problems"),
        Tile("home.network_new", len(new), "/network-problems?status=open", "warn" if new else ""),
    ])
