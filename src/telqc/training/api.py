"""Training routes under /api/v1/training: authoring and results (``training:manage``), an agent's own
courses and exams (``training:mine``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter

from telqc.api.deps import CtxDep, IdPath, require
from telqc.core.rbac import Perm, Principal
from telqc.training import attempts, service
from telqc.training import schemas as s

router = APIRouter(prefix="/api/v1/training", tags=["training"])
Manage = Annotated[Principal, require(Perm.training_manage)]
Mine = Annotated[Principal, require(Perm.training_mine)]


@router.get("/courses", response_model=list[s.CourseOut])
def list_courses(ctx: CtxDep, _: Manage) -> list[s.CourseOut]:
    return service.courses(ctx)


@router.post("/courses", response_model=s.CourseOut, status_code=201)
def create_course(ctx: CtxDep, _: Manage, body: s.CourseIn) -> s.CourseOut:
    return service.course_out(ctx, service.create_course(ctx, body))


@router.get("/courses/{course_id}/questions", response_model=list[s.QuestionOut])
def list_questions(ctx: CtxDep, _: Manage, course_id: IdPath) -> list[s.QuestionOut]:
    return [s.QuestionOut.model_validate(q) for q in service.questions(ctx, course_id)]


@router.post("/courses/{course_id}/questions", response_model=s.QuestionOut, status_code=201)
def add_question(ctx: CtxDep, _: Manage, course_id: IdPath, body: s.QuestionIn) -> s.QuestionOut:
    return s.QuestionOut.model_validate(service.add_question(ctx, course_id, body))


@router.post("/questions/{question_id}/retire", response_model=s.QuestionOut)
def retire_question(ctx: CtxDep, _: Manage, question_id: IdPath) -> s.QuestionOut:
    return s.QuestionOut.model_validate(service.retire_question(ctx, question_id))


@router.get("/exams", response_model=list[s.ExamOut])
def list_exams(ctx: CtxDep, _: Manage) -> list[s.ExamOut]:
    return service.exams(ctx)


@router.post("/exams", response_model=s.ExamOut, status_code=201)
def create_exam(ctx: CtxDep, _: Manage, body: s.ExamIn) -> s.ExamOut:
    return service.exam_out(ctx, [service.create_exam(ctx, body)])[0]


@router.get("/assignments", response_model=list[s.AssignmentOut])
def list_assignments(ctx: CtxDep, _: Manage) -> list[s.AssignmentOut]:
    return service.assignments(ctx)


@router.post("/assignments", response_model=list[s.AssignmentOut], status_code=201)
def assign(ctx: CtxDep, _: Manage, body: s.AssignIn) -> list[s.AssignmentOut]:
    """Assign a course to agents; an agent who has it open already is left as they are (not in the answer)."""
    return service.assignments_out(ctx, service.assign(ctx, body))


@router.post("/assignments/from-qa", response_model=list[s.AssignmentOut])
def assign_from_qa(ctx: CtxDep, _: Manage) -> list[s.AssignmentOut]:
    """Run the weak-QA-item rule now (the nightly job does the same): 3 fails of one item in 30 days."""
    return service.assignments_out(ctx, service.assign_weak_items(ctx))


@router.get("/results", response_model=list[s.ResultRow])
def results(ctx: CtxDep, _: Manage) -> list[s.ResultRow]:
    return service.results(ctx)


@router.get("/attempts/{attempt_id}", response_model=s.AttemptOut)
def get_attempt(ctx: CtxDep, _: Manage, attempt_id: IdPath) -> s.AttemptOut:
    return attempts.get(ctx, attempt_id)


@router.get("/sim-scorecards", response_model=list[s.SimCardOut])
def list_sim_cards(ctx: CtxDep, _: Manage) -> list[s.SimCardOut]:
    return [s.SimCardOut.model_validate(c) for c in service.sim_cards(ctx)]


@router.post("/sim-scorecards", response_model=s.SimCardOut, status_code=201)
def create_sim_card(ctx: CtxDep, _: Manage, body: s.SimCardIn) -> s.SimCardOut:
    return s.SimCardOut.model_validate(service.create_sim_card(ctx, body))


@router.get("/sim-calls", response_model=list[s.SimCallOut])
def list_sim_calls(ctx: CtxDep, _: Manage) -> list[s.SimCallOut]:
    return service.sim_calls(ctx)


@router.post("/sim-calls", response_model=s.SimCallOut, status_code=201)
def score_sim_call(ctx: CtxDep, _: Manage, body: s.SimCallIn) -> s.SimCallOut:
    call = service.score_sim_call(ctx, body)
    return next(c for c in service.sim_calls_out(ctx, [call.agent_id]) if c.id == call.id)


@router.get("/mine", response_model=s.MineOut)
def mine(ctx: CtxDep, _: Mine) -> s.MineOut:
    return attempts.mine(ctx)


@router.post("/mine/assignments/{assignment_id}/complete", response_model=s.AssignmentOut)
def complete(ctx: CtxDep, _: Mine, assignment_id: IdPath) -> s.AssignmentOut:
    return service.assignments_out(ctx, [service.complete(ctx, assignment_id)])[0]


@router.post("/mine/exams/{exam_id}/attempts", response_model=s.AttemptOut, status_code=201)
def start_attempt(ctx: CtxDep, _: Mine, exam_id: IdPath) -> s.AttemptOut:
    """Start the clock and draw the paper (the key is never on it)."""
    return attempts.view(ctx, attempts.start(ctx, exam_id))


@router.get("/mine/attempts/{attempt_id}", response_model=s.AttemptOut)
def my_attempt(ctx: CtxDep, _: Mine, attempt_id: IdPath) -> s.AttemptOut:
    return attempts.get(ctx, attempt_id)


@router.post("/mine/attempts/{attempt_id}/submit", response_model=s.AttemptOut)
def submit(ctx: CtxDep, _: Mine, attempt_id: IdPath, body: s.SubmitIn) -> s.AttemptOut:
    """Grade the sheet; refused (and counted as a failed attempt) after the time limit and a short grace."""
    return attempts.view(ctx, attempts.submit(ctx, attempt_id, body))
