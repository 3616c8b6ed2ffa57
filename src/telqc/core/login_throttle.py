"""Login throttle: at most N failed sign-ins per account name, and M per client address, in a window.

A window opens at the first failure and lasts `login_window_minutes`; once it holds the limit, every
further attempt is refused until the window ends, the right password too (the guesser must not learn
that a guess was right). Counters live in ``login_failures``, so every API process sees the same ones.

Race-free where it protects a password: an attempt *reserves* its try on the account before the password
is checked, by one ``INSERT … ON CONFLICT DO UPDATE … RETURNING`` that answers this attempt's number
(the row lock makes concurrent attempts on one account take distinct numbers), so a burst of parallel
guesses gets N tries, not N plus whatever was in flight. A success deletes the row. The lock is held
until the request commits (about one password hash, ~60 ms): only attempts on the *same* account wait.

The address limit is a coarse guard against one client trying many accounts. Its counter is read before
and incremented after a failure (the same statement), without a reservation: logins from one NAT (a
call centre behind one address) would otherwise queue behind each other's password hash. Parallel
requests can overshoot it by the number in flight, never the account limit.

An IPv4 client is counted by its address, an IPv6 client by its /64 (`address_key`): one IPv6 subscriber or
host is given a whole /64 and picks any address in it, so counting full addresses gave it 2^64 fresh counters.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, delete, literal, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from telqc.core.context import Ctx
from telqc.core.db import UTCDateTime
from telqc.core.models import LoginFailure

ACCOUNT = "account"
ADDRESS = "address"
_T = LoginFailure.__table__
_KEY_MAX = 64


@dataclass(frozen=True)
class Count:
    failures: int
    window_start: datetime


def _key(value: str) -> str:
    # no real user name is longer (users.username is 60); a longer one still counts, under its prefix
    return value[:_KEY_MAX]


def address_key(address: str) -> str:
    """What the address limit counts a client address under: an IPv4 address itself (an IPv4-mapped IPv6
    address ``::ffff:a.b.c.d`` as that IPv4 address, since a dual-stack socket reports IPv4 clients that way),
    an IPv6 address its /64 network (``2001:db8:1:2::/64``, any zone id dropped); anything else, as it is."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((int(ip) >> 64 << 64, 64)))
    return str(ip)


def _window(ctx: Ctx) -> timedelta:
    return timedelta(minutes=ctx.settings.login_window_minutes)


def add_failure(ctx: Ctx, kind: str, key: str) -> Count:
    """Count one attempt against ``(kind, key)`` and answer the count including it, in one statement.

    A window that has ended starts again at 1 (the same statement decides, so two processes cannot both
    reset it)."""
    now = ctx.now()
    expired = _T.c.window_start <= now - _window(ctx)
    dialect = ctx.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    upsert = insert(_T).values(kind=kind, key=_key(key), failures=1, window_start=now).on_conflict_do_update(
        index_elements=[_T.c.kind, _T.c.key], set_={
            "failures": case((expired, 1), else_=_T.c.failures + 1),
            "window_start": case((expired, literal(now, UTCDateTime())), else_=_T.c.window_start),
        })
    failures, start = ctx.session.execute(upsert.returning(_T.c.failures, _T.c.window_start)).one()
    return Count(failures, start)


def current(ctx: Ctx, kind: str, key: str) -> Count | None:
    """The failures counted in the open window, None when there is none."""
    row = ctx.session.execute(select(_T.c.failures, _T.c.window_start)
                              .where(_T.c.kind == kind, _T.c.key == _key(key))).first()
    if row is None or row.window_start <= ctx.now() - _window(ctx):
        return None
    return Count(row.failures, row.window_start)


def ends_at(ctx: Ctx, count: Count) -> datetime:
    return count.window_start + _window(ctx)


def forget(ctx: Ctx, kind: str, key: str) -> None:
    """A successful sign-in clears its account's failures."""
    ctx.session.execute(delete(_T).where(_T.c.kind == kind, _T.c.key == _key(key)))



def purge(session: Session, now: datetime, window_minutes: int) -> int:
    """Delete the counters whose window has ended (they count for nothing: the next failure restarts at 1).

    Without it the table keeps one row per name ever mistyped and per address ever seen; the hourly beat job
    ``telqc.purge_login_failures`` calls this. Answers the number of rows deleted."""
    result = session.execute(delete(_T).where(_T.c.window_start <= now - timedelta(minutes=window_minutes)))
    return int(getattr(result, "rowcount", 0) or 0)
