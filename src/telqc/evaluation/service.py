"""Agent evaluation: compute a run from the KPI rollups, explain each result, take and decide objections.

The default scheme follows the handbook's dimensions where TelQC has the data (操作流程 六.1; 管理规范手册 2.3.1):
service quality (QA score, with a fatal item capping the grade), customer satisfaction (CSAT), professional
knowledge (first-contact resolution), efficiency (AHT against target), timeliness (SLA compliance of the orders
they handled), complaint handling (complaints they closed in time, 投诉处理及时率), volume (contacts handled,
against their own team), professional knowledge by exam, course and simulated call (training), teamwork
(ratings kept here) and adopted suggestions (improvement): see `schemes.py` for the scheme chosen by role and
period and `external.py` for the components other domains supply. KPI values are read from
`telqc.metrics.service` by agent.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from telqc.core import repository as core_repo
from telqc.core.context import Ctx
from telqc.core.errors import Conflict, Forbidden, Invalid, NotFound
from telqc.core.models import Team, User
from telqc.evaluation import external, schemes, scoring
from telqc.evaluation import schemas as s
from telqc.evaluation.models import EvaluationObjection, EvaluationResult, EvaluationRun
from telqc.metrics import registry, rollup
from telqc.metrics import service as metrics

MAX_PERIOD_DAYS = 186  # a half-year at most: the rollups by agent are daily

DEFAULT_SCHEME: dict[str, Any] = schemes.builtin("agent", "month")
EXTERNAL = schemes.EXTERNAL


def _components(scheme: dict[str, Any]) -> list[scoring.Component]:
    """A run's stored (resolved) scheme as the engine's components."""
    return [scoring.Component(c["key"], float(c["weight"]), c["normalise"], c["direction"], c.get("target"))
            for c in scheme["components"]]


def _agents(ctx: Ctx, province: str | None, role: str = "agent") -> list[User]:
    rows = ctx.session.scalars(select(User).where(User.role == role, User.is_active.is_(True)).order_by(User.id))
    return [u for u in rows if province is None or province in (u.region_scope or [])]


def agent_values(ctx: Ctx, kpis: list[str], run: EvaluationRun, agent_ids: set[int]
                 ) -> dict[int, dict[str, float | None]]:
    """KPI values per agent over the run's local days: one rollup read for all the KPIs."""
    tz = metrics.tz_of(ctx)
    start = rollup.local_midnight(run.period_start, tz)
    end = rollup.local_midnight(run.period_end + timedelta(days=1), tz)
    found = metrics.evaluate(ctx.session, metrics.resolve(kpis, ["agent"], {}), start, end, period=None,
                             group_by=["agent"], filters={}, tz=tz)
    out: dict[int, dict[str, float | None]] = {a: dict.fromkeys(kpis) for a in agent_ids}
    for kpi, cells in found.items():
        for (_, group), value in cells.items():
            agent = int(group[0]) if group and str(group[0]).isdigit() else 0
            if agent in out:
                out[agent][kpi] = value
    return out


def run(ctx: Ctx, data: s.RunIn) -> EvaluationRun:
    if data.period_end < data.period_start:
        raise Invalid("evaluation.error.period", field="body.period_end")
    if (data.period_end - data.period_start).days >= MAX_PERIOD_DAYS:
        raise Invalid("evaluation.error.period_long", field="body.period_end", days=MAX_PERIOD_DAYS)
    if data.period_end >= metrics.local_today(ctx):
        raise Invalid("evaluation.error.period_open", field="body.period_end")
    scope = ctx.principal.region_scope if ctx.principal else None
    if scope is not None and data.province not in scope:
        raise Invalid("evaluation.error.scope", field="body.province")
    kind = schemes.period_kind((data.period_end - data.period_start).days + 1)
    if data.period_kind is not None and data.period_kind != kind:
        raise Invalid(f"evaluation.error.period_{data.period_kind}", field="body.period_kind")
    scheme_id, chosen = schemes.current(ctx, data.role, kind)
    scheme = schemes.resolve(chosen)
    r = EvaluationRun(name=data.name, period_start=data.period_start, period_end=data.period_end,
                      province_code=data.province, role=data.role, period_kind=kind, scheme_id=scheme_id,
                      scheme=scheme, created_at=ctx.now(), created_by=ctx.principal.user_id if ctx.principal else None)
    ctx.session.add(r)
    ctx.session.flush()
    agents = _agents(ctx, data.province, data.role)
    components = _components(scheme)
    gates = [scoring.Gate(**g) for g in scheme["gates"]]
    grades = [scoring.Grade(**g) for g in scheme["grades"]]
    kpis = [c.key for c in components if c.key not in EXTERNAL] + [g.key for g in gates]
    values = agent_values(ctx, kpis, r, {u.id for u in agents})
    external.fill(ctx, values, {c.key for c in components if c.key in EXTERNAL}, r.period_start, r.period_end)
    results = scoring.evaluate(values, {u.id: u.team_id for u in agents}, components, gates, grades)
    ctx.session.add_all([EvaluationResult(
        run_id=r.id, agent_id=x.agent_id, team_id=x.team_id, total=x.total, grade=x.grade, tier=x.tier,
        rank_in_team=x.rank_in_team, team_size=x.team_size, parts=[asdict(p) for p in x.parts],
        capped_by=list(x.capped_by), adjusted=False) for x in results])
    r.agents = len(results)
    ctx.audit("evaluation.run", "evaluation_run", r.id, period=f"{r.period_start}..{r.period_end}",
              province=r.province_code, agents=r.agents, role=r.role, scheme=f"{scheme['name']} v{scheme['version']}")
    return r


def _run(ctx: Ctx, run_id: int) -> EvaluationRun:
    r = ctx.session.get(EvaluationRun, run_id)
    scope = ctx.principal.region_scope if ctx.principal else None
    if r is None or (scope is not None and r.province_code not in scope):
        raise NotFound(what="w.evaluation_run")
    return r


def runs(ctx: Ctx) -> list[EvaluationRun]:
    scope = ctx.principal.region_scope if ctx.principal else None
    stmt = select(EvaluationRun).order_by(EvaluationRun.id.desc()).limit(100)
    if scope is not None:
        stmt = stmt.where(EvaluationRun.province_code.in_(scope))
    return list(ctx.session.scalars(stmt))


def method_text(c: dict[str, Any], lang: str) -> str:
    """How a stored component turned its value into points, with the target the run used."""
    if c["normalise"] == "percentile":
        return "团队内百分位" if lang == "zh-CN" else "percentile within the team"
    target = c.get("target")
    if target is None and (kpi := registry.get(c["key"])) is not None:
        target = kpi.target  # a run stored before targets were copied into its scheme
    points = c["key"] in EXTERNAL and EXTERNAL[c["key"]].unit == "points" and target is not None
    shown = f"{target:g} 分" if points else show(c["key"], target)
    return f"对标目标 {shown}" if lang == "zh-CN" else f"against target {shown}"


def show(key: str, value: float | None) -> str:
    if value is None:
        return "—"
    if key in EXTERNAL:
        unit = EXTERNAL[key].unit
        if unit == "ratio":
            return f"{value * 100:.1f}%"
        if unit == "five":
            return f"{value:.2f} / 5 分"
        if unit == "count":
            return f"{value:.0f} 条"
        return f"{value:.1f} 分"
    kpi = registry.get(key)
    if kpi is None:
        return "—"
    if kpi.unit == "ratio":
        return f"{value * 100:.1f}%"
    if kpi.unit == "seconds":
        return f"{value / 60:.1f} 分钟"
    return f"{value:,.1f}" if kpi.unit != "count" else f"{value:,.0f}"


def _out(ctx: Ctx, run: EvaluationRun, rows: list[EvaluationResult]) -> list[s.ResultOut]:
    names = core_repo.display_names(ctx.session, [x.agent_id for x in rows])
    teams = dict(ctx.session.execute(select(Team.id, Team.name)).all())
    methods = {c["key"]: c for c in run.scheme["components"]}
    open_objections = {o.result_id: o for o in ctx.session.scalars(select(EvaluationObjection).where(
        EvaluationObjection.result_id.in_([x.id for x in rows])).order_by(EvaluationObjection.id))}
    out = []
    for x in rows:
        parts = [s.PartOut(**p, name=(k.zh if (k := registry.get(p["key"])) else
                                      EXTERNAL[p["key"]].zh if p["key"] in EXTERNAL else p["key"]),
                           shown=show(p["key"], p["raw"]), method=method_text(methods[p["key"]], ctx.lang))
                 for p in x.parts if p["key"] in methods]
        o = open_objections.get(x.id)
        out.append(s.ResultOut.model_validate(x).model_copy(update={
            "agent": names.get(x.agent_id, ""), "team": teams.get(x.team_id, "") if x.team_id else "",
            "parts": parts, "objection": None if o is None else {
                "id": o.id, "status": o.status, "reason": o.reason, "decision": o.decision}}))
    return out


def results(ctx: Ctx, run_id: int) -> tuple[EvaluationRun, list[s.ResultOut]]:
    r = _run(ctx, run_id)
    rows = list(ctx.session.scalars(select(EvaluationResult).where(EvaluationResult.run_id == r.id)
                                    .order_by(EvaluationResult.team_id, EvaluationResult.rank_in_team,
                                              EvaluationResult.agent_id)))
    return r, _out(ctx, r, rows)


def mine(ctx: Ctx) -> list[tuple[EvaluationRun, s.ResultOut]]:
    """An agent's own results, newest run first, each explained component by component."""
    assert ctx.principal is not None
    rows = list(ctx.session.scalars(select(EvaluationResult).where(
        EvaluationResult.agent_id == ctx.principal.user_id).order_by(EvaluationResult.run_id.desc())))
    out = []
    for x in rows:
        r = ctx.session.get(EvaluationRun, x.run_id)
        assert r is not None
        out.append((r, _out(ctx, r, [x])[0]))
    return out


def object_to(ctx: Ctx, result_id: int, data: s.ObjectionIn) -> EvaluationObjection:
    assert ctx.principal is not None
    x = ctx.session.get(EvaluationResult, result_id)
    if x is None or x.agent_id != ctx.principal.user_id:
        raise NotFound(what="w.evaluation_result")  # another agent's result does not exist for this one
    if ctx.session.scalar(select(EvaluationObjection.id).where(EvaluationObjection.result_id == x.id,
                                                              EvaluationObjection.status == "open")):
        raise Conflict("evaluation.error.objection_open", field="path.result_id")
    o = EvaluationObjection(result_id=x.id, agent_id=x.agent_id, reason=data.reason, status="open",
                            created_at=ctx.now())
    ctx.session.add(o)
    ctx.session.flush()
    ctx.audit("evaluation.objected", "evaluation_objection", o.id, result_id=x.id)
    return o


def objections(ctx: Ctx, status: str | None = "open") -> list[s.ObjectionOut]:
    stmt = select(EvaluationObjection).order_by(EvaluationObjection.id)
    if status:
        stmt = stmt.where(EvaluationObjection.status == status)
    rows = [o for o in ctx.session.scalars(stmt) if _visible(ctx, o)]
    names = core_repo.display_names(ctx.session, [o.agent_id for o in rows])
    return [s.ObjectionOut.model_validate(o).model_copy(update={"agent": names.get(o.agent_id, "")}) for o in rows]


def _visible(ctx: Ctx, o: EvaluationObjection) -> bool:
    x = ctx.session.get(EvaluationResult, o.result_id)
    r = ctx.session.get(EvaluationRun, x.run_id) if x else None
    scope = ctx.principal.region_scope if ctx.principal else None
    return r is not None and (scope is None or r.province_code in scope)


def _rerank(ctx: Ctx, changed: EvaluationResult) -> None:
    """Competition ranks of the changed result's team again, after an upheld objection moved its total."""
    ctx.session.flush()
    team = list(ctx.session.scalars(select(EvaluationResult).where(
        EvaluationResult.run_id == changed.run_id, EvaluationResult.team_id.is_(None) if changed.team_id is None
        else EvaluationResult.team_id == changed.team_id)))
    for x in team:
        x.rank_in_team = 1 + sum(1 for y in team if y.total > x.total)


def decide(ctx: Ctx, objection_id: int, data: s.DecisionIn) -> EvaluationObjection:
    """A supervisor upholds (optionally adjusting the total, which re-grades it) or rejects; never their own."""
    o = ctx.session.get(EvaluationObjection, objection_id)
    if o is None or not _visible(ctx, o):
        raise NotFound(what="w.evaluation_objection")
    if ctx.principal is not None and o.agent_id == ctx.principal.user_id:
        raise Forbidden("evaluation.error.own_objection")
    if o.status != "open":
        raise Conflict("evaluation.error.decided", field="path.objection_id")
    o.status, o.decision, o.decided_at = ("upheld" if data.upheld else "rejected"), data.decision, ctx.now()
    o.reviewer_id = ctx.principal.user_id if ctx.principal else None
    x = ctx.session.get(EvaluationResult, o.result_id)
    assert x is not None
    before = (x.total, x.grade)
    if data.upheld and data.adjusted_total is not None:
        r = ctx.session.get(EvaluationRun, x.run_id)
        assert r is not None
        g = scoring.grade_of(data.adjusted_total, [scoring.Grade(**g) for g in r.scheme["grades"]])
        x.total, x.grade, x.tier, x.adjusted = round(data.adjusted_total, 2), g.name, g.tier, True
        _rerank(ctx, x)
    ctx.audit("evaluation.objection_decided", "evaluation_objection", o.id, result_id=x.id, status=o.status,
              total_before=before[0], grade_before=before[1], total=x.total, grade=x.grade)
    return o
