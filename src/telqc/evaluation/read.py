"""What other domains read of evaluation: the agents the latest evaluation put in its coaching tiers.

The handbook rewards the best and helps the weakest (操作流程 六.1; 管理规范手册 2.3.1): training reads this to
offer the trainer the agents a run graded 辅导 (coach) or 帮扶 (help) who have had no training since. Plain rows,
no service import, so training can read it while evaluation reads exam scores from training.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from telqc.evaluation.models import EvaluationResult, EvaluationRun

HELP_TIERS = ("coach", "help")


@dataclass(frozen=True)
class Weak:
    agent_id: int
    run_id: int
    run_name: str
    period_end: date
    run_at: datetime
    total: float
    grade: str
    tier: str


def weakest(session: Session, agent_ids: Collection[int]) -> list[Weak]:
    """Each agent's result in the newest run that evaluated them, when its tier is coach or help."""
    if not agent_ids:
        return []
    latest = (select(EvaluationResult.agent_id, func.max(EvaluationResult.run_id).label("run_id"))
              .where(EvaluationResult.agent_id.in_(agent_ids)).group_by(EvaluationResult.agent_id).subquery())
    rows = session.execute(
        select(EvaluationResult, EvaluationRun)
        .join(latest, (latest.c.agent_id == EvaluationResult.agent_id) & (latest.c.run_id == EvaluationResult.run_id))
        .join(EvaluationRun, EvaluationRun.id == EvaluationResult.run_id)
        .where(EvaluationResult.tier.in_(HELP_TIERS)).order_by(EvaluationResult.total, EvaluationResult.agent_id))
    return [Weak(x.agent_id, r.id, r.name, r.period_end, r.created_at, x.total, x.grade, x.tier) for x, r in rows]
