"""Evaluation schemes (考评方案): which components, weights, targets, gates and grades evaluate whom, and when.

A scheme is chosen by the evaluated person's role (坐席 agent, 装维工程师 engineer, 班组长 supervisor) and the
period kind (月度 month, 季度 quarter): an agent's month is judged on calls and customers, an engineer's on repairs
kept in time, a team lead's on how the team works together and improves (操作流程 六.1 设立客服绩效评估标准: the
standard adapts as the work changes). The quality manager saves a new version from the scheme page; versions are
never edited, and each run copies the version in force (`EvaluationRun.scheme`), so a result computed last
quarter is still explained with last quarter's weights. Until a version is saved the built-in scheme applies.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from telqc.core.context import Ctx
from telqc.core.errors import Invalid
from telqc.evaluation import repository as repo
from telqc.evaluation import schemas as s
from telqc.evaluation.models import EvaluationScheme
from telqc.metrics import registry

ROLES = ("agent", "engineer", "supervisor")
PERIODS = ("month", "quarter")
QUARTER_FROM_DAYS = 32  # a period longer than the longest month is evaluated with the quarter's scheme


@dataclass(frozen=True)
class External:
    """A component no KPI of the registry computes: read from the domain that owns it."""

    zh: str
    en: str
    target: float
    unit: str  # points | five | count | ratio


# exam and simulated-call scores: training; teamwork: ratings kept here; adopted suggestions: improvement
EXTERNAL: dict[str, External] = {
    "exam_score": External("考试成绩", "Exam score", 90.0, "points"),
    "sim_call_score": External("模拟通话", "Simulated calls", 90.0, "points"),
    "course_completion": External("课程完成率", "Courses completed", 1.0, "ratio"),
    "teamwork": External("团队协作", "Teamwork", 5.0, "five"),
    "suggestions_adopted": External("建议采纳", "Suggestions adopted", 1.0, "count"),
}
# what the scheme page offers: the KPIs an agent's work is measured on, then the other domains' components
KPI_KEYS = ("qa_score", "csat", "fcr", "aht", "sla_compliance", "timely_complaint_handling", "offered")
CHOICES = (*KPI_KEYS, *EXTERNAL)
GATE_KEY = "fatal_error_rate"

GRADES: list[dict[str, Any]] = [
    {"name": "A", "min_score": 90, "tier": "reward"}, {"name": "B", "min_score": 80, "tier": "keep"},
    {"name": "C", "min_score": 70, "tier": "coach"}, {"name": "D", "min_score": 0, "tier": "help"}]
FATAL_GATE = {"key": GATE_KEY, "above": 0.0, "cap": 79.99, "reason": "fatal"}


def _c(key: str, weight: float, normalise: str = "target", target: float | None = None) -> dict[str, Any]:
    c: dict[str, Any] = {"key": key, "weight": weight, "normalise": normalise}
    if target is not None:
        c["target"] = target
    return c


# The built-in schemes. The agent's month is the handbook's five dimensions where TelQC has the data: service
# quality (QA, the fatal gate), customer satisfaction, professional knowledge (FCR, exams, courses, simulated
# calls), teamwork, innovation (adopted suggestions), plus efficiency, timeliness, complaint handling and volume.
_AGENT = [_c("qa_score", 30), _c("csat", 25), _c("fcr", 15), _c("aht", 10), _c("sla_compliance", 10),
          _c("timely_complaint_handling", 10), _c("offered", 10, "percentile"), _c("exam_score", 10),
          _c("teamwork", 10), _c("suggestions_adopted", 5), _c("course_completion", 5), _c("sim_call_score", 5)]
_ENGINEER = [_c("sla_compliance", 35), _c("csat", 25), _c("teamwork", 20), _c("exam_score", 10),
             _c("course_completion", 10), _c("suggestions_adopted", 5)]
_SUPERVISOR = [_c("teamwork", 40), _c("suggestions_adopted", 20), _c("course_completion", 20), _c("exam_score", 20)]
_NAMES = {"agent": "坐席", "engineer": "装维工程师", "supervisor": "班组长"}


def builtin(role: str, period: str) -> dict[str, Any]:
    """The scheme in force before the quality manager saves one. A quarter expects three months' suggestions."""
    comps = copy.deepcopy({"agent": _AGENT, "engineer": _ENGINEER, "supervisor": _SUPERVISOR}[role])
    if period == "quarter":
        for c in comps:
            if c["key"] == "suggestions_adopted":
                c["target"] = 3.0
    return {"name": f"{_NAMES[role]}{'月度' if period == 'month' else '季度'}考评", "role": role, "period": period,
            "version": 0, "components": comps, "gates": [dict(FATAL_GATE)] if role != "supervisor" else [],
            "grades": copy.deepcopy(GRADES)}


def period_kind(days: int) -> str:
    return "month" if days < QUARTER_FROM_DAYS else "quarter"


def current(ctx: Ctx, role: str, period: str) -> tuple[int | None, dict[str, Any]]:
    """The newest saved version for the role and period (its id and body), else the built-in (None)."""
    row = repo.latest_scheme(ctx.session, role, period)
    if row is None:
        return None, builtin(role, period)
    return row.id, {**copy.deepcopy(row.body), "name": row.name, "role": role, "period": period,
                    "version": row.version}


def resolve(scheme: dict[str, Any]) -> dict[str, Any]:
    """The scheme as a run stores it: every component with the direction and target it was computed with."""
    out = copy.deepcopy(scheme)
    for c in out["components"]:
        if c["key"] in EXTERNAL:
            c.setdefault("target", EXTERNAL[c["key"]].target)
            c["direction"] = "higher"
            continue
        kpi = registry.get(c["key"])
        assert kpi is not None, f"scheme names unknown KPI {c['key']}"
        c["direction"] = kpi.direction if kpi.direction in ("higher", "lower") else "higher"
        if "target" not in c:
            c["target"] = kpi.target
    return out


def save(ctx: Ctx, data: s.SchemeIn) -> EvaluationScheme:
    """The next version for the role and period. Components weighted 0 are left out; at least one must stay."""
    comps = []
    seen: set[str] = set()
    for i, c in enumerate(data.components):
        field = f"body.components.{i}"
        if c.key not in CHOICES:
            raise Invalid("evaluation.error.component", field=f"{field}.key", component=c.key)
        if c.key in seen:
            raise Invalid("evaluation.error.component_twice", field=f"{field}.key", component=c.key)
        seen.add(c.key)
        if c.weight == 0:
            continue
        kpi = registry.get(c.key) if c.key in KPI_KEYS else None
        if c.normalise == "target" and c.target is None and kpi is not None and kpi.target is None:
            raise Invalid("evaluation.error.target_needed", field=f"{field}.target")
        comps.append(_c(c.key, c.weight, c.normalise, c.target))
    if not comps:
        raise Invalid("evaluation.error.no_components", field="body.components")
    mins = [data.grade_a, data.grade_b, data.grade_c]
    if not mins[0] > mins[1] > mins[2]:
        raise Invalid("evaluation.error.grades", field="body.grade_b")
    grades = [{"name": g["name"], "min_score": m, "tier": g["tier"]} for g, m in zip(GRADES, [*mins, 0], strict=True)]
    gates = [] if data.fatal_cap is None else [{**FATAL_GATE, "cap": data.fatal_cap}]
    version = repo.last_scheme_version(ctx.session, data.role, data.period_kind) + 1
    row = EvaluationScheme(role=data.role, period_kind=data.period_kind, version=version, name=data.name,
                           body={"components": comps, "gates": gates, "grades": grades}, created_at=ctx.now(),
                           created_by=ctx.principal.user_id if ctx.principal else None)
    ctx.session.add(row)
    ctx.session.flush()
    ctx.audit("evaluation.scheme_saved", "evaluation_scheme", row.id, role=row.role, period=row.period_kind,
              version=row.version, weights={c["key"]: c["weight"] for c in comps})
    return row


def saved_out(row: EvaluationScheme) -> s.SchemeOut:
    """A saved version as the API shows it."""
    return s.SchemeOut(id=row.id, role=row.role, period_kind=row.period_kind, version=row.version, name=row.name,
                       components=row.body["components"], gates=row.body["gates"], grades=row.body["grades"])


def overview(ctx: Ctx) -> list[s.SchemeOut]:
    """Every role × period: the scheme in force and how many versions were saved."""
    counts = repo.scheme_version_counts(ctx.session)
    out = []
    for role in ROLES:
        for period in PERIODS:
            sid, body = current(ctx, role, period)
            out.append(s.SchemeOut(id=sid, role=role, period_kind=period, version=body["version"], name=body["name"],
                                   components=body["components"], gates=body["gates"], grades=body["grades"],
                                   versions=counts.get((role, period), 0)))
    return out
