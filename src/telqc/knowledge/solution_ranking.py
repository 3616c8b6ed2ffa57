"""Ranking of best-known fixes from similar resolved orders (指引的智能化): pure, plain data in and out.

For a new problem description, the cases most like it (same category, last N days)
vote for the solution each applied. A vote is weighted by similarity and recency
(half-life), and a solution's score is its smoothed success rate — a case succeeded
if it was not reopened, the customer did not contact us again on it within 7 days,
and any survey said they were satisfied — times the weight of evidence behind it.
A fix that often bounces back therefore ranks below one that sticks, even when it
was used more often.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from telqc.knowledge.segment import Segmenter, char_bigrams, default

PRIOR_SUCCESS = 1.0   # Beta prior: one pseudo-success ...
PRIOR_FAILURE = 1.0   # ... and one pseudo-failure, so 1/1 does not beat 45/50.
MIN_SIMILARITY = 0.08


@dataclass(frozen=True)
class Case:
    order_id: int
    category: str | None
    description: str
    solution_code: str
    resolved_at: datetime
    reopened: bool = False
    repeat_contact: bool = False
    csat: int | None = None

    @property
    def succeeded(self) -> bool:
        return not self.reopened and not self.repeat_contact and (self.csat is None or self.csat >= 4)


@dataclass
class Suggestion:
    solution_code: str
    score: float
    cases: int
    successes: int
    success_rate: float
    examples: list[int] = field(default_factory=list)


def _vector(seg: Segmenter, text: str) -> dict[str, float]:
    terms = seg.terms(text) + [f"#{b}" for b in char_bigrams(text)]
    counts: dict[str, float] = defaultdict(float)
    for t in terms:
        counts[t] += 1.0
    norm = math.sqrt(sum(v * v for v in counts.values())) or 1.0
    return {t: v / norm for t, v in counts.items()}


def _cosine(a: dict[str, float], b: dict[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(v * b.get(t, 0.0) for t, v in a.items())


def recommend(
    description: str, category: str | None, cases: Iterable[Case], now: datetime, *,
    window_days: int = 90, half_life_days: float = 30.0, limit: int = 3, segmenter: Segmenter | None = None,
) -> list[Suggestion]:
    seg = segmenter or default()
    query = _vector(seg, description)
    since = now - timedelta(days=window_days)
    votes: dict[str, list[tuple[float, Case]]] = defaultdict(list)
    for case in cases:
        if case.resolved_at < since or case.resolved_at > now:
            continue
        if category is not None and case.category not in (None, category):
            continue
        sim = _cosine(query, _vector(seg, case.description))
        if sim < MIN_SIMILARITY:
            continue
        age = (now - case.resolved_at).total_seconds() / 86400
        votes[case.solution_code].append((sim * 0.5 ** (age / half_life_days), case))
    out = []
    for code, vs in votes.items():
        weight = sum(w for w, _ in vs)
        good = sum(w for w, c in vs if c.succeeded)
        rate = (good + PRIOR_SUCCESS) / (weight + PRIOR_SUCCESS + PRIOR_FAILURE)
        best = sorted(vs, key=lambda x: -x[0])
        out.append(Suggestion(
            solution_code=code, score=rate * math.log1p(weight), cases=len(vs),
            successes=sum(1 for _, c in vs if c.succeeded), success_rate=round(rate, 3),
            examples=[c.order_id for _, c in best[:3]],
        ))
    out.sort(key=lambda s: (-s.score, s.solution_code))
    return out[:limit]
