"""The learned part of knowledge search: what the operator's own orders teach about each article.

Each article gets a second field, its *profile*: its title and question variants plus the descriptions of
the resolved orders it solved (and the queries agents adopted it for), weighted by recency. A character
n-gram TF-IDF model is fitted on those profiles (scikit-learn, trained here; nothing is downloaded), and a
query's cosine to an article's profile is fused with the lexical score of the inverted index:

    fused = lexical / max(lexical) + weight * cosine(query, profile) + prior_weight * prior(article)

so a customer's way of saying it ("灯是红的，一直断") reaches the article that solved such orders even when
the article itself never says so. ``prior`` is the decayed adoption count (adopted +1, rejected -1, each
halving every ``half_life_days``), squashed to [-1, 1]. Weights were chosen on the dev halves
(docs/BENCHMARKS.md, "Issue 24: learned component").

Fairness between articles with and without history: an article's profile with orders in it is written in the
customers' words, so *any* query's cosine to it is higher than to a profile of the article's own text alone.
Fused raw, an article nobody has used yet (new, or never needed) loses to every article with history even on
a query that states its answer (InsuranceQA-zh: P@1 0.010 against 0.204 lexical, docs/BENCHMARKS.md). So the
cosine to a profile without evidence is scaled by ``own_scale``, chosen at fit time by leave-one-out over
``SCALE_GRID``: each sampled piece of evidence is taken out of its article's profile and searched for with the
learned cosine alone. Where it was the article's only evidence the article is left without evidence (scaled:
a larger scale helps it up); otherwise the article keeps its other evidence and the articles without evidence
compete scaled (a larger scale hurts). The scale with the best P@1 wins, ties to the smaller one, so the
answer weighs the two cases as often as the data shows them (the share of evidence that is an article's only
one estimates how often a new query's answer has no history yet). Where every article has several pieces of
evidence (the operator's own data) nothing argues for a scale and it stays 1. A newly published article (no
evidence until the next training) gets the same scale.

A new or edited article is added to the profiles without refitting (the fitted vocabulary transforms its
text); ``telqc kb train`` and the nightly job refit the whole model.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

import numpy as np
import scipy.sparse as sp

MODEL_VERSION = 3  # bump when what a saved model holds changes
DEFAULT_WEIGHT = 8.0  # chosen on dev (docs/BENCHMARKS.md)
DEFAULT_PRIOR_WEIGHT = 0.1
HALF_LIFE_DAYS = 90.0
PROFILE_HALF_LIFE_DAYS = 365.0  # how customers describe a fault ages slowly (dev: 90 days cost 3 points of P@1)
CANDIDATES = 50  # lexical candidates re-scored, plus the best learned ones
SCALE_GRID = (1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0)  # candidate own_scale values (InsuranceQA valid: 3-6 best)
SCALE_SAMPLE = 512  # pieces of evidence left out one at a time to choose own_scale (a fixed stride: deterministic)
SCALE_CHUNK = 64  # held-out queries scored against all profiles at once (64 x 100,000 floats at most)


@dataclass(frozen=True)
class Example:
    """One piece of evidence that ``text`` is answered by ``article_id`` (an order, an adopted suggestion)."""

    text: str
    article_id: str
    at: datetime | None = None
    weight: float = 1.0  # +1 adopted / solved, -1 rejected


def decay(age_days: float, half_life_days: float = HALF_LIFE_DAYS) -> float:
    """Weight of evidence ``age_days`` old: 1 today, 1/2 after one half-life, never negative age."""
    return float(0.5 ** (max(age_days, 0.0) / half_life_days))


@dataclass
class LearnedModel:
    ngram: tuple[int, int] = (1, 3)
    example_weight: float = 1.0  # how much an order description counts against the article's own text
    half_life_days: float = HALF_LIFE_DAYS  # of the adoption prior
    profile_half_life_days: float = PROFILE_HALF_LIFE_DAYS  # of an order's text in its article's profile
    version: int = MODEL_VERSION
    trained_at: datetime | None = None
    examples_used: int = 0
    _vectorizer: Any = field(default=None, init=False, repr=False)
    _ids: list[str] = field(default_factory=list, init=False)
    _slot: dict[str, int] = field(default_factory=dict, init=False)
    _matrix: Any = field(default=None, init=False, repr=False)  # csr, one L2-normalised row per article
    _prior: dict[str, float] = field(default_factory=dict, init=False)
    _by_term: Any = field(default=None, init=False, repr=False)  # _matrix transposed, rebuilt after a change
    own_scale: float = field(default=1.0, init=False)  # cosine multiplier of a profile without evidence
    _scale: Any = field(default=None, init=False, repr=False)  # per slot: own_scale, or 1 where evidence exists

    # -- training ---------------------------------------------------------------------------------

    def fit(self, articles: dict[str, str], examples: Iterable[Example] = (), now: datetime | None = None) -> None:
        """Fit on article texts (title + questions) and evidence; deterministic for the same input."""
        from sklearn.feature_extraction.text import TfidfVectorizer  # noqa: PLC0415 (1 s import, see cli.py)

        docs: dict[str, list[tuple[str, float]]] = {aid: [(text, 1.0)] for aid, text in articles.items()}
        prior: dict[str, float] = defaultdict(float)
        used = 0
        for ex in examples:
            if ex.article_id not in docs:
                continue
            prior[ex.article_id] += ex.weight * self._age_weight(ex.at, now, self.half_life_days)
            if ex.weight > 0:
                w = self._age_weight(ex.at, now, self.profile_half_life_days)
                docs[ex.article_id].append((ex.text, self.example_weight * w))
                used += 1
        self._ids = sorted(docs)
        self._slot = {aid: i for i, aid in enumerate(self._ids)}
        self._vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=self.ngram, sublinear_tf=True,
                                           min_df=1, dtype=np.float32)
        self._vectorizer.fit([" ".join(t for t, _ in docs[aid]) for aid in self._ids])
        self._matrix = sp.vstack([self._profile(docs[aid]) for aid in self._ids], format="csr") \
            if self._ids else sp.csr_matrix((0, 0), dtype=np.float32)
        self._prior = {aid: math.tanh(v) for aid, v in prior.items() if v}
        self.trained_at, self.examples_used, self._by_term = now, used, None
        evidenced = [i for i, aid in enumerate(self._ids) if len(docs[aid]) > 1]
        self.own_scale = self._own_scale(docs, evidenced)
        self._scale = np.full(len(self._ids), self.own_scale, dtype=np.float32)
        self._scale[evidenced] = 1.0

    def _own_scale(self, docs: dict[str, list[tuple[str, float]]], evidenced: list[int]) -> float:
        """The ``SCALE_GRID`` value with the best leave-one-out P@1 of the learned cosine (module docstring).

        Only up to ``SCALE_SAMPLE`` pieces of evidence, every k-th in (article, text) order, are left out: the
        cost is that many queries against all profiles (a few seconds at 100,000 articles), whatever the corpus.
        An article whose evidence holds the same text also answers it and is not counted as a competitor."""
        held = sorted((self._ids[i], j) for i in evidenced for j in range(1, len(docs[self._ids[i]])))
        if not held:
            return 1.0
        held = held[:: max(1, len(held) // SCALE_SAMPLE)][:SCALE_SAMPLE]
        answered: dict[str, set[int]] = defaultdict(set)
        for i in evidenced:
            for text, _ in docs[self._ids[i]][1:]:
                answered[text].add(i)
        with_evidence = np.zeros(len(self._ids), dtype=bool)
        with_evidence[evidenced] = True
        grid = np.array(SCALE_GRID, dtype=np.float64)
        hits = np.zeros(len(grid))
        by_term = self._matrix.T.tocsr()
        for start in range(0, len(held), SCALE_CHUNK):
            chunk = held[start:start + SCALE_CHUNK]
            texts = [docs[aid][j][0] for aid, j in chunk]
            queries = self._vectorizer.transform(texts)
            scores = (queries @ by_term).toarray()
            for row, ((aid, j), text) in enumerate(zip(chunk, texts, strict=True)):
                rest = docs[aid][:j] + docs[aid][j + 1:]
                own = float((queries[row] @ self._profile(rest).T).sum())
                others = scores[row]
                others[list(answered[text] | {self._slot[aid]})] = -1.0
                best_with = float(others[with_evidence].max(initial=0.0))
                best_without = float(others[~with_evidence].max(initial=0.0))
                mine = own * grid if len(rest) == 1 else np.full(len(grid), own)
                hits += mine > np.maximum(best_with, grid * best_without)
        return float(grid[int(np.argmax(hits))])  # argmax: the first, i.e. smallest, of equal counts

    @staticmethod
    def _age_weight(at: datetime | None, now: datetime | None, half_life_days: float) -> float:
        if at is None or now is None:
            return 1.0
        return decay((now - at).total_seconds() / 86400.0, half_life_days)

    def _profile(self, parts: Sequence[tuple[str, float]]) -> Any:
        rows = self._vectorizer.transform([t for t, _ in parts])
        weights = sp.csr_matrix(np.array([[w for _, w in parts]], dtype=np.float32))
        vec = weights @ rows
        norm = math.sqrt(float(vec.multiply(vec).sum()))
        return vec / norm if norm > 0 else vec

    def add_article(self, article_id: str, text: str) -> None:
        """Add one article's own text without refitting; an article already known keeps its learned evidence
        (its profile becomes old profile + new text, normalised) until the next training."""
        if self._vectorizer is None:
            return
        slot = self._slot.get(article_id)
        if slot is not None:
            parts = self._matrix[slot] + self._profile([(text, 1.0)])
            norm = math.sqrt(float(parts.multiply(parts).sum()))
            m = self._matrix.tolil()
            m[slot] = parts / norm if norm > 0 else parts
            self._matrix = m.tocsr()
        else:
            self._slot[article_id] = len(self._ids)
            self._ids.append(article_id)
            self._matrix = sp.vstack([self._matrix, self._profile([(text, 1.0)])], format="csr")
            self._scale = np.append(self._scale, np.float32(self.own_scale))  # no evidence yet
        self._by_term = None

    def remove_article(self, article_id: str) -> None:
        slot = self._slot.get(article_id)
        if slot is not None:
            self._matrix = self._matrix.tolil()
            self._matrix[slot] = 0
            self._matrix = self._matrix.tocsr()
            self._prior.pop(article_id, None)
            self._by_term = None

    # -- scoring ----------------------------------------------------------------------------------

    @property
    def trained(self) -> bool:
        return self._vectorizer is not None and len(self._ids) > 0

    def vector(self, query: str) -> np.ndarray | None:
        """Cosine of the query to every article profile, by slot, a profile without evidence scaled by
        ``own_scale`` (None: nothing in common)."""
        if not self.trained:
            return None
        q = self._vectorizer.transform([query])
        if q.nnz == 0:
            return None
        if self._by_term is None:  # n-gram -> articles: a query touches only the postings of its n-grams
            self._by_term = self._matrix.T.tocsr()
        return cast(np.ndarray, (q @ self._by_term).toarray().ravel() * self._scale)

    def similarities(self, query: str) -> dict[str, float]:
        """Cosine of the query to every article profile it shares an n-gram with."""
        vec = self.vector(query)
        if vec is None:
            return {}
        return {self._ids[i]: float(vec[i]) for i in np.nonzero(vec > 0)[0]}

    def best(self, vec: np.ndarray, k: int) -> list[tuple[str, float]]:
        k = min(k, len(vec))
        top = np.argpartition(-vec, k - 1)[:k] if len(vec) > k else np.arange(len(vec))
        return [(self._ids[i], float(vec[i])) for i in top if vec[i] > 0]

    def at(self, vec: np.ndarray, article_id: str) -> float:
        slot = self._slot.get(article_id)
        return float(vec[slot]) if slot is not None else 0.0

    def prior(self, article_id: str) -> float:
        return self._prior.get(article_id, 0.0)


def fuse(lexical: Sequence[tuple[str, float]], model: LearnedModel | None, query: str, *,
         weight: float = DEFAULT_WEIGHT, prior_weight: float = DEFAULT_PRIOR_WEIGHT,
         allowed: Callable[[str], bool] | None = None, limit: int = 10) -> list[tuple[str, float]]:
    """Fused ranking of lexical (id, score) candidates and the model's best matches that ``allowed`` lets in."""
    if model is None or not model.trained or (weight == 0 and prior_weight == 0):
        return list(lexical[:limit])
    top = max((sc for _, sc in lexical), default=0.0)
    combined: dict[str, float] = {aid: (sc / top if top > 0 else 0.0) for aid, sc in lexical}
    vec = model.vector(query)
    sims: dict[str, float] = {}
    if vec is not None:
        sims = {aid: model.at(vec, aid) for aid in combined}
        for aid, sim in model.best(vec, CANDIDATES):
            if aid not in combined and (allowed is None or allowed(aid)):
                combined[aid], sims[aid] = 0.0, sim
    fused = {aid: base + weight * sims.get(aid, 0.0) + prior_weight * model.prior(aid)
             for aid, base in combined.items()}
    return sorted(fused.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]


def examples_from_orders(rows: Iterable[dict[str, Any]]) -> list[Example]:
    """History rows ({title, description, article_id, created}) as evidence."""
    out = []
    for r in rows:
        text = " ".join(x for x in (r.get("title"), r.get("description")) if x)
        at = datetime.fromisoformat(r["created"]) if r.get("created") else None
        out.append(Example(text=text, article_id=str(r["article_id"]), at=at))
    return out
