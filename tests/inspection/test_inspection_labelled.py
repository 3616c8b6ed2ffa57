"""Precision and recall of the default scorecard on the hand-labelled transcripts.

The labelled set is the contract with quality inspectors: a rule that misses or cries wolf
on it is wrong, whatever the unit tests say. Thresholds: ≥ 0.95 per rule kind and per rule.
"""

from __future__ import annotations

import importlib.util
import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from telqc.inspection.calls import Transcript
from telqc.inspection.engine import Inspector
from telqc.inspection.rules import RULE_KINDS, load_default_scorecard

HERE = Path(__file__).parent
DATA = HERE / "data" / "labelled.jsonl"


def _cases() -> list[dict[str, Any]]:
    return [json.loads(line) for line in DATA.read_text(encoding="utf-8").splitlines() if line.strip()]


def _table(title: str, tp: Counter[str], fp: Counter[str], fn: Counter[str]) -> dict[str, tuple[float, float]]:
    scores, lines = {}, [f"{title:<28} {'TP':>4} {'FP':>4} {'FN':>4} {'precision':>9} {'recall':>7}"]
    for key in sorted(set(tp) | set(fp) | set(fn)):
        p = tp[key] / (tp[key] + fp[key]) if tp[key] + fp[key] else 1.0
        r = tp[key] / (tp[key] + fn[key]) if tp[key] + fn[key] else 1.0
        scores[key] = (p, r)
        lines.append(f"{key:<28} {tp[key]:>4} {fp[key]:>4} {fn[key]:>4} {p:>9.3f} {r:>7.3f}")
    print("\n" + "\n".join(lines))
    return scores


def test_labelled_file_is_generated_by_make_labelled() -> None:
    spec = importlib.util.spec_from_file_location("make_labelled", HERE / "make_labelled.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.build_cases() == _cases(), "run: python tests/inspection/make_labelled.py"


def test_labelled_set_covers_every_rule_kind_both_ways() -> None:
    card = load_default_scorecard()
    kind_of = {r.id: r.kind for r in card.rules}
    cases = _cases()
    assert len(cases) >= 200
    positives = {kind_of[rid] for case in cases for rid in case["expect"]}
    negatives = {kind_of[case["focus"]] for case in cases if not case["positive"]}
    assert positives == negatives == set(RULE_KINDS)


@pytest.mark.parametrize("level", ["kind", "rule"])
def test_precision_and_recall(level: str) -> None:
    card = load_default_scorecard()
    kind_of = {r.id: r.kind for r in card.rules}
    key = (lambda rid: kind_of[rid]) if level == "kind" else (lambda rid: rid)
    inspector = Inspector(card)
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    wrong = []
    for case in _cases():
        fired = {h.rule_id for h in inspector.evaluate(Transcript.from_dicts(case["turns"]))}
        expected = set(case["expect"])
        for rid in fired & expected:
            tp[key(rid)] += 1
        for rid in fired - expected:
            fp[key(rid)] += 1
        for rid in expected - fired:
            fn[key(rid)] += 1
        if fired != expected:
            wrong.append(f"{case['id']} ({case['note']}): expected {sorted(expected)}, fired {sorted(fired)}")
    scores = _table(f"per {level}", tp, fp, fn)
    low = {k: v for k, v in scores.items() if min(v) < 0.95}
    assert not low, f"below 0.95: {low}\n" + "\n".join(wrong)
