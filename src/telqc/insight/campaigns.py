"""Retention campaigns (issue 23 §4): a run draws the eligible customers into holdout and treated groups and
gives each treated one a task; agents record outcomes; a measurement says what the actions really saved.

Eligibility reads the published customer columns (`customers.read.CUSTOMERS`: stage, province, contract end);
agents are the active users with the agent role and a regional scope. Every state change is audited
(``insight.campaign_run``, ``insight.retention_outcome``, ``insight.campaign_measured``, ``insight.offer_*``).
Reads are scoped: an agent sees only their own tasks (another's is NotFound, not Forbidden, so ids do not
leak); a supervisor's board counts only the members in their regions. Services never commit.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from sqlalchemy import func, select

from telqc.core import repository as core_repo
from telqc.core.context import Ctx
from telqc.core.errors import Conflict, NotFound
from telqc.core.rbac import Role
from telqc.customers import service as customers
from telqc.customers.read import CUSTOMER_PLANS, CUSTOMERS
from telqc.insight import retention, service, uplift
from telqc.insight import scores as churn_scores
from telqc.insight.models import InsightBill, InsightOffer, RetentionCampaign, RetentionMember

FINAL = frozenset({"accepted", "declined"})
RETAINED_NOT = ("lapsed", "churn_risk")  # a re-assessed stage that counts as not retained


def _scope(ctx: Ctx) -> tuple[str, ...] | None:
    return ctx.principal.region_scope if ctx.principal else None


def run(ctx: Ctx, name: str, rules: retention.Rules | None = None, scores: Mapping[int, float] | None = None,
        progress: Callable[[int, int], None] | None = None) -> RetentionCampaign:
    """Draw and assign one campaign; `scores` are churn probabilities by customer, by default the stored
    scores (`scoring.run`): a stage rule's `min_churn` then keeps only the customers at that risk, and each
    member keeps the score's reasons and model, as they were when the task was given."""
    rules = rules or retention.load_rules()
    stages = list(rules.stages)
    rows = ctx.session.execute(select(CUSTOMERS.c.id, CUSTOMERS.c.province_code, CUSTOMERS.c.lifecycle,
                                      CUSTOMERS.c.contract_end).where(CUSTOMERS.c.lifecycle.in_(stages))).all()
    stored = churn_scores.stored(ctx, [r.id for r in rows]) if scores is None else {}
    scores = churn_scores.scores_of(stored) if scores is None else scores
    candidates = [retention.Candidate(r.id, r.province_code, r.lifecycle, scores.get(r.id),
                                      r.contract_end.isoformat() if r.contract_end else None) for r in rows]
    agents = [retention.Agent(u.id, tuple(u.region_scope)) for u in core_repo.users(ctx.session)
              if u.is_active and u.role == Role.agent.value and u.region_scope]
    load = {int(a): int(n) for a, n in ctx.session.execute(select(RetentionMember.agent_id, func.count()).where(
        RetentionMember.status == "open", RetentionMember.agent_id.is_not(None)).group_by(
        RetentionMember.agent_id)) if a is not None}
    c = RetentionCampaign(name=name, holdout_share=rules.holdout_share, seed=rules.seed, treated=0, held_out=0,
                          created_by=ctx.principal.user_id if ctx.principal else None, created_at=ctx.now())
    ctx.session.add(c)
    ctx.session.flush()
    picks = retention.plan(f"campaign-{c.id}", candidates, agents, rules, load)
    for i, p in enumerate(picks, 1):
        sc = stored.get(p.customer_id)
        ctx.session.add(RetentionMember(
            campaign_id=c.id, customer_id=p.customer_id, province_code=p.province, stage=p.stage, churn=p.churn,
            reasons=[p.reason], holdout=p.holdout, action=p.action, agent_id=p.agent_id, status="open",
            churn_reasons=sc.reasons if sc else None, model_version=sc.model_version if sc else None))
        if progress and (i % 500 == 0 or i == len(picks)):
            progress(i, len(picks))
    c.treated = sum(not p.holdout for p in picks)
    c.held_out = len(picks) - c.treated
    ctx.session.flush()
    ctx.audit("insight.campaign_run", "retention_campaign", c.id, name=name, treated=c.treated,
              held_out=c.held_out, holdout_share=c.holdout_share, seed=c.seed, scored=len(stored))
    return c


@dataclass(frozen=True)
class Task:
    member: RetentionMember
    customer_name: str
    campaign_name: str

    def churn_line(self, lang: str) -> str | None:
        """The score and reasons the task was given with ("流失风险 0.72：…"), None when none was stored."""
        m = self.member
        return None if m.churn is None else churn_scores.line(m.churn, m.churn_reasons, lang)

    def churn_reasons(self, lang: str) -> list[str]:
        return churn_scores.reason_texts(self.member.churn_reasons, lang)


def my_tasks(ctx: Ctx, include_done: bool = True, customer_id: int | None = None,
             member_id: int | None = None) -> list[Task]:
    """The caller's own tasks, open first (of one customer, or one task, when given)."""
    assert ctx.principal is not None
    q = select(RetentionMember, RetentionCampaign.name).join(RetentionCampaign).where(
        RetentionMember.agent_id == ctx.principal.user_id)
    if not include_done:
        q = q.where(RetentionMember.status == "open")
    if customer_id is not None:
        q = q.where(RetentionMember.customer_id == customer_id)
    if member_id is not None:
        q = q.where(RetentionMember.id == member_id)
    rows = ctx.session.execute(q.order_by((RetentionMember.status != "open"), RetentionMember.id)).all()
    return [Task(m, customers.get(ctx, m.customer_id).name, name) for m, name in rows]


def open_count(ctx: Ctx) -> int:
    assert ctx.principal is not None
    return int(ctx.session.scalar(select(func.count()).select_from(RetentionMember).where(
        RetentionMember.agent_id == ctx.principal.user_id, RetentionMember.status == "open")) or 0)


def _own(ctx: Ctx, member_id: int) -> RetentionMember:
    m = ctx.session.get(RetentionMember, member_id)
    if m is None or ctx.principal is None or m.agent_id != ctx.principal.user_id:
        raise NotFound(what="w.retention_task")
    return m


def record_outcome(ctx: Ctx, member_id: int, outcome: str, note: str | None) -> RetentionMember:
    """An agent's result of a task; accepted and declined are final (the offer is decided), the others may
    be followed by another attempt."""
    m = _own(ctx, member_id)
    if outcome not in retention.OUTCOMES:
        raise Conflict(field="body.outcome")
    if m.status in FINAL:
        raise Conflict(field="body.outcome")
    before = m.status
    m.status, m.note, m.outcome_at = outcome, (note or None), ctx.now()
    if m.action == "offer" and outcome in FINAL:
        _decide_retention_offer(ctx, m, outcome == "accepted")
    ctx.session.flush()
    ctx.audit("insight.retention_outcome", "retention_member", m.id, **{"from": before, "to": outcome},
              customer_id=m.customer_id, note=note or "")
    return m


def _decide_retention_offer(ctx: Ctx, m: RetentionMember, accepted: bool) -> None:
    tier = ctx.session.execute(select(CUSTOMERS.c.tier).where(CUSTOMERS.c.id == m.customer_id)).scalar_one()
    o = InsightOffer(customer_id=m.customer_id, province_code=m.province_code, segment=tier, channel="retention",
                     member_id=m.id, shown_by=m.agent_id, shown_at=ctx.now(), accepted=accepted,
                     decided_at=ctx.now())
    ctx.session.add(o)


def measure(ctx: Ctx, campaign_id: int) -> RetentionCampaign:
    """Mark every member retained or not from their current (re-assessed) stage, in both groups alike."""
    c = ctx.session.get(RetentionCampaign, campaign_id)
    if c is None:
        raise NotFound(what="w.retention_campaign")
    stage = dict(ctx.session.execute(select(CUSTOMERS.c.id, CUSTOMERS.c.lifecycle).join(
        RetentionMember, RetentionMember.customer_id == CUSTOMERS.c.id).where(
        RetentionMember.campaign_id == c.id)).all())
    members = list(ctx.session.scalars(select(RetentionMember).where(RetentionMember.campaign_id == c.id)))
    arpu = monthly_arpu(ctx, [m.customer_id for m in members])
    for m in members:
        m.retained = stage.get(m.customer_id) not in RETAINED_NOT
        m.arpu_fen = arpu.get(m.customer_id)
    c.measured_at = ctx.now()
    ctx.session.flush()
    ctx.audit("insight.campaign_measured", "retention_campaign", c.id, name=c.name,
              retained=sum(bool(m.retained) for m in members), members=len(members))
    return c


def monthly_arpu(ctx: Ctx, customer_ids: list[int]) -> dict[int, int]:
    """Fen a month: the mean of the customer's last 3 stored bills, else the catalogue fee of their current
    plan (what they would pay without a bill imported yet); a customer with neither is left out."""
    wanted = set(customer_ids)
    bills: dict[int, list[int]] = {}
    rank = func.row_number().over(partition_by=InsightBill.customer_id, order_by=InsightBill.month.desc())
    last = select(InsightBill.customer_id, InsightBill.amount_fen, rank.label("k")).where(
        InsightBill.customer_id.in_(wanted)).subquery()
    for cid, amount in ctx.session.execute(select(last.c.customer_id, last.c.amount_fen).where(last.c.k <= 3)):
        bills.setdefault(int(cid), []).append(int(amount))
    out = {cid: round(sum(v) / len(v)) for cid, v in bills.items()}
    fees = {p.code: p.fee_fen for p in service.plan_catalogue(ctx)}
    cp = CUSTOMER_PLANS.c
    for cid, code in ctx.session.execute(select(cp.customer_id, cp.plan_code).where(
            cp.customer_id.in_(wanted - set(out)), cp.ended_on.is_(None)).order_by(cp.customer_id, cp.plan_code)):
        if code in fees and int(cid) not in out:
            out[int(cid)] = fees[code]
    return out


@dataclass(frozen=True)
class CampaignView:
    campaign: RetentionCampaign
    treated: int
    held_out: int
    outcomes: dict[str, int]
    effect: uplift.Uplift | None  # None until measured, or when a group is empty in the reader's scope
    saved: uplift.SavedRevenue | None = None  # with the effect, when the treated members' ARPU is known


def campaigns(ctx: Ctx) -> list[CampaignView]:
    """Every campaign with its counts and uplift, counted over the members in the reader's regions."""
    scope = _scope(ctx)
    q = select(RetentionMember.campaign_id, RetentionMember.holdout, RetentionMember.status,
               RetentionMember.retained, func.count()).group_by(
        RetentionMember.campaign_id, RetentionMember.holdout, RetentionMember.status, RetentionMember.retained)
    a = select(RetentionMember.campaign_id, func.avg(RetentionMember.arpu_fen)).where(
        RetentionMember.holdout.is_(False), RetentionMember.arpu_fen.is_not(None)).group_by(
        RetentionMember.campaign_id)
    if scope is not None:
        q = q.where(RetentionMember.province_code.in_(scope))
        a = a.where(RetentionMember.province_code.in_(scope))
    counts: dict[int, list[tuple[bool, str, bool | None, int]]] = {}
    for cid, hold, status, kept, n in ctx.session.execute(q):
        counts.setdefault(cid, []).append((bool(hold), status, kept, n))
    arpu = {int(cid): round(float(v)) for cid, v in ctx.session.execute(a) if v is not None}
    out = []
    for c in ctx.session.scalars(select(RetentionCampaign).order_by(RetentionCampaign.id.desc())):
        rows = counts.get(c.id, [])
        treated = sum(n for h, _, _, n in rows if not h)
        held = sum(n for h, _, _, n in rows if h)
        outcomes: dict[str, int] = {}
        for h, st, _, n in rows:
            if not h:
                outcomes[st] = outcomes.get(st, 0) + n
        effect, saved = None, None
        if c.measured_at is not None and treated and held:
            effect = uplift.difference(sum(n for h, _, k, n in rows if not h and k), treated,
                                       sum(n for h, _, k, n in rows if h and k), held)
            if c.id in arpu:
                saved = uplift.saved_revenue(effect, treated, arpu[c.id])
        out.append(CampaignView(c, treated, held, outcomes, effect, saved))
    return out
