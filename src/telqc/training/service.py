"""Training and exams (培训与考试): courses on knowledge articles, question banks, exams, assignments, simulated
calls, and what evaluation reads (`exam_scores`).

Trainers, supervisors and managers (``training:manage``) author and assign; agents (``training:mine``) study,
sit exams (`telqc.training.attempts`) and see their own results. A course names the QA scorecard items it
trains, so an agent who keeps failing one (read through `telqc.inspection.read`, never its tables) is
assigned the course by `assign_weak_items`. Every change is audited and published as a ``training.*`` event.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from telqc.core import events
from telqc.core import repository as core_repo
from telqc.core.context import Ctx
from telqc.core.errors import Conflict, Invalid, NotFound
from telqc.evaluation import read as evaluation_read
from telqc.inspection import read as qa_read
from telqc.knowledge import service as kb
from telqc.training import grading
from telqc.training import repository as repo
from telqc.training import schemas as s
from telqc.training.models import (
    SimCall,
    SimScorecard,
    TrainingAssignment,
    TrainingAttempt,
    TrainingCourse,
    TrainingExam,
    TrainingQuestion,
)

WEAK_ITEM_FAILURES = 3   # failures of one scorecard item ...
WEAK_ITEM_DAYS = 30      # ... within this many days assign the courses that train it


def _by(ctx: Ctx) -> int | None:
    return ctx.principal.user_id if ctx.principal else None


def course(ctx: Ctx, course_id: int) -> TrainingCourse:
    c = repo.course(ctx.session, course_id)
    if c is None:
        raise NotFound(what="w.training_course")
    return c


def _articles(ctx: Ctx, ids: Iterable[int]) -> list[s.ArticleRef]:
    """The titles of a course's articles the reader may read (a retired or unpublished one is left out)."""
    out = []
    for article_id in ids:
        try:
            art = kb.present(ctx, kb.get(ctx, article_id))
            out.append(s.ArticleRef(id=article_id, name=art.title, body=art.body))
        except NotFound:
            continue
    return out


def create_course(ctx: Ctx, data: s.CourseIn) -> TrainingCourse:
    for n, article_id in enumerate(data.article_ids):
        try:
            kb.get(ctx, article_id)
        except NotFound:
            raise Invalid("training.error.article", field=f"body.article_ids.{n}", id=article_id) from None
    c = TrainingCourse(title=data.title, description=data.description, article_ids=list(dict.fromkeys(
        data.article_ids)), qa_items=list(dict.fromkeys(data.qa_items)), active=True, created_by=_by(ctx),
        created_at=ctx.now())
    ctx.session.add(c)
    ctx.session.flush()
    ctx.audit("training.course_created", "training_course", c.id, title=c.title, articles=c.article_ids,
              qa_items=c.qa_items)
    return c


def course_out(ctx: Ctx, c: TrainingCourse, questions: int = 0) -> s.CourseOut:
    return s.CourseOut.model_validate(c).model_copy(update={"articles": _articles(ctx, c.article_ids),
                                                             "questions": questions})


def courses(ctx: Ctx, ids: Iterable[int] | None = None) -> list[s.CourseOut]:
    counts: dict[int, int] = {}
    for q in repo.questions(ctx.session):
        if q.active:
            counts[q.course_id] = counts.get(q.course_id, 0) + 1
    wanted = None if ids is None else set(ids)
    return [course_out(ctx, c, counts.get(c.id, 0)) for c in repo.courses(ctx.session, wanted)]


def add_question(ctx: Ctx, course_id: int, data: s.QuestionIn) -> TrainingQuestion:
    c = course(ctx, course_id)
    q = TrainingQuestion(course_id=c.id, type=data.type.value, text=data.text, options=list(data.options),
                         key=data.key(), points=data.points, explanation=data.explanation, active=True,
                         created_by=_by(ctx), created_at=ctx.now())
    ctx.session.add(q)
    ctx.session.flush()
    ctx.audit("training.question_added", "training_question", q.id, course_id=c.id, type=q.type, points=q.points)
    return q


def retire_question(ctx: Ctx, question_id: int) -> TrainingQuestion:
    """Questions are never edited (a drawn paper must grade as it did): a wrong one is retired and replaced."""
    q = repo.question(ctx.session, question_id)
    if q is None:
        raise NotFound(what="w.training_question")
    if q.active:
        q.active = False
        ctx.audit("training.question_retired", "training_question", q.id, course_id=q.course_id)
    return q


def questions(ctx: Ctx, course_id: int) -> list[TrainingQuestion]:
    return repo.questions(ctx.session, course(ctx, course_id).id)


def as_question(q: TrainingQuestion) -> grading.Question:
    rubric = tuple(grading.RubricLine(tuple(r["keywords"]), float(r["points"])) for r in q.key.get("rubric", []))
    return grading.Question(q.id, grading.QType(q.type), q.points, tuple(q.options),
                            frozenset(q.key.get("correct", [])), rubric)


def create_exam(ctx: Ctx, data: s.ExamIn) -> TrainingExam:
    c = course(ctx, data.course_id)
    bank = {q.id: q for q in repo.questions(ctx.session, c.id) if q.active}
    for n, qid in enumerate(data.pool):
        if qid not in bank:
            raise Invalid("training.error.pool", field=f"body.pool.{n}", id=qid)
    pool = list(dict.fromkeys(data.pool))
    if data.draw_count > len(pool):
        raise Invalid("training.error.draw", field="body.draw_count", n=len(pool))
    e = TrainingExam(course_id=c.id, title=data.title, pool=pool, draw_count=data.draw_count,
                     time_limit_min=data.time_limit_min, pass_mark=data.pass_mark, max_attempts=data.max_attempts,
                     cooloff_hours=data.cooloff_hours, retrain_after_fail=data.retrain_after_fail, active=True,
                     created_by=_by(ctx), created_at=ctx.now())
    ctx.session.add(e)
    ctx.session.flush()
    ctx.audit("training.exam_created", "training_exam", e.id, course_id=c.id, pool=len(pool), draw=e.draw_count,
              pass_mark=e.pass_mark, max_attempts=e.max_attempts, cooloff_hours=e.cooloff_hours)
    return e


def exam_out(ctx: Ctx, exams: list[TrainingExam]) -> list[s.ExamOut]:
    titles = {c.id: c.title for c in repo.courses(ctx.session, {e.course_id for e in exams})}
    return [s.ExamOut.model_validate(e).model_copy(update={"course": titles.get(e.course_id, "")}) for e in exams]


def exams(ctx: Ctx) -> list[s.ExamOut]:
    return exam_out(ctx, repo.exams(ctx.session))


# --- assignments ----------------------------------------------------------------------------------------

def _assign(ctx: Ctx, agent_id: int, c: TrainingCourse, reason: str, note: str) -> TrainingAssignment:
    a = TrainingAssignment(agent_id=agent_id, course_id=c.id, reason=reason, note=note, assigned_by=_by(ctx),
                           assigned_at=ctx.now(), status="assigned")
    ctx.session.add(a)
    ctx.session.flush()
    ctx.audit("training.assigned", "training_assignment", a.id, agent_id=agent_id, course_id=c.id, reason=reason,
              note=note)
    events.emit(ctx, "training.assigned", "training_assignment", a.id, agent_id=agent_id, course_id=c.id,
                course=c.title, reason=reason)
    return a


def assign(ctx: Ctx, data: s.AssignIn) -> list[TrainingAssignment]:
    """Assign a course to agents of the caller's scope; an agent who has it open already keeps that one."""
    c = course(ctx, data.course_id)
    if not c.active:
        raise Conflict("training.error.inactive", field="body.course_id")
    mine = {u.id for u in repo.agents_in_scope(ctx.session, ctx.principal)}
    for n, agent_id in enumerate(data.agent_ids):
        if agent_id not in mine:
            raise Invalid("training.error.not_agent", field=f"body.agent_ids.{n}", id=agent_id)
    open_ = {a.agent_id for a in repo.assignments(ctx.session, data.agent_ids, c.id) if a.status == "assigned"}
    return [_assign(ctx, agent_id, c, "manual", data.note) for agent_id in dict.fromkeys(data.agent_ids)
            if agent_id not in open_]


def retrain(ctx: Ctx, agent_id: int, course_id: int, exam_title: str) -> TrainingAssignment | None:
    """After a failed exam that demands retraining, the course is open again for the agent (unless it is)."""
    if any(a.status == "assigned" for a in repo.assignments(ctx.session, [agent_id], course_id)):
        return None
    return _assign(ctx, agent_id, course(ctx, course_id), "retrain", exam_title[:200])


def complete(ctx: Ctx, assignment_id: int) -> TrainingAssignment:
    """The agent has studied the course's articles: this is the (re)training a retake after a fail may need."""
    a = repo.assignment(ctx.session, assignment_id)
    if a is None or ctx.principal is None or a.agent_id != ctx.principal.user_id:
        raise NotFound(what="w.training_assignment")  # another agent's assignment does not exist for this one
    if a.status != "assigned":
        raise Conflict("training.error.completed", field="path.assignment_id")
    a.status, a.completed_at = "completed", ctx.now()
    ctx.audit("training.completed", "training_assignment", a.id, course_id=a.course_id)
    events.emit(ctx, "training.completed", "training_assignment", a.id, agent_id=a.agent_id,
                course_id=a.course_id)
    return a


def assignments_out(ctx: Ctx, rows: list[TrainingAssignment]) -> list[s.AssignmentOut]:
    names = core_repo.display_names(ctx.session, [a.agent_id for a in rows])
    titles = {c.id: c.title for c in repo.courses(ctx.session, {a.course_id for a in rows})}
    return [s.AssignmentOut.model_validate(a).model_copy(update={
        "agent": names.get(a.agent_id, ""), "course": titles.get(a.course_id, "")}) for a in rows]


def agents(ctx: Ctx) -> list[s.Named]:
    """The agents the caller may assign and examine, by name (pages offer names, never ids)."""
    return [s.Named(id=u.id, name=u.display_name) for u in repo.agents_in_scope(ctx.session, ctx.principal)]


def assignments(ctx: Ctx) -> list[s.AssignmentOut]:
    agents = [u.id for u in repo.agents_in_scope(ctx.session, ctx.principal)]
    return assignments_out(ctx, repo.assignments(ctx.session, agents))


def assign_weak_items(ctx: Ctx, failures: int = WEAK_ITEM_FAILURES, days: int = WEAK_ITEM_DAYS
                      ) -> list[TrainingAssignment]:
    """An agent who failed the same scorecard item ``failures`` times in the last ``days`` days is assigned
    every active course that trains that item (质检短板自动派训). A course the agent has open, or was given in
    that window already, is not given again: at most one automatic assignment per course and window."""
    now = ctx.now()
    since = now - timedelta(days=days)
    weak = qa_read.item_failures(ctx.session, since, now, min_count=failures)
    if not weak:
        return []
    trains: dict[str, list[TrainingCourse]] = {}
    for c in repo.courses(ctx.session):
        for item in c.qa_items if c.active else ():
            trains.setdefault(item, []).append(c)
    agents = {u.id for u in repo.agents_in_scope(ctx.session, None)}
    made = []
    for f in weak:
        for c in trains.get(f.item, []) if f.agent_id in agents else []:
            held = repo.assignments(ctx.session, [f.agent_id], c.id)
            if any(a.status == "assigned" or a.assigned_at >= since for a in held):
                continue
            made.append(_assign(ctx, f.agent_id, c, "qa_weak", f"{f.name} ×{f.count}"[:200]))
    return made


# --- simulated calls ------------------------------------------------------------------------------------

def create_sim_card(ctx: Ctx, data: s.SimCardIn) -> SimScorecard:
    if data.course_id is not None:
        course(ctx, data.course_id)
    card = SimScorecard(name=data.name, course_id=data.course_id, pass_mark=data.pass_mark,
                        items=[i.model_dump() for i in data.items], created_by=_by(ctx), created_at=ctx.now())
    ctx.session.add(card)
    ctx.session.flush()
    ctx.audit("training.sim_card_created", "training_sim_scorecard", card.id, name=card.name, items=len(card.items))
    return card


def sim_cards(ctx: Ctx) -> list[SimScorecard]:
    return repo.sim_cards(ctx.session)


def score_sim_call(ctx: Ctx, data: s.SimCallIn) -> SimCall:
    """An examiner enters the item scores of a simulated call; every item of the card must be scored."""
    card = repo.sim_card(ctx.session, data.scorecard_id)
    if card is None:
        raise NotFound(what="w.sim_scorecard")
    if data.agent_id not in {u.id for u in repo.agents_in_scope(ctx.session, ctx.principal)}:
        raise Invalid("training.error.not_agent", field="body.agent_id", id=data.agent_id)
    items = {i["code"]: i for i in card.items}
    for code, v in data.values.items():
        top = 1.0 if code in items and items[code]["fatal"] else items.get(code, {}).get("weight", 0)
        if code not in items or not 0 <= v <= top:
            raise Invalid("training.error.sim_value", field=f"body.values.{code}", top=top)
    missing = sorted(set(items) - set(data.values))
    if missing:
        raise Invalid("training.error.sim_missing", field=f"body.values.{missing[0]}")
    result = grading.score_card([grading.CardItem(i["code"], i["weight"], i["fatal"]) for i in card.items],
                                data.values, card.pass_mark)
    call = SimCall(scorecard_id=card.id, agent_id=data.agent_id, examiner_id=_by(ctx), scenario=data.scenario,
                   values=dict(data.values), score=result.score, passed=result.passed,
                   failed_fatal=list(result.failed_fatal), comment=data.comment, scored_at=ctx.now())
    ctx.session.add(call)
    ctx.session.flush()
    ctx.audit("training.sim_scored", "training_sim_call", call.id, agent_id=call.agent_id, score=call.score,
              passed=call.passed, values=call.values)
    events.emit(ctx, "training.sim_scored", "training_sim_call", call.id, agent_id=call.agent_id,
                score=call.score, passed=call.passed)
    return call


def sim_calls_out(ctx: Ctx, agent_ids: list[int]) -> list[s.SimCallOut]:
    rows = repo.sim_calls(ctx.session, agent_ids)
    names = core_repo.display_names(ctx.session, [*(r.agent_id for r in rows), *(r.examiner_id for r in rows)])
    cards = {c.id: c.name for c in repo.sim_cards(ctx.session)}
    return [s.SimCallOut.model_validate(r).model_copy(update={
        "agent": names.get(r.agent_id, ""), "examiner": names.get(r.examiner_id or 0, ""),
        "scorecard": cards.get(r.scorecard_id, "")}) for r in rows]


def sim_calls(ctx: Ctx) -> list[s.SimCallOut]:
    return sim_calls_out(ctx, [u.id for u in repo.agents_in_scope(ctx.session, ctx.principal)])


# --- what other domains read ----------------------------------------------------------------------------

def local_text(ctx: Ctx, at: datetime) -> str:
    """A moment as the operator reads it in a message (the retake rule's "not before")."""
    return at.astimezone(ZoneInfo(ctx.settings.timezone)).strftime("%Y-%m-%d %H:%M")


def _local_midnight(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tz)


def exam_scores(ctx: Ctx, agent_ids: Iterable[int], start: date, end: date) -> dict[int, float]:
    """Each agent's **best passing** exam score (percent, 0–100) among attempts finished in the local days
    ``start``..``end`` (inclusive, the operator's time zone), over every exam. An agent with no passed attempt
    in the period is absent: evaluation decides what a missing exam means (its scheme's missing-data rule).

    Best rather than last: a passed exam is never retaken (`grading.eligibility`), so within one exam the
    passing attempt is the last one too; across exams the best pass is the agent's demonstrated knowledge."""
    ids = list(agent_ids)
    if not ids:
        return {}
    tz = ZoneInfo(ctx.settings.timezone)
    rows = repo.passed_between(ctx.session, ids, _local_midnight(start, tz),
                               _local_midnight(end + timedelta(days=1), tz))
    out: dict[int, float] = {}
    for a in rows:
        if a.percent is not None:
            out[a.agent_id] = max(out.get(a.agent_id, 0.0), a.percent)
    return out


def results(ctx: Ctx) -> list[s.ResultRow]:
    """Every agent of the caller's scope × every exam they sat: attempts, best score, passed (results by team)."""
    agents = {u.id: u for u in repo.agents_in_scope(ctx.session, ctx.principal)}
    titles = {e.id: e.title for e in repo.exams(ctx.session)}
    teams = core_repo.team_names(ctx.session, [u.team_id for u in agents.values()])
    grouped: dict[tuple[int, int], list[TrainingAttempt]] = {}
    for a in repo.attempts(ctx.session, list(agents)):
        grouped.setdefault((a.agent_id, a.exam_id), []).append(a)
    out = []
    for (agent_id, exam_id), tries in grouped.items():
        done = [t for t in tries if t.percent is not None]
        u = agents[agent_id]
        out.append(s.ResultRow(
            agent_id=agent_id, agent=u.display_name, team=teams.get(u.team_id or 0, ""), exam_id=exam_id,
            exam=titles.get(exam_id, ""), attempts=len(tries), passed=any(t.passed for t in tries),
            best_percent=max((t.percent for t in done if t.percent is not None), default=None),
            last_at=max((t.finished_at for t in done if t.finished_at is not None), default=None)))
    return sorted(out, key=lambda r: (r.team, r.agent, r.exam_id))


def needs_training(ctx: Ctx) -> list[s.NeedRow]:
    """The agents of the caller's scope whose latest evaluation put them in the coach or help tier, with no course
    under way and none assigned since that run: the handbook's help for the weakest (操作流程 六.1), the
    trainer's to-do. Worst total first."""
    agents = {u.id: u for u in repo.agents_in_scope(ctx.session, ctx.principal)}
    weak = evaluation_read.weakest(ctx.session, list(agents))
    open_: set[int] = set()
    since: dict[int, datetime] = {}
    for a in repo.assignments(ctx.session, [w.agent_id for w in weak]):
        since[a.agent_id] = max(since.get(a.agent_id, a.assigned_at), a.assigned_at)
        if a.status == "assigned":
            open_.add(a.agent_id)
    teams = core_repo.team_names(ctx.session, [u.team_id for u in agents.values()])
    return [s.NeedRow(agent_id=w.agent_id, agent=agents[w.agent_id].display_name,
                      team=teams.get(agents[w.agent_id].team_id or 0, ""), run=w.run_name, total=w.total,
                      grade=w.grade, tier=w.tier)
            for w in weak if w.agent_id not in open_ and (w.agent_id not in since or since[w.agent_id] < w.run_at)]


def trainer_counts(ctx: Ctx) -> dict[str, int]:
    """The trainer's to-do counts (home page): agents the evaluation sends to training, exams failed and not yet
    passed (a retake to arrange), courses assigned and not completed."""
    return {"needs": len(needs_training(ctx)),
            "retakes": sum(1 for r in results(ctx) if not r.passed and r.best_percent is not None),
            "open": sum(1 for a in assignments(ctx) if a.status == "assigned")}


def qa_item_names(ctx: Ctx) -> dict[str, str]:
    """Scorecard item code → name, for the courses table (a course names the items it trains)."""
    return qa_read.item_names(ctx.session)
