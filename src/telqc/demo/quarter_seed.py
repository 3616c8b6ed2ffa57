"""The demo's quarter of people development and customer voice: an identity-verification course with its exam,
studied and then sat by the Guangdong floor in the middle of the quarter's last month (most pass, two fail and
are sent back to the course, so the trainer has their retakes to arrange), and a quarterly satisfaction campaign to a
stratified sample of customers, most of whom answer.

Both go through their domains' services on clocks set in the past, so attempts, audit and results look as they
would in production; it runs before the evaluations, so the exam scores are part of them. The customers'
answers are the one made-up part: a seeded generator plays the customers answering the links the campaign sent
(through the survey channel's recording fake, the edge of the outside world).
"""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, datetime, time, timedelta
from typing import Any

from sqlalchemy import select

from telqc.core.auth import principal_of
from telqc.core.clock import FrozenClock
from telqc.core.context import Ctx
from telqc.core.models import User
from telqc.demo.evaluation_seed import evaluated_months
from telqc.knowledge.models import KbArticle, KbVersion
from telqc.metrics import service as metrics
from telqc.surveys import campaigns, channels
from telqc.surveys import schemas as ss
from telqc.training import attempts
from telqc.training import schemas as ts
from telqc.training import service as training

QUESTIONS: list[dict[str, Any]] = [
    {"type": "single", "text": "客户来电要求办理过户，首先应当：", "options": ["直接受理", "核实机主身份", "转营业厅"],
     "correct": [1], "points": 2},
    {"type": "true_false", "text": "客户能说出机主姓名即可办理停机。", "answer": False, "points": 1},
    {"type": "multiple", "text": "下列哪些可用于核实机主身份？",
     "options": ["身份证号码", "服务密码", "星座", "最近一次缴费金额"], "correct": [0, 1, 3], "points": 3},
    {"type": "short", "text": "简述为客户重置服务密码前的核实步骤。", "points": 4,
     "rubric": [{"keywords": ["身份证", "证件"], "points": 2}, {"keywords": ["短信验证码", "验证码"], "points": 2}]},
]
PERFECT: dict[str, Any] = {"single": 1, "true_false": False, "multiple": [0, 1, 3],
                           "short": "先核对身份证件，再向机主手机发送短信验证码"}
WEAK: dict[str, Any] = {"single": 0, "true_false": True, "multiple": [0, 2], "short": "问客户姓名"}


def _article(ctx: Ctx) -> int | None:
    """A published article on identity checks (the demo knowledge base has several), else any published one."""
    rows = ctx.session.execute(select(KbArticle.id, KbVersion.title).join(
        KbVersion, (KbVersion.article_id == KbArticle.id) & (KbVersion.number == KbArticle.published_version))
        .where(KbArticle.status == "published").order_by(KbArticle.id)).all()
    return next((i for i, t in rows if "身份" in t or "实名" in t), rows[0][0] if rows else None)


def _exam_day(ctx: Ctx, days: int) -> datetime:
    """The middle of the last evaluated month at 10:00 local (so that month's evaluation has exam scores and
    course completion), else half-way through the history."""
    months = evaluated_months(ctx, days)
    if not months:
        return ctx.now() - timedelta(days=max(days // 2, 1))
    start, end = months[-1]
    return datetime.combine(start + (end - start) / 2, time(10), metrics.tz_of(ctx)).astimezone(UTC)


def seed_training(ctx: Ctx, days: int) -> int:
    """The course, its question bank and exam; the Guangdong agents sit it in the middle of the last evaluated
    month. Returns the attempts made."""
    trainer = ctx.session.scalar(select(User).where(User.username == "trainer"))
    agents = [u for u in ctx.session.scalars(select(User).where(User.role == "agent", User.is_active.is_(True))
                                             .order_by(User.id)) if "440000" in (u.region_scope or [])]
    if trainer is None or not agents:
        return 0
    when = _exam_day(ctx, days)
    as_trainer = replace(ctx, clock=FrozenClock(when - timedelta(days=3)), principal=principal_of(trainer))
    article = _article(ctx)
    course = training.create_course(as_trainer, ts.CourseIn(
        title="客户身份核实规范", description="办理业务前如何核实机主身份：证件、服务密码、短信验证码",
        article_ids=[article] if article else [], qa_items=["verification.identity"]))
    pool = [training.add_question(as_trainer, course.id, ts.QuestionIn.model_validate(q)).id for q in QUESTIONS]
    exam = training.create_exam(as_trainer, ts.ExamIn(
        course_id=course.id, title="身份核实考试", pool=pool, draw_count=len(pool), time_limit_min=20,
        pass_mark=80, max_attempts=3, cooloff_hours=24, retrain_after_fail=True))
    given = {a.agent_id: a.id for a in training.assign(as_trainer, ts.AssignIn(
        course_id=course.id, agent_ids=[u.id for u in agents], note="季度必修"))}
    rng = random.Random(7)
    made = 0
    for i, agent in enumerate(agents):
        clock = FrozenClock(when + timedelta(hours=1 + i))
        as_agent = replace(ctx, clock=clock, principal=principal_of(agent))
        if agent.id in given:  # studied the course first; a fail then opens it again (retrain)
            training.complete(replace(as_agent, clock=FrozenClock(when - timedelta(days=1, hours=-i))),
                              given[agent.id])
        paper = attempts.start(as_agent, exam.id)
        clock.advance(timedelta(minutes=rng.randint(6, 15)))
        qs = {q.id: q.type for q in training.questions(as_agent, course.id)}
        weak = i in (2, 5)  # two of the floor fail and go back to the course
        sheet = {q: (WEAK if weak else PERFECT)[qs[q]] for q in paper.question_ids}
        attempts.submit(as_agent, paper.id, ts.SubmitIn.model_validate({"answers": sheet}))
        made += 1
    return made


def seed_campaign(ctx: Ctx, days: int, seed: int = 42) -> int:
    """A quarterly campaign sent three weeks ago to a stratified sample; three in four answer. Returns answers."""
    manager = ctx.session.scalar(select(User).where(User.username == "manager"))
    if manager is None:
        return 0
    now = ctx.now()
    sent_at = now - timedelta(days=min(21, max(days - 1, 1)))
    quarter = (sent_at.month - 1) // 3 + 1
    clock = FrozenClock(sent_at)
    as_manager = replace(ctx, clock=clock, principal=principal_of(manager))
    c = campaigns.create(as_manager, ss.CampaignIn(
        name=f"{sent_at.year}年第{quarter}季度客户满意度测评", period_kind="quarter",
        period_label=f"{sent_at.year}Q{quarter}", sample_size=400, min_per_stratum=5, seed=seed,
        validity_days=14, min_cell_n=20))
    recorder = channels.RecordingChannel()
    previous = channels.use(recorder)
    try:
        campaigns.send(as_manager, c.id)
    finally:
        channels.use(previous)
    rng = random.Random(seed)
    answered = 0
    for m in recorder.sent:
        if rng.random() > 0.75:
            continue
        clock.advance(timedelta(minutes=rng.randint(1, 90)))
        # a slower hotline in one province: efficiency scores lower there (the page's low item)
        slow = m.customer_id % 4 == 0
        score = [5, 5, 4, 4, 4, 3, 5]
        campaigns.answer(replace(ctx, clock=clock, principal=None), m.link.rsplit("/", 1)[1], ss.CampaignAnswerIn(
            attitude=rng.choice(score), efficiency=rng.choice([3, 3, 4, 2, 4] if slow else score),
            quality=rng.choice(score), etiquette=rng.choice([5, 5, 4]),
            comment=rng.choice([None, None, "等待时间有点长", "客服很耐心", "问题一次就解决了"])))
        answered += 1
    return answered

