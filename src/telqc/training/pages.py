"""Training pages: an agent's 我的培训与考试 (courses, exams, a paper with its countdown, results) and the
trainers' 培训管理 (courses, question bank, exams, assignments, simulated calls, results by team).

Forms post to the same service calls as the API; an error re-renders the page with the message and changes
nothing, except a late answer sheet, whose attempt is closed as failed (the error says so).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from telqc.api.deps import CtxDep, IdPath, require
from telqc.core.context import Ctx
from telqc.core.rbac import Perm, Principal
from telqc.core.schemas import MAX_INT
from telqc.training import attempts, service
from telqc.training import schemas as s
from telqc.training.grading import QType
from telqc.web.render import form_action, render

router = APIRouter(include_in_schema=False)
NAV = [(Perm.training_mine, "/training/mine", "ui.training_mine"),
       (Perm.training_manage, "/training", "ui.training_admin")]
Manage = Annotated[Principal, require(Perm.training_manage)]
Mine = Annotated[Principal, require(Perm.training_mine)]


def _ints(text: str) -> list[str]:
    return [x.strip() for x in text.replace("，", ",").replace("、", ",").split(",") if x.strip()]


def _lines(text: str) -> list[str]:
    return [x.strip() for x in text.splitlines() if x.strip()]


# --- the agent's page ---------------------------------------------------------------------------------------

def _mine(request: Request, ctx: Ctx, error: str | None = None, status_code: int = 200) -> Response:
    return render(request, "training/mine.html", status_code=status_code, error=error, mine=attempts.mine(ctx))


@router.get("/training/mine", response_class=HTMLResponse)
def mine(request: Request, ctx: CtxDep, _: Mine) -> Response:
    return _mine(request, ctx)


@router.post("/training/mine/assignments/{assignment_id}/complete")
def complete(request: Request, ctx: CtxDep, _: Mine, assignment_id: IdPath) -> Response:
    return form_action(ctx, lambda: service.complete(ctx, assignment_id), lambda _a: "/training/mine",
               lambda m, st: _mine(request, ctx, m, st))


@router.post("/training/mine/exams/{exam_id}/start")
def start(request: Request, ctx: CtxDep, _: Mine, exam_id: IdPath) -> Response:
    return form_action(ctx, lambda: attempts.start(ctx, exam_id),
               lambda a: f"/training/mine/attempts/{getattr(a, 'id', '')}", lambda m, st: _mine(request, ctx, m, st))


def _attempt(request: Request, ctx: Ctx, attempt_id: int, error: str | None = None, status_code: int = 200,
             mine: bool = True) -> Response:
    return render(request, "training/attempt.html", status_code=status_code, error=error,
                  a=attempts.get(ctx, attempt_id), mine=mine, now=ctx.now())


@router.get("/training/mine/attempts/{attempt_id}", response_class=HTMLResponse)
def attempt_page(request: Request, ctx: CtxDep, _: Mine, attempt_id: IdPath) -> Response:
    return _attempt(request, ctx, attempt_id)


@router.post("/training/mine/attempts/{attempt_id}/submit")
async def submit(request: Request, ctx: CtxDep, _: Mine, attempt_id: IdPath) -> Response:
    form = await request.form()
    fields = {k: form.getlist(k) for k in form}

    def work() -> Response:
        def act() -> object:
            paper = attempts.get(ctx, attempt_id)
            sheet = attempts.answers_from_form(paper, fields)
            return attempts.submit(ctx, attempt_id, s.SubmitIn.model_validate({"answers": sheet}))
        return form_action(ctx, act, lambda _a: f"/training/mine/attempts/{attempt_id}",
                   lambda m, st: _attempt(request, ctx, attempt_id, m, st))

    return await run_in_threadpool(work)


# --- the trainers' page -------------------------------------------------------------------------------------

def _admin(request: Request, ctx: Ctx, course_id: int | None = None, error: str | None = None,
           status_code: int = 200, values: dict[str, Any] | None = None) -> Response:
    courses = service.courses(ctx)
    chosen = next((c for c in courses if c.id == course_id), courses[0] if courses else None)
    results = service.results(ctx)
    teams: dict[str, list[s.ResultRow]] = {}
    for row in results:
        teams.setdefault(row.team, []).append(row)
    return render(request, "training/admin.html", status_code=status_code, error=error, courses=courses,
                  chosen=chosen, bank=service.questions(ctx, chosen.id) if chosen else [], exams=service.exams(ctx),
                  agents=service.agents(ctx), assignments=service.assignments(ctx), teams=teams,
                  needs=service.needs_training(ctx),
                  cards=service.sim_cards(ctx), sims=service.sim_calls(ctx), types=list(QType),
                  qa_names=service.qa_item_names(ctx),
                  values=values or {})


@router.get("/training", response_class=HTMLResponse)
def admin(request: Request, ctx: CtxDep, _: Manage, course: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None
          ) -> Response:
    return _admin(request, ctx, course)


def _back(course_id: int | None = None) -> Callable[[object], str]:
    return lambda _r: f"/training?course={course_id}" if course_id else "/training"


@router.post("/training/courses")
def create_course(request: Request, ctx: CtxDep, _: Manage, title: Annotated[str, Form()],
                  description: Annotated[str, Form()] = "", article_ids: Annotated[str, Form()] = "",
                  qa_items: Annotated[str, Form()] = "") -> Response:
    return form_action(ctx, lambda: service.create_course(ctx, s.CourseIn.model_validate({
        "title": title, "description": description, "article_ids": _ints(article_ids), "qa_items": _ints(qa_items)})),
        lambda c: f"/training?course={getattr(c, 'id', '')}", lambda m, st: _admin(request, ctx, None, m, st))


def _rubric(text: str) -> list[dict[str, Any]]:
    out = []
    for line in _lines(text):
        words, _sep, points = line.replace("＝", "=").rpartition("=")
        out.append({"keywords": [w.strip() for w in words.split("/") if w.strip()], "points": points.strip()})
    return out


@router.post("/training/courses/{course_id}/questions")
def add_question(request: Request, ctx: CtxDep, _: Manage, course_id: IdPath, type: Annotated[str, Form()],
                 text: Annotated[str, Form()], options: Annotated[str, Form()] = "",
                 correct: Annotated[str, Form()] = "", answer: Annotated[str, Form()] = "",
                 rubric: Annotated[str, Form()] = "", points: Annotated[str, Form()] = "1",
                 explanation: Annotated[str, Form()] = "") -> Response:
    def act() -> object:
        picked = [int(x) - 1 for x in _ints(correct) if x.isdecimal() and int(x) > 0]
        return service.add_question(ctx, course_id, s.QuestionIn.model_validate({
            "type": type, "text": text, "options": _lines(options) if type in ("single", "multiple") else [],
            "correct": picked if type in ("single", "multiple") else [],
            "answer": {"true": True, "false": False}.get(answer) if type == "true_false" else None,
            "rubric": _rubric(rubric) if type == "short" else [], "points": points, "explanation": explanation}))
    values = {"type": type, "text": text, "options": options, "correct": correct, "rubric": rubric, "points": points}
    return form_action(ctx, act, _back(course_id), lambda m, st: _admin(request, ctx, course_id, m, st, values))


@router.post("/training/questions/{question_id}/retire")
def retire(request: Request, ctx: CtxDep, _: Manage, question_id: IdPath) -> Response:
    return form_action(ctx, lambda: service.retire_question(ctx, question_id),
               lambda q: f"/training?course={getattr(q, 'course_id', '')}",
               lambda m, st: _admin(request, ctx, None, m, st))


@router.post("/training/exams")
def create_exam(request: Request, ctx: CtxDep, _: Manage, course_id: Annotated[str, Form()],
                title: Annotated[str, Form()], draw_count: Annotated[str, Form()],
                time_limit_min: Annotated[str, Form()], pool: Annotated[str, Form()] = "",
                pass_mark: Annotated[str, Form()] = "80", max_attempts: Annotated[str, Form()] = "3",
                cooloff_hours: Annotated[str, Form()] = "24",
                retrain_after_fail: Annotated[str, Form()] = "") -> Response:
    def act() -> object:
        ids = _ints(pool)
        if not ids and course_id.isdecimal() and int(course_id) <= MAX_INT:  # empty: the whole bank
            ids = [str(q.id) for q in service.questions(ctx, int(course_id)) if q.active]
        return service.create_exam(ctx, s.ExamIn.model_validate({
            "course_id": course_id, "title": title, "pool": ids, "draw_count": draw_count,
            "time_limit_min": time_limit_min, "pass_mark": pass_mark, "max_attempts": max_attempts,
            "cooloff_hours": cooloff_hours, "retrain_after_fail": bool(retrain_after_fail)}))
    return form_action(ctx, act, _back(), lambda m, st: _admin(request, ctx, None, m, st))


@router.post("/training/assign")
def assign(request: Request, ctx: CtxDep, _: Manage, course_id: Annotated[str, Form()],
           agent_ids: Annotated[list[str], Form()], note: Annotated[str, Form()] = "") -> Response:
    return form_action(ctx, lambda: service.assign(ctx, s.AssignIn.model_validate({
        "course_id": course_id, "agent_ids": agent_ids, "note": note})), _back(),
        lambda m, st: _admin(request, ctx, None, m, st))


@router.post("/training/assign/from-qa")
def assign_from_qa(request: Request, ctx: CtxDep, _: Manage) -> Response:
    return form_action(ctx, lambda: service.assign_weak_items(ctx), _back(),
                       lambda m, st: _admin(request, ctx, None, m, st))


@router.post("/training/sim-scorecards")
def create_sim_card(request: Request, ctx: CtxDep, _: Manage, name: Annotated[str, Form()],
                    items: Annotated[str, Form()], pass_mark: Annotated[str, Form()] = "80") -> Response:
    def act() -> object:
        rows = []
        for line in _lines(items):
            code, name_, weight, *rest = [*(x.strip() for x in line.split("|")), "", ""][:4]
            rows.append({"code": code, "name": name_, "weight": weight or "0", "fatal": bool(rest and rest[0])})
        return service.create_sim_card(ctx, s.SimCardIn.model_validate({"name": name, "pass_mark": pass_mark,
                                                                        "items": rows}))
    return form_action(ctx, act, _back(), lambda m, st: _admin(request, ctx, None, m, st))


@router.post("/training/sim-calls")
def score_sim_call(request: Request, ctx: CtxDep, _: Manage, scorecard_id: Annotated[str, Form()],
                   agent_id: Annotated[str, Form()], scenario: Annotated[str, Form()],
                   values: Annotated[str, Form()], comment: Annotated[str, Form()] = "") -> Response:
    def act() -> object:
        scores = {}
        for line in _lines(values):
            code, _sep, v = line.replace("＝", "=").partition("=")
            scores[code.strip()] = v.strip()
        return service.score_sim_call(ctx, s.SimCallIn.model_validate({
            "scorecard_id": scorecard_id, "agent_id": agent_id, "scenario": scenario, "values": scores,
            "comment": comment}))
    return form_action(ctx, act, _back(), lambda m, st: _admin(request, ctx, None, m, st))


@router.get("/training/attempts/{attempt_id}", response_class=HTMLResponse)
def attempt_review(request: Request, ctx: CtxDep, _: Manage, attempt_id: IdPath) -> Response:
    return _attempt(request, ctx, attempt_id, mine=False)
