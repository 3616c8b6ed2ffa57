"""Knowledge-base API shapes."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field, model_validator

from telqc.core.schemas import Id, In, Out


class ArticleIn(In):
    kind: Literal["article", "faq"] = "article"
    title: str = Field(min_length=2, max_length=200)
    body: str = Field(min_length=1, max_length=20000)
    questions: list[str] = Field(default_factory=list, max_length=30)
    category: str = Field(min_length=1, max_length=40)
    tags: list[str] = Field(default_factory=list, max_length=20)
    audience: Literal["internal", "public"] = "internal"
    valid_from: datetime | None = None
    valid_to: datetime | None = None
    note: str | None = Field(default=None, max_length=500)

    @model_validator(mode="after")
    def _window(self) -> ArticleIn:
        for name in ("valid_from", "valid_to"):
            v = getattr(self, name)
            if v is not None and v.tzinfo is None:
                raise ValueError(f"{name} needs a time zone / 需要时区")
        if self.valid_from and self.valid_to and self.valid_to <= self.valid_from:
            raise ValueError("valid_to must be after valid_from / 失效时间必须晚于生效时间")
        if self.kind == "faq" and not self.questions:
            raise ValueError("an FAQ entry needs at least one question / FAQ 至少需要一个问法")
        return self


class ReviewIn(In):
    note: str | None = Field(default=None, max_length=500)


class ArticleOut(Out):
    id: int
    kind: str
    title: str
    body: str
    questions: list[str]
    category: str
    tags: list[str]
    audience: str
    valid_from: datetime | None
    valid_to: datetime | None
    status: str
    current_version: int
    published_version: int | None
    version: int


class ChangeOut(Out):
    at: datetime
    actor_id: int | None
    from_status: str | None
    to_status: str
    note: str | None


class HitOut(Out):
    id: int
    title: str
    snippet: str
    score: float
    category: str | None


class SearchOut(Out):
    hits: list[HitOut]
    total: int
    suggestion: str | None


class RecommendIn(In):
    description: str = Field(min_length=2, max_length=4000)
    category: str | None = Field(default=None, max_length=40)
    limit: int = Field(default=3, ge=1, le=10)


class SolutionOut(Out):
    solution_code: str
    title: str
    answer: str
    score: float
    cases: int
    successes: int
    success_rate: float
    example_orders: list[int]


class RecommendOut(Out):
    solutions: list[SolutionOut]
    articles: list[HitOut]


class ChoiceIn(In):
    solution_code: str = Field(min_length=1, max_length=40)
    order_id: Id | None = None
    rank: int = Field(default=1, ge=1, le=10)


class FeedbackIn(In):
    article_id: Id
    verdict: Literal["adopted", "rejected"]
    query: str = Field(min_length=1, max_length=4000)
    order_id: Id | None = None
    rank: int = Field(default=1, ge=1, le=50)


class SolutionIn(In):
    code: str = Field(min_length=2, max_length=40, pattern=r"^[A-Z0-9_-]+$")
    title: str = Field(min_length=2, max_length=200)
    answer: str = Field(min_length=2, max_length=4000)
    category: str | None = Field(default=None, max_length=40)


class SolutionDef(Out):
    code: str
    title: str
    answer: str
    category: str | None
