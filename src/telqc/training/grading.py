"""Exam arithmetic with no I/O: drawing an attempt's questions, scoring answers, pass/fail, retake rules.

Question types and how each is scored (a question is worth ``points``):

- single choice (单选) and true/false (判断): all the points for the keyed option, else nothing.
- multiple choice (多选), partial credit: ``points × max(0, (right picked − wrong picked) / right keyed)``.
  Each keyed option picked earns its share, each wrong option picked takes a share back, and the question
  never goes below zero. So picking every option earns nothing unless most options are keyed, and a guess
  that adds wrong options costs what it gains; picking exactly the key earns all the points.
- short answer (简答), rubric: the answer earns each rubric line's points when it mentions any of that line's
  keywords (NFKC-normalised, case and white space ignored: "身份 证" matches "身份证"), capped at ``points``.

An exam is passed when the percentage score reaches the pass mark. Retakes are allowed while the agent has
attempts left, once the cooling-off period after the last failed attempt has passed, and, where the exam
demands it, once the course was completed again after that fail (复训后补考). A passed exam is not retaken.
"""

from __future__ import annotations

import random
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

GRACE = timedelta(seconds=30)  # a submission in flight when the countdown ends (network, a slow click) counts


class QType(StrEnum):
    single = "single"
    multiple = "multiple"
    true_false = "true_false"
    short = "short"


@dataclass(frozen=True)
class RubricLine:
    keywords: tuple[str, ...]  # any one of them earns the line
    points: float


@dataclass(frozen=True)
class Question:
    id: int
    type: QType
    points: float
    options: tuple[str, ...] = ()
    correct: frozenset[int] = frozenset()  # option indices (single, multiple); {0} true / {1} false
    rubric: tuple[RubricLine, ...] = ()


def problems(q: Question) -> list[str]:
    """Why a question cannot be answered perfectly (an empty list when it can): checked before it is saved."""
    out = []
    if q.points <= 0:
        out.append("points must be positive")
    if q.type is QType.short:
        if not q.rubric or any(not [k for k in line.keywords if _normal(k)] or line.points <= 0 for line in q.rubric):
            out.append("each rubric line needs a keyword and positive points")
        elif sum(line.points for line in q.rubric) < q.points:
            out.append("the rubric lines must add up to at least the question's points")
        return out
    if q.type is QType.true_false and len(q.options) != 2:
        out.append("a true/false question has two options")
    if len(q.options) < 2:
        out.append("at least two options")
    if not q.correct or any(not 0 <= i < len(q.options) for i in q.correct):
        out.append("the key must name existing options")
    elif q.type is not QType.multiple and len(q.correct) != 1:
        out.append("exactly one option is keyed")
    return out


def _normal(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).casefold().split())


def score_question(q: Question, answer: Any) -> float:
    """Points earned for one answer; an answer of the wrong shape earns nothing (it is never an error)."""
    if q.type in (QType.single, QType.true_false):
        if q.type is QType.true_false and isinstance(answer, bool):
            answer = 0 if answer else 1
        ok = isinstance(answer, int) and not isinstance(answer, bool) and answer in q.correct
        return q.points if ok else 0.0
    if q.type is QType.multiple:
        if not isinstance(answer, list | tuple | set | frozenset) or not q.correct:
            return 0.0
        picked = {a for a in answer if isinstance(a, int) and not isinstance(a, bool) and 0 <= a < len(q.options)}
        net = len(picked & q.correct) - len(picked - q.correct)
        return round(q.points * max(0, net) / len(q.correct), 4)
    if not isinstance(answer, str):
        return 0.0
    text = _normal(answer)
    earned = sum(line.points for line in q.rubric if any(_normal(k) and _normal(k) in text for k in line.keywords))
    return round(min(q.points, earned), 4)


@dataclass(frozen=True)
class Graded:
    score: float
    max_score: float
    percent: float
    passed: bool
    per_question: dict[int, float]


def grade(questions: Sequence[Question], answers: Mapping[int, Any], pass_mark: float) -> Graded:
    """Score an answer sheet; ``pass_mark`` is a percentage (0–100). An unanswered question earns nothing."""
    per = {q.id: score_question(q, answers.get(q.id)) for q in questions}
    top = sum(q.points for q in questions)
    got = round(sum(per.values()), 4)
    percent = round(100.0 * got / top, 2) if top > 0 else 0.0
    return Graded(got, top, percent, percent >= pass_mark, per)


def perfect_answer(q: Question) -> Any:
    """The answer that earns all the points: the key (what the result page shows after submission)."""
    if q.type is QType.single:
        return min(q.correct)
    if q.type is QType.true_false:
        return 0 in q.correct
    if q.type is QType.multiple:
        return sorted(q.correct)
    return " ".join(next(k for k in line.keywords if _normal(k)) for line in q.rubric)


def draw(pool: Sequence[int], count: int, seed: int) -> list[int]:
    """The questions of one attempt, in their order: ``count`` of the pool, chosen and shuffled by ``seed``.

    The seed is stored with the attempt, so the same attempt always shows the same paper (a reload, an
    appeal, a regrade), while each attempt draws its own."""
    ordered = sorted(set(pool))
    return random.Random(seed).sample(ordered, min(count, len(ordered)))


def deadline(started_at: datetime, time_limit: timedelta) -> datetime:
    return started_at + time_limit


def in_time(started_at: datetime, time_limit: timedelta, submitted_at: datetime) -> bool:
    return submitted_at <= deadline(started_at, time_limit) + GRACE


@dataclass(frozen=True)
class RetakePolicy:
    max_attempts: int
    cooloff: timedelta
    retrain_after_fail: bool


@dataclass(frozen=True)
class PastAttempt:
    started_at: datetime
    finished_at: datetime | None  # None while in progress
    passed: bool | None


@dataclass(frozen=True)
class Eligibility:
    ok: bool
    reason: str = ""  # passed | in_progress | max_attempts | cooling_off | retrain
    not_before: datetime | None = None


def eligibility(policy: RetakePolicy, attempts: Sequence[PastAttempt], now: datetime,
                trained_at: datetime | None) -> Eligibility:
    """May the agent start another attempt now? ``trained_at``: the last time they completed the course."""
    if any(a.passed for a in attempts):
        return Eligibility(False, "passed")
    if any(a.finished_at is None for a in attempts):
        return Eligibility(False, "in_progress")
    if len(attempts) >= policy.max_attempts:
        return Eligibility(False, "max_attempts")
    if not attempts:
        return Eligibility(True)
    last = max(a.finished_at for a in attempts if a.finished_at is not None)
    if now < last + policy.cooloff:
        return Eligibility(False, "cooling_off", last + policy.cooloff)
    if policy.retrain_after_fail and (trained_at is None or trained_at < last):
        return Eligibility(False, "retrain")
    return Eligibility(True)


@dataclass(frozen=True)
class CardItem:
    """One item of a simulated-call scorecard (模拟通话评分表): as an inspection scorecard's items, a fatal
    item is met (1) or failed (0) and carries no weight, but failing it fails the whole call."""

    code: str
    weight: float
    fatal: bool = False


@dataclass(frozen=True)
class CardScore:
    score: float
    passed: bool
    failed_fatal: tuple[str, ...]


def score_card(items: Sequence[CardItem], values: Mapping[str, float], pass_mark: float) -> CardScore:
    """0–100 over the weighted items; a failed fatal item makes the score 0 (QA standard: 致命项一票否决)."""
    failed = tuple(i.code for i in items if i.fatal and values.get(i.code, 0.0) < 1.0)
    total = sum(i.weight for i in items if not i.fatal)
    earned = sum(min(max(values.get(i.code, 0.0), 0.0), i.weight) for i in items if not i.fatal)
    pct = 0.0 if failed or total <= 0 else round(100.0 * earned / total, 2)
    return CardScore(pct, pct >= pass_mark and not failed, failed)
