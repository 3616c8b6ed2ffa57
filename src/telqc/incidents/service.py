"""Incident rules: declare, read, move through the lifecycle, update, record the joint test, link orders.

Every function takes a `Ctx` first, never commits, writes the incident's history row and an audit entry for
every change and emits the `incident.*` events. Writes lock the incident and compare the caller's If-Match
version (412 when stale). Detection from complaints is `telqc.incidents.detect`, broadcasts
`telqc.incidents.broadcast`, bulk resolution `telqc.incidents.resolution`, planned works
`telqc.incidents.planned`, network samples `telqc.incidents.network`, the review `telqc.incidents.review`.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from telqc.core import events
from telqc.core.context import Ctx
from telqc.core.errors import Conflict, Invalid, NotFound, PreconditionFailed
from telqc.core.rbac import Principal
from telqc.incidents import broadcast, config, escalation, links
from telqc.incidents import repository as repo
from telqc.incidents import schemas as s
from telqc.incidents.models import Incident, IncidentHistory, SeverityLevel
from telqc.incidents.states import IllegalIncidentTransition, IncidentState
from telqc.incidents.states import transition as check_transition

S = IncidentState
_HISTORY = IncidentHistory.__table__
_INCIDENTS = Incident.__table__
# INSERT … ON CONFLICT (open_key) DO NOTHING: on PostgreSQL a concurrent insert of the same key waits for the
# other transaction, then skips; no savepoint, so the rows this unit of work collected stay collected
_OPEN = {n: ins(_INCIDENTS).on_conflict_do_nothing(index_elements=["open_key"]).returning(_INCIDENTS.c.id)
         for n, ins in (("postgresql", pg_insert), ("sqlite", sqlite_insert))}


class IllegalIncidentTransitionError(Conflict):
    key = "incidents.error.illegal_transition"

    def __init__(self, exc: IllegalIncidentTransition) -> None:
        self.allowed = [str(x) for x in exc.allowed]
        super().__init__(self.key, field="body.to", current=str(exc.current), target=str(exc.target),
                         allowed=", ".join(self.allowed) or "—")

    def extra(self) -> dict[str, Any]:
        return {"allowed": self.allowed}


def principal(ctx: Ctx) -> Principal:
    assert ctx.principal is not None, "incident services need an acting user"
    return ctx.principal


def actor_id(ctx: Ctx) -> int | None:
    return ctx.principal.user_id if ctx.principal else None


def iso(dt: datetime | None) -> str | None:
    return None if dt is None else dt.isoformat()


def dims(i: Incident) -> dict[str, Any]:
    return {"province_code": i.province_code, "city_code": i.city_code, "district_code": i.district_code,
            "severity": i.severity, "kind": i.kind}


def history(ctx: Ctx, i: Incident, field: str, old: object, new: object, note: str | None = None,
            public: bool = False) -> None:
    ctx.uow.add(_HISTORY, {"incident_id": i.id, "at": ctx.now(), "actor_id": actor_id(ctx), "field": field,
                           "from_value": None if old is None else str(old)[:60],
                           "to_value": None if new is None else str(new)[:60], "note": note, "public": public})


def level(ctx: Ctx, code: str) -> SeverityLevel:
    lv = config.level(ctx, code)
    if lv is None:
        raise Invalid("error.not_found", field="body.severity", what="w.severity")
    return lv


def get(ctx: Ctx, incident_id: int) -> Incident:
    i = repo.get_readable(ctx.session, principal(ctx), incident_id)
    if i is None:
        raise NotFound(what="w.incident")
    return i


def get_for_update(ctx: Ctx, incident_id: int, if_match: int | None) -> Incident:
    i = repo.get_readable(ctx.session, principal(ctx), incident_id, for_update=True)
    if i is None:
        raise NotFound(what="w.incident")
    if if_match is not None and if_match != i.version:
        raise PreconditionFailed()
    return i


def search(ctx: Ctx, status: list[str] | None = None) -> list[Incident]:
    return repo.search(ctx.session, principal(ctx), status)


def worklist(ctx: Ctx) -> dict[str, int]:
    """Netops' to-do counts for the home page (工作台), in the caller's regions: suspected incidents waiting for a
    decision, active ones (confirmed/restoring), restored ones waiting for verification, and planned works
    starting or running within the next 7 days (the advance notice 服务体系建设 三.1 asks for)."""
    p = principal(ctx)
    by = repo.counts_by_status(ctx.session, p)
    now = ctx.now()
    soon = [w for w in repo.planned_works(ctx.session, p, now)
            if w.status == "scheduled" and w.start_at <= now + timedelta(days=7)]
    return {"suspected": by.get(S.SUSPECTED.value, 0),
            "active": by.get(S.CONFIRMED.value, 0) + by.get(S.RESTORING.value, 0),
            "to_verify": by.get(S.RESTORED.value, 0), "planned": len(soon)}


def _check_scope(ctx: Ctx, province_code: str) -> None:
    if not principal(ctx).sees_region(province_code):
        raise Invalid("error.not_found", field="body.province_code", what="w.region")


def create(ctx: Ctx, data: s.IncidentCreate) -> Incident:
    """Netops declare an incident they already know of: it starts confirmed and the area is told at once."""
    _check_scope(ctx, data.province_code)
    level(ctx, data.severity)
    now = ctx.now()
    i = Incident(kind="manual", title=data.title, severity=data.severity, status=S.CONFIRMED.value, open_key=None,
                 province_code=data.province_code, city_code=data.city_code, district_code=data.district_code,
                 cells=data.cells, categories=data.categories, services=list(data.services), cause=data.cause,
                 prepared_answer=data.prepared_answer, estimated_restore_at=data.estimated_restore_at,
                 detected_at=now, created_at=now, updated_at=now, confirmed_at=now, linked_count=0)
    ctx.session.add(i)
    ctx.session.flush()
    history(ctx, i, "status", None, S.CONFIRMED.value, "declared", public=True)
    ctx.audit("incident.declared", "incident", i.id, severity=i.severity, province=i.province_code,
              district=i.district_code, categories=i.categories)
    events.emit(ctx, "incident.confirmed", "incident", i.id, incident_id=i.id, at=iso(now),
                detected_at=iso(i.detected_at), dims=dims(i))
    broadcast.announce(ctx, i, "confirmed", 0)
    escalation.escalate(ctx, i)
    return i


def open_suspected(ctx: Ctx, *, kind: str, title: str, severity: str, province_code: str, city_code: str | None,
                   district_code: str, categories: list[str], detected_at: datetime, open_key: str,
                   note: str) -> tuple[Incident, bool]:
    """The suspected incident for `open_key`, opened now unless one is open already: (incident, opened).

    The unique `open_key` makes this exact across processes; a loser of the race joins the winner's."""
    existing = repo.by_open_key(ctx.session, open_key)
    if existing is not None:
        return existing, False
    level(ctx, severity)
    now = ctx.now()
    row = {"kind": kind, "title": title, "severity": severity, "status": S.SUSPECTED.value, "open_key": open_key,
           "province_code": province_code, "city_code": city_code, "district_code": district_code, "cells": [],
           "categories": categories, "services": [], "detected_at": detected_at, "created_at": now,
           "updated_at": now, "linked_count": 0, "version": 1}
    ctx.session.flush()
    won = ctx.session.execute(_OPEN[ctx.session.get_bind().dialect.name], row).first()
    i = repo.by_open_key(ctx.session, open_key)
    assert i is not None
    if won is None:
        return i, False  # another process opened it first (its commit released our wait on the key)
    history(ctx, i, "status", None, S.SUSPECTED.value, note)
    ctx.audit("incident.suspected", "incident", i.id, kind=kind, open_key=open_key, note=note)
    events.emit(ctx, "incident.suspected", "incident", i.id, incident_id=i.id, at=iso(now),
                detected_at=iso(detected_at), kind=kind, dims=dims(i))
    return i, True


def transition(ctx: Ctx, incident_id: int, data: s.TransitionIn, if_match: int | None = None) -> Incident:
    return change_state(ctx, get_for_update(ctx, incident_id, if_match), S(data.to), data.note)


def change_state(ctx: Ctx, i: Incident, target: IncidentState, note: str | None = None) -> Incident:
    """The one path of an incident's status change, with what each step means for customers and orders."""
    try:
        new = check_transition(i.status, target)
    except IllegalIncidentTransition as exc:
        raise IllegalIncidentTransitionError(exc) from exc
    if new is S.VERIFIED and level(ctx, i.severity).joint_test_required and not i.joint_test:
        raise Invalid("incidents.error.joint_test_required", field="body.to")
    old = S(i.status)
    now = ctx.now()
    i.status, i.updated_at = new.value, now
    if new is S.CONFIRMED:
        i.confirmed_at = now
    elif new in (S.RESTORED, S.DISMISSED):
        i.open_key = None  # the next burst in this area is a new incident
        if new is S.RESTORED:
            i.restored_at = now
    elif new is S.VERIFIED:
        i.verified_at = now
    elif new is S.ARCHIVED:
        i.archived_at = now
    ctx.session.flush()
    history(ctx, i, "status", old.value, new.value, note, public=new in (S.CONFIRMED, S.RESTORING, S.RESTORED))
    ctx.audit("incident.status_changed", "incident", i.id, **{"from": old.value, "to": new.value, "note": note})
    events.emit(ctx, f"incident.{new.value}", "incident", i.id, incident_id=i.id, at=iso(now),
                detected_at=iso(i.detected_at), created_at=iso(i.created_at), linked=i.linked_count,
                dims=dims(i), **{"from": old.value})
    if new is S.CONFIRMED:
        broadcast.announce(ctx, i, "confirmed", 0)
        escalation.escalate(ctx, i)
    elif new is S.RESTORED:
        broadcast.announce(ctx, i, "restored", 0)
    return i


def update(ctx: Ctx, incident_id: int, data: s.UpdateIn, if_match: int | None = None) -> Incident:
    """Netops progress: severity, cause, estimate, prepared answer, a note; a broadcast at most once per the
    grade's update interval (frequency limit), each customer told once per update."""
    i = get_for_update(ctx, incident_id, if_match)
    if S(i.status) in (S.ARCHIVED, S.DISMISSED):
        raise Invalid("incidents.error.final", field="path.incident_id")
    now = ctx.now()
    changes: dict[str, Any] = {}
    for name in ("severity", "cause", "prepared_answer", "estimated_restore_at"):
        value = getattr(data, name)
        if value is not None and value != getattr(i, name):
            if name == "severity":
                level(ctx, value)
            changes[name] = (getattr(i, name), value)
            setattr(i, name, value)
            history(ctx, i, name, iso(changes[name][0]) if name == "estimated_restore_at" else changes[name][0],
                    iso(value) if name == "estimated_restore_at" else value, data.note,
                    public=name == "estimated_restore_at")
    if data.note and not changes:
        history(ctx, i, "note", None, None, data.note, public=data.broadcast)
    if "severity" in changes and S(i.status) in (S.CONFIRMED, S.RESTORING):
        escalation.escalate(ctx, i)  # a raise in grade tells the new grade's roles, each once
    if data.broadcast:
        if not i.status or S(i.status) not in (S.CONFIRMED, S.RESTORING):
            raise Invalid("incidents.error.not_broadcastable", field="body.broadcast")
        gap = level(ctx, i.severity).update_min
        if i.last_update_at is not None and (now - i.last_update_at).total_seconds() < gap * 60:
            raise Conflict("incidents.error.too_soon", field="body.broadcast", minutes=gap)
        i.last_update_at = now
        broadcast.announce(ctx, i, "update", int(now.timestamp()), data.note)
    i.updated_at = now
    ctx.session.flush()
    ctx.audit("incident.updated", "incident", i.id, fields=sorted(changes), broadcast=data.broadcast)
    events.emit(ctx, "incident.updated", "incident", i.id, incident_id=i.id, at=iso(now), fields=sorted(changes),
                dims=dims(i))
    return i


def record_joint_test(ctx: Ctx, incident_id: int, data: s.JointTestIn, if_match: int | None = None) -> Incident:
    """联合测试 after the fix: required before a major incident can be verified."""
    i = get_for_update(ctx, incident_id, if_match)
    if S(i.status) is not S.RESTORED:
        raise Invalid("incidents.error.joint_test_state", field="path.incident_id")
    i.joint_test, i.joint_test_at, i.updated_at = data.record, ctx.now(), ctx.now()
    ctx.session.flush()
    history(ctx, i, "joint_test", None, "recorded", data.record)
    ctx.audit("incident.joint_test", "incident", i.id)
    return i


def link_orders(ctx: Ctx, incident_id: int, data: s.LinkIn) -> s.LinkResult:
    """Link existing open orders by hand (ids, or every open one of the area and categories)."""
    i = get_for_update(ctx, incident_id, None)
    if S(i.status) not in (S.SUSPECTED, S.CONFIRMED, S.RESTORING):
        raise Invalid("incidents.error.not_active", field="path.incident_id")
    return links.link_existing(ctx, i, data.order_ids, data.all_open_in_area)
