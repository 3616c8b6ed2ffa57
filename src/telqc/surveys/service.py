"""Survey rules: who is invited, when a link stops working, and what an answer records.

Customers are surveyed after a resolved order or a finished contact, at most once in
``min_gap_days`` (survey fatigue lowers response rates and annoys customers); a link is
single-use and expires after ``validity_days``. An answer attaches to the order, the agent and
the contact, and is published as "survey.answered" so CSAT / NPS / FCR move.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from telqc.core import events
from telqc.core.context import Ctx
from telqc.core.errors import Conflict, NotFound
from telqc.surveys import channels
from telqc.surveys import repository as repo
from telqc.surveys import schemas as s
from telqc.surveys.models import SurveyInvitation, SurveyResponse


@dataclass(frozen=True)
class SurveyPolicy:
    validity_days: int = 7
    min_gap_days: int = 30


POLICY = SurveyPolicy()


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def link_for(token: str) -> str:
    return f"/s/{token}"


@dataclass(frozen=True)
class Trigger:
    """What may earn a customer an invitation: a resolved order or a finished contact."""

    customer_id: int | None
    trigger: str  # order | contact
    order_id: int | None = None
    contact_id: int | None = None
    dims: dict[str, Any] | None = None


def invite(ctx: Ctx, *, customer_id: int | None, trigger: str, order_id: int | None = None,
           contact_id: int | None = None, dims: dict[str, Any] | None = None,
           policy: SurveyPolicy = POLICY) -> tuple[SurveyInvitation, str] | None:
    """Send one invitation unless the customer is unknown or was surveyed within the gap."""
    sent = invite_many(ctx, [Trigger(customer_id, trigger, order_id, contact_id, dims)], policy)
    return sent[0] if sent else None


def invite_many(ctx: Ctx, triggers: list[Trigger], policy: SurveyPolicy = POLICY) -> list[tuple[SurveyInvitation, str]]:
    """Invite for each trigger in turn, skipping unknown customers and those surveyed within the gap (or
    earlier in `triggers`): one query for the whole list, one INSERT."""
    now = ctx.now()
    wanted = {t.customer_id for t in triggers if t.customer_id is not None}
    surveyed = repo.invited_since(ctx.session, wanted, now - timedelta(days=policy.min_gap_days)) if wanted else set()
    sent: list[tuple[SurveyInvitation, str]] = []
    for t in triggers:
        if t.customer_id is None or t.customer_id in surveyed:
            continue
        surveyed.add(t.customer_id)
        dims = t.dims or {}
        token = secrets.token_urlsafe(24)
        channel = "app_push" if dims.get("channel") == "app" else "sms"
        sent.append((SurveyInvitation(
            token_hash=token_hash(token), customer_id=t.customer_id, trigger=t.trigger, order_id=t.order_id,
            contact_id=t.contact_id, agent_id=dims.get("agent_id"), channel=channel, status="sent", sent_at=now,
            expires_at=now + timedelta(days=policy.validity_days), dims=json.dumps(dims, ensure_ascii=False),
        ), token))
    if not sent:
        return sent
    ctx.session.add_all([inv for inv, _ in sent])
    ctx.session.flush()
    for inv, token in sent:
        channels.current().send(channels.Message(
            channel=inv.channel, customer_id=inv.customer_id, link=link_for(token),
            text=f"【客户服务】感谢您的来电/办理，请花1分钟评价本次服务：{link_for(token)}（{policy.validity_days}天内有效）"))
        ctx.audit("survey.invited", "survey", inv.id, customer_id=inv.customer_id, channel=inv.channel,
                  trigger=inv.trigger, order_id=inv.order_id, contact_id=inv.contact_id)
        events.emit(ctx, "survey.invited", "survey", inv.id, survey_id=inv.id, order_id=inv.order_id,
                    contact_id=inv.contact_id, channel=inv.channel, at=now.isoformat(), dims=json.loads(inv.dims))
    return sent


def open_link(ctx: Ctx, token: str) -> SurveyInvitation:
    inv = repo.by_token_hash(ctx.session, token_hash(token))
    if inv is None:
        raise NotFound(what="w.survey")
    return inv


def answerable(ctx: Ctx, inv: SurveyInvitation) -> str | None:
    """Why the link cannot be answered (a message key), or None."""
    if inv.status == "answered":
        return "surveys.error.answered"
    if inv.status == "expired" or ctx.now() >= inv.expires_at:
        return "surveys.error.expired"
    return None


def answer(ctx: Ctx, token: str, data: s.AnswerIn) -> SurveyInvitation:
    inv = open_link(ctx, token)
    problem = answerable(ctx, inv)
    if problem:
        raise Conflict(problem, field="path.token")
    if data.csat is None and data.nps is None and data.resolved is None:
        raise Conflict("surveys.error.empty", field="body.csat")
    now = ctx.now()
    ctx.session.add(SurveyResponse(invitation_id=inv.id, csat=data.csat, nps=data.nps, resolved=data.resolved,
                                   comment=data.comment or None, answered_at=now))
    inv.status = "answered"
    inv.answered_at = now
    ctx.session.flush()  # the unique response and the version column refuse a concurrent second answer
    ctx.audit("survey.answered", "survey", inv.id, csat=data.csat, nps=data.nps, resolved=data.resolved)
    events.emit(ctx, "survey.answered", "survey", inv.id, survey_id=inv.id, order_id=inv.order_id,
                contact_id=inv.contact_id, agent_id=inv.agent_id, csat=data.csat, nps=data.nps,
                resolved=data.resolved, at=now.isoformat(), dims=json.loads(inv.dims))
    return inv


def expire_due(ctx: Ctx) -> int:
    """Close links past their validity (the link already refuses answers; this keeps lists honest)."""
    n = 0
    for inv in ctx.session.scalars(repo.due_to_expire(ctx.now())):
        inv.status = "expired"
        ctx.audit("survey.expired", "survey", inv.id)
        n += 1
    return n


def invitations(ctx: Ctx, status: str | None = None, limit: int = 100) -> list[SurveyInvitation]:
    return list(ctx.session.scalars(repo.listing(status, limit)))


def page(ctx: Ctx, status: str | None, offset: int,
         limit: int = 50) -> tuple[list[tuple[SurveyInvitation, SurveyResponse | None]], int]:
    """The managers' survey list: invitations with their answers, a page at a time."""
    return repo.page(ctx.session, status, offset, limit)
