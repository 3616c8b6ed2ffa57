"""Training shapes: what a trainer writes, what an agent's paper shows (never the key), and results."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import Field, model_validator

from telqc.core.schemas import Id, In, Out
from telqc.training import grading
from telqc.training.grading import QType

ItemCode = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[a-z][a-z0-9_.]*$")]
Answer = (bool | Annotated[int, Field(ge=0, le=50)] | list[Annotated[int, Field(ge=0, le=50)]]
          | Annotated[str, Field(max_length=2000)] | None)


class CourseIn(In):
    title: str = Field(min_length=2, max_length=120)
    description: str = Field("", max_length=4000)
    article_ids: list[Id] = Field(default_factory=list, max_length=50)
    qa_items: list[ItemCode] = Field(default_factory=list, max_length=20)


class RubricLineIn(In):
    keywords: list[Annotated[str, Field(min_length=1, max_length=40)]] = Field(min_length=1, max_length=10)
    points: float = Field(gt=0, le=100)


class QuestionIn(In):
    """The key travels with the question: ``correct`` option indices (single, multiple), ``answer`` for a
    true/false question, ``rubric`` lines for a short answer."""

    type: QType
    text: str = Field(min_length=2, max_length=2000)
    options: list[Annotated[str, Field(min_length=1, max_length=300)]] = Field(default_factory=list, max_length=10)
    correct: list[Annotated[int, Field(ge=0, le=9)]] = Field(default_factory=list, max_length=10)
    answer: bool | None = None
    rubric: list[RubricLineIn] = Field(default_factory=list, max_length=10)
    points: float = Field(1.0, gt=0, le=100)
    explanation: str = Field("", max_length=2000)

    @model_validator(mode="after")
    def _answerable(self) -> QuestionIn:
        if self.type is QType.true_false:
            if self.answer is None:
                raise ValueError("a true/false question needs answer: true or false")
            self.options, self.correct = ["正确", "错误"], [0 if self.answer else 1]
        wrong = grading.problems(self.as_question(0))
        if wrong:
            raise ValueError("; ".join(wrong))
        return self

    def key(self) -> dict[str, Any]:
        if self.type is QType.short:
            return {"rubric": [{"keywords": r.keywords, "points": r.points} for r in self.rubric]}
        return {"correct": sorted(set(self.correct))}

    def as_question(self, qid: int) -> grading.Question:
        return grading.Question(qid, self.type, self.points, tuple(self.options), frozenset(self.correct),
                                tuple(grading.RubricLine(tuple(r.keywords), r.points) for r in self.rubric))


class ExamIn(In):
    course_id: Id
    title: str = Field(min_length=2, max_length=120)
    pool: list[Id] = Field(min_length=1, max_length=500)
    draw_count: int = Field(ge=1, le=200)
    time_limit_min: int = Field(ge=1, le=600)
    pass_mark: float = Field(80, ge=0, le=100)
    max_attempts: int = Field(3, ge=1, le=20)
    cooloff_hours: float = Field(24, ge=0, le=24 * 90)
    retrain_after_fail: bool = True


class AssignIn(In):
    course_id: Id
    agent_ids: list[Id] = Field(min_length=1, max_length=500)
    note: str = Field("", max_length=200)


class SubmitIn(In):
    answers: dict[Id, Answer] = Field(default_factory=dict, max_length=200)


class SimItemIn(In):
    code: ItemCode
    name: str = Field(min_length=1, max_length=80)
    weight: float = Field(ge=0, le=100)
    fatal: bool = False


class SimCardIn(In):
    name: str = Field(min_length=2, max_length=80)
    course_id: Id | None = None
    pass_mark: float = Field(80, ge=0, le=100)
    items: list[SimItemIn] = Field(min_length=1, max_length=40)

    @model_validator(mode="after")
    def _items(self) -> SimCardIn:
        codes = [i.code for i in self.items]
        if len(set(codes)) != len(codes):
            raise ValueError("item codes must differ")
        if sum(i.weight for i in self.items if not i.fatal) <= 0:
            raise ValueError("the non-fatal items must carry some weight")
        return self


class SimCallIn(In):
    scorecard_id: Id
    agent_id: Id
    scenario: str = Field(min_length=2, max_length=200)
    values: dict[ItemCode, float] = Field(max_length=40)
    comment: str = Field("", max_length=2000)


class Named(Out):
    id: int
    name: str


class ArticleRef(Out):
    """A course's study material: a published knowledge article as the reader may read it."""

    id: int
    name: str
    body: str = ""


class CourseOut(Out):
    id: int
    title: str
    description: str
    article_ids: list[int]
    articles: list[ArticleRef] = Field(default_factory=list)
    qa_items: list[str]
    active: bool
    created_at: datetime
    questions: int = 0


class QuestionOut(Out):
    """A bank question as trainers read it, key included."""

    id: int
    course_id: int
    type: str
    text: str
    options: list[str]
    key: dict[str, Any]
    points: float
    explanation: str
    active: bool


class PaperQuestion(Out):
    """A question as the agent sees it on the paper: no key, no explanation."""

    id: int
    type: str
    text: str
    options: list[str]
    points: float


class ExamOut(Out):
    id: int
    course_id: int
    course: str = ""
    title: str
    pool: list[int]
    draw_count: int
    time_limit_min: int
    pass_mark: float
    max_attempts: int
    cooloff_hours: float
    retrain_after_fail: bool
    active: bool


class ReviewLine(Out):
    """After grading: what the agent answered, what it earned, and the key."""

    question_id: int
    answer: Any
    earned: float
    points: float
    key: Any
    explanation: str


class AttemptOut(Out):
    id: int
    exam_id: int
    exam: str = ""
    agent_id: int
    agent: str = ""
    number: int
    started_at: datetime
    deadline_at: datetime
    finished_at: datetime | None
    status: str
    score: float | None
    max_score: float | None
    percent: float | None
    passed: bool | None
    pass_mark: float = 0
    questions: list[PaperQuestion] = Field(default_factory=list)
    review: list[ReviewLine] = Field(default_factory=list)


class AssignmentOut(Out):
    id: int
    agent_id: int
    agent: str = ""
    course_id: int
    course: str = ""
    reason: str
    note: str
    assigned_at: datetime
    status: str
    completed_at: datetime | None


class EligibilityOut(Out):
    ok: bool
    reason: str
    message: str = ""
    not_before: datetime | None = None


class MyExamOut(Out):
    exam: ExamOut
    eligibility: EligibilityOut
    attempts: list[AttemptOut]


class MineOut(Out):
    assignments: list[AssignmentOut]
    courses: list[CourseOut]
    exams: list[MyExamOut]
    simulations: list[SimCallOut]


class SimCardOut(Out):
    id: int
    name: str
    course_id: int | None
    pass_mark: float
    items: list[dict[str, Any]]
    created_at: datetime


class SimCallOut(Out):
    id: int
    scorecard_id: int
    scorecard: str = ""
    agent_id: int
    agent: str = ""
    examiner_id: int | None
    examiner: str = ""
    scenario: str
    values: dict[str, float]
    score: float
    passed: bool
    failed_fatal: list[str]
    comment: str
    scored_at: datetime


class ResultRow(Out):
    """One agent × exam on the results-by-team table."""

    agent_id: int
    agent: str
    team: str
    exam_id: int
    exam: str
    attempts: int
    best_percent: float | None
    passed: bool
    last_at: datetime | None


class NeedRow(Out):
    """An agent the latest evaluation graded 辅导/帮扶 who has had no training since (training to assign)."""

    agent_id: int
    agent: str
    team: str
    run: str
    total: float
    grade: str
    tier: str


MineOut.model_rebuild()
