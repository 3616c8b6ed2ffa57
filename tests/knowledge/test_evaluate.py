"""Evaluation metrics on a hand-computed example, and the harness end to end on tiny data."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from telqc.knowledge.evaluate import (
    evaluate_ranker,
    percentile,
    precision_at_1,
    recall_at_k,
    reciprocal_rank,
    run_eval,
)


def test_metrics_by_hand() -> None:
    ranked = ["b", "a", "c", "d", "e", "f"]
    assert precision_at_1(ranked, ["a"]) == 0.0
    assert precision_at_1(ranked, ["b"]) == 1.0
    assert recall_at_k(ranked, ["a", "f"], 5) == 0.5  # f is 6th
    assert recall_at_k(ranked, ["a", "f"], 6) == 1.0
    assert reciprocal_rank(ranked, ["c"]) == pytest.approx(1 / 3)
    assert reciprocal_rank(ranked, ["z"]) == 0.0
    assert reciprocal_rank(ranked, ["f"], k=5) == 0.0
    assert precision_at_1([], ["a"]) == 0.0


def test_means_over_queries() -> None:
    answers = {"q1": ["x", "y"], "q2": ["y", "x"], "q3": []}
    queries = [
        {"id": "1", "question": "q1", "answer_ids": ["x"]},  # P@1 1, RR 1
        {"id": "2", "question": "q2", "answer_ids": ["x"]},  # P@1 0, RR 1/2
        {"id": "3", "question": "q3", "answer_ids": ["x"]},  # nothing found
    ]
    result = evaluate_ranker("fake", lambda q: answers[q], queries, documents=2, build_s=0.0)
    assert result.p_at_1 == pytest.approx(1 / 3)
    assert result.recall_at_5 == pytest.approx(2 / 3)
    assert result.mrr_at_10 == pytest.approx((1 + 0.5 + 0) / 3)


def test_percentile_is_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 50) == 50.0
    assert percentile(values, 95) == 95.0
    assert percentile([3.0], 95) == 3.0


def _write(path: Path, rows: list[dict[str, object]]) -> Path:
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    return path


def test_run_eval_all_systems(tmp_path: Path) -> None:
    answers = _write(
        tmp_path / "answers.jsonl",
        [
            {"id": "1", "text": "宽带续费可以在掌上营业厅办理，续费后立即生效。"},
            {"id": "2", "text": "携号转网需要号码实名认证并且没有欠费。"},
            {"id": "3", "text": "国际漫游出国前在营业厅开通，资费按目的地收取。"},
        ],
    )
    queries = _write(
        tmp_path / "queries.jsonl",
        [
            {"id": "a", "question": "宽带怎么续费", "answer_ids": ["1"]},
            {"id": "b", "question": "携号转网条件", "answer_ids": ["2"]},
            {"id": "c", "question": "出国漫游怎么开", "answer_ids": ["3"]},
        ],
    )
    results = run_eval(answers, queries)
    assert [r.system for r in results] == ["telqc", "bm25", "tfidf"]
    assert results[0].p_at_1 == 1.0 and results[0].queries == 3 and results[0].documents == 3
    assert run_eval(answers, queries, systems=("tfidf",), limit=1)[0].queries == 1


def test_run_eval_rejects_bad_input(tmp_path: Path) -> None:
    answers = _write(tmp_path / "answers.jsonl", [{"id": "1", "text": "宽带"}])
    queries = _write(tmp_path / "queries.jsonl", [{"id": "a", "question": "宽带", "answer_ids": ["9"]}])
    with pytest.raises(ValueError, match="unknown answer ids"):
        run_eval(answers, queries)
    with pytest.raises(ValueError, match="unknown system"):
        run_eval(answers, queries, systems=("nope",))
