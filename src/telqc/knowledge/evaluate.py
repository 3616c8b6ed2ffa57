"""Offline evaluation of knowledge-base search against two standard baselines.

Search quality is judged the way an agent feels it: is the first hit right
(P@1), is the right article on the first screen (Recall@5), how far down is
it (MRR@10), and how long the agent waits (latency p50/p95). Baselines run in
the same process on the same data so the comparison is like for like.
"""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jieba
import numpy as np
from rank_bm25 import BM25Okapi
from rich.console import Console
from rich.table import Table

from telqc.knowledge.excerpts import lead
from telqc.knowledge.inverted_index import Article, KnowledgeIndex
from telqc.knowledge.learned import (
    CANDIDATES,
    DEFAULT_PRIOR_WEIGHT,
    DEFAULT_WEIGHT,
    LearnedModel,
    examples_from_orders,
    fuse,
)
from telqc.knowledge.segment import default

Ranker = Callable[[str], list[str]]
SYSTEMS = ("telqc", "bm25", "tfidf")
_EVAL_INSTANT = datetime(2025, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class EvalResult:
    system: str
    queries: int
    documents: int
    p_at_1: float
    recall_at_5: float
    mrr_at_10: float
    latency_p50_ms: float
    latency_p95_ms: float
    build_s: float


# -- metrics (pure) -------------------------------------------------------------------------------


def precision_at_1(ranked: Sequence[str], relevant: Iterable[str]) -> float:
    return 1.0 if ranked and ranked[0] in set(relevant) else 0.0


def recall_at_k(ranked: Sequence[str], relevant: Iterable[str], k: int = 5) -> float:
    rel = set(relevant)
    return len(rel.intersection(ranked[:k])) / len(rel) if rel else 0.0


def reciprocal_rank(ranked: Sequence[str], relevant: Iterable[str], k: int = 10) -> float:
    rel = set(relevant)
    for pos, doc_id in enumerate(ranked[:k], 1):
        if doc_id in rel:
            return 1.0 / pos
    return 0.0


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile: an observed latency, never an interpolated one."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, int(np.ceil(q / 100.0 * len(ordered))))
    return ordered[rank - 1]


# -- data -----------------------------------------------------------------------------------------


def load_jsonl(path: str | Path, limit: int | None = None) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    with open(path, encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise ValueError(f"{path}:{lineno}: not valid JSON ({exc.msg})") from exc
            if limit is not None and len(rows) >= limit:
                break
    return rows


def _doc_text(doc: dict[str, Any]) -> str:
    """Everything a baseline may see: title, question variants and text, so no system gets less."""
    return "\n".join([doc.get("title", ""), *doc.get("questions", []), doc["text"]]).strip()


# -- systems --------------------------------------------------------------------------------------


def article_texts(docs: list[dict[str, Any]]) -> dict[str, str]:
    """What the learned model reads of an article of its own: title and question variants, or for an untitled
    answer without questions (InsuranceQA) its lead sentence, as the index titles it — never nothing, so an
    answer without history still has a profile to be found by."""
    out = {}
    for d in docs:
        own = "\n".join([d.get("title", ""), *d.get("questions", [])]).strip()
        out[str(d["id"])] = own or lead(d["text"])
    return out


def train_model(docs: list[dict[str, Any]], history: list[dict[str, Any]] | None,
                now: datetime | None = None) -> LearnedModel:
    model = LearnedModel()
    model.fit(article_texts(docs), examples_from_orders(history or []), now=now)
    return model


def build_telqc(docs: list[dict[str, Any]], learned: LearnedModel | None = None,
                weight: float = DEFAULT_WEIGHT, prior_weight: float = DEFAULT_PRIOR_WEIGHT, **params: Any) -> Ranker:
    index = KnowledgeIndex(**params)
    for d in docs:
        index.add(
            Article(
                id=str(d["id"]),
                title=d.get("title", ""),
                body=d["text"],
                questions=tuple(d.get("questions", ())),
            )
        )

    def rank(question: str) -> list[str]:
        if learned is None:
            return [h.id for h in index.search(question, limit=10, at=_EVAL_INSTANT, suggest=False).hits]
        res = index.search(question, limit=CANDIDATES, at=_EVAL_INSTANT, suggest=False)
        fused = fuse([(h.id, h.score) for h in res.hits], learned, question, weight=weight,
                     prior_weight=prior_weight)
        return [aid for aid, _ in index.settle(res.stated, fused)]

    return rank


def build_bm25(docs: list[dict[str, Any]]) -> Ranker:
    """jieba (default dictionary) + rank_bm25.BM25Okapi: the usual first attempt."""
    ids = [str(d["id"]) for d in docs]
    bm25 = BM25Okapi([jieba.lcut(_doc_text(d)) for d in docs])

    def rank(question: str) -> list[str]:
        scores = bm25.get_scores(jieba.lcut(question))
        top = np.argsort(-scores, kind="stable")[:10]
        return [ids[i] for i in top if scores[i] > 0]

    return rank


def build_tfidf(docs: list[dict[str, Any]]) -> Ranker:
    """Character-bigram TF-IDF cosine: needs no segmenter, strong on short Chinese text."""
    # scikit-learn: 1.0 s at import (measured: python -X importtime), paid only by a run that asks for tfidf
    from sklearn.feature_extraction.text import TfidfVectorizer  # noqa: PLC0415
    from sklearn.metrics.pairwise import linear_kernel  # noqa: PLC0415

    ids = [str(d["id"]) for d in docs]
    vectorizer = TfidfVectorizer(analyzer="char", ngram_range=(2, 2))
    matrix = vectorizer.fit_transform([_doc_text(d) for d in docs])

    def rank(question: str) -> list[str]:
        scores = linear_kernel(vectorizer.transform([question]), matrix).ravel()
        top = np.argsort(-scores, kind="stable")[:10]
        return [ids[i] for i in top if scores[i] > 0]

    return rank


BUILDERS: dict[str, Callable[..., Ranker]] = {"telqc": build_telqc, "bm25": build_bm25, "tfidf": build_tfidf}


def evaluate_ranker(
    system: str, rank: Ranker, queries: list[dict[str, Any]], documents: int, build_s: float
) -> EvalResult:
    p1: list[float] = []
    r5: list[float] = []
    mrr: list[float] = []
    latencies: list[float] = []
    for q in queries:
        relevant = [str(a) for a in q["answer_ids"]]
        start = time.perf_counter()
        ranked = rank(q["question"])
        latencies.append((time.perf_counter() - start) * 1000.0)
        p1.append(precision_at_1(ranked, relevant))
        r5.append(recall_at_k(ranked, relevant, 5))
        mrr.append(reciprocal_rank(ranked, relevant, 10))
    mean = statistics.fmean if queries else (lambda _: 0.0)
    return EvalResult(
        system=system,
        queries=len(queries),
        documents=documents,
        p_at_1=mean(p1),
        recall_at_5=mean(r5),
        mrr_at_10=mean(mrr),
        latency_p50_ms=percentile(latencies, 50),
        latency_p95_ms=percentile(latencies, 95),
        build_s=build_s,
    )


def held_back(answers_path: str | Path, history_path: str | Path, cut: datetime,
              systems: Sequence[str] = ("telqc", "tfidf")) -> tuple[int, list[EvalResult]]:
    """Learning from use on a held-back period: train on the orders created before ``cut``, then search
    with each later order's description (what the agent types) for the article that solved it.

    Returns the number of training orders and one row per system, plus ``telqc+learned`` (trained on the
    earlier orders, decayed to ``cut``) and ``telqc+articles`` (the learned part fitted on articles only)."""
    docs = load_jsonl(answers_path)
    history = load_jsonl(history_path)
    before = [r for r in history if datetime.fromisoformat(r["created"]) < cut]
    after = [{"id": r["id"], "question": r["description"], "answer_ids": [r["article_id"]]}
             for r in history if datetime.fromisoformat(r["created"]) >= cut]
    _warm_tokenizers()
    results = []
    for name, train in (("telqc+learned", before), ("telqc+articles", [])):
        start = time.perf_counter()
        rank = build_telqc(docs, learned=train_model(docs, train, now=cut))
        results.append(evaluate_ranker(name, rank, after, len(docs), time.perf_counter() - start))
    for system in systems:
        start = time.perf_counter()
        rank = BUILDERS[system](docs)
        results.append(evaluate_ranker(system, rank, after, len(docs), time.perf_counter() - start))
    return len(before), results


def _warm_tokenizers() -> None:
    """Load both jieba dictionaries up front so no system's build time includes it."""
    jieba.initialize()
    _ = default().tokenizer


def run_eval(
    answers_path: str | Path,
    queries_path: str | Path,
    systems: Sequence[str] = SYSTEMS,
    limit: int | None = None,
    telqc_params: dict[str, Any] | None = None,
    history_path: str | Path | None = None,
) -> list[EvalResult]:
    """Index the answers once per system, run every query (first ``limit``), score them all.

    With ``history_path`` (resolved orders {title, description, article_id, created}, article ids those of
    the answers file) the learned component is trained on it first and a fused ``telqc+learned`` row is
    added after the lexical ``telqc`` row."""
    unknown = [s for s in systems if s not in BUILDERS]
    if unknown:
        raise ValueError(f"unknown system(s) {unknown}; choose from {sorted(BUILDERS)}")
    docs = load_jsonl(answers_path)
    queries = load_jsonl(queries_path, limit)
    known = {str(d["id"]) for d in docs}
    for q in queries:
        missing = [a for a in q["answer_ids"] if str(a) not in known]
        if missing:
            raise ValueError(f"{queries_path}: query {q['id']} points at unknown answer ids {missing}")
    _warm_tokenizers()
    results = []
    if history_path is not None and "telqc" in systems:
        history = load_jsonl(history_path)
        bad = [r.get("id") for r in history if str(r.get("article_id")) not in known]
        if bad:
            raise ValueError(f"{history_path}: orders {bad[:5]} point at article ids not in {answers_path}")
        start = time.perf_counter()
        model = train_model(docs, history, now=max(datetime.fromisoformat(r["created"]) for r in history)
                            if history else None)
        rank = build_telqc(docs, learned=model, **(telqc_params or {}))
        results.append(evaluate_ranker("telqc+learned", rank, queries, len(docs), time.perf_counter() - start))
    for system in systems:
        start = time.perf_counter()
        params = (telqc_params or {}) if system == "telqc" else {}
        rank = BUILDERS[system](docs, **params)
        build_s = time.perf_counter() - start
        results.append(evaluate_ranker(system, rank, queries, len(docs), build_s))
    return results


def render(results: Sequence[EvalResult], title: str = "Knowledge-base search evaluation") -> None:
    table = Table(title=title)
    for col in ("system", "docs", "queries", "P@1", "Recall@5", "MRR@10", "p50 ms", "p95 ms", "build s"):
        table.add_column(col, justify="left" if col == "system" else "right")
    for r in results:
        table.add_row(
            r.system,
            str(r.documents),
            str(r.queries),
            f"{r.p_at_1:.3f}",
            f"{r.recall_at_5:.3f}",
            f"{r.mrr_at_10:.3f}",
            f"{r.latency_p50_ms:.2f}",
            f"{r.latency_p95_ms:.2f}",
            f"{r.build_s:.2f}",
        )
    Console(width=max(Console().width, 110)).print(table)
