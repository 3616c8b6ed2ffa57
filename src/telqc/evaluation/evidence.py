"""What a result's component was computed from: the inspected calls behind the QA score (and the fatal gate),
the survey answers behind customer satisfaction (操作流程 六.1: evaluation is explained; issue 22: a link to the
underlying orders, calls and surveys).

The caller reads a result's evidence if they may read the result: a supervisor or manager of its run's province,
or the evaluated person themself — never another agent's. Read through `inspection.read` and `surveys.read`.
"""

from __future__ import annotations

from typing import Any

from telqc.core.context import Ctx
from telqc.core.errors import NotFound
from telqc.core.rbac import Perm
from telqc.evaluation.models import EvaluationResult, EvaluationRun
from telqc.inspection import read as inspection
from telqc.metrics import rollup
from telqc.metrics import service as metrics
from telqc.surveys import read as surveys

KINDS = {"qa_score": "calls", "fatal_error_rate": "calls", "csat": "surveys"}


def result(ctx: Ctx, result_id: int) -> tuple[EvaluationRun, EvaluationResult]:
    p = ctx.principal
    x = ctx.session.get(EvaluationResult, result_id)
    r = ctx.session.get(EvaluationRun, x.run_id) if x is not None else None
    if p is None or x is None or r is None:
        raise NotFound(what="w.evaluation_result")
    own = x.agent_id == p.user_id
    manages = p.can(Perm.evaluation_manage) and (p.region_scope is None or r.province_code in p.region_scope)
    if not (own or manages):
        raise NotFound(what="w.evaluation_result")  # another agent's result does not exist for this one
    return r, x


def rows(ctx: Ctx, result_id: int, key: str) -> tuple[EvaluationRun, EvaluationResult, str, list[Any]]:
    """The run, the result, the evidence kind (calls | surveys) and its rows over the run's local days."""
    if key not in KINDS:
        raise NotFound(what="w.evaluation_evidence")
    r, x = result(ctx, result_id)
    tz = metrics.tz_of(ctx)
    start = rollup.local_midnight(r.period_start, tz)
    end = rollup.local_midnight(r.period_end.fromordinal(r.period_end.toordinal() + 1), tz)
    kind = KINDS[key]
    found: list[Any] = (inspection.agent_calls(ctx.session, x.agent_id, start, end) if kind == "calls"
                        else surveys.agent_answers(ctx.session, x.agent_id, start, end))
    return r, x, kind, found
