"""Solutions service: the catalogue of standard fixes, recommendations ranked from the outcomes of
resolved orders (``kb_cases``, kept by handlers.py) through solution_ranking.py, and agents' choices."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from telqc.core.context import Ctx
from telqc.core.errors import Conflict, Invalid
from telqc.knowledge import schemas as s
from telqc.knowledge import searcher
from telqc.knowledge.models import KbCase, KbChoice, KbSolution
from telqc.knowledge.solution_ranking import Case, recommend

WINDOW_DAYS = 90


def suggest(ctx: Ctx, data: s.RecommendIn) -> s.RecommendOut:
    now = ctx.now()
    stmt = select(KbCase).where(KbCase.resolved_at >= now - timedelta(days=WINDOW_DAYS))
    if data.category:
        stmt = stmt.where(KbCase.category == data.category)
    cases = [Case(order_id=c.order_id, category=c.category, description=c.description,
                  solution_code=c.solution_code, resolved_at=c.resolved_at, reopened=c.reopened,
                  repeat_contact=c.repeat_contact, csat=c.csat) for c in ctx.session.scalars(stmt)]
    ranked = recommend(data.description, data.category, cases, now, window_days=WINDOW_DAYS, limit=data.limit)
    defs = {d.code: d for d in ctx.session.scalars(
        select(KbSolution).where(KbSolution.code.in_([r.solution_code for r in ranked])))}
    solutions = [
        s.SolutionOut(solution_code=r.solution_code, title=defs[r.solution_code].title if r.solution_code in defs
                      else r.solution_code, answer=defs[r.solution_code].answer if r.solution_code in defs else "",
                      score=round(r.score, 4), cases=r.cases, successes=r.successes, success_rate=r.success_rate,
                      example_orders=r.examples)
        for r in ranked
    ]
    articles = searcher.search(ctx, data.description, category=None, limit=3).hits
    return s.RecommendOut(solutions=solutions, articles=articles)


def record_choice(ctx: Ctx, data: s.ChoiceIn) -> KbChoice:
    if ctx.session.get(KbSolution, data.solution_code) is None:
        raise Invalid("error.not_found", field="body.solution_code", what="w.solution")
    choice = KbChoice(order_id=data.order_id, solution_code=data.solution_code, rank=data.rank,
                      chosen_by=ctx.principal.user_id if ctx.principal else None, at=ctx.now())
    ctx.session.add(choice)
    ctx.session.flush()
    ctx.audit("kb.solution_chosen", "order", data.order_id or "-", solution=data.solution_code, rank=data.rank)
    return choice


def define_solution(ctx: Ctx, data: s.SolutionIn) -> KbSolution:
    if ctx.session.get(KbSolution, data.code) is not None:
        raise Conflict("error.duplicate", field="body.code", what="w.solution")
    sol = KbSolution(code=data.code, title=data.title, answer=data.answer, category=data.category)
    ctx.session.add(sol)
    ctx.audit("kb.solution_defined", "kb_solution", data.code, title=data.title)
    return sol


def catalogue(ctx: Ctx, category: str | None = None) -> list[KbSolution]:
    stmt = select(KbSolution).order_by(KbSolution.code)
    if category:
        stmt = stmt.where((KbSolution.category == category) | KbSolution.category.is_(None))
    return list(ctx.session.scalars(stmt))
