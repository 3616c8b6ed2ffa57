"""The demo's quarter of the evaluation inputs no KPI records: teamwork ratings, improvement suggestions and
simulated calls, so every component of the demo's evaluations has people with data.

- Teamwork (团队协作): at each month's end every agent rates two teammates, each team lead rates the members of
  their own team and the manager rates the team leads, through `telqc.evaluation.teamwork.rate` (its access
  scope decides who may rate whom). Each person has a steady way of working with others, so the ratings agree
  more than chance would.
- Suggestions (合理化建议): each month two agents of every demo province propose one; the province's team lead
  adopts most of them a week later and turns a few down with a reason, and the last month's newest ones still
  wait for a decision, so the suggestions page has something to decide. An adopted Guangdong suggestion names
  the improvement plan that carries it out when the improvement seed made that plan.
- Simulated calls (模拟通话): the trainer scores one for each Guangdong agent every month.

Everything goes through the domains' services on clocks set in the past (as `telqc.demo.quarter_seed` does),
so dates, audit entries and the evaluations' explanations look as they would in production. Runs once: a
second call finds the ratings there and makes nothing.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import select

from telqc.core.auth import principal_of
from telqc.core.clock import FrozenClock
from telqc.core.context import Ctx
from telqc.core.models import User
from telqc.core.rbac import Role
from telqc.evaluation import schemas as es
from telqc.evaluation import teamwork
from telqc.evaluation.models import TeamworkRating
from telqc.improvement import repository as improvement_repo
from telqc.improvement import schemas as ims
from telqc.improvement import suggestions
from telqc.improvement.models import ImprovementPlan
from telqc.training import schemas as ts
from telqc.training import service as training

PROVINCES = ("440000", "330000", "510000", "410000")
PEERS_RATED = 2  # teammates each agent rates a month
SUGGESTIONS = [
    ("晚高峰弹性排班", "晚 7 点到 9 点话务集中，建议按周话务预测增加弹性班次，接通率可提升。"),
    ("账单查询话术精简", "账单类来电开场核实后直接播报本期费用构成，减少来回确认，缩短通话时长。"),
    ("夜班交接清单", "夜班交接时统一使用清单，列出未结工单和待回访客户，避免遗漏。"),
    ("重复来电提示", "同一号码 48 小时内再次来电时在工作台提示上次诉求，减少客户重复说明。"),
    ("宽带故障自助排查指引", "短信推送光猫重启和指示灯自查步骤，简单故障客户可自行恢复，减少派单。"),
    ("投诉升级提醒", "投诉工单距时限 4 小时未处理时提醒班组长，避免超时。"),
    ("套餐对比一页纸", "把常用套餐的资费和权益做成一页对比表，坐席推荐时更快更准。"),
    ("新员工带教结对", "新员工上线首月与资深坐席结对，每日复盘两通录音。"),
    ("工单模板合并", "把相近的查询类工单模板合并，减少选错分类。"),
    ("携号转网挽留话术", "整理客户转网的常见原因和对应挽留方案，供坐席参考。"),
    ("质检结果周会分享", "每周挑选两通优秀录音在班组内分享，推广好的做法。"),
    ("短信满意度邀请时间调整", "结单后 2 小时再发满意度短信，避开客户忙碌时段，提高回复率。"),
]
REJECTED = "暂不采纳：与现行流程冲突，建议结合下季度系统改造再提。"
ADOPTED = "采纳：已纳入班组工作规范，下月起执行。"
SIM_ITEMS: list[dict[str, Any]] = [{"code": "greeting", "name": "开场与问候", "weight": 20},
             {"code": "verification", "name": "身份核实", "weight": 30},
             {"code": "solution", "name": "问题解决", "weight": 35},
             {"code": "closing", "name": "结束语", "weight": 15},
             {"code": "privacy", "name": "客户信息保密", "weight": 0, "fatal": True}]  # 1 kept, 0 failed


@dataclass(frozen=True)
class Seeded:
    ratings: int
    suggestions: int
    sim_calls: int


def _at(day: date, hour_utc: int) -> datetime:
    return datetime(day.year, day.month, day.day, hour_utc, tzinfo=UTC)


def _day(start: date, end: date, day: int) -> date:
    """The month's ``day``-th, kept inside the evaluated span (the first month may start late)."""
    return min(max(start, start.replace(day=day)), end)


def _as(ctx: Ctx, user: User, when: datetime) -> Ctx:
    return replace(ctx, clock=FrozenClock(when), principal=principal_of(user))


def _people(ctx: Ctx) -> list[User]:
    return list(ctx.session.scalars(select(User).where(User.is_active.is_(True), User.role.in_(
        (Role.agent.value, Role.supervisor.value, Role.manager.value))).order_by(User.id)))


def _in(u: User, province: str) -> bool:
    return province in (u.region_scope or [])


def seed_peer_input(ctx: Ctx, months: list[tuple[date, date]], seed: int = 22) -> Seeded:
    """The ratings, suggestions and simulated calls of ``months`` (the evaluated ones, oldest first)."""
    if not months or ctx.session.scalar(select(TeamworkRating.id).limit(1)) is not None:
        return Seeded(0, 0, 0)
    rng = random.Random(seed)
    people = _people(ctx)
    return Seeded(_ratings(ctx, people, months, rng), _suggestions(ctx, people, months, rng),
                  _sim_calls(ctx, people, months, rng))


def _ratings(ctx: Ctx, people: list[User], months: list[tuple[date, date]], rng: random.Random) -> int:
    """Each agent's teammates, the team leads and the manager rate at the end of every month (17:00 Beijing)."""
    agents = [u for u in people if u.role == Role.agent.value and u.team_id is not None]
    leads = [u for u in people if u.role == Role.supervisor.value and u.team_id is not None]
    manager = next((u for u in people if u.role == Role.manager.value and u.region_scope is None), None)
    trait = {u.id: rng.uniform(3.2, 4.8) for u in (*agents, *leads)}  # how each works with others

    def score(ratee: User) -> int:
        return max(1, min(5, round(trait[ratee.id] + rng.gauss(0, 0.6))))

    made = 0
    for idx, (start, end) in enumerate(months):
        month = f"{start:%Y-%m}"
        when = _at(end, 9)
        pairs: list[tuple[User, User]] = []
        for team in sorted({a.team_id or 0 for a in agents}):
            # a rotation shifted each month: everyone rates, and is rated by, PEERS_RATED teammates
            crew = [a for a in agents if a.team_id == team]
            n = len(crew)
            shifts = [(idx + j) % (n - 1) + 1 for j in range(min(PEERS_RATED, n - 1))] if n > 1 else []
            pairs += [(a, crew[(i + k) % n]) for i, a in enumerate(crew) for k in shifts]
        pairs += [(lead, b) for lead in leads for b in agents if b.team_id == lead.team_id]
        if manager is not None:
            pairs += [(manager, lead) for lead in leads]
        for i, (rater, ratee) in enumerate(pairs):
            teamwork.rate(_as(ctx, rater, when + timedelta(seconds=30 * i)), es.TeamworkIn(
                ratee_id=ratee.id, month=month, score=score(ratee)))
            made += 1
    return made


def _suggestions(ctx: Ctx, people: list[User], months: list[tuple[date, date]], rng: random.Random) -> int:
    """Two agents per province propose on the month's 10th; the team lead decides on the 17th, except the
    last month's second one, which waits."""
    ideas = iter(SUGGESTIONS * (1 + 2 * len(PROVINCES) * len(months) // len(SUGGESTIONS)))
    plan = ctx.session.scalar(select(ImprovementPlan.id).where(ImprovementPlan.title == "广东晚高峰接通提速"))
    made = 0
    for k, (start, end) in enumerate(months):
        proposed = _at(_day(start, end, 10), 2)
        decided = _at(_day(start, end, 17), 6)
        for province in PROVINCES:
            agents = [u for u in people if u.role == Role.agent.value and _in(u, province)]
            lead = next((u for u in people if u.role == Role.supervisor.value and _in(u, province)), None)
            for j, author in enumerate(rng.sample(agents, min(2, len(agents)))):
                title, body = next(ideas)
                row = suggestions.submit(_as(ctx, author, proposed + timedelta(hours=j)),
                                         ims.SuggestionIn(title=title, body=body))
                made += 1
                if lead is None or (k == len(months) - 1 and j == 1):
                    continue
                as_lead = _as(ctx, lead, decided + timedelta(hours=j))
                adopted = rng.random() < 0.75
                link = plan if (adopted and title == "晚高峰弹性排班" and plan is not None and improvement_repo.plan(
                    ctx.session, as_lead.principal, plan) is not None) else None
                suggestions.decide(as_lead, row.id, ims.SuggestionDecisionIn(
                    adopted=adopted, decision=ADOPTED if adopted else REJECTED, plan_id=link))
    return made


def _sim_calls(ctx: Ctx, people: list[User], months: list[tuple[date, date]], rng: random.Random) -> int:
    """The trainer's scorecard, and one simulated call per Guangdong agent in each month (a monthly drill)."""
    trainer = ctx.session.scalar(select(User).where(User.username == "trainer"))
    agents = [u for u in people if u.role == Role.agent.value and _in(u, PROVINCES[0])]
    if trainer is None or not agents or not months:
        return 0
    card = None
    for start, end in months:
        when = _at(_day(start, end, 20), 7)
        if card is None:
            card = training.create_sim_card(_as(ctx, trainer, when), ts.SimCardIn.model_validate(
                {"name": "账单查询模拟通话评分表", "pass_mark": 80, "items": SIM_ITEMS}))
        for i, agent in enumerate(agents):
            values = {it["code"]: (1.0 if it.get("fatal") else
                                   float(round(float(it["weight"]) * rng.uniform(0.6, 1.0)))) for it in SIM_ITEMS}
            training.score_sim_call(_as(ctx, trainer, when + timedelta(minutes=20 * i)), ts.SimCallIn(
                scorecard_id=card.id, agent_id=agent.id, scenario="客户质疑本月账单多扣流量费", values=values))
    return len(agents) * len(months)
