"""Demo improvement plans, run through the improvement services on the demo's own KPI rollups.

Guangdong's hotline waits halved four weeks ago (`telqc.demo.seed.IMPROVED_PROVINCE`): the plan that did it is
measured against Zhejiang and comes out effective, and is standardised. Zhejiang's plan to cut handling time
changed nothing in the data, so it is measured "not shown" and goes back for adjustment. A third plan is under
way with one action overdue, so the board has something in every column that matters.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from telqc.core.context import Ctx
from telqc.core.models import User
from telqc.demo.seed import IMPROVED_DAYS, IMPROVED_PROVINCE
from telqc.improvement import schemas as s
from telqc.improvement import service
from telqc.improvement.states import PlanState, RootCause
from telqc.metrics import service as metrics

ZJ = "330000"
MIN_DAYS = 2 * IMPROVED_DAYS + 1  # a baseline as long as the after period, before it


def _plan(ctx: Ctx, owner: int, today: date, **kw: object) -> int:
    body = {"owner_id": owner, "baseline_start": today - timedelta(days=2 * IMPROVED_DAYS),
            "baseline_end": today - timedelta(days=IMPROVED_DAYS + 1), "source": "kpi", **kw}
    return service.create(ctx, s.PlanIn.model_validate(body)).id


def _run(ctx: Ctx, pid: int, owner: int, today: date, cause: RootCause, whys: list[str], action: str) -> None:
    service.analyse(ctx, pid, s.AnalysisIn(root_cause=cause, why=whys))
    a = service.add_action(ctx, pid, s.ActionIn(title=action, owner_id=owner,
                                                due_on=today - timedelta(days=IMPROVED_DAYS + 1)))
    service.transition(ctx, pid, s.TransitionIn(to=PlanState.DOING))
    service.complete_action(ctx, a.id, s.ActionDoneIn(note="已完成"))
    service.transition(ctx, pid, s.TransitionIn(to=PlanState.CHECKING))
    service.measure(ctx, pid, s.MeasureIn(after_start=today - timedelta(days=IMPROVED_DAYS - 1),
                                          after_end=today - timedelta(days=1)))


def seed_improvement(ctx: Ctx, days: int) -> int:
    """Create the demo plans (needs ``MIN_DAYS`` of contact history); returns how many were made."""
    if days < MIN_DAYS:
        return 0
    owner = ctx.session.scalar(select(User.id).where(User.username == "manager"))
    if owner is None:
        return 0
    today = metrics.local_today(ctx)
    good = _plan(ctx, owner, today, title="广东晚高峰接通提速", kpi="answer_rate_15s",
                 problem="广东热线晚高峰 15 秒接通率低于 85% 目标，排队时间长、放弃多",
                 scope={"province": [IMPROVED_PROVINCE]}, comparison={"province": [ZJ]})
    _run(ctx, good, owner, today, RootCause.PEOPLE,
         ["接通慢", "晚高峰排队长", "晚高峰在岗坐席不足", "排班未按话务预测"], "晚高峰增配坐席、按预测排班")
    if service.get(ctx, good).verdict == "effective":
        service.transition(ctx, good, s.TransitionIn(to=PlanState.STANDARDISED, note="纳入排班规范"))
    flat = _plan(ctx, owner, today, title="浙江平均处理时长压降", kpi="aht",
                 problem="浙江热线平均处理时长高于 6 分钟目标", scope={"province": [ZJ]},
                 comparison={"province": [IMPROVED_PROVINCE]})
    _run(ctx, flat, owner, today, RootCause.PROCESS, ["处理时间长", "查询步骤多", "系统跳转多个页面"],
         "整合查询页面，减少跳转")
    if service.get(ctx, flat).verdict != "effective":
        service.transition(ctx, flat, s.TransitionIn(to=PlanState.ADJUSTING, note="效果未显现，重新分析根因"))
    doing = _plan(ctx, owner, today, title="投诉回访满意率提升", kpi="complaint_satisfaction",
                  problem="投诉回访满意率低于 90% 目标", source="manual", comparison=None)
    service.analyse(ctx, doing, s.AnalysisIn(root_cause=RootCause.PROCESS, why=["回访不满意", "问题反复",
                                                                                 "结单前未确认解决"]))
    service.add_action(ctx, doing, s.ActionIn(title="结单前电话确认", owner_id=owner, due_on=today - timedelta(days=3)))
    service.add_action(ctx, doing, s.ActionIn(title="回访话术培训", owner_id=owner, due_on=today + timedelta(days=10)))
    service.transition(ctx, doing, s.TransitionIn(to=PlanState.DOING))
    return 3
