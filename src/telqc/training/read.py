"""What evaluation reads of training besides exam scores: course completion and simulated-call scores.

The handbook asks that training completion and practical tests count in the evaluation (操作流程 二.1 定期的技能
更新和考核, 五.4 模拟真实场景的压力测试; 手册 8.2.3 考试、实操考核). Days are the operator's local days, as for
`telqc.training.service.exam_scores`; a person with nothing to count is absent, so evaluation leaves the
component out for them instead of scoring zero.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from telqc.core.context import Ctx
from telqc.training.models import SimCall, TrainingAssignment


def _bounds(ctx: Ctx, start: date, end: date) -> tuple[datetime, datetime]:
    tz = ZoneInfo(ctx.settings.timezone)
    return datetime.combine(start, time(0), tz), datetime.combine(end + timedelta(days=1), time(0), tz)


def course_completion(ctx: Ctx, agent_ids: Iterable[int], start: date, end: date) -> dict[int, tuple[int, int]]:
    """Per person, (completed, assigned) over the courses assigned to them in the period: completed means done
    by the period's end, so a course finished after the month closed counts in no month's evaluation twice."""
    ids = list(agent_ids)
    if not ids:
        return {}
    lo, hi = _bounds(ctx, start, end)
    out: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for agent, done_at in ctx.session.execute(
            select(TrainingAssignment.agent_id, TrainingAssignment.completed_at).where(
                TrainingAssignment.agent_id.in_(ids), TrainingAssignment.assigned_at >= lo,
                TrainingAssignment.assigned_at < hi)):
        out[agent][1] += 1
        if done_at is not None and done_at < hi:
            out[agent][0] += 1
    return {a: (v[0], v[1]) for a, v in out.items()}


def sim_call_scores(ctx: Ctx, agent_ids: Iterable[int], start: date, end: date) -> dict[int, tuple[float, int]]:
    """Per person, (mean score 0–100, calls) of the simulated calls scored in the period."""
    ids = list(agent_ids)
    if not ids:
        return {}
    lo, hi = _bounds(ctx, start, end)
    scores: dict[int, list[float]] = defaultdict(list)
    for agent, score in ctx.session.execute(select(SimCall.agent_id, SimCall.score).where(
            SimCall.agent_id.in_(ids), SimCall.scored_at >= lo, SimCall.scored_at < hi)):
        scores[agent].append(float(score))
    return {a: (sum(v) / len(v), len(v)) for a, v in scores.items()}
