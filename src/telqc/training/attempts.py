"""Sitting an exam: the server starts the clock and draws the paper, grades the sheet, enforces the time limit
and the retake rules (`telqc.training.grading`). The agent never sees the key before submitting.

An attempt not submitted by its deadline (plus `grading.GRACE`) counts as a failed attempt scored 0: it is
marked expired when the agent next submits or starts, or by the periodic sweep (`telqc.training.tasks`).
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError

from telqc.core import events
from telqc.core import repository as core_repo
from telqc.core.context import Ctx
from telqc.core.errors import Conflict, Invalid, NotFound
from telqc.training import grading, service
from telqc.training import repository as repo
from telqc.training import schemas as s
from telqc.training.models import TrainingAttempt, TrainingExam, TrainingQuestion


def _agent_id(ctx: Ctx) -> int:
    assert ctx.principal is not None
    return ctx.principal.user_id


def _exam(ctx: Ctx, exam_id: int) -> TrainingExam:
    e = repo.exam(ctx.session, exam_id)
    if e is None:
        raise NotFound(what="w.training_exam")
    return e


def _policy(e: TrainingExam) -> grading.RetakePolicy:
    return grading.RetakePolicy(e.max_attempts, timedelta(hours=e.cooloff_hours), e.retrain_after_fail)


def _overdue(ctx: Ctx, a: TrainingAttempt) -> bool:
    return a.status == "in_progress" and ctx.now() > a.deadline_at + grading.GRACE


def _past(ctx: Ctx, a: TrainingAttempt) -> grading.PastAttempt:
    if _overdue(ctx, a):  # not swept yet: already a failed attempt, finished at its deadline
        return grading.PastAttempt(a.started_at, a.deadline_at, False)
    return grading.PastAttempt(a.started_at, a.finished_at, a.passed)


def eligibility(ctx: Ctx, e: TrainingExam, agent_id: int) -> grading.Eligibility:
    tries = repo.attempts(ctx.session, [agent_id], e.id)
    return grading.eligibility(_policy(e), [_past(ctx, a) for a in tries], ctx.now(),
                               repo.last_trained(ctx.session, agent_id, e.course_id))


def _eligibility_out(ctx: Ctx, g: grading.Eligibility) -> s.EligibilityOut:
    when = service.local_text(ctx, g.not_before) if g.not_before else ""
    msg = "" if g.ok else Conflict(f"training.retake.{g.reason}", when=when).message(ctx.lang)
    return s.EligibilityOut(ok=g.ok, reason=g.reason, message=msg, not_before=g.not_before)


def _failed(ctx: Ctx, a: TrainingAttempt) -> None:
    """A fail of an exam that demands retraining, with attempts left, opens the course again for the agent."""
    e = _exam(ctx, a.exam_id)
    if e.retrain_after_fail and len(repo.attempts(ctx.session, [a.agent_id], e.id)) < e.max_attempts:
        service.retrain(ctx, a.agent_id, e.course_id, e.title)


def expire(ctx: Ctx, a: TrainingAttempt) -> None:
    """Close an attempt whose time ran out: a failed attempt scored 0 over the paper's points."""
    paper = repo.questions(ctx.session, ids=a.question_ids)
    a.status, a.finished_at, a.passed = "expired", a.deadline_at, False
    a.score, a.percent, a.max_score = 0.0, 0.0, sum(q.points for q in paper)
    ctx.audit("training.attempt_expired", "training_attempt", a.id, exam_id=a.exam_id, agent_id=a.agent_id)
    events.emit(ctx, "training.attempt_expired", "training_attempt", a.id, agent_id=a.agent_id, exam_id=a.exam_id)
    _failed(ctx, a)


def expire_overdue(ctx: Ctx, agent_id: int | None = None) -> int:
    rows = repo.overdue_attempts(ctx.session, ctx.now() - grading.GRACE, agent_id)
    for a in rows:
        expire(ctx, a)
    return len(rows)


def start(ctx: Ctx, exam_id: int) -> TrainingAttempt:
    """Start an attempt now: an agent sits the exams of courses they were assigned, when the retake rules allow."""
    agent_id = _agent_id(ctx)
    e = _exam(ctx, exam_id)
    if not repo.assignments(ctx.session, [agent_id], e.course_id):
        raise NotFound(what="w.training_exam")  # an exam of a course not assigned to them does not exist for them
    if not e.active:
        raise Conflict("training.error.inactive", field="path.exam_id")
    expire_overdue(ctx, agent_id)
    g = eligibility(ctx, e, agent_id)
    if not g.ok:
        when = service.local_text(ctx, g.not_before) if g.not_before else ""
        raise Conflict(f"training.retake.{g.reason}", field="path.exam_id", when=when, persist=True)
    bank = {q.id for q in repo.questions(ctx.session, ids=e.pool) if q.active}
    seed = secrets.randbelow(2**31)
    drawn = grading.draw([q for q in e.pool if q in bank], e.draw_count, seed)
    if not drawn:
        raise Conflict("training.error.empty_pool", field="path.exam_id")
    now = ctx.now()
    a = TrainingAttempt(exam_id=e.id, agent_id=agent_id, number=len(repo.attempts(ctx.session, [agent_id], e.id)) + 1,
                        seed=seed, question_ids=drawn, started_at=now,
                        deadline_at=grading.deadline(now, timedelta(minutes=e.time_limit_min)),
                        status="in_progress", answers={}, per_question={})
    try:
        with ctx.session.begin_nested():
            ctx.session.add(a)
            ctx.session.flush()
    except IntegrityError:
        raise Conflict("training.retake.in_progress", field="path.exam_id") from None
    ctx.audit("training.attempt_started", "training_attempt", a.id, exam_id=e.id, number=a.number, seed=seed,
              questions=drawn)
    return a


def _own(ctx: Ctx, attempt_id: int) -> TrainingAttempt:
    a = repo.attempt(ctx.session, attempt_id, for_update=True)
    if a is None or a.agent_id != _agent_id(ctx):
        raise NotFound(what="w.training_attempt")
    return a


def submit(ctx: Ctx, attempt_id: int, data: s.SubmitIn) -> TrainingAttempt:
    """Grade the agent's answer sheet, if it arrives in time; a late one closes the attempt as failed."""
    a = _own(ctx, attempt_id)
    if a.status != "in_progress":
        raise Conflict("training.error.finished", field="path.attempt_id")
    e = _exam(ctx, a.exam_id)
    if not grading.in_time(a.started_at, timedelta(minutes=e.time_limit_min), ctx.now()):
        expire(ctx, a)
        raise Conflict("training.error.time_up", field="path.attempt_id", persist=True)
    for qid in data.answers:
        if qid not in a.question_ids:
            raise Invalid("training.error.not_on_paper", field=f"body.answers.{qid}")
    paper = _paper(ctx, a)
    g = grading.grade([service.as_question(q) for q in paper], data.answers, e.pass_mark)
    a.answers = {str(k): v for k, v in data.answers.items()}
    a.per_question = {str(k): v for k, v in g.per_question.items()}
    a.score, a.max_score, a.percent, a.passed = g.score, g.max_score, g.percent, g.passed
    a.status, a.finished_at = "graded", ctx.now()
    ctx.audit("training.attempt_graded", "training_attempt", a.id, exam_id=e.id, score=g.score,
              max_score=g.max_score, percent=g.percent, passed=g.passed)
    events.emit(ctx, "training.exam_graded", "training_attempt", a.id, agent_id=a.agent_id, exam_id=e.id,
                percent=g.percent, passed=g.passed)
    if not g.passed:
        _failed(ctx, a)
    return a


def _paper(ctx: Ctx, a: TrainingAttempt) -> list[TrainingQuestion]:
    by_id = {q.id: q for q in repo.questions(ctx.session, ids=a.question_ids)}
    return [by_id[qid] for qid in a.question_ids if qid in by_id]


def key_text(q: TrainingQuestion, lang: str) -> str:
    if q.type == grading.QType.short:
        sep = "；" if lang == "zh-CN" else "; "
        return sep.join(f"{'/'.join(r['keywords'])} ({r['points']:g})" for r in q.key.get("rubric", []))
    return "、".join(q.options[i] for i in q.key.get("correct", []) if 0 <= i < len(q.options))


def view(ctx: Ctx, a: TrainingAttempt) -> s.AttemptOut:
    """The attempt as its reader may see it: the paper without the key while it runs, the review after."""
    e = _exam(ctx, a.exam_id)
    paper = _paper(ctx, a)
    status = "expired" if _overdue(ctx, a) else a.status
    review: list[s.ReviewLine] = []
    if status != "in_progress":
        review = [s.ReviewLine(question_id=q.id, answer=a.answers.get(str(q.id)), key=key_text(q, ctx.lang),
                               earned=float(a.per_question.get(str(q.id), 0.0)), points=q.points,
                               explanation=q.explanation) for q in paper]
    names = core_repo.display_names(ctx.session, [a.agent_id])
    return s.AttemptOut.model_validate(a).model_copy(update={
        "exam": e.title, "agent": names.get(a.agent_id, ""), "status": status, "pass_mark": e.pass_mark,
        "questions": [s.PaperQuestion.model_validate(q) for q in paper], "review": review})


def get(ctx: Ctx, attempt_id: int) -> s.AttemptOut:
    """An agent reads their own attempts; a manager those of the agents in their scope."""
    assert ctx.principal is not None
    a = repo.attempt(ctx.session, attempt_id)
    readable = {u.id for u in repo.agents_in_scope(ctx.session, ctx.principal)}
    if a is None or a.agent_id not in readable:
        raise NotFound(what="w.training_attempt")
    return view(ctx, a)


def mine(ctx: Ctx) -> s.MineOut:
    """The agent's page: assigned courses, the exams of those courses (may I sit one now?), past attempts."""
    agent_id = _agent_id(ctx)
    held = repo.assignments(ctx.session, [agent_id])
    exams = [e for e in repo.exams(ctx.session, {a.course_id for a in held}) if e.active]
    tries = repo.attempts(ctx.session, [agent_id])
    out = []
    for e, eo in zip(exams, service.exam_out(ctx, exams), strict=True):
        out.append(s.MyExamOut(exam=eo, eligibility=_eligibility_out(ctx, eligibility(ctx, e, agent_id)),
                               attempts=[view(ctx, a) for a in tries if a.exam_id == e.id]))
    return s.MineOut(assignments=service.assignments_out(ctx, held), exams=out,
                     courses=service.courses(ctx, {a.course_id for a in held}),
                     simulations=service.sim_calls_out(ctx, [agent_id]))


def answers_from_form(a: s.AttemptOut, form: dict[str, list[Any]]) -> dict[str, Any]:
    """A page's answer form as a sheet: ``q<id>`` fields, one value each, several for a multiple choice."""
    out: dict[str, Any] = {}
    for q in a.questions:
        values = [str(v) for v in form.get(f"q{q.id}", []) if str(v).strip()]
        if not values:
            continue
        if q.type == grading.QType.multiple:
            out[str(q.id)] = [int(v) for v in values if v.isdigit()]
        elif q.type == grading.QType.short:
            out[str(q.id)] = values[0]
        else:
            out[str(q.id)] = int(values[0]) if values[0].isdigit() else values[0]
    return out
